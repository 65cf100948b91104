#!/usr/bin/env bash
# The test suite: set-up (idempotent), then every Rust integration test in release mode (the same
# build as the tools, so wasmtime compiles once), in both setjmp strategies of asyncify-cc. Each C test program is built natively with gcc
# and for WASI with asyncify-cc, run under wasmtime (and node for the node:wasi suite), and their
# outputs compared.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Every test, with asyncify-cc's default setjmp strategy (LLVM's lowering)...
cargo test --release -- "$@"
# ...then the C suites again with the capture strategy (every setjmp saves the call chain).
echo "== the C suites again with ASYNCIFY_CC_SJLJ=capture" >&2
# WAMR (an interpreter, the slowest engine) runs every C suite in the first pass; the capture
# pass skips its variants to keep CI's time (the capture strategy's wasm is engine-independent
# runtime code that wasmtime and node already run).
ASYNCIFY_CC_SJLJ=capture cargo test --release --test setjmp --test lua --test ucontext --test ucontext_clients --test gc --test fuzz -- --skip wamr "$@"
