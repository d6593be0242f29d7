# What every CMake consumer builds once it has the aexec targets, however it
# got them: on the host a program that runs a timer task; in a riscv64 cross
# build a bare object linked with `ld` against libaexec.a and nothing else.
set(APP ${CMAKE_CURRENT_LIST_DIR})
if(CMAKE_SYSTEM_NAME STREQUAL "Generic")
  add_library(blink OBJECT ${APP}/bare_blink.c)
  target_link_libraries(blink PRIVATE aexec::aexec)
  target_compile_options(blink PRIVATE -ffreestanding)
  find_program(AEXEC_CONSUMER_LD NAMES riscv64-unknown-elf-ld REQUIRED)
  add_custom_target(blink_elf ALL
    COMMAND ${AEXEC_CONSUMER_LD} -o blink.elf -e _start $<TARGET_OBJECTS:blink> $<TARGET_FILE:aexec::aexec>
    COMMAND_EXPAND_LISTS DEPENDS blink VERBATIM)
else()
  add_executable(timer_task ${APP}/timer_task.c)
  target_link_libraries(timer_task PRIVATE aexec::host)
endif()
