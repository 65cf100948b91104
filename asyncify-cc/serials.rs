//! Per-invocation serials for LLVM's setjmp lowering: a rewrite of the linked module (before
//! `wasm-opt --asyncify`) that lets the runtime tell a function that set a `jmp_buf` from another
//! function that now has its frame slot at the same address (see `src/setjmp_lowered.rs`,
//! "Returned functions").
//!
//! LLVM's lowering gives every function that calls `setjmp` a 4-byte slot in its frame and passes
//! the slot's address to `__wasm_setjmp(env, label, slot)` and `__wasm_setjmp_test(env, slot)`;
//! it never writes the slot. This rewrite gives each such function a fresh serial on entry, from a
//! counter global it adds (`counter += 1; inv = counter`), and writes it into the slot right
//! before each of those two calls:
//!
//! ```text
//!   ;; [..., slot]                 ;; [..., slot]
//!   call $__wasm_setjmp      =>    local.tee $tmp  local.get $inv  i32.store  local.get $tmp
//!                                  call $__wasm_setjmp
//! ```
//!
//! The runtime records the slot's serial in the `jmp_buf` and checks it when jumping and testing.
//! Under Asyncify the entry code is skipped while a frame is rewound, and `$inv` is restored with
//! the frame's other locals, so a rewound invocation keeps its serial.

use walrus::ir::{BinaryOp, Binop, Block, Call, Const, GlobalGet, GlobalSet, IfElse, Instr, InstrLocId, InstrSeqId, LegacyCatch, LocalGet, LocalTee, Loop, MemArg, Store, StoreKind, Try, TryTable, Value};
use walrus::{ConstExpr, FunctionId, FunctionKind, LocalFunction, Module, ValType};

/// Rewrites `module` as described in the module documentation. Functions are found by name (the
/// `name` section, which wasm-ld writes unless told to strip): a module with no `__wasm_setjmp`
/// by that name is left untouched. Returns the number of functions rewritten.
pub fn add(module: &mut Module) -> usize {
    let targets: Vec<FunctionId> =
        ["__wasm_setjmp", "__wasm_setjmp_test"].iter().filter_map(|n| module.funcs.by_name(n)).collect();
    if targets.is_empty() {
        return 0;
    }
    let Some(memory) = module.memories.iter().next().map(|m| m.id()) else { return 0 };
    let callers: Vec<FunctionId> = module
        .funcs
        .iter_local()
        .filter(|(_, f)| sequences(f).into_iter().any(|s| f.block(s).instrs.iter().any(|(i, _)| calls_any(i, &targets))))
        .map(|(id, _)| id)
        .collect();
    if callers.is_empty() {
        return 0;
    }
    let counter = module.globals.add_local(ValType::I32, true, false, ConstExpr::Value(Value::I32(0)));
    for &id in &callers {
        let inv = module.locals.add(ValType::I32);
        let tmp = module.locals.add(ValType::I32);
        let FunctionKind::Local(f) = &mut module.funcs.get_mut(id).kind else { continue };
        for seq in sequences(f) {
            let old = std::mem::take(&mut f.block_mut(seq).instrs);
            let mut new = Vec::with_capacity(old.len() + 8);
            for (instr, loc) in old {
                if calls_any(&instr, &targets) {
                    new.extend([
                        (Instr::LocalTee(LocalTee { local: tmp }), loc),
                        (Instr::LocalGet(LocalGet { local: inv }), loc),
                        (Instr::Store(Store { memory, kind: StoreKind::I32 { atomic: false }, arg: MemArg { align: 4, offset: 0 } }), loc),
                        (Instr::LocalGet(LocalGet { local: tmp }), loc),
                    ]);
                }
                new.push((instr, loc));
            }
            f.block_mut(seq).instrs = new;
        }
        let entry = f.entry_block();
        let loc = InstrLocId::default();
        let prologue = [
            (Instr::GlobalGet(GlobalGet { global: counter }), loc),
            (Instr::Const(Const { value: Value::I32(1) }), loc),
            (Instr::Binop(Binop { op: BinaryOp::I32Add }), loc),
            (Instr::LocalTee(LocalTee { local: inv }), loc),
            (Instr::GlobalSet(GlobalSet { global: counter }), loc),
        ];
        f.block_mut(entry).instrs.splice(0..0, prologue);
    }
    callers.len()
}

/// Whether `instr` is a direct call to one of `targets`.
fn calls_any(instr: &Instr, targets: &[FunctionId]) -> bool {
    matches!(instr, Instr::Call(Call { func }) if targets.contains(func))
}

/// Every instruction sequence of `f` (its body and all nested blocks).
pub(crate) fn sequences(f: &LocalFunction) -> Vec<InstrSeqId> {
    let mut all = Vec::new();
    let mut stack = vec![f.entry_block()];
    while let Some(id) = stack.pop() {
        all.push(id);
        for (instr, _) in &f.block(id).instrs {
            match instr {
                Instr::Block(Block { seq }) | Instr::Loop(Loop { seq }) | Instr::TryTable(TryTable { seq, .. }) => stack.push(*seq),
                Instr::IfElse(IfElse { consequent, alternative }) => stack.extend([*consequent, *alternative]),
                Instr::Try(Try { seq, catches }) => {
                    stack.push(*seq);
                    stack.extend(catches.iter().filter_map(|c| match c {
                        LegacyCatch::Catch { handler, .. } | LegacyCatch::CatchAll { handler } => Some(*handler),
                        _ => None,
                    }));
                }
                _ => {}
            }
        }
    }
    all
}
