#!/usr/bin/env bash
# Runs every test: the CSS lint (stylelint), unit tests, the API integration tests (SQLite always; MariaDB + Redis when
# TEST_MYSQL_URL / TEST_REDIS_URL are set, as .ci/run does), then the Playwright suite in
# Chromium against the real `dadashop serve` on 127.0.0.1:7000 + 8000 (E2E_WEB_PORT,
# E2E_API_PORT and E2E_WEIBO_PORT move the suite's ports), and last the production shape:
# scripts/stack.sh starts nginx, two API processes, the worker, MariaDB primary + replica and
# Redis + Sentinels from the debug build, scripts/stack-test.sh runs its load and failure
# checks with short loads (LOAD_SECS=6), and the stack is stopped again (STACK_TEST=0 skips
# this stage; its checks then count as skipped).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh --browser

echo "== CSS lint (stylelint, standard config: end2end/stylelint.config.mjs)"
(cd end2end && npx stylelint --config stylelint.config.mjs "../style/**/*.css")

# The S3-compatible server of the object storage tests (moto, installed by
# `bash scripts/stack.sh install`): the tests start it on a random port.
if [ -z "${TEST_S3_SERVER:-}" ] && [ -x "${S3_VENV:-$HOME/.cache/dadashop/moto-venv}/bin/moto_server" ]; then
  export TEST_S3_SERVER="${S3_VENV:-$HOME/.cache/dadashop/moto-venv}/bin/moto_server"
fi
if [ -n "${TEST_MYSQL_URL:-}" ]; then backends="SQLite and MariaDB${TEST_REDIS_URL:+ + Redis}"; else backends="SQLite only: TEST_MYSQL_URL is unset, the ::mariadb cases are ignored and counted as skipped"; fi
echo "== unit and API integration tests ($backends)"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
cargo test --workspace --exclude frontend 2>&1 | tee "$logs/cargo.log"

echo "== SPA build"
bash scripts/build-spa.sh
cargo build -p dadashop-server -p dadashop-fakes

echo "== Playwright end-to-end tests (Chromium)"
(cd end2end && npx playwright test) 2>&1 | tee "$logs/e2e.log"

echo "== production shape: scripts/stack.sh + scripts/stack-test.sh (nginx, MariaDB replica, Redis Sentinel)"
stack_rc=0
if [ "${STACK_TEST:-1}" = 0 ]; then
  echo "stack-test: 0 passed, 0 failed, 13 skipped (STACK_TEST=0)" >"$logs/stack.log"
else
  stack_dir="$(mktemp -d -t dadashop-stack.XXXXXX)"
  rmdir "$stack_dir"
  target="${CARGO_TARGET_DIR:-$root/target}"
  export STACK_DIR="$stack_dir" DADASHOP_BIN="$target/debug/dadashop"
  {
    if bash scripts/stack.sh start; then
      LOAD_SECS="${LOAD_SECS:-6}" ST_MAX_TIME="${ST_MAX_TIME:-60}" bash scripts/stack-test.sh || stack_rc=$?
    else
      stack_rc=1
      echo "stack-test: 0 passed, 1 failed, 0 skipped (scripts/stack.sh start failed; logs in $stack_dir/logs)"
      tail -20 "$stack_dir"/logs/*.log 2>/dev/null || true
    fi
    bash scripts/stack.sh stop || true
    echo "$stack_rc" >"$logs/stack.rc"
  } 2>&1 | tee "$logs/stack.log"
  stack_rc=$(cat "$logs/stack.rc" 2>/dev/null || echo 1)
  unset STACK_DIR DADASHOP_BIN
fi
grep -q '^stack-test: ' "$logs/stack.log" || { stack_rc=1; echo "stack-test: 0 passed, 1 failed, 0 skipped" >>"$logs/stack.log"; }

# One closing line over all suites.
sum() { awk -v re="$2" '{ if (match($0, re)) { split(substr($0, RSTART, RLENGTH), w, " "); n += w[1] } } END { print n + 0 }' "$1"; }
rust_passed=$(sum "$logs/cargo.log" "[0-9]+ passed")
rust_failed=$(sum "$logs/cargo.log" "[0-9]+ failed")
rust_skipped=$(sum "$logs/cargo.log" "[0-9]+ ignored")
e2e_passed=$(sum "$logs/e2e.log" "^ *[0-9]+ passed")
e2e_failed=$(sum "$logs/e2e.log" "^ *[0-9]+ failed")
e2e_skipped=$(sum "$logs/e2e.log" "^ *[0-9]+ skipped")
# The stack checks (one test each), from stack-test's last line.
stack_count() { awk -v w="$1" '/^stack-test: / { for (i = 2; i <= NF; i++) if ($i ~ "^" w) n = $(i - 1) } END { print n + 0 }' "$logs/stack.log"; }
stack_passed=$(stack_count passed)
stack_failed=$(stack_count failed)
stack_skipped=$(stack_count skipped)
[ "$stack_rc" = 0 ] || [ "$stack_failed" -gt 0 ] || stack_failed=1
echo "cargo test: $rust_passed passed, $rust_skipped skipped; Playwright: $e2e_passed passed, $e2e_skipped skipped; stack checks: $stack_passed passed, $stack_failed failed, $stack_skipped skipped"
echo "tests: $((rust_passed + e2e_passed + stack_passed)) passed, $((rust_failed + e2e_failed + stack_failed)) failed, $((rust_skipped + e2e_skipped + stack_skipped)) skipped"
[ "$stack_failed" = 0 ]
