/* fuzzsupport.c - the shared world of the fuzz drivers (see fuzzsupport.h). */
#include "fuzzsupport.h"

#include <ftw.h>
#include <json-c/json.h>
#include <libxml/parser.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "http/server.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "store/open311.h"

struct fuzz_account {
    const char *who, *username, *password, *role, *scope;
    char token[XT_TOKEN_LEN + 1];
};

/* One account per role, scoped like the API tests' accounts. */
static struct fuzz_account accounts[] = {
    {"admin", "f-admin", "pw-admin-2026", "admin", NULL, ""},
    {"auditor", "f-auditor", "pw-auditor-2026", "auditor", NULL, ""},
    {"operator", "f-operator", "pw-operator-2026", "operator", "6229", ""},
    {"command", "f-command", "pw-command-2026", "command", "6229", ""},
    {"department", "f-housing", "pw-housing-2026", "department", "622921D01", ""},
    {"township", "f-hanji", "pw-hanji-2026", "township", "622921100", ""},
    {"township2", "f-tuqiao", "pw-tuqiao-2026", "township", "622921101", ""},
    {"village", "f-village", "pw-village-2026", "village", "622921100001", ""},
    {"grid", "f-grid", "pw-grid-2026", "grid", "622921100001001", ""},
    {"resident", "f-resident", "pw-resident-2026", "resident", NULL, ""},
};
#define NACCOUNTS (sizeof(accounts) / sizeof(accounts[0]))

static char world_dir[512];
static struct xt_store *store;
static struct xt_server *server;
static char ticket_number[32];
static char api_key[XT_TOKEN_LEN + 1];
static bool ready;

