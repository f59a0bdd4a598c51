#!/usr/bin/env bash
# Builds the whole test suite with AddressSanitizer + UndefinedBehaviorSanitizer in its own
# directory (build-asan) and runs every test, the fault-seam tests and a sample of the failure
# sweep (the failure paths are where memory errors hide); any report (memory error, leak,
# undefined behaviour) fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
jobs=$(($(nproc) < 2 ? $(nproc) : 2))
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
build-asan/tests/kvstore_tests
build-asan/tests/fault/kvstore_fault_tests
build-asan/tests/sweep/kvstore_sweep --points 40 --cuts 20 --tears 1 --jobs "$jobs"
