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
//!   `wasm-opt <out>.pre-asyncify.wasm [--asyncify --pass-arg=asyncify-ignore-imports] [OPT] [-g]
//!   -o <out> [$ASYNCIFY_CC_EXTRA_WASM_OPT_ARGS]` (the Asyncify arguments only when unwinding is
//!   instrumented by full Asyncify, see below), where `OPT` mirrors the user's last `-O` flag
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
//! # How unwinding is instrumented
//! * `--asyncify-unwind=auto` (the default): when the only functions of the linked program that
//!   start an unwind are the runtime's jump entry points (`longjmp` & co: only lowered jumps, no
//!   capture setjmp, no context function, no scan), nothing is ever rewound, and asyncify-cc
//!   rewrites the module to unwind by early return instead of running Binaryen's Asyncify (see
//!   `early_return.rs`; `wasm-opt` then only optimises). Otherwise full Asyncify.
//! * `--asyncify-unwind=asyncify`: always full Asyncify (the build before issue 12).
//! * `--asyncify-unwind=early-return`: early returns, and a program that needs full Asyncify is
//!   refused (one stderr line, status 1). For tests.
//! * `ASYNCIFY_CC_UNWIND=auto|asyncify|early-return` sets the default; `ASYNCIFY_CC_VERBOSE=1`
//!   says which was chosen and why.
//!
//! # Printing the configuration
//! `asyncify-cc --print-config` prints the runtime's paths, the clang and wasm-opt it would run
//! with their versions, the default setjmp strategy and unwind instrumentation and the layout (installed prefix or build
//! tree), one `key: value` line each, and checks them (see `config.rs`); other arguments are
//! ignored.
//!
//! # Installed or in the build tree
//! Run from `<prefix>/bin/` of a prefix made by `scripts/install.sh` (recognised by
//! `<prefix>/share/asyncify-rt/`), asyncify-cc takes the runtime's paths relative to its own
//! location: `<prefix>/include/asyncify-rt`, `<prefix>/lib/wasm32-wasip1/libasyncify_rt.a`,
//! `<prefix>/share/asyncify-rt/sysroot`; moving the prefix keeps it working. Anywhere else it
//! uses the paths fixed when it was built (see `settings.rs`, `Layout`).
//!
//! # Environment
//! * `ASYNCIFY_RT_INCLUDE`, `ASYNCIFY_RT_LIB`, `ASYNCIFY_RT_SYSROOT`: override the runtime's
//!   header directory, static library and WASI sysroot (defaults: the installed prefix's, or
//!   those fixed when asyncify-cc was built).
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
//!   removed, and so is a stale `<out>.pre-asyncify.wasm`), so a failed build never looks
//!   finished; this holds for every failure once clang has been found, except a refused
//!   `-lsetjmp`, which touches nothing;
//! * 127 when clang, wasm-ld or wasm-opt cannot be found, or for a program link when clang is
//!   older than 19 or wasm-opt older than 108 (their `--version` is read at each such link), or
//!   when the WASI sysroot lacks wasi-libc (checked for invocations with input files that use
//!   asyncify-cc's sysroot and target), after one line on stderr naming the Debian packages to
//!   install (`clang-22` and `lld-22`; `binaryen`; `wasi-libc`);
//! * 1 for asyncify-cc's own errors (runtime library missing, a file that cannot be renamed).
//! * 2 for a link that names wasi-libc's exception-handling setjmp library (`-lsetjmp`, also
//!   through `-Wl,`/`-Xlinker`, or a `libsetjmp.a` input), which defines the same symbols as the
//!   runtime: one stderr line says so and nothing is run. Compile-only invocations ignore `-l`
//!   and are not checked.
//!
//! # Source layout
//! * `settings.rs`: the environment variables and `--asyncify-sjlj=`;
//! * `args.rs` (with `args/response.rs`): what kind of invocation the arguments are;
//! * `flags.rs`: the flags added to clang's command line;
//! * `tools.rs`: finding clang and wasm-opt, running them, exit statuses;
//! * `link.rs`: the link pipeline and the guard of its temporary files;
//! * `invoke.rs`: the `invoke_*` wrappers of the setjmp lowering.

/// `eprintln!` that ignores a closed or failing stderr instead of panicking. Defined before the
/// modules so that all of them can use it.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

mod args;
mod call_graph;
mod config;
mod early_return;
mod flags;
mod invoke;
mod removelist;
mod link;
mod require;
mod serials;
mod settings;
mod sjlj;
mod tools;

use args::Mode;
use settings::Settings;

/// Exits with [`run`]'s status.
fn main() {
    std::process::exit(run());
}

/// Runs asyncify-cc with the process's arguments and environment and returns its exit status
/// (see the crate documentation).
fn run() -> i32 {
    let (settings, user) = Settings::from_env_and_args(std::env::args_os().skip(1));
    if settings.print_config {
        return config::print(&settings);
    }
    let expanded = args::expand_response_files(&user);
    let analysis = args::analyse(&expanded);
    if analysis.setjmp_library && analysis.mode != Mode::Compile {
        say!("asyncify-cc: -lsetjmp is wasi-libc's exception-handling setjmp, which clashes with asyncify-rt's setjmp/longjmp; remove it (asyncify-cc links its own)");
        return tools::USAGE_ERROR;
    }
    let clang = match tools::clang() {
        Ok(p) => p,
        Err(code) => return code,
    };
    if analysis.mode != Mode::Link {
        // (A program link checks it itself, as one of its steps.)
        if let Err(code) = require::sysroot(&settings, &analysis) {
            return code;
        }
    }
    let target_flags = flags::target_flags(&settings, &analysis);
    match analysis.mode {
        Mode::Compile => {
            let argv = flags::splice(&user, target_flags, Vec::new());
            tools::exec_clang(&clang, &argv, settings.verbose)
        }
        Mode::PartialLink => {
            let argv = flags::splice(&user, target_flags, Vec::new());
            tools::run_clang_link(&clang, &argv, settings.verbose).unwrap_or_else(|code| code)
        }
        Mode::Link => link::link(&clang, &user, &expanded, &analysis, target_flags, &settings),
    }
}
