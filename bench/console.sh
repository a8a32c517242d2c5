#!/usr/bin/env bash
# Operator console load test (issue 24 item 9): starts the release `dadashop serve --no-web` on
# a loopback port with a throw-away database (SQLite by default; DATABASE_URL=mysql://... and
# REDIS_URL for the production backends), seeds the demo catalog, then a shop's history
# straight into the database: USERS shoppers (default 10,000) and ORDERS orders (default
# 100,000) of the last 60 days with their lines and payments (bench/console-seed.awk, one
# transaction of 1,000-row INSERTs through the sqlite3 or mariadb client). A superuser made
# with `dadashop admin create` logs in, and wrk (Debian's package, installed when missing,
# like sqlite3) drives the console's order list (no filter, each filter, the amount sort),
# the dashboard and the shopper search, each WARMUP seconds unmeasured (default 3) then
# DURATION seconds (default 10) with CONNECTIONS connections (default 16). The name and
# phone filters go through 50 shoppers in turn (bench/console.lua). Prints a Markdown table
# of req/s, p50 and p99; the goal of the issue is p99 under 50 ms for each.
# DATABASE_URL=mysql://user:password@host:port/ (no database) makes a database
# dadashop_console_<pid> and drops it at the end; a named database that does not exist yet is
# made and dropped too, one that exists is used as it is (it must be empty).
# ONLY=<regex> runs only the endpoints whose name matches (ONLY='dashboard|amount').
# Client and server share this machine, so the figures compare builds, not hardware.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-16}"
warmup="${WARMUP:-3}"
users="${USERS:-10000}"
orders="${ORDERS:-100000}"
port="${BENCH_PORT:-18020}"
base="http://127.0.0.1:$port"
started="$(date +%s)"

. bench/common.sh
ensure_wrk
build_server

# need COMMAND PACKAGE: installs Debian's PACKAGE when COMMAND is missing (as ensure_wrk).
need() {
  command -v "$1" >/dev/null && return
  local sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get install -y -qq "$2" || { $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq "$2"; }
}

work="$(mktemp -d -t dadashop-console.XXXXXX)"
pid=""
drop_db=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  if [ -n "$drop_db" ]; then sql_server <<<"DROP DATABASE \`$drop_db\`" || true; fi
  if [ -n "${REDIS_URL:-}" ] && command -v redis-cli >/dev/null; then
    redis-cli -u "$REDIS_URL" --scan --pattern "bench:$$:*" | xargs -r -n 500 redis-cli -u "$REDIS_URL" del >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
# The history goes in through the database's own client: sqlite3, or mariadb for MySQL URLs.
export DATABASE_URL="${DATABASE_URL:-sqlite://$work/shop.db}"
case "$DATABASE_URL" in
  sqlite:*)
    need sqlite3 sqlite3
    db_file="${DATABASE_URL#sqlite:}"; db_file="${db_file#//}"; db_file="${db_file%%\?*}"
    dialect=sqlite
    sql() { sqlite3 -bail -batch -noheader -separator $'\t' -cmd '.timeout 10000' "$db_file"; }
    ;;
  mysql://*)
    # mysql://user:password@host:port/database?options (no percent-escapes in the parts)
    rest="${DATABASE_URL#mysql://}"
    options=""; [[ "$rest" == *\?* ]] && options="?${rest#*\?}"
    rest="${rest%%\?*}"
    creds="${rest%%@*}" hostport="${rest#*@}"
    db_name=""; [[ "$hostport" == */* ]] && db_name="${hostport#*/}"
    hostport="${hostport%%/*}"
    db_user="${creds%%:*}" db_password=""; [[ "$creds" == *:* ]] && db_password="${creds#*:}"
    db_host="${hostport%%:*}" db_port=3306; [[ "$hostport" == *:* ]] && db_port="${hostport##*:}"
    need mariadb mariadb-client
    sql_server() {
      MYSQL_PWD="$db_password" mariadb --no-defaults --default-character-set=utf8mb4 \
        -h"$db_host" -P"$db_port" -u"$db_user" -N -B "$@"
    }
    sql() { sql_server "$db_name"; }
    [ -n "$db_name" ] || db_name="dadashop_console_$$"
    exists="$(sql_server <<<"SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '$db_name'")"
    if [ "$exists" = 0 ]; then
      sql_server <<<"CREATE DATABASE \`$db_name\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
      drop_db="$db_name"
    fi
    DATABASE_URL="mysql://$creds@$hostport/$db_name$options"
    dialect=mysql
    ;;
  *) echo "DATABASE_URL must be sqlite://... or mysql://..." >&2; exit 2 ;;
esac

export DADASHOP_ENV=test JWT_SECRET="bench-secret-bench-secret-bench-secret-0123"
export DATA_DIR="$work/data" MEDIA_DIR="$work/media" API_ADDR="127.0.0.1:$port"
export KV_PREFIX="bench:$$:" RUST_LOG=warn MAIL_TRANSPORT=file
# The server's log goes to a file: a slow endpoint makes sqlx warn of every slow statement,
# which would bury the table. Its count is printed at the end.
"$bin" serve --no-web --seed-demo 2>"$work/server.log" &
pid=$!
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done
# The demo catalog is written before the server listens.
curl -fs "$base/v1/goods/index" >/dev/null || { cat "$work/server.log" >&2; exit 1; }

