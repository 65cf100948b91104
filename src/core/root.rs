//! The root: the uninstrumented loop at the bottom of every call chain, and the protocol between
//! it and the leaves.
//!
//! `asyncify-cc` links with `--wrap=__original_main --wrap=__main_void`, so wasi-libc's `_start`
//! reaches [`asyncify_rt_root`] or, for a `main` with arguments, [`asyncify_rt_root_main`]
//! (through the C shim `csrc/entry.c`) instead of the program's entry.
//! The root runs the bottom of the running stack's chain: the program's entry on the main stack,
//! a made context's trampoline on its own stack ([`super::stack::Header::bottom`]). When that
//! call returns because an unwind reached the bottom ([`Mode::Unwinding`]), the root stops the
//! unwind and calls the pending request's *arrive* function, which the feature that started the
//! unwind supplied ([`Arrive`]): the root knows nothing else about features. The arrive function
//! does the feature's work (place a capture, pick the chain to jump to, call a scan callback, save
//! and switch contexts) and returns an [`Activation`]: which stack to run next, with which stack
//! pointer, rewinding its saved frames or starting its bottom afresh. When the program's entry
//! returns normally, the root returns its value to `_start`, which flushes stdio and exits.
//!
//! The root does its own work with the stack pointer in the scratch area above the main stack's
//! header, never where a suspended chain's frames live. It calls `asyncify.stop_unwind` and
//! `asyncify.start_rewind` directly, which makes it an Asyncify root for Binaryen: not
//! instrumented, and instrumentation does not spread through it.

use super::asyncify;
use super::capture;
use super::diag::{self, Misuse, Subject};
use super::globals::{self, Global, Mode};
use super::stack::{self, Header};

/// What the root runs next: the chain on the stack `header`, with stack pointer `sp`; its saved
/// frames are rewound when `rewind` (the header's Asyncify data must then describe them), else
/// its bottom is called afresh (a made context's first run).
#[derive(Clone, Copy, Debug)]
pub struct Activation {
    /// Header of the stack to run on.
    pub header: *mut Header,
    /// Stack pointer to run with.
    pub sp: usize,
    /// Whether to rewind saved frames (else call the bottom afresh).
    pub rewind: bool,
}

/// A feature's handler for an unwind it started, called by the root once the unwind has arrived
/// and been stopped, with the stack pointer in the root's scratch area. It receives the header of
/// the stack that was unwound (its Asyncify data holds the unwound frames, from `low` to
/// `data.current`) and returns what to run next. It may also end the process with a report.
///
/// # Safety (for implementors and the root)
/// Called only by the root, in normal mode, with `h` the running stack's live header.
pub type Arrive = unsafe fn(h: *mut Header) -> Activation;

/// State shared by the leaves and the root.
struct State {
    /// The pending request of the unwind in flight.
    arrive: Option<Arrive>,
    /// The value the leaf re-entered by the next rewind returns.
    resume: i32,
    /// True while a scan callback runs (the leaves refuse to run then).
    in_callback: bool,
}

static STATE: Global<State> = Global::new(State { arrive: None, resume: 0, in_callback: false });

/// Records the request of the unwind a leaf is about to start.
#[inline(always)]
pub fn set_request(arrive: Arrive) {
    // SAFETY: single-threaded; a field store through the raw pointer, no reference kept.
    unsafe { (*STATE.get()).arrive = Some(arrive) }
}

/// Drops the pending request (an unwind that an `invoke_*` wrapper cancelled).
#[inline(always)]
pub fn clear_request() {
    // SAFETY: as in `set_request`.
    unsafe { (*STATE.get()).arrive = None }
}

/// The value the leaf that the next rewind re-enters will return.
#[inline(always)]
pub fn resume_value() -> i32 {
    // SAFETY: as in `set_request`.
    unsafe { (*STATE.get()).resume }
}

/// Sets the value the leaf that the next rewind re-enters will return (setjmp's return value; 0
/// for the context functions and scans).
#[inline(always)]
pub fn set_resume_value(v: i32) {
    // SAFETY: as in `set_request`.
    unsafe { (*STATE.get()).resume = v }
}

/// Whether a scan callback is running.
#[inline(always)]
pub fn in_callback() -> bool {
    // SAFETY: as in `set_request`.
    unsafe { (*STATE.get()).in_callback }
}

/// Marks the start (`true`) or end of a scan callback.
pub fn set_in_callback(v: bool) {
    // SAFETY: as in `set_request`.
    unsafe { (*STATE.get()).in_callback = v }
}

/// Whether the root is running (the program is inside `main`'s call tree): 1 or 0.
#[no_mangle]
pub extern "C" fn asyncify_rt_root_active() -> i32 {
    (globals::header_addr() != 0) as i32
}

