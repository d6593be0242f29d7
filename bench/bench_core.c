/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* B1, B2, B3, B5: to be written. */
#include "bench.h"

void bench_core(void)
{
}
