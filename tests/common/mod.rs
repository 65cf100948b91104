//! Shared helpers of the integration tests: the one way to declare a test ([`c_tests!`] with a
//! [`Case`] per test), and what it runs on: build a C program natively (gcc + glibc) and for WASI
//! (asyncify-cc), run it natively, under `asyncify-run` (wasmtime), under node (`run-node.mjs`)
//! or under `asyncify-run-wamr` (WAMR), and compare.
//!
//! A suite declares its tests with [`c_tests!`]: groups of case names, each with the variants
//! (optimisation level, engine, and a suite's own dimension) it runs in, one `#[test]` per case
//! and variant. For each case a function of the suite returns a [`Case`]: how to build the
//! program (its sources, or steps of the suite's own) and what is expected:
//!
//! * differential ([`Expect::SameAsNative`]): the native build is the oracle; the wasm build must
//!   print the same stdout and exit with the same status;
//! * misuse ([`Expect::Misuse`]): the runtime must stop the wasm program with a diagnosed status
//!   and a one-line `asyncify-rt: ` message on stderr, after printing a given stdout;
//! * WASI-only ([`Expect::Output`]): behaviour glibc does not share, against a fixed status and
//!   stdout;
//! * a negative control ([`Expect::LinesDiffer`]): the wasm build must differ from the native one
//!   on given lines (shows what a part of the setup is needed for).
//!
//! No test passes without asserting:
//! * a case that means nothing in some variant is not declared for it (its own variant list,
//!   with a comment saying why);
//! * a case whose contract differs by setjmp strategy picks its expectation from
//!   [`sjlj_strategy`] and says so with [`Case::note`] (printed in every run);
//! * a case that does not hold in some variants because of a documented limitation is marked
//!   [`Case::known_limitation`]: it still runs there, prints the reason, and must still fail, so
//!   that a fix shows up (then the mark goes).
//!
//! Programs under `tests/c/` are named by their path without the `.c`, e.g.
//! `"setjmp/volatile_locals"`. Build products go to a fresh directory per test under
//! `CARGO_TARGET_TMPDIR`, so tests can run in parallel.
//!
//! Each suite compiles this module as its own `mod common`, so an item that only some suites use
//! carries `#[allow(dead_code)]` with that reason; none is unused by all of them.
//!
//! Environment knobs: `ASYNCIFY_TEST_TIMEOUT` (seconds per program run, default 300),
//! `ASYNCIFY_TEST_GCC` (native compiler, default `gcc`), `ASYNCIFY_TEST_NODE` (default `node`),
//! `ASYNCIFY_TEST_WAMR` (the WAMR runner, default `asyncify-run-wamr` next to `asyncify-run`),
//! `ASYNCIFY_TEST_WASM_FLAGS` (whitespace-separated flags appended to every asyncify-cc command,
//! for experiments), `ASYNCIFY_TEST_CC` (the asyncify-cc to test, e.g. an installed prefix's;
//! default: the one cargo built). asyncify-cc's own `ASYNCIFY_RT_SYSROOT` (and the other
//! `ASYNCIFY_RT_*`, `ASYNCIFY_CC_*` variables) reach it unchanged, so
//! `ASYNCIFY_RT_SYSROOT=<sysroot> cargo test --test setjmp` runs a suite against another WASI
//! sysroot (`scripts/sysroots.sh` prepares the tested ones; `scripts/test.sh` runs them).

pub mod crates;
#[path = "../../asyncify-cc/sjlj.rs"]
pub mod sjlj;

/// Declares a suite's tests, one `#[test]` per case and variant:
///
/// ```ignore
/// c_tests! {
///     misuse [o2, o0] {               // group: the suite's `fn misuse(name: &str) -> Case`
///         dead_env,                   // misuse::dead_env::o2 and misuse::dead_env::o0
///         stack_exhausted [o2],       // only misuse::stack_exhausted::o2
///     }
///     differential [o2, o0, node] { ... }
/// }
/// ```
///
/// Each group names a function of the suite in scope at the invocation (`fn <group>(name: &str)
/// -> common::Case`) and the default variants of its cases; a case may list its own instead. The
/// test `<group>::<case>::<variant>` checks `<group>("<case>")` in that variant ([`check_case`];
/// variant names: [`Variant::named`]). Each group module also has `CASES`, its case names (for
/// the suite's "every program has a test" check). Used with `#[macro_use] mod common;`.
macro_rules! c_tests {
    ($($group:ident $default:tt { $($case:ident $([$($variant:ident),+ $(,)?])?),* $(,)? })*) => {
        $(
            pub mod $group {
                /// The cases of this group.
                #[allow(dead_code, reason = "read only by suites that check their case list")]
                pub const CASES: &[&str] = &[$(stringify!($case)),*];
                $( c_tests!(@case $group $case $default $([$($variant),+])?); )*
            }
        )*
    };
    (@case $group:ident $case:ident [$($default:ident),+ $(,)?] [$($variant:ident),+]) => {
        c_tests!(@tests $group $case $($variant),+);
    };
    (@case $group:ident $case:ident [$($default:ident),+ $(,)?]) => {
        c_tests!(@tests $group $case $($default),+);
    };
    (@tests $group:ident $case:ident $($variant:ident),+) => {
        pub mod $case {
            $(
                #[test]
                fn $variant() {
                    crate::common::check_case(
                        super::super::$group(stringify!($case)),
                        concat!(stringify!($group), "::", stringify!($case)),
                        stringify!($variant),
                    );
                }
            )+
        }
    };
}

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Root of the package (where `tests/c` lives).
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The compiler driver under test: `$ASYNCIFY_TEST_CC` when set and non-empty (e.g. the
/// `bin/asyncify-cc` of a prefix installed by `scripts/install.sh`, which targets that prefix's
/// sysroot), else the one cargo built. The first call in a test process prints (past the
/// harness's capture) which driver and sysroot the run uses when either is not the default
/// (`ASYNCIFY_TEST_CC`, `ASYNCIFY_RT_SYSROOT`), so that a run against another sysroot says so.
pub fn asyncify_cc() -> PathBuf {
    let cc = match std::env::var_os("ASYNCIFY_TEST_CC") {
        Some(cc) if !cc.is_empty() => PathBuf::from(cc),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_asyncify-cc")),
    };
    static ANNOUNCED: std::sync::Once = std::sync::Once::new();
    ANNOUNCED.call_once(|| {
        if toolchain_tag().is_empty() {
            return;
        }
        // The sysroot as the driver itself reports it (after its own overrides).
        let sysroot = Command::new(&cc)
            .arg("--print-config")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).lines().find_map(|l| l.strip_prefix("sysroot: ").map(String::from)))
            .unwrap_or_else(|| "(asyncify-cc --print-config printed none)".into());
        visible_note(&format!("this run's asyncify-cc: {}, sysroot: {sysroot}", cc.display()));
    });
    cc
}

