//! Minimising a failing case to a seed: the same seed is generated again with features switched
//! off one at a time and with smaller sizes, keeping every change after which the program still
//! differs from native; the result is saved as a stand-alone C file with a one-line description,
//! and listed in the findings directory's `INDEX.md`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::exec::{compare, Mismatch, Oracle, Tools, Variant};
use crate::gen::{self, Params};

/// A program of one structure, `runs` runs from `first_run`.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The structure's seed.
    pub seed: u64,
    /// Its parameters.
    pub params: Params,
    /// The run number of its first case.
    pub first_run: u32,
    /// How many runs (cases).
    pub runs: u32,
}

impl Candidate {
    /// The stand-alone program.
    pub fn source(&self) -> String {
        gen::program(&[(self.seed, self.params.clone())], self.first_run, self.runs)
    }
}

/// Builds `c` natively (gcc -O0, the oracle) and for `variant`, runs both and returns the cases
/// that differ. `Err` when a build fails.
pub fn check(tools: &Tools, dir: &Path, c: &Candidate, variant: Variant) -> Result<Vec<Mismatch>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let src = dir.join("case.c");
    std::fs::write(&src, c.source()).map_err(|e| format!("{}: {e}", src.display()))?;
    let exe = dir.join("native");
    let wasm = dir.join("case.wasm");
    tools.build_native(&src, &exe, "O0")?;
    tools.build_wasm(&src, &wasm, variant.opt, variant.strategy)?;
    let mut oracle = Oracle::new(tools, exe);
    let (_, bad) = compare(c.runs as usize, &mut oracle, |start| tools.run_wasm(&wasm, variant.engine, start));
    Ok(bad)
}

/// Greedy minimisation of a failing candidate (at most `steps` builds): switch each feature off,
/// then lower each size, keeping what still fails; finally narrow the runs to the first failing
/// one. Returns the smallest failing candidate and its mismatch, or None if `c` does not fail on
/// its own (it failed only after other cases of its batch).
/// `target`: the case (index in `c`) whose kind of failure is kept (default: the first failing).
pub fn minimise(
    tools: &Tools,
    dir: &Path,
    c: &Candidate,
    variant: Variant,
    steps: usize,
    target: Option<usize>,
) -> Option<(Candidate, Mismatch)> {
    let used = std::cell::Cell::new(0usize);
    let want: std::cell::RefCell<Option<String>> = std::cell::RefCell::new(None);
    // A candidate counts only if it fails the same way as the original (same signature), so
    // minimisation does not drift to another, more frequent bug.
    let attempt = |cand: &Candidate| -> Option<Mismatch> {
        used.set(used.get() + 1);
        let all = check(tools, dir, cand, variant).ok()?;
        let mut w = want.borrow_mut();
        match &*w {
            None => {
                let m = all.iter().find(|m| Some(m.case) == target).or(all.first())?.clone();
                *w = Some(m.signature());
                Some(m)
            }
            Some(sig) => all.into_iter().find(|m| m.signature() == *sig),
        }
    };
    let mut best = c.clone();
    let mut m = attempt(&best)?;
    for f in best.params.features.clone() {
        if used.get() >= steps {
            break;
        }
        let mut t = best.clone();
        t.params.features.retain(|g| *g != f);
        if let Some(mm) = attempt(&t) {
            best = t;
            m = mm;
        }
    }
    type Field = fn(&mut Params) -> &mut u64;
    let fields: [(Field, u64); 4] = [
        (|p| &mut p.workers, 1),
        (|p| &mut p.ops, 0),
        (|p| &mut p.contexts, 1),
        (|p| &mut p.depth, 1),
    ];
    for (field, min) in fields {
        while used.get() < steps && *field(&mut best.params.clone()) > min {
            let mut t = best.clone();
            let v = field(&mut t.params);
            *v -= 1;
            match attempt(&t) {
                Some(mm) => {
                    best = t;
                    m = mm;
                }
                None => break,
            }
        }
    }
    // One run: the first failing one.
    if best.runs > 1 {
        let t = Candidate { first_run: best.first_run + m.case as u32, runs: 1, ..best.clone() };
        if let Some(mm) = attempt(&t) {
            best = t;
            m = mm;
        }
    }
    Some((best, m))
}

/// Saves a finding as `<findings>/<variant>-<seed>-r<run>.c` with a header comment (description,
/// how to reproduce, how to regenerate) and appends its line to `<findings>/INDEX.md`. Returns
/// the file.
pub fn save(findings: &Path, c: &Candidate, variant: Variant, m: &Mismatch, note: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(findings)?;
    let name = format!("{}-{:016x}-r{}.c", variant.name(), c.seed, c.first_run);
    let path = findings.join(&name);
    let capture = if variant.strategy == crate::exec::Sjlj::Capture { "ASYNCIFY_CC_SJLJ=capture " } else { "" };
    let runner = match variant.engine {
        crate::exec::Engine::Wasmtime => "asyncify-run x.wasm",
        crate::exec::Engine::Node => "node tools/run-node.mjs x.wasm",
        crate::exec::Engine::Wamr => "asyncify-run-wamr x.wasm",
    };
    let mut head = String::new();
    let _ = writeln!(head, "/* asyncify-fuzz finding ({}): {}", variant.name(), m.describe());
    let _ = writeln!(head, " * the case that differs: @case {} (run {} of the program)", m.case, c.first_run as usize + m.case);
    if !note.is_empty() {
        let _ = writeln!(head, " * {note}");
    }
    let _ = writeln!(head, " * wasm:   {capture}asyncify-cc -{} {name} -o x.wasm && {runner}", variant.opt);
    let _ = writeln!(head, " * native: gcc -O0 {name} -o x && ./x");
    let _ = writeln!(
        head,
        " * regenerate (generator version {}): asyncify-fuzz gen --seed {:#x} --first-run {} --runs {} --params '{}'",
        gen::GEN_VERSION,
        c.seed,
        c.first_run,
        c.runs,
        c.params.describe()
    );
    let _ = writeln!(head, " * native stdout of the case:");
    for l in m.native_text.lines().take(40) {
        let _ = writeln!(head, " *   {}", l.replace("*/", "* /"));
    }
    let _ = writeln!(head, " * wasm stdout of the case:");
    for l in m.wasm_text.lines().take(40) {
        let _ = writeln!(head, " *   {}", l.replace("*/", "* /"));
    }
    for l in m.wasm_stderr.lines().take(5) {
        let _ = writeln!(head, " * stderr: {}", l.replace("*/", "* /"));
    }
    let _ = writeln!(head, " */");
    std::fs::write(&path, format!("{head}{}", c.source()))?;
    let index = findings.join("INDEX.md");
    let mut text = std::fs::read_to_string(&index).unwrap_or_else(|_| {
        "# asyncify-fuzz findings\n\nOne line per minimised reproducer (written by `asyncify-fuzz run`).\n\n".to_string()
    });
    let _ = writeln!(text, "- `{name}`: {}", m.describe());
    std::fs::write(&index, text)?;
    Ok(path)
}
