//! Conservative scanning for garbage collectors (contract: include/asyncify_rt.h), with a real
//! collector and on its own.
//!
//! * `bdwgc::gctest_*`: Boehm GC's own test program (`tests/gctest.c` of bdwgc 8.3, unmodified)
//!   with `extra/gc.c`, built by asyncify-cc. With `examples/gc/asyncify_gc_roots.c` linked in
//!   (the hook: `GC_set_push_other_roots`, installed by a constructor) it must pass under wasmtime
//!   and node; the same objects linked without it must fail the way bdwgc fails on WASI today
//!   ("Apparently failed to mark from some function arguments", abort: exit 134 from asyncify-run),
//!   which shows what the hook does.
//! * `bdwgc::locals_only_*`: `tests/c/gc/locals_only.c`, differential: native (gcc, glibc, the
//!   same gc.c built natively, where bdwgc finds registers itself) against WASI with the hook, at
//!   -O2 and -O0; and at -O2 without the hook, where it must lose objects in each of its parts.
//! * `scan_api::*`: `tests/c/gc/scan_api.c`, the interface itself: differential part (-O2, -O0,
//!   node), WASI-only assertions against a fixed stdout (-O2), and misuse inside a scan callback (118)
//!   and from a constructor (125, `misuse_scan_constructor.c`).
//!
//! bdwgc's sources come from the `bdwgc-alloc-sys` dev-dependency (found with `cargo metadata`;
//! `BDWGC_SRC_DIR=<dir with extra/gc.c>` overrides). Its objects are built once per test binary.

mod common;

use common::{
    asyncify_cc, build_native_sources, build_wasm, build_wasm_sources, check_native_ran, compare_with_native,
    manifest_dir, rt_status, run_command, run_native, run_wasm, source, work_dir, Differential, Engine, Misuse,
    Outcome,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// bdwgc's WASI port needs the page size from outside (wasi-libc has no getpagesize).
const BDWGC_WASI_DEFINES: &[&str] = &["-DGETPAGESIZE()=65536"];

/// The hook, as a user adds it.
fn hook_source() -> PathBuf {
    manifest_dir().join("examples/gc/asyncify_gc_roots.c")
}

/// The package directory of `bdwgc-alloc-sys` from `cargo metadata`, then its `vendor/bdwgc`.
fn bdwgc_dir() -> Result<PathBuf, String> {
    if let Some(d) = std::env::var_os("BDWGC_SRC_DIR") {
        return Ok(PathBuf::from(d));
    }
    let pkg = common::crates::package_dir("bdwgc-alloc-sys")?;
    let dir = pkg.join("vendor/bdwgc");
    if dir.join("extra/gc.c").is_file() && dir.join("tests/gctest.c").is_file() {
        Ok(dir)
    } else {
        Err(format!("{} has no extra/gc.c and tests/gctest.c", dir.display()))
    }
}

/// bdwgc built once: objects for WASI and native, and gctest linked with and without the hook.
struct Bdwgc {
    /// `-I<bdwgc>/include`.
    include: String,
    /// extra/gc.c compiled by asyncify-cc -O2.
    gc_wasm: PathBuf,
    /// extra/gc.c compiled by gcc -O1.
    gc_native: PathBuf,
    gctest_hook: PathBuf,
    gctest_no_hook: PathBuf,
}

static BDWGC: OnceLock<Result<Bdwgc, String>> = OnceLock::new();

fn bdwgc() -> &'static Bdwgc {
    match BDWGC.get_or_init(build_bdwgc) {
        Ok(b) => b,
        Err(e) => panic!("building bdwgc failed:\n{e}"),
    }
}

/// Runs a compile step that must exit 0 and leave `out`.
fn step(cmd: Command, what: &str, out: &Path) -> Result<PathBuf, String> {
    let o = run_command(cmd);
    if o.code == Some(0) && out.exists() {
        Ok(out.to_path_buf())
    } else {
        Err(format!("{what} failed ({}):\n  $ {}\n{}{}", o.status_text(), o.command, o.stdout_text(), o.stderr_text()))
    }
}

