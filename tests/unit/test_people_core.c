/* test_people_core.c - GB 11643 ID numbers, GB 3304 ethnic codes, the
 * linkage score and index, row checks and people access rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/ethnic.h"
#include "core/idcard.h"
#include "core/linkage.h"
#include "core/people.h"
#include "core/popgen.h"

#include <stdlib.h>

static void test_idcard(void **state)
{
    (void)state;
    struct xt_idcard id;
    struct xt_error err;
    /* The example of the standard: 11010519491231002X. */
    assert_int_equal(xt_idcard_parse("11010519491231002X", 20261126, NULL, &id, &err), 0);
    assert_string_equal(id.birth, "19491231");
    assert_int_equal(id.sex, XT_SEX_FEMALE);
    assert_string_equal(id.region, "110105");
    /* lower-case x is accepted and normalised */
    assert_int_equal(xt_idcard_parse("11010519491231002x", 0, NULL, &id, &err), 0);
    assert_string_equal(id.number, "11010519491231002X");
    /* wrong check digit */
    assert_int_equal(xt_idcard_parse("110105194912310021", 0, NULL, &id, &err), XT_EINVAL);
    assert_string_equal(err.field, "id_number");
    assert_non_null(strstr(err.message, "check digit"));
    /* bad date: 1949-02-30 */
    char bad[19];
    assert_int_equal(xt_idcard_make("110105", 1949, 2, 28, 3, bad), 0);
    memcpy(bad + 12, "30", 2);
    assert_int_equal(xt_idcard_parse(bad, 0, NULL, &id, &err), XT_EINVAL);
    assert_non_null(strstr(err.message, "birth date"));
    /* future birth date */
    char fut[19];
    assert_int_equal(xt_idcard_make("622921", 2030, 1, 1, 1, fut), 0);
    assert_int_equal(xt_idcard_parse(fut, 20261126, NULL, &id, &err), XT_EINVAL);
    assert_int_equal(xt_idcard_parse("12345", 0, NULL, &id, &err), XT_EINVAL);
    /* made numbers validate, with sex from the sequence's parity */
    char made[19];
    assert_int_equal(xt_idcard_make("622921", 1960, 2, 29, 11, made), 0);
    assert_int_equal(xt_idcard_parse(made, 0, NULL, &id, &err), 0);
    assert_int_equal(id.sex, XT_SEX_MALE);
    assert_int_equal(xt_idcard_make("622921", 1961, 2, 29, 11, made), XT_EINVAL);
}

static void test_ethnic(void **state)
{
    (void)state;
    assert_string_equal(xt_ethnic_by_code(1)->zh, "汉族");
    assert_string_equal(xt_ethnic_by_code(26)->zh, "东乡族");
    assert_string_equal(xt_ethnic_by_code(35)->roman, "Salar");
    assert_string_equal(xt_ethnic_by_code(56)->zh, "基诺族");
    assert_null(xt_ethnic_by_code(57));
    assert_int_equal(xt_ethnic_parse("03")->code, 3);
    assert_int_equal(xt_ethnic_parse("回族")->code, 3);
    assert_int_equal(xt_ethnic_parse("回")->code, 3);
    assert_int_equal(xt_ethnic_parse("bonan")->code, 47);
    assert_int_equal(xt_ethnic_parse("ZA")->code, 4);
    assert_null(xt_ethnic_parse("火星族"));
    /* every code is present once and in order */
    for (int i = 1; i <= XT_ETHNIC_COUNT; i++)
        assert_int_equal(xt_ethnic_by_code(i)->code, i);
}

static void rec(struct xt_link_rec *r, int64_t id, const char *village, const char *birth,
                const char *key, const char *name)
{
    memset(r, 0, sizeof(*r));
    r->id = id;
    strcpy(r->village, village);
    strcpy(r->birth, birth);
    strcpy(r->id_key, key);
    xt_link_name_norm(name, r->name, sizeof(r->name));
}

static void test_linkage_score(void **state)
{
    (void)state;
    char a[64], b[64];
    xt_link_name_norm("尕藏·卓玛", a, sizeof(a));
    xt_link_name_norm("嘎藏 桌玛", b, sizeof(b));
    assert_string_equal(a, b);
    xt_link_name_norm("扎西才让", a, sizeof(a));
    xt_link_name_norm("札西材让", b, sizeof(b));
    assert_string_equal(a, b);
    assert_true(xt_link_name_sim("马明华", "马明花") > 0.6);
    assert_true(xt_link_name_sim("马明华", "张红") < 0.4);
    assert_true(xt_link_birth_sim("19620703", "19620730") == 0.6); /* swapped */
    assert_true(xt_link_birth_sim("19620703", "19620704") == 0.6);
    assert_true(xt_link_birth_sim("19620703", "19621115") == 0);
    struct xt_link_rec x, y;
    rec(&x, 1, "622921100001", "19620703", "", "马明华");
    rec(&y, 0, "622921100001", "19620730", "", "马明华");
    assert_true(xt_link_score(&x, &y) >= XT_LINK_MATCH);
    rec(&y, 0, "622921100001", "19620703", "", "马明花");
    assert_true(xt_link_score(&x, &y) >= XT_LINK_MATCH);
    rec(&y, 0, "622921100001", "19800101", "", "马明华");
    assert_true(xt_link_score(&x, &y) < XT_LINK_REVIEW);
}

