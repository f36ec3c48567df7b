/* test_api_matrix.c - the access-control matrix, generated from the route
 * table: every route of xt_routes (src/http/routes.c) x every role (and an
 * anonymous caller) x an object inside and one outside the caller's scope,
 * through a real server over HTTP. A cell fails when the answer differs
 * from what the route table declares:
 *
 *   role not in the route's roles   401 (anonymous) or the route's 403
 *   in scope                        through the gate: not 401, not the
 *                                   route's 403, not 404, not 5xx
 *   out of scope                    hidden: 404 (or 403 from the scope
 *                                   check), never an answer with the object
 *
 * Then the audit log: every audited route is called once successfully and
 * once refused, and the rows per action counted in the database (+1 and
 * +0); unmasked reads likewise. Last, one audit row is edited and one
 * deleted behind the server's back, and `xietong audit verify` must fail
 * naming the row.
 *
 * A route added to routes.c without a row in matrix[] below fails the test
 * with a message naming it: describe it there (and in audited[] when it
 * writes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "apiclient.h"
#include "http/server.h"
#include "testdb.h"

static struct api_server srv;
static char dir[64];
static char tok[API_ACCOUNT_COUNT][128];

#define T(account) tok[API_##account]

/* ---- callers: every account of apiclient plus a provider and anonymous ---- */

#define PROVIDER_USER "t-provider"
#define PROVIDER_PASS "pw-provider-2026"

enum caller { C_ANON = API_ACCOUNT_COUNT, C_PROVIDER, C_COUNT };

static char provider_tok[128];

static const char *caller_name(int c)
{
    if (c == C_ANON)
        return "anonymous";
    if (c == C_PROVIDER)
        return "provider";
    return api_accounts[c].username;
}

static int caller_role(int c)
{
    if (c == C_ANON)
        return -1;
    if (c == C_PROVIDER)
        return XT_ROLE_PROVIDER;
    return xt_role_parse(api_accounts[c].role);
}

static const char *caller_token(int c)
{
    if (c == C_ANON)
        return NULL;
    if (c == C_PROVIDER)
        return provider_tok;
    return tok[c];
}

/* ---- the objects ---- */

enum kind {
    K_NONE,     /* no object: one cell per caller */
    K_TICKET,   /* {ticket} */
    K_UNIT,     /* {unit} */
    K_TRACK,    /* {ticket} with {code}, a tracking code */
    K_GRID,     /* {grid} and its point {lat}, {lon} */
    K_RESIDENT, /* {resident} living in the caller's grid (or not), {conflict} of his */
};

/* Residents made in setup: one per grid, each with an open conflict
 * (another list gave another phone); [0] in API_GRID, [1] in API_GRID2. */
static char res_id[2][24], res_conflict[2][24];
static const char *cur_resident = "", *cur_conflict = "";

/* Tickets made in setup: T_IN on the first township's grid, filed by the
 * resident account and dispatched to the housing department; T_OUT on a
 * grid of the second township, dispatched there; T_ANON filed without an
 * account (it has a tracking code). */
static char t_in[32], t_out[32], t_anon[32], t_anon_code[16];

/* Per caller: the ticket and unit inside its scope and outside it. NULL
 * where there is none (unscoped roles have no "outside"; a provider sees
 * no ticket at all). */
struct scope_objects {
    const char *ticket_in, *ticket_out, *unit_in, *unit_out, *grid_in, *grid_out;
};

static struct scope_objects objects(int c)
{
    struct scope_objects o = {t_in, NULL, API_GRID, NULL, API_GRID, NULL};
    switch (c) {
    case API_ADMIN:
    case API_AUDITOR:
        o.unit_in = API_COUNTY;
        break;
    case API_OPERATOR:
    case API_COMMAND:
        o.unit_in = API_TOWN; /* 6229: the whole demo region is inside */
        break;
    case API_DEPARTMENT:
        o = (struct scope_objects){t_in, t_out, API_HOUSING, API_TOWN2, NULL, API_GRID};
        break;
    case API_TOWNSHIP:
        o = (struct scope_objects){t_in, t_out, API_TOWN, API_TOWN2, API_GRID, API_GRID2};
        break;
    case API_TOWNSHIP2:
        o = (struct scope_objects){t_out, t_in, API_TOWN2, API_TOWN, API_GRID2, API_GRID};
        break;
    case API_VILLAGE_AC:
        o = (struct scope_objects){t_in, t_out, API_VILLAGE, API_TOWN2, API_GRID, API_GRID2};
        break;
    case API_GRID_AC:
        o = (struct scope_objects){t_in, t_out, API_GRID, API_GRID2, API_GRID, API_GRID2};
        break;
    case API_RESIDENT:
        o = (struct scope_objects){t_in, t_out, API_GRID, NULL, API_GRID, NULL}; /* his own */
        break;
    case C_PROVIDER:
    case C_ANON:
        o = (struct scope_objects){NULL, t_in, API_GRID, NULL, API_GRID, NULL};
        break;
    }
    return o;
}

/* ==== THE MATRIX DESCRIPTION: one row per route of src/http/routes.c ====
 *
 * path and body may hold {ticket}, {unit}, {grid}, {lat}, {lon} (the grid's
 * point), {code} (tracking code of the ticket) and {seq} (a number unique
 * to the call). */
enum {
    M_FRESH_SESSION = 1 << 0, /* call with a new session of the caller (logout) */
    M_ACTION_RULES = 1 << 1,  /* in scope, the transition table may still
                                 refuse the role with its own 403 */
    M_DEPT_COUNTY = 1 << 2,   /* a department reads county-wide: the registry
                                 shows it only the people of its own lists
                                 (test_api_people), and the access reports
                                 are planning figures without people in
                                 them; so its "outside" is no other unit of
                                 the county */
};

