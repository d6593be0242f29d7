# cmake -DMODE=host|kernel -DAEXEC_DIR=tree -DWORK=dir [-DCC=compiler] [-DTOOLCHAIN=file]
#       -P docs/getting-started.cmake
# Builds docs/getting-started.md's project from the page's own code blocks
# (docs/extract-snippets), the way the page says: libaexec by
# add_subdirectory(), warnings as errors. host: also runs `blink` and
# compares what it prints with the page's output block. kernel: cross-builds
# blink.elf with TOOLCHAIN; the qemu test boots it.
foreach(v MODE AEXEC_DIR WORK)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "getting-started.cmake: -D${v}= is required")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(JOIN " " cmd ${ARGN})
    message(FATAL_ERROR "getting-started: failed (${rc}): ${cmd}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK})
run(python3 ${AEXEC_DIR}/docs/extract-snippets ${AEXEC_DIR}/docs/getting-started.md ${WORK})
# CFLAGS adds to the toolchain file's flags (CMAKE_C_FLAGS would replace them).
set(ENV{CFLAGS} "-Wall -Wextra -Werror")
set(config -S ${WORK} -B ${WORK}/build -DAEXEC_DIR=${AEXEC_DIR})
if(MODE STREQUAL "kernel")
  list(APPEND config -DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN})
elseif(CC)
  list(APPEND config -DCMAKE_C_COMPILER=${CC}) # the flavour's compiler (gcc or clang)
endif()
run(${CMAKE_COMMAND} ${config})
run(${CMAKE_COMMAND} --build ${WORK}/build --parallel 2)

if(MODE STREQUAL "host")
  execute_process(COMMAND ${WORK}/build/blink RESULT_VARIABLE rc OUTPUT_VARIABLE out TIMEOUT 30)
  file(READ ${WORK}/blink.out expected)
  message("${out}")
  if(NOT rc EQUAL 0 OR NOT out STREQUAL expected)
    message(FATAL_ERROR "getting-started: blink exited ${rc}; the page says it prints:\n${expected}")
  endif()
endif()
