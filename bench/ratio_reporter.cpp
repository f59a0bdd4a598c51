#include "ratio_reporter.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string_view>

namespace kvbench {
namespace {

// The implementations, in column order; any other prefix is kept but not shown.
constexpr std::string_view kKvstore = "kvstore";
constexpr std::string_view kRaw = "raw";
constexpr std::string_view kMemlayer = "memlayer";

std::map<std::string, double>& targets() {
  static std::map<std::string, double> all;
  return all;
}

struct Comparison {
  std::string measured, baseline;
  std::optional<double> target;
};

std::vector<Comparison>& comparisons() {
  static std::vector<Comparison> all;
  return all;
}

Timing timing(const benchmark::BenchmarkReporter::Run& run) {
  const double to_ns = 1e9 / benchmark::GetTimeUnitMultiplier(run.time_unit);
  return {run.GetAdjustedRealTime() * to_ns, run.GetAdjustedCPUTime() * to_ns};
}

// {"kvstore", "set/memory"} from "kvstore/set/memory"; empty if there is no '/'.
std::pair<std::string, std::string> split_name(const std::string& name) {
  const auto slash = name.find('/');
  if (slash == std::string::npos) return {};
  return {name.substr(0, slash), name.substr(slash + 1)};
}

// {"kvstore", "set/memory/10/threads:2"} from a run named kvstore/set/memory/10/threads:2.
std::pair<std::string, std::string> split_name(const benchmark::BenchmarkName& name) {
  auto [implementation, op] = split_name(name.function_name);
  if (op.empty()) return {};
  for (const std::string* part : {&name.args, &name.threads}) {
    if (!part->empty()) op += "/" + *part;
  }
  return {implementation, op};
}

std::string format_time(double ns) {
  static constexpr std::pair<double, const char*> kUnits[] = {
      {1e9, "s"}, {1e6, "ms"}, {1e3, "us"}, {1, "ns"}};
  for (const auto& [scale, unit] : kUnits) {
    if (ns >= scale || scale == 1) {
      const double value = ns / scale;
      char text[32];
      std::snprintf(text, sizeof text, "%.*f %s",
                    value < 10    ? 2
                    : value < 100 ? 1
                                  : 0,
                    value, unit);
      return text;
    }
  }
  return {};
}

std::string format_ratio(double ratio) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", ratio);
  return text;
}

template <class Row>
std::string format_target(const Row& row) {
  if (!row.target) return "";
  return "<= " + format_ratio(*row.target) + (row.met() ? " met" : " MISSED");
}

template <class Row>
struct Column {
  std::string header;
  bool left_aligned;
  std::function<std::string(const Row&)> cell;
};

// The columns every table ends with: ratio, cpu ratio, target.
template <class Row>
void add_ratio_columns(std::vector<Column<Row>>& columns) {
  columns.push_back({"ratio", false, [](const Row& row) { return format_ratio(row.ratio()); }});
  columns.push_back(
      {"cpu ratio", false, [](const Row& row) { return format_ratio(row.cpu_ratio()); }});
  columns.push_back({"target", true, format_target<Row>});
}

// `title`, then a header line, a rule and one line per row, columns separated by " | ".
template <class Row>
void print_table(std::ostream& out, std::string_view title, const std::vector<Column<Row>>& columns,
                 const std::vector<Row>& rows) {
  std::vector<std::vector<std::string>> cells(rows.size());
  std::vector<std::size_t> widths;
  for (const auto& column : columns) {
    std::size_t width = column.header.size();
    for (std::size_t r = 0; r < rows.size(); ++r) {
      cells[r].push_back(column.cell(rows[r]));
      width = std::max(width, cells[r].back().size());
    }
    widths.push_back(width);
  }
  const auto print_line = [&](const auto& texts) {
    std::string line;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const std::string& text = texts[c];
      const std::string pad(widths[c] - text.size(), ' ');
      line += (c > 0 ? " | " : "") + (columns[c].left_aligned ? text + pad : pad + text);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  };

  out << '\n' << title << '\n';
  std::vector<std::string> headers, rules;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    headers.push_back(columns[c].header);
    rules.push_back(std::string(widths[c], '-'));
  }
  print_line(headers);
  print_line(rules);
  for (const auto& line : cells) print_line(line);
}

nlohmann::json cpu_json(std::string_view a_name, const Timing& a, std::string_view b_name,
                        const Timing& b) {
  return {{a_name, a.cpu_ns}, {b_name, b.cpu_ns}, {"ratio", cpu_ratio(a, b)}};
}

