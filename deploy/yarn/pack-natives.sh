#!/usr/bin/env bash
# Packs this build's native libraries (libtorch and its JNI layer, the tokenizer's library) as DJL's cache
# folder, for YARN to distribute once:
#   deploy/yarn/pack-natives.sh natives.tgz          # .tgz/.tar.gz compressed, .tar not
#   hdfs dfs -put natives.tgz /apps/stagewise/
#   STAGEWISE_YARN_NATIVES=hdfs:///apps/stagewise/natives.tgz deploy/submit-yarn.sh ...
# The archive holds what this build's jar loads (cpu or cuda profile): pack again after building the other.
# It runs the engine once on this machine, so for a cuda build run it where the CUDA libraries load.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ $# -eq 1 ] || { echo "usage: pack-natives.sh OUT.tgz|OUT.tar" >&2; exit 2; }
case "$1" in
  *.tgz|*.tar.gz|*.tar) ;;
  *) echo "pack-natives.sh: $1: the archive must end in .tgz, .tar.gz or .tar (YARN unpacks those)" >&2; exit 2 ;;
esac
out="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
cache="$(mktemp -d)"
trap 'rm -rf "$cache"' EXIT
# DJL extracts a library the first time it loads it, into DJL_CACHE_DIR (ENGINE_CACHE_DIR would divert it).
env -u ENGINE_CACHE_DIR DJL_CACHE_DIR="$cache" "$root/bin/stagewise" natives >/dev/null
tar -C "$cache" -caf "$out" .
echo "$out"
