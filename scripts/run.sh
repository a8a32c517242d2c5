#!/usr/bin/env bash
# The quick start: builds the SPA and the server (release) and runs the shop on SQLite with
# the demo catalog: API on http://127.0.0.1:8000, shop on http://127.0.0.1:7000.
# Data lives in ./data (database, development JWT secret) and ./media (product images).
#
# Weibo login runs against the local fake provider (fake-weibo on 127.0.0.1:9100, test
# accounts, no Weibo account needed) unless WEIBO_CLIENT_ID is set: then the WEIBO_* settings
# of the environment (the real Weibo by default) are used as they are.
# Payment runs against the local fake Alipay gateway (fake-alipay on 127.0.0.1:9400, its
# cashier page pays any order, no Alipay account needed) unless ALIPAY_APP_ID is set: then the
# ALIPAY_* settings of the environment (the real gateway by default) are used as they are.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build-spa.sh
cargo build --release -p dadashop-server -p dadashop-fakes
target="${CARGO_TARGET_DIR:-$root/target}"

fake_pid="" alipay_pid=""
trap 'kill $fake_pid $alipay_pid 2>/dev/null' EXIT INT TERM
if [ -z "${WEIBO_CLIENT_ID:-}" ]; then
  fake="${FAKE_WEIBO_ADDR:-127.0.0.1:9100}"
  export WEIBO_CLIENT_ID=3825791046 WEIBO_CLIENT_SECRET=dev-weibo-app-secret
  export WEIBO_AUTHORIZE_URL="http://$fake/oauth2/authorize"
  export WEIBO_TOKEN_URL="http://$fake/oauth2/access_token"
  export WEIBO_API_BASE="http://$fake"
  FAKE_WEIBO_ADDR="$fake" "$target/release/fake-weibo" &
  fake_pid=$!
  echo "dadashop: Weibo login uses the local fake provider on http://$fake"
fi
if [ -z "${ALIPAY_APP_ID:-}" ]; then
  gateway="${FAKE_ALIPAY_ADDR:-127.0.0.1:9400}"
  # The shop's app key pair (kept in data/alipay) and the fake gateway's (data/fake-alipay),
  # made on the first run.
  [ -f data/alipay/app_private.pem ] || "$target/release/dadashop" alipay keygen --dir data/alipay
  FAKE_ALIPAY_ADDR="$gateway" FAKE_ALIPAY_APP_PUBLIC_KEY=data/alipay/app_public.pem \
    FAKE_ALIPAY_KEY_DIR=data/fake-alipay "$target/release/fake-alipay" &
  alipay_pid=$!
  for _ in $(seq 120); do [ -f data/fake-alipay/gateway_public.pem ] && break; sleep 0.5; done
  export ALIPAY_APP_ID=2021000000000001 ALIPAY_GATEWAY_URL="http://$gateway/gateway.do"
  export ALIPAY_APP_PRIVATE_KEY=data/alipay/app_private.pem ALIPAY_PUBLIC_KEY=data/fake-alipay/gateway_public.pem
  echo "dadashop: payment uses the local fake Alipay gateway on http://$gateway (its 确认付款 button pays)"
fi
# SMS codes and mails (activation links, reset codes) are printed on this terminal, in lines
# starting [短信] and [邮件] (SMS_PROVIDER=console, MAIL_TRANSPORT=console: the defaults);
# MAIL_TRANSPORT=file puts the mails into data/outbox/ instead.
echo "dadashop: SMS codes and mails appear below as [短信] and [邮件] lines (no SMS or mail account needed)"
echo "dadashop: open http://127.0.0.1:7000 (API on http://127.0.0.1:8000); Ctrl-C stops it"
"$target/release/dadashop" serve
