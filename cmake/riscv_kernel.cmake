# aexec_riscv_kernel(NAME SOURCES src... [LIBS lib...] [LINKER_SCRIPT file] [BACKEND lib])
# An S-mode kernel for QEMU virt, entered by OpenSBI at 0x80200000: the shared
# boot code (examples/riscv64/start.S) and linker script, the RISC-V backend,
# freestanding, no libc. A kernel's own target carries what it needs to link
# there (-mcmodel=medany), whatever the library was given. BACKEND replaces
# the library and its RISC-V backend (aexec_riscv64) with another build of
# them, such as the demo's copy with the trace hooks on.
set(AEXEC_RISCV_BOOT_DIR ${PROJECT_SOURCE_DIR}/examples/riscv64)
function(aexec_riscv_kernel name)
  cmake_parse_arguments(K "" "LINKER_SCRIPT;BACKEND" "SOURCES;LIBS" ${ARGN})
  if(NOT K_LINKER_SCRIPT)
    set(K_LINKER_SCRIPT ${AEXEC_RISCV_BOOT_DIR}/kernel.ld)
  endif()
  if(NOT K_BACKEND)
    set(K_BACKEND aexec_riscv64)
  endif()
  # The boot code, the shared console (kprint.h) and the panic paths
  # (kpanic.h) come with every kernel.
  add_executable(${name} ${AEXEC_RISCV_BOOT_DIR}/start.S ${AEXEC_RISCV_BOOT_DIR}/kprint.c
    ${AEXEC_RISCV_BOOT_DIR}/kpanic.c ${K_SOURCES})
  target_include_directories(${name} PRIVATE ${AEXEC_RISCV_BOOT_DIR})
  target_link_libraries(${name} PRIVATE ${K_LIBS} ${K_BACKEND})
  target_compile_options(${name} PRIVATE ${AEXEC_TARGET_FLAGS} -mcmodel=medany -ffreestanding
    $<$<COMPILE_LANGUAGE:C>:${AEXEC_TEST_WARNINGS}>)
  # The linker's warnings are errors too (an RWX segment, a misplaced section).
  target_link_options(${name} PRIVATE ${AEXEC_TARGET_FLAGS} -mcmodel=medany -nostdlib
    -nostartfiles -static -T ${K_LINKER_SCRIPT} -Wl,--fatal-warnings)
  set_target_properties(${name} PROPERTIES SUFFIX ".elf" LINK_DEPENDS ${K_LINKER_SCRIPT})
endfunction()
