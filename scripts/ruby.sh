#!/usr/bin/env bash
# ruby.sh - build CRuby 3.3 for WASI on asyncify-rt, and run it.
#
#   bash scripts/ruby.sh                 build (idempotent) CRuby with the port layer of
#                                        ports/ruby/ and CC=asyncify-cc; install it into
#                                        build/ruby/ (a symlink into the cache)
#   bash scripts/ruby.sh stock           build the same source with CRuby's own wasm/ layer
#                                        (stock configure, clang-22 + the same wasi-libc, the
#                                        same -O; CRuby's own wasm-opt --asyncify post-link
#                                        step): build/ruby-stock/, the benchmarks' comparison
#   bash scripts/ruby.sh run [ARGS]      run build/ruby's ruby under target/release/asyncify-run
#   bash scripts/ruby.sh run-stock [ARGS]   the same for build/ruby-stock
#   bash scripts/ruby.sh path [stock]    print the install directory (building it if needed)
#
# Running: the current directory is the guest's "/" (so relative paths such as `test.rb` work)
# and the install's usr/ is the guest's /usr (ruby lives in /usr/local), where it finds its
# standard library (a directory named usr in the current directory is hidden from ruby);
# stdin, stdout, stderr and the exit status pass through.
#
# Sources: CRuby's release tarball from Debian trixie's source package ruby3.3, fetched by
# apt-get with a private sources list, lists and cache (nothing under /etc or /var/lib/apt
# changes). The mirror is the one this machine's apt uses for Debian (first "/debian" URI in
# /etc/apt/sources.list{,.d}); RUBY_SH_MIRROR=http://host/debian overrides it. baseruby is
# Debian's `ruby` (3.1), installed with apt-get if missing.
#
# Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/asyncify-rt/ruby-<key> (stock: ruby-stock-<key>), where
# the key hashes everything the build depends on: the source tarball, this script's build recipe
# (between its ">>> build recipe" markers), the port layer (ports/ruby/), the runtime and driver
# sources (src/ csrc/ include/ asyncify-cc/ build.rs Cargo.lock) and the versions of clang and
# wasm-opt. A finished build has a `done`
# file; an unfinished one is rebuilt from scratch. Logs: <cache dir>/{configure,make,install}.log.
#
# Environment: RUBY_SH_JOBS (make -j, default 2), RUBY_SH_NICE (nice level, default 15).
# Exit status: 0 on success; the failing step's status otherwise, after a message on stderr
# naming the step and its log (whose tail is shown); `run` exits with ruby's status.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/asyncify-rt"
jobs="${RUBY_SH_JOBS:-2}"
nice_level="${RUBY_SH_NICE:-15}"
clang="${ASYNCIFY_CC_CLANG:-clang-22}"
prefix=/usr/local

say() { printf '[ruby.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'ruby.sh: error: %s\n' "$*" >&2; exit 1; }

# Runs "$@" with output to log $1 (relative to the build dir), showing the log's tail on failure.
logged() {
    local log="$1"; shift
    local status=0
    "$@" >"$log" 2>&1 || status=$?
    if [[ $status -ne 0 ]]; then
        tail -n 40 "$log" >&2
        printf 'ruby.sh: error: %s failed (status %d); full log: %s\n' "$(basename "$log" .log)" "$status" "$log" >&2
        exit "$status"
    fi
}

# --- the CRuby source tarball -------------------------------------------------------------
src_dir="$cache_root/src"

debian_mirror() {
    if [[ -n "${RUBY_SH_MIRROR:-}" ]]; then echo "$RUBY_SH_MIRROR"; return; fi
    local uri
    uri="$( { grep -h '^[[:space:]]*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | sed 's/^[[:space:]]*URIs:[[:space:]]*//' | tr ' ' '\n'
              grep -h '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed 's/\[[^]]*\]//' | awk '{print $2}'
            } | grep -E '/debian/?$' | head -n1 )"
    [[ -n "$uri" ]] || die "no Debian mirror in /etc/apt/sources.list{,.d}; set RUBY_SH_MIRROR=http://<host>/debian"
    echo "${uri%/}"
}

# Prints the path of the orig tarball of trixie's ruby3.3, downloading it if not cached.
ruby_tarball() {
    local t
    t="$(compgen -G "$src_dir/ruby3.3_3.3.*.orig.tar.*" | head -n1 || true)"
    if [[ -n "$t" ]]; then echo "$t"; return; fi
    command -v apt-get >/dev/null || die "apt-get not found: cannot fetch Debian's ruby3.3 source"
    local apt="$src_dir/apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) trixie main" >"$apt/sources.list"
    local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
                -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
                -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Sandbox::User=root" -q)
    say "fetching ruby3.3 source from Debian trixie (private apt lists in $apt)"
    apt-get "${opts[@]}" update >&2 || die "apt-get update with the private sources list failed"
    (cd "$src_dir" && apt-get "${opts[@]}" source --download-only ruby3.3 >&2) || die "apt-get source ruby3.3 failed"
    rm -rf "$apt" "$src_dir"/ruby3.3_*.debian.tar.* "$src_dir"/ruby3.3_*.dsc
    t="$(compgen -G "$src_dir/ruby3.3_3.3.*.orig.tar.*" | head -n1 || true)"
    [[ -n "$t" ]] || die "no ruby3.3 3.3.x orig tarball in $src_dir after apt-get source"
    echo "$t"
}

