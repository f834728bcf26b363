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
  # check's own per-test limit (4 s) is too short under sanitizers on a busy 2-core machine
  set_tests_properties(unit.${name} PROPERTIES TIMEOUT 300 ENVIRONMENT "CK_DEFAULT_TIMEOUT=240")
endforeach()

# sim/ below model/: sim/ built and tested alone, with a stub file type and address family.
add_executable(test_sim_only ${CMAKE_SOURCE_DIR}/tests/sim_only/test_sim_only.c)
target_link_libraries(test_sim_only PRIVATE epsim_sim_only PkgConfig::CHECK)
add_test(NAME unit.test_sim_only COMMAND test_sim_only)
add_test(NAME sim_only.no_model_includes
  COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR} -P ${CMAKE_SOURCE_DIR}/cmake/CheckSimLayer.cmake)

# The fault-injection walk runs every corpus trace hundreds of times (minutes under ASan).
if(TEST unit.test_fault_injection)
  set_tests_properties(unit.test_fault_injection PROPERTIES TIMEOUT 900)
endif()

# The differential corpus: every trace, on each backend, against its kernel-recorded golden log.
# On the simulator with --check: the world's invariants are verified after every step.
file(GLOB EPSIM_TRACES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/traces/*.trace)
foreach(trace ${EPSIM_TRACES})
  get_filename_component(name ${trace} NAME_WE)
  add_test(NAME sim.${name} COMMAND epsim check --backend sim --check ${trace})
  set_tests_properties(sim.${name} PROPERTIES TIMEOUT 60)
  # The simulator under the older kernel profiles, against the goldens of those kernels
  # (sim/kprofile.c; a trace a profile does not model exits 77: skipped, visibly).
  foreach(prof 6.1 6.12)
    string(REPLACE "." "" tag ${prof})
    add_test(NAME sim${tag}.${name} COMMAND epsim check --target sim --kernel ${prof} --check ${trace})
    set_tests_properties(sim${tag}.${name} PROPERTIES TIMEOUT 60 SKIP_RETURN_CODE 77)
  endforeach()
  if(EPSIM_KERNEL_TESTS)
    add_test(NAME kernel.${name} COMMAND epsim check --backend kernel ${trace})
    set_tests_properties(kernel.${name} PROPERTIES TIMEOUT 120 RESOURCE_LOCK kernel)
  endif()
endforeach()

# The corpus on other kernels: one test per Debian cloud kernel image, the whole corpus in one
# qemu boot, each trace against the goldens of that kernel (traces/golden/linux-X.Y) plus its
# known variants. Where qemu, busybox-static or the image is missing the test is skipped
# (exit 77) and says which package. Run in builds without sanitizers (the debug preset): the
# guest runs this build's epsim under TCG.
if(EPSIM_KERNEL_TESTS AND NOT CMAKE_C_FLAGS MATCHES "-fsanitize")
  foreach(image 6.1 6.12)
    add_test(NAME qemu.linux-${image} COMMAND epsim check --target qemu:${image} ${EPSIM_TRACES}
      WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
    set_tests_properties(qemu.linux-${image} PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77
      RESOURCE_LOCK qemu)
  endforeach()
endif()

# epsim diagram (docs/diagrams.md): golden files per format (unit.test_diagram), the diagram
# test traces against their kernel logs, every format checked on every trace, and a browser
# test of the HTML stepper. Drawings and screenshots stay in build/.../test-artifacts/.
if(TARGET test_diagram)
  target_compile_definitions(test_diagram PRIVATE
    DIAGRAM_GOLDEN_DIR="${CMAKE_SOURCE_DIR}/tests/golden/diagrams"
    DIAGRAM_TRACES_DIR="${CMAKE_SOURCE_DIR}/tests/diagram/traces")
endif()
file(GLOB EPSIM_DIAGRAM_TRACES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/diagram/traces/*.trace)
foreach(trace ${EPSIM_DIAGRAM_TRACES})
  get_filename_component(name ${trace} NAME_WE)
  add_test(NAME diagram.trace.${name} COMMAND epsim check --backend sim ${trace})
endforeach()
set(EPSIM_ARTIFACTS ${CMAKE_BINARY_DIR}/test-artifacts)
foreach(mode xml svgtext dot perfetto)
  add_test(NAME diagram.${mode} COMMAND ${CMAKE_SOURCE_DIR}/tests/diagram/validate.sh ${mode}
    $<TARGET_FILE:epsim> ${EPSIM_ARTIFACTS}/diagrams ${EPSIM_TRACES} ${EPSIM_DIAGRAM_TRACES})
  set_tests_properties(diagram.${mode} PROPERTIES TIMEOUT 600)
endforeach()
add_test(NAME diagram.browser_html_stepper COMMAND python3
  ${CMAKE_SOURCE_DIR}/tests/browser/html_stepper_test.py --epsim $<TARGET_FILE:epsim>
  --trace ${CMAKE_SOURCE_DIR}/tests/diagram/traces/lt-vs-et.trace --step 9
  --out ${EPSIM_ARTIFACTS}/browser)
set_tests_properties(diagram.browser_html_stepper PROPERTIES TIMEOUT 180)

# docs/conformance.md is what scripts/conformance.py makes from a fresh gVisor matrix run and
# the gVisor peer record; skipped (exit 77, "skipped: runsc unavailable") without runsc.
add_test(NAME conformance.gvisor COMMAND python3 ${CMAKE_SOURCE_DIR}/scripts/conformance.py
  --epsim $<TARGET_FILE:epsim> --check ${CMAKE_SOURCE_DIR}/docs/conformance.md)
set_tests_properties(conformance.gvisor PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77 RESOURCE_LOCK kernel)
