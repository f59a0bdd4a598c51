// Example: settings of a desktop application.
//
// Shows how to
//   - open the store where the platform keeps settings, in a directory the first open creates;
//   - keep typed settings as JSON values (Store::set_json / get_json with a struct converted by
//     nlohmann_json), with defaults for settings never saved and for fields missing in old ones;
//   - migrate the app's own settings layout from version 1 to version 2 inside one transaction,
//     so an interrupted migration never leaves half-renamed settings behind;
//   - keep a "settings window" up to date when another process changes a setting: here the
//     `kvstore` command-line tool, as a user or a script would run it. The change arrives through
//     a Watcher as an Event with `external` set (the Store looks for other processes' commits when
//     the file system reports a write, or every Options::external_poll_interval, 100 ms by
//     default, where it cannot).
//
// Usage: example_desktop_settings [path/to/kvstore-cli]
// Without the CLI path the cross-process part is skipped. Exits non-zero if a step fails.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <kvstore/kvstore.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "example_support.hpp"

extern char** environ;

namespace {

using example::expect;

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// ---- The application's settings types -------------------------------------------------------

// Each member's initializer is its default. NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT makes
// from_json keep the default of a field the stored JSON lacks (a setting added in a later release).
struct Appearance {
  std::string theme = "light";
  int font_size = 12;
  bool show_toolbar = true;
  bool operator==(const Appearance&) const = default;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Appearance, theme, font_size, show_toolbar)

struct EditorSettings {
  int tab_width = 4;
  bool word_wrap = false;
  std::vector<std::string> recent_files;
  bool operator==(const EditorSettings&) const = default;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EditorSettings, tab_width, word_wrap, recent_files)

// ---- Typed access to the "settings" group ---------------------------------------------------

constexpr std::string_view kGroup = "settings";
constexpr int kCurrentSchema = 2;  // the settings layout this release of the app writes

class Settings {
 public:
  // Any DataApi: the Store, or the Transaction inside store.transaction(fn) (see migrate_settings).
  explicit Settings(kvstore::DataApi& data) : data_(data) {}

  // The setting `key` as a T: T's defaults if it was never saved, or if the stored JSON does not
  // fit T (a hand-edited value of the wrong type must not crash the app).
  template <class T>
  T load(std::string_view key) const {  // reads are const: a const Settings& can load
    try {
      if (auto json = data_.get_json(kGroup, key)) return json->get<T>();
    } catch (const nlohmann::json::exception& e) {  // right JSON, wrong shape
      std::cerr << "settings/" << key << ": " << e.what() << "; using defaults\n";
    } catch (const kvstore::InvalidArgument& e) {  // not JSON at all
      std::cerr << e.what() << "; using defaults\n";
    }
    return T{};
  }

  template <class T>
  void save(std::string_view key, const T& value) {
    data_.set_json(kGroup, key, nlohmann::json(value));
  }

 private:
  kvstore::DataApi& data_;
};

// ---- The app's own schema migration ---------------------------------------------------------
//
// Version 1 of the app kept the appearance as two plain values, settings/theme = "dark" and
// settings/font_size = "14". Version 2 keeps one JSON object, settings/appearance. The version of
// the layout is itself a setting, settings/schema_version.
//
// Everything happens in one transaction: either the old keys are gone, the new one is written and
// the version says 2, or (an exception, a crash) nothing changed and the next start tries again.
void migrate_settings(kvstore::Store& store) {
  store.transaction([](kvstore::Transaction& tx) {
    // Version 1 did not record its layout version; a fresh install starts at the current one.
    const auto stored = tx.get(kGroup, "schema_version");
    const int version = stored ? std::stoi(*stored) : tx.count(kGroup) > 0 ? 1 : kCurrentSchema;
    if (version > kCurrentSchema) {
      throw std::runtime_error("settings were written by a newer version of the app");
    }
    if (stored && version == kCurrentSchema) return;  // up to date: write nothing

    if (version == 1) {
      Appearance appearance;  // fields version 1 did not have keep their defaults
      if (auto theme = tx.get(kGroup, "theme")) appearance.theme = *theme;
      if (auto size = tx.get(kGroup, "font_size")) appearance.font_size = std::stoi(*size);
      Settings(tx).save("appearance", appearance);  // typed access inside the transaction
      tx.erase(kGroup, "theme");
      tx.erase(kGroup, "font_size");
    }
    tx.set(kGroup, "schema_version", std::to_string(kCurrentSchema));
  });
}

// ---- The settings window --------------------------------------------------------------------
//
// Shows the appearance and follows every change to it, made by this process or another one. A GUI
// would call process_events() from its event loop (a timer, or idle handler) so the window is only
// touched from the UI thread; Watcher::try_next() never blocks.
class SettingsWindow {
 public:
  explicit SettingsWindow(kvstore::Store& store)
      : store_(store),
        watcher_(store.watch(kGroup, "appearance")),
        shown_(Settings(store).load<Appearance>("appearance")) {}

