//! Lua 5.4 on WASI: each script in `examples/lua/scripts/` must behave the same when run by
//! the WASI build of `examples/lua/lua_run.c` (linked with asyncify-rt by `asyncify-cc`, run by
//! `asyncify-run`) as by a native build of the same sources (gcc, glibc's setjmp/longjmp).
//!
//! * `script::<name>::{o2,wamr}`: `<name>.lua` under wasmtime and under WAMR, differential: the same stdout, stderr and exit status;
//!   the native run itself must fail (exit 1) for the `uncaught_*` scripts and succeed otherwise.
//! * `every_script_is_tested`: each script in the directory is a case here.
//!
//! Nothing is hard-coded: for every script the expected stdout, stderr and exit status are those
//! of the native run. Both builds are made once per test binary, at -O2, under
//! `CARGO_TARGET_TMPDIR`. The Lua C sources are those of the `lua-src` dev-dependency (found with
//! `cargo metadata`; `LUA_SRC_DIR=<dir with lua.h>` overrides). Needs `gcc` on PATH.

#[macro_use]
mod common;

use common::crates::{lua_sources, lua_src_dir, LUA_DEFINES, LUA_WASI_DEFINES};
use common::{build_step, Build, Case};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// lua_run built natively and for WASI.
struct Builds {
    native: PathBuf,
    wasm: PathBuf,
}

static BUILDS: OnceLock<Result<Builds, String>> = OnceLock::new();

/// Both builds, made on the first call.
fn builds() -> Result<&'static Builds, String> {
    BUILDS.get_or_init(build_both).as_ref().map_err(|e| format!("building Lua failed:\n{e}"))
}

fn example_dir() -> PathBuf {
    common::manifest_dir().join("examples/lua")
}

fn scripts_dir() -> PathBuf {
    example_dir().join("scripts")
}

/// `gcc -O2` and `asyncify-cc -O2` of the driver and Lua's sources, side by side.
fn build_both() -> Result<Builds, String> {
    let src = lua_src_dir()?;
    let sources = lua_sources(&src)?;
    let driver = example_dir().join("lua_run.c");
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("lua-{}{}", common::sjlj_strategy().name(), common::toolchain_tag()));
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let native = out.join("lua_run");
    let wasm = out.join("lua_run.wasm");
    let include = format!("-I{}", src.display());

    let mut gcc = Command::new("gcc");
    gcc.arg("-O2").args(LUA_DEFINES).arg(&include).arg(&driver).args(&sources).arg("-o").arg(&native).arg("-lm");
    let mut acc = Command::new(common::asyncify_cc());
    acc.arg("-O2").args(LUA_DEFINES).args(LUA_WASI_DEFINES).arg(&include).arg(&driver).args(&sources);
    acc.arg("-o").arg(&wasm);

    let (n, w) = std::thread::scope(|s| {
        let n = s.spawn(|| build_step(gcc, "native build (gcc)", &native));
        let w = s.spawn(|| build_step(acc, "WASI build (asyncify-cc)", &wasm));
        (n.join().unwrap(), w.join().unwrap())
    });
    Ok(Builds { native: n?, wasm: w? })
}

/// `<name>.lua`, run from the scripts directory (the guest sees it preopened as "."), so chunk
/// names and error positions are the same in both runs.
fn script(name: &str) -> Case {
    let native = Build::once_at("-O2", || Ok(builds()?.native.clone()));
    let wasm = Build::once_at("-O2", || Ok(builds()?.wasm.clone()));
    Case::built(&format!("lua/{name}"), Some(native), wasm)
        .args(&[&format!("{name}.lua")])
        .run_in(scripts_dir())
        .same_stderr()
        // Sanity of the reference itself: scripts named uncaught_* must fail, the others succeed.
        .native_status(if name.starts_with("uncaught_") { 1 } else { 0 })
}

c_tests! {
    script [o2, wamr] {
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
    }
}

/// Every script in the directory is a case (and every case a script).
#[test]
fn every_script_is_tested() {
    let mut listed: Vec<String> = script::CASES.iter().map(|c| format!("{c}.lua")).collect();
    listed.sort();
    let dir = scripts_dir();
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".lua"))
        .collect();
    found.sort();
    assert_eq!(found, listed, "tests/lua.rs must list exactly the scripts in examples/lua/scripts");
}
