//! `<ucontext.h>`: getcontext, setcontext, makecontext, swapcontext (POSIX.1-2008 XSI, glibc
//! behaviour); contract in `include/ucontext.h`.
//!
//! * A **made** context runs on its `uc_stack`: [`asyncify_rt_makecontext`] writes a stack
//!   [`Header`] at the low end and copies the arguments to the top; the root starts it by calling
//!   the trampoline of `csrc/context.c` (which calls the function with the right number of `int`
//!   arguments) with the stack pointer just below the arguments.
//! * **Saving** a context (getcontext, the first half of swapcontext) is a capture like setjmp's
//!   (`crate::capture`): the frames go below the caller's stack pointer on the caller's own stack,
//!   and the `ucontext_t` records where, on which stack, and which chain bottom (main's entry or a
//!   made context's trampoline) the root must call to rewind them.
//! * **Resuming** a saved context rewinds its frames on its stack; resuming a made one starts it.
//!   When a made context's function returns, the root resumes `uc_link`, or exits with status 0.
//!
//! Leaves (`getcontext`, `swapcontext`, `setcontext`) validate their target *before* unwinding,
//! so misuse is reported with the stack intact.

use crate::capture::{self, Chain, RECORD_SIZE};
use crate::diag::{self, Part};
use crate::ffi;
use crate::root::{Activation, Op, Owner};
use crate::sp;
use crate::stack::{self, Header};

/// The C `ucontext_t` (from `include/ucontext.h` via bindgen).
pub type Ucontext = ffi::ucontext_t;

/// `__state`: holds a saved chain ("UCS1").
pub const STATE_SAVED: u32 = 0x5543_5331;
/// `__state`: made by makecontext, ready to start ("UCM1").
pub const STATE_MADE: u32 = 0x5543_4d31;
/// `__state`: makecontext rejected its stack or argc ("UCX1"); resuming it fails with EINVAL.
pub const STATE_INVALID: u32 = 0x5543_5831;
/// `__state`: its function returned ("UCF1").
pub const STATE_FINISHED: u32 = 0x5543_4631;
/// `__state`: a chain saved by swapcontext that has been resumed ("UCR1"). Such a chain is
/// resumed with the stack pointer above its saved copy, which frees it (so a context that keeps
/// yielding, from any call site, uses constant stack); it cannot be resumed a second time.
pub const STATE_CONSUMED: u32 = 0x5543_5231;

/// `__reserved[0]` of a saved context: saved by swapcontext (one-shot; see [`STATE_CONSUMED`]).
const KIND_SWITCH: u32 = 1;
/// `__reserved[0]` of a saved context: saved by getcontext (kept until its caller returns, so
/// it can be resumed any number of times).
const KIND_GET: u32 = 2;

extern "C" {
    /// Calls the made context's function with its arguments (`csrc/context.c`). Instrumented by
    /// Asyncify (it calls through a pointer), it is the bottom of every made context's chain.
    pub fn asyncify_rt_trampoline(ucp: *mut Ucontext);
    /// Sets `errno` to `EINVAL` and returns -1 (`csrc/context.c`; errno is libc's).
    fn asyncify_rt_einval() -> i32;
    fn exit(status: i32) -> !;
}

/// The saved chain recorded in `u`.
fn chain_of(u: &Ucontext) -> Chain {
    let m = &u.uc_mcontext;
    Chain { base: m.__data_base, top: m.__data_top, sum: m.__sum, id: m.__id }
}

/// Called by the root after a capture for `ucp`: records the saved chain `c` of stack `h`, whose
/// bottom is the made context `bottom` (null: main); `switch` when saved by swapcontext.
pub unsafe fn store_saved(ucp: *mut Ucontext, c: Chain, h: &Header, bottom: *mut Ucontext, switch: bool) {
    let m = &mut (*ucp).uc_mcontext;
    m.__state = STATE_SAVED;
    m.__reserved[0] = if switch { KIND_SWITCH } else { KIND_GET };
    m.__self = ucp as u32;
    m.__header = h.ctx as u32;
    m.__bottom = bottom as u32;
    m.__data_base = c.base;
    m.__data_top = c.top;
    m.__sum = c.sum;
    m.__id = c.id;
}