/// Part of the build directories' names that tells toolchains apart: empty for the default
/// (cargo's asyncify-cc, its default sysroot), else `-` and a hash of `ASYNCIFY_TEST_CC` and
/// `ASYNCIFY_RT_SYSROOT`, so that runs against different sysroots never share builds.
pub fn toolchain_tag() -> String {
    use std::hash::{Hash, Hasher};
    let chosen: Vec<Option<std::ffi::OsString>> = ["ASYNCIFY_TEST_CC", "ASYNCIFY_RT_SYSROOT"]
        .iter()
        .map(|v| std::env::var_os(v).filter(|s| !s.is_empty()))
        .collect();
    if chosen.iter().all(Option::is_none) {
        return String::new();
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    chosen.hash(&mut h);
    format!("-{:016x}", h.finish())
}

/// The wasmtime-based runner under test.
pub fn asyncify_run() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_asyncify-run"))
}

/// The WAMR runner (`engines/wamr/`, a crate of its own so that the default build does not compile
/// WAMR): `$ASYNCIFY_TEST_WAMR`, else `asyncify-run-wamr` next to [`asyncify_run`], where
/// `scripts/setup.sh` builds it.
pub fn asyncify_run_wamr() -> PathBuf {
    match std::env::var_os("ASYNCIFY_TEST_WAMR") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => asyncify_run().with_file_name(Engine::Wamr.runner().expect("WAMR has a runner binary")),
    }
}

/// The node runner script.
pub fn run_node_script() -> PathBuf {
    manifest_dir().join("tools/run-node.mjs")
}

/// `tests/c/<program>.c`.
#[allow(dead_code, reason = "shared by the suites; not every suite uses it")]
pub fn source(program: &str) -> PathBuf {
    manifest_dir().join("tests/c").join(format!("{program}.c"))
}

/// All programs (names as used by [`source`]) in `tests/c/<suite>/`, sorted.
#[allow(dead_code, reason = "shared by the suites; not every suite uses it")]
pub fn programs_in(suite: &str) -> Vec<String> {
    let dir = manifest_dir().join("tests/c").join(suite);
    let mut v: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.strip_suffix(".c").map(|stem| format!("{suite}/{stem}"))
        })
        .collect();
    v.sort();
    v
}

/// The setjmp strategy asyncify-cc compiles with in this test run: `ASYNCIFY_CC_SJLJ`, which
/// asyncify-cc itself reads; unset or empty means its default, LLVM's lowering.
pub fn sjlj_strategy() -> sjlj::Sjlj {
    match std::env::var("ASYNCIFY_CC_SJLJ") {
        Ok(name) if !name.is_empty() => {
            sjlj::Sjlj::named(&name).unwrap_or_else(|| panic!("ASYNCIFY_CC_SJLJ={name:?} names no setjmp strategy"))
        }
        _ => sjlj::Sjlj::Lowered,
    }
}

/// A fresh, empty directory for one program and variant (e.g. `"O2-wasmtime"`), separate per
/// setjmp strategy so that runs in both strategies do not share builds.
pub fn work_dir(program: &str, variant: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("c-tests-{}{}", sjlj_strategy().name(), toolchain_tag()))
        .join(program.replace('/', "__"))
        .join(variant);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

fn timeout() -> Duration {
    let secs = std::env::var("ASYNCIFY_TEST_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(300);
    Duration::from_secs(secs)
}

/// What a process did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The command line, for messages.
    pub command: String,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Exit status, or None when killed by a signal or by the timeout.
    pub code: Option<i32>,
    /// The signal that ended the process (unix), if any.
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl Outcome {
    /// The status as text: "exit 3", "signal 11", "timed out after 600 s".
    pub fn status_text(&self) -> String {
        if self.timed_out {
            format!("timed out after {} s (killed)", self.elapsed.as_secs())
        } else if let Some(c) = self.code {
            format!("exit {c}")
        } else if let Some(s) = self.signal {
            format!("killed by signal {s}")
        } else {
            "unknown status".to_string()
        }
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

fn shell_words(cmd: &Command) -> String {
    let mut s = String::new();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            let _ = write!(s, "{}={:?} ", k.to_string_lossy(), v.to_string_lossy());
        }
    }
    s.push_str(&cmd.get_program().to_string_lossy());
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
            let _ = write!(s, " {a:?}");
        } else {
            let _ = write!(s, " {a}");
        }
    }
    s
}

