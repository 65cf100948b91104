//! Integration tests of the two host tools, `asyncify-cc` (the compiler driver) and
//! `asyncify-run` (the wasmtime runner), through their user-visible behaviour: exit statuses,
//! output, error messages, files left behind.
//!
//! Tests whose name starts with `link_` link a program and therefore need the wasm32 runtime
//! library: the one the build script built, or the one named by `ASYNCIFY_RT_LIB` at test time.
//! They fail with a message saying so when it does not exist. The other tests need only clang
//! (and wasm-opt for the missing-tool checks' counterparts).
//!
//! Tools needed on the machine: clang-22 (or `$ASYNCIFY_CC_CLANG`), wasm-ld, wasm-opt; for some
//! tests also `make`, `llvm-ar-22` and `node`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CC: &str = env!("CARGO_BIN_EXE_asyncify-cc");
const RUN: &str = env!("CARGO_BIN_EXE_asyncify-run");

/// Environment variables of asyncify-cc that would change the behaviour under test; every
/// command starts without them (the runtime paths are kept, so `ASYNCIFY_RT_LIB` can point at
/// another library).
const TOOL_VARS: &[&str] = &[
    "ASYNCIFY_CC_VERBOSE",
    "ASYNCIFY_CC_KEEP_TEMPS",
    "ASYNCIFY_CC_EXTRA_WASM_OPT_ARGS",
    "ASYNCIFY_CC_CLANG",
    "ASYNCIFY_CC_WASM_OPT",
    "ASYNCIFY_CC_UNWIND",
];

#[path = "common/tool_tests.rs"]
mod tool_tests;
use tool_tests::Scratch;

/// An `asyncify-cc` command run in `dir`, without the tool variables of the caller.
fn cc_cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(CC);
    c.current_dir(dir).args(args);
    for v in TOOL_VARS {
        c.env_remove(v);
    }
    c
}

fn cc(dir: &Path, args: &[&str]) -> Output {
    cc_cmd(dir, args).output().expect("run asyncify-cc")
}

fn run(dir: &Path, wasm: &str, args: &[&str]) -> Output {
    Command::new(RUN).current_dir(dir).arg(wasm).args(args).output().expect("run asyncify-run")
}

fn node(dir: &Path, wasm: &str, args: &[&str]) -> Output {
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/run-node.mjs");
    Command::new("node")
        .current_dir(dir)
        .arg("--no-warnings")
        .arg(runner)
        .arg(wasm)
        .args(args)
        .output()
        .expect("run node (needed for the second engine)")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asserts success and returns the output, showing stderr when it failed.
fn ok(o: Output, what: &str) -> Output {
    assert!(o.status.success(), "{what} failed ({}):\n{}", o.status, text(&o.stderr));
    o
}

/// The runtime library link tests use: `$ASYNCIFY_RT_LIB` or the build script's.
fn require_runtime() {
    let lib = std::env::var_os("ASYNCIFY_RT_LIB")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("ASYNCIFY_RT_BUILT_LIB")));
    assert!(
        lib.is_file(),
        "this test links programs and needs the wasm32 runtime library {} (build without \
         ASYNCIFY_RT_SKIP_WASM_BUILD, or set ASYNCIFY_RT_LIB)",
        lib.display()
    );
}

fn is_wasm(p: &Path) -> bool {
    std::fs::read(p).is_ok_and(|b| b.starts_with(b"\0asm"))
}

const HELLO: &str = r#"#include <stdio.h>
int main(void) { printf("hello, world\n"); return 3; }
"#;

const ARGS_EXIT: &str = r#"#include <stdio.h>
#include <stdlib.h>
static void leave_if_asked(int argc) { if (argc > 2) exit(5); }
int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) printf("<%s>", argv[i]);
    printf("\n");
    leave_if_asked(argc);
    return argc;
}
"#;

const BAD: &str = "int main(void) { return undeclared_thing; }\n";

// ---------------------------------------------------------------------------------------------
// No runtime needed.

