/* demo.c - `xietong demo`: a fresh data directory with the demo region
 * (临夏回族自治州), an account for each role, and a few thousand requests
 * replayed through the engine from real citizen messages.
 *
 * The replay drives the same store functions as the API, with the clock
 * injected: each ticket is created at a time spread over the last four
 * months and then dispatched, signed, returned, extended, whistled,
 * replied, called back and reopened in realistic proportions, each at a
 * plausible later time; steps that would fall after now are not taken, so
 * recent tickets are still open and some are overdue. Contacts are
 * generated ("演示居民0001"), never real people. */
#include "cli/cli_int.h"
#include "core/reqtype.h"
#include "lib/crypto.h"
#include "lib/csv.h"
#include "lib/xtime.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct rng {
    uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uni(struct rng *r)
{
    return (double)(rnd(r) >> 11) / 9007199254740992.0;
}

static bool chance(struct rng *r, double p)
{
    return uni(r) < p;
}

struct grid_ref {
    char code[XT_CODE_MAX];
    double lat, lon;
};

struct grid_list {
    struct grid_ref *g;
    size_t n, cap;
};

static int add_grid(void *ctx, const struct xt_unit *u)
{
    struct grid_list *l = ctx;
    if (!u->has_point)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        struct grid_ref *p = realloc(l->g, cap * sizeof(*p));
        if (!p)
            return XT_ENOMEM;
        l->g = p;
        l->cap = cap;
    }
    snprintf(l->g[l->n].code, XT_CODE_MAX, "%s", u->code);
    l->g[l->n].lat = u->lat;
    l->g[l->n].lon = u->lon;
    l->n++;
    return 0;
}

struct message {
    char *text;
    char category[32];
    int type; /* -1 when the source has none */
};

static int load_messages(const char *path, const struct xt_routing *rt, struct message **out,
                         size_t *n)
{
    struct xt_csv csv;
    if (xt_csv_open(&csv, path))
        return XT_ENOTFOUND;
    int rc = xt_csv_next(&csv);
    int it = xt_csv_index(&csv, "title"), ix = xt_csv_index(&csv, "text");
    int ic = xt_csv_index(&csv, "category"), ity = xt_csv_index(&csv, "type");
    if (rc != 1 || it < 0 || ix < 0 || ic < 0 || ity < 0) {
        xt_csv_close(&csv);
        return XT_EINVAL;
    }
    size_t cap = 4096;
    struct message *m = calloc(cap, sizeof(*m));
    *n = 0;
    if (!m) {
        xt_csv_close(&csv);
        return XT_ENOMEM;
    }
    while ((rc = xt_csv_next(&csv)) == 1) {
        if (csv.nfield <= ity)
            continue;
        if (*n == cap) {
            cap *= 2;
            struct message *p = realloc(m, cap * sizeof(*p));
            if (!p)
                break;
            m = p;
        }
        const char *cat = csv.field[ic];
        const char *code = "";
        for (size_t i = 0; i < rt->n_categories; i++)
            if (strcmp(rt->categories[i].name, cat) == 0)
                code = rt->categories[i].code;
        size_t len = strlen(csv.field[it]) + strlen(csv.field[ix]) + 4;
        m[*n].text = malloc(len);
        if (!m[*n].text)
            break;
        snprintf(m[*n].text, len, "%s。%s", csv.field[it], csv.field[ix]);
        snprintf(m[*n].category, sizeof(m[*n].category), "%s", code);
        m[*n].type = *csv.field[ity] ? xt_reqtype_parse(csv.field[ity]) : -1;
        (*n)++;
    }
    xt_csv_close(&csv);
    *out = m;
    return 0;
}

struct replay {
    struct xt_store *s;
    struct rng rng;
    int64_t now;
    struct xt_actor operator_, resident;
    long created, dispatched, closed, open, errors;
};

static void actor_for_unit(struct xt_actor *a, const char *unit)
{
    memset(a, 0, sizeof(*a));
    int level = xt_unit_level_of_code(unit);
    a->role = level == XT_LEVEL_DEPARTMENT ? XT_ROLE_DEPARTMENT
              : level == XT_LEVEL_TOWNSHIP ? XT_ROLE_TOWNSHIP
              : level == XT_LEVEL_GRID     ? XT_ROLE_GRID
                                           : XT_ROLE_VILLAGE;
    snprintf(a->scope, sizeof(a->scope), "%s", unit);
    snprintf(a->username, sizeof(a->username), "demo-%s", unit);
}

/* Take one step if its time has come; false when it is still in the
 * future (the ticket then stays where it is). */
