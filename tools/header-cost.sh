#!/usr/bin/env bash
# What including <kvstore/kvstore.hpp> costs a translation unit, against an older revision, in the
# same run: preprocessed lines and the compiler's CPU time (user + sys, less sensitive to other
# load than wall time) for `-fsyntax-only`, the median of RUNS (5) alternating runs of each.
# Usage: tools/header-cost.sh [BASE_REF (default main)]; needs build/ (for version.hpp).
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:-main}"
runs="${RUNS:-5}"
cxx="${CXX:-g++}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git archive "$base" include | tar -x -C "$work"
echo '#include <kvstore/kvstore.hpp>' > "$work/tu.cpp"
[ -f build/include/kvstore/version.hpp ] || { echo "header-cost: configure build/ first" >&2; exit 1; }
flags_base=(-std=c++20 -I"$work/include")
flags_head=(-std=c++20 -Iinclude -Ibuild/include)
cpu() { /usr/bin/time -f "%U %S" "$cxx" "$@" -fsyntax-only "$work/tu.cpp" 2>&1 >/dev/null |
          awk '{print $1 + $2}'; }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
for _ in $(seq "$runs"); do
  cpu "${flags_base[@]}" >> "$work/base.txt"
  cpu "${flags_head[@]}" >> "$work/head.txt"
done
lines() { "$cxx" "$@" -E "$work/tu.cpp" | wc -l; }
base_cpu="$(median < "$work/base.txt")"
head_cpu="$(median < "$work/head.txt")"
echo "$base: $(lines "${flags_base[@]}") lines, ${base_cpu} s"
echo "HEAD: $(lines "${flags_head[@]}") lines, ${head_cpu} s"
awk -v b="$base_cpu" -v h="$head_cpu" -v name="$base" \
  'BEGIN {printf "HEAD / %s: %.2f (%.0f%% less CPU)\n", name, h / b, 100 * (1 - h / b)}'
