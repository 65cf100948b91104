//! CRuby 3.3 on WASI: the build on asyncify-rt (`ports/ruby/`) against the same source on
//! CRuby's own `wasm/` layer, side by side in one run (issue 10's benchmark). Both come from
//! `scripts/ruby.sh` (same toolchain, `-O2`, same extensions), both run under `asyncify-run`.
//! Each row is `bench/ruby/bench.rb ROW`, timed inside the interpreter, median of [`RUNS`]
//! runs; startup is the wall time of `ruby -e nil`. A run that traps or fails is reported as
//! such (the stock layer's fixed 6 KiB Asyncify buffers end in a trap when exceeded).
//! Writes its section of `bench/RESULTS.md`.

#[allow(dead_code, reason = "this bench uses only the timing and results helpers of bench/common")]
mod common;

use common::{asyncify_run, load_average, manifest_dir, median, run_notes, run_timed, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const RUNS: usize = 3;
const SECTION_BEGIN: &str = "<!-- ruby bench: begin (written by benches/ruby.rs) -->";
const SECTION_END: &str = "<!-- ruby bench: end -->";

/// (row argument(s) of bench.rb, label, unit, lower is better)
const ROWS: &[(&[&str], &str, &str, bool)] = &[
    (&["raise", "0"], "raise + rescue in the same method", "ns", true),
    (&["raise", "1"], "raise + rescue, 1 level of `each` between them", "ns", true),
    (&["raise", "10"], "raise + rescue, 10 levels of `each` between them", "ns", true),
    (&["raise", "100"], "raise + rescue, 100 levels of `each`", "ns", true),
    (&["raise", "1000"], "raise + rescue, 1,000 levels of `each`", "ns", true),
    (&["fiber"], "Fiber resume + yield round trip", "ns", true),
    (&["enum_next"], "`Enumerator#next` (external enumerator over a range)", "ns", true),
    (&["deepest_method"], "deepest recursion before SystemStackError, method calls", "levels", false),
    (&["deepest_each"], "deepest recursion before SystemStackError, through `each` blocks", "levels", false),
    (&["gc_1m"], "`GC.start` with 1M live arrays", "ns", true),
];

fn install(stock: bool) -> Result<PathBuf> {
    let mut c = Command::new("bash");
    c.arg(manifest_dir().join("scripts/ruby.sh")).arg("path");
    if stock {
        c.arg("stock");
    }
    let o = c.output().map_err(|e| format!("scripts/ruby.sh: {e}"))?;
    if !o.status.success() {
        return Err(format!("scripts/ruby.sh path failed:\n{}", String::from_utf8_lossy(&o.stderr)));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
}

fn ruby(inst: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(asyncify_run());
    c.arg("--dir")
        .arg(format!("{}::/", manifest_dir().join("bench/ruby").display()))
        .arg("--dir")
        .arg(format!("{}/usr::/usr", inst.display()))
        .arg(inst.join("usr/local/bin/ruby"))
        .args(args);
    c
}

/// Median value of a row, or why it has none.
fn row(inst: &Path, args: &[&str], out: &Path, tag: &str) -> std::result::Result<f64, String> {
    let mut vals = Vec::new();
    for i in 0..RUNS {
        let mut a = vec!["bench.rb"];
        a.extend_from_slice(args);
        let o = run_timed(ruby(inst, &a), out, &format!("{tag}-{i}")).map_err(|e| e.to_string())?;
        match common::field::<f64>(&o.stdout, "value") {
            Some(v) if o.status == Some(0) => vals.push(v),
            _ => {
                let why = if o.stderr.contains("trap") || o.stderr.contains("memory fault") || o.status == Some(134) {
                    "trap"
                } else {
                    "failed"
                };
                return Err(match o.status {
                    Some(c) => format!("{why} (exit {c})"),
                    None => format!("{why} (killed)"),
                });
            }
        }
    }
    Ok(median(&vals))
}

fn main() -> Result<()> {
    let started = Instant::now();
    let load_before = load_average();
    let ours = install(false)?;
    let stock = install(true)?;
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ruby-bench");
    std::fs::create_dir_all(out.join("runs")).map_err(|e| e.to_string())?;

    let mut table = String::new();
    let _ = writeln!(table, "| row | asyncify-rt (ours) | stock wasm/ layer | ours / stock |");
    let _ = writeln!(table, "|---|---:|---:|---:|");
    let size = |p: &Path| std::fs::metadata(p.join("usr/local/bin/ruby")).map(|m| m.len()).unwrap_or(0);
    let (so, ss) = (size(&ours), size(&stock));
    let _ = writeln!(table, "| `ruby.wasm` size, bytes | {so} | {ss} | {:.2}x |", so as f64 / ss as f64);
    // Startup: wall time of `-e nil`, after one warm-up run (wasmtime's compilation cache).
    let mut startup = Vec::new();
    for (inst, tag) in [(&ours, "ours"), (&stock, "stock")] {
        let _ = run_timed(ruby(inst, &["-e", "nil"]), &out, &format!("startup-warm-{tag}"))?;
        let mut v = Vec::new();
        for i in 0..5 {
            let o = run_timed(ruby(inst, &["-e", "nil"]), &out, &format!("startup-{tag}-{i}"))?;
            v.push(o.wall.as_secs_f64() * 1e3);
        }
        startup.push(median(&v));
    }
    let _ = writeln!(table, "| startup (`-e nil`), ms wall | {:.0} | {:.0} | {:.2}x |", startup[0], startup[1], startup[0] / startup[1]);
    for (args, label, unit, lower) in ROWS {
        let tag = args.join("-");
        let a = row(&ours, args, &out, &format!("ours-{tag}"));
        let b = row(&stock, args, &out, &format!("stock-{tag}"));
        let f = |r: &std::result::Result<f64, String>| match r {
            Ok(v) => format!("{v:.0}"),
            Err(e) => e.clone(),
        };
        let ratio = match (&a, &b) {
            (Ok(x), Ok(y)) if *y > 0.0 => format!("{:.2}x", x / y),
            (Ok(_), Err(_)) => "stock fails".to_owned(),
            _ => "n/a".to_owned(),
        };
        let _ = writeln!(table, "| {label}, {unit} ({}) | {} | {} | {ratio} |", if *lower { "lower is better" } else { "higher is better" }, f(&a), f(&b));
    }
    let load_after = load_average();

    let mut section = format!("{SECTION_BEGIN}\n## CRuby 3.3: asyncify-rt port against CRuby's own wasm/ layer\n\n");
    section.push_str("Written by `benches/ruby.rs`; do not edit by hand.\n\n");
    section.push_str(&run_notes("cargo bench --bench ruby", &load_before, &load_after, started.elapsed()));
    let _ = writeln!(
        section,
        "Both builds: CRuby 3.3.8 (Debian trixie's orig tarball), `scripts/ruby.sh` (`-O2`, same extensions, 16 MiB shadow stack), run under `asyncify-run`. Rows from `bench/ruby/bench.rb`, timed inside ruby, median of {RUNS} runs; `trap`: the run ended in a wasm trap.\n"
    );
    section.push_str(&table);
    let _ = writeln!(section, "\n{SECTION_END}");
    print!("{section}");
    common::write_section(&manifest_dir().join("bench/RESULTS.md"), SECTION_BEGIN, SECTION_END, &section, None)
}
