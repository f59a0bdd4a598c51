#!/usr/bin/env bash
# First README command: installs what is missing, builds (Release) and runs the main job on a
# default database file (./kvstore.db, or the path given as the first argument).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"
exec build/tools/kvstore-demo "${1:-kvstore.db}"
