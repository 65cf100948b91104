//! The link of a program: clang links it with the runtime, then wasm-opt runs Asyncify on it.
//!
//! [`link`] is the pipeline; each step is a function below it. [`LinkFiles`] is the one owner of
//! the files a link creates besides its output (the pre-asyncify module, the scratch directory
//! with the probe module and the `invoke_*` wrappers) and of the removal of a stale output: a
//! failed link never leaves an output that looks finished.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::args::Analysis;
use crate::flags::{self, concat_os, splice, without_output};
use crate::invoke;
use crate::require;
use crate::early_return::{self, Outcome};
use crate::removelist;
use crate::serials;
use crate::settings::{Settings, Sjlj, Unwind};
use crate::tools::{self, BINARYEN_PACKAGE, MISSING_TOOL, OWN_ERROR};

/// Links a program and returns asyncify-cc's exit status: 0 on success, else the status of the
/// failing step (see the crate documentation). `clang` is the clang to run, `user` the user's
/// arguments (without asyncify-cc's own options), `expanded` the same with response files
/// expanded, `analysis` their [`crate::args::analyse`], `target_flags` the [`flags::target_flags`].
pub fn link(
    clang: &Path,
    user: &[OsString],
    expanded: &[OsString],
    analysis: &Analysis,
    target_flags: Vec<OsString>,
    settings: &Settings,
) -> i32 {
    // Created first, so that every failure below removes a stale output.
    let mut files = LinkFiles::new(output_path(analysis), settings.keep_temps);
    let steps = || -> Result<(), i32> {
        require::sysroot(settings, analysis)?;
        require::clang_version(clang, settings.verbose)?;
        let wasm_opt = tools::wasm_opt()?;
        require::wasm_opt_version(&wasm_opt, settings.verbose)?;
        require::runtime_library(settings)?;
        let mut flags = target_flags;
        flags.extend(flags::program_link_flags(analysis));
        let mut tail = flags::tail_prefix(analysis);
        if settings.sjlj == Sjlj::Lowered {
            tail.extend(invoke_wrappers(clang, expanded, &flags, &tail, &files, settings)?);
        }
        tail.push(settings.lib.clone().into_os_string());
        link_with_clang(clang, user, expanded, flags, tail, &mut files, settings)?;
        let asyncify = rewrite_module(&files, analysis.debug, settings)?;
        run_wasm_opt(&wasm_opt, asyncify.as_deref(), analysis, &files, settings)?;
        files.output_mode_from_linker();
        files.keep_output();
        Ok(())
    };
    steps().err().unwrap_or(0)
}

/// The file clang writes for a link without `-o`.
const DEFAULT_OUTPUT: &str = "a.out";

/// The program's file: the user's last `-o`, else clang's default `a.out`.
fn output_path(analysis: &Analysis) -> PathBuf {
    PathBuf::from(analysis.output.clone().unwrap_or_else(|| OsString::from(DEFAULT_OUTPUT)))
}

/// For LLVM's setjmp lowering: links the program once with undefined symbols allowed into the
/// probe module, reads which `invoke_*` wrappers it imports ([`invoke::needed`]), and compiles
/// exactly those ([`invoke::compile`]). Returns the object to link (none when no wrapper is
/// needed), or the exit status of a failing step after its message. Genuine undefined symbols
/// are reported by the real link that follows.
fn invoke_wrappers(
    clang: &Path,
    expanded: &[OsString],
    flags: &[OsString],
    tail: &[OsString],
    files: &LinkFiles,
    settings: &Settings,
) -> Result<Option<OsString>, i32> {
    let dir = files.scratch();
    if let Err(e) = std::fs::create_dir_all(dir) {
        say!("asyncify-cc: cannot create {}: {e}", dir.display());
        return Err(OWN_ERROR);
    }
    let probe = dir.join("probe.wasm");
    let mut pflags = flags.to_vec();
    pflags.push("-Wl,--allow-undefined".into());
    pflags.push("-o".into());
    pflags.push(probe.clone().into_os_string());
    let mut ptail = tail.to_vec();
    ptail.push(settings.lib.clone().into_os_string());
    let argv = splice(&without_output(expanded), pflags, ptail);
    match tools::run_clang_link(clang, &argv, settings.verbose) {
        Ok(0) => {}
        Ok(code) | Err(code) => return Err(code),
    }
    let names = invoke::needed(&probe).map_err(|e| {
        say!("asyncify-cc: {e}");
        OWN_ERROR
    })?;
    if names.is_empty() {
        return Ok(None);
    }
    let obj = invoke::compile(&names, dir, clang, settings)?;
    Ok(Some(obj.into_os_string()))
}

