//! Real <ucontext.h> clients, unmodified, fetched at test time by scripts/fetch-clients.sh into
//! build/clients/ (never committed): glibc's own context tests and libcoro.
//!
//! Every client is built natively (gcc + glibc, the reference) and with asyncify-cc at -O2 and
//! -O0, run under wasmtime (asyncify-run), and must print the same stdout and exit with the same
//! status. The native run must also succeed (exit 0): it checks the harness (our tiny
//! support/test-driver.c) rather than the runtime.
//!
//! glibc (stdlib/tst-*context*.c of Debian's glibc source). Each test is compiled as it is, with
//! `-I tests/c/ucontext/glibc-support` so that its `#include <support/test-driver.c>` finds our
//! own minimal driver (a `main` that returns `do_test()`).
//!
//! Included (no signals, no threads, no other glibc test infrastructure):
//! * tst-makecontext3: 33 int arguments, uc_link chains, a made context re-made after finishing,
//!   `setcontext` back to a `getcontext` in main; has its own `main` (and an atexit check).
//! * tst-setcontext5 .. tst-setcontext9: `setcontext`/`swapcontext` between made contexts and
//!   `getcontext`s in live frames of main and of made contexts, `exit` from inside contexts.
//! * tst-swapcontext1: two made contexts suspended three calls deep, resumed alternately, with
//!   a `uc_link` from one made context to the other.
//!
//! Excluded (see [`GLIBC_EXCLUDED`]; WASI has no signals, no threads, no dynamic loading):
//! * tst-setcontext: checks `sigaltstack` state across context switches (<signal.h>).
//! * tst-setcontext2, tst-setcontext4: check that `setcontext`/`swapcontext` restore the signal
//!   mask and deliver pending signals (`sigprocmask`, `raise`, handlers).
//! * tst-setcontext3: driven by tst-setcontext3.sh (a shell script checks a file written by an
//!   atexit handler) and built on the old test-skeleton.c; its subject is glibc bug 18135
//!   (`pthread_exit` semantics of the last context).
//! * tst-makecontext: `_Unwind_Backtrace` found with `dlopen(LIBGCC_S_SO)` + `dlsym`.
//! * tst-makecontext2: x86 stack-alignment probe `<tst-stack-align.h>` and test-skeleton.c.
//! * tst-makecontext-align: glibc's support library (`support/check.h`, `xunistd.h`,
//!   `support/namespace.h`) and `mmap`; checks native ABI stack alignment.
//!
//! libcoro (coro.c/coro.h from Debian's libcoro-perl source) built with `-DCORO_UCONTEXT`, so its
//! coroutines are ucontext contexts, driving our generator program
//! tests/c/ucontext/libcoro_generator.c.
//!
//! If the sources cannot be fetched (no network, no apt-get), every test here FAILS with the
//! script's output: they never pass silently.

mod common;

