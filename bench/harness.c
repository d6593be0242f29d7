/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "aexec/error.h"
#include "aexec/stats.h"
#include "bench.h"

static int reps = 5;
static int quick;
static const char *only;
static const char *only_impl;
static double scale = 1.0;
static int list_only;
static volatile uint64_t sink;
static int bench_cpu;

uint64_t bench_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_cpu_ns(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000u +
           ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000u;
}

int bench_pin(int cpu)
{
    cpu += bench_cpu;
    cpu_set_t set;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    CPU_ZERO(&set);
    CPU_SET((size_t)(cpu % (n > 0 ? (int)n : 1)), &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0 ? 0 : -1;
}

void bench_sink(uint64_t v)
{
    sink += v;
}

int bench_quick(void)
{
    return quick;
}

/* 1 if `name` is one of the comma-separated names in `list`. */
static int in_list(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += len) {
        int starts = p == list || p[-1] == ',';
        int ends = p[len] == '\0' || p[len] == ',';
        if (starts && ends)
            return 1;
    }
    return 0;
}

int bench_selected(const char *bench)
{
    return only == NULL || in_list(only, bench);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int count)
{
    qsort(v, (size_t)count, sizeof v[0], cmp_double);
    return count % 2 ? v[count / 2] : (v[count / 2 - 1] + v[count / 2]) / 2.0;
}

void bench_run(const char *bench, const char *impl, uint64_t n, bench_fn fn, const void *arg)
{
    bench_run_ops(bench, impl, n, 1, fn, arg);
}

void bench_run_ops(const char *bench, const char *impl, uint64_t n, uint64_t ops_per_n, bench_fn fn,
                   const void *arg)
{
    double ns[64], cpu[64], wall[64];
    if (only_impl != NULL && !in_list(only_impl, impl))
        return;
    if (scale != 1.0) {
        double scaled = (double)n * scale;
        n = scaled < 1.0 ? 1 : (uint64_t)scaled;
    }
    if (list_only) {
        printf("{\"bench\":\"%s\",\"impl\":\"%s\",\"n\":%llu,\"ops\":%llu}\n", bench, impl,
               (unsigned long long)n, (unsigned long long)(n * ops_per_n));
        fflush(stdout);
        return;
    }
    int r = reps > 64 ? 64 : reps;
    for (int i = 0; i < r; i++) {
        bench_result res = fn(n, arg);
        ns[i] = res.ns_per_op;
        cpu[i] = res.cpu_ns_per_op;
        wall[i] = res.wall_ms;
    }
    double med = median(ns, r); /* sorts ns[] */
    printf("{\"bench\":\"%s\",\"impl\":\"%s\",\"n\":%llu,\"ns_per_op\":%.2f,\"min_ns_per_op\":%.2f",
           bench, impl, (unsigned long long)n, med, ns[0]);
    if (cpu[0] >= 0)
        printf(",\"cpu_ns_per_op\":%.2f", median(cpu, r));
    if (wall[0] >= 0)
        printf(",\"wall_ms\":%.2f", median(wall, r));
    printf(",\"reps\":%d}\n", r);
    fflush(stdout);
}

static void usage(const char *argv0)
{
    fprintf(
        stderr,
        "usage: %s [--reps N] [--only B1,B2,...] [--impl A,B,...] [--scale F] [--list] [--quick]\n"
        "       %s --stats-built\n"
        "Prints one JSON object per line: bench, impl, n, ns_per_op (median of N reps).\n"
        "--impl runs only those implementations' rows; --scale multiplies every row's n;\n"
        "--list prints each row's n and operation count without running it\n"
        "(bench/instructions uses these to count instructions per operation).\n"
        "--stats-built prints 1 if the library counts statistics, else 0 (bench/stats-cost).\n",
        argv0, argv0);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            reps = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else if (strcmp(argv[i], "--impl") == 0 && i + 1 < argc) {
            only_impl = argv[++i];
        } else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
            scale = atof(argv[++i]);
        } else if (strcmp(argv[i], "--list") == 0) {
            list_only = 1;
        } else if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
        } else if (strcmp(argv[i], "--stats-built") == 0) {
            /* The library's answer, not this file's macro: ENOTSUP without statistics. */
            printf("%d\n", aexec_stats_read_executor(NULL, NULL) != AEXEC_ENOTSUP);
            return 0;
        } else {
            usage(argv[0]);
            return 2;
        }
    }
    if (reps < 1)
        reps = 1;
    /* The executor (this thread) on one CPU, cross-thread peers on another
     * (AEXEC_BENCH_CPU picks the executor's; the peer takes the next). */
    const char *cpu = getenv("AEXEC_BENCH_CPU");
    bench_cpu = cpu != NULL ? atoi(cpu) : 0;
    bench_pin(0);
    /* One line per group: each group's file adds its own call here. */
    bench_core();
    bench_time();
    bench_sync();
    return 0;
}
