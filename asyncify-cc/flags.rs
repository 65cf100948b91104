//! The arguments asyncify-cc adds to the user's clang command line, and the edits of that line
//! (inserting flags before a `--`, dropping the output option).
//!
//! The user's own arguments are never reordered or rewritten: flags go after them (or before a
//! `--`, so that they stay options), files go at the very end.

use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;

use crate::args::Analysis;
use crate::settings::{Settings, Sjlj};

/// The stack size given to the linker unless the user chooses one (8 MiB).
pub const DEFAULT_STACK_SIZE: u32 = 8 * 1024 * 1024;

/// Flags for every clang invocation: `--target=wasm32-wasip1` unless the user gave a target,
/// `--sysroot=<settings.sysroot>` unless the user gave one, `-isystem <settings.include>`, and,
/// for LLVM's setjmp lowering, `-mllvm -enable-emscripten-sjlj -D__ASYNCIFY_RT_LOWERED_SJLJ=1
/// -Wno-unused-command-line-argument`.
pub fn target_flags(settings: &Settings, analysis: &Analysis) -> Vec<OsString> {
    let mut flags: Vec<OsString> = Vec::new();
    if !analysis.has_target {
        flags.push("--target=wasm32-wasip1".into());
    }
    if !analysis.has_sysroot {
        flags.push(concat_os("--sysroot=", settings.sysroot.as_os_str()));
    }
    flags.push("-isystem".into());
    flags.push(settings.include.clone().into_os_string());
    if settings.sjlj == Sjlj::Lowered {
        // LLVM rewrites setjmp/longjmp (and the calls after a setjmp); the header then leaves
        // `setjmp` alone for it to see.
        for f in ["-mllvm", "-enable-emscripten-sjlj", "-D__ASYNCIFY_RT_LOWERED_SJLJ=1", "-Wno-unused-command-line-argument"] {
            flags.push(f.into());
        }
    }
    flags
}

/// Flags added to a program link after the [`target_flags`]: `--no-wasm-opt` (Asyncify must
/// see the code before any wasm-opt inlining), the wraps of the program's entry, a stack size
/// of [`DEFAULT_STACK_SIZE`] unless the user chose one, and `-fcolor-diagnostics` when our
/// stderr is a terminal and the user did not choose (clang's stderr is then a pipe).
pub fn program_link_flags(analysis: &Analysis) -> Vec<OsString> {
    let mut flags: Vec<OsString> = vec!["--no-wasm-opt".into()];
    // The runtime's root wraps the program's entry: `__original_main` is what wasi-libc 2022's
    // `_start` calls, `__main_void` what newer ones call (see csrc/entry.c).
    flags.push("-Wl,--wrap=__original_main".into());
    flags.push("-Wl,--wrap=__main_void".into());
    if !analysis.stack_size_given {
        flags.push(format!("-Wl,-z,stack-size={DEFAULT_STACK_SIZE}").into());
    }
    if !analysis.color_given && std::io::stderr().is_terminal() {
        flags.push("-fcolor-diagnostics".into());
    }
    flags
}

/// What must precede files appended after all of the user's arguments: `-x none` when the user
/// used `-x` (so the files are not read as that language) and gave no `--`; else nothing.
pub fn tail_prefix(analysis: &Analysis) -> Vec<OsString> {
    if analysis.uses_x && analysis.dashdash.is_none() {
        vec!["-x".into(), "none".into()]
    } else {
        Vec::new()
    }
}

/// The user's arguments with `flags` inserted at the end, or before the first `--` so that they
/// stay options, and `tail` appended at the very end.
pub fn splice(user: &[OsString], flags: Vec<OsString>, tail: Vec<OsString>) -> Vec<OsString> {
    let at = user.iter().position(|a| a == "--").unwrap_or(user.len());
    let mut argv: Vec<OsString> = user[..at].to_vec();
    argv.extend(flags);
    argv.extend_from_slice(&user[at..]);
    argv.extend(tail);
    argv
}

/// The arguments without any output option (`-o F`, `-oF`, `--output F`, `--output=F`) before
/// a `--`; everything from the `--` on is kept as it is.
pub fn without_output(args: &[OsString]) -> Vec<OsString> {
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

/// `prefix` followed by `value`, as an OS string.
pub fn concat_os(prefix: &str, value: &OsStr) -> OsString {
    let mut s = OsString::from(prefix);
    s.push(value);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn splice_keeps_flags_before_dashdash() {
        let argv = splice(&os(&["a.c", "--", "-b.c"]), os(&["-F"]), os(&["lib.a"]));
        assert_eq!(argv, os(&["a.c", "-F", "--", "-b.c", "lib.a"]));
    }

    #[test]
    fn without_output_drops_every_spelling() {
        let argv = os(&["-o", "x", "a.c", "-oy", "--output", "z", "--output=w", "-objc", "--", "-o"]);
        assert_eq!(without_output(&argv), os(&["a.c", "-objc", "--", "-o"]));
    }
}
