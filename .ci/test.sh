#!/usr/bin/env bash
# `make test`: every check and test, built so that each crate compiles once per
# target: the WASM bundle (cargo-leptos, frontend only), then ONE cargo
# invocation that builds the server binary, every test binary and the bench with
# one feature set, through clippy-driver so the lints come with that build
# instead of a second, check-only pass, on the `quick` profile: dependencies
# optimised, the workspace's own crates not (Cargo.toml). Then the tests on SQLite and PostgreSQL,
# then the Playwright suite in Chromium against the same server binary.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
phase() { printf '\n==> %s  [%ds]\n' "$*" $(($(date +%s) - started)); }

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

phase "formatting"
cargo fmt --all -- --check

phase "the WASM bundle, styles and assets (cargo leptos build --release --frontend-only)"
cargo leptos build --release --frontend-only

# The same variables for the build and the run below, so the run rebuilds nothing.
source .ci/build-env.sh
# Integration tests only: the libraries' unit tests live with them (app/tests/unit,
# server/tests/it/unit), so no library is compiled a second time as a test
# harness; the server binary is built for the HTTP tests, which name it.
targets=("${cargo_targets[@]}" --tests)

phase "build: server binary, tests and bench, linted (clippy -D warnings)"
cargo test "${targets[@]}" --benches --no-run

phase "unit, store/domain and HTTP tests (SQLite + PostgreSQL)"
cargo test "${targets[@]}" --no-fail-fast 2>&1 | tee -a "$log"

phase "Playwright (Chromium)"
(cd end2end && npx playwright test) 2>&1 | tee -a "$log"

phase "done"
# One closing line for the whole run (pipefail above already failed on any failure).
passed=$(grep -oE '(^test result: ok\. [0-9]+ passed|^ +[0-9]+ passed)' "$log" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -oE '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
echo "summary: $passed passed, $failed failed"