/// Links the program with clang: into the user's output (renamed to the pre-asyncify module
/// afterwards), or, for an output that is not a regular file, straight into the pre-asyncify
/// module. `flags` and `tail` are spliced into the user's arguments ([`splice`]). `Err` is the
/// exit status of clang, or of a failed rename after its message.
fn link_with_clang(
    clang: &Path,
    user: &[OsString],
    expanded: &[OsString],
    mut flags: Vec<OsString>,
    tail: Vec<OsString>,
    files: &mut LinkFiles,
    settings: &Settings,
) -> Result<(), i32> {
    // Normally clang writes the output itself (so every derived name, such as a `-MD`
    // dependency file, is what it would be with plain clang) and the result is renamed.
    let argv = if files.plain {
        splice(user, flags, tail)
    } else {
        flags.push("-o".into());
        flags.push(files.pre.clone().into_os_string());
        splice(&without_output(expanded), flags, tail)
    };
    match tools::run_clang_link(clang, &argv, settings.verbose) {
        Ok(0) => {}
        Ok(code) | Err(code) => return Err(code),
    }
    files.clang_done()
}

/// The rewrites of the linked module before wasm-opt, in one parse and one write (walrus cannot
/// always read back the DWARF it wrote): for the lowered strategy, per-invocation serials for
/// each function calling setjmp ([`serials::add`], which lets the runtime diagnose a jump to a
/// returned function); then the choice of unwind instrumentation ([`Unwind`]) and, for early
/// returns, [`early_return::rewrite`]; for full Asyncify under `auto`, the remove-list
/// ([`removelist::compute`]). Returns `None` when wasm-opt must not run Asyncify (early
/// returns), else `Some(list)`: run it with the remove-list `list` (empty for
/// `--asyncify-unwind=asyncify`, which keeps Binaryen's own analysis as every link did before,
/// and when the module cannot be parsed only for the list).
///
/// DWARF: without `-g` (`debug` false) the user asked for no debug information, and the rewrite
/// drops the DWARF that wasi-libc and Rust's standard library bring (wasm-opt 108 would keep it;
/// this makes those programs smaller than before). With `-g`, walrus 0.28 cannot always rewrite
/// it (it aborts on clang 22's line programs) while Binaryen's Asyncify keeps it, so `auto`
/// chooses full Asyncify, the serials are added with walrus's DWARF rewriting as before, and
/// forced early returns drop the DWARF after one warning line on stderr. The remove-list only
/// reads the module, so it changes nothing there.
///
/// Errors (one stderr line, `Err(OWN_ERROR)`): the module cannot be read, parsed or written, the
/// rewrite failed, or `early-return` was forced on a program that needs full Asyncify.
fn rewrite_module(files: &LinkFiles, debug: bool, settings: &Settings) -> Result<Option<Vec<String>>, i32> {
    let fail = |e: String| {
        say!("asyncify-cc: {e}");
        OWN_ERROR
    };
    let path = &files.pre;
    let serials = settings.sjlj == Sjlj::Lowered;
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
    let has_dwarf = debug && has_dwarf(&bytes);
    let early = match settings.unwind {
        Unwind::Asyncify => false,
        Unwind::Auto => !has_dwarf,
        Unwind::EarlyReturn => true,
    };
    let narrow = settings.unwind == Unwind::Auto;
    if !serials && !early && !narrow {
        if settings.verbose {
            say!("asyncify-cc: unwinding by full Asyncify ({})", why_full(settings, has_dwarf));
        }
        return Ok(Some(Vec::new()));
    }
    if has_dwarf && early {
        say!("asyncify-cc: warning: --asyncify-unwind=early-return drops the debug information (walrus cannot rewrite its DWARF)");
    }
    let mut config = walrus::ModuleConfig::new();
    config.generate_dwarf(has_dwarf && !early).generate_name_section(true).generate_producers_section(true);
    let mut module = match walrus::Module::from_buffer_with_config(&bytes, &config) {
        Ok(m) => m,
        Err(e) if !serials && !early => {
            // Only the remove-list needed the module: go on without it.
            if settings.verbose {
                say!("asyncify-cc: no Asyncify remove-list: cannot parse {}: {e}", path.display());
            }
            return Ok(Some(Vec::new()));
        }
        Err(e) => return Err(fail(format!("cannot parse {} to rewrite it: {e}", path.display()))),
    };
    let mut changed = false;
    if serials {
        let n = serials::add(&mut module);
        if settings.verbose {
            say!("asyncify-cc: invocation serials added to {n} functions that call setjmp");
        }
        changed |= n > 0;
    }
    let asyncify = if !early {
        if settings.verbose {
            say!("asyncify-cc: unwinding by full Asyncify ({})", why_full(settings, has_dwarf));
        }
        true
    } else {
        match early_return::rewrite(&mut module).map_err(fail)? {
            Outcome::Rewritten { functions, checks } => {
                if settings.verbose {
                    say!("asyncify-cc: unwinding by early return: {checks} checks after calls in {functions} functions");
                }
                changed = true;
                false
            }
            Outcome::NeedsAsyncify(why) if settings.unwind == Unwind::Auto => {
                if settings.verbose {
                    say!("asyncify-cc: unwinding by full Asyncify: {why}");
                }
                true
            }
            Outcome::NeedsAsyncify(why) => {
                return Err(fail(format!("--asyncify-unwind=early-return is not possible: {why}")));
            }
        }
    };
    let list = if asyncify && narrow {
        match removelist::compute(&module) {
            Ok((names, counts)) => {
                if settings.verbose {
                    say!("asyncify-cc: Asyncify remove-list: {} functions cannot reach an unwind; {} may", counts.removed, counts.kept);
                }
                names
            }
            Err(why) => {
                if settings.verbose {
                    say!("asyncify-cc: no Asyncify remove-list: {why}");
                }
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    if changed {
        std::fs::write(path, module.emit_wasm()).map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(asyncify.then_some(list))
}

/// Why full Asyncify was chosen without looking at the program (for `ASYNCIFY_CC_VERBOSE`).
fn why_full(settings: &Settings, has_dwarf: bool) -> &'static str {
    if settings.unwind == Unwind::Asyncify {
        "--asyncify-unwind=asyncify"
    } else if has_dwarf {
        "-g: Binaryen keeps the DWARF, which walrus cannot rewrite"
    } else {
        "chosen"
    }
}

/// Whether the module `bytes` has DWARF (a custom section named `.debug_*`). An unreadable
/// module counts as having none (the rewrite then reports it).
fn has_dwarf(bytes: &[u8]) -> bool {
    wasmparser::Parser::new(0).parse_all(bytes).any(|p| match p {
        Ok(wasmparser::Payload::CustomSection(c)) => c.name().starts_with(".debug"),
        _ => false,
    })
}

/// Runs wasm-opt from the pre-asyncify module to the output: with `asyncify` (a remove-list),
/// `wasm-opt <pre> --asyncify --pass-arg=asyncify-ignore-imports
/// [--pass-arg=asyncify-removelist@@<scratch>/removelist.txt] [OPT] [-g] -o <out> [extra]`
/// (the list file only when the list is not empty), else the same without the Asyncify
/// arguments. `Err` is wasm-opt's exit status, or
/// [`MISSING_TOOL`] when it cannot be started (after a message naming [`BINARYEN_PACKAGE`]).
fn run_wasm_opt(wasm_opt: &Path, asyncify: Option<&[String]>, analysis: &Analysis, files: &LinkFiles, settings: &Settings) -> Result<(), i32> {
    let mut argv: Vec<OsString> = vec![files.pre.clone().into_os_string()];
    if let Some(list) = asyncify {
        argv.extend(["--asyncify", "--pass-arg=asyncify-ignore-imports"].map(OsString::from));
        if !list.is_empty() {
            let dir = files.scratch();
            let file = dir.join("removelist.txt");
            if let Err(e) = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&file, list.join(","))) {
                say!("asyncify-cc: cannot write {}: {e}", file.display());
                return Err(OWN_ERROR);
            }
            argv.push(concat_os("--pass-arg=asyncify-removelist@@", file.as_os_str()));
        }
    }
    if let Some(level) = analysis.wasm_opt_level {
        argv.push(level.into());
    }
    if analysis.debug {
        argv.push("-g".into());
    }
    argv.push("-o".into());
    argv.push(files.out.clone().into_os_string());
    argv.extend(settings.extra_wasm_opt_args.iter().cloned());
    match tools::spawn(wasm_opt, &argv, settings.verbose, false) {
        Ok((status, _)) if status.success() => Ok(()),
        Ok((status, _)) => Err(tools::exit_code(status)),
        Err(e) => {
            say!("asyncify-cc: cannot run {}: {e}; {BINARYEN_PACKAGE}", wasm_opt.display());
            Err(MISSING_TOOL)
        }
    }
}

/// True when `path` is a place a file can be renamed to and from: not stdout (`-`), and not an
/// existing non-regular file such as `/dev/null`.
fn is_plain_output(path: &Path) -> bool {
    if path.as_os_str() == "-" {
        return false;
    }
    match std::fs::metadata(path) {
        Ok(m) => m.is_file(),
        Err(_) => true,
    }
}

/// The files of one program link, with the guarantee that dropping the guard leaves only what
/// the link's outcome calls for:
/// * the output (when it is a regular file or does not exist yet, see [`is_plain_output`])
///   is removed unless [`LinkFiles::keep_output`] was called, so a failed build never leaves a
///   program that looks finished, not even one from an earlier build;
/// * the pre-asyncify module is removed unless this link finished it and temporaries are kept
///   (until then, a file of that name is stale or half-written);
/// * the scratch directory (probe module, wrapper source and object) is removed unless
///   temporaries are kept.
struct LinkFiles {
    /// The program's file.
    out: PathBuf,
    /// `out` can be written by clang and renamed (not stdout, not a device).
    plain: bool,
    /// The pre-asyncify module: `<out>.pre-asyncify.wasm`, or for an output that is not plain,
    /// `asyncify-cc-<pid>.pre-asyncify.wasm` in the temporary directory.
    pre: PathBuf,
    /// `pre` holds this link's finished pre-asyncify module.
    pre_finished: bool,
    /// `asyncify-cc-<pid>` in the temporary directory (created by the steps that need it).
    scratch: PathBuf,
    /// `ASYNCIFY_CC_KEEP_TEMPS`: keep a finished pre-asyncify module and the scratch directory.
    keep_temps: bool,
    /// The output is finished and stays.
    output_done: bool,
}

impl LinkFiles {
    /// The guard of a link writing `out`; nothing is created yet.
    fn new(out: PathBuf, keep_temps: bool) -> Self {
        let plain = is_plain_output(&out);
        let tmp = std::env::temp_dir();
        let pid = std::process::id();
        let pre = if plain {
            let mut p = out.clone().into_os_string();
            p.push(".pre-asyncify.wasm");
            PathBuf::from(p)
        } else {
            tmp.join(format!("asyncify-cc-{pid}.pre-asyncify.wasm"))
        };
        let scratch = tmp.join(format!("asyncify-cc-{pid}"));
        LinkFiles { out, plain, pre, pre_finished: false, scratch, keep_temps, output_done: false }
    }

    /// The scratch directory (not created by this call).
    fn scratch(&self) -> &Path {
        &self.scratch
    }

    /// After clang's successful link: for a plain output, moves clang's output to the
    /// pre-asyncify module (`Err(OWN_ERROR)` after one stderr line if that fails). The
    /// pre-asyncify module is then finished.
    fn clang_done(&mut self) -> Result<(), i32> {
        if self.plain {
            if let Err(e) = std::fs::rename(&self.out, &self.pre) {
                say!("asyncify-cc: cannot rename {} to {}: {e}", self.out.display(), self.pre.display());
                return Err(OWN_ERROR);
            }
        }
        self.pre_finished = true;
        Ok(())
    }

    /// Gives the output the permissions the linker gave the pre-asyncify module (executable, as
    /// a compiler's linked output is, within the umask): wasm-opt writes a plain data file, and
    /// build systems such as CRuby's mkmf test the output with `test -x`. Only for a regular
    /// output; a failure is ignored (the program itself is complete).
    fn output_mode_from_linker(&self) {
        if self.plain {
            if let Ok(m) = std::fs::metadata(&self.pre) {
                let _ = std::fs::set_permissions(&self.out, m.permissions());
            }
        }
    }

    /// Marks the output finished: it is kept.
    fn keep_output(&mut self) {
        self.output_done = true;
    }
}

impl Drop for LinkFiles {
    fn drop(&mut self) {
        if self.plain && !self.output_done {
            remove_regular_file(&self.out);
        }
        if !(self.pre_finished && self.keep_temps) {
            remove_regular_file(&self.pre);
        }
        if !self.keep_temps {
            let _ = std::fs::remove_dir_all(&self.scratch);
        }
    }
}

/// Removes `p` if it is a regular file (not a symlink, device or directory); errors are ignored.
fn remove_regular_file(p: &Path) {
    if std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()) {
        let _ = std::fs::remove_file(p);
    }
}