template <class Row>
void add_target_json(nlohmann::json& item, const Row& row) {
  if (!row.target) return;
  item["target"] = *row.target;
  item["met"] = row.met();
}

bool truthy(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return value.empty() || value == "1" || value == "t" || value == "true" || value == "y" ||
         value == "yes" || value == "on";
}

// The value of --<flag>=<value> (last one wins), else of the environment variable, else null.
std::optional<std::string> flag(int argc, char** argv, std::string_view name,
                                const char* env_name) {
  std::optional<std::string> value;
  if (const char* env = std::getenv(env_name)) value = env;
  const std::string prefix = "--" + std::string(name);
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == prefix) value = "";  // a bare boolean flag
    if (arg.starts_with(prefix + "=")) value = std::string(arg.substr(prefix.size() + 1));
  }
  return value;
}

bool color_terminal() {
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && term && *term && std::string_view(term) != "dumb";
}

}  // namespace

void set_ratio_target(const std::string& op, double max_ratio) { targets()[op] = max_ratio; }

void add_comparison(const std::string& measured, const std::string& baseline,
                    std::optional<double> max_ratio) {
  comparisons().push_back({measured, baseline, max_ratio});
}

Timing RatioReporter::Measured::best() const {
  if (median) return *median;
  if (mean) return *mean;
  Timing sum;
  for (const Timing& t : iterations) {
    sum.real_ns += t.real_ns;
    sum.cpu_ns += t.cpu_ns;
  }
  const auto n = static_cast<double>(iterations.size());
  return {sum.real_ns / n, sum.cpu_ns / n};
}

RatioReporter::RatioReporter(std::unique_ptr<benchmark::BenchmarkReporter> display)
    : display_(std::move(display)) {}

bool RatioReporter::ReportContext(const Context& context) {
  return display_->ReportContext(context);
}

void RatioReporter::ReportRuns(const std::vector<Run>& runs) {
  display_->ReportRuns(runs);
  for (const Run& run : runs) {
    if (run.error_occurred) continue;
    const auto [implementation, op] = split_name(run.run_name);
    if (op.empty()) continue;
    const bool time_aggregate =
        run.run_type == Run::RT_Aggregate && run.aggregate_unit == benchmark::kTime;
    if (run.run_type == Run::RT_Iteration) {
      measured(op, implementation).iterations.push_back(timing(run));
    } else if (time_aggregate && run.aggregate_name == "median") {
      measured(op, implementation).median = timing(run);
    } else if (time_aggregate && run.aggregate_name == "mean") {
      measured(op, implementation).mean = timing(run);
    }
  }
}

RatioReporter::Measured& RatioReporter::measured(const std::string& op,
                                                 const std::string& implementation) {
  if (!measured_.contains(op)) ops_.push_back(op);
  return measured_[op][implementation];
}

void RatioReporter::Finalize() { display_->Finalize(); }

std::optional<Timing> RatioReporter::best(const std::string& implementation,
                                          const std::string& op) const {
  const auto by_op = measured_.find(op);
  if (by_op == measured_.end()) return std::nullopt;
  const auto it = by_op->second.find(implementation);
  if (it == by_op->second.end()) return std::nullopt;
  return it->second.best();
}

std::vector<RatioRow> RatioReporter::ratio_rows() const {
  std::vector<RatioRow> rows;
  for (const std::string& op : ops_) {
    const auto find = [&](std::string_view implementation) {
      return best(std::string(implementation), op);
    };
    const auto kvstore = find(kKvstore), raw = find(kRaw);
    if (!kvstore || !raw) continue;
    const auto target = targets().find(op);
    rows.push_back(
        {.op = op,
         .kvstore = *kvstore,
         .raw = *raw,
         .memlayer = find(kMemlayer),
         .target = target == targets().end() ? std::nullopt : std::optional(target->second)});
  }
  return rows;
}

std::vector<ComparisonRow> RatioReporter::comparison_rows() const {
  std::vector<ComparisonRow> rows;
  for (const Comparison& comparison : comparisons()) {
    const auto find = [&](const std::string& name) {
      const auto [implementation, op] = split_name(name);
      return best(implementation, op);
    };
    const auto measured = find(comparison.measured), baseline = find(comparison.baseline);
    if (!measured || !baseline) continue;
    rows.push_back({.measured_name = comparison.measured,
                    .baseline_name = comparison.baseline,
                    .measured = *measured,
                    .baseline = *baseline,
                    .target = comparison.target});
  }
  return rows;
}

