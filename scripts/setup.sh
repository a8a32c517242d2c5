#!/usr/bin/env bash
# Installs what building and testing the shop needs, skipping whatever is already there:
# the wasm target, Trunk 0.21.14, the wasm-bindgen CLI matching Cargo.lock, wasm-split-cli
# 0.2.4 (cuts the SPA into lazily loaded modules, scripts/build-spa.sh), the npm packages
# of end2end/ (Playwright, and binaryen for wasm-opt) and of regions/ (the 省/市/区 data), the crates (cargo fetch), and with
# `--browser` Debian's Chromium for Playwright and a Chinese font. Needs: rustup + cargo, node + npm; for
# `--browser` on a machine without Chromium, apt-get (as root or through sudo).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

trunk_version=0.21.14
wasm_bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)"

toolchain="$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)"
if ! rustup target list --installed --toolchain "$toolchain" 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target to $toolchain"
  rustup target add wasm32-unknown-unknown --toolchain "$toolchain"
fi

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$trunk_version" ]; then
  say "installing Trunk $trunk_version (takes several minutes the first time)"
  cargo install trunk --version "$trunk_version" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wasm_bindgen_version" ]; then
  say "installing wasm-bindgen-cli $wasm_bindgen_version"
  # Not --locked: one of its pinned dependencies is no longer on the registry (docs/toolchain.md).
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
fi

# The crate `wasm_split_cli_support` (the splitter of Leptos's lazy routes, the one
# cargo-leptos uses) with its binary; its version must understand the split points of the
# `wasm_split_helpers` in Cargo.lock.
wasm_split_version=0.2.4
# (The binary has no --version; cargo's list of installed crates tells.)
if ! command -v wasm-split-cli >/dev/null ||
  ! cargo install --list | grep -qx "wasm_split_cli_support v$wasm_split_version:"; then
  say "installing wasm-split-cli $wasm_split_version"
  cargo install wasm_split_cli_support --version "$wasm_split_version" --features build-binary --locked
fi

stamp=end2end/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ end2end/package-lock.json -nt "$stamp" ]; then
  say "installing the npm packages of end2end/"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# The administrative divisions (省/市/区) of the address picker: data the server loads into
# its database (server/src/regions.rs, REGIONS_DIR).
stamp=regions/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ regions/package-lock.json -nt "$stamp" ]; then
  say "installing the region data of regions/ (GB/T 2260)"
  (cd regions && npm ci --no-audit --no-fund)
fi

cargo fetch --quiet

# A Chinese font, so that pages render (and are measured, at 390 px too) as shoppers see
# them rather than as boxes.
if [ "$want_browser" = 1 ] && ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  say "installing a Chinese font (fonts-wqy-microhei) from Debian's packages"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq fonts-wqy-microhei
fi

if [ "$want_browser" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Chromium from Debian's packages"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium
fi
say "tools ready"
