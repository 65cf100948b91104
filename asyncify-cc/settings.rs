//! asyncify-cc's settings: the environment variables `ASYNCIFY_RT_*` and `ASYNCIFY_CC_*`, the
//! defaults of the runtime's paths, and asyncify-cc's own command-line option `--asyncify-sjlj=`,
//! which is taken out of the arguments before clang sees them.
//!
//! The runtime's paths default to an installed prefix's when asyncify-cc runs from one (see
//! [`Layout`]), else to the paths the build script recorded (the build tree).
//!
//! The tools (`ASYNCIFY_CC_CLANG`, `ASYNCIFY_CC_WASM_OPT`) are looked up only when needed, by
//! [`crate::tools`], so that a compile does not need wasm-opt.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use crate::sjlj::Sjlj;

/// The strategy used when neither `--asyncify-sjlj=` nor `ASYNCIFY_CC_SJLJ` chooses one.
pub const DEFAULT_SJLJ: Sjlj = Sjlj::Lowered;

/// How a program link makes unwinding possible (`--asyncify-unwind=<name>`, or
/// `ASYNCIFY_CC_UNWIND=<name>`); ARCHITECTURE.md, "Unwinding by early return".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unwind {
    /// The default: early returns when the linked program can never rewind (only lowered jumps
    /// unwind), else full Asyncify.
    Auto,
    /// Always Binaryen's Asyncify pass (`wasm-opt --asyncify`).
    Asyncify,
    /// Early returns, and a link that needs full Asyncify fails with one stderr line (for tests).
    EarlyReturn,
}

impl Unwind {
    /// Every choice.
    pub const ALL: [Unwind; 3] = [Unwind::Auto, Unwind::Asyncify, Unwind::EarlyReturn];

    /// The choice's name in `--asyncify-unwind=<name>` and `ASYNCIFY_CC_UNWIND`.
    pub fn name(self) -> &'static str {
        match self {
            Unwind::Auto => "auto",
            Unwind::Asyncify => "asyncify",
            Unwind::EarlyReturn => "early-return",
        }
    }

    /// The choice called `name`, if any.
    pub fn named(name: &str) -> Option<Unwind> {
        Unwind::ALL.into_iter().find(|u| u.name() == name)
    }
}

/// Everything asyncify-cc reads from its environment and its own options.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The setjmp strategy: the last `--asyncify-sjlj=lowered|capture` option, else
    /// `ASYNCIFY_CC_SJLJ` when it is `lowered` or `capture`, else [`DEFAULT_SJLJ`]. Any other
    /// value of the variable is ignored.
    pub sjlj: Sjlj,
    /// How unwinding is instrumented: the last `--asyncify-unwind=auto|asyncify|early-return`
    /// option, else `ASYNCIFY_CC_UNWIND` when it is one of those, else [`Unwind::Auto`]. Any
    /// other value of the variable is ignored.
    pub unwind: Unwind,
    /// `ASYNCIFY_CC_VERBOSE`: print each command on stderr before running it.
    pub verbose: bool,
    /// `ASYNCIFY_CC_KEEP_TEMPS`: keep the pre-asyncify module and the wrapper scratch directory.
    pub keep_temps: bool,
    /// `ASYNCIFY_RT_INCLUDE`: the runtime's header directory.
    pub include: PathBuf,
    /// `ASYNCIFY_RT_SYSROOT`: the WASI sysroot.
    pub sysroot: PathBuf,
    /// `ASYNCIFY_RT_LIB`: the runtime's static library.
    pub lib: PathBuf,
    /// `ASYNCIFY_CC_EXTRA_WASM_OPT_ARGS`, split at whitespace: arguments appended to wasm-opt's
    /// command line. Empty when unset or not valid UTF-8.
    pub extra_wasm_opt_args: Vec<OsString>,
    /// `--print-config` was given: print the configuration instead of running clang.
    pub print_config: bool,
    /// Where the default paths came from.
    pub layout: Layout,
}

/// Where asyncify-cc takes the runtime's default paths from (each `ASYNCIFY_RT_*` variable
/// still overrides its own path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// asyncify-cc runs from `<prefix>/bin/` of a prefix made by `scripts/install.sh`, recognised
    /// by the directory `<prefix>/share/asyncify-rt/`. Paths: [`Layout::include`],
    /// [`Layout::lib`], [`Layout::sysroot`]. Found from the executable's own location
    /// (`std::env::current_exe`, symlinks resolved), so a moved prefix keeps working.
    Installed(PathBuf),
    /// Anywhere else (normally `target/release/`): the paths the build script recorded when
    /// asyncify-cc was built (`ASYNCIFY_RT_BUILT_{INCLUDE,LIB,SYSROOT}`).
    BuildTree,
}

impl Layout {
    /// The layout of the running executable: [`Layout::Installed`] when its directory's parent
    /// holds `share/asyncify-rt/`, else [`Layout::BuildTree`] (also when the executable's path
    /// cannot be read).
    pub fn of_current_exe() -> Layout {
        let exe = std::env::current_exe().ok().map(|e| std::fs::canonicalize(&e).unwrap_or(e));
        match exe.as_deref().and_then(Path::parent).and_then(Path::parent) {
            Some(prefix) if prefix.join("share/asyncify-rt").is_dir() => Layout::Installed(prefix.to_path_buf()),
            _ => Layout::BuildTree,
        }
    }

    /// The default header directory: `<prefix>/include/asyncify-rt`, or the build tree's
    /// `include/`.
    pub fn include(&self) -> PathBuf {
        match self {
            Layout::Installed(p) => p.join("include/asyncify-rt"),
            Layout::BuildTree => PathBuf::from(env!("ASYNCIFY_RT_BUILT_INCLUDE")),
        }
    }

