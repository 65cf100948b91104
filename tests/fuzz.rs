//! The differential fuzzer (`asyncify-fuzz`, README "Fuzzing") on a bounded budget, in the setjmp
//! strategy of this test run (`ASYNCIFY_CC_SJLJ`, as the C suites): random legal C programs built
//! natively (gcc -O0 is the oracle, gcc -O2 must agree with it) and with asyncify-cc at -O0 and
//! -O2, run under wasmtime and node; every case must print the same stdout and end with the same
//! status.
//!
//! Knobs: `ASYNCIFY_FUZZ_CASES` (default 2000 cases: 40 programs x 50 runs in one batch, about 2 minutes on
//! 2 cores), `ASYNCIFY_FUZZ_SEED` (a number, default 0x5eed; `random` for a seed from the clock,
//! printed so the run can be repeated), `ASYNCIFY_FUZZ_ENGINES` (default `wasmtime,node`).
//! Mismatches are minimised and saved under `CARGO_TARGET_TMPDIR/fuzz-findings-<strategy>/`.

use std::process::Command;

/// The setjmp strategy of this test run, as asyncify-fuzz names it: `ASYNCIFY_CC_SJLJ`, which
/// asyncify-cc itself reads ("capture"), or the default.
fn strategy() -> String {
    match std::env::var("ASYNCIFY_CC_SJLJ").as_deref() {
        Ok("capture") => "capture".into(),
        _ => "default".into(),
    }
}

#[test]
fn fuzz_bounded_budget() {
    let mode = strategy();
    let cases = std::env::var("ASYNCIFY_FUZZ_CASES").ok().and_then(|s| s.parse::<u64>().ok()).unwrap_or(2000);
    let seed = std::env::var("ASYNCIFY_FUZZ_SEED").unwrap_or_else(|_| "0x5eed".into());
    let engines = std::env::var("ASYNCIFY_FUZZ_ENGINES").unwrap_or_else(|_| "wasmtime,node".into());
    let tmp = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_asyncify-fuzz"));
    cmd.arg("run")
        .args(["--cases", &cases.to_string(), "--runs", "50", "--batch", "40"])
        .args(["--strategies", &mode, "--opts", "O0,O2", "--engines", &engines])
        .arg("--work")
        .arg(tmp.join(format!("fuzz-{mode}")))
        .arg("--findings")
        .arg(tmp.join(format!("fuzz-findings-{mode}")))
        .args(["--minimize", "2", "--min-steps", "12"]);
    if seed == "random" {
        cmd.arg("--random-seed");
    } else {
        cmd.args(["--seed", &seed]);
    }
    let out = cmd.output().expect("run asyncify-fuzz");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    // The summary must say how many cases ran clean on each variant.
    assert!(stdout.contains(" clean of "), "no summary from asyncify-fuzz:\n{stdout}\n{stderr}");
    assert!(
        out.status.success(),
        "asyncify-fuzz found mismatches ({}), see above and the findings directory",
        out.status
    );
}
