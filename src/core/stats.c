/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Statistics: the table of tracked tasks, reading, resetting and printing
 * the counters (aexec/stats.h). The counting itself is in stats_hooks.h.
 */
#include <stddef.h>

#include "aexec/error.h"
#include "aexec/executor.h"
#include "aexec/stats.h"
#include "rmw.h"
#include "stats_hooks.h"
#include "task_state.h"

#if AEXEC_CONFIG_STATS

void aexec__stats_zero(aexec_executor *ex)
{
    ex->stats.idle_ticks = 0;
    ex->stats.busy_ticks = 0;
    ex->stats.idles = 0;
    ex->stats.batches = 0;
    ex->stats.ready_high = 0;
    ex->stats.timers = 0;
    ex->stats.timers_high = aexec__tq_count(&ex->timers);
    ex->stats.tracked = 0;
    ex->stats_since = aexec__stats_now(ex);
}

aexec_poll aexec__stats_timed_poll(aexec_executor *ex, aexec_task *t, aexec_cx *cx)
{
    aexec_task_stats *r = aexec__stats_find(ex, t);
    if (r == NULL) /* tracked by another executor's table, or by a table since replaced */
        return t->poll(t, cx);
    /* Counted as it begins: a task inside its first poll (a shell printing
     * its own statistics) shows 1, not 0. */
    r->polls++;
    uint64_t start = aexec__stats_now(ex);
    aexec_poll p = t->poll(t, cx);
    r->poll_ticks += aexec__stats_now(ex) - start;
    return p;
}

void aexec__stats_wake_tracked(const aexec_task *t)
{
    const aexec_executor *ex = aexec__task_executor(t);
    if (ex == NULL)
        return;
    aexec_task_stats *r = aexec__stats_find(ex, t);
    if (r != NULL)
        atomic_fetch_add_explicit(&r->wakes, 1u, memory_order_relaxed);
}

static void record_zero(aexec_task_stats *r)
{
    r->polls = 0;
    r->poll_ticks = 0;
    atomic_store_explicit(&r->wakes, 0u, memory_order_relaxed);
}

int aexec_stats_init(aexec_executor *ex, aexec_task_stats *table, uint32_t count)
{
    if (ex == NULL || table == NULL || count < 2u || (count & (count - 1u)) != 0u)
        return AEXEC_EINVAL;
    for (uint32_t i = 0; i < count; i++) {
        atomic_init(&table[i].task, 0u);
        table[i].name = NULL;
        table[i].waiting = NULL;
        atomic_init(&table[i].wakes, 0u);
        table[i].polls = 0;
        table[i].poll_ticks = 0;
    }
    ex->stats_table = table;
    ex->stats_tracked = 0;
    ex->stats_mask = count - 1u;
    aexec__stats_zero(ex);
    return AEXEC_OK;
}

int aexec_stats_track(aexec_executor *ex, aexec_task *task, const char *name)
{
    if (ex == NULL || task == NULL)
        return AEXEC_EINVAL;
    aexec_task_stats *r = aexec__stats_find(ex, task);
    if (r != NULL) {
        r->name = name;
        return AEXEC_OK;
    }
    /* One entry always stays free, so that a lookup of an untracked task ends. */
    if (ex->stats_mask == 0u || ex->stats_tracked >= ex->stats_mask)
        return AEXEC_EFULL;
    uint32_t i = aexec__stats_hash(ex, task);
    while (atomic_load_explicit(&ex->stats_table[i].task, memory_order_relaxed) != 0u)
        i = (i + 1u) & ex->stats_mask;
    r = &ex->stats_table[i];
    r->name = name;
    r->waiting = NULL;
    record_zero(r);
    /* Release: a waker on another thread that finds the task finds the record ready. */
    atomic_store_explicit(&r->task, (uintptr_t)task, memory_order_release);
    ex->stats_tracked++;
    /* After the record: a waker that sees the bit finds the record. */
    aexec__state_fetch_or(ex, task, TS_TRACKED);
    return AEXEC_OK;
}

void aexec_stats_set_waiting(aexec_cx *cx, const char *why)
{
    if (!(atomic_load_explicit(&cx->task->state, memory_order_relaxed) & TS_TRACKED))
        return;
    aexec_task_stats *r = aexec__stats_find(cx->executor, cx->task);
    if (r != NULL)
        r->waiting = why;
}

