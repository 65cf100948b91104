//! `longjmp`, `_longjmp`, `siglongjmp` and `emscripten_longjmp`: the one place that dispatches a
//! jump on the strategy that set its `jmp_buf` (C11 7.13.2.1, POSIX).
//!
//! A `jmp_buf`'s `__magic` says which strategy set it, so objects compiled either way link and
//! jump into each other: [`setjmp_capture::jump`] rewinds a saved chain,
//! [`setjmp_lowered::jump`] unwinds to the `invoke_*` wrapper of the function that set it. Each
//! entry point is an Asyncify leaf (the body is inlined so that each calls
//! `asyncify.start_unwind` directly). Declared `_Noreturn` in C: they do return, but into an
//! Asyncify unwind, so the caller never resumes at the call.

use crate::core::diag::{self, Misuse, Subject};
use crate::core::leaf;
use crate::ffi::JmpBuf;
use crate::setjmp_capture::{self, MAGIC_CAPTURE};
use crate::setjmp_lowered::{self, MAGIC_LOWERED};

/// The common body of the jump entry points, for the C function `what`.
///
/// # Safety
/// Only as the body of a leaf; `env` must be null or readable.
#[inline(always)]
unsafe fn longjmp_body(env: *mut JmpBuf, val: i32, what: &'static str) {
    let (h, sp_now) = leaf::checked_sp(what);
    if env.is_null() {
        refuse(Misuse::JmpBufNull, what, env);
    }
    match (*env).__magic {
        MAGIC_LOWERED => setjmp_lowered::jump(env, val, h, sp_now, what),
        MAGIC_CAPTURE => setjmp_capture::jump(env, val, h, sp_now, what),
        _ => refuse(Misuse::JmpBufNeverSet, what, env),
    }
}

#[cold]
#[inline(never)]
fn refuse(m: Misuse, what: &'static str, env: *mut JmpBuf) -> ! {
    diag::report(m, what, Subject::JmpBuf(env as usize))
}

/// `longjmp` (C11 7.13.2.1); contract in `include/setjmp.h`.
///
/// # Safety
/// `env` must be null or point to a readable `jmp_buf` (anything else is diagnosed).
#[no_mangle]
pub unsafe extern "C" fn longjmp(env: *mut JmpBuf, val: i32) {
    longjmp_body(env, val, "longjmp")
}

/// `_longjmp` (POSIX); as [`longjmp`].
///
/// # Safety
/// As [`longjmp`].
#[no_mangle]
pub unsafe extern "C" fn _longjmp(env: *mut JmpBuf, val: i32) {
    longjmp_body(env, val, "longjmp")
}

/// `siglongjmp` (POSIX); as [`longjmp`], no signal mask restored (WASI has no signals).
///
/// # Safety
/// As [`longjmp`].
#[no_mangle]
pub unsafe extern "C" fn siglongjmp(env: *mut JmpBuf, val: i32) {
    longjmp_body(env, val, "longjmp")
}

/// `emscripten_longjmp(env, val)`: what a lowered `longjmp(env, val)` calls, and what lowered code
/// calls to re-raise a jump meant for a function further up (LLVM's protocol); as [`longjmp`].
///
/// # Safety
/// As [`longjmp`].
#[no_mangle]
pub unsafe extern "C" fn emscripten_longjmp(env: *mut JmpBuf, val: i32) {
    longjmp_body(env, val, "longjmp")
}
