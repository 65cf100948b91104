//! asyncify-cc's two setjmp strategies, as its `--asyncify-sjlj=` flag names them. Defined once,
//! here; the tests (`tests/common`), the fuzzer (`fuzz/`) and the benchmarks (`bench/setjmp.rs`) include this file with
//! `#[path]`.

/// How asyncify-cc compiles `setjmp`/`longjmp` (`--asyncify-sjlj=<name>`, or
/// `ASYNCIFY_CC_SJLJ=<name>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sjlj {
    /// LLVM's setjmp lowering (asyncify-cc's default): `setjmp` records a label, `longjmp`
    /// unwinds only the frames it abandons.
    Lowered,
    /// Every `setjmp` captures the whole call chain with an Asyncify unwind and rewind.
    Capture,
}

impl Sjlj {
    /// Both strategies.
    #[allow(dead_code, reason = "used by the tests and the benchmarks, not by asyncify-cc")]
    pub const ALL: [Sjlj; 2] = [Sjlj::Lowered, Sjlj::Capture];

    /// The strategy's name in `--asyncify-sjlj=<name>` and `ASYNCIFY_CC_SJLJ`.
    pub fn name(self) -> &'static str {
        match self {
            Sjlj::Lowered => "lowered",
            Sjlj::Capture => "capture",
        }
    }

    /// asyncify-cc's flag selecting this strategy.
    #[allow(dead_code, reason = "used by tests/sjlj_modes.rs and the benchmarks, not by asyncify-cc")]
    pub fn flag(self) -> &'static str {
        match self {
            Sjlj::Lowered => "--asyncify-sjlj=lowered",
            Sjlj::Capture => "--asyncify-sjlj=capture",
        }
    }

    /// The strategy called `name`, if any.
    #[allow(dead_code, reason = "asyncify-cc and the tests use it, not the benchmarks")]
    pub fn named(name: &str) -> Option<Sjlj> {
        Sjlj::ALL.into_iter().find(|s| s.name() == name)
    }
}