fn build_bdwgc() -> Result<Bdwgc, String> {
    let src = bdwgc_dir()?;
    let include = format!("-I{}", src.join("include").display());
    let dir = work_dir("gc/bdwgc", "objects");
    let (gc_c, gctest_c) = (src.join("extra/gc.c"), src.join("tests/gctest.c"));

    let wasm_object = |c: &Path, name: &str| {
        let out = dir.join(name);
        let mut cmd = Command::new(asyncify_cc());
        cmd.args(["-O2", "-std=gnu11", "-w", &include]).args(BDWGC_WASI_DEFINES);
        cmd.arg("-c").arg(c).arg("-o").arg(&out);
        step(cmd, &format!("asyncify-cc -c {}", c.display()), &out)
    };
    let (native, wasm) = std::thread::scope(|s| {
        let native = s.spawn(|| {
            let out = dir.join("gc_native.o");
            let gcc = std::env::var("ASYNCIFY_TEST_GCC").unwrap_or_else(|_| "gcc".into());
            let mut cmd = Command::new(gcc);
            cmd.args(["-std=gnu11", "-O1", "-w", &include, "-c"]).arg(&gc_c).arg("-o").arg(&out);
            step(cmd, "gcc -c gc.c", &out)
        });
        let wasm = s.spawn(|| Ok::<_, String>((wasm_object(&gc_c, "gc.o")?, wasm_object(&gctest_c, "gctest.o")?)));
        (native.join().unwrap(), wasm.join().unwrap())
    });
    let gc_native = native?;
    let (gc_wasm, gctest_o) = wasm?;

    let link = |with_hook: bool| {
        let d = dir.join(if with_hook { "gctest-hook" } else { "gctest-no-hook" });
        std::fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        let mut inputs = vec![gctest_o.clone(), gc_wasm.clone()];
        if with_hook {
            inputs.push(hook_source());
        }
        build_wasm_sources(&inputs, "-O2", &[&include], &d)
    };
    Ok(Bdwgc { gctest_hook: link(true)?, gctest_no_hook: link(false)?, include, gc_wasm, gc_native })
}

/// What gctest prints when it passes, and when wasm locals are invisible to it.
const GCTEST_PASSED: &str = "Collector appears to work";
const GCTEST_LOCALS_LOST: &str = "Apparently failed to mark from some function arguments";

fn report(o: &Outcome) -> String {
    format!("  $ {}\n  {}\n  stdout:\n{}\n  stderr:\n{}", o.command, o.status_text(), o.stdout_text(), o.stderr_text())
}

mod bdwgc {
    use super::*;

    fn gctest_passes(engine: Engine) {
        let b = bdwgc();
        let o = run_wasm(engine, &b.gctest_hook, &[], &[]);
        assert!(
            o.code == Some(0) && o.stdout_text().contains(GCTEST_PASSED) && !o.stdout_text().contains(GCTEST_LOCALS_LOST),
            "gctest with the hook should pass under {}:\n{}",
            engine.name(),
            report(&o)
        );
    }

    #[test]
    fn gctest_with_hook_passes() {
        gctest_passes(Engine::Wasmtime);
    }

    #[test]
    fn gctest_with_hook_passes_node() {
        gctest_passes(Engine::Node);
    }

    /// The same objects without the hook: bdwgc cannot see wasm locals and gctest aborts.
    #[test]
    fn gctest_without_hook_fails() {
        let b = bdwgc();
        let o = run_wasm(Engine::Wasmtime, &b.gctest_no_hook, &[], &[]);
        assert!(
            o.code == Some(134) && o.stdout_text().contains(GCTEST_LOCALS_LOST) && !o.stdout_text().contains(GCTEST_PASSED),
            "gctest without the hook should abort (exit 134 from asyncify-run) after {GCTEST_LOCALS_LOST:?}:\n{}",
            report(&o)
        );
    }

