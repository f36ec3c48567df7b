/* test_xtime.c - civil dates and RFC 3339 times in UTC+08:00
 * (src/lib/xtime.c).
 *
 * The reference for dates is an independent day-by-day walk of the
 * Gregorian calendar from 1900-01-01 (day -25567, a Monday) to 2100-12-31,
 * with the leap-year rule written out again here.
 */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "lib/err.h"
#include "lib/xtime.h"

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dm[m - 1];
}

/* Walk every date of 1900..2100 and compare both directions and the
 * weekday with the walk. */
static void test_civil_round_trip(void **state)
{
    (void)state;
    int32_t day = -25567; /* 1900-01-01: 70 years of 365 days + 17 leap days before 1970 */
    int weekday = 0;      /* 1900-01-01 was a Monday */
    long n = 0;
    for (int y = 1900; y <= 2100; y++) {
        for (int m = 1; m <= 12; m++) {
            for (int d = 1; d <= month_days(y, m); d++) {
                if (xt_days_from_civil(y, m, d) != day)
                    fail_msg("%04d-%02d-%02d: %d, want %d", y, m, d, xt_days_from_civil(y, m, d),
                             day);
                int yy, mm, dd;
                xt_civil_from_days(day, &yy, &mm, &dd);
                if (yy != y || mm != m || dd != d)
                    fail_msg("day %d: %04d-%02d-%02d, want %04d-%02d-%02d", day, yy, mm, dd, y, m,
                             d);
                if (xt_weekday(day) != weekday)
                    fail_msg("%04d-%02d-%02d: weekday %d, want %d", y, m, d, xt_weekday(day),
                             weekday);
                char s[11];
                xt_date_format(day, s);
                int32_t back;
                assert_int_equal(xt_date_parse(s, &back), 0);
                assert_int_equal(back, day);
                day++;
                weekday = (weekday + 1) % 7;
                n++;
            }
        }
    }
    /* 201 years, 49 of them leap (1900 and 2100 are not, 2000 is). */
    assert_int_equal(n, 201 * 365 + 49);
    assert_int_equal(day - 1, 47846); /* 2100-12-31 */
}

