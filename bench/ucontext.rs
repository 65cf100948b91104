//! `cargo bench --bench ucontext`: what `<ucontext.h>` costs under asyncify-rt, in time and in
//! memory. Results go to stdout and to the "ucontext" section of `bench/RESULTS.md` (replaced
//! if present, else appended; the rest of the file is left as it is).
//!
//! `bench/ucontext_bench.c` is built with `asyncify-cc -O2 -Wl,--max-memory=1073741824` (run by
//! `asyncify-run`, a 1 GiB linear memory at most) and natively with `gcc -O2` (glibc's
//! swapcontext, the reference).
//!
//! 1. Round trip (`roundtrip DEPTH N`): main and a made context, both recursed to DEPTH frames
//!    (1, 10, 100), ping-pong with swapcontext; ns per round trip (two swaps). For each depth
//!    and platform the iteration count is calibrated so that the timed loop takes about 0.2 s,
//!    then the program runs 5 times (wasm and native interleaved) and the median is reported.
//! 2. Memory (`many 1000`, both platforms): the bytes a suspended context takes beyond its
//!    8 KiB stack (its `ucontext_t`) and within it (live frames, the saved chain).
//! 3. Capacity (`many COUNT`, wasm): the largest number of contexts with 8 KiB stacks that can
//!    be suspended at once in 1 GiB. 100,000 (the goal) is tried first; then a count just above
//!    the estimate from that run's memory use, then bisection down to the exact count. A count
//!    that does not fit must end in the program's own "malloc failed" report (exit status 3);
//!    anything else is an error of the bench.
//!
//! Needs `gcc`, `clang-22` and `wasm-opt` on PATH (as asyncify-cc does). Builds go to
//! `CARGO_TARGET_TMPDIR/ucontext-bench`.

mod common;

