//! `asyncify-cc --print-config`: what asyncify-cc would use, one `key: value` line each on
//! stdout, in this order:
//!
//! * `include`, `lib`, `sysroot`: the runtime's header directory, static library and WASI
//!   sysroot (from `ASYNCIFY_RT_*`, else the layout's defaults);
//! * `clang`, `clang-version`, `wasm-opt`, `wasm-opt-version`: the tools found (as
//!   [`tools::clang`] and [`tools::wasm_opt`] find them) and the versions they report, or
//!   `not found` and `unknown`;
//! * `setjmp`: the setjmp strategy a call without `--asyncify-sjlj=` would use (`lowered` or
//!   `capture`, after `ASYNCIFY_CC_SJLJ`);
//! * `unwind`: how a link without `--asyncify-unwind=` instruments unwinding (`auto`,
//!   `asyncify` or `early-return`, after `ASYNCIFY_CC_UNWIND`; see [`crate::settings::Unwind`]);
//! * `layout`: where the default paths come from: `installed <prefix>` when asyncify-cc runs
//!   from an installed prefix's `bin/`, `build-tree` otherwise (see [`crate::settings::Layout`]).
//!
//! Each problem a build would hit (a missing or too-old tool, a sysroot without wasi-libc, a
//! missing runtime library or header directory) also gets the one stderr line a build would
//! print, and the exit status is the first problem's (127 for tools and the sysroot, 1 for the
//! runtime); 0 when everything is usable.

use std::io::Write;

use crate::require::{self, Tool, Version};
use crate::settings::Settings;
use crate::tools::{self, OWN_ERROR};

/// Prints the configuration (see the module documentation) and returns the exit status.
pub fn print(settings: &Settings) -> i32 {
    let mut lines: Vec<(&str, String)> = vec![
        ("include", settings.include.display().to_string()),
        ("lib", settings.lib.display().to_string()),
        ("sysroot", settings.sysroot.display().to_string()),
    ];
    let mut problems: Vec<i32> = Vec::new();
    for (tool, found) in [(Tool::Clang, tools::clang()), (Tool::WasmOpt, tools::wasm_opt())] {
        let (path, version) = match found {
            Ok(path) => {
                let version = require::version(&path, settings.verbose);
                problems.extend(require::new_enough(tool, &path, version.as_ref()).err());
                (path.display().to_string(), version.map_or("unknown".into(), |v: Version| v.text))
            }
            Err(code) => {
                problems.push(code);
                ("not found".into(), "unknown".into())
            }
        };
        lines.push((tool.name(), path));
        let version_key = if tool == Tool::Clang { "clang-version" } else { "wasm-opt-version" };
        lines.push((version_key, version));
    }
    lines.push(("setjmp", settings.sjlj.name().into()));
    lines.push(("unwind", settings.unwind.name().into()));
    lines.push(("layout", settings.layout.describe()));

    let header = settings.include.join("setjmp.h");
    if !header.is_file() {
        say!(
            "asyncify-cc: the runtime's header directory {} has no setjmp.h (set ASYNCIFY_RT_INCLUDE)",
            settings.include.display()
        );
        problems.push(OWN_ERROR);
    }
    problems.extend(require::runtime_library(settings).err());
    problems.extend(require::sysroot_usable(&settings.sysroot, true).err());

    let mut text = String::new();
    for (key, value) in lines {
        text.push_str(&format!("{key}: {value}\n"));
    }
    let _ = std::io::stdout().write_all(text.as_bytes());
    problems.first().copied().unwrap_or(0)
}
