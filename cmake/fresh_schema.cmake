# The schema of a new database as one script (src/storage/fresh_schema.hpp), generated from
# migrations/ at build time: a host program built from cmake/fresh_schema_generator.cpp and the
# embedded migrations applies them to an empty in-memory database and writes what results.
# Regenerated whenever the program changes, and so whenever a migration does.
# Needs KVSTORE_MIGRATIONS_CPP; sets KVSTORE_FRESH_SCHEMA_CPP. A cross-compiling build runs the
# program through CMAKE_CROSSCOMPILING_EMULATOR (Wine: cmake/toolchains/mingw-w64.cmake).
add_executable(kvstore_fresh_schema_generator
  ${PROJECT_SOURCE_DIR}/cmake/fresh_schema_generator.cpp ${KVSTORE_MIGRATIONS_CPP})
target_include_directories(kvstore_fresh_schema_generator PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(kvstore_fresh_schema_generator PRIVATE SQLite::SQLite3)
target_compile_options(kvstore_fresh_schema_generator PRIVATE -Wall -Wextra -Wpedantic)
# The library compiles the embedded migrations too: one target generates them, before both, so
# that a parallel Makefile build does not run the generation twice at once.
add_custom_target(kvstore_migrations_source DEPENDS ${KVSTORE_MIGRATIONS_CPP})
add_dependencies(kvstore_fresh_schema_generator kvstore_migrations_source)

set(KVSTORE_FRESH_SCHEMA_CPP ${PROJECT_BINARY_DIR}/generated/fresh_schema_script.cpp)
add_custom_command(
  OUTPUT ${KVSTORE_FRESH_SCHEMA_CPP}
  COMMAND kvstore_fresh_schema_generator ${KVSTORE_FRESH_SCHEMA_CPP}
  DEPENDS kvstore_fresh_schema_generator
  COMMENT "Generating the schema script of a new database from migrations/")
