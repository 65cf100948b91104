//! Building and running the generated programs: natively (gcc + glibc, the oracle) and for WASI
//! (asyncify-cc in either setjmp strategy, run under asyncify-run/wasmtime, node or
//! asyncify-run-wamr/WAMR), and cutting
//! a run's stdout into per-case segments.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The external tools.
#[derive(Clone, Debug)]
pub struct Tools {
    /// `asyncify-cc` (default: next to this executable).
    pub cc: PathBuf,
    /// `asyncify-run` (default: next to this executable).
    pub run: PathBuf,
    /// `asyncify-run-wamr` (default: next to `run`, where `scripts/setup.sh` builds it).
    pub run_wamr: PathBuf,
    /// `tools/run-node.mjs`.
    pub node_script: PathBuf,
    /// Native compiler (gcc).
    pub gcc: String,
    /// node.
    pub node: String,
    /// Seconds before a run is killed.
    pub timeout: u64,
}

pub use crate::engine::Engine;
pub use crate::sjlj::Sjlj;

/// Parses a setjmp strategy name: asyncify-cc's names (`lowered`, `capture`), or `default` for
/// asyncify-cc's default (the lowering).
pub fn parse_strategy(s: &str) -> Result<Sjlj, String> {
    match s {
        "default" => Ok(Sjlj::Lowered),
        _ => Sjlj::named(s).ok_or_else(|| format!("unknown strategy {s:?} (lowered or default, capture)")),
    }
}

/// Parses an engine name.
pub fn parse_engine(s: &str) -> Result<Engine, String> {
    Engine::named(s).ok_or_else(|| format!("unknown engine {s:?} (wasmtime, node, wamr)"))
}

/// One wasm configuration under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Variant {
    /// setjmp strategy of the build.
    pub strategy: Sjlj,
    /// Optimisation level, e.g. "O2".
    pub opt: &'static str,
    /// Where the build runs.
    pub engine: Engine,
}

impl Variant {
    /// `<strategy>-<opt>-<engine>`, e.g. `capture-O2-wasmtime`.
    pub fn name(&self) -> String {
        format!("{}-{}-{}", self.strategy.name(), self.opt, self.engine.name())
    }
    /// The build this variant runs (engines share builds).
    pub fn build_name(&self) -> String {
        format!("{}-{}", self.strategy.name(), self.opt)
    }
}

/// How a process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Exited with this status (a wasm trap is 134 from both runners).
    Exit(i32),
    /// Killed by this signal.
    Signal(i32),
    /// Killed after the timeout.
    Timeout,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Status::Exit(c) => write!(f, "exit {c}"),
            Status::Signal(s) => write!(f, "signal {s}"),
            Status::Timeout => write!(f, "timeout"),
        }
    }
}

/// A finished run.
#[derive(Clone, Debug)]
pub struct RunOut {
    /// Everything the process wrote to stdout.
    pub stdout: Vec<u8>,
    /// Everything it wrote to stderr.
    pub stderr: Vec<u8>,
    /// How it ended.
    pub status: Status,
}

fn status_of(s: std::process::ExitStatus, timed_out: bool) -> Status {
    use std::os::unix::process::ExitStatusExt;
    if timed_out {
        return Status::Timeout;
    }
    match (s.code(), s.signal()) {
        (Some(c), _) => Status::Exit(c),
        (None, Some(sig)) => Status::Signal(sig),
        _ => Status::Exit(-1),
    }
}

/// Runs `argv` under coreutils `timeout -s KILL`, capturing its output.
pub fn run_with_timeout(argv: &[String], secs: u64) -> RunOut {
    let out = Command::new("timeout")
        .arg("-s")
        .arg("KILL")
        .arg(secs.to_string())
        .args(argv)
        .output()
        .unwrap_or_else(|e| panic!("cannot run timeout {}: {e}", argv.join(" ")));
    // timeout(1) itself exits 137 when it killed the command with KILL.
    use std::os::unix::process::ExitStatusExt;
    let timed_out = out.status.code() == Some(137) || out.status.signal() == Some(9);
    RunOut { stdout: out.stdout, stderr: out.stderr, status: status_of(out.status, timed_out) }
}

fn check(out: std::io::Result<std::process::Output>, what: &str) -> Result<(), String> {
    match out {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!("{what} failed ({}):\n{}", o.status, String::from_utf8_lossy(&o.stderr))),
        Err(e) => Err(format!("cannot run {what}: {e}")),
    }
}

impl Tools {
    /// The native oracle: `gcc -<opt> -w -ffp-contract=off src -o out`.
    pub fn build_native(&self, src: &Path, out: &Path, opt: &str) -> Result<(), String> {
        let o = Command::new(&self.gcc)
            .arg(format!("-{opt}"))
            .args(["-w", "-ffp-contract=off"])
            .arg(src)
            .arg("-o")
            .arg(out)
            .output();
        check(o, &format!("{} -{opt} {}", self.gcc, src.display()))
    }

