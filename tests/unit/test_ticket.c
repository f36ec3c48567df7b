/* test_ticket.c - the ticket state machine (src/core/ticket.c).
 *
 * Part one walks every (action, state, role) triple: the ticket is built so
 * that the actor stands in the relation the action needs (handling unit,
 * summoned department, requester), so only the role and the state decide.
 * The expected outcome comes from DESIGN's action table, spelled out again
 * below independently of ticket.c's table. Part two checks what each action
 * does to the ticket, with deadlines worked out by hand on the real
 * 2024-2026 calendar (office hours 09:00-12:00 and 13:30-17:30, +08:00).
 */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/calendar.h"
#include "core/deadline.h"
#include "core/reqtype.h"
#include "core/ticket.h"
#include "core/unit.h"
#include "lib/err.h"
#include "lib/xtime.h"

#define HOLIDAYS_CSV XT_SOURCE_DIR "/data/calendar/cn_holidays.csv"

/* A slice of 临夏县 (622921): one township, two of its villages, grids, and
 * county departments; plus a unit of the neighbouring county 622922. */
#define COUNTY "622921"
#define TOWN "622921100"
#define TOWN2 "622921101"
#define VILLAGE "622921100001"
#define VILLAGE_B "622921100002"
#define VILLAGE_OTHER "622921101001" /* a village of TOWN2 */
#define GRID "622921100001001"
#define GRID_B "622921100001002"
#define GRID_OTHER "622921101001001"
#define GRID_FAR "622922100001001" /* in county 622922 */
#define DEPT "622921D01"
#define DEPT2 "622921D02"
#define DEPT_FAR "622922D01"

#define CREATOR 42

/* ---- helpers ---- */


static struct xt_actor actor(int role, const char *scope, int64_t id)
{
    struct xt_actor a;
    memset(&a, 0, sizeof(a));
    a.role = role;
    a.account_id = id;
    snprintf(a.scope, sizeof(a.scope), "%s", scope);
    snprintf(a.username, sizeof(a.username), "%s", xt_role_name(role));
    return a;
}

/* The actor used for each role in the generated test. */
static struct xt_actor actor_for_role(int role)
{
    switch (role) {
    case XT_ROLE_COMMAND:
        return actor(role, COUNTY, 4);
    case XT_ROLE_DEPARTMENT:
        return actor(role, DEPT, 5);
    case XT_ROLE_TOWNSHIP:
        return actor(role, TOWN, 6);
    case XT_ROLE_VILLAGE:
        return actor(role, VILLAGE, 7);
    case XT_ROLE_GRID:
        return actor(role, GRID, 8);
    case XT_ROLE_RESIDENT:
        return actor(role, "", CREATOR);
    case XT_ROLE_SYSTEM:
        return actor(role, "", 0);
    default:
        return actor(role, "", 10 + role);
    }
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    assert_non_null(p);
    return p;
}

/* A received ticket in GRID, filed by resident CREATOR. */
static void new_received(struct xt_ticket *t, int64_t created)
{
    xt_ticket_init(t);
    t->id = 1;
    snprintf(t->number, sizeof(t->number), "20250314-00001");
    t->state = XT_ST_RECEIVED;
    t->type = XT_TYPE_CONSULT;
    t->channel = XT_CHANNEL_HOTLINE;
    snprintf(t->category, sizeof(t->category), "C08");
    t->text = xstrdup("村口路灯不亮");
    snprintf(t->grid, sizeof(t->grid), GRID);
    t->creator_id = CREATOR;
    t->created_at = t->updated_at = created;
}

/* Deep snapshot of a ticket, to prove that a refusal changed nothing: the
 * bytes of the struct (owned pointers included, so a replaced string shows)
 * and a digest of every owned string's text (FNV-1a and length; NULL is
 * its own value). */
struct snapshot {
    struct xt_ticket raw;
    uint64_t digest[3];
};

static uint64_t digest(const char *s)
{
    if (!s)
        return 1;
    uint64_t h = 1469598103934665603ull;
    size_t n = 0;
    for (; s[n]; n++) {
        h ^= (unsigned char)s[n];
        h *= 1099511628211ull;
    }
    return h ^ ((uint64_t)n << 1);
}

static void snap(struct snapshot *s, const struct xt_ticket *t)
{
    memcpy(&s->raw, t, sizeof(*t));
    s->digest[0] = digest(t->text);
    s->digest[1] = digest(t->address);
    s->digest[2] = digest(t->reply);
}

static void check_unchanged(const struct snapshot *s, const struct xt_ticket *t, const char *file,
                            int line)
{
    if (memcmp(&s->raw, t, sizeof(*t)) != 0) {
        print_error("the refused call changed the ticket struct\n");
        _fail(file, line);
    }
    if (s->digest[0] != digest(t->text) || s->digest[1] != digest(t->address) ||
        s->digest[2] != digest(t->reply)) {
        print_error("the refused call changed an owned string\n");
        _fail(file, line);
    }
}
#define assert_unchanged(s, t) check_unchanged((s), (t), __FILE__, __LINE__)

/* Apply and, when refused, check that nothing changed. */
static int apply_checked(struct xt_ticket *t, int action, const struct xt_actor *a,
                         const struct xt_action_input *in, const struct xt_calendar *cal,
                         int64_t now, struct xt_event *ev, struct xt_error *err)
{
    struct snapshot s;
    snap(&s, t);
    xt_error_clear(err);
    int rc = xt_ticket_apply(t, action, a, in, cal, now, ev, err);
    if (rc)
        assert_unchanged(&s, t);
    return rc;
}

/* ---- part one: DESIGN's action table, independently ---- */

#define S(x) (1u << (x))
#define R(x) (1u << (x))

/* DESIGN, "Requests (接诉即办) in detail": from-states and roles of every
 * action taken on an existing ticket. "Any open" for escalation means a
 * ticket still waiting for its handler: received, dispatched, signed or
 * returned (replied waits only for the callback, closed and merged are
 * done). SAME means the state does not change. */
#define SAME (-1)
static const struct expected_row {
    int action;
    unsigned from;
    unsigned roles;
    int to;
} design[] = {
    {XT_ACT_DISPATCH, S(XT_ST_RECEIVED) | S(XT_ST_RETURNED),
     R(XT_ROLE_OPERATOR) | R(XT_ROLE_COMMAND), XT_ST_DISPATCHED},
    {XT_ACT_SUB_DISPATCH, S(XT_ST_SIGNED), R(XT_ROLE_TOWNSHIP), XT_ST_DISPATCHED},
    {XT_ACT_SIGN, S(XT_ST_DISPATCHED),
     R(XT_ROLE_DEPARTMENT) | R(XT_ROLE_TOWNSHIP) | R(XT_ROLE_VILLAGE), XT_ST_SIGNED},
    {XT_ACT_RETURN, S(XT_ST_DISPATCHED) | S(XT_ST_SIGNED),
     R(XT_ROLE_DEPARTMENT) | R(XT_ROLE_TOWNSHIP) | R(XT_ROLE_VILLAGE), XT_ST_RETURNED},
    {XT_ACT_ASK_EXTENSION, S(XT_ST_SIGNED),
     R(XT_ROLE_DEPARTMENT) | R(XT_ROLE_TOWNSHIP) | R(XT_ROLE_VILLAGE), SAME},
    {XT_ACT_DECIDE_EXTENSION, S(XT_ST_SIGNED), R(XT_ROLE_OPERATOR) | R(XT_ROLE_COMMAND), SAME},
    {XT_ACT_WHISTLE, S(XT_ST_SIGNED), R(XT_ROLE_TOWNSHIP), SAME},
    {XT_ACT_REPORT_IN, S(XT_ST_SIGNED), R(XT_ROLE_DEPARTMENT), SAME},
    {XT_ACT_REPLY, S(XT_ST_SIGNED),
     R(XT_ROLE_DEPARTMENT) | R(XT_ROLE_TOWNSHIP) | R(XT_ROLE_VILLAGE), XT_ST_REPLIED},
    {XT_ACT_CALLBACK, S(XT_ST_REPLIED), R(XT_ROLE_OPERATOR) | R(XT_ROLE_RESIDENT), XT_ST_CLOSED},
    {XT_ACT_REOPEN, S(XT_ST_REPLIED) | S(XT_ST_CLOSED), R(XT_ROLE_OPERATOR) | R(XT_ROLE_RESIDENT),
     XT_ST_DISPATCHED},
    {XT_ACT_MERGE, S(XT_ST_RECEIVED) | S(XT_ST_DISPATCHED), R(XT_ROLE_OPERATOR), XT_ST_MERGED},
    {XT_ACT_ESCALATE, S(XT_ST_RECEIVED) | S(XT_ST_DISPATCHED) | S(XT_ST_SIGNED) | S(XT_ST_RETURNED),
     R(XT_ROLE_COMMAND) | R(XT_ROLE_SYSTEM), SAME},
};
#define N_DESIGN (sizeof(design) / sizeof(design[0]))

