// A Subscription dropped at once unsubscribes: ignoring on_change's result is a bug.
#include <kvstore/kvstore.hpp>

void use(kvstore::Store& store) {
  store.on_change([](const kvstore::Event&) {});
}
