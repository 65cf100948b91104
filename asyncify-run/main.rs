//! `asyncify-run`: runs a WASI preview1 command module (such as a program built by
//! `asyncify-cc`) under the `wasmtime` crate.
//!
//! ```text
//! asyncify-run [--dir HOST::GUEST]... [--env K=V]... [--no-cache] [--perfmap] prog.wasm [args...]
//! ```
//!
//! Contract:
//! * The guest's `argv[0]` is `prog.wasm` exactly as given; the remaining arguments follow it.
//!   Everything after `prog.wasm` belongs to the guest, even when it looks like an option.
//! * stdin, stdout and stderr are the process's own. The guest sees no environment variables
//!   except those given with `--env K=V` (`--env K` copies `K` from the host environment if set).
//! * `--dir HOST::GUEST` preopens the host directory `HOST` read-write as `GUEST` in the guest;
//!   `--dir DIR` preopens `DIR` under the same name.
//! * Exit status: the program's own (the value `main` returned, or the one given to `exit` /
//!   `proc_exit`). A trap (or any other error raised while the program runs) prints
//!   `asyncify-run: trap: <wasmtime's message and backtrace>` on stderr and exits with 134.
//!   Any error before the program starts (unreadable or invalid module, unresolved import,
//!   bad `--dir`) prints `asyncify-run: <message>` and exits with 2; so do usage errors.
//! * Compiled modules are cached on disk with wasmtime's cache in its default location
//!   (`$XDG_CACHE_HOME/wasmtime` or `~/.cache/wasmtime` on Linux), which makes repeated runs
//!   of the same module start quickly. `--no-cache`, or the environment variable
//!   `ASYNCIFY_RUN_NO_CACHE=1`, disables it; a cache that cannot be set up is silently skipped.
//! * `--perfmap` writes `/tmp/perf-<pid>.map` (wasmtime's PerfMap profiler): `perf record -e
//!   cpu-clock asyncify-run --perfmap prog.wasm` then `perf report` names the wasm functions.
//! * The guest runs on a thread with a 1 GiB native stack, of which wasm frames may use 768 MiB
//!   (wasmtime's default is 512 KiB), so deep recursion is bounded by the program's own shadow
//!   stack rather than by the engine.
//! * Wasm features are wasmtime's defaults, which cover what clang-22 emits for wasm32-wasip1
//!   (bulk memory, sign extension, multi-value, reference types, non-trapping conversions, ...).

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use wasmtime::{Cache, CacheConfig, Config, Engine, Linker, Module, Store, Trap};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

/// Exit status for a trap (the same as node's runner and as an abort signal in a shell).
const TRAP_STATUS: u8 = 134;
/// Native stack of the thread the guest runs on, in bytes (reserved, touched only as used).
const NATIVE_STACK: usize = 1 << 30;
/// Most of it may be used by wasm frames (wasmtime's default is 512 KiB).
const WASM_STACK: usize = 768 << 20;
/// Exit status for errors before the program runs and for usage errors.
const ERROR_STATUS: u8 = 2;

/// Command line of `asyncify-run`.
#[derive(Parser, Debug)]
#[command(
    name = "asyncify-run",
    version,
    about = "Run a WASI preview1 command module (built by asyncify-cc) under wasmtime"
)]
struct Cli {
    /// Preopen host directory HOST as GUEST in the guest (read-write); `--dir DIR` uses DIR for both.
    #[arg(long = "dir", value_name = "HOST::GUEST")]
    dirs: Vec<String>,

    /// Set environment variable K to V in the guest; `--env K` copies K from the host.
    #[arg(long = "env", value_name = "K=V")]
    envs: Vec<String>,

    /// Do not use wasmtime's on-disk cache of compiled modules.
    #[arg(long = "no-cache")]
    no_cache: bool,

    /// Write /tmp/perf-<pid>.map naming the compiled wasm functions (wasmtime's PerfMap
    /// profiler), so that `perf record` / `perf report` attribute samples to them.
    #[arg(long = "perfmap")]
    perfmap: bool,

    /// The module to run, then the arguments passed to it.
    #[arg(
        value_name = "PROG.wasm [ARGS]",
        required = true,
        num_args = 1..,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    command: Vec<OsString>,
}

