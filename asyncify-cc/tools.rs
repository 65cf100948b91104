//! Locating clang and wasm-opt, running them, turning their results into asyncify-cc's exit
//! status, and the one-line messages for a tool that is missing.
//!
//! Every message goes to stderr through `say!` (main.rs), prefixed `asyncify-cc: `. With
//! `verbose`, each command is printed on stderr, quoted for a POSIX shell, before it runs.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

/// Exit status when a tool is missing (as a shell reports a command it cannot find).
pub const MISSING_TOOL: i32 = 127;
/// Exit status for asyncify-cc's own errors.
pub const OWN_ERROR: i32 = 1;
/// Exit status for arguments asyncify-cc refuses (such as `-lsetjmp`).
pub const USAGE_ERROR: i32 = 2;
/// What to install for clang and wasm-ld (Debian packages).
pub const CLANG_PACKAGES: &str = "install the Debian packages clang-22 and lld-22";
/// What to install for wasm-opt (Debian package).
pub const BINARYEN_PACKAGE: &str = "install the Debian package binaryen";

/// The clang to run: `$ASYNCIFY_CC_CLANG` if set and non-empty, else `clang-22`, else `clang`
/// on `PATH`. `Err(MISSING_TOOL)` after one stderr line naming what was tried and
/// [`CLANG_PACKAGES`].
pub fn clang() -> Result<PathBuf, i32> {
    find_tool("ASYNCIFY_CC_CLANG", &["clang-22", "clang"])
        .map_err(|tried| missing_tool("clang", &tried, CLANG_PACKAGES))
}

/// The wasm-opt to run: `$ASYNCIFY_CC_WASM_OPT` if set and non-empty, else `wasm-opt` on
/// `PATH`. `Err(MISSING_TOOL)` after one stderr line naming what was tried and
/// [`BINARYEN_PACKAGE`].
pub fn wasm_opt() -> Result<PathBuf, i32> {
    find_tool("ASYNCIFY_CC_WASM_OPT", &["wasm-opt"])
        .map_err(|tried| missing_tool("wasm-opt", &tried, BINARYEN_PACKAGE))
}

/// Prints one missing-tool line and returns [`MISSING_TOOL`].
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

/// Replaces this process with `clang argv...` (on Unix; elsewhere runs it and returns its exit
/// status). Returns only when clang cannot be started: [`MISSING_TOOL`], after one stderr line
/// naming [`CLANG_PACKAGES`].
pub fn exec_clang(clang: &Path, argv: &[OsString], verbose: bool) -> i32 {
    if verbose {
        print_command(clang, argv);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let e = Command::new(clang).args(argv).exec();
        say!("asyncify-cc: cannot run {}: {e}; {CLANG_PACKAGES}", clang.display());
        MISSING_TOOL
    }
    #[cfg(not(unix))]
    match Command::new(clang).args(argv).status() {
        Ok(s) => exit_code(s),
        Err(e) => {
            say!("asyncify-cc: cannot run {}: {e}; {CLANG_PACKAGES}", clang.display());
            MISSING_TOOL
        }
    }
}

/// Runs clang for a link, forwarding its stderr while watching for a missing wasm-ld.
/// `Ok(status)` is clang's exit status (see [`exit_code`]); `Err(MISSING_TOOL)` means clang or
/// wasm-ld could not be started, and one stderr line naming [`CLANG_PACKAGES`] has been printed.
pub fn run_clang_link(clang: &Path, argv: &[OsString], verbose: bool) -> Result<i32, i32> {
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

/// Runs `program argv...` and waits for it; its stdin, stdout and stderr are ours. With
/// `capture_stderr`, the child's stderr is copied to ours as it arrives and also returned (its
/// first megabyte, lossily decoded) for inspection; otherwise the returned string is empty.
/// `Err` when the program cannot be started.
pub fn spawn(
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

/// A child's exit status as a process exit status: its exit code, 128+N for death by signal
/// N, [`OWN_ERROR`] when neither is known.
pub fn exit_code(status: ExitStatus) -> i32 {
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

/// Prints a command line on stderr, `asyncify-cc: ` then the words quoted for a POSIX shell.
pub fn print_command(program: &Path, argv: &[OsString]) {
    let mut line = format!("asyncify-cc: {}", shell_quote(program.as_os_str()));
    for a in argv {
        line.push(' ');
        line.push_str(&shell_quote(a));
    }
    say!("{line}");
}

/// `s` as a POSIX shell word (single-quoted unless it is made of harmless characters; a
/// non-UTF-8 string is shown lossily).
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