struct matrix_row {
    const char *method, *pattern; /* as in xt_routes */
    enum kind kind;
    const char *path, *body;
    unsigned flags;
};

static const struct matrix_row matrix[] = {
    {"GET", "/api/v1/health", K_NONE, "/api/v1/health", NULL, 0},
    {"POST", "/api/v1/sessions", K_NONE, "/api/v1/sessions",
     "{\"username\": \"t-resident\", \"password\": \"pw-resident-2026\"}", 0},
    {"DELETE", "/api/v1/sessions/current", K_NONE, "/api/v1/sessions/current", NULL,
     M_FRESH_SESSION},
    {"GET", "/api/v1/me", K_NONE, "/api/v1/me", NULL, 0},
    {"POST", "/api/v1/accounts", K_NONE, "/api/v1/accounts",
     "{\"username\": \"m-{seq}\", \"password\": \"pw-matrix-2026\", \"role\": \"village\","
     " \"scope\": \"" API_VILLAGE "\"}",
     0},
    /* Who may file is the transition table's "create" row (core/ticket.c). */
    {"POST", "/api/v1/tickets", K_GRID, "/api/v1/tickets",
     "{\"text\": \"矩阵测试\", \"type\": \"help\", \"location\": {\"unit\": \"{grid}\"}}",
     M_ACTION_RULES},
    {"GET", "/api/v1/tickets", K_NONE, "/api/v1/tickets?limit=5", NULL, 0},
    {"GET", "/api/v1/tickets/{number}", K_TICKET, "/api/v1/tickets/{ticket}", NULL, 0},
    {"GET", "/api/v1/tickets/{number}/timeline", K_TICKET, "/api/v1/tickets/{ticket}/timeline",
     NULL, 0},
    {"POST", "/api/v1/tickets/{number}/{action}", K_TICKET, "/api/v1/tickets/{ticket}/sign", "{}",
     M_ACTION_RULES},
    {"GET", "/api/v1/units/lookup", K_GRID, "/api/v1/units/lookup?lat={lat}&lon={lon}", NULL, 0},
    {"GET", "/api/v1/units/{code}", K_UNIT, "/api/v1/units/{unit}", NULL, 0},
    {"GET", "/api/v1/units/{code}/children", K_UNIT, "/api/v1/units/{unit}/children", NULL, 0},
    {"GET", "/api/v1/categories", K_NONE, "/api/v1/categories", NULL, 0},
    {"GET", "/api/v1/places", K_NONE, "/api/v1/places", NULL, 0},
    {"GET", "/api/v1/places/{code}", K_NONE, "/api/v1/places/" API_TOWN, NULL, 0},
    {"GET", "/api/v1/track/{number}", K_TRACK, "/api/v1/track/{ticket}?code={code}", NULL, 0},
    {"POST", "/api/v1/track/{number}/callback", K_TRACK, "/api/v1/track/{ticket}/callback",
     "{\"code\": \"{code}\", \"resolved\": true, \"satisfaction\": \"satisfied\"}", 0},
    {"GET", "/api/v1/metrics/rates", K_UNIT, "/api/v1/metrics/rates?unit={unit}&period=2026-11",
     NULL, 0},
    {"GET", "/api/v1/metrics/ranking", K_NONE, "/api/v1/metrics/ranking?level=township", NULL, 0},
    {"GET", "/api/v1/audit/verify", K_NONE, "/api/v1/audit/verify", NULL, 0},
    {"GET", "/api/v1/hot-issues", K_UNIT, "/api/v1/hot-issues?unit={unit}&period=2026-11", NULL, 0},
    {"GET", "/api/v1/export/units.geojson", K_UNIT, "/api/v1/export/units.geojson?root={unit}",
     NULL, 0},
    {"GET", "/api/v1/export/tickets.geojson", K_NONE, "/api/v1/export/tickets.geojson", NULL, 0},
    {"GET", "/api/v1/export/tickets.csv", K_NONE, "/api/v1/export/tickets.csv", NULL, 0},
    {"GET", "/api/v1/export/tickets.xlsx", K_NONE, "/api/v1/export/tickets.xlsx", NULL, 0},
    {"GET", "/api/v1/export/ranking.csv", K_NONE,
     "/api/v1/export/ranking.csv?period=2026-11&kind=township", NULL, 0},
    {"GET", "/api/v1/export/ranking.xlsx", K_NONE,
     "/api/v1/export/ranking.xlsx?period=2026-11&kind=township", NULL, 0},
    {"GET", "/api/v1/export/rates.csv", K_UNIT,
     "/api/v1/export/rates.csv?unit={unit}&period=2026-11", NULL, 0},
    {"GET", "/api/v1/export/rates.xlsx", K_UNIT,
     "/api/v1/export/rates.xlsx?unit={unit}&period=2026-11", NULL, 0},
    /* Open311: public reads; a POST is judged by its api_key, not the
     * caller's session (exercised with a key in test_audit_complete). */
    {"GET", "/open311/v2/{path*}", K_NONE, "/open311/v2/services.json", NULL, 0},
    /* People (一网整合): a resident of the caller's grid, or of the other. */
    {"GET", "/api/v1/residents", K_GRID, "/api/v1/residents?unit={unit}", NULL, M_DEPT_COUNTY},
    {"GET", "/api/v1/residents/{id}", K_RESIDENT, "/api/v1/residents/{resident}", NULL, 0},
    {"POST", "/api/v1/residents/{id}", K_RESIDENT, "/api/v1/residents/{resident}",
     "{\"address\": \"矩阵路{seq}号\"}", 0},
    {"POST", "/api/v1/residents/{id}/conflicts/{cid}/resolve", K_RESIDENT,
     "/api/v1/residents/{resident}/conflicts/{conflict}/resolve", "{\"source\": \"civil\"}",
     M_ACTION_RULES},
    {"POST", "/api/v1/people/imports", K_NONE, "/api/v1/people/imports",
     "{\"source\": \"matrix\", \"unit\": \"" API_COUNTY "\", \"name\": \"x.csv\","
     " \"mapping\": {\"name\": \"姓名\", \"unit\": \"网格\"},"
     " \"csv\": \"姓名,网格\\n矩阵{seq}," API_GRID "\\n\"}",
     0},
    /* Access to public services: facilities are public and read by all
     * staff; the reports take the caller's area ({unit}) as within=. */
    {"GET", "/api/v1/access/facilities", K_NONE, "/api/v1/access/facilities", NULL, 0},
    {"POST", "/api/v1/access/facilities", K_NONE, "/api/v1/access/facilities",
     "{\"type\":\"village_clinic\",\"name\":\"矩阵{seq}\",\"location\":{\"lat\":35.55,"
     "\"lon\":103.1},\"unit\":\"" API_VILLAGE "\"}",
     M_ACTION_RULES},
    {"GET", "/api/v1/access/facilities/{id}", K_NONE, "/api/v1/access/facilities/{facility}", NULL,
     0},
    {"PUT", "/api/v1/access/facilities/{id}", K_NONE, "/api/v1/access/facilities/{facility}",
     "{\"type\":\"elderly_care\",\"name\":\"矩阵养老\",\"location\":{\"lat\":35.56,"
     "\"lon\":103.11}}",
     M_ACTION_RULES},
    {"DELETE", "/api/v1/access/facilities/{id}", K_NONE, "/api/v1/access/facilities/{facility}",
     NULL, M_ACTION_RULES},
    {"GET", "/api/v1/access/travel", K_UNIT,
     "/api/v1/access/travel?type=township_health_centre&within={unit}", NULL, M_DEPT_COUNTY},
    {"GET", "/api/v1/access/coverage", K_UNIT,
     "/api/v1/access/coverage?type=township_health_centre&within={unit}", NULL, M_DEPT_COUNTY},
    {"GET", "/api/v1/access/scores", K_UNIT,
     "/api/v1/access/scores?type=primary_school&mode=foot&within={unit}", NULL, M_DEPT_COUNTY},
    {"GET", "/api/v1/access/sites", K_UNIT,
     "/api/v1/access/sites?type=elderly_care&within={unit}&k=1", NULL, M_DEPT_COUNTY},
    {"GET", "/api/v1/access/bands", K_UNIT,
     "/api/v1/access/bands?type=primary_school&within={unit}", NULL, M_DEPT_COUNTY},
    {"GET", "/api/v1/needs", K_UNIT, "/api/v1/needs?unit={unit}&period=2026-11", NULL,
     M_DEPT_COUNTY},
    {"POST", "/open311/v2/{path*}", K_NONE, "/open311/v2/requests.json", "service_code=C01", 0},
    {"GET", "/", K_NONE, "/", NULL, 0},
    {"GET", "/{path*}", K_NONE, "/index.html", NULL, 0},
};
#define NMATRIX (sizeof(matrix) / sizeof(matrix[0]))