    /// locals_only natively and for WASI (with the hook unless `hook` is false); returns both runs.
    fn locals_only(opt: &str, hook: bool) -> (Outcome, Outcome, String) {
        let b = bdwgc();
        let program = "gc/locals_only";
        let variant = format!("{}-{}", opt.trim_start_matches('-'), if hook { "hook" } else { "no-hook" });
        let dir = work_dir(program, &variant);
        let label = format!("{program} (asyncify-cc {opt}, {})", if hook { "with the hook" } else { "without the hook" });
        let native_exe = build_native_sources(&[source(program), b.gc_native.clone()], &[&b.include], &dir)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        let native = run_native(&native_exe, &[], &[]);
        if let Err(e) = check_native_ran(&label, &native) {
            panic!("{e}");
        }
        let mut inputs = vec![source(program), b.gc_wasm.clone()];
        if hook {
            inputs.push(hook_source());
        }
        let wasm = build_wasm_sources(&inputs, opt, &[&b.include], &dir).unwrap_or_else(|e| panic!("{label}: {e}"));
        let got = run_wasm(Engine::Wasmtime, &wasm, &[], &[]);
        (native, got, label)
    }

    fn locals_only_same_as_native(opt: &str) {
        let (native, got, label) = locals_only(opt, true);
        if let Err(e) = compare_with_native(&label, &native, &got) {
            panic!("{e}");
        }
    }

    #[test]
    fn locals_only_o2() {
        locals_only_same_as_native("-O2");
    }

    #[test]
    fn locals_only_o0() {
        locals_only_same_as_native("-O0");
    }

    /// Without the hook, every part (main's local, the frames, the suspended context) loses
    /// objects: the test does not pass by accident of pointers left in memory.
    #[test]
    fn locals_only_without_hook_loses_objects() {
        let (native, got, label) = locals_only("-O2", false);
        let (n, g) = (native.stdout_text(), got.stdout_text());
        for part in ["main local:", "frames:", "suspended context:"] {
            let line = |s: &str| s.lines().find(|l| l.starts_with(part)).map(str::to_owned);
            let expected = line(&n).unwrap_or_else(|| panic!("{label}: native printed no {part:?} line:\n{n}"));
            assert!(
                line(&g).is_some_and(|l| l != expected),
                "{label}: the {part:?} part should lose objects without the hook (native: {expected:?}):\n{}",
                report(&got)
            );
        }
    }
}

mod scan_api {
    use super::*;

    const PROGRAM: &str = "gc/scan_api";

    #[test]
    fn differential_o2() {
        Differential::new(PROGRAM).check();
    }

    #[test]
    fn differential_o0() {
        Differential::new(PROGRAM).opt("-O0").check();
    }

    #[test]
    fn differential_node() {
        Differential::new(PROGRAM).engine(Engine::Node).check();
    }

    const WASI_EXPECTED: &str = "\
scan_registers: returns 0, one callback: yes
scan_registers: a value held only in a local is in the range: yes
scan_registers: range non-empty, aligned, in the running stack below the caller's frame: yes
scan_registers: same chain, same size: yes; 9 more frames add bytes: yes; 90 more add 10x as many: yes
emscripten_scan_registers: one callback, value found: yes
scan_stack: one callback, from below this frame to the stack's top: yes
emscripten_scan_stack: one callback, same top: yes
for_each_suspended_context: nothing suspended: 0
context: its scan range is in its stack and holds its local: yes
for_each_suspended_context from main: returns 1, visits 1, the context: yes, main (running) skipped: yes
for_each_suspended_context: frames inside the stack range: yes, its local is in its frames: yes
after asyncify_rt_context_destroyed: visits 0
for_each_suspended_context from a context: returns 1, main (context NULL) visited: yes
scan_registers(NULL): -1 EINVAL
scan_stack(NULL): -1 EINVAL
for_each_suspended_context(NULL): -1 EINVAL
context_destroyed(NULL): -1 EINVAL
emscripten_scan_*(NULL): ignored
";

