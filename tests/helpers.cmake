# Helper programs the tests run as separate processes.

# kvstore_feed_writer: writes to a store from another process (test_change_feed_process.cpp).
add_executable(kvstore_feed_writer feed_writer.cpp)
target_link_libraries(kvstore_feed_writer PRIVATE kvstore)
