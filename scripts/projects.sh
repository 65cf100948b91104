#!/usr/bin/env bash
# projects.sh - build real C projects through their own, unmodified build systems with the
# installed asyncify-rt prefix, and natively (gcc, glibc) from the same sources (issue 11).
#
#   bash scripts/projects.sh [build] [NAME...]   build (idempotent) NAME (default: all of them)
#   bash scripts/projects.sh path NAME           build NAME if needed, print its directory <dir>
#   -h, --help                                   this text
#
# NAME is one of:
#   lua    Lua 5.4 (Debian source package lua5.4): `make -C src generic` of Lua's own Makefile.
#          Native: CC="gcc -std=gnu99". WASI: CC="<prefix>/bin/asyncify-cc -std=gnu99",
#          AR="llvm-ar-22 rcu", RANLIB=llvm-ranlib-22, and for wasi-libc (2022 snapshot):
#          MYCFLAGS="-D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -DL_tmpnam=20"
#          MYLIBS="-lwasi-emulated-signal -lwasi-emulated-process-clocks" (lstate.h needs
#          <signal.h>, lua.c calls signal(), os.clock calls clock(); wasi-libc leaves out ISO C's
#          L_tmpnam, which loslib.c sizes os.tmpname's buffer with) and
#          MYLDFLAGS=-Wl,--unresolved-symbols=ignore-all (os.execute, io.tmpfile and os.tmpname
#          call system(), tmpfile() and tmpnam(), which wasi-libc declares but does not define:
#          wasm-ld makes each a stub that traps when called). Gives <dir>/{native,wasm}/src/lua.
#   bdwgc  Boehm GC 8.3.0 (vendored by the crate bdwgc-alloc-sys, found with `cargo metadata`;
#          BDWGC_SRC_DIR=<dir with configure.ac> overrides), `autogen.sh` once, then its own
#          configure in a separate build directory, `make`, and `make check TESTS=` (which builds
#          the test programs without running them). Native: --disable-threads --disable-shared.
#          WASI: the same plus --host=wasm32-wasip1 --disable-munmap CC=<prefix>/bin/asyncify-cc,
#          CFLAGS="-O2 -include <dir>/wasi-pagesize.h" (a header holding only
#          `#define GETPAGESIZE() 65536`: wasi-libc has no getpagesize(), and a function-like
#          macro cannot be given with -D through configure) and
#          EXTRA_TEST_LIBS="-Wl,--export=asyncify_gc_roots_install -L<dir> -lasyncify_gc_roots"
#          (the tests link asyncify-rt's bdwgc hook, examples/gc/asyncify_gc_roots.c compiled into
#          an archive, so that the collector sees wasm locals).
#          Gives <dir>/{native,wasm}: configured build trees; run their tests with
#          `make -C <dir>/native check` and
#          `make -C <dir>/wasm check LOG_COMPILER=<prefix>/bin/asyncify-run`.
#   png    zlib 1.2.13 and libpng 1.6 (Debian source packages zlib and libpng1.6) with CMake.
#          zlib is configured, built and installed into a staging prefix, then libpng is built
#          against it (targets pngtest and pngvalid). WASI: -DCMAKE_TOOLCHAIN_FILE=<prefix>/share/
#          cmake/asyncify-rt.cmake and, for libpng, -DCMAKE_FIND_ROOT_PATH=<staging prefix>
#          -DCMAKE_C_FLAGS=-D_WASI_EMULATED_SIGNAL -DCMAKE_EXE_LINKER_FLAGS=-lwasi-emulated-signal
#          (pngvalid calls signal(): wasi-libc's signal emulation). Both:
#          -DCMAKE_BUILD_TYPE=Release -DPNG_STATIC=OFF (the tests link the `png` target).
#          Debian's dfsg repack of zlib drops win32/, which zlib's CMakeLists names for the shared
#          library on every platform (a Windows resource file, never compiled elsewhere): an empty
#          win32/zlib1.rc is put back; no file of the source is changed.
#          Gives <dir>/{native,wasm}/png-build/{pngtest,pngvalid}[.wasm] and <dir>/src/libpng-*/.
#
# Sources: the orig tarballs of Debian's source packages (of this machine's Debian release),
# fetched with apt-get through a private sources list, lists and cache (nothing under /etc or
# /var/lib/apt changes); the mirror is the first "/debian" URI of /etc/apt/sources.list{,.d}
# (PROJECTS_SH_MIRROR=http://host/debian overrides). Debian's own patches are not applied.
#
# The prefix: `scripts/install.sh --prefix <dir>/prefix --no-build` from the tools cargo built
# (target/release, or $CARGO_TARGET_DIR/release; they are built first if missing).
#
# Cache: <dir> = ${XDG_CACHE_HOME:-$HOME/.cache}/asyncify-rt/projects-<name>-<key>/, where the
# key hashes the source tarballs (and bdwgc's crate version), the project's build function and
# the helpers it calls (as `declare -f` prints them), scripts/install.sh, the runtime and driver
# sources (src/ csrc/ include/ asyncify-cc/ asyncify-run/ build.rs Cargo.lock examples/gc/) and
# the versions of clang, wasm-opt, gcc and cmake. A finished build has a `done` file; an
# unfinished one is rebuilt from scratch. Logs: <dir>/*.log.
#
# The builds use asyncify-cc's defaults and Debian's wasi-libc: the script unsets the ASYNCIFY_*
# variables that redirect asyncify-cc and WASI_SDK_PATH.
# Environment: PROJECTS_SH_JOBS (make -j, default 2), PROJECTS_SH_NICE (nice level, default 10).
# Exit status: 0 on success; 2 for a usage error; the failing step's status otherwise, after a
# message on stderr naming the step and its log (whose tail is shown).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/asyncify-rt"
src_cache="$cache_root/projects-src"
jobs="${PROJECTS_SH_JOBS:-2}"
nice_level="${PROJECTS_SH_NICE:-10}"
clang="${ASYNCIFY_CC_CLANG:-clang-22}"
all_projects=(lua bdwgc png)
# What would redirect asyncify-cc or install.sh away from the defaults the cache key stands for.
unset ASYNCIFY_CC_SJLJ ASYNCIFY_RT_INCLUDE ASYNCIFY_RT_LIB ASYNCIFY_RT_SYSROOT ASYNCIFY_CC_KEEP_TEMPS \
      ASYNCIFY_CC_EXTRA_WASM_OPT_ARGS ASYNCIFY_CC_VERBOSE ASYNCIFY_CC_WASM_OPT WASI_SDK_PATH

