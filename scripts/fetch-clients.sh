#!/usr/bin/env bash
# fetch-clients.sh - fetch the unmodified third-party C sources the ucontext client tests build
# (tests/ucontext_clients.rs). Nothing fetched here is committed: it lands in build/clients/.
#
#   build/clients/glibc/stdlib/tst-*context*.c   glibc's context tests (from the upstream tarball
#                                                 of Debian's glibc source package)
#   build/clients/libcoro/coro.c, coro.h          libcoro (from Debian's libcoro-perl source)
#
# Debian source packages are fetched with apt-get using a PRIVATE sources list, lists directory
# and cache (under build/clients/apt/), so nothing under /etc or /var/lib/apt changes. The mirror
# is the one this machine's apt configuration uses for Debian itself (read from
# /etc/apt/sources.list and /etc/apt/sources.list.d/*.{list,sources}); set
# ASYNCIFY_CLIENTS_MIRROR=http://host/debian (and optionally ASYNCIFY_CLIENTS_SUITE) to override.
#
# Idempotent: a client whose files are present is not fetched again (delete its directory to
# refetch). Exit status 0 when every client is in place; otherwise non-zero with a message.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/build/clients"
apt_dir="$out/apt"
dl_dir="$out/download"
mkdir -p "$out"

say() { printf 'fetch-clients: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

have_glibc() { compgen -G "$out/glibc/stdlib/tst-*context*.c" >/dev/null; }
have_libcoro() { [[ -s "$out/libcoro/coro.c" && -s "$out/libcoro/coro.h" ]]; }

report() {
    say "glibc tests: $out/glibc/stdlib/ ($(cd "$out/glibc/stdlib" && ls tst-*context*.c | tr '\n' ' '))"
    say "libcoro:     $out/libcoro/ (coro.c coro.h)"
}

if have_glibc && have_libcoro; then
    say "already present"
    report
    exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found: cannot fetch Debian source packages"
command -v tar >/dev/null || die "tar not found"

# --- The Debian mirror this machine uses ----------------------------------------------------
# Emits "URI SUITE COMPONENTS... |SIGNED_BY" lines for every Debian "deb" source configured
# (one-line and deb822 formats). Only sources whose URI path ends in /debian or /debian-security
# are kept: third-party repositories carry no Debian source packages.
configured_sources() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f "$f" ]] || continue
        awk '
            /^[[:space:]]*#/ || NF == 0 { next }
            $1 == "deb" {
                i = 2; opts = ""
                if ($2 ~ /^\[/) { while (i <= NF) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break } i++ } }
                uri = $i; suite = $(i + 1); comps = ""
                for (j = i + 2; j <= NF; j++) comps = comps " " $j
                sb = ""
                if (match(opts, /signed-by=[^] ]+/)) sb = substr(opts, RSTART + 10, RLENGTH - 10)
                print uri " " suite comps " |" sb
            }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f "$f" ]] || continue
        # deb822: paragraphs separated by blank lines; comment lines start with '#'.
        awk '
            function flush() {
                if (types ~ /(^| )deb( |$)/ && enabled != "no") {
                    n = split(suites, s, " ")
                    for (k = 1; k <= n; k++) {
                        m = split(uris, u, " ")
                        for (l = 1; l <= m; l++) print u[l] " " s[k] " " comps " |" sb
                    }
                }
                types = uris = suites = comps = sb = enabled = ""
            }
            /^[[:space:]]*#/ { next }
            NF == 0 { flush(); next }
            {
                key = tolower($1); sub(/:$/, "", key); $1 = ""; val = $0; sub(/^[[:space:]]+/, "", val)
                if (key == "types") types = val
                else if (key == "uris") uris = val
                else if (key == "suites") suites = val
                else if (key == "components") comps = val
                else if (key == "signed-by") sb = val
                else if (key == "enabled") enabled = tolower(val)
            }
            END { flush() }' "$f"
    done
}

write_private_sources() {
    local list="$apt_dir/sources.list" codename line uri suite rest sb n=0
    codename="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
    : >"$list"
    if [[ -n "${ASYNCIFY_CLIENTS_MIRROR:-}" ]]; then
        suite="${ASYNCIFY_CLIENTS_SUITE:-${codename:-bookworm}}"
        echo "deb-src ${ASYNCIFY_CLIENTS_MIRROR} $suite main" >>"$list"
        n=1
    else
        while IFS= read -r line; do
            sb="${line##*|}"
            line="${line%|*}"
            read -r uri suite rest <<<"$line"
            [[ "${uri%/}" =~ /debian(-security)?$ ]] || continue
            if [[ -n "$sb" ]]; then
                echo "deb-src [signed-by=$sb] $uri $suite ${rest:-main}" >>"$list"
            else
                echo "deb-src $uri $suite ${rest:-main}" >>"$list"
            fi
            n=$((n + 1))
        done < <(configured_sources | sort -u)
    fi
    [[ $n -gt 0 ]] || die "no Debian mirror found in /etc/apt/sources.list{,.d}; set ASYNCIFY_CLIENTS_MIRROR=http://<host>/debian"
    say "private sources list $list:"
    sed 's/^/    /' "$list" >&2
}

