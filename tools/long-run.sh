#!/usr/bin/env bash
# The long versions of the CI checks, for more confidence than .ci/run gives: the test suite, a
# 30-minute soak, the sanitizer builds, 30 minutes of fuzzing per target and, when the suite has
# [crash] tests, 1000 crash kills. Each length can be changed through its variable:
#   KVSTORE_SOAK_SECONDS (1800), KVSTORE_FUZZ_SECONDS (1800, per target), KVSTORE_CRASH_KILLS (1000)
set -euo pipefail
cd "$(dirname "$0")/.."
export KVSTORE_SOAK_SECONDS="${KVSTORE_SOAK_SECONDS:-1800}"
export KVSTORE_FUZZ_SECONDS="${KVSTORE_FUZZ_SECONDS:-1800}"
tools/test.sh
if { build/tests/kvstore_tests "[crash]" --list-test-names-only || true; } | grep -q .; then
  KVSTORE_CRASH_KILLS="${KVSTORE_CRASH_KILLS:-1000}" build/tests/kvstore_tests "[crash]"
fi
tools/soak.sh
tools/asan.sh
tools/tsan.sh
tools/fuzz.sh
