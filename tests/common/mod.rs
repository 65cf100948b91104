//! Shared helpers of the integration tests: build a C program natively (gcc + glibc) and for WASI
//! (asyncify-cc), run it natively, under `asyncify-run` (wasmtime) or under node (`run-node.mjs`),
//! and compare.
//!
//! Programs are named by their path under `tests/c/` without the `.c`, e.g.
//! `"setjmp/volatile_locals"`. Build products go to a fresh directory per program and variant
//! under `CARGO_TARGET_TMPDIR`, so tests can run in parallel.
//!
//! * Differential tests ([`Differential`], [`assert_same_as_native`]): the native build is the
//!   oracle; the wasm build must print the same stdout and exit with the same status.
//! * Misuse tests ([`Misuse`], [`assert_misuse`]): a wasm program that the runtime must stop with
//!   a diagnosed status and a one-line `asyncify-rt: ` message on stderr, after printing a given
//!   stdout.
//!
//! Environment knobs: `ASYNCIFY_TEST_TIMEOUT` (seconds per program run, default 300),
//! `ASYNCIFY_TEST_GCC` (native compiler, default `gcc`), `ASYNCIFY_TEST_NODE` (default `node`),
//! `ASYNCIFY_TEST_WASM_FLAGS` (whitespace-separated flags appended to every asyncify-cc command,
//! for experiments).
#![allow(dead_code)]

pub mod crates;