static const struct expected_row *design_row(int action)
{
    for (size_t i = 0; i < N_DESIGN; i++)
        if (design[i].action == action)
            return &design[i];
    return NULL;
}

static bool handler_action(int action)
{
    return action == XT_ACT_SUB_DISPATCH || action == XT_ACT_SIGN || action == XT_ACT_RETURN ||
           action == XT_ACT_ASK_EXTENSION || action == XT_ACT_WHISTLE || action == XT_ACT_REPLY;
}

/* A ticket in `state` whose relations let `role` take `action` whenever the
 * role and the state allow it. now is the instant of the action. */
static void build_ticket(struct xt_ticket *t, int state, int action, int role, int64_t now)
{
    new_received(t, now - 3 * XT_DAY);
    t->state = state;
    /* The handling unit is the actor's own unit for the actions of the
     * handling unit; a village handles only what its township
     * sub-dispatched, so its lead stays the township. */
    const char *lead = TOWN, *handler = TOWN;
    if (handler_action(action) && role == XT_ROLE_DEPARTMENT)
        lead = handler = DEPT;
    if (handler_action(action) && role == XT_ROLE_VILLAGE)
        handler = VILLAGE;
    snprintf(t->lead, sizeof(t->lead), "%s", lead);
    snprintf(t->handler, sizeof(t->handler), "%s", handler);
    if (state != XT_ST_RECEIVED) {
        t->dispatched_at = now - 2 * XT_DAY;
        t->sign_by = now - 2 * XT_DAY + 7200;
        t->resolve_by = now + 5 * XT_DAY;
    }
    if (state == XT_ST_SIGNED || state == XT_ST_REPLIED || state == XT_ST_CLOSED)
        t->signed_at = now - 2 * XT_DAY + 600;
    if (state == XT_ST_REPLIED || state == XT_ST_CLOSED) {
        t->replied_at = now - XT_DAY - 600;
        t->reply = xstrdup("已修复");
        t->result = XT_RESULT_RESOLVED;
    }
    if (state == XT_ST_CLOSED) {
        t->closed_at = now - XT_DAY;
        t->resolved = 1;
        t->satisfaction = XT_SAT_SATISFIED;
    }
    if (state == XT_ST_RETURNED)
        t->returns = 1;
    if (state == XT_ST_MERGED)
        snprintf(t->merged_into, sizeof(t->merged_into), "20250314-00002");
    if (action == XT_ACT_REPORT_IN) {
        snprintf(t->co[0].unit, sizeof(t->co[0].unit), DEPT);
        t->co[0].report_by = now + 3600;
        t->n_co = 1;
    }
    if (action == XT_ACT_DECIDE_EXTENSION) {
        t->extension_pending = true;
        t->extension_days = 2;
    }
}

/* A valid input for each action. */
static void build_input(struct xt_action_input *in, int action, const struct xt_ticket *target)
{
    xt_action_input_init(in);
    switch (action) {
    case XT_ACT_DISPATCH:
        snprintf(in->unit, sizeof(in->unit), TOWN);
        break;
    case XT_ACT_SUB_DISPATCH:
        snprintf(in->unit, sizeof(in->unit), VILLAGE);
        break;
    case XT_ACT_RETURN:
        in->reason = "不属于本单位职责";
        break;
    case XT_ACT_ASK_EXTENSION:
        in->days = 3;
        in->reason = "需要协调供电公司";
        break;
    case XT_ACT_DECIDE_EXTENSION:
        in->approve = 1;
        break;
    case XT_ACT_WHISTLE:
        snprintf(in->units[0], sizeof(in->units[0]), DEPT);
        in->n_units = 1;
        break;
    case XT_ACT_REPORT_IN:
        in->note = "已到场";
        break;
    case XT_ACT_REPLY:
        in->reply = "已更换灯泡";
        in->result = XT_RESULT_RESOLVED;
        break;
    case XT_ACT_CALLBACK:
        in->resolved = 1;
        in->satisfaction = XT_SAT_SATISFIED;
        break;
    case XT_ACT_MERGE:
        in->target = target;
        break;
    default:
        break;
    }
}

static void test_every_triple(void **state)
{
    (void)state;
    struct xt_calendar *cal = xt_calendar_new();
    assert_non_null(cal);
    /* Wednesday 2025-03-12 10:00, a plain working day. */
    const int64_t now = at(2025, 3, 12, 10, 0);
    struct xt_ticket target;
    new_received(&target, now - XT_DAY);
    target.id = 2;
    snprintf(target.number, sizeof(target.number), "20250314-00002");

    int n_allowed = 0, n_expected = 0;
    for (int action = XT_ACT_DISPATCH; action < XT_ACT_COUNT; action++) {
        const struct expected_row *row = design_row(action);
        assert_non_null(row);
        for (int st = 0; st < XT_ST_COUNT; st++) {
            for (int role = 0; role < XT_ROLE_COUNT; role++) {
                bool role_ok = (row->roles & R(role)) != 0;
                bool state_ok = (row->from & S(st)) != 0;
                bool allowed = xt_ticket_action_allowed(action, st, role);
                if (allowed != (role_ok && state_ok))
                    fail_msg("table: %s from %s by %s is %s, DESIGN says %s",
                             xt_action_name(action), xt_state_name(st), xt_role_name(role),
                             allowed ? "allowed" : "refused",
                             role_ok && state_ok ? "allowed" : "refused");
                n_allowed += allowed;
                n_expected += role_ok && state_ok;

                struct xt_ticket t;
                build_ticket(&t, st, action, role, now);
                struct xt_actor a = actor_for_role(role);
                struct xt_action_input in;
                build_input(&in, action, &target);
                struct xt_event ev;
                struct xt_error err;
                int rc = apply_checked(&t, action, &a, &in, cal, now, &ev, &err);
                int want = allowed ? 0 : !role_ok ? XT_EPERM : XT_ESTATE;
                if (rc != want)
                    fail_msg("%s from %s by %s: rc %d, want %d (%s: %s)", xt_action_name(action),
                             xt_state_name(st), xt_role_name(role), rc, want, err.field,
                             err.message);
                if (rc == 0) {
                    int to = row->to == SAME ? st : row->to;
                    /* A village's return hands a sub-dispatched ticket back
                     * to its township, which has signed for it. */
                    if (action == XT_ACT_RETURN && role == XT_ROLE_VILLAGE)
                        to = XT_ST_SIGNED;
                    assert_int_equal(t.state, to);
                    assert_int_equal(ev.action, action);
                    assert_int_equal(ev.from_state, st);
                    assert_int_equal(ev.to_state, to);
                    assert_true(ev.at == now);
                    assert_true(t.updated_at == now);
                }
                xt_ticket_release(&t);
            }
        }
    }
    assert_int_equal(n_allowed, n_expected);
    xt_ticket_release(&target);
    xt_calendar_free(cal);
}

/* create and handle-on-spot start from no state. DESIGN: create by a
 * resident, an operator or a grid worker (API clients act as one of
 * these); handle on the spot by a grid worker or a village. */
static void test_table_create_rows(void **state)
{
    (void)state;
    /* DESIGN names resident, operator and grid worker; the project also lets
     * the command centre take walk-in requests and village cadres report
     * what they find. */
    const unsigned create_roles = R(XT_ROLE_RESIDENT) | R(XT_ROLE_OPERATOR) | R(XT_ROLE_GRID) |
                                  R(XT_ROLE_COMMAND) | R(XT_ROLE_VILLAGE);
    const unsigned on_spot_roles = R(XT_ROLE_GRID) | R(XT_ROLE_VILLAGE);
    char mismatch[256] = "";
    for (int role = 0; role < XT_ROLE_COUNT; role++) {
        if (xt_ticket_action_allowed(XT_ACT_CREATE, -1, role) != ((create_roles & R(role)) != 0))
            snprintf(mismatch + strlen(mismatch), sizeof(mismatch) - strlen(mismatch), " %s (%s)",
                     xt_role_name(role),
                     xt_ticket_action_allowed(XT_ACT_CREATE, -1, role) ? "allowed" : "refused");
        assert_int_equal(xt_ticket_action_allowed(XT_ACT_HANDLE_ON_SPOT, -1, role),
                         (on_spot_roles & R(role)) != 0);
        for (int st = 0; st < XT_ST_COUNT; st++) {
            assert_false(xt_ticket_action_allowed(XT_ACT_CREATE, st, role));
            assert_false(xt_ticket_action_allowed(XT_ACT_HANDLE_ON_SPOT, st, role));
        }
        /* Actions on a ticket need a ticket. */
        for (int action = XT_ACT_DISPATCH; action < XT_ACT_COUNT; action++)
            assert_false(xt_ticket_action_allowed(action, -1, role));
    }
    /* Out of range. */
    assert_false(xt_ticket_action_allowed(-1, XT_ST_RECEIVED, XT_ROLE_OPERATOR));
    assert_false(xt_ticket_action_allowed(XT_ACT_COUNT, XT_ST_RECEIVED, XT_ROLE_OPERATOR));
    assert_false(xt_ticket_action_allowed(XT_ACT_DISPATCH, XT_ST_COUNT, XT_ROLE_OPERATOR));
    assert_false(xt_ticket_action_allowed(XT_ACT_DISPATCH, XT_ST_RECEIVED, XT_ROLE_COUNT));
    assert_false(xt_ticket_action_allowed(XT_ACT_DISPATCH, XT_ST_RECEIVED, -1));
    if (*mismatch)
        fail_msg("create: the table differs from DESIGN for:%s", mismatch);
}

