//! `cargo bench --bench setjmp`: what setjmp/longjmp cost under asyncify-rt, and what Asyncify
//! costs a real program (Lua 5.4). Results go to stdout and to `bench/RESULTS.md`.
//!
//! 1. `bench/setjmp_bench.c`, built with `asyncify-cc -O2` (run by `asyncify-run`) and natively
//!    with `gcc -O2` (glibc's setjmp/longjmp, the reference): ns per operation for the modes
//!    `setjmp` and `roundtrip` at recursion depths 1, 10, 100 and 1000. For each configuration
//!    the iteration count is calibrated so that the timed loop takes about 0.2 s, then the
//!    program runs 5 times and the median is reported.
//! 2. Lua 5.4 (the sources of the `lua-src` dev-dependency, driver `examples/lua/lua_run.c`),
//!    built three ways from the same sources and flags (`-O2 -DLUA_USE_POSIX`):
//!    * asyncify-rt: objects compiled by `asyncify-cc -c`, linked by `asyncify-cc -O2`;
//!    * baseline: the same objects, linked by `clang-22 --no-wasm-opt` with
//!      `bench/lua/baseline_shim.c` (setjmp returns 0, longjmp aborts) and no runtime, then
//!      `wasm-opt -O2`: Lua for WASI without Asyncify;
//!    * native: `gcc -O2`, for reference.
//!    Every script of `examples/lua/scripts/` and `bench/lua/` runs once to warm up (wasmtime's
//!    compilation cache) and then 5 times per build; the median wall time of the whole process
//!    is reported. Scripts that raise a Lua error need longjmp and cannot run in the baseline.
//!
//! Needs `gcc`, `clang-22` and `wasm-opt` on PATH (as asyncify-cc does). Builds go to
//! `CARGO_TARGET_TMPDIR/setjmp-bench`. `LUA_SRC_DIR=<dir with lua.h>` overrides the Lua sources.

mod common;

