//! setjmp by capture (`asyncify-cc --asyncify-sjlj=capture`): every `setjmp` saves the whole
//! call chain; `longjmp` rewinds it. C11 7.13, POSIX `_setjmp`, `sigsetjmp`.
//!
//! **setjmp(env)** is an Asyncify leaf. Called normally, it unwinds the running chain to the root,
//! whose arrive step ([`arrive_capture`]) places the saved frames as a capture directly below
//! the stack pointer of setjmp's caller ([`crate::core::capture`]), records it in `env`, lowers
//! the stack pointer below the frames and rewinds them at once; re-entered by that rewind (or by
//! a later longjmp's), setjmp stops the rewind and returns the value the root left. The frames are
//! freed with the frame that called setjmp. Re-arming the same `env` from the same stack position
//! replaces its previous capture in place when that is provably still the caller's, so loops of
//! round trips run in constant stack.
//!
//! **longjmp(env, val)** on a `jmp_buf` set this way ([`jump`], reached through
//! [`crate::longjmp`]) validates `env` while the stack is intact (set in this context? its caller
//! still live? frames intact, by checksum?), then unwinds the current chain into scratch space
//! that the root discards ([`arrive_jump`]) before rewinding `env`'s frames with the stack
//! pointer setjmp's caller had after the capture. Misuse is reported through
//! [`crate::core::diag`].

use crate::core::capture::{self, Chain, RECORD_SIZE};
use crate::core::diag::{self, Misuse, Subject};
use crate::core::globals::Global;
use crate::core::leaf;
use crate::core::root::{self, Activation};
use crate::core::stack::Header;
use crate::ffi::JmpBuf;

/// `__magic` of a `jmp_buf` filled in by a capture ("SJC1").
pub const MAGIC_CAPTURE: u32 = 0x534a_4331;

/// The capture asked for by the setjmp whose unwind is in flight.
#[derive(Clone, Copy)]
struct PendingCapture {
    env: *mut JmpBuf,
    /// The caller's stack pointer.
    sp_now: usize,
    /// Whether `env`'s previous capture may be replaced in place (see [`capture::reusable`]).
    reuse: bool,
    /// The caller's frame address (0: unknown).
    frame: usize,
}

static PENDING_CAPTURE: Global<PendingCapture> =
    Global::new(PendingCapture { env: core::ptr::null_mut(), sp_now: 0, reuse: false, frame: 0 });

/// The `jmp_buf` of the jump in flight.
static PENDING_JUMP: Global<*mut JmpBuf> = Global::new(core::ptr::null_mut());

/// The capture recorded in `e`.
fn chain_of(e: &JmpBuf) -> Chain {
    Chain { base: e.__data_base, top: e.__data_top, sum: e.__sum, id: e.__id }
}

/// The common body of `setjmp`, `_setjmp`, `sigsetjmp` and `__asyncify_rt_setjmp`; inlined so
/// that each of them calls the Asyncify imports directly (making each an Asyncify leaf).
///
/// # Safety
/// `env` must point to a writable `jmp_buf`; called only as the body of a leaf.
#[inline(always)]
unsafe fn setjmp_body(env: *mut JmpBuf, frame: usize) -> i32 {
    if let Some(v) = leaf::resumed() {
        return v;
    }
    let (h, sp_now) = leaf::checked_sp("setjmp");
    let e = &*env;
    let reuse = e.__magic == MAGIC_CAPTURE
        && e.__stack as usize == h as usize
        && capture::reusable(e.__data_base, e.__data_top, e.__sum, e.__id, env as usize, sp_now, e.__aux[0] as usize == frame, h as usize);
    PENDING_CAPTURE.write(PendingCapture { env, sp_now, reuse, frame });
    leaf::begin_unwind(arrive_capture, h, sp_now - RECORD_SIZE);
    0
}

/// The root's step for a setjmp's unwind: place the capture, record it in the `jmp_buf`, rewind
/// it at once (setjmp returns 0).
///
/// # Safety
/// See [`root::Arrive`].
unsafe fn arrive_capture(h: *mut Header) -> Activation {
    let p = PENDING_CAPTURE.read();
    let e = p.env;
    let c = capture::place_replacing(e as usize, p.sp_now, p.reuse, chain_of(&*e), h);
    (*e).__magic = MAGIC_CAPTURE;
    (*e).__stack = h as u32;
    (*e).__data_base = c.base;
    (*e).__data_top = c.top;
    (*e).__sum = c.sum;
    (*e).__id = c.id;
    (*e).__aux = [p.frame as u32, 0];
    root::set_resume_value(0);
    Activation { header: h, sp: c.resume_sp(), rewind: true }
}

