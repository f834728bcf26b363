# Live mode (docs/live-mode.md): libepsim_live.so answers a real program's epoll calls with the
# simulator; `epsim live` runs a program under it. Tests carry the label `live` (and `live-long`).
file(GLOB EPSIM_LIVE_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tools/live/lib/*.c)
add_library(epsim_live SHARED ${EPSIM_LIVE_SOURCES})
target_include_directories(epsim_live PRIVATE ${CMAKE_SOURCE_DIR}/tools/live/lib)
target_link_libraries(epsim_live PRIVATE epsim_core Threads::Threads)
set_target_properties(epsim_live PROPERTIES OUTPUT_NAME epsim_live
  LINK_DEPENDS ${CMAKE_SOURCE_DIR}/tools/live/lib/libepsim_live.map)
target_link_options(epsim_live PRIVATE
  -Wl,--version-script=${CMAKE_SOURCE_DIR}/tools/live/lib/libepsim_live.map)

# The C self-test, natively and under live mode; CPython's epoll and selectors tests (same
# result with and without live mode); redis-benchmark against redis-server under live mode;
# node's HTTP server and client; CPython's test_asyncio (label live-long: about a minute).
# A missing package makes its test print "skipped: PACKAGE unavailable" and count as skipped.
add_executable(live_selftest ${CMAKE_SOURCE_DIR}/tests/live/live_selftest.c)
target_link_libraries(live_selftest PRIVATE Threads::Threads)
# A sanitizer runtime cannot be preloaded into other programs: live tests run in plain builds.
if(CMAKE_C_FLAGS MATCHES "sanitize")
  return()
endif()
set(EPSIM_LIVE_DIR ${CMAKE_SOURCE_DIR}/tests/live)
add_test(NAME live.selftest.native COMMAND live_selftest)
add_test(NAME live.selftest.live COMMAND epsim live -- $<TARGET_FILE:live_selftest>)
add_test(NAME live.cpython.epoll_selectors COMMAND ${EPSIM_LIVE_DIR}/run_cpython.sh
  $<TARGET_FILE:epsim> test_epoll test_selectors)
set_tests_properties(live.selftest.native live.selftest.live PROPERTIES TIMEOUT 120 LABELS live)
set_tests_properties(live.cpython.epoll_selectors PROPERTIES TIMEOUT 600 LABELS live
  SKIP_RETURN_CODE 77)
add_test(NAME live.redis COMMAND ${EPSIM_LIVE_DIR}/run_redis.sh $<TARGET_FILE:epsim> 100000)
add_test(NAME live.node_http COMMAND ${EPSIM_LIVE_DIR}/run_node.sh $<TARGET_FILE:epsim> 3000)
add_test(NAME live.cpython.asyncio COMMAND ${EPSIM_LIVE_DIR}/run_cpython.sh
  $<TARGET_FILE:epsim> test_asyncio)
set_tests_properties(live.redis PROPERTIES TIMEOUT 900 LABELS live SKIP_RETURN_CODE 77
  RESOURCE_LOCK live-bench)
set_tests_properties(live.node_http PROPERTIES TIMEOUT 180 LABELS live SKIP_RETURN_CODE 77)
set_tests_properties(live.cpython.asyncio PROPERTIES TIMEOUT 900 LABELS live-long
  SKIP_RETURN_CODE 77)
add_test(NAME live.record_shadow COMMAND ${EPSIM_LIVE_DIR}/run_record_shadow.sh
  $<TARGET_FILE:epsim> $<TARGET_FILE:live_selftest>)
set_tests_properties(live.record_shadow PROPERTIES TIMEOUT 600 LABELS live)
