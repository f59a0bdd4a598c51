#!/usr/bin/env bash
# Runs the soak test (tests/reliability/test_soak.cpp, hidden from the default run) on the Release build that
# tools/test.sh makes in build/, for KVSTORE_SOAK_SECONDS seconds (default 60); prints the figures
# (operations, events, resident memory before and after warm-up).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/tests/kvstore_tests ] || { echo "soak: run tools/test.sh first" >&2; exit 1; }
KVSTORE_SOAK_SECONDS="${KVSTORE_SOAK_SECONDS:-60}" build/tests/kvstore_tests "[soak]"
