//! What the tool tests share (`tests/driver.rs`, `tests/install.rs`, `tests/sysroots.rs`, which
//! include this file with `#[path]`; they do not use the C-suite harness of `tests/common/mod.rs`):
//! a scratch directory per test and the environment variables that redirect the tools.

use std::path::PathBuf;

/// Every variable that would redirect asyncify-cc (runtime paths, sysroot, strategy, unwind
/// instrumentation, diagnostics, extra wasm-opt arguments) or install.sh (`WASI_SDK_PATH`): the
/// install and sysroot tests run their commands without them unless a test sets one on purpose.
#[allow(dead_code, reason = "not every including test uses it")]
pub const TOOL_VARS: &[&str] = &[
    "ASYNCIFY_RT_INCLUDE",
    "ASYNCIFY_RT_LIB",
    "ASYNCIFY_RT_SYSROOT",
    "ASYNCIFY_CC_SJLJ",
    "ASYNCIFY_CC_UNWIND",
    "ASYNCIFY_CC_VERBOSE",
    "ASYNCIFY_CC_KEEP_TEMPS",
    "ASYNCIFY_CC_EXTRA_WASM_OPT_ARGS",
    "WASI_SDK_PATH",
];

/// A fresh scratch directory under cargo's target tmpdir, removed when the test passes (kept
/// for inspection when it fails).
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// `<CARGO_TARGET_TMPDIR>/<suite>-<pid>-<name>`, emptied and created; panics if it cannot be
    /// created.
    pub fn new(suite: &str, name: &str) -> Self {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{suite}-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(std::fs::canonicalize(&dir).expect("canonicalize scratch dir"))
    }

    /// The path of `name` inside the directory.
    #[allow(dead_code, reason = "not every including test uses it")]
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `text` to `name` inside the directory and returns its path; panics on failure.
    #[allow(dead_code, reason = "not every including test uses it")]
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).expect("write scratch file");
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
