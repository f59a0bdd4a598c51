#include "record.hpp"

#include <algorithm>
#include <stdexcept>
#include <type_traits>

namespace history {
namespace {

using kvstore::EventType;

constexpr EventType kTypes[] = {EventType::set, EventType::erase, EventType::delete_group,
                                EventType::expire, EventType::gap};

EventType type_named(std::string_view name) {
  for (const auto type : kTypes) {
    if (kvstore::to_string(type) == name) return type;
  }
  throw std::runtime_error("unknown event type " + std::string(name));
}

// Writes fields: each escaped, after a space.
class Writer {
 public:
  explicit Writer(char tag) : out_(1, tag) {}
  void operator()(std::string_view field) {
    out_ += ' ';
    out_ += escape(field);
  }
  void operator()(const std::string& field) { (*this)(std::string_view(field)); }
  void operator()(std::int64_t value) { (*this)(std::to_string(value)); }
  void operator()(std::uint64_t value) { (*this)(std::to_string(value)); }
  void operator()(int value) { (*this)(std::to_string(value)); }
  void operator()(bool value) { (*this)(std::string_view(value ? "1" : "0")); }
  void operator()(EventType type) { (*this)(kvstore::to_string(type)); }
  void operator()(const std::optional<std::string>& value) {
    (*this)(value.has_value());
    (*this)(value.value_or(""));
  }
  template <class T>
  void operator()(const std::vector<T>& items) {
    (*this)(static_cast<std::uint64_t>(items.size()));
    for (const auto& item : items) visit(*this, item);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads the fields of a line back, in the order a Writer wrote them.
class Reader {
 public:
  explicit Reader(const std::string& line) {
    for (std::size_t at = 2; at <= line.size();) {
      const auto space = std::min(line.find(' ', at), line.size());
      fields_.push_back(unescape(std::string_view(line).substr(at, space - at)));
      at = space + 1;
    }
  }
  void operator()(std::string& field) {
    if (next_ >= fields_.size()) throw std::runtime_error("history line: too few fields");
    field = std::move(fields_[next_++]);
  }
  void operator()(std::int64_t& value) { value = std::stoll(text()); }
  void operator()(std::uint64_t& value) { value = std::stoull(text()); }
  void operator()(int& value) { value = std::stoi(text()); }
  void operator()(bool& value) { value = text() == "1"; }
  void operator()(EventType& type) { type = type_named(text()); }
  void operator()(std::optional<std::string>& value) {
    bool present = false;
    (*this)(present);
    std::string read = text();
    value = present ? std::optional<std::string>(std::move(read)) : std::nullopt;
  }
  template <class T>
  void operator()(std::vector<T>& items) {
    std::uint64_t n = 0;
    (*this)(n);
    items.resize(n);
    for (auto& item : items) visit(*this, item);
  }

 private:
  std::string text() {
    std::string out;
    (*this)(out);
    return out;
  }
  std::vector<std::string> fields_;
  std::size_t next_ = 0;
};

// The fields of each record, in order: one list for writing and reading back. `Io` is a Writer
// (with const records) or a Reader.
template <class T, class Record>
concept MaybeConst = std::is_same_v<std::remove_const_t<T>, Record>;

template <class Io, class... Fields>
void each(Io& io, Fields&... fields) {
  (io(fields), ...);
}

template <class Io, MaybeConst<std::pair<std::string, std::string>> Pair>
void visit(Io& io, Pair& pair) {
  each(io, pair.first, pair.second);
}

template <class Io, MaybeConst<Change> C>
void visit(Io& io, C& c) {
  each(io, c.revision, c.type, c.group, c.key, c.value, c.external);
}

template <class Io, MaybeConst<Call> C>
void visit(Io& io, C& c) {
  each(io, c.process, c.thread, c.batch, c.op, c.group, c.key, c.written, c.start, c.end, c.outcome,
       c.message, c.value, c.number, c.entries, c.changes);
}

template <class Io, MaybeConst<Line> L>
void visit(Io& io, L& line) {
  using Tag = Line::Tag;
  switch (line.tag) {
    case Tag::options:
      return each(io, line.process, line.polls, line.text);
    case Tag::call:
      return visit(io, line.call);
    case Tag::delivered:
      io(line.process);
      return visit(io, line.change);
    case Tag::subscribed:
      return each(io, line.process, line.count);
    case Tag::watcher:
      return each(io, line.process, line.watcher, line.text, line.count);
    case Tag::compacted:
      return each(io, line.process, line.watcher, line.text);
    case Tag::watched:
      each(io, line.process, line.watcher);
      return visit(io, line.change);
    case Tag::quota:
      return each(io, line.limit, line.count);
    case Tag::sample:
      return each(io, line.time, line.count);
  }
}

constexpr std::pair<Line::Tag, char> kTags[] = {
    {Line::Tag::options, 'O'}, {Line::Tag::call, 'R'},    {Line::Tag::delivered, 'E'},
    {Line::Tag::watcher, 'V'}, {Line::Tag::watched, 'W'}, {Line::Tag::compacted, 'C'},
    {Line::Tag::quota, 'Q'},   {Line::Tag::sample, 'S'},  {Line::Tag::subscribed, 'U'},
};

bool printable(unsigned char c) { return c > ' ' && c < 0x7f && c != '%'; }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  throw std::runtime_error("history line: bad escape");
}

}  // namespace

Nanos to_nanos(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

Nanos now() { return to_nanos(std::chrono::steady_clock::now()); }

Change Change::of(const kvstore::Event& event) {
  return {event.revision, event.type, event.group, event.key, event.value, event.external};
}

std::string Change::describe() const {
  return std::string(kvstore::to_string(type)) + " " + group + "/" + key +
         (value ? " = '" + *value + "'" : std::string(" (value not held)")) + " at revision " +
         std::to_string(revision) + (external ? " (external)" : "");
}

std::string Call::describe() const {
  std::string out = "p";  // appended piece by piece: GCC 12 warns falsely on "p" + std::string
  out += std::to_string(process);
  if (thread >= 0) out.append("t").append(std::to_string(thread));  // background: no thread
  out += " " + op + " " + group + "/" + key;
  if (written) out += " writing '" + *written + "'";
  out += " [" + std::to_string(start) + ", " + std::to_string(end) + "] " + outcome;
  if (!message.empty()) out += " (" + message + ")";
  if (value) out += " read '" + *value + "'";
  if (batch) out += " in transaction " + std::to_string(batch);
  out += " number " + std::to_string(number);
  for (const auto& [key, value] : entries) out += " " + key + "='" + value + "'";
  for (const auto& change : changes) out += "; published " + change.describe();
  return out;
}

std::string escape(std::string_view bytes) {
  if (bytes.empty()) return "%";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (printable(u)) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

std::string unescape(std::string_view field) {
  if (field == "%") return {};
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '%') {
      out += field[i];
      continue;
    }
    if (i + 2 >= field.size()) {
      throw std::runtime_error("history line: truncated escape");
    }
    out += static_cast<char>(hex_digit(field[i + 1]) * 16 + hex_digit(field[i + 2]));
    i += 2;
  }
  return out;
}

std::string format(const Line& line) {
  for (const auto& [tag, letter] : kTags) {
    if (tag != line.tag) continue;
    Writer writer(letter);
    visit(writer, line);
    return writer.take();
  }
  throw std::logic_error("unknown line tag");
}

Line parse(const std::string& text) {
  if (text.size() < 2 || text[1] != ' ') throw std::runtime_error("history line: " + text);
  for (const auto& [tag, letter] : kTags) {
    if (letter != text[0]) continue;
    Line line;
    line.tag = tag;
    Reader reader(text);
    visit(reader, line);
    if (tag == Line::Tag::call) line.process = line.call.process;
    return line;
  }
  throw std::runtime_error("history line: unknown tag in " + text);
}

}  // namespace history
