// Store::transaction: atomic commit, rollback on throw, reads of its own writes, re-entrant calls
// to the Store from fn, nested transactions as savepoints, and other threads waiting.
#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <future>
#include <kvstore/kvstore.hpp>
#include <map>
#include <new>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "api/store_support.hpp"
#include "backends.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using kvtest::TempDir;

namespace {

struct Boom : std::runtime_error {
  Boom() : std::runtime_error("boom") {}
};

// Runs a transaction whose fn does `body` and then throws Boom, and checks that the Boom reaches
// the caller: what a case then checks is what the rollback left.
void throwing_transaction(kvstore::Store& store,
                          const std::function<void(kvstore::Transaction&)>& body) {
  CHECK_THROWS_AS(store.transaction([&](kvstore::Transaction& t) {
    body(t);
    throw Boom();
  }),
                  Boom);
}

}  // namespace

TEST_CASE("Store transaction: writes are committed when fn returns", "[store][transaction]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::set_all(store, {{"g", "old", "x"}, {"doomed", "k", "v"}, {"p:1", "k", "v"}});
  store.transaction([](kvstore::Transaction& t) {
    t.set("g", "a", "1");
    t.set_with_ttl("g", "b", "2", 1h);
    CHECK(t.erase("g", "old"));
    CHECK(t.delete_group("doomed") == 1);
    CHECK(t.delete_prefix("p:") == 1);
  });
  CHECK(store.get_all("g") == std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}});
  CHECK(store.groups() == std::vector<std::string>{"g"});
}

TEST_CASE("Store transaction: reads inside see the transaction's own writes",
          "[store][transaction]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::set_all(store, {{"g", "existing", "before"}, {"h", "x", "1"}});
  store.transaction([](kvstore::Transaction& t) {
    CHECK(t.get("g", "existing") == std::optional<std::string>("before"));
    t.set("g", "existing", "after");
    t.set("g", "new", "n");
    CHECK(t.get("g", "existing") == std::optional<std::string>("after"));
    CHECK(t.get("g", "new") == std::optional<std::string>("n"));
    CHECK(t.count("g") == 2);
    CHECK(t.get_all("g") ==
          std::map<std::string, std::string>{{"existing", "after"}, {"new", "n"}});
    CHECK(t.erase("g", "new"));
    CHECK_FALSE(t.get("g", "new").has_value());
    CHECK_FALSE(t.erase("g", "new"));
    CHECK(t.delete_group("h") == 1);
    CHECK(t.count("h") == 0);
    CHECK(t.get_all("h").empty());
  });
  CHECK(store.get_all("g") == std::map<std::string, std::string>{{"existing", "after"}});
  CHECK(store.count("h") == 0);
}

TEST_CASE("Store transaction: a throw rolls every write back and is rethrown",
          "[store][transaction]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::set_all(store, {{"g", "kept", "original"}, {"doomed", "k", "v"}, {"p:1", "k", "v"}});
  const auto rev = store.revision();
  throwing_transaction(store, [](kvstore::Transaction& t) {
    t.set("g", "new", "1");
    t.set("g", "kept", "changed");
    t.set_with_ttl("g", "ttl", "v", 1h);
    t.delete_group("doomed");
    t.delete_prefix("p:");
    t.erase("g", "kept");
  });
  CHECK(store.get_all("g") == std::map<std::string, std::string>{{"kept", "original"}});
  CHECK(store.get("doomed", "k") == std::optional<std::string>("v"));
  CHECK(store.get("p:1", "k") == std::optional<std::string>("v"));
  CHECK(store.count_all() == 3);
  CHECK(store.revision() == rev);
}

TEST_CASE("Store transaction: the exception from fn reaches the caller unchanged",
          "[store][transaction]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  SECTION("a user exception") {
    try {
      store.transaction([](kvstore::Transaction& t) {
        t.set("g", "k", "v");
        throw std::logic_error("user message");
      });
      FAIL("no exception");
    } catch (const std::logic_error& e) {
      CHECK(std::string(e.what()) == "user message");
    }
  }
  SECTION("a non-std exception") {
    CHECK_THROWS_AS(store.transaction([](kvstore::Transaction& t) {
      t.set("g", "k", "v");
      throw 42;
    }),
                    int);
  }
  SECTION("a kvstore error from a call inside fn") {
    CHECK_THROWS_AS(store.transaction([](kvstore::Transaction& t) {
      t.set("g", "k", "v");
      t.set_with_ttl("g", "bad", "v", 0ms);
    }),
                    kvstore::InvalidArgument);
  }
  // Exceptions kvstore translates when they come from its own calls (OS, allocation, other
  // libraries' errors) are the caller's own when fn throws them.
  SECTION("a std::system_error") {
    try {
      store.transaction([](kvstore::Transaction& t) {
        t.set("g", "k", "v");
        throw std::system_error(std::make_error_code(std::errc::io_error), "user I/O");
      });
      FAIL("no exception");
    } catch (const kvstore::Error& e) {
      FAIL("rewritten as kvstore::Error: " << e.what());
    } catch (const std::system_error& e) {
      CHECK(e.code() == std::errc::io_error);
    }
  }
  SECTION("a std::bad_alloc") {
    CHECK_THROWS_AS(store.transaction([](kvstore::Transaction&) { throw std::bad_alloc(); }),
                    std::bad_alloc);
  }
  SECTION("from a nested transaction") {
    CHECK_THROWS_AS(store.transaction([&](kvstore::Transaction&) {
      store.transaction([](kvstore::Transaction& t) {
        t.set("g", "k", "v");
        throw std::system_error(std::make_error_code(std::errc::io_error), "inner");
      });
    }),
                    std::system_error);
  }
  SECTION("through a ScopedStore transaction") {
    kvstore::ScopedStore tenant(store, "t");
    CHECK_THROWS_AS(tenant.transaction([](kvstore::ScopedTransaction& t) {
      t.set("g", "k", "v");
      throw std::system_error(std::make_error_code(std::errc::io_error), "scoped");
    }),
                    std::system_error);
    CHECK(tenant.count("g") == 0);
  }
  CHECK(store.count("g") == 0);
  // The store is usable afterwards.
  store.set("g", "after", "v");
  CHECK(store.get("g", "after") == std::optional<std::string>("v"));
}

