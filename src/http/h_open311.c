/* h_open311.c - Open311 GeoReport v2 under /open311/v2/ (docs/OPEN311.md).
 *
 * Two routes take every path below /open311/v2/; this file splits the
 * rest of the path into the resource and its format suffix (.xml or
 * .json). Each answer is built once as a json-c value and then written as
 * JSON, or as XML (UTF-8, no namespace) by the small writer below: an
 * object becomes an element with one child per member, an array an
 * element with one child per item, named by xml_item_name. Errors go out
 * the same way as errors/error with code and description.
 *
 * Filing (POST requests) takes a form-encoded body and an api_key, maps
 * the Open311 fields onto a ticket and files it through the same store
 * function as POST /api/v1/tickets, so routing, deadlines and rates are
 * the engine's. Reading is public: see public_view for what is withheld.
 */
#include "core/open311.h"
#include "core/reqtype.h"
#include "http/server.h"
#include "lib/buf.h"
#include "lib/utf8.h"
#include "lib/xtime.h"
#include "store/open311.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define O311_WINDOW (90 * XT_DAY) /* the specification's largest date range */
#define O311_MAX_ROWS 1000
#define O311_MAX_IDS 100   /* service_request_id list */
#define O311_MAX_FIELDS 64 /* form fields of a POST */
#define O311_CHANGESET "2026-11-26T00:00:00+08:00"

enum fmt { FMT_XML, FMT_JSON };

/* ---- the path ---- */

/* Split "requests/X.json" into resource "requests/X" and its format.
 * False when the suffix is neither .xml nor .json. */
static bool split_path(const char *path, char *res, size_t ressz, enum fmt *fmt)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return false;
    if (strcmp(dot, ".xml") == 0)
        *fmt = FMT_XML;
    else if (strcmp(dot, ".json") == 0)
        *fmt = FMT_JSON;
    else
        return false;
    size_t n = (size_t)(dot - path);
    if (n >= ressz)
        return false;
    memcpy(res, path, n);
    res[n] = '\0';
    return true;
}

static enum fmt req_fmt(struct xt_req *r)
{
    const char *p = r->nparams ? r->params[0] : "";
    size_t n = strlen(p);
    return n > 5 && strcmp(p + n - 5, ".json") == 0 ? FMT_JSON : FMT_XML;
}

/* ---- writing ---- */

static const char *xml_item_name(const char *list)
{
    static const struct {
        const char *list, *item;
    } names[] = {
        {"services", "service"},     {"service_requests", "request"},
        {"attributes", "attribute"}, {"values", "value"},
        {"endpoints", "endpoint"},   {"formats", "format"},
        {"errors", "error"},         {"service_request_updates", "request_update"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(names[i].list, list) == 0)
            return names[i].item;
    return "item";
}

/* Text content: the five markup characters escaped, and the control
 * characters XML 1.0 cannot carry dropped (the input is valid UTF-8). */
static int xml_text(struct xt_buf *b, const char *s)
{
    int rc = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&':
            rc |= xt_buf_puts(b, "&amp;");
            break;
        case '<':
            rc |= xt_buf_puts(b, "&lt;");
            break;
        case '>':
            rc |= xt_buf_puts(b, "&gt;");
            break;
        case '"':
            rc |= xt_buf_puts(b, "&quot;");
            break;
        case '\'':
            rc |= xt_buf_puts(b, "&apos;");
            break;
        default:
            if (c >= 0x80) {
                /* Only characters XML allows: text from outside (a path
                 * echoed in an error) may hold bytes that are not UTF-8,
                 * and U+FFFE, U+FFFF are not characters. */
                size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
                uint32_t cp = 0;
                if (strnlen(s, len) == len && xt_utf8_valid(s, len) &&
                    xt_utf8_decode(s, &cp) == (int)len && cp != 0xFFFE && cp != 0xFFFF) {
                    rc |= xt_buf_append(b, s, len);
                    s += len - 1;
                } else {
                    rc |= xt_buf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD */
                }
            } else if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                rc |= xt_buf_append(b, s, 1);
            }
        }
    }
    return rc;
}

