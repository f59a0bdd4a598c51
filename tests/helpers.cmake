# Helper programs the tests run as separate processes.

# kvstore_feed_writer: writes to a store from another process (tests/core/test_change_feed_process.cpp).
add_executable(kvstore_feed_writer feed_writer.cpp)
target_link_libraries(kvstore_feed_writer PRIVATE kvstore)

# kvstore_crash_writer: writes until SIGKILLed, acknowledging each commit (tests/reliability/test_crash.cpp).
add_executable(kvstore_crash_writer crash_writer.cpp)
target_link_libraries(kvstore_crash_writer PRIVATE kvstore)
add_dependencies(kvstore_tests kvstore_crash_writer)
target_compile_definitions(kvstore_tests PRIVATE
  KVSTORE_CRASH_WRITER="$<TARGET_FILE:kvstore_crash_writer>")
