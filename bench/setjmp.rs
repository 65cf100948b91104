//! `cargo bench --bench setjmp`: what setjmp/longjmp cost under asyncify-rt in its two setjmp
//! strategies (`asyncify-cc --asyncify-sjlj=capture|lowered`), and what Asyncify costs a real
//! program (Lua 5.4). Results go to stdout and to the "setjmp" section of `bench/RESULTS.md`
//! (between its markers; the other sections of the file are kept).
//!
//! 1. `bench/setjmp_bench.c`, built with `asyncify-cc -O2` in each strategy (run by
//!    `asyncify-run`) and natively with `gcc -O2` (glibc's setjmp/longjmp, the reference):
//!    * ns per operation for the modes `setjmp` and `roundtrip` at recursion depths 1, 10, 100,
//!      200 and 1000;
//!    * ns per operation for the mode `abandon`: a longjmp from N = 1, 10, 100, 1000 frames below
//!      its setjmp (the lowered strategy unwinds exactly the abandoned frames);
//!    * the goals of the O(1) setjmp issue, checked on the `setjmp` figures: lowered setjmp at
//!      depth 1000 within 2x of depth 1, and at least 100x faster than capture at depth 200.
//!    For each configuration the iteration count is calibrated so that the timed loop takes about
//!    0.2 s, then the program runs 5 times (the three builds interleaved) and the median is
//!    reported.
//! 2. Lua 5.4 (the sources of the `lua-src` dev-dependency, driver `examples/lua/lua_run.c`),
//!    built four ways from the same sources and flags (`-O2 -DLUA_USE_POSIX`):
//!    * capture and lowered: objects compiled by `asyncify-cc -c --asyncify-sjlj=<strategy>`,
//!      linked by `asyncify-cc -O2 --asyncify-sjlj=<strategy>`;
//!    * baseline: the capture objects, linked by `clang-22 --no-wasm-opt` with
//!      `bench/lua/baseline_shim.c` (setjmp returns 0, longjmp aborts) and no runtime, then
//!      `wasm-opt -O2`: Lua for WASI without Asyncify;
//!    * native: `gcc -O2`, for reference.
//!    Every script of `examples/lua/scripts/` and `bench/lua/` runs once to warm up (wasmtime's
//!    compilation cache) and then 5 times per build; the median wall time of the whole process
//!    is reported, with the `.wasm` sizes. Scripts that raise a Lua error need longjmp and cannot
//!    run in the baseline.
//!
//! Needs `gcc`, `clang-22` and `wasm-opt` on PATH (as asyncify-cc does). Builds go to
//! `CARGO_TARGET_TMPDIR/setjmp-bench`. `LUA_SRC_DIR=<dir with lua.h>` overrides the Lua sources.

mod common;
#[path = "../asyncify-cc/sjlj.rs"]
mod sjlj;