/// At most this much of a stream is kept (a runaway program can print gigabytes before its
/// timeout); the rest is read and dropped, and a marker line is appended.
const CAPTURE_LIMIT: usize = 16 << 20;

fn read_capped(r: &mut impl Read) -> Vec<u8> {
    let mut v = Vec::new();
    let mut buf = [0u8; 65536];
    let mut dropped = 0usize;
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let keep = n.min(CAPTURE_LIMIT - v.len().min(CAPTURE_LIMIT));
                v.extend_from_slice(&buf[..keep]);
                dropped += n - keep;
            }
        }
    }
    if dropped > 0 {
        v.extend_from_slice(format!("\n[test harness: {dropped} more bytes dropped]\n").as_bytes());
    }
    v
}

/// Runs `cmd` to completion (or until the default timeout), capturing stdout and stderr.
pub fn run_command(cmd: Command) -> Outcome {
    run_command_for(cmd, timeout())
}

/// Runs `cmd` to completion or until `limit` has passed (then kills it), capturing stdout and
/// stderr (each up to 16 MiB).
pub fn run_command_for(mut cmd: Command, limit: Duration) -> Outcome {
    let command = shell_words(&cmd);
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start `{command}`: {e}"));
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || read_capped(&mut out_pipe));
    let err_thread = std::thread::spawn(move || read_capped(&mut err_pipe));
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) => {
                if start.elapsed() > limit {
                    timed_out = true;
                    let _ = child.kill(); // our own child, by its handle
                    break child.wait().expect("wait after kill");
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => panic!("waiting for `{command}`: {e}"),
        }
    };
    let elapsed = start.elapsed();
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    #[cfg(not(unix))]
    let signal = None;
    Outcome {
        command,
        stdout,
        stderr,
        code: if timed_out { None } else { status.code() },
        signal,
        timed_out,
        elapsed,
    }
}

/// Runs one build step (any command that must exit 0 and leave `out`); Err carries the command
/// line and its output.
pub fn build_step(cmd: Command, what: &str, out: &Path) -> Result<PathBuf, String> {
    let o = run_command(cmd);
    if o.code == Some(0) && out.exists() {
        Ok(out.to_path_buf())
    } else {
        Err(format!(
            "{what} failed ({}):\n  $ {}\n{}{}",
            o.status_text(),
            o.command,
            indent(&o.stdout_text()),
            indent(&o.stderr_text())
        ))
    }
}

/// The native compiler: `$ASYNCIFY_TEST_GCC`, default `gcc`.
pub fn native_cc() -> String {
    std::env::var("ASYNCIFY_TEST_GCC").unwrap_or_else(|_| "gcc".into())
}

/// Builds a native executable from any C sources (not only `tests/c/` programs), e.g. a fetched
/// third-party file plus a driver: `gcc -std=gnu11 -O1 -w <sources> -o <dir>/native.exe <extra>`.
/// `extra` comes last, so it may hold `-I`/`-D` flags and libraries alike.
pub fn build_native_sources(sources: &[PathBuf], extra: &[&str], dir: &Path) -> Result<PathBuf, String> {
    let out = dir.join("native.exe");
    let mut cmd = Command::new(native_cc());
    cmd.args(["-std=gnu11", "-O1", "-w"]).args(sources).arg("-o").arg(&out).args(extra);
    build_step(cmd, "native build", &out)
}

/// Builds a WASI module from any C sources with asyncify-cc:
/// `asyncify-cc <opt> -std=gnu11 -w <sources> -o <dir>/prog.wasm <extra> [$ASYNCIFY_TEST_WASM_FLAGS]`.
pub fn build_wasm_sources(sources: &[PathBuf], opt: &str, extra: &[&str], dir: &Path) -> Result<PathBuf, String> {
    let out = dir.join("prog.wasm");
    let mut cmd = Command::new(asyncify_cc());
    cmd.arg(opt).args(["-std=gnu11", "-w"]).args(sources).arg("-o").arg(&out).args(extra);
    if let Ok(more) = std::env::var("ASYNCIFY_TEST_WASM_FLAGS") {
        cmd.args(more.split_whitespace());
    }
    build_step(cmd, "asyncify-cc build", &out)
}

/// The command that runs a native executable with `args` and exactly the environment `env`, in
/// `dir` when given.
fn native_command(exe: &Path, args: &[String], env: &[(String, String)], dir: Option<&Path>) -> Command {
    let mut cmd = Command::new(exe);
    cmd.args(args).env_clear().envs(env.iter().map(|(k, v)| (k, v)));
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd
}

#[path = "../../tools/engine.rs"]
mod engine;
pub use engine::Engine;

