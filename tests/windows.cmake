# The Windows build of the suite (tools/windows-build.sh, run under Wine) leaves out the files
# whose cases need what only POSIX has; within the files it builds, cases that mean nothing on
# Windows are tagged [posix] and the script excludes them. Each left-out file, with why:
set(KVSTORE_POSIX_ONLY_TESTS
  "cli/test_*.cpp|run the kvstore CLI with fork/exec and pipes (tests/cli_runner.hpp)"
  "blob/test_streams_process.cpp|SIGKILL a writer child process (fork)"
  "core/test_change_feed_process.cpp|a writer in a forked child process, killed with SIGKILL"
  "core/test_change_feed_notify.cpp|inotify and forked writers"
  "last_modified/test_coherence.cpp|stores in forked child processes"
  "reliability/test_crash.cpp|SIGKILL of a writer process mid-commit"
  "reliability/test_faults.cpp|chmod, mounts and SIGKILL"
  "storage/test_open_process.cpp|forked openers (fork, waitpid)"
  "storage/test_database_path.cpp|POSIX modes (chmod, stat) and an unprivileged child")
foreach(entry ${KVSTORE_POSIX_ONLY_TESTS})
  string(REPLACE "|" ";" entry "${entry}")
  list(GET entry 0 pattern)
  list(GET entry 1 reason)
  file(GLOB posix_only ${CMAKE_CURRENT_SOURCE_DIR}/${pattern})
  list(REMOVE_ITEM KVSTORE_TEST_SOURCES ${posix_only})
  message(STATUS "kvstore_tests for Windows leaves out tests/${pattern}: ${reason}")
endforeach()