static void test_linkage_index(void **state)
{
    (void)state;
    struct xt_link_index *ix = xt_link_index_new();
    assert_int_equal(xt_link_index_reserve(ix, 3000), 0); /* then grows past it */
    struct xt_link_rec r, q;
    struct xt_link_result res;
    rec(&r, 1, "622921100001", "19620703", "aaaa", "马明华");
    assert_int_equal(xt_link_index_add(ix, &r), 0);
    rec(&r, 2, "622921100001", "19620703", "", "丁海");
    assert_int_equal(xt_link_index_add(ix, &r), 0);
    for (int i = 3; i < 5000; i++) {
        char b[9];
        snprintf(b, sizeof(b), "19%02d%02d%02d", 30 + i % 60, 1 + i % 12, 1 + i % 28);
        rec(&r, i, "622921100002", b, "", "王伟");
        assert_int_equal(xt_link_index_add(ix, &r), 0);
    }
    /* exact on the ID key, whatever the name says */
    rec(&q, 0, "622921999999", "", "aaaa", "完全不同");
    xt_link_find(ix, &q, &res);
    assert_int_equal(res.kind, XT_LINK_MATCHED);
    assert_int_equal(res.id, 1);
    assert_string_equal(res.how, "id");
    /* a different valid ID is never the same person */
    rec(&q, 0, "622921100001", "19620703", "bbbb", "马明华");
    xt_link_find(ix, &q, &res);
    assert_int_equal(res.kind, XT_LINK_NEW);
    /* fuzzy: variant spelling and no ID */
    rec(&q, 0, "622921100001", "19620703", "", "丁海 ");
    xt_link_find(ix, &q, &res);
    assert_int_equal(res.kind, XT_LINK_MATCHED);
    assert_int_equal(res.id, 2);
    /* a row with an ID number still finds by score a record without one */
    rec(&q, 0, "622921100001", "19620703", "dddd", "丁海");
    xt_link_find(ix, &q, &res);
    assert_int_equal(res.kind, XT_LINK_MATCHED);
    assert_int_equal(res.id, 2);
    assert_string_equal(res.how, "fuzzy");
    /* a learnt ID key finds the person afterwards */
    rec(&r, 2, "622921100001", "19620703", "cccc", "丁海");
    assert_int_equal(xt_link_index_update(ix, &r), 0);
    rec(&q, 0, "", "", "cccc", "");
    xt_link_find(ix, &q, &res);
    assert_int_equal(res.id, 2);
    assert_int_equal(xt_link_index_size(ix), 4999);
    xt_link_index_free(ix);
}

static void test_person_check(void **state)
{
    (void)state;
    struct xt_person p;
    struct xt_error err;
    char id[19];
    xt_idcard_make("622921", 2015, 6, 1, 2, id);
    struct xt_person_in in = {.name = "马小花", .id_number = id, .unit = "622921100001001",
                              .tags = "left_behind_child、disabled:2", .phone = "13912345678",
                              .ethnicity = "东乡族"};
    assert_int_equal(xt_person_check(&in, 20261126, &p, &err), 0);
    assert_true(p.minor);
    assert_int_equal(p.ntags, 2);
    assert_int_equal(p.tags[1].grade, 2);
    assert_int_equal(p.ethnic, 26);
    assert_string_equal(p.village, "622921100001");
    in.phone = "12345";
    assert_int_equal(xt_person_check(&in, 20261126, &p, &err), XT_EINVAL);
    assert_string_equal(err.field, "phone");
    in.phone = NULL;
    in.tags = "martian";
    assert_int_equal(xt_person_check(&in, 20261126, &p, &err), XT_EINVAL);
    assert_string_equal(err.field, "tags");
    in.tags = NULL;
    in.id_number = NULL;
    assert_int_equal(xt_person_check(&in, 20261126, &p, &err), XT_EINVAL);
    assert_string_equal(err.field, "id_number");
    in.birth_date = "1950-02-30";
    assert_int_equal(xt_person_check(&in, 20261126, &p, &err), XT_EINVAL);
    assert_string_equal(err.field, "birth_date");
    in.birth_date = "1950-02-28";
    in.unit = "6229";
    assert_int_equal(xt_person_check(&in, 20261126, &p, &err), XT_EINVAL);
    assert_string_equal(err.field, "unit");
}

