/* test_privacy.c - masking and checking of personal fields. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/privacy.h"
#include "lib/err.h"

static void expect_mask(void (*fn)(const char *, char *, size_t), const char *in, const char *want)
{
    char out[128];
    memset(out, 'x', sizeof(out));
    fn(in, out, sizeof(out));
    assert_string_equal(out, want);
}

/* ---- names -------------------------------------------------------------- */

static void test_mask_name_examples(void **state)
{
    (void)state;
    expect_mask(xt_mask_name, "张三", "张*");
    expect_mask(xt_mask_name, "欧阳娜娜", "欧***");
    expect_mask(xt_mask_name, "王", "*");
    expect_mask(xt_mask_name, "Abdulla", "A******");
    expect_mask(xt_mask_name, "A", "*");
    expect_mask(xt_mask_name, "买买提·吐尔逊", "买******");
    expect_mask(xt_mask_name, "", "");
    expect_mask(xt_mask_name, NULL, "");
    /* A 4-byte first character is kept whole. */
    expect_mask(xt_mask_name,
                "\xF0\xA0\x80\x80"
                "明",
                "\xF0\xA0\x80\x80*");
}

static void test_mask_name_invalid_utf8(void **state)
{
    (void)state;
    /* A lone lead byte must not be copied out as a broken first character. */
    expect_mask(xt_mask_name, "\xE5\xBC", "**");
    expect_mask(xt_mask_name,
                "a\xFF"
                "b",
                "***");
}

static void test_mask_name_truncation(void **state)
{
    (void)state;
    char out[8];
    /* "欧" takes 3 bytes, leaving room for 4 stars and the NUL. */
    xt_mask_name("欧阳娜娜娜娜娜", out, sizeof(out));
    assert_string_equal(out, "欧****");
    /* Too small for the first character: nothing rather than half of it. */
    xt_mask_name("张三", out, 3);
    assert_string_equal(out, "");
    xt_mask_name("张三", out, 1);
    assert_string_equal(out, "");
    /* outsz 0 writes nothing at all. */
    out[0] = 'q';
    xt_mask_name("张三", out, 0);
    assert_int_equal(out[0], 'q');
    xt_mask_name("张三", NULL, 16);
}

/* ---- phones ------------------------------------------------------------- */

static void test_mask_phone_examples(void **state)
{
    (void)state;
    expect_mask(xt_mask_phone, "13812345678", "138****5678");
    expect_mask(xt_mask_phone, "+8613812345678", "+86138****5678");
    expect_mask(xt_mask_phone, "+86 13812345678", "+86 138****5678");
    expect_mask(xt_mask_phone, "0930-1234567", "0930-*****67");
    expect_mask(xt_mask_phone, "010-12345678", "010-******78");
    expect_mask(xt_mask_phone, "09301234567", "0930*****67");
    expect_mask(xt_mask_phone, "01012345678", "010******78");
    expect_mask(xt_mask_phone, "02712345678", "027******78");
}

static void test_mask_phone_other(void **state)
{
    (void)state;
    expect_mask(xt_mask_phone, "12345", "***45");
    expect_mask(xt_mask_phone, "138 1234 5678", "***********78");
    expect_mask(xt_mask_phone, "123", "*23");
    /* Too short to keep anything back. */
    expect_mask(xt_mask_phone, "12", "**");
    expect_mask(xt_mask_phone, "1", "*");
    expect_mask(xt_mask_phone, "", "");
    expect_mask(xt_mask_phone, NULL, "");
    expect_mask(xt_mask_phone, "电话12", "**12");
    expect_mask(xt_mask_phone, "无电话", "*电话");
    expect_mask(xt_mask_phone,
                "1\xFF"
                "2345",
                "******");
}

static void test_mask_phone_truncation(void **state)
{
    (void)state;
    char out[6];
    xt_mask_phone("13812345678", out, sizeof(out));
    assert_string_equal(out, "138**");
}

static void expect_phone_ok(const char *phone)
{
    struct xt_error err;
    xt_error_clear(&err);
    assert_int_equal(xt_phone_check(phone, &err), 0);
    assert_string_equal(err.field, "");
}

static void expect_phone_bad(const char *phone)
{
    struct xt_error err;
    xt_error_clear(&err);
    assert_int_equal(xt_phone_check(phone, &err), XT_EINVAL);
    assert_int_equal(err.code, XT_EINVAL);
    assert_string_equal(err.field, "contact.phone");
    assert_true(strlen(err.message) > 0);
    /* The reason must not copy the number into logs. */
    if (phone && strlen(phone) >= 5)
        assert_null(strstr(err.message, phone));
}

