/* test_sheet.c - tests for src/lib/sheet.c: the CSV writer byte by byte,
 * and an XLSX that is a real zip holding the cells. */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/sheet.h"
#include "lib/xtime.h"

static char *field(const char *text)
{
    struct xt_buf b;
    xt_buf_init(&b, 0);
    assert_int_equal(xt_csv_put_field(&b, text), 0);
    return xt_buf_detach(&b);
}

static void expect_field(const char *text, const char *want)
{
    char *got = field(text);
    assert_string_equal(got, want);
    free(got);
}

static void test_csv_field_quoting_and_guard(void **state)
{
    (void)state;
    expect_field("plain", "plain");
    expect_field("临夏县", "临夏县");
    expect_field("", "");
    expect_field(NULL, "");
    expect_field("a,b", "\"a,b\"");
    expect_field("say \"hi\"", "\"say \"\"hi\"\"\"");
    expect_field("two\nlines", "\"two\nlines\"");
    expect_field("cr\rhere", "\"cr\rhere\"");
    expect_field(" padded", "\" padded\"");
    expect_field("padded ", "\"padded \"");
    /* Formula injection: = + - @ tab CR first get an apostrophe. */
    expect_field("=1+1", "'=1+1");
    expect_field("+86 138", "'+86 138");
    expect_field("-2", "'-2");
    expect_field("@SUM(A1)", "'@SUM(A1)");
    expect_field("\tx", "'\tx");
    expect_field("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    expect_field("a=b", "a=b");
}

static const struct xt_sheet_col COLS[] = {
    {"名称", XT_COL_TEXT, 0}, {"count", XT_COL_INT, 0}, {"rate", XT_COL_PERCENT, 0},
    {"at", XT_COL_TIME, 0},   {"day", XT_COL_DATE, 0},  {"lat", XT_COL_NUMBER, 0},
};

static void test_csv_sheet(void **state)
{
    (void)state;
    struct xt_sheet *s;
    assert_int_equal(xt_sheet_new(XT_SHEET_CSV, "t", COLS, 6, 0, &s, NULL), 0);
    /* 2026-11-26 09:30:05 +08:00 */
    int64_t t = xt_day_start(xt_days_from_civil(2026, 11, 26)) + 9 * 3600 + 30 * 60 + 5;
    assert_int_equal(xt_sheet_text(s, "韩集镇, 1"), 0);
    assert_int_equal(xt_sheet_int(s, -42), 0);
    assert_int_equal(xt_sheet_percent(s, 0.875), 0);
    assert_int_equal(xt_sheet_time(s, t), 0);
    assert_int_equal(xt_sheet_date(s, t), 0);
    assert_int_equal(xt_sheet_number(s, 35.5012341), 0);
    assert_int_equal(xt_sheet_end_row(s), 0);
    /* Empty cells: NaN, a zero time, a short row. */
    assert_int_equal(xt_sheet_text(s, "=cmd"), 0);
    assert_int_equal(xt_sheet_int(s, 0), 0);
    assert_int_equal(xt_sheet_percent(s, NAN), 0);
    assert_int_equal(xt_sheet_time(s, 0), 0);
    assert_int_equal(xt_sheet_end_row(s), 0);
    assert_int_equal(xt_sheet_rows(s), 2);
    char *data;
    size_t len;
    assert_int_equal(xt_sheet_finish(s, &data, &len, NULL), 0);
    const char *want = "\xEF\xBB\xBF"
                       "名称,count,rate,at,day,lat\r\n"
                       "\"韩集镇, 1\",-42,87.5%,2026-11-26 09:30:05,2026-11-26,35.501234\r\n"
                       "'=cmd,0,,,,\r\n";
    assert_int_equal(len, strlen(want));
    assert_memory_equal(data, want, len);
    free(data);
    xt_sheet_free(s);
}

static void test_sheet_misuse(void **state)
{
    (void)state;
    struct xt_sheet *s = NULL;
    assert_int_equal(xt_sheet_new(9, "t", COLS, 6, 0, &s, NULL), XT_EINVAL);
    assert_null(s);
    assert_int_equal(xt_sheet_new(XT_SHEET_CSV, "t", COLS, 0, 0, &s, NULL), XT_EINVAL);
    /* A cell past the last column fails, and the failure sticks. */
    assert_int_equal(xt_sheet_new(XT_SHEET_CSV, "t", COLS, 1, 0, &s, NULL), 0);
    assert_int_equal(xt_sheet_text(s, "a"), 0);
    assert_int_equal(xt_sheet_text(s, "b"), XT_EINVAL);
    assert_int_equal(xt_sheet_end_row(s), XT_EINVAL);
    char *data;
    size_t len;
    assert_int_not_equal(xt_sheet_finish(s, &data, &len, NULL), 0);
    assert_null(data);
    xt_sheet_free(s);
    /* The size cap. */
    assert_int_equal(xt_sheet_new(XT_SHEET_CSV, "t", COLS, 1, 64, &s, NULL), 0);
    int rc = 0;
    for (int i = 0; i < 20 && !rc; i++)
        rc = xt_sheet_text(s, "0123456789") ? -1 : xt_sheet_end_row(s);
    assert_int_equal(rc == XT_ETOOBIG || rc == -1, 1);
    xt_sheet_free(s);
    xt_sheet_free(NULL);
    assert_int_equal(xt_sheet_format_parse("csv"), XT_SHEET_CSV);
    assert_int_equal(xt_sheet_format_parse("xlsx"), XT_SHEET_XLSX);
    assert_int_equal(xt_sheet_format_parse("xls"), 0);
}

/* Unzip one member of the workbook with Debian's unzip into a string. */
static char *unzip_member(const char *zip, const char *member)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "unzip -p '%s' '%s'", zip, member);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    struct xt_buf b;
    xt_buf_init(&b, 0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
        assert_int_equal(xt_buf_append(&b, chunk, n), 0);
    assert_int_equal(pclose(p), 0);
    return xt_buf_detach(&b);
}

