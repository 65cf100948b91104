//! The Asyncify remove-list: for programs that keep Binaryen's full Asyncify (contexts, register
//! scans, capture-mode setjmp), the functions that can never be on the call stack during an
//! unwind or a rewind, handed to `wasm-opt` as `--pass-arg=asyncify-removelist@@<file>`.
//!
//! Binaryen's own analysis (with `asyncify-ignore-imports`) instruments every function that
//! calls, directly or not, a function that starts an unwind or stops a rewind, and it assumes
//! that *every* indirect call may do so. In C that makes almost everything instrumented: stdio
//! calls through function pointers (`f->write`), `qsort` through its comparator, and so on. The
//! call graph of `call_graph.rs` resolves each indirect call by type against the functions that
//! are actually in the table, so only the functions that can reach a leaf stay instrumented.
//!
//! The list names every local function outside that set ([`CallGraph::reach`] from the callers
//! of `asyncify.start_unwind` and `asyncify.stop_rewind`, not through the callers of
//! `stop_unwind`/`start_rewind`, which Binaryen treats as the bottom of the chain), except
//! functions Binaryen classifies itself (any caller of an `asyncify` import) and names it could
//! read differently: unnamed functions, names that occur twice (Binaryen renames the second
//! `f` to `f.1`), names ending in `.<digits>` (which such a renaming could produce), and names
//! containing `*` (a wildcard to Binaryen) or `,` (its list separator). A function left off the
//! list is only analysed by Binaryen as before, so every omission is on the safe side.
//!
//! Binaryen behaviour relied on (wasm-opt 108, checked): a listed function is not instrumented
//! even when it contains `call_indirect`, and the instrumentation does not spread to callers
//! through it; `@@file` reads the list from a file, comma-separated.

use std::collections::{HashMap, HashSet};

use walrus::Module;

use crate::call_graph::{CallGraph, Import};

/// How many functions the list holds and how many stay instrumentable (for
/// `ASYNCIFY_CC_VERBOSE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Functions on the remove-list.
    pub removed: usize,
    /// Local functions that can reach an unwind or a rewind (left to Binaryen).
    pub kept: usize,
}

/// The remove-list of `module` (see the module documentation), names sorted, and its counts.
/// `Err` (a message) when the module imports an `asyncify` function this runtime does not use.
pub fn compute(module: &Module) -> Result<(Vec<String>, Counts), String> {
    let graph = CallGraph::build(module)?;
    let mut seeds = graph.calling(Import::StartUnwind);
    seeds.extend(graph.calling(Import::StopRewind));
    let bottom = |c: &crate::call_graph::Calls| c.imports.iter().any(|i| matches!(i, Import::StopUnwind | Import::StartRewind));
    let reach = graph.reach(module, &seeds, bottom);

    let mut uses: HashMap<&str, usize> = HashMap::new();
    for f in module.funcs.iter() {
        if let Some(n) = f.name.as_deref() {
            *uses.entry(n).or_default() += 1;
        }
    }
    let mut names: HashSet<String> = HashSet::new();
    for (id, _) in module.funcs.iter_local() {
        if reach.functions.contains(&id) || !graph.calls[&id].imports.is_empty() {
            continue;
        }
        let Some(name) = module.funcs.get(id).name.as_deref() else { continue };
        if uses[name] > 1 || name.is_empty() || name.contains(['*', ',']) || name.trim() != name || renamed_like(name) {
            continue;
        }
        names.insert(name.to_string());
    }
    let mut names: Vec<String> = names.into_iter().collect();
    names.sort();
    let counts = Counts { removed: names.len(), kept: reach.functions.len() };
    Ok((names, counts))
}

/// Whether `name` ends in `.<digits>`, the form Binaryen gives a duplicate name.
fn renamed_like(name: &str) -> bool {
    match name.rsplit_once('.') {
        Some((_, digits)) => !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::renamed_like;

    #[test]
    fn renamed_like_names() {
        assert!(renamed_like("f.1"));
        assert!(renamed_like("a.b.22"));
        assert!(!renamed_like("f."));
        assert!(!renamed_like("f.x1"));
        assert!(!renamed_like("printf"));
    }
}
