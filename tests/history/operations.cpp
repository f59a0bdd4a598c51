#include "operations.hpp"

#include "keyspace.hpp"

namespace history {

std::string Context::unique_value(std::string_view suffix) {
  std::string value = "p";  // appended piece by piece: GCC 12 warns falsely on "p" + std::string
  value += std::to_string(recorder.process()) + "t" + std::to_string(thread) + "s" +
           std::to_string(++sequence);
  return value.append(suffix);
}

const std::string& Context::key() { return kKeys[below(kKeys.size())]; }

const std::string& Context::plain_group() { return kPlainGroups[below(kPlainGroups.size())]; }

const std::string& Context::checked_group() { return kCheckedGroups[below(kCheckedGroups.size())]; }

Call Context::call(std::string op, std::string group, std::string key,
                   std::optional<std::string> written) const {
  Call out;
  out.process = recorder.process();
  out.thread = thread;
  out.op = std::move(op);
  out.group = std::move(group);
  out.key = std::move(key);
  out.written = std::move(written);
  return out;
}

std::size_t Context::weighted(std::initializer_list<int> weights) {
  int total = 0;
  for (const int weight : weights) total += weight;
  auto draw = static_cast<int>(below(static_cast<std::size_t>(total)));
  std::size_t index = 0;
  for (const int weight : weights) {
    if (draw < weight) return index;
    draw -= weight;
    ++index;
  }
  return index - 1;
}

void run_random_operation(Context& context) {
  // Reads and plain writes most, so that reads often race with writes of the same keys;
  // maintenance (a checkpoint waits for every reader) least.
  static constexpr void (*kFamilies[])(Context&) = {
      store_read,   plain_write,       tenant_write, layer_operation,
      stream_write, transaction_write, maintenance};
  kFamilies[context.weighted({30, 24, 12, 12, 6, 6, 2})](context);
}

}  // namespace history