/* Non-zero when the buffer hit its cap. */
static int xml_value(struct xt_buf *b, const char *name, struct json_object *v)
{
    int rc = xt_buf_printf(b, "<%s>", name);
    switch (json_object_get_type(v)) {
    case json_type_null:
        break;
    case json_type_object: {
        json_object_object_foreach(v, key, child) rc |= xml_value(b, key, child);
        break;
    }
    case json_type_array: {
        const char *item = xml_item_name(name);
        for (size_t i = 0; i < json_object_array_length(v); i++)
            rc |= xml_value(b, item, json_object_array_get_idx(v, i));
        break;
    }
    case json_type_string:
        rc |= xml_text(b, json_object_get_string(v));
        break;
    default: /* numbers and booleans as JSON writes them */
        rc |= xt_buf_puts(b, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
    }
    return rc | xt_buf_printf(b, "</%s>", name);
}

/* Answer with v (consumed) as root (XML) or as it is (JSON). */
static int answer(struct xt_req *r, enum fmt fmt, int status, const char *root,
                  struct json_object *v)
{
    struct xt_buf b;
    xt_buf_init(&b, 64 << 20);
    int bad;
    if (fmt == FMT_XML) {
        bad = xt_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        bad |= xml_value(&b, root, v);
        bad |= xt_buf_puts(&b, "\n");
        r->content_type = "text/xml; charset=utf-8";
    } else {
        bad = xt_buf_puts(&b, json_object_to_json_string_ext(
                                  v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        r->content_type = "application/json; charset=utf-8";
    }
    json_object_put(v);
    if (bad) {
        xt_buf_release(&b);
        return xt_error_set(&r->err, XT_ENOMEM, "", "answer too large");
    }
    json_object_put(r->json);
    r->json = NULL;
    free(r->raw);
    r->raw_len = b.len;
    r->raw = xt_buf_detach(&b);
    r->status = status;
    return 0;
}

int xt_open311_errors(struct xt_req *r, int code)
{
    int status;
    switch (r->err.code) {
    case XT_EINVAL:
        /* a method no route under /open311/ takes: server.c answers 405 */
        status = !r->route && strcmp(r->err.field, "method") == 0 ? 405 : 400;
        break;
    case XT_EEXIST:
    case XT_ESTATE:
        status = 400;
        break;
    case XT_ENOTFOUND:
        status = 404;
        break;
    case XT_EAUTH:
    case XT_EPERM:
        status = 403;
        break;
    default:
        status = xt_errcode_http_status(r->err.code);
    }
    char desc[sizeof(r->err.message) + sizeof(r->err.field) + 4];
    if (status >= 500)
        snprintf(desc, sizeof(desc), "internal error (request %s)", r->request_id);
    else if (*r->err.field)
        snprintf(desc, sizeof(desc), "%s: %s", r->err.field, r->err.message);
    else
        snprintf(desc, sizeof(desc), "%s", r->err.message);
    struct json_object *e = json_object_new_object();
    json_object_object_add(e, "code", json_object_new_int(status));
    json_object_object_add(e, "description", json_object_new_string(desc));
    struct json_object *list = json_object_new_array();
    json_object_array_add(list, e);
    int keep = r->err.code;
    if (answer(r, req_fmt(r), status, "errors", list)) {
        /* Too little memory even for an error: a bare 500. */
        r->status = 500;
    }
    return keep ? keep : code;
}

/* ---- small JSON helpers ---- */

static struct json_object *str_or_null(const char *s)
{
    return s && *s ? json_object_new_string(s) : NULL;
}

static struct json_object *time_or_null(int64_t t)
{
    if (!t)
        return NULL;
    char buf[26];
    xt_time_format(t, buf);
    return json_object_new_string(buf);
}

static struct json_object *coord(double v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%.6f", v);
    return json_object_new_double_s(v, buf);
}

/* ---- discovery, services ---- */

static int get_discovery(struct xt_req *r, enum fmt fmt)
{
    const char *host = xt_req_header(r, "Host");
    char url[300];
    snprintf(url, sizeof(url), "http://%s/open311/v2", host && *host ? host : "127.0.0.1");
    struct json_object *ep = json_object_new_object();
    json_object_object_add(ep, "specification",
                           json_object_new_string("http://wiki.open311.org/GeoReport_v2"));
    json_object_object_add(ep, "url", json_object_new_string(url));
    json_object_object_add(ep, "changeset", json_object_new_string(O311_CHANGESET));
    json_object_object_add(ep, "type", json_object_new_string("production"));
    struct json_object *formats = json_object_new_array();
    json_object_array_add(formats, json_object_new_string("text/xml"));
    json_object_array_add(formats, json_object_new_string("application/json"));
    json_object_object_add(ep, "formats", formats);
    struct json_object *eps = json_object_new_array();
    json_object_array_add(eps, ep);
    struct json_object *d = json_object_new_object();
    json_object_object_add(d, "changeset", json_object_new_string(O311_CHANGESET));
    json_object_object_add(d, "contact",
                           json_object_new_string("县社会治理中心（12345 政务服务便民热线）"));
    json_object_object_add(d, "key_service",
                           json_object_new_string("API keys are issued by the administrator of "
                                                  "this server (xietong apikey add)"));
    json_object_object_add(d, "endpoints", eps);
    return answer(r, fmt, 200, "discovery", d);
}

static const struct xt_category *find_service(struct xt_req *r, const char *code)
{
    return xt_routing_category(xt_store_routing(r->store), code);
}

static struct json_object *service_json(const struct xt_routing *rt, const struct xt_category *c)
{
    const struct xt_category *parent = *c->parent ? xt_routing_category(rt, c->parent) : NULL;
    char desc[160];
    snprintf(desc, sizeof(desc), "%s：%s", c->name,
             strcmp(c->route, XT_ROUTE_LOCAL) == 0 ? "由属地乡镇（街道）办理"
                                                   : "由县直主管部门办理");
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "service_code", json_object_new_string(c->code));
    json_object_object_add(o, "service_name", json_object_new_string(c->name));
    json_object_object_add(o, "description", json_object_new_string(desc));
    json_object_object_add(o, "metadata", json_object_new_boolean(1));
    json_object_object_add(o, "type", json_object_new_string("realtime"));
    json_object_object_add(o, "keywords", json_object_new_string(c->route));
    json_object_object_add(o, "group", json_object_new_string(parent ? parent->name : c->name));
    return o;
}

static int get_services(struct xt_req *r, enum fmt fmt)
{
    const struct xt_routing *rt = xt_store_routing(r->store);
    struct json_object *list = json_object_new_array();
    for (size_t i = 0; i < rt->n_categories; i++)
        json_object_array_add(list, service_json(rt, &rt->categories[i]));
    return answer(r, fmt, 200, "services", list);
}

static int get_definition(struct xt_req *r, enum fmt fmt, const char *code)
{
    if (!*code)
        return xt_error_set(&r->err, XT_EINVAL, "service_code", "is required");
    const struct xt_category *c = find_service(r, code);
    if (!c)
        return xt_error_set(&r->err, XT_ENOTFOUND, "service_code", "no service '%s'", code);
    struct json_object *attrs = json_object_new_array();
    for (int i = 0; i < xt_o311_n_attrs; i++) {
        const struct xt_o311_attr *a = &xt_o311_attrs[i];
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "variable", json_object_new_boolean(1));
        json_object_object_add(o, "code", json_object_new_string(a->code));
        json_object_object_add(o, "datatype", json_object_new_string(a->datatype));
        json_object_object_add(o, "required", json_object_new_boolean(a->required));
        json_object_object_add(o, "datatype_description",
                               json_object_new_string(a->datatype_description));
        json_object_object_add(o, "order", json_object_new_int(a->order));
        json_object_object_add(o, "description", json_object_new_string(a->description));
        struct json_object *vals = json_object_new_array();
        for (int k = 0; k < a->n_values; k++) {
            struct json_object *v = json_object_new_object();
            json_object_object_add(v, "key", json_object_new_string(a->values[k].key));
            json_object_object_add(v, "name", json_object_new_string(a->values[k].name));
            json_object_array_add(vals, v);
        }
        json_object_object_add(o, "values", vals);
        json_object_array_add(attrs, o);
    }
    struct json_object *d = json_object_new_object();
    json_object_object_add(d, "service_code", json_object_new_string(c->code));
    json_object_object_add(d, "attributes", attrs);
    return answer(r, fmt, 200, "service_definition", d);
}

/* ---- requests as Open311 shows them ---- */

static const char *unit_name(struct xt_req *r, const char *code)
{
    return code && *code ? xt_store_unit_name(r->store, code) : NULL;
}

/* The public view of a ticket. Contact data is never shown. A report
 * (举报) keeps its whistle-blower safe: its description, address, point
 * and the reply are withheld, and its place is given as its township
 * only. */
static struct json_object *request_json(struct xt_req *r, const struct xt_ticket *t,
                                        const char *media_url)
{
    bool report = t->type == XT_TYPE_REPORT;
    const struct xt_category *c = find_service(r, t->category);
    const char *agency_code = *t->handler ? t->handler : *t->lead ? t->lead : t->suggested_handler;
    char notes[9000], notice[200];
    struct xt_ticket shown = *t;
    if (report)
        shown.reply = NULL;
    xt_o311_status_notes(&shown, unit_name(r, agency_code), notes, sizeof(notes));
    xt_o311_service_notice(t->type, t->urgent, c ? &c->rule : NULL, notice, sizeof(notice));
    char place[XT_CODE_MAX] = "";
    if (report)
        xt_unit_ancestor(t->grid, XT_LEVEL_TOWNSHIP, place);
    else
        snprintf(place, sizeof(place), "%s", t->grid);
    const char *address = report ? unit_name(r, place) : t->address;
    if (!report && (!address || !*address))
        address = unit_name(r, t->grid);

    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "service_request_id", json_object_new_string(t->number));
    json_object_object_add(o, "status", json_object_new_string(xt_o311_status(t->state)));
    json_object_object_add(o, "status_notes", str_or_null(notes));
    json_object_object_add(o, "service_name", str_or_null(c ? c->name : NULL));
    json_object_object_add(o, "service_code", str_or_null(t->category));
    json_object_object_add(o, "description", report ? NULL : str_or_null(t->text));
    json_object_object_add(o, "agency_responsible", str_or_null(unit_name(r, agency_code)));
    json_object_object_add(o, "service_notice", str_or_null(notice));
    json_object_object_add(o, "requested_datetime", time_or_null(t->created_at));
    json_object_object_add(o, "updated_datetime", time_or_null(t->updated_at));
    json_object_object_add(o, "expected_datetime", time_or_null(t->resolve_by));
    json_object_object_add(o, "address", str_or_null(address));
    json_object_object_add(o, "address_id", str_or_null(place));
    json_object_object_add(o, "zipcode", NULL);
    json_object_object_add(o, "lat", !report && t->has_point ? coord(t->lat) : NULL);
    json_object_object_add(o, "long", !report && t->has_point ? coord(t->lon) : NULL);
    json_object_object_add(o, "media_url", str_or_null(media_url));
    return o;
}

