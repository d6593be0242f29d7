# Cross toolchain: clang for bare-metal RISC-V (Debian's clang 14 has the
# target built in; it compiles the freestanding library with its own
# stdint.h and stdatomic.h, so no sysroot is needed). Builds the library
# only: the kernels need a C library and a linker setup that the gcc
# toolchain file provides.
#   -DAEXEC_CLANG_TARGET=riscv64-unknown-elf (default) or riscv32-unknown-elf
# The default flags are rv64imac/lp64/medany, or rv32imac/ilp32;
# AEXEC_TARGET_FLAGS override them (e.g. "-march=rv32imc;-mabi=ilp32").
if(NOT AEXEC_CLANG_TARGET)
  set(AEXEC_CLANG_TARGET riscv64-unknown-elf)
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES AEXEC_CLANG_TARGET)
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_C_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET ${AEXEC_CLANG_TARGET})
set(CMAKE_AR llvm-ar)
set(CMAKE_NM riscv64-unknown-elf-nm)
set(CMAKE_SIZE riscv64-unknown-elf-size)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
if(AEXEC_CLANG_TARGET MATCHES "^riscv32")
  set(CMAKE_SYSTEM_PROCESSOR riscv32)
  set(CMAKE_C_FLAGS_INIT "-march=rv32imac -mabi=ilp32 -ffreestanding")
else()
  set(CMAKE_SYSTEM_PROCESSOR riscv64)
  set(CMAKE_C_FLAGS_INIT "-march=rv64imac -mabi=lp64 -mcmodel=medany -ffreestanding")
endif()
