#!/usr/bin/env bash
# Builds the SPA into dist/ with Trunk (release, size profile, wasm-opt from end2end's
# binaryen), precompresses it (brotli and gzip files beside the originals, served by the web
# origin by Accept-Encoding: scripts/precompress.mjs) and prints the size of the wasm
# module, raw and compressed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/end2end/node_modules/.bin:$PATH"
trunk build --release
node scripts/precompress.mjs dist
wasm="$(ls dist/*.wasm | head -n 1)"
printf 'SPA wasm: %s bytes raw, %s bytes gzipped, %s bytes brotli\n' "$(wc -c < "$wasm")" "$(wc -c < "$wasm.gz")" "$(wc -c < "$wasm.br")"
