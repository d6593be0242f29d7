# Cross toolchain: riscv64-unknown-elf-gcc (Debian: gcc-riscv64-unknown-elf,
# picolibc-riscv64-unknown-elf). Builds the freestanding library, and with
# -DAEXEC_BUILD_RISCV_DEMO=ON the QEMU virt kernels and their tests.
#
# This file alone is a complete configuration: the default target is rv64imac
# (lp64, -mcmodel=medany, so code links at 0x80200000 where OpenSBI enters
# the kernel; -misa-spec=2.2 keeps the csr instructions in the base ISA and
# still matches picolibc's multilibs). Another target overrides it with
# AEXEC_TARGET_FLAGS, which come later on the command line, e.g.
#   -DAEXEC_TARGET_FLAGS="-march=rv32imc;-mabi=ilp32"
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(CMAKE_C_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_AR riscv64-unknown-elf-ar)
set(CMAKE_NM riscv64-unknown-elf-nm)
set(CMAKE_SIZE riscv64-unknown-elf-size)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_C_FLAGS_INIT "-march=rv64imac -misa-spec=2.2 -mabi=lp64 -mcmodel=medany")
set(CMAKE_ASM_FLAGS_INIT "-march=rv64imac -misa-spec=2.2 -mabi=lp64 -mcmodel=medany")