static const struct xt_actor *system_actor(void)
{
    static const struct xt_actor sys = {.role = XT_ROLE_SYSTEM, .username = "open311"};
    return &sys;
}

/* Load a ticket for the public view; XT_ENOTFOUND for anything that is
 * not one of our numbers. */
static int load_request(struct xt_req *r, const char *number, struct xt_ticket *t, char *media,
                        size_t mediasz)
{
    if (strlen(number) >= XT_NUMBER_MAX)
        return xt_error_set(&r->err, XT_ENOTFOUND, "service_request_id",
                            "no service request '%.40s'", number);
    struct xt_error e;
    xt_error_clear(&e);
    int rc = xt_store_ticket_get(r->store, system_actor(), number, t, NULL, false, r->now, &e);
    if (rc == XT_ENOTFOUND)
        return xt_error_set(&r->err, XT_ENOTFOUND, "service_request_id", "no service request '%s'",
                            number);
    if (rc)
        return xt_error_set(&r->err, rc, "", "%s", e.message);
    xt_store_o311_media(r->store, number, media, mediasz);
    return 0;
}

static int get_request(struct xt_req *r, enum fmt fmt, const char *number)
{
    struct xt_ticket t;
    char media[2048];
    int rc = load_request(r, number, &t, media, sizeof(media));
    if (rc)
        return rc;
    struct json_object *list = json_object_new_array();
    json_object_array_add(list, request_json(r, &t, media));
    xt_ticket_release(&t);
    return answer(r, fmt, 200, "service_requests", list);
}

