/* test_routing.c - categories and where their tickets go
 * (src/core/routing.c).
 *
 * "local" (属地) routes to the township of the location; any other route
 * is a department key resolved to that department of the location's
 * county. Codes are those of 临夏县 (622921) and 临夏市 (622901).
 */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/routing.h"
#include "core/unit.h"
#include "lib/err.h"

static void add_category(struct xt_routing *r, const char *code, const char *route, int sign,
                         int days)
{
    struct xt_category c;
    memset(&c, 0, sizeof(c));
    snprintf(c.code, sizeof(c.code), "%s", code);
    snprintf(c.name, sizeof(c.name), "%s", code);
    snprintf(c.route, sizeof(c.route), "%s", route);
    c.rule.sign_minutes = sign;
    c.rule.resolve_days = days;
    assert_int_equal(xt_routing_add_category(r, &c), 0);
}

static int setup(void **state)
{
    static struct xt_routing r;
    xt_routing_init(&r);
    add_category(&r, "C01", "housing", 0, 0);
    add_category(&r, "C08", XT_ROUTE_LOCAL, 0, 0);
    add_category(&r, "C16", XT_ROUTE_LOCAL, 60, 5);
    add_category(&r, "C20", "fire", 0, 0); /* no county has this department */
    /* 临夏县 and 临夏市 each have a housing department; only 临夏市 has an
     * education department. */
    assert_int_equal(xt_routing_add_department(&r, "622921D01", "housing"), 0);
    assert_int_equal(xt_routing_add_department(&r, "622921D02", "hrss"), 0);
    assert_int_equal(xt_routing_add_department(&r, "622901D01", "housing"), 0);
    assert_int_equal(xt_routing_add_department(&r, "622901D03", "education"), 0);
    add_category(&r, "C03", "education", 0, 0);
    *state = &r;
    return 0;
}

static int teardown(void **state)
{
    xt_routing_release(*state);
    return 0;
}

static void resolves(const struct xt_routing *r, const char *category, const char *location,
                     const char *want)
{
    char out[XT_CODE_MAX] = "";
    struct xt_error err;
    xt_error_clear(&err);
    int rc = xt_routing_resolve(r, category, location, out, &err);
    if (rc)
        fail_msg("%s at %s: rc %d (%s: %s)", category, location, rc, err.field, err.message);
    assert_string_equal(out, want);
}

static void refuses(const struct xt_routing *r, const char *category, const char *location,
                    int code, const char *field)
{
    char out[XT_CODE_MAX] = "unchanged";
    struct xt_error err;
    xt_error_clear(&err);
    int rc = xt_routing_resolve(r, category, location, out, &err);
    if (rc != code)
        fail_msg("%s at %s: rc %d, want %d (%s: %s)", category ? category : "(null)", location, rc,
                 code, err.field, err.message);
    assert_string_equal(err.field, field);
    assert_string_equal(out, "unchanged");
}

static void test_local(void **state)
{
    const struct xt_routing *r = *state;
    /* The township of a grid, of a village, of itself. */
    resolves(r, "C08", "622921100001001", "622921100");
    resolves(r, "C08", "622921100001", "622921100");
    resolves(r, "C08", "622921100", "622921100");
    resolves(r, "C16", "622901003002001", "622901003");
    /* Above township level there is no township to send it to. */
    refuses(r, "C08", "622921", XT_EINVAL, "location");
    refuses(r, "C08", "6229", XT_EINVAL, "location");
}

static void test_department(void **state)
{
    const struct xt_routing *r = *state;
    /* The department with the key in the location's own county. */
    resolves(r, "C01", "622921100001001", "622921D01");
    resolves(r, "C01", "622921100", "622921D01");
    resolves(r, "C01", "622921", "622921D01");
    resolves(r, "C01", "622901003002001", "622901D01");
    resolves(r, "C03", "622901003002001", "622901D03");
    /* The county lacks that department: not found, even though another
     * county has it. */
    refuses(r, "C03", "622921100001001", XT_ENOTFOUND, "category");
    refuses(r, "C20", "622921100001001", XT_ENOTFOUND, "category");
    refuses(r, "C01", "622923100001001", XT_ENOTFOUND, "category");
    /* Not within a county. */
    refuses(r, "C01", "6229", XT_EINVAL, "location");
    refuses(r, "C01", "bogus", XT_EINVAL, "location");
}

static void test_unknown_category(void **state)
{
    const struct xt_routing *r = *state;
    refuses(r, "C99", "622921100001001", XT_EINVAL, "category");
    refuses(r, "", "622921100001001", XT_EINVAL, "category");
    refuses(r, NULL, "622921100001001", XT_EINVAL, "category");
    struct xt_error err;
    char out[XT_CODE_MAX];
    xt_error_clear(&err);
    xt_routing_resolve(r, "C99", "622921100001001", out, &err);
    assert_non_null(strstr(err.message, "C99"));
}

static void test_category_lookup(void **state)
{
    const struct xt_routing *r = *state;
    const struct xt_category *c = xt_routing_category(r, "C16");
    assert_non_null(c);
    assert_string_equal(c->route, XT_ROUTE_LOCAL);
    assert_int_equal(c->rule.sign_minutes, 60);
    assert_int_equal(c->rule.resolve_days, 5);
    c = xt_routing_category(r, "C01");
    assert_non_null(c);
    assert_int_equal(c->rule.sign_minutes, 0);
    assert_null(xt_routing_category(r, "C99"));
    assert_null(xt_routing_category(r, NULL));
    assert_int_equal(r->n_categories, 5);
    assert_int_equal(r->n_departments, 4);
}

static void test_empty_and_release(void **state)
{
    (void)state;
    struct xt_routing r;
    xt_routing_init(&r);
    char out[XT_CODE_MAX];
    struct xt_error err;
    assert_int_equal(xt_routing_resolve(&r, "C01", "622921100", out, &err), XT_EINVAL);
    assert_string_equal(err.field, "category");
    xt_routing_release(&r);
    assert_int_equal(r.n_categories, 0);
    assert_null(r.categories);
    xt_routing_release(&r);
    xt_routing_release(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_local, setup, teardown),
        cmocka_unit_test_setup_teardown(test_department, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_category, setup, teardown),
        cmocka_unit_test_setup_teardown(test_category_lookup, setup, teardown),
        cmocka_unit_test(test_empty_and_release),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
