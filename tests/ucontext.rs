//! <ucontext.h> suite: the C programs under tests/c/ucontext/ (contract: include/ucontext.h).
//!
//! * `o2::<program>` and `o0::<program>`: differential under wasmtime (asyncify-run): the program
//!   built with asyncify-cc at -O2 / -O0 must print the same stdout and exit with the same status
//!   as the same program built natively with gcc and glibc (whose ucontext is the reference).
//! * `node_all_differential`: every differential program once under node (-O2).
//! * `misuse::{o2,o0}::<case>`: misuse the runtime must diagnose with a status from
//!   <asyncify_rt.h> (BAD_CONTEXT, FOREIGN_JMPBUF, STACK_EXHAUSTED; values read from the header)
//!   and a one-line "asyncify-rt: " message.
//! * `wasi_only::{o2,o0}::<program>`: behaviour the contract defines but glibc does not share
//!   (EINVAL for unusable stacks and NULL pointers): wasm only, against a fixed expected stdout.
//! * `every_program_has_a_test`: each .c file in tests/c/ucontext is listed here (except
//!   `libcoro_*.c`, which tests/ucontext_clients.rs builds with the fetched libcoro).

#[macro_use]
mod common;

use common::{Differential, Engine, Misuse};

fn differential(name: &str, opt: &str) {
    let program = format!("ucontext/{name}");
    Differential::new(&program).opt(opt).check();
}

differential_tests! {
    generator,
    round_robin_1000,
    getcontext_loop,
    makecontext_args,
    setjmp_in_context,
    uc_link_null_exit,
    uc_link_main,
    remake_finished,
    deep_recursion_swap,
    ping_pong,
    yield_two_sites,
    spawn_chain,
    moved_context,
    swap_in_callback,
    exit_from_context,
}

/// Every differential program under node, once (-O2).
#[test]
fn node_all_differential() {
    let mut failures = Vec::new();
    for name in DIFFERENTIAL {
        let program = format!("ucontext/{name}");
        if let Err(e) = Differential::new(&program).engine(Engine::Node).run() {
            failures.push(e);
        }
    }
    if !failures.is_empty() {
        panic!("{} of {} programs differ under node:\n\n{}", failures.len(), DIFFERENTIAL.len(), failures.join("\n"));
    }
}

/// One misuse case: test name, program, arguments, status (the `ASYNCIFY_RT_STATUS_` name, its
/// value read from include/asyncify_rt.h), stderr substrings, stdout printed before the misuse.
struct Case {
    name: &'static str,
    program: &'static str,
    args: &'static [&'static str],
    status: &'static str,
    stderr: &'static [&'static str],
    stdout: &'static str,
}

const BAD_CONTEXT: &str = "BAD_CONTEXT";
const FOREIGN_JMPBUF: &str = "FOREIGN_JMPBUF";
const STACK_EXHAUSTED: &str = "STACK_EXHAUSTED";

const MISUSE: &[Case] = &[
    Case {
        name: "uninitialised_global",
        program: "misuse_uninitialised",
        args: &[],
        status: BAD_CONTEXT,
        stderr: &["context"],
        stdout: "about to setcontext\n",
    },
    Case {
        name: "uninitialised_stack",
        program: "misuse_uninitialised",
        args: &["stack"],
        status: BAD_CONTEXT,
        stderr: &["context"],
        stdout: "about to setcontext\n",
    },
    Case {
        name: "finished_context",
        program: "misuse_finished_context",
        args: &[],
        status: BAD_CONTEXT,
        stderr: &["context"],
        stdout: "in f\nback in main\n",
    },
    Case {
        name: "dead_getcontext",
        program: "misuse_dead_getcontext",
        args: &[],
        status: BAD_CONTEXT,
        stderr: &["context"],
        stdout: "saved\nscribbled\n",
    },
    Case {
        name: "context_stack_exhausted_static",
        program: "misuse_context_stack_exhausted",
        args: &[],
        status: STACK_EXHAUSTED,
        stderr: &["stack exhausted"],
        stdout: "diving\n",
    },
    Case {
        name: "context_stack_exhausted_heap",
        program: "misuse_context_stack_exhausted",
        args: &["heap"],
        status: STACK_EXHAUSTED,
        stderr: &["stack exhausted"],
        stdout: "diving\n",
    },
    Case {
        name: "foreign_jmpbuf_main",
        program: "misuse_foreign_jmpbuf_main",
        args: &[],
        status: FOREIGN_JMPBUF,
        stderr: &["context"],
        stdout: "main set env\nin context\n",
    },
    Case {
        name: "foreign_jmpbuf_context",
        program: "misuse_foreign_jmpbuf_context",
        args: &[],
        status: FOREIGN_JMPBUF,
        stderr: &["context"],
        stdout: "context set env\nmain jumps\n",
    },
];

fn misuse(name: &str, opt: &str) {
    let case = MISUSE.iter().find(|c| c.name == name).expect("misuse case listed in MISUSE");
    let program = format!("ucontext/{}", case.program);
    Misuse::new(&program, common::rt_status(case.status), case.stderr)
        .opt(opt)
        .args(case.args)
        .stdout(case.stdout)
        .tag(case.name)
        .check();
}

