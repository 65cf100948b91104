//! Shadow stacks and their headers.
//!
//! Every stack the runtime runs on, the main stack and each made context's `uc_stack`, has a
//! [`Header`] at its low end. The header holds the Asyncify [`Data`] used for unwinds and
//! rewinds on that stack, the stack's bounds, the function at the bottom of its call chain, and a
//! private copy of the "stack exhausted" message. A stack's *identity* (what a `jmp_buf`'s
//! `__stack` and a `ucontext_t`'s `__stack` record) is its header's address.
//!
//! Why a header at the low end: an unwind stores frames upward from the bottom of the free space
//! and Binaryen does not check the bound while storing, so frames that do not fit are written past
//! the stack pointer, over live frames and possibly over the data above the stack. The only memory
//! such an overrun cannot reach is *below* where the unwind started: the header. So the root
//! checks `data.current > data.end` there before anything else, and if the overrun went beyond
//! the stack the report is composed from the header's copy of the text
//! ([`super::diag`]).
//!
//! The main stack's header is followed by the root's scratch area ([`ROOT_SCRATCH`] bytes): the
//! root and the misuse reports run there, below every frame and above the unwind buffer.
//! Made contexts' headers form a circular list anchored at the main stack's header, for the scan
//! of suspended contexts.

use super::asyncify::Data;
use super::globals::{self, Global};

/// Text of the "stack exhausted" report, in three pieces around two numbers. The same pieces
/// are used from constant data (memory intact) and from the header's copy (after an overrun).
pub const EXHAUSTED_TEXT: [&str; 3] = [
    "asyncify-rt: shadow stack exhausted while saving frames for an Asyncify unwind (needs ",
    " bytes, has ",
    " bytes free); raise the stack size: -Wl,-z,stack-size=BYTES at link time for the main stack, uc_stack.ss_size for a context\n",
];
const TEXT_CAP: usize = 224;

/// The function at the bottom of a made context's chain and its argument (the context's
/// trampoline of `csrc/context.c` and its `ucontext_t`). The root calls it to start the context
/// and, in rewind mode, to resume it.
pub type Bottom = unsafe extern "C" fn(usize);