/* apply takes only actions on an existing ticket. */
static void test_apply_unknown_action(void **state)
{
    (void)state;
    struct xt_calendar *cal = xt_calendar_new();
    struct xt_ticket t;
    new_received(&t, at(2025, 3, 12, 9, 0));
    struct xt_actor op = actor(XT_ROLE_OPERATOR, "", 3);
    struct xt_action_input in;
    xt_action_input_init(&in);
    struct xt_event ev;
    struct xt_error err;
    int64_t now = at(2025, 3, 12, 10, 0);
    int bad[] = {XT_ACT_CREATE, XT_ACT_HANDLE_ON_SPOT, XT_ACT_COUNT, -1};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(apply_checked(&t, bad[i], &op, &in, cal, now, &ev, &err), XT_EINVAL);
        assert_string_equal(err.field, "action");
    }
    xt_ticket_release(&t);
    xt_calendar_free(cal);
}

/* Names round-trip, as the API uses them. */
static void test_names(void **state)
{
    (void)state;
    static const char *const actions[XT_ACT_COUNT] = {
        "create", "handle-on-spot", "dispatch",         "sub-dispatch", "sign",
        "return", "ask-extension",  "decide-extension", "whistle",      "report-in",
        "reply",  "callback",       "reopen",           "merge",        "escalate",
    };
    for (int i = 0; i < XT_ACT_COUNT; i++) {
        assert_string_equal(xt_action_name(i), actions[i]);
        assert_int_equal(xt_action_parse(actions[i]), i);
    }
    assert_int_equal(xt_action_parse("ask_extension"), -1);
    assert_int_equal(xt_action_parse(NULL), -1);
    assert_null(xt_action_name(XT_ACT_COUNT));
    for (int s = 0; s < XT_ST_COUNT; s++)
        assert_int_equal(xt_state_parse(xt_state_name(s)), s);
    assert_null(xt_state_name(XT_ST_COUNT));
    assert_int_equal(xt_result_parse("unresolvable"), XT_RESULT_UNRESOLVABLE);
    assert_int_equal(xt_result_parse(NULL), -1);
    assert_null(xt_result_name(XT_RESULT_NONE));
    assert_int_equal(xt_satisfaction_parse("basically"), XT_SAT_BASIC);
    assert_null(xt_satisfaction_name(XT_SAT_NONE));
}

/* ---- part two: what the actions do ---- */

