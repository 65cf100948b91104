//! Shadow stacks and their headers.
//!
//! Every stack the runtime runs on has a [`Header`] at its low end. The header holds the Asyncify
//! [`Data`] used for unwinds and rewinds on that stack, the stack's bounds, and a private copy of
//! the "stack exhausted" message. The rest of the stack, from the end of the header up to the
//! stack pointer, is free space that unwinds write into.
//!
//! Why a header at the low end: an unwind stores frames upward from the bottom of the free space
//! and Binaryen does not check the bound while storing, so frames that do not fit are written past
//! the stack pointer, over live frames and possibly over the data above the stack. The only memory
//! such an overflow cannot reach is *below* where the unwind started: the header. So the root
//! checks `data.current > data.end` there before anything else, and if the overflow went beyond
//! the stack it reports from the header's copy of the message ([`crate::diag::emergency_exit`]).

use crate::asyncify::Data;
use crate::diag::Line;
use crate::sp;

/// Text of the "stack exhausted" report, in three pieces around two numbers. The same pieces
/// are used from constant data (memory intact) and from the header's copy (after an overflow).
pub const EXHAUSTED_TEXT: [&str; 3] = [
    "asyncify-rt: shadow stack exhausted while saving frames for an Asyncify unwind (needs ",
    " bytes, has ",
    " bytes free); raise the stack size: -Wl,-z,stack-size=BYTES at link time for the main stack, uc_stack.ss_size for a context\n",
];
const TEXT_CAP: usize = 224;

/// The header at the low end of a stack (16-byte aligned).
#[repr(C, align(16))]
pub struct Header {
    /// The Asyncify buffer descriptor for unwinds and rewinds on this stack.
    pub data: Data,
    /// Lowest byte of the free space (one past the header).
    pub low: usize,
    /// One past the highest byte of the stack.
    pub high: usize,
    /// Identity of the context that owns this stack; 0 for the main stack.
    pub ctx: usize,
    /// [`MAGIC_HEADER`] while the header is registered in the list of stacks.
    pub magic: usize,
    /// The `ucontext_t` of the made context that owns this stack (null for the main stack).
    pub owner: usize,
    /// For a made context: its `uc_link` as `makecontext` found it (POSIX: the context resumed
    /// when the function returns), kept here because the `ucontext_t` may be moved or freed.
    pub link: usize,
    /// For a made context: nonzero once its function has returned.
    pub finished: usize,
    /// The `ucontext_t` holding the chain this stack is suspended in, while it is suspended by a
    /// context switch; 0 while it runs, before it starts and after it finishes.
    pub suspended: usize,
    /// Neighbours in the circular list of registered stacks, whose anchor is the main stack's
    /// header (see [`register`]).
    pub prev: usize,
    /// See `prev`.
    pub next: usize,
    /// Scratch words for [`crate::diag::emergency_exit`].
    pub scratch: [usize; 3],
    /// Lengths of the three pieces of [`EXHAUSTED_TEXT`] in `text`.
    pub text_len: [usize; 3],
    /// Private copy of [`EXHAUSTED_TEXT`], concatenated.
    pub text: [u8; TEXT_CAP],
}

/// `Header::magic` of a registered header ("ASTK").
pub const MAGIC_HEADER: usize = 0x4153_544b;

/// Bytes taken by a header at the bottom of a stack.
pub const HEADER_SIZE: usize = core::mem::size_of::<Header>();

impl Header {
    /// Writes a header at `base` (rounded up to 16) for the stack `[base, high)` owned by context
    /// `ctx`, and returns it.
    ///
    /// # Safety
    /// `[base, high)` must be memory the caller owns, at least `HEADER_SIZE + 16` bytes.
    pub unsafe fn init(base: usize, high: usize, ctx: usize) -> *mut Header {
        let at = (base + 15) & !15;
        let h = at as *mut Header;
        core::ptr::write_bytes(h as *mut u8, 0, HEADER_SIZE);
        let hd = &mut *h;
        hd.low = at + HEADER_SIZE;
        hd.high = high;
        hd.ctx = ctx;
        let mut off = 0;
        for (i, piece) in EXHAUSTED_TEXT.iter().enumerate() {
            let b = piece.as_bytes();
            hd.text[off..off + b.len()].copy_from_slice(b);
            hd.text_len[i] = b.len();
            off += b.len();
        }
        h
    }

    /// Prepares `data` for an unwind into the free space below `limit` (exclusive) and returns a
    /// pointer to it for `start_unwind`.
    pub fn unwind_buffer(&mut self, limit: usize) -> *mut Data {
        self.data.current = self.low;
        self.data.end = limit;
        &mut self.data
    }

