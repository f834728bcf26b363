# Unit tests (check): one executable per tests/test_*.c, linked with everything.
file(GLOB EPSIM_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/test_*.c)
foreach(src ${EPSIM_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE epsim_tools PkgConfig::CHECK)
  target_compile_definitions(${name} PRIVATE
    BAD_TRACES_DIR="${CMAKE_SOURCE_DIR}/tests/bad-traces"
    TRACES_DIR="${CMAKE_SOURCE_DIR}/traces"
    EPSIM_BIN="$<TARGET_FILE:epsim>")
  add_test(NAME unit.${name} COMMAND ${name})
  set_tests_properties(unit.${name} PROPERTIES TIMEOUT 300)
endforeach()

# The differential corpus: every trace, on each backend, against its kernel-recorded golden log.
# On the simulator with --check: the world's invariants are verified after every step.
file(GLOB EPSIM_TRACES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/traces/*.trace)
foreach(trace ${EPSIM_TRACES})
  get_filename_component(name ${trace} NAME_WE)
  add_test(NAME sim.${name} COMMAND epsim check --backend sim --check ${trace})
  set_tests_properties(sim.${name} PROPERTIES TIMEOUT 60)
  if(EPSIM_KERNEL_TESTS)
    add_test(NAME kernel.${name} COMMAND epsim check --backend kernel ${trace})
    set_tests_properties(kernel.${name} PROPERTIES TIMEOUT 120 RESOURCE_LOCK kernel)
  endif()
endforeach()
