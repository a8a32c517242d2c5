#!/usr/bin/env bash
# The quick start: builds the SPA and the server (release) and runs the shop on SQLite with
# the demo catalog: API on http://127.0.0.1:8000, shop on http://127.0.0.1:7000.
# Data lives in ./data (database, development JWT secret) and ./media (product images).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build-spa.sh
cargo build --release -p dadashop-server
target="${CARGO_TARGET_DIR:-$root/target}"
echo "dadashop: open http://127.0.0.1:7000 (API on http://127.0.0.1:8000); Ctrl-C stops it"
exec "$target/release/dadashop" serve
