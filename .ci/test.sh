#!/usr/bin/env bash
# Runs every test after `make build`: unit and integration tests on SQLite and
# PostgreSQL, then the Playwright suite in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_dir=""
cleanup() { [ -n "$pg_dir" ] && bash .ci/pg.sh stop "$pg_dir"; }
trap cleanup EXIT
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  pg_dir=$(mktemp -d /tmp/laurel-pg.XXXXXX)
  TEST_POSTGRES_URL=$(bash .ci/pg.sh start "$pg_dir")
  export TEST_POSTGRES_URL
  echo "==> throw-away PostgreSQL at $TEST_POSTGRES_URL"
fi

echo "==> unit and store/domain tests (SQLite + PostgreSQL)"
cargo test --release -p app --features ssr
echo "==> server tests over HTTP against the real binary (SQLite + PostgreSQL)"
cargo test --release -p server

echo "==> Playwright (Chromium)"
(cd end2end && npx playwright test)
