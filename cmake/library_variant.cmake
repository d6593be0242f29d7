# aexec_library_variant(NAME CONFIG MACRO=VALUE... [BACKEND RISCV64])
# Another build of the library, with the build's own flags and configuration
# except the AEXEC_CONFIG_* macros given in CONFIG, for a program that must
# run a configuration the build as a whole does not: the demo kernel with
# the trace hooks on, the statistics test with them flipped, the core tests
# with the run queue behind the critical section.
# Without BACKEND, NAME is that library. With one, NAME is a copy of that
# backend (aexec_riscv64, with its own flags) linked to the library copy
# NAME_lib: what a kernel links instead, aexec_riscv_kernel(... BACKEND NAME).
# (examples/trace keeps a host copy of its own: built with these options,
# gcovr 5.2 could not merge its objects with the library's.)
function(aexec_library_variant name)
  cmake_parse_arguments(V "" "BACKEND" "CONFIG" ${ARGN})
  set(lib ${name})
  if(V_BACKEND)
    set(lib ${name}_lib)
  endif()
  set(sources)
  foreach(list AEXEC_CORE_SOURCES AEXEC_TIME_SOURCES AEXEC_SYNC_SOURCES)
    list(TRANSFORM ${list} PREPEND ${PROJECT_SOURCE_DIR}/ OUTPUT_VARIABLE part)
    list(APPEND sources ${part})
  endforeach()
  add_library(${lib} STATIC ${sources})
  target_include_directories(${lib} PUBLIC ${PROJECT_SOURCE_DIR}/include)
  get_target_property(defs aexec INTERFACE_COMPILE_DEFINITIONS)
  foreach(def ${V_CONFIG})
    string(REGEX REPLACE "=.*" "" macro "${def}")
    list(FILTER defs EXCLUDE REGEX "^${macro}=")
  endforeach()
  target_compile_definitions(${lib} PUBLIC ${defs} ${V_CONFIG})
  get_target_property(opts aexec COMPILE_OPTIONS)
  target_compile_options(${lib} PRIVATE ${opts})
  if(V_BACKEND)
    string(TOLOWER ${V_BACKEND} backend)
    list(TRANSFORM AEXEC_${V_BACKEND}_SOURCES PREPEND ${PROJECT_SOURCE_DIR}/ OUTPUT_VARIABLE part)
    add_library(${name} STATIC ${part})
    target_link_libraries(${name} PUBLIC ${lib})
    get_target_property(opts aexec_${backend} COMPILE_OPTIONS)
    target_compile_options(${name} PRIVATE ${opts})
  endif()
endfunction()
