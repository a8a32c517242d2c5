#!/usr/bin/env bash
# The quick start: builds the SPA and the server (release) and runs the shop on SQLite with
# the demo catalog: API on http://127.0.0.1:8000, shop on http://127.0.0.1:7000.
# Data lives in ./data (database, development JWT secret) and ./media (product images).
#
# Weibo login runs against the local fake provider (fake-weibo on 127.0.0.1:9100, test
# accounts, no Weibo account needed) unless WEIBO_CLIENT_ID is set: then the WEIBO_* settings
# of the environment (the real Weibo by default) are used as they are.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build-spa.sh
cargo build --release -p dadashop-server -p dadashop-fakes
target="${CARGO_TARGET_DIR:-$root/target}"

fake_pid=""
if [ -z "${WEIBO_CLIENT_ID:-}" ]; then
  fake="${FAKE_WEIBO_ADDR:-127.0.0.1:9100}"
  export WEIBO_CLIENT_ID=3825791046 WEIBO_CLIENT_SECRET=dev-weibo-app-secret
  export WEIBO_AUTHORIZE_URL="http://$fake/oauth2/authorize"
  export WEIBO_TOKEN_URL="http://$fake/oauth2/access_token"
  export WEIBO_API_BASE="http://$fake"
  FAKE_WEIBO_ADDR="$fake" "$target/release/fake-weibo" &
  fake_pid=$!
  trap '[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null' EXIT INT TERM
  echo "dadashop: Weibo login uses the local fake provider on http://$fake"
fi
# SMS codes and mails (activation links, reset codes) are printed on this terminal, in lines
# starting [短信] and [邮件] (SMS_PROVIDER=console, MAIL_TRANSPORT=console: the defaults);
# MAIL_TRANSPORT=file puts the mails into data/outbox/ instead.
echo "dadashop: SMS codes and mails appear below as [短信] and [邮件] lines (no SMS or mail account needed)"
echo "dadashop: open http://127.0.0.1:7000 (API on http://127.0.0.1:8000); Ctrl-C stops it"
"$target/release/dadashop" serve
