#!/usr/bin/env bash
# Rendered pages: starts the release `dadashop serve` (API and web origin) on loopback ports
# with a throw-away database (SQLite by default; DATABASE_URL=mysql://... (an empty database)
# and REDIS_URL for the production backends) and the built SPA of DIST_DIR (default dist/:
# `bash scripts/build-spa.sh` first), seeds the demo catalog, and drives with wrk, in one run:
# /healthz (the ceiling), the JSON goods index (the goal's yardstick: rendered pages should
# reach at least half of it), and the server-rendered home, catalog, product and search
# pages (server/src/ssr.rs). Every endpoint first runs WARMUP seconds unmeasured (default 3:
# fills the caches), then DURATION seconds (default 10) with CONNECTIONS connections (default
# 64); last, the 404 page of an unknown path, which is rendered on every request. Client and
# server share this machine, so the figures compare builds and pages, not hardware.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-64}"
warmup="${WARMUP:-3}"
port="${BENCH_PORT:-18000}"
web_port="${BENCH_WEB_PORT:-18001}"
api="http://127.0.0.1:$port"
web="http://127.0.0.1:$web_port"
dist="${DIST_DIR:-$root/dist}"
[ -f "$dist/index.html" ] || { echo "no SPA in $dist: bash scripts/build-spa.sh" >&2; exit 2; }

. bench/common.sh
ensure_wrk
build_server

work="$(mktemp -d -t dadashop-bench.XXXXXX)"
export DADASHOP_ENV=test JWT_SECRET="bench-secret-bench-secret-bench-secret-0123"
export DATABASE_URL="${DATABASE_URL:-sqlite://$work/shop.db}"
export DATA_DIR="$work/data" MEDIA_DIR="$work/media" API_ADDR="127.0.0.1:$port"
export WEB_ADDR="127.0.0.1:$web_port" DIST_DIR="$dist" PUBLIC_WEB_URL="$web" PUBLIC_API_URL="$api"
export KV_PREFIX="bench:$$:" RUST_LOG=warn
"$bin" serve --seed-demo &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs "$web/" >/dev/null 2>&1 && break; sleep 0.2; done

# run NAME URL [WRK-ARGS...] (skipped unless NAME matches the regex ONLY, when set)
run() {
  local name="$1"; shift
  if [ -n "${ONLY:-}" ] && ! grep -qE -- "$ONLY" <<<"$name"; then return 0; fi
  local out
  if [ "$warmup" -gt 0 ]; then wrk -t2 -c"$connections" -d"${warmup}s" "$@" >/dev/null; fi
  out="$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$@")"
  local rps p50 p99 errors
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  errors="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
  printf '%-34s %3s conns %10s req/s   p50 %-9s p99 %-9s non-2xx %s\n' "$name" "$connections" "$rps" "$p50" "$p99" "${errors:-0}"
}

size() { curl -s "$1" | wc -c; }
echo "dadashop rendered pages: ${warmup}s warm-up + ${duration}s per endpoint, $connections connections, database ${DATABASE_URL%%:*}${REDIS_URL:+ + redis}"
echo "page sizes (bytes, uncompressed): home $(size "$web/"), catalog $(size "$web/catalog/1"), product $(size "$web/product/5"), search $(size "$web/search?q=%E9%92%B1%E5%8C%85")"
run "GET /healthz" "$api/healthz"
run "GET /v1/goods/index (JSON)" "$api/v1/goods/index"
run "GET / (rendered home)" "$web/"
run "GET /catalog/1?page=2 (rendered)" "$web/catalog/1?page=2"
run "GET /product/5 (rendered)" "$web/product/5"
run "GET /search?q=钱包 (rendered)" "$web/search?q=%E9%92%B1%E5%8C%85"
# The 404 page of an unknown path is rendered on every request (unbounded paths are not
# cached): the rate of rendering itself, goods reads from the in-process caches included.
run "GET /no-such-page (404, each rendered)" "$web/no-such-page"
