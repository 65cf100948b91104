//! # asyncify-rt
//!
//! A runtime that gives C programs compiled for WASI (wasm32-wasip1) `setjmp`/`longjmp`,
//! `<ucontext.h>` and conservative register/stack scanning for garbage collectors, with no
//! JavaScript and no engine support beyond WebAssembly 1.0, on Binaryen's Asyncify transform.
//! For wasm32 this crate is a `no_std` static library (`libasyncify_rt.a`) that C programs link
//! through `asyncify-cc`; for the host it is empty, and its build script builds the wasm32 library
//! for the tools and tests.
//!
//! How it works is told once, in ARCHITECTURE.md; each module's documentation says only what that
//! module adds. The layers import downward only:
//!
//! * [`core`]: globals and `__stack_pointer`, the Asyncify imports and buffer, stack headers,
//!   captures, the misuse table, the leaf protocol and the root loop. It imports no feature: a
//!   feature's leaf hands the root an *arrive* function ([`core::root::Arrive`]) with its unwind,
//!   and the root calls it when the unwind arrives.
//! * Features, each on the core only (and [`longjmp`] on the two setjmp strategies):
//!   [`setjmp_capture`] (setjmp saves the call chain), [`setjmp_lowered`] (O(1) setjmp: the
//!   runtime side of LLVM's setjmp lowering), [`longjmp`] (the one dispatch on a `jmp_buf`'s
//!   strategy), [`context`] (`<ucontext.h>`), [`scan`] (scans for garbage collectors).
//! * [`ffi`]: the public C headers' types, by bindgen; the C API itself is in `include/`, the
//!   C and assembly pieces in `csrc/`.

#![cfg_attr(target_arch = "wasm32", no_std)]

/// Declares the runtime's modules, which exist only for wasm32 (the host build of this crate is
/// empty; its build script builds the wasm32 library).
macro_rules! wasm32_modules {
    ($($m:ident),* $(,)?) => { $( #[cfg(target_arch = "wasm32")] pub mod $m; )* };
}

wasm32_modules!(core, context, ffi, longjmp, scan, setjmp_capture, setjmp_lowered);

/// A `no_std` staticlib needs a panic handler. The runtime has no intended panics; one that
/// happens anyway is reported as an internal error (status `ASYNCIFY_RT_STATUS_INTERNAL`).
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_info: &::core::panic::PanicInfo) -> ! {
    crate::core::diag::report(crate::core::diag::Misuse::InternalPanic, "", crate::core::diag::Subject::None)
}