say() { printf '[projects.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { local code=$1; shift; printf 'projects.sh: error: %s\n' "$*" >&2; exit "$code"; }

# logged LOG CMD...: runs CMD with its output in LOG; on failure shows the tail and exits.
logged() {
    local log="$1"; shift
    local status=0
    "$@" >>"$log" 2>&1 || status=$?
    if [[ $status -ne 0 ]]; then
        tail -n 40 "$log" >&2
        printf 'projects.sh: error: %s failed (status %d); full log: %s\n' "$*" "$status" "$log" >&2
        exit "$status"
    fi
}

ensure_tools() {
    local t
    for t in "$clang" wasm-opt gcc make cmake; do
        command -v "$t" >/dev/null || die 127 "$t not found: run bash scripts/setup.sh"
    done
    for t in autoreconf libtoolize automake; do
        command -v "$t" >/dev/null || die 127 "$t not found: install the Debian packages autoconf automake libtool"
    done
    command -v llvm-ar-22 >/dev/null || die 127 "llvm-ar-22 not found: install the Debian package llvm-22"
}

# --- sources --------------------------------------------------------------------------------
debian_mirror() {
    if [[ -n "${PROJECTS_SH_MIRROR:-}" ]]; then echo "$PROJECTS_SH_MIRROR"; return; fi
    local uri
    uri="$( { grep -h '^[[:space:]]*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | sed 's/^[[:space:]]*URIs:[[:space:]]*//' | tr ' ' '\n'
              grep -h '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed 's/\[[^]]*\]//' | awk '{print $2}'
            } | grep -E '/debian/?$' | head -n1 || true)"
    [[ -n "$uri" ]] || die 1 "no Debian mirror in /etc/apt/sources.list{,.d}; set PROJECTS_SH_MIRROR=http://<host>/debian"
    echo "${uri%/}"
}