#[test]
fn compile_only_produces_a_wasm_object() {
    let s = Scratch::new("asyncify-rt-driver", "compile-only");
    s.write("hello.c", HELLO);
    ok(cc(&s.0, &["-O2", "-c", "hello.c", "-o", "hello.o"]), "asyncify-cc -c");
    assert!(is_wasm(&s.path("hello.o")), "hello.o is not a wasm object");
    // `-ofile` spelling and no wasm-opt involvement (a missing wasm-opt does not matter).
    let o = cc_cmd(&s.0, &["-c", "hello.c", "-oother.o"])
        .env("ASYNCIFY_CC_WASM_OPT", "/nonexistent/wasm-opt")
        .output()
        .unwrap();
    ok(o, "asyncify-cc -c without wasm-opt");
    assert!(is_wasm(&s.path("other.o")));
}

#[test]
fn runtime_headers_are_found() {
    let s = Scratch::new("asyncify-rt-driver", "headers");
    s.write("uses.c", "#include <setjmp.h>\n#include <asyncify_rt.h>\nint f(jmp_buf b) { return setjmp(b); }\n");
    ok(cc(&s.0, &["-c", "uses.c", "-o", "uses.o"]), "compile with <setjmp.h>");
    // A user -I directory wins over the runtime's headers.
    std::fs::create_dir_all(s.path("inc")).unwrap();
    s.write("inc/setjmp.h", "#define USER_SETJMP_H 1\n");
    s.write("mine.c", "#include <setjmp.h>\n#ifndef USER_SETJMP_H\n#error not the user's header\n#endif\n");
    ok(cc(&s.0, &["-Iinc", "-fsyntax-only", "mine.c"]), "user -I takes precedence");
}

#[test]
fn informational_invocations_pass_through() {
    let s = Scratch::new("asyncify-rt-driver", "info");
    let o = ok(cc(&s.0, &["--version"]), "asyncify-cc --version");
    assert!(text(&o.stdout).contains("clang version"), "{}", text(&o.stdout));
    let o = ok(cc(&s.0, &["-print-target-triple"]), "asyncify-cc -print-target-triple");
    assert_eq!(text(&o.stdout).trim(), "wasm32-unknown-wasip1");
    // A user's own target is kept.
    let o = ok(cc(&s.0, &["--target=wasm32-wasi", "-print-target-triple"]), "own target");
    assert_eq!(text(&o.stdout).trim(), "wasm32-unknown-wasi");
}

#[test]
fn compile_error_status_propagates_and_leaves_no_object() {
    let s = Scratch::new("asyncify-rt-driver", "compile-error");
    s.write("bad.c", BAD);
    s.write("bad.o", "stale object from an earlier build");
    let o = cc(&s.0, &["-c", "bad.c", "-o", "bad.o"]);
    assert_eq!(o.status.code(), Some(1), "clang's status for a compile error");
    assert!(text(&o.stderr).contains("undeclared_thing"), "{}", text(&o.stderr));
    assert!(!s.path("bad.o").exists(), "a failed compile left bad.o behind");
}

#[test]
fn missing_clang_is_reported_with_package_names() {
    let s = Scratch::new("asyncify-rt-driver", "no-clang");
    s.write("hello.c", HELLO);
    for args in [&["-c", "hello.c"][..], &["hello.c", "-o", "hello.wasm"][..], &["--version"][..]] {
        let o = cc_cmd(&s.0, args).env("ASYNCIFY_CC_CLANG", "/nonexistent/clang").output().unwrap();
        assert_eq!(o.status.code(), Some(127), "status for {args:?}");
        let err = text(&o.stderr);
        assert_eq!(err.lines().count(), 1, "one line expected: {err}");
        assert!(err.contains("clang-22") && err.contains("lld-22"), "{err}");
    }
    assert!(!s.path("hello.wasm").exists());
}

#[test]
fn missing_wasm_opt_is_reported_with_package_name() {
    let s = Scratch::new("asyncify-rt-driver", "no-wasm-opt");
    s.write("hello.c", HELLO);
    // Files of an earlier build: a failed build must not leave them looking finished.
    s.write("hello.wasm", "stale program");
    s.write("hello.wasm.pre-asyncify.wasm", "stale module");
    let o = cc_cmd(&s.0, &["hello.c", "-o", "hello.wasm"])
        .env("ASYNCIFY_CC_WASM_OPT", "/nonexistent/wasm-opt")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(127));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    assert!(err.contains("binaryen"), "{err}");
    assert!(!s.path("hello.wasm").exists(), "output left although wasm-opt is missing");
    assert!(!s.path("hello.wasm.pre-asyncify.wasm").exists(), "stale module left");
}

