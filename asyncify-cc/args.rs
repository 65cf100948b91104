//! Classification of a clang-style argument list.
//!
//! `asyncify-cc` passes the user's arguments to clang unchanged; it only needs to know what kind
//! of invocation it is (compile-only, link, relocatable link), where the output goes, and a few
//! facts that decide the extra flags (target, sysroot, optimisation level, debug info, stack
//! size). This module reads those facts without interpreting anything else.

use std::ffi::OsString;
use std::path::Path;

mod response;

pub use response::expand_response_files;

/// Options that take their value as the next argument when written on their own (clang's
/// `Separate` and `JoinedOrSeparate` options that can appear in a C build). Knowing them keeps
/// their values from being mistaken for input files.
const SEPARATE: &[&str] = &[
    "-o", "--output", "-x", "-I", "-D", "-U", "-L", "-l", "-F", "-B", "-G", "-T", "-b", "-u", "-e",
    "-z", "-A", "-MF", "-MJ", "-MQ", "-MT", "-Xlinker", "-Xclang", "-Xassembler", "-Xpreprocessor",
    "-Xanalyzer", "-Xopenmp-target", "-Xarch_device", "-Xarch_host", "-Xclangas", "-mllvm",
    "-mmlir", "-target", "--sysroot", "-include", "-imacros", "-include-pch", "-idirafter",
    "-iframework", "-iframeworkwithsysroot", "-iprefix", "-iquote", "-isysroot", "-isystem",
    "-isystem-after", "-ivfsoverlay", "-iwithprefix", "-iwithprefixbefore", "-iwithsysroot",
    "-iapinotes-modules", "-cxx-isystem", "-imultilib", "-resource-dir", "-working-directory",
    "-serialize-diagnostics", "-dependency-file", "-dependency-dot", "-module-dependency-dir",
    "-dumpdir", "-dsym-dir", "-rpath", "-arch", "-meabi", "-mthread-model", "-vfsoverlay",
    "--analyzer-output", "-ccc-gcc-name", "-ccc-install-dir", "-gen-cdb-fragment-path",
    "-Tbss", "-Tdata", "-Ttext", "--param", "-hlsl-entry", "-darwin-target-variant",
    "-darwin-target-variant-triple", "-fmodules-user-build-path",
    "-fexperimental-openacc-macro-override",
];

/// Flags that stop clang before linking.
const COMPILE_ONLY: &[&str] = &[
    "-c", "-S", "-E", "-M", "-MM", "-fsyntax-only", "-###", "--precompile", "--analyze",
    "-emit-ast",
];

/// Linker arguments that make the link relocatable or shared.
const RELOCATABLE_LINKER_ARGS: &[&str] = &["-r", "--relocatable", "-i", "-shared", "--shared"];

/// What kind of invocation an argument list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Compile-only, preprocess-only, informational (`--version`, no input files): clang runs
    /// with the target flags added and nothing else.
    Compile,
    /// A relocatable (`-r`) or shared (`-shared`) link: clang runs with the target flags added,
    /// without the runtime, the entry wrap or wasm-opt.
    PartialLink,
    /// A link of an executable: the full asyncify pipeline.
    Link,
}

/// The facts `asyncify-cc` reads from an argument list.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Kind of invocation.
    pub mode: Mode,
    /// The user gave `--target=`/`-target`.
    pub has_target: bool,
    /// The user gave `--sysroot`.
    pub has_sysroot: bool,
    /// The last output file given with `-o`/`--output` (any spelling); `None` means clang's default.
    pub output: Option<OsString>,
    /// The wasm-opt optimisation flag that mirrors the user's last `-O` flag, if any.
    pub wasm_opt_level: Option<&'static str>,
    /// Debug information was requested (the last `-g` variant did not turn it off).
    pub debug: bool,
    /// The user chose a stack size for the linker.
    pub stack_size_given: bool,
    /// The user used `-x`, so a file appended at the end needs `-x none` before it.
    pub uses_x: bool,
    /// Index of a `--` argument (everything after it is an input) in the analysed list.
    pub dashdash: Option<usize>,
    /// Number of input files and `-l` libraries.
    pub inputs: usize,
    /// The user asked for (or turned off) colored diagnostics explicitly.
    pub color_given: bool,
    /// The arguments name wasi-libc's exception-handling setjmp library (`-lsetjmp`,
    /// `-l setjmp`, the same given to the linker with `-Wl,` or `-Xlinker`, or an input file
    /// named `libsetjmp.a` or `libsetjmp.so`), which defines the same symbols as the runtime.
    pub setjmp_library: bool,
}

/// Maps a clang `-O` flag to wasm-opt's: `-O1`..`-O3`, `-Os`, `-Oz` as they are, `-O`/`-Og` to
/// `-O1`, `-Ofast` and `-O4` and above to `-O3`, `-O0` to none. `Err` for a flag clang would
/// reject anyway.
fn map_opt(flag: &str) -> Result<Option<&'static str>, ()> {
    Ok(match &flag[2..] {
        "" | "g" | "1" => Some("-O1"),
        "0" => None,
        "2" => Some("-O2"),
        "3" | "fast" => Some("-O3"),
        "s" => Some("-Os"),
        "z" => Some("-Oz"),
        n if n.bytes().all(|b| b.is_ascii_digit()) => Some("-O3"),
        _ => return Err(()),
    })
}

