#!/usr/bin/env bash
# Jobs per second through the queue with the console sinks, on SQLite (the queue file beside a
# throw-away database) and, when REDIS_URL is set, on Redis (under a throw-away KV_PREFIX).
# JOBS (default 2000) SMS jobs are queued, then one process's workers run them all.
# PROFILE=release (default) or dev; JOB_CONCURRENCY is passed through (default 4).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
profile="${PROFILE:-release}"
cargo build --profile "$profile" -p dadashop-server --example jobs_throughput
target="${CARGO_TARGET_DIR:-$root/target}"
dir="$profile"; [ "$profile" = dev ] && dir=debug
bin="$target/$dir/examples/jobs_throughput"
work="$(mktemp -d -t dadashop-jobs-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export DADASHOP_ENV=test JWT_SECRET="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DATA_DIR="$work/data" SMS_PROVIDER=console MAIL_TRANSPORT=console RUST_LOG=warn
export JOBS="${JOBS:-2000}"
redis_url="${REDIS_URL:-}"
unset REDIS_URL
DATABASE_URL="sqlite://$work/shop.db" "$bin" > /dev/null
if [ -n "$redis_url" ]; then
  REDIS_URL="$redis_url" KV_PREFIX="bench:$$:" DATABASE_URL="sqlite://$work/shop-redis.db" "$bin" > /dev/null
  if command -v redis-cli > /dev/null; then
    redis-cli -u "$redis_url" --scan --pattern "bench:$$:*" | xargs -r -n 500 redis-cli -u "$redis_url" del > /dev/null
  fi
fi
