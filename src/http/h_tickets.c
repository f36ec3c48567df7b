/* h_tickets.c - the ticket resources: intake, read, search, actions,
 * timeline. */
#include "core/reqtype.h"
#include "core/privacy.h"
#include "core/render.h"
#include "http/server.h"
#include "lib/crypto.h"
#include "lib/xtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An Idempotency-Key names one request: scope it by what it asks for, so
 * a key reused on another resource is another request. Anonymous callers
 * all act as account 0, so their keys are also scoped by the body. */
static const char *scoped_key(struct xt_req *r, const char *what, char *buf, size_t n)
{
    const char *k = xt_req_header(r, "Idempotency-Key");
    if (!k || !*k || strlen(k) > 200)
        return NULL;
    if (r->authed) {
        snprintf(buf, n, "%s %s", what, k);
    } else {
        char h[65];
        xt_sha256_hex(r->body.data ? r->body.data : "", r->body.len, h);
        snprintf(buf, n, "%s anonymous %s %s", what, h, k);
    }
    return buf;
}

static struct xt_render_ctx render_ctx(struct xt_req *r)
{
    struct xt_render_ctx rc = {xt_req_unit_name, r->store, xt_store_routing(r->store)};
    return rc;
}

static int reply_ticket(struct xt_req *r, int status, const struct xt_ticket *t,
                        const struct xt_contact *contact, bool clear, bool duplicates)
{
    struct xt_render_ctx rc = render_ctx(r);
    const char *name = contact && *contact->name ? contact->name : NULL;
    const char *phone = contact && *contact->phone ? contact->phone : NULL;
    struct json_object *o = xt_render_ticket(&rc, t, name, phone, !clear, r->now);
    xt_classify_decorate(r, o, t, duplicates);
    return xt_reply(r, status, o);
}

static int default_channel(int role)
{
    switch (role) {
    case XT_ROLE_OPERATOR:
    case XT_ROLE_COMMAND:
        return XT_CHANNEL_HOTLINE;
    case XT_ROLE_GRID:
    case XT_ROLE_VILLAGE:
        return XT_CHANNEL_GRID;
    default:
        return XT_CHANNEL_WEB;
    }
}

int xt_h_ticket_create(struct xt_req *r)
{
    struct json_object *body, *loc = NULL, *contact = NULL, *on_spot = NULL;
    int rc = xt_req_json(r, &body);
    if (rc)
        return rc;
    struct xt_ticket t;
    xt_ticket_init(&t);
    struct xt_contact c;
    memset(&c, 0, sizeof(c));
    const char *text = NULL, *type = NULL, *channel = NULL, *category = NULL, *unit = NULL;
    const char *address = NULL, *name = NULL, *phone = NULL, *reply = NULL;
    int urgent = 0;
    struct xt_error *e = &r->err;
    if ((rc = xt_json_string(body, "text", "text", true, 16000, &text, e)) ||
        (rc = xt_json_string(body, "type", "type", true, 32, &type, e)) ||
        (rc = xt_json_bool(body, "urgent", "urgent", false, &urgent, e)) ||
        (rc = xt_json_string(body, "channel", "channel", false, 16, &channel, e)) ||
        (rc = xt_json_string(body, "category", "category", false, 31, &category, e)) ||
        (rc = xt_json_object(body, "location", "location", true, &loc, e)) ||
        (rc = xt_json_object(body, "contact", "contact", false, &contact, e)) ||
        (rc = xt_json_object(body, "on_spot", "on_spot", false, &on_spot, e)))
        goto out;
    t.type = xt_reqtype_parse(type);
    if (t.type < 0) {
        rc = xt_error_set(e, XT_EINVAL, "type",
                          "must be consult, help, complaint, report or suggestion");
        goto out;
    }
    t.urgent = urgent;
    t.channel = channel ? xt_channel_parse(channel) : default_channel(r->actor.role);
    if (t.channel < 0) {
        rc = xt_error_set(e, XT_EINVAL, "channel", "must be hotline, web, grid or api");
        goto out;
    }
    if (!r->authed && t.channel != XT_CHANNEL_WEB && t.channel != XT_CHANNEL_API) {
        rc = xt_error_set(e, XT_EINVAL, "channel", "anonymous requests come through web or api");
        goto out;
    }
    if (category)
        snprintf(t.category, sizeof(t.category), "%s", category);
    bool has_lat = json_object_object_get_ex(loc, "lat", NULL);
    bool has_lon = json_object_object_get_ex(loc, "lon", NULL);
    if (has_lat || has_lon) {
        if ((rc = xt_json_double(loc, "lat", "location.lat", true, &t.lat, e)) ||
            (rc = xt_json_double(loc, "lon", "location.lon", true, &t.lon, e)))
            goto out;
        t.has_point = true;
    }
    if ((rc = xt_json_string(loc, "unit", "location.unit", false, 15, &unit, e)) ||
        (rc = xt_json_string(loc, "address", "location.address", false, 800, &address, e)))
        goto out;
    if (unit)
        snprintf(t.grid, sizeof(t.grid), "%s", unit);
    if (contact && ((rc = xt_json_string(contact, "name", "contact.name", false, 127, &name, e)) ||
                    (rc = xt_json_string(contact, "phone", "contact.phone", false, 39, &phone, e))))
        goto out;
    if (name)
        snprintf(c.name, sizeof(c.name), "%s", name);
    if (phone)
        snprintf(c.phone, sizeof(c.phone), "%s", phone);
    if (on_spot && (rc = xt_json_string(on_spot, "reply", "on_spot.reply", true, 8000, &reply, e)))
        goto out;
    t.text = strdup(text);
    t.address = address ? strdup(address) : NULL;
    if (!t.text) {
        rc = XT_ENOMEM;
        goto out;
    }
    char kbuf[512];
    /* A request filed without an account is created by the tracked
     * requester, who follows it with the tracking code in the answer. */
    struct xt_actor creator = r->actor;
    if (!r->authed)
        creator.account_id = XT_ACCOUNT_TRACKED;
    rc = xt_store_ticket_create(r->store, &creator, &t, &c, reply,
                                scoped_key(r, "create", kbuf, sizeof(kbuf)), r->now, e);
    if (!rc) {
        /* Echo the contact masked: the requester knows it, others may not. */
        struct xt_contact masked;
        memset(&masked, 0, sizeof(masked));
        if (*c.name)
            xt_mask_name(c.name, masked.name, sizeof(masked.name));
        if (*c.phone)
            xt_mask_phone(c.phone, masked.phone, sizeof(masked.phone));
        reply_ticket(r, 201, &t, &masked, false, true);
        if (!r->authed && (rc = xt_track_attach(r, t.number, r->json))) {
            /* No code, no answer: a repeat with the same key gets one. */
            json_object_put(r->json);
            r->json = NULL;
        }
    }
out:
    xt_ticket_release(&t);
    json_object_put(body);
    return rc;
}

