// libFuzzer target: fuzzed group/key/value bytes (NUL, invalid UTF-8, empty, '%', '_') must come
// back byte for byte through set/get, get_all, stat, and through a streamed write (begin_set in
// fuzzed chunks) read back with open_reader, whole and in fuzzed slices.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

namespace {

using kvfuzz::check;

// Reads a whole value through BlobReader::read in slices of the given sizes (cycled).
std::string read_in_slices(kvstore::BlobReader& reader, const std::vector<std::size_t>& slices) {
  std::string result;
  std::vector<char> buffer;
  for (std::size_t i = 0;; ++i) {
    buffer.resize(slices[i % slices.size()]);
    const std::size_t got = reader.read(std::span<char>(buffer));
    if (got == 0) return result;
    result.append(buffer.data(), got);
  }
}

void check_value(kvstore::Store& store, const std::string& group, const std::string& key,
                 const std::string& value, const std::vector<std::size_t>& slices) {
  check(store.get(group, key) == value, "get differs from what was written");
  const auto all = store.get_all(group);
  const auto found = all.find(key);
  check(found != all.end() && found->second == value, "get_all differs from what was written");
  const auto meta = store.stat(group, key);
  check(meta && meta->size == value.size(), "stat size differs from the value's");
  auto whole = store.open_reader(group, key);
  check(whole && whole->read_all() == value, "open_reader read_all differs");
  auto sliced = store.open_reader(group, key);
  check(sliced && read_in_slices(*sliced, slices) == value, "open_reader read differs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const std::string group = input.ConsumeRandomLengthString(64);
  const std::string key = input.ConsumeRandomLengthString(64);
  std::vector<std::size_t> slices;
  const int slice_count = input.ConsumeIntegralInRange(1, 4);
  for (int i = 0; i < slice_count; ++i) slices.push_back(input.ConsumeIntegralInRange(1, 300));
  const std::string value = input.ConsumeRemainingBytesAsString();

  const kvfuzz::EmptyAfterInput empty_after;
  auto& store = kvfuzz::shared_store();
  store.set(group, key, value);
  check_value(store, group, key, value, slices);

  // The same bytes streamed in chunks of the slice sizes, over a different previous value.
  const std::string streamed_key = key + '\0' + "s";
  store.set(group, streamed_key, "previous");
  auto writer = store.begin_set(group, streamed_key, {.tag = key});
  for (std::size_t at = 0, i = 0; at < value.size(); ++i) {
    const std::size_t length = std::min(slices[i % slices.size()], value.size() - at);
    writer.write(std::string_view(value).substr(at, length));
    at += length;
  }
  check(store.get(group, streamed_key) == "previous", "an uncommitted stream is visible");
  writer.commit();
  check_value(store, group, streamed_key, value, slices);
  check(store.stat(group, streamed_key)->tag == key, "the stream's tag differs");

  check(store.erase(group, key), "erase of a written key returned false");
  check(!store.get(group, key), "an erased key is still readable");
  check(store.get(group, streamed_key) == value, "erasing one key changed another");
  return 0;
}
