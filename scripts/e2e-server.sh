#!/usr/bin/env bash
# Starts the real shop for the Playwright suite: `dadashop serve` with a fresh SQLite database
# and media directory in a temporary folder (demo catalog seeded), the API on 127.0.0.1:8000
# and the SPA from dist/ on 127.0.0.1:7000. Expects `cargo build -p dadashop-server` and
# `trunk build --release` to have run (scripts/test does both).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="${DADASHOP_BIN:-$target/debug/dadashop}"
if [ ! -x "$bin" ]; then
  echo "e2e-server: $bin not found; run cargo build -p dadashop-server first" >&2
  exit 1
fi
work="$(mktemp -d -t dadashop-e2e.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export DADASHOP_ENV=development
export DATABASE_URL="sqlite://$work/data/dadashop.db"
export DATA_DIR="$work/data" MEDIA_DIR="$work/media" DIST_DIR="$root/dist"
export API_ADDR=127.0.0.1:8000 WEB_ADDR=127.0.0.1:7000
export PUBLIC_API_URL=http://127.0.0.1:8000 PUBLIC_WEB_URL=http://127.0.0.1:7000
export CORS_ALLOWED_ORIGINS=http://127.0.0.1:7000,http://localhost:7000
unset REDIS_URL JWT_SECRET
# Every shopper of the suite registers and logs in from 127.0.0.1: lift the per-address
# limits (their own behaviour is covered by the API tests).
export REGISTER_MAX_PER_IP=100000 LOGIN_MAX_FAILURES_PER_IP=100000
export RUST_LOG="${RUST_LOG:-warn,dadashop_server=info}"
# Not exec: the trap must remove the temporary folder when the server stops.
"$bin" serve &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
wait "$pid"
