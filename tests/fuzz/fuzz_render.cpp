// libFuzzer target: Store::render over fuzzed templates and fuzzed stored values. render either
// returns or throws InvalidArgument (a template syntax error); anything else is a bug. Values are
// inserted as they are: "{{v}}" renders exactly the stored value of v.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const kvfuzz::EmptyAfterInput empty_after;
  auto& store = kvfuzz::shared_store();
  const std::string group = "g";
  const std::string value = input.ConsumeRandomLengthString(256);
  store.set(group, "v", value);
  const int extra = input.ConsumeIntegralInRange(0, 8);
  for (int i = 0; i < extra; ++i) {
    const std::string key = input.ConsumeRandomLengthString(16);
    store.set(group, key, input.ConsumeRandomLengthString(64));
  }
  const std::string text = input.ConsumeRemainingBytesAsString();

  try {
    (void)store.render(group, kvstore::Template{text});
  } catch (const kvstore::InvalidArgument&) {
    // a template syntax error, reported: fine
  }
  // The stored value of v may have been replaced by a fuzzed key "v": read what is stored now.
  const auto stored = store.get(group, "v");
  kvfuzz::check(stored.has_value(), "v vanished");
  kvfuzz::check(store.render(group, kvstore::Template{"{{v}}"}) == *stored,
                "{{v}} does not render v's value");
  store.erase(group, "missing");  // a fuzzed key may have that name
  kvfuzz::check(store.render(group, kvstore::Template{"[{{v}}]{{missing}}"}) == "[" + *stored + "]",
                "a missing variable does not render empty");
  return 0;
}