use common::{
    asyncify_cc, asyncify_run, check, fmt_ns, fmt_ratio, load_average, manifest_dir, median,
    min_max, run_timed, Result, RUNS,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Recursion depth of both main and the made context in the round-trip benchmark.
const DEPTHS: [u32; 3] = [1, 10, 100];
/// The wasm module's largest linear memory, in bytes, and the link flag that sets it.
const MAX_MEMORY: u64 = 1 << 30;
const MAX_MEMORY_FLAG: &str = "-Wl,--max-memory=1073741824";
/// Suspended contexts wanted in MAX_MEMORY (the goal); tried first.
const GOAL: u64 = 100_000;
/// Contexts in the memory-measurement runs.
const MEMORY_COUNT: u64 = 1000;
/// Exit status of ucontext_bench when malloc fails in mode `many`.
const STATUS_OUT_OF_MEMORY: i32 = 3;
/// Markers around this bench's section of bench/RESULTS.md.
const SECTION_BEGIN: &str = "<!-- ucontext bench: begin (written by bench/ucontext.rs) -->";
const SECTION_END: &str = "<!-- ucontext bench: end -->";
/// How the table names the bench program.
const PROGRAM: &str = "bench/ucontext_bench.c";

fn main() {
    if let Err(e) = run_all() {
        eprintln!("ucontext bench: {e}");
        std::process::exit(1);
    }
}

fn run_all() -> Result<()> {
    let started = Instant::now();
    let load_before = load_average();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ucontext-bench");
    std::fs::create_dir_all(out.join("runs")).map_err(|e| format!("{}: {e}", out.display()))?;

    eprintln!("ucontext bench: building {PROGRAM} (wasm and native)...");
    let b = build(&out)?;
    eprintln!("ucontext bench: builds done in {:.0?}", started.elapsed());

    let trips = run_roundtrips(&b, &out)?;
    eprintln!("ucontext bench: memory per suspended context ({MEMORY_COUNT} contexts)");
    let mem_wasm = many_ok(&b, &out, Platform::Wasm, MEMORY_COUNT)?;
    let mem_native = many_ok(&b, &out, Platform::Native, MEMORY_COUNT)?;
    let capacity = find_capacity(&b, &out)?;
    let load_after = load_average();

    let tables = render_tables(&trips, &mem_wasm, &mem_native, &capacity);
    println!("{tables}");

    let path = common::write_results(
        "ucontext",
        "## ucontext: swapcontext and suspended contexts",
        (SECTION_BEGIN, SECTION_END),
        (&load_before, &load_after),
        started,
        &tables,
    )?;
    eprintln!("ucontext bench: wrote the ucontext section of {} (total {:.0?})", path.display(), started.elapsed());
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
    let b = Builds { wasm: out.join("ucontext_bench.wasm"), native: out.join("ucontext_bench") };
    let (wasm, native) = std::thread::scope(|s| {
        let wasm = s.spawn(|| {
            let mut c = Command::new(asyncify_cc());
            c.args(["-O2", "-Wall", MAX_MEMORY_FLAG]).arg(&src).arg("-o").arg(&b.wasm);
            check(c, "asyncify-cc (ucontext_bench)")
        });
        let native = s.spawn(|| {
            let mut c = Command::new("gcc");
            c.args(["-O2", "-Wall"]).arg(&src).arg("-o").arg(&b.native);
            check(c, "gcc (ucontext_bench)")
        });
        (wasm.join().unwrap(), native.join().unwrap())
    });
    wasm?;
    native?;
    Ok(b)
}

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

fn bench_command(b: &Builds, p: Platform) -> Command {
    match p {
        Platform::Wasm => {
            let mut c = Command::new(asyncify_run());
            c.arg(&b.wasm);
            c
        }
        Platform::Native => Command::new(&b.native),
    }
}

// ---------------------------------------------------------------------------------------------
// Round trips

struct RoundTrip {
    depth: u32,
    wasm_iters: u64,
    native_iters: u64,
    wasm: Vec<f64>,
    native: Vec<f64>,
}

/// One run of `roundtrip DEPTH ITERS`; returns its ns per round trip.
fn roundtrip_once(b: &Builds, out: &Path, p: Platform, depth: u32, iters: u64) -> Result<f64> {
    let mut c = bench_command(b, p);
    c.arg("roundtrip").arg(depth.to_string()).arg(iters.to_string());
    let tag = format!("roundtrip-{}-{depth}", p.name());
    let o = run_timed(c, out, &tag)?;
    if o.status != Some(0) {
        return Err(format!(
            "ucontext_bench {tag} {iters} failed (status {:?}):\n{}{}",
            o.status, o.stdout, o.stderr
        ));
    }
    common::field::<f64>(&o.stdout, "ns_per_op")
        .ok_or_else(|| format!("ucontext_bench {tag}: unexpected output {:?}", o.stdout))
}

fn run_roundtrips(b: &Builds, out: &Path) -> Result<Vec<RoundTrip>> {
    let mut results = Vec::new();
    for depth in DEPTHS {
        eprintln!("ucontext bench: round trip at depth {depth}");
        let wasm_iters = common::calibrate(|n| roundtrip_once(b, out, Platform::Wasm, depth, n))?;
        let native_iters = common::calibrate(|n| roundtrip_once(b, out, Platform::Native, depth, n))?;
        let mut r = RoundTrip { depth, wasm_iters, native_iters, wasm: Vec::new(), native: Vec::new() };
        // Interleaved, so that a burst of load elsewhere hits both sides alike.
        for _ in 0..RUNS {
            r.wasm.push(roundtrip_once(b, out, Platform::Wasm, depth, wasm_iters)?);
            r.native.push(roundtrip_once(b, out, Platform::Native, depth, native_iters)?);
        }
        results.push(r);
    }
    Ok(results)
}

// ---------------------------------------------------------------------------------------------
// Many suspended contexts

/// The result line of a successful `many` run (KEY=VALUE words).
struct ManyLine(String);

impl ManyLine {
    fn get(&self, key: &str) -> Option<u64> {
        common::field(&self.0, key)
    }
}

enum Many {
    /// Every context suspended and finished.
    Fits(ManyLine),
    /// malloc failed after `made` contexts were suspended.
    OutOfMemory { made: u64 },
}

/// One run of `many COUNT`. A failure other than the program's out-of-memory report is an error.
fn many_once(b: &Builds, out: &Path, p: Platform, count: u64) -> Result<Many> {
    let mut c = bench_command(b, p);
    c.arg("many").arg(count.to_string());
    let tag = format!("many-{}-{count}", p.name());
    let o = run_timed(c, out, &tag)?;
    let line = ManyLine(o.stdout.lines().next().unwrap_or("").to_owned());
    let failed = || {
        format!(
            "ucontext_bench {tag} failed (status {:?}):\n{}{}",
            o.status, o.stdout, o.stderr
        )
    };
    match o.status {
        Some(0) => {
            let all = [line.get("count"), line.get("suspended"), line.get("finished")];
            if all.iter().all(|&n| n == Some(count)) {
                Ok(Many::Fits(line))
            } else {
                Err(failed())
            }
        }
        Some(STATUS_OUT_OF_MEMORY) if line.0.contains("failed=malloc") => {
            Ok(Many::OutOfMemory { made: line.get("made").ok_or_else(failed)? })
        }
        _ => Err(failed()),
    }
}

/// A `many` run that must succeed.
fn many_ok(b: &Builds, out: &Path, p: Platform, count: u64) -> Result<ManyLine> {
    match many_once(b, out, p, count)? {
        Many::Fits(line) => Ok(line),
        Many::OutOfMemory { made } => Err(format!(
            "ucontext_bench many {count} ({}) ran out of memory after {made} contexts",
            p.name()
        )),
    }
}

struct Capacity {
    /// The run at GOAL, if it fit.
    goal: Option<ManyLine>,
    /// The largest count that fit and the smallest that did not.
    largest_fit: u64,
    smallest_fail: u64,
    /// Contexts suspended before malloc failed, in the run at `smallest_fail`.
    made_at_fail: u64,
    /// Every run: count, fit.
    tried: Vec<(u64, bool)>,
}

/// The largest count of 8 KiB contexts suspended at once that fits in MAX_MEMORY (wasm).
fn find_capacity(b: &Builds, out: &Path) -> Result<Capacity> {
    let mut tried = Vec::new();
    let mut try_count = |count: u64| -> Result<Many> {
        eprintln!("ucontext bench: many {count} (wasm)");
        let r = many_once(b, out, Platform::Wasm, count)?;
        tried.push((count, matches!(r, Many::Fits(_))));
        Ok(r)
    };
    // `lo` fits (1: nothing tried yet), `hi` does not; `made_hint` comes from the first failure.
    let (mut lo, hi_first, made_hint, goal);
    match try_count(GOAL)? {
        Many::Fits(line) => {
            lo = GOAL;
            // Memory per context from this run: linear-memory growth over the loop that made
            // them (the stacks), plus the ucontext_t and state byte allocated before it.
            let per = |k| line.get(k).ok_or_else(|| format!("no {k} in {:?}", line.0));
            let per_ctx = (per("memory_bytes_after")? - per("memory_bytes_before")?) as f64 / GOAL as f64
                + (per("ucontext_bytes")? + 1) as f64;
            let fixed = per("memory_bytes_before")? as f64 - (GOAL * (per("ucontext_bytes")? + 1)) as f64;
            // Just above the estimate (0.1%), so that it most likely fails by a little.
            let mut probe = (((MAX_MEMORY as f64 - fixed) / per_ctx) * 1.001) as u64 + 1;
            goal = Some(line);
            hi_first = loop {
                match try_count(probe.max(lo + 1))? {
                    Many::Fits(_) => {
                        lo = probe.max(lo + 1);
                        probe = lo * 2;
                    }
                    Many::OutOfMemory { made } => {
                        made_hint = made;
                        break probe.max(lo + 1);
                    }
                }
                if lo > 100_000_000 {
                    return Err(format!("{lo} contexts fit in {MAX_MEMORY} bytes: is --max-memory applied?"));
                }
            };
        }
        Many::OutOfMemory { made } => {
            goal = None;
            lo = 1;
            hi_first = GOAL;
            made_hint = made;
        }
    }
    let mut hi = hi_first;
    let mut made_at_fail = made_hint;
    // The first failing run suspended `made` contexts with a larger ucontext_t array than a run
    // at `made` allocates, so `made` very likely fits: try it first, then bisect.
    let mut hint = Some(made_hint);
    while hi - lo > 1 {
        let mid = match hint.take() {
            Some(m) if m > lo && m < hi => m,
            _ => lo + (hi - lo) / 2,
        };
        match try_count(mid.max(2))? {
            Many::Fits(_) => lo = mid,
            Many::OutOfMemory { made } => {
                hi = mid;
                made_at_fail = made;
            }
        }
    }
    Ok(Capacity { goal, largest_fit: lo, smallest_fail: hi, made_at_fail, tried })
}

// ---------------------------------------------------------------------------------------------
// Output

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut r = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            r.push(',');
        }
        r.push(ch);
    }
    r
}

