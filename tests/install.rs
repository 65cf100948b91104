//! The installed, relocatable prefix (`scripts/install.sh`, issue 11 part 1), tested the way a
//! user meets it: install into a temporary prefix, *move* the prefix, then use only the moved
//! copy:
//!
//! 1. `bin/asyncify-cc` compiles a setjmp program that `bin/asyncify-run` runs with the same
//!    stdout and exit status as the native (gcc + glibc) build; `--print-config` names the moved
//!    prefix and `ASYNCIFY_RT_*` still override it;
//! 2. a small CMake project (`add_executable` of a setjmp program) configured with
//!    `-DCMAKE_TOOLCHAIN_FILE=<moved>/share/cmake/asyncify-rt.cmake` builds a `.wasm` whose run
//!    matches the native build's;
//! 3. `pkg-config --cflags --libs asyncify-rt` with `PKG_CONFIG_PATH=<moved>/lib/pkgconfig`
//!    gives paths inside the moved prefix that exist, and those flags link a setjmp program by
//!    hand with plain clang (then `wasm-opt --asyncify`) that runs like the native build;
//! 4. the sysroot choices (`WASI_SDK_PATH`, `--sysroot`) make the prefix's sysroot that one and
//!    build working programs; misuse of the script ends with one `install.sh: ` line, exit 2.
//!
//! The script installs the tools cargo built for this test run (`--no-build`). Needs bash,
//! clang-22, wasm-ld, wasm-opt, llvm-ar-22, gcc, wasi-libc, cmake and pkg-config (all installed
//! by `scripts/setup.sh`); a missing one fails the test with a message naming it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CC: &str = env!("CARGO_BIN_EXE_asyncify-cc");
const REPO: &str = env!("CARGO_MANIFEST_DIR");

#[path = "common/tool_tests.rs"]
mod tool_tests;
use tool_tests::{Scratch, TOOL_VARS};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `program` with the tool variables removed.
fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut c = Command::new(program);
    for v in TOOL_VARS {
        c.env_remove(v);
    }
    c
}

/// Runs `c`; panics naming `what` when it cannot be started, and the Debian package `package`
/// that provides it unless `package` is empty (our own tools).
fn run(c: &mut Command, what: &str, package: &str) -> Output {
    match c.output() {
        Ok(o) => o,
        Err(e) if package.is_empty() => panic!("{what}: cannot run {:?}: {e}", c.get_program()),
        Err(e) => panic!(
            "{what}: cannot run {:?}: {e} (install the Debian package {package}, or run scripts/setup.sh)",
            c.get_program()
        ),
    }
}

/// Panics with `what`, stdout and stderr unless `o` succeeded.
fn ok(o: Output, what: &str) -> Output {
    assert!(o.status.success(), "{what} failed ({}):\n{}\n{}", o.status, text(&o.stdout), text(&o.stderr));
    o
}

/// `bash scripts/install.sh --no-build <args>` with the tools of this test run (the script takes
/// them from `CARGO_TARGET_DIR/release`).
fn install_sh(args: &[&std::ffi::OsStr]) -> Command {
    let mut c = command("bash");
    c.arg(Path::new(REPO).join("scripts/install.sh")).args(args).arg("--no-build");
    let release = Path::new(CC).parent().unwrap();
    c.env("CARGO_TARGET_DIR", release.parent().unwrap());
    c
}

/// Installs into `<scratch>/installed` with `scripts/install.sh --no-build`, moves it to
/// `<scratch>/moved/prefix`, checks that the old path is gone, and returns (the moved prefix, the
/// path it was installed at).
fn install_and_move(s: &Scratch) -> (PathBuf, PathBuf) {
    let first = s.0.join("installed");
    ok(run(&mut install_sh(&["--prefix".as_ref(), first.as_ref()]), "install.sh", "bash"), "scripts/install.sh --prefix");
    let moved = s.0.join("moved/prefix");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&first, &moved).expect("move the prefix");
    assert!(!first.exists());
    (moved, first)
}

