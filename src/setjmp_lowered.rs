//! O(1) setjmp (asyncify-cc's default): the runtime side of LLVM's setjmp lowering
//! (`clang -mllvm -enable-emscripten-sjlj`), with Asyncify used only to unwind the frames a
//! longjmp abandons. ARCHITECTURE.md tells the protocol; this module implements its runtime
//! functions and data symbols, whose names LLVM's lowering and the generated `invoke_*` wrappers
//! (`asyncify-cc/invoke.rs`) use:
//!
//! * [`__wasm_setjmp`] records in the `jmp_buf` the label to continue at and the invocation (the
//!   address of a slot in the calling function's frame): constant cost, no frames saved.
//! * A jump ([`jump`], reached through [`crate::longjmp`]) starts an Asyncify unwind into the free
//!   stack and sets [`__asyncify_rt_jumping`]. The first `invoke_*` wrapper up the chain sees the
//!   flag, calls [`asyncify_rt_invoke_unwound`], cancels the unwind, calls
//!   [`asyncify_rt_invoke_catch`] (which reports the jump through [`__THREW__`] and
//!   [`__threwValue`]) and restores its entry stack pointer. The lowered code then asks
//!   [`__wasm_setjmp_test`] whether the jump is its own and re-raises it with
//!   `emscripten_longjmp` otherwise.
//! * A jump that no wrapper catches reaches the root ([`arrive_uncaught`]): misuse.
//!
//! **Returned functions.** LLVM identifies an invocation by the address of a slot in its frame, so
//! after the function that set a `jmp_buf` returns, another function with a setjmp may have its
//! slot at the same address and would catch a jump meant for the dead one. `asyncify-cc` closes
//! this by rewriting the linked module (`asyncify-cc/serials.rs`): each function that calls
//! `__wasm_setjmp` takes a fresh serial on entry and writes it into its slot before each call to
//! `__wasm_setjmp` and `__wasm_setjmp_test`. [`__wasm_setjmp`] records the slot's serial in the
//! `jmp_buf`; a jump whose slot no longer holds it is diagnosed ([`Misuse::JmpBufSlotReused`]),
//! and a function other than the one that set it never catches it. In code not so rewritten the
//! slot holds whatever it held, which nothing changes while the invocation lives, so the checks
//! never reject a legal jump there (and detect less).

use crate::core::diag::{self, Misuse, Subject};
use crate::core::globals::{self, Global, Mode};
use crate::core::leaf;
use crate::core::root::{self, Activation};
use crate::core::stack::{self, Header};
use crate::ffi::JmpBuf;

/// `__magic` of a `jmp_buf` set by `__wasm_setjmp` ("SJL1").
pub const MAGIC_LOWERED: u32 = 0x534a_4c31;

/// `__THREW__` (LLVM's name, a C data symbol): set to the `jmp_buf` of a caught jump, read and
/// cleared by the lowered code after each `invoke_*` call.
#[no_mangle]
pub static __THREW__: Global<usize> = Global::new(0);

/// `__threwValue` (LLVM's name, a C data symbol): the value of the jump reported in
/// [`__THREW__`].
#[no_mangle]
pub static __threwValue: Global<i32> = Global::new(0);

/// `__asyncify_rt_jumping` (a C data symbol read by the generated `invoke_*` wrappers): nonzero
/// while a jump of the lowered protocol is unwinding toward the next wrapper.
#[no_mangle]
pub static __asyncify_rt_jumping: Global<i32> = Global::new(0);

/// A jump in flight: where to, the value, and (set by [`asyncify_rt_invoke_unwound`]) whether its
/// unwind overran the free stack: (bytes needed, bytes free, beyond the stack).
#[derive(Clone, Copy)]
struct Jump {
    env: usize,
    value: i32,
    overflow: Option<(usize, usize, bool)>,
}

static JUMP: Global<Jump> = Global::new(Jump { env: 0, value: 0, overflow: None });
static TEMP_RET0: Global<i32> = Global::new(0);

/// `setTempRet0(v)`: stores the high half of a multi-value return (LLVM's protocol).
#[no_mangle]
pub extern "C" fn setTempRet0(v: i32) {
    TEMP_RET0.write(v)
}

/// `getTempRet0()`: the value last stored by [`setTempRet0`].
#[no_mangle]
pub extern "C" fn getTempRet0() -> i32 {
    TEMP_RET0.read()
}

/// `__wasm_setjmp(env, label, invocation_id)`: what a lowered `setjmp(env)` calls (LLVM's
/// protocol). Records in `env` that the invocation `invocation_id` (the address of a 4-byte slot
/// in the calling function's frame, which LLVM allocates only for its address) continues at
/// `label` when jumped to, the running stack, and the serial the slot holds (written there by the
/// code asyncify-cc rewrote; in other code whatever the slot holds, which nothing changes while
/// the invocation lives). Constant cost; saves no frames.
///
/// # Safety
/// `env` must point to a writable `jmp_buf`, `invocation_id` to LLVM's slot (4 readable bytes of
/// the caller's frame).
#[no_mangle]
pub unsafe extern "C" fn __wasm_setjmp(env: *mut JmpBuf, label: u32, invocation_id: *mut u32) {
    let e = &mut *env;
    e.__magic = MAGIC_LOWERED;
    e.__stack = stack::current() as u32;
    e.__id = invocation_id.read();
    e.__aux = [label, invocation_id as u32];
}

