// Where command results go (stdout) and in which form (-o/--output): a table for people (the
// default on a terminal), tab-separated lines for scripts (the default otherwise), one JSON
// document, or JSON lines.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace kvcli {

enum class Format { table, tsv, json, jsonl };

// The formats -o accepts, by name: "table", "tsv", "json", "jsonl".
std::vector<std::string> format_names();

// `name` (one of format_names(); "" for the default), with --json meaning "json": table when
// stdout is a terminal, else tsv.
Format pick_format(const std::string& name, bool json_requested);

using Row = std::vector<std::string>;

// A table cell longer than this many columns is cut, ending with "…", unless --wide.
inline constexpr std::size_t kTableCellWidth = 60;

class Output {
 public:
  Output(Format format, bool quiet, bool wide) : format_(format), quiet_(quiet), wide_(wide) {}

  Format format() const { return format_; }
  // json or jsonl.
  bool is_json() const { return format_ == Format::json || format_ == Format::jsonl; }
  bool quiet() const { return quiet_; }

  // json: one document on one line. jsonl: an array's elements one per line (an empty array
  // prints nothing), anything else on one line.
  void json(const nlohmann::json& document) const;
  // Rows of raw cells. table: aligned under `header`, printable, long cells cut (unless --wide).
  // tsv: no header; cells separated by a tab, with tab, newline, carriage return and backslash
  // escaped (\t \n \r \\), so that each row is one line.
  void table(const Row& header, const std::vector<Row>& rows) const;
  // Bytes and a newline: as they are for scripts, printable on a terminal.
  void text(std::string_view bytes) const;
  // The outcome of a command that changes the store: `message` for people, `result` as JSON;
  // nothing with --quiet.
  void confirm(const std::string& message, const nlohmann::json& result) const;

 private:
  Format format_;
  bool quiet_;  // --quiet: confirmations (and progress) are not shown
  bool wide_;   // --wide: table cells are never cut
};

// A TSV cell: tab, newline, carriage return and backslash escaped; other bytes as they are.
std::string tsv_cell(std::string_view bytes);

}  // namespace kvcli
