// Streaming values: Store::begin_set / open_reader / stat and the writer and reader handles.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "blob_state.hpp"
#include "clock.hpp"

namespace kvstore {

using detail::Operation;
using detail::StatementUse;

namespace {

struct StoredMetadata {
  Metadata metadata;
  std::optional<std::int64_t> blob_id;
  bool in_file = false;  // the value is in the file of blob_id (BlobFiles)
};

// The metadata of a live group/key, or nullopt (an expired row is deleted like get does).
std::optional<StoredMetadata> load_metadata(Store::Impl& impl, std::string_view group,
                                            std::string_view key) {
  const auto now = detail::now_unix_ms();
  {
    StatementUse use(impl.statements.select_metadata);
    if (!use.text(1, group).text(2, key).step()) return std::nullopt;
    const auto expires_at = use.column_int_or_null(2);
    if (!expires_at || *expires_at > now) {
      StoredMetadata stored{
          {std::string(use.column_text(3)), static_cast<std::uint64_t>(use.column_int(4)),
           static_cast<std::uint64_t>(use.column_int(0)), detail::from_unix_ms(use.column_int(1)),
           std::nullopt},
          use.column_int_or_null(5),
          use.column_int(6) != 0};
      if (expires_at) stored.metadata.expires_at = detail::from_unix_ms(*expires_at);
      return stored;
    }
  }
  impl.expire_row(group, key, now);
  return std::nullopt;
}

[[noreturn]] void throw_closed(const Operation& op) {
  throw Error(op.message("the Store was destroyed"));
}

}  // namespace

// ---- Store ----

std::optional<Metadata> Store::stat(std::string_view group, std::string_view key) {
  return impl_->read(Operation::of("stat", group, key), [&]() -> std::optional<Metadata> {
    auto stored = load_metadata(*impl_, group, key);
    if (!stored) return std::nullopt;
    return stored->metadata;
  });
}

std::optional<BlobReader> Store::open_reader(std::string_view group, std::string_view key) {
  const auto op = Operation::of("open_reader", group, key);
  return impl_->read(op, [&]() -> std::optional<BlobReader> {
    auto stored = load_metadata(*impl_, group, key);
    std::optional<detail::FileDescriptor> file;
    // Another process may delete the value and its file between the two steps: look again.
    for (int attempt = 1; stored && stored->in_file; ++attempt) {
      file = attempt < 3 ? impl_->files.open(*stored->blob_id)
                         : impl_->files.open_recorded(*stored->blob_id);
      if (file) break;
      stored = load_metadata(*impl_, group, key);
    }
    if (!stored) return std::nullopt;
    auto state = std::make_unique<BlobReader::State>();
    state->file = std::move(file);
    state->store = impl_;
    state->group = group;
    state->key = key;
    state->metadata = std::move(stored->metadata);
    state->blob_id = stored->blob_id;
    if (!state->blob_id) {
      // A plain value was written whole by set(), so it is read whole too.
      StatementUse use(impl_->statements.select_row);
      use.text(1, group).text(2, key).step();
      state->chunk = use.column_text(0);
      state->delivered = state->chunk.size();
    }
    return BlobReader(std::move(state));
  });
}

BlobWriter Store::begin_set(std::string_view group, std::string_view key, Metadata meta,
                            std::stop_token cancel) {
  const auto op = Operation::of("begin_set", group, key);
  if (meta.expires_at && *meta.expires_at <= Clock::now()) {
    throw InvalidArgument(op.message("expires_at is not in the future"));
  }
  auto state = std::make_unique<BlobWriter::State>();
  state->store = impl_;
  state->group = group;
  state->key = key;
  state->metadata = std::move(meta);
  state->cancel = std::move(cancel);
  const bool in_file = impl_->files.enabled();
  state->blob_id = impl_->write(op, [&] {
    StatementUse use(impl_->statements.create_blob);
    use.integer(1, getpid()).integer(2, detail::now_unix_ms()).integer(3, in_file).run();
    return impl_->connection.database().getLastInsertRowid();
  });
  BlobWriter writer(std::move(state));  // from here a failure aborts, deleting the row
  if (in_file) {
    auto& staged = *writer.state_;
    staged.file = detail::guarded(op, [&] { return impl_->files.create(staged.blob_id); });
  }
  return writer;
}

// ---- BlobWriter ----

std::shared_ptr<Store::Impl> BlobWriter::State::lock_store(const Operation& op) const {
  auto impl = store.lock();
  if (!impl) throw_closed(op);
  return impl;
}

void BlobWriter::State::append(std::string_view bytes) {
  if (file) {
    const auto op = operation("write");
    if (store.expired()) throw_closed(op);  // as stage() would
    detail::guarded(op, [&] { file->write_all(bytes); });
    return;
  }
  while (!bytes.empty()) {
    const auto take = std::min(bytes.size(), kBlobChunkBytes - buffer.size());
    buffer.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (buffer.size() == kBlobChunkBytes) {
      stage(buffer);
      buffer.clear();
    }
  }
}

void BlobWriter::State::seal_file(const Operation& op) {
  detail::guarded(op, [&] {
    file->sync();
    // A file no longer linked was reclaimed as garbage by another opener (possible only for a
    // writer begun inside a transaction that had not committed its row yet).
    if (!file->is_linked()) throw Error(op.message("the staged value's file was deleted"));
    file.reset();
    store.lock()->files.sync_directory();
  });
}

void BlobWriter::State::stage(std::string_view bytes) {
  const auto op = operation("write");
  auto impl = lock_store(op);
  impl->write(op, [&] {
    StatementUse use(impl->statements.insert_chunk);
    use.integer(1, blob_id).integer(2, next_seq).blob(3, bytes).run();
  });
  ++next_seq;
}

void BlobWriter::State::discard() noexcept {
  status = Status::aborted;
  file.reset();
  buffer.clear();
  buffer.shrink_to_fit();
  auto impl = store.lock();
  if (!impl) return;  // reclaimed when the file is next opened
  try {
    impl->write(operation("abort"), [&] { impl->discard_blob(blob_id); });
  } catch (const std::exception& e) {
    impl->report(std::string(e.what()) + " (staged data is reclaimed on the next open)");
  }
}

BlobWriter::BlobWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
BlobWriter::BlobWriter(BlobWriter&&) noexcept = default;
BlobWriter& BlobWriter::operator=(BlobWriter&& other) noexcept {
  if (this != &other) {
    abort();
    state_ = std::move(other.state_);
  }
  return *this;
}
BlobWriter::~BlobWriter() { abort(); }

void BlobWriter::write(std::string_view chunk) {
  const auto op = state_ ? state_->operation("write") : Operation::of("write");
  if (!state_ || state_->status != State::Status::open) {
    throw InvalidArgument(op.message("write after commit or abort"));
  }
  if (state_->cancel.stop_requested()) {
    state_->discard();
    throw Error(op.message("cancelled; the staged data was discarded"));
  }
  try {
    state_->append(chunk);
  } catch (...) {
    state_->discard();  // part of the chunk may be staged: the value could never be whole
    throw;
  }
  state_->size += chunk.size();
}

void BlobWriter::commit() {
  if (!state_ || state_->status != State::Status::open) return;
  State& state = *state_;
  const auto op = state.operation("commit");
  if (state.cancel.stop_requested()) {
    state.discard();
    throw Error(op.message("cancelled before commit; nothing was published"));
  }
  auto impl = state.lock_store(op);
  if (impl->joined()) {
    // A rolled-back transaction would unpublish the value behind the writer's back.
    throw InvalidArgument(op.message("commit() inside Store::transaction is not supported"));
  }
  if (state.file) state.seal_file(op);
  if (!state.buffer.empty()) {
    state.stage(state.buffer);
    state.buffer.clear();
  }
  impl->write(op, [&] {
    const auto now = detail::now_unix_ms();
    if (state.before_commit) state.before_commit(*impl, op, now);
    StatementUse finish(impl->statements.finish_blob);
    if (finish.integer(1, state.blob_id).integer(2, static_cast<std::int64_t>(state.size)).run() ==
        0) {
      throw Error(op.message("the staged value is gone (reclaimed by another opener?)"));
    }
    const auto expires_at = state.metadata.expires_at
                                ? std::optional(detail::to_unix_ms(*state.metadata.expires_at))
                                : std::nullopt;
    const std::string event_value =
        state.size <= kBlobEventValueLimit ? impl->stored_value({}, state.blob_id) : std::string();
    impl->put(state.group, state.key, {{}, expires_at, state.metadata.tag, state.blob_id},
              event_value, now);
    impl->reclaim_orphan_blobs();  // the value this one replaced, if it was streamed
  });
  state.status = State::Status::committed;
}

void BlobWriter::abort() {
  if (state_ && state_->status == State::Status::open) state_->discard();
}

bool BlobWriter::committed() const { return state_ && state_->status == State::Status::committed; }

// ---- BlobReader ----

bool BlobReader::State::fetch() {
  chunk.clear();
  position = 0;
  if (!blob_id || delivered >= metadata.size) return false;
  const auto op = Operation::of("read", group, key);
  auto impl = store.lock();
  if (!impl) throw_closed(op);
  if (file) {
    chunk.resize(static_cast<std::size_t>(
        std::min<std::uint64_t>(metadata.size - delivered, kBlobChunkBytes)));
    detail::guarded(op, [&] { file->read_exactly(chunk); });
    delivered += chunk.size();
    return true;
  }
  impl->read(op, [&] {
    StatementUse use(impl->statements.select_chunk);
    if (!use.integer(1, *blob_id).integer(2, next_seq).step()) {
      throw Error(op.message("the value (revision " + std::to_string(metadata.revision) +
                             ") was replaced or deleted while being read"));
    }
    chunk = use.column_text(0);
  });
  ++next_seq;
  delivered += chunk.size();
  return !chunk.empty();
}

BlobReader::State::int_type BlobReader::State::underflow() {
  try {
    if (store.expired()) throw_closed(Operation::of("read", group, key));
    if (position >= chunk.size() && !fetch()) return traits_type::eof();
  } catch (...) {
    error = std::current_exception();
    throw;  // std::istream turns this into badbit
  }
  char* begin = chunk.data() + position;
  position = chunk.size();
  setg(begin, begin, chunk.data() + chunk.size());
  return traits_type::to_int_type(*begin);
}

BlobReader::BlobReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
BlobReader::BlobReader(BlobReader&&) noexcept = default;
BlobReader& BlobReader::operator=(BlobReader&&) noexcept = default;
BlobReader::~BlobReader() = default;

std::size_t BlobReader::read(std::span<char> out) {
  if (state_->error) std::rethrow_exception(std::exchange(state_->error, nullptr));
  // sgetn refills through underflow(), whose exceptions reach the caller unchanged.
  return static_cast<std::size_t>(
      state_->sgetn(out.data(), static_cast<std::streamsize>(out.size())));
}

std::string BlobReader::read_all() {
  std::string all;
  char buffer[64 * 1024];
  while (const auto n = read(buffer)) all.append(buffer, n);
  return all;
}

const Metadata& BlobReader::metadata() const { return state_->metadata; }

std::istream& BlobReader::stream() { return state_->stream; }

// ---- reclaim ----

namespace detail {

void reclaim_abandoned_blobs(Store::Impl& impl) {
  const auto op = Operation::of("open: reclaim staged values");
  // Listed before the rows are read: a file is created only after its row committed, so a
  // listed file whose row the read does not find lost its row (a deletion committed, and its
  // process died before it deleted the file).
  const auto files = detail::guarded(
      op, [&] { return impl.files.enabled() ? impl.files.list() : std::vector<std::int64_t>{}; });
  std::vector<std::int64_t> abandoned, unreferenced;
  impl.read(op, [&] {
    StatementUse use(impl.statements.staged_blobs);
    while (use.step()) {
      const auto pid = static_cast<pid_t>(use.column_int(1));
      // Same-host check: a live writer (in this process or another) keeps its staged data.
      if (kill(pid, 0) != 0 && errno == ESRCH) abandoned.push_back(use.column_int(0));
    }
    for (const auto id : files) {
      if (!StatementUse(impl.statements.blob_storage).integer(1, id).step()) {
        unreferenced.push_back(id);
      }
    }
  });
  detail::guarded(op, [&] {
    for (const auto id : unreferenced) impl.files.remove(id);
  });
  if (abandoned.empty()) return;
  impl.write(op, [&] {
    for (const auto id : abandoned) impl.discard_blob(id);
  });
}

}  // namespace detail
}  // namespace kvstore
