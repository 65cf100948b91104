//! Conservative scanning for garbage collectors (contract: include/asyncify_rt.h), with a real
//! collector and on its own.
//!
//! * `gctest::{with_hook,without_hook}::*`: Boehm GC's own test program (`tests/gctest.c` of
//!   bdwgc 8.3, unmodified) with `extra/gc.c`, built by asyncify-cc -O2. With
//!   `examples/gc/asyncify_gc_roots.c` linked in (the hook: `GC_set_push_other_roots`, installed by
//!   a constructor) it must pass under wasmtime, node and WAMR; the same objects linked without it
//!   must fail the way bdwgc fails on WASI today ("Apparently failed to mark from some function
//!   arguments", abort: exit 134 from asyncify-run and asyncify-run-wamr), which shows what the
//!   hook does.
//! * `locals_only::*`: `tests/c/gc/locals_only.c`, differential: native (gcc, glibc, the same gc.c
//!   built natively, where bdwgc finds registers itself) against WASI with the hook, at -O2 and
//!   -O0 (and -O2 under WAMR); and at -O2 (wasmtime and WAMR) without the hook, where it must lose objects in each of its parts.
//! * `scan_api::*`: `tests/c/gc/scan_api.c`, the interface itself: differential part (-O2, -O0,
//!   node, WAMR), WASI-only assertions against a fixed stdout (-O2, and -O2 under WAMR), and misuse inside a scan callback
//!   (118) and from a constructor (125, `misuse_scan_constructor.c`).
//!
//! bdwgc's sources come from the `bdwgc-alloc-sys` dev-dependency (found with `cargo metadata`;
//! `BDWGC_SRC_DIR=<dir with extra/gc.c>` overrides). Its objects are built once per test binary.

#[macro_use]
mod common;