/// How a run ended, as far as the exit status is concerned.
enum Failure {
    /// Error before the program started: exit 2.
    Setup(wasmtime::Error),
    /// Error while the program ran: exit 134.
    Trap(wasmtime::Error),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { ERROR_STATUS } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // Deep recursion is part of what programs built with asyncify-cc do (and what the tests check),
    // so the guest runs on a thread with a large native stack and wasmtime may use most of it.
    let outcome = std::thread::Builder::new()
        .stack_size(NATIVE_STACK)
        .spawn(move || run(&cli))
        .expect("spawn the guest thread")
        .join()
        .unwrap_or_else(|_| Err(Failure::Setup(wasmtime::Error::msg("the runner thread panicked"))));
    match outcome {
        Ok(status) => {
            // The guest may have written through Rust's stdout handle; exit() does not flush it.
            use std::io::Write;
            let _ = std::io::stdout().flush();
            std::process::exit(status)
        }
        Err(Failure::Setup(e)) => {
            eprintln!("asyncify-run: {e:#}");
            ExitCode::from(ERROR_STATUS)
        }
        Err(Failure::Trap(e)) => {
            eprintln!("asyncify-run: trap: {}", trap_message(&e));
            ExitCode::from(TRAP_STATUS)
        }
    }
}

/// wasmtime's message for an error raised while the guest ran: the trap itself followed by the
/// wasm backtrace when there is one (wasmtime attaches it as context of the trap).
fn trap_message(e: &wasmtime::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(trap) = e.downcast_ref::<Trap>() {
        parts.push(trap.to_string());
    }
    for cause in e.chain() {
        let s = cause.to_string();
        if !parts.contains(&s) {
            parts.push(s);
        }
    }
    parts.join("\n")
}

/// Builds the engine, instantiates the module with WASI preview1 and calls `_start`.
/// Returns the program's exit status.
fn run(cli: &Cli) -> Result<i32, Failure> {
    let prog = PathBuf::from(&cli.command[0]);
    let mut config = Config::new();
    // wasmtime requires the async stack (unused here) to be at least the wasm stack limit.
    config.async_stack_size(WASM_STACK + (1 << 20));
    config.max_wasm_stack(WASM_STACK);
    // No copy-on-write memory image: wasmtime builds it in a sealed memfd, and on this kind of
    // machine adding the seals failed once under load ("cannot add seals to the memfd", a CRuby
    // bootstraptest run in CI); the data segments are then copied at instantiation instead.
    config.memory_init_cow(false);
    if cli.perfmap {
        config.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    let no_cache = cli.no_cache || std::env::var_os("ASYNCIFY_RUN_NO_CACHE").is_some_and(|v| v != "0" && !v.is_empty());
    if !no_cache {
        if let Ok(cache) = Cache::new(CacheConfig::new()) {
            config.cache(Some(cache));
        }
    }
    let engine = Engine::new(&config).map_err(Failure::Setup)?;
    let module = Module::from_file(&engine, &prog)
        .map_err(|e| Failure::Setup(e.context(format!("cannot load {}", prog.display()))))?;

    let mut builder = WasiCtxBuilder::new();
    builder.inherit_stdio();
    let argv: Vec<String> = cli.command.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    builder.args(&argv);
    for kv in &cli.envs {
        match kv.split_once('=') {
            Some((k, v)) => {
                builder.env(k, v);
            }
            None => {
                if let Ok(v) = std::env::var(kv) {
                    builder.env(kv, v);
                }
            }
        }
    }
    for d in &cli.dirs {
        let (host, guest) = d.split_once("::").unwrap_or((d.as_str(), d.as_str()));
        builder
            .preopened_dir(host, guest, FsPerms::ReadWrite)
            .map_err(|e| Failure::Setup(e.context(format!("cannot preopen directory {host}"))))?;
    }
    let wasi = builder.build_p1();

    let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
    p1::add_to_linker_sync(&mut linker, |ctx| ctx).map_err(Failure::Setup)?;
    let mut store = Store::new(&engine, wasi);
    let instance = linker.instantiate(&mut store, &module).map_err(classify)?;
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .map_err(|e| Failure::Setup(e.context("the module is not a WASI command (no `_start`)")))?;
    match start.call(&mut store, ()) {
        Ok(()) => Ok(0),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => Ok(exit.0),
            None => Err(Failure::Trap(e)),
        },
    }
}

/// Sorts an error from instantiation: a trap in the module's start function is a
/// [`Failure::Trap`], anything else (such as an unresolved import) a [`Failure::Setup`].
fn classify(e: wasmtime::Error) -> Failure {
    if e.downcast_ref::<Trap>().is_some() {
        Failure::Trap(e)
    } else {
        Failure::Setup(e)
    }
}