/* ==== end of the description ==== */

/* The people registry: two residents (ID numbers generated with valid
 * check digits), then a civil-affairs list that gives each another phone,
 * so that each has an open conflict. */
static int make_residents(void)
{
    static const char reg[] =
        "{\"source\": \"hukou\", \"unit\": \"" API_COUNTY "\", \"name\": \"m.csv\","
        " \"mapping\": {\"name\": \"姓名\", \"id_number\": \"身份证号\", \"phone\": \"电话\","
        " \"unit\": \"网格\"},"
        " \"csv\": \"姓名,身份证号,电话,网格\\n"
        "马矩阵,622921195003140115,13912345678," API_GRID "\\n"
        "丁矩阵,622921197001010412,13700001111," API_GRID2 "\\n\"}";
    static const char civil[] =
        "{\"source\": \"civil\", \"unit\": \"" API_COUNTY "\", \"name\": \"c.csv\","
        " \"mapping\": {\"name\": \"姓名\", \"id_number\": \"身份证号\", \"phone\": \"电话\","
        " \"unit\": \"网格\"},"
        " \"csv\": \"姓名,身份证号,电话,网格\\n"
        "马矩阵,622921195003140115,13900009999," API_GRID "\\n"
        "丁矩阵,622921197001010412,13700002222," API_GRID2 "\\n\"}";
    const char *lists[] = {reg, civil};
    for (int i = 0; i < 2; i++) {
        struct json_object *v =
            api_expect(&srv, 201, "POST", T(ADMIN), NULL, lists[i], "/api/v1/people/imports");
        if (!v)
            return -1;
        json_object_put(v);
    }
    const char *grids[] = {API_GRID, API_GRID2};
    for (int k = 0; k < 2; k++) {
        struct json_object *v = api_expect(&srv, 200, "GET", T(ADMIN), NULL, NULL,
                                           "/api/v1/residents?unit=%s", grids[k]);
        if (!v || api_json_len(v, "items") != 1)
            return -1;
        long long id = (long long)api_json_int(v, "items.0.id", -1);
        json_object_put(v);
        snprintf(res_id[k], sizeof(res_id[k]), "%lld", id);
        v = api_expect(&srv, 200, "GET", T(ADMIN), NULL, NULL, "/api/v1/residents/%lld", id);
        if (!v)
            return -1;
        snprintf(res_conflict[k], sizeof(res_conflict[k]), "%lld",
                 (long long)api_json_int(v, "conflicts.0.id", -1));
        json_object_put(v);
        if (id < 0 || strcmp(res_conflict[k], "-1") == 0)
            return -1;
    }
    return 0;
}

