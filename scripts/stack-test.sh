#!/usr/bin/env bash
# Load and failure tests through the production shape that scripts/stack.sh runs. Needs the
# stack up (`bash scripts/stack.sh start`); installs wrk (Debian) and schemathesis (PyPI, in
# a virtual environment under ~/.cache/dadashop) when missing. scripts/test.sh runs it with
# LOAD_SECS=6 as its last stage.
#
# Under a steady, bounded load through nginx (wrk, LOAD_CONNS connections, 2 threads,
# LOAD_SECS seconds, catalog home /v1/goods/index unless said otherwise):
#   baseline   no fault: through nginx with two API processes, with one (the other marked
#              `down`), and straight at one API process, for comparison
#   kill-api   SIGKILL one API process 5 s in: zero failed requests (nginx retries the GETs
#              on the other process: proxy_next_upstream), and the restart loop brings the
#              process back (time to /healthz 200 is reported)
#   reload     `nginx -s reload` with a changed upstream (least_conn on, then off again)
#              5 s and 10 s in: zero failed requests with a new connection per request;
#              with keep-alive, zero non-2xx answers (see check_reload for the idle
#              connections that the old workers close)
#   replica    the MariaDB replica shut down: catalog reads keep answering (from the
#              primary), then the replica is started again and replicates
#   replica-lag  the replica's SQL thread held up (a read lock on the replica) while the
#              primary writes: the API stops reading the replica once it is more than
#              DATABASE_REPLICA_MAX_LAG_SECS behind (/readyz), catalog reads keep answering,
#              and the replica is used again once it caught up
#   redis      the Redis master SIGKILLed 3 s into the load: the Sentinels promote the
#              replica and the API answers again without a restart (seconds to recovery);
#              a login throttle written before the failover is still honoured (429 through
#              the API, the key on the new master), new throttle writes work, the job queue
#              delivers an SMS code again; the killed server comes back as a replica
#   db-restart the MariaDB primary restarted (shutdown, start) under a load of catalog
#              reads, order-history reads (primary) and buy-now orders (writes): requests
#              in flight get 503 (never another 5xx, never a time-out), the pool recovers
#              (seconds to the first 200 from the primary), and no order is half written
#              (stock taken = units in live order lines; every order has its lines)
#   db-kill    the MariaDB primary SIGKILLed under the same load and started again 5 s
#              later, with an order paid at the gateway while it is down (the notification
#              must be applied once it is back: the gateway's retries, or the reconciliation)
#              and an order past its payment deadline (the order sweep must cancel it and
#              return its stock): 503s only, no order half written, and the seconds from the
#              primary's return to the first 200, to the payment applied and to the sweep's
#              cancel (ORDER_SWEEP_SECS=5 in the stack)
#   schemathesis  st run against /openapi.json through nginx (checks not_a_server_error and
#              response_schema_conformance; ST_MAX_TIME seconds, default 120): zero failures
#   e2e        the Playwright suite against the nginx one-origin shape (SPA and /v1 on
#              127.0.0.1:8080; end2end/playwright.stack.config.ts)
# "Failed" = non-2xx/3xx answers + socket errors (connect, read, write, time-out) as wrk
# counts them, unless a check says otherwise. Prints one summary table (requests sent,
# failed, seconds to recovery) and a last line `stack-test: N passed, N failed, N skipped`;
# exits 1 when a check failed.
#
#   bash scripts/stack-test.sh                # all checks
#   bash scripts/stack-test.sh redis e2e      # some of them
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
S="${STACK_DIR:-/tmp/dadashop-stack}"
SECS="${LOAD_SECS:-20}"
CONNS="${LOAD_CONNS:-16}"
NGINX=http://127.0.0.1:8080
API_PORTS=(18001 18002)
SENTINELS=(26379 26380 26381)
REDIS_MASTER_NAME=dadashop
SMS=http://127.0.0.1:19200
ALIPAY=http://127.0.0.1:19400
PATH_UNDER_LOAD="${LOAD_PATH:-/v1/goods/index}"
ST_VENV="${ST_VENV:-$HOME/.cache/dadashop/schemathesis-venv}"
checks=("$@")
[ "${#checks[@]}" -gt 0 ] || checks=(baseline kill-api reload replica replica-lag redis db-restart db-kill schemathesis e2e)

log() { printf '[stack-test %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
[ -f "$S/run/nginx.pid" ] || { log "the stack is not running: bash scripts/stack.sh start"; exit 2; }
if ! command -v wrk >/dev/null; then
  log "installing wrk"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >/dev/null; } || exit 2
fi
mkdir -p "$S/test"
set -a; . "$S/env"; set +a

# wrk's script: counts the answers by status (printed as `status <code> <n>` lines at the
# end), and takes the request from the environment: WRK_METHOD, WRK_BODY (JSON), WRK_TOKEN
# (Authorization), WRK_DELAY_MS (pause before each request of a connection).
cat >"$S/test/tally.lua" <<'EOF'
local threads = {}
function setup(thread) table.insert(threads, thread) end
local method = os.getenv("WRK_METHOD")
if method and method ~= "" then wrk.method = method end
local body = os.getenv("WRK_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local token = os.getenv("WRK_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
local pause = tonumber(os.getenv("WRK_DELAY_MS") or "")
if pause then function delay() return pause end end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
  end
  for code, n in pairs(total) do io.write(string.format("status %d %d\n", code, n)) end
end
EOF

summary=()
n_pass=0 n_fail=0 n_skip=0

# Fractions of the load run at which the faults come (at least 2 s in).
AT1=$(( SECS / 3 )); [ "$AT1" -ge 2 ] || AT1=2
AT2=$(( 2 * SECS / 3 )); [ "$AT2" -gt "$AT1" ] || AT2=$(( AT1 + 2 ))

now() { date +%s.%N; }
since() { awk "BEGIN{printf \"%.1f\", $(now) - $1}"; }

# load_start <name> <url> [wrk options]: wrk in the background (LOAD_SECS or $LOAD_FOR
# seconds); its report goes to test/<name>.wrk.
load_start() {
  local name="$1" url="$2"; shift 2
  wrk -t2 -c"$CONNS" -d"${LOAD_FOR:-$SECS}s" --timeout 10s --latency -s "$S/test/tally.lua" "$@" "$url" \
    >"$S/test/$name.wrk" 2>&1 &
  LOAD_PID=$!
}

# Reads a wrk report: sets REQS, FAILS (non-2xx/3xx + socket errors), RPS, P99, SOCK,
# NON2XX, TIMEOUTS, STATUSES ("200:n 503:n ...") and N5XX_NOT503 (5xx answers but 503).
load_result() {
  local f="$S/test/$1.wrk"
  REQS=$(awk '/requests in/ {print $1}' "$f")
  local non2xx sock
  non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' "$f")
  sock=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$f")
  TIMEOUTS=$(awk '/Socket errors/ {gsub(",", ""); print $10}' "$f")
  FAILS=$(( ${non2xx:-0} + ${sock:-0} ))
  RPS=$(awk '/Requests\/sec/ {print $2}' "$f")
  P99=$(awk '$1 == "99%" {print $2}' "$f")
  SOCK="${sock:-0}" NON2XX="${non2xx:-0}" TIMEOUTS="${TIMEOUTS:-0}" REQS="${REQS:-0}"
  STATUSES=$(awk '$1 == "status" {print $2 ":" $3}' "$f" | sort -n | tr '\n' ' ' | sed 's/ $//')
  N5XX_NOT503=$(awk '$1 == "status" && $2 >= 500 && $2 != 503 {n += $3} END {print n + 0}' "$f")
}
status_count() { awk -v c="$2" '$1 == "status" && $2 == c {n += $3} END {print n + 0}' "$S/test/$1.wrk"; }

# record <check> <PASS|FAIL|SKIP or 0/1> <requests> <failed> <recovery s> <notes>
record() {
  local status="$2"
  case "$status" in 0) status=PASS ;; 1) status=FAIL ;; esac
  case "$status" in PASS) n_pass=$((n_pass + 1)) ;; SKIP) n_skip=$((n_skip + 1)) ;; *) status=FAIL; n_fail=$((n_fail + 1)) ;; esac
  summary+=("$(printf '| %-16s | %-6s | %9s | %7s | %10s | %s |' "$1" "$status" "$3" "$4" "$5" "$6")")
  log "$1: $status  requests $3, failed $4, recovery ${5} s; $6"
}

