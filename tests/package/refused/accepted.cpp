// The calls the other files here get wrong, made right: this one must compile (with -Werror).
#include <kvstore/kvstore.hpp>

void use(kvstore::Store& store) {
  const auto text = store.render("user", kvstore::Template{"Hello {{name}}"});
  auto writer = store.begin_set("files", "a");
  auto watcher = store.watch("user");
  auto subscription = store.on_change([](const kvstore::Event&) {});
  const auto value = store.get("user", "name");
  store.erase("user", "name");  // whether a key was removed may be ignored
}