int xt_h_ticket_get(struct xt_req *r)
{
    const char *reveal = xt_req_query(r, "reveal");
    bool clear = reveal && strcmp(reveal, "contact") == 0;
    if (reveal && !clear)
        return xt_error_set(&r->err, XT_EINVAL, "reveal", "only 'contact' can be revealed");
    const char *dups = xt_req_query(r, "duplicates");
    if (dups && strcmp(dups, "true") && strcmp(dups, "false"))
        return xt_error_set(&r->err, XT_EINVAL, "duplicates", "must be 'true' or 'false'");
    struct xt_ticket t;
    struct xt_contact c;
    int rc = xt_store_ticket_get(r->store, &r->actor, r->params[0], &t, &c, clear, r->now,
                                 &r->err);
    if (rc)
        return rc;
    reply_ticket(r, 200, &t, &c, clear, dups && strcmp(dups, "true") == 0);
    xt_ticket_release(&t);
    return 0;
}

struct list_ctx {
    struct xt_req *r;
    struct json_object *items;
    struct xt_render_ctx rc;
};

static int list_item(void *ctx, const struct xt_ticket *t)
{
    struct list_ctx *l = ctx;
    json_object_array_add(l->items, xt_render_ticket(&l->rc, t, NULL, NULL, true, l->r->now));
    return 0;
}

static int query_time(struct xt_req *r, const char *name, int64_t *out, bool end)
{
    const char *v = xt_req_query(r, name);
    if (!v)
        return 0;
    if (xt_time_parse(v, out))
        return xt_error_set(&r->err, XT_EINVAL, name, "must be a date (YYYY-MM-DD) or RFC 3339 time");
    if (end && strlen(v) == 10)
        *out += 86400; /* a bare end date includes that whole day */
    return 0;
}