# orig_tarball PACKAGE: prints the path of the orig tarball of Debian source package PACKAGE,
# downloading the missing ones of lua5.4, zlib and libpng1.6 in one apt run (under a lock, so
# that concurrent runs fetch once).
orig_tarball() {
    local pkg="$1" t lock
    t="$(compgen -G "$src_cache/${pkg}_*.orig.tar.*" | head -n1 || true)"
    if [[ -z "$t" ]]; then
        # Concurrent runs (the project tests run in parallel) share $src_cache and its private
        # apt directory: one fetches while the others wait, then they find its tarballs.
        mkdir -p "$src_cache"
        exec {lock}>"$src_cache/fetch.lock"
        flock "$lock"
        t="$(compgen -G "$src_cache/${pkg}_*.orig.tar.*" | head -n1 || true)"
    fi
    if [[ -z "$t" ]]; then
        command -v apt-get >/dev/null || die 127 "apt-get not found: cannot fetch Debian's $pkg source"
        local apt="$src_cache/apt" codename
        codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
        mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
        echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) $codename main" >"$apt/sources.list"
        local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
                    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
                    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Sandbox::User=root" -q)
        say "fetching the source packages lua5.4 zlib libpng1.6 from Debian $codename (private apt lists in $apt)"
        apt-get "${opts[@]}" update >&2 || die 1 "apt-get update with the private sources list failed"
        (cd "$src_cache" && apt-get "${opts[@]}" source --download-only lua5.4 zlib libpng1.6 >&2) \
            || die 1 "apt-get source lua5.4 zlib libpng1.6 failed"
        rm -rf "$apt" "$src_cache"/*.debian.tar.* "$src_cache"/*.dsc
        t="$(compgen -G "$src_cache/${pkg}_*.orig.tar.*" | head -n1 || true)"
        [[ -n "$t" ]] || die 1 "no $pkg orig tarball in $src_cache after apt-get source"
    fi
    if [[ -n "${lock:-}" ]]; then
        exec {lock}>&-
    fi
    echo "$t"
}

# The bdwgc source directory (bdwgc-alloc-sys's vendor/bdwgc, as cargo unpacked it).
bdwgc_src() {
    if [[ -n "${BDWGC_SRC_DIR:-}" ]]; then echo "$BDWGC_SRC_DIR"; return; fi
    local manifest
    manifest="$(cd "$root" && cargo metadata --format-version 1 2>/dev/null \
        | grep -o '"manifest_path":"[^"]*/bdwgc-alloc-sys-[^"/]*/Cargo.toml"' | head -n1 \
        | sed 's/^"manifest_path":"//; s/"$//')"
    [[ -n "$manifest" ]] || die 1 "cargo metadata lists no bdwgc-alloc-sys package (a dev-dependency); set BDWGC_SRC_DIR"
    local d; d="$(dirname "$manifest")/vendor/bdwgc"
    [[ -f "$d/configure.ac" ]] || die 1 "$d has no configure.ac (set BDWGC_SRC_DIR)"
    echo "$d"
}

