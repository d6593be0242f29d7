/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A host recorder for libaexec's trace hooks (aexec/trace.h): it defines the
 * aexec_trace_* functions, keeps every event in memory (a mutex, since wakes
 * come from any thread), and writes them as Chrome/Perfetto trace-event
 * JSON: one track per executor and one per other thread, a slice per poll
 * and per idle, and a flow arrow from each wake to the poll it caused.
 * Link it into a program whose libaexec is built with AEXEC_TRACE=ON.
 * Events past its fixed capacity (2^18) are counted, not kept.
 */
#ifndef AEXEC_TRACE_JSON_H
#define AEXEC_TRACE_JSON_H

#include <stdio.h>

#include "aexec/aexec.h"

/* Names `task` on the timeline (the string must outlive the recording). Any thread. */
void trace_json_name_task(const aexec_task *task, const char *name);
/* Names the track of `ex`. Any thread. */
void trace_json_name_executor(const aexec_executor *ex, const char *name);
/* Names the calling thread's track (threads that wake from outside). */
void trace_json_name_thread(const char *name);
/* How many times an executor has entered idle so far: a thread that must
 * wake a task only once the executor sleeps waits for this to grow. Any thread. */
unsigned long trace_json_idle_entries(void);
/* Writes what was recorded as a JSON object {"traceEvents": [...]} (the
 * records of trace_schema.h). Returns 0 or -1. Any thread, after the run. */
int trace_json_write(FILE *f);
/* Writes it in the text form of the demo kernel's `trace` dump
 * (examples/riscv64/demo/cmd_trace.c), from which scripts/trace-json makes
 * the same JSON: the test that the two paths agree. Returns 0 or -1. */
int trace_json_write_text(FILE *f);

#endif /* AEXEC_TRACE_JSON_H */