/// Reports a context that cannot be resumed and exits with `ASYNCIFY_RT_STATUS_BAD_CONTEXT`.
#[cold]
#[inline(never)]
fn bad_context(what: &str, ucp: *const Ucontext, why: &str) -> ! {
    diag::fatal(ffi::ASYNCIFY_RT_STATUS_BAD_CONTEXT, &[Part::Str(what), Part::Str(": context "), Part::Addr(ucp as usize), Part::Str(why)])
}

/// Checks that `ucp` can be resumed from the running stack `h` (stack pointer `sp_now`).
/// Returns false when it was made with an invalid stack (the caller fails with EINVAL); exits
/// with a diagnosis for contexts that were never initialised, have finished, or whose saved
/// frames are gone.
#[inline(never)]
unsafe fn check_target(what: &str, ucp: *const Ucontext, h: &Header, sp_now: usize) -> bool {
    let m = &(*ucp).uc_mcontext;
    match m.__state {
        STATE_MADE if m.__header != 0 && (*(m.__header as *const Header)).finished != 0 => {
            bad_context(what, ucp, ": its function has returned (make it again with makecontext to reuse it)")
        }
        STATE_MADE => true,
        STATE_CONSUMED => bad_context(what, ucp, " was saved by swapcontext and has already been resumed (such a saved context resumes once)"),
        STATE_INVALID => false,
        STATE_SAVED => {
            let th = &*stack::header_of(m.__header as usize);
            let c = chain_of(&*ucp);
            if m.__header as usize == h.ctx && (c.base as usize) < sp_now {
                bad_context(what, ucp, " was saved by a function that has returned (its saved frames are below the stack pointer)");
            }
            if !capture::intact(&c, m.__self as usize, th) {
                bad_context(what, ucp, " was saved by a function that has returned (its saved frames were overwritten)");
            }
            true
        }
        STATE_FINISHED => bad_context(what, ucp, ": its function has returned (make it again with makecontext to reuse it)"),
        _ => bad_context(what, ucp, " was never initialised (by getcontext, makecontext or swapcontext)"),
    }
}

/// What the root runs to resume the validated context `to`.
pub unsafe fn activation(to: *mut Ucontext) -> Activation {
    let m = &(*to).uc_mcontext;
    if m.__state == STATE_MADE {
        Activation { header: m.__header as *mut Header, sp: sp::align_down(m.__args as usize), running: to, rewind: false }
    } else {
        let h = &mut *stack::header_of(m.__header as usize);
        let c = chain_of(&*to);
        h.rewind_buffer(c.top as usize);
        let sp = if m.__reserved[0] == KIND_SWITCH {
            // One-shot: run above the saved copy, which frees it.
            (*to).uc_mcontext.__state = STATE_CONSUMED;
            c.top as usize + RECORD_SIZE
        } else {
            c.resume_sp()
        };
        Activation { header: h, sp, running: m.__bottom as *mut Ucontext, rewind: true }
    }
}

/// Called by the root when the trampoline of the running made context returned: marks its stack
/// finished and resumes the `uc_link` recorded by makecontext, or exits with status 0 (flushing
/// stdio) when it was null. The context's `ucontext_t` is not touched: it may have been moved or
/// freed while the context ran.
pub unsafe fn finished() -> Activation {
    let cur = stack::current();
    (*cur).finished = 1;
    stack::unregister(cur);
    let link = (*cur).link as *mut Ucontext;
    if link.is_null() {
        exit(0);
    }
    let h = &*cur;
    if !check_target("uc_link", link, h, 0) {
        diag::fatal(ffi::ASYNCIFY_RT_STATUS_BAD_CONTEXT, &[Part::Str("uc_link: context "), Part::Addr(link as usize), Part::Str(" was made with an invalid stack")]);
    }
    activation(link)
}

/// Where to place a capture for `ucp` on stack `h`: in place of its previous one if that is the
/// lowest thing on the stack, else at the stack pointer.
#[inline(always)]
unsafe fn capture_top(ucp: *mut Ucontext, h: &Header, sp_now: usize) -> usize {
    let m = &(*ucp).uc_mcontext;
    if m.__state == STATE_SAVED && m.__header as usize == h.ctx && m.__self == ucp as u32 {
        capture::capture_top(m.__data_base, m.__data_top, m.__id, ucp as usize, sp_now, h)
    } else {
        sp_now
    }
}

