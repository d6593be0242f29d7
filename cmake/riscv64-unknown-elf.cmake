# Cross toolchain: riscv64-unknown-elf-gcc (Debian: gcc-riscv64-unknown-elf,
# picolibc-riscv64-unknown-elf). Builds the freestanding library only; the
# target's flags come from AEXEC_TARGET_FLAGS, e.g.
#   -DAEXEC_TARGET_FLAGS="-march=rv64imac;-misa-spec=2.2;-mabi=lp64;-mcmodel=medany"
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(CMAKE_C_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_AR riscv64-unknown-elf-ar)
set(CMAKE_NM riscv64-unknown-elf-nm)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
