//! `setjmp`/`longjmp` by capture (C11 7.13, POSIX `_setjmp`, `sigsetjmp`).
//!
//! **setjmp(env)** is an Asyncify leaf. Called normally, it asks the root for a [`Op::Capture`]
//! and unwinds into the free space of the running stack. The root ([`crate::capture::place`])
//! moves the saved frames to end directly below `top` (the stack pointer of setjmp's caller),
//! writes a validity record between them and `top`, fills in `env`, lowers the stack pointer
//! below the frames and rewinds them. Re-entered by that rewind (or by a later longjmp's rewind), setjmp stops the
//! rewind and returns the value the root left in [`State::resume`](crate::root::State).
//!
//! ```text
//!   higher addresses
//!   | caller frames ... setjmp's caller |  <- top (stack pointer when setjmp was called)
//!   | Record {magic, env, id, size}     |  16 bytes
//!   | saved frames (Asyncify data)      |  <- env.__data_top: where a rewind starts reading
//!   |                                   |  <- env.__data_base; stack pointer after setjmp
//!   | frames of later calls ...         |
//! ```
//!
//! The saved frames are freed with the frame that called setjmp, like any stack allocation. When
//! setjmp is called again on the same `env` from the same stack position (a loop of
//! setjmp/longjmp round trips, or a handler re-armed in the same function), the previous capture
//! is the lowest thing on the stack and is overwritten in place, so such loops run in constant
//! stack.
//!
//! **longjmp(env, val)** is also a leaf. It validates `env` (set by setjmp? in this context? its
//! caller still live? saved frames intact, by checksum?), records `val` (0 becomes 1) and unwinds
//! the current chain into scratch space, discarded at the root, which then rewinds `env`'s frames
//! with the stack pointer setjmp's caller had after the capture.
//!
//! Misuse ends the program through [`crate::diag::fatal`] with the statuses of
//! `include/asyncify_rt.h`.

use crate::capture::{self, Chain, RECORD_SIZE};
use crate::diag::{self, Part};
use crate::ffi::{self, Status};
use crate::root::{self, Op, Owner};
use crate::stack::Header;

/// The C `struct __jmp_buf_tag` (from `include/setjmp.h` via bindgen).
pub type JmpBuf = ffi::__jmp_buf_tag;

/// `__magic` of a `jmp_buf` filled in by a capture ("SJC1").
pub const MAGIC_CAPTURE: u32 = 0x534a_4331;

/// The capture recorded in `e`.
pub fn chain_of(e: &JmpBuf) -> Chain {
    Chain { base: e.__data_base, top: e.__data_top, sum: e.__sum, id: e.__id }
}

/// Records capture `c` of stack `h` in `e`.
pub fn set_chain(e: &mut JmpBuf, c: Chain, h: &Header) {
    e.__magic = MAGIC_CAPTURE;
    e.__ctx = h.ctx as u32;
    e.__data_base = c.base;
    e.__data_top = c.top;
    e.__sum = c.sum;
    e.__id = c.id;
}

/// The common body of `setjmp`, `_setjmp`, `sigsetjmp` and `__asyncify_rt_setjmp`; inlined so
/// that each of them calls the Asyncify imports directly (making each an Asyncify leaf).
#[inline(always)]
unsafe fn setjmp_body(env: *mut JmpBuf) -> i32 {
    if let Some(v) = capture::resumed() {
        return v;
    }
    let (h, sp_now) = capture::leaf_sp("setjmp");
    let e = &*env;
    let top = if e.__magic == MAGIC_CAPTURE && e.__ctx as usize == h.ctx {
        capture::capture_top(e.__data_base, e.__data_top, e.__id, env as usize, sp_now, h)
    } else {
        sp_now
    };
    capture::begin_unwind(Op::Capture { owner: Owner::Jmp(env), top }, h, sp_now - RECORD_SIZE);
    0
}

/// `__asyncify_rt_setjmp` (the target of the `setjmp`, `_setjmp` and `sigsetjmp` macros of
/// `include/setjmp.h`): as [`setjmp`]. `_frame` is the caller's `__builtin_frame_address(0)`;
/// the runtime does not need its value: computing it is what makes clang restore the caller's
/// stack pointer on return, which frees the saved frames (see the header).
#[no_mangle]
pub unsafe extern "C" fn __asyncify_rt_setjmp(env: *mut JmpBuf, _frame: *mut u8) -> i32 {
    setjmp_body(env)
}

/// `setjmp` (C11 7.13.1.1); contract in `include/setjmp.h`.
#[no_mangle]
pub unsafe extern "C" fn setjmp(env: *mut JmpBuf) -> i32 {
    setjmp_body(env)
}