int xt_ticket_filter_query(struct xt_req *r, struct xt_ticket_filter *out)
{
    struct xt_ticket_filter f;
    xt_ticket_filter_init(&f);
    const char *v;
    int rc;
    if ((v = xt_req_query(r, "status")) && (f.state = xt_state_parse(v)) < 0)
        return xt_error_set(&r->err, XT_EINVAL, "status", "unknown status '%s'", v);
    if ((v = xt_req_query(r, "type")) && (f.type = xt_reqtype_parse(v)) < 0)
        return xt_error_set(&r->err, XT_EINVAL, "type", "unknown type '%s'", v);
    if ((v = xt_req_query(r, "unit"))) {
        if (xt_unit_level_of_code(v) == XT_LEVEL_NONE)
            return xt_error_set(&r->err, XT_EINVAL, "unit", "'%s' is not a unit code", v);
        f.unit = v;
    }
    f.category = xt_req_query(r, "category");
    if ((rc = query_time(r, "from", &f.from, false)) || (rc = query_time(r, "to", &f.to, true)))
        return rc;
    if ((v = xt_req_query(r, "overdue"))) {
        if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "1") && strcmp(v, "0"))
            return xt_error_set(&r->err, XT_EINVAL, "overdue", "must be true or false");
        f.overdue = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
    }
    f.q = xt_req_query(r, "q");
    if (f.q && strlen(f.q) > 200)
        return xt_error_set(&r->err, XT_EINVAL, "q", "is longer than 200 bytes");
    *out = f;
    return 0;
}

int xt_h_ticket_list(struct xt_req *r)
{
    struct xt_ticket_filter f;
    const char *v;
    int rc = xt_ticket_filter_query(r, &f);
    if (rc)
        return rc;
    if ((v = xt_req_query(r, "limit"))) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 1 || n > 500)
            return xt_error_set(&r->err, XT_EINVAL, "limit", "must be 1..500");
        f.limit = (int)n;
    }
    if ((v = xt_req_query(r, "cursor"))) {
        char *end;
        long long n = strtoll(v, &end, 10);
        if (*end || n < 1)
            return xt_error_set(&r->err, XT_EINVAL, "cursor", "is not a cursor from a previous page");
        f.cursor = n;
    }
    struct list_ctx l = {r, json_object_new_array(), render_ctx(r)};
    int64_t next = 0;
    rc = xt_store_ticket_list(r->store, &r->actor, &f, r->now, list_item, &l, &next, &r->err);
    if (rc) {
        json_object_put(l.items);
        return rc;
    }
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "items", l.items);
    char cur[24];
    snprintf(cur, sizeof(cur), "%lld", (long long)next);
    json_object_object_add(o, "next_cursor", next ? json_object_new_string(cur) : NULL);
    return xt_reply(r, 200, o);
}

static int parse_action_body(struct xt_req *r, int action, struct json_object *b,
                             struct xt_action_input *in, const char **into)
{
    struct xt_error *e = &r->err;
    const char *unit = NULL, *s = NULL;
    long days = 0;
    int rc;
    if ((rc = xt_json_string(b, "note", "note", false, 4000, &in->note, e)))
        return rc;
    switch (action) {
    case XT_ACT_DISPATCH:
    case XT_ACT_SUB_DISPATCH:
        if ((rc = xt_json_string(b, "handler", "handler", action == XT_ACT_SUB_DISPATCH, 15,
                                 &unit, e)))
            return rc;
        if (unit)
            snprintf(in->unit, sizeof(in->unit), "%s", unit);
        if (action == XT_ACT_DISPATCH &&
            (rc = xt_json_string(b, "category", "category", false, 31, &in->category, e)))
            return rc;
        return 0;
    case XT_ACT_RETURN:
        return xt_json_string(b, "reason", "reason", true, 2000, &in->reason, e);
    case XT_ACT_ASK_EXTENSION:
        if ((rc = xt_json_int(b, "days", "days", true, 1, 30, &days, e)))
            return rc;
        in->days = (int)days;
        return xt_json_string(b, "reason", "reason", true, 2000, &in->reason, e);
    case XT_ACT_DECIDE_EXTENSION:
        return xt_json_bool(b, "approve", "approve", true, &in->approve, e);
    case XT_ACT_WHISTLE: {
        struct json_object *arr;
        if (!json_object_object_get_ex(b, "departments", &arr))
            return xt_error_set(e, XT_EINVAL, "departments", "is required");
        if (!json_object_is_type(arr, json_type_array))
            return xt_error_set(e, XT_EINVAL, "departments", "must be an array of unit codes");
        size_t n = json_object_array_length(arr);
        if (n < 1 || n > XT_MAX_COHANDLERS)
            return xt_error_set(e, XT_EINVAL, "departments", "name 1..%d departments",
                                XT_MAX_COHANDLERS);
        for (size_t i = 0; i < n; i++) {
            struct json_object *it = json_object_array_get_idx(arr, i);
            if (!json_object_is_type(it, json_type_string) ||
                json_object_get_string_len(it) >= XT_CODE_MAX)
                return xt_error_set(e, XT_EINVAL, "departments", "item %zu is not a unit code",
                                    i);
            snprintf(in->units[i], XT_CODE_MAX, "%s", json_object_get_string(it));
        }
        in->n_units = (int)n;
        return 0;
    }
    case XT_ACT_REPLY:
        if ((rc = xt_json_string(b, "reply", "reply", true, 8000, &in->reply, e)) ||
            (rc = xt_json_string(b, "result", "result", true, 32, &s, e)) ||
            (rc = xt_json_string(b, "reason", "reason", false, 2000, &in->reason, e)))
            return rc;
        in->result = xt_result_parse(s);
        if (in->result < 0)
            return xt_error_set(e, XT_EINVAL, "result",
                                "must be resolved, explained or unresolvable");
        return 0;
    case XT_ACT_CALLBACK: {
        int unreachable = 0;
        if ((rc = xt_json_bool(b, "unreachable", "unreachable", false, &unreachable, e)))
            return rc;
        in->unreachable = unreachable;
        if (unreachable)
            return 0;
        if ((rc = xt_json_bool(b, "resolved", "resolved", true, &in->resolved, e)) ||
            (rc = xt_json_string(b, "satisfaction", "satisfaction", true, 32, &s, e)))
            return rc;
        in->satisfaction = xt_satisfaction_parse(s);
        if (in->satisfaction < 0)
            return xt_error_set(e, XT_EINVAL, "satisfaction",
                                "must be satisfied, basically or unsatisfied");
        return 0;
    }
    case XT_ACT_MERGE:
        return xt_json_string(b, "into", "into", true, XT_NUMBER_MAX - 1, into, e);
    default:
        return 0;
    }
}

