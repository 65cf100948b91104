//! A scratch directory per test, shared by the tool tests (`tests/driver.rs`, `tests/install.rs`,
//! `tests/sysroots.rs`), which include this file with `#[path]` (they do not use the C-suite
//! harness of `tests/common/mod.rs`).

use std::path::PathBuf;

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