    /// Prepares `data` to rewind a saved chain whose frames end at `top`.
    pub fn rewind_buffer(&mut self, top: usize) -> *mut Data {
        self.data.current = top;
        self.data.end = top;
        &mut self.data
    }

    /// Composes the "stack exhausted" line from the header's own copy of the text.
    pub fn exhausted_line(&self, need: usize, free: usize) -> Line<320> {
        let mut line = Line::new();
        let (a, b) = (self.text_len[0], self.text_len[0] + self.text_len[1]);
        let c = b + self.text_len[2];
        line.bytes(&self.text[..a]);
        line.number(need, 10);
        line.bytes(&self.text[a..b]);
        line.number(free, 10);
        line.bytes(&self.text[b..c]);
        line
    }
}

/// The header of the running stack.
#[inline(always)]
pub fn current() -> *mut Header {
    sp::header_addr() as *mut Header
}

/// Bytes reserved above the main stack's header for the root's own work (see [`crate::root`]).
pub const ROOT_SCRATCH: usize = 8192;

/// Creates the main stack's header (at `__stack_low + 16`, leaving the first bytes of memory
/// untouched) followed by the root's scratch area, and makes it current. Returns the header and
/// the stack pointer for the root's work (the top of the scratch area).
pub fn init_main() -> (*mut Header, usize) {
    let h = unsafe { Header::init(sp::main_stack_low() + 16, sp::main_stack_high(), 0) };
    unsafe {
        (*h).low += ROOT_SCRATCH;
        // The anchor of the circular list of stacks.
        (*h).magic = MAGIC_HEADER;
        (*h).prev = h as usize;
        (*h).next = h as usize;
    }
    sp::set_header_addr(h as usize);
    (h, unsafe { (*h).low })
}

/// Writes a header at the low end of a made context's stack `[base, base + size)`; the context's
/// identity is the header's address.
///
/// # Safety
/// The memory must belong to the caller and be at least `HEADER_SIZE + 16` bytes.
pub unsafe fn init_context(base: usize, size: usize) -> *mut Header {
    let at = (base + 15) & !15;
    unregister(at as *mut Header); // a previous context made on the same memory
    let h = Header::init(base, base + size, 0);
    (*h).ctx = h as usize;
    h
}

/// Adds the made context's stack header `h` (owned by the `ucontext_t` at `owner`) to the list
/// of stacks visited by [`crate::scan`]. The list is intrusive (no table, no limit) and anchored
/// at the main stack's header.
///
/// # Safety
/// `h` must be a fresh header from [`init_context`]; the root must be running.
pub unsafe fn register(h: *mut Header, owner: usize) {
    let anchor = (*crate::root::state()).main_header;
    (*h).owner = owner;
    (*h).magic = MAGIC_HEADER;
    (*h).prev = anchor as usize;
    (*h).next = (*anchor).next;
    (*((*anchor).next as *mut Header)).prev = h as usize;
    (*anchor).next = h as usize;
}

/// Removes `h` from the list of stacks if it is registered (a header whose magic is not
/// [`MAGIC_HEADER`] is left alone).
///
/// # Safety
/// `h` must be readable memory.
pub unsafe fn unregister(h: *mut Header) {
    if h.is_null() || (*h).magic != MAGIC_HEADER || (*h).ctx == 0 {
        return;
    }
    (*((*h).prev as *mut Header)).next = (*h).next;
    (*((*h).next as *mut Header)).prev = (*h).prev;
    (*h).magic = 0;
    (*h).suspended = 0;
}

/// The header of the stack whose identity is `ctx` (0: the main stack).
pub fn header_of(ctx: usize) -> *mut Header {
    if ctx == 0 {
        unsafe { (*crate::root::state()).main_header }
    } else {
        ctx as *mut Header
    }
}

/// `asyncify_rt_stack_bounds` (include/asyncify_rt.h): stores the running stack's usable bounds
/// `[low, high)` (the free space begins above the runtime's header) through the non-null
/// pointers. Returns 0.
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_stack_bounds(low: *mut usize, high: *mut usize) -> i32 {
    let h = current();
    let (l, hi) = if h.is_null() {
        (sp::main_stack_low(), sp::main_stack_high())
    } else {
        ((*h).low, (*h).high)
    };
    if !low.is_null() {
        *low = l;
    }
    if !high.is_null() {
        *high = hi;
    }
    0
}