/// The command that runs a wasm module under `engine` with `args` and guest environment `env`;
/// with `dir`, the run starts there and the guest has it preopened as ".". The node runner can
/// pass neither environment variables nor directories: a non-empty `env` or a `dir` panics there.
fn wasm_command(engine: Engine, wasm: &Path, args: &[String], env: &[(String, String)], dir: Option<&Path>) -> Command {
    match engine {
        Engine::Wasmtime | Engine::Wamr => {
            let runner = if engine == Engine::Wamr { asyncify_run_wamr() } else { asyncify_run() };
            assert!(
                engine != Engine::Wamr || runner.is_file(),
                "{} not found: build it with `bash scripts/setup.sh` (or `cargo build --release --manifest-path \
                 engines/wamr/Cargo.toml --target-dir target`), or point ASYNCIFY_TEST_WAMR at it",
                runner.display()
            );
            let mut cmd = Command::new(runner);
            for (k, v) in env {
                cmd.arg("--env").arg(format!("{k}={v}"));
            }
            if let Some(d) = dir {
                cmd.arg("--dir").arg(format!("{}::.", d.display())).current_dir(d);
            }
            cmd.arg(wasm).args(args);
            cmd
        }
        Engine::Node => {
            assert!(env.is_empty(), "tools/run-node.mjs cannot pass environment variables to the program");
            assert!(dir.is_none(), "tools/run-node.mjs cannot preopen directories");
            let node = std::env::var("ASYNCIFY_TEST_NODE").unwrap_or_else(|_| "node".into());
            let mut cmd = Command::new(node);
            cmd.arg("--no-warnings").arg(run_node_script()).arg(wasm).args(args);
            cmd
        }
    }
}

fn indent(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines() {
        let _ = writeln!(out, "    | {line}");
    }
    out
}

fn truncate_lines(s: &str, max: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    if lines.len() <= max {
        return s.to_string();
    }
    let mut out = lines[..max].join("\n");
    let _ = write!(out, "\n... ({} more lines)", lines.len() - max);
    out
}

/// A readable line diff of two texts: the common prefix and suffix are elided except for a few
/// lines of context, and the differing middle is shown as `-` (expected) and `+` (actual) lines.
pub fn line_diff(expected: &str, actual: &str) -> String {
    const CONTEXT: usize = 3;
    const MAX_SHOWN: usize = 40;
    let a: Vec<&str> = expected.split_inclusive('\n').collect();
    let b: Vec<&str> = actual.split_inclusive('\n').collect();
    let mut pre = 0;
    while pre < a.len() && pre < b.len() && a[pre] == b[pre] {
        pre += 1;
    }
    let mut suf = 0;
    while suf < a.len() - pre && suf < b.len() - pre && a[a.len() - 1 - suf] == b[b.len() - 1 - suf] {
        suf += 1;
    }
    let show = |line: &str| -> String {
        match line.strip_suffix('\n') {
            Some(l) => l.to_string(),
            None => format!("{line}\u{23CE}(no newline at end)"),
        }
    };
    let mut out = String::new();
    let ctx_start = pre.saturating_sub(CONTEXT);
    if ctx_start > 0 {
        let _ = writeln!(out, "    @@ {ctx_start} identical lines skipped @@");
    }
    for l in &a[ctx_start..pre] {
        let _ = writeln!(out, "      {}", show(l));
    }
    for (i, l) in a[pre..a.len() - suf].iter().enumerate() {
        if i == MAX_SHOWN {
            let _ = writeln!(out, "    - ... ({} more lines)", a.len() - suf - pre - MAX_SHOWN);
            break;
        }
        let _ = writeln!(out, "    - {}", show(l));
    }
    for (i, l) in b[pre..b.len() - suf].iter().enumerate() {
        if i == MAX_SHOWN {
            let _ = writeln!(out, "    + ... ({} more lines)", b.len() - suf - pre - MAX_SHOWN);
            break;
        }
        let _ = writeln!(out, "    + {}", show(l));
    }
    let ctx_end = (a.len() - suf + CONTEXT).min(a.len());
    for l in &a[a.len() - suf..ctx_end] {
        let _ = writeln!(out, "      {}", show(l));
    }
    if ctx_end < a.len() {
        let _ = writeln!(out, "    @@ {} identical lines skipped @@", a.len() - ctx_end);
    }
    out
}

/// Err unless the native run finished by itself (an exit status, not a signal or the timeout):
/// otherwise there is no expectation to compare with. `label` names the test in the message.
#[allow(dead_code, reason = "used by Case::run and tests/ruby.rs")]
pub fn check_native_ran(label: &str, native: &Outcome) -> Result<(), String> {
    if native.timed_out || native.signal.is_some() {
        return Err(format!(
            "{label}: the native run itself failed ({}), so there is no expectation:\n  $ {}\n{}",
            native.status_text(),
            native.command,
            indent(&truncate_lines(&native.stderr_text(), 20))
        ));
    }
    Ok(())
}

