//! Unwinding by early return: the instrumentation asyncify-cc uses instead of Binaryen's Asyncify
//! pass when nothing in the linked program ever rewinds (ARCHITECTURE.md, "Unwinding by early
//! return", tells when and why).
//!
//! A rewrite of the linked module (before `wasm-opt`), in three steps:
//!
//! 1. **Decide** ([`plan`]). The functions that call the import `asyncify.start_unwind` directly
//!    are the program's unwind leaves. If every one of them is a jump entry point of the runtime
//!    (`longjmp`, `_longjmp`, `siglongjmp`, `emscripten_longjmp`), only lowered jumps unwind, and
//!    a lowered jump is always cancelled by an `invoke_*` wrapper or reported by the root: no
//!    frame is ever rewound. Any other leaf (capture `setjmp`, the context functions, the register
//!    scans, anything else calling the import) keeps full Asyncify. So does a module without a
//!    `name` section (leaves cannot be recognised) or with an `asyncify` import this rewrite does
//!    not know.
//! 2. **Call graph.** A function *may unwind* when it calls `start_unwind` directly, or calls no
//!    `stop_*`/`start_rewind` import (those are the root and the `invoke_*` wrappers' inner
//!    parts, which end an unwind themselves) and calls a function that may unwind: directly,
//!    through a tail call, or through `call_indirect` of a type that some function in the table
//!    which may unwind has (its *address-taken* functions: element segments and `ref.func`; all
//!    functions of the type when the table is imported or exported). `call_ref` is assumed to
//!    reach any function of its type.
//! 3. **Rewrite.** The four `asyncify` imports become small functions over one new mutable
//!    global, the *unwinding flag*: `start_unwind` sets it, `stop_unwind` and `stop_rewind` clear
//!    it, `start_rewind` traps (`unreachable`: no rewind can be started in such a program). In
//!    every function that may unwind (leaves excepted), each call that may unwind is followed by
//!    `global.get $flag  if  <zero of each result>  return  end`. Nothing else changes: no locals
//!    are saved, no function entry is touched. Tail calls need no check.
//!
//! The runtime reads nothing from the unwind buffer except its bounds, which stay as the leaf set
//! them (no frame is written), so its overflow checks stay silent.

use std::collections::{HashMap, HashSet};

use walrus::ir::{Call, CallIndirect, CallRef, Const, GlobalGet, IfElse, Instr, InstrSeqType, RefNull, Return, Value};
use crate::call_graph::{sig, CallGraph, Import, Sig};
use crate::serials::sequences;
use walrus::{ConstExpr, FunctionId, FunctionKind, LocalFunction, Module, TypeId, ValType};

/// The runtime's jump entry points (`src/longjmp.rs`): the only unwind leaves a program may have
/// for this rewrite to apply.
pub const JUMP_LEAVES: [&str; 4] = ["longjmp", "_longjmp", "siglongjmp", "emscripten_longjmp"];

/// What [`rewrite`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The module was rewritten: `functions` functions got `checks` checks after calls.
    Rewritten { functions: usize, checks: usize },
    /// The module needs full Asyncify and was left untouched; the text says why (for
    /// `ASYNCIFY_CC_VERBOSE` and for a refused `--asyncify-unwind=early-return`).
    NeedsAsyncify(String),
}

/// The decision and the call graph: which functions may unwind, and which indirect call types
/// may reach one.
struct Plan {
    /// The Asyncify imports: function id and which one.
    imports: Vec<(FunctionId, Import)>,
    /// The functions that may unwind.
    may_unwind: HashSet<FunctionId>,
    /// The unwind leaves (callers of `start_unwind`): not instrumented.
    leaves: HashSet<FunctionId>,
    /// The indirect-call types through which an unwind may come back.
    unwinding_sigs: HashSet<Sig>,
}

