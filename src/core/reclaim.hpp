// Reclaiming, when a store opens, what crashed or killed writers of streamed values left.
#pragma once

#include "kvstore/store.hpp"

namespace kvstore::detail {

// Deletes the staged blobs whose writer is gone (it died before commit or abort) and the value
// files no row records. A failure is reported (Options::on_error), not thrown: what is left is
// tried again at the next open.
void reclaim_abandoned_blobs(Store::Impl& impl) noexcept;

}  // namespace kvstore::detail
