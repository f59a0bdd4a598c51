#include "util/operation.hpp"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <new>
#include <system_error>

namespace kvstore::detail {
namespace {

// Group and key names are user bytes: keep messages one readable line whatever they hold.
constexpr std::size_t kMaxShownBytes = 64;

std::string printable(std::string_view bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < kMaxShownBytes; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (bytes.size() > kMaxShownBytes) out += "...";
  return out;
}

// Thrown (copied: the copy shares its message, allocating nothing) when not even the message of
// an out-of-memory error can be allocated.
const StorageError kOutOfMemory("kvstore: out of memory", SQLITE_NOMEM);

bool is_schema_problem(int primary_code) {
  return primary_code == SQLITE_NOTADB || primary_code == SQLITE_CORRUPT ||
         primary_code == SQLITE_SCHEMA;
}

}  // namespace

bool is_disk_full(const std::error_code& code) noexcept {
  if (code == std::errc::no_space_on_device) return true;
#if defined(EDQUOT)
  return code == std::error_code(EDQUOT, std::generic_category());
#else
  return false;
#endif
}

void throw_out_of_memory(const Operation& op) {
  try {
    throw StorageError(op.message("out of memory"), SQLITE_NOMEM);
  } catch (const std::bad_alloc&) {
    throw kOutOfMemory;
  }
}

std::string Operation::message(std::string_view detail) const {
  std::string out = "kvstore: ";
  out += name;
  if (!group_prefix.empty() || !group.empty() || has_key) {
    out += ' ';
    out += printable(group_prefix);
    out += printable(group);
    if (has_key) {
      out += '/';
      out += printable(key);
    }
  }
  out += ": ";
  out += detail;
  return out;
}

void rethrow_as_kvstore_error(const Operation& op) {
  try {
    throw;
  } catch (const CallersException& e) {
    std::rethrow_exception(e.original);
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw_out_of_memory(op);
  } catch (const SQLite::Exception& e) {
    const int code = e.getExtendedErrorCode() > 0 ? e.getExtendedErrorCode() : e.getErrorCode();
    const int primary = code & 0xff;
    const std::string what = op.message(e.what());
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw Busy(what, code);
    if (is_schema_problem(primary)) throw SchemaError(what);
    throw StorageError(what, code);
  } catch (const std::system_error& e) {
    // The files of streamed values (BlobFiles): reported with the SQLite code of the same fault.
    const bool full = is_disk_full(e.code());
    throw StorageError(op.message(e.what()), full ? SQLITE_FULL : SQLITE_IOERR);
  } catch (const std::exception& e) {
    throw Error(op.message(e.what()));  // a library's own exception (std::length_error, ...)
  }
}

}  // namespace kvstore::detail
