#!/usr/bin/env bash
# Regenerates the TypeScript protobuf/gRPC code in src/api/ from proto/.
# Usage: scripts/gen.sh [OUTPUT_DIR]   (default: src/api; the unit test passes a temp dir)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo/src/api}"

if ! command -v protoc >/dev/null 2>&1; then
  echo "gen.sh: protoc not found; install Debian's protobuf-compiler (apt-get install -y protobuf-compiler)" >&2
  exit 1
fi
plugin="$repo/node_modules/.bin/protoc-gen-ts_proto"
if [ ! -x "$plugin" ]; then
  echo "gen.sh: $plugin missing; run npm install first" >&2
  exit 1
fi

# Guard the rm below against an empty or root path.
case "$out" in
  ""|"/") echo "gen.sh: refusing to use output dir '$out'" >&2; exit 1 ;;
esac
rm -rf "$out"
mkdir -p "$out"

# annotateFilesWithVersion=false keeps protoc/ts-proto versions out of the
# headers so the committed output only changes when the code does.
common=(
  outputServices=generic-definitions
  importSuffix=.js
  esModuleInterop=true
  useDate=false
  outputJsonMethods=false
  outputPartialMethods=true
  useExactTypes=false
  oneof=unions
  annotateFilesWithVersion=false
)

# run_protoc FORCE_LONG FILE...
run_protoc() {
  local long="$1"; shift
  local opts
  opts="$(IFS=,; echo "${common[*]},forceLong=$long")"
  protoc \
    --plugin=protoc-gen-ts_proto="$plugin" \
    --ts_proto_out="$out" \
    --ts_proto_opt="$opts" \
    -I . \
    "$@"
}

# Relative names, sorted bytewise, so the output never depends on the
# checkout location or the file system's listing order.
cd "$repo/proto"
mapfile -t api_files < <(find . -name '*.proto' -not -path './github.com/containerd/cgroups/*' -printf '%P\n' | LC_ALL=C sort)
mapfile -t cgroups_files < <(find . -name '*.proto' -path './github.com/containerd/cgroups/*' -printf '%P\n' | LC_ALL=C sort)

# containerd's own int64 fields (sizes, offsets, seconds) stay far below
# 2^53, so plain numbers are safe and convenient there.
run_protoc number "${api_files[@]}"
# cgroups counters are uint64 and really reach 2^64-1 (an unlimited memory or
# swap limit), which forceLong=number would refuse to decode: use bigint.
run_protoc bigint "${cgroups_files[@]}"