use common::sjlj::Sjlj;
use common::{
    asyncify_cc, build_native_sources, build_step, build_wasm_sources, manifest_dir, rt_status, source, work_dir,
    Build, Case,
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

/// bdwgc's objects and gctest, built on the first call.
fn bdwgc() -> Result<&'static Bdwgc, String> {
    BDWGC.get_or_init(build_bdwgc).as_ref().map_err(|e| format!("building bdwgc failed:\n{e}"))
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
        build_step(cmd, &format!("asyncify-cc -c {}", c.display()), &out)
    };
    let (native, wasm) = std::thread::scope(|s| {
        let native = s.spawn(|| {
            let out = dir.join("gc_native.o");
            let mut cmd = Command::new(common::native_cc());
            cmd.args(["-std=gnu11", "-O1", "-w", &include, "-c"]).arg(&gc_c).arg("-o").arg(&out);
            build_step(cmd, "gcc -c gc.c", &out)
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

/// bdwgc's gctest (WASI only, built once at -O2), with or without the hook.
fn gctest(name: &str) -> Case {
    match name {
        "with_hook" => Case::built("bdwgc/gctest", None, Build::once_at("-O2", || Ok(bdwgc()?.gctest_hook.clone())))
            .output_containing(0, &[GCTEST_PASSED], &[GCTEST_LOCALS_LOST]),
        // Without the hook bdwgc cannot see wasm locals and gctest aborts (exit 134 from
        // asyncify-run).
        "without_hook" => {
            Case::built("bdwgc/gctest", None, Build::once_at("-O2", || Ok(bdwgc()?.gctest_no_hook.clone())))
                .output_containing(134, &[GCTEST_LOCALS_LOST], &[GCTEST_PASSED])
        }
        _ => panic!("no gctest case {name}"),
    }
}

/// `tests/c/gc/locals_only.c` natively (with gc.c built natively) and for WASI (with gc.c built
/// by asyncify-cc, and the hook unless the case is `without_hook_*`).
fn locals_only(name: &str) -> Case {
    const PROGRAM: &str = "gc/locals_only";
    let native = Build::Custom(Box::new(|dir, _| {
        let b = bdwgc()?;
        build_native_sources(&[source(PROGRAM), b.gc_native.clone()], &[&b.include], dir)
    }));
    let wasm = |hook: bool| {
        Build::Custom(Box::new(move |dir, v| {
            let b = bdwgc()?;
            let mut inputs = vec![source(PROGRAM), b.gc_wasm.clone()];
            if hook {
                inputs.push(hook_source());
            }
            build_wasm_sources(&inputs, v.opt, &[&b.include], dir)
        }))
    };
    match name {
        "with_hook" => Case::built(PROGRAM, Some(native), wasm(true)),
        // Every part (main's local, the frames, the suspended context) loses objects without the
        // hook: the test does not pass by accident of pointers left in memory.
        "without_hook_loses_objects" => Case::built(PROGRAM, Some(native), wasm(false))
            .lines_differ(&["main local:", "frames:", "suspended context:"]),
        _ => panic!("no locals_only case {name}"),
    }
}

/// What `scan_api wasi` prints (WASI-only assertions of the interface).
const SCAN_API_WASI_EXPECTED: &str = "\
scan_registers: returns 0, one callback: yes
scan_registers: a value held only in a local is in the range: yes
scan_registers: range non-empty, aligned, in the running stack below the caller's frame: yes
scan_registers: same chain, same size: yes; 9 more frames add bytes: yes; 90 more add 10x as many: yes
emscripten_scan_registers: one callback, value found: yes
scan_stack: one callback, from below this frame to the stack's top: yes
emscripten_scan_stack: one callback, same top: yes
for_each_suspended_context: nothing suspended: 0
context_frames: made, not started: empty
context: its scan range is in its stack and holds its local: yes
for_each_suspended_context from main: returns 1, visits 1, the context: yes, main (running) skipped: yes
for_each_suspended_context: frames inside the stack range: yes, its local is in its frames: yes
context_frames: suspended: range, the range for_each_suspended_context gives: yes, its local is in it: yes
context_frames: main, running (its saved chain was resumed): empty
context_frames: suspended again: range, its local is in it: yes
context_frames: destroyed: empty
after asyncify_rt_context_destroyed: visits 0
for_each_suspended_context from a context: returns 1, main (context NULL) visited: yes
scan_registers(NULL): -1 EINVAL
scan_stack(NULL): -1 EINVAL
for_each_suspended_context(NULL): -1 EINVAL
context_destroyed(NULL): -1 EINVAL
context_frames(NULL ...): -3 EINVAL
emscripten_scan_*(NULL): ignored
";

/// `tests/c/gc/scan_api.c` in each of its modes (its first argument), and
/// `tests/c/gc/misuse_scan_constructor.c`.
fn scan_api(name: &str) -> Case {
    let case = Case::program("gc/scan_api");
    // What a callback that makes an allowed runtime call prints, with the program's own lines.
    const NESTED_ALLOWED: &str = "scanning\ncallback returned\nscan returned\n";
    let in_callback = |case: Case| case.misuse(rt_status("IN_CALLBACK"), &["scan callback"], "scanning\n");
    match name {
        "differential" => case,
        "wasi_only" => case.args(&["wasi"]).output(0, SCAN_API_WASI_EXPECTED),
        // A runtime call inside a scan callback: exit 118 (IN_CALLBACK) with one "asyncify-rt: "
        // line.
        "nested_scan" | "nested_emscripten" | "nested_longjmp" | "nested_swapcontext" => in_callback(case.args(&[name])),
        // setjmp inside a callback. With LLVM's setjmp lowering (asyncify-cc's default) setjmp
        // only records a label and is allowed there (include/asyncify_rt.h); with capture it
        // unwinds and must be diagnosed.
        "nested_setjmp" => match common::sjlj_strategy() {
            Sjlj::Lowered => case.args(&[name]).output(0, NESTED_ALLOWED).note(
                "with LLVM's setjmp lowering setjmp is allowed in a scan callback: checked to run normally \
                 (the misuse is checked with ASYNCIFY_CC_SJLJ=capture)",
            ),
            Sjlj::Capture => in_callback(case.args(&[name])),
        },
        // asyncify_rt_scan_stack inside a callback is allowed (it does not unwind;
        // include/asyncify_rt.h): the program goes on normally.
        "nested_scan_stack" => case.args(&[name]).output(0, NESTED_ALLOWED),
        // A scan from a constructor, before main: exit 125 (NO_ROOT).
        "from_constructor" => {
            Case::program("gc/misuse_scan_constructor").misuse(rt_status("NO_ROOT"), &["outside main"], "")
        }
        _ => panic!("no scan_api case {name}"),
    }
}

c_tests! {
    gctest [o2, wamr] {
        with_hook [o2, node, wamr],
        without_hook,
    }
    locals_only [o2, o0, wamr] {
        with_hook,
        without_hook_loses_objects [o2, wamr],
    }
    scan_api [o2, wamr] {
        differential [o2, o0, node, wamr],
        // -O2 only: at -O0 clang keeps every local in linear memory (the shadow stack), so no
        // value is held "only in a local" and the spilled range need not contain it.
        wasi_only,
        nested_scan [o2, o0, wamr],
        nested_emscripten [o2, o0, wamr],
        nested_longjmp [o2, o0, wamr],
        nested_swapcontext [o2, o0, wamr],
        nested_setjmp,
        nested_scan_stack,
        from_constructor,
    }
}

/// Each .c file in tests/c/gc is the program of a case here.
#[test]
fn every_program_has_a_test() {
    let labels: Vec<String> = (gctest::CASES.iter().map(|c| gctest(c)))
        .chain(locals_only::CASES.iter().map(|c| locals_only(c)))
        .chain(scan_api::CASES.iter().map(|c| scan_api(c)))
        .map(|c| c.label)
        .collect();
    common::assert_every_program_tested("gc", &labels, |_| false);
}