/// Ok when the wasm run printed the same stdout (and, with `stderr`, the same stderr) and exited
/// with the same status as the native run; otherwise Err with a report (statuses, command lines,
/// diffs, wasm stderr).
#[allow(dead_code, reason = "used by Case::run and tests/ruby.rs")]
pub fn compare_with_native(label: &str, native: &Outcome, got: &Outcome, stderr: bool) -> Result<(), String> {
    let same_out = native.stdout == got.stdout;
    let same_err = !stderr || native.stderr == got.stderr;
    let same_status = native.code == got.code && !got.timed_out;
    if same_out && same_err && same_status {
        return Ok(());
    }
    let mut msg = format!("{label}: differs from native\n");
    let _ = writeln!(msg, "  native: {}   $ {}", native.status_text(), native.command);
    let _ = writeln!(msg, "  wasm:   {}   $ {}", got.status_text(), got.command);
    if same_out {
        let _ = writeln!(msg, "  stdout: identical ({} bytes)", got.stdout.len());
    } else {
        let _ = writeln!(msg, "  stdout diff (- native, + wasm):");
        msg.push_str(&line_diff(&native.stdout_text(), &got.stdout_text()));
    }
    if !same_err {
        let _ = writeln!(msg, "  stderr diff (- native, + wasm):");
        msg.push_str(&line_diff(&native.stderr_text(), &got.stderr_text()));
    } else if !got.stderr.is_empty() {
        let _ = writeln!(msg, "  wasm stderr:");
        msg.push_str(&indent(&truncate_lines(&got.stderr_text(), 30)));
    }
    Err(msg)
}

/// The exit status `ASYNCIFY_RT_STATUS_<name>` (e.g. `"BAD_CONTEXT"`) as `#define`d in
/// include/asyncify_rt.h, read from the header itself so that tests follow the contract.
#[allow(dead_code, reason = "shared by the suites; not every suite uses it")]
pub fn rt_status(name: &str) -> i32 {
    let path = manifest_dir().join("include/asyncify_rt.h");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let key = format!("ASYNCIFY_RT_STATUS_{name}");
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if words.next() == Some("#define") && words.next() == Some(key.as_str()) {
            if let Some(v) = words.next().and_then(|v| v.parse().ok()) {
                return v;
            }
        }
    }
    panic!("{} defines no numeric {key}", path.display())
}

/// Ok when `got` (a run of `label`) ended as a diagnosed misuse: exit `status`, exactly one stderr
/// line starting with "asyncify-rt: " and containing each of `stderr_contains`, and exactly
/// `stdout` printed before. Otherwise Err with a report.
fn check_misuse_outcome(label: &str, got: &Outcome, status: i32, stdout: &str, stderr_contains: &[&str]) -> Result<(), String> {
    let stderr = got.stderr_text();
    let lines: Vec<&str> = stderr.lines().collect();
    let mut problems = Vec::new();
    if got.code != Some(status) || got.timed_out {
        problems.push(format!("status: expected exit {}, got {}", status, got.status_text()));
    }
    if got.stdout != stdout.as_bytes() {
        problems.push(format!(
            "stdout before the misuse not intact (- expected, + got):\n{}",
            line_diff(stdout, &got.stdout_text())
        ));
    }
    match lines.as_slice() {
        [line] => {
            if !line.starts_with("asyncify-rt: ") {
                problems.push("stderr line does not start with \"asyncify-rt: \"".to_string());
            }
            for s in stderr_contains {
                if !line.contains(s) {
                    problems.push(format!("stderr line does not contain {s:?}"));
                }
            }
        }
        _ => problems.push(format!("stderr should be exactly one line, has {}", lines.len())),
    }
    if problems.is_empty() {
        return Ok(());
    }
    let mut msg = format!("{label}: misuse not diagnosed as documented\n  $ {}\n", got.command);
    for p in problems {
        let _ = writeln!(msg, "  - {p}");
    }
    let _ = writeln!(msg, "  stderr:");
    msg.push_str(&indent(&truncate_lines(&stderr, 30)));
    Err(msg)
}

/// One variant a case runs in: optimisation level, engine and a suite's own dimension.
#[derive(Clone, Copy, Debug)]
pub struct Variant {
    /// The name, as in the test's path (e.g. `o2`, `node`, `o0_lowered_capture`).
    pub name: &'static str,
    /// asyncify-cc's optimisation flag (`-O2`, `-O0`).
    pub opt: &'static str,
    /// The engine the wasm program runs under.
    pub engine: Engine,
    /// The rest of the name after the optimisation level and the engine: the suite's own
    /// dimension (tests/sjlj_modes.rs: the setjmp strategies of its two units, e.g.
    /// `lowered_capture`); empty when there is none.
    pub extra: &'static str,
}

impl Variant {
    /// The variant called `name`: words separated by `_`; leading words `o0`..`o3`, `os`, `oz`
    /// set the optimisation level (default `-O2`), `node`, `wamr` or `wasmtime` the engine (default
    /// wasmtime); what follows is [`Variant::extra`]. Panics unless at least one word is one of
    /// those (a typo would otherwise run at the defaults).
    pub fn named(name: &'static str) -> Variant {
        let mut v = Variant { name, opt: "-O2", engine: Engine::Wasmtime, extra: "" };
        let mut rest = name;
        let mut known = 0;
        while !rest.is_empty() {
            let (word, after) = rest.split_once('_').unwrap_or((rest, ""));
            match word {
                "o0" => v.opt = "-O0",
                "o1" => v.opt = "-O1",
                "o2" => v.opt = "-O2",
                "o3" => v.opt = "-O3",
                "os" => v.opt = "-Os",
                "oz" => v.opt = "-Oz",
                "node" => v.engine = Engine::Node,
                "wasmtime" => v.engine = Engine::Wasmtime,
                "wamr" => v.engine = Engine::Wamr,
                _ => break,
            }
            known += 1;
            rest = after;
        }
        assert!(known > 0, "variant {name:?} names no optimisation level or engine");
        v.extra = rest;
        v
    }
}

