//! The core: what every feature builds on, and which imports no feature.
//!
//! | module | what |
//! |---|---|
//! | [`globals`] | `__stack_pointer`, the main stack's bounds, the runtime's wasm globals (mode, running header), [`globals::Global`] |
//! | [`asyncify`] | the four Asyncify imports and Binaryen's buffer descriptor |
//! | [`stack`] | stack headers, the root's scratch area, the list of made contexts' stacks |
//! | [`diag`] | the misuse table and the one reporting path (including the emergency path) |
//! | [`root`] | the root loop and the protocol types: a leaf's request ([`root::Arrive`]), what to run next ([`root::Activation`]) |
//! | [`leaf`] | the first and last steps of every leaf |
//! | [`capture`] | saved chains on the stack: placement, validity record, checksum, in-place replacement |
//!
//! Imports inside the core run one way too: `globals` ← `asyncify` ← `stack` ← `diag` ← `root`
//! ← `leaf`, `capture`.

pub mod asyncify;
pub mod capture;
pub mod diag;
pub mod globals;
pub mod leaf;
pub mod root;
pub mod stack;
