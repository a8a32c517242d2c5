#!/usr/bin/env bash
# Runs every test: unit tests, the API integration tests (SQLite always; MariaDB + Redis when
# TEST_MYSQL_URL / TEST_REDIS_URL are set, as .ci/run does), then the Playwright suite in
# Chromium against the real `dadashop serve` on 127.0.0.1:7000 + 8000 (E2E_WEB_PORT,
# E2E_API_PORT and E2E_WEIBO_PORT move the suite's ports).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh --browser

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

# One closing line over both suites.
sum() { awk -v re="$2" '{ if (match($0, re)) { split(substr($0, RSTART, RLENGTH), w, " "); n += w[1] } } END { print n + 0 }' "$1"; }
rust_passed=$(sum "$logs/cargo.log" "[0-9]+ passed")
rust_failed=$(sum "$logs/cargo.log" "[0-9]+ failed")
rust_skipped=$(sum "$logs/cargo.log" "[0-9]+ ignored")
e2e_passed=$(sum "$logs/e2e.log" "^ *[0-9]+ passed")
e2e_failed=$(sum "$logs/e2e.log" "^ *[0-9]+ failed")
e2e_skipped=$(sum "$logs/e2e.log" "^ *[0-9]+ skipped")
echo "cargo test: $rust_passed passed, $rust_skipped skipped; Playwright: $e2e_passed passed, $e2e_skipped skipped"
echo "tests: $((rust_passed + e2e_passed)) passed, $((rust_failed + e2e_failed)) failed, $((rust_skipped + e2e_skipped)) skipped"