static bool act(struct replay *rp, const struct xt_actor *a, struct xt_ticket *t, int action,
                struct xt_action_input *in, const char *into, int64_t at)
{
    if (at > rp->now)
        return false;
    struct xt_ticket out;
    struct xt_error err;
    int rc = xt_store_ticket_act(rp->s, a, t->number, action, in, into, NULL, at, &out, &err);
    if (rc) {
        rp->errors++;
        if (rp->errors < 5)
            fprintf(stderr, "demo: %s %s: %s: %s\n", xt_action_name(action), t->number,
                    err.field, err.message);
        return false;
    }
    xt_ticket_release(t);
    *t = out;
    return true;
}

static void pick_departments(const struct xt_routing *rt, const char *county,
                             struct xt_action_input *in, struct rng *rng)
{
    in->n_units = 0;
    for (size_t i = 0; i < rt->n_departments && in->n_units < 2; i++)
        if (strncmp(rt->departments[i].code, county, 6) == 0 && chance(rng, 0.2))
            snprintf(in->units[in->n_units++], XT_CODE_MAX, "%s", rt->departments[i].code);
}

static void replay_one(struct replay *rp, const struct message *m, const struct grid_ref *g,
                       int64_t created, long seq)
{
    struct rng *r = &rp->rng;
    struct xt_ticket t;
    xt_ticket_init(&t);
    static const int type_mix[20] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 1, 1, 4, 4, 3};
    t.type = m->type >= 0 ? m->type : type_mix[rnd(r) % 20];
    t.urgent = chance(r, 0.02);
    double c = uni(r);
    t.channel = c < 0.5 ? XT_CHANNEL_HOTLINE : c < 0.8 ? XT_CHANNEL_WEB : XT_CHANNEL_GRID;
    snprintf(t.category, sizeof(t.category), "%s", m->category);
    t.text = strdup(m->text);
    t.has_point = true;
    /* Grid workers report by their grid's code; others give a point a
     * little around a grid point (which may land in a neighbouring grid,
     * or where two generated county discs overlap, in the other county). */
    if (t.channel == XT_CHANNEL_GRID) {
        t.has_point = false;
        snprintf(t.grid, sizeof(t.grid), "%s", g->code);
    } else {
        t.lat = g->lat + (uni(r) - 0.5) * 0.0008;
        t.lon = g->lon + (uni(r) - 0.5) * 0.0008;
    }
    struct xt_contact contact;
    memset(&contact, 0, sizeof(contact));
    if (chance(r, 0.7)) {
        snprintf(contact.name, sizeof(contact.name), "演示居民%04ld", seq % 10000);
        snprintf(contact.phone, sizeof(contact.phone), "1990000%04ld", seq % 10000);
    }
    struct xt_actor grid_actor;
    actor_for_unit(&grid_actor, g->code);
    const struct xt_actor *creator = t.channel == XT_CHANNEL_HOTLINE ? &rp->operator_
                                     : t.channel == XT_CHANNEL_WEB   ? &rp->resident
                                                                     : &grid_actor;
    bool on_spot = t.channel == XT_CHANNEL_GRID && chance(r, 0.3);
    struct xt_error err;
    if (xt_store_ticket_create(rp->s, creator, &t, &contact,
                               on_spot ? "网格员现场协调处理，已当场解决。" : NULL, NULL,
                               created, &err)) {
        rp->errors++;
        if (rp->errors < 5)
            fprintf(stderr, "demo: create: %s: %s\n", err.field, err.message);
        xt_ticket_release(&t);
        return;
    }
    rp->created++;
    const struct xt_calendar *cal = xt_store_calendar(rp->s);
    const struct xt_routing *rt = xt_store_routing(rp->s);
    struct xt_action_input in;
    int64_t at = created;
    if (on_spot)
        goto callback;

    /* Dispatch by the routing table, though operators send more than half
     * to the township of the place (属地管理) whatever the category; a few
     * go to the wrong department and come back (退单). */
    xt_action_input_init(&in);
    if (chance(r, 0.55))
        xt_unit_ancestor(t.grid, XT_LEVEL_TOWNSHIP, in.unit);
    at += 300 + (int64_t)(uni(r) * 5400);
    if (!act(rp, &rp->operator_, &t, XT_ACT_DISPATCH, &in, NULL, at))
        goto out;
    rp->dispatched++;
    struct xt_actor handler;
    actor_for_unit(&handler, t.handler);
    if (chance(r, 0.06)) {
        xt_action_input_init(&in);
        in.reason = "不属于本单位职责范围，请改派属地乡镇";
        at += 1800 + (int64_t)(uni(r) * 7200);
        if (!act(rp, &handler, &t, XT_ACT_RETURN, &in, NULL, at))
            goto out;
        xt_action_input_init(&in);
        xt_unit_ancestor(t.grid, XT_LEVEL_TOWNSHIP, in.unit);
        at += 600 + (int64_t)(uni(r) * 3600);
        if (!act(rp, &rp->operator_, &t, XT_ACT_DISPATCH, &in, NULL, at))
            goto out;
        actor_for_unit(&handler, t.handler);
    }
    if (!chance(r, 0.93))
        goto out; /* never signed: shows up overdue */
    xt_action_input_init(&in);
    /* Most sign within the 2 working hours; some late. */
    int64_t sign_at = chance(r, 0.88) ? xt_calendar_add_work_minutes(cal, at, 5 + (int)(uni(r) * 100))
                                      : xt_calendar_add_work_minutes(cal, at, 130 + (int)(uni(r) * 600));
    if (t.urgent)
        sign_at = at + 60 + (int64_t)(uni(r) * 1500);
    at = sign_at;
    if (!act(rp, &handler, &t, XT_ACT_SIGN, &in, NULL, at))
        goto out;
    if (xt_unit_level_of_code(t.handler) == XT_LEVEL_TOWNSHIP && chance(r, 0.05)) {
        xt_action_input_init(&in);
        char county[XT_CODE_MAX];
        xt_unit_ancestor(t.handler, XT_LEVEL_COUNTY, county);
        pick_departments(rt, county, &in, r);
        if (in.n_units > 0) {
            at += 3600;
            if (act(rp, &handler, &t, XT_ACT_WHISTLE, &in, NULL, at)) {
                for (int i = 0; i < t.n_co; i++) {
                    struct xt_actor dep;
                    actor_for_unit(&dep, t.co[i].unit);
                    xt_action_input_init(&in);
                    in.note = "已到现场，配合乡镇处置";
                    act(rp, &dep, &t, XT_ACT_REPORT_IN, &in, NULL, at + 1800 + (int64_t)(uni(r) * 7200));
                }
            }
        }
    }
    if (chance(r, 0.04)) {
        xt_action_input_init(&in);
        in.days = 5;
        in.reason = "需协调多个部门，申请延期";
        at += 86400;
        if (at < t.resolve_by && act(rp, &handler, &t, XT_ACT_ASK_EXTENSION, &in, NULL, at)) {
            xt_action_input_init(&in);
            in.approve = chance(r, 0.75);
            at += 7200;
            act(rp, &rp->operator_, &t, XT_ACT_DECIDE_EXTENSION, &in, NULL, at);
        }
    }
    if (!chance(r, 0.92))
        goto out;
    xt_action_input_init(&in);
    {
        int64_t window = t.resolve_by - t.dispatched_at;
        double f = chance(r, 0.85) ? 0.1 + uni(r) * 0.8 : 1.0 + uni(r) * 0.6;
        int64_t reply_at = t.dispatched_at + (int64_t)(f * (double)window);
        at = reply_at > at ? reply_at : at + 3600;
    }
    double rr = uni(r);
    in.result = rr < 0.78 ? XT_RESULT_RESOLVED : rr < 0.95 ? XT_RESULT_EXPLAINED
                                                           : XT_RESULT_UNRESOLVABLE;
    in.reply = in.result == XT_RESULT_RESOLVED    ? "经核实，问题已协调解决，感谢您的监督。"
               : in.result == XT_RESULT_EXPLAINED ? "已向来电人解释相关政策规定。"
                                                  : "该问题涉及历史遗留，暂不具备解决条件。";
    in.reason = in.result == XT_RESULT_UNRESOLVABLE ? "需上级统筹安排资金" : NULL;
    if (!act(rp, &handler, &t, XT_ACT_REPLY, &in, NULL, at))
        goto out;
