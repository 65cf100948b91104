//! asyncify-cc against each WASI sysroot the project is tested with (`scripts/sysroots.sh`
//! prepares them, cached outside the clone):
//!
//! * `bookworm`: Debian bookworm's wasi-libc (2022 snapshot), given as `ASYNCIFY_RT_SYSROOT`;
//! * `trixie`: Debian trixie's wasi-libc 0.0~git20241209, which ships its own `setjmp.h` (an
//!   `#error` without Wasm exception handling) and `libsetjmp.a` (defining `__wasm_setjmp` and
//!   `__wasm_setjmp_test`, like the runtime), given as `ASYNCIFY_RT_SYSROOT`;
//! * `wasi-sdk`: a wasi-sdk-style prefix (`share/wasi-sysroot/{include,lib}/wasm32-wasip1/`,
//!   trixie's content) used the way a wasi-sdk user does: `WASI_SDK_PATH=<it> scripts/install.sh
//!   --prefix P`, then `P/bin/asyncify-cc`.
//!
//! What a user sees with each: our `<setjmp.h>` is the one found, no wasi-libc header drags
//! libc's `setjmp.h` into the same translation unit (every header of the libc, through its own
//! `include-all.c`), and libc's `setjmp.h` included after ours by another route is empty; `-lsetjmp`
//! is refused with one line (exit 2) where `libsetjmp.a` really defines the clashing symbols;
//! `--print-config` names the sysroot in use; `int main(void)`, `int main(int, char **)` and a
//! setjmp program run like their native (gcc + glibc) builds in both setjmp strategies. The whole
//! C suites run against each sysroot in CI (`scripts/test.sh`); these tests are the quick check
//! in every `cargo test`.
//!
//! Needs clang-22, wasm-ld, wasm-opt, llvm-nm-22, gcc, wasi-libc (scripts/setup.sh) and, on the
//! first run, network access to a Debian mirror (trixie's wasi-libc is fetched with apt-get).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CC: &str = env!("CARGO_BIN_EXE_asyncify-cc");
const RUN: &str = env!("CARGO_BIN_EXE_asyncify-run");
const REPO: &str = env!("CARGO_MANIFEST_DIR");

#[path = "common/tool_tests.rs"]
mod tool_tests;
use tool_tests::{Scratch, TOOL_VARS};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn output(c: &mut Command, what: &str) -> Output {
    c.output().unwrap_or_else(|e| panic!("{what}: cannot run {:?}: {e} (run scripts/setup.sh)", c.get_program()))
}

fn ok(o: Output, what: &str) -> Output {
    assert!(o.status.success(), "{what} failed ({}):\n{}\n{}", o.status, text(&o.stdout), text(&o.stderr));
    o
}

/// `bash scripts/sysroots.sh path <name>`: the prepared sysroot (or, for `wasi-sdk`, prefix).
fn prepared(name: &str) -> PathBuf {
    let o = ok(
        output(Command::new("bash").arg(Path::new(REPO).join("scripts/sysroots.sh")).args(["path", name]), "sysroots.sh"),
        &format!("scripts/sysroots.sh path {name} (the first run fetches trixie's wasi-libc from a Debian mirror)"),
    );
    PathBuf::from(text(&o.stdout).trim())
}

/// One way of targeting a sysroot: the asyncify-cc to run and the environment to run it with.
struct Toolchain {
    name: &'static str,
    cc: PathBuf,
    env: Vec<(&'static str, OsString)>,
    /// The wasi-libc sysroot behind it (its `include/wasm32-wasip1`, `lib/wasm32-wasip1`).
    sysroot: PathBuf,
}

impl Toolchain {
    fn cmd(&self, dir: &Path) -> Command {
        let mut c = Command::new(&self.cc);
        for v in TOOL_VARS {
            c.env_remove(v);
        }
        c.envs(self.env.iter().map(|(k, v)| (k, v))).current_dir(dir);
        c
    }

