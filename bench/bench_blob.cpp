// Streaming a large value (issue 7): a KVSTORE_BENCH_BLOB_MIB (default 256) MiB value written
// and read in 64 KiB chunks, on a file-backed Store (Durability::normal, WAL) and, as the
// baseline, on a plain file in the same temp dir:
//
//   kvstore/blob_write/<n>MiB  begin_set, write() n MiB in 64 KiB chunks, commit(), checkpoint()
//   file/blob_write/<n>MiB     open(O_TRUNC), write() n MiB in 64 KiB chunks, fsync(), close()
//   kvstore/blob_read/<n>MiB   open_reader, read() 64 KiB at a time to the end
//   file/blob_read/<n>MiB      open, read() 64 KiB at a time to the end, close()
//
// Both writes end with everything on disk, fsynced: the plain file by one fsync; the store by
// the fsyncs of its WAL checkpoints (SQLite's own, with synchronous=NORMAL), the last of them the
// final Store::checkpoint(), which also copies the WAL's remaining pages into the database file.
// The reads run right after an untimed write of the same value, so both read from the page
// cache.
//
// Each run is one iteration (one whole value). Counters: MB (10^6 bytes) per second, and
// rss_growth_MiB: the peak resident set size during the timed part minus the resident size when
// it started, sampled every millisecond by a thread of its own (VmHWM would be the process's peak
// since it started). Targets: the comparisons (ratio_reporter.hpp) kvstore over file <= 2.0 in
// time (throughput at least half the plain file's), and rss_growth_MiB <= 32 for the kvstore
// runs (read it off the counters).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "kvstore/store.hpp"
#include "ratio_reporter.hpp"
#include "support.hpp"

namespace kvbench {
namespace {

constexpr std::size_t kChunkBytes = 64 * 1024;
constexpr std::string_view kBlobKey = "blob";

std::uint64_t blob_mib() {
  const char* text = std::getenv("KVSTORE_BENCH_BLOB_MIB");
  const long mib = text ? std::strtol(text, nullptr, 10) : 0;
  return mib > 0 ? static_cast<std::uint64_t>(mib) : 256;
}

std::uint64_t blob_bytes() { return blob_mib() * 1024 * 1024; }

// The chunk every write sends: bytes that neither SQLite nor the file system could shrink.
const std::string& chunk() {
  static const std::string bytes = [] {
    std::string out(kChunkBytes, '\0');
    std::uint64_t x = 0x9E3779B97F4A7C15;
    for (char& c : out) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
      c = static_cast<char>(x);
    }
    return out;
  }();
  return bytes;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("blob bench: " + what + ": " + std::strerror(errno));
}

// The resident set size now, in KiB: the second field of /proc/self/statm (resident pages, the
// same figure as VmRSS in /proc/self/status, cheaper for the kernel to produce).
std::int64_t resident_kib() {
  const int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("open /proc/self/statm");
  char text[128] = {};
  const ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) fail("read /proc/self/statm");
  long long size_pages = 0, resident_pages = 0;
  if (std::sscanf(text, "%lld %lld", &size_pages, &resident_pages) != 2) fail("parse statm");
  return resident_pages * (sysconf(_SC_PAGESIZE) / 1024);
}

// Samples the resident set size every millisecond from construction to peak_growth_mib().
class PeakRssGrowth {
 public:
  PeakRssGrowth() : start_kib_(resident_kib()), peak_kib_(start_kib_) {
    sampler_ = std::jthread([this](std::stop_token stop) {
      while (!stop.stop_requested()) {
        sample();
        std::this_thread::sleep_for(1ms);
      }
    });
  }
  // Stops sampling; the largest sample minus the first, in MiB.
  double peak_growth_mib() {
    sampler_ = {};  // request_stop and join
    sample();
    return static_cast<double>(peak_kib_.load() - start_kib_) / 1024;
  }

 private:
  void sample() {
    const auto now = resident_kib();
    auto peak = peak_kib_.load();
    while (now > peak && !peak_kib_.compare_exchange_weak(peak, now)) {
    }
  }