callback:
    if (!chance(r, 0.88))
        goto out;
    xt_action_input_init(&in);
    at = (t.replied_at ? t.replied_at : at) + 7200 + (int64_t)(uni(r) * 172800);
    if (chance(r, 0.06)) {
        in.unreachable = true;
    } else {
        bool good = t.result == XT_RESULT_RESOLVED ? chance(r, 0.88) : chance(r, 0.3);
        in.resolved = good;
        double sv = uni(r);
        in.satisfaction = good ? (sv < 0.76 ? XT_SAT_SATISFIED : sv < 0.96 ? XT_SAT_BASIC
                                                                           : XT_SAT_UNSATISFIED)
                               : (sv < 0.1 ? XT_SAT_SATISFIED : sv < 0.4 ? XT_SAT_BASIC
                                                                         : XT_SAT_UNSATISFIED);
    }
    if (!act(rp, &rp->operator_, &t, XT_ACT_CALLBACK, &in, NULL, at))
        goto out;
    rp->closed++;
    if (t.resolved == 0 && *t.lead && xt_unit_level_of_code(t.lead) != XT_LEVEL_VILLAGE &&
        chance(r, 0.3)) {
        xt_action_input_init(&in);
        in.note = "来电人反映问题仍未解决，重新交办";
        act(rp, &rp->operator_, &t, XT_ACT_REOPEN, &in, NULL, at + 86400);
    }
