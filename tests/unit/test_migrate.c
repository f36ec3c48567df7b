/* test_migrate.c - copying a whole database to another backend
 * (src/store/copy.c, `xietong migrate-data`).
 *
 * A small county is loaded into a SQLite store through the store API (the
 * real 临夏 divisions, census, calendar, categories and departments, a
 * grid with a point and a polygon, accounts, sessions, tickets taken
 * through their actions, an idempotent answer, audit rows). It is copied
 * to a middle database -- a fresh PostgreSQL database when XT_TEST_PG is
 * set, another SQLite file otherwise -- and from there back to a third,
 * SQLite, file. Every copy must verify, the round trip must give the
 * source's checksums table by table, and the middle copy, opened as a
 * store, must show the same tickets, timeline, masked and sealed contact,
 * rates, sessions and audit chain, and go on numbering where the source
 * stopped. Then the refusals: a non-empty target, a wrong or missing key,
 * an older schema, an unknown column, a failure half-way.
 *
 * The tests run in order on one fixture.
 */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testdb.h"

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/access.h"
#include "core/facility.h"
#include "core/metrics.h"
#include "core/reqtype.h"
#include "core/ticket.h"
#include "core/unit.h"
#include "lib/crypto.h"
#include "lib/err.h"
#include "lib/xtime.h"
#include "store/db.h"
#include "store/facilities.h"
#include "store/store.h"

#define DATA XT_SOURCE_DIR "/data"

/* 临夏县, its township 韩集镇 and the village 韩集居委会, under which the
 * test adds a grid with a point and a polygon. */
#define COUNTY "622921"
#define TOWN "622921100"
#define VILLAGE "622921100001"
#define GRID "622921100001001"
#define PASSWORD "correct horse battery"
#define PHONE "13912345678"
#define NAME "张三丰"
/* Tabs, newlines, a backslash and "\N" must survive and stay distinct. */
#define TEXT1 "村口路灯不亮\t晚上出行不便\n第二行 \\N 反斜杠\\"
#define IDEM_BODY "{\"number\":\"20250314-00001\",\n\t\"note\":\"a\\\\b\"}"
#define MONTH 202503

struct fx {
    char base[64];
    char src_dir[96], mid_dir[96], back_dir[96], other_dir[96];
    char src_url[160], mid_url[512], back_url[160];
    char t1[XT_NUMBER_MAX], t2[XT_NUMBER_MAX], t3[XT_NUMBER_MAX];
    char token[XT_TOKEN_LEN + 1]; /* a session opened on the source */
    int64_t token_at;
    struct xt_rates county, town;
    struct xt_rates *ranking;
    int *ranks;
    size_t n_ranking;
    long audit_rows;
    struct xt_copy_report up; /* source -> middle */
};

