/* h_public.c - what a resident without an account may read and do beyond
 * filing: the names of places to say where a request is, and the tracking
 * view of his own request by its number and tracking code, where he also
 * answers the callback (回访).
 *
 * The tracking view is reduced: state, type, category, the handling unit,
 * the reply and a timeline of actions and times only. It never shows
 * contact details, coordinates, notes or who acted. A tracking code acts
 * as the requester: the store checks it (keyed hash, constant time,
 * throttled), then the action runs with the XT_ACCOUNT_TRACKED actor, the
 * creator recorded for every request filed without an account. */
#include "core/render.h"
#include "http/server.h"

#include <string.h>

/* ---- places ---- */

struct places_ctx {
    struct json_object *items;
    int level; /* only children of this level */
};

static int add_place(void *ctx, const struct xt_unit *u)
{
    struct places_ctx *p = ctx;
    if (u->level != p->level)
        return 0;
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "code", json_object_new_string(u->code));
    json_object_object_add(o, "name", json_object_new_string(u->name));
    json_object_object_add(o, "level", json_object_new_string(xt_unit_level_name(u->level)));
    json_object_array_add(p->items, o);
    return 0;
}

/* GET /api/v1/places: the counties; /api/v1/places/{code}: the townships
 * of a county (or with ?level=department its departments) or the villages
 * of a township. Names and codes only. */
int xt_h_places(struct xt_req *r)
{
    struct places_ctx p = {json_object_new_array(), XT_LEVEL_COUNTY};
    int rc;
    if (r->nparams == 0) {
        rc = xt_store_units_at_level(r->store, "", XT_LEVEL_COUNTY, add_place, &p);
    } else {
        const char *code = r->params[0];
        int level = xt_unit_level_of_code(code);
        struct xt_unit u;
        if ((level != XT_LEVEL_COUNTY && level != XT_LEVEL_TOWNSHIP) ||
            xt_store_unit_get(r->store, code, &u)) {
            json_object_put(p.items);
            return xt_error_set(&r->err, XT_ENOTFOUND, "code", "no county or township '%s'", code);
        }
        p.level = level + 1;
        /* A county's departments too: the names a township needs to
         * summon them (吹哨); they are public like the rest. */
        const char *want = xt_req_query(r, "level");
        if (want && level == XT_LEVEL_COUNTY && strcmp(want, "department") == 0) {
            p.level = XT_LEVEL_DEPARTMENT;
        } else if (want && strcmp(want, xt_unit_level_name(level + 1)) != 0) {
            json_object_put(p.items);
            return xt_error_set(&r->err, XT_EINVAL, "level", "must be %s%s",
                                xt_unit_level_name(level + 1),
                                level == XT_LEVEL_COUNTY ? " or department" : "");
        }
        rc = xt_store_unit_children(r->store, code, add_place, &p);
    }
    if (rc) {
        json_object_put(p.items);
        return xt_error_set(&r->err, rc, "", "cannot list places");
    }
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "items", p.items);
    return xt_reply(r, 200, o);
}

/* ---- tracking ---- */

int xt_track_attach(struct xt_req *r, const char *number, struct json_object *ticket)
{
    char code[XT_TRACK_CODE_LEN + 1];
    int rc = xt_store_track_issue(r->store, number, r->now, code, &r->err);
    if (rc)
        return rc;
    struct json_object *t = json_object_new_object();
    json_object_object_add(t, "code", json_object_new_string(code));
    json_object_object_add(ticket, "tracking", t);
    /* The answer holds a secret: keep it out of the stored replies. */
    r->no_replay = true;
    memset(code, 0, sizeof(code));
    return 0;
}

static void copy_member(struct json_object *to, struct json_object *from, const char *key)
{
    struct json_object *v = NULL;
    if (json_object_object_get_ex(from, key, &v))
        json_object_object_add(to, key, json_object_get(v));
}

struct events_ctx {
    struct json_object *items;
};

static int add_event(void *ctx, const struct xt_timeline_entry *e)
{
    struct events_ctx *ec = ctx;
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "at", xt_render_time(e->at));
    json_object_object_add(o, "action", json_object_new_string(xt_action_name(e->action)));
    json_object_object_add(o, "to", json_object_new_string(xt_state_name(e->to_state)));
    json_object_array_add(ec->items, o);
    return 0;
}