use common::{manifest_dir, Engine};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// Runs scripts/fetch-clients.sh once per test process; the clients directory, or why not.
fn clients() -> &'static Path {
    static FETCHED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let r = FETCHED.get_or_init(|| {
        let script = manifest_dir().join("scripts/fetch-clients.sh");
        let mut cmd = Command::new("bash");
        cmd.arg(&script);
        let o = common::run_command_for(cmd, Duration::from_secs(1200));
        if o.code == Some(0) {
            Ok(manifest_dir().join("build/clients"))
        } else {
            Err(format!(
                "cannot fetch the client sources ({}): these tests build glibc's and libcoro's \
                 unmodified sources, fetched as Debian source packages by {}; it needs apt-get and \
                 network access to the machine's Debian mirror (or ASYNCIFY_CLIENTS_MIRROR).\n  $ {}\n{}{}",
                o.status_text(),
                script.display(),
                o.command,
                o.stdout_text(),
                o.stderr_text()
            ))
        }
    });
    match r {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

/// Builds `sources` natively and with asyncify-cc `opt`, runs both (wasm under wasmtime) and
/// compares. `flags` follow the sources on both command lines.
fn differential(name: &str, sources: &[PathBuf], flags: &[&str], opt: &str) -> Result<(), String> {
    let label = format!("{name} (asyncify-cc {opt}, wasmtime)");
    let dir = common::work_dir(&format!("clients/{name}"), opt.trim_start_matches('-'));
    let native_exe = common::build_native_sources(sources, flags, &dir).map_err(|e| format!("{label}: {e}"))?;
    let native = common::run_native(&native_exe, &[], &[]);
    common::check_native_ran(&label, &native)?;
    if native.code != Some(0) {
        return Err(format!(
            "{label}: the native run failed ({}), so the reference itself is broken (check the \
             driver and flags, not the runtime):\n  $ {}\n{}{}",
            native.status_text(),
            native.command,
            native.stdout_text(),
            native.stderr_text()
        ));
    }
    let wasm = common::build_wasm_sources(sources, opt, flags, &dir).map_err(|e| format!("{label}: {e}"))?;
    let got = common::run_wasm(Engine::Wasmtime, &wasm, &[], &[]);
    common::compare_with_native(&label, &native, &got)
}

fn glibc_support_dir() -> PathBuf {
    manifest_dir().join("tests/c/ucontext/glibc-support")
}

fn glibc(test: &str, opt: &str) {
    let src = clients().join("glibc/stdlib").join(format!("{test}.c"));
    assert!(src.exists(), "{} missing after fetching (glibc version without this test?)", src.display());
    let support = glibc_support_dir();
    let flags = ["-I", support.to_str().unwrap()];
    if let Err(e) = differential(&format!("glibc/{test}"), &[src], &flags, opt) {
        panic!("{e}");
    }
}

/// glibc context tests deliberately not built, with the reason (see the module documentation).
const GLIBC_EXCLUDED: &[(&str, &str)] = &[
    ("tst-setcontext", "sigaltstack (<signal.h>): WASI has no signals"),
    ("tst-setcontext2", "signal mask and pending-signal delivery: WASI has no signals"),
    ("tst-setcontext3", "shell-driven (tst-setcontext3.sh), test-skeleton.c, pthread_exit semantics"),
    ("tst-setcontext4", "signal mask and pending-signal delivery: WASI has no signals"),
    ("tst-makecontext", "_Unwind_Backtrace via dlopen/dlsym: no dynamic loading on WASI"),
    ("tst-makecontext2", "x86 stack-alignment probe (tst-stack-align.h), test-skeleton.c"),
    ("tst-makecontext-align", "glibc's support library and mmap; native ABI alignment checks"),
];

macro_rules! glibc_tests {
    ($($ident:ident => $file:literal),* $(,)?) => {
        const GLIBC_INCLUDED: &[&str] = &[$($file),*];
        mod glibc_o2 { $( #[test] fn $ident() { crate::glibc($file, "-O2"); } )* }
        mod glibc_o0 { $( #[test] fn $ident() { crate::glibc($file, "-O0"); } )* }
    };
}

glibc_tests! {
    tst_makecontext3 => "tst-makecontext3",
    tst_setcontext5 => "tst-setcontext5",
    tst_setcontext6 => "tst-setcontext6",
    tst_setcontext7 => "tst-setcontext7",
    tst_setcontext8 => "tst-setcontext8",
    tst_setcontext9 => "tst-setcontext9",
    tst_swapcontext1 => "tst-swapcontext1",
}

/// Every fetched tst-*context*.c is either built or excluded with a reason, so a glibc with new
/// context tests makes this fail until they are looked at.
#[test]
fn glibc_every_context_test_decided() {
    let dir = clients().join("glibc/stdlib");
    let mut undecided = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())).flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(stem) = name.strip_suffix(".c") {
            if !GLIBC_INCLUDED.contains(&stem) && !GLIBC_EXCLUDED.iter().any(|(x, _)| *x == stem) {
                undecided.push(stem.to_string());
            }
        }
    }
    assert!(undecided.is_empty(), "glibc context tests neither included nor excluded: {undecided:?}");
}

fn libcoro(opt: &str) {
    let libcoro_dir = clients().join("libcoro");
    let sources = [manifest_dir().join("tests/c/ucontext/libcoro_generator.c"), libcoro_dir.join("coro.c")];
    let flags = ["-DCORO_UCONTEXT", "-I", libcoro_dir.to_str().unwrap()];
    if let Err(e) = differential("libcoro_generator", &sources, &flags, opt) {
        panic!("{e}");
    }
}

mod libcoro {
    #[test]
    fn generator_o2() {
        crate::libcoro("-O2");
    }
    #[test]
    fn generator_o0() {
        crate::libcoro("-O0");
    }
}
