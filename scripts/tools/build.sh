#!/usr/bin/env bash
# Builds the pinned third-party Go tools (tools/versions.tsv) into a cache outside the
# repository, keyed by module@version, so a warm run builds nothing:
#   $ATCR_TOOLS_CACHE (default /var/cache/atcr-verify/tools)/<module, / as _>@<version>/bin/<name>
#
#   bash scripts/tools/build.sh [name...]     build the named tools (default: all) that are missing
#   bash scripts/tools/build.sh --local DIR   build our own Go module DIR (package main at its root)
#                                             into <cache>/local/<name>@<sha256 of its sources>/bin/<name>
#                                             and print that path
#   bash scripts/tools/build.sh --list        print name, module@version and binary path of each tool
#
# Go's module, build and GOPATH caches live under the cache too, so a warm CI machine
# downloads and compiles nothing. Builds are niced (the machine is shared), static
# (CGO_ENABLED=0) and -trimpath; each binary is written to a temp dir and renamed into
# place, under a per-tool lock, so concurrent runs and interrupted builds never leave a
# half-written binary. test/support/tools.ts computes the same paths.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TABLE="$ROOT/tools/versions.tsv"
CACHE="${ATCR_TOOLS_CACHE:-/var/cache/atcr-verify/tools}"

export GOPATH="$CACHE/go/path"
export GOMODCACHE="$CACHE/go/mod"
export GOCACHE="$CACHE/go/build"
export GOFLAGS="-trimpath -modcacherw -buildvcs=false"
export GOTOOLCHAIN=local
export CGO_ENABLED=0
unset GOBIN GOOS GOARCH

die() { echo "build.sh: $*" >&2; exit 1; }
log() { echo "build.sh: $*" >&2; }

command -v go >/dev/null 2>&1 || die "go is not on PATH (need the Go toolchain to build the tools)"
mkdir -p "$CACHE" "$GOPATH" "$GOMODCACHE" "$GOCACHE" "$CACHE/.locks"

