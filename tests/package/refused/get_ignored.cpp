// A read whose result is ignored does nothing: ignoring get's result is a bug.
#include <kvstore/kvstore.hpp>

void use(kvstore::Store& store) { store.get("user", "name"); }
