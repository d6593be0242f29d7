/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The JSON trace recorder (trace_json.h). */
#define _POSIX_C_SOURCE 200809L
#include "trace_json.h"
#include "trace_schema.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

enum kind {
    SPAWN,
    WAKE,
    POLL_BEGIN,
    POLL_END,
    IDLE_ENTER,
    IDLE_EXIT,
    T_ARM,
    T_CANCEL,
    T_EXPIRE,
    END
};
static const char *const kind_name[] = {"spawn",        "wake",    "poll",      "poll",
                                        "idle",         "idle",    "timer arm", "timer cancel",
                                        "timer expire", "task end"};

struct event {
    uint64_t ns;
    const void *obj; /* the task, or the timer */
    uint64_t arg;    /* wake: its context; timer arm: the deadline; end: the result */
    uint32_t flow;   /* a wake's arrow to the poll it caused, and that poll's: 0 for none */
    uint16_t track;
    uint8_t kind;
};

#define MAX_EVENTS (1u << 18)
#define MAX_NAMES 64
#define MAX_TRACKS 16

static struct event events[MAX_EVENTS];
static uint32_t nevents, nlost;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    const void *task;
    const char *name;
    uint32_t flow; /* the arrow of the wake its next poll answers */
} names[MAX_NAMES];
static uint32_t nnames;
static const char *track_names[MAX_TRACKS];
static const void *track_executor[MAX_TRACKS];
static uint32_t ntracks, nflows;
static _Thread_local int my_track = -1;
#define SPAWNED UINT32_MAX /* a name entry's flow while the spawn's poll is queued */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The calling thread's track; under the lock. */
static uint16_t track(void)
{
    if (my_track < 0 && ntracks < MAX_TRACKS)
        my_track = (int)ntracks++;
    return (uint16_t)(my_track < 0 ? MAX_TRACKS - 1 : my_track);
}

/* The name entry of `task`, made on first sight; under the lock. */
static int entry(const void *task)
{
    for (uint32_t i = 0; i < nnames; i++)
        if (names[i].task == task)
            return (int)i;
    if (nnames == MAX_NAMES)
        return -1;
    names[nnames].task = task;
    names[nnames].name = NULL;
    names[nnames].flow = 0;
    return (int)nnames++;
}

static void record(enum kind k, const aexec_executor *ex, const void *obj, uint64_t arg)
{
    pthread_mutex_lock(&lock);
    uint16_t tr = track();
    if (ex != NULL && k != WAKE && k != SPAWN && track_executor[tr] == NULL)
        track_executor[tr] = ex; /* the executor that runs on this thread */
    uint32_t flow = 0;
    if (k == WAKE || k == POLL_BEGIN || k == SPAWN) {
        int e = entry(obj);
        if (e >= 0 && k == SPAWN)
            names[e].flow = SPAWNED; /* the first poll answers the spawn: no arrow */
        else if (e >= 0 && k == WAKE && names[e].flow == 0)
            flow = names[e].flow = ++nflows; /* a wake that queues a poll: an arrow */
        else if (e >= 0 && k == POLL_BEGIN) {
            flow = names[e].flow == SPAWNED ? 0 : names[e].flow;
            names[e].flow = 0;
        }
    }
    if (nevents == MAX_EVENTS) {
        nlost++; /* reported in the text form's `skipped` */
    } else {
        struct event *ev = &events[nevents++];
        ev->ns = now_ns();
        ev->obj = obj;
        ev->arg = arg;
        ev->flow = flow;
        ev->track = tr;
        ev->kind = (uint8_t)k;
    }
    pthread_mutex_unlock(&lock);
}

