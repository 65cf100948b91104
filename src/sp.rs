//! Stack pointer access and the runtime's wasm globals, implemented in `csrc/stack.S` because
//! Rust cannot name wasm globals. All functions are tiny and never call an Asyncify import, so
//! Binaryen leaves them uninstrumented.

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

/// The current value of `__stack_pointer` (the C shadow stack pointer; the stack grows down).
#[inline(always)]
pub fn get() -> usize {
    unsafe { raw::asyncify_rt_get_sp() }
}

/// Sets `__stack_pointer`.
///
/// # Safety
/// `sp` must be a 16-byte aligned address inside the running stack, at or below every byte that
/// live frames still use.
#[inline(always)]
pub unsafe fn set(sp: usize) {
    raw::asyncify_rt_set_sp(sp)
}

/// Lowest address of the main shadow stack (`__stack_low`, provided by wasm-ld).
#[inline(always)]
pub fn main_stack_low() -> usize {
    unsafe { raw::asyncify_rt_stack_low() }
}

/// One past the highest address of the main shadow stack (`__stack_high`, provided by wasm-ld).
#[inline(always)]
pub fn main_stack_high() -> usize {
    unsafe { raw::asyncify_rt_stack_high() }
}

/// The runtime mode word (see [`crate::mode`]), held in a wasm global.
#[inline(always)]
pub fn mode_word() -> u32 {
    unsafe { raw::asyncify_rt_get_mode() }
}

/// Sets the runtime mode word.
#[inline(always)]
pub fn set_mode_word(m: u32) {
    unsafe { raw::asyncify_rt_set_mode(m) }
}

/// Address of the running stack's header (see [`crate::stack`]), held in a wasm global; 0 before
/// the root has run.
#[inline(always)]
pub fn header_addr() -> usize {
    unsafe { raw::asyncify_rt_get_header() }
}

/// Sets the running stack's header address.
#[inline(always)]
pub fn set_header_addr(h: usize) {
    unsafe { raw::asyncify_rt_set_header(h) }
}

/// Rounds `x` down to a multiple of 16 (the wasm32 C ABI's stack alignment).
#[inline(always)]
pub const fn align_down(x: usize) -> usize {
    x & !15
}
