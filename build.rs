//! Build script of asyncify-rt. It runs in two roles, chosen by the target being built:
//!
//! * **wasm32 (the runtime itself)**: assembles the wasm pieces under `csrc/` with `cc` (clang)
//!   and generates Rust bindings for the public C headers under `include/` with `bindgen`, so the
//!   Rust runtime and C programs agree on every layout (`jmp_buf`, status codes, ...).
//! * **host (the tools and the tests)**: builds the wasm32 runtime by running an inner cargo
//!   (`--target wasm32-wasip1 --lib`, with `-Zbuild-std` when the toolchain has no wasm32 standard
//!   library), makes the symlink sysroot clang needs for `--target=wasm32-wasip1`, and hands
//!   their paths to `asyncify-cc` and the tests as compile-time environment variables
//!   `ASYNCIFY_RT_BUILT_{LIB,SYSROOT,INCLUDE}` (at run time the tools prefer
//!   `ASYNCIFY_RT_{LIB,SYSROOT,INCLUDE}` when set).
//!
//! Set `ASYNCIFY_RT_SKIP_WASM_BUILD=1` to skip the inner build (the tools then need
//! `ASYNCIFY_RT_LIB` at run time).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let target = env::var("TARGET").expect("TARGET");
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    for p in ["build.rs", "Cargo.toml", "src", "csrc", "include"] {
        println!("cargo:rerun-if-changed={p}");
    }
    for v in ["ASYNCIFY_RT_SKIP_WASM_BUILD", "ASYNCIFY_RT_CLANG", "WASI_LIBC_DIR"] {
        println!("cargo:rerun-if-env-changed={v}");
    }
    let sysroot = make_sysroot(&out.join("sysroot"));
    if target.starts_with("wasm32") {
        build_wasm(&manifest, &out, &sysroot);
    } else {
        build_host(&manifest, &out, &sysroot);
    }
}

/// The clang used for wasm32: `$ASYNCIFY_RT_CLANG`, else `clang-22`, else `clang`.
fn clang() -> String {
    if let Ok(c) = env::var("ASYNCIFY_RT_CLANG") {
        return c;
    }
    for c in ["clang-22", "clang"] {
        if Command::new(c).arg("--version").output().is_ok() {
            return c.to_string();
        }
    }
    panic!("asyncify-rt: no clang found; install the Debian packages clang-22 lld-22 (or set ASYNCIFY_RT_CLANG)");
}

/// Debian ships wasi-libc as `wasm32-wasi`, clang looks for `wasm32-wasip1`: a sysroot of two
/// symlinks bridges the names. `$WASI_LIBC_DIR` (a directory holding `include/` and `lib/`
/// for wasm32-wasi) overrides the Debian location.
fn make_sysroot(dir: &Path) -> PathBuf {
    let (inc, lib) = match env::var("WASI_LIBC_DIR") {
        Ok(d) => (PathBuf::from(&d).join("include"), PathBuf::from(&d).join("lib")),
        Err(_) => (PathBuf::from("/usr/include/wasm32-wasi"), PathBuf::from("/usr/lib/wasm32-wasi")),
    };
    for (sub, src) in [("include", inc), ("lib", lib)] {
        let d = dir.join(sub);
        std::fs::create_dir_all(&d).expect("create sysroot dir");
        let link = d.join("wasm32-wasip1");
        let _ = std::fs::remove_file(&link);
        #[cfg(unix)]
        std::os::unix::fs::symlink(&src, &link).expect("symlink sysroot");
    }
    dir.to_path_buf()
}

