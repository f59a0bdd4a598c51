// What a power cut would lose, per file path, the way SQLite's crash VFS (test6.c) models it: the
// durable state of each tracked file is its size at the last sync (or when first opened) and,
// for every 512-byte sector written or truncated away since then, the sector's content as of
// that sync. A wrapper (the SQLite VFS shim; the value-file system wrapper) tells the journal
// before each write and truncate and after each sync; at a power cut the journal puts that loss
// onto the real files.
//
// Not modelled: directory entries (a file created or deleted since the last directory sync stays
// created or deleted), and metadata other than the size.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <span>
#include <string>

#include "fault_control.hpp"

namespace kvfault {

// Registers itself with Control for its lifetime. Thread-safe: one mutex guards every file.
class SectorJournal final : public Journal {
 public:
  static constexpr std::int64_t kSectorSize = 512;

  // One tracked path's durable state, shared by every handle of that path.
  struct File;
  using FileRef = std::shared_ptr<File>;
  // Reads out.size() bytes at `offset` of the file as it is now (past its end: zeros); false
  // when the read failed.
  using Reader = std::function<bool(std::int64_t offset, std::span<char> out)>;

  SectorJournal();
  ~SectorJournal() override;
  SectorJournal(const SectorJournal&) = delete;
  SectorJournal& operator=(const SectorJournal&) = delete;

  // A handle of `path` was opened; the file's size is `size_now`. Starts tracking the path (its
  // durable size is `size_now`) unless it is tracked already.
  FileRef open(const std::string& path, std::int64_t size_now);
  // Before `amount` bytes are written at `offset`: saves, through `read`, the durable content of
  // each sector touched for the first time since the last sync. False when a read failed (the
  // write must then fail without happening).
  bool before_write(File& file, std::int64_t offset, std::int64_t amount, const Reader& read);
  // Before the file is cut from `size_now` to `new_size`: saves the sectors it cuts away.
  bool before_truncate(File& file, std::int64_t new_size, std::int64_t size_now,
                       const Reader& read);
  // After a sync succeeded: the file's current state (of size `size_now`) is durable.
  void synced(File& file, std::int64_t size_now);
  // The path was deleted: no longer tracked (handles still open keep a detached state).
  void removed(const std::string& path);

  // Sectors saved since the last sync, over every tracked path.
  std::size_t unsynced_sectors() const;

  // drop: every tracked file is cut back (or extended) to its durable size and every saved
  // sector restored. tear: the final size is the durable or the current size (random), then each
  // written sector below it independently keeps its current content or gets its durable content
  // back (zeros where it had none); a sector a truncation cut away and nothing wrote since gets
  // its durable content back whenever the final size includes it (a truncation is one metadata
  // change, lost or kept whole: it never leaves holes in what it did not cut). Only for files no
  // one has open; throws std::system_error when a file cannot be changed (a missing file is
  // skipped).
  void lose_unsynced(LossMode mode, std::mt19937_64& random) override;
  // Everything is durable as it is now; paths with no open handle stop being tracked.
  void forget_unsynced() override;

 private:
  bool save(File& file, std::int64_t first_sector, std::int64_t last_sector, const Reader& read,
            bool written);

  mutable std::mutex mutex_;
  std::map<std::string, FileRef> files_;  // ordered: a seed gives the same loss every time
};

}  // namespace kvfault