TEST_CASE("Store transaction: a failed call inside fn leaves the transaction as it was",
          "[store][transaction]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.transaction([](kvstore::Transaction& t) {
    t.set("g", "a", "1");
    CHECK_THROWS_AS(t.set_with_ttl("g", "a", "changed", -5ms), kvstore::InvalidArgument);
    CHECK(t.get("g", "a") == std::optional<std::string>("1"));
    t.set("g", "b", "2");
  });
  CHECK(store.get_all("g") == std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}});
}

TEST_CASE("Store transaction: a transaction of many writes commits them all",
          "[store][transaction]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.transaction([](kvstore::Transaction& t) {
    for (int i = 0; i < 1000; ++i) t.set("bulk", "k" + std::to_string(i), std::to_string(i));
  });
  CHECK(store.count("bulk") == 1000);
  CHECK(store.get("bulk", "k999") == std::optional<std::string>("999"));
}

TEST_CASE("Store transaction: calling the Store from inside fn joins the transaction",
          "[store][transaction]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("g", "before", "b");

  SECTION("its writes commit with the transaction") {
    store.transaction([&](kvstore::Transaction& t) {
      store.set("g", "direct", "1");
      t.set("g", "via-t", "2");
      // Each sees the other's writes.
      CHECK(t.get("g", "direct") == std::optional<std::string>("1"));
      CHECK(store.get("g", "via-t") == std::optional<std::string>("2"));
      CHECK(store.count("g") == 3);
    });
    CHECK(store.get("g", "direct") == std::optional<std::string>("1"));
    CHECK(store.get("g", "via-t") == std::optional<std::string>("2"));
  }

  SECTION("its writes are rolled back if fn throws afterwards") {
    const auto rev = store.revision();
    throwing_transaction(store, [&](kvstore::Transaction&) {
      store.set("g", "direct", "1");
      store.set_with_ttl("g", "direct-ttl", "1", 1h);
      store.set_json("g", "json", nlohmann::json{1, 2});
      CHECK(store.erase("g", "before"));
      CHECK(store.get("g", "direct") == std::optional<std::string>("1"));
    });
    CHECK(store.get_all("g") == std::map<std::string, std::string>{{"before", "b"}});
    CHECK(store.revision() == rev);
  }
}

TEST_CASE("Store transaction: every Store method can be called from inside fn without deadlock",
          "[store][transaction]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::set_all(store, {{"page", "title", "T"}, {"list", "csv", "a,b"}});
  store.transaction([&](kvstore::Transaction& t) {
    t.set("page", "name", "N");
    CHECK(store.get("page", "name") == std::optional<std::string>("N"));
    CHECK(store.get_all("page").size() == 2);
    CHECK(store.count("page") == 2);
    CHECK(store.count_all() == 3);
    CHECK(store.groups() == std::vector<std::string>{"list", "page"});
    CHECK(store.render("page", kvstore::Template{"{{title}}-{{name}}"}) == "T-N");
    CHECK(store.get_split("list", "csv", ",") == std::vector<std::string>{"a", "b"});
    CHECK(store.get_fields("list", "csv") == std::vector<std::string>{"a,b"});
    store.set_json("j", "k", nlohmann::json{{"x", 1}});
    CHECK(store.get_json("j", "k") == std::optional<nlohmann::json>(nlohmann::json{{"x", 1}}));
    int visited = 0;
    store.for_each("page", [&](std::string_view key, std::string_view) {
      ++visited;
      store.set("visited", key, "1");
      return true;
    });
    CHECK(visited == 2);
    CHECK(store.purge_expired() == 0);
    CHECK(store.revision() > 0);
    CHECK(store.delete_group("visited") == 2);
    CHECK(store.delete_prefix("nomatch") == 0);
  });
  CHECK(store.get("page", "name") == std::optional<std::string>("N"));
  CHECK(store.count("visited") == 0);
  CHECK(store.count("j") == 1);
}

