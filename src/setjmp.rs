//! `setjmp`/`longjmp` by capture (C11 7.13, POSIX `_setjmp`, `sigsetjmp`).
//!
//! **setjmp(env)** is an Asyncify leaf. Called normally, it asks the root for a [`Op::Capture`]
//! and unwinds into the free space of the running stack. The root ([`place_capture`]) moves the
//! saved frames to end directly below `top` (the stack pointer of setjmp's caller), writes a
//! [`Record`] between them and `top`, fills in `env`, lowers the stack pointer below the frames
//! and rewinds them. Re-entered by that rewind (or by a later longjmp's rewind), setjmp stops the
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

use crate::asyncify;
use crate::diag::{self, Part};
use crate::ffi::{self, Status};
use crate::mode::{self, Mode};
use crate::root::{self, Op};
use crate::sp;
use crate::stack::{self, Header};

/// The C `struct __jmp_buf_tag` (from `include/setjmp.h` via bindgen).
pub type JmpBuf = ffi::__jmp_buf_tag;

/// `__magic` of a `jmp_buf` filled in by a capture ("SJC1").
pub const MAGIC_CAPTURE: u32 = 0x534a_4331;
/// `magic` of a [`Record`] ("SJR1").
pub const MAGIC_RECORD: u32 = 0x534a_5231;

/// The 16-byte validity record written between a capture's saved frames and its `top`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Record {
    /// [`MAGIC_RECORD`].
    pub magic: u32,
    /// Address of the `jmp_buf` this capture belongs to.
    pub env: u32,
    /// Identity shared with `jmp_buf.__id`.
    pub id: u32,
    /// Size in bytes of the saved frames below the record.
    pub size: u32,
}

/// Size of a [`Record`].
pub const RECORD_SIZE: usize = core::mem::size_of::<Record>();

/// The header of the running stack, or a diagnosed exit when the root is not running (setjmp or
/// longjmp called from a constructor, or from an atexit handler after `main` returned).
#[inline(always)]
fn running_header(what: &'static str) -> *mut Header {
    let h = stack::current();
    if h.is_null() {
        no_root(what);
    }
    h
}

/// Out of line so that the leaves themselves need no shadow-stack frame (their stack pointer
/// must be their caller's).
#[cold]
#[inline(never)]
fn no_root(what: &'static str) -> ! {
    diag::fatal(
        ffi::ASYNCIFY_RT_STATUS_NO_ROOT,
        &[Part::Str(what), Part::Str(": called outside main's call tree (from a constructor, or after main returned); asyncify-rt can only save frames under main")],
    )
}