# http <method> <url> [json body] [token]: the answer's body in $BODY, its status in $CODE.
http() {
  local args=(-s -o "$S/test/http.body" -w '%{http_code}' -X "$1" --max-time 15)
  [ -n "${3:-}" ] && args+=(-H 'Content-Type: application/json' --data "$3")
  [ -n "${4:-}" ] && args+=(-H "Authorization: Bearer $4")
  CODE=$(curl "${args[@]}" "$2" 2>/dev/null) || true
  BODY=$(cat "$S/test/http.body" 2>/dev/null)
}
# json <expression on d> < JSON: prints a field (python, which schemathesis needs anyway).
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" 2>/dev/null; }

primary_sql() { mariadb --no-defaults -uroot -S "$S/run/mysql-primary.sock" -N -B dadashop -e "$1"; }
replica_sql() { mariadb --no-defaults -uroot -S "$S/run/mysql-replica.sock" -e "$1"; }
api_starts() { cat "$S"/logs/api-*.restarts 2>/dev/null | grep -c ' start '; }

# A registered shopper (SMS code from the fake provider) with an address, made once per run:
# sets SHOPPER, TOKEN, ADDRESS_ID.
SHOPPER=""
shopper() {
  [ -n "$SHOPPER" ] && return 0
  local stamp; stamp=$(date +%s%N)
  local name="st${stamp: -9}" phone="139${stamp: -8}"
  http POST "$NGINX/v1/users/sms/code" "{\"phone\":\"$phone\"}"
  [ "$CODE" = 200 ] || { log "shopper: SMS code answered $CODE $BODY"; return 1; }
  local code=""
  for _ in $(seq 150); do
    code=$(curl -s "$SMS/_fake/messages?to=$phone" | json 'd[-1]["datas"][0] if d else ""')
    [ -n "$code" ] && break
    sleep 0.2
  done
  [ -n "$code" ] || { log "shopper: no SMS code arrived for $phone"; return 1; }
  http POST "$NGINX/v1/users" "{\"username\":\"$name\",\"password\":\"pw-$name-secret\",\"password2\":\"pw-$name-secret\",\"phone\":\"$phone\",\"email\":\"$name@example.com\",\"verify\":\"$code\"}"
  [ "$CODE" = 200 ] || { log "shopper: register answered $CODE $BODY"; return 1; }
  TOKEN=$(json 'd["token"]' <<<"$BODY")
  http POST "$NGINX/v1/users/$name/address" '{"receiver":"压测","address":"北京市海淀区压测路1号","receiver_phone":"'"$phone"'","postcode":"100000","tag":"家"}' "$TOKEN"
  [ "$CODE" = 200 ] || { log "shopper: address answered $CODE $BODY"; return 1; }
  ADDRESS_ID=$(json 'd["addresslist"][0]["id"]' <<<"$BODY")
  SHOPPER="$name"
}

check_baseline() {
  log "baseline: ${SECS}s, $CONNS connections, through nginx, then straight at :${API_PORTS[0]}"
  load_start baseline-nginx "$NGINX$PATH_UNDER_LOAD"; wait "$LOAD_PID"
  load_result baseline-nginx
  local ok=$(( FAILS > 0 )) reqs1="$REQS" fails1="$FAILS"
  local via="nginx (2 API processes): $RPS req/s, p99 $P99"
  record baseline-nginx "$ok" "$reqs1" "$fails1" - "$via"
  # nginx in front of one API process: the second marked `down` in the upstream (reload).
  local conf="$S/nginx/dadashop.conf"
  sed -i "s/^\(    server 127.0.0.1:${API_PORTS[1]} .*\);/\1 down;/" "$conf"
  nginx -c "$S/nginx/nginx.conf" -p "$S/nginx" -s reload 2>/dev/null; sleep 1
  load_start baseline-nginx-1 "$NGINX$PATH_UNDER_LOAD"; wait "$LOAD_PID"
  sed -i "s/^\(    server 127.0.0.1:${API_PORTS[1]} .*\) down;/\1;/" "$conf"
  nginx -c "$S/nginx/nginx.conf" -p "$S/nginx" -s reload 2>/dev/null; sleep 1
  load_result baseline-nginx-1
  record baseline-nginx-1 $(( FAILS > 0 )) "$REQS" "$FAILS" - "nginx (1 API process, the other marked down): $RPS req/s, p99 $P99"
  load_start baseline-direct "http://127.0.0.1:${API_PORTS[0]}$PATH_UNDER_LOAD"; wait "$LOAD_PID"
  load_result baseline-direct
  record baseline-direct $(( FAILS > 0 )) "$REQS" "$FAILS" - "straight at 1 API process: $RPS req/s, p99 $P99"
}

