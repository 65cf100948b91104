//! `<ucontext.h>`: getcontext, setcontext, makecontext, swapcontext (POSIX.1-2008 XSI, glibc
//! behaviour); contract in `include/ucontext.h`.
//!
//! * A **made** context runs on its `uc_stack`: [`asyncify_rt_makecontext`] writes a stack header
//!   at the low end whose chain bottom is the trampoline of `csrc/context.c` (which calls the
//!   function with the right number of `int` arguments, copied to the top of the stack). The root
//!   starts it by calling the trampoline with the stack pointer just below the arguments. When the
//!   function returns, the trampoline calls [`asyncify_rt_context_return`], whose arrive step
//!   resumes `uc_link` or exits with status 0.
//! * **Saving** a context (getcontext, the first half of swapcontext) is a capture
//!   ([`crate::core::capture`]) on the caller's own stack; the `ucontext_t` records where, on which
//!   stack, and how it was saved (`__kind`).
//! * **Resuming** a saved context rewinds its frames on its stack; resuming a made one starts it.
//!   A chain saved by swapcontext is one-shot: it resumes with the stack pointer above its saved
//!   copy, which frees it, so a context that keeps yielding from any call site uses constant stack.
//!   A chain saved by getcontext is kept (resumable any number of times) until its caller returns.
//!
//! Leaves validate their target *before* unwinding, so misuse is reported with the stack intact.

use crate::core::capture::{self, Chain, RECORD_SIZE};
use crate::core::diag::{self, Misuse, Subject};
use crate::core::globals::{self, Global};
use crate::core::leaf;
use crate::core::root::{self, Activation};
use crate::core::stack::{self, Header};
use crate::ffi::{self, Ucontext};

/// `__state`: holds a saved chain ("UCS1").
const STATE_SAVED: u32 = 0x5543_5331;
/// `__state`: made by makecontext, ready to start ("UCM1").
const STATE_MADE: u32 = 0x5543_4d31;
/// `__state`: makecontext rejected its stack or argc ("UCX1"); resuming it fails with EINVAL.
const STATE_INVALID: u32 = 0x5543_5831;
/// `__state`: its function returned, or it was destroyed ("UCF1").
const STATE_FINISHED: u32 = 0x5543_4631;
/// `__state`: a chain saved by swapcontext that has been resumed ("UCR1").
const STATE_CONSUMED: u32 = 0x5543_5231;

/// `__kind` of a saved chain: saved by swapcontext (one-shot).
const KIND_SWITCH: u32 = 1;
/// `__kind` of a saved chain: saved by getcontext (kept until its caller returns).
const KIND_GET: u32 = 2;

extern "C" {
    /// The trampoline (`csrc/context.c`) for a function of `argc` int arguments (`argc` at most
    /// [`ffi::ASYNCIFY_RT_MAX_CONTEXT_ARGS`]): it calls the made context `ucp`'s function with its
    /// arguments, then [`asyncify_rt_context_return`]. Instrumented by Asyncify (it calls through
    /// a pointer), it is the bottom of the made context's chain.
    fn asyncify_rt_trampoline_for(argc: u32) -> stack::Bottom;
    /// Sets `errno` to `EINVAL` and returns -1 (`csrc/context.c`; errno is libc's).
    fn asyncify_rt_einval() -> i32;
    fn exit(status: i32) -> !;
}

/// A getcontext whose unwind is in flight.
#[derive(Clone, Copy)]
struct PendingGet {
    ucp: *mut Ucontext,
    sp_now: usize,
    reuse: bool,
    frame: usize,
}

/// A swapcontext (`save` non-null) or setcontext whose unwind is in flight.
#[derive(Clone, Copy)]
struct PendingSwitch {
    save: *mut Ucontext,
    sp_now: usize,
    to: *mut Ucontext,
}

static PENDING_GET: Global<PendingGet> =
    Global::new(PendingGet { ucp: core::ptr::null_mut(), sp_now: 0, reuse: false, frame: 0 });
static PENDING_SWITCH: Global<PendingSwitch> =
    Global::new(PendingSwitch { save: core::ptr::null_mut(), sp_now: 0, to: core::ptr::null_mut() });

/// The saved chain recorded in `u`.
fn chain_of(u: &Ucontext) -> Chain {
    let m = &u.uc_mcontext;
    Chain { base: m.__data_base, top: m.__data_top, sum: m.__sum, id: m.__id }
}

