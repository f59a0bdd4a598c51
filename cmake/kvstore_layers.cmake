# The library is built from layers, one folder of src/ each, each an OBJECT library that can
# include only its own folder, the folders of the layers it sits on (SEES) and the public headers
# it may know (HEADERS). Each layer compiles against a view made at configure time,
# <build>/layers/<layer>/, holding links to exactly those folders and headers, so an include
# that points up the stack ("core/store_impl.hpp" from storage/) fails with "No such file or
# directory". Inside src/, internal headers are included by folder: "storage/connection.hpp".
function(kvstore_layer name)
  cmake_parse_arguments(LAYER "" "" "SEES;HEADERS;LIBS;SOURCES" ${ARGN})
  set(view ${PROJECT_BINARY_DIR}/layers/${name})
  file(REMOVE_RECURSE ${view})  # removes the links, not what they point to
  file(MAKE_DIRECTORY ${view}/kvstore)
  foreach(folder ${name} ${LAYER_SEES})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${folder} ${view}/${folder} SYMBOLIC)
  endforeach()
  # Every layer sees export.hpp (the visibility macros) and the generated version.hpp.
  foreach(header export ${LAYER_HEADERS})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/include/kvstore/${header}.hpp
         ${view}/kvstore/${header}.hpp SYMBOLIC)
  endforeach()
  file(CREATE_LINK ${PROJECT_BINARY_DIR}/include/kvstore/version.hpp ${view}/kvstore/version.hpp
       SYMBOLIC)
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  add_library(kvstore_${name} OBJECT ${sources} ${LAYER_SOURCES})
  target_include_directories(kvstore_${name} PRIVATE ${view})
  target_link_libraries(kvstore_${name} PRIVATE ${LAYER_LIBS})
  target_compile_options(kvstore_${name} PRIVATE -Wall -Wextra -Wpedantic)
  # Only what the public headers mark KVSTORE_EXPORT leaves a shared library.
  set_target_properties(kvstore_${name} PROPERTIES CXX_VISIBILITY_PRESET hidden
                        VISIBILITY_INLINES_HIDDEN ON)
  if(BUILD_SHARED_LIBS)
    set_target_properties(kvstore_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endif()
  set_property(GLOBAL APPEND PROPERTY KVSTORE_LAYERS kvstore_${name})
endfunction()

# The operating system's side of the storage layer (src/storage/platform/platform.hpp): one
# implementation per system.
set(platform ${PROJECT_SOURCE_DIR}/src/storage/platform)
if(WIN32)
  set(KVSTORE_PLATFORM_SOURCES ${platform}/windows_files.cpp ${platform}/windows_process.cpp
      ${platform}/windows_support.cpp ${platform}/no_notifications.cpp)
else()
  set(KVSTORE_PLATFORM_SOURCES ${platform}/posix_files.cpp ${platform}/posix_process.cpp)
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    list(APPEND KVSTORE_PLATFORM_SOURCES ${platform}/linux_notifications.cpp)
  else()
    list(APPEND KVSTORE_PLATFORM_SOURCES ${platform}/no_notifications.cpp)
  endif()
endif()

# Bottom to top. What each layer is: docs/architecture.md.
kvstore_layer(util HEADERS errors options LIBS nlohmann_json::nlohmann_json)
kvstore_layer(storage SEES util HEADERS errors options
  LIBS SQLiteCpp SQLite::SQLite3 nlohmann_json::nlohmann_json
  SOURCES ${KVSTORE_MIGRATIONS_CPP} ${KVSTORE_FRESH_SCHEMA_CPP} ${KVSTORE_PLATFORM_SOURCES})
kvstore_layer(events SEES util HEADERS errors options events LIBS nlohmann_json::nlohmann_json)
kvstore_layer(core SEES util storage events HEADERS errors options events blob data_api store
  LIBS SQLiteCpp SQLite::SQLite3 nlohmann_json::nlohmann_json)
kvstore_layer(blob SEES util storage events core HEADERS errors options events blob data_api store
  LIBS SQLiteCpp SQLite::SQLite3 nlohmann_json::nlohmann_json)
kvstore_layer(api SEES util storage events core
  HEADERS errors options events blob data_api store schema
  LIBS SQLiteCpp SQLite::SQLite3 nlohmann_json::nlohmann_json)
kvstore_layer(scoped SEES util storage events core blob
  HEADERS errors options events blob data_api store scoped_store
  LIBS SQLiteCpp SQLite::SQLite3 nlohmann_json::nlohmann_json)
kvstore_layer(last_modified SEES util
  HEADERS errors options events blob data_api store last_modified_store
  LIBS nlohmann_json::nlohmann_json)