/* ---- the update history (extension) ---- */

struct updates_ctx {
    struct xt_req *r;
    const struct xt_ticket *t;
    struct json_object *list;
    int seq;
};

static int add_update(void *ctx, const struct xt_timeline_entry *e)
{
    struct updates_ctx *u = ctx;
    bool report = u->t->type == XT_TYPE_REPORT;
    char note[9000], id[40];
    xt_o311_event_note(e->action, e->to_state, unit_name(u->r, e->unit),
                       report ? NULL : u->t->reply, note, sizeof(note));
    snprintf(id, sizeof(id), "%s-%d", u->t->number, ++u->seq);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "update_id", json_object_new_string(id));
    json_object_object_add(o, "service_request_id", json_object_new_string(u->t->number));
    json_object_object_add(o, "status", json_object_new_string(xt_o311_status(e->to_state)));
    json_object_object_add(o, "updated_datetime", time_or_null(e->at));
    json_object_object_add(o, "description", json_object_new_string(note));
    json_object_object_add(o, "media_url", NULL);
    json_object_array_add(u->list, o);
    return 0;
}

static int get_updates(struct xt_req *r, enum fmt fmt, const char *number)
{
    struct xt_ticket t;
    char media[2048];
    int rc = load_request(r, number, &t, media, sizeof(media));
    if (rc)
        return rc;
    struct updates_ctx u = {r, &t, json_object_new_array(), 0};
    struct xt_error e;
    xt_error_clear(&e);
    rc = xt_store_ticket_timeline(r->store, system_actor(), number, add_update, &u, &e);
    xt_ticket_release(&t);
    if (rc) {
        json_object_put(u.list);
        return xt_error_set(&r->err, rc, "", "%s", e.message);
    }
    return answer(r, fmt, 200, "service_request_updates", u.list);
}

static int get_token(struct xt_req *r, enum fmt fmt, const char *token)
{
    char number[XT_NUMBER_MAX];
    int rc = xt_store_o311_token(r->store, token, number);
    if (rc == XT_ENOTFOUND)
        return xt_error_set(&r->err, XT_ENOTFOUND, "token", "no such token");
    if (rc)
        return xt_error_set(&r->err, rc, "", "cannot read the token");
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "service_request_id", json_object_new_string(number));
    json_object_object_add(o, "token", json_object_new_string(token));
    struct json_object *list = json_object_new_array();
    json_object_array_add(list, o);
    return answer(r, fmt, 200, "service_requests", list);
}

/* ---- GET requests ---- */

/* A W3C date-time, or a bare date (local midnight; as an upper bound,
 * the last second of that day). */
