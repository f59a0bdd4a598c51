// kvstore_bench: runs the benchmarks of every bench_*.cpp like benchmark_main does (all the
// --benchmark_* flags work), then prints the kvstore/raw ratio table and the comparisons table
// (ratio_reporter.hpp): on stdout after the console report, on stderr when --benchmark_format is
// json or csv, so that stdout stays machine-readable. With KVSTORE_BENCH_JSON=<path>, also writes
// both tables there.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "ratio_reporter.hpp"

int main(int argc, char** argv) {
  const auto display = kvbench::DisplayOptions::from(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  auto display_reporter = display.make_reporter();
  if (!display_reporter) {
    std::cerr << "Unexpected format: '" << display.format << "'\n";
    return 1;
  }

  kvbench::RatioReporter reporter(std::move(display_reporter));
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  const auto rows = reporter.ratio_rows();
  const auto comparisons = reporter.comparison_rows();
  std::ostream& table_out = display.format == "console" ? std::cout : std::cerr;
  kvbench::print_ratio_table(table_out, rows);
  kvbench::print_comparison_table(table_out, comparisons);
  if (const char* path = std::getenv("KVSTORE_BENCH_JSON"); path && *path) {
    std::ofstream out(path);
    kvbench::write_ratio_json(out, rows, comparisons);
    if (!out) {
      std::cerr << "kvstore_bench: cannot write " << path << '\n';
      return 1;
    }
  }
  return 0;
}