static int setup(void **state)
{
    (void)state;
    unsigned who = (1u << API_ACCOUNT_COUNT) - 1;
    if (api_fixture_start(&srv, dir, sizeof(dir), who, tok))
        return -1;
    char *add[] = {"xietong",     "account", "add",      "--username", PROVIDER_USER, "--password",
                   PROVIDER_PASS, "--role",  "provider", "--data",     dir,           NULL};
    if (api_cli(add) != 0 ||
        api_login(&srv, PROVIDER_USER, PROVIDER_PASS, provider_tok, sizeof(provider_tok)))
        return -1;
    /* the generated demo road network and facilities of the county */
    char *gen[] = {"xietong", "access", "generate", "--within", API_COUNTY, "--data", dir, NULL};
    if (api_cli(gen) != 0)
        return -1;
    return make_residents();
}

static int teardown(void **state)
{
    (void)state;
    api_fixture_finish(&srv, dir);
    return 0;
}

/* ---- helpers ---- */

/* The points of the two grids (GET /api/v1/units/{code}), as text. */
static char grid_lat[2][32], grid_lon[2][32];

/* A new facility (POST as the command centre), for a call that may
 * change or delete it; its id as text in buf. */
static const char *new_facility(char *buf, size_t bufsz)
{
    struct json_object *f =
        api_expect(&srv, 201, "POST", T(COMMAND), NULL,
                   "{\"type\":\"village_clinic\",\"name\":\"矩阵卫生室\","
                   "\"location\":{\"lat\":35.55,\"lon\":103.1},\"unit\":\"" API_VILLAGE "\"}",
                   "/api/v1/access/facilities");
    assert_non_null(f);
    snprintf(buf, bufsz, "%lld", (long long)api_json_int(f, "id", -1));
    json_object_put(f);
    return buf;
}

static void expand(const char *tmpl, const char *ticket, const char *unit, const char *code,
                   char *out, size_t outsz)
{
    int g = unit && strcmp(unit, API_GRID2) == 0;
    static long seq;
    size_t n = 0;
    out[0] = '\0';
    while (*tmpl && n + 1 < outsz) {
        const char *val = NULL;
        size_t skip = 0;
        char num[24];
        if (strncmp(tmpl, "{ticket}", 8) == 0)
            val = ticket, skip = 8;
        else if (strncmp(tmpl, "{facility}", 10) == 0)
            val = new_facility(num, sizeof(num)), skip = 10;
        else if (strncmp(tmpl, "{resident}", 10) == 0)
            val = cur_resident, skip = 10;
        else if (strncmp(tmpl, "{conflict}", 10) == 0)
            val = cur_conflict, skip = 10;
        else if (strncmp(tmpl, "{unit}", 6) == 0)
            val = unit, skip = 6;
        else if (strncmp(tmpl, "{grid}", 6) == 0)
            val = unit, skip = 6;
        else if (strncmp(tmpl, "{lat}", 5) == 0)
            val = grid_lat[g], skip = 5;
        else if (strncmp(tmpl, "{lon}", 5) == 0)
            val = grid_lon[g], skip = 5;
        else if (strncmp(tmpl, "{code}", 6) == 0)
            val = code, skip = 6;
        else if (strncmp(tmpl, "{seq}", 5) == 0) {
            snprintf(num, sizeof(num), "%ld", ++seq);
            val = num, skip = 5;
        }
        if (val) {
            n += (size_t)snprintf(out + n, outsz - n, "%s", val ? val : "");
            tmpl += skip;
        } else {
            out[n++] = *tmpl++;
            out[n] = '\0';
        }
    }
}

static const struct matrix_row *describe(const struct xt_route *rt)
{
    for (size_t i = 0; i < NMATRIX; i++)
        if (strcmp(matrix[i].method, rt->method) == 0 &&
            strcmp(matrix[i].pattern, rt->pattern) == 0)
            return &matrix[i];
    return NULL;
}

/* The route's own refusal (server.c), as opposed to a handler's 403. */
static bool route_refusal(const struct api_resp *r)
{
    const char *m = api_json_str(r->json, "error.message");
    return r->status == 403 && m && strstr(m, "may not use this resource");
}

enum cell { CELL_NA, CELL_PASS, CELL_HIDDEN, CELL_401, CELL_403 };
static const char *const cell_mark[] = {"  -  ", " ok  ", " hid ", " 401 ", " 403 "};

