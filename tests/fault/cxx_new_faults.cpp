// Replaces the global operator new and delete (every standard signature) with malloc/free-based
// ones that, while the calling thread has a live CountAllocationsHere, ask
// Control::decide(cxx_new) and fail on a non-zero answer: std::bad_alloc, or nullptr for the
// nothrow forms. Linked only into test executables (the kvstore_fault_seam object library).
//
// The decision reads a thread_local int and a few atomics: it never allocates, so it cannot
// recurse. std::bad_alloc is thrown through __cxa_allocate_exception, which uses malloc.
#include <cstddef>
#include <cstdlib>
#include <new>

#include "fault_control.hpp"

namespace {

bool injected_failure() noexcept {
  return kvfault::counting_allocations_here() &&
         kvfault::Control::get().decide(kvfault::cxx_new) != 0;
}

void* try_allocate(std::size_t size, std::size_t alignment) noexcept {
  if (size == 0) size = 1;  // every new returns a distinct pointer
  if (alignment <= alignof(std::max_align_t)) return std::malloc(size);
  void* block = nullptr;
  return posix_memalign(&block, alignment, size) == 0 ? block : nullptr;
}

// What the standard asks of a replaceable operator new: on a real shortage, call the new-handler
// until it gives up.
void* allocate(std::size_t size, std::size_t alignment) {
  if (injected_failure()) throw std::bad_alloc();
  for (;;) {
    if (void* block = try_allocate(size, alignment)) return block;
    const std::new_handler handler = std::get_new_handler();
    if (!handler) throw std::bad_alloc();
    handler();
  }
}

void* allocate_or_null(std::size_t size, std::size_t alignment) noexcept {
  try {
    return allocate(size, alignment);
  } catch (...) {
    return nullptr;
  }
}

constexpr std::size_t kDefault = alignof(std::max_align_t);

std::size_t value(std::align_val_t alignment) { return static_cast<std::size_t>(alignment); }

}  // namespace

void* operator new(std::size_t size) { return allocate(size, kDefault); }
void* operator new[](std::size_t size) { return allocate(size, kDefault); }
void* operator new(std::size_t size, std::align_val_t alignment) {
  return allocate(size, value(alignment));
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return allocate(size, value(alignment));
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return allocate_or_null(size, kDefault);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return allocate_or_null(size, kDefault);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return allocate_or_null(size, value(alignment));
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return allocate_or_null(size, value(alignment));
}

void operator delete(void* block) noexcept { std::free(block); }
void operator delete[](void* block) noexcept { std::free(block); }
void operator delete(void* block, std::size_t) noexcept { std::free(block); }
void operator delete[](void* block, std::size_t) noexcept { std::free(block); }
void operator delete(void* block, std::align_val_t) noexcept { std::free(block); }
void operator delete[](void* block, std::align_val_t) noexcept { std::free(block); }
void operator delete(void* block, std::size_t, std::align_val_t) noexcept { std::free(block); }
void operator delete[](void* block, std::size_t, std::align_val_t) noexcept { std::free(block); }
void operator delete(void* block, const std::nothrow_t&) noexcept { std::free(block); }
void operator delete[](void* block, const std::nothrow_t&) noexcept { std::free(block); }
void operator delete(void* block, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(block);
}
void operator delete[](void* block, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(block);
}