    /// The `key: value` lines of `--print-config`.
    fn config(&self, dir: &Path) -> Vec<(String, String)> {
        let o = ok(output(self.cmd(dir).arg("--print-config"), "print-config"), &format!("{}: --print-config", self.name));
        text(&o.stdout).lines().filter_map(|l| l.split_once(": ").map(|(k, v)| (k.into(), v.into()))).collect()
    }
}

fn get(lines: &[(String, String)], key: &str) -> String {
    lines.iter().find(|(k, _)| k == key).unwrap_or_else(|| panic!("no {key} line in {lines:?}")).1.clone()
}

fn via_env(name: &'static str, sysroot: PathBuf) -> Toolchain {
    Toolchain { name, cc: CC.into(), env: vec![("ASYNCIFY_RT_SYSROOT", sysroot.clone().into())], sysroot }
}

/// The wasi-sdk-style prefix, installed into `<scratch>/prefix` with `WASI_SDK_PATH`.
fn via_wasi_sdk(s: &Scratch) -> Toolchain {
    let sdk = prepared("wasi-sdk");
    let prefix = s.0.join("prefix");
    let mut c = Command::new("bash");
    c.arg(Path::new(REPO).join("scripts/install.sh")).arg("--prefix").arg(&prefix).arg("--no-build");
    for v in TOOL_VARS {
        c.env_remove(v);
    }
    c.env("WASI_SDK_PATH", &sdk).env("CARGO_TARGET_DIR", Path::new(CC).parent().unwrap().parent().unwrap());
    ok(output(&mut c, "install.sh"), "WASI_SDK_PATH=<wasi-sdk-style prefix> scripts/install.sh --prefix");
    Toolchain { name: "wasi-sdk", cc: prefix.join("bin/asyncify-cc"), env: Vec::new(), sysroot: sdk.join("share/wasi-sysroot") }
}

/// The three tested sysroots.
fn toolchains(s: &Scratch) -> Vec<Toolchain> {
    vec![via_env("bookworm", prepared("bookworm")), via_env("trixie", prepared("trixie")), via_wasi_sdk(s)]
}

/// The sysroots whose wasi-libc ships `setjmp.h` and `libsetjmp.a` (all but bookworm's).
fn current(s: &Scratch) -> Vec<Toolchain> {
    toolchains(s).into_iter().filter(|t| t.name != "bookworm").collect()
}

#[test]
fn print_config_names_the_sysroot_in_use() {
    let s = Scratch::new("sysroots", "config");
    for t in toolchains(&s) {
        let sysroot = get(&t.config(&s.0), "sysroot");
        let real = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(real(Path::new(&sysroot)), real(&t.sysroot), "{}: --print-config's sysroot", t.name);
    }
}

/// Every header of wasi-libc (its own `include-all.c`) together with ours, in both orders,
/// compiles in both strategies, and the only `setjmp.h` in the translation unit is ours.
#[test]
fn our_setjmp_h_wins_and_no_libc_header_pulls_in_libcs() {
    let s = Scratch::new("sysroots", "headers");
    // The feature macros wasi-libc's headers need to be includable at all (each #errors
    // otherwise, naming the macro).
    let defines = ["-D_ALL_SOURCE", "-D_WASI_EMULATED_MMAN", "-D_WASI_EMULATED_SIGNAL", "-D_WASI_EMULATED_PROCESS_CLOCKS", "-D_WASI_EMULATED_GETPID", "-Wno-#warnings"];
    let ours = "#include <setjmp.h>\n#include <ucontext.h>\n#include <asyncify_rt.h>\n";
    for t in toolchains(&s) {
        let all = std::fs::read_to_string(t.sysroot.join("share/wasm32-wasip1/include-all.c"))
            .unwrap_or_else(|e| panic!("{}: wasi-libc's include-all.c: {e}", t.name));
        assert!(all.lines().filter(|l| l.starts_with("#include")).count() > 100, "{}: include-all.c too short", t.name);
        let include = PathBuf::from(get(&t.config(&s.0), "include"));
        for (order, source) in [("libc first", format!("{all}{ours}")), ("ours first", format!("{ours}{all}"))] {
            let file = s.write("all.c", &source);
            for strategy in ["lowered", "capture"] {
                let what = format!("{} ({order}, {strategy})", t.name);
                let mut c = t.cmd(&s.0);
                c.arg(format!("--asyncify-sjlj={strategy}")).args(defines).args(["-fsyntax-only"]).arg(&file);
                ok(output(&mut c, "asyncify-cc"), &format!("{what}: every libc header with ours"));
            }
            let mut c = t.cmd(&s.0);
            c.args(defines).args(["-M", "-MF", "deps"]).arg(&file);
            ok(output(&mut c, "asyncify-cc"), &format!("{}: -M", t.name));
            let deps = std::fs::read_to_string(s.0.join("deps")).unwrap();
            let setjmp_headers: Vec<&str> =
                deps.split_whitespace().filter(|w| w.ends_with("setjmp.h")).collect();
            assert_eq!(
                setjmp_headers,
                [include.join("setjmp.h").display().to_string()],
                "{} ({order}): the translation unit's setjmp headers",
                t.name
            );
        }
    }
}

/// wasi-libc's `setjmp.h` reached after ours by a route that bypasses the include path (here its
/// full path) is empty: ours defines its include guard. Without ours first, the same inclusion
/// is the `#error` (so the file really is the clashing one).
#[test]
fn libc_setjmp_h_after_ours_is_empty() {
    let s = Scratch::new("sysroots", "guard");
    for t in current(&s) {
        let libc = t.sysroot.join("include/wasm32-wasip1/setjmp.h");
        assert!(libc.is_file(), "{}: {} missing", t.name, libc.display());
        let both = s.write(
            "both.c",
            &format!("#include <setjmp.h>\n#include \"{}\"\nint main(void) {{ jmp_buf b; return setjmp(b); }}\n", libc.display()),
        );
        ok(output(t.cmd(&s.0).args(["-c", "-o", "both.o"]).arg(&both), "asyncify-cc"), &format!("{}: ours, then libc's", t.name));
        let alone = s.write("alone.c", &format!("#include \"{}\"\nint main(void) {{ return 0; }}\n", libc.display()));
        let o = output(t.cmd(&s.0).args(["-c", "-o", "alone.o"]).arg(&alone), "asyncify-cc");
        assert!(!o.status.success() && text(&o.stderr).contains("Exception handling"), "{}: libc's setjmp.h alone should #error:\n{}", t.name, text(&o.stderr));
    }
}

/// Where `libsetjmp.a` really defines the runtime's symbols, `-lsetjmp` (and the archive named as
/// a file) is refused with one line, exit 2, before anything is built.
#[test]
fn lsetjmp_is_refused_where_libsetjmp_exists() {
    let s = Scratch::new("sysroots", "lsetjmp");
    s.write("hello.c", "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n");
    for t in current(&s) {
        let archive = t.sysroot.join("lib/wasm32-wasip1/libsetjmp.a");
        let nm = ok(output(Command::new("llvm-nm-22").arg(&archive), "llvm-nm-22 (Debian package llvm-22)"), "llvm-nm-22");
        for sym in ["T __wasm_setjmp", "T __wasm_setjmp_test"] {
            assert!(text(&nm.stdout).lines().any(|l| l.ends_with(sym)), "{}: {} lacks {sym}:\n{}", t.name, archive.display(), text(&nm.stdout));
        }
        let archive_arg = archive.display().to_string();
        for args in [&["hello.c", "-lsetjmp", "-o", "hello.wasm"][..], &["hello.c", &archive_arg, "-o", "hello.wasm"]] {
            let o = output(t.cmd(&s.0).args(args), "asyncify-cc");
            let err = text(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{} {args:?}: {err}", t.name);
            assert!(err.lines().count() == 1 && err.starts_with("asyncify-cc: ") && err.contains("-lsetjmp"), "{} {args:?}: {err}", t.name);
            assert!(!s.0.join("hello.wasm").exists(), "{} {args:?}: left an output", t.name);
        }
        // The same program without it links.
        ok(output(t.cmd(&s.0).args(["hello.c", "-o", "hello.wasm"]), "asyncify-cc"), &format!("{}: hello", t.name));
        std::fs::remove_file(s.0.join("hello.wasm")).unwrap();
    }
}

/// `int main(void)` (wasi-libc's `_start` -> `__main_void` in current libcs, `__original_main`
/// in the 2022 one), `int main(int, char **)` with arguments and an exit status, and a setjmp
/// program: each runs like its native build, in both strategies, against each sysroot.
#[test]
fn entry_points_and_setjmp_run_like_native() {
    let s = Scratch::new("sysroots", "run");
    let void_main = s.write(
        "void_main.c",
        "#include <stdio.h>\n#include <setjmp.h>\nstatic jmp_buf b;\nstatic void f(int n) { if (n) f(n - 1); else longjmp(b, 7); }\n\
         int main(void) { int r = setjmp(b); printf(\"setjmp %d\\n\", r); if (!r) f(10); return 3; }\n",
    );
    let argv_main = s.write(
        "argv_main.c",
        "#include <stdio.h>\n#include <stdlib.h>\n#include <setjmp.h>\nstatic jmp_buf b;\n\
         int main(int argc, char **argv) { for (int i = 1; i < argc; i++) printf(\"arg %s\\n\", argv[i]);\n\
         volatile int n = 0; if (setjmp(b) < 3) { n++; longjmp(b, n); } printf(\"n %d\\n\", n); exit(argc); }\n",
    );
    let try_catch = Path::new(REPO).join("tests/c/setjmp/try_catch.c");
    let args = ["one", "two words"];
    let mut natives = Vec::new();
    for (i, src) in [&void_main, &argv_main, &try_catch].into_iter().enumerate() {
        let exe = s.0.join(format!("native{i}"));
        ok(output(Command::new("gcc").args(["-std=gnu11", "-O1", "-w"]).arg(src).arg("-o").arg(&exe), "gcc"), "native build");
        let o = output(Command::new(&exe).args(args), "native run");
        natives.push((text(&o.stdout), o.status.code()));
    }
    assert_eq!(natives[0].1, Some(3));
    assert_eq!(natives[1].1, Some(3));
    for t in toolchains(&s) {
        for strategy in ["lowered", "capture"] {
            for (i, src) in [&void_main, &argv_main, &try_catch].into_iter().enumerate() {
                let what = format!("{} {strategy} {}", t.name, src.file_name().unwrap().to_string_lossy());
                let wasm = s.0.join(format!("p{i}.wasm"));
                let mut c = t.cmd(&s.0);
                c.arg(format!("--asyncify-sjlj={strategy}")).args(["-O2", "-std=gnu11", "-w"]).arg(src).arg("-o").arg(&wasm);
                ok(output(&mut c, "asyncify-cc"), &what);
                let o = output(Command::new(RUN).arg(&wasm).args(args), "asyncify-run");
                assert_eq!((text(&o.stdout), o.status.code()), natives[i], "{what}: stderr {}", text(&o.stderr));
            }
        }
    }
}
