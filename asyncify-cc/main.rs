//! `asyncify-cc`: a drop-in replacement for `clang` that builds C programs for WASI
//! (`wasm32-wasip1`) against the asyncify-rt runtime, so that they can use `setjmp`/`longjmp`
//! (implemented with Binaryen's Asyncify transform).
//!
//! Use it wherever a C compiler is expected (`CC=asyncify-cc make`, with `AR=llvm-ar-22`). The
//! arguments are clang's; they are passed to clang unchanged, with these additions.
//!
//! # Every clang invocation
//! * `--target=wasm32-wasip1`, unless the arguments already give `--target=`/`-target`;
//! * `--sysroot=<ASYNCIFY_RT_SYSROOT>`, unless they already give `--sysroot`;
//! * `-isystem <ASYNCIFY_RT_INCLUDE>` after the user's arguments, so the runtime's headers
//!   (`<setjmp.h>`, `<asyncify_rt.h>`) take precedence over the sysroot's but not over the
//!   user's `-I` and `-isystem` directories.
//!
//! # Kinds of invocation
//! * **Compile-only** (`-c`, `-S`, `-E`, `-M`, `-MM`, `-fsyntax-only`, `-###`, ...) and
//!   invocations **without input files** (`--version`, `-v`, `-print-*`): clang replaces
//!   `asyncify-cc` (exec), so its output and exit status are the result.
//! * **Relocatable or shared links** (`-r`, `-shared`, `-Wl,-r`, ...): clang runs with nothing
//!   else added.
//! * **Links of a program** (everything else, including compile-and-link): clang runs with the
//!   user's arguments plus `--no-wasm-opt`, `-Wl,--wrap=__original_main -Wl,--wrap=__main_void`
//!   (the runtime's root runs the program's entry, whichever of the two wasi-libc calls), `-Wl,-z,stack-size=8388608` (unless the user sets a stack size), and
//!   the runtime library `ASYNCIFY_RT_LIB` after all of the user's inputs and `-l` options.
//!   Clang's output is then renamed `<out>.pre-asyncify.wasm` (for an output that is not a
//!   regular file, such as `/dev/null`, clang writes to a file in the temporary directory
//!   instead) and processed by
//!   `wasm-opt <out>.pre-asyncify.wasm --asyncify --pass-arg=asyncify-ignore-imports [OPT] [-g]
//!   -o <out> [$ASYNCIFY_CC_EXTRA_WASM_OPT_ARGS]`, where `OPT` mirrors the user's last `-O` flag
//!   (`-O1`/`-O2`/`-O3`/`-Os`/`-Oz` as given, `-O`/`-Og` as `-O1`, `-Ofast` as `-O3`, none for
//!   `-O0` or no flag) and `-g` is passed when debug information was requested. The output is
//!   `a.out` when no `-o` is given, as with clang. The intermediate file is removed afterwards.
//!
//! # setjmp strategy
//! * `--asyncify-sjlj=lowered` (the default): compiles with LLVM's setjmp lowering
//!   (`-mllvm -enable-emscripten-sjlj -D__ASYNCIFY_RT_LOWERED_SJLJ=1`): setjmp costs O(1) and a
//!   longjmp unwinds only the frames it abandons. A link then runs in two passes: a first link
//!   with undefined symbols allowed, whose `env.invoke_*` imports (read with wasmparser) are the
//!   call wrappers the program needs; asyncify-cc generates and compiles exactly those and links
//!   them in (see `invoke.rs`).
//! * `--asyncify-sjlj=capture`: every setjmp saves the whole call chain (no wrappers).
//! * Objects compiled either way link together (a `jmp_buf` records which strategy set it).
//! * The option is asyncify-cc's own (clang never sees it); `ASYNCIFY_CC_SJLJ=lowered|capture`
//!   sets the default.
//!
//! # Environment
//! * `ASYNCIFY_RT_INCLUDE`, `ASYNCIFY_RT_LIB`, `ASYNCIFY_RT_SYSROOT`: override the runtime's
//!   header directory, static library and WASI sysroot (defaults fixed when asyncify-cc was
//!   built).
//! * `ASYNCIFY_CC_CLANG`: the clang to run (default: `clang-22`, else `clang`, on `PATH`).
//! * `ASYNCIFY_CC_WASM_OPT`: the wasm-opt to run (default: `wasm-opt` on `PATH`).
//! * `ASYNCIFY_CC_VERBOSE=1`: print each command on stderr before running it.
//! * `ASYNCIFY_CC_KEEP_TEMPS=1`: keep `<out>.pre-asyncify.wasm`.
//! * `ASYNCIFY_CC_EXTRA_WASM_OPT_ARGS`: whitespace-separated arguments appended to wasm-opt's
//!   command line (for experiments).
//!
//! # Exit status
//! * 0 on success;
//! * the exit status of the failing step (clang or wasm-opt; 128+N when killed by signal N).
//!   A failed link leaves no output file behind (an output left from an earlier build is
//!   removed), so a failed build never looks finished;
//! * 127 when clang, wasm-ld or wasm-opt cannot be found, after one line on stderr naming the
//!   Debian packages to install (`clang-22` and `lld-22`; `binaryen`);
//! * 1 for asyncify-cc's own errors (runtime library missing, a file that cannot be renamed).