/// `__wasm_setjmp_test(env, invocation_id)` (LLVM's protocol): the label to continue at if
/// `env` was set by this invocation (its slot is `invocation_id` and holds the serial `env`
/// recorded), else 0 (the jump is for a function further up).
///
/// # Safety
/// `env` must point to a readable `jmp_buf`, `invocation_id` to LLVM's slot.
#[no_mangle]
pub unsafe extern "C" fn __wasm_setjmp_test(env: *const JmpBuf, invocation_id: *const u32) -> u32 {
    let e = &*env;
    if e.__magic == MAGIC_LOWERED && e.__aux[1] == invocation_id as u32 && e.__id == invocation_id.read() {
        e.__aux[0]
    } else {
        0
    }
}

/// A jump to the lowered `env` (its magic already checked by the caller): validates it, records
/// it for the wrappers and starts the unwind. Inlined into the longjmp leaves so each calls
/// `asyncify.start_unwind` directly.
///
/// # Safety
/// Only in a longjmp leaf, with `(h, sp_now)` from [`leaf::checked_sp`]; the leaf must return
/// right after.
#[inline(always)]
pub unsafe fn jump(env: *mut JmpBuf, val: i32, h: *mut Header, sp_now: usize, what: &'static str) {
    validate(env, h as usize, sp_now, what);
    JUMP.write(Jump { env: env as usize, value: if val == 0 { 1 } else { val }, overflow: None });
    __asyncify_rt_jumping.write(1);
    leaf::begin_unwind(arrive_uncaught, h, sp_now);
}

/// Checks that the lowered `env` may be jumped to from the running stack `h` (stack pointer
/// `sp_now`); reports misuse for the C function `what` otherwise. Out of line, scalars only.
///
/// # Safety
/// `env` must be readable.
#[inline(never)]
unsafe fn validate(env: *mut JmpBuf, h: usize, sp_now: usize, what: &'static str) {
    let e = &*env;
    if e.__stack as usize != h {
        diag::report(Misuse::JmpBufForeign, what, Subject::JmpBuf(env as usize));
    }
    // The invocation slot lives in the frame of the function that called setjmp; a live frame is
    // at or above the stack pointer of any function it (indirectly) calls.
    let slot = e.__aux[1] as usize;
    if slot < sp_now {
        diag::report(Misuse::JmpBufBelowSp, what, Subject::JmpBuf(env as usize));
    }
    // The slot (live memory, just checked) must still hold the serial recorded by setjmp: nothing
    // but setjmp's caller (rewritten by asyncify-cc) writes it while that invocation lives.
    if (slot as *const u32).read() != e.__id {
        diag::report(Misuse::JmpBufSlotReused, what, Subject::JmpBuf(env as usize));
    }
}

/// Called by an `invoke_*` wrapper whose call returned with a jump in flight, while Binaryen's
/// state is still "unwinding": notes whether the unwind overran the free stack and clamps the
/// buffer so that cancelling it does not trap. Touches memory only (it must stay uninstrumented).
///
/// # Safety
/// Only from a generated wrapper, with a jump of this protocol in flight.
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_invoke_unwound() {
    let h = stack::current();
    let d = &mut (*h).data;
    if d.current > d.end {
        let overflow = (d.current - (*h).low, d.end - (*h).low, d.current > (*h).high);
        (*JUMP.get()).overflow = Some(overflow);
        d.current = d.end;
    }
}

/// Called by an `invoke_*` wrapper after it cancelled the unwind of a jump: ends the jump and
/// reports it to the lowered code through [`__THREW__`] and [`__threwValue`] (or reports an
/// overrun of the stack noted by [`asyncify_rt_invoke_unwound`]). The wrapper then restores its
/// entry stack pointer and returns.
///
/// # Safety
/// Only from a generated wrapper, after it cancelled the unwind.
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_invoke_catch() {
    let j = JUMP.read();
    __asyncify_rt_jumping.write(0);
    globals::set_mode(Mode::Normal);
    root::clear_request();
    if let Some((need, free, escaped)) = j.overflow {
        let m = if escaped { Misuse::StackOverrun } else { Misuse::StackOverflowed };
        diag::report_stack(m, stack::current(), need, free);
    }
    __THREW__.write(j.env);
    __threwValue.write(j.value);
}

/// The root's step when a jump of the lowered protocol reached it: no running function that
/// called setjmp on the `jmp_buf` caught it.
///
/// # Safety
/// See [`root::Arrive`].
unsafe fn arrive_uncaught(_h: *mut Header) -> Activation {
    __asyncify_rt_jumping.write(0);
    diag::report(Misuse::JmpBufUncaught, "longjmp", Subject::JmpBuf(JUMP.read().env))
}
