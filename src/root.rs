//! The root: the uninstrumented loop at the bottom of every call chain.
//!
//! `asyncify-cc` links with `--wrap=__original_main --wrap=__main_void`, so wasi-libc's `_start`
//! reaches [`asyncify_rt_root`] (through the C shim `csrc/entry.c`) instead of the program's entry
//! (`int main(void)` itself, or wasi-libc's function that reads the arguments and calls
//! `int main(int, char **)`). The root calls the real entry. When that call returns because an
//! unwind reached the bottom ([`Mode::Unwinding`]), the root stops the unwind, carries out the
//! pending [`Op`], starts a rewind and calls the entry again, which re-enters the saved frames.
//! When the entry returns normally, the root returns its value to `_start`, which flushes stdio and
//! exits with it.
//!
//! The root calls `asyncify.stop_unwind` and `asyncify.start_rewind` directly, which makes it an
//! Asyncify root for Binaryen: not instrumented, and instrumentation does not spread through it.

use crate::asyncify;
use crate::diag::{self, Part};
use crate::ffi;
use crate::mode::{self, Mode};
use crate::setjmp::{self, JmpBuf};
use crate::sp;
use crate::stack::{self, Header, EXHAUSTED_TEXT};
use core::cell::UnsafeCell;

/// A mutable global of the (single-threaded) runtime.
pub struct Global<T>(UnsafeCell<T>);
// SAFETY: wasm32-wasip1 programs linked with this runtime are single-threaded.
unsafe impl<T> Sync for Global<T> {}
impl<T> Global<T> {
    /// A global holding `v`.
    pub const fn new(v: T) -> Self {
        Global(UnsafeCell::new(v))
    }
    /// Raw pointer to the value.
    pub fn get(&self) -> *mut T {
        self.0.get()
    }
}

/// What an unwind in flight asks the root to do once it arrives.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// Nothing pending.
    None,
    /// `setjmp(env)`: keep the unwound frames directly below `top` (under a validity record),
    /// lower the stack pointer below them, fill in `env` and rewind them at once.
    Capture {
        /// The `jmp_buf` being set.
        env: *mut JmpBuf,
        /// Address the saved frames and record must end at (the stack pointer of setjmp's caller,
        /// or the top of `env`'s previous capture when that one is reused).
        top: usize,
    },
    /// `longjmp(env, _)`: discard the unwound frames and rewind `env`'s saved frames.
    Jump {
        /// The validated `jmp_buf` to jump to.
        env: *mut JmpBuf,
    },
}

/// State shared by the leaves and the root.
pub struct State {
    /// The operation requested by the unwind in flight.
    pub op: Op,
    /// The value the leaf re-entered by the next rewind returns (setjmp's return value).
    pub resume: i32,
    /// Counter for capture identities.
    pub next_id: u32,
}

static STATE: Global<State> = Global::new(State { op: Op::None, resume: 0, next_id: 1 });

/// The runtime state.
#[inline(always)]
pub fn state() -> *mut State {
    STATE.get()
}

/// Whether the root is running (the program is inside `main`'s call tree): 1 or 0.
#[no_mangle]
pub extern "C" fn asyncify_rt_root_active() -> i32 {
    (sp::header_addr() != 0) as i32
}

/// The root loop (see the module documentation): runs `entry` (the program's real entry, as
/// renamed by the linker's `--wrap`) under the runtime and returns its return value, the program's
/// exit status.
///
/// # Safety
/// Called once, by the entry wrappers of `csrc/entry.c`, with the main stack otherwise unused.
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_root(entry: unsafe extern "C" fn() -> i32) -> i32 {
    stack::init_main();
    let root_sp = sp::get();
    loop {
        let ret = entry();
        if mode::get() != Mode::Unwinding {
            // `main` returned: the root is no longer under the program.
            sp::set_header_addr(0);
            return ret;
        }
        let h = stack::current();
        if (*h).data.current > (*h).data.end {
            report_overflow(h);
        }
        asyncify::stop_unwind();
        sp::set(root_sp);
        let new_sp = perform((*state()).op, &mut *h);
        (*state()).op = Op::None;
        sp::set(new_sp);
        mode::set(Mode::Rewinding);
        asyncify::start_rewind(&mut (*h).data);
    }
}

/// Carries out the pending operation after an unwind reached the root; prepares the header's
/// Asyncify data for the rewind and returns the stack pointer the rewound frames run with.
unsafe fn perform(op: Op, h: &mut Header) -> usize {
    match op {
        Op::Capture { env, top } => setjmp::place_capture(env, top, h),
        Op::Jump { env } => {
            setjmp::check_jump_chain(env, h.data.current - h.low);
            let e = &*env;
            h.rewind_buffer(e.__data_top as usize);
            sp::align_down(e.__data_base as usize)
        }
        Op::None => diag::fatal(ffi::ASYNCIFY_RT_STATUS_INTERNAL, &[Part::Str("an unwind reached the root with no pending operation")]),
    }
}

/// An unwind stored more than the free space below the stack pointer: its frames were written past
/// `data.end`. Reports it and exits; never returns.
#[cold]
unsafe fn report_overflow(h: *mut Header) -> ! {
    let hd = &mut *h;
    let need = hd.data.current - hd.low;
    let free = hd.data.end - hd.low;
    let escaped = hd.data.current > hd.high;
    // End the unwind first: Binaryen's state is still "unwinding", and any instrumented function
    // (anything that can reach `exit`, e.g. through a panic) misbehaves if called in that state.
    // `stop_unwind` traps if `current > end`, so clamp `current` first. The stack pointer is still
    // the one of the leaf that started the unwind, so this code runs on the free space below it.
    hd.data.current = hd.data.end;
    asyncify::stop_unwind();
    if !escaped {
        // The overrun stayed inside this stack: only frames we will never return to were hit, so
        // libc and the runtime's data are intact. Report through the ordinary path (which flushes
        // stdout).
        let t = EXHAUSTED_TEXT;
        let trim = |s: &'static str| s.strip_prefix("asyncify-rt: ").unwrap_or(s).trim_end_matches('\n');
        diag::fatal(
            ffi::ASYNCIFY_RT_STATUS_STACK_EXHAUSTED,
            &[Part::Str(trim(t[0])), Part::Num(need), Part::Str(t[1]), Part::Num(free), Part::Str(trim(t[2]))],
        )
    }
    // The overrun went beyond the stack: constant data may be damaged. Use the header's copy.
    let line = hd.exhausted_line(need, free);
    diag::emergency_exit(ffi::ASYNCIFY_RT_STATUS_STACK_EXHAUSTED, line.as_bytes(), &mut hd.scratch)
}