/// `getcontext` (POSIX); contract in `include/ucontext.h`. An Asyncify leaf.
#[no_mangle]
pub unsafe extern "C" fn getcontext(ucp: *mut Ucontext) -> i32 {
    if let Some(v) = capture::resumed() {
        return v;
    }
    if ucp.is_null() {
        return asyncify_rt_einval();
    }
    let (h, sp_now) = capture::leaf_sp("getcontext");
    let top = capture_top(ucp, h, sp_now);
    capture::begin_unwind(Op::Capture { owner: Owner::Ctx(ucp), top }, h, sp_now - RECORD_SIZE);
    0
}

/// `swapcontext` (POSIX); contract in `include/ucontext.h`. An Asyncify leaf.
#[no_mangle]
pub unsafe extern "C" fn swapcontext(oucp: *mut Ucontext, ucp: *const Ucontext) -> i32 {
    if let Some(v) = capture::resumed() {
        return v;
    }
    if oucp.is_null() || ucp.is_null() {
        return asyncify_rt_einval();
    }
    let (h, sp_now) = capture::leaf_sp("swapcontext");
    if !check_target("swapcontext", ucp, h, sp_now) {
        return asyncify_rt_einval();
    }
    let top = capture_top(oucp, h, sp_now);
    capture::begin_unwind(Op::Switch { save: Some((oucp, top)), to: ucp as *mut Ucontext }, h, sp_now - RECORD_SIZE);
    0
}

/// `setcontext` (POSIX); contract in `include/ucontext.h`. An Asyncify leaf that is never
/// resumed (it saves nothing): on success its unwind discards the running chain.
#[no_mangle]
pub unsafe extern "C" fn setcontext(ucp: *const Ucontext) -> i32 {
    if ucp.is_null() {
        return asyncify_rt_einval();
    }
    let (h, sp_now) = capture::leaf_sp("setcontext");
    if !check_target("setcontext", ucp, h, sp_now) {
        return asyncify_rt_einval();
    }
    capture::begin_unwind(Op::Switch { save: None, to: ucp as *mut Ucontext }, h, sp_now);
    0
}

/// The core of `makecontext` (whose variadic part is in `csrc/context.c`): sets `ucp` up to call
/// `func` with the `argc` ints at `args` on `ucp->uc_stack`. Returns 0, or -1 (and marks the
/// context invalid) for a missing or too small stack or an argc out of range; the C wrapper then
/// sets `errno` to `EINVAL`.
///
/// # Safety
/// `ucp` must point to a `ucontext_t`; `args` to `argc` ints; the stack must be memory the
/// program owns and does not use otherwise while the context lives.
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_makecontext(ucp: *mut Ucontext, func: usize, argc: i32, args: *const i32) -> i32 {
    let u = &mut *ucp;
    let base = u.uc_stack.ss_sp as usize;
    let size = u.uc_stack.ss_size;
    let argc_ok = (0..=ffi::ASYNCIFY_RT_MAX_CONTEXT_ARGS as i32).contains(&argc);
    if base == 0 || size < ffi::ASYNCIFY_RT_MIN_CONTEXT_STACK as usize || !argc_ok || func == 0 {
        u.uc_mcontext.__state = STATE_INVALID;
        return -1;
    }
    let h = stack::init_context(base, size);
    (*h).link = u.uc_link as usize;
    if !stack::current().is_null() {
        stack::register(h, ucp as usize);
    }
    let args_at = sp::align_down(base + size - 4 * argc as usize);
    core::ptr::copy_nonoverlapping(args, args_at as *mut i32, argc as usize);
    let m = &mut u.uc_mcontext;
    *m = ffi::mcontext_t::default();
    m.__state = STATE_MADE;
    m.__self = ucp as u32;
    m.__header = h as u32;
    m.__fn = func as u32;
    m.__argc = argc as u32;
    m.__args = args_at as u32;
    0
}

/// `asyncify_rt_context_destroyed` (include/asyncify_rt.h): forget the made context `ucp` before
/// its stack is freed or reused while it has not finished, so that
/// `asyncify_rt_for_each_suspended_context` no longer visits it. Returns 0; -1 with `EINVAL` if
/// `ucp` is NULL.
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_context_destroyed(ucp: *mut Ucontext) -> i32 {
    if ucp.is_null() {
        return asyncify_rt_einval();
    }
    let m = &mut (*ucp).uc_mcontext;
    let h = m.__header as *mut Header;
    if !h.is_null() && (*h).owner == ucp as usize {
        stack::unregister(h);
        (*h).finished = 1;
    }
    if m.__state == STATE_MADE || m.__state == STATE_INVALID {
        m.__state = STATE_FINISHED;
    }
    0
}