static int query_time(struct xt_req *r, const char *name, int64_t *out)
{
    const char *v = xt_req_query(r, name);
    *out = 0;
    if (!v)
        return 0;
    if (xt_time_parse(v, out))
        return xt_error_set(&r->err, XT_EINVAL, name,
                            "must be a W3C date-time such as 2026-11-26T09:30:00+08:00");
    return 0;
}

/* The exclusive upper bound of an inclusive one: a bare date takes in its
 * whole day. */
static int64_t upper_bound(struct xt_req *r, const char *name, int64_t t)
{
    const char *v = xt_req_query(r, name);
    if (!t)
        return 0;
    return t + (v && strlen(v) == 10 ? XT_DAY : 1);
}

static int query_int(struct xt_req *r, const char *name, long lo, long hi, long def, long *out)
{
    const char *v = xt_req_query(r, name);
    *out = def;
    if (!v)
        return 0;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || end == v || n < lo || n > hi)
        return xt_error_set(&r->err, XT_EINVAL, name, "must be a whole number within %ld..%ld", lo,
                            hi);
    *out = n;
    return 0;
}

struct list_ctx {
    struct xt_req *r;
    struct json_object *list;
};

static int add_found(void *ctx, const struct xt_ticket *t, const char *media)
{
    struct list_ctx *l = ctx;
    json_object_array_add(l->list, request_json(l->r, t, media));
    return 0;
}

/* The service_request_id list: each id found is listed once, in the order
 * asked; ids that are not ours are left out. */
static int list_by_ids(struct xt_req *r, enum fmt fmt, const char *ids)
{
    struct json_object *list = json_object_new_array();
    int n = 0;
    for (const char *p = ids; *p;) {
        const char *end = strchrnul(p, ',');
        size_t len = (size_t)(end - p);
        if (++n > O311_MAX_IDS) {
            json_object_put(list);
            return xt_error_set(&r->err, XT_EINVAL, "service_request_id", "at most %d ids at once",
                                O311_MAX_IDS);
        }
        char number[XT_NUMBER_MAX];
        if (len > 0 && len < sizeof(number)) {
            memcpy(number, p, len);
            number[len] = '\0';
            bool seen = false;
            for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *id = NULL;
                json_object_object_get_ex(json_object_array_get_idx(list, i), "service_request_id",
                                          &id);
                seen |= strcmp(json_object_get_string(id), number) == 0;
            }
            struct xt_ticket t;
            char media[2048];
            struct xt_error keep = r->err;
            if (!seen && load_request(r, number, &t, media, sizeof(media)) == 0) {
                json_object_array_add(list, request_json(r, &t, media));
                xt_ticket_release(&t);
            } else if (r->err.code != XT_ENOTFOUND && r->err.code != XT_OK && !seen) {
                json_object_put(list);
                return r->err.code;
            }
            r->err = keep;
        }
        p = *end ? end + 1 : end;
    }
    return answer(r, fmt, 200, "service_requests", list);
}

static int get_requests(struct xt_req *r, enum fmt fmt)
{
    const char *ids = xt_req_query(r, "service_request_id");
    if (ids)
        return list_by_ids(r, fmt, ids);

    struct xt_o311_filter f;
    memset(&f, 0, sizeof(f));
    char codes[1024] = "";
    const char *v = xt_req_query(r, "service_code");
    if (v) {
        if (strlen(v) > 900)
            return xt_error_set(&r->err, XT_EINVAL, "service_code", "is too long");
        size_t k = 0;
        codes[k++] = ',';
        for (const char *p = v; *p;) {
            const char *end = strchrnul(p, ',');
            char code[XT_CATEGORY_MAX];
            size_t len = (size_t)(end - p);
            if (len == 0 || len >= sizeof(code))
                return xt_error_set(&r->err, XT_EINVAL, "service_code",
                                    "must be service codes separated by commas");
            memcpy(code, p, len);
            code[len] = '\0';
            if (!find_service(r, code))
                return xt_error_set(&r->err, XT_EINVAL, "service_code", "no service '%s'", code);
            k += (size_t)snprintf(codes + k, sizeof(codes) - k, "%s,", code);
            p = *end ? end + 1 : end;
        }
        f.codes = codes;
    }
    v = xt_req_query(r, "status");
    if (v) {
        for (const char *p = v; *p;) {
            const char *end = strchrnul(p, ',');
            size_t len = (size_t)(end - p);
            if (len == 4 && strncmp(p, "open", 4) == 0)
                f.open = true;
            else if (len == 6 && strncmp(p, "closed", 6) == 0)
                f.closed = true;
            else
                return xt_error_set(&r->err, XT_EINVAL, "status",
                                    "must be open, closed or open,closed");
            p = *end ? end + 1 : end;
        }
    } else {
        f.open = f.closed = true;
    }
    int64_t start, end, after, before;
    int rc;
    if ((rc = query_time(r, "start_date", &start)) || (rc = query_time(r, "end_date", &end)) ||
        (rc = query_time(r, "updated_after", &after)) ||
        (rc = query_time(r, "updated_before", &before)))
        return rc;
    if (start && end && end < start)
        return xt_error_set(&r->err, XT_EINVAL, "end_date", "is before start_date");
    if (start && end && end - start > O311_WINDOW)
        return xt_error_set(&r->err, XT_EINVAL, "end_date",
                            "is more than 90 days after start_date");
    if (after && before && before < after)
        return xt_error_set(&r->err, XT_EINVAL, "updated_before", "is before updated_after");
    /* A missing end of the requested range is 90 days from the other; with
     * neither and no updated_ range, the last 90 days. */
    if (start && !end)
        end = start + O311_WINDOW;
    else if (end && !start)
        start = end - O311_WINDOW;
    else if (!start && !end && !after && !before) {
        end = r->now;
        start = r->now - O311_WINDOW;
    }
    f.created_from = start;
    f.created_to = upper_bound(r, "end_date", end); /* end_date is inclusive */
    f.updated_from = after;
    f.updated_to = upper_bound(r, "updated_before", before);
    long page, size;
    if ((rc = query_int(r, "page", 1, 1000000, 1, &page)) ||
        (rc = query_int(r, "page_size", 1, O311_MAX_ROWS, O311_MAX_ROWS, &size)))
        return rc;
    f.limit = (int)size;
    if ((page - 1) * size > 100000000L)
        return xt_error_set(&r->err, XT_EINVAL, "page", "is too far");
    f.offset = (int)((page - 1) * size);
    struct list_ctx l = {r, json_object_new_array()};
    if (f.open || f.closed) {
        struct xt_error e;
        xt_error_clear(&e);
        rc = xt_store_o311_find(r->store, &f, add_found, &l, &e);
        if (rc) {
            json_object_put(l.list);
            return xt_error_set(&r->err, rc, e.field, "%s", e.message);
        }
    }
    return answer(r, fmt, 200, "service_requests", l.list);
}