static void test_xlsx_sheet(void **state)
{
    (void)state;
    struct xt_sheet *s;
    assert_int_equal(xt_sheet_new(XT_SHEET_XLSX, "工单:2026/11", COLS, 6, 0, &s, NULL), 0);
    int64_t t = xt_day_start(xt_days_from_civil(2026, 11, 26)) + 12 * 3600;
    xt_sheet_text(s, "=not a formula");
    xt_sheet_int(s, 7);
    xt_sheet_percent(s, 0.25);
    xt_sheet_time(s, t);
    xt_sheet_date(s, t);
    xt_sheet_number(s, NAN);
    assert_int_equal(xt_sheet_end_row(s), 0);
    char *data;
    size_t len;
    assert_int_equal(xt_sheet_finish(s, &data, &len, NULL), 0);
    xt_sheet_free(s);
    assert_true(len > 1000);
    assert_memory_equal(data, "PK\x03\x04", 4);
    char path[] = "/tmp/xietong-test-sheet-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    free(data);

    char *wb = unzip_member(path, "xl/workbook.xml");
    assert_non_null(strstr(wb, "name=\"工单_2026_11\""));
    free(wb);
    char *strings = unzip_member(path, "xl/sharedStrings.xml");
    assert_non_null(strstr(strings, "<t>名称</t>"));
    assert_non_null(strstr(strings, "<t>=not a formula</t>"));
    free(strings);
    char *sheet = unzip_member(path, "xl/worksheets/sheet1.xml");
    assert_null(strstr(sheet, "<f>")); /* no formula anywhere */
    assert_non_null(strstr(sheet, "<c r=\"B2\"><v>7</v></c>"));
    /* 2026-11-26 12:00 is Excel serial 46352.5; a date is 46352. */
    assert_non_null(strstr(sheet, "<v>46352.5</v>"));
    assert_non_null(strstr(sheet, "<v>46352</v>"));
    assert_non_null(strstr(sheet, "<v>0.25</v>"));
    assert_null(strstr(sheet, "r=\"F2\"")); /* NaN is an empty cell */
    assert_non_null(strstr(sheet, "state=\"frozen\""));
    free(sheet);
    char *styles = unzip_member(path, "xl/styles.xml");
    assert_non_null(strstr(styles, "formatCode=\"yyyy-mm-dd hh:mm:ss\""));
    assert_non_null(strstr(styles, "formatCode=\"yyyy-mm-dd\""));
    free(styles);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_field_quoting_and_guard),
        cmocka_unit_test(test_csv_sheet),
        cmocka_unit_test(test_sheet_misuse),
        cmocka_unit_test(test_xlsx_sheet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
