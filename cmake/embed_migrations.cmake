# Generates a C++ source holding every migrations/NNNN_name.sql, in version order.
# Usage: cmake -DMIGRATIONS_DIR=... -DOUTPUT=... -P embed_migrations.cmake
file(GLOB sql_files "${MIGRATIONS_DIR}/*.sql")
list(SORT sql_files)
set(entries "")
set(expected 1)
foreach(sql_file IN LISTS sql_files)
  get_filename_component(name "${sql_file}" NAME_WE)
  if(NOT name MATCHES "^([0-9][0-9][0-9][0-9])_[a-z0-9_]+$")
    message(FATAL_ERROR "migration file name must be NNNN_name.sql: ${sql_file}")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  if(NOT version EQUAL expected)
    message(FATAL_ERROR "migration ${name}: expected version ${expected}")
  endif()
  math(EXPR expected "${expected} + 1")
  file(READ "${sql_file}" sql)
  string(APPEND entries "    {${version}, \"${name}\", R\"kvstore_sql(${sql})kvstore_sql\"},\n")
endforeach()
set(content "// Generated from migrations/*.sql by cmake/embed_migrations.cmake. Do not edit.
#include \"storage/embedded_migrations.hpp\"

namespace kvstore::detail {

std::span<const Migration> embedded_migrations() {
  static const Migration all[] = {
${entries}  };
  return all;
}

}  // namespace kvstore::detail
")
file(WRITE "${OUTPUT}.tmp" "${content}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
