# Fails if the static library needs any symbol it does not define: a kernel
# linked with bare ld has no libc, libgcc or libatomic to supply memcpy,
# __atomic_* helpers or 64-bit division routines.
# Usage: cmake -DNM=<nm> -DLIB=<libaexec.a> -P check_undefined.cmake
execute_process(COMMAND ${NM} -u ${LIB} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -u ${LIB} failed")
endif()
string(REGEX MATCHALL "[ \t]U [^\n]+" undefined "${out}")
# Members reference each other's symbols; only what no member defines counts.
execute_process(COMMAND ${NM} --defined-only ${LIB} OUTPUT_VARIABLE defs)
set(missing "")
foreach(u ${undefined})
  string(REGEX REPLACE "^[ \t]U " "" sym "${u}")
  if(NOT defs MATCHES "[ \t][TtDdBbRrWwVv] ${sym}\n")
    list(APPEND missing ${sym})
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "libaexec.a needs symbols it does not define: ${missing}")
endif()
message(STATUS "${LIB}: no undefined symbols")