/// How one side of a case (native or wasm) is built, into the test's own directory.
#[allow(dead_code, reason = "shared by the suites; not every suite uses it")]
pub enum Build {
    /// `gcc -std=gnu11 -O1 -w <sources> <flags>` natively; `asyncify-cc <opt> -std=gnu11 -w
    /// <sources> <flags>` for WASI (`<opt>` from the variant; see [`build_wasm_sources`]).
    /// `sources` may hold objects too.
    Sources { sources: Vec<PathBuf>, flags: Vec<String> },
    /// The suite's own steps, given the test's directory and the variant; returns the program.
    Custom(Box<dyn Fn(&Path, Variant) -> Result<PathBuf, String>>),
}

impl Build {
    /// A program the suite builds once per test binary at optimisation level `opt` (e.g. Lua, or
    /// bdwgc's gctest): `get` returns it (building it on the first call). A variant at another
    /// level is an error, not a silent run of the wrong build.
    #[allow(dead_code, reason = "shared by the suites; not every suite uses it")]
    pub fn once_at(opt: &'static str, get: fn() -> Result<PathBuf, String>) -> Build {
        Build::Custom(Box::new(move |_, v| {
            if v.opt != opt {
                return Err(format!("this program is built once at {opt}; variant {} asks for {}", v.name, v.opt));
            }
            get()
        }))
    }

    fn native(&self, dir: &Path, v: Variant) -> Result<PathBuf, String> {
        match self {
            Build::Sources { sources, flags } => {
                build_native_sources(sources, &flags.iter().map(String::as_str).collect::<Vec<_>>(), dir)
            }
            Build::Custom(f) => f(dir, v),
        }
    }

    fn wasm(&self, dir: &Path, v: Variant) -> Result<PathBuf, String> {
        match self {
            Build::Sources { sources, flags } => {
                build_wasm_sources(sources, v.opt, &flags.iter().map(String::as_str).collect::<Vec<_>>(), dir)
            }
            Build::Custom(f) => f(dir, v),
        }
    }
}

/// What a case expects of the wasm run.
#[allow(dead_code, reason = "shared by the suites; not every suite uses it")]
pub enum Expect {
    /// Differential: the same stdout and exit status as the native build, whose run must end by
    /// itself (with `native_status`, if given: the reference must itself succeed or fail so);
    /// with `stderr`, the same stderr too.
    SameAsNative { native_status: Option<i32>, stderr: bool },
    /// Misuse: exit `status`, exactly one stderr line, starting with `asyncify-rt: ` and
    /// containing each of `stderr_contains`, after exactly `stdout`. WASI only.
    Misuse { status: i32, stderr_contains: &'static [&'static str], stdout: &'static str },
    /// WASI only (behaviour the contract defines and glibc does not share): exit `status` and a
    /// stdout as `stdout` says.
    Output { status: i32, stdout: Stdout },
    /// A negative control: for each prefix, the native run prints a line starting with it and the
    /// wasm run's line with that prefix differs (or is missing).
    LinesDiffer(&'static [&'static str]),
}

/// The stdout an [`Expect::Output`] case must print.
#[allow(dead_code, reason = "shared by the suites; not every suite uses it")]
pub enum Stdout {
    /// Exactly this text.
    Exact(&'static str),
    /// Contains each of `has` and none of `lacks`.
    Contains { has: &'static [&'static str], lacks: &'static [&'static str] },
}

/// One test case: a program, how to build it, how to run it and what is expected. Built by the
/// suite's case functions (see [`c_tests!`]) and checked by [`check_case`] in one variant.
pub struct Case {
    /// The program's name in messages and build directories (e.g. `setjmp/volatile_locals`).
    pub label: String,
    /// The native build (the oracle of [`Expect::SameAsNative`] and [`Expect::LinesDiffer`]);
    /// None for a program that only exists for WASI.
    pub native: Option<Build>,
    /// The WASI build.
    pub wasm: Build,
    /// The program's arguments (both sides).
    pub args: Vec<String>,
    /// The whole environment of the program (native and wasm), empty by default.
    pub env: Vec<(String, String)>,
    /// Both runs start in this directory, preopened as "." for the wasm program.
    pub dir: Option<PathBuf>,
    /// What the wasm run must do.
    pub expect: Expect,
    /// A documented limitation: in the variants (of this run) where the function says it
    /// applies, the case does not hold, for the reason given.
    pub limitation: Option<(fn(Variant) -> bool, String)>,
    /// Printed when the case runs: why it is checked this way in this run.
    pub note: Option<String>,
}

#[allow(dead_code, reason = "the builder of cases: each suite uses the parts its cases need")]
impl Case {
    /// `tests/c/<program>.c`, differential by default.
    pub fn program(program: &str) -> Case {
        Case::sources(program, vec![source(program)], &[])
    }

    /// A program from any sources (and objects), with `flags` after them on both command lines;
    /// differential by default.
    pub fn sources(label: &str, sources: Vec<PathBuf>, flags: &[&str]) -> Case {
        let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        Case {
            label: label.to_string(),
            native: Some(Build::Sources { sources: sources.clone(), flags: flags.clone() }),
            wasm: Build::Sources { sources, flags },
            args: Vec::new(),
            env: Vec::new(),
            dir: None,
            expect: Expect::SameAsNative { native_status: None, stderr: false },
            limitation: None,
            note: None,
        }
    }

