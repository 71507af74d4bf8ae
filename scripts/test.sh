#!/usr/bin/env bash
# Runs every test against a built tree: the unit tests (ctest), then the integration
# suite, which starts build/flowd itself and talks to it like a client (node:test).
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
failed=0

echo "== unit tests"
ctest --test-dir "$build" --output-on-failure -j2 || failed=1

echo "== integration tests"
if [ -f tests/integration/package.json ] && grep -q '"dependencies"' tests/integration/package.json; then
  (cd tests/integration && npm ci --no-audit --no-fund --loglevel=error) || failed=1
fi
node --test --test-concurrency=2 tests/integration/*.test.mjs || failed=1

if [ $failed = 0 ]; then echo "all tests passed"; else echo "SOME TESTS FAILED"; fi
exit $failed
