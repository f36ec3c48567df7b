/* test_unit.c - unit codes, levels and subtree tests (src/core/unit.c).
 *
 * Codes are the statistical division codes, which nest by prefix: province
 * 2 digits, city 4, county 6, township 9, village 12, grid 15 (village code
 * + 3-digit sequence); a county department is its county code, 'D' and two
 * digits. The codes below are real ones of 临夏回族自治州 (6229).
 */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/unit.h"
#include "lib/err.h"

static void test_level_of_code(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        int level;
    } cases[] = {
        {"62", XT_LEVEL_PROVINCE},
        {"6229", XT_LEVEL_CITY},
        {"622921", XT_LEVEL_COUNTY},
        {"622921100", XT_LEVEL_TOWNSHIP},
        {"622921100001", XT_LEVEL_VILLAGE},
        {"622921100001001", XT_LEVEL_GRID},
        {"622921D03", XT_LEVEL_DEPARTMENT},
        {"622921D99", XT_LEVEL_DEPARTMENT},
        /* Wrong lengths. */
        {"", XT_LEVEL_NONE},
        {"6", XT_LEVEL_NONE},
        {"622", XT_LEVEL_NONE},
        {"62292", XT_LEVEL_NONE},
        {"6229211", XT_LEVEL_NONE},
        {"62292110", XT_LEVEL_NONE},
        {"6229211000", XT_LEVEL_NONE},
        {"6229211000010", XT_LEVEL_NONE},
        {"62292110000100", XT_LEVEL_NONE},
        {"6229211000010011", XT_LEVEL_NONE},
        /* Not digits, or a malformed department. */
        {"6a", XT_LEVEL_NONE},
        {"62292a", XT_LEVEL_NONE},
        {"62292110 ", XT_LEVEL_NONE},
        {"-22921100", XT_LEVEL_NONE},
        {"622921D3", XT_LEVEL_NONE},
        {"622921D003", XT_LEVEL_NONE},
        {"622921d03", XT_LEVEL_NONE},
        {"622921DD3", XT_LEVEL_NONE},
        {"622921D0x", XT_LEVEL_NONE},
        {"62292XD03", XT_LEVEL_NONE},
        {"622921X03", XT_LEVEL_NONE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (xt_unit_level_of_code(cases[i].code) != cases[i].level)
            fail_msg("'%s': level %d, want %d", cases[i].code, xt_unit_level_of_code(cases[i].code),
                     cases[i].level);
    }
    assert_int_equal(xt_unit_level_of_code(NULL), XT_LEVEL_NONE);
}

static void test_level_names(void **state)
{
    (void)state;
    static const char *const names[] = {NULL,       "province", "city", "county",
                                        "township", "village",  "grid", "department"};
    for (int l = XT_LEVEL_PROVINCE; l <= XT_LEVEL_DEPARTMENT; l++) {
        assert_string_equal(xt_unit_level_name(l), names[l]);
        assert_int_equal(xt_unit_level_parse(names[l]), l);
    }
    assert_null(xt_unit_level_name(XT_LEVEL_NONE));
    assert_null(xt_unit_level_name(8));
    assert_null(xt_unit_level_name(-1));
    assert_int_equal(xt_unit_level_parse("bogus"), XT_LEVEL_NONE);
    assert_int_equal(xt_unit_level_parse("Township"), XT_LEVEL_NONE);
    assert_int_equal(xt_unit_level_parse(""), XT_LEVEL_NONE);
    assert_int_equal(xt_unit_level_parse(NULL), XT_LEVEL_NONE);
    assert_string_equal(xt_unit_kind_name(XT_KIND_URBAN), "urban");
    assert_string_equal(xt_unit_kind_name(XT_KIND_RURAL), "rural");
    assert_null(xt_unit_kind_name(XT_KIND_NONE));
}

static void test_check_valid(void **state)
{
    (void)state;
    struct xt_error err;
    xt_error_clear(&err);
    assert_int_equal(xt_unit_check("62", "", XT_LEVEL_PROVINCE, &err), 0);
    assert_int_equal(xt_unit_check("62", NULL, XT_LEVEL_PROVINCE, &err), 0);
    assert_int_equal(xt_unit_check("6229", "62", XT_LEVEL_CITY, &err), 0);
    assert_int_equal(xt_unit_check("622921", "6229", XT_LEVEL_COUNTY, &err), 0);
    assert_int_equal(xt_unit_check("622921100", "622921", XT_LEVEL_TOWNSHIP, &err), 0);
    assert_int_equal(xt_unit_check("622921100001", "622921100", XT_LEVEL_VILLAGE, &err), 0);
    assert_int_equal(xt_unit_check("622921100001001", "622921100001", XT_LEVEL_GRID, &err), 0);
    assert_int_equal(xt_unit_check("622921D03", "622921", XT_LEVEL_DEPARTMENT, &err), 0);
    assert_int_equal(err.code, XT_OK);
}