#[test]
fn setjmp_library_is_refused_before_anything_runs() {
    // wasi-libc's libsetjmp.a defines __wasm_setjmp, __wasm_setjmp_test and __wasm_longjmp, as
    // the runtime does: a link naming it gets one clear line, never a duplicate-symbol error.
    let s = Scratch::new("asyncify-rt-driver", "lsetjmp");
    s.write("hello.c", HELLO);
    for args in [
        &["hello.c", "-lsetjmp", "-o", "hello.wasm"][..],
        &["hello.c", "-Wl,-lsetjmp", "-o", "hello.wasm"],
        &["hello.c", "-L/nowhere", "-l", "setjmp", "-o", "hello.wasm"],
        &["-r", "hello.c", "-lsetjmp", "-o", "part.o"],
    ] {
        let o = cc_cmd(&s.0, args).env("ASYNCIFY_CC_VERBOSE", "1").output().unwrap();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "status for {args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line and no command run expected for {args:?}: {err}");
        assert!(err.contains("-lsetjmp") && err.contains("remove it"), "{err}");
    }
    assert!(!s.path("hello.wasm").exists() && !s.path("part.o").exists());
    // A compile ignores -l, so it is not refused.
    ok(cc(&s.0, &["-c", "hello.c", "-lsetjmp", "-o", "hello.o"]), "compile with -lsetjmp");
    assert!(is_wasm(&s.path("hello.o")));
}

/// Writes an executable shell script `name` in `s` that answers `--version` with `version_line`
/// and runs the real `real` tool for anything else.
fn fake_tool(s: &Scratch, name: &str, version_line: &str, real: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = s.write(
        name,
        &format!("#!/bin/sh\nif [ \"$1\" = --version ]; then echo '{version_line}'; exit 0; fi\nexec {real} \"$@\"\n"),
    );
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[test]
fn too_old_tools_are_reported_with_package_names() {
    let s = Scratch::new("asyncify-rt-driver", "old-tools");
    s.write("hello.c", HELLO);
    let clang = fake_tool(&s, "old-clang", "Ubuntu clang version 18.1.3 (1ubuntu1)", "clang-22");
    let o = cc_cmd(&s.0, &["hello.c", "-o", "hello.wasm"]).env("ASYNCIFY_CC_CLANG", &clang).output().unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(127), "{err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    assert!(err.contains("18.1.3") && err.contains("19 or later"), "{err}");
    assert!(err.contains("clang-22") && err.contains("lld-22"), "{err}");

    let wasm_opt = fake_tool(&s, "old-wasm-opt", "wasm-opt version 105", "wasm-opt");
    let o = cc_cmd(&s.0, &["hello.c", "-o", "hello.wasm"]).env("ASYNCIFY_CC_WASM_OPT", &wasm_opt).output().unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(127), "{err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    assert!(err.contains("version 105") && err.contains("108 or later") && err.contains("binaryen"), "{err}");
    assert!(!s.path("hello.wasm").exists());

    // Versions at or above the minimum pass the check (the link then goes on).
    let wasm_opt = fake_tool(&s, "new-wasm-opt", "wasm-opt version 108", "/nonexistent/wasm-opt");
    let o = cc_cmd(&s.0, &["hello.c", "-o", "hello.wasm"]).env("ASYNCIFY_CC_WASM_OPT", &wasm_opt).output().unwrap();
    assert!(!text(&o.stderr).contains("or later"), "{}", text(&o.stderr));
}

#[test]
fn missing_sysroot_is_reported_with_package_name() {
    let s = Scratch::new("asyncify-rt-driver", "no-sysroot");
    s.write("hello.c", HELLO);
    std::fs::create_dir_all(s.path("empty")).unwrap();
    let empty = s.path("empty");
    for args in [&["-c", "hello.c"][..], &["hello.c", "-o", "hello.wasm"]] {
        let o = cc_cmd(&s.0, args).env("ASYNCIFY_RT_SYSROOT", &empty).output().unwrap();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(127), "status for {args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line expected: {err}");
        assert!(err.contains("wasi-libc") && err.contains(&*empty.to_string_lossy()), "{err}");
    }
    assert!(!s.path("hello.o").exists() && !s.path("hello.wasm").exists());
    // Without input files the sysroot is not needed.
    let o = cc_cmd(&s.0, &["--version"]).env("ASYNCIFY_RT_SYSROOT", &empty).output().unwrap();
    ok(o, "--version with an empty sysroot");
    // A sysroot the user chooses is the user's: clang's own error, not asyncify-cc's.
    let o = cc(&s.0, &["-c", "hello.c", &format!("--sysroot={}", empty.display())]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("stdio.h"), "{}", text(&o.stderr));
}

