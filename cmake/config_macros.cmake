# The numeric AEXEC_CONFIG_* macros as CMake cache variables, so a build sets
# them in one place (a preset, a -D on the cmake line) instead of in
# CMAKE_C_FLAGS. Empty keeps the header's default, which may depend on the
# target (docs/porting.md, "Options"). A value set here becomes a PUBLIC
# definition of `aexec`: every target that links it, the installed CMake
# package and aexec.pc see the same value, which matters because the wheel's
# size, its lanes and the cache line shape `aexec_executor`. The headers'
# _Static_asserts check the ranges; this file checks only that each is a
# number.
set(AEXEC_TIMER_WHEEL_BITS "" CACHE STRING "AEXEC_CONFIG_TIMER_WHEEL_BITS: log2 of the slots per wheel level, 4..8 (empty: 8 hosted, 6 bare metal)")
set(AEXEC_TIMER_WHEEL_LEVELS "" CACHE STRING "AEXEC_CONFIG_TIMER_WHEEL_LEVELS: wheel levels, 0 for none (empty: 0 when optimizing for size, else 5 on 64-bit hosts, 3 on 32-bit, 4 bare metal)")
set(AEXEC_TIMER_LANES "" CACHE STRING "AEXEC_CONFIG_TIMER_LANES: lists per wheel slot, 1, 2, 4 or 8 (empty: 4 on 64-bit hosts, else 1)")
set(AEXEC_TIMER_BATCH "" CACHE STRING "AEXEC_CONFIG_TIMER_BATCH: most timers fired per expiry step (empty: 128)")
set(AEXEC_TIMER_SORT_MAX "" CACHE STRING "AEXEC_CONFIG_TIMER_SORT_MAX: largest level-1 slot drained straight into the near heap (empty: 256)")
set(AEXEC_TIMER_SLOT_HZ "" CACHE STRING "AEXEC_CONFIG_TIMER_SLOT_HZ: a level-0 slot is at most 1/this seconds (empty: 262144)")
set(AEXEC_CACHE_LINE "" CACHE STRING "AEXEC_CONFIG_CACHE_LINE: bytes the executor pads its waker-side fields to, 0 for none (empty: 64)")

set(AEXEC_CONFIG_DEFS "")
foreach(name TIMER_WHEEL_BITS TIMER_WHEEL_LEVELS TIMER_LANES TIMER_BATCH TIMER_SORT_MAX TIMER_SLOT_HZ CACHE_LINE)
  set(value "${AEXEC_${name}}")
  if(NOT value STREQUAL "")
    if(NOT value MATCHES "^[0-9]+$")
      message(FATAL_ERROR "AEXEC_${name} must be a decimal number or empty, not '${value}'")
    endif()
    list(APPEND AEXEC_CONFIG_DEFS "AEXEC_CONFIG_${name}=${value}")
  endif()
endforeach()
