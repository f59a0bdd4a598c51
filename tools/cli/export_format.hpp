// The export document (docs/cli.md), written by `export` and read by `import`:
//   {"format": "kvstore-export", "version": 1, "entries": [ <entry object>, ... ]}
// one entry object per line (entry.hpp), expiry times absolute.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "entry.hpp"

namespace kvcli {

inline constexpr const char* kExportFormat = "kvstore-export";
inline constexpr int kExportVersion = 1;

// Streams an export document to `out`, entry by entry (the store is never held in memory).
class ExportWriter {
 public:
  explicit ExportWriter(std::ostream& out);
  void add(const Entry& entry);
  // Closes the document; the writer must not be used after it.
  void finish();
  std::size_t count() const { return count_; }

 private:
  std::ostream& out_;
  std::size_t count_ = 0;
};

// The entries of an export document. Throws CliError (usage) for bad JSON with
// "<source>:<line>:<column>", for a wrong shape with the JSON pointer of the culprit.
std::vector<Entry> read_export(std::string_view text, const std::string& source);

}  // namespace kvcli