void aexec_trace_spawn(const aexec_executor *ex, const aexec_task *task)
{
    record(SPAWN, ex, task, 0);
}
void aexec_trace_wake(const aexec_executor *ex, const aexec_task *task, unsigned from,
                      const aexec_task *waker)
{
    (void)waker;
    record(WAKE, ex, task, from);
}
void aexec_trace_poll_begin(const aexec_executor *ex, const aexec_task *task)
{
    record(POLL_BEGIN, ex, task, 0);
}
void aexec_trace_poll_end(const aexec_executor *ex, const aexec_task *task, aexec_poll r)
{
    record(POLL_END, ex, task, (uint64_t)r);
}
static _Atomic unsigned long idle_entries;

void aexec_trace_idle_enter(const aexec_executor *ex)
{
    record(IDLE_ENTER, ex, NULL, 0);
    atomic_fetch_add_explicit(&idle_entries, 1, memory_order_release);
}

unsigned long trace_json_idle_entries(void)
{
    return atomic_load_explicit(&idle_entries, memory_order_acquire);
}
void aexec_trace_idle_exit(const aexec_executor *ex)
{
    record(IDLE_EXIT, ex, NULL, 0);
}
void aexec_trace_timer_arm(const aexec_executor *ex, const struct aexec_timer *timer,
                           uint64_t deadline)
{
    record(T_ARM, ex, timer, deadline);
}
void aexec_trace_timer_cancel(const aexec_executor *ex, const struct aexec_timer *timer)
{
    record(T_CANCEL, ex, timer, 0);
}
void aexec_trace_timer_expire(const aexec_executor *ex, const struct aexec_timer *timer)
{
    record(T_EXPIRE, ex, timer, 0);
}
void aexec_trace_task_end(const aexec_executor *ex, const aexec_task *task, int32_t result)
{
    record(END, ex, task, (uint64_t)(int64_t)result);
}

void trace_json_name_task(const aexec_task *task, const char *name)
{
    pthread_mutex_lock(&lock);
    int e = entry(task);
    if (e >= 0)
        names[e].name = name;
    pthread_mutex_unlock(&lock);
}

static const aexec_executor *named_ex[MAX_TRACKS];
static const char *ex_names[MAX_TRACKS];
static uint32_t nex;

void trace_json_name_executor(const aexec_executor *ex, const char *name)
{
    pthread_mutex_lock(&lock);
    if (nex < MAX_TRACKS) {
        named_ex[nex] = ex;
        ex_names[nex++] = name;
    }
    pthread_mutex_unlock(&lock);
}

void trace_json_name_thread(const char *name)
{
    pthread_mutex_lock(&lock);
    track_names[track()] = name;
    pthread_mutex_unlock(&lock);
}

/* An address as the schema spells it, "0x..." (buf: 20 bytes). */
static const char *hex(const void *p, char *buf, size_t n)
{
    snprintf(buf, n, "0x%llx", (unsigned long long)(uintptr_t)p);
    return buf;
}

static const char *task_name(const void *task, char *buf, size_t n)
{
    for (uint32_t i = 0; i < nnames; i++)
        if (names[i].task == task && names[i].name != NULL)
            return names[i].name;
    char addr[20];
    snprintf(buf, n, TRACE_JSON_UNNAMED, hex(task, addr, sizeof addr));
    return buf;
}

/* Track t's name: the thread's, else its executor's; under the lock. */
static const char *track_name(uint32_t t)
{
    const char *name = track_names[t];
    for (uint32_t i = 0; name == NULL && i < nex; i++)
        if (named_ex[i] == track_executor[t])
            name = ex_names[i];
    return name != NULL ? name : "thread";
}

static const char *const from_name[] = {"task", "executor", "outside"};

