#!/usr/bin/env bash
# `make test`: every check and test, built so that each crate compiles once per
# target: the WASM bundle (cargo-leptos, frontend only) and, at the same time,
# ONE cargo invocation that builds the server binary, every test binary and the
# bench with one feature set, through clippy-driver so the lints come with that
# build instead of a second, check-only pass, on the `quick` profile (nothing
# optimised but Argon2; Cargo.toml says why). Then the tests on SQLite and
# PostgreSQL and, at the same time, the Playwright suite in Chromium against the
# same server binary.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
phase() { printf '\n==> %s  [%ds]\n' "$*" $(($(date +%s) - started)); }

pg_dir=""
log=$(mktemp /tmp/laurel-test-log.XXXXXX)
wasm_pid="" tests_pid=""
cleanup() {
  [ -n "$wasm_pid" ] && { pkill -P "$wasm_pid" 2>/dev/null; kill "$wasm_pid" 2>/dev/null; }
  [ -n "$tests_pid" ] && { pkill -P "$tests_pid" 2>/dev/null; kill "$tests_pid" 2>/dev/null; }
  [ -n "$pg_dir" ] && bash .ci/pg.sh stop "$pg_dir"
  rm -f "$log"
}
trap cleanup EXIT
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  pg_dir=$(mktemp -d /tmp/laurel-pg.XXXXXX)
  TEST_POSTGRES_URL=$(bash .ci/pg.sh start "$pg_dir")
  export TEST_POSTGRES_URL
  echo "==> throw-away PostgreSQL at $TEST_POSTGRES_URL"
fi

phase "formatting"
cargo fmt --all -- --check

# The same variables for the build and the run below, so the run rebuilds nothing.
source .ci/build-env.sh
# Integration tests only: the libraries' unit tests live with them (app/tests/unit,
# server/tests/it/unit), so no library is compiled a second time as a test
# harness; the server binary is built for the HTTP tests, which name it.
targets=("${cargo_targets[@]}" --tests)

# The two builds run side by side: cargo-leptos builds the WASM bundle in its own
# target directory (target/front), and each build's long single-threaded stretches
# (the bundle's LTO, the biggest crates, linking) leave a core to the other.
# The bundle's output waits in a file and is printed when it is done.
phase "build, side by side: the WASM bundle, styles and assets (cargo leptos build --release --frontend-only) and the server binary, tests and bench, linted (clippy -D warnings)"
wasm_log=$(mktemp /tmp/laurel-wasm-log.XXXXXX)
# The tests' bundle is built lighter than the shipped one (no LTO, opt-level 1,
# 16 codegen units, wasm-opt -O1, incremental off CI): a change to a component costs ~45 s
# here instead of ~1 min 45 s. It has a target directory of its own, so
# `make run` and `make bench` (the shipped profile, whose size `make bench`
# checks) and `make test` never rebuild each other's dependencies.
(env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS \
  CARGO_TARGET_DIR=target/wasm-test \
  CARGO_PROFILE_WASM_RELEASE_LTO=off \
  CARGO_PROFILE_WASM_RELEASE_OPT_LEVEL=1 \
  CARGO_PROFILE_WASM_RELEASE_CODEGEN_UNITS=16 \
  LEPTOS_WASM_OPT_FEATURES="-O1,--enable-bulk-memory,--enable-nontrapping-float-to-int" \
  cargo leptos build --release --frontend-only >"$wasm_log" 2>&1) &
wasm_pid=$!
native_status=0
cargo test "${targets[@]}" --benches --no-run || native_status=$?
wasm_status=0
wait "$wasm_pid" || wasm_status=$?
wasm_pid=""
phase "WASM bundle built (exit $wasm_status); its build output:"
cat "$wasm_log"
rm -f "$wasm_log"
if [ "$native_status" -ne 0 ] || [ "$wasm_status" -ne 0 ]; then
  echo "build failed: server/tests exit $native_status, WASM bundle exit $wasm_status"
  exit 1
fi

# The two suites run side by side too: the HTTP tests mostly wait on the servers
# they start (about 1.2 of the 2 cores), Playwright on Chromium and its own
# server (its own port and SQLite file). Each writes to a file of its own,
# printed whole when both are done, so their lines never mix.
phase "side by side: unit, store/domain and HTTP tests (SQLite + PostgreSQL), and Playwright (Chromium)"
cargo_log=$(mktemp /tmp/laurel-cargo-log.XXXXXX)
e2e_log=$(mktemp /tmp/laurel-e2e-log.XXXXXX)
cargo test "${targets[@]}" --no-fail-fast >"$cargo_log" 2>&1 &
tests_pid=$!
e2e_status=0
(cd end2end && npx playwright test) >"$e2e_log" 2>&1 || e2e_status=$?
phase "Playwright done (exit $e2e_status)"
tests_status=0
wait "$tests_pid" || tests_status=$?
tests_pid=""
phase "cargo tests done (exit $tests_status); their output, then Playwright's:"
cat "$cargo_log" "$e2e_log" | tee -a "$log"
rm -f "$cargo_log" "$e2e_log"
if [ "$tests_status" -ne 0 ] || [ "$e2e_status" -ne 0 ]; then
  echo "tests failed: cargo exit $tests_status, Playwright exit $e2e_status"
  exit 1
fi

phase "done"
# One closing line for the whole run (every failure above has already failed it).
passed=$(grep -oE '(^test result: ok\. [0-9]+ passed|^ +[0-9]+ passed)' "$log" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -oE '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
echo "summary: $passed passed, $failed failed"