static void test_anchors(void **state)
{
    (void)state;
    assert_int_equal(xt_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(xt_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(xt_days_from_civil(2025, 3, 14), 20161);
    assert_int_equal(xt_weekday(0), 3);                                /* Thursday */
    assert_int_equal(xt_weekday(xt_days_from_civil(2025, 3, 14)), 4);  /* Friday */
    assert_int_equal(xt_weekday(xt_days_from_civil(2000, 1, 1)), 5);   /* Saturday */
    assert_int_equal(xt_weekday(xt_days_from_civil(2025, 3, 16)), 6);  /* Sunday */
    assert_int_equal(xt_weekday(xt_days_from_civil(1969, 12, 29)), 0); /* Monday */
    assert_int_equal(xt_weekday(-1), 2);
    assert_int_equal(xt_weekday(-7), 3);
}

static void test_local_day(void **state)
{
    (void)state;
    /* 1970-01-01T00:00:00Z is 08:00 local on day 0; local midnight of day
     * 0 is 1969-12-31T16:00:00Z = -28800. */
    assert_int_equal(xt_local_day(0), 0);
    assert_int_equal(xt_day_start(0), -28800);
    assert_int_equal(xt_local_day(-28800), 0);
    assert_int_equal(xt_local_day(-28801), -1);
    assert_int_equal(xt_local_day(86400 - 28800 - 1), 0);
    assert_int_equal(xt_local_day(86400 - 28800), 1);
    /* 2025-03-14T16:00:00Z is 2025-03-15 00:00 local. */
    int64_t t = (int64_t)20161 * 86400 + 16 * 3600;
    assert_int_equal(xt_local_day(t - 1), 20161);
    assert_int_equal(xt_local_day(t), 20162);
    for (int32_t d = -30000; d < 50000; d += 97)
        assert_int_equal(xt_local_day(xt_day_start(d)), d);
}

static void test_format(void **state)
{
    (void)state;
    char s[26];
    xt_time_format(0, s);
    assert_string_equal(s, "1970-01-01T08:00:00+08:00");
    xt_time_format(-28801, s);
    assert_string_equal(s, "1969-12-31T23:59:59+08:00");
    /* Friday 2025-03-14 16:30 local = 08:30Z. */
    int64_t t = (int64_t)20161 * 86400 + 8 * 3600 + 30 * 60;
    xt_time_format(t, s);
    assert_string_equal(s, "2025-03-14T16:30:00+08:00");
    xt_time_format(xt_day_start(xt_days_from_civil(1900, 1, 1)), s);
    assert_string_equal(s, "1900-01-01T00:00:00+08:00");
    xt_time_format(xt_day_start(xt_days_from_civil(2100, 12, 31)) + 86399, s);
    assert_string_equal(s, "2100-12-31T23:59:59+08:00");
    char d[11];
    xt_date_format(20161, d);
    assert_string_equal(d, "2025-03-14");
}

static void parses(const char *s, int64_t want)
{
    int64_t got = 0;
    int rc = xt_time_parse(s, &got);
    if (rc != 0)
        fail_msg("'%s': rc %d", s, rc);
    if (got != want)
        fail_msg("'%s': %lld, want %lld", s, (long long)got, (long long)want);
}

static void test_parse(void **state)
{
    (void)state;
    /* 2025-03-14T08:30:00Z, written four ways. */
    const int64_t t = (int64_t)20161 * 86400 + 8 * 3600 + 30 * 60;
    parses("2025-03-14T08:30:00Z", t);
    parses("2025-03-14T16:30:00+08:00", t);
    parses("2025-03-14T03:00:00-05:30", t);
    parses("2025-03-14 16:30:00+08:00", t);
    /* Fractions are accepted and dropped. */
    parses("2025-03-14T08:30:00.5Z", t);
    parses("2025-03-14T16:30:00.123456789+08:00", t);
    parses("2025-03-14T03:00:00.999-05:30", t);
    /* An offset moves the date: 2025-03-15T00:30+08:00 is still the 14th UTC. */
    parses("2025-03-15T00:30:00+08:00", (int64_t)20161 * 86400 + 16 * 3600 + 30 * 60);
    /* A bare date is local midnight. */
    parses("2025-03-14", xt_day_start(20161));
    /* Leap days. */
    parses("2024-02-29T00:00:00Z", (int64_t)xt_days_from_civil(2024, 2, 29) * 86400);
    parses("2000-02-29T12:00:00Z", (int64_t)xt_days_from_civil(2000, 2, 29) * 86400 + 43200);
    parses("1900-03-01T00:00:00Z", (int64_t)xt_days_from_civil(1900, 3, 1) * 86400);
    /* The last second of a day and a -00:00 offset. */
    parses("2025-12-31T23:59:59-00:00", (int64_t)xt_days_from_civil(2025, 12, 31) * 86400 + 86399);
}

static void test_parse_round_trip(void **state)
{
    (void)state;
    /* From 1900 to 2100 in strides that visit every second-of-day residue
     * class often enough to catch an off-by-one in any field. */
    int64_t first = xt_day_start(xt_days_from_civil(1900, 1, 1));
    int64_t last = xt_day_start(xt_days_from_civil(2100, 12, 31)) + 86399;
    for (int64_t t = first; t <= last; t += 86400 * 13 + 3607) {
        char s[26];
        xt_time_format(t, s);
        parses(s, t);
    }
    parses("2100-12-31T23:59:59+08:00", last);
}

static void test_parse_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2025-02-30T00:00:00Z",      /* no 30 February */
        "2025-02-29T00:00:00Z",      /* 2025 is not a leap year */
        "1900-02-29T00:00:00Z",      /* nor is 1900 */
        "2025-02-30",                /* bare date, same */
        "2025-04-31",                /* April has 30 days */
        "2025-13-01T00:00:00Z",      /* month 13 */
        "2025-00-10T00:00:00Z",      /* month 0 */
        "2025-03-00T00:00:00Z",      /* day 0 */
        "2025-03-14T24:00:00Z",      /* hour 24 */
        "2025-03-14T12:60:00Z",      /* minute 60 */
        "2025-03-14T12:00:61Z",      /* second 61 */
        "2025-03-14T12:00:00",       /* offset missing */
        "2025-03-14T12:00:00.5",     /* offset missing after a fraction */
        "2025-03-14T12:00:00.Z",     /* empty fraction */
        "2025-03-14T12:00:00+0800",  /* offset without colon */
        "2025-03-14T12:00:00+08",    /* short offset */
        "2025-03-14T12:00:00+24:00", /* offset hour 24 */
        "2025-03-14T12:00:00+08:60", /* offset minute 60 */
        "2025-03-14T12:00:00Zjunk",  /* trailing text */
        "2025-03-14T12:00:00z",      /* lower-case z */
        "2025-03-14X12:00:00Z",      /* bad separator */
        "2025-03-14T1:00:00Z",       /* one-digit hour */
        "2025-3-14",                 /* one-digit month */
        "25-03-14",                  /* two-digit year */
        "1899-12-31T23:59:59Z",      /* before 1900 */
        "",
        "now",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t t = 12345;
        if (xt_time_parse(bad[i], &t) != XT_EINVAL)
            fail_msg("'%s' was accepted as %lld", bad[i], (long long)t);
        assert_int_equal(t, 12345); /* a failed parse writes nothing */
    }
    int64_t t;
    assert_int_equal(xt_time_parse(NULL, &t), XT_EINVAL);
    int32_t d = 7;
    assert_int_equal(xt_date_parse("2025-02-30", &d), XT_EINVAL);
    assert_int_equal(xt_date_parse("2025-03-14T00:00:00Z", &d), XT_EINVAL);
    assert_int_equal(xt_date_parse("2025-03-1", &d), XT_EINVAL);
    assert_int_equal(xt_date_parse(NULL, &d), XT_EINVAL);
    assert_int_equal(d, 7);
}

