//! Captures: saved call chains kept on the shadow stack. Shared by `setjmp` (a `jmp_buf` owns
//! the capture) and the context functions (a `ucontext_t` owns it).
//!
//! A capture is made by an Asyncify unwind into the free space of the running stack (from its
//! header's end upward). At the root, [`place`] moves the saved frames to end directly below
//! `top` (the stack pointer of the function that asked for the capture), with a 16-byte
//! [`Record`] between them and `top`; the stack pointer is then lowered below them, so they are
//! freed when that function returns.
//!
//! ```text
//!   higher addresses
//!   | frames of the caller (and its callers) |  <- top
//!   | Record {magic, owner, id, size}         |  16 bytes
//!   | saved frames (Asyncify data)            |  <- Chain::top: where a rewind starts reading
//!   |                                         |  <- Chain::base; stack pointer after the capture
//! ```
//!
//! A capture is *intact* when its record still names its owner and identity and the checksum of
//! its frames matches; an owner whose capture is the lowest thing on the stack (its base is the
//! stack pointer) is re-captured in place ([`reusable_top`]), which keeps loops in constant stack.

use crate::asyncify;
use crate::diag::{self, Part};
use crate::mode::{self, Mode};
use crate::ffi;
use crate::root;
use crate::stack::{self, Header};

/// `magic` of a [`Record`] ("SJR1").
pub const MAGIC_RECORD: u32 = 0x534a_5231;

/// The 16-byte validity record written between a capture's saved frames and its `top`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Record {
    /// [`MAGIC_RECORD`].
    pub magic: u32,
    /// Address of the owner (`jmp_buf` or `ucontext_t`).
    pub owner: u32,
    /// Identity shared with the owner's copy ([`Chain::id`]).
    pub id: u32,
    /// Size in bytes of the saved frames below the record.
    pub size: u32,
}

/// Size of a [`Record`].
pub const RECORD_SIZE: usize = core::mem::size_of::<Record>();

/// Free bytes an unwind needs at the very least (a validity record and one frame).
pub const MIN_FREE: usize = RECORD_SIZE + 16;

/// Where a capture is and how to check it: the owner keeps a copy of this.
#[derive(Clone, Copy, Debug, Default)]
pub struct Chain {
    /// Lowest address of the saved frames; the stack pointer to run with after a rewind is this
    /// rounded down to 16.
    pub base: u32,
    /// End of the saved frames, where the record starts; a rewind starts reading here.
    pub top: u32,
    /// Checksum of the saved frames.
    pub sum: u32,
    /// Identity shared with the record.
    pub id: u32,
}

impl Chain {
    /// The stack pointer the rewound frames run with.
    pub fn resume_sp(&self) -> usize {
        crate::sp::align_down(self.base as usize)
    }
}

/// A 32-bit FNV-1a hash of the words of `[base, base + size)`; detects saved frames that were
/// overwritten after their owner's function returned.
unsafe fn checksum(base: usize, size: usize) -> u32 {
    let mut hash: u32 = 0x811c_9dc5 ^ size as u32;
    let words = base as *const u32;
    for i in 0..size / 4 {
        hash = (hash ^ words.add(i).read_unaligned()).wrapping_mul(0x0100_0193);
    }
    hash
}

/// The record of `c`, if its address lies inside the stack `h`.
unsafe fn record_of(c: &Chain, h: &Header) -> Option<Record> {
    let (base, at) = (c.base as usize, c.top as usize);
    if base < h.low || base > at || at % 4 != 0 || at + RECORD_SIZE > h.high {
        return None;
    }
    Some(*(at as *const Record))
}

/// True when `c`, owned by `owner`, still describes intact saved frames on stack `h`.
pub unsafe fn intact(c: &Chain, owner: usize, h: &Header) -> bool {
    match record_of(c, h) {
        Some(r) => {
            r.magic == MAGIC_RECORD
                && r.owner as usize == owner
                && r.id == c.id
                && r.size == c.top - c.base
                && checksum(c.base as usize, r.size as usize) == c.sum
        }
        None => false,
    }
}

/// If the owner's previous capture on stack `h` (`base`, `top`, `id` of its [`Chain`]) is the
/// lowest thing on the stack (its frames begin at the stack pointer `sp_now`) and its record is
/// intact, returns the `top` it was placed under, so the new capture replaces it instead of
/// stacking below it; else returns `sp_now`.
///
/// Called by the Asyncify leaves, which must have no shadow-stack frame (their stack pointer must
/// be their caller's): it takes only scalars, so calling it needs no stack memory.
#[inline(never)]
pub unsafe fn capture_top(base: u32, top: u32, id: u32, owner: usize, sp_now: usize, h: &Header) -> usize {
    let prev = Chain { base, top, sum: 0, id };
    if prev.resume_sp() != sp_now {
        return sp_now;
    }
    match record_of(&prev, h) {
        Some(r) if r.magic == MAGIC_RECORD && r.owner as usize == owner && r.id == id => top as usize + RECORD_SIZE,
        _ => sp_now,
    }
}