use common::{
    asyncify_cc, asyncify_run, check, fmt_ns, fmt_ratio, load_average, manifest_dir, median,
    min_max, run_notes, run_timed, Result, RUNS,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Recursion depths of the microbenchmark.
const DEPTHS: [u32; 4] = [1, 10, 100, 1000];
/// Modes of the microbenchmark.
const MODES: [&str; 2] = ["setjmp", "roundtrip"];
/// Lua's preprocessor flags (LUA_USE_POSIX selects `_setjmp`/`_longjmp` in ldo.c).
const LUA_DEFINES: &[&str] = &["-DLUA_USE_POSIX"];
/// WASI only: lstate.h includes <signal.h>, which wasi-libc hides without this.
const WASI_EXTRA: &[&str] = &["-D_WASI_EMULATED_SIGNAL"];
/// The shadow stack asyncify-cc gives by default; the baseline gets the same.
const STACK_SIZE_FLAG: &str = "-Wl,-z,stack-size=8388608";
/// What the baseline's longjmp prints before aborting.
const BASELINE_NO_LONGJMP: &str = "baseline cannot longjmp";

fn main() {
    if let Err(e) = run_all() {
        eprintln!("setjmp bench: {e}");
        std::process::exit(1);
    }
}

fn run_all() -> Result<()> {
    let started = Instant::now();
    let load_before = load_average();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("setjmp-bench");
    std::fs::create_dir_all(out.join("runs")).map_err(|e| format!("{}: {e}", out.display()))?;

    eprintln!("setjmp bench: building (C microbenchmark and three Lua builds)...");
    let b = build_everything(&out)?;
    eprintln!("setjmp bench: builds done in {:.0?}", started.elapsed());

    let micro = run_micro(&b, &out)?;
    let lua = run_lua(&b, &out)?;
    let load_after = load_average();

    let tables = render_tables(&micro, &lua, &b);
    println!("{tables}");

    let report = render_report(&tables, &load_before, &load_after, started.elapsed());
    let path = manifest_dir().join("bench/RESULTS.md");
    std::fs::write(&path, report).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!(
        "setjmp bench: wrote {} (total {:.0?})",
        path.display(),
        started.elapsed()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Builds

struct Builds {
    micro_wasm: PathBuf,
    micro_native: PathBuf,
    lua_asyncify: PathBuf,
    lua_baseline: PathBuf,
    lua_native: PathBuf,
}

fn build_everything(out: &Path) -> Result<Builds> {
    let root = manifest_dir();
    let micro_src = root.join("bench/setjmp_bench.c");
    let shim_src = root.join("bench/lua/baseline_shim.c");
    let driver = root.join("examples/lua/lua_run.c");
    let lua_dir = lua_src_dir()?;
    let mut lua_c = lua_sources(&lua_dir)?;
    lua_c.push(driver);
    let include = format!("-I{}", lua_dir.display());
    let objdir = out.join("lua-obj");
    std::fs::create_dir_all(&objdir).map_err(|e| e.to_string())?;

    let b = Builds {
        micro_wasm: out.join("setjmp_bench.wasm"),
        micro_native: out.join("setjmp_bench"),
        lua_asyncify: out.join("lua_asyncify.wasm"),
        lua_baseline: out.join("lua_baseline.wasm"),
        lua_native: out.join("lua_native"),
    };
    let objects: Vec<PathBuf> = lua_c
        .iter()
        .map(|c| objdir.join(c.file_stem().unwrap()).with_extension("o"))
        .collect();
    let shim_obj = objdir.join("baseline_shim.o");

    // Phase 1, on two threads: everything native | every wasm compile step.
    let (native, wasm) = std::thread::scope(|s| {
        let native = s.spawn(|| -> Result<()> {
            let mut c = Command::new("gcc");
            c.args(["-O2", "-Wall"]).arg(&micro_src).arg("-o").arg(&b.micro_native);
            check(c, "gcc (setjmp_bench)")?;
            let mut c = Command::new("gcc");
            c.arg("-O2").args(LUA_DEFINES).arg(&include).args(&lua_c);
            c.arg("-o").arg(&b.lua_native).arg("-lm");
            check(c, "gcc (Lua)")?;
            Ok(())
        });
        let wasm = s.spawn(|| -> Result<PathBuf> {
            let mut c = Command::new(asyncify_cc());
            c.args(["-O2", "-Wall"]).arg(&micro_src).arg("-o").arg(&b.micro_wasm);
            check(c, "asyncify-cc (setjmp_bench)")?;
            for (src, obj) in lua_c.iter().zip(&objects) {
                let mut c = Command::new(asyncify_cc());
                c.arg("-O2").args(LUA_DEFINES).args(WASI_EXTRA).arg(&include);
                c.arg("-c").arg(src).arg("-o").arg(obj);
                check(c, "asyncify-cc -c (Lua)")?;
            }
            // The shim is compiled the same way; the verbose line tells which sysroot
            // asyncify-cc gives clang, which the baseline link needs too.
            let mut c = Command::new(asyncify_cc());
            c.env("ASYNCIFY_CC_VERBOSE", "1");
            c.args(["-O2", "-c"]).arg(&shim_src).arg("-o").arg(&shim_obj);
            let log = check(c, "asyncify-cc -c (baseline shim)")?;
            sysroot_from_verbose(&log)
        });
        (native.join().unwrap(), wasm.join().unwrap())
    });
    native?;
    let sysroot = wasm?;

    // Phase 2, on two threads: the asyncify-rt link | the baseline link.
    let (a, base) = std::thread::scope(|s| {
        let a = s.spawn(|| {
            let mut c = Command::new(asyncify_cc());
            c.arg("-O2").args(&objects).arg("-o").arg(&b.lua_asyncify);
            check(c, "asyncify-cc (Lua link)")
        });
        let base = s.spawn(|| -> Result<()> {
            let pre = out.join("lua_baseline.pre.wasm");
            let mut c = Command::new("clang-22");
            c.arg("--target=wasm32-wasip1")
                .arg(format!("--sysroot={}", sysroot.display()))
                .args(["-O2", "--no-wasm-opt", STACK_SIZE_FLAG])
                .args(&objects)
                .arg(&shim_obj)
                .arg("-o")
                .arg(&pre);
            check(c, "clang-22 (baseline Lua link)")?;
            let mut c = Command::new("wasm-opt");
            c.arg(&pre).arg("-O2").arg("-o").arg(&b.lua_baseline);
            check(c, "wasm-opt -O2 (baseline Lua)")?;
            let _ = std::fs::remove_file(&pre);
            Ok(())
        });
        (a.join().unwrap(), base.join().unwrap())
    });
    a?;
    base?;
    Ok(b)
}

/// The `--sysroot=` that asyncify-cc passed to clang, from its `ASYNCIFY_CC_VERBOSE` line.
fn sysroot_from_verbose(log: &str) -> Result<PathBuf> {
    log.split_whitespace()
        .find_map(|w| {
            let w = w.trim_matches('\'');
            w.strip_prefix("--sysroot=").map(PathBuf::from)
        })
        .filter(|p| p.is_dir())
        .ok_or_else(|| format!("cannot find asyncify-cc's --sysroot in its verbose output:\n{log}"))
}

/// Lua 5.4's C source directory in the `lua-src` package (or `LUA_SRC_DIR`).
fn lua_src_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("LUA_SRC_DIR") {
        return Ok(PathBuf::from(d));
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut c = Command::new(&cargo);
    c.args(["metadata", "--format-version", "1"]).current_dir(manifest_dir());
    let o = c
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("{cargo} metadata: {e}"))?;
    if !o.status.success() {
        return Err(format!("{cargo} metadata failed ({})", o.status));
    }
    let json = String::from_utf8_lossy(&o.stdout);
    // Look at each "manifest_path" value; the package lives in a directory lua-src-<version>.
    let pkg = json
        .split("\"manifest_path\":\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(Path::new)
        .filter_map(Path::parent)
        .find(|dir| {
            dir.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("lua-src-"))
        })
        .ok_or("the lua-src package is not in cargo metadata's output")?
        .to_path_buf();
    let mut found: Vec<PathBuf> = std::fs::read_dir(&pkg)
        .map_err(|e| format!("{}: {e}", pkg.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("lua-5.4"))
        })
        .collect();
    found.sort();
    found
        .pop()
        .ok_or_else(|| format!("no lua-5.4* directory in {}", pkg.display()))
}

/// The library's .c files (without the stand-alone programs).
fn lua_sources(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n != "lua.c" && n != "luac.c" && n != "onelua.c"
        })
        .collect();
    v.sort();
    if !v.iter().any(|p| p.ends_with("ldo.c")) {
        return Err(format!("{} has no ldo.c: not Lua's sources", dir.display()));
    }
    Ok(v)
}

