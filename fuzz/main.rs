//! `asyncify-fuzz`: a differential fuzzer for asyncify-rt. It generates random legal C programs
//! (setjmp/longjmp, contexts, scans, callbacks; see `gen.rs`), builds each natively with gcc
//! (glibc is the oracle; -O0 and -O2 must agree, which checks the generator) and with asyncify-cc
//! in each setjmp strategy and optimisation level, runs them under wasmtime (asyncify-run), node
//! and/or WAMR (asyncify-run-wamr), and compares stdout and exit status case by case. Mismatches are minimised to a seed
//! and saved as stand-alone C files with a one-line description in `<findings>/INDEX.md`.
//!
//! ```text
//! asyncify-fuzz run [--cases N] [--runs R] [--batch B] [--seed S | --random-seed]
//!                   [--strategies default,capture] [--opts O0,O2] [--engines wasmtime,node,wamr] ...
//! asyncify-fuzz gen --seed S [--params '...'] [--first-run R] [--runs N] > prog.c
//! asyncify-fuzz min --seed S --params '...' --variant capture-O2-wasmtime
//! ```
//!
//! A *program* is one generated structure (its functions); each is run `--runs` times with a
//! different seed for its own PRNG (which operations fire, jump targets and values, switch
//! targets), and each run is a *case*, compared on its own. Programs are compiled `--batch` at a
//! time into one executable whose `main` runs every case in order (`argv[1]` is the first case);
//! a run that ends inside a case (`exit`, a trap, a diagnosed misuse, a mismatch) is continued
//! from the next case by a new process.
//!
//! Exit status: 0 when every case matched, 1 when some differed (or native -O0 and -O2
//! disagreed), 2 on usage or build errors.

#[path = "../tools/engine.rs"]
mod engine;
mod exec;
#[path = "../asyncify-cc/sjlj.rs"]
mod sjlj;
mod gen;
mod minimize;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use exec::{compare, native_agree, Oracle, Tools, Variant};
use gen::Params;
use minimize::Candidate;

#[derive(Parser, Debug)]
#[command(name = "asyncify-fuzz", version, about = "Differential fuzzer: random legal C programs, native glibc vs asyncify-rt")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Generate, build, run and compare; minimise and save mismatches.
    Run(RunArgs),
    /// Print the program of one structure (seed and parameters) on stdout.
    Gen(GenArgs),
    /// Minimise a failing structure for one variant and save it.
    Min(MinArgs),
}

#[derive(Args, Debug, Clone)]
struct ToolArgs {
    /// asyncify-cc (default: next to this executable).
    #[arg(long)]
    cc: Option<PathBuf>,
    /// asyncify-run (default: next to this executable); asyncify-run-wamr is taken from the same
    /// directory.
    #[arg(long)]
    runner: Option<PathBuf>,
    /// gcc for the native oracle.
    #[arg(long, default_value = "gcc")]
    gcc: String,
    /// node.
    #[arg(long, default_value = "node")]
    node: String,
    /// Seconds before a run is killed (counts as a mismatch for wasm).
    #[arg(long, default_value_t = 120)]
    timeout: u64,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// Cases to run (rounded up to whole programs).
    #[arg(long, default_value_t = 2000)]
    cases: u64,
    /// Runs (cases) per program.
    #[arg(long, default_value_t = 50)]
    runs: u32,
    /// Programs per compiled executable.
    #[arg(long, default_value_t = 40)]
    batch: u64,
    /// Base seed: program i has seed case_seed(seed, i).
    #[arg(long, default_value_t = 1, value_parser = parse_u64)]
    seed: u64,
    /// Take the base seed from the clock instead (printed, so a run can be repeated).
    #[arg(long)]
    random_seed: bool,
    /// setjmp strategies (default = LLVM's lowering, capture).
    #[arg(long, value_delimiter = ',', default_value = "default,capture")]
    strategies: Vec<String>,
    /// Optimisation levels of the wasm builds.
    #[arg(long, value_delimiter = ',', default_value = "O0,O2")]
    opts: Vec<String>,
    /// Engines.
    #[arg(long, value_delimiter = ',', default_value = "wasmtime")]
    engines: Vec<String>,
    /// Also build the oracle at gcc -O2 and require it to agree with -O0 (checks legality).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    native_o2: bool,
    /// Largest programs (see `Params::describe`); each program draws its own below these.
    #[arg(long, default_value = "")]
    max: String,
    /// Parallel builds and runs.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// Working directory for builds.
    #[arg(long, default_value = "target/fuzz")]
    work: PathBuf,
    /// Where minimised reproducers and INDEX.md go.
    #[arg(long, default_value = "fuzz-findings")]
    findings: PathBuf,
    /// How many mismatches to minimise (the others are listed with their seeds).
    #[arg(long, default_value_t = 3)]
    minimize: usize,
    /// Builds allowed per minimisation.
    #[arg(long, default_value_t = 25)]
    min_steps: usize,
    #[command(flatten)]
    tools: ToolArgs,
}

