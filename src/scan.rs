//! Conservative scanning for garbage collectors (contracts in `include/asyncify_rt.h`).
//!
//! A conservative collector finds roots in registers and on the stack. On wasm the registers are
//! the wasm locals of the frames on the call stack, outside linear memory. The running context's
//! locals are made visible by an Asyncify unwind ([`asyncify_rt_scan_registers`], a leaf): the
//! root places the spilled frames below the scanning leaf's stack pointer (like a capture), calls
//! the collector's callback with exactly that range, and rewinds with the leaf's own stack
//! pointer, so nothing is kept. Suspended contexts already have their locals spilled, on their own
//! stacks: [`asyncify_rt_for_each_suspended_context`] walks the intrusive list of stacks
//! ([`crate::core::stack::register`]) and reports each suspended one.

use crate::core::capture::{self, RECORD_SIZE};
use crate::core::globals::{self, Global};
use crate::core::leaf;
use crate::core::root::{self, Activation};
use crate::core::stack::{self, Header, MAGIC_HEADER};
use crate::ffi;
use core::ffi::c_void;

/// `asyncify_rt_scan_fn`.
pub type ScanFn = unsafe extern "C" fn(*mut c_void, *mut c_void, *mut c_void);
/// Emscripten's `em_scan_func`.
pub type EmScanFn = unsafe extern "C" fn(*mut c_void, *mut c_void);
/// `asyncify_rt_context_fn`.
pub type ContextFn = unsafe extern "C" fn(*const ffi::asyncify_rt_context_info, *mut c_void);

/// A scan callback of either flavour (wasm's `call_indirect` checks the signature, so each is
/// called through its own type).
#[derive(Clone, Copy)]
enum Callback {
    /// `asyncify_rt_scan_fn` with its user data.
    Rt(ScanFn, *mut c_void),
    /// Emscripten's `em_scan_func`.
    Em(EmScanFn),
}

impl Callback {
    /// Calls the callback with `[begin, end)`.
    ///
    /// # Safety
    /// The function pointer must be callable with the range (the user's contract).
    unsafe fn invoke(self, begin: usize, end: usize) {
        match self {
            Callback::Rt(f, user) => f(begin as *mut c_void, end as *mut c_void, user),
            Callback::Em(f) => f(begin as *mut c_void, end as *mut c_void),
        }
    }
}

/// The register scan whose unwind is in flight: its callback and the scanning leaf's stack
/// pointer.
static PENDING: Global<(Option<Callback>, usize)> = Global::new((None, 0));

extern "C" {
    fn asyncify_rt_einval() -> i32;
}

/// The common body of the register scans; inlined so each calls the Asyncify imports directly.
///
/// # Safety
/// Only as the body of a leaf, after its `resumed` step.
#[inline(always)]
unsafe fn scan_body(call: Callback, what: &'static str) {
    let (h, sp_now) = leaf::checked_sp(what);
    PENDING.write((Some(call), sp_now));
    leaf::begin_unwind(arrive_scan, h, sp_now - RECORD_SIZE);
}

/// The root's step for a register scan: place the spilled frames below the leaf's stack pointer,
/// call the callback with exactly their range (on the scanned stack, below them), then rewind
/// with the leaf's own stack pointer, so the spilled copy is not kept.
///
/// # Safety
/// See [`root::Arrive`].
unsafe fn arrive_scan(h: *mut Header) -> Activation {
    let (call, top) = PENDING.read();
    let c = capture::place(0, top, h);
    globals::set_sp(c.resume_sp());
    root::set_in_callback(true);
    if let Some(call) = call {
        call.invoke(c.base as usize, c.top as usize);
    }
    root::set_in_callback(false);
    root::set_resume_value(0);
    Activation { header: h, sp: top, rewind: true }
}

/// `asyncify_rt_scan_registers` (include/asyncify_rt.h). An Asyncify leaf.
///
/// # Safety
/// `f` must be callable as an `asyncify_rt_scan_fn` with `user`.
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_scan_registers(f: Option<ScanFn>, user: *mut c_void) -> i32 {
    if leaf::resumed().is_some() {
        return 0;
    }
    match f {
        Some(f) => scan_body(Callback::Rt(f, user), "asyncify_rt_scan_registers"),
        None => return asyncify_rt_einval(),
    }
    0
}

/// `emscripten_scan_registers` (Emscripten's signature). An Asyncify leaf. A NULL `f` is ignored.
///
/// # Safety
/// `f` must be callable as an `em_scan_func`.
#[no_mangle]
pub unsafe extern "C" fn emscripten_scan_registers(f: Option<EmScanFn>) {
    if leaf::resumed().is_some() {
        return;
    }
    if let Some(f) = f {
        scan_body(Callback::Em(f), "emscripten_scan_registers");
    }
}

/// The part of the running stack in use, `[stack pointer, top)`, for the stack scans.
fn running_stack() -> (*mut c_void, *mut c_void) {
    let h = stack::current();
    let high = if h.is_null() {
        globals::main_stack_high()
    } else {
        // SAFETY: the running stack's header is live while the root runs.
        unsafe { (*h).high }
    };
    (globals::sp() as *mut c_void, high as *mut c_void)
}

/// `asyncify_rt_scan_stack` (include/asyncify_rt.h).
///
/// # Safety
/// `f` must be callable as an `asyncify_rt_scan_fn` with `user`.
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_scan_stack(f: Option<ScanFn>, user: *mut c_void) -> i32 {
    let Some(f) = f else { return asyncify_rt_einval() };
    let (begin, end) = running_stack();
    f(begin, end, user);
    0
}

/// `emscripten_scan_stack` (Emscripten's signature). A NULL `f` is ignored.
///
/// # Safety
/// `f` must be callable as an `em_scan_func`.
#[no_mangle]
pub unsafe extern "C" fn emscripten_scan_stack(f: Option<EmScanFn>) {
    if let Some(f) = f {
        let (begin, end) = running_stack();
        f(begin, end);
    }
}

/// `asyncify_rt_for_each_suspended_context` (include/asyncify_rt.h): walks the list of stacks
/// and reports each one whose chain is suspended by a context switch, from the saved frames its
/// header records.
///
/// # Safety
/// `f` must be callable as an `asyncify_rt_context_fn` with `user`.
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_for_each_suspended_context(f: Option<ContextFn>, user: *mut c_void) -> i32 {
    let Some(f) = f else { return asyncify_rt_einval() };
    let anchor = stack::main_header();
    if anchor.is_null() {
        return 0;
    }
    let running = stack::current();
    let mut count = 0;
    let mut h = anchor;
    loop {
        let next = (*h).next as *mut Header;
        if h != running && (*h).magic == MAGIC_HEADER && (*h).suspended_base != 0 {
            let info = ffi::asyncify_rt_context_info {
                context: (*h).owner as *const ffi::ucontext_t,
                stack_begin: globals::align_down((*h).suspended_base) as *mut c_void,
                stack_end: (*h).high as *mut c_void,
                frames_begin: (*h).suspended_base as *mut c_void,
                frames_end: (*h).suspended_top as *mut c_void,
            };
            f(&info, user);
            count += 1;
        }
        if next == anchor || next.is_null() {
            break;
        }
        h = next;
    }
    count
}