/* Check and expect a refusal naming field, with the code (or parent) in
 * the message. */
static void check_bad(const char *code, const char *parent, int level, const char *field,
                      const char *in_message)
{
    struct xt_error err;
    xt_error_clear(&err);
    int rc = xt_unit_check(code, parent, level, &err);
    if (rc != XT_EINVAL)
        fail_msg("'%s' under '%s' at level %d: rc %d, want XT_EINVAL", code ? code : "(null)",
                 parent ? parent : "(null)", level, rc);
    assert_int_equal(err.code, XT_EINVAL);
    assert_string_equal(err.field, field);
    if (in_message && !strstr(err.message, in_message))
        fail_msg("message '%s' does not name '%s'", err.message, in_message);
}

static void test_check_errors(void **state)
{
    (void)state;
    /* The code must have its level's shape. */
    check_bad("", "62", XT_LEVEL_CITY, "code", NULL);
    check_bad(NULL, "62", XT_LEVEL_CITY, "code", NULL);
    check_bad("62292", "6229", XT_LEVEL_COUNTY, "code", "62292");
    check_bad("622921100", "6229", XT_LEVEL_COUNTY, "code", "622921100");
    check_bad("622921", "62", XT_LEVEL_CITY, "code", "622921");
    check_bad("62292110000a", "622921100", XT_LEVEL_VILLAGE, "code", "62292110000a");
    check_bad("622921100001", "622921100", XT_LEVEL_GRID, "code", "622921100001");
    check_bad("622921D3", "622921", XT_LEVEL_DEPARTMENT, "code", "622921D3");
    check_bad("622921103", "622921", XT_LEVEL_DEPARTMENT, "code", "622921103");
    /* The parent must be the code's prefix of the level above. */
    check_bad("622921100", "622922", XT_LEVEL_TOWNSHIP, "parent_code", "622922");
    check_bad("622921100", "6229", XT_LEVEL_TOWNSHIP, "parent_code", "6229");
    check_bad("622921100", "", XT_LEVEL_TOWNSHIP, "parent_code", "622921100");
    check_bad("622921100", NULL, XT_LEVEL_TOWNSHIP, "parent_code", "622921100");
    check_bad("622921100001", "622921101", XT_LEVEL_VILLAGE, "parent_code", "622921101");
    check_bad("622921100001001", "622921100", XT_LEVEL_GRID, "parent_code", "622921100");
    check_bad("6229", "63", XT_LEVEL_CITY, "parent_code", "63");
    /* A department's parent is its county, not a township or the city. */
    check_bad("622921D03", "622921100", XT_LEVEL_DEPARTMENT, "parent_code", "622921100");
    check_bad("622921D03", "6229", XT_LEVEL_DEPARTMENT, "parent_code", "6229");
    check_bad("622921D03", "622922", XT_LEVEL_DEPARTMENT, "parent_code", "622922");
    /* A province has no parent. */
    check_bad("62", "6", XT_LEVEL_PROVINCE, "parent_code", NULL);
    /* An unknown level. */
    check_bad("62", "", XT_LEVEL_NONE, "level", NULL);
    check_bad("62", "", 8, "level", NULL);
    /* err may be NULL. */
    assert_int_equal(xt_unit_check("6", "", XT_LEVEL_PROVINCE, NULL), XT_EINVAL);
}

static void test_within(void **state)
{
    (void)state;
    /* Itself and its descendants. */
    assert_true(xt_unit_within("622921", "622921"));
    assert_true(xt_unit_within("622921100", "622921"));
    assert_true(xt_unit_within("622921100001001", "622921"));
    assert_true(xt_unit_within("622921100001001", "622921100001"));
    assert_true(xt_unit_within("622921100001001", "62"));
    /* Departments lie in their county and above, not in a township. */
    assert_true(xt_unit_within("622921D03", "622921"));
    assert_true(xt_unit_within("622921D03", "6229"));
    assert_false(xt_unit_within("622921D03", "622921100"));
    assert_false(xt_unit_within("622921D03", "622921D04"));
    /* Siblings, ancestors and cousins are not within. */
    assert_false(xt_unit_within("622922100", "622921"));
    assert_false(xt_unit_within("622921", "622921100"));
    assert_false(xt_unit_within("62", "6229"));
    assert_false(xt_unit_within("622921101001", "622921100"));
    assert_false(xt_unit_within("", "622921"));
    /* The empty ancestor (a whole-installation scope) contains everything,
     * even nothing. */
    assert_true(xt_unit_within("622921100001001", ""));
    assert_true(xt_unit_within("", ""));
    assert_true(xt_unit_within("622921", NULL));
    assert_true(xt_unit_within(NULL, ""));
    assert_false(xt_unit_within(NULL, "62"));
}