ensure_baseruby() {
    if ! command -v ruby >/dev/null; then
        say "installing Debian's ruby (baseruby for the cross build)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q ruby >&2 || die "apt-get install ruby failed"
    fi
}

ensure_tools() {
    command -v "$clang" >/dev/null || die "$clang not found: run bash scripts/setup.sh (Debian packages clang-22 lld-22)"
    command -v wasm-opt >/dev/null || die "wasm-opt not found: install the Debian package binaryen"
    command -v llvm-ar-22 >/dev/null || die "llvm-ar-22 not found: install the Debian package llvm-22"
    command -v make >/dev/null || die "make not found"
}

ensure_asyncify_tools() {
    if [[ ! -x "$root/target/release/asyncify-cc" || ! -x "$root/target/release/asyncify-run" ]]; then
        say "building asyncify-cc and asyncify-run (cargo build --release --bins)"
        (cd "$root" && nice -n "$nice_level" cargo build --release --bins) || die "cargo build failed"
    fi
}

# --- cache key ---------------------------------------------------------------------------
# $1 = ours|stock. Hashes the inputs of that build.
cache_key() {
    local variant="$1" tarball="$2"
    {
        echo "variant $variant"
        sha256sum "$tarball" | cut -d' ' -f1
        # Only the build recipe of this script (between its two markers): editing the commands
        # that run ruby does not rebuild it.
        sed -n '/^# >>> build recipe/,/^# <<< build recipe/p' "$root/scripts/ruby.sh" | sha256sum | cut -d' ' -f1
        "$clang" --version | head -n1
        wasm-opt --version
        if [[ "$variant" == ours ]]; then
            (cd "$root" && find ports/ruby src csrc include asyncify-cc build.rs Cargo.lock \
                -type f ! -name NOTES.md -print0 | sort -z | xargs -0 sha256sum)
        fi
    } | sha256sum | cut -c1-16
}

# >>> build recipe (hashed into the cache key: everything down to the end marker)
# --- configure + build + install -----------------------------------------------------------
# Common configure arguments for both variants: same optimisation, no debug info (asyncify-cc
# would pass -g to wasm-opt, CRuby's own post-link step does not), 16 MiB shadow stack (CRuby's
# wasm/README.md), the same statically linked extensions.
OPT=-O2
EXTS="json,json/generator,json/parser,stringio,strscan,monitor,etc,pathname,date,rbconfig/sizeof,cgi/escape,digest,digest/md5,digest/sha1,digest/sha2,objspace,continuation"
common_configure_args() {
    echo --host=wasm32-unknown-wasi --prefix="$prefix" --with-baseruby="$(command -v ruby)" \
        --with-static-linked-ext --with-ext="$EXTS" --disable-install-doc --disable-install-rdoc \
        --disable-rubygems --disable-jit-support \
        optflags="$OPT" debugflags= AR=llvm-ar-22 RANLIB=llvm-ranlib-22 \
        WASI_SDK_PATH=/nonexistent
}