    /// A program whose two sides the suite builds itself (no native side: `None`).
    pub fn built(label: &str, native: Option<Build>, wasm: Build) -> Case {
        Case { native, wasm, ..Case::sources(label, Vec::new(), &[]) }
    }

    /// The program's arguments (both sides).
    pub fn args(mut self, args: &[&str]) -> Case {
        self.args = args.iter().map(|a| a.to_string()).collect();
        self
    }

    /// The program's whole environment (both sides; under node, see [`Case::run`]).
    pub fn env(mut self, env: &[(&str, &str)]) -> Case {
        self.env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self
    }

    /// Runs both sides in `dir`, preopened as "." for the wasm program (wasmtime only).
    pub fn run_in(mut self, dir: PathBuf) -> Case {
        self.dir = Some(dir);
        self
    }

    /// Appends `flags` to the wasm build's command line (e.g. `-Wl,-z,stack-size=65536`).
    pub fn wasm_flags(mut self, more: &[&str]) -> Case {
        match &mut self.wasm {
            Build::Sources { flags, .. } => flags.extend(more.iter().map(|f| f.to_string())),
            Build::Custom(_) => panic!("{}: wasm_flags on a build of the suite's own", self.label),
        }
        self
    }

    /// Differential, and the native run (the reference) must itself exit with `status`.
    pub fn native_status(mut self, status: i32) -> Case {
        match &mut self.expect {
            Expect::SameAsNative { native_status, .. } => *native_status = Some(status),
            _ => panic!("{}: native_status on a case that is not differential", self.label),
        }
        self
    }

    /// Differential, comparing stderr too.
    pub fn same_stderr(mut self) -> Case {
        match &mut self.expect {
            Expect::SameAsNative { stderr, .. } => *stderr = true,
            _ => panic!("{}: same_stderr on a case that is not differential", self.label),
        }
        self
    }

    /// A misuse case (see [`Expect::Misuse`]).
    pub fn misuse(mut self, status: i32, stderr_contains: &'static [&'static str], stdout: &'static str) -> Case {
        self.expect = Expect::Misuse { status, stderr_contains, stdout };
        self
    }

    /// A WASI-only case with an exact stdout (see [`Expect::Output`]).
    pub fn output(mut self, status: i32, stdout: &'static str) -> Case {
        self.expect = Expect::Output { status, stdout: Stdout::Exact(stdout) };
        self
    }

    /// A WASI-only case whose stdout contains each of `has` and none of `lacks`.
    pub fn output_containing(mut self, status: i32, has: &'static [&'static str], lacks: &'static [&'static str]) -> Case {
        self.expect = Expect::Output { status, stdout: Stdout::Contains { has, lacks } };
        self
    }

    /// A negative control (see [`Expect::LinesDiffer`]).
    pub fn lines_differ(mut self, prefixes: &'static [&'static str]) -> Case {
        self.expect = Expect::LinesDiffer(prefixes);
        self
    }

    /// In the variants where `applies` (given the variant; it may also look at the setjmp
    /// strategy of the run) the case does not hold because of a documented limitation (`why`,
    /// which names where it is documented): the test still runs it, prints `why`, and passes only
    /// if the check fails, so that a fix shows up as a failing test (then drop this call).
    #[allow(dead_code, reason = "no case has a known limitation today; kept for the next documented one")]
    pub fn known_limitation(mut self, applies: fn(Variant) -> bool, why: &str) -> Case {
        self.limitation = Some((applies, why.to_string()));
        self
    }

    /// Prints `text` when the case runs (e.g. why it is checked this way with this setjmp
    /// strategy).
    pub fn note(mut self, text: &str) -> Case {
        self.note = Some(text.to_string());
        self
    }

}

impl Case {
    fn wasm_only(&self) -> bool {
        matches!(self.expect, Expect::Misuse { .. } | Expect::Output { .. })
    }

