#!/usr/bin/env bash
# First README command: installs what is missing, builds (Release) and runs the main job, the
# `kvstore` CLI (docs/cli.md), on the default database: ./kvstore.db at the repository root
# (or $KVSTORE_DB).
#   tools/run.sh                  a short tour: set, get, ttl, keys, stats on the default database
#   tools/run.sh ARGS...          runs `kvstore ARGS...` (relative paths: from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake --preset release >/dev/null
# Only what runs here: the library and the CLI, not the tests and benchmarks (tools/test.sh).
cmake --build --preset release -j "$(nproc)" --target kvstore-cli

kvstore=build/tools/kvstore
if [ $# -gt 0 ]; then
  exec "$kvstore" "$@"
fi

show() {
  echo "\$ kvstore $*"
  "$kvstore" "$@"
}
show --version
show set config theme dark
show set session token abc123 --ttl 10m
show get config theme
show ttl session token
show keys config --values
show --json get session token
show stats
