// A BlobWriter dropped at once aborts the write: ignoring begin_set's result is a bug.
#include <kvstore/kvstore.hpp>

void use(kvstore::Store& store) { store.begin_set("files", "a"); }
