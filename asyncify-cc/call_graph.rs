//! The linked program's call graph, as both instrumentation choices read it: which functions can be
//! on the call stack when an unwind starts (`early_return.rs` adds checks to exactly those;
//! `removelist.rs` tells Binaryen's Asyncify that all the others need no instrumentation).
//!
//! Edges: direct calls (`call`, `return_call`), and indirect calls (`call_indirect`,
//! `return_call_indirect`, `call_ref`, `return_call_ref`) resolved by type: an indirect call of
//! type T can reach exactly the *address-taken* functions of type T (WebAssembly checks the
//! callee's type at every indirect call; MVP function types are structural). Address-taken
//! functions are those in element segments and those named by `ref.func`; when the table is
//! imported or exported, or any instruction writes a table at run time (`table.set`,
//! `table.grow`, `table.fill`, `table.copy`, `table.init`), every function counts as
//! address-taken. Imports (WASI) never call back into the module, which is what
//! `asyncify-ignore-imports` already assumes.

use std::collections::{HashMap, HashSet};

use walrus::ir::{Call, CallIndirect, CallRef, Instr, ReturnCall, ReturnCallIndirect, ReturnCallRef};
use walrus::{ConstExpr, ExportItem, FunctionId, FunctionKind, Module, TypeId, ValType};

use crate::serials::sequences;

/// A function type, structurally (walrus may hold equal types under different ids).
pub type Sig = (Vec<ValType>, Vec<ValType>);

/// The four Asyncify imports, by their import names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Import {
    StartUnwind,
    StopUnwind,
    StartRewind,
    StopRewind,
}

impl Import {
    fn named(name: &str) -> Option<Import> {
        Some(match name {
            "start_unwind" => Import::StartUnwind,
            "stop_unwind" => Import::StopUnwind,
            "start_rewind" => Import::StartRewind,
            "stop_rewind" => Import::StopRewind,
            _ => return None,
        })
    }
}

/// What one local function calls.
#[derive(Default)]
pub struct Calls {
    /// Direct callees (`call`, `return_call`), Asyncify imports excepted.
    pub direct: HashSet<FunctionId>,
    /// Types called indirectly.
    pub indirect: HashSet<Sig>,
    /// Asyncify imports called directly.
    pub imports: Vec<Import>,
}

/// The call graph of a module.
pub struct CallGraph {
    /// The Asyncify imports: function id and which one.
    pub imports: Vec<(FunctionId, Import)>,
    /// What each local function calls.
    pub calls: HashMap<FunctionId, Calls>,
    /// The functions an indirect call can reach (see the module documentation).
    pub address_taken: HashSet<FunctionId>,
}

/// The callers closure computed by [`CallGraph::reach`].
pub struct Reach {
    /// The seeds and every function that can call one of them, directly or indirectly.
    pub functions: HashSet<FunctionId>,
    /// The indirect-call types through which a member can be reached.
    pub sigs: HashSet<Sig>,
}

