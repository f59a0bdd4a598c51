// render takes the group first; the template order of kvstore 0.1 (and go-store) must not compile.
#include <kvstore/kvstore.hpp>

void use(kvstore::Store& store) { (void)store.render("Hello {{name}}", "user"); }
