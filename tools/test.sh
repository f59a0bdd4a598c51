#!/usr/bin/env bash
# Second README command: installs what is missing, builds, and runs the whole test suite via ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
ctest --preset release -j "$(nproc)"
