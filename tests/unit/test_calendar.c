/* test_calendar.c - the working-day calendar (src/core/calendar.c) and the
 * deadline policy built on it (src/core/deadline.c).
 *
 * Every expected instant is worked out by hand in the comment beside it,
 * using office hours 09:00-12:00 and 13:30-17:30 (7 hours a day) and the
 * official 2024-2026 holiday table in data/calendar/cn_holidays.csv.
 */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "core/reqtype.h"
#include "lib/err.h"
#include "lib/xtime.h"

#define HOLIDAYS_CSV XT_SOURCE_DIR "/data/calendar/cn_holidays.csv"

static int32_t date(int y, int m, int d)
{
    return xt_days_from_civil(y, m, d);
}

/* A local (UTC+8) wall-clock instant. */

static int load_real(void **state)
{
    struct xt_error err;
    struct xt_calendar *cal = xt_calendar_new();
    if (!cal)
        return -1;
    if (xt_calendar_load_csv(cal, HOLIDAYS_CSV, &err) != 0) {
        print_error("%s: %s: %s\n", HOLIDAYS_CSV, err.field, err.message);
        xt_calendar_free(cal);
        return -1;
    }
    *state = cal;
    return 0;
}

static int free_cal(void **state)
{
    xt_calendar_free(*state);
    return 0;
}

