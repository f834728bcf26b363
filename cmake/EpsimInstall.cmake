# The installable library: `cmake --install` puts the epsim tool, libepsim (the simulator's C API
# of sim/epsim.h, static and shared), its headers, epsim.pc, the man page epsim(1) generated from
# the --help texts, and libepsim_live.so when live mode is built, into the prefix.
include(GNUInstallDirs)

# epsim_version.h: the project version, for `epsim --version` and for programs using libepsim.
set(EPSIM_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
configure_file(${CMAKE_SOURCE_DIR}/cmake/epsim_version.h.in ${EPSIM_GENERATED_DIR}/epsim_version.h
  @ONLY)
target_include_directories(epsim_tools PUBLIC ${EPSIM_GENERATED_DIR})

# libepsim.a and libepsim.so from one set of objects of sim/ and model/; the shared library
# exports the epsim_* API only.
add_library(epsim_lib_objects OBJECT EXCLUDE_FROM_ALL ${EPSIM_CORE_SOURCES})
target_include_directories(epsim_lib_objects PRIVATE sim model)
set_target_properties(epsim_lib_objects PROPERTIES POSITION_INDEPENDENT_CODE ON)
add_library(epsim_lib_static STATIC $<TARGET_OBJECTS:epsim_lib_objects>)
add_library(epsim_lib_shared SHARED $<TARGET_OBJECTS:epsim_lib_objects>)
set_target_properties(epsim_lib_static PROPERTIES OUTPUT_NAME epsim)
set_target_properties(epsim_lib_shared PROPERTIES OUTPUT_NAME epsim
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
  LINK_DEPENDS ${CMAKE_SOURCE_DIR}/cmake/libepsim.map)
target_link_options(epsim_lib_shared PRIVATE
  -Wl,--version-script=${CMAKE_SOURCE_DIR}/cmake/libepsim.map -Wl,-z,defs)

# epsim.pc, relocatable: its prefix is found from where the file is installed.
file(RELATIVE_PATH EPSIM_PC_RELPREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
configure_file(${CMAKE_SOURCE_DIR}/cmake/epsim.pc.in ${EPSIM_GENERATED_DIR}/epsim.pc @ONLY)

# epsim(1) from the tool's help texts.
add_custom_command(OUTPUT ${EPSIM_GENERATED_DIR}/epsim.1
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/manpage.sh $<TARGET_FILE:epsim> ${EPSIM_GENERATED_DIR}/epsim.1
  DEPENDS epsim ${CMAKE_SOURCE_DIR}/scripts/manpage.sh
  COMMENT "Generating epsim.1 from the help texts")
add_custom_target(epsim_manpage ALL DEPENDS ${EPSIM_GENERATED_DIR}/epsim.1)

# The headers of the C API: epsim.h and the sim/ headers it includes.
set(EPSIM_PUBLIC_HEADERS sim/epsim.h sim/world.h sim/list.h sim/probe.h sim/stats.h
  ${EPSIM_GENERATED_DIR}/epsim_version.h)

install(TARGETS epsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS epsim_lib_static epsim_lib_shared
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${EPSIM_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/epsim)
install(FILES ${EPSIM_GENERATED_DIR}/epsim.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(FILES ${EPSIM_GENERATED_DIR}/epsim.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
set(EPSIM_INSTALL_LIVE OFF)
if(TARGET epsim_live)
  install(TARGETS epsim_live LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  set(EPSIM_INSTALL_LIVE ON)
endif()

# Install into a temporary prefix and build a tiny program against it through pkg-config, with
# the build's own C flags (a sanitizer build's library needs the sanitizer runtime in the program).
separate_arguments(EPSIM_INSTALL_TEST_CFLAGS UNIX_COMMAND "${CMAKE_C_FLAGS}")
string(REPLACE ";" "|" EPSIM_INSTALL_TEST_CFLAGS "${EPSIM_INSTALL_TEST_CFLAGS}")
add_test(NAME install.pkg_config COMMAND ${CMAKE_COMMAND} "-DCFLAGS=${EPSIM_INSTALL_TEST_CFLAGS}"
  -DBUILD=${CMAKE_BINARY_DIR} -DSRC=${CMAKE_SOURCE_DIR} -DWORK=${CMAKE_BINARY_DIR}/install-test
  -DLIBDIR=${CMAKE_INSTALL_LIBDIR} -DCC=${CMAKE_C_COMPILER} -DLIVE=${EPSIM_INSTALL_LIVE}
  -P ${CMAKE_SOURCE_DIR}/cmake/InstallTest.cmake)
set_tests_properties(install.pkg_config PROPERTIES TIMEOUT 300)
