//! `cargo bench --bench scan`: what one register scan (`asyncify_rt_scan_registers`) costs under
//! asyncify-rt, by call depth. Results go to stdout and to the "scan" section of
//! `bench/RESULTS.md` (replaced if present, else appended; the rest of the file is left as it is).
//!
//! `bench/scan_bench.c` is built with `asyncify-cc -O2` (run by `asyncify-run`) and natively with
//! `gcc -O2`, where the nearest equivalent is what a native conservative collector does to see
//! registers (bdwgc on Linux: `getcontext` into a local, O(1)). At recursion depths 1, 10, 100
//! and 1000 it reports ns per scan and the bytes the callback is given (the spilled wasm locals
//! of the whole chain); from those, the cost and size per extra frame. For each depth and
//! platform the iteration count is calibrated so that the timed loop takes about 0.2 s, then the
//! program runs 5 times (wasm and native interleaved) and the median is reported.
//!
//! Needs `gcc`, `clang-22` and `wasm-opt` on PATH (as asyncify-cc does). Builds go to
//! `CARGO_TARGET_TMPDIR/scan-bench`.

mod common;

use common::{
    asyncify_cc, asyncify_run, check, fmt_ns, fmt_ratio, load_average, manifest_dir, median, min_max,
    run_timed, Result, RUNS,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Recursion depths.
const DEPTHS: [u32; 4] = [1, 10, 100, 1000];
/// Markers around this bench's section of bench/RESULTS.md.
const SECTION_BEGIN: &str = "<!-- scan bench: begin (written by bench/scan.rs) -->";
const SECTION_END: &str = "<!-- scan bench: end -->";
/// How the table names the bench program.
const PROGRAM: &str = "bench/scan_bench.c";

fn main() {
    if let Err(e) = run_all() {
        eprintln!("scan bench: {e}");
        std::process::exit(1);
    }
}

fn run_all() -> Result<()> {
    let started = Instant::now();
    let load_before = load_average();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scan-bench");
    std::fs::create_dir_all(out.join("runs")).map_err(|e| format!("{}: {e}", out.display()))?;

    eprintln!("scan bench: building {PROGRAM} (wasm and native)...");
    let b = build(&out)?;
    eprintln!("scan bench: builds done in {:.0?}", started.elapsed());

    let results = run_depths(&b, &out)?;
    let load_after = load_average();

    let tables = render_tables(&results);
    println!("{tables}");

    let path = common::write_results(
        "scan",
        "## scan: register scans for garbage collectors",
        (SECTION_BEGIN, SECTION_END),
        (&load_before, &load_after),
        started,
        &tables,
    )?;
    eprintln!("scan bench: wrote the scan section of {} (total {:.0?})", path.display(), started.elapsed());
    Ok(())
}


// ---------------------------------------------------------------------------------------------
// Builds

struct Builds {
    wasm: PathBuf,
    native: PathBuf,
}

fn build(out: &Path) -> Result<Builds> {
    let src = manifest_dir().join(PROGRAM);
    let b = Builds { wasm: out.join("scan_bench.wasm"), native: out.join("scan_bench") };
    let mut c = Command::new(asyncify_cc());
    c.args(["-O2", "-Wall"]).arg(&src).arg("-o").arg(&b.wasm);
    check(c, "asyncify-cc (scan_bench)")?;
    let mut c = Command::new("gcc");
    c.args(["-O2", "-Wall"]).arg(&src).arg("-o").arg(&b.native);
    check(c, "gcc (scan_bench)")?;
    Ok(b)
}

// ---------------------------------------------------------------------------------------------
// Running (process runs and statistics are in `common`)

#[derive(Clone, Copy, PartialEq)]
enum Platform {
    Wasm,
    Native,
}

impl Platform {
    fn name(self) -> &'static str {
        match self {
            Platform::Wasm => "wasm",
            Platform::Native => "native",
        }
    }
}

struct DepthResult {
    depth: u32,
    wasm_iters: u64,
    native_iters: u64,
    wasm: Vec<f64>,
    native: Vec<f64>,
    /// Bytes the callback got (wasm: the spilled chain; native: a ucontext_t).
    wasm_bytes: u64,
    native_bytes: u64,
}