/// The header at the low end of a stack (16-byte aligned).
#[repr(C, align(16))]
pub struct Header {
    /// The Asyncify buffer descriptor for unwinds and rewinds on this stack.
    pub data: Data,
    /// Lowest byte of the free space (one past the header; for the main stack, past the root's
    /// scratch area).
    pub low: usize,
    /// One past the highest byte of the stack.
    pub high: usize,
    /// The bottom of the chain running on this stack: `None` for the main stack (the program's
    /// entry, which the root holds), else a made context's trampoline.
    pub bottom: Option<Bottom>,
    /// The argument of `bottom`.
    pub bottom_arg: usize,
    /// [`MAGIC_HEADER`] while the header is registered in the list of stacks.
    pub magic: usize,
    /// Neighbours in the circular list of registered stacks (see [`register`]).
    pub prev: usize,
    /// See `prev`.
    pub next: usize,
    /// Owned by the contexts feature: the `ucontext_t` that made this stack's context (0 for the
    /// main stack).
    pub owner: usize,
    /// Owned by the contexts feature: the made context's `uc_link` as `makecontext` found it,
    /// kept here because the `ucontext_t` may be moved or freed while the context runs.
    pub link: usize,
    /// Owned by the contexts feature: nonzero once the made context's function has returned.
    pub finished: usize,
    /// While the stack's chain is suspended by a context switch: the saved frames
    /// `[suspended_base, suspended_top)`; both 0 while it runs, before it starts and after it
    /// finishes. Read by the scan of suspended contexts. The root clears these three fields
    /// whenever it runs anything on this stack ([`Header::clear_suspended`]), which is what
    /// makes a one-shot chain's validity check O(1) ([`super::capture::suspended_intact`]).
    pub suspended_base: usize,
    /// See `suspended_base`.
    pub suspended_top: usize,
    /// The identity ([`super::capture::Chain::id`]) of the suspended chain; 0 when none.
    pub suspended_id: u32,
    /// Scratch words for the emergency report (an iovec and a byte count).
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

/// Bytes reserved above the main stack's header for the root's own work and for reports.
pub const ROOT_SCRATCH: usize = 8192;

/// The main stack's header; null until the root runs.
static MAIN: Global<*mut Header> = Global::new(core::ptr::null_mut());

impl Header {
    /// Writes a fresh header at `base` rounded up to 16, for the stack that ends at `high`, and
    /// returns it.
    ///
    /// # Safety
    /// `[base, high)` must be memory the caller owns and nothing else uses, at least
    /// `HEADER_SIZE + 16` bytes.
    unsafe fn init(base: usize, high: usize) -> *mut Header {
        let at = (base + 15) & !15;
        let h = at as *mut Header;
        core::ptr::write_bytes(h as *mut u8, 0, HEADER_SIZE);
        (*h).low = at + HEADER_SIZE;
        (*h).high = high;
        let hd = &mut *h;
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
    ///
    /// # Safety
    /// `h` must be a live header.
    #[inline(always)]
    pub unsafe fn unwind_buffer(h: *mut Header, limit: usize) -> *mut Data {
        (*h).data.current = (*h).low;
        (*h).data.end = limit;
        core::ptr::addr_of_mut!((*h).data)
    }

    /// Forgets the chain suspended on `h` (see `suspended_base`): the stack runs again, or is gone.
    ///
    /// # Safety
    /// `h` must be a live header.
    #[inline(always)]
    pub unsafe fn clear_suspended(h: *mut Header) {
        (*h).suspended_base = 0;
        (*h).suspended_top = 0;
        (*h).suspended_id = 0;
    }

    /// Prepares `data` to rewind a saved chain whose frames end at `top`, and returns it.
    ///
    /// # Safety
    /// `h` must be a live header.
    pub unsafe fn rewind_buffer(h: *mut Header, top: usize) -> *mut Data {
        (*h).data.current = top;
        (*h).data.end = top;
        core::ptr::addr_of_mut!((*h).data)
    }
}

/// The header of the running stack; null while the root is not running.
#[inline(always)]
pub fn current() -> *mut Header {
    globals::header_addr() as *mut Header
}

/// The main stack's header; null until the root runs.
#[inline(always)]
pub fn main_header() -> *mut Header {
    MAIN.read()
}

/// The top of the root's scratch area (the stack pointer the root and the reports run with); 0
/// until the root runs.
#[inline(always)]
pub fn scratch_top() -> usize {
    let m = MAIN.read();
    if m.is_null() {
        0
    } else {
        // SAFETY: the main header stays valid for the whole run once created.
        unsafe { (*m).low }
    }
}

/// Creates the main stack's header (at `__stack_low + 16`, leaving the first bytes of memory
/// untouched) followed by the root's scratch area, makes it current and the anchor of the list of
/// stacks, and returns it.
///
/// # Safety
/// Called once, by the root, before any frame of the program lives on the main stack's low end.
pub unsafe fn init_main() -> *mut Header {
    let h = Header::init(globals::main_stack_low() + 16, globals::main_stack_high());
    (*h).low += ROOT_SCRATCH;
    (*h).magic = MAGIC_HEADER;
    (*h).prev = h as usize;
    (*h).next = h as usize;
    MAIN.write(h);
    globals::set_header_addr(h as usize);
    h
}

/// Writes a header at the low end of a made context's stack `[base, base + size)` whose chain
/// starts with `bottom(bottom_arg)`, and returns it. A context previously made on the same memory
/// is unregistered first.
///
/// # Safety
/// The memory must belong to the caller, be unused otherwise, and be at least
/// `HEADER_SIZE + 16` bytes.
pub unsafe fn init_context(base: usize, size: usize, bottom: Bottom, bottom_arg: usize) -> *mut Header {
    unregister(((base + 15) & !15) as *mut Header);
    let h = Header::init(base, base + size);
    (*h).bottom = Some(bottom);
    (*h).bottom_arg = bottom_arg;
    h
}

/// Adds the made context's stack header `h` to the list of stacks visited by the scan of
/// suspended contexts. The list is intrusive (no table, no limit) and anchored at the main stack's
/// header. Does nothing before the root runs (contexts made in constructors are listed when they
/// first run: see [`ensure_registered`]).
///
/// # Safety
/// `h` must be a live header from [`init_context`] that is not registered.
pub unsafe fn register(h: *mut Header) {
    let anchor = main_header();
    if anchor.is_null() {
        return;
    }
    (*h).magic = MAGIC_HEADER;
    (*h).prev = anchor as usize;
    (*h).next = (*anchor).next;
    (*((*anchor).next as *mut Header)).prev = h as usize;
    (*anchor).next = h as usize;
}

/// Registers `h` if it is a made context's header that is not registered yet and has not
/// finished.
///
/// # Safety
/// `h` must be a live header.
pub unsafe fn ensure_registered(h: *mut Header) {
    if (*h).bottom.is_some() && (*h).magic != MAGIC_HEADER && (*h).finished == 0 {
        register(h);
    }
}

/// Removes `h` from the list of stacks if it is a registered made context's header (anything else
/// is left alone).
///
/// # Safety
/// `h` must be null or readable memory of at least `HEADER_SIZE` bytes.
pub unsafe fn unregister(h: *mut Header) {
    if h.is_null() || (*h).magic != MAGIC_HEADER || (*h).bottom.is_none() {
        return;
    }
    (*((*h).prev as *mut Header)).next = (*h).next;
    (*((*h).next as *mut Header)).prev = (*h).prev;
    (*h).magic = 0;
    Header::clear_suspended(h);
}

/// `asyncify_rt_stack_bounds` (include/asyncify_rt.h): stores the running stack's usable bounds
/// `[low, high)` (the free space begins above the runtime's header) through the non-null
/// pointers. Outside the root, the main stack's linker bounds. Returns 0.
///
/// # Safety
/// Each pointer must be null or valid for a write of one `usize`.
#[no_mangle]
pub unsafe extern "C" fn asyncify_rt_stack_bounds(low: *mut usize, high: *mut usize) -> i32 {
    let h = current();
    let (l, hi) = if h.is_null() {
        (globals::main_stack_low(), globals::main_stack_high())
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