static void test_months(void **state)
{
    (void)state;
    int m = 0;
    assert_int_equal(xt_month_parse("2025-03", &m), 0);
    assert_int_equal(m, 202503);
    assert_int_equal(xt_month_parse("1900-12", &m), 0);
    assert_int_equal(m, 190012);
    static const char *const bad[] = {"2025-13",    "2025-00", "2025-3",  "2025/03", "202503",
                                      "2025-03-01", "1899-12", "abcd-ef", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        m = 7;
        if (xt_month_parse(bad[i], &m) != XT_EINVAL)
            fail_msg("'%s' was accepted as %d", bad[i], m);
        assert_int_equal(m, 7);
    }
    assert_int_equal(xt_month_parse(NULL, &m), XT_EINVAL);

    /* Month keys of instants, at the local month boundary. */
    int64_t start = xt_month_start(202504); /* 2025-04-01T00:00:00+08:00 */
    assert_int_equal(start, xt_day_start(xt_days_from_civil(2025, 4, 1)));
    assert_int_equal(xt_month_of(start), 202504);
    assert_int_equal(xt_month_of(start - 1), 202503);
    /* 2025-03-31T16:00:00Z is already April in China. */
    assert_int_equal(xt_month_of((int64_t)xt_days_from_civil(2025, 3, 31) * 86400 + 16 * 3600),
                     202504);
    assert_int_equal(xt_month_next(202503), 202504);
    assert_int_equal(xt_month_next(202512), 202601);
    assert_int_equal(xt_month_start(xt_month_next(202512)),
                     xt_day_start(xt_days_from_civil(2026, 1, 1)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil_round_trip),
        cmocka_unit_test(test_anchors),
        cmocka_unit_test(test_local_day),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_round_trip),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_months),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
