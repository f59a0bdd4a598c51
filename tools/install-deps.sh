#!/usr/bin/env bash
# Installs the Debian packages kvstore needs, only those that are missing, plus any packages named
# as arguments (scripts with extra needs pass theirs: tools/fuzz.sh clang, tools/bench-report.sh
# gnuplot). Safe to run again: when everything is present it changes nothing and touches no network.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libsqlite3-dev libsqlitecpp-dev nlohmann-json3-dev catch2 libbenchmark-dev
  libkainjow-mustache-dev libcli11-dev libsodium-dev
  libleveldb-dev # a benchmark baseline only (bench/bench_concurrent_set.cpp)
  "$@"
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