    /// `asyncify-cc -<opt> -w -c src` then the link to `out`, in `strategy` (compiling first
    /// keeps the lowered strategy's probe link from compiling the source a second time).
    pub fn build_wasm(&self, src: &Path, out: &Path, opt: &str, strategy: Sjlj) -> Result<(), String> {
        let obj = out.with_extension("o");
        let cc = |args: &[&std::ffi::OsStr]| {
            let mut c = Command::new(&self.cc);
            c.arg(format!("-{opt}")).args(args);
            match strategy {
                Sjlj::Lowered => c.env_remove("ASYNCIFY_CC_SJLJ"),
                Sjlj::Capture => c.env("ASYNCIFY_CC_SJLJ", "capture"),
            };
            c.output()
        };
        let what = format!("asyncify-cc -{opt} ({}) {}", strategy.name(), src.display());
        check(cc(&["-w".as_ref(), "-c".as_ref(), src.as_os_str(), "-o".as_ref(), obj.as_os_str()]), &what)?;
        check(cc(&[obj.as_os_str(), "-o".as_ref(), out.as_os_str()]), &what)
    }

    /// Runs a native executable with cases from `start`.
    pub fn run_native(&self, exe: &Path, start: usize) -> RunOut {
        run_with_timeout(&[exe.display().to_string(), start.to_string()], self.timeout)
    }

    /// Runs a wasm module on `engine` with cases from `start`.
    pub fn run_wasm(&self, wasm: &Path, engine: Engine, start: usize) -> RunOut {
        let argv: Vec<String> = match engine {
            Engine::Wasmtime => vec![self.run.display().to_string(), wasm.display().to_string(), start.to_string()],
            Engine::Wamr => vec![self.run_wamr.display().to_string(), wasm.display().to_string(), start.to_string()],
            Engine::Node => vec![
                self.node.clone(),
                "--no-warnings".into(),
                self.node_script.display().to_string(),
                wasm.display().to_string(),
                start.to_string(),
            ],
        };
        run_with_timeout(&argv, self.timeout)
    }
}

/// One case's part of a run's stdout: the lines from `@case k` up to and including `@end k ...`
/// (`ended`), or up to the end of the output when the process ended inside the case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// The case number.
    pub case: usize,
    /// Its lines, the `@end` line included when it ended.
    pub text: String,
    /// Whether its `@end` line was printed.
    pub ended: bool,
}

/// Cuts stdout into segments. Text before the first `@case` line is dropped (there is none).
pub fn segments(stdout: &[u8]) -> Vec<Segment> {
    let text = String::from_utf8_lossy(stdout);
    let mut v: Vec<Segment> = vec![];
    for line in text.split_inclusive('\n') {
        if let Some(k) = line.strip_prefix("@case ").and_then(|r| r.trim().parse::<usize>().ok()) {
            v.push(Segment { case: k, text: String::new(), ended: false });
            continue;
        }
        if let Some(seg) = v.last_mut() {
            if !seg.ended {
                seg.text.push_str(line);
                if line.starts_with("@end ") {
                    seg.ended = true;
                }
            }
        }
    }
    v
}

/// A case whose wasm run differs from the native one.
#[derive(Clone, Debug)]
pub struct Mismatch {
    /// The case (index in the compiled program).
    pub case: usize,
    /// The oracle's segment.
    pub native_text: String,
    /// The oracle's status if its process ended in this case (or after the last case).
    pub native_status: Option<Status>,
    /// The wasm build's segment.
    pub wasm_text: String,
    /// The wasm process's status if it ended in this case (or after the last case).
    pub wasm_status: Option<Status>,
    /// The wasm process's stderr (diagnosed misuse, traps).
    pub wasm_stderr: String,
}

impl Mismatch {
    /// What kind of difference this is, for minimisation to keep to one bug: the first differing
    /// wasm line and the first stderr line with digits removed (names, values and addresses
    /// change as the program shrinks), and whether the wasm process ended in the case.
    pub fn signature(&self) -> String {
        let n: Vec<&str> = self.native_text.lines().collect();
        let w: Vec<&str> = self.wasm_text.lines().collect();
        let line = (0..n.len().max(w.len())).find(|i| n.get(*i) != w.get(*i)).and_then(|i| w.get(i).copied()).unwrap_or("<end>");
        let err = self.wasm_stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let strip = |s: &str| s.chars().filter(|c| !c.is_ascii_digit()).collect::<String>();
        let status = match &self.wasm_status {
            None => "continues".to_string(),
            Some(s) => s.to_string(),
        };
        format!("{}|{}|{}", strip(line), strip(err), status)
    }

