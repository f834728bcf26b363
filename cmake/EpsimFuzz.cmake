# libFuzzer harnesses (the `fuzz` preset: clang, -fsanitize=fuzzer-no-link,address,undefined).
# Each tests/fuzz/fuzz_*.c links with the trace parser (tools/trace/*.c) and libFuzzer's main;
# ctest runs each for a short bounded time, seeded with the trace corpus and the token dictionary.
set(EPSIM_FUZZ_SECONDS 30 CACHE STRING "Seconds each fuzz.* ctest runs its harness")
file(GLOB EPSIM_PARSER_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tools/trace/*.c)
add_library(epsim_parser STATIC ${EPSIM_PARSER_SOURCES})
target_include_directories(epsim_parser PUBLIC ${CMAKE_SOURCE_DIR}/tools/trace ${CMAKE_SOURCE_DIR}/tools/util)
file(GLOB EPSIM_FUZZ_HARNESSES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
foreach(src ${EPSIM_FUZZ_HARNESSES})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE epsim_parser)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set(corpus ${CMAKE_BINARY_DIR}/fuzz-corpus/${name})
  file(MAKE_DIRECTORY ${corpus})
  string(REGEX REPLACE "^fuzz_" "" short ${name})
  # new inputs go to the build tree; traces/ is only read (a seed directory)
  add_test(NAME fuzz.${short}
           COMMAND ${name} -max_total_time=${EPSIM_FUZZ_SECONDS} -timeout=10 -rss_limit_mb=2048
                   -max_len=16384 -print_final_stats=1
                   -dict=${CMAKE_SOURCE_DIR}/tests/fuzz/trace.dict ${corpus}
                   ${CMAKE_SOURCE_DIR}/traces)
  set_tests_properties(fuzz.${short} PROPERTIES TIMEOUT 600)
endforeach()