static void check_ancestor(const char *code, int level, const char *want)
{
    char out[XT_CODE_MAX] = "unchanged";
    bool ok = xt_unit_ancestor(code, level, out);
    if (!want) {
        if (ok)
            fail_msg("ancestor of '%s' at level %d: got '%s', want none", code, level, out);
        assert_string_equal(out, "unchanged");
        return;
    }
    if (!ok)
        fail_msg("ancestor of '%s' at level %d: none, want '%s'", code, level, want);
    assert_string_equal(out, want);
}

static void test_ancestor(void **state)
{
    (void)state;
    const char *grid = "622921100001001";
    check_ancestor(grid, XT_LEVEL_PROVINCE, "62");
    check_ancestor(grid, XT_LEVEL_CITY, "6229");
    check_ancestor(grid, XT_LEVEL_COUNTY, "622921");
    check_ancestor(grid, XT_LEVEL_TOWNSHIP, "622921100");
    check_ancestor(grid, XT_LEVEL_VILLAGE, "622921100001");
    check_ancestor(grid, XT_LEVEL_GRID, grid);
    check_ancestor("622921100", XT_LEVEL_TOWNSHIP, "622921100");
    check_ancestor("622921100", XT_LEVEL_COUNTY, "622921");
    /* Nothing below a code's own level. */
    check_ancestor("622921100", XT_LEVEL_VILLAGE, NULL);
    check_ancestor("622921100001", XT_LEVEL_GRID, NULL);
    check_ancestor("62", XT_LEVEL_CITY, NULL);
    /* A department's county is its first 6 characters; it has no township. */
    check_ancestor("622921D03", XT_LEVEL_COUNTY, "622921");
    check_ancestor("622921D03", XT_LEVEL_CITY, "6229");
    check_ancestor("622921D03", XT_LEVEL_PROVINCE, "62");
    check_ancestor("622921D03", XT_LEVEL_TOWNSHIP, NULL);
    check_ancestor("622921D03", XT_LEVEL_VILLAGE, NULL);
    /* Bad levels and codes. */
    check_ancestor(grid, XT_LEVEL_NONE, NULL);
    check_ancestor(grid, XT_LEVEL_DEPARTMENT, NULL);
    check_ancestor("62292", XT_LEVEL_PROVINCE, NULL);
    check_ancestor("", XT_LEVEL_PROVINCE, NULL);
    check_ancestor(NULL, XT_LEVEL_PROVINCE, NULL);
}

static void test_kind_from_name(void **state)
{
    (void)state;
    /* Urban communities. */
    assert_int_equal(xt_unit_kind_from_name("东关社区"), XT_KIND_URBAN);
    assert_int_equal(xt_unit_kind_from_name("八坊居委会"), XT_KIND_URBAN);
    assert_int_equal(xt_unit_kind_from_name("西关居民委员会"), XT_KIND_URBAN);
    assert_int_equal(xt_unit_kind_from_name("城南社区居委会"), XT_KIND_URBAN);
    assert_int_equal(xt_unit_kind_from_name("红园路社区居民委员会"), XT_KIND_URBAN);
    /* Rural villages. */
    assert_int_equal(xt_unit_kind_from_name("红台村委会"), XT_KIND_RURAL);
    assert_int_equal(xt_unit_kind_from_name("红台村民委员会"), XT_KIND_RURAL);
    assert_int_equal(xt_unit_kind_from_name("马集村"), XT_KIND_RURAL);
    /* The marker counts only at the end of the name. */
    assert_int_equal(xt_unit_kind_from_name("社区村村民委员会"), XT_KIND_RURAL);
    assert_int_equal(xt_unit_kind_from_name("居委会"), XT_KIND_URBAN);
    assert_int_equal(xt_unit_kind_from_name(""), XT_KIND_RURAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_of_code),  cmocka_unit_test(test_level_names),
        cmocka_unit_test(test_check_valid),    cmocka_unit_test(test_check_errors),
        cmocka_unit_test(test_within),         cmocka_unit_test(test_ancestor),
        cmocka_unit_test(test_kind_from_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