check_kill_api() {
  local name="api-${API_PORTS[0]}"
  local before; before=$(cat "$S/run/$name.pid")
  local starts0; starts0=$(grep -c ' start ' "$S/logs/$name.restarts")
  log "kill-api: ${SECS}s of load; SIGKILL $name (pid $before) ${AT1} s in"
  load_start kill-api "$NGINX$PATH_UNDER_LOAD"
  sleep "$AT1"
  local t_kill; t_kill=$(now)
  kill -KILL "$before"
  local back="" pid_now
  for _ in $(seq 300); do
    pid_now=$(cat "$S/run/$name.pid" 2>/dev/null)
    if [ -n "$pid_now" ] && [ "$pid_now" != "$before" ] &&
      curl -fsS -o /dev/null "http://127.0.0.1:${API_PORTS[0]}/healthz" 2>/dev/null; then
      back=$(since "$t_kill")
      break
    fi
    sleep 0.1
  done
  wait "$LOAD_PID"
  load_result kill-api
  local starts1; starts1=$(grep -c ' start ' "$S/logs/$name.restarts")
  local ok=0
  [ "$FAILS" = 0 ] || ok=1
  [ -n "$back" ] && [ "$starts1" -gt "$starts0" ] || ok=1
  record kill-api "$ok" "$REQS" "$FAILS" "${back:-never}" "SIGKILL $name: restarted by its loop (pid $before -> ${pid_now:-none}), /healthz 200 again; non-2xx $NON2XX, socket $SOCK"
}

# Two reloads (least_conn on, then off) AT1 and AT2 seconds into a load run.
reload_twice() {
  local conf="$S/nginx/dadashop.conf"
  sleep "$AT1"
  sed -i 's/^    # least_conn;/    least_conn;/' "$conf"
  nginx -c "$S/nginx/nginx.conf" -p "$S/nginx" -s reload 2>/dev/null
  sleep $(( AT2 - AT1 ))
  sed -i 's/^    least_conn;/    # least_conn;/' "$conf"
  nginx -c "$S/nginx/nginx.conf" -p "$S/nginx" -s reload 2>/dev/null
}

# A reload starts new workers and lets the old ones finish their requests, but the old ones
# close their *idle* keep-alive connections at once. A client that sends its next request
# down such a connection at that instant reads EOF without an answer; browsers and curl
# send it again on a new connection (RFC 9112 9.3.1 allows it for idempotent requests),
# wrk does not, and counts a read error. So: the strict run uses a new connection per
# request (`Connection: close`), where nothing may fail; the keep-alive run reports how many
# idle connections were closed under wrk (not counted as failures: no request was lost in
# nginx, the client just has to reconnect).
check_reload() {
  log "reload: ${SECS}s of load (one connection per request); nginx -s reload with least_conn on (${AT1} s in) and off (${AT2} s in)"
  load_start reload "$NGINX$PATH_UNDER_LOAD" -H "Connection: close"
  reload_twice
  wait "$LOAD_PID"
  load_result reload
  record reload-close $(( FAILS > 0 )) "$REQS" "$FAILS" - "two reloads, a new connection per request: non-2xx $NON2XX, socket $SOCK"
  log "reload: the same with keep-alive connections"
  load_start reload-keepalive "$NGINX$PATH_UNDER_LOAD"
  reload_twice
  wait "$LOAD_PID"
  load_result reload-keepalive
  record reload-keepalive $(( NON2XX > 0 )) "$REQS" "$NON2XX" - "two reloads, keep-alive: failed = non-2xx; $SOCK idle keep-alive connections closed by the old workers (the client must resend)"
}

check_replica() {
  local secs=$(( SECS / 2 )); [ "$secs" -ge 5 ] || secs=5
  log "replica: shut the MariaDB replica down, ${secs}s of catalog reads"
  mariadb-admin --no-defaults -uroot -S "$S/run/mysql-replica.sock" shutdown
  local pid; pid=$(cat "$S/run/mysql-replica.pid")
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  LOAD_FOR="$secs" load_start replica "$NGINX$PATH_UNDER_LOAD"; wait "$LOAD_PID"
  load_result replica
  local ok=0
  [ "$FAILS" = 0 ] || ok=1
  local t_start; t_start=$(now)
  bash "$root/scripts/stack.sh" _start-replica >/dev/null
  replica_sql "START SLAVE" 2>/dev/null
  local running="" back=""
  for _ in $(seq 100); do
    running=$(replica_sql 'SHOW SLAVE STATUS\G' | awk '/Slave_(IO|SQL)_Running:/ {printf "%s ", $2}')
    [ "$running" = "Yes Yes " ] && { back=$(since "$t_start"); break; }
    sleep 0.1
  done
  [ "$running" = "Yes Yes " ] || ok=1
  # The API's monitor takes the replica back (its /readyz says so).
  local used=""
  replica_state_within ok 150 && used=$(since "$t_start")
  [ -n "$used" ] || ok=1
  record replica "$ok" "$REQS" "$FAILS" "${back:-never}" "catalog reads with the replica down; recovery = replica started again until replication IO/SQL run (${running:-?}); the API reads it again ${used:-never} s after its start"
}

