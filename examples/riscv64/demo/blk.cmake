# The demo's block device (the blk helper's part of this directory): the
# commands and their driver in the kernel, a disk for QEMU, and a session
# test of the block commands beside the main one.
target_sources(aexec_demo_kernel PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/cmd_blk.c
  ${AEXEC_DRIVERS_DIR}/virtio_blk.c ${PROJECT_SOURCE_DIR}/examples/riscv64/blktest/blk_job.c)
target_include_directories(aexec_demo_kernel PRIVATE ${PROJECT_SOURCE_DIR}/examples/riscv64/blktest)

# An 8 MiB disk of zeros, made afresh before the test (a fixture).
set(AEXEC_DEMO_DISK ${CMAKE_CURRENT_BINARY_DIR}/demo-disk.img)
set(AEXEC_DEMO_DISK_ARGS -drive file=${AEXEC_DEMO_DISK},if=none,format=raw,id=blk0
    -device virtio-blk-device,drive=blk0)

# The main session (session.txt, run by scripts/demo too) gets a disk of its
# own, made once at configure time: QEMU locks an image, and the two session
# tests may run at the same time.
set(AEXEC_DEMO_SESSION_DISK ${CMAKE_CURRENT_BINARY_DIR}/demo-session-disk.img)
if(NOT EXISTS ${AEXEC_DEMO_SESSION_DISK})
  execute_process(COMMAND truncate -s 8M ${AEXEC_DEMO_SESSION_DISK})
endif()
list(APPEND AEXEC_DEMO_QEMU_ARGS -drive file=${AEXEC_DEMO_SESSION_DISK},if=none,format=raw,id=blk0
     -device virtio-blk-device,drive=blk0)

if(AEXEC_QEMU)
  file(READ ${CMAKE_CURRENT_SOURCE_DIR}/session_blk.txt blk_session)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/session_blk.raw "${blk_session}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
    ${CMAKE_CURRENT_SOURCE_DIR}/session_blk.txt)
  # The block commands over the serial line, with the self-test running beside
  # the shell; the disk is made fresh for each run.
  add_test(NAME qemu_demo_blk_disk
    COMMAND sh -c "rm -f '${AEXEC_DEMO_DISK}' && truncate -s 8M '${AEXEC_DEMO_DISK}'")
  set_tests_properties(qemu_demo_blk_disk PROPERTIES LABELS qemu FIXTURES_SETUP demo_disk)
  add_test(NAME qemu_demo_blk
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/qemu-test --smp 2 --timeout 40
      --stdin ${CMAKE_CURRENT_BINARY_DIR}/session_blk.raw
      --log ${CMAKE_CURRENT_BINARY_DIR}/qemu_demo_blk.log
      --closing "^demo: powering off through SBI"
      --expect "^boot: virtio-blk disk \\(legacy virtio-mmio\\)"
      --expect "^blk: 16384 sectors \\(8 MiB\\), block size 512, legacy virtio-mmio, features SEG_MAX BLK_SIZE FLUSH"
      --expect "^wrote sector 5$"
      --expect "^  68 65 6c 6c 6f 20 62 6c 6f 63 6b 00 00 00 00 00  hello block\\.\\.\\.\\.\\.$"
      --expect "^read: beyond the end of the disk$"
      --expect "^read: '5x' is not a number$"
      --expect "^blk: 0 is out of range \\(1 to 1536\\)$"
      --expect "^usage: blk \\[bench \\[N\\] \\| selftest \\[ROUNDS\\]\\]$"
      --expect "^blk: self-test started \\(2 rounds\\)"
      --expect "^from the shell while the self-test runs$"
      --expect "^\\[selftest\\] round 2: ok, 1 MiB written and read back, 8 in flight"
      --expect "^blk bench: 4 KiB reads  1 in flight: [0-9]+ req/s"
      --expect "^blk bench: polled  8 in flight: [0-9]+ req/s"
      $<TARGET_FILE:aexec_demo_kernel> -- -accel tcg,thread=multi ${AEXEC_DEMO_DISK_ARGS})
  set_tests_properties(qemu_demo_blk PROPERTIES LABELS qemu TIMEOUT 70 FIXTURES_REQUIRED demo_disk)
endif()