  const std::int64_t start_kib_;
  std::atomic<std::int64_t> peak_kib_;
  std::jthread sampler_;  // last: stopped before the rest is destroyed
};

// A file descriptor, closed on destruction.
class Fd {
 public:
  Fd(const std::string& path, int flags) : fd_(open(path.c_str(), flags | O_CLOEXEC, 0644)) {
    if (fd_ < 0) fail("open " + path);
  }
  ~Fd() { close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// The two implementations, with the same interface: write(bytes) stores the value whole, in
// chunks; read() reads it to the end in chunks and returns how many bytes it read.
class StoreBlob {
 public:
  StoreBlob() : db_(Location::file_normal) {}
  void write(std::uint64_t bytes) {
    auto writer = db_->begin_set(kGroup, kBlobKey);
    for (std::uint64_t done = 0; done < bytes; done += kChunkBytes) writer.write(chunk());
    writer.commit();
    db_->checkpoint();
  }
  std::uint64_t read(std::string& buffer) {
    auto reader = db_->open_reader(kGroup, kBlobKey);
    if (!reader) throw std::runtime_error("blob bench: the value is missing");
    std::uint64_t total = 0;
    while (const auto n = reader->read(buffer)) total += n;
    return total;
  }

 private:
  Db<kvstore::Store> db_;
};

class FileBlob {
 public:
  FileBlob() : path_(dir_.file("blob")) {}
  void write(std::uint64_t bytes) {
    Fd fd(path_, O_WRONLY | O_CREAT | O_TRUNC);
    for (std::uint64_t done = 0; done < bytes; done += kChunkBytes) {
      const char* data = chunk().data();
      std::size_t left = kChunkBytes;
      while (left > 0) {
        const ssize_t n = ::write(fd.get(), data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("write " + path_);
        data += n;
        left -= static_cast<std::size_t>(n);
      }
    }
    if (fsync(fd.get()) != 0) fail("fsync " + path_);
  }
  std::uint64_t read(std::string& buffer) {
    Fd fd(path_, O_RDONLY);
    std::uint64_t total = 0;
    for (;;) {
      const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("read " + path_);
      if (n == 0) return total;
      total += static_cast<std::uint64_t>(n);
    }
  }

 private:
  TempDir dir_;
  std::string path_;
};

// Runs `timed` once per iteration, sampling the resident set size meanwhile, and sets the
// counters.
template <class Timed>
void measure_io(benchmark::State& state, Timed&& timed) {
  const std::uint64_t bytes = blob_bytes();
  PeakRssGrowth rss;
  for (auto _ : state) timed(bytes);
  state.counters["rss_growth_MiB"] = rss.peak_growth_mib();
  state.counters["MB"] =
      benchmark::Counter(static_cast<double>(bytes) * static_cast<double>(state.iterations()) / 1e6,
                         benchmark::Counter::kIsRate);
}

template <class Blob>
void blob_write(benchmark::State& state) {
  Blob blob;
  measure_io(state, [&](std::uint64_t bytes) { blob.write(bytes); });
}

template <class Blob>
void blob_read(benchmark::State& state) {
  Blob blob;
  blob.write(blob_bytes());
  std::string buffer(kChunkBytes, '\0');
  measure_io(state, [&](std::uint64_t bytes) {
    if (blob.read(buffer) != bytes) throw std::runtime_error("blob bench: short read");
  });
}

template <BenchFn StoreFn, BenchFn FileFn>
void blob_pair(const std::string& op) {
  const Configure once = [](auto* b) { b->Iterations(1)->Unit(benchmark::kMillisecond); };
  register_one("kvstore", op, or_skip<StoreFn>, once);
  register_one("file", op, or_skip<FileFn>, once);
  add_comparison("kvstore/" + op, "file/" + op, 2.0);
}

const bool registered = [] {
  const std::string size = std::to_string(blob_mib()) + "MiB";
  blob_pair<blob_write<StoreBlob>, blob_write<FileBlob>>("blob_write/" + size);
  blob_pair<blob_read<StoreBlob>, blob_read<FileBlob>>("blob_read/" + size);
  return true;
}();

}  // namespace
}  // namespace kvbench
