#!/usr/bin/env bash
# sysroots.sh - the WASI sysroots asyncify-rt is tested against, prepared idempotently.
#
#   bash scripts/sysroots.sh                 prepare all three; print one "<name> <path>" line each
#   bash scripts/sysroots.sh path NAME       prepare NAME and print its path
#
# NAME is one of:
#   bookworm   Debian bookworm's wasi-libc (the installed package `wasi-libc`, 2022 snapshot):
#              a directory of the symlinks include/wasm32-wasip1 -> /usr/include/wasm32-wasi,
#              lib/wasm32-wasip1 -> /usr/lib/wasm32-wasi and share/wasm32-wasip1 (wasi-libc's
#              include-all.c and symbol lists). Path: the sysroot (give it to
#              asyncify-cc as ASYNCIFY_RT_SYSROOT, or to install.sh as --sysroot).
#   trixie     Debian trixie's wasi-libc ($TRIXIE_VERSION below): the .deb, fetched with
#              `apt-get download` through a private sources list, lists and cache (nothing under
#              /etc or /var/lib/apt changes, nothing is installed), unpacked with `dpkg-deb -x`.
#              It has its own setjmp.h (an #error without Wasm exception handling) and
#              libsetjmp.a. Path: the sysroot (<cache dir>/usr, which holds
#              {include,lib,share}/wasm32-wasip1 as the package ships them).
#   wasi-sdk   a wasi-sdk-style prefix built from trixie's content: <path>/share/wasi-sysroot/
#              {include,lib,share}/wasm32-wasip1/ as real directories (no wasm32-wasi name).
#              Path: the prefix (give it as WASI_SDK_PATH to install.sh). It holds no clang:
#              wasi-sdk's bin/ is not reproduced.
#
# Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/asyncify-rt/, one directory per sysroot keyed by the
# package version it is made from: sysroot-bookworm-<installed wasi-libc version>,
# wasi-libc-trixie-<version>, wasi-sdk-style-<version> (a `~` in a version becomes `-`). A
# finished directory has a `done` file; an unfinished one is made again from scratch. Concurrent
# runs wait for each other (flock on <cache>/sysroots.lock). Once cached, no network is used.
#
# Environment: SYSROOTS_TRIXIE_WASI_LIBC (the trixie package version, default $TRIXIE_VERSION),
# SYSROOTS_MIRROR (Debian mirror, default: the first ".../debian" URI of this machine's apt
# sources).
# Exit status: 0; 2 for a usage error (one line `sysroots.sh: ...`); 1 after one such line when a
# step fails (apt-get, dpkg-deb, a missing package), naming what to do.
set -euo pipefail

TRIXIE_VERSION="${SYSROOTS_TRIXIE_WASI_LIBC:-0.0~git20241209.574b88d-2}"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/asyncify-rt"

die() { local code=$1; shift; echo "sysroots.sh: $*" >&2; exit "$code"; }
say() { echo "[sysroots.sh] $*" >&2; }

# A version as a directory-name component: `~` (tilde expansion, make) becomes `-`.
key() { echo "${1//\~/-}"; }

debian_mirror() {
  if [[ -n "${SYSROOTS_MIRROR:-}" ]]; then echo "${SYSROOTS_MIRROR%/}"; return; fi
  local uri
  uri="$( { grep -h '^[[:space:]]*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | sed 's/^[[:space:]]*URIs:[[:space:]]*//' | tr ' ' '\n'
            grep -h '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed 's/\[[^]]*\]//' | awk '{print $2}'
          } | grep -E '/debian/?$' | head -n1 || true)"
  [[ -n "$uri" ]] || die 1 "no Debian mirror in /etc/apt/sources.list{,.d}; set SYSROOTS_MIRROR=http://<host>/debian"
  echo "${uri%/}"
}