  // Applies the queued changes, waiting up to `timeout` for the first one. Returns how many.
  int process_events(std::chrono::milliseconds timeout) {
    int applied = 0;
    for (auto event = watcher_.next(timeout); event; event = watcher_.try_next()) {
      if (event->type == kvstore::EventType::set && !event->value) {
        shown_ = Settings(store_).load<Appearance>("appearance");  // the event holds no value
      } else if (event->type == kvstore::EventType::set) {
        try {
          shown_ = nlohmann::json::parse(*event->value).get<Appearance>();
        } catch (const nlohmann::json::exception&) {
          shown_ = Appearance{};  // an unusable value shows the defaults, as load() does
        }
      } else {
        shown_ = Appearance{};  // erased: back to the defaults
      }
      last_change_was_external_ = event->external;
      std::cout << "  window: theme=" << shown_.theme << " font_size=" << shown_.font_size
                << " toolbar=" << (shown_.show_toolbar ? "on" : "off") << " ("
                << (event->external ? "changed by another process" : "changed here") << ")\n";
      ++applied;
    }
    return applied;
  }

  const Appearance& shown() const { return shown_; }
  bool last_change_was_external() const { return last_change_was_external_; }

 private:
  kvstore::Store& store_;
  kvstore::Watcher watcher_;
  Appearance shown_;
  bool last_change_was_external_ = false;
};

// ---- Plumbing for the example ---------------------------------------------------------------

// Runs a program with these arguments (no shell, so no quoting) and returns its exit code.
int run(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (const int err = posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ)) {
    throw std::runtime_error("cannot start " + args[0] + ": " + std::to_string(err));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("waitpid failed");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string cli = argc > 1 ? argv[1] : "";
  example::TempDir dir("settings");  // declared first: destroyed after the Store that uses it
  // Where the platform keeps settings (~/.config/my-app/ on Linux): a directory that does not
  // exist on a fresh machine. The first open creates it (Options::create_parent_directories).
  const auto config_dir = dir.path / ".config" / "my-app";
  const std::string db = (config_dir / "settings.db").string();

  // 1. Version 1 of the app ran on this machine and saved its settings in the old layout.
  {
    kvstore::Store old_app(db);
    expect(fs::is_directory(config_dir), "the first open created the settings directory");
    old_app.set(kGroup, "theme", "dark");
    old_app.set(kGroup, "font_size", "14");
  }

  // 2. Version 2 starts: it migrates the settings before reading any.
  kvstore::Store store(db);
  migrate_settings(store);
  Settings settings(store);

  expect(store.get(kGroup, "schema_version") == "2", "schema_version is 2 after the migration");
  expect(!store.get(kGroup, "theme") && !store.get(kGroup, "font_size"),
         "the version 1 keys are gone");
  const Appearance migrated = settings.load<Appearance>("appearance");
  expect(migrated == Appearance{"dark", 14, true},
         "appearance was carried over; show_toolbar (new in v2) has its default");

  const auto revision = store.revision();
  migrate_settings(store);  // every start runs it: a migrated store is left alone
  expect(store.revision() == revision, "a second migration changes nothing");

  // 3. Typed settings with defaults.
  EditorSettings editor = settings.load<EditorSettings>("editor");
  expect(editor == EditorSettings{}, "a setting never saved loads as its defaults");
  editor.tab_width = 2;
  editor.recent_files = {"/home/ada/notes.md", "/home/ada/engine.cpp"};
  settings.save("editor", editor);
  expect(settings.load<EditorSettings>("editor") == editor, "a saved setting loads back");

  store.set(kGroup, "editor", R"({"tab_width": 8})");  // e.g. written by an older release
  expect(settings.load<EditorSettings>("editor") == EditorSettings{8, false, {}},
         "fields missing from the stored JSON keep their defaults");
  store.set(kGroup, "editor", R"({"tab_width": "wide"})");  // hand-edited, wrong type
  expect(settings.load<EditorSettings>("editor") == EditorSettings{},
         "a value of the wrong shape falls back to the defaults");

  // 4. The settings window follows changes, from this process and from others.
  SettingsWindow window(store);
  expect(window.shown() == migrated, "the window opens with the stored appearance");

  settings.save("appearance", Appearance{"high-contrast", 18, true});  // the app's own change
  expect(window.process_events(5s) == 1 && window.shown().theme == "high-contrast" &&
             !window.last_change_was_external(),
         "the window shows a change made in this process");

  if (cli.empty()) {
    std::cout << "skipped: no kvstore CLI given, the cross-process part did not run\n";
    return 0;
  }

  // Another process changes the appearance: here the CLI, as in
  //   kvstore --db settings.db set settings appearance '{"theme": "solarized", ...}' --json
  // (set's own --json makes the CLI refuse a value that is not JSON).
  const Appearance from_cli{"solarized", 16, false};
  const int exit_code = run({cli, "--db", db, "--quiet", "set", std::string(kGroup), "appearance",
                             nlohmann::json(from_cli).dump(), "--json"});
  expect(exit_code == 0, "the kvstore CLI stored the new appearance");

  // Wait, with a deadline, until the change feed delivers it (at once, or within about 100 ms).
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!(window.shown() == from_cli) && std::chrono::steady_clock::now() < deadline) {
    window.process_events(100ms);
  }
  expect(window.shown() == from_cli && window.last_change_was_external(),
         "the window shows the change made by the other process (Event::external)");
  expect(settings.load<Appearance>("appearance") == from_cli, "and so does a fresh load");

  std::cout << "desktop_settings: all checks passed\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "desktop_settings: " << e.what() << "\n";
  return 1;
}