// ---------------------------------------------------------------------------------------------
// Running (process runs and statistics are in `common`)

// --- microbenchmark ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum Platform {
    Wasm,
    Native,
}

struct MicroResult {
    mode: &'static str,
    depth: u32,
    wasm_iters: u64,
    native_iters: u64,
    wasm: Vec<f64>,
    native: Vec<f64>,
}

/// One run of setjmp_bench; returns its ns/op.
fn micro_once(b: &Builds, out: &Path, p: Platform, mode: &str, depth: u32, iters: u64) -> Result<f64> {
    let mut c = match p {
        Platform::Wasm => {
            let mut c = Command::new(asyncify_run());
            c.arg(&b.micro_wasm);
            c
        }
        Platform::Native => Command::new(&b.micro_native),
    };
    c.arg(mode).arg(depth.to_string()).arg(iters.to_string());
    let tag = format!(
        "micro-{}-{mode}-{depth}",
        if p == Platform::Wasm { "wasm" } else { "native" }
    );
    let o = run_timed(c, out, &tag)?;
    if o.status != Some(0) {
        return Err(format!(
            "setjmp_bench {tag} {iters} failed (status {:?}):\n{}{}",
            o.status, o.stdout, o.stderr
        ));
    }
    common::field::<f64>(&o.stdout, "ns_per_op")
        .ok_or_else(|| format!("setjmp_bench {tag}: unexpected output {:?}", o.stdout))
}

/// Iterations for a timed loop of about `common::TARGET_LOOP_NS` of one configuration.
fn calibrate(b: &Builds, out: &Path, p: Platform, mode: &str, depth: u32) -> Result<u64> {
    common::calibrate(|n| micro_once(b, out, p, mode, depth, n))
}

