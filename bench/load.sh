#!/usr/bin/env bash
# Load-test harness: starts the release `dadashop serve --no-web` on a loopback port with a
# throw-away database (SQLite by default; DATABASE_URL=mysql://... (an empty database) and
# REDIS_URL to measure the production backends), seeds the demo catalog, registers one
# shopper, and drives the endpoints with wrk (Debian's package, installed when missing).
# Every endpoint first runs WARMUP seconds unmeasured (default 3: fills the caches and the
# connection pools), then DURATION seconds (default 10) with CONNECTIONS connections (default
# 64). /healthz, which touches no storage, is the ceiling the goods reads are compared with.
# ONLY=<regex> runs only the endpoints whose name matches (ONLY='healthz|search').
# Client and server share this machine, so the figures compare builds, not hardware.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-64}"
warmup="${WARMUP:-3}"
port="${BENCH_PORT:-18000}"
base="http://127.0.0.1:$port"

. bench/common.sh
ensure_wrk
build_server

work="$(mktemp -d -t dadashop-bench.XXXXXX)"
export DADASHOP_ENV=test JWT_SECRET="bench-secret-bench-secret-bench-secret-0123"
export DATABASE_URL="${DATABASE_URL:-sqlite://$work/shop.db}"
export DATA_DIR="$work/data" MEDIA_DIR="$work/media" API_ADDR="127.0.0.1:$port"
export KV_PREFIX="bench:$$:" RUST_LOG=warn
# The benchmark shopper registers without an SMS code; the mail goes to a file outbox.
export REGISTER_REQUIRE_SMS=false MAIL_TRANSPORT=file
"$bin" serve --no-web --seed-demo &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done

curl -fs -X POST "$base/v1/users" -H 'Content-Type: application/json' \
  -d '{"uname":"bench","password":"bench-password","phone":"13800000000","email":"bench@example.com"}' >/dev/null
token="$(curl -fs -X POST "$base/v1/tokens" -d '{"username":"bench","password":"bench-password"}' \
  | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"

# run NAME CONNECTIONS WRK-ARGS... (skipped unless NAME matches the regex ONLY, when set)
run() {
  local name="$1" conns="$2"; shift 2
  if [ -n "${ONLY:-}" ] && ! grep -qE -- "$ONLY" <<<"$name"; then return 0; fi
  local out
  if [ "$warmup" -gt 0 ]; then wrk -t2 -c"$conns" -d"${warmup}s" "$@" >/dev/null; fi
  out="$(wrk -t2 -c"$conns" -d"${duration}s" --latency "$@")"
  local rps p50 p99 errors
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  errors="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
  printf '%-34s %3s conns %10s req/s   p50 %-9s p99 %-9s non-2xx %s\n' "$name" "$conns" "$rps" "$p50" "$p99" "${errors:-0}"
}

echo "dadashop load test: ${warmup}s warm-up + ${duration}s per endpoint, $connections connections, database ${DATABASE_URL%%:*}${REDIS_URL:+ + redis}"
run "GET /healthz" "$connections" "$base/healthz"
run "GET /v1/goods/index" "$connections" "$base/v1/goods/index"
run "GET /v1/goods/catalogs/1?page=2" "$connections" "$base/v1/goods/catalogs/1?page=2"
run "GET /v1/goods/catalogs/1 (price)" "$connections" "$base/v1/goods/catalogs/1?sort=price&min_price=200&max_price=500"
run "GET /v1/goods/detail/5" "$connections" "$base/v1/goods/detail/5"
run "POST /v1/goods/search (拉杆箱)" "$connections" -s bench/search.lua "$base/v1/goods/search"
SEARCH_MIX=plain run "POST /v1/goods/search (uncached plain)" "$connections" -s bench/search-mix.lua "$base/v1/goods/search"
run "POST /v1/goods/search (uncached mix)" "$connections" -s bench/search-mix.lua "$base/v1/goods/search"
run "GET /v1/users/bench (JWT)" "$connections" -H "Authorization: $token" "$base/v1/users/bench"
run "GET /v1/users/bench/address (JWT)" "$connections" -H "Authorization: $token" "$base/v1/users/bench/address"
# One account: the login throttle counts attempts in flight (so that parallel guesses cannot
# slip past it), so more than 5 simultaneous logins of one account would get 429.
run "POST /v1/tokens (Argon2id)" 4 -s bench/login.lua "$base/v1/tokens"
