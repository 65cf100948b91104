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
//! * `differential::<program>::o2_<mix>` (and `o0_<mix>` for the two mixes that differ, where
//!   the program means the same at -O0): differential under wasmtime: the same stdout and exit
//!   status as `gcc -std=gnu11 -O1 unit1.c unit2.c` with glibc; `o2_wamr_<mix>` the same under
//!   WAMR (asyncify-run-wamr).
//! * `misuse::<case>::{o2,o2_wamr}_<mix>`: wasm only: the runtime must end the program with the documented
//!   status (read from include/asyncify_rt.h) and a one-line `asyncify-rt: ` message, after
//!   exactly the expected stdout (`misuse_*` programs).
//! * `every_program_has_a_test`: each directory in tests/c/sjlj_modes is a case here.
//!
//! The mode flags are explicit on every command, so `ASYNCIFY_CC_SJLJ` does not change these
//! tests; `ASYNCIFY_TEST_WASM_FLAGS` is passed as elsewhere (before the mode flag).

#[macro_use]
mod common;

use common::sjlj::Sjlj;
use common::{build_step, rt_status, Build, Case, Variant};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The modes of unit1 and unit2, from a mix name such as `lowered_capture`.
fn mix(name: &str) -> [Sjlj; 2] {
    let mode = |m: &str| Sjlj::named(m).unwrap_or_else(|| panic!("unknown mode {m:?} in mix {name:?}"));
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

/// Compiles each unit of `program` with `-c` in its mode of the variant's mix, then links the
/// objects with `--asyncify-sjlj=lowered`. Returns `<dir>/prog.wasm`.
fn build_mixed(program: &str, dir: &Path, v: Variant) -> Result<PathBuf, String> {
    let (modes, opt) = (mix(v.extra), v.opt);
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

/// A case of `tests/c/sjlj_modes/<program>/`: natively `unit1.c unit2.c`; for WASI the units
/// compiled in the variant's mix ([`build_mixed`]).
fn program(program: &str) -> Case {
    let native = Some(Build::Sources { sources: units(program), flags: Vec::new() });
    let name = program.to_string();
    let wasm = Build::Custom(Box::new(move |dir, v| build_mixed(&name, dir, v)));
    Case::built(&format!("sjlj_modes/{program}"), native, wasm)
}

/// A differential case: the program of the same name.
fn differential(name: &str) -> Case {
    program(name)
}

/// A misuse case: its program and arguments, status (name in asyncify_rt.h), stderr substrings
/// and the stdout printed before the misuse.
fn misuse(name: &str) -> Case {
    let (prog, arg, status, stderr, stdout): (_, _, _, &'static [&'static str], _) = match name {
        "dead_env_to_root" => (
            "misuse_dead_env",
            "to_root",
            "DEAD_JMPBUF",
            &["has returned"],
            "setter: env set\nsetter returned 0\njumping to the dead env\n",
        ),
        "dead_env_through_caller" => (
            "misuse_dead_env",
            "through_caller",
            "DEAD_JMPBUF",
            &["has returned"],
            "setter: env set\nsetter returned 0\nwith_own_env: env set\njumping to the dead env\n",
        ),
        "foreign_env_from_main" => (
            "misuse_foreign_env",
            "from_main",
            "FOREIGN_JMPBUF",
            &["different context"],
            "context set its env\nmain jumps to the context's env\n",
        ),
        "foreign_env_from_context" => (
            "misuse_foreign_env",
            "from_context",
            "FOREIGN_JMPBUF",
            &["different context"],
            "main set its env\ncontext jumps to main's env\n",
        ),
        _ => panic!("no misuse case {name}"),
    };
    program(prog).args(&[arg]).misuse(rt_status(status), stderr, stdout)
}

// Differential programs are tested at -O2 in all four mixes and at -O0 in the two mixes that
// cross strategies; transparency is -O2 only: at -O0 clang keeps its locals in linear memory, so
// the register scan has nothing to find there. Misuse cases are wasm only, at -O2.
c_tests! {
    differential [
        o2_lowered_capture, o2_capture_lowered, o2_lowered_lowered, o2_capture_capture,
        o0_lowered_capture, o0_capture_lowered,
        o2_wamr_lowered_capture, o2_wamr_capture_lowered, o2_wamr_lowered_lowered, o2_wamr_capture_capture,
    ] {
        cross_jump,
        in_context,
        transparency [
            o2_lowered_capture, o2_capture_lowered, o2_lowered_lowered, o2_capture_capture,
            o2_wamr_lowered_capture, o2_wamr_capture_lowered, o2_wamr_lowered_lowered, o2_wamr_capture_capture,
        ],
        suspended_in_invoke,
        stack_after_caught_jump,
    }
    misuse [
        o2_lowered_capture, o2_capture_lowered, o2_lowered_lowered, o2_capture_capture,
        o2_wamr_lowered_capture, o2_wamr_capture_lowered, o2_wamr_lowered_lowered, o2_wamr_capture_capture,
    ] {
        dead_env_to_root,
        dead_env_through_caller,
        foreign_env_from_main,
        foreign_env_from_context,
    }
}

#[test]
fn every_program_has_a_test() {
    let dir = common::manifest_dir().join("tests/c/sjlj_modes");
    let labels: Vec<String> = (differential::CASES.iter().map(|c| differential(c)))
        .chain(misuse::CASES.iter().map(|c| misuse(c)))
        .map(|c| c.label)
        .collect();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())).flatten() {
        let name = format!("sjlj_modes/{}", entry.file_name().to_string_lossy());
        if entry.path().is_dir() && !labels.contains(&name) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "programs in tests/c/sjlj_modes without a test in tests/sjlj_modes.rs: {missing:?}");
}
