// Where command results go (stdout) and in which form: a table for people when stdout is a
// terminal, plain tab-separated lines for scripts otherwise, or one JSON document with --json.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace kvcli {

enum class Format { table, plain, json };

// json if asked for, else table when stdout is a terminal, else plain.
Format pick_format(bool json_requested);

using Row = std::vector<std::string>;

class Output {
 public:
  Output(Format format, bool quiet) : format_(format), quiet_(quiet) {}

  Format format() const { return format_; }
  bool is_json() const { return format_ == Format::json; }
  bool quiet() const { return quiet_; }

  // One JSON document on one line.
  void json(const nlohmann::json& document) const;
  // Rows of raw cells: aligned (and printable) under `header` on a terminal; tab-separated lines
  // without a header otherwise.
  void table(const Row& header, const std::vector<Row>& rows) const;
  // Bytes and a newline: as they are for scripts, printable on a terminal.
  void text(std::string_view bytes) const;
  // The outcome of a command that changes the store: `message` for people, `result` with
  // --json; nothing with --quiet.
  void confirm(const std::string& message, const nlohmann::json& result) const;

 private:
  Format format_;
  bool quiet_;  // --quiet: confirmations (and progress) are not shown
};

}  // namespace kvcli