static void die(const char *what)
{
    fprintf(stderr, "fuzzsupport: %s\n", what);
    abort();
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void world_remove(void)
{
    if (server)
        xt_server_stop(server);
    if (store)
        xt_store_close(store);
    server = NULL;
    store = NULL;
    /* Only ever remove what fuzz_world_init made. */
    if (strstr(world_dir, "/xt-fuzz-"))
        nftw(world_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void cli(char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    bool serve_after = false;
    if (xt_cli_main(argc, argv, &serve_after) != 0) {
        fprintf(stderr, "fuzzsupport: xietong %s %s failed\n", argv[1], argv[2]);
        abort();
    }
}

const char *fuzz_dir(void)
{
    return world_dir;
}

struct xt_store *fuzz_store(void)
{
    return store;
}

const char *fuzz_ticket_number(void)
{
    return ticket_number;
}

const char *fuzz_apikey(void)
{
    return api_key;
}

int fuzz_actor(const char *who, struct xt_actor *actor)
{
    const char *token = fuzz_token(who);
    if (!token)
        return XT_ENOTFOUND;
    return xt_store_session(store, token, (int64_t)time(NULL), actor);
}

const char *fuzz_token(const char *who)
{
    for (size_t i = 0; i < NACCOUNTS; i++)
        if (strcmp(accounts[i].who, who) == 0)
            return accounts[i].token;
    return NULL;
}

static int new_ticket(void);

/* A request may end a session (DELETE /api/v1/sessions/current with the
 * operator's token): log such accounts in again, so that the fuzzer does
 * not go on as anonymous for the rest of its run. A login the throttle
 * refuses leaves the old token; later requests then exercise the 401 path. */
static void renew_sessions(void)
{
    int64_t now = (int64_t)time(NULL);
    for (size_t i = 0; i < NACCOUNTS; i++) {
        struct xt_actor actor;
        if (xt_store_session(store, accounts[i].token, now, &actor) == 0)
            continue;
        struct xt_error err = {0};
        char token[XT_TOKEN_LEN + 1];
        if (xt_store_login(store, accounts[i].username, accounts[i].password, now, token, &actor,
                           &err) == 0)
            memcpy(accounts[i].token, token, sizeof(token));
    }
}

void fuzz_world_init(void)
{
    if (ready)
        return;
    /* The CLI reads the data files relative to the source tree. */
    if (chdir(XT_SOURCE_DIR) != 0)
        die("cannot enter the source tree");
    /* libFuzzer ends with _Exit, so the atexit removal below runs only for
     * the replay driver: scripts/fuzz.sh points XT_FUZZ_TMPDIR at a folder
     * of the build that it removes itself. */
    const char *base = getenv("XT_FUZZ_TMPDIR");
    snprintf(world_dir, sizeof(world_dir), "%s/xt-fuzz-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(world_dir))
        die("mkdtemp failed");
    atexit(world_remove);
    /* The CLI's chatter would drown the fuzzer's own lines. */
    if (!freopen("/dev/null", "w", stdout))
        die("cannot silence stdout");
    xt_log_set_level(XT_LOG_ERROR);
    char *d = world_dir;
    char *imports[][10] = {
        {"xietong", "import", "divisions", "data/divisions/linxia_6229.csv", "--prefix", "6229",
         "--data", d, NULL},
        {"xietong", "import", "census", "data/census/census2020_county_west_key.csv", "--prefix",
         "62", "--data", d, NULL},
        {"xietong", "import", "calendar", "data/calendar/cn_holidays.csv", "--data", d, NULL},
        {"xietong", "import", "categories", "data/reference/categories.csv", "--data", d, NULL},
        {"xietong", "import", "departments", "data/reference/departments.csv", "--prefix", "6229",
         "--data", d, NULL},
        {"xietong", "grids", "--seats", "data/demo/county_seats.csv", "--prefix", "6229", "--data",
         d, NULL},
    };
    for (size_t i = 0; i < sizeof(imports) / sizeof(imports[0]); i++)
        cli(imports[i]);
    for (size_t i = 0; i < NACCOUNTS; i++) {
        struct fuzz_account *a = &accounts[i];
        char *argv[14] = {"xietong", "account",       "add",         "--username", (char *)a->username,
                          "--password", (char *)a->password, "--role", (char *)a->role,
                          "--data",  d,               NULL};
        if (a->scope) {
            argv[11] = "--scope";
            argv[12] = (char *)a->scope;
            argv[13] = NULL;
        }
        cli(argv);
    }
    struct xt_error err = {0};
    if (xt_store_open(world_dir, &store, &err))
        die(err.message);
    if (xt_store_set_bulk(store, true))
        die("cannot turn bulk mode on");
    if (xt_server_local(store, XT_SOURCE_DIR "/web", &server))
        die("out of memory");
    for (size_t i = 0; i < NACCOUNTS; i++) {
        struct xt_actor actor;
        if (xt_store_login(store, accounts[i].username, accounts[i].password, (int64_t)time(NULL),
                           accounts[i].token, &actor, &err))
            die(err.message);
    }
    /* An Open311 client's key for the prefecture (xietong apikey add). */
    if (xt_store_apikey_add(store, "fuzz-client", "6229", (int64_t)time(NULL), api_key, &err))
        die(err.message);
    ready = true;
    if (new_ticket())
        die("cannot create and dispatch the ticket to act on");
}

/* A ticket to act on: on the first township's grid, dispatched there. The
 * fuzzer's actions move it on (signed, replied, closed, merged...), so a
 * fresh one is made every 1000 requests to keep every action reachable. */
static int new_ticket(void)
{
    static const char create[] =
        "{\"text\": \"模糊测试工单\", \"type\": \"complaint\", \"location\": {\"unit\": "
        "\"622921100001001\"}, \"contact\": {\"name\": \"测试人\", \"phone\": \"13900000000\"}}";
    static const char to_town[] = "{\"handler\": \"622921100\"}";
    char old[sizeof(ticket_number)], path[96];
    memcpy(old, ticket_number, sizeof(old));
    ticket_number[0] = '\0';
    int st = fuzz_request("POST", "/api/v1/tickets", NULL, "Authorization: Bearer @operator\n",
                          (const uint8_t *)create, sizeof(create) - 1);
    if (st == 201 && *ticket_number) {
        snprintf(path, sizeof(path), "/api/v1/tickets/%s/dispatch", ticket_number);
        if (fuzz_request("POST", path, NULL, "Authorization: Bearer @operator\n",
                         (const uint8_t *)to_town, sizeof(to_town) - 1) == 200)
            return 0;
    }
    /* Later in a run (the operator's login throttled): keep the old one. */
    memcpy(ticket_number, old, sizeof(old));
    return -1;
}

/* ---- one request ---- */

#define MAX_KV 32

struct kv {
    char *name, *value;
};

struct fake_conn {
    struct kv query[MAX_KV], header[MAX_KV], cookie[MAX_KV];
    int nquery, nheader, ncookie;
};

static const char *fake_lookup(void *conn, enum xt_kv_kind kind, const char *name)
{
    struct fake_conn *c = conn;
    struct kv *list = kind == XT_KV_QUERY ? c->query : kind == XT_KV_HEADER ? c->header : c->cookie;
    int n = kind == XT_KV_QUERY ? c->nquery : kind == XT_KV_HEADER ? c->nheader : c->ncookie;
    for (int i = 0; i < n; i++) {
        bool same = kind == XT_KV_HEADER ? strcasecmp(list[i].name, name) == 0
                                         : strcmp(list[i].name, name) == 0;
        if (same)
            return list[i].value;
    }
    return NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decoding as MHD does it for query arguments, in place. */
static void unescape(char *s)
{
    char *w = s;
    for (char *p = s; *p; p++) {
        if (*p == '+') {
            *w++ = ' ';
        } else if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            *w++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
}

/* A copy of s with "@role" and "@ticket" replaced (malloc'd). */
static char *substitute(const char *s)
{
    size_t cap = strlen(s) + 1;
    for (const char *p = strchr(s, '@'); p; p = strchr(p + 1, '@'))
        cap += XT_TOKEN_LEN + 32;
    char *out = malloc(cap);
    if (!out)
        die("out of memory");
    size_t n = 0;
    while (*s) {
        bool done = false;
        if (*s == '@') {
            if (strncmp(s + 1, "apikey", 6) == 0) {
                n += (size_t)snprintf(out + n, cap - n, "%s", api_key);
                s += 7;
                done = true;
            } else if (strncmp(s + 1, "ticket", 6) == 0) {
                n += (size_t)snprintf(out + n, cap - n, "%s", ticket_number);
                s += 7;
                done = true;
            }
            for (size_t i = 0; !done && i < NACCOUNTS; i++) {
                size_t k = strlen(accounts[i].who);
                if (strncmp(s + 1, accounts[i].who, k) == 0 &&
                    !(accounts[i].who[k - 1] != '2' && s[1 + k] == '2')) {
                    n += (size_t)snprintf(out + n, cap - n, "%s", accounts[i].token);
                    s += 1 + k;
                    done = true;
                }
            }
        }
        if (!done)
            out[n++] = *s++;
    }
    out[n] = '\0';
    return out;
}

static void parse_pairs(char *s, char sep, struct kv *list, int *n, bool decode)
{
    for (char *save = NULL, *item = strtok_r(s, (char[]){sep, 0}, &save); item && *n < MAX_KV;
         item = strtok_r(NULL, (char[]){sep, 0}, &save)) {
        while (*item == ' ')
            item++;
        char *eq = strchr(item, '=');
        if (eq)
            *eq = '\0';
        if (decode) {
            unescape(item);
            if (eq)
                unescape(eq + 1);
        }
        list[*n].name = item;
        list[*n].value = eq ? eq + 1 : "";
        (*n)++;
    }
}

static void check_answer(struct xt_req *r, const char *url)
{
    size_t len;
    const char *body = xt_req_answer(r, &len);
    if (r->status < 200 || r->status > 599)
        die("status out of range");
    if (r->status == 500) {
        fprintf(stderr, "fuzzsupport: 500 answer: %s (%s)\n", r->err.message, body);
        die("internal error on outside input: bad input must get a 4xx");
    }
    /* Open311 answers (h_open311.c) in its own shapes, JSON or XML. */
    bool open311 = strncmp(url, "/open311/", 9) == 0;
    if (open311 && r->content_type && strncmp(r->content_type, "text/xml", 8) == 0) {
        xmlDocPtr doc = xmlReadMemory(body, (int)len, "answer.xml", "UTF-8",
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!doc)
            die("Open311 XML answer is not well-formed");
        xmlNodePtr root = xmlDocGetRootElement(doc);
        bool is_errors = root && xmlStrcmp(root->name, (const xmlChar *)"errors") == 0;
        xmlFreeDoc(doc);
        if (r->status >= 400 && !is_errors)
            die("Open311 XML error answer without <errors>");
        return;
    }
    if (r->raw && r->status == 200 && !open311)
        return; /* a static file */
    struct json_tokener *tok = json_tokener_new();
    struct json_object *o = json_tokener_parse_ex(tok, body, (int)len);
    bool ok = o && json_tokener_get_error(tok) == json_tokener_success;
    json_tokener_free(tok);
    if (!ok)
        die("answer is not JSON");
    if (r->status >= 400 && open311) {
        /* GeoReport v2 errors: [{"code": status, "description": "..."}] */
        struct json_object *e = json_object_is_type(o, json_type_array) &&
                                        json_object_array_length(o) > 0
                                    ? json_object_array_get_idx(o, 0)
                                    : NULL;
        struct json_object *code = NULL, *desc = NULL;
        if (!e || !json_object_object_get_ex(e, "code", &code) ||
            json_object_get_int(code) != r->status ||
            !json_object_object_get_ex(e, "description", &desc)) {
            fprintf(stderr, "fuzzsupport: %d answer: %.*s\n", r->status, (int)len, body);
            die("Open311 error answer without code and description");
        }
    } else if (r->status >= 400) {
        struct json_object *e = NULL, *code = NULL;
        if (!json_object_object_get_ex(o, "error", &e) ||
            !json_object_object_get_ex(e, "code", &code))
            die("error answer without error.code");
    } else if (r->status == 201 && !*ticket_number) {
        struct json_object *num = NULL;
        if (json_object_object_get_ex(o, "number", &num))
            snprintf(ticket_number, sizeof(ticket_number), "%s", json_object_get_string(num));
    }
    json_object_put(o);
}

int fuzz_request(const char *method, const char *path, const char *query, const char *headers,
                 const uint8_t *body, size_t body_len)
{
    struct fake_conn conn;
    memset(&conn, 0, sizeof(conn));
    char *url = substitute(path);
    char *q = substitute(query ? query : "");
    char *h = substitute(headers ? headers : "");
    parse_pairs(q, '&', conn.query, &conn.nquery, true);
    /* Headers: "Name: value" lines. */
    for (char *save = NULL, *line = strtok_r(h, "\n", &save); line && conn.nheader < MAX_KV;
         line = strtok_r(NULL, "\n", &save)) {
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[n - 1] = '\0';
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ')
            v++;
        conn.header[conn.nheader].name = line;
        conn.header[conn.nheader].value = v;
        conn.nheader++;
        if (strcasecmp(line, "Cookie") == 0)
            parse_pairs(v, ';', conn.cookie, &conn.ncookie, false);
    }
    struct xt_req *r = xt_req_begin(server, &conn, fake_lookup, method, url);
    if (!r)
        die("out of memory");
    /* MHD hands the body over in pieces; so do we. */
    size_t off = 0;
    while (off < body_len) {
        size_t piece = body_len - off < 4096 ? body_len - off : 4096;
        xt_req_feed(r, (const char *)body + off, piece);
        off += piece;
    }
    xt_req_run(r);
    check_answer(r, url);
    static long requests;
    if (strcmp(method, "DELETE") == 0)
        renew_sessions();
    int status = r->status;
    if (getenv("XT_FUZZ_VERBOSE")) {
        size_t len;
        const char *answer = xt_req_answer(r, &len);
        fprintf(stderr, "%s %s -> %d %.*s\n", method, url, status, (int)(len < 160 ? len : 160),
                answer);
    }
    xt_req_free(r);
    free(url);
    free(q);
    free(h);
    if (++requests % 1000 == 0 && ready)
        (void)new_ticket();
    return status;
}

const char *fuzz_scratch_file(const uint8_t *data, size_t n, const char *ext)
{
    static char path[600];
    snprintf(path, sizeof(path), "%s/scratch%s", world_dir, ext);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        die("cannot write the scratch file");
    if (n && fwrite(data, 1, n, fp) != n)
        die("cannot write the scratch file");
    fclose(fp);
    return path;
}