static void test_phone_check(void **state)
{
    (void)state;
    expect_phone_ok("13812345678");
    expect_phone_ok("19912345678");
    expect_phone_ok("+8613812345678");
    expect_phone_ok("+86 13812345678");
    expect_phone_ok("+86-13812345678");
    expect_phone_ok("0930-1234567");
    expect_phone_ok("010-12345678");
    expect_phone_ok("09301234567");
    expect_phone_ok("0101234567");
    expect_phone_ok("093012345678");
    expect_phone_ok("+86 0930-1234567");

    expect_phone_bad(NULL);
    expect_phone_bad("");
    expect_phone_bad("12812345678");   /* 12 is not a mobile prefix */
    expect_phone_bad("1381234567");    /* 10 digits */
    expect_phone_bad("138123456789");  /* 12 digits */
    expect_phone_bad("138-1234-5678"); /* separators */
    expect_phone_bad("138 1234 5678");
    expect_phone_bad("+1 2025550123"); /* another country */
    expect_phone_bad("+8513812345678");
    expect_phone_bad("0930-765432");    /* 6 local digits */
    expect_phone_bad("0930-765432198"); /* 9 local digits */
    expect_phone_bad("09-1234567");     /* 1-digit area code */
    expect_phone_bad("09300-1234567");  /* 4-digit area code */
    expect_phone_bad("0030-1234567");   /* international prefix */
    expect_phone_bad("0930--1234567");
    expect_phone_bad("0930-12345a7");
    expect_phone_bad("093012345");     /* too few digits */
    expect_phone_bad("0930123456789"); /* too many */
    expect_phone_bad("23812345678");
    expect_phone_bad("１３８１２３４５６７８"); /* full-width digits */
    expect_phone_bad("+86");
    expect_phone_bad("+86 ");

    /* err may be NULL. */
    assert_int_equal(xt_phone_check("x", NULL), XT_EINVAL);
    assert_int_equal(xt_phone_check("13812345678", NULL), 0);
}

static void test_phone_check_reasons(void **state)
{
    (void)state;
    struct xt_error err;
    xt_phone_check("", &err);
    assert_string_equal(err.message, "is required");
    xt_phone_check("12812345678", &err);
    assert_non_null(strstr(err.message, "13 to 19"));
    xt_phone_check("0930-123", &err);
    assert_non_null(strstr(err.message, "landline"));
    xt_phone_check("+44 2079460000", &err);
    assert_non_null(strstr(err.message, "+86"));
}

/* ---- name checks -------------------------------------------------------- */

static void expect_name_bad(const char *name, const char *reason)
{
    struct xt_error err;
    xt_error_clear(&err);
    assert_int_equal(xt_name_check(name, &err), XT_EINVAL);
    assert_string_equal(err.field, "contact.name");
    assert_non_null(strstr(err.message, reason));
}

static void test_name_check(void **state)
{
    (void)state;
    struct xt_error err;
    xt_error_clear(&err);
    assert_int_equal(xt_name_check("张三", &err), 0);
    assert_int_equal(xt_name_check("王", &err), 0);
    assert_int_equal(xt_name_check("Abdulla Tursun", &err), 0);
    assert_int_equal(xt_name_check("买买提·吐尔逊", &err), 0);
    assert_int_equal(xt_name_check("ئابدۇللا", &err), 0); /* Uyghur script */
    assert_string_equal(err.field, "");

    /* 40 characters of 3 bytes each are allowed; 41 are not. */
    char name[200];
    for (int i = 0; i < 41; i++)
        memcpy(name + 3 * i, "阿", 3);
    name[3 * 41] = '\0';
    expect_name_bad(name, "at most 40 characters");
    name[3 * 40] = '\0';
    assert_int_equal(xt_name_check(name, NULL), 0);

    expect_name_bad(NULL, "required");
    expect_name_bad("", "required");
    expect_name_bad("\xE5\xBC", "UTF-8");
    expect_name_bad("\xC0\xAF", "UTF-8"); /* overlong '/' */
    expect_name_bad("张\n三", "control");
    expect_name_bad("张\t三", "control");
    expect_name_bad("a\x7F", "control");
    expect_name_bad("a\xC2\x85", "control"); /* U+0085 NEL */
    expect_name_bad("a\xE2\x80\xA8"
                    "b",
                    "control"); /* U+2028 */
    expect_name_bad("   ", "spaces");
    expect_name_bad("\xE3\x80\x80", "spaces"); /* U+3000 */
    assert_int_equal(xt_name_check("x\ny", NULL), XT_EINVAL);
}

/* ---- ID numbers --------------------------------------------------------- */

static void test_mask_id_number(void **state)
{
    (void)state;
    expect_mask(xt_mask_id_number, "622921199003071234", "622921********1234");
    expect_mask(xt_mask_id_number, "62292119900307123X", "622921********123X");
    expect_mask(xt_mask_id_number, "622921900307123", "622921******123");
    expect_mask(xt_mask_id_number, "12345", "***45");
    expect_mask(xt_mask_id_number, "12", "**");
    expect_mask(xt_mask_id_number, "", "");
    expect_mask(xt_mask_id_number, NULL, "");
    /* 18 bytes that are not 18 characters: no cut inside a character. */
    expect_mask(xt_mask_id_number, "身份证号码缺", "****码缺");

    char out[10];
    xt_mask_id_number("622921199003071234", out, sizeof(out));
    assert_string_equal(out, "622921***");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mask_name_examples),   cmocka_unit_test(test_mask_name_invalid_utf8),
        cmocka_unit_test(test_mask_name_truncation), cmocka_unit_test(test_mask_phone_examples),
        cmocka_unit_test(test_mask_phone_other),     cmocka_unit_test(test_mask_phone_truncation),
        cmocka_unit_test(test_phone_check),          cmocka_unit_test(test_phone_check_reasons),
        cmocka_unit_test(test_name_check),           cmocka_unit_test(test_mask_id_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
