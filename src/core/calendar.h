/* calendar.h - the working-day calendar (工作日历) and office hours.
 *
 * A day is a working day when it is Monday to Friday and not marked
 * XT_DAY_HOLIDAY, or when it is a Saturday or Sunday marked XT_DAY_WORKDAY
 * (调休上班). The marks are dated overrides that an administrator maintains,
 * normally loaded from data/calendar/cn_holidays.csv; a date with no mark
 * follows the weekend rule, so a year with no rows loaded counts weekends
 * only.
 *
 * Days are int32_t local dates and instants int64_t unix seconds, as in
 * lib/xtime.h. Nothing here reads the clock.
 *
 * Ownership: a calendar is created by xt_calendar_new and owned by the caller
 * until xt_calendar_free. Every other function borrows it. Reads
 * (is_workday, add_*, count_*, day_name) do not modify it, so several threads
 * may read one calendar at once; a writer (set, load_csv) needs the caller to
 * exclude readers.
 */
#ifndef XT_CALENDAR_H
#define XT_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Office hours (办公时间) in seconds after local midnight: 09:00-12:00 and
 * 13:30-17:30, 7 hours a day. The 签收 deadline counts only these hours, so a
 * ticket dispatched at lunch, in the evening or before a holiday still gets
 * its full two hours in the offices' next periods. They are constants
 * because one schedule is assumed for every unit; a region whose offices keep
 * shifted hours (Xinjiang's open about two hours later by Beijing time) would
 * need them to become per-calendar settings. */
#define XT_OFFICE_AM_START (9 * 3600)
#define XT_OFFICE_AM_END (12 * 3600)
#define XT_OFFICE_PM_START (13 * 3600 + 30 * 60)
#define XT_OFFICE_PM_END (17 * 3600 + 30 * 60)
#define XT_OFFICE_MINUTES_PER_DAY 420

/* Longest override name in bytes, including the NUL. */
#define XT_CALENDAR_NAME_MAX 64
/* Most dated overrides one calendar holds. A year needs about 40, so this
 * bounds memory without limiting any real table. */
#define XT_CALENDAR_MAX_DAYS 20000

struct xt_calendar;

enum xt_day_kind {
    XT_DAY_HOLIDAY = 1, /* a Monday-to-Friday day off (放假) */
    XT_DAY_WORKDAY = 2, /* a Saturday or Sunday worked (调休上班) */
};

/* "holiday" or "workday"; NULL for any other value. */
const char *xt_day_kind_name(int kind);
/* The kind for "holiday" or "workday", or 0. */
int xt_day_kind_parse(const char *s);

/* A calendar with no overrides (weekend rule only), or NULL when out of
 * memory. */
struct xt_calendar *xt_calendar_new(void);
/* Free cal and everything it owns. cal may be NULL. */
void xt_calendar_free(struct xt_calendar *cal);

/* Mark day as kind, replacing any earlier mark for the same day. name (may
 * be NULL for "") is copied and must be valid UTF-8 shorter than
 * XT_CALENDAR_NAME_MAX bytes. A WORKDAY mark must fall on a Saturday or
 * Sunday, since a weekday is worked already and such a mark is a mistyped
 * date; a HOLIDAY mark may fall on a weekend. Returns 0, XT_EINVAL (bad kind,
 * name or weekday WORKDAY), XT_ETOOBIG (already XT_CALENDAR_MAX_DAYS marks)
 * or XT_ENOMEM; on failure cal is unchanged. */
int xt_calendar_set(struct xt_calendar *cal, int32_t day, int kind, const char *name);

/* Merge the rows of a CSV file with the header `date,kind,name` (columns in
 * any order; name may be absent) into cal; a row replaces an existing mark
 * for its date. date is YYYY-MM-DD, kind is "holiday" or "workday", and the
 * rules of xt_calendar_set apply; a date may appear only once per file. Empty
 * lines are skipped. All rows are checked before cal is touched, so on any
 * failure cal is unchanged. Returns 0, XT_ENOTFOUND (cannot open path),
 * XT_EINVAL (bad row or header: err->field is the column, "date", "kind" or
 * "name", and err->message starts with "line N: "), XT_ETOOBIG or XT_ENOMEM.
 * err may be NULL. */
int xt_calendar_load_csv(struct xt_calendar *cal, const char *path, struct xt_error *err);

/* Whether day is a working day. O(log n) in the number of marks. */
bool xt_calendar_is_workday(const struct xt_calendar *cal, int32_t day);

/* The name of day's mark (e.g. "春节"), or NULL when day has none. Valid until
 * the next xt_calendar_set, xt_calendar_load_csv or xt_calendar_free. */
const char *xt_calendar_day_name(const struct xt_calendar *cal, int32_t day);

/* Number of dated marks held. */
size_t xt_calendar_size(const struct xt_calendar *cal);

/* Number of working days in [first, last], both included; 0 when last <
 * first. */
int xt_calendar_count_work_days(const struct xt_calendar *cal, int32_t first, int32_t last);

/* The earliest instant by which `minutes` minutes of office time on working
 * days have passed since from. When from is outside office hours counting
 * starts at the next office period, and a count that ends exactly at the end
 * of a period ends there (10:00 + 120 minutes is 12:00, not 13:30). minutes
 * <= 0 returns from. Used for the 签收 deadline. */
int64_t xt_calendar_add_work_minutes(const struct xt_calendar *cal, int64_t from, int minutes);

/* The end of office hours (XT_OFFICE_PM_END) on the `days`-th working day
 * after the local day of from. The day of from never counts, whatever the
 * time or kind of day: Friday 10:00 + 1 is the next working day at 17:30.
 * days < 1 counts as 1. Used for the 办结 (resolution) deadline. */
int64_t xt_calendar_add_work_days(const struct xt_calendar *cal, int64_t from, int days);

#endif
