# Builds and runs tests/package/consumer the way a user would, in one of four modes:
#   MODE=installed     cmake --install the kvstore build into a fresh prefix, find_package(kvstore)
#   MODE=pkgconfig     the same install, compiled with `pkg-config --cflags --libs kvstore`
#   MODE=subdirectory  add_subdirectory of the kvstore source tree
#   MODE=shared        kvstore built as a shared library (BUILD_SHARED_LIBS=ON) and installed,
#                      then find_package(kvstore); the library must have a soname and export no
#                      detail:: symbol (nm -C --defined-only -D)
# Inputs: MODE, KVSTORE_SOURCE_DIR, KVSTORE_BINARY_DIR, WORK_DIR, CXX_COMPILER.
# Usage: cmake -DMODE=... -D... -P check_consumer.cmake
cmake_minimum_required(VERSION 3.21)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " command)
    message(FATAL_ERROR "failed (${rc}): ${command}\n${out}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

set(consumer_dir ${CMAKE_CURRENT_LIST_DIR}/consumer)
set(work ${WORK_DIR}/${MODE})
file(REMOVE_RECURSE ${work})
set(prefix ${work}/prefix)
set(consumer_build ${work}/build)

if(MODE STREQUAL "installed" OR MODE STREQUAL "pkgconfig")
  run(${CMAKE_COMMAND} --install ${KVSTORE_BINARY_DIR} --prefix ${prefix})
  foreach(expected include/kvstore/store.hpp bin/kvstore)
    if(NOT EXISTS ${prefix}/${expected})
      message(FATAL_ERROR "not installed: ${expected}")
    endif()
  endforeach()
endif()

if(MODE STREQUAL "shared")
  set(shared_build ${work}/kvstore-build)
  run(${CMAKE_COMMAND} -S ${KVSTORE_SOURCE_DIR} -B ${shared_build} -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DBUILD_SHARED_LIBS=ON -DKVSTORE_BUILD_TESTS=OFF
      -DKVSTORE_BUILD_BENCH=OFF -DKVSTORE_BUILD_TOOLS=OFF -DKVSTORE_BUILD_EXAMPLES=OFF)
  run(${CMAKE_COMMAND} --build ${shared_build} -j 1)
  run(${CMAKE_COMMAND} --install ${shared_build} --prefix ${prefix})
  file(GLOB_RECURSE library ${prefix}/*/libkvstore.so)
  if(NOT library)
    message(FATAL_ERROR "not installed: libkvstore.so")
  endif()
  run(readelf -d ${library})
  if(NOT run_output MATCHES "SONAME[^\n]*libkvstore\.so\.[0-9]")
    message(FATAL_ERROR "libkvstore.so has no versioned soname:\n${run_output}")
  endif()
  run(nm -C --defined-only -D ${library})
  string(REGEX MATCHALL "[^\n]*detail::[^\n]*" leaked "${run_output}")
  if(leaked)
    list(JOIN leaked "\n" leaked)
    message(FATAL_ERROR "libkvstore.so exports internal symbols:\n${leaked}")
  endif()
  if(NOT run_output MATCHES "kvstore::Store::Store")
    message(FATAL_ERROR "libkvstore.so does not export kvstore::Store:\n${run_output}")
  endif()
endif()

if(MODE STREQUAL "installed" OR MODE STREQUAL "shared")
  run(${CMAKE_COMMAND} -S ${consumer_dir} -B ${consumer_build} -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${prefix})
  run(${CMAKE_COMMAND} --build ${consumer_build})
  set(program ${consumer_build}/consumer)
elseif(MODE STREQUAL "subdirectory")
  run(${CMAKE_COMMAND} -S ${consumer_dir} -B ${consumer_build} -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DKVSTORE_SOURCE_DIR=${KVSTORE_SOURCE_DIR})
  run(${CMAKE_COMMAND} --build ${consumer_build} -j 2)
  set(program ${consumer_build}/consumer)
elseif(MODE STREQUAL "pkgconfig")
  file(GLOB_RECURSE pc_file ${prefix}/*/kvstore.pc)
  get_filename_component(pc_dir "${pc_file}" DIRECTORY)
  set(ENV{PKG_CONFIG_PATH} ${pc_dir})
  run(pkg-config --cflags --libs kvstore)
  separate_arguments(flags UNIX_COMMAND "${run_output}")
  file(MAKE_DIRECTORY ${consumer_build})
  set(program ${consumer_build}/consumer)
  run(${CXX_COMPILER} ${consumer_dir}/main.cpp ${flags} -o ${program})
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()

run(${program})
message(STATUS "${MODE}: ${run_output}")
