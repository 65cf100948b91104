//! Misuse reports: the one table of every misuse the runtime diagnoses ([`Misuse`]), and the one
//! path that reports it ([`report`]): a single line on stderr starting with `asyncify-rt: `, then
//! process exit with the misuse's documented status (`ASYNCIFY_RT_STATUS_*` in
//! `include/asyncify_rt.h`, whose wording this table follows).
//!
//! The line is `asyncify-rt: <function>: <subject> <text>`, e.g.
//! `asyncify-rt: longjmp: jmp_buf 0x11f0 was never set by setjmp (or has been overwritten)`.
//!
//! Two ways out, chosen by [`report`] itself:
//! * memory intact: written with wasi-libc's `write(2)`, ended with `exit()`, so atexit handlers
//!   run and buffered stdout is flushed (C11 7.22.4.4);
//! * after an unwind overran its whole stack ([`Misuse::StackOverrun`]): linear memory above the
//!   stack (libc's stdio state, this crate's constants) may be garbage, so the line is composed
//!   only from the stack header's private copy of the text and written with the raw WASI
//!   `fd_write`, then `proc_exit`. Buffered stdout is lost.
//!
//! Reports run on the root's scratch area ([`to_scratch`]): a report may be triggered on a nearly
//! exhausted context stack, and running `exit` below its end would damage other memory.

use super::globals::{self, Global, Mode};
use super::stack::{self, Header, EXHAUSTED_TEXT};
use crate::ffi;

extern "C" {
    fn write(fd: i32, buf: *const u8, len: usize) -> isize;
    fn exit(status: i32) -> !;
    fn __wasi_fd_write(fd: u32, iovs: *const [usize; 2], iovs_len: usize, nwritten: *mut usize) -> u16;
    fn __wasi_proc_exit(code: u32) -> !;
}

/// What a misuse is about; printed before the misuse's text.
#[derive(Clone, Copy, Debug)]
pub enum Subject {
    /// Nothing in particular.
    None,
    /// A `jmp_buf` at this address.
    JmpBuf(usize),
    /// A `ucontext_t` at this address.
    Context(usize),
}

/// Every misuse the runtime diagnoses: one variant per distinct problem, each with its exit
/// status ([`Misuse::status`]) and its text ([`Misuse::text`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misuse {
    /// A `jmp_buf` argument is NULL.
    JmpBufNull,
    /// `longjmp` to a `jmp_buf` that no setjmp filled in, or that was overwritten.
    JmpBufNeverSet,
    /// `longjmp` to a `jmp_buf` whose setjmp caller has returned, found because its frame (or
    /// saved frames) lie below the stack pointer, i.e. in freed stack memory.
    JmpBufBelowSp,
    /// As above, found because its saved frames were overwritten (checksum).
    JmpBufOverwritten,
    /// As above, found because the running call chain is shorter than the saved one.
    JmpBufNotInChain,
    /// As above, found because the invocation that set it no longer holds its serial (lowered
    /// setjmp: another function's frame now occupies its slot).
    JmpBufSlotReused,
    /// As above, found because no running function that called setjmp on it caught the jump.
    JmpBufUncaught,
    /// `longjmp` to a `jmp_buf` set in a different context (stack) than the running one.
    JmpBufForeign,
    /// A leaf called outside `main`'s call tree (constructor, atexit handler).
    NoRoot,
    /// A leaf called from inside a scan callback.
    InCallback,
    /// No room left below the stack pointer for even the smallest unwind.
    StackExhausted,
    /// An unwind wrote past the end of its free space but stayed inside its stack.
    StackOverflowed,
    /// An unwind wrote past the end of its whole stack (memory above may be damaged).
    StackOverrun,
    /// Resuming a context that was never initialised.
    ContextNeverInitialised,
    /// Resuming a made context whose function has returned.
    ContextFinished,
    /// Resuming a chain saved by swapcontext a second time.
    ContextConsumed,
    /// Resuming a context saved by a function that has returned (saved frames below the stack
    /// pointer).
    ContextBelowSp,
    /// As above, found because its saved frames were overwritten.
    ContextOverwritten,
    /// Resuming a chain saved by swapcontext after something else has run on its stack and
    /// overwritten its frames.
    ContextStackRan,
    /// A `uc_link` made with an invalid stack.
    LinkInvalid,
    /// An unwind reached the root with no pending request.
    InternalNoRequest,
    /// A made context's bottom returned to the root (the trampoline always switches away).
    InternalBottomReturned,
    /// A Rust panic inside the runtime.
    InternalPanic,
}

