#!/usr/bin/env bash
# Runs the history checker (tests/history/) on the Release build that tools/test.sh makes in
# build/: several processes, each with several threads, do random operations from the whole API
# on one store file and record every call and event; the parent then checks the histories
# against the headers' guarantees (linearizable reads, revisions, event order, the layer, quotas,
# the final state). Prints "operations: N, processes: P, violations: V"; fails on V > 0 or when
# a worker dies.
#
# Bounded by default, for CI: KVSTORE_HISTORY_PROCESSES (4) processes of KVSTORE_HISTORY_THREADS
# (3) threads, KVSTORE_HISTORY_ROUNDS (4) rounds of KVSTORE_HISTORY_SECONDS (15) s, each round with
# new options and a new file. The options depend on KVSTORE_HISTORY_SEED (default: the time,
# printed, so a failure can be run again); a round with violations keeps its files and names
# them (kvstore_history --check DIR checks them again).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/tests/history/kvstore_history ] || { echo "history: run tools/test.sh first" >&2; exit 1; }
seed="${KVSTORE_HISTORY_SEED:-$(date +%s)}"
build/tests/history/kvstore_history \
  --processes "${KVSTORE_HISTORY_PROCESSES:-4}" \
  --threads "${KVSTORE_HISTORY_THREADS:-3}" \
  --rounds "${KVSTORE_HISTORY_ROUNDS:-4}" \
  --seconds "${KVSTORE_HISTORY_SECONDS:-15}" \
  --seed "$seed"
