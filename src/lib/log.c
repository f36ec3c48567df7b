/* log.c - stderr logging. */
#include "lib/log.h"
#include "lib/xtime.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum xt_log_level min_level = XT_LOG_INFO;

void xt_log_set_level(enum xt_log_level level)
{
    min_level = level;
}

void xt_log(enum xt_log_level level, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (level < min_level)
        return;
    char ts[26];
    xt_time_format((int64_t)time(NULL), ts);
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %s %s\n", ts, names[level], line);
}