/* The reduced public view of a ticket. */
static int reply_view(struct xt_req *r, int status, const char *number)
{
    struct xt_actor sys = {.role = XT_ROLE_SYSTEM};
    struct xt_ticket t;
    int rc = xt_store_ticket_get(r->store, &sys, number, &t, NULL, false, r->now, &r->err);
    if (rc)
        return rc;
    struct xt_render_ctx rc_ = {xt_req_unit_name, r->store, xt_store_routing(r->store)};
    struct json_object *full = xt_render_ticket(&rc_, &t, NULL, NULL, true, r->now);
    int state = t.state;
    xt_ticket_release(&t);
    struct events_ctx ec = {json_object_new_array()};
    rc = xt_store_ticket_timeline(r->store, &sys, number, add_event, &ec, &r->err);
    if (rc) {
        json_object_put(full);
        json_object_put(ec.items);
        return rc;
    }
    struct json_object *o = json_object_new_object();
    static const char *const keep[] = {
        "number",  "state", "type",     "type_label", "urgent",     "category", "text",
        "handler", "reply", "callback", "created_at", "updated_at", "closed_at"};
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        copy_member(o, full, keep[i]);
    struct json_object *dl = NULL, *rb = NULL;
    if (json_object_object_get_ex(full, "deadlines", &dl) &&
        json_object_object_get_ex(dl, "resolve_by", &rb))
        json_object_object_add(o, "resolve_by", json_object_get(rb));
    json_object_object_add(o, "can_callback", json_object_new_boolean(state == XT_ST_REPLIED));
    json_object_object_add(o, "events", ec.items);
    json_object_put(full);
    return xt_reply(r, status, o);
}

/* The number must look like one before the store is asked. */
static int check_number(struct xt_req *r, const char *number)
{
    size_t n = strlen(number);
    if (n < 10 || n >= XT_NUMBER_MAX || strspn(number, "0123456789-") != n)
        return xt_error_set(&r->err, XT_ENOTFOUND, "number",
                            "no request with this number and code");
    return 0;
}

int xt_h_track_get(struct xt_req *r)
{
    const char *number = r->params[0];
    int rc;
    if ((rc = check_number(r, number)) ||
        (rc = xt_store_track_check(r->store, number, xt_req_query(r, "code"), r->now, &r->err)))
        return rc;
    return reply_view(r, 200, number);
}

int xt_h_track_callback(struct xt_req *r)
{
    const char *number = r->params[0];
    struct json_object *body;
    int rc = xt_req_json(r, &body);
    if (rc)
        return rc;
    const char *code = NULL, *sat = NULL;
    struct xt_action_input in;
    xt_action_input_init(&in);
    struct xt_error *e = &r->err;
    if ((rc = xt_json_string(body, "code", "code", true, 32, &code, e)) ||
        (rc = xt_json_bool(body, "resolved", "resolved", true, &in.resolved, e)) ||
        (rc = xt_json_string(body, "satisfaction", "satisfaction", true, 32, &sat, e)))
        goto out;
    in.satisfaction = xt_satisfaction_parse(sat);
    if (in.satisfaction < 0) {
        rc = xt_error_set(e, XT_EINVAL, "satisfaction",
                          "must be satisfied, basically or unsatisfied");
        goto out;
    }
    if ((rc = check_number(r, number)) ||
        (rc = xt_store_track_check(r->store, number, code, r->now, e)))
        goto out;
    struct xt_actor requester = {.account_id = XT_ACCOUNT_TRACKED, .role = XT_ROLE_RESIDENT};
    snprintf(requester.username, sizeof(requester.username), "requester");
    /* Every tracked requester is the same pseudo-account, so a key is
     * scoped by the ticket; the body (which holds the code) is not kept. */
    const char *k = xt_req_header(r, "Idempotency-Key");
    char kbuf[300];
    const char *key = NULL;
    if (k && *k && strlen(k) <= 200) {
        snprintf(kbuf, sizeof(kbuf), "track %s/callback %s", number, k);
        key = kbuf;
    }
    r->no_replay = true;
    struct xt_ticket t;
    rc = xt_store_ticket_act(r->store, &requester, number, XT_ACT_CALLBACK, &in, NULL, key, r->now,
                             &t, e);
    if (rc)
        goto out;
    xt_ticket_release(&t);
    rc = reply_view(r, 200, number);
out:
    json_object_put(body);
    return rc;
}
