# The demo kernel with libaexec's trace hooks on (trace_ring.c records them,
# `trace` dumps them), beside the plain one: the shipped library stays
# without trace code, and the plain kernel, whose figures docs/ quotes,
# keeps its speed. Unless the whole build has AEXEC_TRACE on, this kernel
# links a copy of the library and the backend built with the hooks.
if(AEXEC_TRACE)
  set(demo_traced_backend aexec_riscv64)
else()
  set(traced_sources)
  foreach(list AEXEC_CORE_SOURCES AEXEC_TIME_SOURCES AEXEC_SYNC_SOURCES AEXEC_RISCV64_SOURCES)
    list(TRANSFORM ${list} PREPEND ${PROJECT_SOURCE_DIR}/ OUTPUT_VARIABLE part)
    list(APPEND traced_sources ${part})
  endforeach()
  add_library(aexec_riscv64_traced STATIC ${traced_sources})
  target_include_directories(aexec_riscv64_traced PUBLIC ${PROJECT_SOURCE_DIR}/include)
  # The library's own flags and configuration, the trace hooks aside.
  get_target_property(defs aexec INTERFACE_COMPILE_DEFINITIONS)
  list(FILTER defs EXCLUDE REGEX "^AEXEC_CONFIG_TRACE=")
  target_compile_definitions(aexec_riscv64_traced PUBLIC ${defs} AEXEC_CONFIG_TRACE=1)
  get_target_property(opts aexec COMPILE_OPTIONS)
  target_compile_options(aexec_riscv64_traced PRIVATE ${opts})
  set(demo_traced_backend aexec_riscv64_traced)
endif()

# The plain kernel's sources (blk.cmake added its own), less what every kernel gets.
get_target_property(demo_sources aexec_demo_kernel SOURCES)
list(FILTER demo_sources EXCLUDE REGEX "/(start\\.S|kprint\\.c|kpanic\\.c)$")
get_target_property(demo_includes aexec_demo_kernel INCLUDE_DIRECTORIES)
aexec_riscv_kernel(aexec_demo_kernel_traced SOURCES ${demo_sources} BACKEND ${demo_traced_backend})
target_include_directories(aexec_demo_kernel_traced PRIVATE ${demo_includes})
target_compile_options(aexec_demo_kernel_traced PRIVATE $<$<C_COMPILER_ID:GNU>:-Wjump-misses-init>)

if(AEXEC_QEMU)
  # A timeline out of the guest: typed commands, `trace`, the dump turned
  # into JSON on the host and checked (the files stay in trace/ to look at);
  # then an overflowing ring, reported; then the plain kernel's `trace`.
  add_test(NAME qemu_demo_trace
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/trace_test.py
      $<TARGET_FILE:aexec_demo_kernel_traced> --out ${CMAKE_CURRENT_BINARY_DIR}/trace
      --plain $<TARGET_FILE:aexec_demo_kernel> --timeout 60)
  set_tests_properties(qemu_demo_trace PROPERTIES LABELS qemu TIMEOUT 70)
endif()