# replica_state_within STATE TRIES: polls the first API process's /readyz every 0.2 s, at most
# TRIES times, until its "replica" field is STATE ("ok", "unusable"); fails if it never is.
replica_state_within() {
  local i
  for ((i = 0; i < $2; i++)); do
    [ "$(curl -s "http://127.0.0.1:${API_PORTS[0]}/readyz" | json 'd.get("replica")')" = "$1" ] && return 0
    sleep 0.2
  done
  return 1
}

# The replica falling behind: a session on the replica holds a read lock on `skus` while
# the primary changes a row of it, so the replica's SQL thread waits and
# Seconds_Behind_Master grows. The API must stop reading the replica once the delay is over
# DATABASE_REPLICA_MAX_LAG_SECS (its /readyz says "replica": "unusable"), keep answering
# catalog reads meanwhile (from the primary), and use the replica again once it caught up.
check_replica_lag() {
  local max_lag="${DATABASE_REPLICA_MAX_LAG_SECS:-5}"
  local hold=$(( max_lag + 8 )) api="http://127.0.0.1:${API_PORTS[0]}"
  if ! replica_state_within ok 100; then
    local state; state=$(curl -s "$api/readyz" | json 'd.get("replica")')
    record replica-lag FAIL 0 0 - "the API does not use the replica before the test (/readyz replica: ${state:-?})"
    return
  fi
  log "replica-lag: hold a read lock on skus on the replica for ${hold}s while the primary changes a row; catalog reads meanwhile"
  LOAD_FOR=$(( hold + 6 )) load_start replica-lag "$NGINX$PATH_UNDER_LOAD"
  mariadb --no-defaults -uroot -S "$S/run/mysql-replica.sock" dadashop \
    -e "LOCK TABLES skus READ; SELECT SLEEP($hold); UNLOCK TABLES;" >/dev/null 2>&1 &
  local lock_pid=$!
  sleep 0.5
  primary_sql "UPDATE skus SET updated_at = updated_at + 1 WHERE id = (SELECT MIN(id) FROM (SELECT id FROM skus) s)"
  local t0; t0=$(now)
  local off="" lag_seen=""
  replica_state_within unusable $(( hold * 5 )) && off=$(since "$t0")
  lag_seen=$(replica_sql 'SHOW SLAVE STATUS\G' | awk '/Seconds_Behind_Master:/ {print $2}')
  wait "$lock_pid"
  local t1; t1=$(now) back=""
  replica_state_within ok 100 && back=$(since "$t1")
  wait "$LOAD_PID"
  load_result replica-lag
  local ok=0 why=""
  [ -n "$off" ] || { ok=1; why+=" never marked unusable;"; }
  [ -n "$back" ] || { ok=1; why+=" not used again after catching up;"; }
  [ "$FAILS" = 0 ] || { ok=1; why+=" failed catalog reads;"; }
  record replica-lag "$ok" "$REQS" "$FAILS" "${back:-never}" "${why:+FAILED:$why }lag bound ${max_lag} s: replica unusable ${off:-never} s after the primary's change (Seconds_Behind_Master then ${lag_seen:-?}); usable again ${back:-never} s after the lock was released (recovery); catalog reads answered meanwhile: $STATUSES"
}

# The Sentinels' master: its port.
sentinel_master() {
  local p
  for p in "${SENTINELS[@]}"; do
    redis-cli -p "$p" sentinel get-master-addr-by-name "$REDIS_MASTER_NAME" 2>/dev/null | sed -n 2p && return 0
  done
}
redis_name() { [ "$1" = 16379 ] && echo master || echo replica; }

check_redis() {
  if [[ "$REDIS_URL" != redis+sentinel://* ]]; then
    log "redis: REDIS_URL is not a Sentinel URL ($REDIS_URL): the API cannot follow a failover"
  fi
  shopper || { record redis FAIL 0 0 - "no test shopper (registration failed)"; return; }
  local m0; m0=$(sentinel_master)
  local name; name=$(redis_name "$m0")
  local other=16379; [ "$m0" = 16379 ] && other=16380
  # A login throttle: 5 wrong passwords for the shopper from this address, the 6th try 429.
  local wrong="{\"username\":\"$SHOPPER\",\"password\":\"wrong-password-1\"}" i codes=""
  for i in 1 2 3 4 5 6; do http POST "$NGINX/v1/tokens" "$wrong"; codes+="$CODE "; done
  if [ "$CODE" != 429 ]; then
    record redis FAIL 0 0 - "the login throttle did not engage before the failover (answers: $codes)"
    return
  fi
  local key; key=$(redis-cli -p "$m0" --scan --pattern "*login:fail:pair:*$SHOPPER*" | head -1)
  local replicated=""
  for _ in $(seq 50); do
    [ -n "$key" ] && [ "$(redis-cli -p "$other" exists "$key")" = 1 ] && { replicated=1; break; }
    sleep 0.1
  done
  local starts0; starts0=$(api_starts)
  local secs=$(( 2 * SECS )); [ "$secs" -ge 15 ] || secs=15
  log "redis: ${secs}s of load; SIGKILL the Redis master :$m0 ($name) 3 s in; throttle key '$key' on the replica: ${replicated:-no}"
  LOAD_FOR="$secs" load_start redis "$NGINX$PATH_UNDER_LOAD"
  sleep 3
  local pid; pid=$(cat "$S/run/redis-$name.pid")
  local t_kill; t_kill=$(now)
  kill -KILL "$pid"
  # Recovered = the Sentinels name a new master, the throttled pair answers 429 again
  # (the counter survived and is read), and a wrong password for a fresh account answers
  # 400 (a counter is written on the new master).
  # The same probe straight at one API process tells the API's own time from nginx's.
  local promoted="" honoured="" writes="" direct="" m1="" probe=0 last=""
  for _ in $(seq 300); do
    [ -z "$promoted" ] && { m1=$(sentinel_master); [ -n "$m1" ] && [ "$m1" != "$m0" ] && promoted=$(since "$t_kill"); }
    if [ -z "$direct" ]; then
      http POST "http://127.0.0.1:${API_PORTS[1]}/v1/tokens" "$wrong"
      [ "$CODE" = 429 ] && direct=$(since "$t_kill")
    fi
    http POST "$NGINX/v1/tokens" "$wrong"; probe=$((probe + 1)); last="$CODE"
    if [ "$CODE" = 429 ]; then
      [ -n "$honoured" ] || honoured=$(since "$t_kill")
      http POST "$NGINX/v1/tokens" "{\"username\":\"nobody$probe$RANDOM\",\"password\":\"wrong-password-1\"}"
      [ "$CODE" = 400 ] && { writes=$(since "$t_kill"); [ -n "$promoted" ] && [ -n "$direct" ] && break; }
    fi
    sleep 0.2
  done
  wait "$LOAD_PID"
  load_result redis
  # The job queue: an SMS code asked for after the failover arrives at the fake provider.
  # A 503 (not queued, nothing counted) is asked again, once a second, up to 10 times.
  local phone="137$(date +%s%N | tail -c 9)" sms="" tries=0 sms_codes=""
  local t_sms; t_sms=$(now)
  while [ "$tries" -lt 10 ]; do
    tries=$((tries + 1))
    http POST "$NGINX/v1/users/sms/code" "{\"phone\":\"$phone\"}"
    sms_codes+="$CODE "
    [ "$CODE" = 200 ] && break
    sleep 1
  done
  local sms_code="$CODE"
  for _ in $(seq 150); do
    [ "$sms_code" = 200 ] || break
    [ "$(curl -s "$SMS/_fake/messages?to=$phone" | json 'len(d)')" = 1 ] && { sms=$(since "$t_sms"); break; }
    sleep 0.2
  done
  local on_new=""; [ -n "$m1" ] && on_new=$(redis-cli -p "$m1" exists "$key")
  local starts1; starts1=$(api_starts)
  # The killed server comes back as a replica of the new master.
  [ -n "$m1" ] && bash "$root/scripts/stack.sh" _start-redis "$name" "$m1" >/dev/null
  local ok=0 why=""
  [ -n "$promoted" ] || { ok=1; why+=" no new master;"; }
  [ -n "$honoured" ] || { ok=1; why+=" throttle not honoured (last answer $last);"; }
  [ -n "$writes" ] || { ok=1; why+=" no throttle write on the new master;"; }
  [ "$on_new" = 1 ] || { ok=1; why+=" key not on the new master;"; }
  [ -n "$sms" ] || { ok=1; why+=" SMS job not delivered after the failover (answers: $sms_codes);"; }
  [ "$starts1" = "$starts0" ] || { ok=1; why+=" an API process restarted;"; }
  local recovery="${writes:-never}"
  record redis "$ok" "$REQS" "$FAILS" "$recovery" "${why:+FAILED:$why }master :$m0 SIGKILLed -> :${m1:-?} promoted after ${promoted:-never} s; throttle 429 again after ${honoured:-never} s through nginx (${direct:-never} s straight at :${API_PORTS[1]}), new writes after ${writes:-never} s (${probe} probes); key on new master: ${on_new:-?}; SMS code asked after the failover: answers ${sms_codes}, delivered ${sms:-never} s after the first ask; API restarts $((starts1 - starts0)); load answers: $STATUSES, socket errors $SOCK"
}

# Units of SKU $1 in the lines of orders not cancelled.
live_units() { primary_sql "SELECT CAST(COALESCE(SUM(l.count), 0) AS SIGNED) FROM order_lines l JOIN orders o ON o.order_id = l.order_id WHERE l.sku_id = $1 AND o.status <> 5"; }

# db_loads_start <prefix> <seconds> <order body>: catalog reads, the shopper's order history
# (primary) and buy-now orders, as <prefix>-reads, <prefix>-history and <prefix>-orders.
DB_LOAD_PIDS=()
db_loads_start() {
  local pre="$1" secs="$2" body="$3"
  DB_LOAD_PIDS=()
  LOAD_FOR="$secs" load_start "$pre-reads" "$NGINX$PATH_UNDER_LOAD"; DB_LOAD_PIDS+=("$LOAD_PID")
  LOAD_FOR="$secs" CONNS=4 WRK_TOKEN="$TOKEN" load_start "$pre-history" "$NGINX/v1/orders/$SHOPPER"; DB_LOAD_PIDS+=("$LOAD_PID")
  LOAD_FOR="$secs" CONNS=4 WRK_METHOD=POST WRK_TOKEN="$TOKEN" WRK_DELAY_MS=50 WRK_BODY="$body" \
    load_start "$pre-orders" "$NGINX/v1/orders/$SHOPPER"; DB_LOAD_PIDS+=("$LOAD_PID")
}

# db_loads_result <prefix>: waits for those loads; sets DB_REQS, DB_FAILS, DB_N5 (5xx other
# than 503), DB_TMO, DB_DETAIL and DB_OK_ORDERS (orders answered 200).
db_loads_result() {
  wait "${DB_LOAD_PIDS[@]}"
  DB_REQS=0 DB_FAILS=0 DB_N5=0 DB_TMO=0 DB_DETAIL=""
  local r
  for r in "$1-reads" "$1-history" "$1-orders"; do
    load_result "$r"
    DB_REQS=$((DB_REQS + REQS)); DB_FAILS=$((DB_FAILS + FAILS)); DB_N5=$((DB_N5 + N5XX_NOT503)); DB_TMO=$((DB_TMO + TIMEOUTS))
    DB_DETAIL+=" $r: $STATUSES (socket $SOCK);"
  done
  DB_OK_ORDERS=$(status_count "$1-orders" 200)
}

# order_integrity <user id>: sets ORDERS (the user's orders), ORPHANS (orders without lines)
# and WRONG (orders whose total count is not their lines').
order_integrity() {
  ORDERS=$(primary_sql "SELECT COUNT(*) FROM orders WHERE user_id = $1")
  ORPHANS=$(primary_sql "SELECT COUNT(*) FROM orders o WHERE o.user_id = $1 AND NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.order_id)")
  WRONG=$(primary_sql "SELECT COUNT(*) FROM orders o WHERE o.user_id = $1 AND o.total_count <> (SELECT COALESCE(SUM(l.count), 0) FROM order_lines l WHERE l.order_id = o.order_id)")
}

# replication_running <tries>: prints "Yes Yes " once the replica's IO and SQL threads run
# (polled every 0.2 s), else what they were at the last try.
replication_running() {
  local running="" _
  for _ in $(seq "$1"); do
    running=$(replica_sql 'SHOW SLAVE STATUS\G' | awk '/Slave_(IO|SQL)_Running:/ {printf "%s ", $2}')
    [ "$running" = "Yes Yes " ] && break
    sleep 0.2
  done
  printf '%s' "$running"
}

check_db_restart() {
  shopper || { record db-restart FAIL 0 0 - "no test shopper (registration failed)"; return; }
  local sku; sku=$(curl -s "$NGINX/v1/goods/index" | json 'd["data"][0]["sku"][0]["skuid"]')
  [ -n "$sku" ] || { record db-restart FAIL 0 0 - "no SKU on the home page"; return; }
  local uid; uid=$(primary_sql "SELECT id FROM users WHERE username = '$SHOPPER'")
  primary_sql "UPDATE skus SET stock = stock + 1000000 WHERE id = $sku"
  local stock0; stock0=$(primary_sql "SELECT stock FROM skus WHERE id = $sku")
  local sold0; sold0=$(live_units "$sku")
  local secs=$(( 2 * SECS )); [ "$secs" -ge 15 ] || secs=15
  log "db-restart: ${secs}s of catalog reads, order-history reads and buy-now orders of SKU $sku; restart the MariaDB primary 3 s in"
  local starts0; starts0=$(api_starts)
  db_loads_start db "$secs" "{\"settlement_type\":1,\"sku_id\":$sku,\"buy_count\":1,\"address_id\":$ADDRESS_ID}"
  sleep 3
  local t_down; t_down=$(now)
  local pid; pid=$(cat "$S/run/mysql-primary.pid")
  mariadb-admin --no-defaults -uroot -S "$S/run/mysql-primary.sock" shutdown
  for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  local down_for; down_for=$(since "$t_down")
  bash "$root/scripts/stack.sh" _start-primary >/dev/null
  local up; up=$(since "$t_down")
  local back=""
  for _ in $(seq 300); do
    http GET "$NGINX/v1/orders/$SHOPPER" "" "$TOKEN"
    [ "$CODE" = 200 ] && { back=$(since "$t_down"); break; }
    sleep 0.1
  done
  db_loads_result db
  local reqs=$DB_REQS fails=$DB_FAILS n5=$DB_N5 tmo=$DB_TMO detail=$DB_DETAIL ok_orders=$DB_OK_ORDERS
  # Nothing half written: the units taken from stock are the units in live order lines, and
  # every order of the shopper has its lines and the right count.
  local stock1 sold1 orders orphans wrong
  stock1=$(primary_sql "SELECT stock FROM skus WHERE id = $sku")
  sold1=$(live_units "$sku")
  order_integrity "$uid"; orders=$ORDERS orphans=$ORPHANS wrong=$WRONG
  local taken=$(( stock0 - stock1 )) in_lines=$(( sold1 - sold0 ))
  # Replication resumed after the primary came back.
  local running; running=$(replication_running 100)
  local starts1; starts1=$(api_starts)
  local ok=0 why=""
  [ -n "$back" ] || { ok=1; why+=" the pool did not recover;"; }
  [ "$n5" = 0 ] || { ok=1; why+=" $n5 5xx answers other than 503;"; }
  [ "$tmo" = 0 ] || { ok=1; why+=" $tmo requests timed out;"; }
  [ "$taken" = "$in_lines" ] || { ok=1; why+=" stock taken $taken != units in order lines $in_lines;"; }
  [ "$orphans" = 0 ] && [ "$wrong" = 0 ] || { ok=1; why+=" $orphans orders without lines, $wrong with a wrong count;"; }
  [ "$orders" -ge "$ok_orders" ] || { ok=1; why+=" $ok_orders orders answered 200 but only $orders stored;"; }
  [ "$running" = "Yes Yes " ] || { ok=1; why+=" replication not running again;"; }
  record db-restart "$ok" "$reqs" "$fails" "${back:-never}" "${why:+FAILED:$why }primary down ${down_for} s, up again ${up} s after the shutdown began; answers:$detail 5xx other than 503: $n5, time-outs $tmo; orders: $ok_orders answered 200, $orders stored (orders still in flight when wrk stopped, or committed under a 503, count here), stock taken $taken = units in live order lines $in_lines, orders without lines $orphans, wrong counts $wrong; replication: ${running:-?}; API restarts $((starts1 - starts0))"
}

# Order status of `order_id` on the primary (empty while it cannot be read).
order_status() { primary_sql "SELECT status FROM orders WHERE order_id = '$1'" 2>/dev/null; }

check_db_kill() {
  shopper || { record db-kill FAIL 0 0 - "no test shopper (registration failed)"; return; }
  local sku; sku=$(curl -s "$NGINX/v1/goods/index" | json 'd["data"][0]["sku"][0]["skuid"]')
  [ -n "$sku" ] || { record db-kill FAIL 0 0 - "no SKU on the home page"; return; }
  local uid; uid=$(primary_sql "SELECT id FROM users WHERE username = '$SHOPPER'")
  primary_sql "UPDATE skus SET stock = stock + 1000000 WHERE id = $sku"
  local order="{\"settlement_type\":1,\"sku_id\":$sku,\"buy_count\":1,\"address_id\":$ADDRESS_ID}"
  # The order paid during the outage: its cashier is open at the gateway.
  http POST "$NGINX/v1/orders/$SHOPPER" "$order" "$TOKEN"
  [ "$CODE" = 200 ] || { record db-kill FAIL 0 0 - "an order answered $CODE $BODY"; return; }
  local paid_id pay_url
  paid_id=$(json 'd["data"]["order_id"]' <<<"$BODY"); pay_url=$(json 'd["data"]["pay_url"]' <<<"$BODY")
  curl -s -o /dev/null --max-time 10 "$pay_url"
  # The order that runs out of time during the outage.
  http POST "$NGINX/v1/orders/$SHOPPER" "$order" "$TOKEN"
  [ "$CODE" = 200 ] || { record db-kill FAIL 0 0 - "an order answered $CODE $BODY"; return; }
  local late_id; late_id=$(json 'd["data"]["order_id"]' <<<"$BODY")
  local stock0; stock0=$(primary_sql "SELECT stock FROM skus WHERE id = $sku")
  local sold0; sold0=$(live_units "$sku")
  local secs=$(( 2 * SECS )); [ "$secs" -ge 15 ] || secs=15
  log "db-kill: ${secs}s of catalog reads, order-history reads and buy-now orders of SKU $sku; SIGKILL the MariaDB primary 3 s in, start it 5 s later; order $paid_id paid and order $late_id overdue meanwhile"
  local starts0; starts0=$(api_starts)
  db_loads_start dbk "$secs" "$order"
  sleep 3
  primary_sql "UPDATE orders SET pay_deadline = UNIX_TIMESTAMP() - 1 WHERE order_id = '$late_id'"
  local pid; pid=$(cat "$S/run/mysql-primary.pid")
  local t_down; t_down=$(now)
  kill -9 "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  # Paid while the database is down: the shop cannot record it yet.
  curl -s -o /dev/null --max-time 10 -X POST "$ALIPAY/_fake/pay" -H 'Content-Type: application/json' \
    -d "{\"out_trade_no\":\"$paid_id\"}"
  sleep 5
  bash "$root/scripts/stack.sh" _start-primary >/dev/null
  local t_up; t_up=$(now)
  local down_for; down_for=$(awk "BEGIN{printf \"%.1f\", $t_up - $t_down}")
  local back="" paid="" cancelled=""
  for _ in $(seq 900); do
    if [ -z "$back" ]; then
      http GET "$NGINX/v1/orders/$SHOPPER" "" "$TOKEN"
      [ "$CODE" = 200 ] && back=$(since "$t_up")
    fi
    [ -z "$paid" ] && [ "$(order_status "$paid_id")" = 2 ] && paid=$(since "$t_up")
    [ -z "$cancelled" ] && [ "$(order_status "$late_id")" = 5 ] && cancelled=$(since "$t_up")
    [ -n "$back" ] && [ -n "$paid" ] && [ -n "$cancelled" ] && break
    sleep 0.1
  done
  db_loads_result dbk
  local reqs=$DB_REQS fails=$DB_FAILS n5=$DB_N5 tmo=$DB_TMO detail=$DB_DETAIL ok_orders=$DB_OK_ORDERS
  # Nothing half written (as db-restart), the payment recorded once, the overdue order's
  # stock returned once (it is no longer in the live lines).
  local stock1 sold1 orders orphans wrong payments
  stock1=$(primary_sql "SELECT stock FROM skus WHERE id = $sku")
  sold1=$(live_units "$sku")
  order_integrity "$uid"; orders=$ORDERS orphans=$ORPHANS wrong=$WRONG
  payments=$(primary_sql "SELECT COUNT(*) FROM payments WHERE order_id = '$paid_id'")
  local taken=$(( stock0 - stock1 )) in_lines=$(( sold1 - sold0 ))
  local running; running=$(replication_running 150)
  local starts1; starts1=$(api_starts)
  local ok=0 why=""
  [ -n "$back" ] || { ok=1; why+=" the pool did not recover;"; }
  [ -n "$paid" ] || { ok=1; why+=" the payment made during the outage was never applied (status $(order_status "$paid_id"));"; }
  [ "$payments" = 1 ] || { ok=1; why+=" $payments payment records for the paid order;"; }
  [ -n "$cancelled" ] || { ok=1; why+=" the overdue order was never cancelled (status $(order_status "$late_id"));"; }
  [ "$n5" = 0 ] || { ok=1; why+=" $n5 5xx answers other than 503;"; }
  [ "$tmo" = 0 ] || { ok=1; why+=" $tmo requests timed out;"; }
  [ "$taken" = "$in_lines" ] || { ok=1; why+=" stock taken $taken != units in live order lines $in_lines;"; }
  [ "$orphans" = 0 ] && [ "$wrong" = 0 ] || { ok=1; why+=" $orphans orders without lines, $wrong with a wrong count;"; }
  [ "$orders" -ge "$ok_orders" ] || { ok=1; why+=" $ok_orders orders answered 200 but only $orders stored;"; }
  [ "$running" = "Yes Yes " ] || { ok=1; why+=" replication not running again;"; }
  [ "$starts1" = "$starts0" ] || { ok=1; why+=" an API process restarted;"; }
  record db-kill "$ok" "$reqs" "$fails" "${back:-never}" "${why:+FAILED:$why }primary SIGKILLed, started again after ${down_for} s; after its return: first 200 in ${back:-never} s, the payment of the outage applied in ${paid:-never} s, the overdue order cancelled by the sweep in ${cancelled:-never} s; answers:$detail 5xx other than 503: $n5, time-outs $tmo; orders: $ok_orders answered 200, $orders stored, stock taken $taken = units in live order lines $in_lines, orders without lines $orphans, wrong counts $wrong, payment records $payments; replication: ${running:-?}; API restarts $((starts1 - starts0))"
}

check_schemathesis() {
  # The pinned schemathesis, in its venv: `stack.sh install` puts it there (.ci/run runs it
  # first; this covers a standalone run).
  ST_VENV="$ST_VENV" bash "$root/scripts/stack.sh" install >"$S/test/schemathesis-install.log" 2>&1 || {
    record schemathesis SKIP 0 0 - "could not install schemathesis (test/schemathesis-install.log)"; return; }
  local max_time="${ST_MAX_TIME:-120}" checks="${ST_CHECKS:-not_a_server_error,response_schema_conformance}"
  # (Schemathesis 4.32's health check `filter_too_much` fails the run when its generator
  # throws away most drafts of an operation's input, as it does for Alipay's notification
  # form, POST /v1/orders/success/, whose fields carry patterns: a limit of the generator, not
  # an answer of the shop, so it is suppressed; the operation is still exercised. The other
  # generator health checks, too_slow, data_too_large and large_base_example, judge the
  # generator on a loaded 2-core machine, not the shop's answers: a run that passed every case
  # once exited 1 on one of them, so they are suppressed too. A failed run prints the end of
  # its log into the CI output.)
  # As a logged-in shopper, with {username} = that shopper, so that the operations behind a
  # token are exercised too (not only their 401/403). DELETE /v1/tokens is left out: it
  # would revoke the token for the rest of the run.
  shopper || { record schemathesis FAIL 0 0 - "no test shopper (registration failed)"; return; }
  printf '# Written by scripts/stack-test.sh\nheaders = { Authorization = "Bearer %s" }\n\n[parameters]\n"path.username" = "%s"\n' \
    "$TOKEN" "$SHOPPER" >"$S/test/schemathesis.toml"
  log "schemathesis $("$ST_VENV/bin/st" --version | awk '{print $NF}'): $NGINX/openapi.json as $SHOPPER, checks $checks, at most ${max_time}s"
  local t0; t0=$(now)
  local rc=0 seed="${ST_SEED:-1}" first=""
  st_run "$seed" "$max_time" "$checks" || rc=$?
  # One worker (ST_WORKERS): with two, Hypothesis (under schemathesis 4.32.5) describes its
  # strategies by parsing source with `ast.parse` in both threads at once, and CPython 3.11
  # (this machine's) sometimes fails that with "SystemError: AST constructor recursion depth
  # mismatch" (CPython issue gh-106905); schemathesis reports it as an unclassified "Runtime
  # Error" and exits 1 (CI did, with every one of 7,445 cases passed; a rehearsal did, in the
  # coverage phase of POST /v1/admin/skus/{id}/pictures). Should such an error of the tool
  # itself still end a run, that run, and only such a run (no failed case; no network,
  # time-out or schema error), is run once more with the next seed; both runs are printed.
  # Any failure of a check, or any error of another kind, fails at once.
  if [ "$rc" != 0 ] && st_engine_errors_only "$S/test/schemathesis.log"; then
    first="first run (seed $seed): only schemathesis's own runtime error, every case passed: $(st_cases "$S/test/schemathesis.log"); "
    st_print_errors "$rc"
    mv "$S/test/schemathesis.log" "$S/test/schemathesis-first.log"
    rm -rf "$S/test/schemathesis-first" && mv "$S/test/schemathesis" "$S/test/schemathesis-first"
    log "schemathesis: again with seed $((seed + 1))"
    rc=0
    st_run "$((seed + 1))" "$max_time" "$checks" || rc=$?
  fi
  local took; took=$(since "$t0")
  # Requests sent: the ndjson event stream has one record per call.
  local reqs fails
  reqs=$(grep -o '"response":' "$S/test/schemathesis/"*.ndjson 2>/dev/null | wc -l)
  fails=$(grep -cE '^(_+ |[0-9]+\. )' "$S/test/schemathesis.log" 2>/dev/null)
  if [ "$rc" != 0 ]; then st_print_errors "$rc"; fi
  record schemathesis $(( rc != 0 )) "${reqs:-?}" "$([ "$rc" = 0 ] && echo 0 || echo "${fails:-?}")" - "${first}exit $rc in ${took} s; test cases: $(st_cases "$S/test/schemathesis.log"); requests = answers in the NDJSON report (log test/schemathesis.log)"
}

# st_run <seed> <max time> <checks>: one schemathesis run, its log in test/schemathesis.log and
# its reports in test/schemathesis/; its exit status.
st_run() {
  (cd "$S/test" && "$ST_VENV/bin/st" --config-file "$S/test/schemathesis.toml" run "$NGINX/openapi.json" \
    --url "$NGINX" --checks "$3" --exclude-name 'DELETE /v1/tokens' \
    --max-time "$2" --max-examples "${ST_MAX_EXAMPLES:-50}" --workers "${ST_WORKERS:-1}" --seed "$1" \
    --request-timeout 15 --no-color --report junit,ndjson --report-dir "$S/test/schemathesis" \
    --suppress-health-check=filter_too_much,too_slow,data_too_large,large_base_example \
    >"$S/test/schemathesis.log" 2>&1)
}

# st_cases <log>: the summary's test case line ("7445 generated, 7445 passed").
st_cases() {
  local line; line=$(grep -A1 '^Test cases:' "$1" | tail -1 | sed 's/^ *//')
  echo "${line:-?}"
}

# st_engine_errors_only <log>: true when the run's summary lists errors of the kind "Runtime
# Error" only (schemathesis's own, unclassified) and no generated case failed (each passed or
# was skipped).
st_engine_errors_only() {
  local errors cases generated passed skipped
  errors=$(sed -n '/^Errors:/,/^$/p' "$1" | sed '1d;/^$/d')
  [ -n "$errors" ] || return 1
  printf '%s\n' "$errors" | grep -qv 'Runtime Error:' && return 1
  grep -q '^=* *FAILURES *=*$' "$1" && return 1
  cases=$(st_cases "$1")
  printf '%s' "$cases" | grep -qE '^[0-9]+ generated, [0-9]+ passed(, [0-9]+ skipped)?$' || return 1
  generated=$(printf '%s' "$cases" | sed -E 's/^([0-9]+) generated.*/\1/')
  passed=$(printf '%s' "$cases" | sed -E 's/.* ([0-9]+) passed.*/\1/')
  skipped=$(printf '%s' "$cases" | sed -nE 's/.* ([0-9]+) skipped$/\1/p')
  [ "$generated" = "$((passed + ${skipped:-0}))" ]
}

# st_print_errors <exit status>: the errors and failures sections of test/schemathesis.log (a
# run's errors, a time-out or a reset connection, are named in their own section, above the
# summary), then the end of the log, into the CI output.
st_print_errors() {
  log "schemathesis exited $1; its errors and failures:"
  sed -n '/^=* *\(ERRORS\|FAILURES\) *=*$/,/^=* *WARNINGS\|^=* *SUMMARY/p' "$S/test/schemathesis.log" | head -n 200 >&2 || true
  log "the end of its log:"
  tail -n 80 "$S/test/schemathesis.log" >&2 || true
}

check_e2e() {
  if [ ! -x "$root/end2end/node_modules/.bin/playwright" ]; then
    record e2e SKIP 0 0 - "end2end/node_modules missing (bash scripts/setup.sh --browser)"; return
  fi
  # The suite's dadashop() fixture runs CLI commands with the settings in this file.
  local settings="${TMPDIR:-/tmp}/dadashop-e2e-8080.env"
  printf 'set -a\n. %q\nset +a\n' "$S/env" >"$settings"
  # The fake Weibo identities of the suite are fixed, and each test expects them unbound, as
  # on the fresh database of scripts/e2e-server.sh: forget earlier runs' bindings.
  primary_sql "DELETE FROM weibo_users"
  # A product page through nginx comes rendered from a web origin process (server/src/ssr.rs):
  # the product's name and price are in the HTML itself, with the page's own CSP.
  local html headers why=""
  # (without the `<!>` comments that mark dynamic text for hydration)
  html=$(curl -s -D "$S/test/ssr.headers" "$NGINX/product/1" | sed 's/<!>//g')
  headers=$(cat "$S/test/ssr.headers")
  grep -q '达达旅行 轻盈拉杆箱 黑色 20寸</h1>' <<<"$html" || why+=" no product name in the body;"
  grep -q '¥299.00' <<<"$html" || why+=" no price;"
  grep -q 'id="dadashop-preloaded"' <<<"$html" || why+=" no preloaded goods;"
  grep -qi "^content-security-policy: .*script-src 'self' 'wasm-unsafe-eval' 'sha256-" <<<"$headers" || why+=" no page CSP;"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$NGINX/product/999999")" = 404 ] || why+=" unknown product not 404;"
  record ssr $([ -z "$why" ] && echo 0 || echo 1) 2 0 - "${why:+FAILED:$why }GET /product/1 through nginx: rendered by the web origin ($(wc -c <<<"$html") bytes, name and price in the body); /product/999999 404"
  log "e2e: the Playwright suite against the nginx one-origin shape ($NGINX)"
  local t0; t0=$(now) rc=0
  (cd "$root/end2end" && E2E_WEB_PORT=8080 E2E_API_PORT=8080 E2E_WEIBO_PORT=19100 E2E_SMS_PORT=19200 \
    E2E_SMTP_PORT=19300 E2E_SMTP_HTTP_PORT=19301 E2E_ALIPAY_PORT=19400 \
    npx playwright test -c playwright.stack.config.ts) >"$S/test/e2e.log" 2>&1 || rc=$?
  rm -f "$settings"
  local took; took=$(since "$t0")
  local p f k
  p=$(grep -oE '^ *[0-9]+ passed' "$S/test/e2e.log" | awk '{print $1}' | tail -1)
  f=$(grep -oE '^ *[0-9]+ failed' "$S/test/e2e.log" | awk '{print $1}' | tail -1)
  k=$(grep -oE '^ *[0-9]+ skipped' "$S/test/e2e.log" | awk '{print $1}' | tail -1)
  local names; names=$(grep -E '^ +[0-9]+\) ' "$S/test/e2e.log" | sed 's/^ *//' | head -5 | tr '\n' ';')
  # The weight test's figure through nginx (the page and the JSON gzipped on the fly).
  local weight; weight=$(grep -oE 'first load: [0-9]+ bytes over the wire in [0-9]+ responses, FCP [0-9]+ ms' "$S/test/e2e.log" | head -1)
  record e2e $(( rc != 0 )) "$(( ${p:-0} + ${f:-0} ))" "${f:-0}" - "Playwright through nginx: ${p:-0} passed, ${f:-0} failed, ${k:-0} skipped in ${took} s${names:+; failed: $names}${weight:+; home page $weight} (log test/e2e.log)"
  [ "$rc" = 0 ] || tail -40 "$S/test/e2e.log"
}

for c in "${checks[@]}"; do
  case "$c" in
    baseline) check_baseline ;;
    kill-api) check_kill_api ;;
    reload) check_reload ;;
    replica) check_replica ;;
    replica-lag) check_replica_lag ;;
    redis) check_redis ;;
    db-restart) check_db_restart ;;
    db-kill) check_db_kill ;;
    schemathesis) check_schemathesis ;;
    e2e) check_e2e ;;
    *) log "unknown check $c"; exit 2 ;;
  esac
done

echo
echo "stack-test summary (load: $CONNS connections, ${SECS}s, GET $PATH_UNDER_LOAD unless noted; reports in $S/test/)"
printf '| %-16s | %-6s | %9s | %7s | %10s | %s |\n' check result requests failed "recovery s" notes
printf '|%s|%s|%s|%s|%s|%s|\n' ------------------ -------- ----------- --------- ------------ -------
printf '%s\n' "${summary[@]}"
echo "stack-test: $n_pass passed, $n_fail failed, $n_skip skipped"
[ "$n_fail" = 0 ]
