#!/usr/bin/env bash
# Login-flood scenario (issue #5): the release `dadashop serve --no-web` on a loopback port
# with a throw-away SQLite database, flooded by wrk with CONNECTIONS (default 4000)
# connections for DURATION seconds (default 45) of wrong-password logins for random
# usernames. Meanwhile it samples the server's resident memory and threads every second, and
# a real shopper logs in every 2 s from their usual address (known to the shop) and from a
# new one, timing each login. SOURCES=many (default) sends the flood from random addresses
# through a trusted proxy (a botnet: the per-address limits do not help, the hashing bound
# and the known-address slot must); SOURCES=one sends it from one address (the per-address
# limit answers 429 without hashing). Every loop is bounded in time; traffic stays on
# 127.0.0.1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
duration="${DURATION:-45}"
connections="${CONNECTIONS:-4000}"
port="${BENCH_PORT:-18001}"
base="http://127.0.0.1:$port"
export SOURCES="${SOURCES:-many}"

. bench/common.sh
ensure_wrk
build_server
ulimit -n "$(( connections + 2048 ))" 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work="$(mktemp -d -t dadashop-flood.XXXXXX)"
export DADASHOP_ENV=test JWT_SECRET="bench-secret-bench-secret-bench-secret-0123"
export DATABASE_URL="sqlite://$work/shop.db" DATA_DIR="$work/data" MEDIA_DIR="$work/media"
export API_ADDR="127.0.0.1:$port" KV_PREFIX="flood:$$:" RUST_LOG=error TRUSTED_PROXIES=127.0.0.1
# The flood's real shopper registers without an SMS code; the mail goes to a file outbox.
export REGISTER_REQUIRE_SMS=false MAIL_TRANSPORT=file
"$bin" serve --no-web &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done

shopper() { # shopper ADDRESS: prints "status seconds" of one login
  curl -s -o /dev/null -m 60 -w '%{http_code} %{time_total}\n' -X POST "$base/v1/tokens" \
    -H 'Content-Type: application/json' -H "X-Forwarded-For: $1" \
    -d '{"username":"shopper","password":"shopper-password"}' || echo "000 60"
}
curl -fs -X POST "$base/v1/users" -H 'Content-Type: application/json' -H 'X-Forwarded-For: 203.0.113.7' \
  -d '{"uname":"shopper","password":"shopper-password","phone":"13800000000","email":"s@example.com"}' >/dev/null
shopper 203.0.113.7 >/dev/null   # the shopper's usual address becomes known

echo "login flood: $connections connections for ${duration}s, sources: $SOURCES"
idle_rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
(
  end=$((SECONDS + duration + 5))
  while [ $SECONDS -lt $end ] && kill -0 "$pid" 2>/dev/null; do
    awk '/VmRSS/ {r=$2} /Threads/ {t=$2} END {print r, t}' "/proc/$pid/status"
    sleep 1
  done
) > "$work/samples" &
sampler=$!
(
  sleep 3
  end=$((SECONDS + duration - 5))
  i=0
  while [ $SECONDS -lt $end ]; do
    echo "known $(shopper 203.0.113.7)"
    i=$((i + 1))
    echo "new $(shopper "192.0.2.$(( i % 250 + 1 ))")"
    sleep 2
  done
) > "$work/shopper" &
shopper_loop=$!
wrk -t2 -c"$connections" -d"${duration}s" --timeout 60s -s bench/flood.lua "$base/v1/tokens" > "$work/wrk" 2>&1 || true
wait "$shopper_loop" "$sampler" 2>/dev/null || true

grep -E "^flood:|Requests/sec" "$work/wrk" || cat "$work/wrk"
awk -v idle="$idle_rss" '{ if ($1 > r) r = $1; if ($2 > t) t = $2 } END {
  printf "server: idle %d MiB; peak %d MiB resident, %d threads\n", idle / 1024, r / 1024, t }' "$work/samples"
for kind in known new; do
  awk -v k="$kind" '$1 == k { print $3, $2 }' "$work/shopper" | sort -n | awk -v k="$kind" '
    { n++; s[n] = $1; if ($2 == 200) ok++ }
    END {
      if (n == 0) { print "shopper (" k " address): no login measured"; exit }
      printf "shopper (%s address): %d/%d logins answered 200; latency p50 %.2f s, max %.2f s\n",
        k, ok, n, s[int((n + 1) / 2)], s[n] }'
done