fn run_micro(b: &Builds, out: &Path) -> Result<Vec<MicroResult>> {
    let mut results = Vec::new();
    for mode in MODES {
        for depth in DEPTHS {
            eprintln!("setjmp bench: {mode} at depth {depth}");
            let wasm_iters = calibrate(b, out, Platform::Wasm, mode, depth)?;
            let native_iters = calibrate(b, out, Platform::Native, mode, depth)?;
            let mut r = MicroResult {
                mode,
                depth,
                wasm_iters,
                native_iters,
                wasm: Vec::new(),
                native: Vec::new(),
            };
            // Interleaved, so that a burst of load elsewhere hits both sides alike.
            for _ in 0..RUNS {
                r.wasm.push(micro_once(b, out, Platform::Wasm, mode, depth, wasm_iters)?);
                r.native.push(micro_once(b, out, Platform::Native, mode, depth, native_iters)?);
            }
            results.push(r);
        }
    }
    Ok(results)
}

// --- Lua -----------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum LuaBuild {
    Asyncify,
    Baseline,
    Native,
}

enum LuaCell {
    /// Median wall time and exit status of the runs.
    Time(f64, Option<i32>),
    /// The baseline hit a longjmp.
    NeedsLongjmp,
}

struct LuaResult {
    script: String,
    asyncify: LuaCell,
    baseline: LuaCell,
    native: LuaCell,
    /// Something to point out (a status that differs between builds).
    note: Option<String>,
}

fn lua_command(b: &Builds, which: LuaBuild, dir: &Path, script: &str) -> Command {
    let mut c = match which {
        LuaBuild::Asyncify | LuaBuild::Baseline => {
            let wasm = if matches!(which, LuaBuild::Asyncify) {
                &b.lua_asyncify
            } else {
                &b.lua_baseline
            };
            let mut c = Command::new(asyncify_run());
            c.arg("--dir").arg(format!("{}::.", dir.display())).arg(wasm);
            c
        }
        LuaBuild::Native => Command::new(&b.lua_native),
    };
    c.arg(script).current_dir(dir);
    c
}

fn lua_cell(b: &Builds, out: &Path, which: LuaBuild, dir: &Path, script: &str) -> Result<LuaCell> {
    let name = match which {
        LuaBuild::Asyncify => "asyncify",
        LuaBuild::Baseline => "baseline",
        LuaBuild::Native => "native",
    };
    let tag = format!("lua-{name}-{script}");
    let mut times = Vec::new();
    let mut status = None;
    for i in 0..=RUNS {
        let o = run_timed(lua_command(b, which, dir, script), out, &tag)?;
        if o.stderr.contains(BASELINE_NO_LONGJMP) {
            return Ok(LuaCell::NeedsLongjmp);
        }
        if i == 0 {
            status = o.status; // warm-up run: fills wasmtime's cache, not timed
        } else {
            if o.status != status {
                return Err(format!("{tag}: exit status changed between runs"));
            }
            times.push(o.wall.as_secs_f64() * 1e3);
        }
    }
    Ok(LuaCell::Time(median(&times), status))
}

fn run_lua(b: &Builds, out: &Path) -> Result<Vec<LuaResult>> {
    let root = manifest_dir();
    let mut scripts: Vec<(PathBuf, String)> = Vec::new();
    for dir in [root.join("examples/lua/scripts"), root.join("bench/lua")] {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".lua"))
            .collect();
        names.sort();
        scripts.extend(names.into_iter().map(|n| (dir.clone(), n)));
    }
    let mut results = Vec::new();
    for (dir, script) in scripts {
        eprintln!("setjmp bench: Lua {script}");
        let asyncify = lua_cell(b, out, LuaBuild::Asyncify, &dir, &script)?;
        let baseline = lua_cell(b, out, LuaBuild::Baseline, &dir, &script)?;
        let native = lua_cell(b, out, LuaBuild::Native, &dir, &script)?;
        let status = |c: &LuaCell| match c {
            LuaCell::Time(_, s) => Some(*s),
            LuaCell::NeedsLongjmp => None,
        };
        let mut note = None;
        if status(&asyncify) != status(&native) {
            note = Some(format!(
                "exit status differs: asyncify-rt {:?}, native {:?}",
                status(&asyncify).flatten(),
                status(&native).flatten()
            ));
        } else if let Some(s) = status(&baseline) {
            if s != status(&asyncify).flatten() {
                note = Some(format!("baseline exit status {s:?}"));
            }
        }
        let rel = dir.strip_prefix(root).unwrap_or(&dir).join(&script);
        results.push(LuaResult {
            script: rel.display().to_string(),
            asyncify,
            baseline,
            native,
            note,
        });
    }
    Ok(results)
}

