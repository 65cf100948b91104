//! Real <ucontext.h> clients, unmodified, fetched at test time by scripts/fetch-clients.sh into
//! build/clients/ (never committed): glibc's own context tests and libcoro.
//!
//! Every client is built natively (gcc + glibc, the reference) and with asyncify-cc at -O2 and
//! -O0, run under wasmtime (asyncify-run), and at -O2 under WAMR (asyncify-run-wamr), and must
//! print the same stdout and exit with the same status (`glibc::<test>::{o2,o0,wamr}`,
//! `libcoro::generator::{o2,o0,wamr}`). The native run must also
//! succeed (exit 0): it checks the harness (our tiny support/test-driver.c) rather than the
//! runtime.
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

#[macro_use]
mod common;

use common::{manifest_dir, Case};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// Runs scripts/fetch-clients.sh once per test process; the clients directory, or why not
/// (panics then: these tests never pass without their sources).
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

fn glibc_support_dir() -> PathBuf {
    manifest_dir().join("tests/c/ucontext/glibc-support")
}

/// glibc's `stdlib/<test>.c` (the case name with `-` for `_`), compiled as it is against our
/// minimal support/test-driver.c.
fn glibc(name: &str) -> Case {
    let test = name.replace('_', "-");
    let src = clients().join("glibc/stdlib").join(format!("{test}.c"));
    assert!(src.exists(), "{} missing after fetching (glibc version without this test?)", src.display());
    let support = glibc_support_dir();
    Case::sources(&format!("clients/glibc/{test}"), vec![src], &["-I", support.to_str().unwrap()]).native_status(0)
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

c_tests! {
    glibc [o2, o0, wamr] {
        tst_makecontext3,
        tst_setcontext5,
        tst_setcontext6,
        tst_setcontext7,
        tst_setcontext8,
        tst_setcontext9,
        tst_swapcontext1,
    }
    libcoro [o2, o0, wamr] {
        generator,
    }
}

/// Every fetched tst-*context*.c is either built or excluded with a reason, so a glibc with new
/// context tests makes this fail until they are looked at.
#[test]
fn glibc_every_context_test_decided() {
    let dir = clients().join("glibc/stdlib");
    let included: Vec<String> = glibc::CASES.iter().map(|c| c.replace('_', "-")).collect();
    let mut undecided = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())).flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(stem) = name.strip_suffix(".c") {
            if !included.iter().any(|i| i == stem) && !GLIBC_EXCLUDED.iter().any(|(x, _)| *x == stem) {
                undecided.push(stem.to_string());
            }
        }
    }
    assert!(undecided.is_empty(), "glibc context tests neither included nor excluded: {undecided:?}");
}

/// libcoro (with `-DCORO_UCONTEXT`) driving `tests/c/ucontext/libcoro_<name>.c`.
fn libcoro(name: &str) -> Case {
    let libcoro_dir = clients().join("libcoro");
    let program = format!("ucontext/libcoro_{name}");
    let sources = vec![common::source(&program), libcoro_dir.join("coro.c")];
    Case::sources(&format!("clients/libcoro_{name}"), sources, &["-DCORO_UCONTEXT", "-I", libcoro_dir.to_str().unwrap()])
        .native_status(0)
}