#[derive(Args, Debug)]
struct GenArgs {
    #[arg(long, value_parser = parse_u64)]
    seed: u64,
    /// Parameters (as printed by `run`); default: drawn from the seed as `run` does.
    #[arg(long)]
    params: Option<String>,
    /// With no --params: the bounds `run` was given (its --max).
    #[arg(long, default_value = "")]
    max: String,
    #[arg(long, default_value_t = 0)]
    first_run: u32,
    #[arg(long, default_value_t = 1)]
    runs: u32,
}

#[derive(Args, Debug)]
struct MinArgs {
    #[arg(long, value_parser = parse_u64)]
    seed: u64,
    #[arg(long)]
    params: String,
    #[arg(long, default_value_t = 0)]
    first_run: u32,
    #[arg(long, default_value_t = 50)]
    runs: u32,
    /// e.g. capture-O2-wasmtime
    #[arg(long)]
    variant: String,
    #[arg(long, default_value = "target/fuzz/min")]
    work: PathBuf,
    #[arg(long, default_value = "fuzz-findings")]
    findings: PathBuf,
    #[arg(long, default_value_t = 40)]
    steps: usize,
    /// The failing case (run index from --first-run) whose kind of failure to keep.
    #[arg(long)]
    case: Option<usize>,
    #[command(flatten)]
    tools: ToolArgs,
}

fn parse_u64(s: &str) -> Result<u64, String> {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).map_err(|e| e.to_string()),
        None => s.parse().map_err(|e: std::num::ParseIntError| e.to_string()),
    }
}

/// The WAMR runner's file name (tools/engine.rs).
fn wamr_runner() -> &'static str {
    crate::exec::Engine::Wamr.runner().expect("WAMR has a runner binary")
}

fn tools(a: &ToolArgs) -> Tools {
    let dir = std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf)).unwrap_or_default();
    Tools {
        cc: a.cc.clone().unwrap_or_else(|| dir.join("asyncify-cc")),
        run: a.runner.clone().unwrap_or_else(|| dir.join("asyncify-run")),
        run_wamr: a
            .runner
            .as_ref()
            .map(|r| r.with_file_name(wamr_runner()))
            .unwrap_or_else(|| dir.join(wamr_runner())),
        node_script: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/run-node.mjs"),
        gcc: a.gcc.clone(),
        node: a.node.clone(),
        timeout: a.timeout,
    }
}

fn parse_variant(s: &str) -> Result<Variant, String> {
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 {
        return Err(format!("variant {s:?}: expected STRATEGY-OPT-ENGINE"));
    }
    Ok(Variant { strategy: crate::exec::parse_strategy(parts[0])?, opt: opt_static(parts[1])?, engine: crate::exec::parse_engine(parts[2])? })
}

fn opt_static(s: &str) -> Result<&'static str, String> {
    match s.trim_start_matches('-') {
        "O0" => Ok("O0"),
        "O1" => Ok("O1"),
        "O2" => Ok("O2"),
        "O3" => Ok("O3"),
        "Os" => Ok("Os"),
        "Oz" => Ok("Oz"),
        _ => Err(format!("unknown optimisation level {s:?}")),
    }
}

/// Runs `jobs` closures on `n` threads.
fn parallel<T: Send>(n: usize, jobs: Vec<Box<dyn FnOnce() -> T + Send + '_>>) -> Vec<T> {
    let count = jobs.len();
    let jobs: Vec<Mutex<Option<Box<dyn FnOnce() -> T + Send + '_>>>> = jobs.into_iter().map(|j| Mutex::new(Some(j))).collect();
    let results: Vec<Mutex<Option<T>>> = (0..count).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..n.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= count {
                    break;
                }
                let job = jobs[i].lock().unwrap().take().unwrap();
                let r = job();
                *results[i].lock().unwrap() = Some(r);
            });
        }
    });
    results.into_iter().map(|m| m.into_inner().unwrap().unwrap()).collect()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Run(a) => run(a),
        Cmd::Gen(a) => {
            let params = match &a.params {
                Some(p) => match Params::parse(p) {
                    Ok(p) => p,
                    Err(e) => {
                        eprintln!("asyncify-fuzz: --params: {e}");
                        return ExitCode::from(2);
                    }
                },
                None => match if a.max.is_empty() { Ok(Params::full()) } else { Params::parse(&a.max) } {
                    Ok(max) => Params::for_case(a.seed, &max),
                    Err(e) => {
                        eprintln!("asyncify-fuzz: --max: {e}");
                        return ExitCode::from(2);
                    }
                },
            };
            print!("{}", gen::program(&[(a.seed, params)], a.first_run, a.runs));
            ExitCode::SUCCESS
        }
        Cmd::Min(a) => {
            let (params, variant) = match (Params::parse(&a.params), parse_variant(&a.variant)) {
                (Ok(p), Ok(v)) => (p, v),
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!("asyncify-fuzz: {e}");
                    return ExitCode::from(2);
                }
            };
            let t = tools(&a.tools);
            let c = Candidate { seed: a.seed, params, first_run: a.first_run, runs: a.runs };
            match minimize::minimise(&t, &a.work, &c, variant, a.steps, a.case) {
                Some((best, m)) => {
                    match minimize::save(&a.findings, &best, variant, &m, "") {
                        Ok(p) => println!("saved {}: {}", p.display(), m.describe()),
                        Err(e) => eprintln!("asyncify-fuzz: cannot save: {e}"),
                    }
                    ExitCode::from(1)
                }
                None => {
                    println!("no mismatch for this program alone");
                    ExitCode::SUCCESS
                }
            }
        }
    }
}

