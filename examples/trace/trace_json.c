/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The JSON trace recorder (trace_json.h). */
#define _POSIX_C_SOURCE 200809L
#include "trace_json.h"

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
static uint32_t nevents;
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
    if (nevents < MAX_EVENTS) {
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
void aexec_trace_idle_enter(const aexec_executor *ex)
{
    record(IDLE_ENTER, ex, NULL, 0);
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

static const char *task_name(const void *task, char *buf, size_t n)
{
    for (uint32_t i = 0; i < nnames; i++)
        if (names[i].task == task && names[i].name != NULL)
            return names[i].name;
    snprintf(buf, n, "task %p", task);
    return buf;
}

static const char *const from_name[] = {"task", "executor", "outside"};

int trace_json_write(FILE *f)
{
    pthread_mutex_lock(&lock);
    uint64_t t0 = nevents != 0 ? events[0].ns : 0;
    fprintf(f, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
    for (uint32_t t = 0; t < ntracks; t++) {
        const char *name = track_names[t];
        for (uint32_t i = 0; name == NULL && i < nex; i++)
            if (named_ex[i] == track_executor[t])
                name = ex_names[i];
        fprintf(f,
                "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":%u,"
                "\"args\":{\"name\":\"%s\"}},\n",
                t, name != NULL ? name : "thread");
    }
    for (uint32_t i = 0; i < nevents; i++) {
        const struct event *e = &events[i];
        char buf[32];
        double us = (double)(e->ns - t0) / 1000.0;
        const char *sep = i + 1 < nevents ? ",\n" : "\n";
        switch (e->kind) {
        case POLL_BEGIN:
            fprintf(f,
                    "{\"ph\":\"B\",\"name\":\"%s\",\"cat\":\"poll\",\"pid\":1,\"tid\":%u,"
                    "\"ts\":%.3f}",
                    task_name(e->obj, buf, sizeof buf), e->track, us);
            if (e->flow != 0)
                fprintf(f,
                        ",\n{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"wake\",\"cat\":\"wake\","
                        "\"id\":%u,\"pid\":1,\"tid\":%u,\"ts\":%.3f}",
                        e->flow, e->track, us);
            break;
        case POLL_END:
            fprintf(f,
                    "{\"ph\":\"E\",\"pid\":1,\"tid\":%u,\"ts\":%.3f,\"args\":{\"result\":\"%s\"}}",
                    e->track, us, e->arg ? "ready" : "pending");
            break;
        case IDLE_ENTER:
        case IDLE_EXIT:
            fprintf(f,
                    "{\"ph\":\"%s\",\"name\":\"idle\",\"cat\":\"idle\",\"pid\":1,\"tid\":%u,"
                    "\"ts\":%.3f}",
                    e->kind == IDLE_ENTER ? "B" : "E", e->track, us);
            break;
        case WAKE:
            /* A zero-length slice for the flow to start from, wherever the wake ran. */
            fprintf(f,
                    "{\"ph\":\"X\",\"name\":\"wake %s\",\"cat\":\"wake\",\"pid\":1,\"tid\":%u,"
                    "\"ts\":%.3f,\"dur\":0,\"args\":{\"from\":\"%s\"}}",
                    task_name(e->obj, buf, sizeof buf), e->track, us,
                    from_name[e->arg < 3 ? e->arg : 2]);
            if (e->flow != 0)
                fprintf(f,
                        ",\n{\"ph\":\"s\",\"name\":\"wake\",\"cat\":\"wake\",\"id\":%u,"
                        "\"pid\":1,\"tid\":%u,\"ts\":%.3f}",
                        e->flow, e->track, us);
            break;
        case SPAWN:
        case END:
            fprintf(f,
                    "{\"ph\":\"i\",\"s\":\"t\",\"name\":\"%s %s\",\"cat\":\"task\",\"pid\":1,"
                    "\"tid\":%u,\"ts\":%.3f,\"args\":{\"result\":%lld}}",
                    kind_name[e->kind], task_name(e->obj, buf, sizeof buf), e->track, us,
                    (long long)(int64_t)e->arg);
            break;
        default:
            fprintf(f,
                    "{\"ph\":\"i\",\"s\":\"t\",\"name\":\"%s\",\"cat\":\"timer\",\"pid\":1,"
                    "\"tid\":%u,\"ts\":%.3f,\"args\":{\"timer\":\"%p\",\"deadline\":%llu}}",
                    kind_name[e->kind], e->track, us, e->obj, (unsigned long long)e->arg);
            break;
        }
        fputs(sep, f);
    }
    fprintf(f, "]}\n");
    pthread_mutex_unlock(&lock);
    return ferror(f) ? -1 : 0;
}