# --- the installed tools ----------------------------------------------------------------------
target_dir() {
    local t="${CARGO_TARGET_DIR:-$root/target}"
    case $t in /*) ;; *) t=$root/$t ;; esac
    echo "$t"
}

ensure_asyncify_tools() {
    local t; t="$(target_dir)"
    if [[ ! -x "$t/release/asyncify-cc" || ! -x "$t/release/asyncify-run" ]]; then
        say "building asyncify-cc and asyncify-run (cargo build --release --bins --tests)"
        (cd "$root" && nice -n "$nice_level" cargo build --release --bins --tests) || die 1 "cargo build failed"
    fi
}

# Fetches (or finds) every source first, so that a failure stops the script (inside the key's
# pipeline it could not).
prefetch() {
    local p
    for p in lua5.4 zlib libpng1.6; do orig_tarball "$p" >/dev/null; done
    bdwgc_src >/dev/null
}

# --- cache key ------------------------------------------------------------------------------------
# cache_key NAME: hashes the inputs of project NAME's builds.
cache_key() {
    local name="$1"
    {
        echo "project $name"
        local p
        for p in lua5.4 zlib libpng1.6; do sha256sum "$(orig_tarball "$p")" | cut -d' ' -f1; done
        basename "$(dirname "$(dirname "$(bdwgc_src)")")"
        # The recipe: this project's build function and the helpers it uses, as bash prints them
        # (comments and the other projects' recipes do not count).
        declare -f "build_$name" build_prefix unpack ar_tool ranlib_tool
        "$clang" --version | head -n1
        wasm-opt --version
        gcc --version | head -n1
        cmake --version | head -n1
        (cd "$root" && find scripts/install.sh src csrc include asyncify-cc asyncify-run build.rs Cargo.lock examples/gc \
            -type f -print0 2>/dev/null | sort -z | xargs -0 sha256sum)
    } | sha256sum | cut -c1-16
}

# --- build recipes (each project's build function is hashed into its cache key) ---------------
ar_tool() { command -v llvm-ar-22; }
ranlib_tool() { command -v llvm-ranlib-22; }

# unpack TARBALL DEST: unpacks into DEST (its one top directory becomes DEST).
unpack() {
    local tarball="$1" dest="$2" tmp
    tmp="$(mktemp -d "$dest.XXXX")"
    tar -xf "$tarball" -C "$tmp"
    mv "$tmp"/* "$dest"
    rmdir "$tmp"
}

# The prefix: scripts/install.sh from the tools cargo built.
build_prefix() {
    local dir="$1"
    ensure_asyncify_tools
    say "installing asyncify-rt into $dir/prefix (scripts/install.sh --no-build)"
    logged "$dir/install.log" bash "$root/scripts/install.sh" --prefix "$dir/prefix" --no-build
}

build_lua() {
    local dir="$1" P="$2" t
    t="$(orig_tarball lua5.4)"
    say "lua: $(basename "$t")"
    unpack "$t" "$dir/native"
    unpack "$t" "$dir/wasm"
    say "lua: native make -C src generic (log: $dir/native.log)"
    logged "$dir/native.log" nice -n "$nice_level" make -C "$dir/native/src" -j"$jobs" generic CC="gcc -std=gnu99"
    say "lua: WASI make -C src generic (log: $dir/wasm.log)"
    logged "$dir/wasm.log" nice -n "$nice_level" make -C "$dir/wasm/src" -j"$jobs" generic \
        CC="$P/bin/asyncify-cc -std=gnu99" AR="$(ar_tool) rcu" RANLIB="$(ranlib_tool)" \
        MYCFLAGS="-D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -DL_tmpnam=20" \
        MYLIBS="-lwasi-emulated-signal -lwasi-emulated-process-clocks" \
        MYLDFLAGS=-Wl,--unresolved-symbols=ignore-all
    [[ -f "$dir/native/src/lua" && -f "$dir/wasm/src/lua" ]] || die 1 "lua: make left no src/lua"
}

build_bdwgc() {
    local dir="$1" P="$2" src
    src="$(bdwgc_src)"
    say "bdwgc: $src"
    mkdir -p "$dir/src"
    cp -r "$src/." "$dir/src/"
    say "bdwgc: autogen.sh (log: $dir/autogen.log)"
    (cd "$dir/src" && logged "$dir/autogen.log" nice -n "$nice_level" ./autogen.sh)
    local common=(--disable-threads --disable-shared --enable-static)
    mkdir -p "$dir/native" "$dir/wasm"
    say "bdwgc: native configure, make, make check TESTS= (log: $dir/native.log)"
    (cd "$dir/native" && logged "$dir/native.log" nice -n "$nice_level" ../src/configure "${common[@]}" \
        && logged "$dir/native.log" nice -n "$nice_level" make -j"$jobs" \
        && logged "$dir/native.log" nice -n "$nice_level" make -j"$jobs" check TESTS=)
    say "bdwgc: WASI configure --host=wasm32-wasip1, make, make check TESTS= (log: $dir/wasm.log)"
    # The hook as an archive (libtool refuses a plain object in the test library
    # libstaticroots_lib_test.la), pulled in and kept by exporting its public function
    # (wasm-ld's --undefined=<symbol> did not keep the member's constructor).
    logged "$dir/wasm.log" "$P/bin/asyncify-cc" -O2 -I"$dir/src/include" -c "$root/examples/gc/asyncify_gc_roots.c" \
        -o "$dir/asyncify_gc_roots.o"
    logged "$dir/wasm.log" "$(ar_tool)" rcs "$dir/libasyncify_gc_roots.a" "$dir/asyncify_gc_roots.o"
    # wasi-libc has no getpagesize(), which bdwgc's WASI port calls unless GETPAGESIZE() is
    # defined; a function-like macro cannot go through configure's CFLAGS (configure passes quotes
    # on literally, make's shell needs them), so it comes from a header given with -include.
    printf '/* bdwgc on WASI: wasi-libc has no getpagesize(); wasm pages are 64 KiB. */\n#define GETPAGESIZE() 65536\n' \
        >"$dir/wasi-pagesize.h"
    # --disable-munmap: bdwgc's default (USE_MMAP, USE_MUNMAP) would grow and shrink the heap
    # through wasi-libc's mmap emulation, which is malloc underneath and cannot unmap part of a
    # mapping; without it bdwgc grows the heap with sbrk, as its WASI port intends.
    (cd "$dir/wasm" && logged "$dir/wasm.log" nice -n "$nice_level" ../src/configure "${common[@]}" \
        --host=wasm32-wasip1 --disable-munmap CC="$P/bin/asyncify-cc" AR="$(ar_tool)" RANLIB="$(ranlib_tool)" \
        CFLAGS="-O2 -include $dir/wasi-pagesize.h" \
        EXTRA_TEST_LIBS="-Wl,--export=asyncify_gc_roots_install -L$dir -lasyncify_gc_roots" \
        && logged "$dir/wasm.log" nice -n "$nice_level" make -j"$jobs" \
        && logged "$dir/wasm.log" nice -n "$nice_level" make -j"$jobs" check TESTS=)
}