out:
    xt_ticket_release(&t);
}

static void remove_old(const char *dir)
{
    static const char *files[] = {"xietong.db", "xietong.db-wal", "xietong.db-shm",
                                  "keys/field.key", "demo-logins.txt"};
    char path[1024];
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
}

static const struct {
    const char *user;
    int role;
    const char *scope; /* "" all; "*T" first township of the first county, etc. */
    const char *name;
} demo_accounts[] = {
    {"admin", XT_ROLE_ADMIN, "", "系统管理员"},
    {"auditor", XT_ROLE_AUDITOR, "", "审计员"},
    {"operator", XT_ROLE_OPERATOR, "6229", "12345 接线员"},
    {"command", XT_ROLE_COMMAND, "6229", "州社会治理中心"},
    {"department", XT_ROLE_DEPARTMENT, "622921D01", "临夏县住房和城乡建设局"},
    {"township", XT_ROLE_TOWNSHIP, "*T", "乡镇工作人员"},
    {"village", XT_ROLE_VILLAGE, "*V", "村干部"},
    {"grid", XT_ROLE_GRID, "*G", "网格员"},
    {"provider", XT_ROLE_PROVIDER, "", "社会组织"},
    {"resident", XT_ROLE_RESIDENT, "", "居民"},
};

static int first_unit(void *ctx, const struct xt_unit *u)
{
    char *out = ctx;
    if (!*out)
        snprintf(out, XT_CODE_MAX, "%s", u->code);
    return 1;
}