/// `differential_tests!(a, b, ...)`: one `#[test]` per C program of the suite, at `-O2` (module
/// `o2`) and `-O0` (module `o0`), each calling the suite's own `differential(name, opt)`; also
/// defines `DIFFERENTIAL`, the list of names (for the suite's "every program has a test" check).
/// Used with `#[macro_use] mod common;`.
#[allow(unused_macros)]
macro_rules! differential_tests {
    ($($name:ident),* $(,)?) => {
        const DIFFERENTIAL: &[&str] = &[$(stringify!($name)),*];
        mod o2 {
            $( #[test] fn $name() { super::differential(stringify!($name), "-O2"); } )*
        }
        mod o0 {
            $( #[test] fn $name() { super::differential(stringify!($name), "-O0"); } )*
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

/// The compiler driver under test.
pub fn asyncify_cc() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_asyncify-cc"))
}

/// The wasmtime-based runner under test.
pub fn asyncify_run() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_asyncify-run"))
}

/// The node runner script.
pub fn run_node_script() -> PathBuf {
    manifest_dir().join("tools/run-node.mjs")
}

/// `tests/c/<program>.c`.
pub fn source(program: &str) -> PathBuf {
    manifest_dir().join("tests/c").join(format!("{program}.c"))
}

/// All programs (names as used by [`source`]) in `tests/c/<suite>/`, sorted.
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

/// The setjmp strategy asyncify-cc uses in this test run (`ASYNCIFY_CC_SJLJ`, which asyncify-cc
/// itself reads), as a directory name; "default" when unset.
pub fn sjlj_mode() -> String {
    std::env::var("ASYNCIFY_CC_SJLJ").ok().filter(|m| !m.is_empty()).unwrap_or_else(|| "default".into())
}

/// Whether asyncify-cc compiles with LLVM's setjmp lowering in this run (its default; off when
/// `ASYNCIFY_CC_SJLJ=capture`).
pub fn sjlj_lowered() -> bool {
    std::env::var("ASYNCIFY_CC_SJLJ").as_deref() != Ok("capture")
}

/// A fresh, empty directory for one program and variant (e.g. `"O2-wasmtime"`), separate per
/// setjmp strategy so that runs in both modes do not share builds.
pub fn work_dir(program: &str, variant: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("c-tests-{}", sjlj_mode()))
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

fn build(cmd: Command, what: &str, out: &Path) -> Result<PathBuf, String> {
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

/// Runs one build step (any command that must exit 0 and leave `out`); Err carries the command
/// line and its output. For builds the helpers below do not cover (e.g. objects compiled with
/// different flags, then linked).
pub fn build_step(cmd: Command, what: &str, out: &Path) -> Result<PathBuf, String> {
    build(cmd, what, out)
}

/// Builds `program` natively: `gcc -std=gnu11 -O1 -w`.
pub fn build_native(program: &str, dir: &Path) -> Result<PathBuf, String> {
    build_native_sources(&[source(program)], &[], dir)
}

/// Builds `program` for WASI with asyncify-cc at optimisation level `opt` (e.g. "-O2"), with
/// `extra` flags appended (e.g. "-Wl,-z,stack-size=65536").
pub fn build_wasm(program: &str, opt: &str, extra: &[&str], dir: &Path) -> Result<PathBuf, String> {
    build_wasm_sources(&[source(program)], opt, extra, dir)
}

/// Builds a native executable from any C sources (not only `tests/c/` programs), e.g. a fetched
/// third-party file plus a driver: `gcc -std=gnu11 -O1 -w <sources> -o <dir>/native.exe <extra>`.
/// `extra` comes last, so it may hold `-I`/`-D` flags and libraries alike.
pub fn build_native_sources(sources: &[PathBuf], extra: &[&str], dir: &Path) -> Result<PathBuf, String> {
    let out = dir.join("native.exe");
    let gcc = std::env::var("ASYNCIFY_TEST_GCC").unwrap_or_else(|_| "gcc".into());
    let mut cmd = Command::new(gcc);
    cmd.args(["-std=gnu11", "-O1", "-w"]).args(sources).arg("-o").arg(&out).args(extra);
    build(cmd, "native build", &out)
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
    build(cmd, "asyncify-cc build", &out)
}

/// Runs a native executable with `args` and exactly the environment `env`.
pub fn run_native(exe: &Path, args: &[&str], env: &[(&str, &str)]) -> Outcome {
    let mut cmd = Command::new(exe);
    cmd.args(args).env_clear();
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_command(cmd)
}

/// A WASI engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// `asyncify-run` (the wasmtime crate).
    Wasmtime,
    /// `node tools/run-node.mjs` (node:wasi).
    Node,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Wasmtime => "wasmtime",
            Engine::Node => "node",
        }
    }
}

/// Runs a wasm module under `engine` with `args` and environment `env` (guest environment).
/// The node runner has no way to pass environment variables: a non-empty `env` panics there.
pub fn run_wasm(engine: Engine, wasm: &Path, args: &[&str], env: &[(&str, &str)]) -> Outcome {
    run_command(wasm_command(engine, wasm, args, env))
}

/// The command line that runs a wasm module under `engine` (see [`run_wasm`]).
pub fn wasm_command(engine: Engine, wasm: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    match engine {
        Engine::Wasmtime => {
            let mut cmd = Command::new(asyncify_run());
            for (k, v) in env {
                cmd.arg("--env").arg(format!("{k}={v}"));
            }
            cmd.arg(wasm).args(args);
            cmd
        }
        Engine::Node => {
            assert!(
                env.is_empty(),
                "tools/run-node.mjs cannot pass environment variables to the program"
            );
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

/// Ok when the wasm run printed the same stdout and exited with the same status as the native
/// run; otherwise Err with a report (statuses, command lines, stdout diff, wasm stderr).
pub fn compare_with_native(label: &str, native: &Outcome, got: &Outcome) -> Result<(), String> {
    let same_out = native.stdout == got.stdout;
    let same_status = native.code == got.code && !got.timed_out;
    if same_out && same_status {
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
    if !got.stderr.is_empty() {
        let _ = writeln!(msg, "  wasm stderr:");
        msg.push_str(&indent(&truncate_lines(&got.stderr_text(), 30)));
    }
    Err(msg)
}

/// The exit status `ASYNCIFY_RT_STATUS_<name>` (e.g. `"BAD_CONTEXT"`) as `#define`d in
/// include/asyncify_rt.h, read from the header itself so that tests follow the contract.
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

/// A differential test of one program: native output is the expectation for the wasm build.
#[derive(Clone, Debug)]
pub struct Differential<'a> {
    pub program: &'a str,
    pub args: &'a [&'a str],
    pub env: &'a [(&'a str, &'a str)],
    pub opt: &'a str,
    pub engine: Engine,
    pub link_flags: &'a [&'a str],
}

impl<'a> Differential<'a> {
    /// Defaults: no arguments, no environment, `-O2`, wasmtime.
    pub fn new(program: &'a str) -> Self {
        Differential { program, args: &[], env: &[], opt: "-O2", engine: Engine::Wasmtime, link_flags: &[] }
    }
    pub fn args(mut self, args: &'a [&'a str]) -> Self {
        self.args = args;
        self
    }
    pub fn env(mut self, env: &'a [(&'a str, &'a str)]) -> Self {
        self.env = env;
        self
    }
    pub fn opt(mut self, opt: &'a str) -> Self {
        self.opt = opt;
        self
    }
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }
    pub fn link_flags(mut self, flags: &'a [&'a str]) -> Self {
        self.link_flags = flags;
        self
    }

    fn label(&self) -> String {
        format!("{} (asyncify-cc {}, {})", self.program, self.opt, self.engine.name())
    }

    /// Builds and runs both sides; Err carries a full report of the difference.
    pub fn run(&self) -> Result<(), String> {
        let variant = format!("{}-{}", self.opt.trim_start_matches('-'), self.engine.name());
        let dir = work_dir(self.program, &variant);
        let label = self.label();
        let native_exe = build_native(self.program, &dir).map_err(|e| format!("{label}: {e}"))?;
        let native = run_native(&native_exe, self.args, self.env);
        check_native_ran(&label, &native)?;
        let wasm = build_wasm(self.program, self.opt, self.link_flags, &dir).map_err(|e| format!("{label}: {e}"))?;
        let got = run_wasm(self.engine, &wasm, self.args, self.env);
        compare_with_native(&label, &native, &got)
    }

    /// Panics with the report when the wasm run differs from the native one.
    pub fn check(&self) {
        if let Err(e) = self.run() {
            panic!("{e}");
        }
    }
}

