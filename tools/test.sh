#!/usr/bin/env bash
# Second README command: installs what is missing, builds, and runs the whole test suite via ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"
ctest --test-dir build --output-on-failure --timeout 300 -j "$(nproc)"
