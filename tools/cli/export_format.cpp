#include "export_format.hpp"

#include "exit_codes.hpp"
#include "input.hpp"

namespace kvcli {
namespace {

using nlohmann::json;

CliError shape_error(const std::string& source, const json::json_pointer& at,
                     const std::string& problem) {
  const std::string where = at.empty() ? "the document" : at.to_string();
  return {ExitCode::usage, source + ": at " + where + ": " + problem};
}

}  // namespace

ExportWriter::ExportWriter(std::ostream& out) : out_(out) {
  const json header{{"format", kExportFormat}, {"version", kExportVersion}};
  // The header's fields, then the array the entries stream into.
  const std::string text = header.dump();
  out_ << text.substr(0, text.size() - 1) << ",\"entries\":[";
}

void ExportWriter::add(const Entry& entry) {
  out_ << (count_++ ? ",\n" : "\n") << to_json(entry).dump();
}

void ExportWriter::finish() { out_ << "\n]}\n"; }

std::vector<Entry> read_export(std::string_view text, const std::string& source) {
  const json document = parse_json(text, source);
  const json::json_pointer root;
  if (!document.is_object()) throw shape_error(source, root, "expected an object");
  if (const auto format = document.find("format");
      format != document.end() && *format != kExportFormat) {
    throw shape_error(source, root / "format", "expected \"" + std::string(kExportFormat) + "\"");
  }
  if (const auto version = document.find("version");
      version != document.end() && *version != kExportVersion) {
    throw shape_error(
        source, root / "version",
        "unsupported version (this kvstore reads version " + std::to_string(kExportVersion) + ")");
  }
  const auto entries = document.find("entries");
  if (entries == document.end()) throw shape_error(source, root / "entries", "missing");
  if (!entries->is_array()) throw shape_error(source, root / "entries", "expected an array");

  std::vector<Entry> result;
  result.reserve(entries->size());
  for (std::size_t i = 0; i < entries->size(); ++i) {
    try {
      result.push_back(entry_from_json((*entries)[i], root / "entries" / i));
    } catch (const CliError& error) {
      throw CliError(error.code(), source + ": " + error.what());
    }
  }
  return result;
}

}  // namespace kvcli
