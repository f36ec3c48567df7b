/* testtime.h - local (UTC+8) instants for tests, and an assertion that
 * prints both instants as local times on a mismatch, which is what a
 * reader needs to see where a deadline count went wrong. Include after
 * <cmocka.h>. */
#ifndef XT_TESTTIME_H
#define XT_TESTTIME_H

#include <stdint.h>

#include "lib/xtime.h"

static inline int64_t at(int y, int m, int d, int hh, int mm)
{
    return xt_day_start(xt_days_from_civil(y, m, d)) + hh * 3600 + mm * 60;
}

static inline void check_time(int64_t got, int64_t want, const char *file, int line)
{
    if (got == want)
        return;
    char g[26], w[26];
    xt_time_format(got, g);
    xt_time_format(want, w);
    print_error("got %s, want %s\n", g, w);
    _fail(file, line);
}

#define assert_time(got, want) check_time((got), (want), __FILE__, __LINE__)

#endif
