# Install rules: headers, the libraries, a CMake package (aexec::aexec,
# aexec::host) and a pkg-config file (aexec.pc).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY include/aexec DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set(AEXEC_INSTALL_TARGETS aexec)
if(AEXEC_HOSTED)
  list(APPEND AEXEC_INSTALL_TARGETS aexec_host)
  set_target_properties(aexec_host PROPERTIES EXPORT_NAME host)
elseif(TARGET aexec_riscv64)
  list(APPEND AEXEC_INSTALL_TARGETS aexec_riscv64)
  set_target_properties(aexec_riscv64 PROPERTIES EXPORT_NAME riscv64)
endif()
install(TARGETS ${AEXEC_INSTALL_TARGETS} EXPORT aexecTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT aexecTargets NAMESPACE aexec:: FILE aexecTargets.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/aexec)

file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/aexecConfig.cmake.in [=[
@PACKAGE_INIT@
include(CMakeFindDependencyMacro)
if(NOT CMAKE_SYSTEM_NAME STREQUAL "Generic")
  find_dependency(Threads)
endif()
include("${CMAKE_CURRENT_LIST_DIR}/aexecTargets.cmake")
]=])
configure_package_config_file(${CMAKE_CURRENT_BINARY_DIR}/aexecConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/aexecConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/aexec)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/aexecConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/aexecConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/aexecConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/aexec)

# pkg-config: `aexec` is the freestanding core; `aexec-host` adds the backend.
set(AEXEC_PC_DEFS "-DAEXEC_CONFIG_RUNQUEUE_CS=$<BOOL:${AEXEC_RUNQUEUE_CS}> -DAEXEC_CONFIG_ASSERT=$<BOOL:${AEXEC_ASSERTS}> -DAEXEC_CONFIG_STATS=$<BOOL:${AEXEC_STATS}> -DAEXEC_CONFIG_TRACE=$<BOOL:${AEXEC_TRACE}>")
foreach(def IN LISTS AEXEC_CONFIG_DEFS)
  string(APPEND AEXEC_PC_DEFS " -D${def}")
endforeach()
file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/aexec.pc CONTENT
"prefix=\${pcfiledir}/../..
libdir=\${prefix}/${CMAKE_INSTALL_LIBDIR}
includedir=\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}

Name: aexec
Description: Freestanding async executor for kernels and firmware
Version: ${PROJECT_VERSION}
Cflags: -I\${includedir} ${AEXEC_PC_DEFS}
Libs: -L\${libdir} -laexec
")
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/aexec.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(AEXEC_HOSTED)
  file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/aexec-host.pc CONTENT
"prefix=\${pcfiledir}/../..
libdir=\${prefix}/${CMAKE_INSTALL_LIBDIR}

Name: aexec-host
Description: libaexec's POSIX backend (condvar pender, CLOCK_MONOTONIC)
Version: ${PROJECT_VERSION}
Requires: aexec
Libs: -L\${libdir} -laexec_host -pthread
")
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/aexec-host.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endif()