/// The `key: value` lines of `asyncify-cc --print-config`, in order.
fn config_lines(o: &Output) -> Vec<(String, String)> {
    text(&o.stdout)
        .lines()
        .map(|l| {
            let (k, v) = l.split_once(": ").unwrap_or_else(|| panic!("not a key: value line: {l}"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// The first line of `program --version`.
fn version_line(program: &str) -> String {
    let o = Command::new(program).arg("--version").output().expect("run --version");
    text(&o.stdout).lines().next().unwrap_or("").to_string()
}

#[test]
fn link_print_config_names_paths_versions_and_strategy() {
    require_runtime();
    let s = Scratch::new("asyncify-rt-driver", "print-config");
    let o = ok(cc(&s.0, &["--print-config"]), "asyncify-cc --print-config");
    let lines = config_lines(&o);
    let keys: Vec<&str> = lines.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["include", "lib", "sysroot", "clang", "clang-version", "wasm-opt", "wasm-opt-version", "setjmp", "unwind", "layout"],
        "{}",
        text(&o.stdout)
    );
    let get = |k: &str| lines.iter().find(|(key, _)| key == k).unwrap().1.clone();
    assert!(Path::new(&get("include")).join("setjmp.h").is_file(), "include: {}", get("include"));
    assert!(Path::new(&get("lib")).is_file(), "lib: {}", get("lib"));
    assert!(Path::new(&get("sysroot")).join("include/wasm32-wasip1").is_dir(), "sysroot: {}", get("sysroot"));
    // The versions are those the tools themselves report.
    for (tool, version) in [("clang", "clang-version"), ("wasm-opt", "wasm-opt-version")] {
        let line = version_line(&get(tool));
        assert!(line.contains(&format!("version {}", get(version))), "{tool}: {line} vs {}", get(version));
    }
    let expected = match std::env::var("ASYNCIFY_CC_SJLJ").as_deref() {
        Ok("capture") => "capture",
        _ => "lowered",
    };
    assert_eq!(get("setjmp"), expected);
    assert_eq!(get("unwind"), "auto");
    assert_eq!(get("layout"), "build-tree");
    assert!(o.stderr.is_empty(), "{}", text(&o.stderr));

    // The environment is what the lines show.
    let o = cc_cmd(&s.0, &["--print-config"]).env("ASYNCIFY_CC_SJLJ", "capture").output().unwrap();
    assert!(config_lines(&o).contains(&("setjmp".into(), "capture".into())));
    let o = cc_cmd(&s.0, &["--print-config"]).env("ASYNCIFY_CC_UNWIND", "asyncify").output().unwrap();
    assert!(config_lines(&o).contains(&("unwind".into(), "asyncify".into())));
    let o = cc_cmd(&s.0, &["--print-config", "--asyncify-unwind=early-return"]).output().unwrap();
    assert!(config_lines(&o).contains(&("unwind".into(), "early-return".into())));
    // A missing tool: shown as such, one stderr line, the missing-tool status.
    let o = cc_cmd(&s.0, &["--print-config"]).env("ASYNCIFY_CC_WASM_OPT", "/nonexistent/wasm-opt").output().unwrap();
    assert_eq!(o.status.code(), Some(127));
    assert!(config_lines(&o).contains(&("wasm-opt".into(), "not found".into())), "{}", text(&o.stdout));
    let err = text(&o.stderr);
    assert!(err.lines().count() == 1 && err.contains("binaryen"), "{err}");
    // A runtime header directory without the runtime's headers.
    let o = cc_cmd(&s.0, &["--print-config"]).env("ASYNCIFY_RT_INCLUDE", &s.0).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(config_lines(&o).contains(&("include".into(), s.0.display().to_string())));
    assert!(text(&o.stderr).contains("setjmp.h"), "{}", text(&o.stderr));
}

#[test]
fn relocatable_link_skips_asyncify() {
    let s = Scratch::new("asyncify-rt-driver", "relocatable");
    s.write("a.c", "int a(void) { return 1; }\n");
    s.write("b.c", "int a(void); int b(void) { return a() + 1; }\n");
    ok(cc(&s.0, &["-c", "a.c", "b.c"]), "compile a.c b.c");
    let o = cc_cmd(&s.0, &["-r", "a.o", "b.o", "-o", "ab.o"])
        .env("ASYNCIFY_CC_VERBOSE", "1")
        .env("ASYNCIFY_CC_WASM_OPT", "/nonexistent/wasm-opt")
        .output()
        .unwrap();
    let o = ok(o, "asyncify-cc -r");
    let err = text(&o.stderr);
    assert!(!err.contains("--wrap=__main_void") && !err.contains("wasm-opt"), "{err}");
    assert!(is_wasm(&s.path("ab.o")));
    assert!(!s.path("ab.o.pre-asyncify.wasm").exists());
}

#[test]
fn runner_reports_a_missing_module() {
    let s = Scratch::new("asyncify-rt-driver", "run-missing");
    let o = run(&s.0, "does-not-exist.wasm", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).starts_with("asyncify-run: "), "{}", text(&o.stderr));
}

// ---------------------------------------------------------------------------------------------
// Links: need the runtime library.

#[test]
fn link_hello_world_exit_status() {
    require_runtime();
    let s = Scratch::new("asyncify-rt-driver", "hello");
    s.write("hello.c", HELLO);
    ok(cc(&s.0, &["-O2", "hello.c", "-o", "hello.wasm"]), "link hello");
    assert!(is_wasm(&s.path("hello.wasm")));
    assert!(!s.path("hello.wasm.pre-asyncify.wasm").exists(), "temporary module left behind");
    // Executable like any linked output (build systems such as CRuby's mkmf check `test -x`).
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(s.path("hello.wasm")).unwrap().permissions());
    assert!(mode & 0o100 != 0, "hello.wasm is not executable (mode {mode:o})");
    let o = run(&s.0, "hello.wasm", &[]);
    assert_eq!(text(&o.stdout), "hello, world\n");
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    let o = node(&s.0, "hello.wasm", &[]);
    assert_eq!(text(&o.stdout), "hello, world\n");
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
}

#[test]
fn link_argv_and_exit_from_nested_function() {
    require_runtime();
    let s = Scratch::new("asyncify-rt-driver", "argv");
    s.write("args.c", ARGS_EXIT);
    ok(cc(&s.0, &["-g", "args.c", "-o", "args.wasm"]), "link args.c");
    let o = run(&s.0, "args.wasm", &["one"]);
    assert_eq!(text(&o.stdout), "<one>\n");
    assert_eq!(o.status.code(), Some(2));
    // Arguments that look like options belong to the guest.
    let o = run(&s.0, "args.wasm", &["--dir", "x"]);
    assert_eq!(text(&o.stdout), "<--dir><x>\n");
    assert_eq!(o.status.code(), Some(5));
    let o = node(&s.0, "args.wasm", &["a", "b"]);
    assert_eq!(text(&o.stdout), "<a><b>\n");
    assert_eq!(o.status.code(), Some(5));
}

#[test]
fn link_default_output_is_a_out() {
    require_runtime();
    let s = Scratch::new("asyncify-rt-driver", "a-out");
    s.write("hello.c", HELLO);
    ok(cc(&s.0, &["hello.c"]), "link without -o");
    assert!(is_wasm(&s.path("a.out")));
    assert_eq!(run(&s.0, "a.out", &[]).status.code(), Some(3));
}

#[test]
fn link_wasm_opt_command_line() {
    require_runtime();
    let s = Scratch::new("asyncify-rt-driver", "wasm-opt-cmd");
    s.write("hello.c", HELLO);
    let wasm_opt_line = |args: &[&str]| -> String {
        let o = cc_cmd(&s.0, args).env("ASYNCIFY_CC_VERBOSE", "1").output().unwrap();
        let o = ok(o, "verbose link");
        let err = text(&o.stderr);
        let lines: Vec<&str> =
            err.lines().filter(|l| l.contains("pre-asyncify.wasm") && !l.contains("--no-wasm-opt")).collect();
        assert_eq!(lines.len(), 1, "one wasm-opt command expected:\n{err}");
        let clang_line = err.lines().find(|l| l.contains("--no-wasm-opt")).expect("clang command shown");
        assert!(clang_line.contains("-Wl,--wrap=__main_void"), "{clang_line}");
        lines[0].to_string()
    };
    let full = "--asyncify-unwind=asyncify";
    let l = wasm_opt_line(&[full, "-O2", "-g", "hello.c", "-o", "a.wasm"]);
    assert!(
        l.ends_with(" a.wasm.pre-asyncify.wasm --asyncify --pass-arg=asyncify-ignore-imports -O2 -g -o a.wasm"),
        "{l}"
    );
    let l = wasm_opt_line(&[full, "-Og", "hello.c", "-o", "b.wasm"]);
    assert!(l.ends_with("--asyncify --pass-arg=asyncify-ignore-imports -O1 -o b.wasm"), "{l}");
    let l = wasm_opt_line(&[full, "-O3", "-O0", "hello.c", "-o", "c.wasm"]);
    assert!(l.ends_with("--asyncify --pass-arg=asyncify-ignore-imports -o c.wasm"), "{l}");
    // A program that never unwinds needs no Asyncify pass (see link_unwind_mode_follows_the_program).
    let l = wasm_opt_line(&["-O2", "hello.c", "-o", "e.wasm"]);
    assert!(l.ends_with(" e.wasm.pre-asyncify.wasm -O2 -o e.wasm"), "{l}");
    // With -g, full Asyncify: Binaryen keeps the DWARF. Under `auto` it gets the remove-list
    // of the functions that cannot reach an unwind (asyncify-cc/removelist.rs), from a file.
    let l = wasm_opt_line(&["-O2", "-g", "hello.c", "-o", "f.wasm"]);
    assert!(l.contains(" --asyncify --pass-arg=asyncify-ignore-imports --pass-arg=asyncify-removelist@@"), "{l}");
    assert!(l.ends_with("removelist.txt -O2 -g -o f.wasm"), "{l}");
    // The temporary module is kept on request.
    let o = cc_cmd(&s.0, &["hello.c", "-o", "d.wasm"]).env("ASYNCIFY_CC_KEEP_TEMPS", "1").output().unwrap();
    ok(o, "link keeping temps");
    assert!(is_wasm(&s.path("d.wasm.pre-asyncify.wasm")));
}

/// Whether the module at `p` went through Binaryen's Asyncify pass (which exports
/// `asyncify_get_state`).
fn has_asyncify(p: &Path) -> bool {
    let bytes = std::fs::read(p).expect("read module");
    let found = wasmparser::Parser::new(0).parse_all(&bytes).any(|payload| match payload {
        Ok(wasmparser::Payload::ExportSection(r)) => r.into_iter().any(|e| e.is_ok_and(|e| e.name == "asyncify_get_state")),
        _ => false,
    });
    found
}

#[test]
fn link_unwind_mode_follows_the_program() {
    require_runtime();
    let s = Scratch::new("asyncify-rt-driver", "unwind-mode");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let setjmp = repo.join("tests/c/setjmp/try_catch.c");
    let context = repo.join("tests/c/ucontext/ping_pong.c");
    let build = |src: &Path, extra: &[&str], out: &str| -> Output {
        let mut args: Vec<&str> = vec!["-O2", "-w", src.to_str().unwrap(), "-o", out];
        args.extend_from_slice(extra);
        cc_cmd(&s.0, &args).env_remove("ASYNCIFY_CC_SJLJ").output().unwrap()
    };
    // Lowered setjmp only: early returns (no Asyncify pass), and the program runs as natively.
    ok(build(&setjmp, &[], "lowered.wasm"), "lowered setjmp link");
    assert!(!has_asyncify(&s.path("lowered.wasm")));
    // Capture setjmp or contexts can rewind: full Asyncify.
    ok(build(&setjmp, &["--asyncify-sjlj=capture"], "capture.wasm"), "capture setjmp link");
    assert!(has_asyncify(&s.path("capture.wasm")));
    ok(build(&context, &[], "context.wasm"), "ucontext link");
    assert!(has_asyncify(&s.path("context.wasm")));
    // The override, both ways; the two lowered builds behave the same.
    ok(build(&setjmp, &["--asyncify-unwind=asyncify"], "full.wasm"), "forced full Asyncify");
    assert!(has_asyncify(&s.path("full.wasm")));
    let (a, b) = (run(&s.0, "lowered.wasm", &[]), run(&s.0, "full.wasm", &[]));
    assert_eq!((a.status.code(), &a.stdout), (b.status.code(), &b.stdout));
    assert!(!a.stdout.is_empty());
    // Early returns forced on a program that can rewind: refused, one line, no output left.
    let o = build(&context, &["--asyncify-unwind=early-return"], "refused.wasm");
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.lines().count() == 1 && err.contains("early-return is not possible"), "{err}");
    assert!(!s.path("refused.wasm").exists());
}

#[test]
fn link_stack_size_default_and_override() {
    require_runtime();
    let s = Scratch::new("asyncify-rt-driver", "stack-size");
    s.write("hello.c", HELLO);
    ok(cc(&s.0, &["hello.c", "-o", "big.wasm"]), "default stack");
    ok(cc(&s.0, &["hello.c", "-o", "small.wasm", "-Wl,-z,stack-size=65536"]), "own stack size");
    let sp = |name: &str| -> i64 {
        let bytes = std::fs::read(s.path(name)).unwrap();
        for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
            if let wasmparser::Payload::GlobalSection(r) = payload.unwrap() {
                let g = r.into_iter().next().expect("a global").unwrap();
                let mut ops = g.init_expr.get_operators_reader();
                if let wasmparser::Operator::I32Const { value } = ops.read().unwrap() {
                    return value as i64;
                }
            }
        }
        panic!("no __stack_pointer initialiser in {name}");
    };
    let big = sp("big.wasm");
    let small = sp("small.wasm");
    assert!(big >= 8 << 20, "default stack pointer {big}");
    assert!(small <= 1 << 20, "stack pointer with -z stack-size=65536: {small}");
}