mod args;
mod invoke;

/// `eprintln!` that ignores a closed or failing stderr instead of panicking.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

use std::ffi::{OsStr, OsString};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use args::{Analysis, Mode};

/// Exit status when a tool is missing (as a shell reports a command it cannot find).
const MISSING_TOOL: i32 = 127;
/// Exit status for asyncify-cc's own errors.
const OWN_ERROR: i32 = 1;
/// The stack size given to the linker unless the user chooses one (8 MiB).
const DEFAULT_STACK_SIZE: u32 = 8 * 1024 * 1024;
/// Debian packages that provide clang and wasm-ld.
const CLANG_PACKAGES: &str = "install the Debian packages clang-22 and lld-22";
/// Debian package that provides wasm-opt.
const BINARYEN_PACKAGE: &str = "install the Debian package binaryen";

fn main() {
    std::process::exit(run());
}

/// How `setjmp`/`longjmp` are compiled.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sjlj {
    /// LLVM's setjmp lowering (`-mllvm -enable-emscripten-sjlj`): O(1) setjmp, longjmp unwinds
    /// only the frames it abandons; `invoke_*` wrappers generated at link time.
    Lowered,
    /// Every setjmp captures the whole call chain by an Asyncify unwind and rewind.
    Capture,
}

/// The default strategy.
const DEFAULT_SJLJ: Sjlj = Sjlj::Lowered;

/// Settings read from the environment, with build-time defaults.
struct Settings {
    /// `--asyncify-sjlj=` / `ASYNCIFY_CC_SJLJ`: the setjmp strategy.
    sjlj: Sjlj,
    /// `ASYNCIFY_CC_VERBOSE`: print commands.
    verbose: bool,
    /// `ASYNCIFY_CC_KEEP_TEMPS`: keep the pre-asyncify module.
    keep_temps: bool,
    /// The runtime's header directory.
    include: PathBuf,
    /// The WASI sysroot.
    sysroot: PathBuf,
    /// The runtime's static library.
    lib: PathBuf,
}

impl Settings {
    /// Reads the settings from the environment.
    fn from_env() -> Self {
        let sjlj = match std::env::var("ASYNCIFY_CC_SJLJ").as_deref() {
            Ok("lowered") => Sjlj::Lowered,
            Ok("capture") => Sjlj::Capture,
            _ => DEFAULT_SJLJ,
        };
        Settings {
            sjlj,
            verbose: env_flag("ASYNCIFY_CC_VERBOSE"),
            keep_temps: env_flag("ASYNCIFY_CC_KEEP_TEMPS"),
            include: path_setting("ASYNCIFY_RT_INCLUDE", env!("ASYNCIFY_RT_BUILT_INCLUDE")),
            sysroot: path_setting("ASYNCIFY_RT_SYSROOT", env!("ASYNCIFY_RT_BUILT_SYSROOT")),
            lib: path_setting("ASYNCIFY_RT_LIB", env!("ASYNCIFY_RT_BUILT_LIB")),
        }
    }
}