struct fixture {
    struct xt_calendar *cal;
    struct xt_actor op, cmd, town, town2, village, village_b, dept, dept2, grid, resident, system;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->cal = xt_calendar_new();
    struct xt_error err;
    if (!f->cal || xt_calendar_load_csv(f->cal, HOLIDAYS_CSV, &err)) {
        xt_calendar_free(f->cal);
        free(f);
        return -1;
    }
    f->op = actor(XT_ROLE_OPERATOR, "", 3);
    f->cmd = actor(XT_ROLE_COMMAND, COUNTY, 4);
    f->dept = actor(XT_ROLE_DEPARTMENT, DEPT, 5);
    f->dept2 = actor(XT_ROLE_DEPARTMENT, DEPT2, 15);
    f->town = actor(XT_ROLE_TOWNSHIP, TOWN, 6);
    f->town2 = actor(XT_ROLE_TOWNSHIP, TOWN2, 16);
    f->village = actor(XT_ROLE_VILLAGE, VILLAGE, 7);
    f->village_b = actor(XT_ROLE_VILLAGE, VILLAGE_B, 17);
    f->grid = actor(XT_ROLE_GRID, GRID, 8);
    f->resident = actor(XT_ROLE_RESIDENT, "", CREATOR);
    f->system = actor(XT_ROLE_SYSTEM, "", 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    xt_calendar_free(f->cal);
    free(f);
    return 0;
}

/* Apply and require success. */
static void ok_apply(struct fixture *f, struct xt_ticket *t, int action, const struct xt_actor *a,
                     const struct xt_action_input *in, int64_t now, struct xt_event *ev)
{
    struct xt_error err;
    int rc = apply_checked(t, action, a, in, f->cal, now, ev, &err);
    if (rc)
        fail_msg("%s by %s: rc %d (%s: %s)", xt_action_name(action), xt_role_name(a->role), rc,
                 err.field, err.message);
}

/* Apply and require a refusal with code and field (field NULL: any). */
static void refused(struct fixture *f, struct xt_ticket *t, int action, const struct xt_actor *a,
                    const struct xt_action_input *in, int64_t now, int code, const char *field)
{
    struct xt_event ev;
    struct xt_error err;
    int rc = apply_checked(t, action, a, in, f->cal, now, &ev, &err);
    if (rc != code)
        fail_msg("%s by %s: rc %d, want %d (%s: %s)", xt_action_name(action), xt_role_name(a->role),
                 rc, code, err.field, err.message);
    if (field)
        assert_string_equal(err.field, field);
}

static void dispatch_to(struct fixture *f, struct xt_ticket *t, const char *unit, int64_t now)
{
    struct xt_action_input in;
    xt_action_input_init(&in);
    snprintf(in.unit, sizeof(in.unit), "%s", unit);
    struct xt_event ev;
    ok_apply(f, t, XT_ACT_DISPATCH, &f->op, &in, now, &ev);
}

static void simple(struct fixture *f, struct xt_ticket *t, int action, const struct xt_actor *a,
                   int64_t now)
{
    struct xt_action_input in;
    xt_action_input_init(&in);
    struct xt_event ev;
    ok_apply(f, t, action, a, &in, now, &ev);
}

/* A consult ticket dispatched to TOWN at `now` and signed an hour later. */
static void signed_ticket(struct fixture *f, struct xt_ticket *t, int64_t now)
{
    new_received(t, now - 600);
    dispatch_to(f, t, TOWN, now);
    simple(f, t, XT_ACT_SIGN, &f->town, now + 3600);
}

static void test_dispatch(void **state)
{
    struct fixture *f = *state;
    struct xt_ticket t;
    /* Friday 2025-03-14 16:30, a 咨询 (1 working day). */
    int64_t now = at(2025, 3, 14, 16, 30);
    new_received(&t, now - 3600);
    struct xt_action_input in;
    xt_action_input_init(&in);
    struct xt_event ev;

    /* A village, a grid, a county or nothing is no dispatch target. */
    const char *bad[] = {VILLAGE, GRID, COUNTY, "", "62292110X"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(in.unit, sizeof(in.unit), "%s", bad[i]);
        refused(f, &t, XT_ACT_DISPATCH, &f->op, &in, now, XT_EINVAL, "handler");
    }

    snprintf(in.unit, sizeof(in.unit), TOWN);
    in.note = "属地处理";
    ok_apply(f, &t, XT_ACT_DISPATCH, &f->op, &in, now, &ev);
    assert_int_equal(t.state, XT_ST_DISPATCHED);
    assert_string_equal(t.lead, TOWN);
    assert_string_equal(t.handler, TOWN);
    assert_string_equal(ev.unit, TOWN);
    assert_string_equal(ev.note, "属地处理");
    assert_true(t.dispatched_at == now);
    /* Sign-for: 2 office hours. Friday 16:30-17:30 gives 60 minutes, the
     * weekend none, Monday 09:00 + 60 minutes = Monday 10:00. */
    assert_time(t.sign_by, at(2025, 3, 17, 10, 0));
    /* Resolve: the 1st working day after Friday is Monday, at 17:30. */
    assert_time(t.resolve_by, at(2025, 3, 17, 17, 30));
    assert_true(t.signed_at == 0);
    xt_ticket_release(&t);

    /* A 投诉 (10 working days) to a department, by the command centre:
     * Mon 17 .. Fri 21 are 5, Mon 24 .. Fri 28 are 10 → Fri 28 17:30. */
    new_received(&t, now - 3600);
    t.type = XT_TYPE_COMPLAINT;
    xt_action_input_init(&in);
    snprintf(in.unit, sizeof(in.unit), DEPT);
    ok_apply(f, &t, XT_ACT_DISPATCH, &f->cmd, &in, now, &ev);
    assert_string_equal(t.lead, DEPT);
    assert_time(t.resolve_by, at(2025, 3, 28, 17, 30));
    xt_ticket_release(&t);

    /* A category rule (60 office minutes, 5 working days): sign by Friday
     * 17:30; resolve Mon 17 .. Fri 21 → Fri 21 17:30. */
    new_received(&t, now - 3600);
    struct xt_deadline_rule rule = {60, 5};
    xt_action_input_init(&in);
    snprintf(in.unit, sizeof(in.unit), TOWN);
    in.rule = &rule;
    ok_apply(f, &t, XT_ACT_DISPATCH, &f->op, &in, now, &ev);
    assert_time(t.sign_by, at(2025, 3, 14, 17, 30));
    assert_time(t.resolve_by, at(2025, 3, 21, 17, 30));
    xt_ticket_release(&t);

    /* Urgent: 30 minutes and 24 hours by the clock, rule ignored. */
    new_received(&t, now - 3600);
    t.urgent = true;
    ok_apply(f, &t, XT_ACT_DISPATCH, &f->op, &in, now, &ev);
    assert_time(t.sign_by, now + 1800);
    assert_time(t.resolve_by, now + 86400);
    xt_ticket_release(&t);

    /* An unknown request type cannot get deadlines: refused, unchanged. */
    new_received(&t, now - 3600);
    t.type = 99;
    xt_action_input_init(&in);
    snprintf(in.unit, sizeof(in.unit), TOWN);
    refused(f, &t, XT_ACT_DISPATCH, &f->op, &in, now, XT_EINVAL, "type");
    xt_ticket_release(&t);
}

static void test_sign(void **state)
{
    struct fixture *f = *state;
    struct xt_ticket t;
    int64_t now = at(2025, 3, 12, 9, 0);
    new_received(&t, now - 600);
    dispatch_to(f, &t, TOWN, now);
    /* Another township, or a village of this one, is not the handler. */
    struct xt_action_input in;
    xt_action_input_init(&in);
    refused(f, &t, XT_ACT_SIGN, &f->town2, &in, now + 60, XT_ENOTFOUND, NULL);
    refused(f, &t, XT_ACT_SIGN, &f->village, &in, now + 60, XT_EPERM, NULL);
    simple(f, &t, XT_ACT_SIGN, &f->town, now + 600);
    assert_int_equal(t.state, XT_ST_SIGNED);
    assert_true(t.signed_at == now + 600);
    /* Signing twice: the state no longer allows it. */
    refused(f, &t, XT_ACT_SIGN, &f->town, &in, now + 700, XT_ESTATE, "state");
    xt_ticket_release(&t);
}

static void test_sub_dispatch(void **state)
{
    struct fixture *f = *state;
    struct xt_ticket t;
    /* Dispatched Wednesday 2025-03-12 09:00 (咨询: resolve Thu 13 17:30),
     * signed 10:00, sub-dispatched 14:00. */
    int64_t now = at(2025, 3, 12, 9, 0);
    signed_ticket(f, &t, now);
    int64_t resolve_by = t.resolve_by, signed_at = t.signed_at;
    assert_time(resolve_by, at(2025, 3, 13, 17, 30));

    struct xt_action_input in;
    xt_action_input_init(&in);
    struct xt_event ev;
    int64_t sub = at(2025, 3, 12, 14, 0);
    /* Only to a village of its own township. */
    const char *bad[] = {VILLAGE_OTHER, TOWN, GRID, DEPT, ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(in.unit, sizeof(in.unit), "%s", bad[i]);
        refused(f, &t, XT_ACT_SUB_DISPATCH, &f->town, &in, sub, XT_EINVAL, "handler");
    }
    snprintf(in.unit, sizeof(in.unit), VILLAGE);
    refused(f, &t, XT_ACT_SUB_DISPATCH, &f->op, &in, sub, XT_EPERM, NULL);
    ok_apply(f, &t, XT_ACT_SUB_DISPATCH, &f->town, &in, sub, &ev);
    assert_int_equal(t.state, XT_ST_DISPATCHED);
    assert_string_equal(t.handler, VILLAGE);
    assert_string_equal(t.lead, TOWN);
    assert_string_equal(ev.unit, VILLAGE);
    /* The township stays accountable: resolve_by kept; the village gets
     * its own 2 office hours to sign: 14:00 + 120 min = 16:00. */
    assert_time(t.resolve_by, resolve_by);
    assert_time(t.sign_by, at(2025, 3, 12, 16, 0));

    /* The township no longer handles it; the other village never did. */
    xt_action_input_init(&in);
    refused(f, &t, XT_ACT_SIGN, &f->town, &in, sub + 60, XT_EPERM, NULL);
    refused(f, &t, XT_ACT_SIGN, &f->village_b, &in, sub + 60, XT_ENOTFOUND, NULL);
    simple(f, &t, XT_ACT_SIGN, &f->village, sub + 600);
    assert_int_equal(t.state, XT_ST_SIGNED);
    /* The township's signature is what the response rate counts. */
    assert_true(t.signed_at == signed_at);

    /* The village returns it: back to the township, which has signed for
     * it already, and no return is counted against dispatch. */
    in.reason = "不在本村范围";
    ok_apply(f, &t, XT_ACT_RETURN, &f->village, &in, sub + 1200, &ev);
    assert_int_equal(t.state, XT_ST_SIGNED);
    assert_string_equal(t.handler, TOWN);
    assert_string_equal(t.lead, TOWN);
    assert_int_equal(t.returns, 0);
    assert_string_equal(ev.unit, VILLAGE);
    assert_time(t.resolve_by, resolve_by);
    xt_ticket_release(&t);
}

static void test_return(void **state)
{
    struct fixture *f = *state;
    struct xt_ticket t;
    int64_t now = at(2025, 3, 12, 9, 0);
    new_received(&t, now - 600);
    dispatch_to(f, &t, TOWN, now);
    struct xt_action_input in;
    xt_action_input_init(&in);
    struct xt_event ev;
    /* A reason is required. */
    refused(f, &t, XT_ACT_RETURN, &f->town, &in, now + 60, XT_EINVAL, "reason");
    in.reason = "";
    refused(f, &t, XT_ACT_RETURN, &f->town, &in, now + 60, XT_EINVAL, "reason");
    in.reason = "\xff\xfe";
    refused(f, &t, XT_ACT_RETURN, &f->town, &in, now + 60, XT_EINVAL, "reason");
    in.reason = "应由县住建局处理";
    ok_apply(f, &t, XT_ACT_RETURN, &f->town, &in, now + 60, &ev);
    assert_int_equal(t.state, XT_ST_RETURNED);
    assert_int_equal(t.returns, 1);
    assert_string_equal(ev.note, "应由县住建局处理");

    /* Re-dispatched and returned again after signing: 2 returns. */
    dispatch_to(f, &t, DEPT, now + 120);
    assert_int_equal(t.returns, 1);
    simple(f, &t, XT_ACT_SIGN, &f->dept, now + 180);
    ok_apply(f, &t, XT_ACT_RETURN, &f->dept, &in, now + 240, &ev);
    assert_int_equal(t.state, XT_ST_RETURNED);
    assert_int_equal(t.returns, 2);
    xt_ticket_release(&t);
}

static void test_ask_extension(void **state)
{
    struct fixture *f = *state;
    struct xt_ticket t;
    int64_t now = at(2025, 3, 12, 9, 0);
    signed_ticket(f, &t, now); /* resolve_by Thu 13 17:30 */
    int64_t ask = at(2025, 3, 13, 10, 0);
    struct xt_action_input in;
    xt_action_input_init(&in);
    struct xt_event ev;
    in.reason = "需要协调供电公司";
    int bad_days[] = {0, -1, 31, 365};
    for (size_t i = 0; i < sizeof(bad_days) / sizeof(bad_days[0]); i++) {
        in.days = bad_days[i];
        refused(f, &t, XT_ACT_ASK_EXTENSION, &f->town, &in, ask, XT_EINVAL, "days");
    }
    in.days = 3;
    in.reason = NULL;
    refused(f, &t, XT_ACT_ASK_EXTENSION, &f->town, &in, ask, XT_EINVAL, "reason");
    in.reason = "需要协调供电公司";
    /* Only the handling unit asks. */
    refused(f, &t, XT_ACT_ASK_EXTENSION, &f->op, &in, ask, XT_EPERM, NULL);
    /* Not after the deadline (Thu 13 17:30). */
    refused(f, &t, XT_ACT_ASK_EXTENSION, &f->town, &in, at(2025, 3, 13, 17, 31), XT_ESTATE,
            "state");
    /* 1 and 30 are the bounds; the deadline itself is still in time. */
    in.days = 30;
    ok_apply(f, &t, XT_ACT_ASK_EXTENSION, &f->town, &in, t.resolve_by, &ev);
    assert_true(t.extension_pending);
    assert_int_equal(t.extension_days, 30);
    assert_int_equal(t.state, XT_ST_SIGNED);
    /* A second while one is pending. */
    in.days = 1;
    refused(f, &t, XT_ACT_ASK_EXTENSION, &f->town, &in, ask, XT_ESTATE, "state");
    xt_ticket_release(&t);

    signed_ticket(f, &t, now);
    in.days = 1;
    ok_apply(f, &t, XT_ACT_ASK_EXTENSION, &f->town, &in, ask, &ev);
    assert_int_equal(t.extension_days, 1);
    xt_ticket_release(&t);
}

static void test_decide_extension(void **state)
{
    struct fixture *f = *state;
    struct xt_ticket t;
    int64_t now = at(2025, 3, 12, 9, 0);
    signed_ticket(f, &t, now); /* resolve_by Thu 2025-03-13 17:30 */
    struct xt_action_input in;
    xt_action_input_init(&in);
    struct xt_event ev;
    int64_t ask = at(2025, 3, 13, 10, 0);

    /* Nothing pending yet. */
    in.approve = 1;
    refused(f, &t, XT_ACT_DECIDE_EXTENSION, &f->cmd, &in, ask, XT_ESTATE, "state");

    xt_action_input_init(&in);
    in.days = 3;
    in.reason = "需要协调";
    ok_apply(f, &t, XT_ACT_ASK_EXTENSION, &f->town, &in, ask, &ev);

    xt_action_input_init(&in);
    refused(f, &t, XT_ACT_DECIDE_EXTENSION, &f->cmd, &in, ask + 60, XT_EINVAL, "approve");
    in.approve = 1;
    refused(f, &t, XT_ACT_DECIDE_EXTENSION, &f->town, &in, ask + 60, XT_EPERM, NULL);
    ok_apply(f, &t, XT_ACT_DECIDE_EXTENSION, &f->cmd, &in, ask + 60, &ev);
    /* Thu 13 + 3 working days: Fri 14, Mon 17, Tue 18 → Tue 18 17:30. */
    assert_time(t.resolve_by, at(2025, 3, 18, 17, 30));
    assert_false(t.extension_pending);
    assert_int_equal(t.state, XT_ST_SIGNED);
    xt_ticket_release(&t);

    /* Refused: the deadline stays, the request is settled. */
    signed_ticket(f, &t, now);
    xt_action_input_init(&in);
    in.days = 3;
    in.reason = "需要协调";
    ok_apply(f, &t, XT_ACT_ASK_EXTENSION, &f->town, &in, ask, &ev);
    xt_action_input_init(&in);
    in.approve = 0;
    ok_apply(f, &t, XT_ACT_DECIDE_EXTENSION, &f->op, &in, ask + 60, &ev);
    assert_time(t.resolve_by, at(2025, 3, 13, 17, 30));
    assert_false(t.extension_pending);
    xt_ticket_release(&t);

    /* Across National Day 2025: resolve_by Tue 2025-09-30 17:30 + 3
     * working days: Oct 1-8 off, Thu 9 (1), Fri 10 (2), Sat 11 is a 调休
     * workday (3) → Sat 2025-10-11 17:30. */
    signed_ticket(f, &t, at(2025, 9, 29, 9, 0));
    assert_time(t.resolve_by, at(2025, 9, 30, 17, 30));
    xt_action_input_init(&in);
    in.days = 3;
    in.reason = "节假日";
    ok_apply(f, &t, XT_ACT_ASK_EXTENSION, &f->town, &in, at(2025, 9, 30, 9, 0), &ev);
    xt_action_input_init(&in);
    in.approve = 1;
    ok_apply(f, &t, XT_ACT_DECIDE_EXTENSION, &f->cmd, &in, at(2025, 9, 30, 10, 0), &ev);
    assert_time(t.resolve_by, at(2025, 10, 11, 17, 30));
    xt_ticket_release(&t);
}

static void test_whistle_and_report_in(void **state)
{
    struct fixture *f = *state;
    struct xt_ticket t;
    int64_t now = at(2025, 3, 12, 9, 0);
    signed_ticket(f, &t, now);
    int64_t w = at(2025, 3, 12, 14, 0);
    struct xt_action_input in;
    xt_action_input_init(&in);
    struct xt_event ev;

    refused(f, &t, XT_ACT_WHISTLE, &f->town, &in, w, XT_EINVAL, "departments");
    /* Only departments of the township's own county. */
    const char *bad[] = {DEPT_FAR, TOWN2, VILLAGE, COUNTY, "622921X01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(in.units[0], sizeof(in.units[0]), "%s", bad[i]);
        in.n_units = 1;
        refused(f, &t, XT_ACT_WHISTLE, &f->town, &in, w, XT_EINVAL, "departments");
    }
    /* No department twice in one call. */
    snprintf(in.units[0], sizeof(in.units[0]), DEPT);
    snprintf(in.units[1], sizeof(in.units[1]), DEPT);
    in.n_units = 2;
    refused(f, &t, XT_ACT_WHISTLE, &f->town, &in, w, XT_EINVAL, "departments");
    /* More than XT_MAX_COHANDLERS. */
    in.n_units = XT_MAX_COHANDLERS + 1;
    for (int i = 0; i < XT_MAX_COHANDLERS; i++)
        snprintf(in.units[i], sizeof(in.units[0]), "622921D%02d", (i + 1) % 100);
    refused(f, &t, XT_ACT_WHISTLE, &f->town, &in, w, XT_EINVAL, "departments");
    /* Only a township whistles. */
    snprintf(in.units[0], sizeof(in.units[0]), DEPT);
    snprintf(in.units[1], sizeof(in.units[1]), DEPT2);
    in.n_units = 2;
    refused(f, &t, XT_ACT_WHISTLE, &f->op, &in, w, XT_EPERM, NULL);
    refused(f, &t, XT_ACT_WHISTLE, &f->dept, &in, w, XT_EPERM, NULL);

    ok_apply(f, &t, XT_ACT_WHISTLE, &f->town, &in, w, &ev);
    assert_int_equal(t.state, XT_ST_SIGNED);
    assert_int_equal(t.n_co, 2);
    assert_string_equal(t.co[0].unit, DEPT);
    assert_string_equal(t.co[1].unit, DEPT2);
    /* Report-in deadline: 2 office hours, 14:00 → 16:00. */
    assert_time(t.co[0].report_by, at(2025, 3, 12, 16, 0));
    assert_true(t.co[0].reported_at == 0);
    assert_string_equal(ev.note, DEPT "," DEPT2);

    /* Summoning one already summoned. */
    in.n_units = 1;
    refused(f, &t, XT_ACT_WHISTLE, &f->town, &in, w + 60, XT_EINVAL, "departments");

    /* The summoned departments see the ticket; report-in needs a note and
     * only a pending co-handler may report. */
    assert_true(xt_ticket_visible(&t, &f->dept));
    xt_action_input_init(&in);
    refused(f, &t, XT_ACT_REPORT_IN, &f->dept, &in, w + 600, XT_EINVAL, "note");
    in.note = "住建局已到场";
    struct xt_actor dept3 = actor(XT_ROLE_DEPARTMENT, "622921D03", 99);
    refused(f, &t, XT_ACT_REPORT_IN, &dept3, &in, w + 600, XT_ENOTFOUND, NULL);
    refused(f, &t, XT_ACT_REPORT_IN, &f->town, &in, w + 600, XT_EPERM, NULL);
    ok_apply(f, &t, XT_ACT_REPORT_IN, &f->dept, &in, w + 600, &ev);
    assert_true(t.co[0].reported_at == w + 600);
    assert_true(t.co[1].reported_at == 0);
    assert_string_equal(ev.unit, DEPT);
    assert_int_equal(t.state, XT_ST_SIGNED);
    /* Reported already: no longer pending. */
    refused(f, &t, XT_ACT_REPORT_IN, &f->dept, &in, w + 700, XT_EPERM, NULL);
    assert_true(xt_ticket_visible(&t, &f->dept));
    /* A co-handler is not the handling unit. */
    xt_action_input_init(&in);
    in.reply = "x";
    in.result = XT_RESULT_RESOLVED;
    refused(f, &t, XT_ACT_REPLY, &f->dept2, &in, w + 800, XT_EPERM, NULL);
    xt_ticket_release(&t);

    /* A sub-dispatched ticket is handled by a village: the township is no
     * longer the handler and cannot whistle for it. */
    signed_ticket(f, &t, now);
    xt_action_input_init(&in);
    snprintf(in.unit, sizeof(in.unit), VILLAGE);
    ok_apply(f, &t, XT_ACT_SUB_DISPATCH, &f->town, &in, w, &ev);
    simple(f, &t, XT_ACT_SIGN, &f->village, w + 60);
    xt_action_input_init(&in);
    snprintf(in.units[0], sizeof(in.units[0]), DEPT);
    in.n_units = 1;
    refused(f, &t, XT_ACT_WHISTLE, &f->town, &in, w + 120, XT_EPERM, NULL);
    xt_ticket_release(&t);
}

static void test_reply(void **state)
{
    struct fixture *f = *state;
    struct xt_ticket t;
    int64_t now = at(2025, 3, 12, 9, 0);
    signed_ticket(f, &t, now);
    int64_t r = at(2025, 3, 12, 15, 0);
    struct xt_action_input in;
    xt_action_input_init(&in);
    struct xt_event ev;
    in.result = XT_RESULT_RESOLVED;
    refused(f, &t, XT_ACT_REPLY, &f->town, &in, r, XT_EINVAL, "reply");
    in.reply = "";
    refused(f, &t, XT_ACT_REPLY, &f->town, &in, r, XT_EINVAL, "reply");
    in.reply = "已更换灯泡";
    in.result = XT_RESULT_NONE;
    refused(f, &t, XT_ACT_REPLY, &f->town, &in, r, XT_EINVAL, "result");
    in.result = 4;
    refused(f, &t, XT_ACT_REPLY, &f->town, &in, r, XT_EINVAL, "result");
    in.result = XT_RESULT_UNRESOLVABLE;
    refused(f, &t, XT_ACT_REPLY, &f->town, &in, r, XT_EINVAL, "reason");
    in.reason = "线路改造需列入明年计划";
    ok_apply(f, &t, XT_ACT_REPLY, &f->town, &in, r, &ev);
    assert_int_equal(t.state, XT_ST_REPLIED);
    assert_int_equal(t.result, XT_RESULT_UNRESOLVABLE);
    assert_string_equal(t.reply, "已更换灯泡");
    assert_true(t.replied_at == r);
    assert_string_equal(ev.unit, TOWN);
    assert_non_null(strstr(ev.note, "线路改造"));
    xt_ticket_release(&t);

    /* An explanation needs no reason. */
    signed_ticket(f, &t, now);
    xt_action_input_init(&in);
    in.reply = "已电话解释政策";
    in.result = XT_RESULT_EXPLAINED;
    ok_apply(f, &t, XT_ACT_REPLY, &f->town, &in, r, &ev);
    assert_int_equal(t.result, XT_RESULT_EXPLAINED);
    xt_ticket_release(&t);
}

/* A replied ticket (dispatched Wed 2025-03-12 09:00, replied 15:00). */
static void replied_ticket(struct fixture *f, struct xt_ticket *t)
{
    signed_ticket(f, t, at(2025, 3, 12, 9, 0));
    struct xt_action_input in;
    xt_action_input_init(&in);
    in.reply = "已更换灯泡";
    in.result = XT_RESULT_RESOLVED;
    struct xt_event ev;
    ok_apply(f, t, XT_ACT_REPLY, &f->town, &in, at(2025, 3, 12, 15, 0), &ev);
}

static void test_callback(void **state)
{
    struct fixture *f = *state;
    struct xt_ticket t;
    replied_ticket(f, &t);
    int64_t cb = at(2025, 3, 13, 10, 0);
    struct xt_action_input in;
    xt_action_input_init(&in);
    struct xt_event ev;
    in.satisfaction = XT_SAT_SATISFIED;
    refused(f, &t, XT_ACT_CALLBACK, &f->op, &in, cb, XT_EINVAL, "resolved");
    in.resolved = 1;
    in.satisfaction = XT_SAT_NONE;
    refused(f, &t, XT_ACT_CALLBACK, &f->op, &in, cb, XT_EINVAL, "satisfaction");
    in.satisfaction = 7;
    refused(f, &t, XT_ACT_CALLBACK, &f->op, &in, cb, XT_EINVAL, "satisfaction");
    in.satisfaction = XT_SAT_BASIC;
    /* Not the township; not another resident (who does not even see it). */
    refused(f, &t, XT_ACT_CALLBACK, &f->town, &in, cb, XT_EPERM, NULL);
    struct xt_actor other = actor(XT_ROLE_RESIDENT, "", CREATOR + 1);
    refused(f, &t, XT_ACT_CALLBACK, &other, &in, cb, XT_ENOTFOUND, NULL);
    /* The requester rates it on the web. */
    ok_apply(f, &t, XT_ACT_CALLBACK, &f->resident, &in, cb, &ev);
    assert_int_equal(t.state, XT_ST_CLOSED);
    assert_int_equal(t.resolved, 1);
    assert_int_equal(t.satisfaction, XT_SAT_BASIC);
    assert_false(t.unreachable);
    assert_true(t.closed_at == cb);
    xt_ticket_release(&t);

    /* Unreachable needs neither answer and records none. */
    replied_ticket(f, &t);
    xt_action_input_init(&in);
    in.unreachable = true;
    in.resolved = 1;
    in.satisfaction = XT_SAT_SATISFIED;
    ok_apply(f, &t, XT_ACT_CALLBACK, &f->op, &in, cb, &ev);
    assert_int_equal(t.state, XT_ST_CLOSED);
    assert_true(t.unreachable);
    assert_int_equal(t.resolved, -1);
    assert_int_equal(t.satisfaction, XT_SAT_NONE);
    assert_non_null(strstr(ev.note, "unreachable"));
    xt_ticket_release(&t);
}

static void test_reopen(void **state)
{
    struct fixture *f = *state;
    struct xt_ticket t;
    struct xt_action_input in;
    struct xt_event ev;
    replied_ticket(f, &t);
    /* Reopened from replied (at callback), Thursday 2025-03-13 10:00. */
    xt_action_input_init(&in);
    int64_t r = at(2025, 3, 13, 10, 0);
    ok_apply(f, &t, XT_ACT_REOPEN, &f->op, &in, r, &ev);
    assert_int_equal(t.state, XT_ST_DISPATCHED);
    assert_int_equal(t.reopens, 1);
    assert_string_equal(t.handler, TOWN);
    assert_string_equal(ev.unit, TOWN);
    assert_true(t.dispatched_at == r);
    assert_true(t.signed_at == 0);
    assert_true(t.replied_at == 0);
    /* New deadlines from r: 10:00 + 2 h = 12:00; resolve Fri 14 17:30. */
    assert_time(t.sign_by, at(2025, 3, 13, 12, 0));
    assert_time(t.resolve_by, at(2025, 3, 14, 17, 30));
    xt_ticket_release(&t);

    /* Closed: within 15 days of closing, counted exactly. */
    replied_ticket(f, &t);
    xt_action_input_init(&in);
    in.resolved = 0;
    in.satisfaction = XT_SAT_UNSATISFIED;
    int64_t closed = at(2025, 3, 13, 10, 0);
    ok_apply(f, &t, XT_ACT_CALLBACK, &f->op, &in, closed, &ev);
    xt_action_input_init(&in);
    refused(f, &t, XT_ACT_REOPEN, &f->op, &in, closed + 15 * XT_DAY + 1, XT_ESTATE, "state");
    refused(f, &t, XT_ACT_REOPEN, &f->town, &in, closed + XT_DAY, XT_EPERM, NULL);
    struct xt_actor other = actor(XT_ROLE_RESIDENT, "", CREATOR + 1);
    refused(f, &t, XT_ACT_REOPEN, &other, &in, closed + XT_DAY, XT_ENOTFOUND, NULL);
    ok_apply(f, &t, XT_ACT_REOPEN, &f->resident, &in, closed + 15 * XT_DAY, &ev);
    assert_int_equal(t.state, XT_ST_DISPATCHED);
    assert_int_equal(t.reopens, 1);
    assert_int_equal(t.resolved, -1);
    assert_int_equal(t.satisfaction, XT_SAT_NONE);
    assert_true(t.closed_at == 0);
    /* Closed Thu 13 10:00 + 15 days = Fri 28 10:00: sign by 12:00,
     * resolve the next working day, Mon 31 17:30. */
    assert_time(t.sign_by, at(2025, 3, 28, 12, 0));
    assert_time(t.resolve_by, at(2025, 3, 31, 17, 30));

    /* Worked again and reopened again: the count goes on. */
    simple(f, &t, XT_ACT_SIGN, &f->town, at(2025, 3, 28, 11, 0));
    xt_action_input_init(&in);
    in.reply = "已再次处理";
    in.result = XT_RESULT_RESOLVED;
    ok_apply(f, &t, XT_ACT_REPLY, &f->town, &in, at(2025, 3, 28, 15, 0), &ev);
    xt_action_input_init(&in);
    ok_apply(f, &t, XT_ACT_REOPEN, &f->op, &in, at(2025, 3, 28, 16, 0), &ev);
    assert_int_equal(t.reopens, 2);
    xt_ticket_release(&t);
}

static void test_merge(void **state)
{
    struct fixture *f = *state;
    struct xt_ticket t, into;
    int64_t now = at(2025, 3, 12, 9, 0);
    new_received(&t, now - 600);
    new_received(&into, now - 1200);
    into.id = 2;
    snprintf(into.number, sizeof(into.number), "20250312-00002");
    struct xt_action_input in;
    xt_action_input_init(&in);
    struct xt_event ev;

    refused(f, &t, XT_ACT_MERGE, &f->op, &in, now, XT_EINVAL, "into");
    /* Into itself (the same ticket, or a copy of it loaded again). */
    in.target = &t;
    refused(f, &t, XT_ACT_MERGE, &f->op, &in, now, XT_EINVAL, "into");
    /* Into a closed or merged ticket. */
    in.target = &into;
    into.state = XT_ST_CLOSED;
    refused(f, &t, XT_ACT_MERGE, &f->op, &in, now, XT_EINVAL, "into");
    into.state = XT_ST_MERGED;
    refused(f, &t, XT_ACT_MERGE, &f->op, &in, now, XT_EINVAL, "into");
    into.state = XT_ST_DISPATCHED;
    refused(f, &t, XT_ACT_MERGE, &f->cmd, &in, now, XT_EPERM, NULL);
    ok_apply(f, &t, XT_ACT_MERGE, &f->op, &in, now, &ev);
    assert_int_equal(t.state, XT_ST_MERGED);
    assert_string_equal(t.merged_into, "20250312-00002");
    assert_non_null(strstr(ev.note, "20250312-00002"));
    /* A merged ticket takes no further action. */
    refused(f, &t, XT_ACT_MERGE, &f->op, &in, now + 60, XT_ESTATE, "state");
    xt_ticket_release(&t);
    xt_ticket_release(&into);
}

static void test_escalate(void **state)
{
    struct fixture *f = *state;
    struct xt_ticket t;
    struct xt_action_input in;
    struct xt_event ev;
    int64_t now = at(2025, 3, 12, 9, 0);

    /* Overdue for signing at a township: the county supervises. */
    new_received(&t, now - 600);
    dispatch_to(f, &t, TOWN, now);
    int64_t late = t.sign_by + 1;
    assert_true(xt_ticket_overdue(&t, late));
    xt_action_input_init(&in);
    ok_apply(f, &t, XT_ACT_ESCALATE, &f->system, &in, late, &ev);
    assert_true(t.escalated);
    assert_int_equal(t.state, XT_ST_DISPATCHED);
    assert_string_equal(ev.unit, COUNTY);
    assert_non_null(strstr(ev.note, "overdue"));
    assert_false(xt_ticket_overdue(&t, late));
    /* Still signable; the flag stays. */
    simple(f, &t, XT_ACT_SIGN, &f->town, late + 60);
    assert_true(t.escalated);
    xt_ticket_release(&t);

    /* A department's county supervises it too. */
    new_received(&t, now - 600);
    dispatch_to(f, &t, DEPT, now);
    ok_apply(f, &t, XT_ACT_ESCALATE, &f->cmd, &in, now + 60, &ev);
    assert_string_equal(ev.unit, COUNTY);
    xt_ticket_release(&t);

    /* Not yet dispatched: the grid's township is told. */
    new_received(&t, now - 600);
    ok_apply(f, &t, XT_ACT_ESCALATE, &f->cmd, &in, now, &ev);
    assert_string_equal(ev.unit, TOWN);
    xt_ticket_release(&t);

    /* Only the command centre and the system. */
    new_received(&t, now - 600);
    refused(f, &t, XT_ACT_ESCALATE, &f->op, &in, now, XT_EPERM, NULL);
    refused(f, &t, XT_ACT_ESCALATE, &f->town, &in, now, XT_EPERM, NULL);
    xt_ticket_release(&t);

    /* A replied ticket is no longer open. */
    replied_ticket(f, &t);
    refused(f, &t, XT_ACT_ESCALATE, &f->system, &in, at(2025, 3, 20, 9, 0), XT_ESTATE, "state");
    xt_ticket_release(&t);
}

static void test_visibility(void **state)
{
    struct fixture *f = *state;
    struct xt_ticket t;
    new_received(&t, at(2025, 3, 12, 9, 0));

    /* Residents: their own tickets only; an anonymous one sees none. */
    assert_true(xt_ticket_visible(&t, &f->resident));
    struct xt_actor other = actor(XT_ROLE_RESIDENT, "", CREATOR + 1);
    assert_false(xt_ticket_visible(&t, &other));
    struct xt_actor anon = actor(XT_ROLE_RESIDENT, "", 0);
    assert_false(xt_ticket_visible(&t, &anon));
    t.creator_id = 0;
    assert_false(xt_ticket_visible(&t, &anon));
    t.creator_id = CREATOR;

    /* Providers see no ticket; the system sees all. */
    struct xt_actor prov = actor(XT_ROLE_PROVIDER, "", 9);
    assert_false(xt_ticket_visible(&t, &prov));
    assert_true(xt_ticket_visible(&t, &f->system));

    /* Areas by subtree: the grid, its village, township, county. */
    assert_true(xt_ticket_visible(&t, &f->grid));
    assert_true(xt_ticket_visible(&t, &f->village));
    assert_true(xt_ticket_visible(&t, &f->town));
    assert_true(xt_ticket_visible(&t, &f->cmd));
    assert_true(xt_ticket_visible(&t, &f->op));
    struct xt_actor grid_b = actor(XT_ROLE_GRID, GRID_B, 18);
    assert_false(xt_ticket_visible(&t, &grid_b));
    assert_false(xt_ticket_visible(&t, &f->village_b));
    assert_false(xt_ticket_visible(&t, &f->town2));
    struct xt_actor far_cmd = actor(XT_ROLE_COMMAND, "622922", 19);
    assert_false(xt_ticket_visible(&t, &far_cmd));
    /* A department sees nothing it does not handle. */
    assert_false(xt_ticket_visible(&t, &f->dept));

    /* Department by code: as lead/handler, and as co-handler. */
    snprintf(t.lead, sizeof(t.lead), DEPT);
    snprintf(t.handler, sizeof(t.handler), DEPT);
    assert_true(xt_ticket_visible(&t, &f->dept));
    assert_false(xt_ticket_visible(&t, &f->dept2));
    snprintf(t.lead, sizeof(t.lead), TOWN);
    snprintf(t.handler, sizeof(t.handler), TOWN);
    assert_false(xt_ticket_visible(&t, &f->dept));
    snprintf(t.co[0].unit, sizeof(t.co[0].unit), DEPT2);
    t.n_co = 1;
    assert_true(xt_ticket_visible(&t, &f->dept2));
    t.co[0].reported_at = at(2025, 3, 12, 10, 0);
    assert_true(xt_ticket_visible(&t, &f->dept2));
    assert_false(xt_ticket_visible(&t, &f->dept));

    /* A township sees what it handles even when the grid lies elsewhere
     * (dispatched across townships), and a department's code is not
     * within a township's area. */
    snprintf(t.grid, sizeof(t.grid), GRID_OTHER);
    assert_true(xt_ticket_visible(&t, &f->town));
    assert_true(xt_ticket_visible(&t, &f->town2));
    assert_false(xt_ticket_visible(&t, &f->grid));
    xt_ticket_release(&t);
}

static void test_create(void **state)
{
    struct fixture *f = *state;
    int64_t now = at(2025, 3, 12, 9, 0);
    struct xt_ticket t;
    struct xt_error err;
    struct snapshot s;

/* Create t from a prepared ticket and expect a refusal naming field, with
 * t unchanged. */
#define CREATE_REFUSED(a, reply, code, fld)                                                        \
    do {                                                                                           \
        snap(&s, &t);                                                                              \
        xt_error_clear(&err);                                                                      \
        assert_int_equal(xt_ticket_create(&t, (a), (reply), now, &err), (code));                   \
        assert_string_equal(err.field, (fld));                                                     \
        assert_unchanged(&s, &t);                                                                  \
    } while (0)

    /* A fresh ticket as the API builds it before create. */
#define FRESH(txt)                                                                                 \
    do {                                                                                           \
        xt_ticket_init(&t);                                                                        \
        t.type = XT_TYPE_HELP;                                                                     \
        t.channel = XT_CHANNEL_WEB;                                                                \
        t.text = xstrdup(txt);                                                                     \
        snprintf(t.grid, sizeof(t.grid), GRID);                                                    \
    } while (0)

    FRESH("\xe8\xb7\xaf\xff");
    CREATE_REFUSED(&f->resident, NULL, XT_EINVAL, "text");
    xt_ticket_release(&t);
    FRESH("");
    CREATE_REFUSED(&f->resident, NULL, XT_EINVAL, "text");
    xt_ticket_release(&t);

    /* 4000 characters (3 bytes each) are fine, 4001 are not. */
    char *long_text = malloc(4001 * 3 + 1);
    assert_non_null(long_text);
    for (int i = 0; i < 4001; i++)
        memcpy(long_text + 3 * i, "路", 3);
    long_text[4001 * 3] = '\0';
    FRESH(long_text);
    CREATE_REFUSED(&f->resident, NULL, XT_EINVAL, "text");
    xt_ticket_release(&t);
    long_text[4000 * 3] = '\0';
    FRESH(long_text);
    assert_int_equal(xt_ticket_create(&t, &f->resident, NULL, now, &err), 0);
    xt_ticket_release(&t);
    free(long_text);

    FRESH("路灯不亮");
    t.has_point = true;
    t.lat = 91;
    t.lon = 103.2;
    CREATE_REFUSED(&f->resident, NULL, XT_EINVAL, "location.lat");
    t.lat = -90.5;
    CREATE_REFUSED(&f->resident, NULL, XT_EINVAL, "location.lat");
    t.lat = NAN;
    CREATE_REFUSED(&f->resident, NULL, XT_EINVAL, "location.lat");
    t.lat = 35.5;
    t.lon = 181;
    CREATE_REFUSED(&f->resident, NULL, XT_EINVAL, "location.lon");
    t.lon = -180.01;
    CREATE_REFUSED(&f->resident, NULL, XT_EINVAL, "location.lon");
    t.lon = 103.2;
    t.type = 5;
    CREATE_REFUSED(&f->resident, NULL, XT_EINVAL, "type");
    t.type = XT_TYPE_HELP;
    t.channel = -1;
    CREATE_REFUSED(&f->resident, NULL, XT_EINVAL, "channel");
    t.channel = XT_CHANNEL_WEB;
    t.grid[0] = '\0';
    CREATE_REFUSED(&f->resident, NULL, XT_EINVAL, "location");
    /* Outside the creator's area. */
    snprintf(t.grid, sizeof(t.grid), GRID_B);
    CREATE_REFUSED(&f->grid, NULL, XT_EPERM, "location.unit");
    snprintf(t.grid, sizeof(t.grid), GRID_OTHER);
    CREATE_REFUSED(&f->village, NULL, XT_EPERM, "location.unit");
    /* Roles that do not create. */
    snprintf(t.grid, sizeof(t.grid), GRID);
    struct xt_actor prov = actor(XT_ROLE_PROVIDER, "", 9);
    CREATE_REFUSED(&prov, NULL, XT_EPERM, "");
    CREATE_REFUSED(&f->dept, NULL, XT_EPERM, "");
    CREATE_REFUSED(&f->town, NULL, XT_EPERM, "");

    /* Accepted at the edges: lat ±90, lon ±180; a resident may file for
     * any place. */
    t.lat = 90;
    t.lon = -180;
    assert_int_equal(xt_ticket_create(&t, &f->resident, NULL, now, &err), 0);
    assert_int_equal(t.state, XT_ST_RECEIVED);
    assert_true(t.created_at == now);
    assert_true(t.updated_at == now);
    assert_true(t.creator_id == CREATOR);
    assert_int_equal(t.resolved, -1);
    assert_string_equal(t.lead, "");
    assert_string_equal(t.handler, "");
    xt_ticket_release(&t);

    /* An operator with a whole-installation scope, a grid worker in his
     * own grid. */
    FRESH("楼道堆放杂物");
    assert_int_equal(xt_ticket_create(&t, &f->op, NULL, now, &err), 0);
    assert_true(t.creator_id == f->op.account_id);
    xt_ticket_release(&t);
    FRESH("楼道堆放杂物");
    assert_int_equal(xt_ticket_create(&t, &f->grid, NULL, now, &err), 0);
    xt_ticket_release(&t);
#undef FRESH
#undef CREATE_REFUSED
}

static void test_on_spot(void **state)
{
    struct fixture *f = *state;
    int64_t now = at(2025, 3, 12, 9, 0);
    struct xt_ticket t;
    struct xt_error err;

    xt_ticket_init(&t);
    t.type = XT_TYPE_HELP;
    t.channel = XT_CHANNEL_GRID;
    t.text = xstrdup("独居老人家中水管漏水");
    snprintf(t.grid, sizeof(t.grid), GRID);

    /* Only a grid worker or a village handles on the spot. */
    const struct xt_actor *no[] = {&f->op, &f->town, &f->dept, &f->resident, &f->cmd};
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        struct snapshot s;
        snap(&s, &t);
        assert_int_equal(xt_ticket_create(&t, no[i], "已修好", now, &err), XT_EPERM);
        assert_unchanged(&s, &t);
    }

