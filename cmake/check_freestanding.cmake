# Compiles one freestanding source at every optimization level a kernel might
# use and fails on any warning or on any symbol it needs besides ALLOW: a
# kernel linked with bare ld has no memcpy or memset, which compilers emit for
# copy loops and aggregate initializers even with -ffreestanding.
# Usage: cmake -DCC=<cc> -DNM=<nm> -DSOURCE=<file.c> "-DFLAGS=<flags, spaces>"
#              [-DALLOW=sym;sym] [-DOUT=<dir>] -P check_freestanding.cmake
cmake_minimum_required(VERSION 3.25)
separate_arguments(flags UNIX_COMMAND "${FLAGS}")
if(NOT OUT)
  set(OUT ${CMAKE_CURRENT_BINARY_DIR})
endif()
get_filename_component(stem ${SOURCE} NAME_WE)
foreach(level -O0 -O1 -O2 -O3 -Os)
  set(obj ${OUT}/${stem}${level}.o)
  execute_process(COMMAND ${CC} ${flags} ${level} -ffreestanding -Werror -c ${SOURCE} -o ${obj}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR err)
    message(FATAL_ERROR "${SOURCE} at ${level}: ${err}")
  endif()
  execute_process(COMMAND ${NM} -u ${obj} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} -u ${obj} failed")
  endif()
  string(REGEX MATCHALL "U [^\n]+" undefined "${out}")
  set(extra "")
  foreach(u ${undefined})
    string(REGEX REPLACE "^U " "" sym "${u}")
    if(NOT sym IN_LIST ALLOW)
      list(APPEND extra ${sym})
    endif()
  endforeach()
  if(extra)
    message(FATAL_ERROR "${SOURCE} at ${level} needs ${extra}")
  endif()
endforeach()
message(STATUS "${SOURCE}: warning-free at -O0..-O3 and -Os, needs nothing but: ${ALLOW}")
