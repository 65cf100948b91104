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
//! Every saved chain has a *bottom*: the function the root called to start it, `main`'s entry for
//! the main context, or the trampoline of a made context (`csrc/context.c`). The root tracks the
//! running chain's bottom ([`State::running`]) and calls the right one, in rewind mode, to resume
//! a chain. When a made context's trampoline returns, its `uc_link` is resumed (or the process
//! exits with status 0).
//!
//! The root does its own work (moving frames, validating, reporting) with the stack pointer in a
//! scratch area reserved just above the main stack's header, never in a region where a suspended
//! chain's frames live.
//!
//! The root calls `asyncify.stop_unwind` and `asyncify.start_rewind` directly, which makes it an
//! Asyncify root for Binaryen: not instrumented, and instrumentation does not spread through it.

use crate::asyncify;
use crate::capture::{self, Chain};
use crate::context::{self, Ucontext};
use crate::diag::{self, Part};
use crate::ffi;
use crate::scan::Callback;
use crate::mode::{self, Mode};
use crate::setjmp::{self, JmpBuf};
use crate::sp;
use crate::stack::{self, Header};
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

/// Who owns a capture.
#[derive(Clone, Copy, Debug)]
pub enum Owner {
    /// A `jmp_buf` (setjmp).
    Jmp(*mut JmpBuf),
    /// A `ucontext_t` (getcontext, swapcontext).
    Ctx(*mut Ucontext),
}

impl Owner {
    /// The owner's address, as written in the capture's record.
    pub fn addr(self) -> usize {
        match self {
            Owner::Jmp(p) => p as usize,
            Owner::Ctx(p) => p as usize,
        }
    }
}

/// What an unwind in flight asks the root to do once it arrives.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// Nothing pending.
    None,
    /// `setjmp(env)` or `getcontext(ucp)`: keep the unwound frames directly below `top` (under a
    /// validity record), record them in the owner, lower the stack pointer below them and rewind
    /// them at once.
    Capture {
        /// The `jmp_buf` or `ucontext_t` being set.
        owner: Owner,
        /// Address the saved frames and record must end at (the stack pointer of the caller, or
        /// the top of the owner's previous capture when that one is reused).
        top: usize,
    },
    /// `longjmp(env, _)`: discard the unwound frames and rewind `env`'s saved frames.
    Jump {
        /// The validated `jmp_buf` to jump to.
        env: *mut JmpBuf,
    },
    /// A jump of LLVM's lowered setjmp protocol that no `invoke_*` wrapper caught (see
    /// [`crate::lowered`]): misuse.
    LoweredJump {
        /// The `jmp_buf` jumped to.
        env: *mut JmpBuf,
    },
    /// `asyncify_rt_scan_registers` / `emscripten_scan_registers`: place the unwound frames below
    /// `top`, call `call` with their range, then rewind them with the stack pointer `top`.
    Scan {
        /// The user's callback.
        call: Callback,
        /// The scanning leaf's stack pointer.
        top: usize,
    },
    /// `swapcontext(save, to)` (with `save`) or `setcontext(to)` (without): keep the unwound
    /// frames in `save` like a capture, or discard them, then resume the context `to`.
    Switch {
        /// The context to save the unwound frames in, with the `top` to place them under.
        save: Option<(*mut Ucontext, usize)>,
        /// The validated context to resume.
        to: *mut Ucontext,
    },
}

/// State shared by the leaves and the root.
pub struct State {
    /// The operation requested by the unwind in flight.
    pub op: Op,
    /// The value the leaf re-entered by the next rewind returns (setjmp's return value; 0 for
    /// the context functions).
    pub resume: i32,
    /// Counter for capture identities.
    pub next_id: u32,
    /// The made context whose trampoline is the bottom of the running chain; null for main.
    pub running: *mut Ucontext,
    /// The main stack's header.
    pub main_header: *mut Header,
    /// Stack pointer for the root's own work (top of the scratch area above the main header).
    pub root_sp: usize,
    /// True while a scan callback runs (the leaves refuse to run then).
    pub in_callback: bool,
}