    assert_int_equal(xt_ticket_create(&t, &f->grid, "已关闭阀门并更换水管", now, &err), 0);
    assert_int_equal(t.state, XT_ST_REPLIED);
    assert_string_equal(t.handler, VILLAGE);
    assert_string_equal(t.lead, VILLAGE);
    assert_int_equal(t.result, XT_RESULT_RESOLVED);
    assert_string_equal(t.reply, "已关闭阀门并更换水管");
    assert_true(t.replied_at == now);
    assert_true(t.created_at == now);

    /* Still called back; a reopen has nobody to send it back to. */
    struct xt_action_input in;
    xt_action_input_init(&in);
    refused(f, &t, XT_ACT_REOPEN, &f->op, &in, now + 60, XT_ESTATE, "state");
    in.resolved = 1;
    in.satisfaction = XT_SAT_SATISFIED;
    struct xt_event ev;
    ok_apply(f, &t, XT_ACT_CALLBACK, &f->op, &in, now + 3600, &ev);
    assert_int_equal(t.state, XT_ST_CLOSED);
    xt_ticket_release(&t);

    /* A village handles it on the spot too. */
    xt_ticket_init(&t);
    t.type = XT_TYPE_HELP;
    t.channel = XT_CHANNEL_GRID;
    t.text = xstrdup("邻里纠纷");
    snprintf(t.grid, sizeof(t.grid), GRID);
    assert_int_equal(xt_ticket_create(&t, &f->village, "已调解", now, &err), 0);
    assert_string_equal(t.handler, VILLAGE);
    xt_ticket_release(&t);
}

