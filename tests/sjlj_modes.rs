//! Mixed setjmp strategies: programs of two translation units compiled in different modes of
//! asyncify-cc (`-c --asyncify-sjlj=lowered|capture`) and linked together by
//! `asyncify-cc --asyncify-sjlj=lowered` (which generates the `invoke_*` wrappers the lowered
//! units need). A `jmp_buf` records which strategy set it, so a jump may cross from code compiled
//! one way to an env set by code compiled the other way.
//!
//! Each program is a directory `tests/c/sjlj_modes/<program>/` holding `unit1.c` (with `main`)
//! and `unit2.c` (plus a `shared.h`; the file comments say what each checks). Every program is
//! built in each of the four mixes `<unit1 mode>_<unit2 mode>`:
//!
//! * `o2::<mix>::<program>` (and `o0::<mix>::<program>` for the two mixes that differ, where the
//!   program means the same at -O0): differential under wasmtime: the same stdout and exit status
//!   as `gcc -std=gnu11 -O1 unit1.c unit2.c` with glibc.
//! * `misuse::<mix>::<case>`: wasm only: the runtime must end the program with the documented
//!   status (read from include/asyncify_rt.h) and a one-line `asyncify-rt: ` message, after
//!   exactly the expected stdout (`misuse_*` programs).
//! * `every_program_has_a_test`: each directory in tests/c/sjlj_modes is listed here.
//!
//! The mode flags are explicit on every command, so `ASYNCIFY_CC_SJLJ` does not change these
//! tests; `ASYNCIFY_TEST_WASM_FLAGS` is passed as elsewhere (before the mode flag).

mod common;

use common::{
    build_native_sources, build_step, check_misuse_outcome, check_native_ran, compare_with_native, run_command_for,
    run_native, run_wasm, rt_status, wasm_command, work_dir, Engine,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The setjmp strategy of one translation unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sjlj {
    Lowered,
    Capture,
}

impl Sjlj {
    fn flag(self) -> &'static str {
        match self {
            Sjlj::Lowered => "--asyncify-sjlj=lowered",
            Sjlj::Capture => "--asyncify-sjlj=capture",
        }
    }
}

/// The modes of unit1 and unit2, from a mix name such as `lowered_capture`.
fn mix(name: &str) -> [Sjlj; 2] {
    let mode = |m: &str| match m {
        "lowered" => Sjlj::Lowered,
        "capture" => Sjlj::Capture,
        _ => panic!("unknown mode {m:?} in mix {name:?}"),
    };
    let (a, b) = name.split_once('_').unwrap_or_else(|| panic!("mix {name:?} is not <mode>_<mode>"));
    [mode(a), mode(b)]
}

/// The translation units of `program`: `unit1.c`, `unit2.c`.
fn units(program: &str) -> Vec<PathBuf> {
    let dir = common::manifest_dir().join("tests/c/sjlj_modes").join(program);
    let v: Vec<PathBuf> = ["unit1.c", "unit2.c"].iter().map(|u| dir.join(u)).collect();
    for u in &v {
        assert!(u.is_file(), "{} is missing", u.display());
    }
    v
}

/// Compiles each unit of `program` with `-c` in its mode of `modes`, then links the objects
/// with `--asyncify-sjlj=lowered`. Returns `<dir>/prog.wasm`.
fn build_mixed(program: &str, modes: [Sjlj; 2], opt: &str, dir: &Path) -> Result<PathBuf, String> {
    let extra: Vec<String> = std::env::var("ASYNCIFY_TEST_WASM_FLAGS")
        .map(|s| s.split_whitespace().map(String::from).collect())
        .unwrap_or_default();
    let mut objects = Vec::new();
    for (i, (src, mode)) in units(program).iter().zip(modes).enumerate() {
        let obj = dir.join(format!("unit{}.o", i + 1));
        let mut cmd = Command::new(common::asyncify_cc());
        cmd.arg(opt).args(["-std=gnu11", "-w", "-c"]).arg(src).arg("-o").arg(&obj).args(&extra).arg(mode.flag());
        objects.push(build_step(cmd, &format!("asyncify-cc -c {}", mode.flag()), &obj)?);
    }
    let out = dir.join("prog.wasm");
    let mut cmd = Command::new(common::asyncify_cc());
    cmd.arg(opt).args(&objects).arg("-o").arg(&out).args(&extra).arg(Sjlj::Lowered.flag());
    build_step(cmd, "asyncify-cc link (--asyncify-sjlj=lowered)", &out)
}

fn label(program: &str, mix_name: &str, opt: &str) -> String {
    format!("sjlj_modes/{program} (unit1_unit2 = {mix_name}, asyncify-cc {opt}, wasmtime)")
}

/// The differential test of `program` in mix `mix_name` at `opt`.
fn differential(program: &str, mix_name: &str, opt: &str) {
    let variant = format!("{}-{mix_name}", opt.trim_start_matches('-'));
    let dir = work_dir(&format!("sjlj_modes/{program}"), &variant);
    let label = label(program, mix_name, opt);
    let run = || -> Result<(), String> {
        let native_exe = build_native_sources(&units(program), &[], &dir).map_err(|e| format!("{label}: {e}"))?;
        let native = run_native(&native_exe, &[], &[]);
        check_native_ran(&label, &native)?;
        let wasm = build_mixed(program, mix(mix_name), opt, &dir).map_err(|e| format!("{label}: {e}"))?;
        let got = run_wasm(Engine::Wasmtime, &wasm, &[], &[]);
        compare_with_native(&label, &native, &got)
    };
    if let Err(e) = run() {
        panic!("{e}");
    }
}