impl CallGraph {
    /// Reads the call graph of `module`. `Err` (a message) when the module imports an `asyncify`
    /// function other than the four this runtime uses.
    pub fn build(module: &Module) -> Result<CallGraph, String> {
        let mut imports = Vec::new();
        for f in module.funcs.iter() {
            if let FunctionKind::Import(imp) = &f.kind {
                let import = module.imports.get(imp.import);
                if import.module == "asyncify" {
                    let which = Import::named(&import.name)
                        .ok_or_else(|| format!("it imports asyncify.{}, which asyncify-cc does not know", import.name))?;
                    imports.push((f.id(), which));
                }
            }
        }
        let import_of: HashMap<FunctionId, Import> = imports.iter().copied().collect();
        let mut calls: HashMap<FunctionId, Calls> = HashMap::new();
        let mut address_taken: HashSet<FunctionId> = HashSet::new();
        let mut table_written = false;
        for (id, f) in module.funcs.iter_local() {
            let mut c = Calls::default();
            for seq in sequences(f) {
                for (instr, _) in &f.block(seq).instrs {
                    match instr {
                        Instr::Call(Call { func }) | Instr::ReturnCall(ReturnCall { func }) => match import_of.get(func) {
                            Some(&which) => c.imports.push(which),
                            None => {
                                c.direct.insert(*func);
                            }
                        },
                        Instr::CallIndirect(CallIndirect { ty, .. })
                        | Instr::ReturnCallIndirect(ReturnCallIndirect { ty, .. })
                        | Instr::CallRef(CallRef { ty })
                        | Instr::ReturnCallRef(ReturnCallRef { ty }) => {
                            c.indirect.insert(sig(module, *ty));
                        }
                        Instr::RefFunc(r) => {
                            address_taken.insert(r.func);
                        }
                        Instr::TableSet(_) | Instr::TableGrow(_) | Instr::TableFill(_) | Instr::TableCopy(_) | Instr::TableInit(_) => {
                            table_written = true;
                        }
                        _ => {}
                    }
                }
            }
            calls.insert(id, c);
        }
        for e in module.elements.iter() {
            match &e.items {
                walrus::ElementItems::Functions(fs) => address_taken.extend(fs.iter().copied()),
                walrus::ElementItems::Expressions(_, exprs) => {
                    address_taken.extend(exprs.iter().filter_map(|x| match x {
                        ConstExpr::RefFunc(f) => Some(*f),
                        _ => None,
                    }));
                }
            }
        }
        let table_shared = module.tables.iter().any(|t| t.import.is_some())
            || module.exports.iter().any(|e| matches!(e.item, ExportItem::Table(_)));
        if table_shared || table_written {
            address_taken.extend(module.funcs.iter().map(|f| f.id()));
        }
        Ok(CallGraph { imports, calls, address_taken })
    }

    /// The local functions that call the Asyncify import `which` directly.
    pub fn calling(&self, which: Import) -> HashSet<FunctionId> {
        self.calls.iter().filter(|(_, c)| c.imports.contains(&which)).map(|(id, _)| *id).collect()
    }

    /// The least set containing `seeds` and every function that calls a member, directly or
    /// through an indirect call whose type some address-taken member has; functions for which
    /// `barrier` holds never join through a call (a seed may still be one).
    pub fn reach(&self, module: &Module, seeds: &HashSet<FunctionId>, barrier: impl Fn(&Calls) -> bool) -> Reach {
        let mut callers: HashMap<FunctionId, Vec<FunctionId>> = HashMap::new();
        let mut indirect_callers: HashMap<Sig, Vec<FunctionId>> = HashMap::new();
        for (id, c) in &self.calls {
            if barrier(c) {
                continue;
            }
            for g in &c.direct {
                callers.entry(*g).or_default().push(*id);
            }
            for s in &c.indirect {
                indirect_callers.entry(s.clone()).or_default().push(*id);
            }
        }
        let mut functions = seeds.clone();
        let mut sigs: HashSet<Sig> = HashSet::new();
        let mut work: Vec<FunctionId> = seeds.iter().copied().collect();
        while let Some(f) = work.pop() {
            let mut next: Vec<FunctionId> = callers.get(&f).cloned().unwrap_or_default();
            if self.address_taken.contains(&f) {
                let s = sig(module, module.funcs.get(f).ty());
                if sigs.insert(s.clone()) {
                    next.extend(indirect_callers.get(&s).into_iter().flatten().copied());
                }
            }
            for g in next {
                if functions.insert(g) {
                    work.push(g);
                }
            }
        }
        Reach { functions, sigs }
    }
}

/// The structural signature of the type `ty`.
pub fn sig(module: &Module, ty: TypeId) -> Sig {
    let t = module.types.get(ty);
    (t.params().to_vec(), t.results().to_vec())
}