/* A refused on-spot reply (empty or not UTF-8) must leave the ticket as it
 * was, like every other refusal. */
static void test_on_spot_bad_reply_changes_nothing(void **state)
{
    struct fixture *f = *state;
    int64_t now = at(2025, 3, 12, 9, 0);
    struct xt_ticket t;
    struct xt_error err;
    xt_ticket_init(&t);
    t.type = XT_TYPE_HELP;
    t.channel = XT_CHANNEL_GRID;
    t.text = xstrdup("水管漏水");
    snprintf(t.grid, sizeof(t.grid), GRID);
    const char *bad[] = {"", "\xc3\x28"};
    int rc[2];
    bool same[2];
    for (size_t i = 0; i < 2; i++) {
        struct snapshot s;
        snap(&s, &t);
        rc[i] = xt_ticket_create(&t, &f->grid, bad[i], now, &err);
        same[i] = memcmp(&s.raw, &t, sizeof(t)) == 0 && s.digest[2] == digest(t.reply);
        memcpy(&t, &s.raw, sizeof(t)); /* undo, so the next case starts fresh */
    }
    xt_ticket_release(&t);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(rc[i], XT_EINVAL);
        if (!same[i])
            fail_msg("refused on-spot reply '%s' changed the ticket", bad[i]);
    }
}