# bookworm: symlinks over the installed package.
bookworm() {
  [[ -f /usr/lib/wasm32-wasi/libc.a && -d /usr/include/wasm32-wasi ]] \
    || die 1 "Debian's wasi-libc is not installed (/usr/lib/wasm32-wasi/libc.a); run bash scripts/setup.sh or apt-get install wasi-libc"
  local version dir
  version="$(dpkg-query -W -f '${Version}' wasi-libc 2>/dev/null || echo unknown)"
  dir="$cache_root/sysroot-bookworm-$(key "$version")"
  if [[ ! -f "$dir/done" ]]; then
    rm -rf "$dir"
    mkdir -p "$dir/include" "$dir/lib" "$dir/share"
    ln -s /usr/include/wasm32-wasi "$dir/include/wasm32-wasip1"
    ln -s /usr/lib/wasm32-wasi "$dir/lib/wasm32-wasip1"
    ln -s /usr/share/wasm32-wasi "$dir/share/wasm32-wasip1"
    touch "$dir/done"
  fi
  echo "$dir"
}

# trixie: the .deb, downloaded and unpacked. Prints the sysroot (<dir>/usr).
trixie() {
  local dir="$cache_root/wasi-libc-trixie-$(key "$TRIXIE_VERSION")"
  if [[ ! -f "$dir/done" ]]; then
    command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die 1 "apt-get and dpkg-deb are needed to fetch trixie's wasi-libc"
    rm -rf "$dir"
    local apt="$dir.apt"
    rm -rf "$apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) trixie main" >"$apt/sources.list"
    local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
                -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
                -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Sandbox::User=root"
                -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false" -q)
    say "fetching wasi-libc $TRIXIE_VERSION from Debian trixie (private apt lists in $apt)"
    apt-get "${opts[@]}" update >&2 || die 1 "apt-get update with the private trixie sources list failed"
    (cd "$apt" && apt-get "${opts[@]}" download "wasi-libc=$TRIXIE_VERSION" >&2) \
      || die 1 "apt-get download wasi-libc=$TRIXIE_VERSION (trixie) failed; set SYSROOTS_TRIXIE_WASI_LIBC to the version trixie has (apt-cache policy with the same private list)"
    local deb
    deb="$(compgen -G "$apt/wasi-libc_*_all.deb" | head -n1 || true)"
    [[ -n "$deb" ]] || die 1 "apt-get download left no wasi-libc_*_all.deb in $apt"
    mkdir -p "$dir"
    dpkg-deb -x "$deb" "$dir" || die 1 "dpkg-deb -x $deb failed"
    basename "$deb" >"$dir/deb"
    rm -rf "$apt"
    [[ -f "$dir/usr/lib/wasm32-wasip1/libc.a" && -f "$dir/usr/include/wasm32-wasip1/stdio.h" ]] \
      || die 1 "$(cat "$dir/deb") has no usr/{include,lib}/wasm32-wasip1 with libc.a"
    touch "$dir/done"
  fi
  echo "$dir/usr"
}

# wasi-sdk: trixie's wasm32-wasi content, copied into wasi-sdk's layout. Prints the prefix.
wasi_sdk() {
  local src dir
  src="$(trixie)"
  dir="$cache_root/wasi-sdk-style-$(key "$TRIXIE_VERSION")"
  if [[ ! -f "$dir/done" ]]; then
    rm -rf "$dir"
    local s="$dir/share/wasi-sysroot" sub
    for sub in include lib share; do
      mkdir -p "$s/$sub"
      cp -rL "$src/$sub/wasm32-wasi" "$s/$sub/wasm32-wasip1"
    done
    touch "$dir/done"
  fi
  echo "$dir"
}

prepare() {
  case $1 in
    bookworm) bookworm ;;
    trixie) trixie ;;
    wasi-sdk) wasi_sdk ;;
    *) die 2 "unknown sysroot '$1' (bookworm, trixie, wasi-sdk)" ;;
  esac
}

mkdir -p "$cache_root"
exec 9>"$cache_root/sysroots.lock"
flock 9
case "${1:-all}" in
  all) (($# <= 1)) || die 2 "usage: sysroots.sh [path NAME]"
       for n in bookworm trixie wasi-sdk; do p=$(prepare "$n"); echo "$n $p"; done ;;
  path) (($# == 2)) || die 2 "usage: sysroots.sh path NAME (bookworm, trixie, wasi-sdk)"
        prepare "$2" ;;
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
  *) die 2 "unknown command '$1' (usage: sysroots.sh [path NAME]; --help)" ;;
esac
