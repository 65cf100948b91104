//! Captures: saved call chains kept on the shadow stack, owned by a `jmp_buf` (setjmp by capture)
//! or a `ucontext_t` (getcontext, swapcontext).
//!
//! A capture is made by an Asyncify unwind into the free space of the running stack (from its
//! header's end upward). At the root, [`place`] moves the saved frames to end directly below
//! `top` (the stack pointer of the function that asked for the capture), with a 16-byte
//! [`Record`] between them and `top`; the stack pointer is then lowered below them, so they are
//! freed when that function returns, like any stack allocation.
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
//! its frames matches.
//!
//! **In-place replacement.** A loop of setjmp/longjmp round trips (or a handler re-armed in the
//! same function, or getcontext in a loop) would stack one capture per iteration. So an owner
//! whose previous capture is the lowest thing on the stack is re-captured in the same place. That
//! previous capture may be *stale*, though: its function may have returned and another call may
//! now use that memory (reaching the same stack pointer by chance). Overwriting it would then
//! corrupt live data, so replacement needs every piece of evidence the runtime can gather that the
//! memory still holds the owner's capture ([`reusable`], [`place_replacing`]):
//! the stack pointer is the capture's base, the record and the *checksum* are intact (any write
//! into the region since, e.g. a reused frame's locals, breaks it), the caller's frame address is
//! the one recorded (setjmp and getcontext pass `__builtin_frame_address(0)`), and the new chain
//! has exactly the old chain's size (the same functions at the same depth). Otherwise the new
//! capture goes below the stack pointer: always safe, at the cost of stack until the caller
//! returns. A stale capture that passes all four tests would need a different call at the same
//! frame address, with the same call chain, to have allocated exactly the capture's bytes and
//! written nothing there, or only the very bytes the capture had; the README names this residual
//! risk.
//!
//! **Suspended chains.** A chain saved by a context switch ([`place_suspended`]) is resumed at
//! most once, nearly always before anything else has run on its stack. Anything that runs on a
//! stack (which is what could overwrite the saved frames) is started by the root, which clears the
//! stack header's record of its suspended chain. So a suspended chain gets no checksum when it is
//! saved: while the header still names it, it is intact ([`suspended_intact`], O(1)), where a
//! checksum would cost two passes over the frames at every switch. Only when the root is about to
//! run something else on that stack (say a context saved there by getcontext) does it *seal* the
//! chain ([`seal_suspended`]): the checksum goes into the chain's record, and a later resume is
//! accepted if the frames still match it (a program may legitimately resume it when what ran did
//! not touch them; glibc's tst-setcontext7 does).

use super::globals::{self, Global};
use super::stack::Header;

/// `magic` of a [`Record`] ("SJR1").
pub const MAGIC_RECORD: u32 = 0x534a_5231;

/// The 16-byte validity record written between a capture's saved frames and its `top`.
#[repr(C)]
#[derive(Clone, Copy)]
struct Record {
    /// [`MAGIC_RECORD`].
    magic: u32,
    /// Address of the owner (`jmp_buf` or `ucontext_t`).
    owner: u32,
    /// Identity shared with the owner's copy ([`Chain::id`]).
    id: u32,
    /// For a suspended chain, the [`sealed`] checksum of the saved frames below the record once
    /// [`seal_suspended`] ran, else 0. Other captures keep their checksum in the owner's copy
    /// ([`Chain::sum`]) and leave this 0.
    sum: u32,
}

/// Counter for capture identities.
static NEXT_ID: Global<u32> = Global::new(1);

/// A fresh capture identity.
fn next_id() -> u32 {
    let id = NEXT_ID.read();
    NEXT_ID.write(id.wrapping_add(1));
    id
}

/// Size of a [`Record`].
pub const RECORD_SIZE: usize = core::mem::size_of::<Record>();

/// Where a capture is and how to check it: the owner keeps a copy of this.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
        globals::align_down(self.base as usize)
    }

    /// Size in bytes of the saved frames.
    pub fn size(&self) -> usize {
        (self.top - self.base) as usize
    }
}

/// A 32-bit FNV-1a hash of the words of `[base, base + size)`; detects saved frames that were
/// written after the capture.
///
/// # Safety
/// The range must be readable.
unsafe fn checksum(base: usize, size: usize) -> u32 {
    let mut hash: u32 = 0x811c_9dc5 ^ size as u32;
    let words = base as *const u32;
    for i in 0..size / 4 {
        hash = (hash ^ words.add(i).read_unaligned()).wrapping_mul(0x0100_0193);
    }
    hash
}

/// A checksum as a record stores it: never 0 (0 means "not sealed").
fn sealed(sum: u32) -> u32 {
    sum.max(1)
}

/// The record of `c` if `c`'s bounds lie on stack `h` and the record still names `owner` and `c`.
///
/// # Safety
/// `h` must be a live header.
unsafe fn record_of(c: &Chain, owner: usize, h: *const Header) -> Option<Record> {
    let (base, at) = (c.base as usize, c.top as usize);
    if base < (*h).low || base > at || at % 4 != 0 || at + RECORD_SIZE > (*h).high {
        return None;
    }
    let r = (at as *const Record).read();
    (r.magic == MAGIC_RECORD && r.owner as usize == owner && r.id == c.id).then_some(r)
}

