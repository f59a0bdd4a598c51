// The library's version, compiled in: a program's headers may come from another build.
#include "kvstore/version.hpp"

namespace kvstore {

std::string_view version() noexcept { return KVSTORE_VERSION_STRING; }

}  // namespace kvstore