/* Run one cell; returns the number of failures (0 or 1). */
static int run_cell(const struct xt_route *rt, const struct matrix_row *m, int c, bool in_scope,
                    int *shown)
{
    struct scope_objects o = objects(c);
    const char *ticket = NULL, *unit = NULL, *code = "";
    switch (m->kind) {
    case K_NONE:
        if (!in_scope) {
            *shown = 0;
            return 0;
        }
        break;
    case K_TICKET:
        ticket = in_scope ? o.ticket_in : o.ticket_out;
        break;
    case K_UNIT:
        unit = in_scope ? o.unit_in : o.unit_out;
        break;
    case K_GRID:
        unit = in_scope ? o.grid_in : o.grid_out;
        break;
    case K_TRACK:
        /* In: the right code for the number; out: that code for another
         * requester's number. */
        ticket = in_scope ? t_anon : t_in;
        code = t_anon_code;
        break;
    case K_RESIDENT: {
        const char *g = in_scope ? o.grid_in : o.grid_out;
        int k = !g ? -1 : strcmp(g, API_GRID) == 0 ? 0 : strcmp(g, API_GRID2) == 0 ? 1 : -1;
        if (k < 0 || c == C_PROVIDER || c == C_ANON ||
            (c == API_RESIDENT && in_scope)) { /* a resident is no registry user */
            *shown = 0;
            return 0;
        }
        unit = g;
        cur_resident = res_id[k];
        cur_conflict = res_conflict[k];
        break;
    }
    }
    if ((m->flags & M_DEPT_COUNTY) && c == API_DEPARTMENT && !in_scope) {
        *shown = 0;
        return 0;
    }
    if ((m->kind == K_TICKET && !ticket) || ((m->kind == K_UNIT || m->kind == K_GRID) && !unit)) {
        *shown = 0;
        return 0;
    }
    int role = caller_role(c);
    bool allowed = rt->roles == 0 || (role >= 0 && xt_role_in(role, rt->roles));
    enum cell want = !allowed   ? (c == C_ANON ? CELL_401 : CELL_403)
                     : in_scope ? CELL_PASS
                                : CELL_HIDDEN;

    char path[512], body[1024];
    expand(m->path, ticket, unit, code, path, sizeof(path));
    if (m->body)
        expand(m->body, ticket, unit, code, body, sizeof(body));
    char fresh[128];
    const char *token = caller_token(c);
    if ((m->flags & M_FRESH_SESSION) && c != C_ANON) {
        const char *user = c == C_PROVIDER ? PROVIDER_USER : api_accounts[c].username;
        const char *pass = c == C_PROVIDER ? PROVIDER_PASS : api_accounts[c].password;
        assert_int_equal(api_login(&srv, user, pass, fresh, sizeof(fresh)), 0);
        token = fresh;
    }
    struct api_resp r;
    assert_int_equal(api_call(&srv, rt->method, token, NULL, m->body ? body : NULL, &r, "%s", path),
                     0);
    bool ok;
    switch (want) {
    case CELL_401:
        ok = r.status == 401;
        break;
    case CELL_403:
        ok = route_refusal(&r);
        break;
    case CELL_HIDDEN:
        ok = r.status == 404 || (r.status == 403 && !route_refusal(&r));
        break;
    default:
        ok = r.status >= 200 && r.status < 500 && r.status != 401 && r.status != 404 &&
             r.status != 405 && !route_refusal(&r) &&
             (r.status != 403 || (m->flags & M_ACTION_RULES));
        break;
    }
    *shown = ok ? r.status : -r.status;
    if (!ok)
        print_message("MATRIX %s %s as %s (%s scope): want %s, got %d %.200s\n", rt->method, path,
                      caller_name(c), in_scope ? "in" : "out of", cell_mark[want], r.status,
                      r.body ? r.body : "");
    api_resp_release(&r);
    return ok ? 0 : 1;
}

/* ---- tests ---- */

static void make_tickets(void)
{
    char body[512];
    const char *grids[2] = {API_GRID, API_GRID2};
    for (int g = 0; g < 2; g++) {
        struct json_object *u =
            api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL, "/api/v1/units/%s", grids[g]);
        assert_non_null(u);
        assert_non_null(api_json_get(u, "point.lat"));
        snprintf(grid_lat[g], sizeof(grid_lat[g]), "%.7f", api_json_num(u, "point.lat", 0));
        snprintf(grid_lon[g], sizeof(grid_lon[g]), "%.7f", api_json_num(u, "point.lon", 0));
        json_object_put(u);
    }
    /* T_IN: the resident's own request on the first township's grid. */
    snprintf(body, sizeof(body),
             "{\"text\": \"矩阵测试：路灯不亮\", \"type\": \"help\", \"category\": \"C01\","
             " \"location\": {\"unit\": \"%s\"},"
             " \"contact\": {\"name\": \"居民甲\", \"phone\": \"13912340001\"}}",
             API_GRID);
    struct json_object *o =
        api_expect(&srv, 201, "POST", T(RESIDENT), NULL, body, "/api/v1/tickets");
    assert_non_null(o);
    snprintf(t_in, sizeof(t_in), "%s", api_json_str(o, "number"));
    json_object_put(o);
    o = api_expect(&srv, 200, "POST", T(OPERATOR), NULL, "{\"handler\": \"" API_HOUSING "\"}",
                   "/api/v1/tickets/%s/dispatch", t_in);
    assert_non_null(o);
    json_object_put(o);
    /* T_OUT: the second township's grid, dispatched there. */
    snprintf(body, sizeof(body),
             "{\"text\": \"矩阵测试：道路破损\", \"type\": \"complaint\", \"location\": {\"unit\": "
             "\"%s\"}}",
             API_GRID2);
    o = api_expect(&srv, 201, "POST", T(OPERATOR), NULL, body, "/api/v1/tickets");
    assert_non_null(o);
    snprintf(t_out, sizeof(t_out), "%s", api_json_str(o, "number"));
    json_object_put(o);
    o = api_expect(&srv, 200, "POST", T(OPERATOR), NULL, "{\"handler\": \"" API_TOWN2 "\"}",
                   "/api/v1/tickets/%s/dispatch", t_out);
    assert_non_null(o);
    json_object_put(o);
    /* T_ANON: filed without an account; its tracking code. */
    snprintf(body, sizeof(body),
             "{\"text\": \"矩阵测试：匿名咨询\", \"type\": \"consult\", \"location\": {\"unit\": "
             "\"%s\"}}",
             API_GRID);
    o = api_expect(&srv, 201, "POST", NULL, NULL, body, "/api/v1/tickets");
    assert_non_null(o);
    snprintf(t_anon, sizeof(t_anon), "%s", api_json_str(o, "number"));
    assert_non_null(api_json_str(o, "tracking.code"));
    snprintf(t_anon_code, sizeof(t_anon_code), "%s", api_json_str(o, "tracking.code"));
    json_object_put(o);
}

