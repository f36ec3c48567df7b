/* test_store.c - the SQLite store (src/store/): imports of the real
 * reference data, accounts and sessions, tickets end to end with exact
 * deadlines, lists, timelines, rates, sealed contacts and the audit chain.
 *
 * One store in a fresh temporary directory serves the whole group; the
 * tests run in order and the later ones use the tickets the earlier ones
 * made. Times are passed explicitly, so every deadline is worked out by
 * hand (office hours 09:00-12:00 and 13:30-17:30, +08:00; March 2025 has
 * no holidays).
 */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testtime.h"

#include "testdb.h"

#include <ftw.h>
#include <pthread.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/access.h"
#include "core/metrics.h"
#include "core/reqtype.h"
#include "core/ticket.h"
#include "core/unit.h"
#include "lib/crypto.h"
#include "lib/err.h"
#include "lib/xtime.h"
#include "store/store.h"

#define DATA XT_SOURCE_DIR "/data"

/* 临夏县 (622921), its township 韩集镇 (622921100) and the village
 * 韩集居委会 (622921100001), under which the test adds one grid. */
#define COUNTY "622921"
#define TOWN "622921100"
#define TOWN_B "622921101"
#define VILLAGE "622921100001"
#define GRID "622921100001001"
#define HOUSING "622921D01" /* first row of departments.csv */
#define HRSS "622921D02"

#define PASSWORD "correct horse battery"

#define PHONE "13912345678"
#define NAME "张三丰"

struct fx {
    char dir[64];
    struct xt_store *s;
    struct xt_import_stats divisions;
    struct xt_actor op, cmd, town, town_b, dept, dept2, resident, grid;
    char t1[XT_NUMBER_MAX], t2[XT_NUMBER_MAX], t3[XT_NUMBER_MAX];
};


static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

static void ok(int rc, const struct xt_error *err, const char *what)
{
    if (rc)
        fail_msg("%s: rc %d (%s: %s)", what, rc, err->field, err->message);
}

static void login(struct fx *f, const char *user, struct xt_actor *a)
{
    char token[XT_TOKEN_LEN + 1];
    struct xt_error err;
    ok(xt_store_login(f->s, user, PASSWORD, at(2025, 3, 1, 9, 0), token, a, &err), &err, user);
}

static void account(struct fx *f, const char *user, int role, const char *scope)
{
    struct xt_error err;
    ok(xt_store_account_create(f->s, user, PASSWORD, role, scope, user, &err), &err, user);
}

static int group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/xt_test_store_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    if (xt_testdb_configure(f->dir, NULL, 0))
        return -1;
    struct xt_error err;
    if (xt_store_open(f->dir, &f->s, &err)) {
        print_error("open: %s\n", err.message);
        return -1;
    }
    *state = f;
    xt_password_set_cost(1);
    return 0;
}