fn run(a: RunArgs) -> ExitCode {
    let t = tools(&a.tools);
    let base = if a.random_seed {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1)
    } else {
        a.seed
    };
    let max = if a.max.is_empty() {
        Params::full()
    } else {
        match Params::parse(&a.max) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("asyncify-fuzz: --max: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let mut variants = vec![];
    for s in &a.strategies {
        for o in &a.opts {
            for e in &a.engines {
                match (crate::exec::parse_strategy(s), opt_static(o), crate::exec::parse_engine(e)) {
                    (Ok(strategy), Ok(opt), Ok(engine)) => variants.push(Variant { strategy, opt, engine }),
                    (Err(x), _, _) | (_, Err(x), _) | (_, _, Err(x)) => {
                        eprintln!("asyncify-fuzz: {x}");
                        return ExitCode::from(2);
                    }
                }
            }
        }
    }
    let runs = a.runs.max(1);
    let programs = a.cases.div_ceil(runs as u64);
    let batch = a.batch.max(1);
    println!(
        "asyncify-fuzz: base seed {base:#x}, {programs} programs x {runs} runs = {} cases, {} variant(s): {}",
        programs * runs as u64,
        variants.len(),
        variants.iter().map(|v| v.name()).collect::<Vec<_>>().join(" ")
    );
    let started = Instant::now();
    let mut clean: Vec<usize> = vec![0; variants.len()];
    let mut total_cases = 0usize;
    let mut mismatches: Vec<(Variant, Candidate, exec::Mismatch)> = vec![];
    let mut illegal = 0usize;
    let mut build_errors = 0usize;
    let mut p0 = 0u64;
    let mut batch_no = 0;
    while p0 < programs {
        let n = batch.min(programs - p0);
        let cases: Vec<(u64, Params)> = (p0..p0 + n)
            .map(|i| {
                let s = gen::case_seed(base, i);
                (s, Params::for_case(s, &max))
            })
            .collect();
        let dir = a.work.join(format!("batch-{batch_no}"));
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("asyncify-fuzz: {}: {e}", dir.display());
            return ExitCode::from(2);
        }
        let src = dir.join("fuzz.c");
        if let Err(e) = std::fs::write(&src, gen::program(&cases, 0, runs)) {
            eprintln!("asyncify-fuzz: {}: {e}", src.display());
            return ExitCode::from(2);
        }
        let ncases = (n * runs as u64) as usize;
        // Builds.
        let mut builds: Vec<String> = vec!["native-O0".into()];
        if a.native_o2 {
            builds.push("native-O2".into());
        }
        for v in &variants {
            if !builds.contains(&v.build_name()) {
                builds.push(v.build_name());
            }
        }
        let jobs: Vec<Box<dyn FnOnce() -> Result<(), String> + Send + '_>> = builds
            .iter()
            .map(|b| {
                let (t, src, dir, b) = (&t, &src, &dir, b.clone());
                Box::new(move || -> Result<(), String> {
                    let (kind, opt) = b.split_once('-').unwrap();
                    let opt = opt_static(opt)?;
                    if kind == "native" {
                        t.build_native(src, &dir.join(&b), opt)
                    } else {
                        t.build_wasm(src, &dir.join(format!("{b}.wasm")), opt, crate::exec::parse_strategy(kind)?)
                    }
                }) as Box<dyn FnOnce() -> Result<(), String> + Send + '_>
            })
            .collect();
        let built = parallel(a.jobs, jobs);
        let mut failed_builds = vec![];
        for (b, r) in builds.iter().zip(&built) {
            if let Err(e) = r {
                eprintln!("asyncify-fuzz: build {b} of {} failed: {e}", src.display());
                failed_builds.push(b.clone());
                build_errors += 1;
            }
        }
        if failed_builds.iter().any(|b| b.starts_with("native")) {
            return ExitCode::from(2);
        }
        // The generator's check: native -O0 and -O2 agree.
        if a.native_o2 {
            let mut o0 = Oracle::new(&t, dir.join("native-O0"));
            let mut o2 = Oracle::new(&t, dir.join("native-O2"));
            let bad = native_agree(ncases, &mut o0, &mut o2);
            if !bad.is_empty() {
                illegal += bad.len();
                eprintln!("asyncify-fuzz: native -O0 and -O2 disagree in {} (cases {:?}): a generator bug", src.display(), bad);
            }
        }
        // Runs: one oracle per variant job (memoised runs are cheap to repeat).
        let jobs: Vec<Box<dyn FnOnce() -> (usize, Vec<exec::Mismatch>) + Send + '_>> = variants
            .iter()
            .map(|v| {
                let (t, dir, v) = (&t, &dir, *v);
                let skip = failed_builds.contains(&v.build_name());
                Box::new(move || {
                    if skip {
                        return (0, vec![]);
                    }
                    let mut oracle = Oracle::new(t, dir.join("native-O0"));
                    let wasm = dir.join(format!("{}.wasm", v.build_name()));
                    compare(ncases, &mut oracle, |start| t.run_wasm(&wasm, v.engine, start))
                }) as Box<dyn FnOnce() -> (usize, Vec<exec::Mismatch>) + Send + '_>
            })
            .collect();
        let results = parallel(a.jobs, jobs);
        for (i, (c, bad)) in results.into_iter().enumerate() {
            clean[i] += c;
            for m in bad {
                let prog = m.case / runs as usize;
                let (seed, params) = cases[prog].clone();
                println!(
                    "MISMATCH {} case {} (seed {seed:#x} run {}): {}",
                    variants[i].name(),
                    p0 as usize * runs as usize + m.case,
                    m.case % runs as usize,
                    m.describe()
                );
                mismatches.push((variants[i], Candidate { seed, params, first_run: 0, runs }, m));
            }
        }
        total_cases += ncases;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "batch {batch_no}: {total_cases} cases, {:.1} s, {:.1} cases/s (each on {} variant(s)); clean: {}",
            secs,
            total_cases as f64 / secs,
            variants.len(),
            variants.iter().zip(&clean).map(|(v, c)| format!("{}={c}", v.name())).collect::<Vec<_>>().join(" ")
        );
        let _ = std::fs::remove_dir_all(&dir);
        p0 += n;
        batch_no += 1;
    }
    // Minimise a few mismatches (one per program and variant).
    // One per kind of failure (signature), program and variant.
    let mut done: Vec<(u64, Variant)> = vec![];
    let mut kinds: Vec<String> = vec![];
    let mut minimised = 0;
    for (v, c, m) in &mismatches {
        if minimised >= a.minimize || done.contains(&(c.seed, *v)) || kinds.contains(&m.signature()) {
            continue;
        }
        done.push((c.seed, *v));
        kinds.push(m.signature());
        minimised += 1;
        let note = format!("found by: asyncify-fuzz run --seed {base:#x} (case {}); minimised", m.case);
        match minimize::minimise(&t, &a.work.join("min"), c, *v, a.min_steps, Some(m.case % runs as usize)) {
            Some((best, mm)) => match minimize::save(&a.findings, &best, *v, &mm, &note) {
                Ok(p) => println!("minimised: {}: {}", p.display(), mm.describe()),
                Err(e) => eprintln!("asyncify-fuzz: cannot save a finding: {e}"),
            },
            None => {
                // Fails only after other cases of its batch: save the case as it ran.
                let note = format!("{note}: does not fail alone (only after earlier cases of its batch)");
                match minimize::save(&a.findings, c, *v, m, &note) {
                    Ok(p) => println!("not minimised (fails only in its batch): {}", p.display()),
                    Err(e) => eprintln!("asyncify-fuzz: cannot save a finding: {e}"),
                }
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "asyncify-fuzz: {total_cases} cases in {secs:.0} s ({:.1} cases/s, each on {} variant(s)); base seed {base:#x}",
        total_cases as f64 / secs,
        variants.len()
    );
    for (v, c) in variants.iter().zip(&clean) {
        println!("  {}: {c} clean of {total_cases}", v.name());
    }
    println!("  mismatches: {}; native -O0/-O2 disagreements: {illegal}; failed builds: {build_errors}", mismatches.len());
    if mismatches.is_empty() && illegal == 0 && build_errors == 0 {
        ExitCode::SUCCESS
    } else if build_errors > 0 && mismatches.is_empty() && illegal == 0 {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}