/// True when `c`'s bounds lie on stack `h` and its record still names `owner` and `c` (no
/// checksum: O(1)).
///
/// # Safety
/// `h` must be a live header.
pub unsafe fn record_intact(c: &Chain, owner: usize, h: *const Header) -> bool {
    record_of(c, owner, h).is_some()
}

/// True when `c`, owned by `owner`, still describes intact saved frames on stack `h`: its record
/// and its checksum ([`place`]).
///
/// # Safety
/// `h` must be a live header.
pub unsafe fn intact(c: &Chain, owner: usize, h: *const Header) -> bool {
    record_intact(c, owner, h) && checksum(c.base as usize, c.size()) == c.sum
}

/// True when `c`, owned by `owner` and placed by [`place_suspended`], is intact: its record is,
/// and either it is still the chain suspended on stack `h` (nothing has run on `h` since: O(1))
/// or it was sealed and its frames still match the seal (one pass over them).
///
/// # Safety
/// `h` must be a live header.
pub unsafe fn suspended_intact(c: &Chain, owner: usize, h: *const Header) -> bool {
    let Some(r) = record_of(c, owner, h) else { return false };
    let current = c.id != 0
        && (*h).suspended_id == c.id
        && (*h).suspended_base == c.base as usize
        && (*h).suspended_top == c.top as usize;
    current || (r.sum != 0 && sealed(checksum(c.base as usize, c.size())) == r.sum)
}

/// Seals the chain suspended on `h` (see the module documentation): writes the checksum of its
/// frames into its record. Called by the root before it runs anything other than that chain on
/// `h`.
///
/// # Safety
/// `h` must be a live header whose `suspended_*` fields name a chain placed by
/// [`place_suspended`] whose memory nothing has written since.
pub unsafe fn seal_suspended(h: *mut Header) {
    let (base, top) = ((*h).suspended_base, (*h).suspended_top);
    let r = top as *mut Record;
    (*r).sum = sealed(checksum(base, top - base));
}

/// Whether the owner's previous capture `prev` on stack `h` may be replaced in place by a new
/// capture asked for at stack pointer `sp_now` (first half of the test described in the module
/// documentation; the second half, the size, is [`place_replacing`]'s): it is the lowest thing on
/// the stack, intact, and was asked for from the same frame address. Takes only scalars, so that
/// the frameless leaves can call it.
///
/// # Safety
/// `h` must be the running stack's live header.
#[inline(never)]
pub unsafe fn reusable(base: u32, top: u32, sum: u32, id: u32, owner: usize, sp_now: usize, same_frame: bool, h: usize) -> bool {
    let prev = Chain { base, top, sum, id };
    same_frame && prev.resume_sp() == sp_now && intact(&prev, owner, h as *const Header)
}

/// Called by a feature's arrive function after an unwind for a capture: moves the unwound frames
/// (at the bottom of the free space of `h`) to end just below `top - RECORD_SIZE`, writes the
/// record naming `owner`, prepares `h` to rewind them, and returns where they are.
///
/// # Safety
/// `h` must be the header of the stack just unwound; `top` at most the stack pointer of the
/// function that asked for the capture (or the top of that owner's previous capture, see
/// [`place_replacing`]), with room for the frames and the record above `h.low + size`.
pub unsafe fn place(owner: usize, top: usize, h: *mut Header) -> Chain {
    let c = move_below(owner, top, h);
    Header::rewind_buffer(h, c.top as usize);
    Chain { sum: checksum(c.base as usize, c.size()), ..c }
}

/// Called by a feature's arrive function after an unwind that suspends the running chain of `h`
/// (a context switch): places the frames as [`place`] does, without a checksum, and records them
/// in `h` as its suspended chain, valid while nothing runs on `h` ([`suspended_intact`]). The
/// buffer is left for the caller to prepare (`h` does not resume now).
///
/// # Safety
/// As [`place`].
pub unsafe fn place_suspended(owner: usize, top: usize, h: *mut Header) -> Chain {
    let c = move_below(owner, top, h);
    (*h).suspended_base = c.base as usize;
    (*h).suspended_top = c.top as usize;
    (*h).suspended_id = c.id;
    c
}

/// The common part of [`place`] and [`place_suspended`]: moves the unwound frames below
/// `top - RECORD_SIZE`, writes the record naming `owner` and a fresh nonzero identity, and returns
/// the chain (checksum 0).
///
/// # Safety
/// As [`place`].
unsafe fn move_below(owner: usize, top: usize, h: *mut Header) -> Chain {
    let size = (*h).data.current - (*h).low;
    let data_top = top - RECORD_SIZE;
    let base = data_top - size;
    core::ptr::copy((*h).low as *const u8, base as *mut u8, size);
    let id = (next_id() ^ ((owner as u32) << 12)).max(1);
    (data_top as *mut Record).write(Record { magic: MAGIC_RECORD, owner: owner as u32, id, sum: 0 });
    Chain { base: base as u32, top: data_top as u32, sum: 0, id }
}

/// [`place`], replacing the owner's previous capture `prev` when the leaf found it
/// [`reusable`] (`reuse`) and the new chain has the same size; else below `sp_now`.
///
/// # Safety
/// As [`place`], with `sp_now` the stack pointer of the function that asked for the capture.
pub unsafe fn place_replacing(owner: usize, sp_now: usize, reuse: bool, prev: Chain, h: *mut Header) -> Chain {
    let size = (*h).data.current - (*h).low;
    let top = if reuse && size == prev.size() { prev.top as usize + RECORD_SIZE } else { sp_now };
    place(owner, top, h)
}
