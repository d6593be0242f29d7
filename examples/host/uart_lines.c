/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A serial line parser, as a driver would be written with libaexec.
 *
 *   "device" thread  plays the UART receive interrupt: for each byte it calls
 *                    aexec_channel_try_send(), which never blocks (an ISR
 *                    cannot wait). When the ring is full it applies back-
 *                    pressure as a driver masks its RX interrupt: the byte
 *                    stays in the device, which tries again a little later.
 *   parser task      awaits bytes with a 500 ms timeout, assembles lines,
 *                    parses "temp=<n>" and sends the values on; when input
 *                    stops for 500 ms it says so, closes its output and ends.
 *   logger task      prints the values until the parser closes the channel.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"

static aexec_channel rx; /* bytes from the "interrupt" */
static uint8_t rx_fifo[16];
static aexec_channel temps; /* parsed values */
static int32_t temps_ring[4];

static const char *const input = "temp=21\ntemp=22\nnoise\ntemp=-3\ntemp=19\n";
#define LINES_EXPECTED 4
#define SUM_EXPECTED (21 + 22 - 3 + 19)

static void *uart_rx_interrupt(void *arg)
{
    (void)arg;
    for (const char *p = input; *p != '\0'; p++) {
        struct timespec gap = {0, 1000 * 1000}; /* 1 ms between bytes */
        nanosleep(&gap, NULL);
        uint8_t byte = (uint8_t)*p;
        while (aexec_channel_try_send(&rx, &byte) == AEXEC_EFULL) {
            nanosleep(&gap, NULL); /* nothing is dropped: the parser is behind */
        }
    }
    return NULL; /* then the line goes quiet */
}

struct parser {
    aexec_task task;
    aexec_co co;
    aexec_channel_recv get;
    aexec_channel_send put;
    aexec_timeout quiet;
    uint64_t quiet_ticks;
    uint8_t byte;
    char line[32];
    size_t len;
    int32_t value;
    int err;
};

static int parse_temp(const char *line, int32_t *out)
{
    if (strncmp(line, "temp=", 5) != 0)
        return 0;
    const char *p = line + 5;
    int neg = *p == '-';
    p += neg;
    if (*p < '0' || *p > '9')
        return 0;
    int32_t v = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (*p - '0');
    *out = neg ? -v : v;
    return *p == '\0';
}

static aexec_poll parser_poll(aexec_task *t, aexec_cx *cx)
{
    struct parser *ps = AEXEC_CONTAINER_OF(t, struct parser, task);
    AEXEC_CO_BEGIN(&ps->co, cx);
    for (;;) {
        aexec_channel_recv_init(&ps->get, &rx, &ps->byte);
        aexec_timeout_for_init(&ps->quiet, ps->quiet_ticks);
        /* A byte handed over as the deadline passes is still reported as a byte. */
        AEXEC_AWAIT_WITH_TIMEOUT(&ps->quiet, aexec_channel_recv_poll(&ps->get, cx, &ps->err),
                                 aexec_channel_recv_cancel(&ps->get));
        if (aexec_timeout_expired(&ps->quiet)) {
            printf("parser: no input for 500 ms, stopping\n");
            break;
        }
        if (ps->byte != '\n') {
            if (ps->len + 1 < sizeof ps->line)
                ps->line[ps->len++] = (char)ps->byte;
            continue;
        }
        ps->line[ps->len] = '\0';
        ps->len = 0;
        if (!parse_temp(ps->line, &ps->value)) {
            printf("parser: ignoring \"%s\"\n", ps->line);
            continue;
        }
        aexec_channel_send_init(&ps->put, &temps, &ps->value);
        AEXEC_AWAIT_WITH_CANCEL(aexec_channel_send_poll(&ps->put, cx, &ps->err),
                                aexec_channel_send_cancel(&ps->put));
    }
    AEXEC_CO_FINALLY;
    aexec_channel_close(&temps); /* the logger ends when it has drained */
    AEXEC_CO_END;
}

struct logger {
    aexec_task task;
    aexec_co co;
    aexec_channel_recv get;
    int32_t value;
    int err;
    int count;
    int32_t sum;
};

static aexec_poll logger_poll(aexec_task *t, aexec_cx *cx)
{
    struct logger *lg = AEXEC_CONTAINER_OF(t, struct logger, task);
    AEXEC_CO_BEGIN(&lg->co, cx);
    for (;;) {
        aexec_channel_recv_init(&lg->get, &temps, &lg->value);
        AEXEC_AWAIT_WITH_CANCEL(aexec_channel_recv_poll(&lg->get, cx, &lg->err),
                                aexec_channel_recv_cancel(&lg->get));
        if (lg->err == AEXEC_ECLOSED)
            break;
        printf("logger: temperature %d\n", (int)lg->value);
        lg->count++;
        lg->sum += lg->value;
    }
    AEXEC_CO_END;
}

int main(void)
{
    static aexec_executor ex;
    static aexec_host host;
    static struct parser ps;
    static struct logger lg;
    aexec_cs cs;

    aexec_host_executor_init(&ex, &host);
    aexec_executor_cs(&ex, &cs);
    aexec_channel_init(&rx, &cs, rx_fifo, 1, sizeof rx_fifo);
    aexec_channel_init(&temps, &cs, temps_ring, sizeof temps_ring[0], 4);
    ps.quiet_ticks = aexec_ticks_from_ms(aexec_executor_tick_hz(&ex), 500);
    aexec_spawn(&ex, &ps.task, parser_poll);
    aexec_spawn(&ex, &lg.task, logger_poll);

    pthread_t dev;
    pthread_create(&dev, NULL, uart_rx_interrupt, NULL);
    int r = aexec_run(&ex);
    pthread_join(dev, NULL);
    aexec_host_destroy(&host);
    printf("done: %d values\n", lg.count);
    return r == AEXEC_RUN_DONE && lg.count == LINES_EXPECTED && lg.sum == SUM_EXPECTED ? 0 : 1;
}