int xt_h_open311_get(struct xt_req *r)
{
    char res[96];
    enum fmt fmt;
    if (!split_path(r->params[0], res, sizeof(res), &fmt))
        return xt_error_set(&r->err, XT_ENOTFOUND, "path",
                            "no such resource (add .xml or .json to the resource name)");
    if (strcmp(res, "discovery") == 0)
        return get_discovery(r, fmt);
    if (strcmp(res, "services") == 0)
        return get_services(r, fmt);
    if (strncmp(res, "services/", 9) == 0 && !strchr(res + 9, '/'))
        return get_definition(r, fmt, res + 9);
    if (strcmp(res, "requests") == 0)
        return get_requests(r, fmt);
    if (strncmp(res, "requests/", 9) == 0) {
        char *rest = res + 9, *slash = strchr(rest, '/');
        if (!slash)
            return get_request(r, fmt, rest);
        if (strcmp(slash, "/updates") == 0) {
            *slash = '\0';
            return get_updates(r, fmt, rest);
        }
    }
    if (strncmp(res, "tokens/", 7) == 0 && !strchr(res + 7, '/'))
        return get_token(r, fmt, res + 7);
    return xt_error_set(&r->err, XT_ENOTFOUND, "path", "no such resource '%s'", res);
}

/* ---- POST requests ---- */

struct form {
    char *names[O311_MAX_FIELDS], *values[O311_MAX_FIELDS];
    int n;
    char *mem;
};

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

/* Decode s in place ('+' is a space, %XX a byte); false when a % escape
 * is broken or decodes to NUL. */
static bool url_decode(char *s)
{
    char *w = s;
    for (char *p = s; *p; p++) {
        if (*p == '+') {
            *w++ = ' ';
        } else if (*p == '%') {
            int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return false;
            *w++ = (char)(hi * 16 + lo);
            p += 2;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return true;
}

static int form_parse(struct xt_req *r, struct form *f)
{
    memset(f, 0, sizeof(*f));
    const char *ct = xt_req_header(r, "Content-Type");
    if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
        return xt_error_set(&r->err, XT_EINVAL, "Content-Type",
                            "must be application/x-www-form-urlencoded");
    f->mem = malloc(r->body.len + 1);
    if (!f->mem)
        return XT_ENOMEM;
    if (r->body.len)
        memcpy(f->mem, r->body.data, r->body.len);
    f->mem[r->body.len] = '\0';
    if (strlen(f->mem) != r->body.len)
        return xt_error_set(&r->err, XT_EINVAL, "body", "must not contain NUL bytes");
    char *p = f->mem;
    while (*p) {
        char *amp = strchrnul(p, '&');
        bool last = !*amp;
        *amp = '\0';
        if (*p) {
            if (f->n == O311_MAX_FIELDS)
                return xt_error_set(&r->err, XT_EINVAL, "body", "more than %d fields",
                                    O311_MAX_FIELDS);
            char *eq = strchr(p, '=');
            char *val = eq ? eq + 1 : p + strlen(p);
            if (eq)
                *eq = '\0';
            if (!url_decode(p) || !url_decode(val))
                return xt_error_set(&r->err, XT_EINVAL, "body", "broken %%-escape in '%.40s'", p);
            if (!xt_utf8_valid(p, strlen(p)) || !xt_utf8_valid(val, strlen(val)))
                return xt_error_set(&r->err, XT_EINVAL, p, "is not valid UTF-8");
            f->names[f->n] = p;
            f->values[f->n] = val;
            f->n++;
        }
        if (last)
            break;
        p = amp + 1;
    }
    return 0;
}

/* A field's value, or NULL when absent or empty (the specification treats
 * an empty parameter like a missing one). */
static const char *form_get(const struct form *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->names[i], name) == 0)
            return *f->values[i] ? f->values[i] : NULL;
    return NULL;
}