/// Rewrites `module` when it qualifies (see the module documentation), or leaves it untouched
/// and says why. Errors (a message): a function that may unwind returns a non-nullable reference
/// (no zero value to return), or an import cannot be replaced.
pub fn rewrite(module: &mut Module) -> Result<Outcome, String> {
    let plan = match plan(module) {
        Ok(p) => p,
        Err(why) => return Ok(Outcome::NeedsAsyncify(why)),
    };
    let flag = module.globals.add_local(ValType::I32, true, false, ConstExpr::Value(Value::I32(0)));
    let (mut functions, mut checks) = (0, 0);
    let targets: Vec<FunctionId> = plan.may_unwind.iter().copied().filter(|f| !plan.leaves.contains(f)).collect();
    for id in targets {
        let results = module.types.get(module.funcs.get(id).ty()).results().to_vec();
        let sig_of = |ty: TypeId| sig(module, ty);
        // Resolve the call types first (the closure borrows `module` immutably).
        let FunctionKind::Local(f) = &module.funcs.get(id).kind else { continue };
        let mut indirect_unwinds: HashMap<TypeId, bool> = HashMap::new();
        for seq in sequences(f) {
            for (instr, _) in &f.block(seq).instrs {
                if let Instr::CallIndirect(CallIndirect { ty, .. }) | Instr::CallRef(CallRef { ty }) = instr {
                    indirect_unwinds.entry(*ty).or_insert_with(|| plan.unwinding_sigs.contains(&sig_of(*ty)));
                }
            }
        }
        let zeros = results.iter().map(|t| zero(*t)).collect::<Result<Vec<_>, _>>()?;
        let FunctionKind::Local(f) = &mut module.funcs.get_mut(id).kind else { continue };
        let n = add_checks(f, flag, &zeros, |instr| match instr {
            Instr::Call(Call { func }) => plan.may_unwind.contains(func),
            Instr::CallIndirect(CallIndirect { ty, .. }) | Instr::CallRef(CallRef { ty }) => indirect_unwinds[ty],
            _ => false,
        });
        if n > 0 {
            functions += 1;
            checks += n;
        }
    }
    for &(id, which) in &plan.imports {
        module
            .replace_imported_func(id, |(body, args)| {
                let _ = args;
                match which {
                    Import::StartUnwind => {
                        body.i32_const(1).global_set(flag);
                    }
                    Import::StopUnwind | Import::StopRewind => {
                        body.i32_const(0).global_set(flag);
                    }
                    Import::StartRewind => {
                        body.unreachable();
                    }
                }
            })
            .map_err(|e| format!("cannot replace an asyncify import: {e}"))?;
    }
    Ok(Outcome::Rewritten { functions, checks })
}

/// The decision and call graph of the module documentation, or why the module needs full
/// Asyncify.
fn plan(module: &Module) -> Result<Plan, String> {
    let graph = CallGraph::build(module)?;
    // The leaves, recognised by name.
    let mut leaves = HashSet::new();
    for id in graph.calling(Import::StartUnwind) {
        match module.funcs.get(id).name.as_deref() {
            Some(n) if JUMP_LEAVES.contains(&n) => {
                leaves.insert(id);
            }
            Some(n) => return Err(format!("{n} starts an unwind that may be rewound")),
            None => return Err("the module has no name section to recognise its unwind leaves by".into()),
        }
    }
    // A function that calls any other Asyncify import ends an unwind itself (the root, the inner
    // parts of the invoke_* wrappers): the unwind does not reach its callers.
    let reach = graph.reach(module, &leaves, |c| c.imports.iter().any(|i| *i != Import::StartUnwind));
    Ok(Plan { imports: graph.imports, may_unwind: reach.functions, leaves, unwinding_sigs: reach.sigs })
}

/// Inserts the check `global.get $flag  if  <zeros>  return  end` after every instruction of `f`
/// for which `unwinds` holds; returns how many were inserted.
fn add_checks(f: &mut LocalFunction, flag: walrus::GlobalId, zeros: &[Instr], unwinds: impl Fn(&Instr) -> bool) -> usize {
    let mut n = 0;
    for seq in sequences(f) {
        let old = std::mem::take(&mut f.block_mut(seq).instrs);
        let mut new = Vec::with_capacity(old.len());
        for (instr, loc) in old {
            let check = unwinds(&instr);
            new.push((instr, loc));
            if check {
                let builder = f.builder_mut();
                let mut then = builder.dangling_instr_seq(InstrSeqType::Simple(None));
                for z in zeros {
                    then.instr(z.clone());
                }
                then.instr(Instr::Return(Return {}));
                let consequent = then.id();
                let alternative = builder.dangling_instr_seq(InstrSeqType::Simple(None)).id();
                new.push((Instr::GlobalGet(GlobalGet { global: flag }), loc));
                new.push((Instr::IfElse(IfElse { consequent, alternative }), loc));
                n += 1;
            }
        }
        f.block_mut(seq).instrs = new;
    }
    n
}

/// The zero of `t` (a null reference for nullable reference types).
fn zero(t: ValType) -> Result<Instr, String> {
    Ok(match t {
        ValType::I32 => Instr::Const(Const { value: Value::I32(0) }),
        ValType::I64 => Instr::Const(Const { value: Value::I64(0) }),
        ValType::F32 => Instr::Const(Const { value: Value::F32(0.0) }),
        ValType::F64 => Instr::Const(Const { value: Value::F64(0.0) }),
        ValType::V128 => Instr::Const(Const { value: Value::V128(0) }),
        ValType::Ref(r) if r.nullable => Instr::RefNull(RefNull { ty: r }),
        ValType::Ref(_) => return Err("a function that may unwind returns a non-nullable reference".into()),
    })
}
