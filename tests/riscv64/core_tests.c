/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The core's behaviour tests on rv64, in S-mode under OpenSBI on QEMU virt.
 * First the host's CMocka suites, compiled unchanged against shim/cmocka.h
 * (each file's main() renamed <file>_main by the build; the generated
 * guest_suites.h lists them), on the boot hart with the deterministic test port. Then, when QEMU
 * gave four harts, the SMP stress runs (stress.h) on the real backend: an
 * executor per hart, the SBI timer, IPIs. Last the closing line, and power
 * off through SBI.
 */
#include <stdatomic.h>
#include <stdio.h>

#include "guest.h"
#include "guest_suites.h"
#include "stress.h"

#define SUITE_DECLARE(name) int name##_main(int argc, char **argv);
GUEST_SUITES(SUITE_DECLARE)

static void run_suites(void)
{
#define SUITE_RUN(name)              \
    {                                \
        char arg0[] = #name;         \
        char *argv[] = {arg0, NULL}; \
        name##_main(1, argv);        \
    }
    GUEST_SUITES(SUITE_RUN)
#undef SUITE_RUN
}

/* ---- the stress runs ----------------------------------------------------- */

static _Atomic unsigned at_barrier;
static _Atomic unsigned finished; /* harts whose aexec_run() returned AEXEC_RUN_DONE */
static _Atomic unsigned stopped;  /* harts whose aexec_run() returned otherwise */

static void spawn_and_run(unsigned hart, unsigned nharts)
{
    stress_wakes_spawn(hart);
    stress_timers_spawn(hart);
    stress_channel_spawn(hart);
    stress_cs_spawn(hart);
    /* No hart wakes across before every hart's tasks exist. */
    atomic_fetch_add(&at_barrier, 1u);
    while (atomic_load(&at_barrier) != nharts) {
    }
    int r = aexec_run(&guest_harts[hart].ex);
    atomic_fetch_add(r == AEXEC_RUN_DONE ? &finished : &stopped, 1u);
}

static void secondary(unsigned index)
{
    spawn_and_run(index, GUEST_MAX_HARTS);
}

/*
 * On the boot hart's executor: every 100 ms, look at the stress runs'
 * progress; when all harts are done, end; when nothing moved for 10 s, say
 * where each stress stands and fail the run (a lost wake would hang it).
 */
struct watchdog {
    aexec_task task;
    aexec_co co;
    aexec_ticker period;
    uint64_t last;
    uint32_t still;
};

static uint64_t progress(void)
{
    return stress_wakes_progress() + stress_timers_progress() + stress_channel_progress() +
           stress_cs_progress();
}

static aexec_poll watchdog_poll(aexec_task *t, aexec_cx *cx)
{
    struct watchdog *w = AEXEC_CONTAINER_OF(t, struct watchdog, task);
    AEXEC_CO_BEGIN(&w->co, cx);
    aexec_ticker_init(&w->period, 1, 10);
    /* The boot hart's own run ends after this task does, hence the - 1. */
    while (atomic_load(&finished) + atomic_load(&stopped) < GUEST_MAX_HARTS - 1u ||
           aexec_executor_live(&guest_harts[0].ex) > 1u) {
        AEXEC_AWAIT(aexec_ticker_poll(&w->period, cx));
        uint64_t now = progress();
        w->still = now == w->last ? w->still + 1u : 0u;
        w->last = now;
        if (w->still == 100u) {
            printf("  stalled for 10 s: %llu rally rounds, %llu timer rounds, %llu items\n",
                   (unsigned long long)stress_wakes_progress(),
                   (unsigned long long)stress_timers_progress(),
                   (unsigned long long)stress_channel_progress());
            stress_wakes_report();
            stress_timers_report();
            stress_channel_report();
            stress_cs_report();
            guest_report("stress", "finished_without_a_stall", 0);
            guest_finish();
        }
    }
    AEXEC_CO_FINALLY;
    aexec_ticker_cancel(&w->period);
    AEXEC_CO_END;
}

static struct watchdog watchdog;

static void run_stress(void)
{
    uint64_t start = guest_now();
    if (aexec_spawn(&guest_harts[0].ex, &watchdog.task, watchdog_poll) != 0)
        aexec_panic("watchdog: spawn failed", __FILE__, __LINE__);
    spawn_and_run(0, GUEST_MAX_HARTS);
    uint64_t ms = aexec_ticks_to_ms(GUEST_TIMEBASE_HZ, guest_now() - start);
    printf("  the stress runs took %llu ms on 4 harts\n", (unsigned long long)ms);
    guest_report("stress", "every_hart_ran_its_executor_to_done",
                 atomic_load(&finished) == GUEST_MAX_HARTS && atomic_load(&stopped) == 0);
    stress_wakes_report();
    stress_timers_report();
    stress_channel_report();
    stress_cs_report();
}

void kmain(unsigned long hartid, unsigned long dtb)
{
    (void)dtb;
    guest_init(hartid);
    printf("libaexec core tests on rv64 S-mode (QEMU virt), boot hart %lu\n", hartid);
    guest_run_on_big_stack(run_suites);
    unsigned more = guest_start_harts(GUEST_MAX_HARTS - 1u, secondary);
    if (more == GUEST_MAX_HARTS - 1u) {
        printf("stress: %u harts\n", more + 1u);
        run_stress();
    } else if (more > 0) {
        printf("stress: needs %u harts, QEMU gave %u\n", GUEST_MAX_HARTS, more + 1u);
        guest_report("stress", "four_harts", 0);
    } else {
        printf("stress: one hart, none run\n");
    }
    guest_finish();
}
