//! setjmp/longjmp suite: the C programs under tests/c/setjmp/.
//!
//! * `differential::<program>::{o2,o0,node,wamr}`: the program built with asyncify-cc at -O2 /
//!   -O0, run under wasmtime (asyncify-run), and at -O2 under node and WAMR (asyncify-run-wamr),
//!   must print the same stdout and exit with the same status as the same program built natively
//!   with gcc and glibc.
//! * `misuse::<case>::{o2,o0,wamr}`: `misuse_<case>.c`, programs whose misuse the runtime must
//!   diagnose with a status from <asyncify_rt.h> (BAD_JMPBUF, DEAD_JMPBUF, STACK_EXHAUSTED; values
//!   read from the header) and a one-line "asyncify-rt: " message.
//! * `every_program_has_a_test`: each .c file in tests/c/setjmp is a case here.

#[macro_use]
mod common;

use common::{rt_status, Case};

/// A differential case: `tests/c/setjmp/<name>.c`, with arguments and environment for the
/// programs that need them. The empty argument and the dash-led ones check that runners pass
/// arguments through untouched.
fn differential(name: &str) -> Case {
    let case = Case::program(&format!("setjmp/{name}"));
    match name {
        "main_argv" => case
            .args(&["one", "two words", "", "--flag", "-x", "last"])
            .env(&[("ASYNCIFY_TEST_VAR", "hello = world")]),
        _ => case,
    }
}

c_tests! {
    differential [o2, o0, node, wamr] {
        first_return_zero,
        longjmp_zero_becomes_one,
        longjmp_values,
        setjmp_assign_result,
        same_env_many_times,
        longjmp_from_same_frame,
        nested_envs_outer,
        deep_recursion,
        deep_setjmp,
        qsort_callback,
        bsearch_callback,
        function_pointers,
        signatures,
        env_on_stack,
        env_on_heap,
        env_global,
        env_reused_by_other_function,
        volatile_locals,
        underscore_setjmp,
        sigsetjmp,
        million_round_trips,
        setjmp_caller_returns_repeatedly,
        alternating_setjmp_callers,
        loop_reset_env,
        try_catch,
        stack_reuse_after_setjmp,
        main_void,
        main_argv,
        exit_deep,
        main_return_nonzero,
        stale_capture_written,
        stale_capture_unwritten,
    }
    misuse [o2, o0, wamr] {
        dead_env,
        dead_env_reused,
        dead_env_same_depth,
        never_set_global,
        never_set_stack,
        overwritten,
        stack_exhausted,
    }
}

/// A misuse case: `tests/c/setjmp/misuse_<name>.c`, its status, stderr substrings and the stdout printed
/// before the misuse.
fn misuse(name: &str) -> Case {
    let case = Case::program(&format!("setjmp/misuse_{name}"));
    match name {
        "dead_env" => case.misuse(rt_status("DEAD_JMPBUF"), &["has returned"], "before\nsetter returned 0\n"),
        "dead_env_reused" => case.misuse(rt_status("DEAD_JMPBUF"), &["has returned"], "set\nscribbled\n"),
        "dead_env_same_depth" => case.misuse(rt_status("DEAD_JMPBUF"), &["has returned"], "first done\nsecond set\n"),
        "never_set_global" => case.misuse(rt_status("BAD_JMPBUF"), &["never set"], "about to jump\n"),
        "never_set_stack" => case.misuse(rt_status("BAD_JMPBUF"), &["never set"], "cleared\n"),
        "overwritten" => case.misuse(rt_status("BAD_JMPBUF"), &[], "set\noverwritten\n"),
        // Full Asyncify: when unwinding by early return (the default for a lowered program), a
        // jump saves no frames and needs no free stack, so there is nothing to exhaust.
        "stack_exhausted" => case
            .wasm_flags(&["-Wl,-z,stack-size=65536", "--asyncify-unwind=asyncify"])
            .misuse(rt_status("STACK_EXHAUSTED"), &["stack exhausted", "-Wl,-z,stack-size="], "diving\n"),
        _ => panic!("no misuse case {name}"),
    }
}

#[test]
fn every_program_has_a_test() {
    let labels: Vec<String> = (differential::CASES.iter().map(|c| differential(c)))
        .chain(misuse::CASES.iter().map(|c| misuse(c)))
        .map(|c| c.label)
        .collect();
    common::assert_every_program_tested("setjmp", &labels, |_| false);
}
