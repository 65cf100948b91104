//! Lua 5.4 on WASI: each script in `examples/lua/scripts/` must behave the same when run by
//! the WASI build of `examples/lua/lua_run.c` (linked with asyncify-rt by `asyncify-cc`, run by
//! `asyncify-run`) as by a native build of the same sources (gcc, glibc's setjmp/longjmp).
//!
//! Nothing is hard-coded: for every script the expected stdout, stderr and exit status are those
//! of the native run. Both builds are made once per test binary, under `CARGO_TARGET_TMPDIR`.
//! The Lua C sources are those of the `lua-src` dev-dependency (found with `cargo metadata`;
//! `LUA_SRC_DIR=<dir with lua.h>` overrides). Needs `gcc` on PATH.

#[path = "common/crates.rs"]
#[allow(dead_code)]
mod crates;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Preprocessor flags of both builds. LUA_USE_POSIX selects `_setjmp`/`_longjmp` in ldo.c.
const LUA_DEFINES: &[&str] = &["-DLUA_USE_POSIX"];
/// Extra flags for WASI only: lstate.h includes <signal.h> (for `sig_atomic_t`), which
/// wasi-libc hides unless the signal emulation is requested. No emulation function is used,
/// so no `-lwasi-emulated-signal` is needed.
const WASI_EXTRA: &[&str] = &["-D_WASI_EMULATED_SIGNAL"];
/// A run that takes longer than this is a failure (a hang in the runtime, say).
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

struct Builds {
    native: PathBuf,
    wasm: PathBuf,
    scripts: PathBuf,
    out: PathBuf,
}

static BUILDS: OnceLock<Result<Builds, String>> = OnceLock::new();

fn builds() -> &'static Builds {
    match BUILDS.get_or_init(build_both) {
        Ok(b) => b,
        Err(e) => panic!("building Lua failed:\n{e}"),
    }
}

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lua")
}


/// The Lua library sources (every .c file of the directory; lua-src ships no lua.c/luac.c).
fn lua_sources(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .filter(|p| {
            !matches!(
                p.file_name().unwrap().to_str(),
                Some("lua.c" | "luac.c" | "onelua.c")
            )
        })
        .collect();
    v.sort();
    if !v.iter().any(|p| p.ends_with("ldo.c")) {
        return Err(format!(
            "{} does not look like Lua's sources",
            dir.display()
        ));
    }
    Ok(v)
}

fn run_build(mut cmd: Command, what: &str) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot run {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}): {cmd:?}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

fn build_both() -> Result<Builds, String> {
    let src = crates::lua_src_dir()?;
    let sources = lua_sources(&src)?;
    let driver = example_dir().join("lua_run.c");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("lua-{}", std::env::var("ASYNCIFY_CC_SJLJ").unwrap_or_else(|_| "default".into())));
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let native = out.join("lua_run");
    let wasm = out.join("lua_run.wasm");
    let include = format!("-I{}", src.display());

    let mut gcc = Command::new("gcc");
    gcc.arg("-O2")
        .args(LUA_DEFINES)
        .arg(&include)
        .arg(&driver)
        .args(&sources);
    gcc.arg("-o").arg(&native).arg("-lm");

    let mut acc = Command::new(env!("CARGO_BIN_EXE_asyncify-cc"));
    acc.arg("-O2")
        .args(LUA_DEFINES)
        .args(WASI_EXTRA)
        .arg(&include)
        .arg(&driver)
        .args(&sources);
    acc.arg("-o").arg(&wasm);

    // The two builds are independent: run them side by side.
    let (n, w) = std::thread::scope(|s| {
        let n = s.spawn(|| run_build(gcc, "native build (gcc)"));
        let w = s.spawn(|| run_build(acc, "WASI build (asyncify-cc)"));
        (n.join().unwrap(), w.join().unwrap())
    });
    n?;
    w?;
    Ok(Builds {
        native,
        wasm,
        scripts: example_dir().join("scripts"),
        out,
    })
}

