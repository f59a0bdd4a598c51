#!/usr/bin/env bash
# Builds the test suite with ThreadSanitizer in its own directory (build-tsan) and runs the
# concurrency tests (events, change feed, scoped quotas, the in-memory layer, group commit and its
# write queue, every multi-threaded case); any report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$(nproc)"
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  build-tsan/tests/kvstore_tests \
  "[events],[feed],[scoped],[lastmod],[group_commit],[write_queue],*concurren*,*thread*"