int aexec_stats_read_task(const aexec_executor *ex, const aexec_task *task, aexec_task_counts *out)
{
    if (ex == NULL || task == NULL || out == NULL)
        return AEXEC_EINVAL;
    const aexec_task_stats *r = aexec__stats_find(ex, task);
    if (r == NULL)
        return AEXEC_EINVAL;
    out->name = r->name;
    out->waiting = r->waiting;
    out->polls = r->polls;
    out->wakes = atomic_load_explicit(&r->wakes, memory_order_relaxed);
    out->poll_ticks = r->poll_ticks;
    return AEXEC_OK;
}

int aexec_stats_read_executor(const aexec_executor *ex, aexec_executor_counts *out)
{
    if (ex == NULL || out == NULL)
        return AEXEC_EINVAL;
    /* Field by field: a struct copy may become a memcpy call. */
    out->idle_ticks = ex->stats.idle_ticks;
    out->busy_ticks = aexec__stats_now(ex) - ex->stats_since - ex->stats.idle_ticks;
    out->idles = ex->stats.idles;
    out->batches = ex->stats.batches;
    out->ready_high = ex->stats.ready_high;
    out->timers_high = ex->stats.timers_high;
    out->timers = aexec__tq_count(&ex->timers);
    out->tracked = ex->stats_tracked;
    return AEXEC_OK;
}

int aexec_stats_reset(aexec_executor *ex)
{
    if (ex == NULL)
        return AEXEC_EINVAL;
    aexec__stats_zero(ex);
    if (ex->stats_mask != 0u) {
        for (uint32_t i = 0; i <= ex->stats_mask; i++)
            record_zero(&ex->stats_table[i]);
    }
    return AEXEC_OK;
}

/* ---- printing, with no libc ------------------------------------------- */

/*
 * The executor's counters take two lines, each with its text in macros so
 * that the static asserts below can add up its longest form: every number
 * at its type's widest (20 digits for 64 bits, 10 for 32). So do a task
 * row's columns (name, polls, wakes, poll ticks: 48 characters, 58 with the
 * widest tick count); only the caller's "waiting for" string after them
 * can run past the buffer, and it is cut there.
 */
#define BUSY_TEXT "executor: busy "
#define IDLE_TEXT " idle "
#define TICKS_TEXT " ticks, "
#define BATCHES_TEXT " batches, "
#define IDLES_TEXT " idles"
#define READY_TEXT "executor: ready high "
#define TIMERS_TEXT ", timers "
#define TIMERS_HIGH_TEXT " (high "
#define CLOSE_TEXT ")"
#define TEXT_LEN(s) (sizeof(s) - 1u)
#define U64_DIGITS 20u
#define U32_DIGITS 10u

#define LINE_MAX 128
#define NAME_COLUMN 16u

_Static_assert(NAME_COLUMN + U32_DIGITS + U32_DIGITS + U64_DIGITS + 2u < LINE_MAX,
               "aexec_stats_print: a task row's counters may not fit its buffer");

_Static_assert(TEXT_LEN(BUSY_TEXT) + U64_DIGITS + TEXT_LEN(IDLE_TEXT) + U64_DIGITS +
                       TEXT_LEN(TICKS_TEXT) + U32_DIGITS + TEXT_LEN(BATCHES_TEXT) + U32_DIGITS +
                       TEXT_LEN(IDLES_TEXT) <
                   LINE_MAX,
               "aexec_stats_print: the executor's first line may not fit its buffer");
_Static_assert(TEXT_LEN(READY_TEXT) + U32_DIGITS + TEXT_LEN(TIMERS_TEXT) + U32_DIGITS +
                       TEXT_LEN(TIMERS_HIGH_TEXT) + U32_DIGITS + TEXT_LEN(CLOSE_TEXT) <
                   LINE_MAX,
               "aexec_stats_print: the executor's second line may not fit its buffer");

typedef struct line {
    char buf[LINE_MAX];
    uint32_t len;
} line;

static void put_str(line *l, const char *s)
{
    for (; s != NULL && *s != '\0' && l->len < LINE_MAX - 1u; s++)
        l->buf[l->len++] = *s;
}