/// What a run produced.
#[derive(Debug)]
struct Outcome {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `cmd` with stdout/stderr in files named after `tag`, killing it after RUN_TIMEOUT.
fn run(mut cmd: Command, tag: &str) -> Outcome {
    let b = builds();
    let (o, e) = (
        b.out.join(format!("{tag}.stdout")),
        b.out.join(format!("{tag}.stderr")),
    );
    cmd.stdin(Stdio::null())
        .stdout(std::fs::File::create(&o).unwrap())
        .stderr(std::fs::File::create(&e).unwrap());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|err| panic!("cannot run {cmd:?}: {err}"));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{tag}: {cmd:?} did not finish within {RUN_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Outcome {
        status: status.code(),
        stdout: String::from_utf8_lossy(&std::fs::read(&o).unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&std::fs::read(&e).unwrap()).into_owned(),
    }
}

/// Runs `script` natively and under asyncify-run, from the scripts directory (the guest sees
/// it preopened as "."), so chunk names and error positions are the same in both.
fn run_both(script: &str) -> (Outcome, Outcome) {
    let b = builds();
    let mut native = Command::new(&b.native);
    native.arg(script).current_dir(&b.scripts);
    let mut wasi = Command::new(env!("CARGO_BIN_EXE_asyncify-run"));
    wasi.arg("--dir")
        .arg(format!("{}::.", b.scripts.display()))
        .arg(&b.wasm)
        .arg(script)
        .current_dir(&b.scripts);
    let stem = script.trim_end_matches(".lua");
    (
        run(native, &format!("{stem}.native")),
        run(wasi, &format!("{stem}.wasi")),
    )
}

/// The first line of the text where the two outputs differ, with a little context.
fn first_difference(a: &str, b: &str) -> String {
    let (al, bl): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    for i in 0..al.len().max(bl.len()) {
        if al.get(i) != bl.get(i) {
            return format!(
                "line {}:\n  native: {:?}\n  wasi:   {:?}",
                i + 1,
                al.get(i).unwrap_or(&"<end of output>"),
                bl.get(i).unwrap_or(&"<end of output>")
            );
        }
    }
    "only in line endings / trailing newline".into()
}

fn check(script: &str) {
    let (native, wasi) = run_both(script);
    // Sanity of the reference itself: scripts named uncaught_* must fail, the others succeed.
    let expect_failure = script.starts_with("uncaught_");
    assert_eq!(
        native.status,
        Some(if expect_failure { 1 } else { 0 }),
        "native run of {script} itself misbehaved; stderr:\n{}",
        native.stderr
    );
    assert!(
        wasi.stdout == native.stdout,
        "{script}: stdout differs, first at {}\nWASI stderr:\n{}",
        first_difference(&native.stdout, &wasi.stdout),
        wasi.stderr
    );
    assert_eq!(
        wasi.status, native.status,
        "{script}: exit status differs; WASI stderr:\n{}",
        wasi.stderr
    );
    assert_eq!(
        wasi.stderr.lines().next(),
        native.stderr.lines().next(),
        "{script}: first line of stderr differs; WASI stderr:\n{}",
        wasi.stderr
    );
    // The whole report (message and traceback) is deterministic too.
    assert!(
        wasi.stderr == native.stderr,
        "{script}: stderr differs, first at {}",
        first_difference(&native.stderr, &wasi.stderr)
    );
}

macro_rules! lua_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(concat!(stringify!($name), ".lua"));
            }
        )*
        /// Every script in the directory has a test above (and every test a script).
        #[test]
        fn every_script_is_tested() {
            let mut listed = vec![$(concat!(stringify!($name), ".lua")),*];
            listed.sort();
            let mut found: Vec<String> = std::fs::read_dir(example_dir().join("scripts"))
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".lua"))
                .collect();
            found.sort();
            assert_eq!(found, listed, "tests/lua.rs must list exactly the scripts in examples/lua/scripts");
        }
    };
}

lua_tests!(
    coroutines,
    deep_pcall,
    error_objects,
    error_values,
    lib_errors,
    metamethods,
    stack_overflow,
    uncaught_error,
    uncaught_syntax,
    uncaught_table,
    vm_and_syntax_errors,
    xpcall_traceback,
);