# build <variant> -> prints the install dir
build() {
    local variant="$1"
    ensure_tools
    local tarball key dir name
    tarball="$(ruby_tarball)"
    [[ "$variant" == ours ]] && ensure_asyncify_tools
    key="$(cache_key "$variant" "$tarball")"
    name=ruby-$key; [[ "$variant" == stock ]] && name=ruby-stock-$key
    dir="$cache_root/$name"
    local link="$root/build/ruby"; [[ "$variant" == stock ]] && link="$root/build/ruby-stock"
    if [[ -f "$dir/done" ]]; then
        say "$variant build is cached: $dir"
    else
        ensure_baseruby
        local t0=$SECONDS
        rm -rf "$dir"
        mkdir -p "$dir/build"
        say "$variant build in $dir ($(basename "$tarball"))"
        say "unpacking"
        tar -xf "$tarball" -C "$dir"
        local srcdir
        srcdir="$(cd "$dir" && ls -d ruby-3.3.*/ | head -n1)"; srcdir="$dir/${srcdir%/}"
        if [[ "$variant" == ours ]]; then
            say "overlaying the port layer (ports/ruby/wasm, ports/ruby/coroutine) and patches"
            cp -r "$root/ports/ruby/wasm/." "$srcdir/wasm/"
            cp -r "$root/ports/ruby/coroutine/." "$srcdir/coroutine/"
            local p
            for p in "$root"/ports/ruby/patches/*.patch; do
                patch -d "$srcdir" -p1 --quiet <"$p" || die "patch $p does not apply"
            done
        fi
        # Bundled gems (minitest, rake, test-unit, ...): Debian's orig tarball carries none and
        # `make install` would download them from rubygems.org, which is not reachable here.
        # An empty list installs none (rubygems is disabled in this build anyway).
        : >"$srcdir/gems/bundled_gems"
        local cfg
        read -r -a cfg <<<"$(common_configure_args)"
        cd "$dir/build"
        say "configure (log: $dir/configure.log)"
        if [[ "$variant" == ours ]]; then
            # CC: asyncify-cc, through a wrapper that
            # - names the real wasm-opt: CRuby's configure wraps CC in tool/wasm-clangw, which
            #   puts a do-nothing wasm-opt first on PATH (so that clang's own post-link step does
            #   nothing); asyncify-cc would find that one and skip Asyncify;
            # - makes a linked program executable (asyncify-cc's output is written by wasm-opt
            #   with mode 0644, and CRuby's mkmf rejects a conftest that is not executable,
            #   skipping every extension).
            cat >"$dir/asyncify-cc-x" <<EOF
#!/bin/sh
ASYNCIFY_CC_WASM_OPT="$(command -v wasm-opt)" "$root/target/release/asyncify-cc" "\$@" || exit \$?
out= prev= compile=
for a in "\$@"; do
    [ "\$prev" = -o ] && out=\$a
    case "\$a" in -c|-S|-E) compile=1 ;; esac
    prev=\$a
done
[ -z "\$compile" ] && [ -n "\$out" ] && [ -f "\$out" ] && chmod +x "\$out"
exit 0
EOF
            chmod +x "$dir/asyncify-cc-x"
            # asyncify-cc runs wasm-opt --asyncify itself; CRuby's POSTLINK would run
            # `$(WASMOPT) --asyncify ...` a second time, so WASMOPT is a no-op here (`true`).
            logged "$dir/configure.log" nice -n "$nice_level" "$srcdir/configure" "${cfg[@]}" \
                CC="$dir/asyncify-cc-x" LD="$dir/asyncify-cc-x" \
                WASMOPT=true LDFLAGS="$OPT -Xlinker -zstack-size=16777216"
        else
            local sysroot="$cache_root/wasi-sysroot"
            mkdir -p "$sysroot/include" "$sysroot/lib"
            ln -sfn /usr/include/wasm32-wasi "$sysroot/include/wasm32-wasip1"
            ln -sfn /usr/lib/wasm32-wasi "$sysroot/lib/wasm32-wasip1"
            logged "$dir/configure.log" nice -n "$nice_level" "$srcdir/configure" "${cfg[@]}" \
                CC="$clang --target=wasm32-wasip1 --sysroot=$sysroot" \
                LD="$clang --target=wasm32-wasip1 --sysroot=$sysroot" \
                WASMOPT="$(command -v wasm-opt)" wasmoptflags="$OPT" \
                LDFLAGS="$OPT -Xlinker -zstack-size=16777216"
        fi
        say "make -j$jobs (log: $dir/make.log; about 10-20 minutes on 2 cores)"
        ( nice -n "$nice_level" make -j"$jobs" >"$dir/make.log" 2>&1 ) &
        local mk=$!
        while kill -0 "$mk" 2>/dev/null; do
            sleep 30
            kill -0 "$mk" 2>/dev/null && say "  ... $(grep -c '^compiling\|^linking' "$dir/make.log" || true) steps, last: $(grep '^compiling\|^linking\|^generating' "$dir/make.log" | tail -n1 | sed "s|$srcdir/||" | cut -c1-90)"
        done
        local st=0; wait "$mk" || st=$?
        if [[ $st -ne 0 ]]; then
            tail -n 40 "$dir/make.log" >&2
            die "make failed (status $st); full log: $dir/make.log"
        fi
        say "make install (log: $dir/install.log)"
        logged "$dir/install.log" nice -n "$nice_level" make install DESTDIR="$dir/install"
        [[ -f "$dir/install$prefix/bin/ruby" ]] || die "make install left no $prefix/bin/ruby in $dir/install"
        echo "$((SECONDS - t0))" >"$dir/build-seconds"
        touch "$dir/done"
        say "$variant build done in $((SECONDS - t0)) s"
        cd "$root"
    fi
    mkdir -p "$root/build"
    ln -sfn "$dir/install" "$link"
    echo "$link"
}

# <<< build recipe

run() {
    local variant="$1"; shift
    local inst
    inst="$(build "$variant")"
    [[ -x "$root/target/release/asyncify-run" ]] || die "target/release/asyncify-run missing: cargo build --release --bins"
    exec "$root/target/release/asyncify-run" --dir "$PWD::/" --dir "$inst/usr::/usr" \
        "$inst$prefix/bin/ruby" "$@"
}

case "${1:-build}" in
    build) build ours >/dev/null ;;
    stock) build stock >/dev/null ;;
    run) shift; run ours "$@" ;;
    run-stock) shift; run stock "$@" ;;
    path) if [[ "${2:-}" == stock ]]; then build stock; else build ours; fi ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
    *) die "unknown command '$1' (build, stock, run, run-stock, path; --help)" ;;
esac
