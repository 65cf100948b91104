//! Conservative scanning for garbage collectors (contracts in `include/asyncify_rt.h`).
//!
//! A conservative collector finds roots in registers and on the stack. On wasm the registers are
//! the wasm locals of the frames on the call stack, outside linear memory. The running context's
//! locals are made visible by an Asyncify unwind ([`asyncify_rt_scan_registers`], a leaf): the
//! root places the spilled frames below the scanning leaf's stack pointer (like a capture), calls
//! the collector's callback with exactly that range, and rewinds with the leaf's own stack
//! pointer, so nothing is kept. Suspended contexts already have their locals spilled, on their own
//! stacks: [`asyncify_rt_for_each_suspended_context`] walks the intrusive list of stacks
//! ([`crate::stack::register`]) and reports each suspended one.

use crate::capture::{self, RECORD_SIZE};
use crate::context::{self, Ucontext};
use crate::ffi;
use crate::root::{self, Op};
use crate::sp;
use crate::stack::{self, Header, MAGIC_HEADER};
use core::ffi::c_void;

/// `asyncify_rt_scan_fn`.
pub type ScanFn = unsafe extern "C" fn(*mut c_void, *mut c_void, *mut c_void);
/// Emscripten's `em_scan_func`.
pub type EmScanFn = unsafe extern "C" fn(*mut c_void, *mut c_void);
/// `asyncify_rt_context_fn`.
pub type ContextFn = unsafe extern "C" fn(*const ffi::asyncify_rt_context_info, *mut c_void);

/// A scan callback of either flavour (wasm's `call_indirect` checks the signature, so each is
/// called through its own type).
#[derive(Clone, Copy, Debug)]
pub enum Callback {
    /// `asyncify_rt_scan_fn` with its user data.
    Rt(ScanFn, *mut c_void),
    /// Emscripten's `em_scan_func`.
    Em(EmScanFn),
}

impl Callback {
    /// Calls the callback with `[begin, end)`.
    pub unsafe fn invoke(self, begin: usize, end: usize) {
        match self {
            Callback::Rt(f, user) => f(begin as *mut c_void, end as *mut c_void, user),
            Callback::Em(f) => f(begin as *mut c_void, end as *mut c_void),
        }
    }
}

extern "C" {
    fn asyncify_rt_einval() -> i32;
}

/// The common body of the register scans; inlined so each calls the Asyncify imports directly.
#[inline(always)]
unsafe fn scan_body(call: Callback, what: &'static str) {
    let (h, sp_now) = capture::leaf_sp(what);
    capture::begin_unwind(Op::Scan { call, top: sp_now }, h, sp_now - RECORD_SIZE);
}

/// `asyncify_rt_scan_registers` (include/asyncify_rt.h). An Asyncify leaf.
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_scan_registers(f: Option<ScanFn>, user: *mut c_void) -> i32 {
    if capture::resumed().is_some() {
        return 0;
    }
    match f {
        Some(f) => scan_body(Callback::Rt(f, user), "asyncify_rt_scan_registers"),
        None => return asyncify_rt_einval(),
    }
    0
}

/// `emscripten_scan_registers` (Emscripten's signature). An Asyncify leaf. A NULL `f` is ignored.
#[no_mangle]
pub unsafe extern "C" fn emscripten_scan_registers(f: Option<EmScanFn>) {
    if capture::resumed().is_some() {
        return;
    }
    if let Some(f) = f {
        scan_body(Callback::Em(f), "emscripten_scan_registers");
    }
}

/// The part of the running stack in use, `[stack pointer, top)`, for the stack scans.
unsafe fn running_stack() -> (*mut c_void, *mut c_void) {
    let h = stack::current();
    let high = if h.is_null() { sp::main_stack_high() } else { (*h).high };
    (sp::get() as *mut c_void, high as *mut c_void)
}

/// `asyncify_rt_scan_stack` (include/asyncify_rt.h).
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_scan_stack(f: Option<ScanFn>, user: *mut c_void) -> i32 {
    let Some(f) = f else { return asyncify_rt_einval() };
    let (begin, end) = running_stack();
    f(begin, end, user);
    0
}

/// `emscripten_scan_stack` (Emscripten's signature). A NULL `f` is ignored.
#[no_mangle]
pub unsafe extern "C" fn emscripten_scan_stack(f: Option<EmScanFn>) {
    if let Some(f) = f {
        let (begin, end) = running_stack();
        f(begin, end);
    }
}

/// `asyncify_rt_for_each_suspended_context` (include/asyncify_rt.h).
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_for_each_suspended_context(f: Option<ContextFn>, user: *mut c_void) -> i32 {
    let Some(f) = f else { return asyncify_rt_einval() };
    let anchor = (*root::state()).main_header;
    if anchor.is_null() {
        return 0;
    }
    let running = stack::current();
    let mut count = 0;
    let mut h = anchor;
    loop {
        let hd = &*h;
        let next = hd.next as *mut Header;
        if h != running && hd.magic == MAGIC_HEADER && hd.suspended != 0 {
            let m = &(*(hd.suspended as *const Ucontext)).uc_mcontext;
            if m.__state == context::STATE_SAVED && m.__header as usize == hd.ctx {
                let info = ffi::asyncify_rt_context_info {
                    context: hd.owner as *const Ucontext,
                    stack_begin: sp::align_down(m.__data_base as usize) as *mut c_void,
                    stack_end: hd.high as *mut c_void,
                    frames_begin: m.__data_base as usize as *mut c_void,
                    frames_end: m.__data_top as usize as *mut c_void,
                };
                f(&info, user);
                count += 1;
            }
        }
        if next == anchor || next.is_null() {
            break;
        }
        h = next;
    }
    count
}
