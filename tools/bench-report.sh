#!/usr/bin/env bash
# Benchmark report: installs what is missing (tools/install-deps.sh gnuplot-nox python3), builds
# the release preset's kvstore_bench (build/), runs the whole benchmark suite and writes:
#
#   <out>/bench.json  Google Benchmark's own JSON output (--benchmark_out): every repetition and
#                     its aggregates, and in "context" the machine (cpu_model, os, compiler,
#                     sqlite, commit added with --benchmark_context)
#   <out>/bench.md    a "Machine" line (CPU, cores, OS, compiler, SQLite, date, load average at
#                     start and end) and one row per op: kvstore, raw sqlite3 and in-memory layer
#                     (memlayer) times, kvstore / raw, memlayer / raw, cpu ratio, target; then
#                     the comparisons and the benchmarks without a raw pair (blob, events...)
#   <out>/bench.png   per op, kvstore / raw and memlayer / raw as bars beside raw's 1.0, all
#                     measured in the same run; log scale, one row per op
#   <out>/bench-threads.png  the concurrent writers' throughput (ops/s) by thread count, kvstore
#                     beside raw sqlite3 and LevelDB, under full and normal (when they ran)
#
# The conversion is tools/bench_report/bench_report.py (python3, standard library only), the
# charts tools/bench_report/ratio.gp and threads.gp. Times are per-iteration real time, each
# benchmark's median over its repetitions, as in the ratio table kvstore_bench prints
# (bench/ratio_reporter.hpp).
# Arguments go to kvstore_bench after the defaults (--benchmark_repetitions,
# --benchmark_display_aggregates_only=true, --benchmark_context), so they override them:
#   tools/bench-report.sh --benchmark_filter=set --benchmark_min_time=0.05
# except --benchmark_out and --benchmark_out_format, which are the script's. The files are
# replaced only once the run, the conversion and the charts have succeeded. A full run takes
# about 4 minutes on an idle 2-core machine (60 benchmarks x 3 repetitions of ~0.7 s, the
# 100,000-key scoped runs and the 256 MiB blob runs), plus the build.
#
# Variables:
#   KVSTORE_BENCH_OUT_DIR      where the files go (default: docs/ of the repository; a
#                              relative path is from the current directory)
#   KVSTORE_BENCH_REPETITIONS  --benchmark_repetitions (default 3; the report uses the median)
#   KVSTORE_BENCH_BLOB_MIB, KVSTORE_BENCH_FEED_WRITES  read by the benchmarks themselves
#                              (bench/bench_blob.cpp, bench/bench_change_feed.cpp)
set -euo pipefail
out_dir="$(realpath -m "${KVSTORE_BENCH_OUT_DIR:-$(dirname "$0")/../docs}")"
repetitions="${KVSTORE_BENCH_REPETITIONS:-3}"
cd "$(dirname "$0")/.."

tools/install-deps.sh gnuplot-nox python3
cmake --preset release >/dev/null
cmake --build --preset release --target kvstore_bench -j "$(nproc)"

# What the JSON's context does not say by itself; commas and '=' would split a value.
context_value() { local value="$*"; value="${value//,/;}"; printf '%s' "${value//=/:}"; }
cpu_model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
os="$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release)"
os="${os:-unknown} $(uname -s) $(uname -r)"
# The compiler of build/ as CMake found it: "GNU 12.2.0 (-O3 -DNDEBUG)".
compiler_files=(build/CMakeFiles/*/CMakeCXXCompiler.cmake)
compiler="$(awk -F '"' '/^set\(CMAKE_CXX_COMPILER_(ID|VERSION) /{printf "%s ", $2}' \
  "${compiler_files[-1]}")"
compiler+="($(sed -n 's/^CMAKE_CXX_FLAGS_RELEASE:STRING=//p' build/CMakeCache.txt))"
sqlite="$(pkg-config --modversion sqlite3 2>/dev/null ||
  dpkg-query -W -f='${Version}' libsqlite3-0 2>/dev/null || echo unknown)"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ "$commit" != unknown ] && ! git diff --quiet HEAD 2>/dev/null; then
  commit+=" (modified tree)"
fi
context="cpu_model=$(context_value "$cpu_model"),os=$(context_value "$os")"
context+=",compiler=$(context_value "$compiler"),sqlite=$(context_value "$sqlite")"
context+=",commit=$(context_value "$commit")"

work="$(mktemp -d "${TMPDIR:-/tmp}/kvstore-bench-report-XXXXXX")"
trap 'rm -rf "$work"' EXIT
KVSTORE_BENCH_JSON="$work/ratios.json" build/bench/kvstore_bench \
  --benchmark_repetitions="$repetitions" --benchmark_display_aggregates_only=true \
  --benchmark_context="$context" \
  "$@" \
  --benchmark_out="$work/bench.json" --benchmark_out_format=json
if [ ! -s "$work/bench.json" ]; then
  echo "bench-report: no benchmark ran (does --benchmark_filter match any?)" >&2
  exit 1
fi

python3 tools/bench_report/bench_report.py "$work/bench.json" --ratios "$work/ratios.json" \
  --markdown "$work/bench.md" --plot-data "$work/plot.tsv" --plot-vars "$work/plot-vars.gp" \
  --image bench.png --load-end "$(cut -d ' ' -f 1-3 /proc/loadavg)" \
  --threads-data "$work/threads.tsv" --threads-image bench-threads.png
gnuplot -e "datafile='$work/plot.tsv'; varsfile='$work/plot-vars.gp'; outfile='$work/bench.png'" \
  tools/bench_report/ratio.gp
files=(bench.json bench.md bench.png)
if [ -s "$work/threads.tsv" ]; then
  machine="$(context_value "$cpu_model"); $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC')"
  gnuplot -e "datafile='$work/threads.tsv'; outfile='$work/bench-threads.png'" \
    -e "machine='${machine//\'/}'" tools/bench_report/threads.gp
  files+=(bench-threads.png)
fi

mkdir -p "$out_dir"
for file in "${files[@]}"; do
  mv -f "$work/$file" "$out_dir/$file"
  echo "bench-report: wrote $out_dir/$file"
done