/// Called by the root after an unwind for a capture: moves the unwound frames (at the bottom of
/// the free space of `h`) to end just below `top - RECORD_SIZE`, writes the record naming
/// `owner`, prepares `h` to rewind them, and returns where they are.
pub unsafe fn place(owner: usize, top: usize, h: &mut Header) -> Chain {
    let size = h.data.current - h.low;
    let data_top = top - RECORD_SIZE;
    let base = data_top - size;
    core::ptr::copy(h.low as *const u8, base as *mut u8, size);
    let st = &mut *root::state();
    let id = st.next_id ^ ((owner as u32) << 12);
    st.next_id = st.next_id.wrapping_add(1);
    *(data_top as *mut Record) = Record { magic: MAGIC_RECORD, owner: owner as u32, id, size: size as u32 };
    h.rewind_buffer(data_top);
    Chain { base: base as u32, top: data_top as u32, sum: checksum(base, size), id }
}

/// The first step of every Asyncify leaf: if the leaf was re-entered by a rewind (the end of a
/// capture, a jump, a context switch or a scan), ends the rewind and returns the value the root
/// left for it; else `None` (an ordinary call). Inlined, so each leaf calls
/// `asyncify.stop_rewind` directly, as Binaryen's leaf classification requires.
#[inline(always)]
pub unsafe fn resumed() -> Option<i32> {
    if mode::get() != Mode::Rewinding {
        return None;
    }
    asyncify::stop_rewind();
    mode::set(Mode::Normal);
    Some((*root::state()).resume)
}

/// The last step of every Asyncify leaf: records `op` for the root and starts an unwind into the
/// free space of `h` below `limit`; the leaf then returns. Inlined, so each leaf calls
/// `asyncify.start_unwind` directly.
#[inline(always)]
pub unsafe fn begin_unwind(op: root::Op, h: &mut Header, limit: usize) {
    (*root::state()).op = op;
    mode::set(Mode::Unwinding);
    asyncify::start_unwind(h.unwind_buffer(limit));
}

/// The stack pointer of the running leaf, after the checks every leaf makes: the root is running
/// (else exit 125), no scan callback is running (else exit 118), and there is some free space
/// below the stack pointer (else exit 123). Inlined into the leaves; the reports are out of line.
#[inline(always)]
pub unsafe fn leaf_sp(what: &'static str) -> (&'static mut Header, usize) {
    let h = stack::current();
    if h.is_null() {
        no_root(what);
    }
    if (*root::state()).in_callback {
        in_callback(what);
    }
    let h = &mut *h;
    let sp_now = crate::sp::align_down(crate::sp::get());
    if sp_now < h.low + MIN_FREE {
        no_free_space(h, sp_now);
    }
    (h, sp_now)
}

#[cold]
#[inline(never)]
fn no_root(what: &'static str) -> ! {
    diag::fatal(
        ffi::ASYNCIFY_RT_STATUS_NO_ROOT,
        &[Part::Str(what), Part::Str(": called outside main's call tree (from a constructor, or after main returned); asyncify-rt can only save frames under main")],
    )
}

#[cold]
#[inline(never)]
fn in_callback(what: &'static str) -> ! {
    diag::fatal(
        ffi::ASYNCIFY_RT_STATUS_IN_CALLBACK,
        &[Part::Str(what), Part::Str(": called from inside a scan callback (asyncify_rt_scan_registers / emscripten_scan_registers), where the program's frames are unwound; only plain code may run there")],
    )
}

/// Reports an unwind that needed `need` bytes of the free space of `h` but had `free`; `escaped`
/// when the overrun went beyond the stack, so that memory above it may be damaged and only the
/// header's private copy of the text is used. Requires Binaryen's state to be normal.
pub unsafe fn report_exhausted(h: &mut Header, need: usize, free: usize, escaped: bool) -> ! {
    diag::to_scratch();
    exhausted_here(h, need, free, escaped)
}

#[inline(never)]
unsafe fn exhausted_here(h: &mut Header, need: usize, free: usize, escaped: bool) -> ! {
    if !escaped {
        let t = stack::EXHAUSTED_TEXT;
        diag::fatal(
            ffi::ASYNCIFY_RT_STATUS_STACK_EXHAUSTED,
            &[Part::Str(diag::body(t[0])), Part::Num(need), Part::Str(t[1]), Part::Num(free), Part::Str(diag::body(t[2]))],
        )
    }
    let line = h.exhausted_line(need, free);
    diag::emergency_exit(ffi::ASYNCIFY_RT_STATUS_STACK_EXHAUSTED, line.as_bytes(), &mut h.scratch)
}

/// Reports a stack with (almost) no free space left below the stack pointer. Out of line so that
/// the Asyncify leaves need no shadow-stack frame of their own.
#[cold]
#[inline(never)]
pub fn no_free_space(h: &Header, sp_now: usize) -> ! {
    // This runs with (almost) no stack left: move to the root's scratch area before anything that
    // needs memory.
    diag::to_scratch();
    no_free_space_report(h.low, sp_now)
}

#[inline(never)]
fn no_free_space_report(low: usize, sp_now: usize) -> ! {
    let t = stack::EXHAUSTED_TEXT;
    diag::fatal(
        ffi::ASYNCIFY_RT_STATUS_STACK_EXHAUSTED,
        &[
            Part::Str(diag::body(t[0])),
            Part::Num(MIN_FREE),
            Part::Str(t[1]),
            Part::Num(sp_now.saturating_sub(low)),
            Part::Str(diag::body(t[2])),
        ],
    )
}
