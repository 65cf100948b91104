//! <ucontext.h> suite: the C programs under tests/c/ucontext/ (contract: include/ucontext.h).
//!
//! * `differential::<program>::{o2,o0,node,wamr}`: the program built with asyncify-cc at -O2 /
//!   -O0, run under wasmtime (asyncify-run), and at -O2 under node and WAMR, must print the same stdout and exit
//!   with the same status as the same program built natively with gcc and glibc (whose ucontext
//!   is the reference).
//! * `misuse::<case>::{o2,o0,wamr}`: misuse the runtime must diagnose with a status from
//!   <asyncify_rt.h> (BAD_CONTEXT, FOREIGN_JMPBUF, STACK_EXHAUSTED; values read from the header)
//!   and a one-line "asyncify-rt: " message.
//! * `wasi_only::<program>::{o2,o0,wamr}`: behaviour the contract defines but glibc does not share
//!   (EINVAL for unusable stacks and NULL pointers): wasm only, against a fixed expected stdout.
//! * `every_program_has_a_test`: each .c file in tests/c/ucontext is a case here (except
//!   `libcoro_*.c`, which tests/ucontext_clients.rs builds with the fetched libcoro).

#[macro_use]
mod common;

use common::{rt_status, Case};

/// A differential case: `tests/c/ucontext/<name>.c`.
fn differential(name: &str) -> Case {
    Case::program(&format!("ucontext/{name}"))
}

c_tests! {
    differential [o2, o0, node, wamr] {
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
        stale_getcontext_capture,
        uc_link_after_longjmp,
        swapcontext_self,
        getcontext_helper_many,
    }
    misuse [o2, o0, wamr] {
        uninitialised_global,
        uninitialised_stack,
        finished_context,
        dead_getcontext,
        stale_swap,
        context_stack_exhausted_static,
        context_stack_exhausted_heap,
        foreign_jmpbuf_main,
        foreign_jmpbuf_context,
    }
    wasi_only [o2, o0, wamr] {
        wasi_einval,
    }
}

/// A misuse case: its program (`tests/c/ucontext/misuse_*.c`) and arguments, its status (the
/// `ASYNCIFY_RT_STATUS_` name), stderr substrings and the stdout printed before the misuse.
fn misuse(name: &str) -> Case {
    let (program, args, status, stderr, stdout): (_, &[&str], _, &'static [&'static str], _) = match name {
        "uninitialised_global" => ("misuse_uninitialised", &[], "BAD_CONTEXT", &["context"], "about to setcontext\n"),
        "uninitialised_stack" => ("misuse_uninitialised", &["stack"], "BAD_CONTEXT", &["context"], "about to setcontext\n"),
        "finished_context" => ("misuse_finished_context", &[], "BAD_CONTEXT", &["context"], "in f\nback in main\n"),
        "dead_getcontext" => ("misuse_dead_getcontext", &[], "BAD_CONTEXT", &["context"], "saved\nscribbled\n"),
        "stale_swap" => ("misuse_stale_swap", &[], "BAD_CONTEXT", &["its stack has run since"], "deep saved\nran again\n"),
        "context_stack_exhausted_static" => {
            ("misuse_context_stack_exhausted", &[], "STACK_EXHAUSTED", &["stack exhausted"], "diving\n")
        }
        "context_stack_exhausted_heap" => {
            ("misuse_context_stack_exhausted", &["heap"], "STACK_EXHAUSTED", &["stack exhausted"], "diving\n")
        }
        "foreign_jmpbuf_main" => {
            ("misuse_foreign_jmpbuf_main", &[], "FOREIGN_JMPBUF", &["context"], "main set env\nin context\n")
        }
        "foreign_jmpbuf_context" => {
            ("misuse_foreign_jmpbuf_context", &[], "FOREIGN_JMPBUF", &["context"], "context set env\nmain jumps\n")
        }
        _ => panic!("no misuse case {name}"),
    };
    Case::program(&format!("ucontext/{program}")).args(args).misuse(rt_status(status), stderr, stdout)
}

/// A WASI-only case: `tests/c/ucontext/<name>.c`, its expected stdout and exit status.
fn wasi_only(name: &str) -> Case {
    let case = Case::program(&format!("ucontext/{name}"));
    match name {
        "wasi_einval" => case.output(
            0,
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
        ),
        _ => panic!("no WASI-only case {name}"),
    }
}

#[test]
fn every_program_has_a_test() {
    let labels: Vec<String> = (differential::CASES.iter().map(|c| differential(c)))
        .chain(misuse::CASES.iter().map(|c| misuse(c)))
        .chain(wasi_only::CASES.iter().map(|c| wasi_only(c)))
        .map(|c| c.label)
        .collect();
    // libcoro_*.c: built by tests/ucontext_clients.rs with the fetched libcoro.
    common::assert_every_program_tested("ucontext", &labels, |p| p.starts_with("ucontext/libcoro_"));
}
