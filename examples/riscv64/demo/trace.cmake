# The demo kernel with libaexec's trace hooks on (trace_ring.c records them,
# `trace` dumps them), beside the plain one: the shipped library stays
# without trace code, and the plain kernel, whose figures docs/ quotes,
# keeps its speed. Unless the whole build has AEXEC_TRACE on, this kernel
# links a copy of the library and the backend built with the hooks.
if(AEXEC_TRACE)
  set(demo_traced_backend aexec_riscv64)
else()
  aexec_library_variant(aexec_riscv64_traced CONFIG AEXEC_CONFIG_TRACE=1 BACKEND RISCV64)
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