use common::crates::{lua_sources, lua_src_dir, LUA_DEFINES, LUA_WASI_DEFINES};
use sjlj::Sjlj;
use common::{
    asyncify_cc, asyncify_run, check, check_all, fmt_ns, fmt_ratio, load_average, manifest_dir,
    median, min_max, run_notes, run_timed, write_section, Result, RUNS,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Recursion depths of the `setjmp` and `roundtrip` modes (200: the depth of the 100x goal).
const DEPTHS: [u32; 5] = [1, 10, 100, 200, 1000];
/// Modes measured by depth.
const DEPTH_MODES: [&str; 2] = ["setjmp", "roundtrip"];
/// Frames abandoned by the longjmp of the `abandon` mode.
const ABANDONED: [u32; 4] = [1, 10, 100, 1000];
/// Goal: lowered setjmp at depth 1000 costs at most this many times its cost at depth 1.
const GOAL_FLAT: f64 = 2.0;
/// Goal: lowered setjmp at depth 200 is at least this many times faster than capture.
const GOAL_SPEEDUP: f64 = 100.0;
/// The shadow stack asyncify-cc gives by default; the baseline gets the same.
const STACK_SIZE_FLAG: &str = "-Wl,-z,stack-size=8388608";
/// What the baseline's longjmp prints before aborting.
const BASELINE_NO_LONGJMP: &str = "baseline cannot longjmp";
/// Markers around this bench's section of bench/RESULTS.md.
const SECTION_BEGIN: &str = "<!-- setjmp bench: begin (written by bench/setjmp.rs) -->";
const SECTION_END: &str = "<!-- setjmp bench: end -->";
/// How this bench's output began before it had markers (replaced on the first run).
const LEGACY_START: &str = "# Benchmark results: setjmp/longjmp under asyncify-rt";

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

    eprintln!("setjmp bench: building (C microbenchmark x3, Lua x4)...");
    let b = build_everything(&out)?;
    eprintln!("setjmp bench: builds done in {:.0?}", started.elapsed());

    let by_depth = run_by_depth(&b, &out)?;
    let abandon = run_abandon(&b, &out)?;
    let lua = run_lua(&b, &out)?;
    let load_after = load_average();

    let tables = render_tables(&by_depth, &abandon, &lua, &b);
    println!("{tables}");

    let mut section = String::new();
    let _ = writeln!(section, "{SECTION_BEGIN}");
    let _ = writeln!(section, "## setjmp/longjmp: the capture and lowered strategies\n");
    let _ = writeln!(section, "Written by `bench/setjmp.rs`; do not edit by hand.\n");
    section.push_str(&run_notes("cargo bench --bench setjmp", &load_before, &load_after, started.elapsed()));
    section.push_str(&tables);
    let _ = writeln!(section, "{SECTION_END}");
    let path = manifest_dir().join("bench/RESULTS.md");
    write_section(&path, SECTION_BEGIN, SECTION_END, &section, Some(LEGACY_START))?;
    eprintln!("setjmp bench: wrote the setjmp section of {} (total {:.0?})", path.display(), started.elapsed());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Builds


struct Builds {
    micro_capture: PathBuf,
    micro_lowered: PathBuf,
    micro_native: PathBuf,
    lua_capture: PathBuf,
    lua_lowered: PathBuf,
    lua_baseline: PathBuf,
    lua_native: PathBuf,
}

impl Builds {
    fn micro(&self, p: Platform) -> &Path {
        match p {
            Platform::Wasm(Sjlj::Capture) => &self.micro_capture,
            Platform::Wasm(Sjlj::Lowered) => &self.micro_lowered,
            Platform::Native => &self.micro_native,
        }
    }
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

    let b = Builds {
        micro_capture: out.join("setjmp_bench-capture.wasm"),
        micro_lowered: out.join("setjmp_bench-lowered.wasm"),
        micro_native: out.join("setjmp_bench"),
        lua_capture: out.join("lua-capture.wasm"),
        lua_lowered: out.join("lua-lowered.wasm"),
        lua_baseline: out.join("lua-baseline.wasm"),
        lua_native: out.join("lua_native"),
    };
    let objdir = |s: Sjlj| out.join(format!("lua-obj-{}", s.name()));
    let objects = |s: Sjlj| -> Vec<PathBuf> {
        lua_c.iter().map(|c| objdir(s).join(c.file_stem().unwrap()).with_extension("o")).collect()
    };
    for s in Sjlj::ALL {
        std::fs::create_dir_all(objdir(s)).map_err(|e| e.to_string())?;
    }
    let shim_obj = objdir(Sjlj::Capture).join("baseline_shim.o");

    // The shim first: asyncify-cc's verbose line tells which sysroot it gives clang, which the
    // baseline link needs too.
    let mut c = Command::new(asyncify_cc());
    c.env("ASYNCIFY_CC_VERBOSE", "1");
    c.args(["-O2", "-c"]).arg(&shim_src).arg("-o").arg(&shim_obj);
    let sysroot = sysroot_from_verbose(&check(c, "asyncify-cc -c (baseline shim)")?)?;

    // Phase 1, on two threads: the native builds and every wasm compile step.
    let mut steps: Vec<(Command, String)> = Vec::new();
    let mut c = Command::new("gcc");
    c.args(["-O2", "-Wall"]).arg(&micro_src).arg("-o").arg(&b.micro_native);
    steps.push((c, "gcc (setjmp_bench)".into()));
    let mut c = Command::new("gcc");
    c.arg("-O2").args(LUA_DEFINES).arg(&include).args(&lua_c).arg("-o").arg(&b.lua_native).arg("-lm");
    steps.push((c, "gcc (Lua)".into()));
    for s in Sjlj::ALL {
        let mut c = Command::new(asyncify_cc());
        c.args(["-O2", "-Wall"]).arg(s.flag()).arg(&micro_src).arg("-o").arg(b.micro(Platform::Wasm(s)));
        steps.push((c, format!("asyncify-cc {} (setjmp_bench)", s.flag())));
        for (src, obj) in lua_c.iter().zip(objects(s)) {
            let mut c = Command::new(asyncify_cc());
            c.arg("-O2").arg(s.flag()).args(LUA_DEFINES).args(LUA_WASI_DEFINES).arg(&include);
            c.arg("-c").arg(src).arg("-o").arg(obj);
            steps.push((c, format!("asyncify-cc -c {} (Lua)", s.flag())));
        }
    }
    check_all(steps, 2)?;

    // Phase 2, on two threads: the two asyncify-rt links and the baseline link.
    let mut steps: Vec<(Command, String)> = Vec::new();
    for (s, wasm) in [(Sjlj::Capture, &b.lua_capture), (Sjlj::Lowered, &b.lua_lowered)] {
        let mut c = Command::new(asyncify_cc());
        c.arg("-O2").arg(s.flag()).args(objects(s)).arg("-o").arg(wasm);
        steps.push((c, format!("asyncify-cc {} (Lua link)", s.flag())));
    }
    let pre = out.join("lua-baseline.pre.wasm");
    let mut c = Command::new("clang-22");
    c.arg("--target=wasm32-wasip1")
        .arg(format!("--sysroot={}", sysroot.display()))
        .args(["-O2", "--no-wasm-opt", STACK_SIZE_FLAG])
        .args(objects(Sjlj::Capture))
        .arg(&shim_obj)
        .arg("-o")
        .arg(&pre);
    steps.push((c, "clang-22 (baseline Lua link)".into()));
    check_all(steps, 2)?;
    let mut c = Command::new("wasm-opt");
    c.arg(&pre).arg("-O2").arg("-o").arg(&b.lua_baseline);
    check(c, "wasm-opt -O2 (baseline Lua)")?;
    let _ = std::fs::remove_file(&pre);
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

// ---------------------------------------------------------------------------------------------
// Running (process runs and statistics are in `common`)

// --- microbenchmark ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Platform {
    Wasm(Sjlj),
    Native,
}

impl Platform {
    fn name(self) -> &'static str {
        match self {
            Platform::Wasm(s) => s.name(),
            Platform::Native => "native",
        }
    }
}

