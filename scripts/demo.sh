#!/usr/bin/env bash
# The main demo: Lua 5.4's error handling (setjmp/longjmp) on WASI, compared with native Lua.
#
#  1. runs scripts/setup.sh (Debian packages, release build of asyncify-cc and asyncify-run);
#  2. builds examples/lua/lua_run.c with Lua 5.4's C sources (from the lua-src crate) twice,
#     into build/lua/: natively with gcc, and for WASI with asyncify-cc (only if out of date);
#  3. runs every examples/lua/scripts/*.lua both ways (WASI under asyncify-run), prints the
#     WASI output and one verdict line per script ("same" or "DIFFERS"), and exits with 1 if any
#     script's stdout, stderr or exit status differs between the two.
#
# Usage: bash scripts/demo.sh        (LUA_SRC_DIR=<dir with lua.h> overrides the Lua sources)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/setup.sh

acc=$root/target/release/asyncify-cc
arun=$root/target/release/asyncify-run
ex=$root/examples/lua
out=$root/build/lua
mkdir -p "$out/runs"

# --- Lua sources: the lua-src package (cargo metadata also downloads it if needed) ---------
src=${LUA_SRC_DIR:-}
if [ -z "$src" ]; then
  manifest=$(cargo metadata --format-version 1 2>"$out/metadata.log" |
             grep -o '"manifest_path":"[^"]*/lua-src-[^"/]*/Cargo.toml"' | head -n1 |
             sed -e 's/^"manifest_path":"//' -e 's/"$//') || true
  if [ -z "$manifest" ]; then
    echo "demo: cannot find the lua-src package with cargo metadata:" >&2
    cat "$out/metadata.log" >&2
    exit 1
  fi
  src=$(ls -d "$(dirname "$manifest")"/lua-5.4* | tail -n1)
fi
sources=()
for f in "$src"/*.c; do
  case $(basename "$f") in lua.c|luac.c|onelua.c) ;; *) sources+=("$f") ;; esac
done

# --- builds (same sources, same driver, same -O2 -DLUA_USE_POSIX) --------------------------
defines=(-DLUA_USE_POSIX)
# lstate.h includes <signal.h> for sig_atomic_t; wasi-libc hides it without this define.
# No signal function is called, so -lwasi-emulated-signal is not needed.
wasi_extra=(-D_WASI_EMULATED_SIGNAL)
native_cmd=(gcc -O2 "${defines[@]}" -I"$src" "$ex/lua_run.c" "${sources[@]}" -o "$out/lua_run" -lm)
wasi_cmd=("$acc" -O2 "${defines[@]}" "${wasi_extra[@]}" -I"$src" "$ex/lua_run.c" "${sources[@]}"
          -o "$out/lua_run.wasm")

# The runtime library asyncify-cc links (it can change without asyncify-cc being relinked).
runtime_libs=("$root"/target/release/build/asyncify-rt-*/out/wasm-target/wasm32-wasip1/release/libasyncify_rt.a)
[ -n "${ASYNCIFY_RT_LIB:-}" ] && runtime_libs+=("$ASYNCIFY_RT_LIB")

# build TARGET LOG CMD...: runs CMD unless TARGET exists, is newer than every input and was
# made by the same command line; the compiler's output goes to LOG, shown only on failure.
build() {
  local target=$1 log=$2; shift 2
  local cmdfile=$target.cmd
  if [ -e "$target" ] && [ "$(cat "$cmdfile" 2>/dev/null)" = "$*" ] &&
     [ -z "$(find "$ex/lua_run.c" "${sources[@]}" "$1" "${runtime_libs[@]}" -newer "$target" 2>/dev/null)" ]; then
    echo "demo: $(basename "$target") is up to date"
    return 0
  fi
  echo "demo: building $(basename "$target")"
  rm -f "$target" "$cmdfile"
  if ! "$@" >"$log" 2>&1; then
    echo "demo: build failed: $*" >&2
    cat "$log" >&2
    return 1
  fi
  printf '%s' "$*" >"$cmdfile"
}
native_ok=0 wasi_ok=0
build "$out/lua_run" "$out/native-build.log" "${native_cmd[@]}" & native_pid=$!
build "$out/lua_run.wasm" "$out/wasi-build.log" "${wasi_cmd[@]}" & wasi_pid=$!
wait "$native_pid" || native_ok=1
wait "$wasi_pid" || wasi_ok=1
if [ $native_ok -ne 0 ] || [ $wasi_ok -ne 0 ]; then exit 1; fi

# --- runs -----------------------------------------------------------------------------------
# Both run from the scripts directory (the guest sees it preopened as "."), so chunk names
# and error positions are the same.
cd "$ex/scripts"
same=0 differ=0 verdicts=()
for script in *.lua; do
  name=${script%.lua}
  r=$out/runs/$name
  set +e
  timeout 300 "$out/lua_run" "$script" >"$r.native.stdout" 2>"$r.native.stderr" </dev/null
  echo $? >"$r.native.status"
  timeout 300 "$arun" --dir "$ex/scripts::." "$out/lua_run.wasm" "$script" \
    >"$r.wasi.stdout" 2>"$r.wasi.stderr" </dev/null
  echo $? >"$r.wasi.status"
  set -e

  echo "=== $script (WASI output, exit status $(cat "$r.wasi.status")) ==="
  cat "$r.wasi.stdout"
  if [ -s "$r.wasi.stderr" ]; then
    echo "--- stderr:"
    cat "$r.wasi.stderr"
  fi
  what=()
  cmp -s "$r.native.stdout" "$r.wasi.stdout" || what+=(stdout)
  cmp -s "$r.native.stderr" "$r.wasi.stderr" || what+=(stderr)
  cmp -s "$r.native.status" "$r.wasi.status" || what+=("exit status")
  if ((${#what[@]} == 0)); then
    verdict="same"
    same=$((same + 1))
  else
    verdict="DIFFERS (${what[*]}; native exit status $(cat "$r.native.status"))"
    differ=$((differ + 1))
    echo "--- diff native -> WASI (first lines):"
    diff -u "$r.native.stdout" "$r.wasi.stdout" | head -n 20 || true
    diff -u "$r.native.stderr" "$r.wasi.stderr" | head -n 20 || true
  fi
  echo ">>> $script: $verdict"
  verdicts+=("$(printf '%-26s %s' "$script" "$verdict")")
  echo
done

echo "=== summary: native Lua vs Lua on WASI (asyncify-rt) ==="
printf '%s\n' "${verdicts[@]}"
echo "$same same, $differ differ (outputs kept in build/lua/runs/)"
[ "$differ" -eq 0 ]
