/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The benchmark harness: each case runs `reps` times and one JSON object per
 * line reports the median, e.g.
 *   {"bench":"B1","impl":"aexec","n":1000000,"ns_per_op":9.8,"min_ns_per_op":9.1,"reps":5}
 * ns_per_op is the median over the reps, min_ns_per_op the best rep.
 * Cases are plain functions; they measure, they never assert a speed.
 */
#ifndef AEXEC_BENCH_H
#define AEXEC_BENCH_H

#include <stdint.h>

/* One run's figures. A negative field is "not measured" and not printed. */
typedef struct bench_result {
    double ns_per_op;     /* wall ns per operation */
    double cpu_ns_per_op; /* user+sys CPU ns per operation */
    double wall_ms;       /* wall time of the whole run */
} bench_result;

/*
 * What two threads share starts a cache line of its own: otherwise where the
 * linker happens to put a static decides which lines bounce between the
 * cores, and a cross-thread row moves with every unrelated change to the
 * program (docs/benchmarks.md, B5).
 */
#define BENCH_OWN_LINE _Alignas(64)

typedef bench_result (*bench_fn)(uint64_t n, const void *arg);

/* Runs `fn` the configured number of times and prints the median row. */
void bench_run(const char *bench, const char *impl, uint64_t n, bench_fn fn, const void *arg);

/*
 * The same for a case whose n counts rounds of `ops_per_n` operations each
 * (B3: rounds of 10,000 wakes); its ns_per_op is per operation.
 */
void bench_run_ops(const char *bench, const char *impl, uint64_t n, uint64_t ops_per_n, bench_fn fn,
                   const void *arg);

/* True if the user asked for this benchmark (--only B1,B3; all by default). */
int bench_selected(const char *bench);

/* 1 under --quick: cases shrink their n so a smoke run takes seconds. */
int bench_quick(void);

/* Monotonic wall clock and process CPU time (user+sys), in ns. */
uint64_t bench_wall_ns(void);
uint64_t bench_cpu_ns(void);

/*
 * Pins the calling thread to CPU `cpu` (modulo the CPUs available), so a
 * cross-thread benchmark measures two cores talking, not the scheduler
 * time-slicing both threads on one. Returns 0, or -1 if pinning failed.
 */
int bench_pin(int cpu);

/* Defeats dead-code elimination of a computed value. */
void bench_sink(uint64_t v);

/* The benchmark groups; each prints its own rows, floors included. */
void bench_core(void); /* B1, B2, B3, B5 (bench_core.c) */
void bench_time(void); /* B4, B4q (bench_time.c) */
void bench_sync(void); /* B6, B5c (bench_sync.c) */

#endif /* AEXEC_BENCH_H */
