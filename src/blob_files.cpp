#include "blob_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <system_error>

namespace kvstore::detail {
namespace {

void sync_directory_at(const std::string& path) {
  FileDescriptor::open(path, O_RDONLY | O_DIRECTORY).sync();
}

}  // namespace

BlobFiles::BlobFiles(const std::string& database_path)
    : directory_(database_path.empty() ? std::string() : database_path + "-blobs") {}

std::string BlobFiles::path_of(std::int64_t id) const {
  return directory_ + "/" + std::to_string(id);
}

FileDescriptor BlobFiles::create(std::int64_t id) const {
  if (::mkdir(directory_.c_str(), 0755) == 0) {
    // The directory entry must be durable before any file in it is relied upon.
    sync_directory_at(std::filesystem::path(directory_).parent_path().string());
  } else if (errno != EEXIST) {
    throw std::system_error(errno, std::generic_category(), "mkdir " + directory_);
  }
  return FileDescriptor::open(path_of(id), O_WRONLY | O_CREAT | O_EXCL);
}

std::optional<FileDescriptor> BlobFiles::open(std::int64_t id) const {
  return FileDescriptor::open_if_exists(path_of(id), O_RDONLY);
}

FileDescriptor BlobFiles::open_recorded(std::int64_t id) const {
  auto file = open(id);
  if (!file) {
    throw std::system_error(std::make_error_code(std::errc::no_such_file_or_directory),
                            "open " + path_of(id) + ": the file of a stored value is missing");
  }
  return std::move(*file);
}

std::string BlobFiles::problem(std::int64_t id, std::uint64_t size) const {
  std::error_code error;
  const auto actual = std::filesystem::file_size(path_of(id), error);
  if (error) return path_of(id) + ": " + error.message();
  if (actual != size) {
    return path_of(id) + ": " + std::to_string(actual) + " bytes, " + std::to_string(size) +
           " recorded";
  }
  return {};
}

void BlobFiles::sync_directory() const { sync_directory_at(directory_); }

void BlobFiles::remove(std::int64_t id) const {
  const auto path = path_of(id);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw std::system_error(errno, std::generic_category(), "unlink " + path);
  }
}

std::vector<std::int64_t> BlobFiles::list() const {
  std::vector<std::int64_t> ids;
  std::error_code error;
  std::filesystem::directory_iterator entries(directory_, error);
  if (error == std::errc::no_such_file_or_directory) return ids;
  if (error) throw std::system_error(error, "list " + directory_);
  for (const auto& entry : entries) {
    const auto name = entry.path().filename().string();
    std::int64_t id = 0;
    const auto [end, parsed] = std::from_chars(name.data(), name.data() + name.size(), id);
    if (parsed == std::errc() && end == name.data() + name.size() && id > 0) ids.push_back(id);
  }
  return ids;
}

}  // namespace kvstore::detail
