//! The Asyncify imports and the buffer they use.
//!
//! `wasm-opt --asyncify` replaces calls to the imports `asyncify.start_unwind`, `stop_unwind`,
//! `start_rewind` and `stop_rewind` with its own implementations (Binaryen `src/passes/Asyncify.cpp`).
//! Which of them a function calls *directly* decides how it is treated: callers of
//! `start_unwind`/`stop_rewind` become uninstrumented leaves whose callers are instrumented;
//! callers of `stop_unwind`/`start_rewind` become uninstrumented roots through which
//! instrumentation does not spread. The wrappers here are `#[inline(always)]` so that the import
//! call lands in the public function that must play the leaf or root role, never in a shared
//! helper (which would itself become the leaf and make its callers instrumented).
//!
//! `asyncify.get_state` is not importable (rejected by wasm-opt 108-132), so the runtime keeps its
//! own mode ([`super::globals::Mode`]).

/// Binaryen's Asyncify data structure: the next free byte of the buffer (`current`) and the end
/// of the buffer (`end`). An unwind stores frames upward from `current`; a rewind pops them back
/// down, so after a complete rewind `current` is back where the unwind started and the bytes are
/// still there (a saved chain can be replayed by resetting `current`). Binaryen traps
/// (`unreachable`) in `start_unwind`/`stop_unwind`/`start_rewind` if `current > end`, but does not
/// check while frames are being stored.
#[repr(C)]
#[derive(Debug)]
pub struct Data {
    /// Next byte to write (unwind) or one past the last byte to read (rewind).
    pub current: usize,
    /// End of the buffer; only checked at start/stop.
    pub end: usize,
}

mod raw {
    use super::Data;
    #[link(wasm_import_module = "asyncify")]
    extern "C" {
        #[link_name = "start_unwind"]
        pub fn start_unwind(data: *mut Data);
        #[link_name = "stop_unwind"]
        pub fn stop_unwind();
        #[link_name = "start_rewind"]
        pub fn start_rewind(data: *mut Data);
        #[link_name = "stop_rewind"]
        pub fn stop_rewind();
    }
}

/// Begins an unwind into `data`. The caller becomes a leaf and must return right after (its
/// instrumented callers then store their frames and return in turn, up to the root).
///
/// # Safety
/// `data` must point to a [`Data`] that stays valid until the unwind is stopped, describing
/// writable memory that no live frame uses; Binaryen's state must be normal.
#[inline(always)]
pub unsafe fn start_unwind(data: *mut Data) {
    raw::start_unwind(data)
}

/// Ends an unwind that reached the root.
///
/// # Safety
/// Only in the root (or an `invoke_*` wrapper of the lowered protocol), after the unwound call
/// returned; `current <= end` or Binaryen traps.
#[inline(always)]
pub unsafe fn stop_unwind() {
    raw::stop_unwind()
}

/// Begins a rewind from `data`; the root then calls the bottom function of the saved chain.
///
/// # Safety
/// `data` must point to a [`Data`] valid until the rewind stops, whose `current` is the end of a
/// complete saved chain; the caller must then call that chain's bottom function.
#[inline(always)]
pub unsafe fn start_rewind(data: *mut Data) {
    raw::start_rewind(data)
}

/// Ends a rewind; called by the leaf that started the unwind being replayed.
///
/// # Safety
/// Only while rewinding, in the leaf that the rewind re-entered.
#[inline(always)]
pub unsafe fn stop_rewind() {
    raw::stop_rewind()
}
