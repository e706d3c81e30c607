/* Capture timestamps: nanoseconds since the epoch, int64_t.
 *
 * The capture readers saturate absurd times at the int64 ends, so two
 * timestamps of one file can be 2^64 ns apart and their plain difference
 * overflows. Every difference of timestamps goes through this one, which
 * saturates as well. */
#ifndef TLSDIAG_TIMESTAMP_H
#define TLSDIAG_TIMESTAMP_H

#include <stdint.h>

static inline int64_t timestamp_between(int64_t later, int64_t earlier)
{
    int64_t d;
    if (__builtin_sub_overflow(later, earlier, &d))
        return later > earlier ? INT64_MAX : INT64_MIN;
    return d;
}

#endif
