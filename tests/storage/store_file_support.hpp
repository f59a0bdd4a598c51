// A store file as later opens and other connections find it on disk: written, then closed.
#pragma once

#include <kvstore/kvstore.hpp>
#include <string>

namespace kvtest {

// Creates the store file at `path` holding the one key g/k = "v", and closes it.
inline void write_one_key_file(const std::string& path) {
  kvstore::Store store(path);
  store.set("g", "k", "v");
}

}  // namespace kvtest
