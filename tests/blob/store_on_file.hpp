// Catch2 fixtures (TEST_CASE_METHOD) for tests that need a store on a file of its own: they look
// at the file behind the Store too (its rows, what is left in it), which ":memory:" has not.
#pragma once

#include <kvstore/kvstore.hpp>
#include <string>

#include "quiet_options.hpp"
#include "support.hpp"

namespace kvtest {

// A fresh store, in a file "s.db" of a temporary directory removed after the test.
struct StoreOnFile {
  TempDir dir;
  const std::string path = dir.file("s.db");
  kvstore::Store store{path, quiet()};
};

}  // namespace kvtest