void print_ratio_table(std::ostream& out, const std::vector<RatioRow>& rows) {
  if (rows.empty()) return;
  std::vector<Column<RatioRow>> columns{
      {"op", true, [](const RatioRow& row) { return row.op; }},
      {"kvstore", false, [](const RatioRow& row) { return format_time(row.kvstore.real_ns); }},
      {"raw", false, [](const RatioRow& row) { return format_time(row.raw.real_ns); }}};
  if (std::any_of(rows.begin(), rows.end(), [](const RatioRow& row) { return !!row.memlayer; })) {
    columns.push_back({"memlayer", false, [](const RatioRow& row) {
                         return row.memlayer ? format_time(row.memlayer->real_ns) : "-";
                       }});
  }
  add_ratio_columns(columns);
  print_table(out,
              "kvstore vs raw sqlite3, per-iteration real time; ratio = kvstore / raw "
              "(cpu ratio: the same with CPU time)",
              columns, rows);
}

void print_comparison_table(std::ostream& out, const std::vector<ComparisonRow>& rows) {
  if (rows.empty()) return;
  std::vector<Column<ComparisonRow>> columns{
      {"measured / baseline", true,
       [](const ComparisonRow& row) { return row.measured_name + " / " + row.baseline_name; }},
      {"measured", false,
       [](const ComparisonRow& row) { return format_time(row.measured.real_ns); }},
      {"baseline", false,
       [](const ComparisonRow& row) { return format_time(row.baseline.real_ns); }}};
  add_ratio_columns(columns);
  print_table(out,
              "Comparisons, per-iteration real time; ratio = measured / baseline "
              "(cpu ratio: the same with CPU time)",
              columns, rows);
}

void write_ratio_json(std::ostream& out, const std::vector<RatioRow>& rows,
                      const std::vector<ComparisonRow>& comparisons) {
  nlohmann::json json{{"time", "real"},
                      {"unit", "ns"},
                      {"rows", nlohmann::json::array()},
                      {"comparisons", nlohmann::json::array()}};
  for (const RatioRow& row : rows) {
    nlohmann::json item{{"op", row.op},
                        {"kvstore", row.kvstore.real_ns},
                        {"raw", row.raw.real_ns},
                        {"ratio", row.ratio()},
                        {"cpu", cpu_json("kvstore", row.kvstore, "raw", row.raw)}};
    if (row.memlayer) {
      item["memlayer"] = row.memlayer->real_ns;
      item["memlayer_ratio"] = row.memlayer->real_ns / row.raw.real_ns;
      item["cpu"]["memlayer"] = row.memlayer->cpu_ns;
    }
    add_target_json(item, row);
    json["rows"].push_back(std::move(item));
  }
  for (const ComparisonRow& row : comparisons) {
    nlohmann::json item{{"measured", row.measured_name},
                        {"baseline", row.baseline_name},
                        {"measured_ns", row.measured.real_ns},
                        {"baseline_ns", row.baseline.real_ns},
                        {"ratio", row.ratio()},
                        {"cpu", cpu_json("measured", row.measured, "baseline", row.baseline)}};
    add_target_json(item, row);
    json["comparisons"].push_back(std::move(item));
  }
  out << json.dump(2) << '\n';
}

DisplayOptions DisplayOptions::from(int argc, char** argv) {
  DisplayOptions options;
  if (auto format = flag(argc, argv, "benchmark_format", "BENCHMARK_FORMAT")) {
    options.format = *format;
  }
  const auto color = flag(argc, argv, "benchmark_color", "BENCHMARK_COLOR").value_or("auto");
  options.color = color == "auto" ? color_terminal() : truthy(color);
  if (auto tabular = flag(argc, argv, "benchmark_counters_tabular", "BENCHMARK_COUNTERS_TABULAR")) {
    options.tabular = truthy(*tabular);
  }
  return options;
}

std::unique_ptr<benchmark::BenchmarkReporter> DisplayOptions::make_reporter() const {
  if (format == "json") return std::make_unique<benchmark::JSONReporter>();
  if (format == "csv") {
#pragma GCC diagnostic push  // deprecated upstream, still a --benchmark_format
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    return std::make_unique<benchmark::CSVReporter>();
#pragma GCC diagnostic pop
  }
  if (format != "console") return nullptr;
  int console = benchmark::ConsoleReporter::OO_None;
  if (color) console |= benchmark::ConsoleReporter::OO_Color;
  if (tabular) console |= benchmark::ConsoleReporter::OO_Tabular;
  return std::make_unique<benchmark::ConsoleReporter>(
      static_cast<benchmark::ConsoleReporter::OutputOptions>(console));
}

}  // namespace kvbench
