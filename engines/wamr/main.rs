//! `asyncify-run-wamr`: runs a WASI preview1 command module (such as a program built by
//! `asyncify-cc`) under WAMR, the WebAssembly Micro Runtime (its fast interpreter, from the
//! `wamrx-sys` crate), the project's third engine next to wasmtime (`asyncify-run`) and node.
//!
//! ```text
//! asyncify-run-wamr [--dir HOST::GUEST]... [--env K=V]... [--no-cache] prog.wasm [args...]
//! ```
//!
//! Contract (the same as `asyncify-run`'s, so that the tests and the fuzzer run either):
//! * The guest's `argv[0]` is `prog.wasm` exactly as given; the remaining arguments follow it.
//!   Everything after `prog.wasm` belongs to the guest, even when it looks like an option.
//! * stdin, stdout and stderr are the process's own. The guest sees no environment variables
//!   except those given with `--env K=V` (`--env K` copies `K` from the host environment if set).
//! * `--dir HOST::GUEST` preopens the host directory `HOST` as `GUEST` in the guest (WAMR's
//!   WASI grants read and write); `--dir DIR` preopens `DIR` under the same name.
//! * Exit status: the program's own (the value `main` returned, or the one given to `exit` /
//!   `proc_exit`, modulo 256 as for any process). A trap (WAMR's "exception", e.g. `out of bounds
//!   memory access`, `wasm operand stack overflow`) prints one line `asyncify-run-wamr: trap:
//!   <WAMR's message>` on stderr and exits with 134. Any error before the program starts
//!   (unreadable or invalid module, a directory that cannot be preopened, a module without
//!   `_start`) prints one line `asyncify-run-wamr: <message>` and exits with 2; so do usage
//!   errors. An import WAMR does not provide is not an error at start (WAMR's own behaviour):
//!   calling it traps.
//! * `--no-cache` is accepted and does nothing (an interpreter compiles nothing to cache); it
//!   exists so that command lines written for `asyncify-run` work unchanged.
//! * The interpreter keeps wasm frames (locals and operands) on its own stack, which is
//!   [`WASM_STACK`] bytes here (WAMR's default is 64 KiB), so deep recursion is bounded by the
//!   program's own shadow stack rather than by the engine, as under `asyncify-run`. WAMR zeroes
//!   that stack when the program starts, so it is real memory for the run (see
//!   docs/toolchain-notes.md for the cost).
//! * Wasm features: WAMR 2.4.3's interpreter with bulk memory and reference types switched on
//!   (the `wamrx-sys` features); sign extension, non-trapping float-to-int, multi-value and
//!   mutable globals are always on. That covers what clang 22 emits by default for
//!   wasm32-wasip1. Exception handling is not available in WAMR's fast interpreter.

use std::ffi::{CStr, CString, OsString};
use std::os::raw::c_char;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use wamrx_sys as wamr;

/// Exit status for a trap (the same as asyncify-run's, node's runner's and an abort signal's).
const TRAP_STATUS: u8 = 134;
/// Exit status for errors before the program runs and for usage errors.
const ERROR_STATUS: u8 = 2;
/// Size of the interpreter's stack for wasm frames, in bytes: WAMR's `default_stack_size`.
/// 256 MiB holds about 2 million frames of a small function; the deepest recursion the C suites
/// reach is far below that (docs/toolchain-notes.md, "WAMR").
const WASM_STACK: u32 = 256 << 20;

/// Command line of `asyncify-run-wamr`.
#[derive(Parser, Debug)]
#[command(
    name = "asyncify-run-wamr",
    version,
    about = "Run a WASI preview1 command module (built by asyncify-cc) under WAMR's interpreter"
)]
struct Cli {
    /// Preopen host directory HOST as GUEST in the guest (read-write); `--dir DIR` uses DIR for both.
    #[arg(long = "dir", value_name = "HOST::GUEST")]
    dirs: Vec<String>,

    /// Set environment variable K to V in the guest; `--env K` copies K from the host.
    #[arg(long = "env", value_name = "K=V")]
    envs: Vec<String>,

    /// Accepted for asyncify-run's command lines; does nothing (WAMR interprets, nothing is cached).
    #[arg(long = "no-cache")]
    no_cache: bool,

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
    Setup(String),
    /// Error while the program ran: exit 134.
    Trap(String),
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
    match run(&cli) {
        Ok(status) => std::process::exit(status as i32),
        Err(Failure::Setup(e)) => {
            eprintln!("asyncify-run-wamr: {}", one_line(&e));
            ExitCode::from(ERROR_STATUS)
        }
        Err(Failure::Trap(e)) => {
            eprintln!("asyncify-run-wamr: trap: {}", one_line(&e));
            ExitCode::from(TRAP_STATUS)
        }
    }
}

/// `s` on one line: WAMR's messages sometimes end in a newline.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A C string from a command-line word; a NUL byte inside is a setup error naming `what`.
fn c_string(s: &str, what: &str) -> Result<CString, Failure> {
    CString::new(s).map_err(|_| Failure::Setup(format!("{what} contains a NUL byte: {s:?}")))
}

/// The text WAMR wrote into `buf` (NUL-terminated).
fn buf_text(buf: &[c_char]) -> String {
    // SAFETY: `buf` is zero-initialised and WAMR writes a NUL-terminated string into it (never
    // past its length, which it was given); its last byte is never written, so a NUL exists.
    unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned()
}

