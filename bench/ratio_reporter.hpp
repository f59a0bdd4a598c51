// The ratio table: kvstore's time per operation over the raw sqlite3 baseline's.
//
// Benchmarks are named `<implementation>/<op>` (support.hpp): `kvstore/set/memory`,
// `raw/set/memory`, `memlayer/set/memory`... RatioReporter forwards every report to the display
// reporter (the console one by default) and keeps each run's per-iteration REAL (wall-clock)
// time; ratio_rows() then lists every op measured both as kvstore and raw, with
// ratio = kvstore / raw, plus the memlayer time when that op has one. Nothing here knows the
// ops: a new bench_*.cpp that follows the naming shows up in the table by itself.
//
// An op is the benchmark name without its implementation prefix, with its arguments and thread
// count: `set/memory`, `get_all/memory/100`, `set/memory/threads:2` (not `/real_time`).
// With --benchmark_repetitions the median is used, as reported (else the mean of the runs).
//
// Comparisons (add_comparison) are ratios between any two measured benchmarks, for targets that
// are not kvstore over raw: kvstore at 100,000 keys over kvstore at 100, kvstore over a plain
// file. They get a table of their own after the ratio table.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace kvbench {

// Registers the largest acceptable kvstore/raw ratio for `op`, shown beside it in the table.
void set_ratio_target(const std::string& op, double max_ratio);

// Registers a comparison: the time of benchmark `measured` over the time of `baseline`, with
// `max_ratio` as its target if given. Both are named `<implementation>/<op>`, the op as in the
// ratio table: "kvstore/scoped_set_new/100000", "file/blob_write". A comparison is listed once
// both were measured.
void add_comparison(const std::string& measured, const std::string& baseline,
                    std::optional<double> max_ratio = std::nullopt);

// Per-iteration time of one benchmark, in ns.
struct Timing {
  double real_ns = 0;  // wall clock
  double cpu_ns = 0;   // CPU time of the benchmark's threads
};

// a over b, in real time and in CPU time; whether a real-time ratio is within a target.
inline double real_ratio(const Timing& a, const Timing& b) { return a.real_ns / b.real_ns; }
inline double cpu_ratio(const Timing& a, const Timing& b) { return a.cpu_ns / b.cpu_ns; }
inline bool within(double ratio, const std::optional<double>& target) {
  return !target || ratio <= *target;
}

struct RatioRow {
  std::string op;
  Timing kvstore;
  Timing raw;
  std::optional<Timing> memlayer;
  std::optional<double> target;  // from set_ratio_target

  // The ratio reported and checked against the target: real time.
  double ratio() const { return real_ratio(kvstore, raw); }
  // Shown beside it: much lower than ratio() means the wall clock caught other load (or, in
  // file-backed and 2-thread runs, time spent waiting for the disk or the lock).
  double cpu_ratio() const { return kvbench::cpu_ratio(kvstore, raw); }
  bool met() const { return within(ratio(), target); }
};

// One comparison (add_comparison): measured over baseline, like a RatioRow.
struct ComparisonRow {
  std::string measured_name, baseline_name;
  Timing measured, baseline;
  std::optional<double> target;

  double ratio() const { return real_ratio(measured, baseline); }
  double cpu_ratio() const { return kvbench::cpu_ratio(measured, baseline); }
  bool met() const { return within(ratio(), target); }
};

class RatioReporter : public benchmark::BenchmarkReporter {
 public:
  explicit RatioReporter(std::unique_ptr<benchmark::BenchmarkReporter> display);

  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

  // Ops in the order they first ran.
  std::vector<RatioRow> ratio_rows() const;
  // The comparisons whose two benchmarks ran, in the order they were added.
  std::vector<ComparisonRow> comparison_rows() const;

 private:
  struct Measured {
    std::vector<Timing> iterations;  // one per repetition
    std::optional<Timing> median;
    std::optional<Timing> mean;
    Timing best() const;  // the median, else the mean, else the mean of the repetitions
  };
  Measured& measured(const std::string& op, const std::string& implementation);
  // The best() time of `<implementation>/<op>`, if it ran.
  std::optional<Timing> best(const std::string& implementation, const std::string& op) const;

  std::unique_ptr<benchmark::BenchmarkReporter> display_;
  std::vector<std::string> ops_;                                     // first-run order
  std::map<std::string, std::map<std::string, Measured>> measured_;  // op -> implementation
};

// "op | kvstore | raw | ratio | cpu ratio | target" (real times), with a memlayer column if any
// row has one.
void print_ratio_table(std::ostream& out, const std::vector<RatioRow>& rows);
// "measured / baseline | measured | baseline | ratio | cpu ratio | target" (real times).
void print_comparison_table(std::ostream& out, const std::vector<ComparisonRow>& rows);
// The same rows as JSON, times in ns: {"time": "real", "unit": "ns", "rows": [{"op", "kvstore",
// "raw", "ratio", "cpu": {"kvstore", "raw", "ratio"}, ["memlayer", "memlayer_ratio",]
// ["target", "met"]}, ...], "comparisons": [{"measured", "baseline", "measured_ns",
// "baseline_ns", "ratio", "cpu": {"measured", "baseline", "ratio"}, ["target", "met"]}, ...]}.
void write_ratio_json(std::ostream& out, const std::vector<RatioRow>& rows,
                      const std::vector<ComparisonRow>& comparisons = {});

// What the benchmark library's own flags ask the display to be: --benchmark_format,
// --benchmark_color, --benchmark_counters_tabular (and their BENCHMARK_* environment
// variables). Read from argv before benchmark::Initialize consumes them.
struct DisplayOptions {
  std::string format = "console";  // console | json | csv
  bool color = false;
  bool tabular = false;

  static DisplayOptions from(int argc, char** argv);
  // The reporter RunSpecifiedBenchmarks would have created; null for an unknown format.
  std::unique_ptr<benchmark::BenchmarkReporter> make_reporter() const;
};

}  // namespace kvbench