    fn wasi_only(opt: &str) {
        let dir = work_dir(PROGRAM, &format!("wasi-{}", opt.trim_start_matches('-')));
        let wasm = build_wasm(PROGRAM, opt, &[], &dir).unwrap_or_else(|e| panic!("{PROGRAM} {opt}: {e}"));
        let got = run_wasm(Engine::Wasmtime, &wasm, &["wasi"], &[]);
        assert!(
            got.code == Some(0) && got.stdout_text() == WASI_EXPECTED,
            "{PROGRAM} wasi ({opt}) differs from the expected output:\n{}\n{}",
            common::line_diff(WASI_EXPECTED, &got.stdout_text()),
            report(&got)
        );
    }

    /// -O2 only: at -O0 clang keeps every local in linear memory (the shadow stack), so no value
    /// is held "only in a local" and the spilled range need not contain it.
    #[test]
    fn wasi_only_o2() {
        wasi_only("-O2");
    }

    /// A runtime call inside a scan callback: exit 118 (IN_CALLBACK) with one "asyncify-rt: " line.
    fn nested(case: &str, opt: &str) {
        Misuse::new(PROGRAM, rt_status("IN_CALLBACK"), &["scan callback"])
            .tag(case)
            .args(&[case])
            .opt(opt)
            .stdout("scanning\n")
            .check();
    }

    macro_rules! nested_tests {
        ($($case:ident),* $(,)?) => {
            mod in_callback {
                mod o2 { $( #[test] fn $case() { super::super::nested(stringify!($case), "-O2"); } )* }
                mod o0 { $( #[test] fn $case() { super::super::nested(stringify!($case), "-O0"); } )* }
            }
        };
    }

    nested_tests! {
        nested_scan,
        nested_emscripten,
        nested_longjmp,
        nested_swapcontext,
    }

    /// setjmp inside a callback. With asyncify-cc's default setjmp strategy (LLVM's lowering)
    /// setjmp only records a label and is allowed there (include/asyncify_rt.h); with
    /// `ASYNCIFY_CC_SJLJ=capture` it unwinds and must be diagnosed.
    #[test]
    fn nested_setjmp() {
        if common::sjlj_lowered() {
            eprintln!("nested_setjmp: not diagnosed with LLVM's setjmp lowering; checked with ASYNCIFY_CC_SJLJ=capture");
            return;
        }
        nested("nested_setjmp", "-O2");
    }

    /// asyncify_rt_scan_stack inside a callback is allowed (it does not unwind; include/asyncify_rt.h):
    /// it reports the stack the callback runs on, and the program goes on normally.
    #[test]
    fn nested_scan_stack() {
        let dir = common::work_dir(PROGRAM, "nested_scan_stack");
        let wasm = common::build_wasm(PROGRAM, "-O2", &[], &dir).unwrap_or_else(|e| panic!("{e}"));
        let o = common::run_wasm(common::Engine::Wasmtime, &wasm, &["nested_scan_stack"], &[]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.code, Some(0), "{}: stdout {out} stderr {}", o.command, String::from_utf8_lossy(&o.stderr));
        assert!(out.contains("callback returned") && out.contains("scan returned"), "stdout: {out}");
    }

    /// A scan from a constructor, before main: exit 125 (NO_ROOT).
    #[test]
    fn scan_from_constructor() {
        Misuse::new("gc/misuse_scan_constructor", rt_status("NO_ROOT"), &["outside main"]).check();
    }
}

/// Each .c file in tests/c/gc has a test here.
#[test]
fn every_program_has_a_test() {
    let known = ["gc/locals_only", "gc/misuse_scan_constructor", "gc/scan_api"];
    for p in common::programs_in("gc") {
        assert!(known.contains(&p.as_str()), "tests/c/{p}.c has no test in tests/gc.rs");
    }
}