/// Records in `ucp` the saved chain `c` of stack `h`, saved the way `kind` says from the frame
/// address `frame`.
///
/// # Safety
/// `ucp` must point to a writable `ucontext_t`.
unsafe fn store_saved(ucp: *mut Ucontext, c: Chain, h: *mut Header, kind: u32, frame: usize) {
    let m = &mut (*ucp).uc_mcontext;
    m.__state = STATE_SAVED;
    m.__kind = kind;
    m.__self = ucp as u32;
    m.__stack = h as u32;
    m.__data_base = c.base;
    m.__data_top = c.top;
    m.__sum = c.sum;
    m.__id = c.id;
    m.__frame = frame as u32;
}

#[cold]
#[inline(never)]
fn bad_context(m: Misuse, what: &'static str, ucp: *const Ucontext) -> ! {
    diag::report(m, what, Subject::Context(ucp as usize))
}

/// Checks that `ucp` can be resumed from the running stack `h` (stack pointer `sp_now`, 0 when
/// the running stack is finishing). Returns false when it was made with an invalid stack (the
/// caller fails with EINVAL); reports contexts that were never initialised, have finished, were
/// consumed, or whose saved frames are gone, for the C function `what`.
///
/// # Safety
/// `ucp` must point to a readable `ucontext_t`; `h` is the running stack's header.
#[inline(never)]
unsafe fn check_target(what: &'static str, ucp: *const Ucontext, h: usize, sp_now: usize) -> bool {
    let m = &(*ucp).uc_mcontext;
    match m.__state {
        STATE_MADE if (*(m.__stack as *const Header)).finished != 0 => bad_context(Misuse::ContextFinished, what, ucp),
        STATE_MADE => true,
        STATE_INVALID => false,
        STATE_SAVED => {
            let c = chain_of(&*ucp);
            if m.__stack as usize == h && (c.base as usize) < sp_now {
                bad_context(Misuse::ContextBelowSp, what, ucp);
            }
            let stack = m.__stack as *const Header;
            if m.__kind == KIND_SWITCH {
                if (*stack).finished != 0 {
                    bad_context(Misuse::ContextFinished, what, ucp);
                }
                if !capture::suspended_intact(&c, m.__self as usize, stack) {
                    bad_context(Misuse::ContextStackRan, what, ucp);
                }
            } else if !capture::intact(&c, m.__self as usize, stack) {
                bad_context(Misuse::ContextOverwritten, what, ucp);
            }
            true
        }
        STATE_CONSUMED => bad_context(Misuse::ContextConsumed, what, ucp),
        STATE_FINISHED => bad_context(Misuse::ContextFinished, what, ucp),
        _ => bad_context(Misuse::ContextNeverInitialised, what, ucp),
    }
}

/// What the root runs to resume the validated context `to`; the leaf resumed returns 0.
///
/// # Safety
/// `to` must have passed [`check_target`] (and not changed since).
unsafe fn activation(to: *mut Ucontext) -> Activation {
    root::set_resume_value(0);
    let m = &mut (*to).uc_mcontext;
    let h = m.__stack as *mut Header;
    if m.__state == STATE_MADE {
        stack::ensure_registered(h);
        return Activation { header: h, sp: globals::align_down(m.__args as usize), rewind: false };
    }
    let c = chain_of(&*to);
    Header::rewind_buffer(h, c.top as usize);
    let sp = if m.__kind == KIND_SWITCH {
        // One-shot: run above the saved copy, which frees it.
        (*to).uc_mcontext.__state = STATE_CONSUMED;
        c.top as usize + RECORD_SIZE
    } else {
        c.resume_sp()
    };
    Activation { header: h, sp, rewind: true }
}

/// The common body of `getcontext` and `__asyncify_rt_getcontext`; `frame` is the caller's frame
/// address (0: unknown).
///
/// # Safety
/// Only as the body of a leaf; `ucp` null or writable.
#[inline(always)]
unsafe fn getcontext_body(ucp: *mut Ucontext, frame: usize) -> i32 {
    if let Some(v) = leaf::resumed() {
        return v;
    }
    if ucp.is_null() {
        return asyncify_rt_einval();
    }
    let (h, sp_now) = leaf::checked_sp("getcontext");
    let m = &(*ucp).uc_mcontext;
    let reuse = m.__state == STATE_SAVED
        && m.__kind == KIND_GET
        && m.__stack as usize == h as usize
        && m.__self == ucp as u32
        && capture::reusable(m.__data_base, m.__data_top, m.__sum, m.__id, ucp as usize, sp_now, m.__frame as usize == frame, h as usize);
    PENDING_GET.write(PendingGet { ucp, sp_now, reuse, frame });
    leaf::begin_unwind(arrive_get, h, sp_now - RECORD_SIZE);
    0
}

