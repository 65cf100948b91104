//! `cargo bench --bench setjmp`: what setjmp/longjmp cost under asyncify-rt in its two setjmp
//! strategies (`asyncify-cc --asyncify-sjlj=capture|lowered`), and what Asyncify costs a real
//! program (Lua 5.4). Results go to stdout and to the "setjmp" section of `bench/RESULTS.md`
//! (between its markers; the other sections of the file are kept).
//!
//! 1. `bench/setjmp_bench.c`, built with `asyncify-cc -O2` in each strategy (run by
//!    `asyncify-run`), as a Wasm exception-handling build (EH, below; also run by `asyncify-run`)
//!    and natively with `gcc -O2` (glibc's setjmp/longjmp, the reference):
//!    * ns per operation for the modes `setjmp` and `roundtrip` at recursion depths 1, 10, 100,
//!      200 and 1000;
//!    * ns per operation for the mode `abandon`: a longjmp from N = 1, 10, 100, 1000 frames below
//!      its setjmp (the lowered strategy unwinds exactly the abandoned frames);
//!    * the goals of the O(1) setjmp issue, checked on the `setjmp` figures: lowered setjmp at
//!      depth 1000 within 2x of depth 1, and at least 100x faster than capture at depth 200.
//!    For each configuration the iteration count is calibrated so that the timed loop takes about
//!    0.2 s, then the program runs 5 times (the four builds interleaved) and the median is
//!    reported.
//! 2. Lua 5.4 (the sources of the `lua-src` dev-dependency, driver `examples/lua/lua_run.c`),
//!    built six ways from the same sources and flags (`-O2 -DLUA_USE_POSIX`):
//!    * capture and lowered: objects compiled by `asyncify-cc -c --asyncify-sjlj=<strategy>`,
//!      linked by `asyncify-cc -O2 --asyncify-sjlj=<strategy>` (lowered Lua unwinds by early
//!      return);
//!    * lowered, full Asyncify: the lowered objects linked with `--asyncify-unwind=asyncify` as
//!      well (the build before issue 12's diet);
//!    * baseline: the capture objects, linked by `clang-22 --no-wasm-opt` with
//!      `bench/lua/baseline_shim.c` (setjmp returns 0, longjmp aborts) and no runtime, then
//!      `wasm-opt -O2`: Lua for WASI without Asyncify;
//!    * EH: see below;
//!    * native: `gcc -O2`, for reference.
//!    Every script of `examples/lua/scripts/` and `bench/lua/` runs once to warm up (wasmtime's
//!    compilation cache) and then 5 times per build; the median wall time of the whole process
//!    is reported, with the `.wasm` sizes. Scripts that raise a Lua error need longjmp and cannot
//!    run in the baseline.
//!
//! The EH build (issue 12's yardstick): setjmp/longjmp by Wasm exception handling, no Asyncify
//! and no asyncify-rt. `clang-22 --target=wasm32-wasip1 -O2 -mllvm -wasm-enable-sjlj -mllvm
//! -wasm-use-legacy-eh=false` (the exnref form, which wasmtime 48 runs by default) against
//! Debian's wasi-libc (asyncify-cc's symlink sysroot), with `bench/eh/include/setjmp.h` and the
//! small runtime `bench/eh/sjlj_rt.c` (`__wasm_setjmp`, `__wasm_setjmp_test`, `__wasm_longjmp`,
//! the tag `__c_longjmp`), linked `--no-wasm-opt`. That is the build that runs: Debian's wasm-opt
//! 108 cannot read `try_table`, so it gets no post-link `wasm-opt -O2` (the other wasm builds
//! do). Its size is reported twice: as run, and as the same objects compiled in the legacy EH
//! form (`-wasm-use-legacy-eh=true`) after `wasm-opt --enable-exception-handling -O2`, the size
//! comparable with the other builds (which wasm-opt has optimised).
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
/// clang's flags for the EH build (Wasm exception-handling setjmp/longjmp, exnref form: what
/// wasmtime 48 runs).
const EH_FLAGS: &[&str] = &["-mllvm", "-wasm-enable-sjlj", "-mllvm", "-wasm-use-legacy-eh=false"];
/// The same in the legacy EH form, which Debian's wasm-opt 108 can read (for the size only).
const EH_LEGACY_FLAGS: &[&str] = &["-mllvm", "-wasm-enable-sjlj", "-mllvm", "-wasm-use-legacy-eh=true"];
/// asyncify-cc's option for the build before issue 12's diet: full Asyncify, whatever the
/// program uses.
const FULL_ASYNCIFY: &str = "--asyncify-unwind=asyncify";
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

    eprintln!("setjmp bench: building (C microbenchmark x5, Lua x6 + EH legacy for size)...");
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
    let _ = writeln!(
        section,
        "Single figures on a shared 2-core machine are noisy (a load average above 2 means other \
         work was running): read the ratios between builds measured side by side in this run, and \
         the min–max spreads, rather than the digits.\n"
    );
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
    /// The EH build of setjmp_bench (exnref form, as run).
    micro_eh: PathBuf,
    /// The EH build of setjmp_bench, legacy form after `wasm-opt -O2` (size only).
    micro_eh_opt: PathBuf,
    micro_native: PathBuf,
    /// setjmp_bench, lowered, with full Asyncify (`--asyncify-unwind=asyncify`; size only).
    micro_lowered_full: PathBuf,
    lua_capture: PathBuf,
    lua_lowered: PathBuf,
    /// Lua, lowered, with full Asyncify (`--asyncify-unwind=asyncify`): the build before the
    /// diet of issue 12.
    lua_lowered_full: PathBuf,
    lua_baseline: PathBuf,
    /// The EH build of Lua (exnref form, as run).
    lua_eh: PathBuf,
    /// The EH build of Lua, legacy form after `wasm-opt -O2` (size only).
    lua_eh_opt: PathBuf,
    lua_native: PathBuf,
}