fn render_tables(trips: &[RoundTrip], wasm: &ManyLine, native: &ManyLine, cap: &Capacity) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "### swapcontext round trip (`{PROGRAM} roundtrip`)\n");
    let _ = writeln!(
        s,
        "Median of {RUNS} runs, ns per round trip (main -> context -> main: two swapcontext \
         calls), main and the made context each recursed to `depth` frames. wasm = `asyncify-cc \
         -O2` under `asyncify-run` (wasmtime); native = `gcc -O2`, glibc (whose swapcontext also \
         makes a sigprocmask system call per swap).\n"
    );
    let _ = writeln!(
        s,
        "| depth (both) | wasm ns/round trip | native ns/round trip | wasm/native | wasm min–max | native min–max | iterations wasm / native |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|");
    for r in trips {
        let (w, n) = (median(&r.wasm), median(&r.native));
        let ((wl, wh), (nl, nh)) = (min_max(&r.wasm), min_max(&r.native));
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {}–{} | {}–{} | {} / {} |",
            r.depth,
            fmt_ns(w),
            fmt_ns(n),
            fmt_ratio(w / n),
            fmt_ns(wl),
            fmt_ns(wh),
            fmt_ns(nl),
            fmt_ns(nh),
            r.wasm_iters,
            r.native_iters
        );
    }
    let at = |d: u32| trips.iter().find(|r| r.depth == d).map(|r| median(&r.wasm));
    if let (Some(a), Some(z)) = (at(10), at(100)) {
        let _ = writeln!(
            s,
            "\n- wasm: about {:.0} ns per extra frame of depth in *both* chains (slope between depth 10 and 100): each round trip unwinds and rewinds both.",
            (z - a) / 90.0
        );
    }

    let _ = writeln!(s, "\n### Memory per suspended context (`{PROGRAM} many {MEMORY_COUNT}`)\n");
    let _ = writeln!(
        s,
        "Each context has an 8 KiB malloc'd stack and suspends itself (swapcontext to main) from \
         one function below its entry. Measured on the first context: top = the top of its stack \
         (wasm: `asyncify_rt_stack_bounds` inside the context, checked against `uc_stack`), \
         frame = `__builtin_frame_address(0)` of the function that calls swapcontext, resume SP = \
         the stack pointer it resumes with (wasm: the saved chain's base, \
         `uc_mcontext.__data_base`). Natively nothing is copied: glibc keeps the registers in the \
         `ucontext_t` and the frames stay where they are.\n"
    );
    let _ = writeln!(s, "| bytes | wasm (asyncify-rt) | native (glibc) |");
    let _ = writeln!(s, "|---|---:|---:|");
    let cell = |l: &ManyLine, k: &str| l.get(k).map_or_else(|| "–".to_owned(), |v| v.to_string());
    let rows: [(&str, &str); 8] = [
        ("`ucontext_t` (beyond the stack)", "ucontext_bytes"),
        ("stack (`uc_stack.ss_size`)", "stack_bytes"),
        ("malloc spacing of consecutive stacks", "malloc_stride_bytes"),
        ("runtime header at the stack's low end (with alignment)", "stack_header_bytes"),
        ("live frames: top − frame", "live_frame_bytes"),
        ("saved chain (Asyncify data of the suspended frames)", "saved_chain_bytes"),
        ("saved chain + its 16-byte record: frame − resume SP", "below_sp_bytes"),
        ("stack in use while suspended: top − resume SP", "suspended_stack_bytes"),
    ];
    for (label, key) in rows {
        let _ = writeln!(s, "| {label} | {} | {} |", cell(wasm, key), cell(native, key));
    }
    if let Some(g) = &cap.goal {
        if let (Some(before), Some(after)) = (g.get("memory_bytes_before"), g.get("memory_bytes_after")) {
            let _ = writeln!(
                s,
                "| linear memory grown per context while suspending {} (stack + malloc overhead) | {:.0} | |",
                thousands(GOAL),
                (after - before) as f64 / GOAL as f64
            );
        }
    }

    let _ = writeln!(s, "\n### Suspended contexts in 1 GiB (`{PROGRAM} many COUNT`, wasm)\n");
    let _ = writeln!(
        s,
        "Linked with `{MAX_MEMORY_FLAG}` (1 GiB of linear memory at most, 8 MiB of it the main \
         stack). COUNT contexts with 8 KiB stacks are made and started, all suspended at once, \
         then each resumed to completion (all counted). A count that does not fit ends in \
         malloc returning NULL, reported by the program.\n"
    );
    let _ = writeln!(s, "| | |");
    let _ = writeln!(s, "|---|---|");
    let _ = writeln!(
        s,
        "| goal: {} contexts | {} |",
        thousands(GOAL),
        match &cap.goal {
            Some(g) => format!(
                "fits ({} bytes of linear memory at the end)",
                g.get("memory_bytes_after").map_or_else(|| "?".to_owned(), thousands)
            ),
            None => "does **not** fit".to_owned(),
        }
    );
    let _ = writeln!(s, "| largest count that fits | **{}** |", thousands(cap.largest_fit));
    let _ = writeln!(
        s,
        "| smallest count that does not | {} (malloc failed after {} contexts) |",
        thousands(cap.smallest_fail),
        thousands(cap.made_at_fail)
    );
    let list: Vec<String> = cap
        .tried
        .iter()
        .map(|&(n, ok)| format!("{} {}", thousands(n), if ok { "fits" } else { "fails" }))
        .collect();
    let _ = writeln!(s, "| runs, in order | {} |", list.join(", "));
    s
}
