#!/usr/bin/env bash
# Builds the SPA into dist/ with Trunk (release, size profile, wasm-opt from end2end's
# binaryen) and prints the size of the wasm module, raw and gzipped.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/end2end/node_modules/.bin:$PATH"
trunk build --release
wasm="$(ls dist/*.wasm | head -n 1)"
printf 'SPA wasm: %s bytes raw, %s bytes gzipped\n' "$(wc -c < "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)"