static void test_every_route_is_described(void **state)
{
    (void)state;
    int missing = 0;
    for (size_t i = 0; i < xt_route_count; i++) {
        if (!describe(&xt_routes[i])) {
            print_message("route %s %s has no row in the access matrix: describe it in matrix[] "
                          "of tests/api/test_api_matrix.c\n",
                          xt_routes[i].method, xt_routes[i].pattern);
            missing++;
        }
    }
    /* And no row describes a route that is gone. */
    for (size_t i = 0; i < NMATRIX; i++) {
        bool found = false;
        for (size_t k = 0; k < xt_route_count; k++)
            found |= strcmp(matrix[i].method, xt_routes[k].method) == 0 &&
                     strcmp(matrix[i].pattern, xt_routes[k].pattern) == 0;
        if (!found) {
            print_message("matrix[] row %s %s names no route of src/http/routes.c\n",
                          matrix[i].method, matrix[i].pattern);
            missing++;
        }
    }
    assert_int_equal(missing, 0);
}

static void test_matrix(void **state)
{
    (void)state;
    make_tickets();
    int failures = 0, cells = 0;
    print_message("answers, in scope|out of scope (- none, !N differs from the table)\n%-42s",
                  "route \\ caller");
    for (int c = 0; c < C_COUNT; c++)
        print_message(" %-9.9s", caller_name(c) + (c < API_ACCOUNT_COUNT ? 2 : 0));
    print_message("\n");
    for (size_t i = 0; i < xt_route_count; i++) {
        const struct xt_route *rt = &xt_routes[i];
        const struct matrix_row *m = describe(rt);
        if (!m)
            continue; /* reported by test_every_route_is_described */
        char label[64];
        snprintf(label, sizeof(label), "%s %s", rt->method, rt->pattern);
        char line[1024];
        int n = snprintf(line, sizeof(line), "%-42.42s", label);
        for (int c = 0; c < C_COUNT; c++) {
            int st[2];
            failures += run_cell(rt, m, c, true, &st[0]);
            failures += run_cell(rt, m, c, false, &st[1]);
            char cell[2][8];
            for (int k = 0; k < 2; k++) {
                if (st[k])
                    cells++;
                if (st[k] >= 0)
                    snprintf(cell[k], sizeof(cell[k]), "%s", st[k] ? "" : "-");
                else
                    snprintf(cell[k], sizeof(cell[k]), "!");
                if (st[k])
                    snprintf(cell[k] + strlen(cell[k]), sizeof(cell[k]) - strlen(cell[k]), "%d",
                             st[k] < 0 ? -st[k] : st[k]);
            }
            n += snprintf(line + n, sizeof(line) - (size_t)n, " %4s|%-4s", cell[0], cell[1]);
        }
        print_message("%s\n", line);
    }
    print_message("%d cells, %d differ from the route table\n", cells, failures);
    assert_true(cells > (int)xt_route_count * C_COUNT);
    assert_int_equal(failures, 0);
}

/* ---- the audit log ---- */

/* Rows of the audit log with that action ("" = all rows). */
static long audit_rows(const char *action)
{
    char sql[256], out[64] = "";
    if (*action)
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE action = '%s'", action);
    else
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit");
    assert_int_equal(xt_testdb_exec(dir, sql, out, sizeof(out)), 0);
    return strtol(out, NULL, 10);
}

static void db_exec(const char *sql)
{
    assert_int_equal(xt_testdb_exec(dir, sql, NULL, 0), 0);
}

/* Call and expect status; then the audit log must have grown by exactly
 * `more` rows of action and `more` rows in all. */
static void audited_call(const char *method, const char *token, const char *body, int status,
                         const char *action, long more, const char *path)
{
    long before = audit_rows(action), all_before = audit_rows("");
    struct api_resp r;
    assert_int_equal(api_call(&srv, method, token, NULL, body, &r, "%s", path), 0);
    if (r.status != status)
        print_message("%s %s: want %d, got %d %s\n", method, path, status, r.status, r.body);
    assert_int_equal(r.status, status);
    api_resp_release(&r);
    long after = audit_rows(action), all_after = audit_rows("");
    if (after - before != more || all_after - all_before != more)
        print_message("%s %s (%d): audit '%s' +%ld (all +%ld), want +%ld\n", method, path, status,
                      action, after - before, all_after - all_before, more);
    assert_int_equal(after - before, more);
    assert_int_equal(all_after - all_before, more);
}

/* Every route that declares an audit action must be exercised here. */
static const char *const audited[] = {
    "session.login",   "session.logout",  "account.create", "ticket.create",  "ticket.action",
    "ticket.callback", "open311.request", "people.edit",    "people.resolve", "people.import",
    "facility.create", "facility.update", "facility.delete"};

/* A new API key for Open311 (printed once by `xietong apikey add`). */
static void make_api_key(char *out, size_t outsz)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "'%s' apikey add --name matrix --scope %s --data '%s' 2>/dev/null",
             XT_BINARY, API_COUNTY, dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(out, (int)outsz, p));
    assert_int_equal(pclose(p), 0);
    out[strcspn(out, "\n")] = '\0';
}