    /// The default static library: `<prefix>/lib/wasm32-wasip1/libasyncify_rt.a`, or the one
    /// the build script built.
    pub fn lib(&self) -> PathBuf {
        match self {
            Layout::Installed(p) => p.join("lib/wasm32-wasip1/libasyncify_rt.a"),
            Layout::BuildTree => PathBuf::from(env!("ASYNCIFY_RT_BUILT_LIB")),
        }
    }

    /// The default sysroot: `<prefix>/share/asyncify-rt/sysroot` (made by the install script:
    /// a symlink to the chosen sysroot, or a directory of two symlinks over Debian's
    /// wasi-libc), or the build script's symlink sysroot.
    pub fn sysroot(&self) -> PathBuf {
        match self {
            Layout::Installed(p) => p.join("share/asyncify-rt/sysroot"),
            Layout::BuildTree => PathBuf::from(env!("ASYNCIFY_RT_BUILT_SYSROOT")),
        }
    }

    /// The text of `--print-config`'s `layout` line: `installed <prefix>` or `build-tree`.
    pub fn describe(&self) -> String {
        match self {
            Layout::Installed(p) => format!("installed {}", p.display()),
            Layout::BuildTree => "build-tree".into(),
        }
    }
}

impl Settings {
    /// Reads the settings from the environment, then takes asyncify-cc's own options out of
    /// `args` (the arguments after the program name) in one pass. Returns the settings and the
    /// remaining arguments, in their order, for clang.
    ///
    /// asyncify-cc's own options are exactly `--asyncify-sjlj=lowered`,
    /// `--asyncify-sjlj=capture`, `--asyncify-unwind=auto|asyncify|early-return` (for each, the
    /// last one wins) and `--print-config`, wherever they appear (also after `--`).
    /// Anything else, including another `--asyncify-sjlj=` or `--asyncify-unwind=` value, is
    /// left for clang (which rejects it). Response files are not searched for them.
    pub fn from_env_and_args(args: impl IntoIterator<Item = OsString>) -> (Settings, Vec<OsString>) {
        let mut settings = Settings::from_env();
        let mut rest = Vec::new();
        for arg in args {
            let own = arg.to_str().and_then(|a| a.strip_prefix("--asyncify-sjlj=")).and_then(Sjlj::named);
            let unwind = arg.to_str().and_then(|a| a.strip_prefix("--asyncify-unwind=")).and_then(Unwind::named);
            if let Some(u) = unwind {
                settings.unwind = u;
                continue;
            }
            match (own, arg.to_str()) {
                (Some(sjlj), _) => settings.sjlj = sjlj,
                (None, Some("--print-config")) => settings.print_config = true,
                _ => rest.push(arg),
            }
        }
        (settings, rest)
    }

    /// Reads the settings from the environment alone (see the fields for the variables).
    pub fn from_env() -> Settings {
        let sjlj = std::env::var("ASYNCIFY_CC_SJLJ").ok().as_deref().and_then(Sjlj::named).unwrap_or(DEFAULT_SJLJ);
        let extra_wasm_opt_args = match std::env::var("ASYNCIFY_CC_EXTRA_WASM_OPT_ARGS") {
            Ok(extra) => extra.split_whitespace().map(OsString::from).collect(),
            Err(_) => Vec::new(),
        };
        let layout = Layout::of_current_exe();
        let unwind = std::env::var("ASYNCIFY_CC_UNWIND").ok().as_deref().and_then(Unwind::named).unwrap_or(Unwind::Auto);
        Settings {
            sjlj,
            unwind,
            verbose: env_flag("ASYNCIFY_CC_VERBOSE"),
            keep_temps: env_flag("ASYNCIFY_CC_KEEP_TEMPS"),
            include: path_setting("ASYNCIFY_RT_INCLUDE", layout.include()),
            sysroot: path_setting("ASYNCIFY_RT_SYSROOT", layout.sysroot()),
            lib: path_setting("ASYNCIFY_RT_LIB", layout.lib()),
            extra_wasm_opt_args,
            print_config: false,
            layout,
        }
    }
}

/// True when environment variable `name` is set to something other than empty or `0`.
fn env_flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The path in environment variable `name` if set and non-empty, else `default` (from the
/// [`Layout`]).
fn path_setting(name: &str, default: PathBuf) -> PathBuf {
    match std::env::var_os(name) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn own_options_are_taken_out_and_the_last_wins() {
        let (s, rest) = Settings::from_env_and_args(os(&[
            "--asyncify-sjlj=capture",
            "a.c",
            "--asyncify-sjlj=lowered",
            "-o",
            "p",
        ]));
        assert_eq!(s.sjlj, Sjlj::Lowered);
        assert_eq!(rest, os(&["a.c", "-o", "p"]));
        let (s, rest) = Settings::from_env_and_args(os(&["--", "--asyncify-sjlj=capture"]));
        assert_eq!(s.sjlj, Sjlj::Capture);
        assert_eq!(rest, os(&["--"]));
        let (s, rest) = Settings::from_env_and_args(os(&["--asyncify-unwind=asyncify", "a.c", "--asyncify-unwind=early-return"]));
        assert_eq!(s.unwind, Unwind::EarlyReturn);
        assert_eq!(rest, os(&["a.c"]));
    }

    #[test]
    fn other_values_go_to_clang() {
        let (s, rest) = Settings::from_env_and_args(os(&["--asyncify-sjlj=fast", "a.c", "--asyncify-unwind=some"]));
        assert_eq!(rest, os(&["--asyncify-sjlj=fast", "a.c", "--asyncify-unwind=some"]));
        assert!(!s.print_config);
        let (s, rest) = Settings::from_env_and_args(os(&["--print-config"]));
        assert!(s.print_config && rest.is_empty());
    }
}
