#!/usr/bin/env bash
# Failure tests through the production shape that scripts/stack.sh runs (first cut; not in
# CI yet). Needs the stack up (`bash scripts/stack.sh start`) and wrk (Debian package `wrk`,
# installed when missing).
#
# Under a steady, bounded load of idempotent GETs through nginx (wrk, LOAD_CONNS connections,
# 2 threads, LOAD_SECS seconds, catalog home /v1/goods/index):
#   baseline  no fault; also the same load straight at one API process, for comparison
#   kill-api  SIGKILL one API process 5 s in: zero failed requests (nginx retries the GETs
#             on the other process: proxy_next_upstream), and the restart loop brings the
#             process back (time to /healthz 200 is reported)
#   reload    `nginx -s reload` with a changed upstream (least_conn on, then off again)
#             5 s and 10 s in: zero failed requests with a new connection per request;
#             with keep-alive, zero non-2xx answers (see check_reload for the idle
#             connections that the old workers close)
#   replica   the MariaDB replica shut down: catalog reads keep answering (today the API
#             reads the primary only; once DATABASE_REPLICA_URL is read, this checks the
#             fallback), then the replica is started again and replicates
# "Failed" = non-2xx/3xx answers + socket errors (connect, read, write, time-out) as wrk
# counts them. Prints a summary; exits 1 when a check failed.
#
#   bash scripts/stack-test.sh            # all checks
#   bash scripts/stack-test.sh kill-api   # some of: baseline kill-api reload replica
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
S="${STACK_DIR:-/tmp/dadashop-stack}"
SECS="${LOAD_SECS:-20}"
CONNS="${LOAD_CONNS:-16}"
NGINX=http://127.0.0.1:8080
API_PORTS=(18001 18002)
PATH_UNDER_LOAD="${LOAD_PATH:-/v1/goods/index}"
checks=("$@")
[ "${#checks[@]}" -gt 0 ] || checks=(baseline kill-api reload replica)

