#!/usr/bin/env bash
# Builds the atcr-verify container image without a Docker engine, from the standalone
# executable (npm run build:sea) and go-containerregistry's crane:
#
#   scripts/build-image.sh IMAGE_REF [SEA_BINARY]        # pushes IMAGE_REF
#   CRANE=/path/to/crane CRANE_FLAGS=--insecure scripts/build-image.sh 127.0.0.1:5000/atcr-verify:0.1.0
#
# The image is one layer on an empty base: the executable at /atcr-verify, the C libraries
# it links (libc, libstdc++, …, read from ldd: Node's binary is not static), /etc/passwd and
# /etc/group naming the non-root user 65532, and a sticky /tmp. No shell, no package manager.
# Deterministic: sorted entries, mtime 0, numeric owners, so the same inputs give the same digest.
set -euo pipefail
ref=${1:?usage: build-image.sh IMAGE_REF [SEA_BINARY]}
root=$(cd "$(dirname "$0")/.." && pwd)
sea=${2:-$root/build/sea/atcr-verify}
crane=${CRANE:-crane}
read -r -a cflags <<<"${CRANE_FLAGS:-}"
[ -x "$sea" ] || { echo "build-image: $sea is missing: run npm run build:sea" >&2; exit 2; }
command -v "$crane" >/dev/null 2>&1 || [ -x "$crane" ] || { echo "build-image: crane not found (set CRANE=...; bash scripts/tools/build.sh crane)" >&2; exit 2; }

version=$(node -p "require('$root/package.json').version")
revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fs=$work/rootfs
mkdir -p "$fs/etc" "$fs/tmp"
chmod 1777 "$fs/tmp"
install -m 0755 "$sea" "$fs/atcr-verify"
# Every shared object the executable loads, at the path the loader looks for it.
ldd "$sea" | awk '/=>/ {print $3} /^[[:space:]]*\// {print $1}' | sort -u | while read -r lib; do
  [ -f "$lib" ] || continue
  mkdir -p "$fs$(dirname "$lib")"
  cp -L "$lib" "$fs$lib"
done
printf 'root:x:0:0:root:/:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n' >"$fs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$fs/etc/group"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$fs" -cf "$work/layer.tar" .

"$crane" append "${cflags[@]}" --platform linux/amd64 -f "$work/layer.tar" -t "$ref" >/dev/null
"$crane" mutate "${cflags[@]}" "$ref" -t "$ref" \
  --set-platform linux/amd64 --entrypoint /atcr-verify --user 65532:65532 --workdir /tmp --env HOME=/tmp \
  -l "org.opencontainers.image.title=atcr-verify" \
  -l "org.opencontainers.image.description=Verifier for ATProto-signed container images" \
  -l "org.opencontainers.image.version=$version" \
  -l "org.opencontainers.image.revision=$revision" \
  -l "org.opencontainers.image.licenses=MIT" \
  -l "org.opencontainers.image.source=https://atcr.io/atcr-verify/atcr-verify" >/dev/null
"$crane" digest "${cflags[@]}" "$ref"
