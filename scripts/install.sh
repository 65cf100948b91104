#!/usr/bin/env bash
# Installs asyncify-rt into a relocatable prefix, like a WASI toolchain add-on:
#
#   DIR/bin/asyncify-cc, DIR/bin/asyncify-run        the driver and the wasmtime runner
#   DIR/lib/wasm32-wasip1/libasyncify_rt.a           the runtime
#   DIR/include/asyncify-rt/{setjmp,ucontext,asyncify_rt}.h
#                                                    the headers, in their own folder so that they
#                                                    shadow libc's only where asked for
#                                                    (asyncify-cc passes -isystem DIR/include/asyncify-rt)
#   DIR/lib/pkgconfig/asyncify-rt.pc                 pkg-config file, paths relative to ${pcfiledir}
#   DIR/share/cmake/asyncify-rt.cmake                CMake toolchain file (wasi-sdk style), paths
#                                                    relative to itself; Platform/WASI.cmake beside it
#   DIR/share/asyncify-rt/sysroot                    the WASI sysroot asyncify-cc uses (see below)
#
# Nothing installed names DIR itself: asyncify-cc finds its files from its own location, the .pc
# file from ${pcfiledir}, the toolchain file from CMAKE_CURRENT_LIST_DIR. Moving DIR keeps all of
# it working. Only the sysroot symlinks and the llvm-ar/llvm-ranlib paths point outside DIR.
#
# Or, as an add-on to an existing WASI sysroot (see "--sysroot-addon" below):
#
#   SYSROOT/lib/<triple>/libasyncify_rt.a            the runtime, beside libc.a (an opt-in library:
#                                                    linked only by -lasyncify_rt, like
#                                                    -lwasi-emulated-signal)
#   SYSROOT/include/<triple>/asyncify-rt/{setjmp,ucontext,asyncify_rt}.h
#                                                    the headers, in a folder of their own that no
#                                                    default include path names: libc's setjmp.h
#                                                    stays what plain clang finds
#   SYSROOT/lib/<triple>/pkgconfig/asyncify-rt.pc    the flags for building by hand
#
# Usage: bash scripts/install.sh --prefix DIR [--sysroot PATH] [--no-build]
#        bash scripts/install.sh --sysroot-addon SYSROOT [--no-build]
#   --prefix DIR     where to install (created if missing; existing files are replaced)
#   --sysroot PATH   the WASI sysroot to target: a directory with include/wasm32-wasip1 and
#                    lib/wasm32-wasip1 (wasi-sdk's share/wasi-sysroot, a wasi-libc build) or with
#                    include/wasm32-wasi and lib/wasm32-wasi (older wasi-libc installs)
#   (environment) WASI_SDK_PATH=P, when --sysroot is not given: target P/share/wasi-sysroot
#   default          Debian's wasi-libc package (/usr/include/wasm32-wasi, /usr/lib/wasm32-wasi)
#   --no-build       install what is already built (target/release, or $CARGO_TARGET_DIR/release)
#                    instead of running `cargo build --release --bins --tests` first
#   --sysroot-addon SYSROOT
#                    install only the runtime library, the headers and the .pc file into the
#                    existing wasi-libc sysroot SYSROOT (wasi-sdk's share/wasi-sysroot, Debian's
#                    /usr, a wasi-libc build), where <triple> is wasm32-wasip1 if SYSROOT has
#                    include/wasm32-wasip1 and lib/wasm32-wasip1 (symlinks count), else
#                    wasm32-wasi. Only new files are written (replaced on a second run); nothing
#                    of wasi-libc's changes, so programs that do not ask for asyncify-rt build as
#                    before. Not with --prefix, --sysroot or WASI_SDK_PATH.
#
# A sysroot with <triple>=wasm32-wasip1 directories becomes the symlink DIR/share/asyncify-rt/sysroot
# -> PATH; otherwise (Debian's /usr, or wasm32-wasi only) DIR/share/asyncify-rt/sysroot is a
# directory holding the two symlinks include/wasm32-wasip1 and lib/wasm32-wasip1 (so /usr/include's
# host headers are never on the path).
#
# Errors: one line on stderr starting `install.sh: `; exit 2 for a usage error or an unusable
# sysroot, 127 for a missing tool (naming the Debian package), the failing command's status otherwise.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

