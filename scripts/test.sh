#!/usr/bin/env bash
# Runs every test against a built tree: the unit and contract tests (ctest; the contract
# tests against the servers started here: s3rver, PostgreSQL and Redis;
# FLOW_TEST_SKIP_S3=1 skips the S3 cases), then the integration suite, which starts
# build/flowd itself and talks to it like a client (node:test): every suite on the
# embedded shape (one node, SQLite, media in a folder; deploy.test.mjs puts Caddy with
# deploy/Caddyfile in front of it and checks deploy/'s other files), then the chat,
# media, thumbnail, story, call, search, cluster, authorization-matrix, message-life,
# privacy and flowctl suites again on the scaled shape (two nodes on PostgreSQL, Redis and
# the S3 server).
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
failed=0

# The servers the contract tests talk to, stopped however this script ends.
echo "== test servers"
s3_pid=
pg_dir=$(mktemp -d)
redis_dir=$(mktemp -d)
trap '[ -n "$s3_pid" ] && kill "$s3_pid" 2>/dev/null; scripts/postgres.sh stop "$pg_dir" >/dev/null 2>&1; scripts/redis.sh stop "$redis_dir"; rm -rf "$pg_dir" "$redis_dir"; wait' EXIT
postgres_url=$(scripts/postgres.sh start "$pg_dir") || { echo "PostgreSQL did not start" >&2; postgres_url=; failed=1; }
redis_url=$(scripts/redis.sh start "$redis_dir") || { echo "Redis did not start" >&2; redis_url=; failed=1; }
echo "PostgreSQL on ${postgres_url:-nothing}, Redis on ${redis_url:-nothing}"
# The servers the tests start besides flowd (s3rver, the fake push services) and their packages.
(cd tests/support && npm ci --no-audit --no-fund --loglevel=error) || failed=1
if [ "${FLOW_TEST_SKIP_S3:-}" != 1 ]; then
  # s3rver (it checks SigV4 signatures) on a free port; it prints the port once ready.
  s3_out=$(mktemp)
  node tests/support/s3rver.mjs >"$s3_out" &
  s3_pid=$!
  for _ in $(seq 100); do
    port=$(head -n1 "$s3_out")
    [[ $port =~ ^[0-9]+$ ]] && break
    kill -0 "$s3_pid" 2>/dev/null || break
    sleep 0.1
  done
  rm -f "$s3_out"
  if [[ ${port:-} =~ ^[0-9]+$ ]]; then
    export FLOW_TEST_S3_ENDPOINT=http://127.0.0.1:$port
    echo "s3rver on $FLOW_TEST_S3_ENDPOINT"
  else
    echo "s3rver did not start: the S3 contract tests will fail" >&2
  fi
fi

echo "== unit and contract tests"
FLOW_TEST_POSTGRES_URL=$postgres_url ctest --test-dir "$build" --output-on-failure -j2 || failed=1

echo "== integration tests"
if [ -f tests/integration/package.json ] && grep -q '"dependencies"' tests/integration/package.json; then
  (cd tests/integration && npm ci --no-audit --no-fund --loglevel=error) || failed=1
fi
echo "-- embedded shape: SQLite, media in a folder"
(unset FLOW_TEST_S3_ENDPOINT; node --test --test-concurrency=2 tests/integration/*.test.mjs) || failed=1
if [ -n "$postgres_url" ]; then
  echo "-- scaled shape: ${redis_url:+two nodes, Redis, }PostgreSQL${FLOW_TEST_S3_ENDPOINT:+, media on S3}"
  scaled=(chats input realtime_ws realtime_sio media thumbnails stories calls cluster authz_matrix devices push search message_life privacy disappearing flowctl)
  FLOW_TEST_POSTGRES_URL=$postgres_url FLOW_TEST_REDIS_URL=$redis_url node --test --test-concurrency=2 \
    $(printf "tests/integration/%s.test.mjs " "${scaled[@]}") || failed=1
fi

if [ $failed = 0 ]; then echo "all tests passed"; else echo "SOME TESTS FAILED"; fi
exit $failed
