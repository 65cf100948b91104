//! The WASI engines the tools run programs on, defined once: the tests (`tests/common`) and the
//! fuzzer (`fuzz/`) include this file with `#[path]`.

/// A WASI engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    /// wasmtime, through `asyncify-run` (the wasmtime crate).
    Wasmtime,
    /// node's `node:wasi`, through `tools/run-node.mjs`.
    Node,
}

impl Engine {
    /// Both engines.
    #[allow(dead_code, reason = "used by the fuzzer, not by the tests")]
    pub const ALL: [Engine; 2] = [Engine::Wasmtime, Engine::Node];

    /// The engine's name on command lines, in test names and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Wasmtime => "wasmtime",
            Engine::Node => "node",
        }
    }

    /// The engine called `name`, if any.
    #[allow(dead_code, reason = "used by the fuzzer, not by the tests")]
    pub fn named(name: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.name() == name)
    }
}
