# The library's sources, one list per layer: plain enough to paste into a
# kernel's Makefile (compile them with -Iinclude and your own flags).
set(AEXEC_CORE_SOURCES
    src/core/executor.c
    src/core/panic.c
    src/core/pool.c
    src/core/strerror.c
    src/core/task.c
    src/core/task_handle.c
)
set(AEXEC_TIME_SOURCES
    src/time/sleep.c
    src/time/tick_math.c
    src/time/ticker.c
    src/time/timer_queue.c
)
set(AEXEC_SYNC_SOURCES
    src/sync/channel.c
    src/sync/cs.c
    src/sync/semaphore.c
    src/sync/signal.c
    src/sync/wait_queue.c
    src/sync/waker_slot.c
)
set(AEXEC_HOST_SOURCES
    src/arch/host/host.c
)
