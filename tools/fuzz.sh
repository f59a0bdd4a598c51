#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, library included, under
# AddressSanitizer + UndefinedBehaviorSanitizer in their own directory (build-fuzz), then runs each
# target for KVSTORE_FUZZ_SECONDS seconds (default 60) from its seed corpus
# (tests/fuzz/corpus/<target>). New inputs go to build-fuzz/corpus/<target>; a crashing input is
# saved as build-fuzz/artifacts/<target>-crash-* and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh clang libclang-rt-14-dev
seconds="${KVSTORE_FUZZ_SECONDS:-60}"
jobs=$(($(nproc) < 2 ? $(nproc) : 2))
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
mkdir -p build-fuzz/artifacts
for target in import render roundtrip scoped; do
  mkdir -p "build-fuzz/corpus/$target"
  log="build-fuzz/fuzz_$target.log"
  if ! build-fuzz/tests/fuzz/"fuzz_$target" -max_total_time="$seconds" -timeout=30 \
    -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$target-" \
    "build-fuzz/corpus/$target" "tests/fuzz/corpus/$target" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz: fuzz_$target failed (log: $log)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz: fuzz_$target: $runs executions in $seconds s, no crash"
done