/* One event's records (trace_schema.h), `us` after the first. */
static void write_event(FILE *f, const struct event *e, double us)
{
    char name[48], a[24], b[24];
    switch (e->kind) {
    case POLL_BEGIN:
        fprintf(f, TRACE_JSON_POLL_BEGIN, task_name(e->obj, name, sizeof name), e->track, us);
        if (e->flow != 0) {
            fputs(TRACE_JSON_SEP, f);
            fprintf(f, TRACE_JSON_FLOW_END, e->flow, e->track, us);
        }
        break;
    case POLL_END:
        fprintf(f, TRACE_JSON_POLL_END, e->track, us, e->arg ? "ready" : "pending");
        break;
    case IDLE_ENTER:
    case IDLE_EXIT:
        fprintf(f, TRACE_JSON_IDLE, e->kind == IDLE_ENTER ? "B" : "E", e->track, us);
        break;
    case WAKE:
        fprintf(f, TRACE_JSON_WAKE, task_name(e->obj, name, sizeof name), e->track, us,
                from_name[e->arg < 3 ? e->arg : 2], "");
        if (e->flow != 0) {
            fputs(TRACE_JSON_SEP, f);
            fprintf(f, TRACE_JSON_FLOW_START, e->flow, e->track, us);
        }
        break;
    case SPAWN:
    case END:
        snprintf(a, sizeof a, "%lld", (long long)(int64_t)e->arg);
        fprintf(f, TRACE_JSON_TASK, kind_name[e->kind], task_name(e->obj, name, sizeof name),
                e->track, us, a);
        break;
    default:
        snprintf(b, sizeof b, "%llu", (unsigned long long)e->arg);
        fprintf(f, TRACE_JSON_TIMER, kind_name[e->kind], e->track, us, hex(e->obj, a, sizeof a), b);
        break;
    }
}

int trace_json_write(FILE *f)
{
    pthread_mutex_lock(&lock);
    uint64_t t0 = nevents != 0 ? events[0].ns : 0;
    fputs(TRACE_JSON_HEAD, f);
    for (uint32_t t = 0; t < ntracks; t++) {
        fprintf(f, TRACE_JSON_TRACK, t, track_name(t));
        fputs(t + 1 < ntracks || nevents != 0 ? TRACE_JSON_SEP : "", f);
    }
    for (uint32_t i = 0; i < nevents; i++) {
        write_event(f, &events[i], (double)(events[i].ns - t0) / 1000.0);
        fputs(i + 1 < nevents ? TRACE_JSON_SEP : "", f);
    }
    fputs(TRACE_JSON_TAIL, f);
    pthread_mutex_unlock(&lock);
    return ferror(f) ? -1 : 0;
}

/* The kernel dump's kind codes (examples/riscv64/demo/cmd_trace.c), in enum kind's order. */
static const char kind_code[][3] = {"sp", "wk", "pb", "pe", "ie", "ix", "ta", "tc", "tx", "te"};

int trace_json_write_text(FILE *f)
{
    pthread_mutex_lock(&lock);
    fprintf(f, "trace: begin libaexec 1 timebase 1000000000 tracks %u skipped %u\n", ntracks,
            nlost);
    for (uint32_t t = 0; t < ntracks; t++) {
        uint32_t n = 0;
        for (uint32_t i = 0; i < nevents; i++)
            n += events[i].track == t;
        fprintf(f, "trace: track %u events %u dropped 0 name %s\n", t, n, track_name(t));
    }
    char a[20];
    for (uint32_t i = 0; i < nnames; i++)
        if (names[i].name != NULL)
            fprintf(f, "trace: task %s %s\n", hex(names[i].task, a, sizeof a), names[i].name);
    for (uint32_t i = 0; i < nevents; i++) {
        const struct event *e = &events[i];
        fprintf(f, "%u %llu %s %s ", e->track, (unsigned long long)e->ns, kind_code[e->kind],
                hex(e->obj, a, sizeof a));
        if (e->kind == END)
            fprintf(f, "%lld\n", (long long)(int64_t)e->arg);
        else
            fprintf(f, "%llu\n", (unsigned long long)e->arg);
    }
    fprintf(f, "trace: end %u events\n", nevents);
    pthread_mutex_unlock(&lock);
    return ferror(f) ? -1 : 0;
}