static int group_teardown(void **state)
{
    struct fx *f = *state;
    if (!f)
        return 0;
    xt_store_close(f->s);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* ---- reference data ---- */

static void test_import_real_data(void **state)
{
    struct fx *f = *state;
    struct xt_import_stats st;
    struct xt_error err;

    ok(xt_store_import_divisions(f->s, DATA "/divisions/linxia_6229.csv", "6229", &f->divisions,
                                 &err),
       &err, "divisions");
    /* 1 province + 1 prefecture + 8 counties + 131 townships + 1,197
     * villages = 1,338 rows, all inside (or above) 6229. */
    assert_int_equal(f->divisions.rows, 1338);
    assert_int_equal(f->divisions.inserted, 1338);
    assert_int_equal(f->divisions.skipped, 0);

    ok(xt_store_import_census(f->s, DATA "/census/census2020_county_west_key.csv", "62", &st, &err),
       &err, "census");
    assert_true(st.inserted > 0);
    ok(xt_store_import_calendar(f->s, DATA "/calendar/cn_holidays.csv", &st, &err), &err,
       "calendar");
    assert_int_equal(st.inserted, 108);
    ok(xt_store_import_categories(f->s, DATA "/reference/categories.csv", &st, &err), &err,
       "categories");
    assert_int_equal(st.inserted, 16);
    ok(xt_store_import_departments(f->s, DATA "/reference/departments.csv", "6229", &st, &err),
       &err, "departments");
    /* 13 departments in each of 8 counties. */
    assert_int_equal(st.rows, 13);
    assert_int_equal(st.inserted, 104);

    /* No grids ship with the data: add one under 韩集居委会. */
    struct xt_unit g;
    memset(&g, 0, sizeof(g));
    snprintf(g.code, sizeof(g.code), GRID);
    snprintf(g.parent, sizeof(g.parent), VILLAGE);
    snprintf(g.name, sizeof(g.name), "韩集居委会第一网格");
    g.level = XT_LEVEL_GRID;
    g.kind = XT_KIND_URBAN;
    ok(xt_store_put_units(f->s, &g, NULL, 1, &err), &err, "put grid");
    ok(xt_store_reload(f->s, &err), &err, "reload");

    long counts[8];
    assert_int_equal(xt_store_unit_counts(f->s, counts), 0);
    assert_int_equal(counts[XT_LEVEL_PROVINCE], 1);
    assert_int_equal(counts[XT_LEVEL_CITY], 1);
    assert_int_equal(counts[XT_LEVEL_COUNTY], 8);
    assert_int_equal(counts[XT_LEVEL_TOWNSHIP], 131);
    assert_int_equal(counts[XT_LEVEL_VILLAGE], 1197);
    assert_int_equal(counts[XT_LEVEL_GRID], 1);
    assert_int_equal(counts[XT_LEVEL_DEPARTMENT], 104);

    /* A community is urban by its name (居委会); a department is named
     * after its county. */
    struct xt_unit u;
    assert_int_equal(xt_store_unit_get(f->s, VILLAGE, &u), 0);
    assert_int_equal(u.level, XT_LEVEL_VILLAGE);
    assert_int_equal(u.kind, XT_KIND_URBAN);
    assert_string_equal(u.parent, TOWN);
    assert_int_equal(xt_store_unit_get(f->s, HOUSING, &u), 0);
    assert_int_equal(u.level, XT_LEVEL_DEPARTMENT);
    assert_string_equal(u.name, "临夏县住房和城乡建设局");
    assert_string_equal(xt_store_unit_name(f->s, TOWN), "韩集镇");
    assert_int_equal(xt_store_unit_get(f->s, "622921999", &u), XT_ENOTFOUND);

    /* The census row of 临夏县, and the 2-digit province row. */
    struct xt_census c;
    assert_int_equal(xt_store_census(f->s, COUNTY, &c), 0);
    assert_string_equal(c.name, "临夏县");
    assert_true(c.population > 100000);
    assert_int_equal(xt_store_census(f->s, "62", &c), 0);
    assert_true(c.population == 25019831);

    /* The caches follow the data. */
    const struct xt_routing *r = xt_store_routing(f->s);
    assert_int_equal(r->n_categories, 16);
    assert_int_equal(r->n_departments, 104);
    assert_false(xt_calendar_is_workday(xt_store_calendar(f->s), xt_days_from_civil(2025, 10, 1)));
    assert_true(xt_calendar_is_workday(xt_store_calendar(f->s), xt_days_from_civil(2025, 9, 28)));
}

/* A bad row fails the whole import, names its line and field, and writes
 * nothing: the good rows before it are not kept. */
static void test_import_bad_row_writes_nothing(void **state)
{
    struct fx *f = *state;
    char path[128];
    snprintf(path, sizeof(path), "%s/bad_divisions.csv", f->dir);
    write_file(path, "code,name,parent_code,level\n"
                     "622998,测试县,6229,county\n"
                     "622998100,测试镇,622998,township\n"
                     "622998100001,测试村,622998100,bogus\n");
    long before[8], after[8];
    assert_int_equal(xt_store_unit_counts(f->s, before), 0);
    struct xt_import_stats st;
    struct xt_error err;
    assert_int_equal(xt_store_import_divisions(f->s, path, "6229", &st, &err), XT_EINVAL);
    assert_string_equal(err.field, "level");
    /* Header on line 1, so the third row is line 4. */
    if (!strstr(err.message, "line 4") || !strstr(err.message, "bogus"))
        fail_msg("message '%s' does not name line 4 and 'bogus'", err.message);
    assert_int_equal(xt_store_unit_counts(f->s, after), 0);
    assert_memory_equal(before, after, sizeof(before));
    struct xt_unit u;
    assert_int_equal(xt_store_unit_get(f->s, "622998", &u), XT_ENOTFOUND);
    unlink(path);
}

/* A row whose parent is not its prefix: the error names the line, the
 * field parent_code and the codes at fault. */
static void test_import_bad_parent_message(void **state)
{
    struct fx *f = *state;
    char path[128];
    snprintf(path, sizeof(path), "%s/bad_parent.csv", f->dir);
    write_file(path, "code,name,parent_code,level\n"
                     "622998,测试县,6229,county\n"
                     "622998100,测试镇,622999,township\n");
    struct xt_import_stats st;
    struct xt_error err;
    assert_int_equal(xt_store_import_divisions(f->s, path, "6229", &st, &err), XT_EINVAL);
    if (strcmp(err.field, "parent_code") != 0)
        fail_msg("field '%s', want 'parent_code' (message '%s')", err.field, err.message);
    if (!strstr(err.message, "line 3") || !strstr(err.message, "622999") ||
        !strstr(err.message, "not the parent"))
        fail_msg("message '%s' does not name line 3, '622999' and the reason", err.message);
    struct xt_unit u;
    assert_int_equal(xt_store_unit_get(f->s, "622998", &u), XT_ENOTFOUND);
    unlink(path);
}

/* ---- accounts and sessions ---- */

static void test_accounts(void **state)
{
    struct fx *f = *state;
    struct xt_error err;
    account(f, "op1", XT_ROLE_OPERATOR, "");
    account(f, "cmd1", XT_ROLE_COMMAND, COUNTY);
    account(f, "town1", XT_ROLE_TOWNSHIP, TOWN);
    account(f, "town2", XT_ROLE_TOWNSHIP, TOWN_B);
    account(f, "dept1", XT_ROLE_DEPARTMENT, HOUSING);
    account(f, "dept2", XT_ROLE_DEPARTMENT, HRSS);
    account(f, "res1", XT_ROLE_RESIDENT, "");
    account(f, "grid1", XT_ROLE_GRID, GRID);

    /* The same name twice. */
    assert_int_equal(
        xt_store_account_create(f->s, "op1", PASSWORD, XT_ROLE_OPERATOR, "", NULL, &err),
        XT_EEXIST);
    assert_string_equal(err.field, "username");
    /* A scope of the wrong level for the role, or no such unit. */
    assert_int_equal(
        xt_store_account_create(f->s, "town9", PASSWORD, XT_ROLE_TOWNSHIP, COUNTY, NULL, &err),
        XT_EINVAL);
    assert_string_equal(err.field, "scope");
    assert_int_equal(
        xt_store_account_create(f->s, "town9", PASSWORD, XT_ROLE_TOWNSHIP, "", NULL, &err),
        XT_EINVAL);
    assert_string_equal(err.field, "scope");
    assert_int_equal(
        xt_store_account_create(f->s, "dept9", PASSWORD, XT_ROLE_DEPARTMENT, TOWN, NULL, &err),
        XT_EINVAL);
    assert_string_equal(err.field, "scope");
    assert_int_equal(xt_store_account_create(f->s, "vil9", PASSWORD, XT_ROLE_VILLAGE,
                                             "622921199999", NULL, &err),
                     XT_EINVAL);
    assert_string_equal(err.field, "scope");
    /* Bad names, passwords and roles. */
    assert_int_equal(
        xt_store_account_create(f->s, "Op2", PASSWORD, XT_ROLE_OPERATOR, "", NULL, &err),
        XT_EINVAL);
    assert_string_equal(err.field, "username");
    assert_int_equal(
        xt_store_account_create(f->s, "op2", "short", XT_ROLE_OPERATOR, "", NULL, &err), XT_EINVAL);
    assert_string_equal(err.field, "password");
    assert_int_equal(xt_store_account_create(f->s, "sys", PASSWORD, XT_ROLE_SYSTEM, "", NULL, &err),
                     XT_EINVAL);
    assert_string_equal(err.field, "role");

    login(f, "op1", &f->op);
    assert_int_equal(f->op.role, XT_ROLE_OPERATOR);
    assert_true(f->op.account_id > 0);
    assert_string_equal(f->op.username, "op1");
    login(f, "cmd1", &f->cmd);
    login(f, "town1", &f->town);
    assert_string_equal(f->town.scope, TOWN);
    login(f, "town2", &f->town_b);
    login(f, "dept1", &f->dept);
    login(f, "dept2", &f->dept2);
    login(f, "res1", &f->resident);
    login(f, "grid1", &f->grid);
}

static void test_login_and_lockout(void **state)
{
    struct fx *f = *state;
    struct xt_error err;
    struct xt_actor a;
    char token[XT_TOKEN_LEN + 1];
    int64_t now = at(2025, 3, 2, 9, 0);
    account(f, "locky", XT_ROLE_OPERATOR, "");

    assert_int_equal(xt_store_login(f->s, "locky", "wrong password", now, token, &a, &err),
                     XT_EAUTH);
    assert_int_equal(xt_store_login(f->s, "nobody", PASSWORD, now, token, &a, &err), XT_EAUTH);
    assert_int_equal(xt_store_login(f->s, "locky", "", now, token, &a, &err), XT_EINVAL);
    assert_int_equal(xt_store_login(f->s, "locky", PASSWORD, now, token, &a, &err), 0);
    /* A success resets the count: five more failures lock the account. */
    for (int i = 0; i < 5; i++)
        assert_int_equal(xt_store_login(f->s, "locky", "wrong password", now + i, token, &a, &err),
                         XT_EAUTH);
    assert_int_equal(xt_store_login(f->s, "locky", PASSWORD, now + 10, token, &a, &err), XT_EBUSY);
    assert_int_equal(err.code, XT_EBUSY);
    /* Locked for 300 seconds from the fifth failure (now + 4). */
    assert_int_equal(xt_store_login(f->s, "locky", PASSWORD, now + 4 + 299, token, &a, &err),
                     XT_EBUSY);
    assert_int_equal(xt_store_login(f->s, "locky", PASSWORD, now + 4 + 301, token, &a, &err), 0);
}

static void test_sessions(void **state)
{
    struct fx *f = *state;
    struct xt_error err;
    struct xt_actor a, b;
    char token[XT_TOKEN_LEN + 1];
    int64_t now = at(2025, 3, 3, 9, 0);
    ok(xt_store_login(f->s, "town1", PASSWORD, now, token, &a, &err), &err, "login");
    assert_int_equal(strlen(token), XT_TOKEN_LEN);

    memset(&b, 0, sizeof(b));
    assert_int_equal(xt_store_session(f->s, token, now + 60, &b), 0);
    assert_int_equal(b.role, XT_ROLE_TOWNSHIP);
    assert_string_equal(b.scope, TOWN);
    assert_true(b.account_id == a.account_id);
    /* Used every 29 minutes it stays alive past the idle limit. */
    assert_int_equal(xt_store_session(f->s, token, now + 60 + 29 * 60, &b), 0);
    assert_int_equal(xt_store_session(f->s, token, now + 60 + 58 * 60, &b), 0);
    /* Unknown and malformed tokens. */
    char other[XT_TOKEN_LEN + 1];
    xt_token_new(other);
    assert_int_equal(xt_store_session(f->s, other, now + 60, &b), XT_EAUTH);
    assert_int_equal(xt_store_session(f->s, "short", now + 60, &b), XT_EAUTH);
    assert_int_equal(xt_store_session(f->s, NULL, now + 60, &b), XT_EAUTH);

    /* Logout revokes. */
    assert_int_equal(xt_store_logout(f->s, &b, token, now + 61), 0);
    assert_int_equal(xt_store_session(f->s, token, now + 60 + 59 * 60, &b), XT_EAUTH);

    /* 30 minutes idle ends a session. */
    ok(xt_store_login(f->s, "town1", PASSWORD, now, token, &a, &err), &err, "login");
    assert_int_equal(xt_store_session(f->s, token, now + 30 * 60 + 1, &b), XT_EAUTH);
}

/* ---- tickets ---- */

static void create(struct fx *f, const struct xt_actor *a, int type, const char *category,
                   const char *text, const struct xt_contact *contact, int64_t now,
                   char number[XT_NUMBER_MAX], struct xt_ticket *out)
{
    struct xt_ticket t;
    xt_ticket_init(&t);
    t.type = type;
    t.channel = a->role == XT_ROLE_RESIDENT ? XT_CHANNEL_WEB : XT_CHANNEL_HOTLINE;
    snprintf(t.category, sizeof(t.category), "%s", category);
    t.text = strdup(text);
    assert_non_null(t.text);
    snprintf(t.grid, sizeof(t.grid), GRID);
    struct xt_error err;
    ok(xt_store_ticket_create(f->s, a, &t, contact, NULL, NULL, now, &err), &err, "create");
    snprintf(number, XT_NUMBER_MAX, "%s", t.number);
    if (out)
        *out = t;
    else
        xt_ticket_release(&t);
}

static int act(struct fx *f, const struct xt_actor *a, const char *number, int action,
               struct xt_action_input *in, int64_t now, struct xt_ticket *t, struct xt_error *err)
{
    int rc = xt_store_ticket_act(f->s, a, number, action, in, NULL, NULL, now, t, err);
    if (!rc)
        return 0;
    return rc;
}

static void act_ok(struct fx *f, const struct xt_actor *a, const char *number, int action,
                   struct xt_action_input *in, int64_t now, struct xt_ticket *t)
{
    struct xt_error err;
    int rc = act(f, a, number, action, in, now, t, &err);
    if (rc)
        fail_msg("%s %s by %s: rc %d (%s: %s)", xt_action_name(action), number, a->username, rc,
                 err.field, err.message);
}

static void get(struct fx *f, const struct xt_actor *a, const char *number, struct xt_ticket *t)
{
    struct xt_error err;
    ok(xt_store_ticket_get(f->s, a, number, t, NULL, false, 0, &err), &err, number);
}

struct timeline {
    int n;
    int action[16], from[16], to[16];
    int64_t at[16];
    char unit[16][XT_CODE_MAX];
    char actor[16][64];
};

static int on_entry(void *ctx, const struct xt_timeline_entry *e)
{
    struct timeline *tl = ctx;
    if (tl->n < 16) {
        tl->action[tl->n] = e->action;
        tl->from[tl->n] = e->from_state;
        tl->to[tl->n] = e->to_state;
        tl->at[tl->n] = e->at;
        snprintf(tl->unit[tl->n], sizeof(tl->unit[0]), "%s", e->unit);
        snprintf(tl->actor[tl->n], sizeof(tl->actor[0]), "%s", e->actor);
    }
    tl->n++;
    return 0;
}

static int timeline_len(struct fx *f, const char *number)
{
    struct timeline tl;
    memset(&tl, 0, sizeof(tl));
    struct xt_error err;
    ok(xt_store_ticket_timeline(f->s, &f->op, number, on_entry, &tl, &err), &err, "timeline");
    return tl.n;
}

/* T1: a 咨询 filed by phone on Friday 2025-03-14 at 16:00, routed by its
 * category (C08 党务政务, local) to the township, then signed, replied and
 * called back. */
static void test_ticket_flow(void **state)
{
    struct fx *f = *state;
    struct xt_ticket t;
    struct xt_action_input in;
    struct xt_contact contact;
    memset(&contact, 0, sizeof(contact));
    snprintf(contact.name, sizeof(contact.name), NAME);
    snprintf(contact.phone, sizeof(contact.phone), PHONE);

    create(f, &f->op, XT_TYPE_CONSULT, "C08", "村口路灯不亮，晚上出行不便", &contact,
           at(2025, 3, 14, 16, 0), f->t1, &t);
    assert_string_equal(f->t1, "20250314-00001");
    assert_int_equal(t.state, XT_ST_RECEIVED);
    assert_string_equal(t.grid, GRID);
    assert_string_equal(t.suggested_category, "C08");
    assert_string_equal(t.suggested_handler, TOWN);
    assert_true(t.creator_id == f->op.account_id);
    xt_ticket_release(&t);

    /* Dispatched Friday 16:30 with no handler given: the category routes
     * it. Sign-for: 16:30-17:30 is 60 office minutes, the other 60 run
     * Monday 09:00-10:00 → Mon 2025-03-17 10:00. Resolve (1 working day):
     * the next working day after Friday, Monday, at 17:30. */
    xt_action_input_init(&in);
    act_ok(f, &f->op, f->t1, XT_ACT_DISPATCH, &in, at(2025, 3, 14, 16, 30), &t);
    assert_int_equal(t.state, XT_ST_DISPATCHED);
    assert_string_equal(t.lead, TOWN);
    assert_string_equal(t.handler, TOWN);
    assert_time(t.sign_by, at(2025, 3, 17, 10, 0));
    assert_time(t.resolve_by, at(2025, 3, 17, 17, 30));
    assert_true(t.assignment_id > 0);
    xt_ticket_release(&t);

    /* The stored ticket says the same. */
    get(f, &f->town, f->t1, &t);
    assert_time(t.sign_by, at(2025, 3, 17, 10, 0));
    assert_time(t.resolve_by, at(2025, 3, 17, 17, 30));
    assert_time(t.dispatched_at, at(2025, 3, 14, 16, 30));
    xt_ticket_release(&t);

    /* Signed Monday 09:30 (in time), replied 11:00, called back 15:00. */
    xt_action_input_init(&in);
    act_ok(f, &f->town, f->t1, XT_ACT_SIGN, &in, at(2025, 3, 17, 9, 30), &t);
    assert_int_equal(t.state, XT_ST_SIGNED);
    xt_ticket_release(&t);
    xt_action_input_init(&in);
    in.reply = "已更换路灯灯泡";
    in.result = XT_RESULT_RESOLVED;
    act_ok(f, &f->town, f->t1, XT_ACT_REPLY, &in, at(2025, 3, 17, 11, 0), &t);
    assert_int_equal(t.state, XT_ST_REPLIED);
    assert_string_equal(t.reply, "已更换路灯灯泡");
    xt_ticket_release(&t);
    xt_action_input_init(&in);
    in.resolved = 1;
    in.satisfaction = XT_SAT_SATISFIED;
    act_ok(f, &f->op, f->t1, XT_ACT_CALLBACK, &in, at(2025, 3, 17, 15, 0), &t);
    assert_int_equal(t.state, XT_ST_CLOSED);
    assert_int_equal(t.resolved, 1);
    xt_ticket_release(&t);

    /* The timeline, in order. */
    struct timeline tl;
    memset(&tl, 0, sizeof(tl));
    struct xt_error err;
    ok(xt_store_ticket_timeline(f->s, &f->town, f->t1, on_entry, &tl, &err), &err, "timeline");
    assert_int_equal(tl.n, 5);
    static const int actions[5] = {XT_ACT_CREATE, XT_ACT_DISPATCH, XT_ACT_SIGN, XT_ACT_REPLY,
                                   XT_ACT_CALLBACK};
    static const int from[5] = {-1, XT_ST_RECEIVED, XT_ST_DISPATCHED, XT_ST_SIGNED, XT_ST_REPLIED};
    static const int to[5] = {XT_ST_RECEIVED, XT_ST_DISPATCHED, XT_ST_SIGNED, XT_ST_REPLIED,
                              XT_ST_CLOSED};
    static const char *const who[5] = {"op1", "op1", "town1", "town1", "op1"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(tl.action[i], actions[i]);
        assert_int_equal(tl.from[i], from[i]);
        assert_int_equal(tl.to[i], to[i]);
        assert_string_equal(tl.actor[i], who[i]);
        if (i)
            assert_true(tl.at[i] > tl.at[i - 1]);
    }
    assert_string_equal(tl.unit[1], TOWN);
    /* Another township neither sees the ticket nor its timeline. */
    assert_int_equal(xt_store_ticket_timeline(f->s, &f->town_b, f->t1, on_entry, &tl, &err),
                     XT_ENOTFOUND);
    assert_int_equal(xt_store_ticket_get(f->s, &f->town_b, f->t1, &t, NULL, false, 0, &err),
                     XT_ENOTFOUND);

    /* T2: a 投诉 filed on the web by a resident, Friday 16:10, housing
     * (C01) → the county's housing department. Dispatched 16:40: sign-for
     * 50 minutes Friday + 70 Monday → Mon 10:10; 10 working days: Mon 17
     * .. Fri 28 → Fri 2025-03-28 17:30. Signed late (Mon 11:00), replied
     * Tue 10:00, called back Tue 15:00: not resolved, basically satisfied. */
    create(f, &f->resident, XT_TYPE_COMPLAINT, "C01", "小区楼道堆放杂物，多次反映无人处理", NULL,
           at(2025, 3, 14, 16, 10), f->t2, NULL);
    assert_string_equal(f->t2, "20250314-00002");
    xt_action_input_init(&in);
    act_ok(f, &f->op, f->t2, XT_ACT_DISPATCH, &in, at(2025, 3, 14, 16, 40), &t);
    assert_string_equal(t.lead, HOUSING);
    assert_time(t.sign_by, at(2025, 3, 17, 10, 10));
    assert_time(t.resolve_by, at(2025, 3, 28, 17, 30));
    xt_ticket_release(&t);
    xt_action_input_init(&in);
    act_ok(f, &f->dept, f->t2, XT_ACT_SIGN, &in, at(2025, 3, 17, 11, 0), &t);
    xt_ticket_release(&t);
    xt_action_input_init(&in);
    in.reply = "已通知物业清理";
    in.result = XT_RESULT_RESOLVED;
    act_ok(f, &f->dept, f->t2, XT_ACT_REPLY, &in, at(2025, 3, 18, 10, 0), &t);
    xt_ticket_release(&t);
    xt_action_input_init(&in);
    in.resolved = 0;
    in.satisfaction = XT_SAT_BASIC;
    act_ok(f, &f->resident, f->t2, XT_ACT_CALLBACK, &in, at(2025, 3, 18, 15, 0), &t);
    assert_int_equal(t.state, XT_ST_CLOSED);
    xt_ticket_release(&t);

    /* T3: a 求助 on Monday 2025-03-17 09:00, dispatched 09:10 to the
     * township: sign by 11:10, resolve in 3 working days → Thu 20 17:30;
     * never signed. */
    create(f, &f->op, XT_TYPE_HELP, "C08", "路灯不亮 求助 老人夜间摔倒", NULL,
           at(2025, 3, 17, 9, 0), f->t3, NULL);
    assert_string_equal(f->t3, "20250317-00001");
    xt_action_input_init(&in);
    snprintf(in.unit, sizeof(in.unit), TOWN);
    act_ok(f, &f->cmd, f->t3, XT_ACT_DISPATCH, &in, at(2025, 3, 17, 9, 10), &t);
    assert_time(t.sign_by, at(2025, 3, 17, 11, 10));
    assert_time(t.resolve_by, at(2025, 3, 20, 17, 30));
    xt_ticket_release(&t);
}

struct listing {
    int n;
    char number[8][XT_NUMBER_MAX];
};

static int on_ticket(void *ctx, const struct xt_ticket *t)
{
    struct listing *l = ctx;
    if (l->n < 8)
        snprintf(l->number[l->n], XT_NUMBER_MAX, "%s", t->number);
    l->n++;
    return 0;
}

/* List and compare with the expected numbers, newest first. */
static int64_t list(struct fx *f, const struct xt_actor *a, const struct xt_ticket_filter *flt,
                    int64_t now, const char *const *want)
{
    struct listing l;
    memset(&l, 0, sizeof(l));
    int64_t next = -1;
    struct xt_error err;
    ok(xt_store_ticket_list(f->s, a, flt, now, on_ticket, &l, &next, &err), &err, "list");
    int n = 0;
    while (want[n])
        n++;
    if (l.n != n)
        fail_msg("%d tickets listed, want %d (first '%s')", l.n, n, l.n ? l.number[0] : "");
    for (int i = 0; i < n; i++)
        assert_string_equal(l.number[i], want[i]);
    return next;
}

#define LIST(f, a, flt, now, ...)                                                                  \
    do {                                                                                           \
        const char *const want_[] = {__VA_ARGS__};                                                 \
        list((f), (a), (flt), (now), want_);                                                       \
    } while (0)

static void test_list(void **state)
{
    struct fx *f = *state;
    struct xt_ticket_filter flt;
    int64_t now = at(2025, 3, 17, 10, 0);
    const char *t1 = f->t1, *t2 = f->t2, *t3 = f->t3;

    xt_ticket_filter_init(&flt);
    LIST(f, &f->op, &flt, now, t3, t2, t1, NULL);
    flt.state = XT_ST_CLOSED;
    LIST(f, &f->op, &flt, now, t2, t1, NULL);
    flt.state = XT_ST_DISPATCHED;
    LIST(f, &f->op, &flt, now, t3, NULL);

    xt_ticket_filter_init(&flt);
    flt.unit = HOUSING;
    LIST(f, &f->op, &flt, now, t2, NULL);
    flt.unit = TOWN;
    LIST(f, &f->op, &flt, now, t3, t2, t1, NULL); /* all three lie in its grid */
    flt.unit = TOWN_B;
    LIST(f, &f->op, &flt, now, NULL);

    xt_ticket_filter_init(&flt);
    flt.q = "路灯";
    LIST(f, &f->op, &flt, now, t3, t1, NULL);
    flt.q = "楼道";
    LIST(f, &f->op, &flt, now, t2, NULL);
    flt.q = "不存在的词";
    LIST(f, &f->op, &flt, now, NULL);

    xt_ticket_filter_init(&flt);
    flt.type = XT_TYPE_COMPLAINT;
    LIST(f, &f->op, &flt, now, t2, NULL);
    xt_ticket_filter_init(&flt);
    flt.category = "C08";
    LIST(f, &f->op, &flt, now, t3, t1, NULL);
    xt_ticket_filter_init(&flt);
    flt.from = at(2025, 3, 17, 0, 0);
    LIST(f, &f->op, &flt, now, t3, NULL);
    flt.from = 0;
    flt.to = at(2025, 3, 14, 16, 5);
    LIST(f, &f->op, &flt, now, t1, NULL);

    /* Overdue: T3 had to be signed by 11:10. */
    xt_ticket_filter_init(&flt);
    flt.overdue = true;
    LIST(f, &f->op, &flt, at(2025, 3, 17, 11, 10), NULL);
    LIST(f, &f->op, &flt, at(2025, 3, 17, 11, 11), t3, NULL);
    LIST(f, &f->op, &flt, at(2025, 4, 1, 9, 0), t3, NULL);

    /* Cursor paging, one at a time. */
    xt_ticket_filter_init(&flt);
    flt.limit = 1;
    int64_t next = list(f, &f->op, &flt, now, (const char *const[]){t3, NULL});
    assert_true(next > 0);
    flt.cursor = next;
    next = list(f, &f->op, &flt, now, (const char *const[]){t2, NULL});
    assert_true(next > 0);
    flt.cursor = next;
    next = list(f, &f->op, &flt, now, (const char *const[]){t1, NULL});
    assert_true(next == 0);
    flt.limit = 0;
    struct listing l;
    struct xt_error err;
    assert_int_equal(xt_store_ticket_list(f->s, &f->op, &flt, now, on_ticket, &l, &next, &err),
                     XT_EINVAL);
    assert_string_equal(err.field, "limit");

    /* Who sees what: the resident his own, the housing department what it
     * handles, the other department and township nothing. */
    xt_ticket_filter_init(&flt);
    LIST(f, &f->resident, &flt, now, t2, NULL);
    LIST(f, &f->dept, &flt, now, t2, NULL);
    LIST(f, &f->dept2, &flt, now, NULL);
    LIST(f, &f->town_b, &flt, now, NULL);
    LIST(f, &f->town, &flt, now, t3, t2, t1, NULL);
    LIST(f, &f->grid, &flt, now, t3, t2, t1, NULL);
}

static void test_rates_and_ranking(void **state)
{
    struct fx *f = *state;
    struct xt_rates r;
    struct xt_error err;

    /* 韩集镇 in March 2025: T1 (signed in time, resolved, satisfied) and
     * T3 (not signed). Response 1/2; resolution 1/1; satisfaction 1/1;
     * composite 0.30 x 0.5 + 0.35 + 0.35 = 0.85. */
    ok(xt_store_rates(f->s, TOWN, 202503, &r, &err), &err, "rates");
    assert_int_equal(r.dispatched, 2);
    assert_int_equal(r.signed_on_time, 1);
    assert_int_equal(r.called_back, 1);
    assert_float_equal(r.response, 0.5, 1e-12);
    assert_float_equal(r.resolution, 1.0, 1e-12);
    assert_float_equal(r.satisfaction, 1.0, 1e-12);
    assert_float_equal(r.composite, 0.85, 1e-12);
    /* On time: T1 replied before Mon 17:30; T3 not replied → 1/2. */
    assert_float_equal(r.on_time, 0.5, 1e-12);

    /* The housing department: T2 signed late, not resolved, basically
     * satisfied: 0 + 0 + 0.35 x 0.5 = 0.175. */
    ok(xt_store_rates(f->s, HOUSING, 202503, &r, &err), &err, "rates");
    assert_int_equal(r.dispatched, 1);
    assert_float_equal(r.response, 0.0, 1e-12);
    assert_float_equal(r.resolution, 0.0, 1e-12);
    assert_float_equal(r.satisfaction, 0.5, 1e-12);
    assert_float_equal(r.composite, 0.175, 1e-12);

    /* The county sums its subtree: 3 dispatched, 1 in time (1/3); 2
     * called back, 1 resolved (1/2); (1 + 0.5) / 2 = 0.75 satisfied;
     * composite 0.1 + 0.175 + 0.2625 = 0.5375. */
    ok(xt_store_rates(f->s, COUNTY, 202503, &r, &err), &err, "rates");
    assert_int_equal(r.dispatched, 3);
    assert_float_equal(r.response, 1.0 / 3.0, 1e-12);
    assert_float_equal(r.resolution, 0.5, 1e-12);
    assert_float_equal(r.satisfaction, 0.75, 1e-12);
    assert_float_equal(r.composite, 0.5375, 1e-12);

    /* Nothing in February; an unknown unit. */
    ok(xt_store_rates(f->s, TOWN, 202502, &r, &err), &err, "rates");
    assert_int_equal(r.dispatched, 0);
    assert_true(isnan(r.composite));
    assert_int_equal(xt_store_rates(f->s, "622921999", 202503, &r, &err), XT_ENOTFOUND);

    /* Township ranking of 临夏县: 韩集镇 first, the other 24 undefined. */
    struct xt_rates *rk;
    int *ranks;
    size_t n;
    ok(xt_store_ranking(f->s, COUNTY, XT_LEVEL_TOWNSHIP, 202503, &rk, &ranks, &n, &err), &err,
       "ranking");
    assert_int_equal(n, 25);
    assert_string_equal(rk[0].unit, TOWN);
    assert_int_equal(ranks[0], 1);
    assert_float_equal(rk[0].composite, 0.85, 1e-12);
    for (size_t i = 1; i < n; i++) {
        assert_true(isnan(rk[i].composite));
        assert_true(ranks[i] > 1);
    }
    free(rk);
    free(ranks);

    /* Department ranking: housing first of the county's 13. */
    ok(xt_store_ranking(f->s, COUNTY, XT_LEVEL_DEPARTMENT, 202503, &rk, &ranks, &n, &err), &err,
       "ranking");
    assert_int_equal(n, 13);
    assert_string_equal(rk[0].unit, HOUSING);
    assert_int_equal(ranks[0], 1);
    assert_float_equal(rk[0].composite, 0.175, 1e-12);
    free(rk);
    free(ranks);

    assert_int_equal(
        xt_store_ranking(f->s, COUNTY, XT_LEVEL_VILLAGE, 202503, &rk, &ranks, &n, &err), XT_EINVAL);
}

/* Scan a file for a byte string. */
static bool file_contains(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(fp);
    bool found = memmem(buf, len, needle, strlen(needle)) != NULL;
    free(buf);
    return found;
}

static void test_contact_sealed(void **state)
{
    struct fx *f = *state;
    char db[128], wal[128];
    snprintf(db, sizeof(db), "%s/xietong.db", f->dir);
    snprintf(wal, sizeof(wal), "%s/xietong.db-wal", f->dir);
    if (xt_testdb_postgres()) {
        /* On PostgreSQL, every column of every ticket row as text: the
         * ticket text is there in clear, the phone and name are not. */
        static char rows[1 << 20];
        assert_int_equal(xt_testdb_sql(f->dir, "SELECT string_agg(t::text, '|') FROM tickets t",
                                       rows, sizeof(rows)),
                         0);
        assert_non_null(strstr(rows, "村口路灯不亮"));
        assert_null(strstr(rows, PHONE));
        assert_null(strstr(rows, NAME));
    } else {
        /* The files are there and hold the ticket text in clear, so the
         * scan itself works ... */
        assert_true(file_contains(db, "SQLite format 3") || file_contains(wal, "村口路灯不亮"));
        assert_true(file_contains(db, "村口路灯不亮") || file_contains(wal, "村口路灯不亮"));
        /* ... but never the requester's phone or name. */
        assert_false(file_contains(db, PHONE));
        assert_false(file_contains(wal, PHONE));
        assert_false(file_contains(db, NAME));
        assert_false(file_contains(wal, NAME));
    }

    struct xt_ticket t;
    struct xt_contact c;
    struct xt_error err;
    int64_t now = at(2025, 3, 18, 9, 0);
    /* Masked by default, even for an operator. */
    ok(xt_store_ticket_get(f->s, &f->op, f->t1, &t, &c, false, now, &err), &err, "get");
    assert_string_equal(c.phone, "139****5678");
    assert_string_equal(c.name, "张**");
    xt_ticket_release(&t);
    /* The township sees it masked and may not unmask. */
    ok(xt_store_ticket_get(f->s, &f->town, f->t1, &t, &c, false, now, &err), &err, "get");
    assert_string_equal(c.phone, "139****5678");
    xt_ticket_release(&t);
    assert_int_equal(xt_store_ticket_get(f->s, &f->town, f->t1, &t, &c, true, now, &err), XT_EPERM);
    assert_string_equal(err.field, "reveal");

    /* An operator unmasks it, and the read is audited. */
    int64_t bad;
    long rows_before, rows_after;
    assert_int_equal(xt_store_audit_verify(f->s, &bad, &rows_before), 0);
    ok(xt_store_ticket_get(f->s, &f->op, f->t1, &t, &c, true, now, &err), &err, "reveal");
    assert_string_equal(c.phone, PHONE);
    assert_string_equal(c.name, NAME);
    xt_ticket_release(&t);
    assert_int_equal(xt_store_audit_verify(f->s, &bad, &rows_after), 0);
    assert_int_equal(rows_after, rows_before + 1);
    /* Still nothing in clear on disk. */
    assert_false(file_contains(db, PHONE));
    assert_false(file_contains(wal, PHONE));

    /* A ticket without contact has empty fields. */
    ok(xt_store_ticket_get(f->s, &f->op, f->t3, &t, &c, false, now, &err), &err, "get");
    assert_string_equal(c.phone, "");
    assert_string_equal(c.name, "");
    xt_ticket_release(&t);
}

/* A refused action writes nothing: no event, no audit row, no change. */
static void test_refusal_writes_nothing(void **state)
{
    struct fx *f = *state;
    struct xt_ticket t, before, after;
    struct xt_action_input in;
    struct xt_error err;
    int64_t now = at(2025, 3, 18, 10, 0);
    int64_t bad;
    long rows0, rows1;
    int n0 = timeline_len(f, f->t3);
    assert_int_equal(n0, 2);
    assert_int_equal(xt_store_audit_verify(f->s, &bad, &rows0), 0);
    get(f, &f->op, f->t3, &before);

    /* Wrong role, wrong state, wrong relation, bad input, invisible. */
    xt_action_input_init(&in);
    assert_int_equal(act(f, &f->op, f->t3, XT_ACT_SIGN, &in, now, &t, &err), XT_EPERM);
    assert_int_equal(act(f, &f->town, f->t3, XT_ACT_REPLY, &in, now, &t, &err), XT_ESTATE);
    assert_int_equal(act(f, &f->dept, f->t3, XT_ACT_SIGN, &in, now, &t, &err), XT_ENOTFOUND);
    assert_int_equal(act(f, &f->town, f->t3, XT_ACT_RETURN, &in, now, &t, &err), XT_EINVAL);
    assert_string_equal(err.field, "reason");
    assert_int_equal(act(f, &f->town_b, f->t3, XT_ACT_SIGN, &in, now, &t, &err), XT_ENOTFOUND);
    assert_int_equal(act(f, &f->town, "20990101-00001", XT_ACT_SIGN, &in, now, &t, &err),
                     XT_ENOTFOUND);
    assert_int_equal(act(f, &f->town, f->t1, XT_ACT_SIGN, &in, now, &t, &err), XT_ESTATE);
    /* A dispatch to a unit that does not exist. */
    xt_action_input_init(&in);
    snprintf(in.unit, sizeof(in.unit), "622921D77");
    assert_int_equal(act(f, &f->op, f->t3, XT_ACT_DISPATCH, &in, now, &t, &err), XT_EINVAL);
    assert_string_equal(err.field, "handler");

    assert_int_equal(timeline_len(f, f->t3), n0);
    assert_int_equal(timeline_len(f, f->t1), 5);
    assert_int_equal(xt_store_audit_verify(f->s, &bad, &rows1), 0);
    assert_int_equal(rows1, rows0);
    get(f, &f->op, f->t3, &after);
    assert_int_equal(after.state, before.state);
    assert_true(after.updated_at == before.updated_at);
    assert_string_equal(after.handler, before.handler);
    assert_int_equal(after.returns, before.returns);
    xt_ticket_release(&before);
    xt_ticket_release(&after);

    /* The escalation sweep at Monday 11:11 finds T3 (not signed by 11:10)
     * and only once. */
    int count = -1;
    assert_int_equal(xt_store_escalate_overdue(f->s, at(2025, 3, 17, 11, 11), &count), 0);
    assert_int_equal(count, 1);
    assert_int_equal(xt_store_escalate_overdue(f->s, at(2025, 3, 17, 11, 12), &count), 0);
    assert_int_equal(count, 0);
    get(f, &f->op, f->t3, &t);
    assert_true(t.escalated);
    xt_ticket_release(&t);
    assert_int_equal(timeline_len(f, f->t3), n0 + 1);
}

static void test_audit_tamper(void **state)
{
    struct fx *f = *state;
    int64_t bad = -1;
    long rows = 0;
    assert_int_equal(xt_store_audit_verify(f->s, &bad, &rows), 0);
    assert_true(rows > 10);
    assert_true(bad == 0);

    if (xt_testdb_postgres()) {
        /* Edit one row behind the store's back, on PostgreSQL. */
        char id[32];
        assert_int_equal(
            xt_testdb_sql(f->dir, "SELECT id FROM audit ORDER BY id LIMIT 1 OFFSET 4", id, sizeof(id)),
            0);
        int64_t victim = strtoll(id, NULL, 10);
        assert_true(victim > 0);
        char sql[128];
        snprintf(sql, sizeof(sql),
                 "UPDATE audit SET detail = detail || ' (edited)' WHERE id = %lld",
                 (long long)victim);
        assert_int_equal(xt_testdb_sql(f->dir, sql, NULL, 0), 0);
        /* The timeline refuses edits outright. */
        assert_int_equal(xt_testdb_sql(f->dir, "UPDATE events SET note = 'edited' WHERE id = 1",
                                       NULL, 0),
                         -1);
        assert_int_equal(xt_testdb_sql(f->dir, "DELETE FROM events WHERE id = 1", NULL, 0), -1);
        bad = -1;
        assert_int_equal(xt_store_audit_verify(f->s, &bad, &rows), XT_EINVAL);
        assert_int_equal(bad, victim);
        return;
    }
    /* Edit one row behind the store's back. */
    char path[128];
    snprintf(path, sizeof(path), "%s/xietong.db", f->dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT id FROM audit ORDER BY id LIMIT 1 OFFSET 4", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t victim = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    char sql[128];
    snprintf(sql, sizeof(sql), "UPDATE audit SET detail = detail || ' (edited)' WHERE id = %lld",
             (long long)victim);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_changes(db), 1);
    /* The timeline refuses edits outright. */
    assert_true(sqlite3_exec(db, "UPDATE events SET note = 'edited' WHERE id = 1", NULL, NULL,
                             NULL) != SQLITE_OK);
    assert_true(sqlite3_exec(db, "DELETE FROM events WHERE id = 1", NULL, NULL, NULL) != SQLITE_OK);
    sqlite3_close(db);

    assert_int_equal(xt_store_audit_verify(f->s, &bad, &rows), XT_EINVAL);
    assert_true(bad == victim);
}

/* Many operators file at once: the writer takes their tickets in batches
 * (pipelined on PostgreSQL, where the day's counter is written once per
 * batch). Every number of the day is given once, in a run without gaps,
 * the stored counter follows, and the next ticket continues from it. */
enum { NUM_THREADS = 8, NUM_EACH = 12 };

struct numbering {
    struct fx *f;
    int64_t now;
    char numbers[NUM_EACH][XT_NUMBER_MAX];
};

static void *file_many(void *arg)
{
    struct numbering *n = arg;
    for (int i = 0; i < NUM_EACH; i++)
        create(n->f, &n->f->op, XT_TYPE_HELP, "C01", "村口路灯不亮", NULL, n->now,
               n->numbers[i], NULL);
    return NULL;
}

static int cmp_number(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_numbers_under_concurrency(void **state)
{
    struct fx *f = *state;
    int64_t now = at(2024, 2, 29, 10, 0); /* a day no other test files on */
    struct numbering n[NUM_THREADS];
    pthread_t th[NUM_THREADS];
    for (int i = 0; i < NUM_THREADS; i++) {
        n[i].f = f;
        n[i].now = now;
        assert_int_equal(pthread_create(&th[i], NULL, file_many, &n[i]), 0);
    }
    char all[NUM_THREADS * NUM_EACH][XT_NUMBER_MAX];
    for (int i = 0; i < NUM_THREADS; i++) {
        pthread_join(th[i], NULL);
        memcpy(all[i * NUM_EACH], n[i].numbers, sizeof(n[i].numbers));
    }
    qsort(all, NUM_THREADS * NUM_EACH, XT_NUMBER_MAX, cmp_number);
    for (int i = 0; i < NUM_THREADS * NUM_EACH; i++) {
        char want[XT_NUMBER_MAX];
        snprintf(want, sizeof(want), "20240229-%05d", i + 1);
        assert_string_equal(all[i], want);
    }
    char next[XT_NUMBER_MAX];
    create(f, &f->op, XT_TYPE_HELP, "C01", "村口路灯不亮", NULL, now, next, NULL);
    char want[XT_NUMBER_MAX];
    snprintf(want, sizeof(want), "20240229-%05d", NUM_THREADS * NUM_EACH + 1);
    assert_string_equal(next, want);
}

/* The duplicate check over a busy village: more open copies than it keeps
 * (XT_DUP_SCAN), some older than XT_DUP_DAYS. It offers the newest, never
 * the old ones, and each once. */
static void test_duplicates_busy_village(void **state)
{
    struct fx *f = *state;
    const char *text = "小区门口的下水道堵塞了，污水溢到路面上，臭气熏天，请尽快疏通";
    int64_t now = at(2024, 3, 20, 9, 0);
    char old[XT_NUMBER_MAX], number[XT_NUMBER_MAX];
    create(f, &f->op, XT_TYPE_HELP, "C01", text, NULL, now - 40 * 86400, old, NULL);
    for (int i = 0; i < XT_DUP_SCAN + 30; i++)
        create(f, &f->op, XT_TYPE_HELP, "C01", text, NULL, now + i, number, NULL);
    struct xt_ticket t;
    create(f, &f->op, XT_TYPE_HELP, "C01", text, NULL, now + 500, number, &t);
    struct xt_duplicate d[XT_DUP_MAX];
    int n = 0;
    struct xt_error err;
    ok(xt_store_ticket_duplicates(f->s, &f->op, &t, d, &n, &err), &err, "duplicates");
    assert_int_equal(n, XT_DUP_MAX);
    for (int i = 0; i < n; i++) {
        assert_true(d[i].similarity == 1.0);
        assert_string_not_equal(d[i].number, old);
        assert_string_not_equal(d[i].number, t.number);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(d[i].number, d[j].number);
    }
    xt_duplicates_release(d, n);
    xt_ticket_release(&t);
}

/* A ticket filed through store s at unit, as an operator. */
static void file_at(struct xt_store *s, const struct xt_actor *a, const char *unit,
                    const char *text, int64_t now, struct xt_ticket *out)
{
    xt_ticket_init(out);
    out->type = XT_TYPE_HELP;
    out->channel = XT_CHANNEL_HOTLINE;
    snprintf(out->category, sizeof(out->category), "C01");
    out->text = strdup(text);
    assert_non_null(out->text);
    snprintf(out->grid, sizeof(out->grid), "%s", unit);
    struct xt_error err;
    ok(xt_store_ticket_create(s, a, out, NULL, NULL, NULL, now, &err), &err, "create");
}

/* Whether the duplicate check of t through s offers number. */
static bool offers(struct xt_store *s, const struct xt_actor *a, const struct xt_ticket *t,
                   const char *number)
{
    struct xt_duplicate d[XT_DUP_MAX];
    int n = 0;
    struct xt_error err;
    ok(xt_store_ticket_duplicates(s, a, t, d, &n, &err), &err, "duplicates");
    bool found = false;
    for (int i = 0; i < n; i++)
        found |= strcmp(d[i].number, number) == 0;
    xt_duplicates_release(d, n);
    return found;
}

/* Two servers on one database: tickets the other one stored after this
 * one last looked (in a village it has looked at, and in one it has not)
 * are offered as duplicates, and so are its own; an unrelated text is
 * not. */
static void test_duplicates_across_servers(void **state)
{
    struct fx *f = *state;
    struct xt_store *s2 = NULL;
    struct xt_error err;
    ok(xt_store_open(f->dir, &s2, &err), &err, "open a second store");
    int64_t now = at(2024, 5, 8, 9, 0);
    const char *lamp = "村委会门前的路灯一到晚上就忽明忽暗，已经半个月了，请派人检修";
    const char *well = "组里的饮水井水泵坏了，三十多户人家吃水困难，希望尽快修好水泵";
    const char *road = "去镇上的砂石路被大车压出很多深坑，雨后积水，摩托车经常摔倒";
    const char *other = "622921100002"; /* a village no check has looked at yet */
    struct xt_ticket a, b, c, d, e, g, h;
    file_at(f->s, &f->op, GRID, lamp, now, &a);
    file_at(f->s, &f->op, GRID, lamp, now + 60, &b);
    assert_true(offers(f->s, &f->op, &b, a.number)); /* this store has seen the village */
    file_at(s2, &f->op, GRID, well, now + 120, &c);
    file_at(s2, &f->op, other, road, now + 180, &e);
    file_at(f->s, &f->op, GRID, well, now + 240, &d);
    assert_true(offers(f->s, &f->op, &d, c.number));
    assert_false(offers(f->s, &f->op, &d, a.number));
    file_at(f->s, &f->op, other, road, now + 300, &g);
    assert_true(offers(f->s, &f->op, &g, e.number));
    file_at(s2, &f->op, GRID, lamp, now + 360, &h);
    assert_true(offers(f->s, &f->op, &h, a.number));
    assert_true(offers(s2, &f->op, &h, b.number));
    xt_ticket_release(&a);
    xt_ticket_release(&b);
    xt_ticket_release(&c);
    xt_ticket_release(&d);
    xt_ticket_release(&e);
    xt_ticket_release(&g);
    xt_ticket_release(&h);
    xt_store_close(s2);

}

/* A ticket like one stored, checked but not stored itself (no id). */
static void unstored(const char *text, int64_t now, struct xt_ticket *t)
{
    xt_ticket_init(t);
    t->type = XT_TYPE_HELP;
    t->text = strdup(text);
    assert_non_null(t->text);
    snprintf(t->grid, sizeof(t->grid), GRID);
    t->created_at = now;
}

/* On SQLite a server adds the tickets it stores to its duplicate cache
 * itself and reads the database only when someone else may have written:
 * when its writer has not looked lately (it trusts a look for 10 ms), and
 * for a while once its writer has seen another connection's commit. So
 * another server's ticket is offered at once in both cases. */
static void test_duplicates_other_server_at_once(void **state)
{
    struct fx *f = *state;
    struct xt_store *s2 = NULL;
    struct xt_error err;
    ok(xt_store_open(f->dir, &s2, &err), &err, "open a second store");
    int64_t now = at(2024, 6, 12, 9, 0);
    const char *pipe = "楼道里的自来水管爆裂了，水流得满地都是，楼下住户家里也渗水了";
    const char *noise = "小区旁边的工地每天夜里十二点以后还在施工，噪音很大，老人孩子睡不好觉";
    const char *dogs = "村里有几条流浪狗经常追咬路人，已经有小学生被咬伤，请尽快处理";
    struct xt_ticket a, b, x, z, y;
    /* This store writes, then only the other one: this one, idle, reads
     * the database once its writer's look is older than it trusts. */
    file_at(f->s, &f->op, GRID, pipe, now, &a);
    file_at(s2, &f->op, GRID, noise, now + 60, &x);
    usleep(30 * 1000);
    unstored(noise, now + 120, &y);
    assert_true(offers(f->s, &f->op, &y, x.number));
    xt_ticket_release(&y);
    /* This store's next batch sees that another wrote: from then on its
     * checks read the database, even right after its own commit. */
    file_at(f->s, &f->op, GRID, pipe, now + 180, &b);
    file_at(s2, &f->op, GRID, dogs, now + 240, &z);
    unstored(dogs, now + 300, &y);
    assert_true(offers(f->s, &f->op, &y, z.number));
    xt_ticket_release(&y);
    xt_ticket_release(&a);
    xt_ticket_release(&b);
    xt_ticket_release(&x);
    xt_ticket_release(&z);
    xt_store_close(s2);
}

/* The indexes every intake writes, each read by some query (migration
 * 10): a random key costs a page of WAL per ticket, any other a page per
 * commit. SQLite finds duplicates without the village index that
 * PostgreSQL reads and lists tickets by the row id; nothing reads tickets
 * by phone. */
static void test_ticket_indexes(void **state)
{
    struct fx *f = *state;
    char names[1024] = "";
    if (xt_testdb_postgres()) {
        assert_int_equal(xt_testdb_sql(f->dir,
                                       "SELECT string_agg(indexname, ',' ORDER BY indexname)"
                                       " FROM pg_indexes WHERE tablename = 'tickets'",
                                       names, sizeof(names)),
                         0);
        assert_string_equal(names, "tickets_created,tickets_due_resolve,tickets_due_sign,"
                                   "tickets_grid,tickets_handler,tickets_lead,tickets_number_key,"
                                   "tickets_open_village,tickets_pkey,tickets_state");
        assert_int_equal(xt_testdb_sql(f->dir,
                                       "SELECT indexdef FROM pg_indexes"
                                       " WHERE indexname = 'tickets_due_resolve'",
                                       names, sizeof(names)),
                         0);
        assert_non_null(strstr(names, "resolve_by IS NOT NULL"));
        return;
    }
    char path[128];
    snprintf(path, sizeof(path), "%s/xietong.db", f->dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT group_concat(name, ',') FROM (SELECT name"
                                        " FROM sqlite_master WHERE type = 'index'"
                                        " AND tbl_name = 'tickets' ORDER BY name)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(names, sizeof(names), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    /* The sweep's first branch, as tickets.c words it, may read the
     * partial index (INDEXED BY fails to prepare otherwise). */
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT id FROM tickets INDEXED BY tickets_due_resolve"
                                        " WHERE (state BETWEEN 0 AND 2 OR state = 5)"
                                        " AND escalated = 0 AND resolve_by < CAST(?1 AS BIGINT)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_string_equal(names, "sqlite_autoindex_tickets_1,tickets_created,tickets_due_resolve,"
                               "tickets_due_sign,tickets_grid,tickets_state");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_real_data),
        cmocka_unit_test(test_import_bad_row_writes_nothing),
        cmocka_unit_test(test_import_bad_parent_message),
        cmocka_unit_test(test_accounts),
        cmocka_unit_test(test_login_and_lockout),
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_ticket_flow),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_rates_and_ranking),
        cmocka_unit_test(test_contact_sealed),
        cmocka_unit_test(test_refusal_writes_nothing),
        cmocka_unit_test(test_audit_tamper),
        cmocka_unit_test(test_numbers_under_concurrency),
        cmocka_unit_test(test_duplicates_busy_village),
        cmocka_unit_test(test_duplicates_across_servers),
        cmocka_unit_test(test_duplicates_other_server_at_once),
        cmocka_unit_test(test_ticket_indexes),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
