# libFuzzer targets (AEXEC_FUZZ=ON, clang only; the top CMakeLists.txt adds
# -fsanitize=fuzzer-no-link,address,undefined to everything, so the library
# is instrumented too).
#
# aexec_add_fuzz_target(NAME source.c... CORPUS dir [LIBS lib...])
#   One fuzz executable linked with the library, and one ctest test,
#   fuzz.NAME (label fuzz), that runs it for AEXEC_FUZZ_SECONDS from the
#   seed corpus `dir` (relative to the calling CMakeLists.txt). New inputs go
#   to a work corpus in the build tree, never into the checked-in seeds; a
#   crashing input is written next to it as NAME-crash-<hash>. Every target
#   is also a dependency of `aexec_fuzz`, so `cmake --build . --target
#   aexec_fuzz` builds them all and nothing else.
set(AEXEC_FUZZ_SECONDS 60 CACHE STRING "How long each fuzz test runs (ctest -L fuzz)")

if(AEXEC_FUZZ AND NOT TARGET aexec_fuzz)
  add_custom_target(aexec_fuzz)
endif()

function(aexec_add_fuzz_target name)
  if(NOT AEXEC_FUZZ)
    return()
  endif()
  cmake_parse_arguments(F "" "CORPUS" "LIBS" ${ARGN})
  if(NOT F_CORPUS)
    message(FATAL_ERROR "aexec_add_fuzz_target(${name}): CORPUS dir is required")
  endif()
  add_executable(${name} ${F_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE aexec ${F_LIBS})
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE ${AEXEC_WARNINGS} -Wno-missing-prototypes)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  add_dependencies(aexec_fuzz ${name})
  set(work ${CMAKE_CURRENT_BINARY_DIR}/${name}.corpus)
  file(MAKE_DIRECTORY ${work})
  add_test(NAME fuzz.${name}
           COMMAND ${name} -max_total_time=${AEXEC_FUZZ_SECONDS} -print_final_stats=1
                   -artifact_prefix=${CMAKE_CURRENT_BINARY_DIR}/${name}- ${work}
                   ${CMAKE_CURRENT_SOURCE_DIR}/${F_CORPUS})
  math(EXPR limit "${AEXEC_FUZZ_SECONDS} + 120")
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT ${limit})
endfunction()