/// True when the environment variable is set to something other than empty or `0`.
fn env_flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The path in environment variable `name` if set and non-empty, else the build-time default.
fn path_setting(name: &str, default: &str) -> PathBuf {
    match std::env::var_os(name) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(default),
    }
}

/// Runs asyncify-cc and returns the process exit status.
fn run() -> i32 {
    let mut settings = Settings::from_env();
    // asyncify-cc's own option, removed before clang sees the arguments.
    let user: Vec<OsString> = std::env::args_os()
        .skip(1)
        .filter(|a| match a.to_str() {
            Some("--asyncify-sjlj=lowered") => {
                settings.sjlj = Sjlj::Lowered;
                false
            }
            Some("--asyncify-sjlj=capture") => {
                settings.sjlj = Sjlj::Capture;
                false
            }
            _ => true,
        })
        .collect();
    let expanded = args::expand_response_files(&user);
    let analysis = args::analyse(&expanded);

    let clang = match find_tool("ASYNCIFY_CC_CLANG", &["clang-22", "clang"]) {
        Ok(p) => p,
        Err(tried) => return missing_tool("clang", &tried, CLANG_PACKAGES),
    };

    let mut target_flags: Vec<OsString> = Vec::new();
    if !analysis.has_target {
        target_flags.push("--target=wasm32-wasip1".into());
    }
    if !analysis.has_sysroot {
        target_flags.push(concat_os("--sysroot=", settings.sysroot.as_os_str()));
    }
    target_flags.push("-isystem".into());
    target_flags.push(settings.include.clone().into_os_string());
    if settings.sjlj == Sjlj::Lowered {
        // LLVM rewrites setjmp/longjmp (and the calls after a setjmp); the header then leaves
        // `setjmp` alone for it to see.
        for f in ["-mllvm", "-enable-emscripten-sjlj", "-D__ASYNCIFY_RT_LOWERED_SJLJ=1", "-Wno-unused-command-line-argument"] {
            target_flags.push(f.into());
        }
    }

    match analysis.mode {
        Mode::Compile => {
            let argv = splice(&user, target_flags, Vec::new());
            exec(&clang, &argv, settings.verbose)
        }
        Mode::PartialLink => {
            let argv = splice(&user, target_flags, Vec::new());
            run_clang_link(&clang, &argv, settings.verbose).unwrap_or_else(|code| code)
        }
        Mode::Link => link(&clang, &user, &expanded, &analysis, target_flags, &settings),
    }
}

/// Inserts `flags` into the user's arguments (at the end, or before a `--` so that they stay
/// options) and appends `tail` at the very end.
fn splice(user: &[OsString], flags: Vec<OsString>, tail: Vec<OsString>) -> Vec<OsString> {
    let at = user.iter().position(|a| a == "--").unwrap_or(user.len());
    let mut argv: Vec<OsString> = user[..at].to_vec();
    argv.extend(flags);
    argv.extend_from_slice(&user[at..]);
    argv.extend(tail);
    argv
}

/// `prefix` followed by `value`, as an OS string.
fn concat_os(prefix: &str, value: &OsStr) -> OsString {
    let mut s = OsString::from(prefix);
    s.push(value);
    s
}

