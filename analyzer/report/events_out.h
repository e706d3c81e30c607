/* `tlsdiag events`: the oracle's JSON Lines event schema
 * (../shared/oracle/README.md), one line per handshake message, alert or
 * CONNECT exchange, in capture order. */
#ifndef TLSDIAG_EVENTS_OUT_H
#define TLSDIAG_EVENTS_OUT_H

#include <stdio.h>
#include "events.h"

struct events_writer {
    FILE *out;
    uint64_t lines;
};

void events_writer_init(struct events_writer *w, FILE *out);
/* A struct event_sink emit function; ctx is the events_writer. */
void events_writer_emit(void *ctx, const struct event *ev);

#endif
