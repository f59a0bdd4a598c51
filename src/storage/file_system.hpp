// The file system under the files of streamed values (BlobFiles): the few calls they make, behind
// one interface, so that tests can fail any of them or simulate a power cut (tests/fault/), the
// way LevelDB's Env is its fault-injection seam. The operating system's is the default.
//
// Failures throw std::system_error naming the call and the path (Operation's translation makes
// them StorageError). Thread-safety: a FileSystem may be used from any thread; a File by one
// thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kvstore::detail {

// An open file. Destroying it closes it and releases its lock.
class File {
 public:
  virtual ~File() = default;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  // Appends all of `bytes`.
  virtual void write_all(std::string_view bytes) = 0;
  // Reads up to out.size() bytes from the current position; returns how many (0 at the end).
  virtual std::size_t read_some(std::span<char> out) = 0;
  // Flushes the file's data and metadata to the device (fsync).
  virtual void sync() = 0;
  // Takes the file's exclusive lock without waiting; false if another open File holds it, in
  // this process or another (flock(2): it is not tied to process ids, and a dead process's
  // locks are gone).
  virtual bool try_lock() = 0;

  // Fills all of `out`; throws (EIO) if the file ends first.
  void read_exactly(std::span<char> out);
  const std::string& path() const { return path_; }

 protected:
  explicit File(std::string path) : path_(std::move(path)) {}

 private:
  std::string path_;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates `path`, empty and open for writing; throws (EEXIST) if it exists.
  virtual std::unique_ptr<File> create(const std::string& path) = 0;
  // Opens an existing file for reading; nullptr if it does not exist (nor its directory).
  virtual std::unique_ptr<File> open(const std::string& path) = 0;
  // Creates a directory (0777 less the umask); false if something exists at `path` already.
  virtual bool make_directory(const std::string& path) = 0;
  // Deletes an empty directory; false if it did not exist. Throws if it is not empty.
  virtual bool remove_directory(const std::string& path) = 0;
  // Makes the entries of `directory` (files created or removed in it) durable.
  virtual void sync_directory(const std::string& directory) = 0;
  // Deletes a file; false if it did not exist.
  virtual bool remove(const std::string& path) = 0;
  // The names of the regular files in `directory`, in no order; none if it does not exist.
  virtual std::vector<std::string> list(const std::string& directory) = 0;
  // The size of a file, or nullopt if it does not exist (nor its directory).
  virtual std::optional<std::uint64_t> size(const std::string& path) = 0;
};

// The operating system's file system (storage/platform/: POSIX or Windows).
FileSystem& operating_system_files();
// The file system of the Stores opened from now on: the operating system's, unless replaced.
FileSystem& file_system();
// Test seam: the Stores opened from now on use `replacement` (nullptr: the operating system's),
// which must outlive them. Returns the previous one. Not safe while another thread opens a Store.
FileSystem* replace_file_system(FileSystem* replacement);

}  // namespace kvstore::detail