static void test_audit_complete(void **state)
{
    (void)state;
    for (size_t i = 0; i < xt_route_count; i++) {
        const char *a = xt_routes[i].audit;
        bool known = !a;
        for (size_t k = 0; a && k < sizeof(audited) / sizeof(audited[0]); k++)
            known |= strcmp(a, audited[k]) == 0;
        if (!known)
            print_message("route %s %s writes audit '%s': exercise it in test_audit_complete\n",
                          xt_routes[i].method, xt_routes[i].pattern, a);
        assert_true(known);
    }
    char token[128], path[96], body[512];
    /* session.login, a failed one, session.logout */
    audited_call("POST", NULL, "{\"username\": \"t-grid\", \"password\": \"pw-grid-2026\"}", 201,
                 "session.login", 1, "/api/v1/sessions");
    audited_call("POST", NULL, "{\"username\": \"t-grid\", \"password\": \"wrong\"}", 401,
                 "session.login_failed", 1, "/api/v1/sessions");
    assert_int_equal(api_login(&srv, "t-village", "pw-village-2026", token, sizeof(token)), 0);
    audited_call("DELETE", token, NULL, 200, "session.logout", 1, "/api/v1/sessions/current");
    /* account.create, and refused (role, then bad body): nothing */
    audited_call("POST", T(ADMIN),
                 "{\"username\": \"audit-1\", \"password\": \"pw-audit-2026\", \"role\": \"grid\","
                 " \"scope\": \"" API_GRID "\"}",
                 201, "account.create", 1, "/api/v1/accounts");
    audited_call("POST", T(OPERATOR),
                 "{\"username\": \"audit-2\", \"password\": \"pw-audit-2026\", \"role\": \"grid\","
                 " \"scope\": \"" API_GRID "\"}",
                 403, "", 0, "/api/v1/accounts");
    audited_call("POST", T(ADMIN), "{\"username\": \"audit-3\", \"role\": \"nobody\"}", 400, "", 0,
                 "/api/v1/accounts");
    /* ticket.create (with a contact), and refused */
    snprintf(body, sizeof(body),
             "{\"text\": \"审计测试\", \"type\": \"help\", \"location\": {\"unit\": \"%s\"},"
             " \"contact\": {\"name\": \"审计人\", \"phone\": \"13900001111\"}}",
             API_GRID);
    long before = audit_rows("ticket.create");
    struct json_object *o = api_expect(&srv, 201, "POST", NULL, NULL, body, "/api/v1/tickets");
    assert_non_null(o);
    assert_int_equal(audit_rows("ticket.create") - before, 1);
    char number[32], code[16];
    snprintf(number, sizeof(number), "%s", api_json_str(o, "number"));
    snprintf(code, sizeof(code), "%s", api_json_str(o, "tracking.code"));
    json_object_put(o);
    audited_call("POST", T(OPERATOR), "{\"text\": \"\", \"type\": \"help\"}", 400, "", 0,
                 "/api/v1/tickets");
    /* ticket.<action> through the action route, and refusals */
    snprintf(path, sizeof(path), "/api/v1/tickets/%s/dispatch", number);
    audited_call("POST", T(OPERATOR), "{\"handler\": \"" API_TOWN "\"}", 200, "ticket.dispatch", 1,
                 path);
    audited_call("POST", T(OPERATOR), "{\"handler\": \"" API_TOWN "\"}", 409, "", 0, path);
    snprintf(path, sizeof(path), "/api/v1/tickets/%s/sign", number);
    audited_call("POST", T(TOWNSHIP2), "{}", 404, "", 0, path);
    audited_call("POST", T(TOWNSHIP), "{}", 200, "ticket.sign", 1, path);
    snprintf(path, sizeof(path), "/api/v1/tickets/%s/reply", number);
    audited_call("POST", T(TOWNSHIP), "{\"reply\": \"已处理\", \"result\": \"resolved\"}", 200,
                 "ticket.reply", 1, path);
    /* ticket.callback by the requester with his tracking code */
    snprintf(path, sizeof(path), "/api/v1/track/%s/callback", number);
    snprintf(body, sizeof(body),
             "{\"code\": \"%s\", \"resolved\": true, \"satisfaction\": \"satisfied\"}", code);
    audited_call("POST", NULL, body, 200, "ticket.callback", 1, path);
    audited_call("POST", NULL, body, 409, "", 0, path);
    /* open311.request: a request filed with an API key is a ticket.create
     * (by the key's service account); without a valid key, nothing. */
    char key[64], form[512];
    make_api_key(key, sizeof(key));
    api_content_type = "application/x-www-form-urlencoded";
    snprintf(form, sizeof(form),
             "api_key=%s&service_code=C01&attribute%%5Brequest_type%%5D=help"
             "&description=%%E5%%AE%%A1%%E8%%AE%%A1&address_id=%s",
             key, API_GRID);
    audited_call("POST", NULL, form, 201, "ticket.create", 1, "/open311/v2/requests.json");
    audited_call("POST", NULL, form + strlen("api_key=") + strlen(key) + 1, 403, "", 0,
                 "/open311/v2/requests.json");
    api_content_type = "application/json";
    /* people.import, .edit, .resolve; refused ones write nothing */
    audited_call("POST", T(ADMIN),
                 "{\"source\": \"audit\", \"unit\": \"" API_COUNTY "\", \"name\": \"a.csv\","
                 " \"mapping\": {\"name\": \"姓名\", \"unit\": \"网格\"},"
                 " \"csv\": \"姓名,网格\\n审计甲," API_GRID "\\n\"}",
                 201, "people.import", 1, "/api/v1/people/imports");
    audited_call("POST", T(OPERATOR), "{\"source\": \"audit\"}", 403, "", 0,
                 "/api/v1/people/imports");
    snprintf(path, sizeof(path), "/api/v1/residents/%s", res_id[0]);
    audited_call("POST", T(ADMIN), "{\"address\": \"审计路1号\"}", 200, "people.edit", 1, path);
    audited_call("POST", T(ADMIN), "{\"phone\": \"12345\"}", 400, "", 0, path);
    /* facility.create, .update, .delete; refused ones write nothing */
    static const char fac[] =
        "{\"type\":\"village_clinic\",\"name\":\"审计卫生室\","
        "\"location\":{\"lat\":35.55,\"lon\":103.1},\"unit\":\"" API_VILLAGE "\"}";
    audited_call("POST", T(TOWNSHIP), fac, 403, "", 0, "/api/v1/access/facilities");
    before = audit_rows("facility.create");
    o = api_expect(&srv, 201, "POST", T(COMMAND), NULL, fac, "/api/v1/access/facilities");
    assert_non_null(o);
    assert_int_equal(audit_rows("facility.create") - before, 1);
    snprintf(path, sizeof(path), "/api/v1/access/facilities/%lld",
             (long long)api_json_int(o, "id", -1));
    json_object_put(o);
    audited_call("PUT", T(ADMIN),
                 "{\"type\":\"elderly_care\",\"name\":\"审计养老\","
                 "\"location\":{\"lat\":35.56,\"lon\":103.11}}",
                 200, "facility.update", 1, path);
    audited_call("PUT", T(ADMIN), "{\"type\":\"castle\"}", 400, "", 0, path);
    audited_call("DELETE", T(GRID_AC), NULL, 403, "", 0, path);
    audited_call("DELETE", T(ADMIN), NULL, 200, "facility.delete", 1, path);
    audited_call("DELETE", T(ADMIN), NULL, 404, "", 0, path);
    /* a new conflict (a third phone from another list), resolved once */
    audited_call("POST", T(ADMIN),
                 "{\"source\": \"health\", \"unit\": \"" API_COUNTY "\", \"name\": \"h.csv\","
                 " \"mapping\": {\"name\": \"姓名\", \"id_number\": \"身份证号\","
                 " \"phone\": \"电话\", \"unit\": \"网格\"},"
                 " \"csv\": \"姓名,身份证号,电话,网格\\n"
                 "丁矩阵,622921197001010412,13700003333," API_GRID2 "\\n\"}",
                 201, "people.import", 1, "/api/v1/people/imports");
    o = api_expect(&srv, 200, "GET", T(ADMIN), NULL, NULL, "/api/v1/residents/%s", res_id[1]);
    assert_non_null(o);
    long long cid = -1;
    for (long k = 0; k < api_json_len(o, "conflicts"); k++) {
        char k2[48];
        snprintf(k2, sizeof(k2), "conflicts.%ld.state", k);
        if (strcmp(api_json_str(o, k2), "open") == 0) {
            snprintf(k2, sizeof(k2), "conflicts.%ld.id", k);
            cid = (long long)api_json_int(o, k2, -1);
        }
    }
    json_object_put(o);
    assert_true(cid > 0);
    snprintf(path, sizeof(path), "/api/v1/residents/%s/conflicts/%lld/resolve", res_id[1], cid);
    audited_call("POST", T(ADMIN), "{\"source\": \"health\"}", 200, "people.resolve", 1, path);
    audited_call("POST", T(ADMIN), "{\"source\": \"health\"}", 409, "", 0, path);
    /* Reads: masked ones write nothing; every unmasked read one row; a
     * role that may not unmask is refused and writes nothing. */
    snprintf(path, sizeof(path), "/api/v1/tickets/%s", number);
    audited_call("GET", T(OPERATOR), NULL, 200, "", 0, path);
    snprintf(path, sizeof(path), "/api/v1/tickets/%s?reveal=contact", number);
    for (int k = 0; k < 3; k++)
        audited_call("GET", T(OPERATOR), NULL, 200, "ticket.reveal_contact", 1, path);
    audited_call("GET", T(COMMAND), NULL, 200, "ticket.reveal_contact", 1, path);
    audited_call("GET", T(TOWNSHIP), NULL, 403, "", 0, path);
}