build_png() {
    local dir="$1" P="$2" v zsrc psrc
    zsrc="$dir/src/zlib"; psrc="$dir/src/libpng"
    mkdir -p "$dir/src"
    unpack "$(orig_tarball zlib)" "$zsrc"
    unpack "$(orig_tarball libpng1.6)" "$psrc"
    # Debian's dfsg repack drops win32/; zlib's CMakeLists names win32/zlib1.rc on every platform.
    mkdir -p "$zsrc/win32"; [[ -e "$zsrc/win32/zlib1.rc" ]] || : >"$zsrc/win32/zlib1.rc"
    for v in native wasm; do
        local b="$dir/$v" tc=() root=()
        if [[ $v == wasm ]]; then
            tc=(-DCMAKE_TOOLCHAIN_FILE="$P/share/cmake/asyncify-rt.cmake")
            # pngvalid catches signals (signal(), wasi-libc's signal emulation).
            root=(-DCMAKE_FIND_ROOT_PATH="$b/stage" -DCMAKE_C_FLAGS=-D_WASI_EMULATED_SIGNAL
                  -DCMAKE_EXE_LINKER_FLAGS=-lwasi-emulated-signal)
        else
            root=(-DCMAKE_PREFIX_PATH="$b/stage")
        fi
        say "png: $v zlib (cmake, make install into $b/stage; log: $dir/$v.log)"
        # zlib's CMake configure renames the source's zconf.h: each build gets its own copy.
        mkdir -p "$b"; cp -r "$zsrc" "$b/zlib-src"
        logged "$dir/$v.log" nice -n "$nice_level" cmake -S "$b/zlib-src" -B "$b/zlib-build" "${tc[@]}" \
            -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$b/stage"
        logged "$dir/$v.log" nice -n "$nice_level" cmake --build "$b/zlib-build" -j "$jobs" --target install
        say "png: $v libpng (cmake, make pngtest pngvalid; log: $dir/$v.log)"
        logged "$dir/$v.log" nice -n "$nice_level" cmake -S "$psrc" -B "$b/png-build" "${tc[@]}" "${root[@]}" \
            -DCMAKE_BUILD_TYPE=Release -DPNG_STATIC=OFF
        logged "$dir/$v.log" nice -n "$nice_level" cmake --build "$b/png-build" -j "$jobs" --target pngtest pngvalid
    done
}

# build_project NAME: builds NAME (and its prefix) unless cached; prints its directory.
build_project() {
    local name="$1" key dir t0
    ensure_tools
    prefetch
    key="$(cache_key "$name")"
    dir="$cache_root/projects-$name-$key"
    if [[ -f "$dir/done" ]]; then
        say "$name is cached: $dir"
    else
        t0=$SECONDS
        rm -rf "$dir"
        mkdir -p "$dir"
        build_prefix "$dir"
        "build_$name" "$dir" "$dir/prefix"
        echo "$((SECONDS - t0))" >"$dir/build-seconds"
        touch "$dir/done"
        say "$name built in $((SECONDS - t0)) s: $dir"
    fi
    echo "$dir"
}

is_project() { local p; for p in "${all_projects[@]}"; do [[ $p == "$1" ]] && return 0; done; return 1; }

cmd="${1:-build}"
case "$cmd" in
    build)
        shift || true
        names=("$@"); ((${#names[@]})) || names=("${all_projects[@]}")
        for n in "${names[@]}"; do is_project "$n" || die 2 "unknown project '$n' (${all_projects[*]})"; done
        for n in "${names[@]}"; do build_project "$n" >/dev/null; done ;;
    path)
        (($# == 2)) || die 2 "usage: projects.sh path NAME (${all_projects[*]})"
        is_project "$2" || die 2 "unknown project '$2' (${all_projects[*]})"
        build_project "$2" ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
    *) if is_project "$cmd"; then for n in "$@"; do is_project "$n" || die 2 "unknown project '$n' (${all_projects[*]})"; build_project "$n" >/dev/null; done
       else die 2 "unknown command '$cmd' (build, path; --help)"; fi ;;
esac