static void test_overdue(void **state)
{
    struct fixture *f = *state;
    struct xt_ticket t;
    int64_t now = at(2025, 3, 12, 9, 0);
    new_received(&t, now - 600);
    /* No deadlines yet. */
    assert_false(xt_ticket_overdue(&t, now + 100 * XT_DAY));
    dispatch_to(f, &t, TOWN, now); /* sign 11:00, resolve Thu 13 17:30 */
    assert_false(xt_ticket_overdue(&t, t.sign_by));
    assert_true(xt_ticket_overdue(&t, t.sign_by + 1));
    simple(f, &t, XT_ACT_SIGN, &f->town, t.sign_by + 60);
    /* Signed late, but the resolution deadline has not passed. */
    assert_false(xt_ticket_overdue(&t, t.sign_by + 120));
    assert_false(xt_ticket_overdue(&t, t.resolve_by));
    assert_true(xt_ticket_overdue(&t, t.resolve_by + 1));
    t.escalated = true;
    assert_false(xt_ticket_overdue(&t, t.resolve_by + 1));
    t.escalated = false;
    /* Replied, closed and merged tickets are never overdue. */
    int done[] = {XT_ST_REPLIED, XT_ST_CLOSED, XT_ST_MERGED};
    for (size_t i = 0; i < sizeof(done) / sizeof(done[0]); i++) {
        t.state = done[i];
        assert_false(xt_ticket_overdue(&t, t.resolve_by + XT_DAY));
    }
    xt_ticket_release(&t);

    /* A sub-dispatched ticket the village has not signed for is not late
     * for signing (the township signed in time), only for resolving. */
    signed_ticket(f, &t, now);
    struct xt_action_input in;
    xt_action_input_init(&in);
    snprintf(in.unit, sizeof(in.unit), VILLAGE);
    struct xt_event ev;
    ok_apply(f, &t, XT_ACT_SUB_DISPATCH, &f->town, &in, now + 7200, &ev);
    assert_false(xt_ticket_overdue(&t, t.sign_by + 1));
    assert_true(xt_ticket_overdue(&t, t.resolve_by + 1));
    xt_ticket_release(&t);
    xt_ticket_release(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_triple),
        cmocka_unit_test(test_table_create_rows),
        cmocka_unit_test(test_apply_unknown_action),
        cmocka_unit_test(test_names),
        cmocka_unit_test_setup_teardown(test_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sub_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_return, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ask_extension, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decide_extension, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whistle_and_report_in, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escalate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_visibility, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_on_spot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_on_spot_bad_reply_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overdue, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