/// The common body of `setjmp`, `_setjmp` and `sigsetjmp`; inlined so that each of them calls
/// the Asyncify imports directly (making each an Asyncify leaf).
#[inline(always)]
unsafe fn setjmp_body(env: *mut JmpBuf) -> i32 {
    if mode::get() == Mode::Rewinding {
        asyncify::stop_rewind();
        mode::set(Mode::Normal);
        return (*root::state()).resume;
    }
    let h = &mut *running_header("setjmp");
    let sp_now = sp::align_down(sp::get());
    if sp_now < h.low + MIN_FREE {
        no_free_space(h, sp_now);
    }
    let top = reusable_top(env, sp_now, h).unwrap_or(sp_now);
    (*root::state()).op = Op::Capture { env, top };
    mode::set(Mode::Unwinding);
    asyncify::start_unwind(h.unwind_buffer(sp_now - RECORD_SIZE));
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

/// Free bytes an unwind needs at the very least (a validity record and one frame).
const MIN_FREE: usize = RECORD_SIZE + 16;

/// Reports a stack with (almost) no free space left below the stack pointer; out of line so that
/// the leaves need no shadow-stack frame.
#[cold]
#[inline(never)]
fn no_free_space(h: &Header, sp_now: usize) -> ! {
    let t = stack::EXHAUSTED_TEXT;
    let trim = |s: &'static str| s.strip_prefix("asyncify-rt: ").unwrap_or(s).trim_end_matches('\n');
    diag::fatal(
        ffi::ASYNCIFY_RT_STATUS_STACK_EXHAUSTED,
        &[Part::Str(trim(t[0])), Part::Num(MIN_FREE), Part::Str(t[1]), Part::Num(sp_now.saturating_sub(h.low)), Part::Str(trim(t[2]))],
    )
}

/// If `env` holds the lowest capture on the stack (its saved frames begin exactly at the stack
/// pointer and its record is intact), returns the `top` it was placed under, so the new capture
/// replaces it instead of stacking below it.
unsafe fn reusable_top(env: *mut JmpBuf, sp_now: usize, h: &Header) -> Option<usize> {
    let e = &*env;
    if e.__magic != MAGIC_CAPTURE || e.__ctx as usize != h.ctx {
        return None;
    }
    if sp::align_down(e.__data_base as usize) != sp_now {
        return None;
    }
    let rec = record_of(e, h)?;
    if rec.magic != MAGIC_RECORD || rec.env as usize != env as usize || rec.id != e.__id {
        return None;
    }
    Some(e.__data_top as usize + RECORD_SIZE)
}

/// The record of `e`'s capture, if its address lies inside the stack `h`.
unsafe fn record_of(e: &JmpBuf, h: &Header) -> Option<Record> {
    let at = e.__data_top as usize;
    let base = e.__data_base as usize;
    if base < h.low || base > at || at % 4 != 0 || at + RECORD_SIZE > h.high {
        return None;
    }
    Some(*(at as *const Record))
}

/// A 32-bit FNV-1a hash of the words of `[base, base + size)`; detects saved frames that were
/// overwritten after their function returned.
unsafe fn checksum(base: usize, size: usize) -> u32 {
    let mut hash: u32 = 0x811c_9dc5 ^ size as u32;
    let words = base as *const u32;
    for i in 0..size / 4 {
        hash = (hash ^ words.add(i).read_unaligned()).wrapping_mul(0x0100_0193);
    }
    hash
}

/// Called by the root for [`Op::Capture`]: moves the unwound frames from the bottom of the free
/// space to end just below `top - RECORD_SIZE`, writes the record, fills in `env`, prepares the
/// rewind of the frames and returns the stack pointer to run them with (below the frames).
pub unsafe fn place_capture(env: *mut JmpBuf, top: usize, h: &mut Header) -> usize {
    let size = h.data.current - h.low;
    let data_top = top - RECORD_SIZE;
    let base = data_top - size;
    core::ptr::copy(h.low as *const u8, base as *mut u8, size);
    let st = &mut *root::state();
    let id = st.next_id ^ ((env as u32) << 12);
    st.next_id = st.next_id.wrapping_add(1);
    *(data_top as *mut Record) = Record { magic: MAGIC_RECORD, env: env as u32, id, size: size as u32 };
    let e = &mut *env;
    e.__magic = MAGIC_CAPTURE;
    e.__ctx = h.ctx as u32;
    e.__data_base = base as u32;
    e.__data_top = data_top as u32;
    e.__sum = checksum(base, size);
    e.__id = id;
    st.resume = 0;
    h.rewind_buffer(data_top);
    sp::align_down(base)
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
    let intact = match record_of(e, h) {
        Some(r) => {
            r.magic == MAGIC_RECORD
                && r.env as usize == env as usize
                && r.id == e.__id
                && r.size == e.__data_top - e.__data_base
                && checksum(e.__data_base as usize, r.size as usize) == e.__sum
        }
        None => false,
    };
    if !intact {
        bad(ffi::ASYNCIFY_RT_STATUS_DEAD_JMPBUF, ": the function that called setjmp on it has returned (its saved frames were overwritten)");
    }
}

/// Called by the root for [`Op::Jump`] with the size of the chain that longjmp's unwind saved.
/// Binaryen saves a fixed set of locals per function, so a legal jump's chain holds every frame of
/// the capture (the frames from the root down to setjmp's caller, which is still running) and is
/// at least as large as the capture. A smaller chain means setjmp's caller has returned, which the
/// stack-pointer check in [`validate`] misses when that caller had no shadow-stack frame of its
/// own (its return does not raise the stack pointer).
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

/// The common body of `longjmp`, `_longjmp` and `siglongjmp`; inlined so that each calls
/// `asyncify.start_unwind` directly. Returns into an unwind: its callers store their frames and
/// return up to the root, which rewinds `env`'s frames.
#[inline(always)]
unsafe fn longjmp_body(env: *mut JmpBuf, val: i32) {
    let h = &mut *running_header("longjmp");
    let sp_now = sp::align_down(sp::get());
    if sp_now < h.low + MIN_FREE {
        no_free_space(h, sp_now);
    }
    validate(env, h, sp_now, "longjmp");
    let st = &mut *root::state();
    st.resume = if val == 0 { 1 } else { val };
    st.op = Op::Jump { env };
    mode::set(Mode::Unwinding);
    asyncify::start_unwind(h.unwind_buffer(sp_now));
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
