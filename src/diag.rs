//! Misuse reports: one line on stderr starting with `asyncify-rt: `, then process exit with a
//! documented status (`ASYNCIFY_RT_STATUS_*` in `include/asyncify_rt.h`).
//!
//! Two paths:
//! * [`fatal`]: memory is intact. Writes with wasi-libc's `write(2)` and ends with `exit()`, so
//!   atexit handlers run and buffered stdout is flushed (C11 7.22.4.4).
//! * [`emergency_exit`]: an unwind overran the whole stack, so linear memory above the stack (libc's
//!   stdio state, this crate's constants) may be garbage. Writes a message composed only from
//!   the stack header's private copy of the text with the raw WASI `fd_write`, then `proc_exit`.
//!   Buffered stdout is lost.

use crate::ffi::Status;

extern "C" {
    fn write(fd: i32, buf: *const u8, len: usize) -> isize;
    fn exit(status: i32) -> !;
    fn __wasi_fd_write(fd: u32, iovs: *const [usize; 2], iovs_len: usize, nwritten: *mut usize) -> u16;
    fn __wasi_proc_exit(code: u32) -> !;
}

/// A piece of a message.
#[derive(Clone, Copy)]
pub enum Part<'a> {
    /// Literal text.
    Str(&'a str),
    /// A number in decimal.
    Num(usize),
    /// An address in hexadecimal (`0x...`).
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

    /// Appends a message part.
    pub fn part(&mut self, p: Part<'_>) {
        match p {
            Part::Str(s) => self.bytes(s.as_bytes()),
            Part::Num(n) => self.number(n, 10),
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

/// `s` without the `asyncify-rt: ` prefix and the final newline (for texts that
/// [`crate::stack::EXHAUSTED_TEXT`] keeps complete for the emergency path).
pub fn body(s: &'static str) -> &'static str {
    s.strip_prefix("asyncify-rt: ").unwrap_or(s).trim_end_matches('\n')
}

/// Moves the stack pointer to the top of the root's scratch area (see [`crate::root`]) unless it
/// is already inside it. Reports call this first: the stack they are called on may be nearly
/// exhausted (a made context's small stack), and writing a report and running `exit` below its
/// end would damage whatever memory lies there. The caller's frame (holding the report's parts)
/// stays where it is.
#[inline(always)]
pub fn to_scratch() {
    let top = unsafe { (*crate::root::state()).root_sp };
    if top == 0 {
        return; // the root has not run: the main stack is all there is
    }
    let low = top - crate::stack::ROOT_SCRATCH;
    let cur = crate::sp::get();
    if cur > top || cur < low {
        unsafe { crate::sp::set(top) }
    }
}

/// Reports misuse and exits: writes `asyncify-rt: <parts>\n` to stderr and calls `exit(status)`.
/// Requires the Asyncify state to be normal (no unwind or rewind in flight), because `exit` runs
/// instrumented code (atexit handlers, stdio flushing). Runs on the root's scratch area.
#[inline(never)]
pub fn fatal(status: Status, parts: &[Part<'_>]) -> ! {
    to_scratch();
    report(status, parts)
}

#[inline(never)]
fn report(status: Status, parts: &[Part<'_>]) -> ! {
    // A fault while reporting (a panic re-entering here) ends the process at once.
    static REPORTING: crate::root::Global<bool> = crate::root::Global::new(false);
    unsafe {
        if *REPORTING.get() {
            __wasi_proc_exit(crate::ffi::ASYNCIFY_RT_STATUS_INTERNAL)
        }
        *REPORTING.get() = true;
    }
    let mut line = Line::<320>::new();
    line.bytes(b"asyncify-rt: ");
    for &p in parts {
        line.part(p);
    }
    line.bytes(b"\n");
    crate::mode::set(crate::mode::Mode::Normal);
    unsafe {
        let b = line.as_bytes();
        write(2, b.as_ptr(), b.len());
        exit(status as i32)
    }
}

/// Writes `msg` to stderr with the raw WASI call and ends the process with `status`, touching no
/// memory but `msg` and `scratch` (three words for the iovec and the byte count).
///
/// # Safety
/// `msg` and `scratch` must be readable/writable memory that is known to be intact.
pub unsafe fn emergency_exit(status: Status, msg: &[u8], scratch: &mut [usize; 3]) -> ! {
    scratch[0] = msg.as_ptr() as usize;
    scratch[1] = msg.len();
    let iov = scratch.as_ptr() as *const [usize; 2];
    __wasi_fd_write(2, iov, 1, &mut scratch[2]);
    __wasi_proc_exit(status)
}
