/* xtime.h - civil dates and times in China Standard Time (UTC+08:00).
 *
 * Instants are int64_t seconds since the Unix epoch. Dates are int32_t days
 * since 1970-01-01 in local (UTC+8) time. China has no daylight saving, so a
 * fixed offset is exact. Nothing here reads the clock: callers pass `now`.
 */
#ifndef XT_XTIME_H
#define XT_XTIME_H

#include <stdint.h>

#define XT_TZ_OFFSET (8 * 3600)
#define XT_DAY 86400

/* Days since 1970-01-01 for a proleptic Gregorian date. */
int32_t xt_days_from_civil(int y, int m, int d);
void xt_civil_from_days(int32_t days, int *y, int *m, int *d);
/* 0 = Monday ... 6 = Sunday. */
int xt_weekday(int32_t days);

/* Local date of an instant, and the instant at local midnight of a date. */
int32_t xt_local_day(int64_t t);
int64_t xt_day_start(int32_t day);

/* "2026-11-26T09:30:00+08:00"; out must hold 26 bytes. */
void xt_time_format(int64_t t, char out[26]);
/* "2026-11-26"; out must hold 11 bytes. */
void xt_date_format(int32_t day, char out[11]);
/* "202611"; month key of an instant's local date as yyyy*100+mm. */
int xt_month_of(int64_t t);

/* Parse "YYYY-MM-DD" (exactly). 0 or XT_EINVAL. */
int xt_date_parse(const char *s, int32_t *day);
/* Parse RFC 3339 "YYYY-MM-DDTHH:MM:SS(.frac)?(Z|+hh:mm|-hh:mm)" or a bare
 * date (taken as local midnight). 0 or XT_EINVAL. */
int xt_time_parse(const char *s, int64_t *t);
/* Parse "YYYY-MM" into yyyy*100+mm. 0 or XT_EINVAL. */
int xt_month_parse(const char *s, int *month);
/* First instant of a month key and of the month after it. */
int64_t xt_month_start(int month);
int xt_month_next(int month);

#endif