impl Misuse {
    /// The exit status (include/asyncify_rt.h).
    pub const fn status(self) -> ffi::Status {
        use Misuse::*;
        match self {
            JmpBufNull | JmpBufNeverSet => ffi::ASYNCIFY_RT_STATUS_BAD_JMPBUF,
            JmpBufBelowSp | JmpBufOverwritten | JmpBufNotInChain | JmpBufSlotReused | JmpBufUncaught => {
                ffi::ASYNCIFY_RT_STATUS_DEAD_JMPBUF
            }
            JmpBufForeign => ffi::ASYNCIFY_RT_STATUS_FOREIGN_JMPBUF,
            NoRoot => ffi::ASYNCIFY_RT_STATUS_NO_ROOT,
            InCallback => ffi::ASYNCIFY_RT_STATUS_IN_CALLBACK,
            StackExhausted | StackOverflowed | StackOverrun => ffi::ASYNCIFY_RT_STATUS_STACK_EXHAUSTED,
            ContextNeverInitialised | ContextFinished | ContextConsumed | ContextBelowSp | ContextOverwritten
            | ContextStackRan | LinkInvalid => ffi::ASYNCIFY_RT_STATUS_BAD_CONTEXT,
            InternalNoRequest | InternalBottomReturned | InternalPanic => ffi::ASYNCIFY_RT_STATUS_INTERNAL,
        }
    }

    /// The text printed after the subject (for the stack variants, the middle of
    /// [`EXHAUSTED_TEXT`] is composed around the numbers instead).
    pub const fn text(self) -> &'static str {
        use Misuse::*;
        match self {
            JmpBufNull => "is a null pointer",
            JmpBufNeverSet => "was never set by setjmp (or has been overwritten)",
            JmpBufBelowSp => "is dead: the function that called setjmp on it has returned (its frames are below the stack pointer)",
            JmpBufOverwritten => "is dead: the function that called setjmp on it has returned (its saved frames were overwritten)",
            JmpBufNotInChain => "is dead: the function that called setjmp on it has returned (the running call chain no longer contains it)",
            JmpBufSlotReused => "is dead: the function that called setjmp on it has returned (another call now occupies its frame)",
            JmpBufUncaught => "is dead: the function that called setjmp on it has returned (no running function caught the jump)",
            JmpBufForeign => "was set by setjmp in a different context (ucontext) than the running one",
            NoRoot => "called outside main's call tree (from a constructor, or after main returned); asyncify-rt can only save frames under main",
            InCallback => "called from inside a scan callback (asyncify_rt_scan_registers / emscripten_scan_registers), where the program's frames are unwound; only plain code may run there",
            StackExhausted | StackOverflowed | StackOverrun => "shadow stack exhausted",
            ContextNeverInitialised => "was never initialised (by getcontext, makecontext or swapcontext)",
            ContextFinished => "cannot be resumed: its function has returned (make it again with makecontext to reuse it)",
            ContextConsumed => "cannot be resumed: it was saved by swapcontext and has already been resumed (such a saved context resumes once)",
            ContextBelowSp => "cannot be resumed: the function that saved it has returned (its saved frames are below the stack pointer)",
            ContextOverwritten => "cannot be resumed: the function that saved it has returned (its saved frames were overwritten)",
            ContextStackRan => "cannot be resumed: it was saved by swapcontext, its stack has run since (another context saved on that stack was resumed) and its saved frames were overwritten",
            LinkInvalid => "was made with an invalid stack",
            InternalNoRequest => "internal error: an unwind reached the root with no pending request",
            InternalBottomReturned => "internal error: a made context's trampoline returned to the root",
            InternalPanic => "internal error (a Rust panic in the runtime)",
        }
    }
}

/// A piece of a message.
#[derive(Clone, Copy)]
enum Part<'a> {
    Str(&'a str),
    Addr(usize),
}

/// A fixed-capacity line buffer; text beyond the capacity is dropped.
pub struct Line<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Line<N> {
    /// An empty line.
    pub const fn new() -> Self {
        Line { bytes: [0; N], len: 0 }
    }

    /// Appends raw bytes.
    pub fn bytes(&mut self, b: &[u8]) {
        for &c in b {
            if self.len < N {
                self.bytes[self.len] = c;
                self.len += 1;
            }
        }
    }

    /// Appends `n` in base `radix` (10 or 16), without a prefix. Uses only arithmetic, no tables,
    /// so it works when constant data may be damaged.
    pub fn number(&mut self, mut n: usize, radix: usize) {
        let mut digits = [0u8; 20];
        let mut i = 0;
        loop {
            let d = (n % radix) as u8;
            digits[i] = if d < 10 { b'0' + d } else { b'a' + d - 10 };
            i += 1;
            n /= radix;
            if n == 0 {
                break;
            }
        }
        while i > 0 {
            i -= 1;
            self.bytes(&[digits[i]]);
        }
    }