static int parse_coord(struct xt_req *r, const char *name, const char *v, double lo, double hi,
                       double *out)
{
    char *end;
    double d = strtod(v, &end);
    if (*end || end == v || !isfinite(d) || d < lo || d > hi)
        return xt_error_set(&r->err, XT_EINVAL, name, "must be a number within %g..%g", lo, hi);
    *out = d;
    return 0;
}

/* The engine names its fields as /api/v1 does; say them as Open311 does. */
static void rename_field(struct xt_error *e)
{
    static const struct {
        const char *ours, *theirs;
    } names[] = {
        {"text", "description"},
        {"location.lat", "lat"},
        {"location.lon", "long"},
        {"location.unit", "address_id"},
        {"location.address", "address_string"},
        {"location", "lat/long or address_id"},
        {"contact.name", "first_name/last_name"},
        {"contact.phone", "phone"},
        {"category", "service_code"},
        {"type", "attribute[request_type]"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(e->field, names[i].ours) == 0) {
            snprintf(e->field, sizeof(e->field), "%s", names[i].theirs);
            return;
        }
}

static int check_attributes(struct xt_req *r, const struct form *f, const char *service)
{
    for (int i = 0; i < f->n; i++) {
        const char *n = f->names[i];
        if (strncmp(n, "attribute[", 10) != 0)
            continue;
        size_t len = strlen(n);
        bool known = false;
        for (int k = 0; k < xt_o311_n_attrs && n[len - 1] == ']'; k++)
            known |= strlen(xt_o311_attrs[k].code) == len - 11 &&
                     strncmp(n + 10, xt_o311_attrs[k].code, len - 11) == 0;
        if (!known)
            return xt_error_set(&r->err, XT_EINVAL, n, "is no attribute of service '%s'", service);
    }
    for (int k = 0; k < xt_o311_n_attrs; k++) {
        const struct xt_o311_attr *a = &xt_o311_attrs[k];
        char name[64];
        snprintf(name, sizeof(name), "attribute[%s]", a->code);
        const char *v = form_get(f, name);
        if (!v) {
            if (a->required)
                return xt_error_set(&r->err, XT_EINVAL, name, "is required");
            continue;
        }
        bool ok = false;
        for (int j = 0; j < a->n_values; j++)
            ok |= strcmp(v, a->values[j].key) == 0;
        if (!ok)
            return xt_error_set(&r->err, XT_EINVAL, name, "'%.40s' is not one of its values", v);
    }
    return 0;
}

static int post_request(struct xt_req *r, enum fmt fmt, const struct form *f)
{
    const char *key = form_get(f, "api_key");
    if (!key)
        key = xt_req_query(r, "api_key");
    if (!key)
        return xt_error_set(&r->err, XT_EAUTH, "api_key", "is required");
    struct xt_actor actor;
    int64_t key_id = 0;
    int rc = xt_store_apikey_check(r->store, key, &actor, &key_id);
    if (rc == XT_EAUTH)
        return xt_error_set(&r->err, XT_EAUTH, "api_key", "is invalid or revoked");
    if (rc)
        return xt_error_set(&r->err, rc, "", "cannot check the key");

    const char *service = form_get(f, "service_code");
    if (!service)
        return xt_error_set(&r->err, XT_EINVAL, "service_code", "is required");
    const struct xt_category *c = find_service(r, service);
    if (!c)
        return xt_error_set(&r->err, XT_EINVAL, "service_code", "no service '%.40s'", service);
    if ((rc = check_attributes(r, f, service)))
        return rc;
    const char *desc = form_get(f, "description");
    if (!desc)
        return xt_error_set(&r->err, XT_EINVAL, "description",
                            "is required: the words of the request");
    if (xt_utf8_count(desc, strlen(desc)) > XT_TEXT_MAX_CHARS)
        return xt_error_set(&r->err, XT_EINVAL, "description", "is longer than %d characters",
                            XT_TEXT_MAX_CHARS);

    struct xt_ticket t;
    xt_ticket_init(&t);
    t.type = xt_reqtype_parse(form_get(f, "attribute[request_type]"));
    const char *urgent = form_get(f, "attribute[urgent]");
    t.urgent = urgent && strcmp(urgent, "true") == 0;
    t.channel = XT_CHANNEL_API;
    snprintf(t.category, sizeof(t.category), "%s", c->code);

    const char *lat = form_get(f, "lat"), *lon = form_get(f, "long");
    const char *addr = form_get(f, "address_string"), *addr_id = form_get(f, "address_id");
    if ((lat && !lon) || (!lat && lon))
        return xt_error_set(&r->err, XT_EINVAL, lat ? "long" : "lat", "is required with %s",
                            lat ? "lat" : "long");
    if (lat) {
        if ((rc = parse_coord(r, "lat", lat, -90, 90, &t.lat)) ||
            (rc = parse_coord(r, "long", lon, -180, 180, &t.lon)))
            return rc;
        t.has_point = true;
    }
    if (addr_id) {
        if (strlen(addr_id) >= sizeof(t.grid))
            return xt_error_set(&r->err, XT_EINVAL, "address_id", "is no unit code of ours");
        snprintf(t.grid, sizeof(t.grid), "%s", addr_id);
    }
    if (!lat && !addr_id) {
        if (!addr)
            return xt_error_set(&r->err, XT_EINVAL, "lat/long",
                                "a location is required: lat and long, address_string or "
                                "address_id");
        rc = xt_store_o311_place(r->store, addr, t.grid);
        if (rc == XT_ENOTFOUND || rc == XT_EEXIST)
            return xt_error_set(&r->err, XT_EINVAL, "address_string",
                                rc == XT_EEXIST ? "names a place twice over; give lat and long "
                                                  "or address_id"
                                                : "does not start with the name of a township, "
                                                  "village or grid of this region; give lat and "
                                                  "long or address_id");
        if (rc)
            return xt_error_set(&r->err, rc, "", "cannot place the address");
    }

    struct xt_contact contact;
    memset(&contact, 0, sizeof(contact));
    const char *first = form_get(f, "first_name"), *last = form_get(f, "last_name");
    const char *phone = form_get(f, "phone"), *email = form_get(f, "email");
    if ((first && strlen(first) > 120) || (last && strlen(last) > 120))
        return xt_error_set(&r->err, XT_EINVAL,
                            first && strlen(first) > 120 ? "first_name" : "last_name",
                            "is too long");
    xt_o311_person_name(first, last, contact.name, sizeof(contact.name));
    if (phone) {
        if (strlen(phone) >= sizeof(contact.phone))
            return xt_error_set(&r->err, XT_EINVAL, "phone", "is too long");
        snprintf(contact.phone, sizeof(contact.phone), "%s", phone);
    }
    if (email && (rc = xt_o311_email_check(email, &r->err)))
        return rc;
    struct xt_o311_extra x;
    memset(&x, 0, sizeof(x));
    x.key_id = key_id;
    x.email = email;
    x.device_id = form_get(f, "device_id");
    x.media_url = form_get(f, "media_url");
    if (x.device_id && strlen(x.device_id) > 200)
        return xt_error_set(&r->err, XT_EINVAL, "device_id", "is longer than 200 bytes");
    if (x.media_url && (strlen(x.media_url) > 2000 || (strncmp(x.media_url, "http://", 7) != 0 &&
                                                       strncmp(x.media_url, "https://", 8) != 0)))
        return xt_error_set(&r->err, XT_EINVAL, "media_url",
                            "must be an http or https URL of at most 2000 bytes");

    t.text = strdup(desc);
    t.address = addr ? strdup(addr) : NULL;
    if (!t.text || (addr && !t.address)) {
        xt_ticket_release(&t);
        return XT_ENOMEM;
    }
    rc = xt_store_o311_create(r->store, &actor, &t, &contact, &x, r->now, &r->err);
    if (rc) {
        xt_ticket_release(&t);
        rename_field(&r->err);
        return rc;
    }
    char notice[200];
    xt_o311_service_notice(t.type, t.urgent, &c->rule, notice, sizeof(notice));
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "service_request_id", json_object_new_string(t.number));
    json_object_object_add(o, "token", json_object_new_string(x.token));
    json_object_object_add(o, "service_notice", json_object_new_string(notice));
    json_object_object_add(o, "account_id", NULL);
    struct json_object *list = json_object_new_array();
    json_object_array_add(list, o);
    xt_ticket_release(&t);
    return answer(r, fmt, 201, "service_requests", list);
}

int xt_h_open311_post(struct xt_req *r)
{
    char res[96];
    enum fmt fmt;
    if (!split_path(r->params[0], res, sizeof(res), &fmt) || strcmp(res, "requests") != 0)
        return xt_error_set(&r->err, XT_ENOTFOUND, "path",
                            "no such resource (POST goes to requests.xml or requests.json)");
    struct form f;
    int rc = form_parse(r, &f);
    if (!rc)
        rc = post_request(r, fmt, &f);
    free(f.mem);
    return rc;
}
