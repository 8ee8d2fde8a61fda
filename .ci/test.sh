#!/usr/bin/env bash
# Runs every test after `make build`: unit and integration tests on SQLite and
# PostgreSQL, then the Playwright suite in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_dir=""
log=$(mktemp /tmp/laurel-test-log.XXXXXX)
cleanup() { [ -n "$pg_dir" ] && bash .ci/pg.sh stop "$pg_dir"; rm -f "$log"; }
trap cleanup EXIT
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  pg_dir=$(mktemp -d /tmp/laurel-pg.XXXXXX)
  TEST_POSTGRES_URL=$(bash .ci/pg.sh start "$pg_dir")
  export TEST_POSTGRES_URL
  echo "==> throw-away PostgreSQL at $TEST_POSTGRES_URL"
fi

echo "==> formatting and lints"
cargo fmt --all -- --check
cargo clippy --release -p server --tests --benches -- -D warnings
cargo clippy --release -p app --features ssr --tests -- -D warnings

echo "==> unit and store/domain tests (SQLite + PostgreSQL)"
cargo test --release -p app --features ssr 2>&1 | tee -a "$log"
echo "==> server tests over HTTP against the real binary (SQLite + PostgreSQL)"
cargo test --release -p server 2>&1 | tee -a "$log"

echo "==> Playwright (Chromium)"
(cd end2end && npx playwright test) 2>&1 | tee -a "$log"

# One closing line for the whole run (pipefail above already failed on any failure).
passed=$(grep -oE '(^test result: ok\. [0-9]+ passed|^ +[0-9]+ passed)' "$log" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -oE '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
echo "summary: $passed passed, $failed failed"