impl Builds {
    fn micro(&self, p: Platform) -> &Path {
        match p {
            Platform::Wasm(Sjlj::Capture) => &self.micro_capture,
            Platform::Wasm(Sjlj::Lowered) => &self.micro_lowered,
            Platform::Eh => &self.micro_eh,
            Platform::Native => &self.micro_native,
        }
    }
}

/// Which form of Wasm exception handling an EH build uses.
#[derive(Clone, Copy)]
enum EhForm {
    /// exnref (`try_table`): what runs under wasmtime 48.
    Exnref,
    /// legacy (`try`/`catch`): what Debian's wasm-opt 108 reads, for the optimised size.
    Legacy,
}

impl EhForm {
    fn flags(self) -> &'static [&'static str] {
        match self {
            EhForm::Exnref => EH_FLAGS,
            EhForm::Legacy => EH_LEGACY_FLAGS,
        }
    }
    fn name(self) -> &'static str {
        match self {
            EhForm::Exnref => "eh",
            EhForm::Legacy => "eh-legacy",
        }
    }
}

/// clang-22 for an EH build in `form`: target, sysroot, `-O2`, the EH flags and the EH
/// `<setjmp.h>` (bench/eh/include, searched before the sysroot).
fn eh_clang(sysroot: &Path, form: EhForm) -> Command {
    let mut c = Command::new("clang-22");
    c.arg("--target=wasm32-wasip1")
        .arg(format!("--sysroot={}", sysroot.display()))
        .arg("-O2")
        .args(form.flags())
        .arg("-isystem")
        .arg(manifest_dir().join("bench/eh/include"));
    c
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

    let eh_rt_src = root.join("bench/eh/sjlj_rt.c");

    let b = Builds {
        micro_capture: out.join("setjmp_bench-capture.wasm"),
        micro_lowered: out.join("setjmp_bench-lowered.wasm"),
        micro_eh: out.join("setjmp_bench-eh.wasm"),
        micro_eh_opt: out.join("setjmp_bench-eh-legacy-opt.wasm"),
        micro_native: out.join("setjmp_bench"),
        micro_lowered_full: out.join("setjmp_bench-lowered-asyncify.wasm"),
        lua_capture: out.join("lua-capture.wasm"),
        lua_lowered: out.join("lua-lowered.wasm"),
        lua_lowered_full: out.join("lua-lowered-asyncify.wasm"),
        lua_baseline: out.join("lua-baseline.wasm"),
        lua_eh: out.join("lua-eh.wasm"),
        lua_eh_opt: out.join("lua-eh-legacy-opt.wasm"),
        lua_native: out.join("lua_native"),
    };
    let eh_objdir = |f: EhForm| out.join(format!("lua-obj-{}", f.name()));
    let eh_objects = |f: EhForm| -> Vec<PathBuf> {
        lua_c.iter().map(|c| eh_objdir(f).join(c.file_stem().unwrap()).with_extension("o")).collect()
    };
    let eh_rt_obj = |f: EhForm| eh_objdir(f).join("sjlj_rt.o");
    let eh_micro_pre = |f: EhForm| out.join(format!("setjmp_bench-{}.pre.wasm", f.name()));
    let eh_lua_pre = |f: EhForm| out.join(format!("lua-{}.pre.wasm", f.name()));
    for f in [EhForm::Exnref, EhForm::Legacy] {
        std::fs::create_dir_all(eh_objdir(f)).map_err(|e| e.to_string())?;
    }
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
        if s == Sjlj::Lowered {
            let mut c = Command::new(asyncify_cc());
            c.args(["-O2", "-Wall", FULL_ASYNCIFY]).arg(s.flag()).arg(&micro_src).arg("-o").arg(&b.micro_lowered_full);
            steps.push((c, format!("asyncify-cc {FULL_ASYNCIFY} {} (setjmp_bench)", s.flag())));
        }
        for (src, obj) in lua_c.iter().zip(objects(s)) {
            let mut c = Command::new(asyncify_cc());
            c.arg("-O2").arg(s.flag()).args(LUA_DEFINES).args(LUA_WASI_DEFINES).arg(&include);
            c.arg("-c").arg(src).arg("-o").arg(obj);
            steps.push((c, format!("asyncify-cc -c {} (Lua)", s.flag())));
        }
    }
    for f in [EhForm::Exnref, EhForm::Legacy] {
        let mut c = eh_clang(&sysroot, f);
        c.arg("-Wall").arg("-c").arg(&eh_rt_src).arg("-o").arg(eh_rt_obj(f));
        steps.push((c, format!("clang-22 -c {} (EH runtime)", f.name())));
        for (src, obj) in lua_c.iter().zip(eh_objects(f)) {
            let mut c = eh_clang(&sysroot, f);
            c.args(LUA_DEFINES).args(LUA_WASI_DEFINES).arg(&include);
            c.arg("-c").arg(src).arg("-o").arg(obj);
            steps.push((c, format!("clang-22 -c {} (Lua)", f.name())));
        }
    }
    check_all(steps, 2)?;

    // Phase 2, on two threads: the two asyncify-rt links, the baseline link and the EH links.
    let mut steps: Vec<(Command, String)> = Vec::new();
    for (s, wasm) in [(Sjlj::Capture, &b.lua_capture), (Sjlj::Lowered, &b.lua_lowered)] {
        let mut c = Command::new(asyncify_cc());
        c.arg("-O2").arg(s.flag()).args(objects(s)).arg("-o").arg(wasm);
        steps.push((c, format!("asyncify-cc {} (Lua link)", s.flag())));
    }
    let mut c = Command::new(asyncify_cc());
    c.args(["-O2", FULL_ASYNCIFY]).arg(Sjlj::Lowered.flag()).args(objects(Sjlj::Lowered)).arg("-o").arg(&b.lua_lowered_full);
    steps.push((c, format!("asyncify-cc {FULL_ASYNCIFY} (Lua link)")));
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
    for f in [EhForm::Exnref, EhForm::Legacy] {
        // The exnref links are the builds that run; the legacy ones go through wasm-opt below.
        let (micro, lua) = match f {
            EhForm::Exnref => (b.micro_eh.clone(), b.lua_eh.clone()),
            EhForm::Legacy => (eh_micro_pre(f), eh_lua_pre(f)),
        };
        let mut c = eh_clang(&sysroot, f);
        c.args(["-Wall", "--no-wasm-opt", STACK_SIZE_FLAG]).arg(&micro_src).arg(eh_rt_obj(f));
        c.arg("-o").arg(&micro);
        steps.push((c, format!("clang-22 {} (setjmp_bench link)", f.name())));
        let mut c = eh_clang(&sysroot, f);
        c.args(["--no-wasm-opt", STACK_SIZE_FLAG]).args(eh_objects(f)).arg(eh_rt_obj(f));
        c.arg("-o").arg(&lua);
        steps.push((c, format!("clang-22 {} (Lua link)", f.name())));
    }
    check_all(steps, 2)?;
    let mut c = Command::new("wasm-opt");
    c.arg(&pre).arg("-O2").arg("-o").arg(&b.lua_baseline);
    check(c, "wasm-opt -O2 (baseline Lua)")?;
    let _ = std::fs::remove_file(&pre);
    for (pre, opt) in [(eh_micro_pre(EhForm::Legacy), &b.micro_eh_opt), (eh_lua_pre(EhForm::Legacy), &b.lua_eh_opt)] {
        let mut c = Command::new("wasm-opt");
        c.arg(&pre).args(["--enable-exception-handling", "-O2", "-o"]).arg(opt);
        check(c, "wasm-opt --enable-exception-handling -O2 (EH, legacy form)")?;
        let _ = std::fs::remove_file(&pre);
    }
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
    /// Wasm exception-handling setjmp, no Asyncify (the EH build).
    Eh,
    Native,
}

