// A Watcher dropped at once unwatches: ignoring watch's result is a bug.
#include <kvstore/kvstore.hpp>

void use(kvstore::Store& store) { store.watch("user"); }
