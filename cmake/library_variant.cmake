# aexec_library_variant(NAME CONFIG MACRO=VALUE...)
# Another build of the library and its RISC-V backend in one static library
# NAME, with the build's own flags and configuration except the AEXEC_CONFIG_*
# macros given in CONFIG, for a kernel that must run a configuration the
# build as a whole does not (the demo with the trace hooks on, the core tests
# with the run queue behind the critical section). Pass it to
# aexec_riscv_kernel(... BACKEND NAME).
function(aexec_library_variant name)
  cmake_parse_arguments(V "" "" "CONFIG" ${ARGN})
  set(sources)
  foreach(list AEXEC_CORE_SOURCES AEXEC_TIME_SOURCES AEXEC_SYNC_SOURCES AEXEC_RISCV64_SOURCES)
    list(TRANSFORM ${list} PREPEND ${PROJECT_SOURCE_DIR}/ OUTPUT_VARIABLE part)
    list(APPEND sources ${part})
  endforeach()
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include)
  get_target_property(defs aexec INTERFACE_COMPILE_DEFINITIONS)
  foreach(def ${V_CONFIG})
    string(REGEX REPLACE "=.*" "" macro "${def}")
    list(FILTER defs EXCLUDE REGEX "^${macro}=")
  endforeach()
  target_compile_definitions(${name} PUBLIC ${defs} ${V_CONFIG})
  get_target_property(opts aexec COMPILE_OPTIONS)
  target_compile_options(${name} PRIVATE ${opts})
endfunction()