/// Links a program: clang (with the runtime), then wasm-opt's Asyncify pass.
fn link(
    clang: &Path,
    user: &[OsString],
    expanded: &[OsString],
    analysis: &Analysis,
    mut flags: Vec<OsString>,
    settings: &Settings,
) -> i32 {
    let wasm_opt = match find_tool("ASYNCIFY_CC_WASM_OPT", &["wasm-opt"]) {
        Ok(p) => p,
        Err(tried) => return missing_tool("wasm-opt", &tried, BINARYEN_PACKAGE),
    };
    if !settings.lib.is_file() {
        say!(
            "asyncify-cc: the runtime library {} does not exist (build asyncify-rt, or set ASYNCIFY_RT_LIB to libasyncify_rt.a)",
            settings.lib.display()
        );
        return OWN_ERROR;
    }

    let out = PathBuf::from(analysis.output.clone().unwrap_or_else(|| args::default_output().to_owned()));
    // Normally clang writes the output itself (so every derived name, such as a `-MD` dependency
    // file, is what it would be with plain clang) and the result is renamed; for stdout or a
    // device, clang writes to a temporary file instead.
    let plain = args::is_plain_output(&out);
    let pre = if plain {
        let mut p = out.clone().into_os_string();
        p.push(".pre-asyncify.wasm");
        PathBuf::from(p)
    } else {
        std::env::temp_dir().join(format!("asyncify-cc-{}.pre-asyncify.wasm", std::process::id()))
    };

    flags.push("--no-wasm-opt".into());
    // The runtime's root wraps the program's entry: `__original_main` is what wasi-libc 2022's
    // `_start` calls, `__main_void` what newer ones call (see csrc/entry.c).
    flags.push("-Wl,--wrap=__original_main".into());
    flags.push("-Wl,--wrap=__main_void".into());
    if !analysis.stack_size_given {
        flags.push(format!("-Wl,-z,stack-size={DEFAULT_STACK_SIZE}").into());
    }
    if !analysis.color_given && std::io::stderr().is_terminal() {
        // clang's stderr is a pipe (to spot a missing wasm-ld): keep the colors of a terminal.
        flags.push("-fcolor-diagnostics".into());
    }
    let mut tail = Vec::new();
    if analysis.uses_x && analysis.dashdash.is_none() {
        tail.push("-x".into());
        tail.push("none".into());
    }
    // Scratch files of the lowering's wrapper generation; removed when the link ends.
    struct Scratch(PathBuf, bool);
    impl Drop for Scratch {
        fn drop(&mut self) {
            if !self.1 {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
    let scratch = Scratch(std::env::temp_dir().join(format!("asyncify-cc-{}", std::process::id())), settings.keep_temps);
    if settings.sjlj == Sjlj::Lowered {
        match invoke_wrappers(clang, expanded, &flags, &tail, &scratch.0, settings) {
            Ok(Some(obj)) => tail.push(obj.into_os_string()),
            Ok(None) => {}
            Err(code) => {
                // A failed build never leaves an output that looks finished.
                if plain && std::fs::symlink_metadata(&out).is_ok_and(|m| m.is_file()) {
                    let _ = std::fs::remove_file(&out);
                }
                return code;
            }
        }
    }
    tail.push(settings.lib.clone().into_os_string());
    let argv = if plain {
        splice(user, flags, tail)
    } else {
        flags.push("-o".into());
        flags.push(pre.clone().into_os_string());
        splice(&without_output(expanded), flags, tail)
    };

    let remove_stale = |p: &Path| {
        if std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()) {
            let _ = std::fs::remove_file(p);
        }
    };
    match run_clang_link(clang, &argv, settings.verbose) {
        Ok(0) => {}
        Ok(code) | Err(code) => {
            if plain {
                remove_stale(&out);
            }
            remove_stale(&pre);
            return code;
        }
    }
    if plain {
        if let Err(e) = std::fs::rename(&out, &pre) {
            say!("asyncify-cc: cannot rename {} to {}: {e}", out.display(), pre.display());
            remove_stale(&out);
            return OWN_ERROR;
        }
    }

    let mut wargv: Vec<OsString> = vec![
        pre.clone().into_os_string(),
        "--asyncify".into(),
        "--pass-arg=asyncify-ignore-imports".into(),
    ];
    if let Some(level) = analysis.wasm_opt_level {
        wargv.push(level.into());
    }
    if analysis.debug {
        wargv.push("-g".into());
    }
    wargv.push("-o".into());
    wargv.push(out.clone().into_os_string());
    if let Ok(extra) = std::env::var("ASYNCIFY_CC_EXTRA_WASM_OPT_ARGS") {
        wargv.extend(extra.split_whitespace().map(OsString::from));
    }
    let result = match spawn(&wasm_opt, &wargv, settings.verbose, false) {
        Ok((status, _)) => exit_code(status),
        Err(e) => {
            say!("asyncify-cc: cannot run {}: {e}; {BINARYEN_PACKAGE}", wasm_opt.display());
            MISSING_TOOL
        }
    };
    if !settings.keep_temps {
        let _ = std::fs::remove_file(&pre);
    }
    if result != 0 && plain {
        remove_stale(&out);
    }
    result
}

/// For LLVM's setjmp lowering: links the program once with undefined symbols allowed into a
/// scratch module in `dir`, reads which `invoke_*` wrappers it imports ([`invoke::needed`]), and
/// compiles exactly those into `dir/invoke.o`. Returns that object (None when no wrapper is
/// needed), or the exit status of a failing step. Genuine undefined symbols are reported by the
/// real link that follows.
fn invoke_wrappers(
    clang: &Path,
    expanded: &[OsString],
    flags: &[OsString],
    tail: &[OsString],
    dir: &Path,
    settings: &Settings,
) -> Result<Option<PathBuf>, i32> {
    if let Err(e) = std::fs::create_dir_all(dir) {
        say!("asyncify-cc: cannot create {}: {e}", dir.display());
        return Err(OWN_ERROR);
    }
    let probe = dir.join("probe.wasm");
    let mut pflags = flags.to_vec();
    pflags.push("-Wl,--allow-undefined".into());
    pflags.push("-o".into());
    pflags.push(probe.clone().into_os_string());
    let mut ptail = tail.to_vec();
    ptail.push(settings.lib.clone().into_os_string());
    match run_clang_link(clang, &splice(&without_output(expanded), pflags, ptail), settings.verbose) {
        Ok(0) => {}
        Ok(code) | Err(code) => return Err(code),
    }
    let names = invoke::needed(&probe).map_err(|e| {
        say!("asyncify-cc: {e}");
        OWN_ERROR
    })?;
    if names.is_empty() {
        return Ok(None);
    }
    let src = dir.join("invoke.c");
    let obj = dir.join("invoke.o");
    let code = invoke::source(&names).map_err(|e| {
        say!("asyncify-cc: {e}");
        OWN_ERROR
    })?;
    if let Err(e) = std::fs::write(&src, code) {
        say!("asyncify-cc: cannot write {}: {e}", src.display());
        return Err(OWN_ERROR);
    }
    let mut cargv: Vec<OsString> = vec!["--target=wasm32-wasip1".into(), concat_os("--sysroot=", settings.sysroot.as_os_str())];
    cargv.extend(["-O2", "-c"].map(OsString::from));
    cargv.push(src.into_os_string());
    cargv.push("-o".into());
    cargv.push(obj.clone().into_os_string());
    match spawn(clang, &cargv, settings.verbose, false) {
        Ok((status, _)) if status.success() => Ok(Some(obj)),
        Ok((status, _)) => Err(exit_code(status)),
        Err(e) => {
            say!("asyncify-cc: cannot run {}: {e}", clang.display());
            Err(OWN_ERROR)
        }
    }
}

/// The arguments without any output option (`-o F`, `-oF`, `--output F`, `--output=F`).
fn without_output(args: &[OsString]) -> Vec<OsString> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let s = a.to_str().unwrap_or("");
        if s == "--" {
            out.extend_from_slice(&args[i..]);
            break;
        }
        if s == "-o" || s == "--output" {
            i += 2;
            continue;
        }
        if s.starts_with("--output=") || (s.starts_with("-o") && !s.starts_with("-obj")) {
            i += 1;
            continue;
        }
        out.push(a.clone());
        i += 1;
    }
    out
}

