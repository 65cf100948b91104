//! The runtime's mode: what the Asyncify machinery is doing right now. Kept in a wasm global
//! ([`crate::sp::mode_word`]) because Binaryen's own state cannot be imported and because linear
//! memory may be overwritten by an unwind that overflows (see [`crate::stack`]).

use crate::sp;

/// Mode of the runtime.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub enum Mode {
    /// Ordinary execution.
    Normal = 0,
    /// An unwind is in flight toward the root; the pending operation is in [`crate::root`].
    Unwinding = 1,
    /// A rewind is in flight toward the leaf that started the saved unwind.
    Rewinding = 2,
}

/// The current mode.
#[inline(always)]
pub fn get() -> Mode {
    match sp::mode_word() {
        1 => Mode::Unwinding,
        2 => Mode::Rewinding,
        _ => Mode::Normal,
    }
}

/// Sets the current mode.
#[inline(always)]
pub fn set(m: Mode) {
    sp::set_mode_word(m as u32)
}
