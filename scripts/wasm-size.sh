#!/usr/bin/env bash
# Print the release bundle's sizes, raw and gzipped, and fail above the budget.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${BUNDLE_GZ_BUDGET:-1048576}   # wasm + js + css under 1 MiB gzipped (playground issue)
total_gz=0
for f in dist/*.wasm dist/*.js dist/*.css; do
  [ -f "$f" ] || continue
  raw=$(stat -c %s "$f"); gz=$(gzip -9c "$f" | wc -c)
  printf '%-50s %10d B raw %10d B gzipped\n' "$f" "$raw" "$gz"
  total_gz=$((total_gz + gz))
done
wasm=$(ls dist/*.wasm | head -1)
wasm_gz=$(gzip -9c "$wasm" | wc -c)
echo "release .wasm: $(stat -c %s "$wasm") B raw, $wasm_gz B gzipped; bundle total $total_gz B gzipped"
if [ "$total_gz" -gt "$budget" ]; then echo "bundle over budget ($budget B gzipped)" >&2; exit 1; fi
