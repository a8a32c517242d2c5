#!/usr/bin/env bash
# Starts the real shop for the Playwright suite: `dadashop serve` with a fresh SQLite database
# and media directory in a temporary folder (demo catalog seeded), the API on 127.0.0.1:8000
# and the SPA from dist/ on 127.0.0.1:7000 (E2E_API_PORT / E2E_WEB_PORT move them, so two
# checkouts can run the suite side by side), the fake Weibo provider on 127.0.0.1:9100
# (E2E_WEIBO_PORT), the fake Ronglian SMS provider on 127.0.0.1:9200 (E2E_SMS_PORT) and the
# SMTP capture server on 127.0.0.1:9300 with its JSON view on :9301 (E2E_SMTP_PORT,
# E2E_SMTP_HTTP_PORT): registration needs a real SMS code (REGISTER_REQUIRE_SMS keeps its
# default, true) and the tests read codes and mails from the fakes.
# Expects `cargo build -p dadashop-server -p dadashop-fakes` and
# `trunk build --release` to have run (scripts/test.sh does both).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="${DADASHOP_BIN:-$target/debug/dadashop}"
fake_weibo="$(dirname "$bin")/fake-weibo"
fake_sms="$(dirname "$bin")/fake-sms"
fake_smtp="$(dirname "$bin")/fake-smtp"
for tool in "$bin" "$fake_weibo" "$fake_sms" "$fake_smtp"; do
  if [ ! -x "$tool" ]; then
    echo "e2e-server: $tool not found; run cargo build -p dadashop-server -p dadashop-fakes first" >&2
    exit 1
  fi
done
api_port="${E2E_API_PORT:-8000}" web_port="${E2E_WEB_PORT:-7000}" weibo_port="${E2E_WEIBO_PORT:-9100}"
sms_port="${E2E_SMS_PORT:-9200}" smtp_port="${E2E_SMTP_PORT:-9300}" smtp_http_port="${E2E_SMTP_HTTP_PORT:-9301}"
work="$(mktemp -d -t dadashop-e2e.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export DADASHOP_ENV=development
export DATABASE_URL="sqlite://$work/data/dadashop.db"
export DATA_DIR="$work/data" MEDIA_DIR="$work/media" DIST_DIR="$root/dist"
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
# Not exec: the trap must remove the temporary folder when the server stops.
FAKE_WEIBO_ADDR="127.0.0.1:$weibo_port" "$fake_weibo" &
fake_pid=$!
FAKE_SMS_ADDR="127.0.0.1:$sms_port" "$fake_sms" &
sms_pid=$!
FAKE_SMTP_ADDR="127.0.0.1:$smtp_port" FAKE_SMTP_HTTP_ADDR="127.0.0.1:$smtp_http_port" "$fake_smtp" &
smtp_pid=$!
"$bin" serve &
pid=$!
trap 'kill "$pid" "$fake_pid" "$sms_pid" "$smtp_pid" 2>/dev/null; wait "$pid" "$fake_pid" "$sms_pid" "$smtp_pid" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
wait "$pid"
