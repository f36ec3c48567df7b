/* test_open311.c - how tickets read in Open311 (src/core/open311.c): the
 * state mapping, notes, notices, names and e-mail checks. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/open311.h"
#include "core/reqtype.h"

static void test_status_mapping(void **state)
{
    (void)state;
    static const struct {
        int st;
        const char *want;
    } rows[] = {
        {XT_ST_RECEIVED, "open"}, {XT_ST_DISPATCHED, "open"}, {XT_ST_SIGNED, "open"},
        {XT_ST_RETURNED, "open"}, {XT_ST_REPLIED, "closed"},  {XT_ST_CLOSED, "closed"},
        {XT_ST_MERGED, "closed"},
    };
    assert_int_equal(sizeof(rows) / sizeof(rows[0]), XT_ST_COUNT);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        assert_string_equal(xt_o311_status(rows[i].st), rows[i].want);
        /* The same line as the core's idea of an open ticket. */
        assert_int_equal(xt_o311_is_open(rows[i].st), (XT_S(rows[i].st) & XT_S_OPEN) != 0);
    }
    assert_false(xt_o311_is_open(-1));
    assert_false(xt_o311_is_open(XT_ST_COUNT));
}

static void test_status_notes(void **state)
{
    (void)state;
    struct xt_ticket t;
    xt_ticket_init(&t);
    char out[256];
    t.state = XT_ST_DISPATCHED;
    xt_o311_status_notes(&t, "韩集镇", out, sizeof(out));
    assert_string_equal(out, "已派单至韩集镇，待签收");
    xt_o311_status_notes(&t, NULL, out, sizeof(out));
    assert_string_equal(out, "已派单，待签收");
    t.state = XT_ST_CLOSED;
    t.reply = strdup("已修复");
    xt_o311_status_notes(&t, "韩集镇", out, sizeof(out));
    assert_string_equal(out, "已办结：已修复");
    t.state = XT_ST_MERGED;
    snprintf(t.merged_into, sizeof(t.merged_into), "20261126-00042");
    xt_o311_status_notes(&t, NULL, out, sizeof(out));
    assert_non_null(strstr(out, "20261126-00042"));
    /* Cut at the buffer, still terminated. */
    xt_o311_status_notes(&t, NULL, out, 8);
    assert_true(strlen(out) < 8);
    xt_ticket_release(&t);
}

static void test_event_notes(void **state)
{
    (void)state;
    char out[256];
    xt_o311_event_note(XT_ACT_DISPATCH, XT_ST_DISPATCHED, "临夏县住房和城乡建设局", NULL, out,
                       sizeof(out));
    assert_string_equal(out, "已派单至临夏县住房和城乡建设局");
    xt_o311_event_note(XT_ACT_REPLY, XT_ST_REPLIED, NULL, "已修复", out, sizeof(out));
    assert_string_equal(out, "办结答复：已修复");
    /* A report's reply is withheld by passing none. */
    xt_o311_event_note(XT_ACT_REPLY, XT_ST_REPLIED, NULL, NULL, out, sizeof(out));
    assert_string_equal(out, "办结答复");
    xt_o311_event_note(XT_ACT_CALLBACK, XT_ST_CLOSED, NULL, NULL, out, sizeof(out));
    assert_string_equal(out, "已回访，办结");
    /* Every action has a note. */
    for (int a = 0; a < XT_ACT_COUNT; a++) {
        xt_o311_event_note(a, XT_ST_SIGNED, "x", "y", out, sizeof(out));
        assert_true(strlen(out) > 0);
    }
}

static void test_service_notice(void **state)
{
    (void)state;
    char out[128];
    xt_o311_service_notice(XT_TYPE_CONSULT, false, NULL, out, sizeof(out));
    assert_string_equal(out, "咨询类诉求：1个工作日内办结");
    xt_o311_service_notice(XT_TYPE_SUGGESTION, false, NULL, out, sizeof(out));
    assert_string_equal(out, "建议类诉求：15个工作日内办结");
    struct xt_deadline_rule rule = {60, 5};
    xt_o311_service_notice(XT_TYPE_COMPLAINT, false, &rule, out, sizeof(out));
    assert_string_equal(out, "投诉类诉求：5个工作日内办结");
    xt_o311_service_notice(XT_TYPE_COMPLAINT, true, &rule, out, sizeof(out));
    assert_non_null(strstr(out, "24小时"));
}

static void test_attributes(void **state)
{
    (void)state;
    assert_int_equal(xt_o311_n_attrs, 2);
    /* request_type lists every request type by its API name. */
    const struct xt_o311_attr *a = &xt_o311_attrs[0];
    assert_string_equal(a->code, "request_type");
    assert_true(a->required);
    assert_int_equal(a->n_values, XT_TYPE_COUNT);
    for (int i = 0; i < a->n_values; i++) {
        assert_int_equal(xt_reqtype_parse(a->values[i].key), i);
        assert_string_equal(a->values[i].name, xt_reqtype_label(i));
    }
    for (int i = 0; i < xt_o311_n_attrs; i++)
        assert_int_equal(xt_o311_attrs[i].order, i + 1);
}

static void test_person_name(void **state)
{
    (void)state;
    char out[128];
    xt_o311_person_name("小花", "马", out, sizeof(out));
    assert_string_equal(out, "马小花");
    xt_o311_person_name("Ayse", "Ma", out, sizeof(out));
    assert_string_equal(out, "Ayse Ma");
    xt_o311_person_name(NULL, "马", out, sizeof(out));
    assert_string_equal(out, "马");
    xt_o311_person_name("", NULL, out, sizeof(out));
    assert_string_equal(out, "");
}

static void test_email(void **state)
{
    (void)state;
    struct xt_error err;
    assert_int_equal(xt_o311_email_check("ma.xiaohua@example.cn", &err), 0);
    static const char *const bad[] = {"",         "plain", "@example.cn", "a@b",    "a@@b.cn",
                                      "a b@c.cn", "a@.cn", "a@b.cn.",     "马@b.cn"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        xt_error_clear(&err);
        assert_int_equal(xt_o311_email_check(bad[i], &err), XT_EINVAL);
        assert_string_equal(err.field, "email");
    }
    char out[64];
    xt_o311_mask_email("ma.xiaohua@example.cn", out, sizeof(out));
    assert_string_equal(out, "m*********@example.cn");
    xt_o311_mask_email("a@b.cn", out, sizeof(out));
    assert_string_equal(out, "*@b.cn");
    xt_o311_mask_email("ma.xiaohua@example.cn", out, 6);
    assert_string_equal(out, "m****");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_mapping), cmocka_unit_test(test_status_notes),
        cmocka_unit_test(test_event_notes),    cmocka_unit_test(test_service_notice),
        cmocka_unit_test(test_attributes),     cmocka_unit_test(test_person_name),
        cmocka_unit_test(test_email),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