/// The three builds of setjmp_bench, in the order they run.
const PLATFORMS: [Platform; 3] = [Platform::Wasm(Sjlj::Capture), Platform::Wasm(Sjlj::Lowered), Platform::Native];

/// One configuration (mode and depth) measured on the three builds.
struct MicroResult {
    mode: &'static str,
    depth: u32,
    /// Per platform (in PLATFORMS order): the calibrated iteration count and the runs' ns/op.
    iters: [u64; 3],
    ns: [Vec<f64>; 3],
}

impl MicroResult {
    fn median(&self, p: Platform) -> f64 {
        median(&self.ns[PLATFORMS.iter().position(|&q| q == p).unwrap()])
    }
    fn spread(&self, p: Platform) -> (f64, f64) {
        min_max(&self.ns[PLATFORMS.iter().position(|&q| q == p).unwrap()])
    }
}

/// One run of setjmp_bench; returns its ns/op.
fn micro_once(b: &Builds, out: &Path, p: Platform, mode: &str, depth: u32, iters: u64) -> Result<f64> {
    let mut c = match p {
        Platform::Wasm(_) => {
            let mut c = Command::new(asyncify_run());
            c.arg(b.micro(p));
            c
        }
        Platform::Native => Command::new(b.micro(p)),
    };
    c.arg(mode).arg(depth.to_string()).arg(iters.to_string());
    let tag = format!("micro-{}-{mode}-{depth}", p.name());
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

/// Calibrates each build for `mode`/`depth`, then runs the three builds interleaved (so that a
/// burst of load elsewhere hits all of them alike).
fn measure(b: &Builds, out: &Path, mode: &'static str, depth: u32) -> Result<MicroResult> {
    eprintln!("setjmp bench: {mode} {depth}");
    let mut iters = [0u64; 3];
    for (i, p) in PLATFORMS.iter().enumerate() {
        iters[i] = common::calibrate(|n| micro_once(b, out, *p, mode, depth, n))?;
    }
    let mut ns: [Vec<f64>; 3] = Default::default();
    for _ in 0..RUNS {
        for (i, p) in PLATFORMS.iter().enumerate() {
            ns[i].push(micro_once(b, out, *p, mode, depth, iters[i])?);
        }
    }
    Ok(MicroResult { mode, depth, iters, ns })
}

fn run_by_depth(b: &Builds, out: &Path) -> Result<Vec<MicroResult>> {
    let mut results = Vec::new();
    for mode in DEPTH_MODES {
        for depth in DEPTHS {
            results.push(measure(b, out, mode, depth)?);
        }
    }
    Ok(results)
}

fn run_abandon(b: &Builds, out: &Path) -> Result<Vec<MicroResult>> {
    ABANDONED.iter().map(|&n| measure(b, out, "abandon", n)).collect()
}

// --- Lua -----------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum LuaBuild {
    Capture,
    Lowered,
    Baseline,
    Native,
}

