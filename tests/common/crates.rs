//! The C sources that come from crates (Lua 5.4 from `lua-src`, Boehm GC from `bdwgc-alloc-sys`,
//! both dev-dependencies): where cargo unpacked them. Shared by the tests (`tests/common`) and the
//! benchmarks (`bench/common`, which includes this file with `#[path]`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The directory of the dependency package `name` (the directory `<name>-<version>` that
/// `cargo metadata` reports for it; cargo downloads it if needed).
#[allow(dead_code, reason = "shared by the tests and benchmarks; not each uses it")]
pub fn package_dir(name: &str) -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(&cargo)
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("running {cargo} metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!("{cargo} metadata failed ({})", out.status));
    }
    let json = String::from_utf8_lossy(&out.stdout);
    // Every package object has "manifest_path":"<path>"; a plain scan avoids a JSON dependency.
    let prefix = format!("{name}-");
    json.split("\"manifest_path\":\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(Path::new)
        .filter_map(Path::parent)
        .find(|d| d.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&prefix)))
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("no {name} package in cargo metadata (is it a dev-dependency?)"))
}

/// Lua 5.4's C source directory: `$LUA_SRC_DIR`, else the newest `lua-5.4*` directory of the
/// `lua-src` package.
#[allow(dead_code, reason = "shared by the tests and benchmarks; not each uses it")]
pub fn lua_src_dir() -> Result<PathBuf, String> {
    if let Some(d) = std::env::var_os("LUA_SRC_DIR") {
        return Ok(PathBuf::from(d));
    }
    let pkg = package_dir("lua-src")?;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&pkg)
        .map_err(|e| format!("{}: {e}", pkg.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("lua-5.4")))
        .collect();
    dirs.sort();
    dirs.pop().ok_or_else(|| format!("no lua-5.4* directory in {}", pkg.display()))
}

/// Lua's library sources in `dir` (every .c file but the stand-alone programs `lua.c`, `luac.c`
/// and `onelua.c`), sorted.
#[allow(dead_code, reason = "shared by the tests and benchmarks; not each uses it")]
pub fn lua_sources(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .filter(|p| !matches!(p.file_name().and_then(|n| n.to_str()), Some("lua.c" | "luac.c" | "onelua.c")))
        .collect();
    v.sort();
    if !v.iter().any(|p| p.ends_with("ldo.c")) {
        return Err(format!("{} has no ldo.c: not Lua's sources", dir.display()));
    }
    Ok(v)
}

/// Lua's preprocessor flags, native and WASI: LUA_USE_POSIX selects `_setjmp`/`_longjmp` in
/// ldo.c.
#[allow(dead_code, reason = "shared by the tests and benchmarks; not each uses it")]
pub const LUA_DEFINES: &[&str] = &["-DLUA_USE_POSIX"];

/// Lua's extra flags for WASI: lstate.h includes <signal.h> (for `sig_atomic_t`), which
/// wasi-libc hides unless the signal emulation is requested. No emulation function is used, so
/// no `-lwasi-emulated-signal` is needed.
#[allow(dead_code, reason = "shared by the tests and benchmarks; not each uses it")]
pub const LUA_WASI_DEFINES: &[&str] = &["-D_WASI_EMULATED_SIGNAL"];
