#!/usr/bin/env bash
# The test suite: set-up (idempotent), then every Rust integration test in release mode (the same
# build as the tools, so wasmtime compiles once). Each C test program is built natively with gcc
# and for WASI with asyncify-cc, run under wasmtime (and node for the node:wasi suite), and their
# outputs compared.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --release -- "$@"