/// Builds `source` natively with gcc and runs it: (stdout, exit status).
fn native(s: &Scratch, source: &Path) -> (String, Option<i32>) {
    let exe = s.0.join("native.exe");
    let mut c = command("gcc");
    c.args(["-std=gnu11", "-O1", "-w"]).arg(source).arg("-o").arg(&exe);
    ok(run(&mut c, "gcc", "gcc"), "native gcc build");
    let o = run(&mut command(&exe), "native run", "gcc");
    (text(&o.stdout), o.status.code())
}

/// Runs `wasm` with the prefix's `asyncify-run`: (stdout, exit status).
fn run_wasm(prefix: &Path, wasm: &Path) -> (String, Option<i32>) {
    let o = run(command(prefix.join("bin/asyncify-run")).arg(wasm), "asyncify-run", "");
    (text(&o.stdout), o.status.code())
}

/// The `key: value` lines of `--print-config`.
fn config(o: &Output) -> Vec<(String, String)> {
    text(&o.stdout)
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

fn get(lines: &[(String, String)], key: &str) -> String {
    lines.iter().find(|(k, _)| k == key).unwrap_or_else(|| panic!("no {key} line in {lines:?}")).1.clone()
}

/// Checks that the commands asyncify-cc printed (`ASYNCIFY_CC_VERBOSE=1`) use the prefix's
/// headers, library and sysroot.
fn assert_uses_prefix(commands: &str, prefix: &Path) {
    for p in ["include/asyncify-rt", "lib/wasm32-wasip1/libasyncify_rt.a", "share/asyncify-rt/sysroot"] {
        let p = prefix.join(p).display().to_string();
        assert!(commands.contains(&p), "the commands do not use {p}:\n{commands}");
    }
}

#[test]
fn moved_prefix_compiles_and_runs_setjmp_program() {
    let s = Scratch::new("install", "cc");
    let (prefix, _) = install_and_move(&s);
    let cc = prefix.join("bin/asyncify-cc");

    // The moved driver describes itself truthfully: everything under the moved prefix.
    let o = ok(run(command(&cc).arg("--print-config"), "print-config", ""), "moved --print-config");
    let lines = config(&o);
    assert_eq!(get(&lines, "layout"), format!("installed {}", prefix.display()));
    assert_eq!(get(&lines, "include"), prefix.join("include/asyncify-rt").display().to_string());
    assert_eq!(get(&lines, "lib"), prefix.join("lib/wasm32-wasip1/libasyncify_rt.a").display().to_string());
    assert_eq!(get(&lines, "sysroot"), prefix.join("share/asyncify-rt/sysroot").display().to_string());
    assert!(prefix.join("include/asyncify-rt/setjmp.h").is_file());
    // An override still wins over the prefix (and is checked: this directory has no setjmp.h).
    let o = run(command(&cc).arg("--print-config").env("ASYNCIFY_RT_INCLUDE", &s.0), "print-config", "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert_eq!(get(&config(&o), "include"), s.0.display().to_string());

    // A setjmp program, compiled and linked by the moved driver, run by the moved runner.
    let source = Path::new(REPO).join("tests/c/setjmp/try_catch.c");
    let wasm = s.0.join("try_catch.wasm");
    let mut c = command(&cc);
    c.args(["-O2", "-std=gnu11", "-w"]).arg(&source).arg("-o").arg(&wasm).current_dir(&s.0);
    c.env("ASYNCIFY_CC_VERBOSE", "1");
    let o = ok(run(&mut c, "moved asyncify-cc", ""), "moved asyncify-cc build");
    assert_uses_prefix(&text(&o.stderr), &prefix);
    let expected = native(&s, &source);
    assert!(expected.0.lines().count() > 5, "native output too short to compare: {:?}", expected);
    assert_eq!(run_wasm(&prefix, &wasm), expected);
}

#[test]
fn moved_prefix_cmake_toolchain_builds_setjmp_program() {
    let s = Scratch::new("install", "cmake");
    let (prefix, _) = install_and_move(&s);
    let project = s.0.join("project");
    std::fs::create_dir_all(&project).unwrap();
    let source = Path::new(REPO).join("tests/c/setjmp/nested_envs_outer.c");
    std::fs::copy(&source, project.join("main.c")).unwrap();
    std::fs::write(
        project.join("CMakeLists.txt"),
        "cmake_minimum_required(VERSION 3.13)\nproject(sjlj C)\nadd_executable(sjlj main.c)\n",
    )
    .unwrap();
    let build = s.0.join("build");
    let mut c = command("cmake");
    c.arg("-S").arg(&project).arg("-B").arg(&build).arg("-DCMAKE_BUILD_TYPE=Release");
    c.arg(format!("-DCMAKE_TOOLCHAIN_FILE={}", prefix.join("share/cmake/asyncify-rt.cmake").display()));
    let o = ok(run(&mut c, "cmake configure", "cmake"), "cmake configure with the toolchain file");
    // CMake knows the system and uses the moved driver.
    let driver = format!("\"{}\"", prefix.join("bin/asyncify-cc").display());
    let uses_driver = std::fs::read_dir(build.join("CMakeFiles")).unwrap().flatten().any(|d| {
        std::fs::read_to_string(d.path().join("CMakeCCompiler.cmake")).is_ok_and(|t| t.contains(&driver))
    });
    assert!(uses_driver, "CMake does not use the moved asyncify-cc {driver}:\n{}", text(&o.stdout));
    assert!(!text(&o.stderr).contains("System is unknown to cmake"), "{}", text(&o.stderr));
    let mut c = command("cmake");
    c.arg("--build").arg(&build).env("ASYNCIFY_CC_VERBOSE", "1");
    let o = ok(run(&mut c, "cmake --build", "cmake"), "cmake --build");
    assert_uses_prefix(&text(&o.stderr), &prefix);
    let wasm = build.join("sjlj.wasm");
    assert!(wasm.is_file(), "no {} (CMAKE_EXECUTABLE_SUFFIX)", wasm.display());
    let expected = native(&s, &source);
    assert!(expected.0.lines().count() > 3, "native output too short to compare: {:?}", expected);
    assert_eq!(run_wasm(&prefix, &wasm), expected);
}

#[test]
fn moved_prefix_pkg_config_paths_are_inside_it() {
    let s = Scratch::new("install", "pkgconfig");
    let (prefix, first) = install_and_move(&s);
    let mut c = command("pkg-config");
    c.args(["--cflags", "--libs", "asyncify-rt"]).env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"));
    c.env_remove("PKG_CONFIG_LIBDIR").env_remove("PKG_CONFIG_SYSROOT_DIR");
    let o = ok(run(&mut c, "pkg-config", "pkg-config"), "pkg-config --cflags --libs asyncify-rt");
    let flags: Vec<String> = text(&o.stdout).split_whitespace().map(String::from).collect();
    let path_after = |flag: &str| -> PathBuf {
        let i = flags.iter().position(|f| f == flag || (f.starts_with(flag) && flag == "-L")).unwrap_or_else(|| panic!("no {flag} in {flags:?}"));
        let p = if flags[i] == flag { flags[i + 1].clone() } else { flags[i][flag.len()..].to_string() };
        std::fs::canonicalize(&p).unwrap_or_else(|e| panic!("{flag} {p}: {e}"))
    };
    let include = path_after("-isystem");
    let libdir = path_after("-L");
    for p in [&include, &libdir] {
        assert!(p.starts_with(&prefix), "{} is not inside the moved prefix {}", p.display(), prefix.display());
    }
    assert!(include.join("setjmp.h").is_file(), "{}", include.display());
    assert!(libdir.join("libasyncify_rt.a").is_file(), "{}", libdir.display());
    assert!(flags.contains(&"-lasyncify_rt".to_string()), "{flags:?}");
    // The flags link a program by hand with plain clang (capture strategy, as the .pc file
    // says), which runs like the native build after the wasm-opt --asyncify step.
    let source = Path::new(REPO).join("tests/c/setjmp/try_catch.c");
    let pre = s.0.join("pre.wasm");
    let wasm = s.0.join("by_hand.wasm");
    let mut c = command("clang-22");
    c.arg("--target=wasm32-wasip1").arg(format!("--sysroot={}", prefix.join("share/asyncify-rt/sysroot").display()));
    c.args(["-O2", "-w"]).arg(&source).args(&flags).args(["--no-wasm-opt", "-o"]).arg(&pre);
    ok(run(&mut c, "clang-22", "clang-22"), "clang-22 with pkg-config's flags");
    let mut c = command("wasm-opt");
    c.arg(&pre).args(["--asyncify", "--pass-arg=asyncify-ignore-imports", "-O2", "-o"]).arg(&wasm);
    ok(run(&mut c, "wasm-opt", "binaryen"), "wasm-opt --asyncify");
    assert_eq!(run_wasm(&prefix, &wasm), native(&s, &source));

    // The file never names where the prefix was installed, nor does the toolchain file.
    for f in ["lib/pkgconfig/asyncify-rt.pc", "share/cmake/asyncify-rt.cmake"] {
        let t = std::fs::read_to_string(prefix.join(f)).unwrap();
        assert!(!t.contains(first.to_str().unwrap()), "{f} names the install path:\n{t}");
    }
}

#[test]
fn sysroot_choices_wasi_sdk_path_sysroot_and_errors() {
    let s = Scratch::new("install", "sysroot");
    // A wasi-sdk-style prefix: share/wasi-sysroot/{include,lib}/wasm32-wasip1 (here over Debian's
    // wasi-libc, which is what this machine has).
    let sdk = s.0.join("wasi-sdk");
    let sysroot = sdk.join("share/wasi-sysroot");
    for d in ["include", "lib"] {
        std::fs::create_dir_all(sysroot.join(d)).unwrap();
        let debian = Path::new("/usr").join(d).join("wasm32-wasi");
        assert!(debian.is_dir(), "{} missing: install the Debian package wasi-libc", debian.display());
        std::os::unix::fs::symlink(&debian, sysroot.join(d).join("wasm32-wasip1")).unwrap();
    }
    let source = Path::new(REPO).join("tests/c/setjmp/longjmp_values.c");
    let expected = native(&s, &source);
    for (name, how) in [("sdk", "WASI_SDK_PATH"), ("explicit", "--sysroot")] {
        let prefix = s.0.join(name);
        let mut c = install_sh(&["--prefix".as_ref(), prefix.as_ref()]);
        if how == "WASI_SDK_PATH" {
            c.env("WASI_SDK_PATH", &sdk);
        } else {
            c.arg("--sysroot").arg(&sysroot);
        }
        ok(run(&mut c, "install.sh", "bash"), how);
        // The prefix's sysroot is the chosen one, and a program built with it runs.
        let link = prefix.join("share/asyncify-rt/sysroot");
        assert_eq!(std::fs::read_link(&link).unwrap(), sysroot, "{how}");
        let wasm = s.0.join(format!("{name}.wasm"));
        let mut c = command(prefix.join("bin/asyncify-cc"));
        c.args(["-O0", "-w"]).arg(&source).arg("-o").arg(&wasm).env("ASYNCIFY_CC_VERBOSE", "1");
        let o = ok(run(&mut c, "asyncify-cc", ""), how);
        assert_uses_prefix(&text(&o.stderr), &prefix);
        assert_eq!(run_wasm(&prefix, &wasm), expected, "{how}");
    }

    // Errors: one stderr line starting `install.sh: `, exit 2, nothing installed.
    let empty = s.0.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let bad = s.0.join("bad");
    let cases: [(&str, Vec<&std::ffi::OsStr>, &str); 3] = [
        ("no prefix", vec![], "--prefix"),
        ("not a sysroot", vec!["--prefix".as_ref(), bad.as_ref(), "--sysroot".as_ref(), empty.as_ref()], "include/wasm32-wasip1"),
        ("unknown option", vec!["--prefix".as_ref(), bad.as_ref(), "--frobnicate".as_ref()], "--frobnicate"),
    ];
    for (what, args, needle) in cases {
        let o = run(&mut install_sh(&args), "install.sh", "bash");
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        assert!(err.lines().count() == 1 && err.starts_with("install.sh: ") && err.contains(needle), "{what}: {err}");
        assert!(!bad.exists(), "{what}: created {}", bad.display());
    }
}

/// `bash scripts/sysroots.sh path <name>`: a tested sysroot (cached outside the clone; the first
/// run fetches trixie's wasi-libc with apt-get).
fn prepared_sysroot(name: &str) -> PathBuf {
    let mut c = command("bash");
    c.arg(Path::new(REPO).join("scripts/sysroots.sh")).args(["path", name]);
    let o = ok(run(&mut c, "sysroots.sh", "bash"), &format!("scripts/sysroots.sh path {name}"));
    PathBuf::from(text(&o.stdout).trim())
}

/// Copies directory `from` to `to` (`cp -a`: symlinks kept as they are).
fn copy_tree(from: &Path, to: &Path) {
    let mut c = command("cp");
    c.arg("-a").arg(from).arg(to);
    ok(run(&mut c, "cp", "coreutils"), "cp -a");
}

/// Every file under `dir` (symlinks not followed), relative to it, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let t = e.file_type().unwrap();
            if t.is_dir() {
                todo.push(e.path());
            } else {
                out.push(e.path().strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The content of each of `files` under `dir` (a symlink's target for a symlink).
fn contents(dir: &Path, files: &[PathBuf]) -> Vec<Vec<u8>> {
    files
        .iter()
        .map(|f| {
            let p = dir.join(f);
            match std::fs::read_link(&p) {
                Ok(target) => target.into_os_string().into_encoded_bytes(),
                Err(_) => std::fs::read(&p).unwrap(),
            }
        })
        .collect()
}

/// The add-on install into an existing wasi sysroot (a copy of the wasi-sdk-style sysroot made
/// from Debian trixie's wasi-libc, which has its own `setjmp.h` and `libsetjmp.a`):
/// * programs that do not use asyncify-rt build with plain clang byte for byte as before (a
///   stdio program, and a Wasm-EH setjmp program using libc's `setjmp.h` and `-lsetjmp`, whose
///   dependency list still names libc's `setjmp.h`), and the add-on only added files;
/// * a setjmp program built by hand (plain clang with `-isystem <sysroot>/include/wasm32-wasip1/asyncify-rt
///   -lasyncify_rt`, the wraps and the `wasm-opt --asyncify` step; the same paths as the add-on's
///   pkg-config file) and one built by asyncify-cc pointed at the add-on run like native;
/// * misuse of `--sysroot-addon` ends with one `install.sh: ` line, exit 2, nothing written.
#[test]
fn sysroot_addon_keeps_plain_builds_and_links_setjmp_programs() {
    let s = Scratch::new("install", "addon");
    let sysroot = s.0.join("wasi-sysroot");
    copy_tree(&prepared_sysroot("wasi-sdk").join("share/wasi-sysroot"), &sysroot);
    let triple_inc = sysroot.join("include/wasm32-wasip1");
    let triple_lib = sysroot.join("lib/wasm32-wasip1");
    assert!(triple_inc.join("setjmp.h").is_file() && triple_lib.join("libsetjmp.a").is_file(), "not a current wasi-libc");

    // Programs that know nothing of asyncify-rt, built with plain clang-22.
    let plain = s.0.join("plain.c");
    std::fs::write(
        &plain,
        "#include <stdio.h>\n#include <stdlib.h>\nstatic int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }\n\
         int main(void) { int v[] = {3, 1, 2}; qsort(v, 3, sizeof v[0], cmp); printf(\"%d %d %d %g\\n\", v[0], v[1], v[2], strtod(\"2.5\", 0)); return 0; }\n",
    )
    .unwrap();
    let eh = s.0.join("eh.c");
    std::fs::write(
        &eh,
        "#include <setjmp.h>\n#include <stdio.h>\nstatic jmp_buf b;\nstatic void f(int n) { if (n) f(n - 1); else longjmp(b, 5); }\n\
         int main(void) { int r = setjmp(b); printf(\"setjmp %d\\n\", r); if (!r) f(3); return 0; }\n",
    )
    .unwrap();
    let sysroot_arg = format!("--sysroot={}", sysroot.display());
    let builds = |tag: &str| -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let plain_wasm = s.0.join(format!("plain-{tag}.wasm"));
        let mut c = command("clang-22");
        c.args(["--target=wasm32-wasip1", &sysroot_arg, "-O2"]).arg(&plain).arg("-o").arg(&plain_wasm);
        ok(run(&mut c, "clang-22", "clang-22"), "plain clang build of a stdio program");
        out.push(("plain.wasm".to_string(), std::fs::read(&plain_wasm).unwrap()));
        // wasi-libc's own setjmp: its setjmp.h (Wasm EH on) and -lsetjmp.
        let eh_wasm = s.0.join(format!("eh-{tag}.wasm"));
        let mut c = command("clang-22");
        c.args(["--target=wasm32-wasip1", &sysroot_arg, "-O2", "-mllvm", "-wasm-enable-sjlj"]).arg(&eh).arg("-lsetjmp").arg("-o").arg(&eh_wasm);
        ok(run(&mut c, "clang-22", "clang-22"), "plain clang build with libc's setjmp.h and -lsetjmp");
        out.push(("eh.wasm".to_string(), std::fs::read(&eh_wasm).unwrap()));
        let mut c = command("clang-22");
        c.args(["--target=wasm32-wasip1", &sysroot_arg, "-mllvm", "-wasm-enable-sjlj", "-M"]).arg(&eh);
        let deps = ok(run(&mut c, "clang-22", "clang-22"), "clang -M").stdout;
        out.push(("eh.c dependencies".to_string(), deps));
        out
    };
    let before = builds("before");
    let deps = text(&before[2].1);
    assert!(deps.contains(&triple_inc.join("setjmp.h").display().to_string()), "plain clang does not find libc's setjmp.h:\n{deps}");
    let files_before = files_under(&sysroot);
    let contents_before = contents(&sysroot, &files_before);

    ok(run(&mut install_sh(&["--sysroot-addon".as_ref(), sysroot.as_ref()]), "install.sh", "bash"), "install.sh --sysroot-addon");
    let added: Vec<PathBuf> = files_under(&sysroot).into_iter().filter(|f| !files_before.contains(f)).collect();
    let mut expected_added: Vec<PathBuf> = ["asyncify_rt.h", "setjmp.h", "ucontext.h"]
        .iter()
        .map(|h| PathBuf::from("include/wasm32-wasip1/asyncify-rt").join(h))
        .chain(["lib/wasm32-wasip1/libasyncify_rt.a", "lib/wasm32-wasip1/pkgconfig/asyncify-rt.pc"].map(PathBuf::from))
        .collect();
    expected_added.sort();
    assert_eq!(added, expected_added, "files the add-on added");
    // wasi-libc's own files are untouched: same content (symlinks: same target).
    assert!(contents(&sysroot, &files_before) == contents_before, "the add-on changed a file of wasi-libc's");
    let after = builds("after");
    for ((what, a), (_, b)) in before.iter().zip(&after) {
        assert!(a == b, "{what} differs after the add-on install");
    }

    // A setjmp program by hand: the add-on's headers and library, the wraps, then Asyncify.
    let source = Path::new(REPO).join("tests/c/setjmp/try_catch.c");
    let expected = native(&s, &source);
    let addon_inc = triple_inc.join("asyncify-rt");
    let pre = s.0.join("pre.wasm");
    let wasm = s.0.join("by_hand.wasm");
    let mut c = command("clang-22");
    c.args(["--target=wasm32-wasip1", &sysroot_arg, "-O2", "-w", "-isystem"]).arg(&addon_inc).arg(&source);
    c.args(["-lasyncify_rt", "-Wl,--wrap=__original_main", "-Wl,--wrap=__main_void", "--no-wasm-opt", "-o"]).arg(&pre);
    ok(run(&mut c, "clang-22", "clang-22"), "clang-22 with the add-on");
    let mut c = command("wasm-opt");
    c.arg(&pre).args(["--asyncify", "--pass-arg=asyncify-ignore-imports", "-O2", "-o"]).arg(&wasm);
    ok(run(&mut c, "wasm-opt", "binaryen"), "wasm-opt --asyncify");
    let runner = Path::new(CC).with_file_name("asyncify-run");
    let o = run(command(&runner).arg(&wasm), "asyncify-run", "");
    assert_eq!((text(&o.stdout), o.status.code()), expected, "by hand with the add-on");
    // The add-on's pkg-config file gives those same paths.
    let mut c = command("pkg-config");
    c.args(["--cflags", "--libs", "asyncify-rt"]).env("PKG_CONFIG_LIBDIR", triple_lib.join("pkgconfig"));
    c.env_remove("PKG_CONFIG_PATH").env_remove("PKG_CONFIG_SYSROOT_DIR");
    let flags = text(&ok(run(&mut c, "pkg-config", "pkg-config"), "pkg-config with the add-on").stdout);
    let words: Vec<&str> = flags.split_whitespace().collect();
    let isystem = words.iter().position(|w| *w == "-isystem").map(|i| words[i + 1]).expect("-isystem");
    assert_eq!(std::fs::canonicalize(isystem).unwrap(), addon_inc, "{flags}");
    let libdir = words.iter().find_map(|w| w.strip_prefix("-L")).expect("-L");
    assert_eq!(std::fs::canonicalize(libdir).unwrap(), triple_lib, "{flags}");
    for w in ["-lasyncify_rt", "-Wl,--wrap=__original_main", "-Wl,--wrap=__main_void"] {
        assert!(words.contains(&w), "{w} missing: {flags}");
    }

    // asyncify-cc pointed at the sysroot and the add-on (default strategy).
    let wasm = s.0.join("asyncify_cc.wasm");
    let mut c = command(CC);
    c.env("ASYNCIFY_RT_SYSROOT", &sysroot).env("ASYNCIFY_RT_INCLUDE", &addon_inc);
    c.env("ASYNCIFY_RT_LIB", triple_lib.join("libasyncify_rt.a")).env("ASYNCIFY_CC_VERBOSE", "1");
    c.args(["-O2", "-w"]).arg(&source).arg("-o").arg(&wasm);
    let o = ok(run(&mut c, "asyncify-cc", ""), "asyncify-cc with the add-on");
    assert!(text(&o.stderr).contains(&addon_inc.display().to_string()), "{}", text(&o.stderr));
    let o = run(command(&runner).arg(&wasm), "asyncify-run", "");
    assert_eq!((text(&o.stdout), o.status.code()), expected, "asyncify-cc with the add-on");

    // Misuse: one line, exit 2, nothing written.
    let empty = s.0.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let bad = s.0.join("bad");
    let cases: [(&str, Vec<&std::ffi::OsStr>, &str); 3] = [
        ("with --prefix", vec!["--sysroot-addon".as_ref(), empty.as_ref(), "--prefix".as_ref(), bad.as_ref()], "--prefix"),
        ("not a sysroot", vec!["--sysroot-addon".as_ref(), empty.as_ref()], "include/wasm32-wasip1"),
        ("missing", vec!["--sysroot-addon".as_ref(), bad.as_ref()], "not a directory"),
    ];
    for (what, args, needle) in cases {
        let o = run(&mut install_sh(&args), "install.sh", "bash");
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        assert!(err.lines().count() == 1 && err.starts_with("install.sh: ") && err.contains(needle), "{what}: {err}");
        assert!(!bad.exists() && files_under(&empty).is_empty(), "{what}: wrote something");
    }
}