/// Differential programs: each is tested at -O2 in all four mixes and, when listed in
/// `o0: [...]`, at -O0 in the two mixes that cross strategies. (transparency is -O2 only: at
/// -O0 clang keeps its locals in linear memory, so the register scan has nothing to find there.)
macro_rules! differential_tests {
    (o2: [$($name:ident),* $(,)?], o0: [$($name0:ident),* $(,)?] $(,)?) => {
        const DIFFERENTIAL: &[&str] = &[$(stringify!($name)),*];
        mod o2 {
            mod lowered_capture { $( #[test] fn $name() { crate::differential(stringify!($name), "lowered_capture", "-O2"); } )* }
            mod capture_lowered { $( #[test] fn $name() { crate::differential(stringify!($name), "capture_lowered", "-O2"); } )* }
            mod lowered_lowered { $( #[test] fn $name() { crate::differential(stringify!($name), "lowered_lowered", "-O2"); } )* }
            mod capture_capture { $( #[test] fn $name() { crate::differential(stringify!($name), "capture_capture", "-O2"); } )* }
        }
        mod o0 {
            mod lowered_capture { $( #[test] fn $name0() { crate::differential(stringify!($name0), "lowered_capture", "-O0"); } )* }
            mod capture_lowered { $( #[test] fn $name0() { crate::differential(stringify!($name0), "capture_lowered", "-O0"); } )* }
        }
    };
}

differential_tests! {
    o2: [cross_jump, in_context, transparency, suspended_in_invoke, stack_after_caught_jump],
    o0: [cross_jump, in_context, suspended_in_invoke, stack_after_caught_jump],
}

/// One misuse case: program, arguments, status (name in asyncify_rt.h), stderr substrings, stdout
/// printed before the misuse.
struct Case {
    name: &'static str,
    program: &'static str,
    args: &'static [&'static str],
    status: &'static str,
    stderr: &'static [&'static str],
    stdout: &'static str,
}

const MISUSE: &[Case] = &[
    Case {
        name: "dead_env_to_root",
        program: "misuse_dead_env",
        args: &["to_root"],
        status: "DEAD_JMPBUF",
        stderr: &["has returned"],
        stdout: "setter: env set\nsetter returned 0\njumping to the dead env\n",
    },
    Case {
        name: "dead_env_through_caller",
        program: "misuse_dead_env",
        args: &["through_caller"],
        status: "DEAD_JMPBUF",
        stderr: &["has returned"],
        stdout: "setter: env set\nsetter returned 0\nwith_own_env: env set\njumping to the dead env\n",
    },
    Case {
        name: "foreign_env_from_main",
        program: "misuse_foreign_env",
        args: &["from_main"],
        status: "FOREIGN_JMPBUF",
        stderr: &["different context"],
        stdout: "context set its env\nmain jumps to the context's env\n",
    },
    Case {
        name: "foreign_env_from_context",
        program: "misuse_foreign_env",
        args: &["from_context"],
        status: "FOREIGN_JMPBUF",
        stderr: &["different context"],
        stdout: "main set its env\ncontext jumps to main's env\n",
    },
];

fn misuse(name: &str, mix_name: &str) {
    let case = MISUSE.iter().find(|c| c.name == name).expect("misuse case listed in MISUSE");
    let dir = work_dir(&format!("sjlj_modes/{}", case.program), &format!("misuse-O2-{mix_name}-{name}"));
    let label = label(case.program, mix_name, "-O2");
    let run = || -> Result<(), String> {
        let wasm = build_mixed(case.program, mix(mix_name), "-O2", &dir).map_err(|e| format!("{label}: {e}"))?;
        // A misuse run that takes long is a hang (a dead env resumed in a loop).
        let got = run_command_for(wasm_command(Engine::Wasmtime, &wasm, case.args, &[]), Duration::from_secs(60));
        check_misuse_outcome(&label, &got, rt_status(case.status), case.stdout, case.stderr)
    };
    if let Err(e) = run() {
        panic!("{e}");
    }
}

macro_rules! misuse_tests {
    ($($name:ident),* $(,)?) => {
        mod misuse {
            mod lowered_capture { $( #[test] fn $name() { crate::misuse(stringify!($name), "lowered_capture"); } )* }
            mod capture_lowered { $( #[test] fn $name() { crate::misuse(stringify!($name), "capture_lowered"); } )* }
            mod lowered_lowered { $( #[test] fn $name() { crate::misuse(stringify!($name), "lowered_lowered"); } )* }
            mod capture_capture { $( #[test] fn $name() { crate::misuse(stringify!($name), "capture_capture"); } )* }
            #[test]
            fn every_case_has_a_test() {
                let listed: &[&str] = &[$(stringify!($name)),*];
                for c in crate::MISUSE {
                    assert!(listed.contains(&c.name), "misuse case {} has no test", c.name);
                }
            }
        }
    };
}

misuse_tests! {
    dead_env_to_root,
    dead_env_through_caller,
    foreign_env_from_main,
    foreign_env_from_context,
}

#[test]
fn every_program_has_a_test() {
    let dir = common::manifest_dir().join("tests/c/sjlj_modes");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())).flatten() {
        if !entry.path().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let listed = DIFFERENTIAL.contains(&name.as_str()) || MISUSE.iter().any(|c| c.program == name);
        if !listed {
            missing.push(name);
        }
    }
    for name in DIFFERENTIAL.iter().copied().chain(MISUSE.iter().map(|c| c.program)) {
        units(name); // both units exist
    }
    assert!(missing.is_empty(), "programs in tests/c/sjlj_modes without a test in tests/sjlj_modes.rs: {missing:?}");
}
