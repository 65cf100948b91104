//! The leaf side of the protocol: the first and last steps of every Asyncify leaf (`setjmp`,
//! `longjmp`, the context functions, the register scans).
//!
//! A leaf is a function that calls `asyncify.start_unwind` or `asyncify.stop_rewind` *directly*:
//! Binaryen leaves it uninstrumented and instruments its callers. So the helpers here that call
//! those imports are `#[inline(always)]`, and the leaves call them themselves, never through a
//! shared out-of-line helper (which would itself become the leaf).
//!
//! Leaves are also *frameless*: they read `__stack_pointer` and take it as their caller's (a
//! capture is placed directly below it). So a leaf calls only out-of-line helpers with scalar
//! arguments (a reference to a local would force a shadow-stack slot), and its reports are
//! `#[cold] #[inline(never)]`.

use super::asyncify;
use super::diag::{self, Misuse, Subject};
use super::globals::{self, Mode};
use super::root::{self, Arrive};
use super::stack::{self, Header};

/// Free bytes an unwind needs at the very least (a capture's validity record and one frame).
pub const MIN_FREE: usize = 32;

/// The first step of every leaf that can be re-entered by a rewind: if it was (the end of a
/// capture, a jump, a context switch or a scan), ends the rewind and returns the value the root
/// left for it; else `None` (an ordinary call).
///
/// # Safety
/// Only at the start of an Asyncify leaf, before it touches anything else.
#[inline(always)]
pub unsafe fn resumed() -> Option<i32> {
    if globals::mode() != Mode::Rewinding {
        return None;
    }
    asyncify::stop_rewind();
    globals::set_mode(Mode::Normal);
    Some(root::resume_value())
}

/// The last step of every leaf: records `arrive` as the root's request and starts an unwind into
/// the free space of `h` below `limit`; the leaf then returns (into the unwind).
///
/// # Safety
/// `h` must be the running stack's header and `limit` at most the caller's stack pointer and at
/// least `h.low + MIN_FREE`; Binaryen's state must be normal; the caller must return right after.
#[inline(always)]
pub unsafe fn begin_unwind(arrive: Arrive, h: *mut Header, limit: usize) {
    root::set_request(arrive);
    globals::set_mode(Mode::Unwinding);
    asyncify::start_unwind(Header::unwind_buffer(h, limit));
}

/// The running stack's header and the leaf's stack pointer (its caller's, rounded down to 16),
/// after the checks every leaf makes: the root is running, no scan callback is running, and there
/// is some free space below the stack pointer. Each failed check is reported for the C function
/// `what` ([`Misuse::NoRoot`], [`Misuse::InCallback`], [`Misuse::StackExhausted`]).
///
/// # Safety
/// Only in an Asyncify leaf, in normal mode.
#[inline(always)]
pub unsafe fn checked_sp(what: &'static str) -> (*mut Header, usize) {
    let h = stack::current();
    if h.is_null() {
        refuse(Misuse::NoRoot, what);
    }
    if root::in_callback() {
        refuse(Misuse::InCallback, what);
    }
    let sp_now = globals::align_down(globals::sp());
    if sp_now < (*h).low + MIN_FREE {
        no_free_space(h as usize, sp_now);
    }
    (h, sp_now)
}

#[cold]
#[inline(never)]
fn refuse(misuse: Misuse, what: &'static str) -> ! {
    diag::report(misuse, what, Subject::None)
}

/// Reports a stack with (almost) no free space below the stack pointer `sp_now`. Out of line and
/// scalar-only, so the leaves need no shadow-stack frame.
#[cold]
#[inline(never)]
fn no_free_space(h: usize, sp_now: usize) -> ! {
    let h = h as *mut Header;
    // SAFETY: `h` is the running stack's live header; the report moves to the scratch area first.
    unsafe { diag::report_stack(Misuse::StackExhausted, h, MIN_FREE, sp_now.saturating_sub((*h).low)) }
}
