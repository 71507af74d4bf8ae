#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer harnesses of tests/fuzz with clang (in build-fuzz,
# FLOW_FUZZ=ON: ASan + UBSan + libFuzzer) and runs each for FUZZ_SECONDS (60) from its
# seed corpus, tests/fuzz/corpus/NAME. Fails on any crash, leak, timeout (10 s per
# input) or memory blow-up (2 GB); the input that did it is written to
# tests/fuzz/crashes/ (not committed): reproduce with build-fuzz/tests/fuzz/fuzz_NAME FILE.
# What a run finds beyond the seeds is kept in build-fuzz/corpus/NAME for the next run.
# FUZZ_TARGETS="a b" runs only those harnesses.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD_DIR:-build-fuzz}
cxx=${FUZZ_CXX:-clang++}

scripts/install-deps.sh --fuzz || exit 1
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLOW_FUZZ=ON \
    -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="${cxx/clang++/clang}" || exit 1
fi
cmake --build "$build" --target flow_fuzzers || exit 1

targets=${FUZZ_TARGETS:-$(cd tests/fuzz && ls *.cpp | sed 's/\.cpp$//')}
mkdir -p tests/fuzz/crashes "$build/fuzz-logs"
failed=()
for name in $targets; do
  mkdir -p "$build/corpus/$name"
  log=$build/fuzz-logs/$name.log
  echo "== fuzz_$name: $seconds s"
  start=$(date +%s)
  # The first corpus folder takes what the run finds; the seeds are only read.
  ASAN_OPTIONS=detect_leaks=1 "$build/tests/fuzz/fuzz_$name" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 -print_final_stats=1 \
    -artifact_prefix="tests/fuzz/crashes/$name-" "$build/corpus/$name" "tests/fuzz/corpus/$name" >"$log" 2>&1
  status=$?
  took=$(($(date +%s) - start))
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1)
  if [ $status = 0 ]; then
    echo "   clean for $took s: ${runs:-?} inputs, ${cov:-cov: ?} edges"
  else
    echo "   FAILED (exit $status) after $took s; the input is in tests/fuzz/crashes/:" >&2
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written|deadly signal|timeout' "$log" | head -n 20 >&2
    failed+=("$name")
  fi
done

if ((${#failed[@]})); then echo "FUZZING FOUND PROBLEMS in: ${failed[*]} (logs in $build/fuzz-logs)"; exit 1; fi
echo "every fuzzer ran clean"
