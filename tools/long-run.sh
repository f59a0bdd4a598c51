#!/usr/bin/env bash
# The long versions of the CI checks, for more confidence than .ci/run gives: the test suite, the
# exhaustive failure sweep (every fault point, every sync point with 16 torn losses, 2000 random
# power cuts), the history checker over 40 rounds of 30 s with 6 processes, a 30-minute soak, the
# sanitizer builds, 30 minutes of fuzzing per target, when the suite has [crash] tests, 1000
# crash kills, and the Windows cross build with its suite under Wine (tools/windows-build.sh). Each length can be changed through its variable:
#   KVSTORE_SOAK_SECONDS (1800), KVSTORE_FUZZ_SECONDS (1800, per target), KVSTORE_CRASH_KILLS (1000),
#   KVSTORE_SWEEP_POINTS (0: all), KVSTORE_SWEEP_CUTS (2000), KVSTORE_SWEEP_TEARS (16),
#   KVSTORE_HISTORY_ROUNDS (40), KVSTORE_HISTORY_SECONDS (30), KVSTORE_HISTORY_PROCESSES (6)
set -euo pipefail
cd "$(dirname "$0")/.."
export KVSTORE_SOAK_SECONDS="${KVSTORE_SOAK_SECONDS:-1800}"
export KVSTORE_FUZZ_SECONDS="${KVSTORE_FUZZ_SECONDS:-1800}"
tools/test.sh
if { build/tests/kvstore_tests "[crash]" --list-test-names-only || true; } | grep -q .; then
  KVSTORE_CRASH_KILLS="${KVSTORE_CRASH_KILLS:-1000}" build/tests/kvstore_tests "[crash]"
fi
KVSTORE_SWEEP_POINTS="${KVSTORE_SWEEP_POINTS:-0}" KVSTORE_SWEEP_CUTS="${KVSTORE_SWEEP_CUTS:-2000}" \
  KVSTORE_SWEEP_TEARS="${KVSTORE_SWEEP_TEARS:-16}" tools/sweep.sh
KVSTORE_HISTORY_ROUNDS="${KVSTORE_HISTORY_ROUNDS:-40}" \
  KVSTORE_HISTORY_SECONDS="${KVSTORE_HISTORY_SECONDS:-30}" \
  KVSTORE_HISTORY_PROCESSES="${KVSTORE_HISTORY_PROCESSES:-6}" tools/history.sh
tools/soak.sh
tools/asan.sh
tools/tsan.sh
tools/fuzz.sh
tools/windows-build.sh