    fn part(&mut self, p: Part<'_>) {
        match p {
            Part::Str(s) => self.bytes(s.as_bytes()),
            Part::Addr(a) => {
                self.bytes(b"0x");
                self.number(a, 16)
            }
        }
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Moves the stack pointer to the top of the root's scratch area unless it is already inside it
/// (or the root has not run, when the main stack is all there is). The caller's frame (holding the
/// report's arguments) stays where it is.
#[inline(always)]
pub fn to_scratch() {
    let top = stack::scratch_top();
    if top == 0 {
        return;
    }
    let low = top - stack::ROOT_SCRATCH;
    let cur = globals::sp();
    if cur > top || cur < low {
        // SAFETY: the scratch area is reserved for the root and the reports, and no frame of the
        // program lives there; a report never returns to the caller's stack.
        unsafe { globals::set_sp(top) }
    }
}

/// Reports `misuse`, detected in the C function `what` (e.g. "longjmp"; empty for none) about
/// `subject`, and ends the process with the misuse's status. Never returns.
///
/// Binaryen's state must be normal (no unwind or rewind in flight), because `exit` runs
/// instrumented code (atexit handlers, stdio flushing); the stack variants have their own entry,
/// [`report_stack`]. Runs on the root's scratch area.
#[cold]
#[inline(never)]
pub fn report(misuse: Misuse, what: &str, subject: Subject) -> ! {
    to_scratch();
    let mut line = Line::<320>::new();
    line.bytes(b"asyncify-rt: ");
    if !what.is_empty() {
        line.part(Part::Str(what));
        line.bytes(b": ");
    }
    match subject {
        Subject::None => {}
        Subject::JmpBuf(a) => {
            line.bytes(b"jmp_buf ");
            line.part(Part::Addr(a));
            line.bytes(b" ");
        }
        Subject::Context(a) => {
            line.bytes(b"context ");
            line.part(Part::Addr(a));
            line.bytes(b" ");
        }
    }
    line.part(Part::Str(misuse.text()));
    line.bytes(b"\n");
    finish(misuse.status(), &line)
}

/// Reports that an unwind on stack `h` needed `need` bytes of free space but had `free`
/// ([`Misuse::StackExhausted`] before it started, [`Misuse::StackOverflowed`] or
/// [`Misuse::StackOverrun`] after it wrote past its end), and ends the process. For an overrun the
/// line comes from the header's private copy of the text and stdout is not flushed.
///
/// # Safety
/// `h` must be the header the unwind used, intact (nothing writes below where an unwind starts);
/// Binaryen's state must be normal.
#[cold]
#[inline(never)]
pub unsafe fn report_stack(misuse: Misuse, h: *mut Header, need: usize, free: usize) -> ! {
    to_scratch();
    if misuse != Misuse::StackOverrun {
        let mut line = Line::<320>::new();
        for (i, piece) in EXHAUSTED_TEXT.iter().enumerate() {
            line.bytes(piece.as_bytes());
            if i < 2 {
                line.number([need, free][i], 10);
            }
        }
        finish(misuse.status(), &line)
    }
    let mut line = Line::<320>::new();
    let (a, b) = ((*h).text_len[0], (*h).text_len[0] + (*h).text_len[1]);
    let c = b + (*h).text_len[2];
    line.bytes(&(&(*h).text)[..a]);
    line.number(need, 10);
    line.bytes(&(&(*h).text)[a..b]);
    line.number(free, 10);
    line.bytes(&(&(*h).text)[b..c]);
    emergency_exit(misuse.status(), line.as_bytes(), &mut *core::ptr::addr_of_mut!((*h).scratch))
}

/// Writes `line` to stderr and calls `exit(status)`; a fault while reporting (a panic re-entering
/// here) ends the process at once with the internal status.
#[inline(never)]
fn finish<const N: usize>(status: ffi::Status, line: &Line<N>) -> ! {
    static REPORTING: Global<bool> = Global::new(false);
    if REPORTING.read() {
        // SAFETY: ends the process; touches no memory.
        unsafe { __wasi_proc_exit(ffi::ASYNCIFY_RT_STATUS_INTERNAL) }
    }
    REPORTING.write(true);
    globals::set_mode(Mode::Normal);
    let b = line.as_bytes();
    // SAFETY: `b` is valid for `b.len()` bytes; `exit` is libc's and never returns.
    unsafe {
        write(2, b.as_ptr(), b.len());
        exit(status as i32)
    }
}

/// Writes `msg` to stderr with the raw WASI call and ends the process with `status`, touching no
/// memory but `msg` and `scratch` (three words for the iovec and the byte count).
///
/// # Safety
/// `msg` and `scratch` must be readable/writable memory that is known to be intact.
unsafe fn emergency_exit(status: ffi::Status, msg: &[u8], scratch: &mut [usize; 3]) -> ! {
    scratch[0] = msg.as_ptr() as usize;
    scratch[1] = msg.len();
    let iov = scratch.as_ptr() as *const [usize; 2];
    __wasi_fd_write(2, iov, 1, &mut scratch[2]);
    __wasi_proc_exit(status)
}