    /// One line: the first differing line, or the statuses.
    pub fn describe(&self) -> String {
        let n: Vec<&str> = self.native_text.lines().collect();
        let w: Vec<&str> = self.wasm_text.lines().collect();
        let err = self.wasm_stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
        let st = |s: &Option<Status>| s.as_ref().map(|s| s.to_string()).unwrap_or_else(|| "continues".into());
        let mut d = match (0..n.len().max(w.len())).find(|i| n.get(*i) != w.get(*i)) {
            Some(i) => format!(
                "line {}: native {:?}, wasm {:?}",
                i + 1,
                n.get(i).copied().unwrap_or("<end>"),
                w.get(i).copied().unwrap_or("<end>")
            ),
            None => "same output".into(),
        };
        if self.native_status != self.wasm_status {
            d.push_str(&format!("; native {}, wasm {}", st(&self.native_status), st(&self.wasm_status)));
        }
        if !err.is_empty() {
            d.push_str(&format!("; stderr: {err}"));
        }
        d
    }
}

/// The oracle: native runs by start index, memoised.
pub struct Oracle<'a> {
    /// The tools (for the timeout).
    pub tools: &'a Tools,
    /// The native executable.
    pub exe: PathBuf,
    memo: HashMap<usize, RunOut>,
}

impl<'a> Oracle<'a> {
    /// An oracle for the native executable `exe`; nothing runs yet.
    pub fn new(tools: &'a Tools, exe: PathBuf) -> Oracle<'a> {
        Oracle { tools, exe, memo: HashMap::new() }
    }
    /// The native run from case `start` (run once, then remembered).
    pub fn run(&mut self, start: usize) -> &RunOut {
        let (tools, exe) = (self.tools, self.exe.clone());
        self.memo.entry(start).or_insert_with(|| tools.run_native(&exe, start))
    }
}

/// Compares runs of a wasm build with the oracle over cases `0..n`: runs from 0; when a process
/// ends inside a case (`exit`, a trap, a diagnosed misuse), the next run starts at the case after
/// it. A case whose output differs while both processes go on is counted and the comparison
/// goes on in the same runs (each case starts from fresh state). Returns the number of cases that matched and the mismatches.
/// `run_wasm(start)` runs the wasm build.
pub fn compare(n: usize, oracle: &mut Oracle, mut run_wasm: impl FnMut(usize) -> RunOut) -> (usize, Vec<Mismatch>) {
    let mut clean = 0;
    let mut bad = vec![];
    let mut start = 0;
    while start < n {
        let w = run_wasm(start);
        let nat = oracle.run(start).clone();
        let ws = segments(&w.stdout);
        let ns = segments(&nat.stdout);
        let mut next = n;
        let mut k = start;
        while k < n {
            let wseg = ws.get(k - start).filter(|s| s.case == k);
            let nseg = ns.get(k - start).filter(|s| s.case == k);
            let nat_end = nseg.map(|s| s.ended).unwrap_or(false);
            let w_end = wseg.map(|s| s.ended).unwrap_or(false);
            let same_text = wseg.map(|s| &s.text) == nseg.map(|s| &s.text);
            // The status matters for the case in which a process ended.
            let nst = if nat_end { None } else { Some(nat.status.clone()) };
            let wst = if w_end { None } else { Some(w.status.clone()) };
            let last = k + 1 == n;
            // After the last case both processes return main's status.
            let (nst, wst) = if last && nat_end && w_end { (Some(nat.status.clone()), Some(w.status.clone())) } else { (nst, wst) };
            if same_text && nst == wst && nseg.is_some() {
                clean += 1;
                if !nat_end {
                    next = k + 1;
                    break;
                }
                k += 1;
                continue;
            }
            bad.push(Mismatch {
                case: k,
                native_text: nseg.map(|s| s.text.clone()).unwrap_or_default(),
                native_status: nst,
                wasm_text: wseg.map(|s| s.text.clone()).unwrap_or_default(),
                wasm_status: wst,
                wasm_stderr: String::from_utf8_lossy(&w.stderr).into_owned(),
            });
            if nat_end && w_end && !last {
                // Both processes went on: the next cases (which start from fresh state) are
                // compared in the same runs.
                k += 1;
                continue;
            }
            next = k + 1;
            break;
        }
        if k >= n {
            break;
        }
        start = next;
    }
    (clean, bad)
}

/// Checks that two native builds (gcc -O0 and -O2) agree on every case: the generator's
/// legality check (a disagreement means an illegal program). Returns the cases that differ.
pub fn native_agree(n: usize, a: &mut Oracle, b: &mut Oracle) -> Vec<usize> {
    let (_, bad) = compare(n, a, |start| b.run(start).clone());
    bad.into_iter().map(|m| m.case).collect()
}