# Reads the table into parallel arrays, skipping comments and the header row.
declare -a T_NAME T_MOD T_VER T_PKG T_TAGS T_TMOD
while IFS=$'\t' read -r name mod ver pkg tags tmod _vargs; do
  [[ -z "$name" || "$name" == \#* || "$name" == name ]] && continue
  T_NAME+=("$name"); T_MOD+=("$mod"); T_VER+=("$ver"); T_PKG+=("$pkg"); T_TAGS+=("$tags"); T_TMOD+=("$tmod")
done <"$TABLE"

tool_index() {
  local i
  for i in "${!T_NAME[@]}"; do [[ "${T_NAME[$i]}" == "$1" ]] && { echo "$i"; return 0; }; done
  return 1
}

tool_dir() { echo "$CACHE/${T_MOD[$1]//\//_}@${T_VER[$1]}"; }

# build_tool INDEX: builds one table row unless its binary exists.
build_tool() {
  local i="$1" name="${T_NAME[$1]}" mod="${T_MOD[$1]}" ver="${T_VER[$1]}" pkg="${T_PKG[$1]}"
  local tags="${T_TAGS[$1]}" tmod="${T_TMOD[$1]}"
  local dir bin tmp start secs
  dir="$(tool_dir "$i")"; bin="$dir/bin/$name"
  [[ -x "$bin" ]] && { log "$name $mod@$ver: cached"; return 0; }
  mkdir -p "$dir/bin"
  exec {lock}>"$CACHE/.locks/$name"
  flock "$lock"
  if [[ -x "$bin" ]]; then log "$name $mod@$ver: built by a concurrent run"; exec {lock}>&-; return 0; fi
  tmp="$(mktemp -d "$dir/.tmp-$name.XXXXXX")"
  local -a args=()
  [[ "$tags" != - ]] && args+=(-tags "$tags")
  start=$SECONDS
  local via=""; [[ "$tmod" != - ]] && via=" via $tmod"
  log "$name $mod@$ver: building$via"
  if [[ "$tmod" == - ]]; then
    ( cd "$tmp" && GOBIN="$tmp" nice -n 10 go install "${args[@]}" "$pkg@$ver" ) >"$tmp/build.log" 2>&1 \
      || { tail -n 30 "$tmp/build.log" >&2; rm -rf "$tmp"; die "building tool $name ($mod@$ver) failed"; }
    mv "$tmp/$(basename "$pkg")" "$tmp/$name.bin" 2>/dev/null || true
  else
    # The tools module pins the same version: refuse a table/go.mod mismatch rather than build the wrong one.
    ( cd "$ROOT/$tmod" && go list -m -f '{{.Version}}' "$mod" ) 2>/dev/null | grep -qx "$ver" \
      || { rm -rf "$tmp"; die "tool $name: $tmod/go.mod does not require $mod $ver (tools/versions.tsv says $ver)"; }
    ( cd "$ROOT/$tmod" && nice -n 10 go build "${args[@]}" -o "$tmp/$name.bin" "$pkg" ) >"$tmp/build.log" 2>&1 \
      || { tail -n 30 "$tmp/build.log" >&2; rm -rf "$tmp"; die "building tool $name ($mod@$ver via $tmod) failed"; }
  fi
  [[ -x "$tmp/$name.bin" ]] || { rm -rf "$tmp"; die "building tool $name ($mod@$ver) produced no binary"; }
  mv -f "$tmp/$name.bin" "$bin"
  rm -rf "$tmp"
  exec {lock}>&-
  secs=$((SECONDS - start))
  log "$name $mod@$ver: built in ${secs}s -> $bin"
  echo "$name $secs" >>"$CACHE/build-times.log"
}

# The key of a repo-local Go module: sha256 of the sha256sum listing of its go.mod,
# go.sum and *.go files, sorted bytewise by relative path (localToolKey in tools.ts).
local_key() {
  ( cd "$1" && find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) -printf '%P\n' \
      | LC_ALL=C sort | while IFS= read -r f; do sha256sum -- "$f"; done ) | sha256sum | cut -d' ' -f1
}

build_local() {
  local src="$1" abs name key dir bin tmp start
  abs="$(cd "$ROOT" && cd "$src" 2>/dev/null && pwd)" || die "--local $src: no such directory"
  [[ -f "$abs/go.mod" ]] || die "--local $src: not a Go module (no go.mod)"
  name="$(basename "$abs")"
  key="$(local_key "$abs")"
  dir="$CACHE/local/$name@$key"; bin="$dir/bin/$name"
  if [[ ! -x "$bin" ]]; then
    mkdir -p "$dir/bin"
    exec {lock}>"$CACHE/.locks/local-$name"
    flock "$lock"
    if [[ ! -x "$bin" ]]; then
      tmp="$(mktemp -d "$dir/.tmp-$name.XXXXXX")"
      start=$SECONDS
      ( cd "$abs" && nice -n 10 go build -o "$tmp/$name" . ) >"$tmp/build.log" 2>&1 \
        || { tail -n 30 "$tmp/build.log" >&2; rm -rf "$tmp"; die "building local tool $name ($src) failed"; }
      mv -f "$tmp/$name" "$bin"
      rm -rf "$tmp"
      log "local $name: built in $((SECONDS - start))s"
    fi
    exec {lock}>&-
  else
    log "local $name: cached"
  fi
  echo "$bin"
}

case "${1:-}" in
  --local)
    shift
    [[ $# -gt 0 ]] || die "--local needs a directory, e.g. --local tools/<name>"
    for d in "$@"; do build_local "$d"; done
    exit 0
    ;;
  --list)
    for i in "${!T_NAME[@]}"; do
      printf '%s\t%s@%s\t%s\n' "${T_NAME[$i]}" "${T_MOD[$i]}" "${T_VER[$i]}" "$(tool_dir "$i")/bin/${T_NAME[$i]}"
    done
    exit 0
    ;;
  -h|--help)
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac

declare -a todo=()
if [[ $# -eq 0 ]]; then
  todo=("${!T_NAME[@]}")
else
  for n in "$@"; do
    i="$(tool_index "$n")" || die "unknown tool \"$n\"; known: ${T_NAME[*]}"
    todo+=("$i")
  done
fi

total_start=$SECONDS
for i in "${todo[@]}"; do build_tool "$i"; done
log "done in $((SECONDS - total_start))s (cache $CACHE)"
