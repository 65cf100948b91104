//! What asyncify-cc needs installed besides the tools being found: a recent enough clang and
//! wasm-opt, a WASI sysroot, and the runtime library. Each check that fails prints one stderr
//! line; those for installed software name the Debian package to install and return
//! [`MISSING_TOOL`], like a missing tool.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::args::{Analysis, Mode};
use crate::settings::Settings;
use crate::tools::{BINARYEN_PACKAGE, CLANG_PACKAGES, MISSING_TOOL, OWN_ERROR};

/// The oldest clang major version accepted. LLVM 19 is the first whose setjmp lowering calls
/// `__wasm_setjmp`/`__wasm_setjmp_test` (LLVM 18 calls `saveSetjmp`/`testSetjmp`, which the
/// runtime does not define); asyncify-rt is tested with clang 22.
pub const MIN_CLANG: u32 = 19;
/// The oldest wasm-opt (Binaryen) version accepted: 108, Debian bookworm's, the oldest tested.
pub const MIN_WASM_OPT: u32 = 108;
/// What to install for a WASI sysroot (Debian package).
pub const WASI_LIBC_PACKAGE: &str = "install the Debian package wasi-libc";

/// A tool's version as `<tool> --version` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The version word as printed (`22.1.8`, `108`).
    pub text: String,
    /// Its leading number (`22`, `108`).
    pub major: u32,
}

/// Runs `program --version` (stdin and stderr discarded) and reads the version from the first
/// line of its stdout that contains `version `: the word after it, whose leading digits are the
/// major number (clang: `Debian clang version 22.1.8 (...)`; wasm-opt: `wasm-opt version 108`).
/// `None` when the program cannot be run or prints no such word. With `verbose`, the command is
/// printed first, as every command is.
pub fn version(program: &Path, verbose: bool) -> Option<Version> {
    if verbose {
        crate::tools::print_command(program, &["--version".into()]);
    }
    let out = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    parse_version(&text)
}

/// The version in `--version` output (see [`version`]).
fn parse_version(text: &str) -> Option<Version> {
    let word = text.lines().find_map(|l| l.split_once("version ").map(|(_, rest)| rest))?;
    let word = word.split_whitespace().next()?;
    let digits: String = word.chars().take_while(|c| c.is_ascii_digit()).collect();
    Some(Version { text: word.to_string(), major: digits.parse().ok()? })
}

/// A tool whose version matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// clang, at least [`MIN_CLANG`], from [`CLANG_PACKAGES`].
    Clang,
    /// wasm-opt, at least [`MIN_WASM_OPT`], from [`BINARYEN_PACKAGE`].
    WasmOpt,
}

impl Tool {
    /// The tool's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Clang => "clang",
            Tool::WasmOpt => "wasm-opt",
        }
    }
}

/// Checks that `clang` is at least [`MIN_CLANG`]; see [`new_enough`].
pub fn clang_version(clang: &Path, verbose: bool) -> Result<(), i32> {
    new_enough(Tool::Clang, clang, version(clang, verbose).as_ref())
}

/// Checks that `wasm_opt` is at least [`MIN_WASM_OPT`]; see [`new_enough`].
pub fn wasm_opt_version(wasm_opt: &Path, verbose: bool) -> Result<(), i32> {
    new_enough(Tool::WasmOpt, wasm_opt, version(wasm_opt, verbose).as_ref())
}

/// Checks the `version` read from `tool` at `program` against the tool's minimum. An unknown
/// version passes (the tool's own errors will show). `Err(MISSING_TOOL)` after one stderr line
/// naming the version, the minimum and the Debian package to install.
pub fn new_enough(tool: Tool, program: &Path, version: Option<&Version>) -> Result<(), i32> {
    let (min, hint) = match tool {
        Tool::Clang => (MIN_CLANG, CLANG_PACKAGES),
        Tool::WasmOpt => (MIN_WASM_OPT, BINARYEN_PACKAGE),
    };
    match version {
        Some(v) if v.major < min => {
            say!(
                "asyncify-cc: {} {} is version {}, asyncify-cc needs {min} or later; {hint}",
                tool.name(),
                program.display(),
                v.text
            );
            Err(MISSING_TOOL)
        }
        _ => Ok(()),
    }
}

/// Checks the WASI sysroot asyncify-cc adds (`settings.sysroot`), for invocations that read it:
/// those with input files, when the user gave neither `--sysroot` nor a target of their own.
/// See [`sysroot_usable`]; compiles need only the headers.
pub fn sysroot(settings: &Settings, analysis: &Analysis) -> Result<(), i32> {
    if analysis.has_sysroot || analysis.has_target || analysis.inputs == 0 {
        return Ok(());
    }
    sysroot_usable(&settings.sysroot, analysis.mode != Mode::Compile)
}

/// Checks that the sysroot at `root` holds wasi-libc's headers (`include/wasm32-wasip1/`, or
/// headers straight in `include/`) and, when `linking`, its library
/// (`lib/wasm32-wasip1/libc.a`). `Err(MISSING_TOOL)` after one stderr line naming the sysroot,
/// what it lacks and [`WASI_LIBC_PACKAGE`].
pub fn sysroot_usable(root: &Path, linking: bool) -> Result<(), i32> {
    let include = root.join("include");
    let lacks = if !include.join("wasm32-wasip1").is_dir() && !include.join("stdio.h").is_file() {
        "include/wasm32-wasip1 (wasi-libc's headers)"
    } else if linking && !root.join("lib/wasm32-wasip1/libc.a").is_file() {
        "lib/wasm32-wasip1/libc.a (wasi-libc)"
    } else {
        return Ok(());
    };
    say!(
        "asyncify-cc: the WASI sysroot {} has no {lacks}; {WASI_LIBC_PACKAGE} (or set ASYNCIFY_RT_SYSROOT)",
        root.display()
    );
    Err(MISSING_TOOL)
}

/// Checks that the runtime library (`settings.lib`) exists; `Err(OWN_ERROR)` after one stderr
/// line if not.
pub fn runtime_library(settings: &Settings) -> Result<(), i32> {
    if settings.lib.is_file() {
        return Ok(());
    }
    say!(
        "asyncify-cc: the runtime library {} does not exist (build asyncify-rt, or set ASYNCIFY_RT_LIB to libasyncify_rt.a)",
        settings.lib.display()
    );
    Err(OWN_ERROR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_the_first_version_line() {
        let v = parse_version("Debian clang version 22.1.8 (1~deb12u1)\nTarget: x86_64\n").unwrap();
        assert_eq!((v.text.as_str(), v.major), ("22.1.8", 22));
        let v = parse_version("wasm-opt version 116 (version_116)\n").unwrap();
        assert_eq!((v.text.as_str(), v.major), ("116", 116));
        assert_eq!(parse_version("clang version 19.0.0git (https://x)").unwrap().major, 19);
        assert!(parse_version("no number here").is_none());
        assert!(parse_version("version x").is_none());
    }
}
