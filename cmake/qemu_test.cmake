# aexec_add_qemu_test(NAME name KERNEL target [SMP n] [TIMEOUT s]
#                     [CLOSING regex] [EXPECT regex...] [QEMU_ARGS arg...])
# One ctest test (label `qemu`) that boots `target` on QEMU virt through
# scripts/qemu-test: it fails on a hang, a guest panic or a missing or failing
# closing line. Tests that drive the guest from the host (bytes on a serial
# pipe, a disk image checked after exit) add their own add_test with LABELS qemu.
find_program(AEXEC_QEMU qemu-system-riscv64)
function(aexec_add_qemu_test)
  cmake_parse_arguments(Q "" "NAME;KERNEL;SMP;TIMEOUT;CLOSING" "EXPECT;QEMU_ARGS" ${ARGN})
  if(NOT AEXEC_QEMU)
    return()
  endif()
  if(NOT Q_SMP)
    set(Q_SMP 1)
  endif()
  if(NOT Q_TIMEOUT)
    set(Q_TIMEOUT 120)
  endif()
  set(args --smp ${Q_SMP} --timeout ${Q_TIMEOUT} --log ${CMAKE_CURRENT_BINARY_DIR}/${Q_NAME}.log)
  if(Q_CLOSING)
    list(APPEND args --closing ${Q_CLOSING})
  endif()
  foreach(re ${Q_EXPECT})
    list(APPEND args --expect ${re})
  endforeach()
  add_test(NAME ${Q_NAME}
           COMMAND ${PROJECT_SOURCE_DIR}/scripts/qemu-test ${args} $<TARGET_FILE:${Q_KERNEL}> -- ${Q_QEMU_ARGS})
  # ctest's own limit is a backstop above the runner's.
  math(EXPR backstop "${Q_TIMEOUT} + 30")
  set_tests_properties(${Q_NAME} PROPERTIES LABELS qemu TIMEOUT ${backstop})
endfunction()