/// Runs clang for a link, forwarding its stderr while watching for a missing wasm-ld.
/// `Ok(status)` is clang's exit status; `Err(status)` means a tool was missing and the message
/// has been printed.
fn run_clang_link(clang: &Path, argv: &[OsString], verbose: bool) -> Result<i32, i32> {
    match spawn(clang, argv, verbose, true) {
        Ok((status, stderr)) => {
            let code = exit_code(status);
            if code != 0 && linker_missing(&stderr) {
                say!("asyncify-cc: clang cannot run the linker wasm-ld; {CLANG_PACKAGES}");
                return Err(MISSING_TOOL);
            }
            Ok(code)
        }
        Err(e) => {
            say!("asyncify-cc: cannot run {}: {e}; {CLANG_PACKAGES}", clang.display());
            Err(MISSING_TOOL)
        }
    }
}

/// True when clang's diagnostics say that it could not start the linker.
fn linker_missing(stderr: &str) -> bool {
    stderr.contains("unable to execute command")
        || stderr.contains("Executable \"wasm-ld")
        || (stderr.contains("wasm-ld") && stderr.contains("invalid linker name"))
}

/// Runs a command and waits for it. With `capture_stderr`, the child's stderr is copied to ours
/// as it arrives and also returned (its first megabyte) for inspection.
fn spawn(
    program: &Path,
    argv: &[OsString],
    verbose: bool,
    capture_stderr: bool,
) -> std::io::Result<(ExitStatus, String)> {
    if verbose {
        print_command(program, argv);
    }
    let mut cmd = Command::new(program);
    cmd.args(argv);
    if !capture_stderr {
        return Ok((cmd.status()?, String::new()));
    }
    cmd.stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    let mut pipe = child.stderr.take().expect("piped stderr");
    let mut seen = Vec::new();
    let mut buf = [0u8; 8192];
    let mut ours = std::io::stderr();
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let _ = ours.write_all(&buf[..n]);
                if seen.len() < (1 << 20) {
                    seen.extend_from_slice(&buf[..n]);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let status = child.wait()?;
    Ok((status, String::from_utf8_lossy(&seen).into_owned()))
}

/// Replaces this process with `program argv...` (Unix); returns only on failure to start it.
fn exec(program: &Path, argv: &[OsString], verbose: bool) -> i32 {
    if verbose {
        print_command(program, argv);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let e = Command::new(program).args(argv).exec();
        say!("asyncify-cc: cannot run {}: {e}; {CLANG_PACKAGES}", program.display());
        MISSING_TOOL
    }
    #[cfg(not(unix))]
    match Command::new(program).args(argv).status() {
        Ok(s) => exit_code(s),
        Err(e) => {
            say!("asyncify-cc: cannot run {}: {e}; {CLANG_PACKAGES}", program.display());
            MISSING_TOOL
        }
    }
}

/// A child's exit status as a process exit status (128+N for death by signal N).
fn exit_code(status: ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return 128 + sig;
        }
    }
    OWN_ERROR
}

