//! The runtime's globals: `__stack_pointer`, the main stack's bounds, the two wasm globals of the
//! runtime (its [`Mode`] and the running stack's header), and [`Global`], the cell every other
//! mutable global of the runtime lives in.
//!
//! The wasm globals are reached through `csrc/stack.S` because Rust cannot name wasm globals.
//! Those functions are tiny and never call an Asyncify import, so Binaryen leaves them
//! uninstrumented. The mode and the header are kept in wasm globals rather than in linear memory
//! because an unwind that overruns its buffer may overwrite linear memory (see
//! [`super::stack`]); the root reads them before it trusts anything in memory.

use core::cell::UnsafeCell;

mod raw {
    extern "C" {
        pub fn asyncify_rt_get_sp() -> usize;
        pub fn asyncify_rt_set_sp(sp: usize);
        pub fn asyncify_rt_stack_low() -> usize;
        pub fn asyncify_rt_stack_high() -> usize;
        pub fn asyncify_rt_get_mode() -> u32;
        pub fn asyncify_rt_set_mode(m: u32);
        pub fn asyncify_rt_get_header() -> usize;
        pub fn asyncify_rt_set_header(h: usize);
    }
}

/// A mutable global of the single-threaded runtime. `#[repr(transparent)]`, so a
/// `#[no_mangle]` `Global<T>` is a C data symbol of type `T` (the lowered protocol's `__THREW__`
/// and friends are declared this way).
///
/// Access goes through the raw pointer [`Global::get`]: callers keep every reference they make
/// from it short-lived, so that no two `&mut` to one global are alive at once.
#[repr(transparent)]
pub struct Global<T>(UnsafeCell<T>);

// SAFETY: wasm32-wasip1 programs linked with this runtime are single-threaded (wasi-libc without
// threads); no global is ever reached from two threads.
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    /// A global holding `v`.
    pub const fn new(v: T) -> Self {
        Global(UnsafeCell::new(v))
    }

    /// Raw pointer to the value; never null, valid for the whole run.
    #[inline(always)]
    pub const fn get(&self) -> *mut T {
        self.0.get()
    }
}

impl<T: Copy> Global<T> {
    /// The current value.
    #[inline(always)]
    pub fn read(&self) -> T {
        // SAFETY: single-threaded (see the `Sync` impl); the value is copied out, so no reference
        // outlives this call.
        unsafe { *self.0.get() }
    }

    /// Replaces the value.
    #[inline(always)]
    pub fn write(&self, v: T) {
        // SAFETY: as in `read`; no reference to the value is alive across this store (callers only
        // hold references obtained from `get` within a single expression or helper).
        unsafe { *self.0.get() = v }
    }
}

/// The current value of `__stack_pointer`, the C shadow stack pointer (the stack grows down).
#[inline(always)]
pub fn sp() -> usize {
    // SAFETY: reads a wasm global; no memory is touched.
    unsafe { raw::asyncify_rt_get_sp() }
}

/// Sets `__stack_pointer`.
///
/// # Safety
/// `sp` must be a 16-byte aligned address inside the running stack, at or below every byte that
/// live frames still use (or, for the root and reports, inside the root's scratch area).
#[inline(always)]
pub unsafe fn set_sp(sp: usize) {
    raw::asyncify_rt_set_sp(sp)
}

/// Lowest address of the main shadow stack (`__stack_low`, provided by wasm-ld).
#[inline(always)]
pub fn main_stack_low() -> usize {
    // SAFETY: returns a link-time constant.
    unsafe { raw::asyncify_rt_stack_low() }
}

/// One past the highest address of the main shadow stack (`__stack_high`, provided by wasm-ld).
#[inline(always)]
pub fn main_stack_high() -> usize {
    // SAFETY: returns a link-time constant.
    unsafe { raw::asyncify_rt_stack_high() }
}

/// What the Asyncify machinery is doing right now. Binaryen's own state cannot be imported
/// (`asyncify.get_state` is rejected by wasm-opt 108-132), so the runtime mirrors it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub enum Mode {
    /// Ordinary execution.
    Normal = 0,
    /// An unwind is in flight toward the root (or, for a lowered jump, toward an `invoke_*`
    /// wrapper); the root's pending request says why.
    Unwinding = 1,
    /// A rewind is in flight toward the leaf that started the saved unwind.
    Rewinding = 2,
}

/// The current mode.
#[inline(always)]
pub fn mode() -> Mode {
    // SAFETY: reads a wasm global.
    match unsafe { raw::asyncify_rt_get_mode() } {
        1 => Mode::Unwinding,
        2 => Mode::Rewinding,
        _ => Mode::Normal,
    }
}

/// Sets the current mode.
#[inline(always)]
pub fn set_mode(m: Mode) {
    // SAFETY: writes a wasm global that only this module interprets.
    unsafe { raw::asyncify_rt_set_mode(m as u32) }
}

/// Address of the running stack's header (see [`super::stack`]); 0 while the root is not running
/// (before `main`, in constructors, after `main` returned).
#[inline(always)]
pub fn header_addr() -> usize {
    // SAFETY: reads a wasm global.
    unsafe { raw::asyncify_rt_get_header() }
}

/// Sets the running stack's header address (0: the root is not running).
#[inline(always)]
pub fn set_header_addr(h: usize) {
    // SAFETY: writes a wasm global that only the root and `super::stack` interpret.
    unsafe { raw::asyncify_rt_set_header(h) }
}

/// Rounds `x` down to a multiple of 16 (the wasm32 C ABI's stack alignment).
#[inline(always)]
pub const fn align_down(x: usize) -> usize {
    x & !15
}
