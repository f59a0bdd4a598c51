// KVSTORE_EXPORT marks the declarations a shared libkvstore exports. The library is compiled
// with -fvisibility=hidden and -fvisibility-inlines-hidden, so everything else (the detail::
// namespace, the implementation classes) stays inside it. Harmless in a static build.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define KVSTORE_EXPORT __attribute__((visibility("default")))
#define KVSTORE_HIDDEN __attribute__((visibility("hidden")))
#else
#define KVSTORE_EXPORT
#define KVSTORE_HIDDEN
#endif
