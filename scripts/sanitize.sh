#!/usr/bin/env bash
# `make sanitize` and `make tsan`: flowd and its tests built with g++'s sanitizers (no
# jemalloc: they bring their own allocator), at -O1, and run:
#   asan  build-asan/, -fsanitize=address,undefined: the unit and contract tests (ctest;
#         the PostgreSQL and S3 cases skip without their servers) and every integration
#         suite on the embedded shape.
#   tsan  build-tsan/, -fsanitize=thread: the real-time suites (realtime_sio, realtime_ws).
# A sanitizer report fails the run: ASan and UBSan abort the process, ThreadSanitizer
# makes it exit 66, and tests/integration/lib/flowd.mjs fails a test whose server printed
# a report or did not exit 0 after SIGTERM.
set -uo pipefail
cd "$(dirname "$0")/.."
case ${1:-asan} in
  asan) build=build-asan sanitize=address,undefined ;;
  tsan) build=build-tsan sanitize=thread ;;
  *) echo "usage: $0 asan|tsan" >&2; exit 2 ;;
esac
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" \
    -DFLOW_SANITIZE="$sanitize" "${launcher[@]}" || exit 1
fi

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:check_initialization_order=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=second_deadlock_stack=1:exitcode=66
export FLOW_TEST_SANITIZER=$sanitize  # the few tests a sanitizer's runtime cannot take skip
export FLOWD_BIN=$PWD/$build/flowd FLOW_SIO_CONFORMANCE=$PWD/$build/flow-sio-conformance
failed=0
start=$(date +%s)
if [ "$sanitize" = thread ]; then
  cmake --build "$build" --target flowd || exit 1
  echo "== built in $(($(date +%s) - start)) s; real-time suites under ThreadSanitizer"
  node --test --test-concurrency=2 tests/integration/realtime_sio.test.mjs tests/integration/realtime_ws.test.mjs || failed=1
else
  cmake --build "$build" || exit 1
  echo "== built in $(($(date +%s) - start)) s; unit and contract tests under ASan + UBSan"
  FLOW_TEST_SKIP_S3=1 ctest --test-dir "$build" --output-on-failure -j2 || failed=1
  echo "== integration tests under ASan + UBSan: embedded shape"
  (cd tests/support && npm ci --no-audit --no-fund --loglevel=error) || failed=1
  if [ -f tests/integration/package.json ] && grep -q '"dependencies"' tests/integration/package.json; then
    (cd tests/integration && npm ci --no-audit --no-fund --loglevel=error) || failed=1
  fi
  (unset FLOW_TEST_POSTGRES_URL FLOW_TEST_REDIS_URL FLOW_TEST_S3_ENDPOINT
   node --test --test-concurrency=2 tests/integration/*.test.mjs) || failed=1
fi
echo "== $((($(date +%s) - start) / 60)) min in all"
if [ $failed = 0 ]; then echo "all tests passed under $sanitize"; else echo "SOME TESTS FAILED under $sanitize"; fi
exit $failed
