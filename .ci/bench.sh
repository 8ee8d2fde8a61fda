#!/usr/bin/env bash
# `make bench`: prints the API figures against the practical limit, on SQLite
# and on a throw-away PostgreSQL (or TEST_POSTGRES_URL). Not a test: nothing is
# asserted; compare with the figures in the README.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_dir=""
cleanup() { [ -n "$pg_dir" ] && bash .ci/pg.sh stop "$pg_dir"; }
trap cleanup EXIT
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  pg_dir=$(mktemp -d /tmp/laurel-pg.XXXXXX)
  TEST_POSTGRES_URL=$(bash .ci/pg.sh start "$pg_dir")
  export TEST_POSTGRES_URL
fi

cargo bench -p server --bench api 2>&1 | grep -vE '^ +(Compiling|Finished|Running) '