#[test]
fn link_compile_error_leaves_no_program() {
    require_runtime();
    let s = Scratch::new("asyncify-rt-driver", "link-error");
    s.write("bad.c", BAD);
    s.write("bad.wasm", "stale program from an earlier build");
    s.write("bad.wasm.pre-asyncify.wasm", "stale module from an earlier build");
    let o = cc(&s.0, &["bad.c", "-o", "bad.wasm"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("undeclared_thing"), "{}", text(&o.stderr));
    assert!(!s.path("bad.wasm").exists(), "stale bad.wasm left after a failed build");
    assert!(!s.path("bad.wasm.pre-asyncify.wasm").exists(), "stale module left after a failed build");
    // An unresolved symbol fails in the linker.
    s.write("undef.c", "int nowhere(void); int main(void) { return nowhere(); }\n");
    let o = cc(&s.0, &["undef.c", "-o", "undef.wasm"]);
    assert!(!o.status.success());
    assert!(!s.path("undef.wasm").exists());
}

#[test]
fn missing_runtime_library_leaves_no_program() {
    let s = Scratch::new("asyncify-rt-driver", "no-runtime");
    s.write("hello.c", HELLO);
    s.write("hello.wasm", "stale program");
    let o = cc_cmd(&s.0, &["hello.c", "-o", "hello.wasm"])
        .env("ASYNCIFY_RT_LIB", s.path("nowhere/libasyncify_rt.a"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    assert!(err.contains("ASYNCIFY_RT_LIB"), "{err}");
    assert!(!s.path("hello.wasm").exists(), "stale program left although the runtime is missing");
}

#[test]
fn link_wasm_opt_failure_leaves_no_program() {
    require_runtime();
    let s = Scratch::new("asyncify-rt-driver", "wasm-opt-fails");
    s.write("hello.c", HELLO);
    let o = cc_cmd(&s.0, &["hello.c", "-o", "hello.wasm"])
        .env("ASYNCIFY_CC_EXTRA_WASM_OPT_ARGS", "--no-such-wasm-opt-option")
        .output()
        .unwrap();
    assert!(!o.status.success(), "wasm-opt accepted a bogus option?");
    assert!(!s.path("hello.wasm").exists());
    assert!(!s.path("hello.wasm.pre-asyncify.wasm").exists());
}

#[test]
fn link_trap_is_reported_with_status_134() {
    require_runtime();
    let s = Scratch::new("asyncify-rt-driver", "trap");
    s.write(
        "trap.c",
        "#include <stdio.h>\n__attribute__((noinline)) static void boom(void) { __builtin_trap(); }\n\
         int main(void) { puts(\"before\"); fflush(stdout); boom(); return 0; }\n",
    );
    ok(cc(&s.0, &["-g", "trap.c", "-o", "trap.wasm"]), "link trap.c");
    let o = run(&s.0, "trap.wasm", &[]);
    assert_eq!(o.status.code(), Some(134));
    assert_eq!(text(&o.stdout), "before\n");
    let err = text(&o.stderr);
    assert!(err.starts_with("asyncify-run: trap: "), "{err}");
    assert!(err.contains("unreachable"), "{err}");
}

#[test]
fn link_makefile_project_with_static_library() {
    require_runtime();
    let s = Scratch::new("asyncify-rt-driver", "make");
    s.write("util.h", "int triple(int x);\nint count(const char *s);\n");
    s.write("triple.c", "#include \"util.h\"\nint triple(int x) { return 3 * x; }\n");
    s.write("count.c", "#include <string.h>\n#include \"util.h\"\nint count(const char *s) { return (int)strlen(s); }\n");
    s.write(
        "main.c",
        "#include <stdio.h>\n#include <math.h>\n#include \"util.h\"\n\
         int main(int argc, char **argv) {\n\
           printf(\"%d %d %.1f\\n\", triple(argc), count(argv[argc - 1]), sqrt(16.0 * argc));\n\
           return triple(argc) - 3;\n}\n",
    );
    s.write(
        "Makefile",
        "CFLAGS = -O2 -Wall -Werror\nOBJS = triple.o count.o\n\n\
         prog.wasm: main.o libutil.a\n\t$(CC) $(CFLAGS) -o $@ main.o -L. -lutil -lm\n\n\
         libutil.a: $(OBJS)\n\t$(AR) rcs $@ $(OBJS)\n\n\
         %.o: %.c util.h\n\t$(CC) $(CFLAGS) -c -o $@ $<\n",
    );
    let mut make = Command::new("make");
    make.current_dir(&s.0).arg(format!("CC={CC}")).arg("AR=llvm-ar-22");
    for v in TOOL_VARS {
        make.env_remove(v);
    }
    let o = make.output().expect("run make");
    assert!(o.status.success(), "make failed:\n{}\n{}", text(&o.stdout), text(&o.stderr));
    let o = run(&s.0, "prog.wasm", &["abcd"]);
    assert_eq!(text(&o.stdout), "6 4 5.7\n");
    assert_eq!(o.status.code(), Some(3));
    let o = node(&s.0, "prog.wasm", &[]);
    assert_eq!(text(&o.stdout), "3 9 4.0\n");
    assert_eq!(o.status.code(), Some(0));
    // Nothing to do the second time: the outputs are up to date.
    let mut again = Command::new("make");
    again.current_dir(&s.0).arg(format!("CC={CC}")).arg("AR=llvm-ar-22").arg("-q");
    assert_eq!(again.status().unwrap().code(), Some(0), "make -q: prog.wasm should be up to date");
}