/* Run `xietong audit verify --data dir`; its exit status, output in out. */
static int audit_verify(char *out, size_t outsz)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "cd %s && %s audit verify --data %s 2>&1", XT_SOURCE_DIR, XT_BINARY,
             dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, outsz - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_audit_tamper(void **state)
{
    (void)state;
    assert_int_equal(api_server_stop(&srv), 0);
    char out[512];
    assert_int_equal(audit_verify(out, sizeof(out)), 0);
    assert_non_null(strstr(out, "intact"));
    long rows = audit_rows("");
    assert_true(rows >= 10);

    /* Edit one row in the middle: verify names it. */
    db_exec("UPDATE audit SET detail = detail || ' (edited)' WHERE id = 5");
    assert_int_not_equal(audit_verify(out, sizeof(out)), 0);
    print_message("after editing row 5: %s", out);
    assert_non_null(strstr(out, "BROKEN at row 5 "));
    db_exec("UPDATE audit SET detail = replace(detail, ' (edited)', '') WHERE id = 5");
    assert_int_equal(audit_verify(out, sizeof(out)), 0);

    /* Edit a row's hash along with it: the next row no longer links. */
    db_exec("UPDATE audit SET actor_name = 'someone', hash = '" /* 64 zeros */
            "0000000000000000000000000000000000000000000000000000000000000000' WHERE id = 6");
    assert_int_not_equal(audit_verify(out, sizeof(out)), 0);
    print_message("after rewriting row 6 and its hash: %s", out);
    assert_non_null(strstr(out, "BROKEN at row 6 "));

    /* Delete one row: the row after the gap no longer links. */
    db_exec("DELETE FROM audit WHERE id = 6");
    assert_int_not_equal(audit_verify(out, sizeof(out)), 0);
    print_message("after deleting row 6: %s", out);
    assert_non_null(strstr(out, "BROKEN at row 7 "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_is_described),
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_audit_complete),
        cmocka_unit_test(test_audit_tamper),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
