# Install rules: headers, the library, a CMake package (find_package(kvstore CONFIG) ->
# kvstore::kvstore) and a pkg-config file. The CLI installs itself in tools/CMakeLists.txt.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KVSTORE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/kvstore)

install(TARGETS kvstore EXPORT kvstoreTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/kvstore DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/kvstore/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kvstore)
install(EXPORT kvstoreTargets NAMESPACE kvstore:: DESTINATION ${KVSTORE_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/kvstoreConfig.cmake.in
  ${PROJECT_BINARY_DIR}/kvstoreConfig.cmake INSTALL_DESTINATION ${KVSTORE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/kvstoreConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/kvstoreConfig.cmake ${PROJECT_BINARY_DIR}/kvstoreConfigVersion.cmake
  DESTINATION ${KVSTORE_CMAKE_DIR})

# The .pc file finds its prefix from its own location, so --prefix at install time is honoured.
file(RELATIVE_PATH KVSTORE_PC_PREFIX_FROM_PCDIR "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
configure_file(${PROJECT_SOURCE_DIR}/cmake/kvstore.pc.in ${PROJECT_BINARY_DIR}/kvstore.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/kvstore.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