die() { local code=$1; shift; echo "install.sh: $*" >&2; exit "$code"; }

usage="usage: install.sh --prefix DIR [--sysroot PATH] [--no-build] | --sysroot-addon SYSROOT [--no-build]"
prefix="" sysroot="" addon="" build=1
while (($#)); do
  case $1 in
    --prefix) (($# >= 2)) || die 2 "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --sysroot) (($# >= 2)) || die 2 "--sysroot needs a directory"; sysroot=$2; shift 2 ;;
    --sysroot=*) sysroot=${1#--sysroot=}; shift ;;
    --sysroot-addon) (($# >= 2)) || die 2 "--sysroot-addon needs a sysroot directory"; addon=$2; shift 2 ;;
    --sysroot-addon=*) addon=${1#--sysroot-addon=}; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die 2 "unknown argument '$1' ($usage)" ;;
  esac
done
if [ -n "$addon" ]; then
  [ -z "$prefix" ] && [ -z "$sysroot" ] || die 2 "--sysroot-addon installs into a sysroot and takes neither --prefix nor --sysroot ($usage)"
  [ -z "${WASI_SDK_PATH:-}" ] || die 2 "--sysroot-addon names its sysroot itself; unset WASI_SDK_PATH ($usage)"
else
  [ -n "$prefix" ] || die 2 "no --prefix DIR or --sysroot-addon SYSROOT given ($usage)"
fi

# The built tools and runtime: sets bin (the directory of the built tools) and lib (the runtime
# library the build script built, as the built driver reports it without overrides).
built_runtime() {
  if ((build)); then
    # Same command as scripts/setup.sh: building bins alone would unify features differently and
    # compile wasmtime a second time.
    (cd "$repo" && cargo build --release --bins --tests --quiet)
  fi
  local target=${CARGO_TARGET_DIR:-$repo/target}
  case $target in /*) ;; *) target=$repo/$target ;; esac
  bin=$target/release
  for t in asyncify-cc asyncify-run; do
    [ -x "$bin/$t" ] || die 2 "$bin/$t is not built (run without --no-build, or bash scripts/setup.sh)"
  done
  lib=$(env -u ASYNCIFY_RT_LIB -u ASYNCIFY_RT_INCLUDE -u ASYNCIFY_RT_SYSROOT "$bin/asyncify-cc" --print-config 2>/dev/null \
        | sed -n 's/^lib: //p' || true)
  [ -n "$lib" ] && [ -f "$lib" ] || die 2 "the runtime library ($lib) reported by $bin/asyncify-cc --print-config does not exist (rebuild)"
}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n1)

# write_pc FILE PREFIX-EXPR INCLUDEDIR LIBDIR SYSROOT-EXPR: the pkg-config file, every path
# relative to ${pcfiledir}.
write_pc() {
  cat > "$1" <<PC
# asyncify-rt, installed by scripts/install.sh; every path is relative to this file.
# Compiling and linking with asyncify-cc needs none of this (it adds the same flags itself).
# Linking by hand with clang: these flags give the capture setjmp strategy; the program must
# then go through \`wasm-opt --asyncify --pass-arg=asyncify-ignore-imports\` before anything
# else optimises it (see the README).
prefix=$2
includedir=$3
libdir=$4
sysroot=$5

Name: asyncify-rt
Description: setjmp/longjmp, ucontext and stack scanning for C on WASI (Binaryen Asyncify)
Version: $version
Cflags: -isystem \${includedir}
Libs: -L\${libdir} -lasyncify_rt -Wl,--wrap=__original_main -Wl,--wrap=__main_void
PC
}

if [ -n "$addon" ]; then
  [ -d "$addon" ] || die 2 "sysroot $addon (--sysroot-addon) is not a directory"
  addon=$(cd "$addon" && pwd -P)
  if [ -d "$addon/include/wasm32-wasip1" ] && [ -d "$addon/lib/wasm32-wasip1" ]; then
    triple=wasm32-wasip1
  elif [ -d "$addon/include/wasm32-wasi" ] && [ -d "$addon/lib/wasm32-wasi" ]; then
    triple=wasm32-wasi
  else
    die 2 "sysroot $addon (--sysroot-addon) has no include/wasm32-wasip1 or include/wasm32-wasi with its lib/ counterpart"
  fi
  [ -f "$addon/lib/$triple/libc.a" ] || die 2 "sysroot $addon (--sysroot-addon) has no lib/$triple/libc.a (not a wasi-libc sysroot)"
  built_runtime
  inc="$addon/include/$triple/asyncify-rt"
  mkdir -p "$inc" "$addon/lib/$triple/pkgconfig"
  install -m 644 "$lib" "$addon/lib/$triple/libasyncify_rt.a"
  install -m 644 "$repo"/include/*.h "$inc/"
  write_pc "$addon/lib/$triple/pkgconfig/asyncify-rt.pc" '${pcfiledir}/../../..' \
    "\${prefix}/include/$triple/asyncify-rt" "\${prefix}/lib/$triple" '${prefix}'
  echo "install.sh: installed asyncify-rt $version into the sysroot $addon (lib/$triple/libasyncify_rt.a, include/$triple/asyncify-rt/, lib/$triple/pkgconfig/asyncify-rt.pc)" >&2
  exit 0
fi

# The sysroot to target, and which triple directory name it uses.
if [ -n "$sysroot" ]; then
  origin="--sysroot"
elif [ -n "${WASI_SDK_PATH:-}" ]; then
  sysroot=$WASI_SDK_PATH/share/wasi-sysroot origin="WASI_SDK_PATH"
else
  sysroot=/usr origin="default (Debian wasi-libc)"
fi
[ -d "$sysroot" ] || die 2 "sysroot $sysroot ($origin) is not a directory"
sysroot=$(cd "$sysroot" && pwd -P)
if [ "$sysroot" != /usr ] && [ -d "$sysroot/include/wasm32-wasip1" ] && [ -d "$sysroot/lib/wasm32-wasip1" ]; then
  triple_dir=""          # use the sysroot as it is
elif [ -d "$sysroot/include/wasm32-wasip1" ] && [ -d "$sysroot/lib/wasm32-wasip1" ]; then
  triple_dir=wasm32-wasip1
elif [ -d "$sysroot/include/wasm32-wasi" ] && [ -d "$sysroot/lib/wasm32-wasi" ]; then
  triple_dir=wasm32-wasi
else
  hint="give --sysroot or WASI_SDK_PATH"; [ "$origin" = "--sysroot" ] || [ "$origin" = WASI_SDK_PATH ] || hint="install the Debian package wasi-libc"
  die 2 "sysroot $sysroot ($origin) has no include/wasm32-wasip1 or include/wasm32-wasi with its lib/ counterpart; $hint"
fi
[ -f "$sysroot/lib/${triple_dir:-wasm32-wasip1}/libc.a" ] || die 2 "sysroot $sysroot ($origin) has no lib/${triple_dir:-wasm32-wasip1}/libc.a (not a wasi-libc sysroot)"

# The archiver CMake should use: the one of the clang asyncify-cc runs (clang-22, else clang).
ar="" ranlib=""
for v in -22 ""; do
  if command -v "clang$v" >/dev/null && command -v "llvm-ar$v" >/dev/null && command -v "llvm-ranlib$v" >/dev/null; then
    ar=$(command -v "llvm-ar$v") ranlib=$(command -v "llvm-ranlib$v"); break
  fi
done
[ -n "$ar" ] || die 127 "cannot find llvm-ar-22/llvm-ranlib-22 (or llvm-ar/llvm-ranlib); install the Debian package llvm-22"

built_runtime

# Install.
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd -P)
mkdir -p "$prefix/bin" "$prefix/lib/wasm32-wasip1" "$prefix/lib/pkgconfig" "$prefix/include/asyncify-rt" \
         "$prefix/share/cmake/Platform" "$prefix/share/asyncify-rt"
install -m 755 "$bin/asyncify-cc" "$bin/asyncify-run" "$prefix/bin/"
install -m 644 "$lib" "$prefix/lib/wasm32-wasip1/libasyncify_rt.a"
install -m 644 "$repo"/include/*.h "$prefix/include/asyncify-rt/"

rm -rf "$prefix/share/asyncify-rt/sysroot"
if [ -z "$triple_dir" ]; then
  ln -s "$sysroot" "$prefix/share/asyncify-rt/sysroot"
else
  mkdir -p "$prefix/share/asyncify-rt/sysroot/include" "$prefix/share/asyncify-rt/sysroot/lib"
  ln -s "$sysroot/include/$triple_dir" "$prefix/share/asyncify-rt/sysroot/include/wasm32-wasip1"
  ln -s "$sysroot/lib/$triple_dir" "$prefix/share/asyncify-rt/sysroot/lib/wasm32-wasip1"
fi

write_pc "$prefix/lib/pkgconfig/asyncify-rt.pc" '${pcfiledir}/../..' '${prefix}/include/asyncify-rt' \
  '${prefix}/lib/wasm32-wasip1' '${prefix}/share/asyncify-rt/sysroot'

cat > "$prefix/share/cmake/Platform/WASI.cmake" <<'CM'
# CMake platform module for CMAKE_SYSTEM_NAME WASI (CMake 3.25 has none), as wasi-sdk ships one.
# CMake's generic platform code resets CMAKE_EXECUTABLE_SUFFIX after the toolchain file has run,
# so the suffix is set here again.
set(WASI 1)
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
# wasm32-wasip1 has no dynamic linking: add_library(... SHARED) then makes a static library (what
# CMake does on any platform without shared libraries), and find_library looks for archives only.
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
set(CMAKE_FIND_LIBRARY_PREFIXES "lib")
set(CMAKE_FIND_LIBRARY_SUFFIXES ".a")
# Where find_* looks (re-rooted under CMAKE_SYSROOT and each CMAKE_FIND_ROOT_PATH entry): the
# usual Unix prefixes, as CMake's Platform/UnixPaths.cmake lists them for Unix systems (that file
# also sets UNIX, which WASI is not). With -DCMAKE_FIND_ROOT_PATH=<staging prefix>, a library
# installed there (<staging prefix>/lib, /include) is found.
list(APPEND CMAKE_SYSTEM_PREFIX_PATH / /usr /usr/local)
CM

cat > "$prefix/share/cmake/asyncify-rt.cmake" <<CM
# CMake toolchain file for asyncify-rt (installed by scripts/install.sh), in wasi-sdk's style:
#   cmake -DCMAKE_TOOLCHAIN_FILE=<prefix>/share/cmake/asyncify-rt.cmake ...
# Every compile and link goes through <prefix>/bin/asyncify-cc (wasm32-wasip1, the runtime's
# headers, the link steps and wasm-opt --asyncify). Paths are relative to this file, so the
# prefix can be moved. C++ sources are compiled too, but no C++ standard library is linked.
# (No cmake_minimum_required here: it would reset the including project's policies.)
get_filename_component(ASYNCIFY_RT_PREFIX "\${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
list(APPEND CMAKE_MODULE_PATH "\${CMAKE_CURRENT_LIST_DIR}")

set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")

set(CMAKE_C_COMPILER "\${ASYNCIFY_RT_PREFIX}/bin/asyncify-cc")
set(CMAKE_CXX_COMPILER "\${ASYNCIFY_RT_PREFIX}/bin/asyncify-cc")
set(CMAKE_ASM_COMPILER "\${ASYNCIFY_RT_PREFIX}/bin/asyncify-cc")
set(CMAKE_C_COMPILER_TARGET wasm32-wasip1)
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasip1)
set(CMAKE_ASM_COMPILER_TARGET wasm32-wasip1)
set(CMAKE_AR "$ar" CACHE FILEPATH "llvm-ar")
set(CMAKE_RANLIB "$ranlib" CACHE FILEPATH "llvm-ranlib")

set(CMAKE_SYSROOT "\${ASYNCIFY_RT_PREFIX}/share/asyncify-rt/sysroot")
# The sysroot's and the prefix's libraries are in lib/wasm32-wasip1: find_library looks there.
set(CMAKE_LIBRARY_ARCHITECTURE wasm32-wasip1)
list(APPEND CMAKE_FIND_ROOT_PATH "\${ASYNCIFY_RT_PREFIX}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
CM

echo "install.sh: installed asyncify-rt $version into $prefix (sysroot: $sysroot, $origin)" >&2
