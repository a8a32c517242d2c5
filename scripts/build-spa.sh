#!/usr/bin/env bash
# Builds the SPA into dist/, split into lazily loaded modules, and precompresses it.
#
# 1. Trunk builds the page, the style sheet, robots.txt and frontend/boot.js (hashed names),
#    from a copy of index.html without its `rel="rust"` link: Trunk 0.21 cannot split a
#    wasm module (docs/toolchain.md), so the wasm is built here.
# 2. cargo builds `frontend` with the `split` feature (size profile `wasm-release`, linked
#    with `--emit-relocs`): every page but home and the 404 page is a lazy route
#    (app/src/lib.rs, module `lazy`).
# 3. wasm-split cuts the module at those split points: the main module, one module per page
#    and chunks of code that several pages share, plus the loader `__wasm_split.js`.
# 4. wasm-bindgen writes the glue of the main module (`--keep-lld-exports`: the split
#    modules link against the main module's exports).
# 5. wasm-opt -Os (binaryen from end2end/node_modules) optimizes every module.
# 6. scripts/finish-spa.mjs names the files after their content and fills the page's
#    `<meta name="dadashop-boot">`; scripts/precompress.mjs writes the .br and .gz files
#    (served by Accept-Encoding).
# Prints the size of the first load's modules, raw and compressed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/end2end/node_modules/.bin:$PATH"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$(mktemp -d -t dadashop-spa.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# 1. The page without the Rust link (Trunk's pattern_script does not apply): an empty boot
#    tag that step 6 fills. It sits in a folder of its own, with links to the folders its
#    assets come from: beside a Cargo.toml, Trunk would look for a crate to build.
mkdir "$work/page"
for dir in style public frontend; do ln -s "$root/$dir" "$work/page/$dir"; done
page="$work/page/index.html"
sed '/<!-- wasm:start -->/,/<!-- wasm:end -->/c\    <meta name="dadashop-boot">' index.html >"$page"
grep -q 'name="dadashop-boot"' "$page" && ! grep -q 'rel="rust"' "$page" ||
  { echo "build-spa: index.html has no <!-- wasm:start --> ... <!-- wasm:end --> around its rust link" >&2; exit 1; }
trunk build --release true "$page"

# 2.
echo "build-spa: cargo build (frontend, feature split)"
# `--config` arrays are joined to .cargo/config.toml's: `--cfg erase_components` stays.
cargo build --offline --profile wasm-release --target wasm32-unknown-unknown -p frontend --features split \
  --config 'target.wasm32-unknown-unknown.rustflags=["-Clink-arg=--emit-relocs"]'
input="$target/wasm32-unknown-unknown/wasm-release/frontend.wasm"

# 3.
wasm-split-cli --target web --out-name frontend "$input" "$work/split"

# 4.
wasm-bindgen --target web --keep-lld-exports --no-demangle --out-name frontend \
  --out-dir "$work/bindgen" "$work/split/frontend.wasm"

# 5. (About 20 s, nearly all of it the main module.) The lazily loaded modules carry no
#    target_features section, so the features that Rust's wasm32 target enables by default
#    are named.
features=(--enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-reference-types --enable-multivalue)
export features_list="${features[*]}"
modules=("$work/bindgen/frontend_bg.wasm" "$work"/split/split_*.wasm "$work"/split/chunk_*.wasm)
# (Its warnings about the name section's unknown subsections are left out; errors print.)
printf '%s\0' "${modules[@]}" | xargs -0 -P "$(nproc)" -n 1 sh -c '
  for f in "$@"; do
    wasm-opt -Os $features_list "$f" -o "$f" 2>"$f.log" || { cat "$f.log" >&2; exit 255; }
  done' sh

# 6.
node scripts/finish-spa.mjs "$work/split" "$work/bindgen" dist
node scripts/precompress.mjs dist
size() { wc -c <"$1"; }
glue="$(ls dist/frontend-*.js | grep -v '\.\(gz\|br\)$')"
wasm="$(ls dist/frontend-*_bg.wasm)"
loader="$(ls dist/wasm-split-*.js | grep -v '\.\(gz\|br\)$')"
printf 'SPA first load: main module %s bytes raw, %s brotli; glue %s brotli; loader %s brotli\n' \
  "$(size "$wasm")" "$(size "$wasm.br")" "$(size "$glue.br")" "$(size "$loader.br")"