/// Prints one missing-tool line and returns the matching exit status.
fn missing_tool(tool: &str, tried: &str, hint: &str) -> i32 {
    say!("asyncify-cc: cannot find {tool} (tried {tried}); {hint}");
    MISSING_TOOL
}

/// Finds a tool: the path or name in environment variable `var` if set, else the first of
/// `defaults` found on `PATH`. On failure returns a description of what was tried.
fn find_tool(var: &str, defaults: &[&str]) -> Result<PathBuf, String> {
    if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        return lookup(Path::new(&v)).ok_or_else(|| format!("{var}={}", v.to_string_lossy()));
    }
    defaults
        .iter()
        .find_map(|d| lookup(Path::new(d)))
        .ok_or_else(|| format!("{} on PATH", defaults.join(", ")))
}

/// Resolves a command name like a shell: a name with a `/` is used as it is, a bare name is
/// searched on `PATH`. Only executable regular files count.
fn lookup(p: &Path) -> Option<PathBuf> {
    if p.components().count() > 1 || p.is_absolute() {
        return is_executable(p).then(|| p.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(p))
        .find(|c| is_executable(c))
}

/// True for a regular file with an execute bit.
fn is_executable(p: &Path) -> bool {
    let Ok(m) = std::fs::metadata(p) else { return false };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        m.is_file() && m.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    m.is_file()
}

/// Prints a command line on stderr, quoted for a POSIX shell.
fn print_command(program: &Path, argv: &[OsString]) {
    let mut line = format!("asyncify-cc: {}", shell_quote(program.as_os_str()));
    for a in argv {
        line.push(' ');
        line.push_str(&shell_quote(a));
    }
    say!("{line}");
}

/// `s` as a POSIX shell word (single-quoted unless it is made of harmless characters).
fn shell_quote(s: &OsStr) -> String {
    let s = s.to_string_lossy();
    let safe = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_./=:,+@%-".contains(&b));
    if safe {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