macro_rules! misuse_tests {
    ($($name:ident),* $(,)?) => {
        mod misuse {
            mod o2 { $( #[test] fn $name() { crate::misuse(stringify!($name), "-O2"); } )* }
            mod o0 { $( #[test] fn $name() { crate::misuse(stringify!($name), "-O0"); } )* }
        }
        #[test]
        fn every_misuse_case_has_a_test() {
            let tests: &[&str] = &[$(stringify!($name)),*];
            for c in MISUSE {
                assert!(tests.contains(&c.name), "misuse case {} has no #[test]", c.name);
            }
        }
    };
}

misuse_tests! {
    uninitialised_global,
    uninitialised_stack,
    finished_context,
    dead_getcontext,
    context_stack_exhausted_static,
    context_stack_exhausted_heap,
    foreign_jmpbuf_main,
    foreign_jmpbuf_context,
}

/// WASI-only programs: (name, expected stdout, expected exit status).
const WASI_ONLY: &[(&str, &str, i32)] = &[(
    "wasi_einval",
    "stack MIN-1: makecontext errno EINVAL\n\
     stack MIN-1: swapcontext -1 errno EINVAL, oucp untouched\n\
     stack MIN-1: setcontext -1 errno EINVAL\n\
     stack 0: makecontext errno EINVAL\n\
     stack 0: swapcontext -1 errno EINVAL, oucp untouched\n\
     stack 0: setcontext -1 errno EINVAL\n\
     NULL ss_sp: makecontext errno EINVAL\n\
     NULL ss_sp: swapcontext -1 errno EINVAL, oucp untouched\n\
     NULL ss_sp: setcontext -1 errno EINVAL\n\
     argc 65: makecontext errno EINVAL\n\
     argc 65: swapcontext -1 errno EINVAL, oucp untouched\n\
     argc 65: setcontext -1 errno EINVAL\n\
     argc -1: makecontext errno EINVAL\n\
     argc -1: swapcontext -1 errno EINVAL, oucp untouched\n\
     argc -1: setcontext -1 errno EINVAL\n\
     getcontext(NULL) -1 errno EINVAL\n\
     setcontext(NULL) -1 errno EINVAL\n\
     swapcontext(NULL, &uc) -1 errno EINVAL\n\
     swapcontext(&main_uc, NULL) -1 errno EINVAL\n\
     stack MIN: makecontext errno not EINVAL\n\
     stack MIN: swapcontext 0, ran 1\n\
     stack MIN-1 again: makecontext errno EINVAL\n\
     remade: makecontext errno not EINVAL\n\
     remade: swapcontext 0, ran 2\n",
    0,
)];

fn wasi_only(name: &str, opt: &str) {
    let &(_, expected, status) = WASI_ONLY.iter().find(|c| c.0 == name).expect("listed in WASI_ONLY");
    let program = format!("ucontext/{name}");
    let label = format!("{program} (asyncify-cc {opt}, wasmtime)");
    let dir = common::work_dir(&program, &format!("wasi-{}", opt.trim_start_matches('-')));
    let wasm = common::build_wasm(&program, opt, &[], &dir).unwrap_or_else(|e| panic!("{label}: {e}"));
    let got = common::run_wasm(Engine::Wasmtime, &wasm, &[], &[]);
    if got.stdout != expected.as_bytes() || got.code != Some(status) || got.timed_out {
        panic!(
            "{label}: not as <ucontext.h> specifies\n  $ {}\n  expected exit {status}, got {}\n  stdout diff (- expected, + got):\n{}  stderr:\n{}",
            got.command,
            got.status_text(),
            common::line_diff(expected, &got.stdout_text()),
            got.stderr_text()
        );
    }
}

macro_rules! wasi_only_tests {
    ($($name:ident),* $(,)?) => {
        mod wasi_only {
            mod o2 { $( #[test] fn $name() { crate::wasi_only(stringify!($name), "-O2"); } )* }
            mod o0 { $( #[test] fn $name() { crate::wasi_only(stringify!($name), "-O0"); } )* }
        }
    };
}

wasi_only_tests! {
    wasi_einval,
}

#[test]
fn every_program_has_a_test() {
    let mut missing = Vec::new();
    for program in common::programs_in("ucontext") {
        let name = program.trim_start_matches("ucontext/");
        let listed = if name.starts_with("misuse_") {
            MISUSE.iter().any(|c| c.program == name)
        } else if name.starts_with("wasi_") {
            WASI_ONLY.iter().any(|c| c.0 == name)
        } else if name.starts_with("libcoro_") {
            true // built by tests/ucontext_clients.rs
        } else {
            DIFFERENTIAL.contains(&name)
        };
        if !listed {
            missing.push(program);
        }
    }
    for name in DIFFERENTIAL {
        assert!(common::source(&format!("ucontext/{name}")).exists(), "listed program {name} has no .c file");
    }
    for c in MISUSE {
        assert!(common::source(&format!("ucontext/{}", c.program)).exists(), "misuse program {} has no .c file", c.program);
    }
    assert!(missing.is_empty(), "programs without a test in tests/ucontext.rs: {missing:?}");
}