fn build_wasm(manifest: &Path, out: &Path, sysroot: &Path) {
    let clang = clang();
    let sysroot_arg = format!("--sysroot={}", sysroot.display());
    cc::Build::new()
        .compiler(&clang)
        .file(manifest.join("csrc/stack.S"))
        .file(manifest.join("csrc/entry.c"))
        .file(manifest.join("csrc/context.c"))
        .include(manifest.join("include"))
        .flag(&sysroot_arg)
        .flag("-Wall")
        .compile("asyncify_rt_asm");

    let bindings = bindgen::Builder::default()
        .header(manifest.join("include/asyncify_rt.h").to_string_lossy())
        .header(manifest.join("include/ucontext.h").to_string_lossy())
        .clang_args(["--target=wasm32-wasip1", sysroot_arg.as_str()])
        .clang_arg(format!("-I{}", manifest.join("include").display()))
        .use_core()
        .ctypes_prefix("core::ffi")
        .allowlist_type("jmp_buf|sigjmp_buf|__jmp_buf_tag|asyncify_rt_.*|ucontext_t|mcontext_t|stack_t|em_scan_func")
        .allowlist_var("ASYNCIFY_RT_.*")
        .derive_default(true)
        .layout_tests(true)
        .generate()
        .expect("bindgen on include/asyncify_rt.h");
    bindings.write_to_file(out.join("bindings.rs")).expect("write bindings.rs");
}

fn build_host(manifest: &Path, out: &Path, sysroot: &Path) {
    println!("cargo:rustc-env=ASYNCIFY_RT_BUILT_SYSROOT={}", sysroot.display());
    println!("cargo:rustc-env=ASYNCIFY_RT_BUILT_INCLUDE={}", manifest.join("include").display());
    let tdir = out.join("wasm-target");
    let lib = tdir.join("wasm32-wasip1/release/libasyncify_rt.a");
    println!("cargo:rustc-env=ASYNCIFY_RT_BUILT_LIB={}", lib.display());
    if env::var_os("ASYNCIFY_RT_SKIP_WASM_BUILD").is_some() {
        return;
    }

    // Prefer the outer rustc when it has a wasm32-wasip1 standard library; otherwise Debian's
    // rustc (which ships library sources) with -Zbuild-std.
    let outer_rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let (cargo, rustc, build_std) = if has_wasm_std(&outer_rustc) {
        let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        (cargo, outer_rustc, false)
    } else {
        ("/usr/bin/cargo".to_string(), "/usr/bin/rustc".to_string(), true)
    };

    let mut cmd = Command::new(&cargo);
    // Strip the outer build's environment: an inherited RUSTC_WRAPPER, RUSTFLAGS, target dir or
    // jobserver makes the inner cargo pick the wrong compiler or deadlock.
    for (k, _) in env::vars_os() {
        let k = k.to_string_lossy().to_string();
        let strip = (k.starts_with("CARGO") && k != "CARGO_HOME" && k != "CARGO_NET_OFFLINE")
            || k.starts_with("RUSTC")
            || k.ends_with("RUSTFLAGS")
            || k.starts_with("DEP_")
            || k.starts_with("__CARGO")
            || matches!(
                k.as_str(),
                "TARGET" | "HOST" | "OUT_DIR" | "PROFILE" | "OPT_LEVEL" | "DEBUG" | "NUM_JOBS"
                    | "MAKEFLAGS" | "MFLAGS" | "RUSTDOC" | "RUSTUP_TOOLCHAIN"
            );
        if strip {
            cmd.env_remove(&k);
        }
    }
    cmd.current_dir(manifest)
        .env("RUSTC", &rustc)
        .env("CARGO_TARGET_DIR", &tdir)
        .args(["build", "--release", "--lib", "--target", "wasm32-wasip1"]);
    if build_std {
        cmd.env("RUSTC_BOOTSTRAP", "1").arg("-Zbuild-std=core,panic_abort");
    }
    let status = cmd.status().unwrap_or_else(|e| panic!("asyncify-rt: cannot run {cargo}: {e}"));
    if !status.success() {
        panic!("asyncify-rt: building the wasm32 runtime failed ({status}); see the output above");
    }
}

/// True when `rustc` has a wasm32-wasip1 `core` in its sysroot.
fn has_wasm_std(rustc: &str) -> bool {
    let Ok(o) = Command::new(rustc).args(["--print", "target-libdir", "--target", "wasm32-wasip1"]).output() else {
        return false;
    };
    let dir = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
    o.status.success()
        && std::fs::read_dir(&dir)
            .map(|rd| rd.flatten().any(|e| e.file_name().to_string_lossy().starts_with("libcore-")))
            .unwrap_or(false)
}