static void test_access(void **state)
{
    (void)state;
    assert_true(xt_people_may_reveal(XT_ROLE_COMMAND));
    assert_false(xt_people_may_reveal(XT_ROLE_GRID));
    assert_false(xt_people_may_read(XT_ROLE_OPERATOR));
    assert_false(xt_people_may_read(XT_ROLE_RESIDENT));
    struct xt_actor grid = {.role = XT_ROLE_GRID}, dept = {.role = XT_ROLE_DEPARTMENT};
    const struct xt_tag_def *dis = xt_tag_find("disabled"), *low = xt_tag_find("低保");
    assert_false(xt_people_tag_visible(&grid, "", dis, false, false));
    assert_true(xt_people_tag_visible(&grid, "", low, false, false));
    assert_false(xt_people_tag_visible(&grid, "", low, true, false)); /* a minor's */
    assert_true(xt_people_tag_visible(&dept, "civil", low, false, false));
    assert_false(xt_people_tag_visible(&dept, "health", low, false, false));
}

static void test_tag_config(void **state)
{
    (void)state;
    struct xt_error err;
    int before = xt_tag_count();
    assert_int_equal(xt_tag_add("bad code", "坏", false, false, "", "", &err), XT_EINVAL);
    assert_string_equal(err.field, "code");
    assert_int_equal(xt_tag_add("x_tag", "某标签", false, false, "civil", "no_such_need", &err),
                     XT_EINVAL);
    assert_string_equal(err.field, "needs");
    assert_int_equal(xt_tag_add("disabled", "又一个", false, false, "", "", &err), XT_EEXIST);
    assert_int_equal(xt_tag_add("hearing_aid", "助听需求", true, false, "disability",
                                "rehabilitation;home_care", &err),
                     0);
    assert_int_equal(xt_tag_count(), before + 1);
    const struct xt_tag_def *t = xt_tag_find("助听需求");
    assert_non_null(t);
    assert_string_equal(t->code, "hearing_aid");
    assert_true(t->sensitive);
    assert_string_equal(t->needs[1], "home_care");
    assert_int_equal(xt_tag_add("hearing_aid", "助听需求", true, false, "", "", &err), XT_EEXIST);
}

struct gen_stats {
    long n, male, minority, age0_14, age65, bad_id, households;
    char last_hh[32];
    char (*ids)[19];
};

static int count_person(void *ctx, const struct xt_gen_person *p)
{
    struct gen_stats *g = ctx;
    struct xt_idcard id;
    if (xt_idcard_parse(p->id_number, 20261126, NULL, &id, NULL) || strncmp(id.region, "622921", 6))
        g->bad_id++;
    memcpy(g->ids[g->n], p->id_number, 19);
    g->n++;
    g->male += p->sex == XT_SEX_MALE;
    g->minority += p->ethnic != 1;
    int age = xt_age_on(id.birth, 20261126);
    g->age0_14 += age < 15;
    g->age65 += age >= 65;
    if (strcmp(p->household, g->last_hh) != 0) {
        g->households++;
        snprintf(g->last_hh, sizeof(g->last_hh), "%s", p->household);
    }
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    return memcmp(a, b, 18);
}

/* A generated county matches its census figures and its ID numbers are
 * valid and unique. */
static void test_popgen_census(void **state)
{
    (void)state;
    struct xt_popgen_census c = {.region = "622921", .male_share = 0.51, .urban_share = 0.3,
                                 .minority_share = 0.6, .household_size = 3.6,
                                 .age0_14 = 0.25, .age65 = 0.10};
    struct xt_popgen_grid grids[4] = {{"622921100001001", true},  {"622921100002001", false},
                                      {"622921101001001", false}, {"622921101002001", false}};
    enum { N = 40000 };
    struct gen_stats g = {0};
    g.ids = calloc(N, sizeof(*g.ids));
    assert_int_equal(xt_popgen_run(&c, grids, 4, N, 7, 20261126, count_person, &g), 0);
    assert_int_equal(g.n, N);
    assert_int_equal(g.bad_id, 0);
    assert_true(labs(g.male - (long)(0.51 * N)) < N / 50);
    assert_true(labs(g.age0_14 - (long)(0.25 * N)) < N / 25);
    assert_true(labs(g.age65 - (long)(0.10 * N)) < N / 25);
    assert_true(labs(g.minority - (long)(0.60 * N)) < N / 25);
    double size = (double)N / (double)g.households;
    assert_true(size > 3.2 && size < 4.0);
    qsort(g.ids, N, sizeof(*g.ids), cmp_id);
    for (long i = 1; i < N; i++)
        assert_true(memcmp(g.ids[i - 1], g.ids[i], 18) != 0);
    free(g.ids);
    /* bad parameters */
    c.region[0] = 'x';
    assert_int_equal(xt_popgen_run(&c, grids, 4, 10, 7, 20261126, count_person, &g), XT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idcard),       cmocka_unit_test(test_ethnic),
        cmocka_unit_test(test_linkage_score), cmocka_unit_test(test_linkage_index),
        cmocka_unit_test(test_person_check), cmocka_unit_test(test_access),
        cmocka_unit_test(test_tag_config),   cmocka_unit_test(test_popgen_census),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