impl LuaBuild {
    fn name(self) -> &'static str {
        match self {
            LuaBuild::Capture => "capture",
            LuaBuild::Lowered => "lowered",
            LuaBuild::Baseline => "baseline",
            LuaBuild::Native => "native",
        }
    }
}

enum LuaCell {
    /// Median wall time and exit status of the runs.
    Time(f64, Option<i32>),
    /// The baseline hit a longjmp.
    NeedsLongjmp,
}

impl LuaCell {
    fn ms(&self) -> Option<f64> {
        match self {
            LuaCell::Time(ms, _) => Some(*ms),
            LuaCell::NeedsLongjmp => None,
        }
    }
    fn status(&self) -> Option<Option<i32>> {
        match self {
            LuaCell::Time(_, s) => Some(*s),
            LuaCell::NeedsLongjmp => None,
        }
    }
}

struct LuaResult {
    script: String,
    capture: LuaCell,
    lowered: LuaCell,
    baseline: LuaCell,
    native: LuaCell,
    /// Something to point out (a status that differs between builds).
    note: Option<String>,
}

fn lua_command(b: &Builds, which: LuaBuild, dir: &Path, script: &str) -> Command {
    let wasm = match which {
        LuaBuild::Capture => Some(&b.lua_capture),
        LuaBuild::Lowered => Some(&b.lua_lowered),
        LuaBuild::Baseline => Some(&b.lua_baseline),
        LuaBuild::Native => None,
    };
    let mut c = match wasm {
        Some(wasm) => {
            let mut c = Command::new(asyncify_run());
            c.arg("--dir").arg(format!("{}::.", dir.display())).arg(wasm);
            c
        }
        None => Command::new(&b.lua_native),
    };
    c.arg(script).current_dir(dir);
    c
}

fn lua_cell(b: &Builds, out: &Path, which: LuaBuild, dir: &Path, script: &str) -> Result<LuaCell> {
    let tag = format!("lua-{}-{script}", which.name());
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
        let capture = lua_cell(b, out, LuaBuild::Capture, &dir, &script)?;
        let lowered = lua_cell(b, out, LuaBuild::Lowered, &dir, &script)?;
        let baseline = lua_cell(b, out, LuaBuild::Baseline, &dir, &script)?;
        let native = lua_cell(b, out, LuaBuild::Native, &dir, &script)?;
        let mut notes = Vec::new();
        for (name, cell) in [("capture", &capture), ("lowered", &lowered)] {
            if cell.status() != native.status() {
                notes.push(format!(
                    "exit status differs: {name} {:?}, native {:?}",
                    cell.status().flatten(),
                    native.status().flatten()
                ));
            }
        }
        if let Some(s) = baseline.status() {
            if s != capture.status().flatten() {
                notes.push(format!("baseline exit status {s:?}"));
            }
        }
        let rel = dir.strip_prefix(root).unwrap_or(&dir).join(&script);
        results.push(LuaResult {
            script: rel.display().to_string(),
            capture,
            lowered,
            baseline,
            native,
            note: if notes.is_empty() { None } else { Some(notes.join("; ")) },
        });
    }
    Ok(results)
}