/// The effect of a `-g...` flag on whether debug information is produced: `Some(true)` turns it
/// on, `Some(false)` off, `None` leaves it (modifiers such as `-gz` or `-gno-column-info`).
fn debug_effect(flag: &str) -> Option<bool> {
    match flag {
        "-g0" | "-ggdb0" | "-gline-tables-only0" => Some(false),
        "-g" | "-g1" | "-g2" | "-g3" | "-ggdb" | "-ggdb1" | "-ggdb2" | "-ggdb3" | "-glldb" | "-gsce"
        | "-gdbx" | "-gfull" | "-gused" | "-gline-tables-only" | "-gline-directives-only"
        | "-gdwarf" | "-gcodeview" => Some(true),
        f if f.starts_with("-gdwarf-") => Some(true),
        _ => None,
    }
}

/// True when `s` is an option written on its own whose value is the next argument (`-I dir`,
/// `-Xarch_foo arg`); joined spellings such as `-Idir` do not consume the next argument.
fn takes_next(s: &str) -> bool {
    SEPARATE.contains(&s) || (s.starts_with("-Xarch_") && !s.contains('='))
}

/// Classifies an argument list (already expanded with [`expand_response_files`]).
pub fn analyse(args: &[OsString]) -> Analysis {
    let mut a = Analysis {
        mode: Mode::Link,
        has_target: false,
        has_sysroot: false,
        output: None,
        wasm_opt_level: None,
        debug: false,
        stack_size_given: false,
        uses_x: false,
        dashdash: None,
        inputs: 0,
        color_given: false,
        setjmp_library: false,
    };
    let mut compile_only = false;
    let mut partial = false;
    let mut linker_args: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let next = args.get(i + 1);
        i += 1;
        if a.dashdash.is_some() {
            a.inputs += 1;
            continue;
        }
        let Some(s) = arg.to_str() else {
            a.inputs += 1;
            continue;
        };
        if s == "--" {
            a.dashdash = Some(i - 1);
            continue;
        }
        if s == "-" || !s.starts_with('-') {
            a.inputs += 1;
            a.setjmp_library |= is_setjmp_library_file(s);
            continue;
        }
        if takes_next(s) {
            i += 1; // the value
            let v = next.cloned().unwrap_or_default();
            let vs = v.to_string_lossy().into_owned();
            match s {
                "-o" | "--output" => a.output = Some(v),
                "-x" => a.uses_x = true,
                "-l" => {
                    a.inputs += 1;
                    a.setjmp_library |= vs == "setjmp";
                }
                "-target" => a.has_target = true,
                "--sysroot" => a.has_sysroot = true,
                "-Xlinker" => linker_args.push(vs),
                "-z" => {
                    linker_args.push("-z".into());
                    linker_args.push(vs);
                }
                _ => {}
            }
            continue;
        }
        if let Some(v) = s.strip_prefix("--output=") {
            a.output = Some(OsString::from(v));
        } else if let Some(v) = s.strip_prefix("-o").filter(|_| !s.starts_with("-obj")) {
            a.output = Some(OsString::from(v));
        } else if s.starts_with("--target=") {
            a.has_target = true;
        } else if s.starts_with("--sysroot=") {
            a.has_sysroot = true;
        } else if s.starts_with("-x") {
            a.uses_x = true;
        } else if s.starts_with("-l") {
            a.inputs += 1;
            a.setjmp_library |= s == "-lsetjmp";
        } else if let Some(list) = s.strip_prefix("-Wl,") {
            linker_args.extend(list.split(',').map(String::from));
        } else if s.starts_with("-O") {
            if let Ok(level) = map_opt(s) {
                a.wasm_opt_level = level;
            }
        } else if s.starts_with("-g") {
            if let Some(on) = debug_effect(s) {
                a.debug = on;
            }
        } else if COMPILE_ONLY.contains(&s) {
            compile_only = true;
        } else if s == "-r" || s == "-shared" || s == "--shared" {
            partial = true;
        } else if s.starts_with("-fcolor-diagnostics")
            || s.starts_with("-fno-color-diagnostics")
            || s.starts_with("-fdiagnostics-color")
            || s.starts_with("-fno-diagnostics-color")
        {
            a.color_given = true;
        }
    }
    // Linker options given as a pair (`-z stack-size=N`, `--stack-size N`) or joined.
    for (k, la) in linker_args.iter().enumerate() {
        if la.contains("stack-size") {
            a.stack_size_given = true;
        }
        if RELOCATABLE_LINKER_ARGS.contains(&la.as_str()) && (k == 0 || linker_args[k - 1] != "-z") {
            partial = true;
        }
        let prev = if k == 0 { "" } else { linker_args[k - 1].as_str() };
        if la == "-lsetjmp"
            || la == "--library=setjmp"
            || (la == "setjmp" && (prev == "-l" || prev == "--library"))
            || is_setjmp_library_file(la)
        {
            a.setjmp_library = true;
        }
    }
    a.mode = if compile_only || a.inputs == 0 {
        Mode::Compile
    } else if partial {
        Mode::PartialLink
    } else {
        Mode::Link
    };
    a
}