static STATE: Global<State> = Global::new(State {
    op: Op::None,
    resume: 0,
    next_id: 1,
    running: core::ptr::null_mut(),
    main_header: core::ptr::null_mut(),
    root_sp: 0,
    in_callback: false,
});

/// The runtime state.
#[inline(always)]
pub fn state() -> *mut State {
    STATE.get()
}

/// What the root runs next: a chain on the stack of `header`, with stack pointer `sp` and bottom
/// `running`; rewound when `rewind` (the header's Asyncify data is then prepared), else started
/// fresh (a made context's first run).
pub struct Activation {
    /// Header of the stack the chain runs on.
    pub header: *mut Header,
    /// Stack pointer to run with.
    pub sp: usize,
    /// Bottom of the chain: the made context, or null for main.
    pub running: *mut Ucontext,
    /// Whether to rewind saved frames (else call the bottom afresh).
    pub rewind: bool,
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
    let st = state();
    let (main, root_sp) = stack::init_main();
    (*st).main_header = main;
    (*st).root_sp = root_sp;
    loop {
        let running = (*st).running;
        let ret = if running.is_null() {
            entry()
        } else {
            context::asyncify_rt_trampoline(running);
            0
        };
        let act = if mode::get() != Mode::Unwinding {
            if running.is_null() {
                // `main` returned: the root is no longer under the program.
                sp::set_header_addr(0);
                return ret;
            }
            sp::set((*st).root_sp);
            context::finished()
        } else {
            let h = stack::current();
            if (*h).data.current > (*h).data.end {
                report_overflow(h);
            }
            asyncify::stop_unwind();
            sp::set((*st).root_sp);
            let op = (*st).op;
            (*st).op = Op::None;
            perform(op, &mut *h)
        };
        sp::set_header_addr(act.header as usize);
        (*act.header).suspended = 0;
        (*st).running = act.running;
        sp::set(act.sp);
        if act.rewind {
            mode::set(Mode::Rewinding);
            asyncify::start_rewind(&mut (*act.header).data);
        } else {
            mode::set(Mode::Normal);
        }
    }
}

/// Carries out the pending operation after an unwind on stack `h` reached the root and returns
/// what to run next.
unsafe fn perform(op: Op, h: &mut Header) -> Activation {
    let st = &mut *state();
    let here = |c: Chain, h: &mut Header| Activation { header: h, sp: c.resume_sp(), running: st.running, rewind: true };
    match op {
        Op::Capture { owner, top } => {
            let c = capture::place(owner.addr(), top, h);
            match owner {
                Owner::Jmp(env) => setjmp::set_chain(&mut *env, c, h),
                Owner::Ctx(ucp) => context::store_saved(ucp, c, h, st.running, false),
            }
            st.resume = 0;
            here(c, h)
        }
        Op::Jump { env } => {
            setjmp::check_jump_chain(env, h.data.current - h.low);
            let c = setjmp::chain_of(&*env);
            h.rewind_buffer(c.top as usize);
            here(c, h)
        }
        Op::Scan { call, top } => {
            let c = capture::place(0, top, h);
            // The callback runs on the scanned stack, below the spilled frames.
            sp::set(c.resume_sp());
            st.in_callback = true;
            call.invoke(c.base as usize, c.top as usize);
            st.in_callback = false;
            st.resume = 0;
            // Rewound with the leaf's own stack pointer: the spilled copy is not kept.
            Activation { header: h, sp: top, running: st.running, rewind: true }
        }
        Op::Switch { save, to } => {
            if let Some((o, top)) = save {
                let c = capture::place(o as usize, top, h);
                context::store_saved(o, c, h, st.running, true);
                h.suspended = o as usize;
            }
            st.resume = 0;
            context::activation(to)
        }
        Op::LoweredJump { env } => crate::lowered::uncaught(env),
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
    // If the overrun stayed inside this stack, only frames we will never return to were hit and
    // the ordinary report (which flushes stdout) is safe; else the header's copy is used.
    hd.data.current = hd.data.end;
    asyncify::stop_unwind();
    capture::report_exhausted(hd, need, free, escaped)
}