/// Initialises WAMR, loads and instantiates the module with WASI preview1 and runs `_start`.
/// Returns the program's exit status.
fn run(cli: &Cli) -> Result<u32, Failure> {
    let prog = PathBuf::from(&cli.command[0]);
    let mut bytes =
        std::fs::read(&prog).map_err(|e| Failure::Setup(format!("cannot load {}: {e}", prog.display())))?;
    let size = u32::try_from(bytes.len())
        .map_err(|_| Failure::Setup(format!("cannot load {}: larger than 4 GiB", prog.display())))?;

    // The guest's argv, environment and preopens, as C strings that live until the run ends
    // (WAMR keeps the pointers given to wasm_runtime_set_wasi_args_ex until instantiation).
    let argv: Vec<CString> = cli
        .command
        .iter()
        .map(|a| c_string(&a.to_string_lossy(), "an argument"))
        .collect::<Result<_, _>>()?;
    let mut envs: Vec<CString> = Vec::new();
    for kv in &cli.envs {
        if kv.contains('=') {
            envs.push(c_string(kv, "--env")?);
        } else if let Ok(v) = std::env::var(kv) {
            envs.push(c_string(&format!("{kv}={v}"), "--env")?);
        }
    }
    // WAMR's mapped directories are written GUEST::HOST (the reverse of our --dir).
    let mut maps: Vec<CString> = Vec::new();
    for d in &cli.dirs {
        let (host, guest) = d.split_once("::").unwrap_or((d.as_str(), d.as_str()));
        if !std::path::Path::new(host).is_dir() {
            return Err(Failure::Setup(format!("cannot preopen directory {host}: not a directory")));
        }
        maps.push(c_string(&format!("{guest}::{host}"), "--dir")?);
    }
    let mut argv_ptrs: Vec<*mut c_char> = argv.iter().map(|s| s.as_ptr() as *mut c_char).collect();
    let mut env_ptrs: Vec<*const c_char> = envs.iter().map(|s| s.as_ptr()).collect();
    let mut map_ptrs: Vec<*const c_char> = maps.iter().map(|s| s.as_ptr()).collect();

    let mut error = [0 as c_char; 256];
    // SAFETY: RuntimeInitArgs is a plain C struct for which all-zero is WAMR's documented default
    // (the fields left zero mean "not used"); the system allocator needs no options.
    let mut init: wamr::RuntimeInitArgs = unsafe { std::mem::zeroed() };
    init.mem_alloc_type = wamr::Alloc_With_System_Allocator;
    // SAFETY: called once, before any other WAMR function, with a valid RuntimeInitArgs.
    if !unsafe { wamr::wasm_runtime_full_init(&mut init) } {
        return Err(Failure::Setup("cannot initialise WAMR".into()));
    }
    // WAMR logs to stdout, which belongs to the guest: keep it for fatal errors only (every
    // error this runner reports comes from WAMR's error buffers and exception text instead).
    // SAFETY: the runtime is initialised.
    unsafe { wamr::wasm_runtime_set_log_level(wamr::WASM_LOG_LEVEL_FATAL) };

    // SAFETY: `bytes` outlives the module (the process exits before it is dropped, and the module
    // is never unloaded); `error` is writable for its length.
    let module = unsafe { wamr::wasm_runtime_load(bytes.as_mut_ptr(), size, error.as_mut_ptr(), error.len() as u32) };
    if module.is_null() {
        return Err(Failure::Setup(format!("cannot load {}: {}", prog.display(), buf_text(&error))));
    }
    // SAFETY: `module` is a loaded module; every pointer array holds pointers to C strings that
    // live until the end of this function, and its length is the count passed with it. The fds
    // -1 mean the process's own stdin, stdout and stderr.
    unsafe {
        wamr::wasm_runtime_set_wasi_args_ex(
            module,
            std::ptr::null_mut(),
            0,
            map_ptrs.as_mut_ptr(),
            map_ptrs.len() as u32,
            env_ptrs.as_mut_ptr(),
            env_ptrs.len() as u32,
            argv_ptrs.as_mut_ptr(),
            argv_ptrs.len() as i32,
            -1,
            -1,
            -1,
        )
    };
    // Host-managed heap 0: wasi-libc's malloc grows linear memory itself.
    // SAFETY: `module` is loaded and its WASI arguments are set; `error` is writable.
    let inst = unsafe { wamr::wasm_runtime_instantiate(module, WASM_STACK, 0, error.as_mut_ptr(), error.len() as u32) };
    if inst.is_null() {
        let msg = buf_text(&error);
        // A trap in the module's start function is a trap; anything else a setup error.
        return Err(if msg.contains("Exception") {
            Failure::Trap(msg)
        } else {
            Failure::Setup(format!("cannot instantiate {}: {msg}", prog.display()))
        });
    }
    // SAFETY: `inst` is a live instance.
    if unsafe { wamr::wasm_runtime_lookup_wasi_start_function(inst) }.is_null() {
        return Err(Failure::Setup(format!(
            "cannot run {}: the module is not a WASI command (no `_start`)",
            prog.display()
        )));
    }
    // SAFETY: `inst` is a live instance with a `_start`; WAMR ignores argc/argv for a WASI
    // command (the WASI arguments set above are the guest's).
    let ok = unsafe { wamr::wasm_application_execute_main(inst, 0, std::ptr::null_mut()) };
    if !ok {
        // SAFETY: `inst` is live; the exception text (if any) is a NUL-terminated string owned by it.
        let exc = unsafe { wamr::wasm_runtime_get_exception(inst) };
        let msg = if exc.is_null() {
            "the program failed without an exception message".to_string()
        } else {
            // SAFETY: non-null, NUL-terminated, owned by the live instance.
            unsafe { CStr::from_ptr(exc) }.to_string_lossy().into_owned()
        };
        return Err(Failure::Trap(msg));
    }
    // SAFETY: `inst` is live; after `_start` returned or called proc_exit this is the status.
    Ok(unsafe { wamr::wasm_runtime_get_wasi_exit_code(inst) })
}