/// True when the path `s` names wasi-libc's setjmp library file (`libsetjmp.a`, `libsetjmp.so`).
fn is_setjmp_library_file(s: &str) -> bool {
    Path::new(s).file_name().is_some_and(|n| n == "libsetjmp.a" || n == "libsetjmp.so")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    fn an(args: &[&str]) -> Analysis {
        let v: Vec<OsString> = args.iter().map(OsString::from).collect();
        analyse(&v)
    }

    #[test]
    fn modes() {
        assert_eq!(an(&["-c", "a.c", "-o", "a.o"]).mode, Mode::Compile);
        assert_eq!(an(&["-E", "a.c"]).mode, Mode::Compile);
        assert_eq!(an(&["-MM", "a.c"]).mode, Mode::Compile);
        assert_eq!(an(&["--version"]).mode, Mode::Compile);
        assert_eq!(an(&["-print-file-name=libc.a"]).mode, Mode::Compile);
        assert_eq!(an(&["-MD", "a.c", "-o", "p"]).mode, Mode::Link);
        assert_eq!(an(&["a.o", "b.o", "-lm", "-o", "p"]).mode, Mode::Link);
        assert_eq!(an(&["-r", "a.o", "-o", "p.o"]).mode, Mode::PartialLink);
        assert_eq!(an(&["-Wl,-r", "a.o", "-o", "p.o"]).mode, Mode::PartialLink);
        assert_eq!(an(&["-Xlinker", "--relocatable", "a.o"]).mode, Mode::PartialLink);
        assert_eq!(an(&["-shared", "a.o"]).mode, Mode::PartialLink);
        // The value of -I is not an input.
        assert_eq!(an(&["-I", "inc", "--version"]).mode, Mode::Compile);
    }

    #[test]
    fn output_and_flags() {
        let a = an(&["-O2", "-g", "a.c", "-oprog", "-Os"]);
        assert_eq!(a.output.as_deref(), Some(OsStr::new("prog")));
        assert_eq!(a.wasm_opt_level, Some("-Os"));
        assert!(a.debug);
        let a = an(&["-O", "-g", "-g0", "a.c", "--output=x"]);
        assert_eq!(a.output.as_deref(), Some(OsStr::new("x")));
        assert_eq!(a.wasm_opt_level, Some("-O1"));
        assert!(!a.debug);
        assert_eq!(an(&["-O3", "-O0", "a.c"]).wasm_opt_level, None);
        assert_eq!(an(&["-Og", "a.c"]).wasm_opt_level, Some("-O1"));
        assert_eq!(an(&["-Ofast", "a.c"]).wasm_opt_level, Some("-O3"));
        assert!(an(&["-gdwarf-4", "a.c"]).debug);
        assert!(!an(&["-gz", "a.c"]).debug);
        assert!(an(&["-objc", "a.c"]).output.is_none());
    }

    #[test]
    fn target_sysroot_stack() {
        let a = an(&["-target", "wasm32-wasi", "--sysroot", "/s", "a.c"]);
        assert!(a.has_target && a.has_sysroot);
        assert_eq!(a.inputs, 1);
        assert!(an(&["--target=wasm32-wasi", "a.c"]).has_target);
        assert!(an(&["a.c", "-Wl,-z,stack-size=65536"]).stack_size_given);
        assert!(an(&["a.c", "-Wl,--stack-size=65536"]).stack_size_given);
        assert!(an(&["a.c", "-Xlinker", "-z", "-Xlinker", "stack-size=65536"]).stack_size_given);
        assert!(an(&["a.c", "-z", "stack-size=65536"]).stack_size_given);
        assert!(!an(&["a.c", "-Wl,--gc-sections"]).stack_size_given);
    }

    #[test]
    fn setjmp_library() {
        for args in [
            &["a.c", "-lsetjmp"][..],
            &["a.c", "-l", "setjmp"],
            &["a.c", "-Wl,-lsetjmp"],
            &["a.c", "-Xlinker", "-l", "-Xlinker", "setjmp"],
            &["a.c", "/sysroot/lib/wasm32-wasi/libsetjmp.a"],
        ] {
            assert!(an(args).setjmp_library, "{args:?}");
        }
        for args in [&["a.c", "-lsetjmpx"][..], &["a.c", "-L", "setjmp"], &["a.c", "-o", "libsetjmp.a.wasm"]] {
            assert!(!an(args).setjmp_library, "{args:?}");
        }
    }
}
