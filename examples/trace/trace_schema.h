/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The trace-event JSON of a libaexec timeline, one printf template per
 * record: the single definition that the host recorder (trace_json.c) and
 * scripts/trace-json (which turns the demo kernel's dump into the same
 * file) both fill in. The script reads this file: keep each template one
 * string literal on its #define line, with %s, %u and %.3f only (64-bit
 * numbers are formatted into a %s first, so that every host prints them
 * alike).
 *
 * Tracks are "tid"s of pid 1; "ts" is in microseconds from the first event.
 * A flow arrow is an "s" event on the wake and an "f" event (bound to the
 * enclosing slice, "bp":"e") at the start of the poll it caused, with one
 * "id": the n-th wake that queued a poll gets id n. A spawn's first poll
 * has no arrow, nor has a wake that found its task already queued.
 */
#ifndef AEXEC_TRACE_SCHEMA_H
#define AEXEC_TRACE_SCHEMA_H

/* One literal per line, whatever its length: the script reads them so. */
/* clang-format off */
#define TRACE_JSON_HEAD "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n"
#define TRACE_JSON_SEP ",\n"
#define TRACE_JSON_TAIL "\n]}\n"

/* A track's name: tid, name. */
#define TRACE_JSON_TRACK "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":%u,\"args\":{\"name\":\"%s\"}}"
/* A poll begins: task name, tid, ts. */
#define TRACE_JSON_POLL_BEGIN "{\"ph\":\"B\",\"name\":\"%s\",\"cat\":\"poll\",\"pid\":1,\"tid\":%u,\"ts\":%.3f}"
/* A poll ends: tid, ts, "ready" or "pending". */
#define TRACE_JSON_POLL_END "{\"ph\":\"E\",\"pid\":1,\"tid\":%u,\"ts\":%.3f,\"args\":{\"result\":\"%s\"}}"
/* Idle begins ("B") or ends ("E"): ph, tid, ts. */
#define TRACE_JSON_IDLE "{\"ph\":\"%s\",\"name\":\"idle\",\"cat\":\"idle\",\"pid\":1,\"tid\":%u,\"ts\":%.3f}"
/* A wake, a zero-length slice where it ran: task name, tid, ts, from
 * ("task", "executor", "outside"), then more args or "" (the kernel adds
 * ,"context":"interrupt" / "other hart" / "same hart" to a wake from outside). */
#define TRACE_JSON_WAKE "{\"ph\":\"X\",\"name\":\"wake %s\",\"cat\":\"wake\",\"pid\":1,\"tid\":%u,\"ts\":%.3f,\"dur\":0,\"args\":{\"from\":\"%s\"%s}}"
/* The arrow leaves the wake: id, tid, ts. */
#define TRACE_JSON_FLOW_START "{\"ph\":\"s\",\"name\":\"wake\",\"cat\":\"wake\",\"id\":%u,\"pid\":1,\"tid\":%u,\"ts\":%.3f}"
/* The arrow lands on the poll: id, tid, ts. */
#define TRACE_JSON_FLOW_END "{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"wake\",\"cat\":\"wake\",\"id\":%u,\"pid\":1,\"tid\":%u,\"ts\":%.3f}"
/* A spawn or a task's end: "spawn" or "task end", task name, tid, ts, result. */
#define TRACE_JSON_TASK "{\"ph\":\"i\",\"s\":\"t\",\"name\":\"%s %s\",\"cat\":\"task\",\"pid\":1,\"tid\":%u,\"ts\":%.3f,\"args\":{\"result\":%s}}"
/* A timer event: "timer arm", "timer cancel" or "timer expire", tid, ts,
 * the timer's address, its deadline (ticks; 0 but for an arm). */
#define TRACE_JSON_TIMER "{\"ph\":\"i\",\"s\":\"t\",\"name\":\"%s\",\"cat\":\"timer\",\"pid\":1,\"tid\":%u,\"ts\":%.3f,\"args\":{\"timer\":\"%s\",\"deadline\":%s}}"
/* A task or a timer without a name: its address in hex, "0x..." (formatted into %s). */
#define TRACE_JSON_UNNAMED "task %s"
/* clang-format on */

#endif /* AEXEC_TRACE_SCHEMA_H */