// ---------------------------------------------------------------------------------------------
// Output

fn render_tables(micro: &[MicroResult], lua: &[LuaResult], b: &Builds) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "### setjmp / longjmp microbenchmark (`bench/setjmp_bench.c`)\n");
    let _ = writeln!(
        s,
        "Median of {RUNS} runs, ns per operation. wasm = `asyncify-cc -O2` under `asyncify-run` \
         (wasmtime); native = `gcc -O2`, glibc. `setjmp`: a call that does setjmp and returns; \
         `roundtrip`: setjmp, then longjmp back to it from a callee.\n"
    );
    let _ = writeln!(
        s,
        "| mode | depth | wasm ns/op | native ns/op | wasm/native | wasm min–max | iterations wasm / native |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|");
    for r in micro {
        let (w, n) = (median(&r.wasm), median(&r.native));
        let (lo, hi) = min_max(&r.wasm);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {}–{} | {} / {} |",
            r.mode,
            r.depth,
            fmt_ns(w),
            fmt_ns(n),
            fmt_ratio(w / n),
            fmt_ns(lo),
            fmt_ns(hi),
            r.wasm_iters,
            r.native_iters
        );
    }
    // The cost of one more frame on the stack, from the two deepest points.
    let _ = writeln!(s);
    for mode in MODES {
        let at = |d: u32| {
            micro
                .iter()
                .find(|r| r.mode == mode && r.depth == d)
                .map(|r| median(&r.wasm))
        };
        if let (Some(a), Some(z)) = (at(100), at(1000)) {
            let _ = writeln!(
                s,
                "- wasm `{mode}`: about {:.0} ns per extra frame of depth (slope between depth 100 and 1000).",
                (z - a) / 900.0
            );
        }
    }

    let _ = writeln!(s, "\n### Lua 5.4 scripts (wall time of the whole process)\n");
    let _ = writeln!(
        s,
        "Median of {RUNS} runs (after one warm-up run), ms. asyncify-rt = Lua for WASI linked by \
         `asyncify-cc -O2`; baseline = the same objects without Asyncify and without the runtime \
         (setjmp returns 0, longjmp aborts), `wasm-opt -O2`; both under `asyncify-run`. native = \
         `gcc -O2` for reference. Scripts that raise a Lua error cannot run in the baseline.\n"
    );
    let _ = writeln!(
        s,
        "| script | asyncify-rt ms | baseline ms | asyncify-rt / baseline | native ms |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    let cell = |c: &LuaCell| match c {
        LuaCell::Time(ms, _) => format!("{ms:.1}"),
        LuaCell::NeedsLongjmp => "n/a (needs longjmp)".to_owned(),
    };
    let mut notes = Vec::new();
    for r in lua {
        let ratio = match (&r.asyncify, &r.baseline) {
            (LuaCell::Time(a, _), LuaCell::Time(z, _)) => fmt_ratio(a / z),
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            r.script,
            cell(&r.asyncify),
            cell(&r.baseline),
            ratio,
            cell(&r.native)
        );
        if let Some(n) = &r.note {
            notes.push(format!("- {}: {n}", r.script));
        }
    }
    for n in notes {
        let _ = writeln!(s, "\n{n}");
    }

    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let (a, z) = (size(&b.lua_asyncify), size(&b.lua_baseline));
    let _ = writeln!(s, "\n### Lua .wasm sizes\n");
    let _ = writeln!(s, "| build | bytes |");
    let _ = writeln!(s, "|---|---:|");
    let _ = writeln!(s, "| asyncify-rt (`asyncify-cc -O2`) | {a} |");
    let _ = writeln!(s, "| baseline (no Asyncify, `wasm-opt -O2`) | {z} |");
    let _ = writeln!(
        s,
        "| ratio | {} |",
        if z > 0 { fmt_ratio(a as f64 / z as f64) } else { "–".to_owned() }
    );
    s
}

fn render_report(tables: &str, load_before: &str, load_after: &str, took: Duration) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Benchmark results: setjmp/longjmp under asyncify-rt\n");
    let _ = writeln!(s, "Written by `benches/setjmp.rs`; do not edit by hand.\n");
    s.push_str(&run_notes("cargo bench --bench setjmp", load_before, load_after, took));
    s.push_str(tables);
    s
}