int xt_h_ticket_act(struct xt_req *r)
{
    int action = xt_action_parse(r->params[1]);
    if (action <= XT_ACT_HANDLE_ON_SPOT)
        return xt_error_set(&r->err, XT_ENOTFOUND, "action", "no action '%s'", r->params[1]);
    struct json_object *body = NULL;
    int rc;
    if (r->body.len) {
        if ((rc = xt_req_json(r, &body)))
            return rc;
    } else {
        body = json_object_new_object();
    }
    struct xt_action_input in;
    xt_action_input_init(&in);
    const char *into = NULL;
    if ((rc = parse_action_body(r, action, body, &in, &into))) {
        json_object_put(body);
        return rc;
    }
    struct xt_ticket t;
    char what[200], kbuf[640];
    snprintf(what, sizeof(what), "%s/%s", r->params[0], r->params[1]);
    rc = xt_store_ticket_act(r->store, &r->actor, r->params[0], action, &in, into,
                             scoped_key(r, what, kbuf, sizeof(kbuf)), r->now, &t, &r->err);
    json_object_put(body);
    if (rc)
        return rc;
    reply_ticket(r, 200, &t, NULL, false, false);
    xt_ticket_release(&t);
    return 0;
}

struct timeline_ctx {
    struct json_object *items;
    struct xt_req *r;
};

static int timeline_item(void *ctx, const struct xt_timeline_entry *e)
{
    struct timeline_ctx *tc = ctx;
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "at", xt_render_time(e->at));
    json_object_object_add(o, "action", json_object_new_string(xt_action_name(e->action)));
    json_object_object_add(o, "from",
                           e->from_state >= 0 ? json_object_new_string(xt_state_name(e->from_state))
                                              : NULL);
    json_object_object_add(o, "to", json_object_new_string(xt_state_name(e->to_state)));
    json_object_object_add(o, "actor", json_object_new_string(e->actor));
    json_object_object_add(o, "actor_role", json_object_new_string(xt_role_name(e->actor_role)));
    if (*e->unit) {
        struct json_object *u = json_object_new_object();
        json_object_object_add(u, "code", json_object_new_string(e->unit));
        const char *name = xt_store_unit_name(tc->r->store, e->unit);
        json_object_object_add(u, "name", name ? json_object_new_string(name) : NULL);
        json_object_object_add(o, "unit", u);
    } else {
        json_object_object_add(o, "unit", NULL);
    }
    json_object_object_add(o, "note", e->note && *e->note ? json_object_new_string(e->note) : NULL);
    json_object_array_add(tc->items, o);
    return 0;
}

int xt_h_ticket_timeline(struct xt_req *r)
{
    struct timeline_ctx tc = {json_object_new_array(), r};
    int rc = xt_store_ticket_timeline(r->store, &r->actor, r->params[0], timeline_item, &tc,
                                      &r->err);
    if (rc) {
        json_object_put(tc.items);
        return rc;
    }
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "number", json_object_new_string(r->params[0]));
    json_object_object_add(o, "events", tc.items);
    return xt_reply(r, 200, o);
}
