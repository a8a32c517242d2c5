#!/usr/bin/env bash
# Runs every test: unit tests, the API integration tests (SQLite always; MariaDB + Redis when
# TEST_MYSQL_URL / TEST_REDIS_URL are set, as .ci/run does), then the Playwright suite in
# Chromium against the real `dadashop serve` on 127.0.0.1:7000 + 8000.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh --browser

echo "== unit and API integration tests (TEST_MYSQL_URL=${TEST_MYSQL_URL:+set}${TEST_MYSQL_URL:-unset: MariaDB cases skip})"
cargo test --workspace --exclude frontend

echo "== SPA build"
bash scripts/build-spa.sh
cargo build -p dadashop-server

echo "== Playwright end-to-end tests (Chromium)"
cd end2end
npx playwright test