/// The root's step for getcontext: place the capture, record it, rewind it at once.
///
/// # Safety
/// See [`root::Arrive`].
unsafe fn arrive_get(h: *mut Header) -> Activation {
    let p = PENDING_GET.read();
    let c = capture::place_replacing(p.ucp as usize, p.sp_now, p.reuse, chain_of(&*p.ucp), h);
    store_saved(p.ucp, c, h, KIND_GET, p.frame);
    root::set_resume_value(0);
    Activation { header: h, sp: c.resume_sp(), rewind: true }
}

/// `getcontext` (POSIX); contract in `include/ucontext.h`. An Asyncify leaf. Reached after
/// `#undef getcontext` or through a pointer; the header's macro calls
/// [`__asyncify_rt_getcontext`].
///
/// # Safety
/// `ucp` must be null or point to a writable `ucontext_t`.
#[no_mangle]
pub unsafe extern "C" fn getcontext(ucp: *mut Ucontext) -> i32 {
    getcontext_body(ucp, 0)
}

/// `__asyncify_rt_getcontext(ucp, frame)`: the target of the `getcontext` macro; as
/// [`getcontext`], with the caller's `__builtin_frame_address(0)`.
///
/// # Safety
/// As [`getcontext`].
#[no_mangle]
pub unsafe extern "C" fn __asyncify_rt_getcontext(ucp: *mut Ucontext, frame: *mut u8) -> i32 {
    getcontext_body(ucp, frame as usize)
}

/// `swapcontext` (POSIX); contract in `include/ucontext.h`. An Asyncify leaf.
/// `swapcontext(c, c)` saves `c` and resumes it at once (returns 0), as glibc does.
///
/// # Safety
/// Each pointer must be null or point to a `ucontext_t` (`oucp` writable).
#[no_mangle]
pub unsafe extern "C" fn swapcontext(oucp: *mut Ucontext, ucp: *const Ucontext) -> i32 {
    if let Some(v) = leaf::resumed() {
        return v;
    }
    if oucp.is_null() || ucp.is_null() {
        return asyncify_rt_einval();
    }
    let (h, sp_now) = leaf::checked_sp("swapcontext");
    // The target is validated now, while the stack is intact, unless it is the context being
    // saved (which is valid once saved).
    if ucp != oucp as *const Ucontext && !check_target("swapcontext", ucp, h as usize, sp_now) {
        return asyncify_rt_einval();
    }
    PENDING_SWITCH.write(PendingSwitch { save: oucp, sp_now, to: ucp as *mut Ucontext });
    leaf::begin_unwind(arrive_switch, h, sp_now - RECORD_SIZE);
    0
}

/// `setcontext` (POSIX); contract in `include/ucontext.h`. An Asyncify leaf that is never
/// resumed (it saves nothing): on success its unwind discards the running chain.
///
/// # Safety
/// `ucp` must be null or point to a readable `ucontext_t`.
#[no_mangle]
pub unsafe extern "C" fn setcontext(ucp: *const Ucontext) -> i32 {
    if ucp.is_null() {
        return asyncify_rt_einval();
    }
    let (h, sp_now) = leaf::checked_sp("setcontext");
    if !check_target("setcontext", ucp, h as usize, sp_now) {
        return asyncify_rt_einval();
    }
    PENDING_SWITCH.write(PendingSwitch { save: core::ptr::null_mut(), sp_now, to: ucp as *mut Ucontext });
    leaf::begin_unwind(arrive_switch, h, sp_now);
    0
}

/// The root's step for swapcontext and setcontext: save the unwound chain (one-shot) in `save`,
/// or discard it, and resume `to`.
///
/// # Safety
/// See [`root::Arrive`].
unsafe fn arrive_switch(h: *mut Header) -> Activation {
    let p = PENDING_SWITCH.read();
    if !p.save.is_null() {
        let c = capture::place_suspended(p.save as usize, p.sp_now, h);
        store_saved(p.save, c, h, KIND_SWITCH, 0);
    }
    activation(p.to)
}

/// Called by the trampoline of the running made context when its function has returned. An
/// Asyncify leaf that is never resumed: its unwind ends the context.
///
/// # Safety
/// Only from a made context's trampoline (`csrc/context.c`).
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_context_return() {
    let (h, sp_now) = leaf::checked_sp("makecontext");
    leaf::begin_unwind(arrive_return, h, sp_now);
}