# The shop's history. mawk writes it three times faster than gawk (the same kind of history,
# not the same rows: their random numbers differ).
seed_started="$(date +%s.%N)"
now="$(date +%s)"
sql <<<"SELECT id, price, name, default_image_url FROM skus WHERE is_launched = 1 ORDER BY id" > "$work/skus.tsv"
sql <<<"SELECT l.sku_id, a.name, v.name FROM sku_sale_attr_values l
  JOIN sale_attr_values v ON v.id = l.sale_attr_value_id
  JOIN spu_sale_attrs a ON a.id = v.spu_sale_attr_id ORDER BY l.sku_id, a.id" > "$work/attrs.tsv"
"$(command -v mawk || echo awk)" -F'\t' -v now="$now" -v users="$users" -v orders="$orders" -v dialect="$dialect" \
  -f bench/console-seed.awk "$work/skus.tsv" "$work/attrs.tsv" | sql
read -r n_users n_orders n_lines n_payments <<<"$(sql <<<"SELECT (SELECT COUNT(*) FROM users),
  (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM order_lines), (SELECT COUNT(*) FROM payments)")"
seed_secs="$(awk -v a="$seed_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"

# The console's operator.
password="bench-console-password"
printf '%s\n%s\n' "$password" "$password" | "$bin" admin create operator --role superuser >/dev/null
token="$(curl -fs -X POST "$base/v1/admin/tokens" -H 'Content-Type: application/json' \
  -d "{\"username\":\"operator\",\"password\":\"$password\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
[ -n "$token" ] || { echo "the operator could not log in" >&2; exit 1; }

# 50 shoppers spread over the ids (older ones have more orders), yesterday (China time), and
# an amount band of the demo catalog's prices (300 to 500 yuan: about a quarter of the orders).
sql <<<"SELECT username, phone FROM users WHERE id % 200 = 7 ORDER BY id" > "$work/shoppers.tsv"
mapfile -t names < <(cut -f1 "$work/shoppers.tsv")
mapfile -t phones < <(cut -f2 "$work/shoppers.tsv")
mapfile -t prefixes < <(cut -f1 "$work/shoppers.tsv" | sed 's/[0-9]*$//')
day="$(date -u -d "@$((now + 8 * 3600 - 86400))" +%F)"

# run NAME PATH...: wrk cycles through the PATHs (skipped unless NAME matches the regex ONLY,
# when set), one row of the table. wrk's time-out is 30 s rather than 2: wrk leaves answers
# slower than its time-out out of the percentiles, which would show a slow endpoint as 0 ms.
run() {
  local name="$1"; shift
  if [ -n "${ONLY:-}" ] && ! grep -qE -- "$ONLY" <<<"$name"; then return 0; fi
  printf '%s\n' "$@" > "$work/paths.txt"
  local args=(-t2 -c"$connections" --timeout 30s -H "Authorization: Bearer $token" -s bench/console.lua "$base" -- "$work/paths.txt")
  if [ "$warmup" -gt 0 ]; then wrk -d"${warmup}s" "${args[@]}" >/dev/null; fi
  local rps p50 p99 status errors goal=met
  read -r rps p50 p99 status errors <<<"$(wrk -d"${duration}s" "${args[@]}" | sed -n 's/^console: //p')"
  awk -v p99="$p99" 'BEGIN { exit !(p99 < 50) }' || goal=missed
  printf '| %s | %s | %s ms | %s ms | %s | %s |\n' "$name" "$rps" "$p50" "$p99" "$goal" "$((status + errors))"
}

echo "dadashop console load test: ${warmup}s warm-up + ${duration}s per endpoint, $connections connections, database ${DATABASE_URL%%:*}${REDIS_URL:+ + redis}"
echo "seeded $n_users shoppers, $n_orders orders, $n_lines order lines, $n_payments payments in $seed_secs s"
echo
echo "| endpoint | req/s | p50 | p99 | p99 < 50 ms | errors |"
echo "|---|---|---|---|---|---|"
run '`GET /healthz` (ceiling)' /healthz
run '`GET /v1/admin/orders`' /v1/admin/orders
run '`GET /v1/admin/orders?status=2`' '/v1/admin/orders?status=2'
run '`GET /v1/admin/orders?username=` (50 shoppers)' "${names[@]/#//v1/admin/orders?username=}"
run '`GET /v1/admin/orders?phone=` (50 shoppers)' "${phones[@]/#//v1/admin/orders?phone=}"
run "\`GET /v1/admin/orders?date_from=$day&date_to=$day\`" "/v1/admin/orders?date_from=$day&date_to=$day"
run '`GET /v1/admin/orders?min_amount=300&max_amount=500`' '/v1/admin/orders?min_amount=300&max_amount=500'
run '`GET /v1/admin/orders?sort=-total_amount`' '/v1/admin/orders?sort=-total_amount'
run '`GET /v1/admin/dashboard`' /v1/admin/dashboard
run '`GET /v1/admin/users?q=` (name prefix, 50 shoppers)' "${prefixes[@]/#//v1/admin/users?q=}"
run '`GET /v1/admin/users?q=` (phone, 50 shoppers)' "${phones[@]/#//v1/admin/users?q=}"
echo
echo "server log: $(grep -c 'slow statement' "$work/server.log" || true) slow statements (over 1 s)"
echo "whole run: $(( $(date +%s) - started )) s (seeding $seed_secs s)"
