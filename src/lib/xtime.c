/* xtime.c - civil dates in UTC+8 without the C library's time zone state. */
#include "lib/xtime.h"
#include "lib/err.h"

#include <stdio.h>
#include <string.h>

/* Howard Hinnant's days_from_civil algorithm, written out from its
 * published description. */
int32_t xt_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153u * (unsigned)(m > 2 ? m - 3 : m + 9) + 2u) / 5u + (unsigned)d - 1u;
    const unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void xt_civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int yy = (int)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yy + (*m <= 2);
}

int xt_weekday(int32_t days)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int w = (int)((days + 3) % 7);
    return w < 0 ? w + 7 : w;
}

int32_t xt_local_day(int64_t t)
{
    int64_t s = t + XT_TZ_OFFSET;
    int64_t d = s / XT_DAY;
    if (s % XT_DAY < 0)
        d--;
    return (int32_t)d;
}

int64_t xt_day_start(int32_t day)
{
    return (int64_t)day * XT_DAY - XT_TZ_OFFSET;
}

void xt_time_format(int64_t t, char out[26])
{
    int32_t day = xt_local_day(t);
    int64_t sec = t - xt_day_start(day);
    int y, m, d;
    xt_civil_from_days(day, &y, &m, &d);
    /* Format into a roomy buffer so the compiler can see nothing is cut,
     * then copy the 25 characters a valid date gives. */
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y % 10000, m % 100,
             d % 100, (int)(sec / 3600) % 100, (int)(sec / 60 % 60), (int)(sec % 60));
    memcpy(out, tmp, 25);
    out[25] = '\0';
}

void xt_date_format(int32_t day, char out[11])
{
    int y, m, d;
    xt_civil_from_days(day, &y, &m, &d);
    char tmp[40];
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

int xt_month_of(int64_t t)
{
    int y, m, d;
    xt_civil_from_days(xt_local_day(t), &y, &m, &d);
    return y * 100 + m;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return XT_EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int parse_ymd(const char *s, int32_t *day)
{
    int y, m, d;
    if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
        digits(s + 8, 2, &d))
        return XT_EINVAL;
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return XT_EINVAL;
    *day = xt_days_from_civil(y, m, d);
    return 0;
}

int xt_date_parse(const char *s, int32_t *day)
{
    if (!s || strlen(s) != 10)
        return XT_EINVAL;
    return parse_ymd(s, day);
}

int xt_time_parse(const char *s, int64_t *t)
{
    int32_t day;
    if (!s)
        return XT_EINVAL;
    size_t n = strlen(s);
    if (n == 10) {
        if (parse_ymd(s, &day))
            return XT_EINVAL;
        *t = xt_day_start(day);
        return 0;
    }
    int hh, mi, ss;
    if (n < 20 || parse_ymd(s, &day) || (s[10] != 'T' && s[10] != ' ') ||
        digits(s + 11, 2, &hh) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
        digits(s + 17, 2, &ss) || hh > 23 || mi > 59 || ss > 60)
        return XT_EINVAL;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return XT_EINVAL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int off;
    if (*p == 'Z' && p[1] == '\0') {
        off = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (digits(p + 1, 2, &oh) || digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return XT_EINVAL;
        off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
    } else {
        return XT_EINVAL;
    }
    *t = (int64_t)day * XT_DAY + hh * 3600 + mi * 60 + ss - off;
    return 0;
}

int xt_month_parse(const char *s, int *month)
{
    int y, m;
    if (!s || strlen(s) != 7 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) ||
        y < 1900 || m < 1 || m > 12)
        return XT_EINVAL;
    *month = y * 100 + m;
    return 0;
}

int64_t xt_month_start(int month)
{
    return xt_day_start(xt_days_from_civil(month / 100, month % 100, 1));
}

int xt_month_next(int month)
{
    return month % 100 == 12 ? (month / 100 + 1) * 100 + 1 : month + 1;
}
