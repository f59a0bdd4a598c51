// The command families; each adds its subcommands to the registry (one file per family).
#pragma once

#include "context.hpp"
#include "registry.hpp"

namespace kvcli {

void add_read_commands(Registry& registry,
                       const Context& context);  // get groups keys count ttl render
void add_write_commands(Registry& registry,
                        const Context& context);  // set del rm-group rm-prefix purge
void add_transfer_commands(Registry& registry, const Context& context);  // export import
void add_watch_command(Registry& registry, const Context& context);      // watch
void add_maintenance_commands(Registry& registry,
                              const Context& context);  // stats check checkpoint vacuum
void add_migrate_command(Registry& registry, const Context& context);  // migrate

}  // namespace kvcli
