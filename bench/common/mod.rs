//! Shared by the benchmarks (`bench/setjmp.rs`, `bench/ucontext.rs`, `bench/scan.rs`): the tools
//! under test, running and timing a process, iteration calibration, medians, number formatting
//! and the notes on the run (command, date, machine, load, tools) written above each set of
//! results; and, from `tests/common`, where the C sources from crates are.
//!
//! Each bench includes this file with `mod common;`; an item that not every bench uses carries
//! `#[allow(dead_code)]` with that reason.

#[path = "../../tests/common/crates.rs"]
pub mod crates;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs per configuration; the median is reported.
pub const RUNS: usize = 5;
/// Wanted duration of one timed loop, in ns.
pub const TARGET_LOOP_NS: f64 = 0.2e9;
/// Calibration stops growing the iteration count once a loop takes this long, in ns.
pub const CALIBRATION_MIN_NS: f64 = 0.01e9;
/// A single run taking longer than this is an error.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(120);

pub type Result<T> = std::result::Result<T, String>;

pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn asyncify_cc() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_asyncify-cc"))
}

pub fn asyncify_run() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_asyncify-run"))
}

/// Runs a build step; an error carries the command and its output. Returns its stderr.
pub fn check(mut cmd: Command, what: &str) -> Result<String> {
    let o = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: cannot run {cmd:?}: {e}"))?;
    if !o.status.success() {
        return Err(format!(
            "{what} failed ({}): {cmd:?}\n{}{}",
            o.status,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&o.stderr).into_owned())
}

pub struct Outcome {
    pub status: Option<i32>,
    #[allow(dead_code, reason = "not every bench reads the wall time")]
    pub wall: Duration,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` (stdin from /dev/null, output to files under `runs/`), timing the whole process.
pub fn run_timed(mut cmd: Command, out: &Path, tag: &str) -> Result<Outcome> {
    let (so, se) = (
        out.join("runs").join(format!("{tag}.stdout")),
        out.join("runs").join(format!("{tag}.stderr")),
    );
    let file = |p: &Path| std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()));
    cmd.stdin(Stdio::null()).stdout(file(&so)?).stderr(file(&se)?);
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if start.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{cmd:?} took longer than {RUN_TIMEOUT:?}"));
        }
        std::thread::sleep(Duration::from_micros(500));
    };
    let wall = start.elapsed();
    Ok(Outcome {
        status: status.code(),
        wall,
        stdout: std::fs::read_to_string(&so).unwrap_or_default(),
        stderr: std::fs::read_to_string(&se).unwrap_or_default(),
    })
}

/// The value of the first whitespace-separated `KEY=VALUE` word of `text` with this key.
pub fn field<T: std::str::FromStr>(text: &str, key: &str) -> Option<T> {
    text.split_whitespace()
        .find_map(|w| w.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
        .and_then(|v| v.parse().ok())
}

pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

pub fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)))
}

/// Iterations for a timed loop of about TARGET_LOOP_NS: grows a trial count tenfold until the
/// loop takes at least CALIBRATION_MIN_NS, then scales it. `once(n)` runs a loop of `n`
/// iterations and returns its ns per iteration.
pub fn calibrate(mut once: impl FnMut(u64) -> Result<f64>) -> Result<u64> {
    let mut n: u64 = 100;
    loop {
        let ns = once(n)?;
        if ns * n as f64 >= CALIBRATION_MIN_NS || n >= 1_000_000_000 {
            return Ok(((TARGET_LOOP_NS / ns.max(0.01)) as u64).max(1));
        }
        n *= 10;
    }
}

pub fn fmt_ns(ns: f64) -> String {
    if ns >= 100.0 {
        format!("{ns:.0}")
    } else {
        format!("{ns:.1}")
    }
}

pub fn fmt_ratio(r: f64) -> String {
    if r >= 100.0 {
        format!("{r:.0}x")
    } else if r >= 10.0 {
        format!("{r:.1}x")
    } else {
        format!("{r:.2}x")
    }
}

pub fn first_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .and_then(|o| {
            let text = if o.stdout.is_empty() { o.stderr } else { o.stdout };
            String::from_utf8_lossy(&text).lines().next().map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_owned())
}

pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

/// The wasmtime version asyncify-run was built with, from Cargo.lock.
pub fn wasmtime_version() -> String {
    let lock = std::fs::read_to_string(manifest_dir().join("Cargo.lock")).unwrap_or_default();
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == "name = \"wasmtime\"" {
            if let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = ")) {
                return v.trim_matches('"').to_owned();
            }
        }
    }
    "unknown".to_owned()
}

/// This process's nice value (from `/proc/self/stat`, Linux), if readable: a bench started with
/// `nice -n N` says so in its notes.
pub fn niceness() -> Option<i32> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces): state is the
    // 3rd field of the line, nice the 19th.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(16)?.parse().ok()
}

/// The notes on a run, one Markdown list item each, then a blank line: the command, the date,
/// the machine with the load average at the start and at the end, the tools, the total time.
pub fn run_notes(command: &str, load_before: &str, load_after: &str, took: Duration) -> String {
    let date = first_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut s = String::new();
    let command = match niceness() {
        Some(n) if n != 0 => format!("nice -n {n} {command}"),
        _ => command.to_owned(),
    };
    let _ = writeln!(s, "- Command: `{command}`");
    let _ = writeln!(s, "- Date: {date}");
    let busy = [load_before, load_after].iter().any(|l| {
        l.split_whitespace()
            .next()
            .and_then(|x| x.parse::<f64>().ok())
            .is_some_and(|x| x >= 1.0)
    });
    let _ = writeln!(
        s,
        "- Machine: {cores} cores, {}; load average {load_before} at the start, {load_after} at the end{}",
        cpu_model(),
        if busy { " (other work was sharing the machine: expect noise)" } else { "" }
    );
    let _ = writeln!(
        s,
        "- Tools: {}; {}; {}; wasmtime {} (in asyncify-run)",
        first_line("clang-22", &["--version"]),
        first_line("wasm-opt", &["--version"]),
        first_line("gcc", &["--version"]),
        wasmtime_version()
    );
    let _ = writeln!(s, "- Total bench time: {:.0} s\n", took.as_secs_f64());
    s
}

/// The title `bench/RESULTS.md` gets when a bench creates it (or turns an old unmarked file into
/// sections).
pub const RESULTS_TITLE: &str = "# Benchmark results\n\nEach section below is written by one bench \
(`cargo bench --bench <name>`) between its two markers; the rest of the file is kept. Do not edit \
by hand.\n";

/// Composes a bench's section of `bench/RESULTS.md` (its `begin` marker, `heading`, the
/// "written by `bench/<name>.rs`" line, the [`run_notes`] of `cargo bench --bench <name>`, the
/// `tables`, its `end` marker) and writes it with [`write_section`]. Returns the results file's path.
#[allow(dead_code, reason = "the setjmp and ruby benches compose their own sections (legacy start, extra notes)")]
pub fn write_results(
    name: &str,
    heading: &str,
    (begin, end): (&str, &str),
    (load_before, load_after): (&str, &str),
    started: Instant,
    tables: &str,
) -> Result<std::path::PathBuf> {
    let mut section = String::new();
    let _ = writeln!(section, "{begin}");
    let _ = writeln!(section, "{heading}\n");
    let _ = writeln!(section, "Written by `bench/{name}.rs`; do not edit by hand.\n");
    section.push_str(&run_notes(&format!("cargo bench --bench {name}"), load_before, load_after, started.elapsed()));
    section.push_str(tables);
    let _ = writeln!(section, "{end}");
    let path = manifest_dir().join("bench/RESULTS.md");
    write_section(&path, begin, end, &section, None)?;
    Ok(path)
}

/// Writes `section` (which must start with `begin` and end with `end` plus a newline) into the
/// results file `path`, keeping every other section byte for byte:
/// * the text from `begin` to `end` (inclusive) is replaced when both markers are there;
/// * otherwise, if the file starts with `legacy_start` (this bench's unmarked output of an older
///   version), the text from the start up to the first marker of another section (`<!-- `) is
///   replaced by the title and the section;
/// * otherwise the section is appended (a missing or empty file gets the title first).
pub fn write_section(path: &Path, begin: &str, end: &str, section: &str, legacy_start: Option<&str>) -> Result<()> {
    let old = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let new = match (old.find(begin), old.find(end)) {
        (Some(i), Some(j)) if j > i => {
            let after = &old[j + end.len()..];
            format!("{}{section}{}", &old[..i], after.strip_prefix('\n').unwrap_or(after))
        }
        _ if old.trim().is_empty() => format!("{RESULTS_TITLE}\n{section}"),
        _ => match legacy_start.filter(|l| old.starts_with(l)) {
            Some(_) => {
                let rest = old.find("<!-- ").map_or("", |k| &old[k..]);
                let sep = if rest.is_empty() { "" } else { "\n" };
                format!("{RESULTS_TITLE}\n{section}{sep}{rest}")
            }
            None => format!("{}\n\n{section}", old.trim_end()),
        },
    };
    std::fs::write(path, new).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs build steps on `workers` threads (each step as [`check`]); the first error, if any.
#[allow(dead_code, reason = "used by the setjmp bench only")]
pub fn check_all(steps: Vec<(Command, String)>, workers: usize) -> Result<()> {
    let queue = std::sync::Mutex::new(steps.into_iter());
    let first_error: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            s.spawn(|| loop {
                if first_error.lock().unwrap().is_some() {
                    return;
                }
                let next = queue.lock().unwrap().next();
                let Some((cmd, what)) = next else { return };
                if let Err(e) = check(cmd, &what) {
                    first_error.lock().unwrap().get_or_insert(e);
                }
            });
        }
    });
    match first_error.into_inner().unwrap() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
