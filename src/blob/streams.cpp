// Streaming values: Store::begin_set / open_reader / stat and the writer and reader handles.

#include <algorithm>

#include "blob/stream_state.hpp"
#include "storage/platform/platform.hpp"
#include "util/unix_time.hpp"

namespace kvstore {

using detail::Operation;

namespace {

struct StoredMetadata {
  Metadata metadata;
  std::optional<std::int64_t> blob_id;
  bool in_file = false;     // the value is in the file of blob_id (BlobFiles)
  std::string plain_value;  // with_value and no blob_id: the value
};

// The metadata of a live group/key, or nullopt (an expired row is deleted like get does);
// `with_value`: also a plain value, from the same row (one statement, one snapshot: another
// connection may replace the row between two).
std::optional<StoredMetadata> load_metadata(detail::HeldStore& held, std::string_view group,
                                            std::string_view key, bool with_value = false) {
  const auto now = detail::now_unix_ms();
  auto row = held.kv().metadata(group, key, with_value);
  if (!row) return std::nullopt;
  if (!row->expires_at || *row->expires_at > now) {
    StoredMetadata stored{{std::move(row->tag), row->size, row->revision,
                           detail::from_unix_ms(row->modified_at), std::nullopt},
                          row->blob_id,
                          row->in_file,
                          std::move(row->value)};
    if (row->expires_at) stored.metadata.expires_at = detail::from_unix_ms(*row->expires_at);
    return stored;
  }
  held.expire_row(group, key, now);
  return std::nullopt;
}

[[noreturn]] void throw_closed(const Operation& op) {
  throw Error(op.message("the Store was destroyed"));
}

}  // namespace

// ---- Store ----

std::optional<Metadata> Store::stat(std::string_view group, std::string_view key) const {
  return impl().with_connection(Operation::of("stat", group, key),
                                [&](detail::HeldStore& held) -> std::optional<Metadata> {
                                  auto stored = load_metadata(held, group, key);
                                  if (!stored) return std::nullopt;
                                  return stored->metadata;
                                });
}

std::optional<BlobReader> Store::open_reader(std::string_view group, std::string_view key) const {
  const auto op = Operation::of("open_reader", group, key);
  return impl().with_connection(op, [&](detail::HeldStore& held) -> std::optional<BlobReader> {
    auto stored = load_metadata(held, group, key, true);
    std::unique_ptr<detail::File> file;
    // Another process may delete the value and its file between the two steps: look again.
    for (int attempt = 1; stored && stored->in_file; ++attempt) {
      file = attempt < 3 ? impl().files().open(*stored->blob_id)
                         : impl().files().open_recorded(*stored->blob_id);
      if (file) break;
      stored = load_metadata(held, group, key, true);
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
      state->chunk = std::move(stored->plain_value);
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
  if (impl().joined()) {
    // A rollback would take the staged value's record away from under its writer.
    throw InvalidArgument(op.message("begin_set() inside Store::transaction is not supported"));
  }
  auto state = detail::guarded(op, [&] {
    auto made = std::make_unique<BlobWriter::State>();
    made->store = impl_;
    made->group = group;
    made->key = key;
    made->metadata = std::move(meta);
    made->cancel = std::move(cancel);
    return made;
  });
  const bool in_file = impl().files().enabled();
  std::int64_t id = 0;
  try {
    impl().write(op, [&](detail::HeldStore& held) {
      id = held.blobs().create(detail::current_process_id(), detail::now_unix_ms(), in_file);
      // In the same transaction as the row: an opener never sees the one without the other.
      if (in_file) state->file = impl().files().create(id);
    });
  } catch (...) {
    if (state->file) {
      state->file.reset();
      try {
        impl().files().remove(id);
      } catch (const std::exception&) {
        // A file without a row: the next open reclaims it, the next staging replaces it.
      }
    }
    throw;
  }
  state->blob_id = id;
  return BlobWriter(std::move(state));
}

// ---- BlobWriter ----

std::shared_ptr<Store::Impl> BlobWriter::State::lock_store(const Operation& op) const {
  auto impl = store.lock();
  if (!impl) throw_closed(op);
  return impl;
}

void BlobWriter::State::append(std::string_view bytes) {
  // Also a write that would only fill the buffer: every call after the Store is gone throws.
  if (store.expired()) throw_closed(operation("write"));
  if (file) {
    detail::guarded(operation("write"), [&] { file->write_all(bytes); });
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

void BlobWriter::State::stage(std::string_view bytes) {
  const auto op = operation("write");
  auto impl = lock_store(op);
  impl->write(
      op, [&](detail::HeldStore& held) { held.blobs().insert_chunk(blob_id, next_seq, bytes); });
  ++next_seq;
}

void BlobWriter::State::publish(Store::Impl& impl, const Operation& op) {
  if (file) {
    detail::guarded(op, [&] {
      file->sync();
      impl.files().sync_directory();
    });
  }
  if (!buffer.empty()) {
    stage(buffer);
    buffer.clear();
  }
  impl.write(op, [&](detail::HeldStore& held) {
    const auto now = detail::now_unix_ms();
    if (before_commit) before_commit(held, op, now);
    if (!held.blobs().finish(blob_id, static_cast<std::int64_t>(size))) {
      throw Error(op.message("the staged value is gone (reclaimed by another opener?)"));
    }
    const auto expires_at = metadata.expires_at
                                ? std::optional(detail::to_unix_ms(*metadata.expires_at))
                                : std::nullopt;
    const auto event_value =
        size <= kBlobEventValueLimit ? std::optional(held.stored_value({}, blob_id)) : std::nullopt;
    held.put(group, key, {{}, expires_at, metadata.tag, blob_id},
             std::optional<std::string_view>(event_value), now);
    held.reclaim_orphan_blobs();  // the value this one replaced, if it was streamed
  });
}

void BlobWriter::State::discard(Status outcome) noexcept {
  status = outcome;
  buffer.clear();
  buffer.shrink_to_fit();
  if (auto impl = store.lock()) {
    try {
      impl->write(operation("abort"), [&](detail::HeldStore& held) { held.discard_blob(blob_id); });
    } catch (const std::exception& e) {
      impl->report(e.what(), " (staged data is reclaimed on the next open)");
    }
  }              // else: reclaimed when the file is next opened
  file.reset();  // only now: the lock kept other openers from reclaiming it meanwhile
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
    throw InvalidArgument(op.message(state_ && state_->status == State::Status::failed
                                         ? "write after a failure discarded the value"
                                         : "write after commit or abort"));
  }
  if (state_->cancel.stop_requested()) {
    state_->discard(State::Status::aborted);
    throw Error(op.message("cancelled; the staged data was discarded"));
  }
  try {
    detail::guarded(op, [&] { state_->append(chunk); });
  } catch (...) {
    state_->discard(State::Status::failed);  // part of the chunk may be staged: never whole
    throw;
  }
  state_->size += chunk.size();
}

void BlobWriter::commit() {
  if (!state_) return;
  State& state = *state_;
  const auto op = state.operation("commit");
  if (state.status == State::Status::failed) {
    throw InvalidArgument(op.message("an earlier failure discarded the value; nothing was stored"));
  }
  if (state.status != State::Status::open) return;
  if (state.cancel.stop_requested()) {
    state.discard(State::Status::aborted);
    throw Error(op.message("cancelled before commit; nothing was published"));
  }
  auto impl = state.lock_store(op);
  if (impl->joined()) {
    // A rolled-back transaction would unpublish the value behind the writer's back.
    throw InvalidArgument(op.message("commit() inside Store::transaction is not supported"));
  }
  try {
    state.publish(*impl, op);
  } catch (...) {
    // The writer's file may already be closed or its bytes half staged: nothing can commit it
    // whole any more, so it is discarded and a later commit() throws.
    state.discard(State::Status::failed);
    throw;
  }
  state.status = State::Status::committed;
  state.file.reset();
}

void BlobWriter::abort() {
  if (state_ && state_->status == State::Status::open) state_->discard(State::Status::aborted);
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
    detail::guarded(op, [&] {
      chunk.resize(static_cast<std::size_t>(
          std::min<std::uint64_t>(metadata.size - delivered, kBlobChunkBytes)));
      file->read_exactly(chunk);
    });
    delivered += chunk.size();
    return true;
  }
  impl->with_connection(op, [&](detail::HeldStore& held) {
    if (!held.blobs().read_chunk(*blob_id, next_seq, chunk)) {
      throw Error(op.message("the value (revision " + std::to_string(metadata.revision) +
                             ") was replaced or deleted while being read"));
    }
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
  return detail::guarded(Operation::of("read", state_->group, state_->key), [&] {
    std::string all;
    char buffer[64 * 1024];
    while (const auto n = read(buffer)) all.append(buffer, n);
    return all;
  });
}

const Metadata& BlobReader::metadata() const { return state_->metadata; }

std::istream& BlobReader::stream() { return state_->stream; }

}  // namespace kvstore
