// Example: an HTTP download cache that streams values in chunks.
//
// Shows how to
//   - store a downloaded file chunk by chunk as it arrives (Store::begin_set, BlobWriter::write,
//     commit), with its ETag in Metadata::tag and its freshness (Cache-Control: max-age) in
//     Metadata::expires_at, never holding the whole file in memory;
//   - rely on atomic publication: until commit() readers see the previous version (or nothing),
//     and a download that fails half-way (abort(), or the writer's destructor) changes nothing;
//   - answer a conditional GET: Store::stat gives the cached ETag without reading the value;
//     If-None-Match equal to it -> 304 Not Modified, otherwise stream the body with a BlobReader
//     in fixed-size chunks;
//   - check the bytes served against the origin's (a content hash, which is also the ETag here).
//
// Exits non-zero if a step fails.
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "example_support.hpp"

namespace {

using example::expect;

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr std::string_view kCache = "http-cache";  // group: one key per URL

// FNV-1a, 64 bits: a small, incremental content hash (use SHA-256 in production).
class Fnv1a {
 public:
  void update(std::string_view bytes) {
    for (const unsigned char byte : bytes) hash_ = (hash_ ^ byte) * 0x100000001b3ULL;
  }
  // As a quoted ETag, e.g. "\"cbf29ce484222325\"".
  std::string etag() const {
    std::ostringstream out;
    out << '"' << std::hex << std::setw(16) << std::setfill('0') << hash_ << '"';
    return out.str();
  }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

std::string etag_of(std::string_view bytes) {
  Fnv1a hash;
  hash.update(bytes);
  return hash.etag();
}

// ---- A pretend origin server ------------------------------------------------------------------

struct OriginFile {
  std::string body;
  std::string etag;
};

// `size` bytes of deterministic noise: a different `version` gives different content.
OriginFile origin_file(std::size_t size, std::uint64_t version) {
  std::mt19937_64 random(version);
  OriginFile file;
  file.body.resize(size);
  for (auto& byte : file.body) byte = static_cast<char>(random());
  file.etag = etag_of(file.body);
  return file;
}

// ---- The cache --------------------------------------------------------------------------------

// Stores `file` under `url` as the network would deliver it: in pieces of `chunk` bytes. Each
// piece is staged in the database as it comes, so memory use does not grow with the file size.
// `after_first_chunk` lets the example look at the store half-way through a download.
void download(kvstore::Store& store, const std::string& url, const OriginFile& file,
              std::size_t chunk, const std::function<void()>& after_first_chunk = {}) {
  kvstore::Metadata meta;
  meta.tag = file.etag;                              // the response's ETag header
  meta.expires_at = kvstore::Clock::now() + 1h;      // Cache-Control: max-age=3600
  auto writer = store.begin_set(kCache, url, meta);  // the destructor aborts if we throw
  for (std::size_t offset = 0; offset < file.body.size(); offset += chunk) {
    writer.write(std::string_view(file.body).substr(offset, chunk));
    if (offset == 0 && after_first_chunk) after_first_chunk();
  }
  writer.commit();  // publishes the bytes and the metadata at once
}

struct Response {
  explicit Response(int status_code, std::string etag_header = {})
      : status(status_code), etag(std::move(etag_header)) {}
  int status;           // 200, 304 or 404
  std::string etag;     // the ETag header
  std::string body;     // what a server would have sent (here collected to check it)
  int body_writes = 0;  // how many chunks the body went out in
};

// Answers GET `url` from the cache, honouring If-None-Match.
Response serve(kvstore::Store& store, const std::string& url,
               const std::optional<std::string>& if_none_match) {
  // Cheap check first: the metadata only, no value bytes are read.
  const auto meta = store.stat(kCache, url);
  if (!meta) return Response{404};
  if (if_none_match == meta->tag) return Response{304, meta->tag};

  auto reader = store.open_reader(kCache, url);
  if (!reader) return Response{404};  // expired or deleted since stat()
  // Take the ETag from the reader: it describes exactly the version being streamed, even if the
  // value was replaced between stat() and open_reader().
  Response response(200, reader->metadata().tag);
  std::array<char, 16 * 1024> buffer;
  while (const std::size_t n = reader->read(buffer)) {
    response.body.append(buffer.data(), n);  // a server would send these bytes now
    ++response.body_writes;
  }
  return response;
}

}  // namespace

int main() try {
  example::TempDir dir("streaming");  // declared first: destroyed last
  kvstore::Store store(dir.path / "http-cache.db");
  const std::string url = "https://example.com/downloads/tool-1.2.tar.gz";

  // 1. First download, 1 MiB and a bit, arriving in 64 KiB pieces.
  const OriginFile v1 = origin_file(1024 * 1024 + 12345, 1);
  download(store, url, v1, 64 * 1024,
           [&] { expect(!store.stat(kCache, url), "a download in progress is invisible"); });
  const auto meta = store.stat(kCache, url);
  expect(meta && meta->tag == v1.etag && meta->size == v1.body.size(),
         "after commit, stat() gives the ETag and the size");
  expect(meta->expires_at.has_value(), "the cached copy carries its freshness lifetime");

  // 2. A client without the file gets it whole, in many chunks, byte for byte.
  const auto full = serve(store, url, std::nullopt);
  expect(full.status == 200 && full.etag == v1.etag, "GET without If-None-Match: 200 + ETag");
  expect(full.body == v1.body && etag_of(full.body) == v1.etag,
         "the streamed body is the downloaded file (same bytes, same hash)");
  std::cout << "  served " << full.body.size() << " bytes in " << full.body_writes << " chunks\n";
  expect(full.body_writes > 1, "the body was streamed in chunks");

  // 3. A client that has it already: 304, nothing read or sent.
  const auto again = serve(store, url, v1.etag);
  expect(again.status == 304 && again.body.empty(), "GET with a matching If-None-Match: 304");

  // 4. The origin publishes a new version. While it downloads, clients still get version 1.
  const OriginFile v2 = origin_file(700 * 1000, 2);
  download(store, url, v2, 32 * 1024, [&] {
    expect(serve(store, url, v1.etag).status == 304, "during the refresh, version 1 is served");
  });
  const auto changed = serve(store, url, v1.etag);
  expect(changed.status == 200 && changed.etag == v2.etag && changed.body == v2.body,
         "after the refresh, an old ETag gets the new version (200)");

  // 5. A download that fails half-way leaves the cached copy alone.
  try {
    const OriginFile v3 = origin_file(500 * 1000, 3);
    kvstore::Metadata meta;
    meta.tag = v3.etag;
    auto writer = store.begin_set(kCache, url, meta);
    writer.write(std::string_view(v3.body).substr(0, 100 * 1000));
    throw std::runtime_error("connection reset by peer");  // the writer's destructor aborts
  } catch (const std::runtime_error& e) {
    std::cout << "  download failed: " << e.what() << "\n";
  }
  expect(store.stat(kCache, url)->tag == v2.etag && serve(store, url, {}).body == v2.body,
         "a failed download keeps the previous version");

  // 6. A reader never mixes versions: replaced while it streams, it goes on with the version it
  // opened (a store on a file keeps each value in a file of its own) or throws.
  auto reader = store.open_reader(kCache, url);
  std::array<char, 16 * 1024> buffer;
  const std::size_t first = reader->read(buffer);
  download(store, url, v1, 64 * 1024);
  std::string rest;
  try {
    while (const auto n = reader->read(buffer)) rest.append(buffer.data(), n);
    expect(std::string_view(v2.body).substr(first) == rest,
           "a reader whose value was replaced delivers the version it opened, whole");
  } catch (const kvstore::Error& e) {
    std::cout << "  reader: " << e.what() << "\n";  // a server would close the connection
  }
  expect(serve(store, url, {}).body == v1.body, "a new reader gets the new version whole");

  std::cout << "streaming_cache: all checks passed\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "streaming_cache: " << e.what() << "\n";
  return 1;
}
