// kvstore: a persistent, embedded key-value store on SQLite. Include this for everything.
#pragma once

#include "kvstore/errors.hpp"
#include "kvstore/events.hpp"
#include "kvstore/last_modified_store.hpp"
#include "kvstore/options.hpp"
#include "kvstore/schema.hpp"
#include "kvstore/scoped_store.hpp"
#include "kvstore/store.hpp"
#include "kvstore/version.hpp"