/// One run of scan_bench; returns its ns per scan and the bytes scanned.
fn once(b: &Builds, out: &Path, p: Platform, depth: u32, iters: u64) -> Result<(f64, u64)> {
    let mut c = match p {
        Platform::Wasm => {
            let mut c = Command::new(asyncify_run());
            c.arg(&b.wasm);
            c
        }
        Platform::Native => Command::new(&b.native),
    };
    c.arg(depth.to_string()).arg(iters.to_string());
    let tag = format!("scan-{}-{depth}", p.name());
    let o = run_timed(c, out, &tag)?;
    if o.status != Some(0) {
        return Err(format!("scan_bench {tag} {iters} failed (status {:?}):\n{}{}", o.status, o.stdout, o.stderr));
    }
    let ns = common::field::<f64>(&o.stdout, "ns_per_op");
    let bytes = common::field::<u64>(&o.stdout, "bytes");
    match (ns, bytes) {
        (Some(ns), Some(bytes)) => Ok((ns, bytes)),
        _ => Err(format!("scan_bench {tag}: unexpected output {:?}", o.stdout)),
    }
}

fn run_depths(b: &Builds, out: &Path) -> Result<Vec<DepthResult>> {
    let mut results = Vec::new();
    for depth in DEPTHS {
        eprintln!("scan bench: depth {depth}");
        let wasm_iters = common::calibrate(|n| once(b, out, Platform::Wasm, depth, n).map(|r| r.0))?;
        let native_iters = common::calibrate(|n| once(b, out, Platform::Native, depth, n).map(|r| r.0))?;
        let mut r = DepthResult {
            depth,
            wasm_iters,
            native_iters,
            wasm: Vec::new(),
            native: Vec::new(),
            wasm_bytes: 0,
            native_bytes: 0,
        };
        // Interleaved, so that a burst of load elsewhere hits both sides alike.
        for _ in 0..RUNS {
            let (ns, bytes) = once(b, out, Platform::Wasm, depth, wasm_iters)?;
            r.wasm.push(ns);
            r.wasm_bytes = bytes;
            let (ns, bytes) = once(b, out, Platform::Native, depth, native_iters)?;
            r.native.push(ns);
            r.native_bytes = bytes;
        }
        results.push(r);
    }
    Ok(results)
}

// ---------------------------------------------------------------------------------------------
// Output

fn render_tables(results: &[DepthResult]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "### One register scan by call depth (`{PROGRAM}`)\n");
    let _ = writeln!(
        s,
        "Median of {RUNS} runs, ns per `asyncify_rt_scan_registers` call with a callback that only \
         records its range. wasm = `asyncify-cc -O2` under `asyncify-run` (wasmtime): an Asyncify \
         unwind of the whole chain into the stack, the callback, a rewind. native = `gcc -O2`, \
         glibc: `getcontext` into a local and the same callback (what bdwgc does on Linux to see \
         registers). Bytes = the size of the range the callback gets. Depth = frames of the \
         benchmark's recursion (each keeps two values in locals) between `main` and the loop.\n"
    );
    let _ = writeln!(
        s,
        "| depth | wasm ns/scan | wasm min–max | wasm bytes scanned | native ns/scan | native bytes | wasm/native | iterations wasm / native |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in results {
        let (w, n) = (median(&r.wasm), median(&r.native));
        let (lo, hi) = min_max(&r.wasm);
        let _ = writeln!(
            s,
            "| {} | {} | {}–{} | {} | {} | {} | {} | {} / {} |",
            r.depth,
            fmt_ns(w),
            fmt_ns(lo),
            fmt_ns(hi),
            r.wasm_bytes,
            fmt_ns(n),
            r.native_bytes,
            fmt_ratio(w / n),
            r.wasm_iters,
            r.native_iters
        );
    }

    let at = |d: u32| results.iter().find(|r| r.depth == d);
    let _ = writeln!(s, "\n### Per frame (wasm)\n");
    let _ = writeln!(s, "| between depths | ns per extra frame | bytes per extra frame |");
    let _ = writeln!(s, "|---|---:|---:|");
    for (a, z) in [(1, 10), (10, 100), (100, 1000)] {
        if let (Some(a), Some(z)) = (at(a), at(z)) {
            let frames = f64::from(z.depth - a.depth);
            let ns = (median(&z.wasm) - median(&a.wasm)) / frames;
            let bytes = (z.wasm_bytes as f64 - a.wasm_bytes as f64) / frames;
            let _ = writeln!(s, "| {} → {} | {} | {:.1} |", a.depth, z.depth, fmt_ns(ns), bytes);
        }
    }
    if let Some(one) = at(1) {
        let _ = writeln!(
            s,
            "\n- At depth 1 the range holds {} bytes: the spilled locals of `main`, one recursion \
             frame and the timed loop. Time and bytes grow linearly with the depth of the call \
             chain: every instrumented frame on it is unwound, saved and rewound at each scan.",
            one.wasm_bytes
        );
    }
    s
}
