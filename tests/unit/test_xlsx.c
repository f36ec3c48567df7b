/* test_xlsx.c - the first sheet of a workbook as CSV: shared strings (rich
 * text, phonetic runs left out), inline strings, numbers, quoting, gaps;
 * and refusals of what is not a workbook. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "lib/buf.h"
#include "lib/xlsx.h"

static void load(struct xt_buf *b)
{
    xt_buf_init(b, 1 << 20);
    assert_int_equal(xt_buf_read_file(b, XT_SOURCE_DIR "/tests/data/people_list.xlsx"), 0);
}

static void test_sheet_as_csv(void **state)
{
    (void)state;
    struct xt_buf b, out;
    load(&b);
    assert_true(xt_xlsx_sniff(b.data, b.len));
    xt_buf_init(&out, 1 << 20);
    struct xt_error err;
    assert_int_equal(xt_xlsx_to_csv(b.data, b.len, &out, &err), 0);
    assert_string_equal(out.data,
                        "姓名,身份证号,残疾等级,网格,备注\n"
                        "嘎藏桌玛,622921198807020227,2,622921100001001,\"说明,含\"\"引号\"\"\"\n"
                        "马福海,622921195003140115,,622921100001001,独居 & 低保\n");
    xt_buf_release(&out);
    xt_buf_release(&b);
}

static void test_refusals(void **state)
{
    (void)state;
    struct xt_buf out;
    xt_buf_init(&out, 1 << 20);
    struct xt_error err;
    assert_int_equal(xt_xlsx_to_csv("a,b\n1,2\n", 8, &out, &err), XT_EINVAL);
    assert_string_equal(err.field, "file");
    struct xt_buf b;
    load(&b);
    /* cut in the middle: the directory is gone */
    assert_int_equal(xt_xlsx_to_csv(b.data, b.len / 2, &out, &err), XT_EINVAL);
    /* a damaged member: flip bytes of the sheet's compressed data, which
     * follows its name in the local header */
    const char *name = memmem(b.data, b.len, "xl/worksheets/sheet1.xml", 24);
    assert_non_null(name);
    size_t at = (size_t)(name - b.data) + 24 + 10;
    for (size_t i = at; i < at + 20 && i < b.len; i++)
        b.data[i] ^= 0x5A;
    assert_int_equal(xt_xlsx_to_csv(b.data, b.len, &out, &err), XT_EINVAL);
    xt_buf_release(&b);
    xt_buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sheet_as_csv),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