/// `_setjmp` (POSIX); as [`setjmp`] (WASI has no signal mask).
#[no_mangle]
pub unsafe extern "C" fn _setjmp(env: *mut JmpBuf) -> i32 {
    setjmp_body(env)
}

/// `sigsetjmp` (POSIX); as [`setjmp`], `savemask` ignored (WASI has no signals).
#[no_mangle]
pub unsafe extern "C" fn sigsetjmp(env: *mut JmpBuf, _savemask: i32) -> i32 {
    setjmp_body(env)
}

/// Checks that `env` may be jumped to from the running stack `h` with stack pointer `sp_now`;
/// exits with a diagnosis otherwise.
#[inline(never)]
unsafe fn validate(env: *mut JmpBuf, h: &Header, sp_now: usize, what: &str) {
    let bad = |status: Status, why: &str| -> ! {
        diag::fatal(status, &[Part::Str(what), Part::Str(": jmp_buf "), Part::Addr(env as usize), Part::Str(why)])
    };
    if env.is_null() {
        bad(ffi::ASYNCIFY_RT_STATUS_BAD_JMPBUF, " is a null pointer");
    }
    let e = &*env;
    if e.__magic != MAGIC_CAPTURE {
        bad(ffi::ASYNCIFY_RT_STATUS_BAD_JMPBUF, " was never set by setjmp (or has been overwritten)");
    }
    if e.__ctx as usize != h.ctx {
        bad(ffi::ASYNCIFY_RT_STATUS_FOREIGN_JMPBUF, " was set by setjmp in a different context (ucontext) than the running one");
    }
    if (e.__data_base as usize) < sp_now {
        bad(ffi::ASYNCIFY_RT_STATUS_DEAD_JMPBUF, ": the function that called setjmp on it has returned (its saved frames are below the stack pointer)");
    }
    if !capture::intact(&chain_of(e), env as usize, h) {
        bad(ffi::ASYNCIFY_RT_STATUS_DEAD_JMPBUF, ": the function that called setjmp on it has returned (its saved frames were overwritten)");
    }
}

/// Called by the root for [`Op::Jump`] with the size of the chain that longjmp's unwind saved.
/// Binaryen saves a fixed set of locals per function, so a legal jump's chain holds every frame of
/// the capture (the frames from the root down to setjmp's caller, which is still running) and is
/// at least as large as the capture. A smaller chain means setjmp's caller has returned, which the
/// stack-pointer check in [`validate`] misses when that caller restored no stack pointer.
pub unsafe fn check_jump_chain(env: *mut JmpBuf, chain_size: usize) {
    let e = &*env;
    let captured = (e.__data_top - e.__data_base) as usize;
    if chain_size < captured {
        diag::fatal(
            ffi::ASYNCIFY_RT_STATUS_DEAD_JMPBUF,
            &[
                Part::Str("longjmp: jmp_buf "),
                Part::Addr(env as usize),
                Part::Str(": the function that called setjmp on it has returned (the running call chain no longer contains it)"),
            ],
        );
    }
}

/// The common body of `longjmp`, `_longjmp`, `siglongjmp` and `emscripten_longjmp`; inlined so
/// that each calls `asyncify.start_unwind` directly. Returns into an unwind: its callers store
/// their frames and return up to the root, which rewinds `env`'s frames; or, for a `jmp_buf` set
/// by LLVM's lowering, up to the first `invoke_*` wrapper (see [`crate::lowered`]).
#[inline(always)]
pub unsafe fn longjmp_body(env: *mut JmpBuf, val: i32) {
    let (h, sp_now) = capture::leaf_sp("longjmp");
    if !env.is_null() && (*env).__magic == crate::lowered::MAGIC_LOWERED {
        crate::lowered::lowered_jump(env, val, h, sp_now);
        return;
    }
    validate(env, h, sp_now, "longjmp");
    (*root::state()).resume = if val == 0 { 1 } else { val };
    capture::begin_unwind(Op::Jump { env }, h, sp_now);
}

/// `longjmp` (C11 7.13.2.1); contract in `include/setjmp.h`. Declared `_Noreturn` in C: it does
/// return, but into an Asyncify unwind, so its caller never resumes at the call.
#[no_mangle]
pub unsafe extern "C" fn longjmp(env: *mut JmpBuf, val: i32) {
    longjmp_body(env, val)
}

/// `_longjmp` (POSIX); as [`longjmp`].
#[no_mangle]
pub unsafe extern "C" fn _longjmp(env: *mut JmpBuf, val: i32) {
    longjmp_body(env, val)
}

/// `siglongjmp` (POSIX); as [`longjmp`], no signal mask restored.
#[no_mangle]
pub unsafe extern "C" fn siglongjmp(env: *mut JmpBuf, val: i32) {
    longjmp_body(env, val)
}