APT_OPTS=()
apt_setup() {
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$dl_dir"
    write_private_sources
    APT_OPTS=(
        -o "Dir::Etc::SourceList=$apt_dir/sources.list"
        -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$apt_dir/lists"
        -o "Dir::Cache=$apt_dir/cache"
        -o "Dir::Cache::pkgcache="
        -o "Dir::Cache::srcpkgcache="
        -o "APT::Sandbox::User=root"
        -o "Acquire::Retries=3"
        -q
    )
    # Refresh the private index when it is missing or older than a day.
    if ! compgen -G "$apt_dir/lists/*Sources*" >/dev/null \
        || [[ -n "$(find "$apt_dir/lists" -maxdepth 1 -name '*Sources*' -mtime +0 -print -quit)" ]]; then
        say "apt-get update (private lists in $apt_dir/lists)"
        apt-get "${APT_OPTS[@]}" --error-on=any update >&2 || die "apt-get update with the private sources list failed (no network?)"
    fi
}

# Downloads (not unpacks) the source package $1 into $dl_dir; prints the orig tarball's path.
download_source() {
    local pkg="$1" orig
    orig="$(compgen -G "$dl_dir/${pkg}_*.orig.tar.*" | head -n1 || true)"
    if [[ -z "$orig" ]]; then
        say "apt-get source --download-only $pkg"
        (cd "$dl_dir" && apt-get "${APT_OPTS[@]}" source --download-only "$pkg" >&2) \
            || die "apt-get source --download-only $pkg failed"
        orig="$(compgen -G "$dl_dir/${pkg}_*.orig.tar.*" | head -n1 || true)"
    fi
    [[ -n "$orig" ]] || die "no orig tarball for $pkg in $dl_dir"
    printf '%s\n' "$orig"
}

# Extracts members matching the glob patterns $3... of tarball $1 into directory $2, flattening
# everything before the last path component that the caller keeps (see the callers).
extract() {
    local tarball="$1" dest="$2"
    shift 2
    rm -rf "$dest.tmp"
    mkdir -p "$dest.tmp"
    tar -xf "$tarball" -C "$dest.tmp" --wildcards "$@" || die "extracting $* from $tarball failed"
}

apt_setup_done=0
ensure_apt() { if [[ $apt_setup_done -eq 0 ]]; then apt_setup; apt_setup_done=1; fi; }

if ! have_glibc; then
    ensure_apt
    orig="$(download_source glibc)"
    say "extracting stdlib/tst-*context* from $(basename "$orig")"
    extract "$orig" "$out/glibc" '*/stdlib/tst-*context*'
    rm -rf "$out/glibc"
    mkdir -p "$out/glibc/stdlib"
    find "$out/glibc.tmp" -path '*/stdlib/tst-*context*' -type f -exec mv -t "$out/glibc/stdlib/" {} +
    rm -rf "$out/glibc.tmp"
    # The tarball is big (~18 MB) and no longer needed.
    rm -f "$dl_dir"/glibc_*
    have_glibc || die "glibc source has no stdlib/tst-*context* files"
fi

if ! have_libcoro; then
    ensure_apt
    orig="$(download_source libcoro-perl)"
    say "extracting libcoro/coro.[ch] from $(basename "$orig")"
    extract "$orig" "$out/libcoro" '*/libcoro/coro.c' '*/libcoro/coro.h'
    rm -rf "$out/libcoro"
    mkdir -p "$out/libcoro"
    find "$out/libcoro.tmp" \( -path '*/libcoro/coro.c' -o -path '*/libcoro/coro.h' \) -type f \
        -exec mv -t "$out/libcoro/" {} +
    rm -rf "$out/libcoro.tmp"
    rm -f "$dl_dir"/libcoro-perl_*
    have_libcoro || die "libcoro-perl source has no libcoro/coro.c and coro.h"
fi

# Only the extracted files are kept: the private apt state and downloads are needed again only
# if a client has to be fetched anew (which recreates them).
rm -rf "$apt_dir" "$dl_dir"
report