/// `__asyncify_rt_setjmp` (the target of the `setjmp`, `_setjmp` and `sigsetjmp` macros of
/// `include/setjmp.h` in capture mode): as [`setjmp`]. `frame` is the caller's
/// `__builtin_frame_address(0)`: computing it makes clang restore the caller's stack pointer on
/// return, which frees the saved frames; the runtime records it to recognise a capture it may
/// replace in place.
///
/// # Safety
/// `env` must point to a writable `jmp_buf`.
#[no_mangle]
pub unsafe extern "C" fn __asyncify_rt_setjmp(env: *mut JmpBuf, frame: *mut u8) -> i32 {
    setjmp_body(env, frame as usize)
}

/// `setjmp` (C11 7.13.1.1); contract in `include/setjmp.h`. Reached by code compiled in capture
/// mode after `#undef setjmp`, or through a pointer.
///
/// # Safety
/// `env` must point to a writable `jmp_buf`.
#[no_mangle]
pub unsafe extern "C" fn setjmp(env: *mut JmpBuf) -> i32 {
    setjmp_body(env, 0)
}

/// `_setjmp` (POSIX); as [`setjmp`] (WASI has no signal mask).
///
/// # Safety
/// As [`setjmp`].
#[no_mangle]
pub unsafe extern "C" fn _setjmp(env: *mut JmpBuf) -> i32 {
    setjmp_body(env, 0)
}

/// `sigsetjmp` (POSIX); as [`setjmp`], `savemask` ignored (WASI has no signals).
///
/// # Safety
/// As [`setjmp`].
#[no_mangle]
pub unsafe extern "C" fn sigsetjmp(env: *mut JmpBuf, _savemask: i32) -> i32 {
    setjmp_body(env, 0)
}

/// Checks that the capture-mode `env` may be jumped to from the running stack `h` with stack
/// pointer `sp_now`; reports misuse (for the C function `what`) otherwise. Out of line, scalar
/// arguments only, so the leaves stay frameless.
///
/// # Safety
/// `env` must be readable; `h` the running stack's header.
#[inline(never)]
unsafe fn validate(env: *mut JmpBuf, h: usize, sp_now: usize, what: &'static str) {
    let e = &*env;
    let bad = |m: Misuse| -> ! { diag::report(m, what, Subject::JmpBuf(env as usize)) };
    if e.__stack as usize != h {
        bad(Misuse::JmpBufForeign);
    }
    if (e.__data_base as usize) < sp_now {
        bad(Misuse::JmpBufBelowSp);
    }
    if !capture::intact(&chain_of(e), env as usize, h as *const Header) {
        bad(Misuse::JmpBufOverwritten);
    }
}

/// A jump to the capture-mode `env` (its magic already checked by the caller): validates it,
/// records `val` (0 becomes 1) and starts the unwind that [`arrive_jump`] completes. Inlined into
/// the longjmp leaves so each calls `asyncify.start_unwind` directly.
///
/// # Safety
/// Only in a longjmp leaf, with `(h, sp_now)` from [`leaf::checked_sp`]; the leaf must return
/// right after.
#[inline(always)]
pub unsafe fn jump(env: *mut JmpBuf, val: i32, h: *mut Header, sp_now: usize, what: &'static str) {
    validate(env, h as usize, sp_now, what);
    root::set_resume_value(if val == 0 { 1 } else { val });
    PENDING_JUMP.write(env);
    leaf::begin_unwind(arrive_jump, h, sp_now);
}

/// The root's step for a capture-mode longjmp: discard the unwound frames and rewind `env`'s.
///
/// Binaryen saves a fixed set of locals per function, so a legal jump's unwound chain holds every
/// frame of the capture (the frames from the root down to setjmp's caller, which is still
/// running) and is at least as large as the capture. A smaller chain means setjmp's caller has
/// returned, which the stack-pointer test in [`validate`] misses when that caller restored no
/// stack pointer.
///
/// # Safety
/// See [`root::Arrive`].
unsafe fn arrive_jump(h: *mut Header) -> Activation {
    let env = PENDING_JUMP.read();
    let c = chain_of(&*env);
    if (*h).data.current - (*h).low < c.size() {
        diag::report(Misuse::JmpBufNotInChain, "longjmp", Subject::JmpBuf(env as usize));
    }
    Header::rewind_buffer(h, c.top as usize);
    Activation { header: h, sp: c.resume_sp(), rewind: true }
}
