#!/usr/bin/env bash
# Runs the failure sweep (tests/sweep/) on the Release build that tools/test.sh makes in build/:
# the workload that exercises every write path, run again with a fault at call N of each kind
# (I/O errors, disk full, Busy, out of memory in SQLite and in C++, on SQLite's files and on the
# value files) and with the power cut at every sync point and at random calls, each run checked
# against a model. Prints "fault points: N, power cuts: M, violations: V"; fails on V > 0.
#
# Bounded by default, for CI: at most KVSTORE_SWEEP_POINTS (400) fault points per kind and
# setting, every sync point with KVSTORE_SWEEP_TEARS (4) torn losses each plus 500 random cut
# points. KVSTORE_SWEEP_POINTS=0 sweeps every point (tools/long-run.sh). The sample depends on
# KVSTORE_SWEEP_SEED (default: the time, printed, so a failure can be run again).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/tests/sweep/kvstore_sweep ] || { echo "sweep: run tools/test.sh first" >&2; exit 1; }
build/tests/sweep/kvstore_sweep \
  --points "${KVSTORE_SWEEP_POINTS:-400}" \
  --cuts "${KVSTORE_SWEEP_CUTS:-0}" \
  --tears "${KVSTORE_SWEEP_TEARS:-4}" \
  --seed "${KVSTORE_SWEEP_SEED:-$(date +%s)}" \
  --jobs "$(nproc)"