impl Platform {
    fn name(self) -> &'static str {
        match self {
            Platform::Wasm(s) => s.name(),
            Platform::Eh => "eh",
            Platform::Native => "native",
        }
    }
}

/// The four builds of setjmp_bench, in the order they run.
const PLATFORMS: [Platform; 4] =
    [Platform::Wasm(Sjlj::Capture), Platform::Wasm(Sjlj::Lowered), Platform::Eh, Platform::Native];

/// One configuration (mode and depth) measured on the four builds.
struct MicroResult {
    mode: &'static str,
    depth: u32,
    /// Per platform (in PLATFORMS order): the calibrated iteration count and the runs' ns/op.
    iters: [u64; 4],
    ns: [Vec<f64>; 4],
}

impl MicroResult {
    fn median(&self, p: Platform) -> f64 {
        median(&self.ns[PLATFORMS.iter().position(|&q| q == p).unwrap()])
    }
    fn spread(&self, p: Platform) -> (f64, f64) {
        min_max(&self.ns[PLATFORMS.iter().position(|&q| q == p).unwrap()])
    }
    fn iters(&self, p: Platform) -> u64 {
        self.iters[PLATFORMS.iter().position(|&q| q == p).unwrap()]
    }
}

/// One run of setjmp_bench; returns its ns/op.
fn micro_once(b: &Builds, out: &Path, p: Platform, mode: &str, depth: u32, iters: u64) -> Result<f64> {
    let mut c = match p {
        Platform::Wasm(_) | Platform::Eh => {
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

/// Calibrates each build for `mode`/`depth`, then runs the four builds interleaved (so that a
/// burst of load elsewhere hits all of them alike).
fn measure(b: &Builds, out: &Path, mode: &'static str, depth: u32) -> Result<MicroResult> {
    eprintln!("setjmp bench: {mode} {depth}");
    let mut iters = [0u64; 4];
    for (i, p) in PLATFORMS.iter().enumerate() {
        iters[i] = common::calibrate(|n| micro_once(b, out, *p, mode, depth, n))?;
    }
    let mut ns: [Vec<f64>; 4] = Default::default();
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
    LoweredFull,
    Baseline,
    Eh,
    Native,
}

impl LuaBuild {
    fn name(self) -> &'static str {
        match self {
            LuaBuild::Capture => "capture",
            LuaBuild::Lowered => "lowered",
            LuaBuild::LoweredFull => "lowered-asyncify",
            LuaBuild::Baseline => "baseline",
            LuaBuild::Eh => "eh",
            LuaBuild::Native => "native",
        }
    }
}

enum LuaCell {
    /// Median wall time, exit status and standard output of the runs.
    Time(f64, Option<i32>, String),
    /// The baseline hit a longjmp.
    NeedsLongjmp,
}

impl LuaCell {
    fn ms(&self) -> Option<f64> {
        match self {
            LuaCell::Time(ms, _, _) => Some(*ms),
            LuaCell::NeedsLongjmp => None,
        }
    }
    fn status(&self) -> Option<Option<i32>> {
        match self {
            LuaCell::Time(_, s, _) => Some(*s),
            LuaCell::NeedsLongjmp => None,
        }
    }
    fn stdout(&self) -> Option<&str> {
        match self {
            LuaCell::Time(_, _, o) => Some(o),
            LuaCell::NeedsLongjmp => None,
        }
    }
}

struct LuaResult {
    script: String,
    capture: LuaCell,
    lowered: LuaCell,
    lowered_full: LuaCell,
    baseline: LuaCell,
    eh: LuaCell,
    native: LuaCell,
    /// Something to point out (a status that differs between builds).
    note: Option<String>,
}

fn lua_command(b: &Builds, which: LuaBuild, dir: &Path, script: &str) -> Command {
    let wasm = match which {
        LuaBuild::Capture => Some(&b.lua_capture),
        LuaBuild::Lowered => Some(&b.lua_lowered),
        LuaBuild::LoweredFull => Some(&b.lua_lowered_full),
        LuaBuild::Baseline => Some(&b.lua_baseline),
        LuaBuild::Eh => Some(&b.lua_eh),
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
    let mut stdout = String::new();
    for i in 0..=RUNS {
        let o = run_timed(lua_command(b, which, dir, script), out, &tag)?;
        if o.stderr.contains(BASELINE_NO_LONGJMP) {
            return Ok(LuaCell::NeedsLongjmp);
        }
        if i == 0 {
            status = o.status; // warm-up run: fills wasmtime's cache, not timed
            stdout = o.stdout;
        } else {
            if o.status != status {
                return Err(format!("{tag}: exit status changed between runs"));
            }
            if o.stdout != stdout {
                return Err(format!("{tag}: output changed between runs"));
            }
            times.push(o.wall.as_secs_f64() * 1e3);
        }
    }
    Ok(LuaCell::Time(median(&times), status, stdout))
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
        let lowered_full = lua_cell(b, out, LuaBuild::LoweredFull, &dir, &script)?;
        let baseline = lua_cell(b, out, LuaBuild::Baseline, &dir, &script)?;
        let eh = lua_cell(b, out, LuaBuild::Eh, &dir, &script)?;
        let native = lua_cell(b, out, LuaBuild::Native, &dir, &script)?;
        let mut notes = Vec::new();
        for (name, cell) in [("capture", &capture), ("lowered", &lowered), ("lowered, full Asyncify", &lowered_full), ("EH", &eh)] {
            if cell.status() != native.status() {
                notes.push(format!(
                    "exit status differs: {name} {:?}, native {:?}",
                    cell.status().flatten(),
                    native.status().flatten()
                ));
            }
            // Differential: every wasm build must print what native Lua prints.
            if cell.stdout() != native.stdout() {
                notes.push(format!("standard output differs: {name} and native"));
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
            lowered_full,
            baseline,
            eh,
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
const EH: Platform = Platform::Eh;
const NATIVE: Platform = Platform::Native;

/// The Lua scripts of issue 12's goals: the ones that never throw and the ones that throw
/// constantly.
const LUA_NEVER_THROWS: &str = "bench/lua/compute.lua";
const LUA_PCALLS: &str = "bench/lua/pcall_loop.lua";
const LUA_THROWS: &str = "bench/lua/throw_loop.lua";
/// The same errors, with C frames (string.gsub callbacks) between each error and its pcall.
const LUA_THROWS_C: &str = "bench/lua/throw_through_c.lua";
/// Issue 12's goals: lowered within 1.15x of EH on code that never throws, .wasm within 1.2x of
/// EH's size, at least 20x faster than EH on code that throws.
const GOAL_EH_TIME: f64 = 1.15;
const GOAL_EH_SIZE: f64 = 1.2;
const GOAL_EH_THROW: f64 = 20.0;

/// The size of the module at `p` without its DWARF (`.debug_*` custom sections, with their
/// section headers); 0 if it cannot be read.
fn size_without_dwarf(p: &Path) -> u64 {
    let Ok(b) = std::fs::read(p) else { return 0 };
    let leb = |i: &mut usize| -> usize {
        let (mut v, mut shift) = (0usize, 0);
        while *i < b.len() {
            let c = b[*i];
            *i += 1;
            v |= usize::from(c & 0x7f) << shift;
            shift += 7;
            if c < 0x80 {
                break;
            }
        }
        v
    };
    let (mut i, mut dwarf) = (8usize, 0usize);
    while i < b.len() {
        let start = i;
        let id = b[i];
        i += 1;
        let n = leb(&mut i);
        let body = i;
        if id == 0 {
            let mut j = body;
            let len = leb(&mut j);
            if b.get(j..j + len).is_some_and(|name| name.starts_with(b".debug")) {
                dwarf += body + n - start;
            }
        }
        i = body + n;
    }
    (b.len() - dwarf) as u64
}

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
    let yes_no = |ok: bool| if ok { "yes" } else { "**no**" };
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let lua_ms = |script: &str, which: fn(&LuaResult) -> &LuaCell| {
        lua.iter().find(|r| r.script == script).and_then(|r| which(r).ms())
    };

    let _ = writeln!(s, "### Against Wasm-EH setjmp (issue 12)\n");
    let _ = writeln!(
        s,
        "EH = the same C compiled by `clang-22 --target=wasm32-wasip1 -O2 -mllvm -wasm-enable-sjlj \
         -mllvm -wasm-use-legacy-eh=false` against Debian's wasi-libc, with `bench/eh/include/setjmp.h` \
         and the small runtime `bench/eh/sjlj_rt.c`: setjmp/longjmp by Wasm exceptions (exnref), no \
         Asyncify, run by the same `asyncify-run` (wasmtime) as the other wasm columns. The EH build \
         that runs has had no post-link `wasm-opt` (Debian's wasm-opt 108 cannot read `try_table`); \
         its size below is the legacy-EH form of the same objects after `wasm-opt \
         --enable-exception-handling -O2`. lowered = `asyncify-cc -O2` (the default strategy, \
         which for Lua and setjmp_bench unwinds by early return); before = the same with \
         `--asyncify-unwind=asyncify` (full Asyncify, the build before issue 12's diet). Figures \
         from the tables below.\n"
    );
    let _ = writeln!(s, "| measure | lowered | before | EH | ratio (before) | goal | met |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---|---|");
    let before = |script: &str| lua_ms(script, |r| &r.lowered_full).map_or("–".to_owned(), |f| format!("{f:.1}"));
    for (script, what) in [(LUA_NEVER_THROWS, "never throws, no pcall"), (LUA_PCALLS, "never throws, 100k pcalls")] {
        if let (Some(l), Some(e)) = (lua_ms(script, |r| &r.lowered), lua_ms(script, |r| &r.eh)) {
            let f = lua_ms(script, |r| &r.lowered_full).map_or("–".to_owned(), |f| fmt_ratio(f / e));
            let _ = writeln!(
                s,
                "| Lua `{script}` ({what}), ms | {l:.1} | {} | {e:.1} | lowered / EH {} ({f}) | ≤ {GOAL_EH_TIME}x | {} |",
                before(script),
                fmt_ratio(l / e),
                yes_no(l / e <= GOAL_EH_TIME)
            );
        }
    }
    for (script, what) in [(LUA_THROWS, "3,000 errors, Lua frames only"), (LUA_THROWS_C, "3,000 errors across C frames")] {
        if let (Some(l), Some(e)) = (lua_ms(script, |r| &r.lowered), lua_ms(script, |r| &r.eh)) {
            let f = lua_ms(script, |r| &r.lowered_full).map_or("–".to_owned(), |f| fmt_ratio(e / f));
            let _ = writeln!(
                s,
                "| Lua `{script}` ({what}), ms | {l:.1} | {} | {e:.1} | EH / lowered {} ({f}) | ≥ {GOAL_EH_THROW:.0}x | {} |",
                before(script),
                fmt_ratio(e / l),
                yes_no(e / l >= GOAL_EH_THROW)
            );
        }
    }
    let (ls, fs, es) = (size_without_dwarf(&b.lua_lowered), size_without_dwarf(&b.lua_lowered_full), size_without_dwarf(&b.lua_eh_opt));
    if es > 0 {
        let r = ls as f64 / es as f64;
        let _ = writeln!(
            s,
            "| Lua `.wasm` bytes without DWARF (EH: legacy form, `wasm-opt -O2`) | {ls} | {fs} | {es} | lowered / EH {} ({}) | ≤ {GOAL_EH_SIZE}x | {} |",
            fmt_ratio(r),
            fmt_ratio(fs as f64 / es as f64),
            yes_no(r <= GOAL_EH_SIZE)
        );
    }
    for (mode, depth, what) in [("setjmp", 1, "setjmp, no longjmp"), ("roundtrip", 1, "setjmp + longjmp"), ("abandon", 100, "longjmp over 100 frames")] {
        let r = find(by_depth, mode, depth).or_else(|| find(abandon, mode, depth));
        if let Some(r) = r {
            let (l, e) = (r.median(LOWERED), r.median(EH));
            let _ = writeln!(
                s,
                "| `setjmp_bench {mode} {depth}` ({what}), ns/op | {} | – | {} | EH / lowered {} | – | – |",
                fmt_ns(l),
                fmt_ns(e),
                fmt_ratio(e / l)
            );
        }
    }

    let _ = writeln!(s, "\n### setjmp / longjmp by stack depth (`bench/setjmp_bench.c`)\n");
    let _ = writeln!(
        s,
        "Median of {RUNS} runs, ns per operation. capture / lowered = `asyncify-cc -O2 \
         --asyncify-sjlj=capture|lowered` under `asyncify-run` (wasmtime); EH = Wasm-EH setjmp, no \
         Asyncify (see above), under `asyncify-run`; native = `gcc -O2`, glibc. `setjmp`: a call \
         that does setjmp, calls one function and returns; `roundtrip`: setjmp, then longjmp back \
         to it from a callee. depth = frames between main and the loop.\n"
    );
    let _ = writeln!(
        s,
        "| mode | depth | capture | lowered | EH | native | capture / lowered | EH / lowered | lowered / native | min–max capture; lowered; EH | iterations capture / lowered / EH / native |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in by_depth {
        let (c, l, e, n) = (r.median(CAPTURE), r.median(LOWERED), r.median(EH), r.median(NATIVE));
        let ((c0, c1), (l0, l1), (e0, e1)) = (r.spread(CAPTURE), r.spread(LOWERED), r.spread(EH));
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {}–{}; {}–{}; {}–{} | {} / {} / {} / {} |",
            r.mode,
            r.depth,
            fmt_ns(c),
            fmt_ns(l),
            fmt_ns(e),
            fmt_ns(n),
            fmt_ratio(c / l),
            fmt_ratio(e / l),
            fmt_ratio(l / n),
            fmt_ns(c0),
            fmt_ns(c1),
            fmt_ns(l0),
            fmt_ns(l1),
            fmt_ns(e0),
            fmt_ns(e1),
            r.iters(CAPTURE),
            r.iters(LOWERED),
            r.iters(EH),
            r.iters(NATIVE)
        );
    }
    let _ = writeln!(s);
    for mode in DEPTH_MODES {
        if let (Some(c), Some(l), Some(e)) = (
            slope(by_depth, mode, CAPTURE, 100, 1000),
            slope(by_depth, mode, LOWERED, 100, 1000),
            slope(by_depth, mode, EH, 100, 1000),
        ) {
            let z = |x: f64| if x.abs() < 0.05 { 0.0 } else { x }; // no "-0.0" for noise around zero
            let _ = writeln!(
                s,
                "- `{mode}`: about {c:.0} ns per extra frame of depth with capture, {:.1} with lowered, {:.1} with EH (slope between depth 100 and 1000).",
                z(l),
                z(e)
            );
        }
    }

    let _ = writeln!(s, "\n### Goals of the O(1) setjmp issue (mode `setjmp`, lowered strategy)\n");
    let _ = writeln!(s, "| goal | measured | met |");
    let _ = writeln!(s, "|---|---:|---|");
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
         caller's chain; EH throws a Wasm exception that the engine unwinds.\n"
    );
    let _ = writeln!(
        s,
        "| frames abandoned | lowered | capture | EH | native | lowered / native | EH / lowered | min–max lowered; EH | iterations lowered / capture / EH / native |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in abandon {
        let (c, l, e, n) = (r.median(CAPTURE), r.median(LOWERED), r.median(EH), r.median(NATIVE));
        let ((l0, l1), (e0, e1)) = (r.spread(LOWERED), r.spread(EH));
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {}–{}; {}–{} | {} / {} / {} / {} |",
            r.depth,
            fmt_ns(l),
            fmt_ns(c),
            fmt_ns(e),
            fmt_ns(n),
            fmt_ratio(l / n),
            fmt_ratio(e / l),
            fmt_ns(l0),
            fmt_ns(l1),
            fmt_ns(e0),
            fmt_ns(e1),
            r.iters(LOWERED),
            r.iters(CAPTURE),
            r.iters(EH),
            r.iters(NATIVE)
        );
    }
    if let (Some(l), Some(n)) = (slope(abandon, "abandon", LOWERED, 100, 1000), slope(abandon, "abandon", NATIVE, 100, 1000)) {
        let e = slope(abandon, "abandon", EH, 100, 1000).unwrap_or(f64::NAN);
        let _ = writeln!(
            s,
            "\n- lowered: about {l:.1} ns per abandoned frame (EH {e:.1}, native {n:.1}; slope between 100 and 1000 frames)."
        );
    }

    let _ = writeln!(s, "\n### Lua 5.4 scripts (wall time of the whole process)\n");
    let _ = writeln!(
        s,
        "Median of {RUNS} runs (after one warm-up run), ms. capture / lowered = Lua for WASI compiled \
         and linked by `asyncify-cc -O2 --asyncify-sjlj=capture|lowered`; lowered, full Asyncify = \
         the lowered objects linked with `--asyncify-unwind=asyncify` too (the build before issue \
         12's diet; lowered itself unwinds by early return); baseline = the capture \
         objects without Asyncify and without the runtime (setjmp returns 0, longjmp aborts), \
         `wasm-opt -O2`; EH = Wasm-EH setjmp, no Asyncify (see above); all under `asyncify-run`. \
         native = `gcc -O2` for reference. Scripts that raise a Lua error cannot run in the \
         baseline. `bench/lua/pcall_loop.lua` (100,000 pcalls) and `deep_pcall.lua` (197 nested \
         pcalls) are the pcall-heavy ones; `bench/lua/throw_loop.lua` raises 3,000 errors from \
         depths 1 to 60 (nested pcall, coroutines), `throw_through_c.lua` the same with a C \
         frame (string.gsub callback) at every other level.\n"
    );
    let _ = writeln!(
        s,
        "| script | capture ms | lowered ms | lowered, full Asyncify ms | EH ms | baseline ms | capture / lowered | full / lowered | lowered / EH | lowered / baseline | native ms |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let cell = |c: &LuaCell| match c {
        LuaCell::Time(ms, _, _) => format!("{ms:.1}"),
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
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.script,
            cell(&r.capture),
            cell(&r.lowered),
            cell(&r.lowered_full),
            cell(&r.eh),
            cell(&r.baseline),
            ratio(r.capture.ms(), r.lowered.ms()),
            ratio(r.lowered_full.ms(), r.lowered.ms()),
            ratio(r.lowered.ms(), r.eh.ms()),
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

    let base = size(&b.lua_baseline);
    let eh_base = size(&b.lua_eh_opt);
    let _ = writeln!(s, "\n### .wasm sizes\n");
    let _ = writeln!(
        s,
        "Without DWARF = the file minus its `.debug_*` sections (Debian's wasi-libc and Rust's \
         standard library bring DWARF that wasm-opt keeps without `-g`; asyncify-cc's rewrite of a \
         lowered program drops it when the link has no `-g`), the figure to compare.\n"
    );
    let _ = writeln!(s, "| build | Lua bytes | Lua bytes without DWARF | vs EH without DWARF | vs baseline | vs EH (optimised) | setjmp_bench bytes |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|");
    let eh_nd = size_without_dwarf(&b.lua_eh_opt);
    let vs = |n: u64, d: u64| if d > 0 { fmt_ratio(n as f64 / d as f64) } else { "–".to_owned() };
    for (name, p, m) in [
        ("capture (`asyncify-cc -O2 --asyncify-sjlj=capture`)", &b.lua_capture, Some(&b.micro_capture)),
        ("lowered (`asyncify-cc -O2 --asyncify-sjlj=lowered`: early return)", &b.lua_lowered, Some(&b.micro_lowered)),
        ("lowered, full Asyncify (`... --asyncify-unwind=asyncify`: before)", &b.lua_lowered_full, Some(&b.micro_lowered_full)),
        ("baseline (no Asyncify, `wasm-opt -O2`)", &b.lua_baseline, None),
        ("EH, legacy form after `wasm-opt --enable-exception-handling -O2`", &b.lua_eh_opt, Some(&b.micro_eh_opt)),
        ("EH, exnref form as run (no post-link `wasm-opt`)", &b.lua_eh, Some(&b.micro_eh)),
    ] {
        let n = size(p);
        let micro = m.map_or("–".to_owned(), |m| size(m).to_string());
        let nd = size_without_dwarf(p);
        let _ = writeln!(s, "| {name} | {n} | {nd} | {} | {} | {} | {micro} |", vs(nd, eh_nd), vs(n, base), vs(n, eh_base));
    }
    s
}