/* Write text to a fresh temporary file whose name goes into path. */
static void write_temp(char path[64], const char *text)
{
    snprintf(path, 64, "/tmp/xt_test_calendar_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

/* Load text as a CSV file into cal; returns the loader's result. */
static int load_text(struct xt_calendar *cal, const char *text, struct xt_error *err)
{
    char path[64];
    write_temp(path, text);
    int rc = xt_calendar_load_csv(cal, path, err);
    unlink(path);
    return rc;
}

/* ---- the weekend rule and hand-made marks ---- */

static void test_weekend_rule(void **state)
{
    (void)state;
    struct xt_calendar *cal = xt_calendar_new();
    assert_non_null(cal);
    /* 2025-03-03 is a Monday; with no marks Monday-Friday work and the
     * weekend does not. */
    for (int d = 3; d <= 7; d++)
        assert_true(xt_calendar_is_workday(cal, date(2025, 3, d)));
    assert_false(xt_calendar_is_workday(cal, date(2025, 3, 8)));
    assert_false(xt_calendar_is_workday(cal, date(2025, 3, 9)));
    assert_int_equal(xt_calendar_size(cal), 0);
    assert_null(xt_calendar_day_name(cal, date(2025, 3, 3)));
    xt_calendar_free(cal);
    xt_calendar_free(NULL);
}

static void test_set_marks(void **state)
{
    (void)state;
    struct xt_calendar *cal = xt_calendar_new();
    assert_non_null(cal);

    /* A Wednesday holiday is a day off. */
    assert_int_equal(xt_calendar_set(cal, date(2025, 3, 5), XT_DAY_HOLIDAY, "test holiday"), 0);
    assert_false(xt_calendar_is_workday(cal, date(2025, 3, 5)));
    assert_string_equal(xt_calendar_day_name(cal, date(2025, 3, 5)), "test holiday");

    /* A 调休 Saturday is worked. */
    assert_int_equal(xt_calendar_set(cal, date(2025, 3, 8), XT_DAY_WORKDAY, "调休"), 0);
    assert_true(xt_calendar_is_workday(cal, date(2025, 3, 8)));

    /* Setting the same day again replaces the mark and its name. */
    assert_int_equal(xt_calendar_set(cal, date(2025, 3, 8), XT_DAY_HOLIDAY, "again"), 0);
    assert_false(xt_calendar_is_workday(cal, date(2025, 3, 8)));
    assert_string_equal(xt_calendar_day_name(cal, date(2025, 3, 8)), "again");
    assert_int_equal(xt_calendar_size(cal), 2);

    /* A mark before the others must keep the table sorted: the earlier
     * marks still answer correctly after the insertion. */
    assert_int_equal(xt_calendar_set(cal, date(2025, 3, 1), XT_DAY_WORKDAY, NULL), 0);
    assert_true(xt_calendar_is_workday(cal, date(2025, 3, 1)));
    assert_string_equal(xt_calendar_day_name(cal, date(2025, 3, 1)), "");
    assert_false(xt_calendar_is_workday(cal, date(2025, 3, 5)));
    assert_false(xt_calendar_is_workday(cal, date(2025, 3, 8)));
    assert_true(xt_calendar_is_workday(cal, date(2025, 3, 6)));
    assert_int_equal(xt_calendar_size(cal), 3);

    /* Rejected, and nothing changes: a WORKDAY on a Thursday (a mistyped
     * date), an unknown kind, an over-long name and a name that is not
     * UTF-8. */
    char long_name[XT_CALENDAR_NAME_MAX + 1];
    memset(long_name, 'x', XT_CALENDAR_NAME_MAX);
    long_name[XT_CALENDAR_NAME_MAX] = '\0';
    assert_int_equal(xt_calendar_set(cal, date(2025, 3, 6), XT_DAY_WORKDAY, "x"), XT_EINVAL);
    assert_int_equal(xt_calendar_set(cal, date(2025, 3, 6), 3, "x"), XT_EINVAL);
    assert_int_equal(xt_calendar_set(cal, date(2025, 3, 6), 0, "x"), XT_EINVAL);
    assert_int_equal(xt_calendar_set(cal, date(2025, 3, 6), XT_DAY_HOLIDAY, long_name), XT_EINVAL);
    assert_int_equal(xt_calendar_set(cal, date(2025, 3, 6), XT_DAY_HOLIDAY, "\xff"), XT_EINVAL);
    assert_int_equal(xt_calendar_size(cal), 3);
    assert_true(xt_calendar_is_workday(cal, date(2025, 3, 6)));

    assert_string_equal(xt_day_kind_name(XT_DAY_HOLIDAY), "holiday");
    assert_string_equal(xt_day_kind_name(XT_DAY_WORKDAY), "workday");
    assert_null(xt_day_kind_name(0));
    assert_int_equal(xt_day_kind_parse("workday"), XT_DAY_WORKDAY);
    assert_int_equal(xt_day_kind_parse("Holiday"), 0);
    xt_calendar_free(cal);
}

/* ---- the official table ---- */

static void test_real_calendar_days(void **state)
{
    const struct xt_calendar *cal = *state;

    /* 2025 元旦: Wednesday 1/1 off, Thursday 1/2 back at work. */
    assert_false(xt_calendar_is_workday(cal, date(2025, 1, 1)));
    assert_true(xt_calendar_is_workday(cal, date(2025, 1, 2)));
    /* 2025 春节: 1/28 (Tue) to 2/4 (Tue) off; Sunday 1/26 and Saturday 2/8
     * worked; Wednesday 2/5 back. */
    assert_true(xt_calendar_is_workday(cal, date(2025, 1, 26)));
    assert_true(xt_calendar_is_workday(cal, date(2025, 1, 27)));
    for (int32_t d = date(2025, 1, 28); d <= date(2025, 2, 4); d++)
        assert_false(xt_calendar_is_workday(cal, d));
    assert_true(xt_calendar_is_workday(cal, date(2025, 2, 5)));
    assert_true(xt_calendar_is_workday(cal, date(2025, 2, 8)));
    assert_false(xt_calendar_is_workday(cal, date(2025, 2, 9)));
    assert_string_equal(xt_calendar_day_name(cal, date(2025, 1, 29)), "春节");
    /* 2025 国庆/中秋: 10/1 to 10/8 off; Sunday 9/28 and Saturday 10/11
     * worked. */
    assert_true(xt_calendar_is_workday(cal, date(2025, 9, 28)));
    for (int32_t d = date(2025, 10, 1); d <= date(2025, 10, 8); d++)
        assert_false(xt_calendar_is_workday(cal, d));
    assert_true(xt_calendar_is_workday(cal, date(2025, 10, 9)));
    assert_true(xt_calendar_is_workday(cal, date(2025, 10, 11)));
    assert_false(xt_calendar_is_workday(cal, date(2025, 10, 12)));
    /* 2024 春节: Sundays 2/4 and 2/18 worked; 除夕 2/9 (Friday) is only
     * "encouraged" off, so it stays a working day; 2/12-2/16 off. */
    assert_true(xt_calendar_is_workday(cal, date(2024, 2, 4)));
    assert_true(xt_calendar_is_workday(cal, date(2024, 2, 9)));
    assert_false(xt_calendar_is_workday(cal, date(2024, 2, 12)));
    assert_false(xt_calendar_is_workday(cal, date(2024, 2, 16)));
    assert_true(xt_calendar_is_workday(cal, date(2024, 2, 18)));
    /* 2024 中秋: Saturday 9/14 worked, Monday 9/16 and Tuesday 9/17 off. */
    assert_true(xt_calendar_is_workday(cal, date(2024, 9, 14)));
    assert_false(xt_calendar_is_workday(cal, date(2024, 9, 16)));
    assert_false(xt_calendar_is_workday(cal, date(2024, 9, 17)));
    /* 2026: Sunday 1/4 worked after 元旦; 春节 ends Monday 2/23 with
     * Saturdays 2/14 and 2/28 worked; 国庆 Sunday 9/20 and Saturday 10/10
     * worked, Thursday 10/8 back at work. */
    assert_true(xt_calendar_is_workday(cal, date(2026, 1, 4)));
    assert_false(xt_calendar_is_workday(cal, date(2026, 1, 2)));
    assert_true(xt_calendar_is_workday(cal, date(2026, 2, 14)));
    assert_false(xt_calendar_is_workday(cal, date(2026, 2, 23)));
    assert_true(xt_calendar_is_workday(cal, date(2026, 2, 28)));
    assert_true(xt_calendar_is_workday(cal, date(2026, 9, 20)));
    assert_true(xt_calendar_is_workday(cal, date(2026, 10, 8)));
    assert_true(xt_calendar_is_workday(cal, date(2026, 10, 10)));
    /* A plain weekend with no mark is still off. */
    assert_false(xt_calendar_is_workday(cal, date(2025, 3, 8)));
    assert_null(xt_calendar_day_name(cal, date(2025, 3, 8)));
}

static void test_year_totals(void **state)
{
    const struct xt_calendar *cal = *state;

    /* 2024 starts on a Monday and has 366 days: 52 weeks + Mon, Tue = 262
     * weekdays. Weekday holidays: 元旦 1/1; 春节 2/12-2/16 (5); 清明 4/4,
     * 4/5; 劳动 5/1-5/3 (3); 端午 6/10; 中秋 9/16, 9/17; 国庆 10/1-10/4,
     * 10/7 (5) = 19. Weekend workdays: 2/4, 2/18, 4/7, 4/28, 5/11, 9/14,
     * 9/29, 10/12 = 8. 262 - 19 + 8 = 251. */
    assert_int_equal(xt_calendar_count_work_days(cal, date(2024, 1, 1), date(2024, 12, 31)), 251);
    /* 2025 starts on a Wednesday, 365 days: 52 weeks + Wed = 261 weekdays.
     * Weekday holidays: 1/1; 1/28-1/31, 2/3, 2/4 (6); 4/4; 5/1, 5/2, 5/5
     * (3); 6/2; 10/1-10/3, 10/6-10/8 (6) = 18. Weekend workdays: 1/26, 2/8,
     * 4/27, 9/28, 10/11 = 5. 261 - 18 + 5 = 248. */
    assert_int_equal(xt_calendar_count_work_days(cal, date(2025, 1, 1), date(2025, 12, 31)), 248);
    /* 2026 starts on a Thursday, 365 days: 261 weekdays. Weekday holidays:
     * 1/1, 1/2; 2/16-2/20, 2/23 (6); 4/6; 5/1, 5/4, 5/5 (3); 6/19; 9/25;
     * 10/1, 10/2, 10/5-10/7 (5) = 19. Weekend workdays: 1/4, 2/14, 2/28,
     * 5/9, 9/20, 10/10 = 6. 261 - 19 + 6 = 248. */
    assert_int_equal(xt_calendar_count_work_days(cal, date(2026, 1, 1), date(2026, 12, 31)), 248);

    /* 2025-09-26 (Fri) to 10-12 (Sun): 9/26, 9/28 (Sun, worked), 9/29, 9/30,
     * then 10/9, 10/10, 10/11 (Sat, worked) = 7. */
    assert_int_equal(xt_calendar_count_work_days(cal, date(2025, 9, 26), date(2025, 10, 12)), 7);
    /* One day, and an empty range. */
    assert_int_equal(xt_calendar_count_work_days(cal, date(2025, 1, 26), date(2025, 1, 26)), 1);
    assert_int_equal(xt_calendar_count_work_days(cal, date(2025, 2, 1), date(2025, 1, 31)), 0);
}

/* ---- 签收: working minutes ---- */

static void test_sign_plain_weeks(void **state)
{
    (void)state;
    struct xt_calendar *cal = xt_calendar_new();
    assert_non_null(cal);

    /* Mon 2025-03-03 10:00 + 120: 10:00-12:00 is exactly 120, so the count
     * ends at 12:00, not after lunch. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 3, 3, 10, 0), 120),
                at(2025, 3, 3, 12, 0));
    /* Mon 11:00 + 120, across lunch: 11:00-12:00 = 60, then 13:30 + 60 =
     * 14:30. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 3, 3, 11, 0), 120),
                at(2025, 3, 3, 14, 30));
    /* Dispatched at lunch, Mon 12:15: counting starts at 13:30, + 120 =
     * 15:30. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 3, 3, 12, 15), 120),
                at(2025, 3, 3, 15, 30));
    /* Across the evening, Mon 16:45: 16:45-17:30 = 45, 75 left, Tue 09:00 +
     * 75 = 10:15. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 3, 3, 16, 45), 120),
                at(2025, 3, 4, 10, 15));
    /* Dispatched at night, Mon 20:00: Tue 09:00 + 120 = 11:00. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 3, 3, 20, 0), 120),
                at(2025, 3, 4, 11, 0));
    /* Before office hours, Mon 07:00: 09:00 + 120 = 11:00. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 3, 3, 7, 0), 120),
                at(2025, 3, 3, 11, 0));
    /* Across a weekend, Fri 2025-03-07 16:30: 16:30-17:30 = 60, 60 left,
     * Sat and Sun off, Mon 03-10 09:00 + 60 = 10:00. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 3, 7, 16, 30), 120),
                at(2025, 3, 10, 10, 0));
    /* Dispatched on Saturday 10:00: Mon 09:00 + 120 = 11:00. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 3, 8, 10, 0), 120),
                at(2025, 3, 10, 11, 0));
    /* Seconds carry: Mon 10:00:30 leaves 119.5 minutes before 12:00, so the
     * last 30 seconds fall at 13:30:30. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 3, 3, 10, 0) + 30, 120),
                at(2025, 3, 3, 13, 30) + 30);
    /* A whole office day, 420 minutes from Mon 09:00, ends Mon 17:30; one
     * minute more is Tue 09:01. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 3, 3, 9, 0), 420),
                at(2025, 3, 3, 17, 30));
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 3, 3, 9, 0), 421), at(2025, 3, 4, 9, 1));
    /* 900 minutes from Mon 12:30: Mon 13:30-17:30 = 240 (660 left), all of
     * Tue = 420 (240 left), Wed 09:00-12:00 = 180 (60 left), 13:30 + 60 =
     * Wed 14:30. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 3, 3, 12, 30), 900),
                at(2025, 3, 5, 14, 30));
    /* Zero minutes is the start itself. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 3, 8, 10, 0), 0), at(2025, 3, 8, 10, 0));
    xt_calendar_free(cal);
}

static void test_sign_holidays(void **state)
{
    const struct xt_calendar *cal = *state;

    /* Spring Festival 2025: Mon 01-27 16:00 leaves 90 minutes to 17:30 (30
     * left); 1/28-2/4 are off; Wed 02-05 09:00 + 30 = 09:30. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 1, 27, 16, 0), 120),
                at(2025, 2, 5, 9, 30));
    /* Sunday 01-26 is a 调休 workday: 16:30-17:30 = 60 counts, Mon 01-27
     * 09:00 + 60 = 10:00. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 1, 26, 16, 30), 120),
                at(2025, 1, 27, 10, 0));
    /* Dispatched on a holiday, Fri 2025-10-03 11:00: 10/3-10/8 off, Thu
     * 10/9 09:00 + 120 = 11:00. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 10, 3, 11, 0), 120),
                at(2025, 10, 9, 11, 0));
    /* Tue 2025-09-30 17:00: 30 minutes, then 10/9 09:00 + 90 = 10:30. */
    assert_time(xt_calendar_add_work_minutes(cal, at(2025, 9, 30, 17, 0), 120),
                at(2025, 10, 9, 10, 30));
}

/* ---- 办结: working days ---- */

static void test_add_work_days_edges(void **state)
{
    const struct xt_calendar *cal = *state;

    /* The day of receipt never counts, whenever in it the ticket came:
     * Fri 2025-03-07 10:00 + 1 -> Mon 03-10 17:30; Fri 23:00 + 1 -> the same;
     * Mon 03-10 00:30 + 1 -> Tue 03-11 17:30. */
    assert_time(xt_calendar_add_work_days(cal, at(2025, 3, 7, 10, 0), 1), at(2025, 3, 10, 17, 30));
    assert_time(xt_calendar_add_work_days(cal, at(2025, 3, 7, 23, 0), 1), at(2025, 3, 10, 17, 30));
    assert_time(xt_calendar_add_work_days(cal, at(2025, 3, 10, 0, 30), 1), at(2025, 3, 11, 17, 30));
    /* Received on Saturday 03-08: Sun off, Mon 03-10 is day 1. */
    assert_time(xt_calendar_add_work_days(cal, at(2025, 3, 8, 10, 0), 1), at(2025, 3, 10, 17, 30));
    /* days < 1 counts as 1. */
    assert_time(xt_calendar_add_work_days(cal, at(2025, 3, 7, 10, 0), 0), at(2025, 3, 10, 17, 30));
}

static void test_resolve_by_type(void **state)
{
    const struct xt_calendar *cal = *state;
    struct xt_deadlines dl;
    /* Fri 2025-03-07 10:00, a stretch of March with no holidays. Working days
     * after it: Mon 3/10 (1), 3/11 (2), 3/12 (3), 3/13, 3/14 (5), 3/17-3/21
     * (6-10), 3/24-3/28 (11-15). The sign-for deadline is 10:00 + 120 =
     * 12:00 the same day for every type. */
    static const struct {
        int type;
        int d; /* day of March 2025 at 17:30 */
    } cases[] = {
        {XT_TYPE_CONSULT, 10},    /* 咨询 1 */
        {XT_TYPE_HELP, 12},       /* 求助 3 */
        {XT_TYPE_COMPLAINT, 21},  /* 投诉 10 */
        {XT_TYPE_REPORT, 21},     /* 举报 10 */
        {XT_TYPE_SUGGESTION, 28}, /* 建议 15 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(
            xt_deadlines_compute(cal, at(2025, 3, 7, 10, 0), cases[i].type, false, NULL, &dl), 0);
        assert_time(dl.sign_by, at(2025, 3, 7, 12, 0));
        assert_time(dl.resolve_by, at(2025, 3, cases[i].d, 17, 30));
    }
}

static void test_resolve_national_day(void **state)
{
    const struct xt_calendar *cal = *state;
    struct xt_deadlines dl;
    /* Fri 2025-09-26 10:00. Working days after it: Sun 9/28 (调休, 1), Mon
     * 9/29 (2), Tue 9/30 (3), 10/1-10/8 off, Thu 10/9 (4), Fri 10/10 (5), Sat
     * 10/11 (调休, 6), Sun 10/12 off, Mon 10/13 (7), 10/14 (8), 10/15 (9),
     * Thu 10/16 (10), Fri 10/17 (11), Mon 10/20 (12), 10/21 (13), 10/22
     * (14), Thu 10/23 (15). */
    static const struct {
        int type;
        int m, d;
    } cases[] = {
        {XT_TYPE_CONSULT, 9, 28},     /* 咨询 1 */
        {XT_TYPE_HELP, 9, 30},        /* 求助 3 */
        {XT_TYPE_COMPLAINT, 10, 16},  /* 投诉 10 */
        {XT_TYPE_REPORT, 10, 16},     /* 举报 10 */
        {XT_TYPE_SUGGESTION, 10, 23}, /* 建议 15 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(
            xt_deadlines_compute(cal, at(2025, 9, 26, 10, 0), cases[i].type, false, NULL, &dl), 0);
        /* 10:00 + 120 = 12:00 the same Friday. */
        assert_time(dl.sign_by, at(2025, 9, 26, 12, 0));
        assert_time(dl.resolve_by, at(2025, cases[i].m, cases[i].d, 17, 30));
    }

    /* Tue 2025-09-30 15:00, the last day before the break: 咨询 is due on
     * the first day after it, Thu 10/9; 15:00-17:30 holds 150 minutes, so
     * signing is due at 17:00 the same day. */
    assert_int_equal(
        xt_deadlines_compute(cal, at(2025, 9, 30, 15, 0), XT_TYPE_CONSULT, false, NULL, &dl), 0);
    assert_time(dl.sign_by, at(2025, 9, 30, 17, 0));
    assert_time(dl.resolve_by, at(2025, 10, 9, 17, 30));
}

static void test_resolve_spring_festival(void **state)
{
    const struct xt_calendar *cal = *state;
    struct xt_deadlines dl;
    /* Mon 2025-01-27 16:00. Working days after it: 1/28-2/4 off, Wed 2/5
     * (1), 2/6 (2), Fri 2/7 (3), Sat 2/8 (调休, 4), Mon 2/10 (5), 2/11 (6),
     * 2/12 (7), 2/13 (8), Fri 2/14 (9), Mon 2/17 (10). Signing: 90 minutes
     * on Monday, then Wed 2/5 09:30. */
    assert_int_equal(
        xt_deadlines_compute(cal, at(2025, 1, 27, 16, 0), XT_TYPE_HELP, false, NULL, &dl), 0);
    assert_time(dl.sign_by, at(2025, 2, 5, 9, 30));
    assert_time(dl.resolve_by, at(2025, 2, 7, 17, 30));
    assert_int_equal(
        xt_deadlines_compute(cal, at(2025, 1, 27, 16, 0), XT_TYPE_COMPLAINT, false, NULL, &dl), 0);
    assert_time(dl.resolve_by, at(2025, 2, 17, 17, 30));
}

static void test_category_rule(void **state)
{
    const struct xt_calendar *cal = *state;
    struct xt_deadlines dl;
    const int64_t from = at(2025, 3, 7, 16, 45); /* Friday */

    /* Sign within 60 office minutes, resolve within 5 days, overriding 咨询's
     * 1: 16:45-17:30 = 45, Mon 3/10 09:00 + 15 = 09:15; 3/10-3/14 are days
     * 1-5, so Fri 3/14 17:30. */
    struct xt_deadline_rule rule = {.sign_minutes = 60, .resolve_days = 5};
    assert_int_equal(xt_deadlines_compute(cal, from, XT_TYPE_CONSULT, false, &rule, &dl), 0);
    assert_time(dl.sign_by, at(2025, 3, 10, 9, 15));
    assert_time(dl.resolve_by, at(2025, 3, 14, 17, 30));

    /* Zero fields keep the defaults: 45 minutes Friday, 75 from Mon 09:00 =
     * 10:15; 咨询 1 day = Mon 3/10 17:30. */
    rule = (struct xt_deadline_rule){0, 0};
    assert_int_equal(xt_deadlines_compute(cal, from, XT_TYPE_CONSULT, false, &rule, &dl), 0);
    assert_time(dl.sign_by, at(2025, 3, 10, 10, 15));
    assert_time(dl.resolve_by, at(2025, 3, 10, 17, 30));

    /* A negative sign_minutes also keeps the default; 2 days = Tue 3/11. */
    rule = (struct xt_deadline_rule){-5, 2};
    assert_int_equal(xt_deadlines_compute(cal, from, XT_TYPE_SUGGESTION, false, &rule, &dl), 0);
    assert_time(dl.sign_by, at(2025, 3, 10, 10, 15));
    assert_time(dl.resolve_by, at(2025, 3, 11, 17, 30));
}

static void test_urgent(void **state)
{
    const struct xt_calendar *cal = *state;
    struct xt_deadlines dl;
    const struct xt_deadline_rule rule = {.sign_minutes = 60, .resolve_days = 5};

    /* On 国庆 2025-10-01 at 22:10, a holiday night: the clock still runs.
     * Sign by 22:40, resolve by 10-02 22:10; the category rule does not
     * apply to urgent tickets. */
    assert_int_equal(
        xt_deadlines_compute(cal, at(2025, 10, 1, 22, 10), XT_TYPE_COMPLAINT, true, &rule, &dl), 0);
    assert_time(dl.sign_by, at(2025, 10, 1, 22, 40));
    assert_time(dl.resolve_by, at(2025, 10, 2, 22, 10));

    /* Across midnight on 除夕 2025-01-28 23:50: 01-29 00:20 and 01-29
     * 23:50. */
    assert_int_equal(
        xt_deadlines_compute(cal, at(2025, 1, 28, 23, 50), XT_TYPE_HELP, true, NULL, &dl), 0);
    assert_time(dl.sign_by, at(2025, 1, 29, 0, 20));
    assert_time(dl.resolve_by, at(2025, 1, 29, 23, 50));
}

static void test_invalid_type(void **state)
{
    const struct xt_calendar *cal = *state;
    struct xt_deadlines dl = {111, 222};

    /* A failed call leaves *out as it was. */
    assert_int_equal(xt_deadlines_compute(cal, at(2025, 3, 7, 10, 0), -1, false, NULL, &dl),
                     XT_EINVAL);
    assert_int_equal(
        xt_deadlines_compute(cal, at(2025, 3, 7, 10, 0), XT_TYPE_COUNT, false, NULL, &dl),
        XT_EINVAL);
    assert_int_equal(xt_deadlines_compute(cal, at(2025, 3, 7, 10, 0), 99, true, NULL, &dl),
                     XT_EINVAL);
    assert_int_equal(dl.sign_by, 111);
    assert_int_equal(dl.resolve_by, 222);
    assert_int_equal(
        xt_deadlines_compute(cal, at(2025, 3, 7, 10, 0), XT_TYPE_HELP, false, NULL, NULL),
        XT_EINVAL);
}

static void test_extend(void **state)
{
    const struct xt_calendar *cal = *state;

    /* 求助 from Fri 2025-09-26 was due Tue 9/30 17:30. Extended by 3 working
     * days from 9/30: 10/1-10/8 off, Thu 10/9 (1), Fri 10/10 (2), Sat 10/11
     * (调休, 3) -> 10/11 17:30. */
    assert_time(xt_deadline_extend(cal, at(2025, 9, 30, 17, 30), 3), at(2025, 10, 11, 17, 30));
    /* Fri 2025-03-21 17:30 + 5: Mon 3/24 to Fri 3/28 -> 3/28 17:30. */
    assert_time(xt_deadline_extend(cal, at(2025, 3, 21, 17, 30), 5), at(2025, 3, 28, 17, 30));
    /* An urgent deadline of 10-02 22:10 + 1: the first working day after 10/2
     * is Thu 10/9. */
    assert_time(xt_deadline_extend(cal, at(2025, 10, 2, 22, 10), 1), at(2025, 10, 9, 17, 30));
    /* No days, no change. */
    assert_time(xt_deadline_extend(cal, at(2025, 3, 21, 17, 30), 0), at(2025, 3, 21, 17, 30));
}

/* ---- loading CSV ---- */

/* A calendar with one mark, to show that a rejected file leaves it alone. */
static struct xt_calendar *one_mark_calendar(void)
{
    struct xt_calendar *cal = xt_calendar_new();
    assert_non_null(cal);
    assert_int_equal(xt_calendar_set(cal, date(2025, 3, 5), XT_DAY_HOLIDAY, "before"), 0);
    return cal;
}

static void assert_unchanged(const struct xt_calendar *cal)
{
    assert_int_equal(xt_calendar_size(cal), 1);
    assert_false(xt_calendar_is_workday(cal, date(2025, 3, 5)));
    assert_string_equal(xt_calendar_day_name(cal, date(2025, 3, 5)), "before");
    /* The good row on line 2 of each bad file was not applied. */
    assert_true(xt_calendar_is_workday(cal, date(2025, 3, 4)));
}

static void expect_csv_error(const char *text, int code, const char *field, const char *line,
                             const char *detail)
{
    struct xt_calendar *cal = one_mark_calendar();
    struct xt_error err;
    xt_error_clear(&err);
    assert_int_equal(load_text(cal, text, &err), code);
    assert_int_equal(err.code, code);
    assert_string_equal(err.field, field);
    if (strncmp(err.message, line, strlen(line)) != 0 || !strstr(err.message, detail)) {
        print_error("message \"%s\" lacks \"%s\" or \"%s\"\n", err.message, line, detail);
        fail();
    }
    assert_unchanged(cal);
    xt_calendar_free(cal);
}

static void test_csv_errors(void **state)
{
    (void)state;
    /* 2025-02-30 does not exist. */
    expect_csv_error("date,kind,name\n2025-03-04,holiday,ok\n2025-02-30,holiday,bad\n", XT_EINVAL,
                     "date", "line 3:", "\"2025-02-30\"");
    /* An unknown kind. */
    expect_csv_error("date,kind,name\n2025-03-04,holiday,ok\n2025-03-06,vacation,bad\n", XT_EINVAL,
                     "kind", "line 3:", "\"vacation\"");
    /* A 调休 workday on Monday 2025-09-29 is a mistyped date (9/28 was
     * meant). */
    expect_csv_error("date,kind,name\n2025-03-04,holiday,ok\n2025-09-29,workday,国庆节\n",
                     XT_EINVAL, "date", "line 3:", "Monday");
    /* The same date twice; the error names both lines. */
    expect_csv_error(
        "date,kind,name\n2025-03-04,holiday,ok\n2025-10-01,holiday,a\n2025-10-01,holiday,b\n",
        XT_EINVAL, "date", "line 4:", "line 3");
    /* A row that stops before its kind. */
    expect_csv_error("date,kind,name\n2025-03-04,holiday,ok\n2025-03-06\n", XT_EINVAL, "kind",
                     "line 3:", "\"kind\"");
    /* A header without a date column. */
    expect_csv_error("day,kind,name\n2025-03-04,holiday,ok\n", XT_EINVAL, "date",
                     "line 1:", "\"date\"");
    /* A name that is not UTF-8. */
    expect_csv_error("date,kind,name\n2025-03-04,holiday,ok\n2025-03-06,holiday,\xff\n", XT_EINVAL,
                     "name", "line 3:", "UTF-8");
    /* An unterminated quote. */
    expect_csv_error("date,kind,name\n2025-03-04,holiday,ok\n2025-03-06,\"holiday\n", XT_EINVAL, "",
                     "line 3:", "malformed");
    /* An empty file. */
    expect_csv_error("", XT_EINVAL, "", "line 1:", "header");

    struct xt_calendar *cal = one_mark_calendar();
    struct xt_error err;
    assert_int_equal(xt_calendar_load_csv(cal, "/nonexistent/cn_holidays.csv", &err), XT_ENOTFOUND);
    assert_string_equal(err.field, "path");
    assert_int_equal(xt_calendar_size(cal), 1);
    xt_calendar_free(cal);
}

static void test_csv_merge(void **state)
{
    (void)state;
    struct xt_calendar *cal = one_mark_calendar();
    struct xt_error err;
    assert_int_equal(xt_calendar_set(cal, date(2025, 3, 8), XT_DAY_WORKDAY, "sat"), 0);

    /* CRLF endings, a blank line and a quoted name with a comma; the 3/8 row
     * replaces the earlier mark and 3/5 survives. */
    assert_int_equal(load_text(cal,
                               "date,kind,name\r\n2025-03-08,holiday,replaced\r\n\r\n"
                               "2025-03-03,holiday,\"a, b\"\r\n",
                               &err),
                     0);
    assert_int_equal(xt_calendar_size(cal), 3);
    assert_false(xt_calendar_is_workday(cal, date(2025, 3, 3)));
    assert_string_equal(xt_calendar_day_name(cal, date(2025, 3, 3)), "a, b");
    assert_false(xt_calendar_is_workday(cal, date(2025, 3, 5)));
    assert_false(xt_calendar_is_workday(cal, date(2025, 3, 8)));
    assert_string_equal(xt_calendar_day_name(cal, date(2025, 3, 8)), "replaced");

    /* Columns in another order, and no name column. */
    assert_int_equal(load_text(cal, "kind,date\nworkday,2025-03-09\n", &err), 0);
    assert_true(xt_calendar_is_workday(cal, date(2025, 3, 9)));
    assert_string_equal(xt_calendar_day_name(cal, date(2025, 3, 9)), "");
    assert_int_equal(xt_calendar_size(cal), 4);

    /* The loaded table can be marked by hand afterwards. */
    assert_int_equal(xt_calendar_set(cal, date(2025, 3, 4), XT_DAY_HOLIDAY, "later"), 0);
    assert_int_equal(xt_calendar_size(cal), 5);
    assert_false(xt_calendar_is_workday(cal, date(2025, 3, 4)));
    xt_calendar_free(cal);
}

static void test_real_file_size(void **state)
{
    const struct xt_calendar *cal = *state;
    /* 36 rows for 2024, 33 for 2025 and 39 for 2026: every day of each break
     * (weekends included) plus each 调休 workday. */
    assert_int_equal(xt_calendar_size(cal), 108);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weekend_rule),
        cmocka_unit_test(test_set_marks),
        cmocka_unit_test_setup_teardown(test_real_calendar_days, load_real, free_cal),
        cmocka_unit_test_setup_teardown(test_real_file_size, load_real, free_cal),
        cmocka_unit_test_setup_teardown(test_year_totals, load_real, free_cal),
        cmocka_unit_test(test_sign_plain_weeks),
        cmocka_unit_test_setup_teardown(test_sign_holidays, load_real, free_cal),
        cmocka_unit_test_setup_teardown(test_add_work_days_edges, load_real, free_cal),
        cmocka_unit_test_setup_teardown(test_resolve_by_type, load_real, free_cal),
        cmocka_unit_test_setup_teardown(test_resolve_national_day, load_real, free_cal),
        cmocka_unit_test_setup_teardown(test_resolve_spring_festival, load_real, free_cal),
        cmocka_unit_test_setup_teardown(test_category_rule, load_real, free_cal),
        cmocka_unit_test_setup_teardown(test_urgent, load_real, free_cal),
        cmocka_unit_test_setup_teardown(test_invalid_type, load_real, free_cal),
        cmocka_unit_test_setup_teardown(test_extend, load_real, free_cal),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_csv_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