// ---------------------------------------------------------------------------------------------
// Output

const CAPTURE: Platform = Platform::Wasm(Sjlj::Capture);
const LOWERED: Platform = Platform::Wasm(Sjlj::Lowered);
const NATIVE: Platform = Platform::Native;

fn find<'a>(v: &'a [MicroResult], mode: &str, depth: u32) -> Option<&'a MicroResult> {
    v.iter().find(|r| r.mode == mode && r.depth == depth)
}

/// ns per extra frame between the two deepest points of `mode` for platform `p`.
fn slope(v: &[MicroResult], mode: &str, p: Platform, from: u32, to: u32) -> Option<f64> {
    let (a, z) = (find(v, mode, from)?, find(v, mode, to)?);
    Some((z.median(p) - a.median(p)) / f64::from(to - from))
}

fn render_tables(by_depth: &[MicroResult], abandon: &[MicroResult], lua: &[LuaResult], b: &Builds) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "### setjmp / longjmp by stack depth (`bench/setjmp_bench.c`)\n");
    let _ = writeln!(
        s,
        "Median of {RUNS} runs, ns per operation. capture / lowered = `asyncify-cc -O2 \
         --asyncify-sjlj=capture|lowered` under `asyncify-run` (wasmtime); native = `gcc -O2`, \
         glibc. `setjmp`: a call that does setjmp, calls one function and returns; `roundtrip`: \
         setjmp, then longjmp back to it from a callee. depth = frames between main and the loop.\n"
    );
    let _ = writeln!(
        s,
        "| mode | depth | capture | lowered | native | capture / lowered | lowered / native | min–max capture; lowered | iterations capture / lowered / native |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in by_depth {
        let (c, l, n) = (r.median(CAPTURE), r.median(LOWERED), r.median(NATIVE));
        let ((c0, c1), (l0, l1)) = (r.spread(CAPTURE), r.spread(LOWERED));
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {}–{}; {}–{} | {} / {} / {} |",
            r.mode,
            r.depth,
            fmt_ns(c),
            fmt_ns(l),
            fmt_ns(n),
            fmt_ratio(c / l),
            fmt_ratio(l / n),
            fmt_ns(c0),
            fmt_ns(c1),
            fmt_ns(l0),
            fmt_ns(l1),
            r.iters[0],
            r.iters[1],
            r.iters[2]
        );
    }
    let _ = writeln!(s);
    for mode in DEPTH_MODES {
        if let (Some(c), Some(l)) = (slope(by_depth, mode, CAPTURE, 100, 1000), slope(by_depth, mode, LOWERED, 100, 1000)) {
            let l = if l.abs() < 0.05 { 0.0 } else { l }; // no "-0.0" for noise around zero
            let _ = writeln!(
                s,
                "- `{mode}`: about {c:.0} ns per extra frame of depth with capture, {l:.1} with lowered (slope between depth 100 and 1000)."
            );
        }
    }

    let _ = writeln!(s, "\n### Goals of the O(1) setjmp issue (mode `setjmp`, lowered strategy)\n");
    let _ = writeln!(s, "| goal | measured | met |");
    let _ = writeln!(s, "|---|---:|---|");
    let yes_no = |ok: bool| if ok { "yes" } else { "**no**" };
    if let (Some(d1), Some(d1000)) = (find(by_depth, "setjmp", 1), find(by_depth, "setjmp", 1000)) {
        let r = d1000.median(LOWERED) / d1.median(LOWERED);
        let _ = writeln!(
            s,
            "| lowered setjmp at depth 1000 within {GOAL_FLAT}x of depth 1 | {} ({} vs {} ns) | {} |",
            fmt_ratio(r),
            fmt_ns(d1000.median(LOWERED)),
            fmt_ns(d1.median(LOWERED)),
            yes_no(r <= GOAL_FLAT)
        );
    }
    if let Some(d200) = find(by_depth, "setjmp", 200) {
        let r = d200.median(CAPTURE) / d200.median(LOWERED);
        let _ = writeln!(
            s,
            "| lowered setjmp at least {GOAL_SPEEDUP:.0}x faster than capture at depth 200 | {} ({} vs {} ns) | {} |",
            fmt_ratio(r),
            fmt_ns(d200.median(LOWERED)),
            fmt_ns(d200.median(CAPTURE)),
            yes_no(r >= GOAL_SPEEDUP)
        );
    }

    let _ = writeln!(s, "\n### longjmp cost by frames abandoned (`bench/setjmp_bench.c abandon N`)\n");
    let _ = writeln!(
        s,
        "Median of {RUNS} runs, ns per operation: a call that does setjmp (1 frame below main) and \
         then calls a chain of N frames whose last longjmps back. The lowered strategy unwinds the \
         N abandoned frames and nothing else; capture also saves and restores the setjmp \
         caller's chain.\n"
    );
    let _ = writeln!(
        s,
        "| frames abandoned | lowered | capture | native | lowered / native | min–max lowered | iterations lowered / capture / native |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|");
    for r in abandon {
        let (c, l, n) = (r.median(CAPTURE), r.median(LOWERED), r.median(NATIVE));
        let (l0, l1) = r.spread(LOWERED);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {}–{} | {} / {} / {} |",
            r.depth,
            fmt_ns(l),
            fmt_ns(c),
            fmt_ns(n),
            fmt_ratio(l / n),
            fmt_ns(l0),
            fmt_ns(l1),
            r.iters[1],
            r.iters[0],
            r.iters[2]
        );
    }
    if let (Some(l), Some(n)) = (slope(abandon, "abandon", LOWERED, 100, 1000), slope(abandon, "abandon", NATIVE, 100, 1000)) {
        let _ = writeln!(
            s,
            "\n- lowered: about {l:.1} ns per abandoned frame (native {n:.1}; slope between 100 and 1000 frames)."
        );
    }

    let _ = writeln!(s, "\n### Lua 5.4 scripts (wall time of the whole process)\n");
    let _ = writeln!(
        s,
        "Median of {RUNS} runs (after one warm-up run), ms. capture / lowered = Lua for WASI compiled \
         and linked by `asyncify-cc -O2 --asyncify-sjlj=capture|lowered`; baseline = the capture \
         objects without Asyncify and without the runtime (setjmp returns 0, longjmp aborts), \
         `wasm-opt -O2`; all under `asyncify-run`. native = `gcc -O2` for reference. Scripts that \
         raise a Lua error cannot run in the baseline. `bench/lua/pcall_loop.lua` (100,000 pcalls) \
         and `deep_pcall.lua` (197 nested pcalls) are the pcall-heavy ones.\n"
    );
    let _ = writeln!(
        s,
        "| script | capture ms | lowered ms | baseline ms | capture / lowered | lowered / baseline | native ms |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|");
    let cell = |c: &LuaCell| match c {
        LuaCell::Time(ms, _) => format!("{ms:.1}"),
        LuaCell::NeedsLongjmp => "n/a (needs longjmp)".to_owned(),
    };
    let ratio = |a: Option<f64>, z: Option<f64>| match (a, z) {
        (Some(a), Some(z)) => fmt_ratio(a / z),
        _ => "–".to_owned(),
    };
    let mut notes = Vec::new();
    for r in lua {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.script,
            cell(&r.capture),
            cell(&r.lowered),
            cell(&r.baseline),
            ratio(r.capture.ms(), r.lowered.ms()),
            ratio(r.lowered.ms(), r.baseline.ms()),
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
    let base = size(&b.lua_baseline);
    let _ = writeln!(s, "\n### Lua .wasm sizes\n");
    let _ = writeln!(s, "| build | bytes | vs baseline |");
    let _ = writeln!(s, "|---|---:|---:|");
    for (name, p) in [
        ("capture (`asyncify-cc -O2 --asyncify-sjlj=capture`)", &b.lua_capture),
        ("lowered (`asyncify-cc -O2 --asyncify-sjlj=lowered`)", &b.lua_lowered),
        ("baseline (no Asyncify, `wasm-opt -O2`)", &b.lua_baseline),
    ] {
        let n = size(p);
        let vs = if base > 0 { fmt_ratio(n as f64 / base as f64) } else { "–".to_owned() };
        let _ = writeln!(s, "| {name} | {n} | {vs} |");
    }
    s
}
