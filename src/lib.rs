//! # asyncify-rt
//!
//! A runtime that gives C programs compiled for WASI (wasm32-wasip1) `setjmp`/`longjmp` with no
//! JavaScript and no engine support beyond WebAssembly 1.0, using Binaryen's Asyncify transform.
//! For wasm32 this crate is a `no_std` static library (`libasyncify_rt.a`) that C programs link
//! (through `asyncify-cc`); for the host it is empty, and its build script builds the wasm32
//! library for the tools and tests.
//!
//! ## The mechanism in one page
//!
//! *Asyncify* (`wasm-opt --asyncify`) rewrites every function that can reach an unwind so that,
//! while a global state says "unwinding", it stores its wasm locals and a *call index* (where it
//! was) into a buffer and returns at once, and while the state says "rewinding", it reads them
//! back and jumps to the call it was in. The buffer is `struct { current, end }` in linear memory:
//! an unwind pushes frames upward from `current` (deepest frame first), a rewind pops them back
//! down. Binaryen decides what to instrument from which of its imports a function calls
//! *directly*: a function calling `asyncify.start_unwind` or `asyncify.stop_rewind` is left alone
//! and its callers are instrumented (a *leaf*: [`setjmp`](setjmp) and `longjmp` are leaves); a
//! function calling `asyncify.stop_unwind` or `asyncify.start_rewind` is left alone and
//! instrumentation does not spread through it (the *root*).
//!
//! 1. **Root** ([`root`]): the linker's `--wrap=__main_void` makes `_start` call the root instead
//!    of the program's `main`. The root calls `main`; when `main` returns because an unwind
//!    reached the bottom, the root performs the requested operation and calls `main` again in
//!    rewind mode, which re-enters the saved frames down to the leaf that started the unwind.
//! 2. **setjmp = capture** ([`setjmp`](mod@setjmp)): `setjmp` starts an unwind into the free
//!    part of the shadow stack (between the stack's header and the stack pointer). At the root,
//!    the saved frames are moved to sit directly below the stack pointer of the frame that called
//!    setjmp, with a small validity record above them, and the stack pointer is lowered below them;
//!    then the root rewinds them at once, so setjmp returns 0 with the frames kept. They are freed
//!    when the caller of setjmp returns, like any stack allocation. No fixed-size buffer, no cap
//!    but the stack size.
//! 3. **longjmp = replay**: `longjmp` checks the `jmp_buf` (set? frame still live? frames intact?),
//!    then unwinds the current chain into scratch space that is discarded, and the root rewinds the
//!    saved frames of the `jmp_buf` (a rewind consumes only the buffer position, not the bytes, so
//!    a capture can be replayed any number of times). The stack pointer becomes the one setjmp's
//!    caller had after the capture, so round trips use constant stack.
//! 4. **Robustness** ([`stack`], [`diag`]): Binaryen 108 checks the buffer bound only when an
//!    unwind starts and stops, so an unwind that does not fit writes past its end. The root
//!    therefore reads the mode and the buffer from places an overflow cannot reach (wasm globals
//!    and a header at the low end of the stack) and reports "shadow stack exhausted" before
//!    trusting anything else.
//!
//! Modules, one per mechanism: `sp` (stack pointer and wasm globals), `asyncify` (the imports
//! and the buffer), `stack` (stack headers, bounds, the list of stacks), `mode` (runtime mode),
//! `root` (the root loop), `capture` (saved chains on the stack), `setjmp` (setjmp/longjmp by
//! capture), `lowered` (the runtime side of LLVM's setjmp lowering: O(1) setjmp), `context`
//! (`<ucontext.h>`), `scan` (conservative scanning for garbage collectors), `diag` (misuse
//! reports), `ffi` (the C headers' types, by bindgen); the C API lives in `include/`. See also
//! ARCHITECTURE.md.

#![cfg_attr(target_arch = "wasm32", no_std)]

/// Declares the runtime's modules, which exist only for wasm32 (the host build of this crate is
/// empty; its build script builds the wasm32 library).
macro_rules! wasm32_modules {
    ($($m:ident),* $(,)?) => { $( #[cfg(target_arch = "wasm32")] pub mod $m; )* };
}

wasm32_modules!(asyncify, capture, context, diag, ffi, lowered, mode, root, scan, setjmp, sp, stack);

/// A `no_std` staticlib needs a panic handler. The runtime has no intended panics; one that
/// happens anyway is reported as an internal error (status `ASYNCIFY_RT_STATUS_INTERNAL`).
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    diag::fatal(ffi::ASYNCIFY_RT_STATUS_INTERNAL, &[diag::Part::Str("internal error (a Rust panic in the runtime)")])
}
