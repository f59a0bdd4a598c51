// kvstore-demo: opens a store file (default ./kvstore.db, or the first argument) and shows the
// day-one features: set/get, TTL, a transaction and Mustache rendering.
#include <chrono>
#include <iostream>
#include <kvstore/kvstore.hpp>

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "kvstore.db";
  try {
    kvstore::Store store(path);
    std::cout << "opened " << path << " at revision " << store.revision() << "\n";

    store.set("config", "theme", "dark");
    std::cout << "get config/theme -> " << store.get("config", "theme").value_or("(none)") << "\n";

    store.set_with_ttl("session", "token", "abc123", std::chrono::minutes(10));
    std::cout << "session/token (expires in 10 min) -> "
              << store.get("session", "token").value_or("(none)") << "\n";

    store.transaction([](kvstore::Transaction& tx) {
      tx.set("user", "name", "Ada");
      tx.set("user", "lang", "C++");
    });
    std::cout << "transaction stored " << store.count("user") << " keys in group user\n";

    std::cout << "render -> "
              << store.render("user",
                              kvstore::Template{"{{name}} writes {{lang}} & likes {{theme}}"})
              << "\n";
    std::cout << "groups:";
    for (const auto& group : store.groups()) std::cout << ' ' << group;
    std::cout << "\nrevision now " << store.revision() << "\n";
  } catch (const kvstore::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
