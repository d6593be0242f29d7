/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Object sizes, read back by footprint.cmake: each array's size (nm -S) is
 * the sizeof of what it is named for, as the target's compiler lays it out.
 */
#include "aexec/aexec.h"

char size_of_executor[sizeof(aexec_executor)];
char size_of_task[sizeof(aexec_task)];
char size_of_timer[sizeof(aexec_timer)];
char size_of_sleep[sizeof(aexec_sleep)];