log() { printf '[stack-test %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
[ -f "$S/run/nginx.pid" ] || { log "the stack is not running: bash scripts/stack.sh start"; exit 2; }
if ! command -v wrk >/dev/null; then
  log "installing wrk"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >/dev/null || exit 2
fi
mkdir -p "$S/test"

summary=()
failed=0

# load_start <name> <url> [wrk options]: wrk in the background; its report goes to
# test/<name>.wrk.
load_start() {
  local name="$1" url="$2"; shift 2
  wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s --latency "$@" "$url" >"$S/test/$name.wrk" 2>&1 &
  LOAD_PID=$!
}

# Reads a wrk report: sets REQS, FAILS (non-2xx/3xx + socket errors), RPS, P99.
load_result() {
  local f="$S/test/$1.wrk"
  REQS=$(awk '/requests in/ {print $1}' "$f")
  local non2xx sock
  non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' "$f")
  sock=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$f")
  FAILS=$(( ${non2xx:-0} + ${sock:-0} ))
  RPS=$(awk '/Requests\/sec/ {print $2}' "$f")
  P99=$(awk '$1 == "99%" {print $2}' "$f")
  SOCK="${sock:-0}" NON2XX="${non2xx:-0}"
}

record() { # record <check> <ok 0/1> <text>
  local status=PASS
  if [ "$2" != 0 ]; then status=FAIL; failed=1; fi
  summary+=("$(printf '%-9s %s  %s' "$1" "$status" "$3")")
  log "$1: $status  $3"
}

check_baseline() {
  log "baseline: ${SECS}s, $CONNS connections, through nginx, then straight at :${API_PORTS[0]}"
  load_start baseline-nginx "$NGINX$PATH_UNDER_LOAD"; wait "$LOAD_PID"
  load_result baseline-nginx
  local via="nginx (2 API processes): $REQS requests, $RPS req/s, p99 $P99, failed $FAILS"
  local ok=$(( FAILS > 0 ))
  load_start baseline-direct "http://127.0.0.1:${API_PORTS[0]}$PATH_UNDER_LOAD"; wait "$LOAD_PID"
  load_result baseline-direct
  record baseline "$ok" "$via; direct (1 process): $REQS requests, $RPS req/s, p99 $P99, failed $FAILS"
}

check_kill_api() {
  local name="api-${API_PORTS[0]}"
  local before; before=$(cat "$S/run/$name.pid")
  local starts0; starts0=$(grep -c ' start ' "$S/logs/$name.restarts")
  log "kill-api: ${SECS}s of load; SIGKILL $name (pid $before) 5 s in"
  load_start kill-api "$NGINX$PATH_UNDER_LOAD"
  sleep 5
  local t_kill; t_kill=$(date +%s.%N)
  kill -KILL "$before"
  local back="" now
  for _ in $(seq 300); do
    now=$(cat "$S/run/$name.pid" 2>/dev/null)
    if [ -n "$now" ] && [ "$now" != "$before" ] &&
      curl -fsS -o /dev/null "http://127.0.0.1:${API_PORTS[0]}/healthz" 2>/dev/null; then
      back=$(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t_kill}")
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
  record kill-api "$ok" "$REQS requests, failed $FAILS (non-2xx $NON2XX, socket $SOCK); $name restarted (pid $before -> ${now:-none}), /healthz 200 again ${back:-never} s after the kill"
}

# Two reloads (least_conn on, then off) 5 s and 10 s into a load run.
reload_twice() {
  local conf="$S/nginx/dadashop.conf"
  sleep 5
  sed -i 's/^    # least_conn;/    least_conn;/' "$conf"
  nginx -c "$S/nginx/nginx.conf" -p "$S/nginx" -s reload 2>/dev/null
  sleep 5
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
  log "reload: ${SECS}s of load (one connection per request); nginx -s reload with least_conn on (5 s in) and off (10 s in)"
  load_start reload "$NGINX$PATH_UNDER_LOAD" -H "Connection: close"
  reload_twice
  wait "$LOAD_PID"
  load_result reload
  local ok=0 strict="$REQS requests, failed $FAILS (non-2xx $NON2XX, socket $SOCK)"
  [ "$FAILS" = 0 ] || ok=1
  log "reload: the same with keep-alive connections"
  load_start reload-keepalive "$NGINX$PATH_UNDER_LOAD"
  reload_twice
  wait "$LOAD_PID"
  load_result reload-keepalive
  [ "$NON2XX" = 0 ] || ok=1
  record reload "$ok" "two reloads: new connection per request: $strict; keep-alive: $REQS requests, non-2xx $NON2XX, $SOCK idle keep-alive connections closed by the old workers (the client must resend)"
}

replica_sql() { mariadb --no-defaults -uroot -S "$S/run/mysql-replica.sock" -e "$1"; }

check_replica() {
  local secs=$(( SECS / 2 )); [ "$secs" -ge 5 ] || secs=5
  log "replica: shut the MariaDB replica down, ${secs}s of catalog reads"
  mariadb-admin --no-defaults -uroot -S "$S/run/mysql-replica.sock" shutdown
  local pid; pid=$(cat "$S/run/mysql-replica.pid")
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  SECS_SAVE="$SECS"; SECS="$secs"
  load_start replica "$NGINX$PATH_UNDER_LOAD"; wait "$LOAD_PID"
  SECS="$SECS_SAVE"
  load_result replica
  local ok=0
  [ "$FAILS" = 0 ] || ok=1
  bash "$root/scripts/stack.sh" _start-replica >/dev/null
  replica_sql "START SLAVE" 2>/dev/null
  local running=""
  for _ in $(seq 100); do
    running=$(replica_sql 'SHOW SLAVE STATUS\G' | awk '/Slave_(IO|SQL)_Running:/ {printf "%s ", $2}')
    [ "$running" = "Yes Yes " ] && break
    sleep 0.1
  done
  [ "$running" = "Yes Yes " ] || ok=1
  record replica "$ok" "replica down: $REQS catalog reads, failed $FAILS; replica back, replication IO/SQL running: ${running:-?}"
}

for c in "${checks[@]}"; do
  case "$c" in
    baseline) check_baseline ;;
    kill-api) check_kill_api ;;
    reload) check_reload ;;
    replica) check_replica ;;
    *) log "unknown check $c"; exit 2 ;;
  esac
done

echo
echo "stack-test summary (load: $CONNS connections, ${SECS}s, GET $PATH_UNDER_LOAD; wrk reports in $S/test/)"
printf '  %s\n' "${summary[@]}"
exit "$failed"
