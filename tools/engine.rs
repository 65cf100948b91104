//! The WASI engines the tools run programs on, defined once: the tests (`tests/common`) and the
//! fuzzer (`fuzz/`) include this file with `#[path]`.

/// A WASI engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    /// wasmtime, through `asyncify-run` (the wasmtime crate).
    Wasmtime,
    /// node's `node:wasi`, through `tools/run-node.mjs`.
    Node,
    /// WAMR (the WebAssembly Micro Runtime, its fast interpreter), through `asyncify-run-wamr`
    /// (`engines/wamr/`, the `wamrx-sys` crate), built by `scripts/setup.sh` into the same
    /// target directory as `asyncify-run`.
    Wamr,
}

impl Engine {
    /// Every engine.
    #[allow(dead_code, reason = "used by the fuzzer, not by the tests")]
    pub const ALL: [Engine; 3] = [Engine::Wasmtime, Engine::Node, Engine::Wamr];

    /// The engine's name on command lines, in test names and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Wasmtime => "wasmtime",
            Engine::Node => "node",
            Engine::Wamr => "wamr",
        }
    }

    /// The engine called `name`, if any.
    #[allow(dead_code, reason = "used by the fuzzer, not by the tests")]
    pub fn named(name: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.name() == name)
    }

    /// For an engine run by one of this project's runner binaries, the binary's file name; they
    /// share asyncify-run's command line (`[--dir HOST::GUEST]... [--env K=V]... prog.wasm
    /// [args...]`, exit status the program's, a trap one stderr line and 134) and live in one
    /// directory. None for node, which runs `tools/run-node.mjs`.
    pub fn runner(self) -> Option<&'static str> {
        match self {
            Engine::Wasmtime => Some("asyncify-run"),
            Engine::Wamr => Some("asyncify-run-wamr"),
            Engine::Node => None,
        }
    }
}