TEST_CASE("Store transaction: a nested transaction is a savepoint", "[store][transaction]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());

  SECTION("an inner throw caught by the outer undoes only the inner writes") {
    store.transaction([&](kvstore::Transaction& outer) {
      outer.set("g", "outer-before", "1");
      throwing_transaction(store, [](kvstore::Transaction& inner) {
        inner.set("g", "inner", "2");
        inner.set("g", "outer-before", "overwritten");
        CHECK(inner.get("g", "outer-before") == std::optional<std::string>("overwritten"));
      });
      CHECK_FALSE(outer.get("g", "inner").has_value());
      CHECK(outer.get("g", "outer-before") == std::optional<std::string>("1"));
      outer.set("g", "outer-after", "3");
    });
    CHECK(store.get_all("g") ==
          std::map<std::string, std::string>{{"outer-after", "3"}, {"outer-before", "1"}});
  }

  SECTION("a successful inner transaction commits with the outer") {
    store.transaction([&](kvstore::Transaction& outer) {
      outer.set("g", "outer", "1");
      store.transaction([&](kvstore::Transaction& inner) { inner.set("g", "inner", "2"); });
      CHECK(outer.get("g", "inner") == std::optional<std::string>("2"));
    });
    CHECK(store.get_all("g") == std::map<std::string, std::string>{{"inner", "2"}, {"outer", "1"}});
  }

  SECTION("an outer throw also undoes a committed inner transaction") {
    throwing_transaction(store, [&](kvstore::Transaction& outer) {
      outer.set("g", "outer", "1");
      store.transaction([&](kvstore::Transaction& inner) { inner.set("g", "inner", "2"); });
    });
    CHECK(store.count("g") == 0);
  }

  SECTION("three levels, the middle one failing") {
    store.transaction([&](kvstore::Transaction& level1) {
      level1.set("g", "l1", "1");
      throwing_transaction(store, [&](kvstore::Transaction& level2) {
        level2.set("g", "l2", "2");
        store.transaction([&](kvstore::Transaction& level3) { level3.set("g", "l3", "3"); });
      });
      level1.set("g", "l1b", "4");
    });
    CHECK(store.get_all("g") == std::map<std::string, std::string>{{"l1", "1"}, {"l1b", "4"}});
  }
}

TEST_CASE("Store transaction: a commit bumps the revision, a rollback does not",
          "[store][transaction][revision]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  const auto start = store.revision();
  store.transaction([](kvstore::Transaction& t) {
    t.set("g", "a", "1");
    t.set("g", "b", "2");
  });
  const auto committed = store.revision();
  CHECK(committed > start);
  throwing_transaction(store, [](kvstore::Transaction& t) { t.set("g", "c", "3"); });
  CHECK(store.revision() == committed);
  store.set("g", "d", "4");
  CHECK(store.revision() > committed);
}

TEST_CASE("Store transaction: another thread's call waits for the transaction to end",
          "[store][transaction][concurrency]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  std::atomic<bool> reader_started{false}, reader_done{false};
  std::atomic<bool> writer_started{false}, writer_done{false};
  std::optional<std::string> reader_saw = std::string("not run");
  std::thread reader, writer;
  bool done_during_transaction = true;

  CHECK_THROWS_AS(store.transaction([&](kvstore::Transaction& t) {
    t.set("g", "uncommitted", "x");
    reader = std::thread([&] {
      reader_started = true;
      reader_saw = store.get("g", "uncommitted");
      reader_done = true;
    });
    writer = std::thread([&] {
      writer_started = true;
      store.set("g", "from-other-thread", "y");
      writer_done = true;
    });
    REQUIRE(kvtest::eventually([&] { return reader_started && writer_started; }));
    // Give a wrongly unsynchronized call the chance to run; a correct one cannot finish now.
    kvtest::eventually([&] { return reader_done && writer_done; }, 50ms);
    done_during_transaction = reader_done || writer_done;
    throw Boom();
  }),
                  Boom);
  reader.join();
  writer.join();
  CHECK_FALSE(done_during_transaction);
  // The reader ran after the rollback; the writer's own write was not part of the transaction.
  CHECK_FALSE(reader_saw.has_value());
  CHECK_FALSE(store.get("g", "uncommitted").has_value());
  CHECK(store.get("g", "from-other-thread") == std::optional<std::string>("y"));
}

TEST_CASE("Store transaction: a transaction on a file is atomic for another Store on the file",
          "[store][transaction][file]") {
  // File only: two connections share only a file.
  kvtest::TwoStoresOnOneFile file;
  auto& writer = file.first;
  auto& reader = file.second;
  std::promise<void> written, checked;
  auto checked_future = checked.get_future();
  std::thread t([&] {
    writer.transaction([&](kvstore::Transaction& tx) {
      tx.set("g", "a", "1");
      tx.set("g", "b", "2");
      written.set_value();
      checked_future.wait();
    });
  });
  written.get_future().wait();
  // The other connection reads the last committed state: none of the transaction's writes.
  CHECK(reader.count("g") == 0);
  CHECK_FALSE(reader.get("g", "a").has_value());
  checked.set_value();
  t.join();
  CHECK(reader.get_all("g") == std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}});
}
