#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian bookworm machine of this project's kind:
#  1. installs the Debian packages the build needs (only those missing),
#  2. builds the host tools (asyncify-cc, asyncify-run) and the tests in release mode; the package's build.rs
#     builds the wasm32 runtime (libasyncify_rt.a) and the symlink sysroot on the way;
#  3. builds the WAMR runner (asyncify-run-wamr, engines/wamr/; needs cmake, gcc and libclang).
# Usage: bash scripts/setup.sh            (prints the paths of the tools at the end)
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(clang-22 lld-22 llvm-22 libclang-rt-22-dev-wasm32 libclang1-22 wasi-libc binaryen wabt
      rustc-web cargo-web rust-web-src gcc make
      cmake pkg-config            # tests/install.rs (toolchain file, .pc file); cmake: WAMR's build
      autoconf automake libtool   # these three: bdwgc-alloc-sys's build script (GC tests)
      bzip2 xz-utils)             # scripts/projects.sh unpacks Debian's orig tarballs
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v node >/dev/null || echo "setup: warning: node not found; the node:wasi tests will fail (install nodejs >= 20)" >&2

# Bins and tests in one build: the tests' dev-dependencies change feature unification, so
# building them separately would compile wasmtime twice.
cargo build --release --bins --tests --quiet
# The third engine's runner, asyncify-run-wamr (WAMR 2.4.3 from the wamrx-sys crate, built from C
# with cmake): a crate of its own (engines/wamr/), so that the build above never compiles WAMR,
# built into the same target directory so that it lands next to asyncify-run.
target_dir=${CARGO_TARGET_DIR:-$(pwd)/target}
CARGO_TARGET_DIR="$target_dir" cargo build --release --quiet --manifest-path engines/wamr/Cargo.toml
echo "setup: tools ready: $target_dir/release/asyncify-cc $target_dir/release/asyncify-run $target_dir/release/asyncify-run-wamr" >&2