/// The root's step when a made context's function returned: marks its stack finished and resumes
/// the `uc_link` recorded by makecontext (whose swapcontext returns 0), or exits with status 0
/// (flushing stdio) when it was null. The context's `ucontext_t` is not touched: it may have been
/// moved or freed while the context ran.
///
/// # Safety
/// See [`root::Arrive`].
unsafe fn arrive_return(h: *mut Header) -> Activation {
    (*h).finished = 1;
    stack::unregister(h);
    let link = (*h).link as *mut Ucontext;
    if link.is_null() {
        exit(0);
    }
    if !check_target("uc_link", link, h as usize, 0) {
        diag::report(Misuse::LinkInvalid, "uc_link", Subject::Context(link as usize));
    }
    activation(link)
}

/// The core of `makecontext` (whose variadic part is in `csrc/context.c`): sets `ucp` up to call
/// `func` with the `argc` ints at `args` on `ucp->uc_stack`. Returns 0, or -1 (and marks the
/// context invalid) for a missing or too small stack, a null `func` or an argc out of range; the
/// C wrapper then sets `errno` to `EINVAL`.
///
/// # Safety
/// `ucp` must point to a writable `ucontext_t`; `args` to `argc` ints; the stack must be memory
/// the program owns and does not use otherwise while the context lives.
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
    let h = stack::init_context(base, size, asyncify_rt_trampoline_for(argc as u32), ucp as usize);
    (*h).link = u.uc_link as usize;
    (*h).owner = ucp as usize;
    stack::register(h);
    let args_at = globals::align_down(base + size - 4 * argc as usize);
    core::ptr::copy_nonoverlapping(args, args_at as *mut i32, argc as usize);
    let m = &mut u.uc_mcontext;
    *m = ffi::mcontext_t::default();
    m.__state = STATE_MADE;
    m.__self = ucp as u32;
    m.__stack = h as u32;
    m.__fn = func as u32;
    m.__argc = argc as u32;
    m.__args = args_at as u32;
    0
}

/// `asyncify_rt_context_frames` (include/asyncify_rt.h): stores the range of the saved frames of
/// `ucp` (a chain saved by swapcontext still suspended on its stack, or a getcontext capture whose
/// record is intact) through `begin` and `end`, or null in both for any other context. Returns 0;
/// -1 with `EINVAL` if an argument is null. O(1), except for a swapcontext-saved chain whose stack
/// has run since (then one checksum pass over its frames, [`capture::suspended_intact`]).
///
/// # Safety
/// `ucp` must be null or point to a readable `ucontext_t`; `begin` and `end` null or valid for a
/// write of one pointer; the stack of a saved context must not have been freed.
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_context_frames(
    ucp: *const Ucontext,
    begin: *mut *mut core::ffi::c_void,
    end: *mut *mut core::ffi::c_void,
) -> i32 {
    if ucp.is_null() || begin.is_null() || end.is_null() {
        return asyncify_rt_einval();
    }
    let m = &(*ucp).uc_mcontext;
    let c = chain_of(&*ucp);
    let stack = m.__stack as *const Header;
    let held = m.__state == STATE_SAVED
        && !stack.is_null()
        && match m.__kind {
            KIND_SWITCH => capture::suspended_intact(&c, m.__self as usize, stack),
            KIND_GET => capture::record_intact(&c, m.__self as usize, stack),
            _ => false,
        };
    let (b, e) = if held { (c.base as usize, c.top as usize) } else { (0, 0) };
    *begin = b as *mut core::ffi::c_void;
    *end = e as *mut core::ffi::c_void;
    0
}

/// `asyncify_rt_context_destroyed` (include/asyncify_rt.h): forget the made context `ucp` before
/// its stack is freed or reused while it has not finished, so that
/// `asyncify_rt_for_each_suspended_context` no longer visits it. Returns 0; -1 with `EINVAL` if
/// `ucp` is NULL.
///
/// # Safety
/// `ucp` must be null or point to a writable `ucontext_t`.
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_context_destroyed(ucp: *mut Ucontext) -> i32 {
    if ucp.is_null() {
        return asyncify_rt_einval();
    }
    let m = &mut (*ucp).uc_mcontext;
    let h = m.__stack as *mut Header;
    if (m.__state == STATE_MADE || m.__state == STATE_SAVED) && !h.is_null() && (*h).owner == ucp as usize {
        stack::unregister(h);
        (*h).finished = 1;
    }
    if m.__state == STATE_MADE || m.__state == STATE_INVALID {
        m.__state = STATE_FINISHED;
    }
    0
}
