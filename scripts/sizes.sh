#!/bin/sh
# scripts/sizes.sh [OUTDIR]: the size table of issue 12 (instrumentation diet). Builds every
# program of the C suites (tests/c/setjmp/*.c, tests/c/ucontext/*.c, tests/c/gc/*.c, and each
# tests/c/sjlj_modes/<program>/unit*.c as one program) with `asyncify-cc -O2 -std=gnu11 -w` in
# each setjmp strategy (--asyncify-sjlj=lowered|capture), once with full Asyncify
# (--asyncify-unwind=asyncify, the build before the diet) and once as asyncify-cc chooses
# (--asyncify-unwind=auto), and prints a Markdown table of the .wasm sizes in bytes without their
# DWARF (`.debug_*` custom sections, which wasm-opt 108 keeps even without -g and which
# wasi-libc brings) on stdout: one row per program, then the totals. A program that does not
# build shows `fail` (and counts 0). Needs python3 (to skip the DWARF sections).
#
# Needs target/release/asyncify-cc (cargo build --release). Builds go to OUTDIR (default: a new
# temporary directory, removed afterwards). Exit status: 0, or 1 when a build failed.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
cc="$repo/target/release/asyncify-cc"
[ -x "$cc" ] || { echo "sizes.sh: $cc not found (cargo build --release)" >&2; exit 1; }
if [ $# -ge 1 ]; then out=$1; mkdir -p "$out"; keep=1; else out=$(mktemp -d); keep=0; fi

# size <program name> <strategy> <unwind> <sources...>: builds and prints the size (or fail).
size() {
    name=$1 sjlj=$2 unwind=$3; shift 3
    wasm="$out/$(echo "$name" | tr / _).$sjlj.$unwind.wasm"
    if "$cc" -O2 -std=gnu11 -w "--asyncify-sjlj=$sjlj" "--asyncify-unwind=$unwind" "$@" -o "$wasm" 2>"$wasm.err"; then
        python3 -c "$NO_DWARF" "$wasm"
    else
        echo fail
    fi
}

# Prints the size of the module argv[1] without its .debug_* custom sections (with headers).
NO_DWARF='
import sys
b = open(sys.argv[1], "rb").read()
def leb(i):
    v = s = 0
    while True:
        c = b[i]; i += 1; v |= (c & 0x7f) << s; s += 7
        if c < 0x80: return v, i
i, d = 8, 0
while i < len(b):
    st = i; sid = b[i]; n, body = leb(i + 1)
    if sid == 0:
        l, j = leb(body)
        if b[j:j + l].startswith(b".debug"): d += body + n - st
    i = body + n
print(len(b) - d)'

status=0
echo "| program | lowered, full Asyncify | lowered, auto | ratio | capture, full Asyncify | capture, auto | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
t1=0 t2=0 t3=0 t4=0
row() {
    name=$1; shift
    # The four builds of a row run two at a time.
    tag="$out/$(echo "$name" | tr / _)"
    size "$name" lowered asyncify "$@" >"$tag.a" & size "$name" lowered auto "$@" >"$tag.b"; wait
    size "$name" capture asyncify "$@" >"$tag.c" & size "$name" capture auto "$@" >"$tag.d"; wait
    a=$(cat "$tag.a"); b=$(cat "$tag.b"); c=$(cat "$tag.c"); d=$(cat "$tag.d")
    for v in "$a" "$b" "$c" "$d"; do [ "$v" = fail ] && status=1; done
    num() { [ "$1" = fail ] && echo 0 || echo "$1"; }
    t1=$((t1 + $(num "$a"))); t2=$((t2 + $(num "$b"))); t3=$((t3 + $(num "$c"))); t4=$((t4 + $(num "$d")))
    r1=$(awk -v x="$b" -v y="$a" 'BEGIN { if (x+0 > 0 && y+0 > 0) printf "%.2fx", x / y; else print "–" }')
    r2=$(awk -v x="$d" -v y="$c" 'BEGIN { if (x+0 > 0 && y+0 > 0) printf "%.2fx", x / y; else print "–" }')
    echo "| $name | $a | $b | $r1 | $c | $d | $r2 |"
}
for f in "$repo"/tests/c/setjmp/*.c "$repo"/tests/c/ucontext/*.c "$repo"/tests/c/gc/*.c; do
    suite=$(basename "$(dirname "$f")")
    row "$suite/$(basename "$f" .c)" "$f"
done
for d in "$repo"/tests/c/sjlj_modes/*/; do
    row "sjlj_modes/$(basename "$d")" "$d"unit*.c
done
r1=$(awk -v x="$t2" -v y="$t1" 'BEGIN { printf "%.2fx", x / y }')
r2=$(awk -v x="$t4" -v y="$t3" 'BEGIN { printf "%.2fx", x / y }')
echo "| **total** | $t1 | $t2 | $r1 | $t3 | $t4 | $r2 |"
[ "$keep" = 1 ] || rm -rf "$out"
exit $status