/// The program's entry as the root calls it.
#[derive(Clone, Copy)]
enum Entry {
    /// `int f(void)`: the program's `int main(void)`, or libc's forwarding entry.
    Void(unsafe extern "C" fn() -> i32),
    /// `int main(int argc, char **argv)` with its arguments (read by `csrc/entry.c`).
    Main(unsafe extern "C" fn(i32, *mut *mut u8) -> i32, i32, *mut *mut u8),
}

impl Entry {
    /// Calls the entry (afresh, or in rewind mode to resume its saved frames).
    ///
    /// # Safety
    /// As the program's entry.
    #[inline(always)]
    unsafe fn call(self) -> i32 {
        match self {
            Entry::Void(f) => f(),
            Entry::Main(f, argc, argv) => f(argc, argv),
        }
    }
}

/// The root loop (see the module documentation): runs `entry` (the program's real entry, as
/// renamed by the linker's `--wrap`) under the runtime and returns its return value, the program's
/// exit status.
///
/// # Safety
/// Called once, by the entry wrappers of `csrc/entry.c`, with the main stack otherwise unused.
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_root(entry: unsafe extern "C" fn() -> i32) -> i32 {
    run(Entry::Void(entry))
}

/// [`asyncify_rt_root`] for a `main` that takes arguments: runs `main(argc, argv)` directly, so
/// that no forwarding frame of libc sits between the root and `main` in every saved chain.
///
/// # Safety
/// As [`asyncify_rt_root`]; `argv` as C11 5.1.2.2.1 gives it to `main` (argc pointers, then null).
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_root_main(main: unsafe extern "C" fn(i32, *mut *mut u8) -> i32, argc: i32, argv: *mut *mut u8) -> i32 {
    run(Entry::Main(main, argc, argv))
}

/// The loop of [`asyncify_rt_root`] and [`asyncify_rt_root_main`].
///
/// # Safety
/// As [`asyncify_rt_root`].
#[inline(always)]
unsafe fn run(entry: Entry) -> i32 {
    stack::init_main();
    let scratch = stack::scratch_top();
    loop {
        let h = stack::current();
        let ret = match (*h).bottom {
            None => entry.call(),
            Some(bottom) => {
                bottom((*h).bottom_arg);
                0
            }
        };
        if globals::mode() != Mode::Unwinding {
            if (*h).bottom.is_none() {
                // `main` returned: the root is no longer under the program.
                globals::set_header_addr(0);
                return ret;
            }
            diag::report(Misuse::InternalBottomReturned, "", Subject::None);
        }
        if (*h).data.current > (*h).data.end {
            overflowed(h);
        }
        asyncify::stop_unwind();
        globals::set_mode(Mode::Normal);
        globals::set_sp(scratch);
        let arrive = (*STATE.get()).arrive.take();
        let Some(arrive) = arrive else { diag::report(Misuse::InternalNoRequest, "", Subject::None) };
        let act = arrive(h);
        globals::set_header_addr(act.header as usize);
        // Anything but the rewind of its own suspended chain runs over a stack's free space,
        // where that chain lies: seal it first (so a later resume can still verify it).
        if (*act.header).suspended_id != 0 && !(act.rewind && (*act.header).data.current == (*act.header).suspended_top) {
            capture::seal_suspended(act.header);
        }
        Header::clear_suspended(act.header);
        globals::set_sp(act.sp);
        if act.rewind {
            globals::set_mode(Mode::Rewinding);
            asyncify::start_rewind(core::ptr::addr_of_mut!((*act.header).data));
        }
    }
}

/// An unwind on stack `h` stored more than its free space: its frames were written past
/// `data.end`. Ends the unwind and reports it; never returns.
///
/// # Safety
/// `h` is the running stack's header, Binaryen's state "unwinding".
#[cold]
#[inline(never)]
unsafe fn overflowed(h: *mut Header) -> ! {
    let need = (*h).data.current - (*h).low;
    let free = (*h).data.end - (*h).low;
    let escaped = (*h).data.current > (*h).high;
    // End the unwind first: any instrumented function (anything that can reach `exit`) misbehaves
    // while Binaryen's state is "unwinding". `stop_unwind` traps if `current > end`, so clamp
    // `current` first. If the overrun stayed inside this stack, only frames that will never run
    // again were hit and the ordinary report (which flushes stdout) is safe.
    (*h).data.current = (*h).data.end;
    asyncify::stop_unwind();
    globals::set_mode(Mode::Normal);
    let misuse = if escaped { Misuse::StackOverrun } else { Misuse::StackOverflowed };
    diag::report_stack(misuse, h, need, free)
}
