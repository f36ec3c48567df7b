/* test_facilities.c - tests for src/store/facilities.c: imports are all or
 * nothing and keyed by (source, source_ref), so a second import updates;
 * every write is audited; places for the reports come from the units with
 * a point. Runs on SQLite and (as test_facilities_pg) on PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testdb.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/facility.h"
#include "store/facilities.h"
#include "store/store.h"

static char dir[64];
static struct xt_store *s;
static const struct xt_actor actor = {7, XT_ROLE_COMMAND, "", "planner"};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/xt_test_fac_XXXXXX");
    if (!mkdtemp(dir) || xt_testdb_configure(dir, NULL, 0))
        return -1;
    struct xt_error err;
    if (xt_store_open(dir, &s, &err))
        return -1;
    struct xt_import_stats st;
    return xt_store_import_divisions(s, XT_SOURCE_DIR "/data/divisions/linxia_6229.csv", "622921",
                                     &st, &err);
}

static int teardown(void **state)
{
    (void)state;
    xt_store_close(s);
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static void row(struct xt_facility *f, int type, const char *name, const char *ref, double lat)
{
    memset(f, 0, sizeof(*f));
    f->type = type;
    snprintf(f->name, sizeof(f->name), "%s", name);
    f->lat = lat;
    f->lon = 103.2;
    snprintf(f->source, sizeof(f->source), "csv");
    snprintf(f->source_ref, sizeof(f->source_ref), "%s", ref);
}

static int count_cb(void *ctx, const struct xt_facility *f)
{
    (void)f;
    (*(int *)ctx)++;
    return 0;
}

static int count(int type)
{
    int n = 0;
    assert_int_equal(xt_store_facility_list(s, type, "", count_cb, &n), 0);
    return n;
}

static void test_import_updates_and_all_or_nothing(void **state)
{
    (void)state;
    struct xt_facility fs[3];
    struct xt_error err;
    long ins, upd;
    row(&fs[0], XT_FT_primary_school, "一小", "a", 35.1);
    row(&fs[1], XT_FT_primary_school, "二小", "b", 35.2);
    row(&fs[2], XT_FT_hospital, "县医院", "c", 35.3);
    fs[2].has_capacity = true;
    fs[2].capacity = 300;
    snprintf(fs[2].unit, sizeof(fs[2].unit), "622921");
    assert_int_equal(xt_store_facility_import(s, &actor, fs, 3, &ins, &upd, &err), 0);
    assert_int_equal(ins, 3);
    assert_int_equal(upd, 0);
    assert_int_equal(count(XT_FT_primary_school), 2);
    /* the same keys again: updated, not duplicated */
    snprintf(fs[1].name, sizeof(fs[1].name), "第二小学");
    assert_int_equal(xt_store_facility_import(s, &actor, fs, 3, &ins, &upd, &err), 0);
    assert_int_equal(ins, 0);
    assert_int_equal(upd, 3);
    assert_int_equal(count(-1), 3);
    struct xt_plan_fac *pf;
    size_t n;
    assert_int_equal(xt_store_plan_facilities(s, XT_FT_primary_school, &pf, &n), 0);
    assert_int_equal(n, 2);
    assert_true(!strcmp(pf[0].name, "第二小学") || !strcmp(pf[1].name, "第二小学"));
    free(pf);
    /* a bad row anywhere: nothing written, the row and field named */
    struct xt_facility more[2];
    row(&more[0], XT_FT_kindergarten, "幼儿园", "d", 35.4);
    row(&more[1], XT_FT_kindergarten, "坏", "e", 135.4);
    assert_int_equal(xt_store_facility_import(s, &actor, more, 2, &ins, &upd, &err), XT_EINVAL);
    assert_string_equal(err.field, "row 2: location.lat");
    assert_int_equal(count(XT_FT_kindergarten), 0);
    row(&more[1], XT_FT_kindergarten, "坏", "e", 35.4);
    snprintf(more[1].unit, sizeof(more[1].unit), "622921999999");
    assert_int_equal(xt_store_facility_import(s, &actor, more, 2, &ins, &upd, &err), XT_EINVAL);
    assert_string_equal(err.field, "row 2: unit");
    assert_int_equal(count(-1), 3);
    /* by unit */
    int in_county = 0;
    assert_int_equal(xt_store_facility_list(s, -1, "622921", count_cb, &in_county), 0);
    assert_int_equal(in_county, 1);
}

static void test_crud_audited(void **state)
{
    (void)state;
    struct xt_error err;
    int64_t bad;
    long rows0, rows1;
    assert_int_equal(xt_store_audit_verify(s, &bad, &rows0), 0);
    struct xt_facility f = {.type = XT_FT_elderly_care, .lat = 35.5, .lon = 103.1};
    snprintf(f.name, sizeof(f.name), "养老院");
    assert_int_equal(xt_store_facility_create(s, &actor, &f, &err), 0);
    assert_true(f.id > 0);
    f.has_capacity = true;
    f.capacity = 40;
    assert_int_equal(xt_store_facility_update(s, &actor, &f, &err), 0);
    struct xt_facility g;
    assert_int_equal(xt_store_facility_get(s, f.id, &g), 0);
    assert_float_equal(g.capacity, 40, 0);
    assert_string_equal(g.source, "manual");
    assert_int_equal(xt_store_facility_delete(s, &actor, f.id, &err), 0);
    assert_int_equal(xt_store_facility_get(s, f.id, &g), XT_ENOTFOUND);
    assert_int_equal(xt_store_facility_delete(s, &actor, f.id, &err), XT_ENOTFOUND);
    f.name[0] = '\0';
    assert_int_equal(xt_store_facility_create(s, &actor, &f, &err), XT_EINVAL);
    assert_string_equal(err.field, "name");
    assert_int_equal(xt_store_audit_verify(s, &bad, &rows1), 0);
    assert_int_equal(rows1, rows0 + 3); /* create, update, delete */
}

static void test_plan_places_need_points(void **state)
{
    (void)state;
    /* the divisions alone have no positions: no places for the reports */
    struct xt_plan_place *pl;
    size_t n;
    assert_int_equal(xt_store_plan_places(s, "622921", XT_LEVEL_VILLAGE, &pl, &n), 0);
    assert_int_equal(n, 0);
    free(pl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_updates_and_all_or_nothing),
        cmocka_unit_test(test_crud_audited),
        cmocka_unit_test(test_plan_places_need_points),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