static int64_t at(int y, int m, int d, int hh, int mm)
{
    return xt_day_start(xt_days_from_civil(y, m, d)) + hh * 3600 + mm * 60;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void ok(int rc, const struct xt_error *err, const char *what)
{
    if (rc)
        fail_msg("%s: rc %d (%s: %s)", what, rc, err->field, err->message);
}

static void sqlite_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
    sqlite3_close(db);
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static int group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->base, sizeof(f->base), "/tmp/xt_test_migrate_XXXXXX");
    if (!mkdtemp(f->base))
        return -1;
    snprintf(f->src_dir, sizeof(f->src_dir), "%s/src", f->base);
    snprintf(f->mid_dir, sizeof(f->mid_dir), "%s/mid", f->base);
    snprintf(f->back_dir, sizeof(f->back_dir), "%s/back", f->base);
    snprintf(f->other_dir, sizeof(f->other_dir), "%s/other", f->base);
    snprintf(f->src_url, sizeof(f->src_url), "sqlite:%s/xietong.db", f->src_dir);
    snprintf(f->back_url, sizeof(f->back_url), "sqlite:%s/back.db", f->base);
    if (xt_testdb_postgres()) {
        if (xt_testdb_create(f->mid_url, sizeof(f->mid_url)))
            return -1;
    } else {
        snprintf(f->mid_url, sizeof(f->mid_url), "sqlite:%s/mid.db", f->base);
    }
    xt_password_set_cost(1);
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    struct fx *f = *state;
    if (!f)
        return 0;
    free(f->ranking);
    free(f->ranks);
    nftw(f->base, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* ---- the source ---- */

static void account(struct xt_store *s, const char *user, int role, const char *scope)
{
    struct xt_error err;
    ok(xt_store_account_create(s, user, PASSWORD, role, scope, user, &err), &err, user);
}

static void login(struct xt_store *s, const char *user, int64_t now, struct xt_actor *a,
                  char token[XT_TOKEN_LEN + 1])
{
    char tok[XT_TOKEN_LEN + 1];
    struct xt_error err;
    ok(xt_store_login(s, user, PASSWORD, now, token ? token : tok, a, &err), &err, user);
}

static void act(struct xt_store *s, const struct xt_actor *a, const char *number, int action,
                struct xt_action_input *in, int64_t now)
{
    struct xt_ticket t;
    struct xt_error err;
    int rc = xt_store_ticket_act(s, a, number, action, in, NULL, NULL, now, &t, &err);
    if (rc)
        fail_msg("%s %s: rc %d (%s: %s)", xt_action_name(action), number, rc, err.field,
                 err.message);
    xt_ticket_release(&t);
}

static void create(struct xt_store *s, const struct xt_actor *a, int type, const char *category,
                   const char *text, const struct xt_contact *contact, bool point, int64_t now,
                   char number[XT_NUMBER_MAX])
{
    struct xt_ticket t;
    xt_ticket_init(&t);
    t.type = type;
    t.channel = XT_CHANNEL_HOTLINE;
    snprintf(t.category, sizeof(t.category), "%s", category);
    t.text = strdup(text);
    assert_non_null(t.text);
    snprintf(t.grid, sizeof(t.grid), GRID);
    if (point) {
        /* Digits that a lossy real would change. */
        t.has_point = true;
        t.lat = 35.501234567890123;
        t.lon = 103.01098765432109;
    }
    struct xt_error err;
    ok(xt_store_ticket_create(s, a, &t, contact, NULL, NULL, now, &err), &err, "create");
    snprintf(number, XT_NUMBER_MAX, "%s", t.number);
    xt_ticket_release(&t);
}

static void test_load_source(void **state)
{
    struct fx *f = *state;
    struct xt_store *s;
    struct xt_error err;
    struct xt_import_stats st;
    ok(xt_store_open_db(f->src_dir, f->src_url, &s, &err), &err, "open source");

    ok(xt_store_import_divisions(s, DATA "/divisions/linxia_6229.csv", "6229", &st, &err), &err,
       "divisions");
    ok(xt_store_import_census(s, DATA "/census/census2020_county_west_key.csv", "62", &st, &err),
       &err, "census");
    ok(xt_store_import_calendar(s, DATA "/calendar/cn_holidays.csv", &st, &err), &err, "calendar");
    ok(xt_store_import_categories(s, DATA "/reference/categories.csv", &st, &err), &err,
       "categories");
    ok(xt_store_import_departments(s, DATA "/reference/departments.csv", "6229", &st, &err), &err,
       "departments");
    struct xt_unit g;
    memset(&g, 0, sizeof(g));
    snprintf(g.code, sizeof(g.code), GRID);
    snprintf(g.parent, sizeof(g.parent), VILLAGE);
    snprintf(g.name, sizeof(g.name), "韩集居委会第一网格");
    g.level = XT_LEVEL_GRID;
    g.kind = XT_KIND_URBAN;
    g.has_point = true;
    g.lat = 35.5;
    g.lon = 103.01;
    g.population = 1234;
    char *poly[1] = {"{\"type\":\"Polygon\",\"coordinates\":[[[103.0,35.49],[103.02,35.49],"
                     "[103.02,35.51],[103.0,35.51],[103.0,35.49]]]}"};
    ok(xt_store_put_units(s, &g, poly, 1, &err), &err, "put grid");
    ok(xt_store_reload(s, &err), &err, "reload");

    account(s, "op1", XT_ROLE_OPERATOR, "");
    account(s, "town1", XT_ROLE_TOWNSHIP, TOWN);
    account(s, "res1", XT_ROLE_RESIDENT, "");
    struct xt_actor op, town, res;
    f->token_at = at(2025, 3, 14, 9, 0);
    login(s, "op1", f->token_at, &op, f->token);
    login(s, "town1", f->token_at, &town, NULL);
    login(s, "res1", f->token_at, &res, NULL);

    /* T1: with a point and a contact, dispatched, signed, replied,
     * called back. */
    struct xt_contact contact;
    memset(&contact, 0, sizeof(contact));
    snprintf(contact.name, sizeof(contact.name), NAME);
    snprintf(contact.phone, sizeof(contact.phone), PHONE);
    struct xt_action_input in;
    create(s, &op, XT_TYPE_CONSULT, "C08", TEXT1, &contact, true, at(2025, 3, 14, 16, 0), f->t1);
    xt_action_input_init(&in);
    act(s, &op, f->t1, XT_ACT_DISPATCH, &in, at(2025, 3, 14, 16, 30));
    xt_action_input_init(&in);
    act(s, &town, f->t1, XT_ACT_SIGN, &in, at(2025, 3, 17, 9, 30));
    xt_action_input_init(&in);
    in.reply = "已更换路灯灯泡\n请放心";
    in.result = XT_RESULT_RESOLVED;
    act(s, &town, f->t1, XT_ACT_REPLY, &in, at(2025, 3, 17, 11, 0));
    xt_action_input_init(&in);
    in.resolved = 1;
    in.satisfaction = XT_SAT_SATISFIED;
    act(s, &op, f->t1, XT_ACT_CALLBACK, &in, at(2025, 3, 17, 15, 0));

    /* T2: dispatched to the township, returned, dispatched again, signed
     * late. */
    create(s, &res, XT_TYPE_COMPLAINT, "C08", "小区楼道堆放杂物", NULL, false,
           at(2025, 3, 14, 16, 10), f->t2);
    xt_action_input_init(&in);
    act(s, &op, f->t2, XT_ACT_DISPATCH, &in, at(2025, 3, 14, 16, 40));
    xt_action_input_init(&in);
    in.reason = "不属于本镇";
    act(s, &town, f->t2, XT_ACT_RETURN, &in, at(2025, 3, 17, 9, 0));
    xt_action_input_init(&in);
    snprintf(in.unit, sizeof(in.unit), TOWN);
    act(s, &op, f->t2, XT_ACT_DISPATCH, &in, at(2025, 3, 17, 9, 20));
    xt_action_input_init(&in);
    act(s, &town, f->t2, XT_ACT_SIGN, &in, at(2025, 3, 18, 16, 0));

    /* T3: received only. */
    create(s, &op, XT_TYPE_HELP, "C08", "路灯不亮 求助", NULL, false, at(2025, 3, 17, 9, 0), f->t3);

    ok(xt_store_idem_put(s, "key-1", op.account_id, 201, IDEM_BODY, at(2025, 3, 17, 9, 1)), &err,
       "idem");
    ok(xt_store_audit(s, &op, "export", "rates", "导出\t三率", at(2025, 3, 18, 9, 0)), &err,
       "audit");
    /* a facility with a capacity and one without */
    struct xt_facility fac = {.type = XT_FT_village_clinic, .has_capacity = true, .capacity = 2.5,
                              .lat = 35.51, .lon = 103.02};
    snprintf(fac.name, sizeof(fac.name), "测试卫生室");
    ok(xt_store_facility_create(s, &op, &fac, &err), &err, "facility");
    struct xt_facility fac2 = {.type = XT_FT_primary_school, .lat = 35.52, .lon = 103.03};
    snprintf(fac2.name, sizeof(fac2.name), "测试小学");
    ok(xt_store_facility_create(s, &op, &fac2, &err), &err, "facility");

    ok(xt_store_rates(s, COUNTY, MONTH, &f->county, &err), &err, "rates");
    ok(xt_store_rates(s, TOWN, MONTH, &f->town, &err), &err, "rates");
    assert_int_equal(f->town.dispatched, 3);
    ok(xt_store_ranking(s, COUNTY, XT_LEVEL_TOWNSHIP, MONTH, &f->ranking, &f->ranks, &f->n_ranking,
                        &err),
       &err, "ranking");
    int64_t bad;
    assert_int_equal(xt_store_audit_verify(s, &bad, &f->audit_rows), 0);
    assert_true(f->audit_rows > 10);
    xt_store_close(s);
    /* The detached idempotency write is committed by the close. */
}

/* ---- the copies ---- */

static int progress_calls;

static void on_table(void *ctx, const struct xt_copy_table *t)
{
    (void)ctx;
    assert_non_null(t->name);
    assert_int_equal(strlen(t->sum_from), 64);
    progress_calls++;
}

static const struct xt_copy_table *table_of(const struct xt_copy_report *rep, const char *name)
{
    for (int i = 0; i < rep->n; i++)
        if (strcmp(rep->tables[i].name, name) == 0)
            return &rep->tables[i];
    fail_msg("no table '%s' in the report", name);
    return NULL;
}

static void assert_all_ok(const struct xt_copy_report *rep)
{
    assert_true(rep->all_ok);
    for (int i = 0; i < rep->n; i++) {
        const struct xt_copy_table *t = &rep->tables[i];
        if (!t->ok || t->rows_from != t->rows_to || strcmp(t->sum_from, t->sum_to) != 0)
            fail_msg("table %s: %ld/%ld rows, %s/%s", t->name, t->rows_from, t->rows_to,
                     t->sum_from, t->sum_to);
    }
}

static void test_copy_up(void **state)
{
    struct fx *f = *state;
    struct xt_error err;
    progress_calls = 0;
    ok(xt_store_copy(f->src_url, f->mid_url, f->src_dir, on_table, NULL, &f->up, &err), &err,
       "copy up");
    assert_all_ok(&f->up);
    assert_true(f->up.key_checked);
    assert_false(f->up.source_changed);
    assert_int_equal(progress_calls, f->up.n);
    assert_true(f->up.schema_version >= 2);
    /* 1,338 divisions + 104 departments + the grid. */
    assert_int_equal(table_of(&f->up, "units")->rows_from, 1338 + 104 + 1);
    assert_int_equal(table_of(&f->up, "calendar")->rows_from, 108);
    assert_int_equal(table_of(&f->up, "categories")->rows_from, 16);
    assert_int_equal(table_of(&f->up, "accounts")->rows_from, 3);
    assert_int_equal(table_of(&f->up, "sessions")->rows_from, 3);
    assert_int_equal(table_of(&f->up, "tickets")->rows_from, 3);
    assert_int_equal(table_of(&f->up, "ticket_counters")->rows_from, 2);
    /* 5 + 5 + 1 events; one assignment per dispatch. */
    assert_int_equal(table_of(&f->up, "events")->rows_from, 11);
    assert_int_equal(table_of(&f->up, "assignments")->rows_from, 3);
    assert_int_equal(table_of(&f->up, "audit")->rows_from, f->audit_rows);
    assert_int_equal(table_of(&f->up, "idempotency")->rows_from, 1);
    assert_int_equal(table_of(&f->up, "facilities")->rows_from, 2);
    /* An empty table hashes to SHA-256 of nothing. */
    assert_string_equal(table_of(&f->up, "ticket_tracking")->sum_from,
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_copy_back(void **state)
{
    struct fx *f = *state;
    struct xt_error err;
    struct xt_copy_report back, cmp;
    ok(xt_store_copy(f->mid_url, f->back_url, f->src_dir, NULL, NULL, &back, &err), &err,
       "copy back");
    assert_all_ok(&back);
    /* The checksums do not depend on the backend: the round trip gives the
     * source's, table by table. */
    assert_int_equal(back.n, f->up.n);
    for (int i = 0; i < back.n; i++) {
        assert_string_equal(back.tables[i].name, f->up.tables[i].name);
        assert_string_equal(back.tables[i].sum_from, f->up.tables[i].sum_from);
        assert_int_equal(back.tables[i].rows_from, f->up.tables[i].rows_from);
    }
    ok(xt_store_compare(f->src_url, f->back_url, &cmp, &err), &err, "compare");
    assert_all_ok(&cmp);
}

static void assert_rates_equal(const struct xt_rates *a, const struct xt_rates *b)
{
    assert_string_equal(a->unit, b->unit);
    assert_int_equal(a->dispatched, b->dispatched);
    assert_int_equal(a->signed_on_time, b->signed_on_time);
    assert_int_equal(a->called_back, b->called_back);
    assert_int_equal(a->resolved, b->resolved);
    assert_int_equal(a->satisfied, b->satisfied);
    assert_int_equal(a->basically, b->basically);
    assert_int_equal(a->replied_on_time, b->replied_on_time);
    assert_int_equal(a->returned, b->returned);
    assert_int_equal(a->repeat, b->repeat);
    assert_int_equal(a->proactive, b->proactive);
    assert_memory_equal(&a->response, &b->response, sizeof(double));
    assert_memory_equal(&a->resolution, &b->resolution, sizeof(double));
    assert_memory_equal(&a->satisfaction, &b->satisfaction, sizeof(double));
    assert_memory_equal(&a->composite, &b->composite, sizeof(double));
}

struct timeline {
    int n;
    int action[8];
    char actor[8][64];
};

static int on_entry(void *ctx, const struct xt_timeline_entry *e)
{
    struct timeline *tl = ctx;
    if (tl->n < 8) {
        tl->action[tl->n] = e->action;
        snprintf(tl->actor[tl->n], sizeof(tl->actor[0]), "%s", e->actor);
    }
    tl->n++;
    return 0;
}

/* The middle copy, opened as a store with the source's key. */
static void test_open_copy(void **state)
{
    struct fx *f = *state;
    char from[160], to[160];
    snprintf(to, sizeof(to), "%s/keys", f->mid_dir);
    assert_int_equal(mkdir(f->mid_dir, 0700), 0);
    assert_int_equal(mkdir(to, 0700), 0);
    snprintf(from, sizeof(from), "%s/keys/field.key", f->src_dir);
    snprintf(to, sizeof(to), "%s/keys/field.key", f->mid_dir);
    copy_file(from, to);

    struct xt_store *s;
    struct xt_error err;
    ok(xt_store_open_db(f->mid_dir, f->mid_url, &s, &err), &err, "open the copy");
    assert_int_equal(xt_store_backend(s), xt_testdb_postgres() ? XT_DB_POSTGRES : XT_DB_SQLITE);

    /* The session opened on the source is still good here, and the
     * password hashes came along. */
    struct xt_actor op, town;
    assert_int_equal(xt_store_session(s, f->token, f->token_at + 60, &op), 0);
    assert_string_equal(op.username, "op1");
    int64_t now = at(2025, 3, 18, 9, 30);
    login(s, "town1", now, &town, NULL);

    struct xt_ticket t;
    struct xt_contact c;
    ok(xt_store_ticket_get(s, &op, f->t1, &t, &c, false, now, &err), &err, "get");
    assert_string_equal(t.text, TEXT1);
    assert_string_equal(t.reply, "已更换路灯灯泡\n请放心");
    assert_int_equal(t.state, XT_ST_CLOSED);
    assert_true(t.has_point);
    assert_true(t.lat == 35.501234567890123);
    assert_true(t.lon == 103.01098765432109);
    assert_string_equal(t.grid, GRID);
    assert_string_equal(t.lead, TOWN);
    assert_int_equal(t.resolved, 1);
    /* Masked from the stored masked columns (migration 2) ... */
    assert_string_equal(c.phone, "139****5678");
    assert_string_equal(c.name, "张**");
    assert_string_equal(t.masked_phone, "139****5678");
    xt_ticket_release(&t);
    /* ... and the sealed values open with the key. */
    ok(xt_store_ticket_get(s, &op, f->t1, &t, &c, true, now, &err), &err, "reveal");
    assert_string_equal(c.phone, PHONE);
    assert_string_equal(c.name, NAME);
    xt_ticket_release(&t);

    struct timeline tl;
    memset(&tl, 0, sizeof(tl));
    ok(xt_store_ticket_timeline(s, &town, f->t1, on_entry, &tl, &err), &err, "timeline");
    assert_int_equal(tl.n, 5);
    static const int actions[5] = {XT_ACT_CREATE, XT_ACT_DISPATCH, XT_ACT_SIGN, XT_ACT_REPLY,
                                   XT_ACT_CALLBACK};
    static const char *const who[5] = {"op1", "op1", "town1", "town1", "op1"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(tl.action[i], actions[i]);
        assert_string_equal(tl.actor[i], who[i]);
    }

    /* The rates and the ranking of the month are the source's. */
    struct xt_rates r;
    ok(xt_store_rates(s, COUNTY, MONTH, &r, &err), &err, "rates");
    assert_rates_equal(&r, &f->county);
    ok(xt_store_rates(s, TOWN, MONTH, &r, &err), &err, "rates");
    assert_rates_equal(&r, &f->town);
    struct xt_rates *rk;
    int *ranks;
    size_t n;
    ok(xt_store_ranking(s, COUNTY, XT_LEVEL_TOWNSHIP, MONTH, &rk, &ranks, &n, &err), &err,
       "ranking");
    assert_int_equal(n, f->n_ranking);
    for (size_t i = 0; i < n; i++) {
        assert_rates_equal(&rk[i], &f->ranking[i]);
        assert_int_equal(ranks[i], f->ranks[i]);
    }
    free(rk);
    free(ranks);

    /* The audit chain holds (the reveal above added one row). */
    int64_t bad;
    long rows;
    assert_int_equal(xt_store_audit_verify(s, &bad, &rows), 0);
    assert_int_equal(rows, f->audit_rows + 2); /* + the login + the reveal */

    /* New rows continue the copied ids and numbers: on PostgreSQL the
     * identity sequences were moved past the copied ids. */
    char t4[XT_NUMBER_MAX];
    create(s, &op, XT_TYPE_HELP, "C08", "新的求助", NULL, false, at(2025, 3, 17, 10, 0), t4);
    assert_string_equal(t4, "20250317-00002");
    ok(xt_store_ticket_get(s, &op, t4, &t, NULL, false, now, &err), &err, "get t4");
    assert_int_equal(t.id, 4);
    xt_ticket_release(&t);
    struct xt_action_input in;
    xt_action_input_init(&in);
    act(s, &op, t4, XT_ACT_DISPATCH, &in, at(2025, 3, 17, 10, 5));
    account(s, "op2", XT_ROLE_OPERATOR, "");
    xt_store_close(s);
}

/* ---- refusals ---- */

static void assert_message(const struct xt_error *err, const char *a, const char *b)
{
    if (!strstr(err->message, a) || (b && !strstr(err->message, b)))
        fail_msg("message '%s' does not say '%s'%s%s", err->message, a, b ? " and " : "",
                 b ? b : "");
}

static void test_refusals(void **state)
{
    struct fx *f = *state;
    struct xt_error err;
    struct xt_copy_report rep;

    /* Into a database that already has data. */
    assert_int_equal(xt_store_copy(f->src_url, f->mid_url, f->src_dir, NULL, NULL, &rep, &err),
                     XT_EEXIST);
    assert_message(&err, "'units' already holds", "empty database");

    /* The same database twice. */
    char bare[160];
    snprintf(bare, sizeof(bare), "%s/xietong.db", f->src_dir);
    assert_int_equal(xt_store_copy(f->src_url, bare, f->src_dir, NULL, NULL, &rep, &err),
                     XT_EINVAL);
    assert_string_equal(err.field, "to");

    /* No key in --data, or another key: refused before the target is
     * touched. */
    char target[160], path[200];
    snprintf(target, sizeof(target), "sqlite:%s/never.db", f->base);
    assert_int_equal(xt_store_copy(f->src_url, target, f->other_dir, NULL, NULL, &rep, &err),
                     XT_ENOTFOUND);
    assert_string_equal(err.field, "data");
    assert_message(&err, "keys/field.key", NULL);
    snprintf(path, sizeof(path), "%s/keys", f->other_dir);
    assert_int_equal(mkdir(f->other_dir, 0700), 0);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/keys/field.key", f->other_dir);
    struct xt_key k;
    assert_int_equal(xt_key_load_or_create(path, &k), 0);
    assert_int_equal(xt_store_copy(f->src_url, target, f->other_dir, NULL, NULL, &rep, &err),
                     XT_EINVAL);
    assert_message(&err, "does not open the source's sealed contacts", NULL);
    snprintf(path, sizeof(path), "%s/never.db", f->base);
    assert_int_equal(access(path, F_OK), -1);

    /* A source at an older schema version. */
    char old[160], old_url[170];
    snprintf(old, sizeof(old), "%s/old.db", f->base);
    snprintf(old_url, sizeof(old_url), "sqlite:%s", old);
    char sql[300];
    snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", old);
    sqlite_exec(bare, sql);
    sqlite_exec(old, "DELETE FROM schema_version WHERE version > 1");
    snprintf(target, sizeof(target), "sqlite:%s/t1.db", f->base);
    assert_int_equal(xt_store_copy(old_url, target, f->src_dir, NULL, NULL, &rep, &err), XT_ESTATE);
    assert_message(&err, "schema version 1", "upgrade the source");
    snprintf(path, sizeof(path), "%s/t1.db", f->base);
    assert_int_equal(access(path, F_OK), -1);

    /* A column migrate-data does not know would be lost: refused. */
    snprintf(sql, sizeof(sql),
             "DELETE FROM schema_version; INSERT INTO schema_version(version) VALUES(%d);"
             " ALTER TABLE tickets ADD COLUMN extra TEXT",
             f->up.schema_version);
    sqlite_exec(old, sql);
    snprintf(target, sizeof(target), "sqlite:%s/t2.db", f->base);
    assert_int_equal(xt_store_copy(old_url, target, f->src_dir, NULL, NULL, &rep, &err), XT_ESTATE);
    assert_message(&err, "column 'extra'", "'tickets'");
    assert_int_equal(xt_store_compare(f->src_url, old_url, &rep, &err), XT_ESTATE);
}

/* A failure half-way rolls the whole copy back: the target keeps no row. */
static void test_failure_writes_nothing(void **state)
{
    struct fx *f = *state;
    char path[160], url[170];
    snprintf(path, sizeof(path), "%s/half.db", f->base);
    snprintf(url, sizeof(url), "sqlite:%s", path);
    /* Make the target's schema, then refuse every audit row in it. */
    struct xt_store *s;
    struct xt_error err;
    ok(xt_store_open_db(f->src_dir, url, &s, &err), &err, "open target");
    xt_store_close(s);
    sqlite_exec(path, "CREATE TRIGGER no_audit BEFORE INSERT ON audit"
                      " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");
    struct xt_copy_report rep;
    assert_int_equal(xt_store_copy(f->src_url, url, f->src_dir, NULL, NULL, &rep, &err), XT_EIO);
    assert_message(&err, "'audit'", "id=1");
    assert_message(&err, "refused by the test", NULL);
    /* The tables before audit were copied, then rolled back. */
    assert_true(table_of(&rep, "tickets")->rows_from == 3);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT (SELECT count(*) FROM units) + (SELECT count(*)"
                                        " FROM tickets) + (SELECT count(*) FROM events)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The checksums see a changed value, and tell NULL from "" and from the
 * text "\N". */
static void test_compare_sees_differences(void **state)
{
    struct fx *f = *state;
    struct xt_error err;
    struct xt_copy_report rep;
    char path[160];
    snprintf(path, sizeof(path), "%s/back.db", f->base);

    sqlite_exec(path, "UPDATE tickets SET text = text || '.' WHERE id = 3");
    ok(xt_store_compare(f->src_url, f->back_url, &rep, &err), &err, "compare");
    assert_false(rep.all_ok);
    for (int i = 0; i < rep.n; i++)
        assert_int_equal(rep.tables[i].ok, strcmp(rep.tables[i].name, "tickets") != 0);
    assert_int_equal(table_of(&rep, "tickets")->rows_from, table_of(&rep, "tickets")->rows_to);
    sqlite_exec(path, "UPDATE tickets SET text = substr(text, 1, length(text) - 1) WHERE id = 3");
    ok(xt_store_compare(f->src_url, f->back_url, &rep, &err), &err, "compare");
    assert_true(rep.all_ok);

    static const char *const nulls[] = {"''", "'\\N'"};
    for (int i = 0; i < 2; i++) {
        char sql[200];
        snprintf(sql, sizeof(sql), "UPDATE tickets SET address = %s WHERE id = 3", nulls[i]);
        sqlite_exec(path, sql);
        ok(xt_store_compare(f->src_url, f->back_url, &rep, &err), &err, "compare");
        assert_false(table_of(&rep, "tickets")->ok);
        assert_true(table_of(&rep, "units")->ok);
    }
    sqlite_exec(path, "UPDATE tickets SET address = NULL WHERE id = 3");
    ok(xt_store_compare(f->src_url, f->back_url, &rep, &err), &err, "compare");
    assert_true(rep.all_ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_source),
        cmocka_unit_test(test_copy_up),
        cmocka_unit_test(test_copy_back),
        cmocka_unit_test(test_open_copy),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_failure_writes_nothing),
        cmocka_unit_test(test_compare_sees_differences),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