/* Appends `v` in decimal, right-aligned in `width` columns. */
static void put_u64(line *l, uint64_t v, uint32_t width)
{
    char d[U64_DIGITS];
    uint32_t n = 0;
    do {
        d[n++] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    for (uint32_t i = n; i < width && l->len < LINE_MAX - 1u; i++)
        l->buf[l->len++] = ' ';
    while (n > 0u && l->len < LINE_MAX - 1u)
        l->buf[l->len++] = d[--n];
}

/* Appends `s` left-aligned in `width` columns (cut to fit). */
static void put_col(line *l, const char *s, uint32_t width)
{
    uint32_t end = l->len + width;
    for (; s != NULL && *s != '\0' && l->len < end && l->len < LINE_MAX - 1u; s++)
        l->buf[l->len++] = *s;
    while (l->len < end && l->len < LINE_MAX - 1u)
        l->buf[l->len++] = ' ';
}

static void emit(line *l, aexec_print_fn print, void *arg)
{
    l->buf[l->len] = '\0';
    print(arg, l->buf);
    l->len = 0;
}

void aexec_stats_print(const aexec_executor *ex, aexec_print_fn print, void *arg)
{
    line l;
    l.len = 0;
    put_col(&l, "task", NAME_COLUMN);
    put_str(&l, "     polls     wakes  poll ticks  waiting for");
    emit(&l, print, arg);
    for (uint32_t i = 0; ex->stats_mask != 0u && i <= ex->stats_mask; i++) {
        const aexec_task_stats *r = &ex->stats_table[i];
        uintptr_t task = atomic_load_explicit(&r->task, memory_order_relaxed);
        if (task == 0u)
            continue;
        put_col(&l, r->name != NULL ? r->name : "?", NAME_COLUMN);
        put_u64(&l, r->polls, 10);
        put_u64(&l, atomic_load_explicit(&r->wakes, memory_order_relaxed), 10);
        put_u64(&l, r->poll_ticks, 12);
        put_str(&l, "  ");
        /* What it last said it waits for means nothing once it has finished. */
        // NOLINTNEXTLINE(performance-no-int-to-ptr): the record's key word holds the task
        if (!aexec_task_is_alive((const aexec_task *)task))
            put_str(&l, "(finished)");
        else
            put_str(&l, r->waiting != NULL ? r->waiting : "-");
        emit(&l, print, arg);
    }
    aexec_executor_counts c;
    aexec_stats_read_executor(ex, &c);
    put_str(&l, BUSY_TEXT);
    put_u64(&l, c.busy_ticks, 0);
    put_str(&l, IDLE_TEXT);
    put_u64(&l, c.idle_ticks, 0);
    put_str(&l, TICKS_TEXT);
    put_u64(&l, c.batches, 0);
    put_str(&l, BATCHES_TEXT);
    put_u64(&l, c.idles, 0);
    put_str(&l, IDLES_TEXT);
    emit(&l, print, arg);
    put_str(&l, READY_TEXT);
    put_u64(&l, c.ready_high, 0);
    put_str(&l, TIMERS_TEXT);
    put_u64(&l, c.timers, 0);
    put_str(&l, TIMERS_HIGH_TEXT);
    put_u64(&l, c.timers_high, 0);
    put_str(&l, CLOSE_TEXT);
    emit(&l, print, arg);
}

#else /* !AEXEC_CONFIG_STATS: the same API, changing nothing */

int aexec_stats_init(aexec_executor *ex, aexec_task_stats *table, uint32_t count)
{
    (void)ex;
    (void)table;
    (void)count;
    return AEXEC_ENOTSUP;
}

int aexec_stats_track(aexec_executor *ex, aexec_task *task, const char *name)
{
    (void)ex;
    (void)task;
    (void)name;
    return AEXEC_ENOTSUP;
}

void aexec_stats_set_waiting(aexec_cx *cx, const char *why)
{
    (void)cx;
    (void)why;
}

int aexec_stats_read_task(const aexec_executor *ex, const aexec_task *task, aexec_task_counts *out)
{
    (void)ex;
    (void)task;
    (void)out;
    return AEXEC_ENOTSUP;
}

int aexec_stats_read_executor(const aexec_executor *ex, aexec_executor_counts *out)
{
    (void)ex;
    (void)out;
    return AEXEC_ENOTSUP;
}

int aexec_stats_reset(aexec_executor *ex)
{
    (void)ex;
    return AEXEC_ENOTSUP;
}

void aexec_stats_print(const aexec_executor *ex, aexec_print_fn print, void *arg)
{
    (void)ex;
    print(arg, "stats: not built in (configure with -DAEXEC_STATS=ON)");
}

#endif /* AEXEC_CONFIG_STATS */