/// Builds `program` natively and with asyncify-cc -O2, runs both (wasm under wasmtime) with
/// `args` and `env`, and panics with a diff unless stdout and exit status are the same.
pub fn assert_same_as_native(program: &str, args: &[&str], env: &[(&str, &str)]) {
    Differential::new(program).args(args).env(env).check();
}

/// A misuse test: the runtime must end the program with `status` and a one-line stderr message
/// starting with "asyncify-rt: " that contains each of `stderr_contains`, after the program has
/// printed exactly `stdout`.
#[derive(Clone, Debug)]
pub struct Misuse<'a> {
    pub program: &'a str,
    pub opt: &'a str,
    pub engine: Engine,
    pub link_flags: &'a [&'a str],
    pub args: &'a [&'a str],
    pub stdout: &'a str,
    pub status: i32,
    pub stderr_contains: &'a [&'a str],
    /// Distinguishes the build directory of cases that run the same program (e.g. with different
    /// arguments) so they can run in parallel; empty by default.
    pub tag: &'a str,
}

impl<'a> Misuse<'a> {
    /// Defaults: `-O2`, wasmtime, no extra link flags, no arguments, empty stdout, no tag.
    pub fn new(program: &'a str, status: i32, stderr_contains: &'a [&'a str]) -> Self {
        Misuse { program, opt: "-O2", engine: Engine::Wasmtime, link_flags: &[], args: &[], stdout: "", status, stderr_contains, tag: "" }
    }
    /// Builds in a directory of its own, named with `tag` (for cases sharing a program).
    pub fn tag(mut self, tag: &'a str) -> Self {
        self.tag = tag;
        self
    }
    pub fn opt(mut self, opt: &'a str) -> Self {
        self.opt = opt;
        self
    }
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }
    pub fn link_flags(mut self, flags: &'a [&'a str]) -> Self {
        self.link_flags = flags;
        self
    }
    pub fn args(mut self, args: &'a [&'a str]) -> Self {
        self.args = args;
        self
    }
    pub fn stdout(mut self, stdout: &'a str) -> Self {
        self.stdout = stdout;
        self
    }

    pub fn run(&self) -> Result<(), String> {
        let mut variant = format!("misuse-{}-{}", self.opt.trim_start_matches('-'), self.engine.name());
        if !self.tag.is_empty() {
            variant = format!("{variant}-{}", self.tag);
        }
        let dir = work_dir(self.program, &variant);
        let label = format!("{} (asyncify-cc {}, {})", self.program, self.opt, self.engine.name());
        let wasm = build_wasm(self.program, self.opt, self.link_flags, &dir).map_err(|e| format!("{label}: {e}"))?;
        // Misuse programs are tiny: a run that takes long is a hang (e.g. a dead env resumed in
        // a loop), so a shorter limit applies.
        let limit = timeout().min(Duration::from_secs(60));
        let got = run_command_for(wasm_command(self.engine, &wasm, self.args, &[]), limit);
        check_misuse_outcome(&label, &got, self.status, self.stdout, self.stderr_contains)
    }

    pub fn check(&self) {
        if let Err(e) = self.run() {
            panic!("{e}");
        }
    }
}

/// [`Misuse`] with defaults (-O2, wasmtime): status, stderr substrings and the stdout printed
/// before the misuse.
pub fn assert_misuse(program: &str, status: i32, stderr_contains: &[&str], stdout: &str) {
    Misuse::new(program, status, stderr_contains).stdout(stdout).check();
}

/// Ok when `got` (a run of `label`) ended as a diagnosed misuse: exit `status`, exactly one stderr
/// line starting with "asyncify-rt: " and containing each of `stderr_contains`, and exactly
/// `stdout` printed before. Otherwise Err with a report. (What [`Misuse`] checks, for programs
/// built some other way.)
pub fn check_misuse_outcome(label: &str, got: &Outcome, status: i32, stdout: &str, stderr_contains: &[&str]) -> Result<(), String> {
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
