#include "storage/value_files.hpp"

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <system_error>

#include "util/utf8_path.hpp"

namespace kvstore::detail {

BlobFiles::BlobFiles(const std::string& database_path, FileSystem& files)
    : directory_(database_path.empty() ? std::string() : database_path + "-blobs"), files_(files) {}

std::string BlobFiles::path_of(std::int64_t id) const {
  return directory_ + "/" + std::to_string(id);
}

std::unique_ptr<File> BlobFiles::create(std::int64_t id) const {
  if (files_.make_directory(directory_)) {
    // The directory entry must be durable before any file in it is relied upon.
    files_.sync_directory(utf8_of(path_of_utf8(directory_).parent_path()));
  }
  std::unique_ptr<File> file;
  try {
    file = files_.create(path_of(id));
  } catch (const std::system_error& e) {
    if (e.code() != std::errc::file_exists) throw;
    // Garbage of a staging whose row rolled back (AUTOINCREMENT hands its id out again then):
    // a live value's id is never handed out twice.
    files_.remove(path_of(id));
    file = files_.create(path_of(id));
  }
  if (!file->try_lock()) {
    throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                            "flock " + file->path() + ": a new file is locked by someone else");
  }
  return file;
}

std::unique_ptr<File> BlobFiles::open(std::int64_t id) const { return files_.open(path_of(id)); }

std::unique_ptr<File> BlobFiles::open_recorded(std::int64_t id) const {
  auto file = open(id);
  if (!file) throw_missing(id);
  return file;
}

void BlobFiles::throw_missing(std::int64_t id) const {
  throw std::system_error(std::make_error_code(std::errc::no_such_file_or_directory),
                          "open " + path_of(id) + ": the file of a stored value is missing");
}

bool BlobFiles::writer_is_live(std::int64_t id) const {
  const auto file = open(id);
  return file && !file->try_lock();
}

std::string BlobFiles::problem(std::int64_t id, std::uint64_t size) const {
  const auto actual = files_.size(path_of(id));
  if (!actual) return path_of(id) + ": the file is missing";
  if (*actual != size) {
    return path_of(id) + ": " + std::to_string(*actual) + " bytes, " + std::to_string(size) +
           " recorded";
  }
  return {};
}

void BlobFiles::sync_directory() const { files_.sync_directory(directory_); }

void BlobFiles::remove(std::int64_t id) const { files_.remove(path_of(id)); }

std::vector<std::int64_t> BlobFiles::list() const {
  std::vector<std::int64_t> ids;
  for (const auto& name : files_.list(directory_)) {
    std::int64_t id = 0;
    const auto [end, parsed] = std::from_chars(name.data(), name.data() + name.size(), id);
    if (parsed == std::errc() && end == name.data() + name.size() && id > 0) ids.push_back(id);
  }
  return ids;
}

}  // namespace kvstore::detail
