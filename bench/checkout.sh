#!/usr/bin/env bash
# Checkout load test: orders per second with CONNECTIONS (default 64) concurrent buyers
# placing buy-now orders of one unit across every launched SKU of the demo catalog, each SKU
# with STOCK units (default 100000: enough stock), on SQLite by default or on the database of
# DATABASE_URL=mysql://... (an empty database) with REDIS_URL. BUYERS (default 256) accounts
# take turns. After WARMUP (3 s, also measured in the books) and DURATION (10 s) seconds of
# wrk, the books are checked: units sold beyond the stock ("oversold") must be 0, and stock
# plus units ordered must equal STOCK for every SKU (the script fails otherwise).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-64}"
warmup="${WARMUP:-3}"
buyers="${BUYERS:-256}"
stock="${STOCK:-100000}"
port="${BENCH_PORT:-18010}"
base="http://127.0.0.1:$port"

. bench/common.sh
ensure_wrk
build_server
cargo build --release --quiet -p dadashop-server --example checkout_bench
tool="${CARGO_TARGET_DIR:-$root/target}/release/examples/checkout_bench"

work="$(mktemp -d -t dadashop-checkout.XXXXXX)"
export DADASHOP_ENV=test JWT_SECRET="bench-secret-bench-secret-bench-secret-0123"
export DATABASE_URL="${DATABASE_URL:-sqlite://$work/shop.db}"
export DATA_DIR="$work/data" MEDIA_DIR="$work/media" API_ADDR="127.0.0.1:$port"
export KV_PREFIX="bench:$$:" RUST_LOG=warn MAIL_TRANSPORT=file
# No order times out during the run.
export ORDER_PAY_TIMEOUT_SECS=86400
"$bin" serve --no-web --seed-demo &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done

# The launched SKUs, then the buyers.
"$tool" setup "$buyers" "$stock" > "$work/buyers.txt"
skus="$("$tool" skus)"
{ for s in $skus; do echo "sku $s"; done; cat "$work/buyers.txt"; } > "$work/list.txt"

echo "dadashop checkout load test: ${warmup}s warm-up + ${duration}s, $connections connections, $buyers buyers, $(wc -w <<<"$skus") SKUs with $stock units each, database ${DATABASE_URL%%:*}${REDIS_URL:+ + redis}"
if [ "$warmup" -gt 0 ]; then wrk -t2 -c"$connections" -d"${warmup}s" -s bench/checkout.lua "$base/" -- "$work/list.txt" >/dev/null; fi
out="$(wrk -t2 -c"$connections" -d"${duration}s" --latency -s bench/checkout.lua "$base/" -- "$work/list.txt")"
rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
errors="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
printf '%-34s %3s conns %10s orders/s   p50 %-9s p99 %-9s non-2xx %s\n' "POST /v1/orders (buy now)" "$connections" "$rps" "$p50" "$p99" "${errors:-0}"
"$tool" check "$stock"