    /// Builds and runs the case in `v`, in a fresh directory named after `test`; Err carries a
    /// full report of what differs from the expectation. Under node, which cannot pass an
    /// environment, a case with one runs without it on both sides (and says so).
    pub fn run(&self, test: &str, v: Variant) -> Result<(), String> {
        let extra = if v.extra.is_empty() { String::new() } else { format!(", {}", v.extra) };
        let label = format!("{} (asyncify-cc {}, {}{extra})", self.label, v.opt, v.engine.name());
        let dir = work_dir(&self.label, &format!("{}-{}", test.replace("::", "-"), v.name));
        let mut env = self.env.as_slice();
        if v.engine == Engine::Node && !env.is_empty() {
            visible_note(&format!("{label}: run without its environment on both sides (the node runner cannot pass one)"));
            env = &[];
        }
        if let Some(note) = &self.note {
            visible_note(&format!("{label}: {note}"));
        }
        let native = if self.wasm_only() {
            None
        } else {
            let build = self.native.as_ref().ok_or_else(|| format!("{label}: a differential case without a native build"))?;
            let exe = build.native(&dir, v).map_err(|e| format!("{label}: {e}"))?;
            let native = run_command(native_command(&exe, &self.args, env, self.dir.as_deref()));
            check_native_ran(&label, &native)?;
            Some(native)
        };
        let wasm = self.wasm.wasm(&dir, v).map_err(|e| format!("{label}: {e}"))?;
        let cmd = wasm_command(v.engine, &wasm, &self.args, env, self.dir.as_deref());
        let got = match self.expect {
            // Misuse programs are tiny: a run that takes long is a hang (e.g. a dead env resumed
            // in a loop), so a shorter limit applies.
            Expect::Misuse { .. } => run_command_for(cmd, timeout().min(Duration::from_secs(60))),
            _ => run_command(cmd),
        };
        match (&self.expect, native) {
            (Expect::SameAsNative { native_status, stderr }, Some(native)) => {
                if let Some(status) = *native_status {
                    if native.code != Some(status) {
                        return Err(format!(
                            "{label}: the native run exited {} instead of {status}, so the reference itself \
                             is broken (check the driver and the flags, not the runtime):\n  $ {}\n  stdout:\n{}  stderr:\n{}",
                            native.status_text(),
                            native.command,
                            indent(&truncate_lines(&native.stdout_text(), 30)),
                            indent(&truncate_lines(&native.stderr_text(), 30))
                        ));
                    }
                }
                compare_with_native(&label, &native, &got, *stderr)
            }
            (Expect::LinesDiffer(prefixes), Some(native)) => {
                let (n, g) = (native.stdout_text(), got.stdout_text());
                let line = |s: &str, p: &str| s.lines().find(|l| l.starts_with(p)).map(str::to_owned);
                let mut problems = Vec::new();
                for p in *prefixes {
                    match line(&n, p) {
                        None => problems.push(format!("the native run printed no {p:?} line")),
                        Some(expected) if line(&g, p).as_ref() == Some(&expected) => {
                            problems.push(format!("the {p:?} line should differ from native ({expected:?})"))
                        }
                        Some(_) => {}
                    }
                }
                if problems.is_empty() {
                    Ok(())
                } else {
                    Err(format!("{label}: {}\n  native stdout:\n{}{}", problems.join("; "), indent(&n), report(&got)))
                }
            }
            (Expect::Misuse { status, stderr_contains, stdout }, _) => {
                check_misuse_outcome(&label, &got, *status, stdout, stderr_contains)
            }
            (Expect::Output { status, stdout }, _) => {
                let text = got.stdout_text();
                let stdout_ok = match stdout {
                    Stdout::Exact(s) => got.stdout == s.as_bytes(),
                    Stdout::Contains { has, lacks } => {
                        has.iter().all(|h| text.contains(h)) && !lacks.iter().any(|l| text.contains(l))
                    }
                };
                if got.code == Some(*status) && !got.timed_out && stdout_ok {
                    return Ok(());
                }
                let want = match stdout {
                    Stdout::Exact(s) => format!("  stdout diff (- expected, + got):\n{}", line_diff(s, &text)),
                    Stdout::Contains { has, lacks } => format!("  stdout should contain {has:?} and none of {lacks:?}\n"),
                };
                Err(format!("{label}: expected exit {status}, got {}\n{want}{}", got.status_text(), report(&got)))
            }
            (_, None) => unreachable!("a differential case always has its native run"),
        }
    }
}

/// The command, status, stdout and stderr of a run, for failure messages.
fn report(o: &Outcome) -> String {
    format!(
        "  $ {}\n  {}\n  stdout:\n{}  stderr:\n{}",
        o.command,
        o.status_text(),
        indent(&truncate_lines(&o.stdout_text(), 60)),
        indent(&truncate_lines(&o.stderr_text(), 30))
    )
}

/// Writes `text` to stderr past the test harness's capture (which takes only `print!` and
/// `eprint!`), so that how a case was checked in this run shows in every run, passing or not.
fn visible_note(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "note: {text}");
}

/// What each test declared by [`c_tests!`] runs: checks `case` in the variant named `variant`,
/// panicking with the report on failure. A case with a [`Case::known_limitation`] must fail; it
/// prints the limitation and the failure, and panics if the case now holds.
pub fn check_case(case: Case, test: &str, variant: &'static str) {
    let v = Variant::named(variant);
    let result = case.run(test, v);
    let limitation = case.limitation.as_ref().filter(|(applies, _)| applies(v)).map(|(_, why)| why);
    match (limitation, result) {
        (None, Ok(())) => {}
        (None, Err(e)) => panic!("{e}"),
        (Some(why), Err(e)) => {
            visible_note(&format!("{test} ({variant}): known limitation, checked to still fail: {why}"));
            eprintln!("{e}"); // the failure itself, shown with --nocapture
        }
        (Some(why), Ok(())) => panic!(
            "{test} ({variant}) now holds although marked as a known limitation ({why}): drop the \
             known_limitation and update the documentation"
        ),
    }
}

/// Asserts that every C program of `tests/c/<suite>/` is the program of some case in `labels`
/// (case labels, e.g. `setjmp/main_argv`), except those `exempt` accepts (programs another suite
/// builds), and that every label `<suite>/...` is an existing program.
#[allow(dead_code, reason = "shared by the suites; not every suite uses it")]
pub fn assert_every_program_tested(suite: &str, labels: &[String], exempt: fn(&str) -> bool) {
    let programs = programs_in(suite);
    let missing: Vec<&String> =
        programs.iter().filter(|p| !exempt(p.as_str()) && !labels.contains(p)).collect();
    let unknown: Vec<&String> =
        labels.iter().filter(|l| l.starts_with(&format!("{suite}/")) && !programs.contains(l)).collect();
    assert!(missing.is_empty(), "programs in tests/c/{suite} without a test: {missing:?}");
    assert!(unknown.is_empty(), "cases whose program is not in tests/c/{suite}: {unknown:?}");
}