int xt_cli_demo(const struct xt_opts *o)
{
    const char *dir = xt_opt(o, "data", "var/demo");
    const char *root = xt_opt(o, "root", "data");
    long n_tickets = strtol(xt_opt(o, "tickets", "3000"), NULL, 10);
    if (n_tickets < 0 || n_tickets > 1000000) {
        fprintf(stderr, "xietong: demo: --tickets must be 0..1000000\n");
        return 2;
    }
    long n_people = strtol(xt_opt(o, "people", "10000"), NULL, 10);
    if (n_people < 0 || n_people > 10000000) {
        fprintf(stderr, "xietong: demo: --people must be 0..10000000\n");
        return 2;
    }
    remove_old(dir);
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    int rc = 1;
    char path[1024];
    xt_password_set_cost(0);
    xt_store_set_bulk(s, true);
    printf("xietong demo: loading the demo region 临夏回族自治州 (6229) into '%s'\n", dir);
#define IMPORT(kind, file, prefix)                                                                 \
    do {                                                                                           \
        snprintf(path, sizeof(path), "%s/%s", root, file);                                        \
        if (xt_cli_import(s, kind, path, prefix, false))                                           \
            goto out;                                                                              \
    } while (0)
    IMPORT("divisions", "divisions/linxia_6229.csv", "6229");
    IMPORT("census", "census/census2020_county_west_key.csv", "62");
    IMPORT("calendar", "calendar/cn_holidays.csv", "");
    IMPORT("categories", "reference/categories.csv", "");
    IMPORT("departments", "reference/departments.csv", "6229");
#undef IMPORT
    snprintf(path, sizeof(path), "%s/demo/county_seats.csv", root);
    if (xt_cli_make_grids(s, path, "6229", 2020, false))
        goto out;
    if (xt_cli_access_generate(s, "6229", false)) /* generated roads and facilities */
        goto out;

    /* Residents of 临夏县: a generated register and the departmental lists
     * drawn from it, merged by the linkage (一网整合). */
    if (n_people > 0) {
        char gen[512], map[1100];
        snprintf(gen, sizeof(gen), "%s/people", dir);
        if (xt_cli_people_generate(s, "622921", n_people, gen, 2020, true, false, false))
            goto out;
        static const char *const lists[] = {"register", "civil", "disability", "health",
                                            "education"};
        for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
            snprintf(path, sizeof(path), "%s/%s.csv", gen, lists[i]);
            snprintf(map, sizeof(map), "%s/%s.map.csv", gen, lists[i]);
            if (xt_cli_people_import(s, path, map, i == 0 ? "hukou" : lists[i], "622921", true))
                goto out;
        }
    }

    /* Accounts: one per role, with fresh random passwords. */
    char town[XT_CODE_MAX] = "", village[XT_CODE_MAX] = "", grid[XT_CODE_MAX] = "";
    xt_store_units_at_level(s, "622921", XT_LEVEL_TOWNSHIP, first_unit, town);
    xt_store_units_at_level(s, town, XT_LEVEL_VILLAGE, first_unit, village);
    xt_store_units_at_level(s, village, XT_LEVEL_GRID, first_unit, grid);
    snprintf(path, sizeof(path), "%s/demo-logins.txt", dir);
    FILE *logins = fopen(path, "w");
    if (logins)
        fchmod(fileno(logins), 0600);
    printf("\ndemo accounts (also in %s):\n", path);
    for (size_t i = 0; i < sizeof(demo_accounts) / sizeof(demo_accounts[0]); i++) {
        char token[XT_TOKEN_LEN + 1], password[13];
        xt_token_new(token);
        snprintf(password, sizeof(password), "%.12s", token);
        const char *scope = demo_accounts[i].scope;
        if (strcmp(scope, "*T") == 0)
            scope = town;
        else if (strcmp(scope, "*V") == 0)
            scope = village;
        else if (strcmp(scope, "*G") == 0)
            scope = grid;
        struct xt_error err;
        if (xt_store_account_create(s, demo_accounts[i].user, password, demo_accounts[i].role,
                                    scope, demo_accounts[i].name, &err)) {
            xt_cli_error("demo account", &err);
            goto out;
        }
        const char *sn = xt_store_unit_name(s, scope);
        printf("  %-10s password %-14s role %-10s scope %s %s\n", demo_accounts[i].user,
               password, xt_role_name(demo_accounts[i].role), *scope ? scope : "(all)",
               sn ? sn : "");
        if (logins)
            fprintf(logins, "%s %s %s %s\n", demo_accounts[i].user, password,
                    xt_role_name(demo_accounts[i].role), scope);
    }
    if (logins)
        fclose(logins);

    /* Requests. */
    struct grid_list grids = {0};
    xt_store_units_at_level(s, "6229", XT_LEVEL_GRID, add_grid, &grids);
    struct message *msgs = NULL;
    size_t n_msgs = 0;
    snprintf(path, sizeof(path), "%s/demo/messages.csv", root);
    if (load_messages(path, xt_store_routing(s), &msgs, &n_msgs) || n_msgs == 0 || grids.n == 0) {
        fprintf(stderr, "xietong: demo: cannot read messages '%s' or no grids\n", path);
        free(grids.g);
        goto out;
    }
    struct replay rp = {.s = s, .rng = {20261126}, .now = (int64_t)time(NULL)};
    rp.operator_.role = XT_ROLE_OPERATOR;
    snprintf(rp.operator_.scope, sizeof(rp.operator_.scope), "6229");
    snprintf(rp.operator_.username, sizeof(rp.operator_.username), "operator");
    rp.resident.role = XT_ROLE_RESIDENT;
    snprintf(rp.resident.username, sizeof(rp.resident.username), "anonymous");
    int64_t span = 120 * 86400;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n_tickets; i++) {
        int64_t created = rp.now - span + (int64_t)((double)span * (double)i / (double)n_tickets);
        created += (int64_t)(uni(&rp.rng) * 3600) - 1800;
        if (created > rp.now)
            created = rp.now;
        const struct message *m = &msgs[rnd(&rp.rng) % n_msgs];
        const struct grid_ref *g = &grids.g[rnd(&rp.rng) % grids.n];
        replay_one(&rp, m, g, created, i + 1);
    }
    int escalated = 0;
    xt_store_escalate_overdue(s, rp.now, &escalated);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("\nreplayed %ld requests from real messages over the last 120 days in %.1f s:"
           " %ld dispatched, %ld called back and closed, %d escalated as overdue, %ld refused"
           " steps\n",
           rp.created, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
           rp.dispatched, rp.closed, escalated, rp.errors);
    for (size_t i = 0; i < n_msgs; i++)
        free(msgs[i].text);
    free(msgs);
    free(grids.g);
    rc = 0;
out:
    xt_store_set_bulk(s, false);
    xt_store_close(s);
    return rc;
}
