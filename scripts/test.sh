#!/usr/bin/env bash
# The test suite: set-up (idempotent), then every Rust integration test in release mode (the same
# build as the tools, so wasmtime compiles once), in both setjmp strategies of asyncify-cc. Each C test program is built natively with gcc
# and for WASI with asyncify-cc, run under wasmtime (and node for the node:wasi suite), and their
# outputs compared. Then the C suites again against the two other tested WASI sysroots
# (scripts/sysroots.sh): Debian trixie's wasi-libc, and a wasi-sdk-style prefix used through an
# installed asyncify-rt (WASI_SDK_PATH=... scripts/install.sh), in the default strategy.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The tested sysroots (cached outside the clone; the first run fetches trixie's wasi-libc).
bash scripts/sysroots.sh >&2
# Every test, with asyncify-cc's default setjmp strategy (LLVM's lowering), against Debian
# bookworm's wasi-libc (the default)...
cargo test --release -- "$@"
# ...then the C suites again with the capture strategy (every setjmp saves the call chain).
echo "== the C suites again with ASYNCIFY_CC_SJLJ=capture" >&2
# WAMR (an interpreter, the slowest engine) runs every C suite in the first pass; the capture
# pass skips its variants to keep CI's time (the capture strategy's wasm is engine-independent
# runtime code that wasmtime and node already run).
ASYNCIFY_CC_SJLJ=capture cargo test --release --test setjmp --test lua --test ucontext --test ucontext_clients --test gc --test fuzz -- --skip wamr "$@"
# ...then the C suites against the other sysroots: every program once (default strategy, -O2,
# wasmtime); the opt levels and engines are covered by the passes above and do not depend on the
# sysroot.
c_suites=(--test setjmp --test lua --test ucontext --test ucontext_clients --test sjlj_modes --test gc)
one_variant=(--skip ::o0 --skip node --skip wamr)
trixie=$(bash scripts/sysroots.sh path trixie)
echo "== the C suites against Debian trixie's wasi-libc: ASYNCIFY_RT_SYSROOT=$trixie" >&2
t0=$SECONDS
ASYNCIFY_RT_SYSROOT=$trixie cargo test --release "${c_suites[@]}" -- "${one_variant[@]}" "$@"
echo "== (trixie: $((SECONDS - t0)) s)" >&2
sdk=$(bash scripts/sysroots.sh path wasi-sdk)
prefix=$PWD/target/sysroot-prefixes/wasi-sdk
rm -rf "$prefix"
WASI_SDK_PATH=$sdk bash scripts/install.sh --prefix "$prefix" --no-build
echo "== the C suites against a wasi-sdk-style prefix: WASI_SDK_PATH=$sdk, ASYNCIFY_TEST_CC=$prefix/bin/asyncify-cc" >&2
t0=$SECONDS
ASYNCIFY_TEST_CC=$prefix/bin/asyncify-cc cargo test --release "${c_suites[@]}" -- "${one_variant[@]}" "$@"
echo "== (wasi-sdk-style: $((SECONDS - t0)) s)" >&2
