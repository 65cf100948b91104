//! setjmp/longjmp suite: the C programs under tests/c/setjmp/.
//!
//! * `o2::<program>` and `o0::<program>`: differential under wasmtime (asyncify-run): the program
//!   built with asyncify-cc at -O2 / -O0 must print the same stdout and exit with the same
//!   status as the same program built natively with gcc and glibc.
//! * `node_all_differential`: every differential program once under node (-O2).
//! * `misuse::<program>`: programs whose misuse the runtime must diagnose (status 121-123 and a
//!   one-line "asyncify-rt: " message), at -O2 and -O0.
//! * `every_program_has_a_test`: each .c file in tests/c/setjmp is listed here.

#[macro_use]
mod common;

use common::{Differential, Engine, Misuse};

/// Arguments and environment for the programs that need them (none for the rest). The empty
/// argument and the dash-led ones check that runners pass arguments through untouched.
fn inputs(name: &str) -> (&'static [&'static str], &'static [(&'static str, &'static str)]) {
    match name {
        "main_argv" => (
            &["one", "two words", "", "--flag", "-x", "last"],
            &[("ASYNCIFY_TEST_VAR", "hello = world")],
        ),
        _ => (&[], &[]),
    }
}

fn differential(name: &str, opt: &str) {
    let program = format!("setjmp/{name}");
    let (args, env) = inputs(name);
    Differential::new(&program).opt(opt).args(args).env(env).check();
}

differential_tests! {
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
}

/// Every differential program under node, once. The node runner cannot pass environment
/// variables, so programs are run without them (natively too).
#[test]
fn node_all_differential() {
    let mut failures = Vec::new();
    for name in DIFFERENTIAL {
        let program = format!("setjmp/{name}");
        let (args, _env) = inputs(name);
        if let Err(e) = Differential::new(&program).engine(Engine::Node).args(args).run() {
            failures.push(e);
        }
    }
    if !failures.is_empty() {
        panic!("{} of {} programs differ under node:\n\n{}", failures.len(), DIFFERENTIAL.len(), failures.join("\n"));
    }
}

/// One misuse case: program, status, stderr substrings, stdout printed before the misuse,
/// extra link flags.
struct Case {
    name: &'static str,
    status: i32,
    stderr: &'static [&'static str],
    stdout: &'static str,
    link: &'static [&'static str],
}

const MISUSE: &[Case] = &[
    Case { name: "misuse_dead_env", status: 122, stderr: &["has returned"], stdout: "before\nsetter returned 0\n", link: &[] },
    Case { name: "misuse_dead_env_reused", status: 122, stderr: &["has returned"], stdout: "set\nscribbled\n", link: &[] },
    Case { name: "misuse_dead_env_same_depth", status: 122, stderr: &["has returned"], stdout: "first done\nsecond set\n", link: &[] },
    Case { name: "misuse_never_set_global", status: 121, stderr: &["never set"], stdout: "about to jump\n", link: &[] },
    Case { name: "misuse_never_set_stack", status: 121, stderr: &["never set"], stdout: "cleared\n", link: &[] },
    Case { name: "misuse_overwritten", status: 121, stderr: &[], stdout: "set\noverwritten\n", link: &[] },
    Case {
        name: "misuse_stack_exhausted",
        status: 123,
        stderr: &["stack exhausted", "-Wl,-z,stack-size="],
        stdout: "diving\n",
        link: &["-Wl,-z,stack-size=65536"],
    },
];

/// Cases that LLVM's setjmp lowering cannot diagnose (README, "Limitations"): in lowered mode the
/// jump is caught by the unrelated invocation whose frame slot has the returned one's address.
const NOT_DIAGNOSED_WHEN_LOWERED: &[&str] = &["misuse_dead_env_same_depth"];

fn misuse(name: &str, opt: &str) {
    let case = MISUSE.iter().find(|c| c.name == name).expect("misuse case listed in MISUSE");
    if common::sjlj_lowered() && NOT_DIAGNOSED_WHEN_LOWERED.contains(&name) {
        eprintln!("{name}: not checked with LLVM's setjmp lowering (a documented limitation)");
        return;
    }
    let program = format!("setjmp/{name}");
    Misuse::new(&program, case.status, case.stderr).opt(opt).link_flags(case.link).stdout(case.stdout).check();
}

macro_rules! misuse_tests {
    ($($name:ident),* $(,)?) => {
        mod misuse {
            mod o2 { $( #[test] fn $name() { crate::misuse(stringify!($name), "-O2"); } )* }
            mod o0 { $( #[test] fn $name() { crate::misuse(stringify!($name), "-O0"); } )* }
        }
    };
}

misuse_tests! {
    misuse_dead_env,
    misuse_dead_env_reused,
    misuse_dead_env_same_depth,
    misuse_never_set_global,
    misuse_never_set_stack,
    misuse_overwritten,
    misuse_stack_exhausted,
}

#[test]
fn every_program_has_a_test() {
    let mut missing = Vec::new();
    for program in common::programs_in("setjmp") {
        let name = program.trim_start_matches("setjmp/");
        let listed = if name.starts_with("misuse_") {
            MISUSE.iter().any(|c| c.name == name)
        } else {
            DIFFERENTIAL.contains(&name)
        };
        if !listed {
            missing.push(program);
        }
    }
    for name in DIFFERENTIAL {
        assert!(common::source(&format!("setjmp/{name}")).exists(), "listed program {name} has no .c file");
    }
    assert!(missing.is_empty(), "programs without a test in tests/setjmp.rs: {missing:?}");
}
