/* render.c - domain objects as JSON. */
#include "core/render.h"
#include "core/reqtype.h"
#include "lib/xtime.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct json_object *xt_render_time(int64_t t)
{
    if (!t)
        return NULL; /* json-c stores NULL as JSON null */
    char buf[26];
    xt_time_format(t, buf);
    return json_object_new_string(buf);
}

struct json_object *xt_render_ratio(double v)
{
    if (isnan(v))
        return NULL;
    return json_object_new_double(round(v * 10000.0) / 10000.0);
}

static struct json_object *unit_ref(const struct xt_render_ctx *rc, const char *code)
{
    if (!code || !*code)
        return NULL;
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "code", json_object_new_string(code));
    const char *name = rc->unit_name ? rc->unit_name(rc->ctx, code) : NULL;
    json_object_object_add(o, "name", name ? json_object_new_string(name) : NULL);
    return o;
}

static struct json_object *str_or_null(const char *s)
{
    return s && *s ? json_object_new_string(s) : NULL;
}

struct json_object *xt_render_ticket(const struct xt_render_ctx *rc, const struct xt_ticket *t,
                                     const char *contact_name, const char *contact_phone,
                                     bool contact_masked, int64_t now)
{
    struct json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "number", json_object_new_string(t->number));
    json_object_object_add(o, "state", json_object_new_string(xt_state_name(t->state)));
    json_object_object_add(o, "type", json_object_new_string(xt_reqtype_name(t->type)));
    json_object_object_add(o, "type_label", json_object_new_string(xt_reqtype_label(t->type)));
    json_object_object_add(o, "urgent", json_object_new_boolean(t->urgent));
    if (*t->category) {
        struct json_object *cat = json_object_new_object();
        json_object_object_add(cat, "code", json_object_new_string(t->category));
        const struct xt_category *c =
            rc->routing ? xt_routing_category(rc->routing, t->category) : NULL;
        json_object_object_add(cat, "name", c ? json_object_new_string(c->name) : NULL);
        json_object_object_add(o, "category", cat);
    } else {
        json_object_object_add(o, "category", NULL);
    }
    json_object_object_add(o, "text", json_object_new_string(t->text ? t->text : ""));
    json_object_object_add(o, "channel", json_object_new_string(xt_channel_name(t->channel)));

    struct json_object *loc = json_object_new_object();
    json_object_object_add(loc, "lat", t->has_point ? json_object_new_double(t->lat) : NULL);
    json_object_object_add(loc, "lon", t->has_point ? json_object_new_double(t->lon) : NULL);
    json_object_object_add(loc, "grid", unit_ref(rc, t->grid));
    json_object_object_add(loc, "address", str_or_null(t->address));
    json_object_object_add(o, "location", loc);

    json_object_object_add(o, "handler", unit_ref(rc, t->handler));
    json_object_object_add(o, "lead", unit_ref(rc, t->lead));
    struct json_object *co = json_object_new_array();
    for (int i = 0; i < t->n_co; i++) {
        struct json_object *c = unit_ref(rc, t->co[i].unit);
        json_object_object_add(c, "report_by", xt_render_time(t->co[i].report_by));
        json_object_object_add(c, "reported_at", xt_render_time(t->co[i].reported_at));
        json_object_array_add(co, c);
    }
    json_object_object_add(o, "co_handlers", co);

    struct json_object *dl = json_object_new_object();
    json_object_object_add(dl, "sign_by", xt_render_time(t->sign_by));
    json_object_object_add(dl, "resolve_by", xt_render_time(t->resolve_by));
    json_object_object_add(o, "deadlines", dl);
    json_object_object_add(o, "overdue", json_object_new_boolean(
                                             (XT_S(t->state) & XT_S_OPEN) &&
                                             ((t->state == XT_ST_DISPATCHED && !t->signed_at &&
                                               t->sign_by && now > t->sign_by) ||
                                              (t->resolve_by && now > t->resolve_by))));
    json_object_object_add(o, "escalated", json_object_new_boolean(t->escalated));
    if (t->extension_pending) {
        struct json_object *ext = json_object_new_object();
        json_object_object_add(ext, "days", json_object_new_int(t->extension_days));
        json_object_object_add(o, "extension_pending", ext);
    } else {
        json_object_object_add(o, "extension_pending", NULL);
    }

    if (contact_name || contact_phone) {
        struct json_object *c = json_object_new_object();
        json_object_object_add(c, "name", str_or_null(contact_name));
        json_object_object_add(c, "phone", str_or_null(contact_phone));
        json_object_object_add(c, "masked", json_object_new_boolean(contact_masked));
        json_object_object_add(o, "contact", c);
    } else {
        json_object_object_add(o, "contact", NULL);
    }

    if (t->reply) {
        struct json_object *r = json_object_new_object();
        json_object_object_add(r, "text", json_object_new_string(t->reply));
        json_object_object_add(r, "result", str_or_null(xt_result_name(t->result)));
        json_object_object_add(r, "at", xt_render_time(t->replied_at));
        json_object_object_add(o, "reply", r);
    } else {
        json_object_object_add(o, "reply", NULL);
    }
    if (t->state == XT_ST_CLOSED) {
        struct json_object *cb = json_object_new_object();
        json_object_object_add(cb, "unreachable", json_object_new_boolean(t->unreachable));
        json_object_object_add(cb, "resolved",
                               t->resolved < 0 ? NULL : json_object_new_boolean(t->resolved));
        json_object_object_add(cb, "satisfaction",
                               str_or_null(xt_satisfaction_name(t->satisfaction)));
        json_object_object_add(cb, "at", xt_render_time(t->closed_at));
        json_object_object_add(o, "callback", cb);
    } else {
        json_object_object_add(o, "callback", NULL);
    }
    struct json_object *sug = json_object_new_object();
    json_object_object_add(sug, "category", str_or_null(t->suggested_category));
    json_object_object_add(sug, "handler", unit_ref(rc, t->suggested_handler));
    json_object_object_add(sug, "confidence", *t->suggested_handler
                                                  ? xt_render_ratio(t->suggested_confidence)
                                                  : NULL);
    /* duplicates: added by the HTTP layer when computed (a create's answer,
     * or a GET that asks), see xt_classify_decorate. */
    json_object_object_add(o, "suggestion", sug);
    json_object_object_add(o, "merged_into", str_or_null(t->merged_into));
    json_object_object_add(o, "returns", json_object_new_int(t->returns));
    json_object_object_add(o, "reopens", json_object_new_int(t->reopens));
    json_object_object_add(o, "created_at", xt_render_time(t->created_at));
    json_object_object_add(o, "updated_at", xt_render_time(t->updated_at));
    json_object_object_add(o, "dispatched_at", xt_render_time(t->dispatched_at));
    json_object_object_add(o, "signed_at", xt_render_time(t->signed_at));
    json_object_object_add(o, "closed_at", xt_render_time(t->closed_at));
    return o;
}

struct json_object *xt_render_unit(const struct xt_unit *u)
{
    struct json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "code", json_object_new_string(u->code));
    json_object_object_add(o, "name", json_object_new_string(u->name));
    json_object_object_add(o, "level", json_object_new_string(xt_unit_level_name(u->level)));
    json_object_object_add(o, "parent", str_or_null(u->parent));
    const char *kind = xt_unit_kind_name(u->kind);
    json_object_object_add(o, "kind", kind ? json_object_new_string(kind) : NULL);
    if (u->has_point) {
        struct json_object *p = json_object_new_object();
        json_object_object_add(p, "lat", json_object_new_double(u->lat));
        json_object_object_add(p, "lon", json_object_new_double(u->lon));
        json_object_object_add(o, "point", p);
    } else {
        json_object_object_add(o, "point", NULL);
    }
    json_object_object_add(o, "population",
                           u->population ? json_object_new_int64(u->population) : NULL);
    json_object_object_add(o, "households",
                           u->households ? json_object_new_int64(u->households) : NULL);
    return o;
}

struct json_object *xt_render_rates(const struct xt_render_ctx *rc, const struct xt_rates *r,
                                    int month)
{
    struct json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "unit", unit_ref(rc, r->unit));
    char period[16];
    snprintf(period, sizeof(period), "%04d-%02d", month / 100 % 10000, month % 100);
    json_object_object_add(o, "period", json_object_new_string(period));
    struct json_object *counts = json_object_new_object();
    json_object_object_add(counts, "dispatched", json_object_new_int64(r->dispatched));
    json_object_object_add(counts, "signed_on_time", json_object_new_int64(r->signed_on_time));
    json_object_object_add(counts, "called_back", json_object_new_int64(r->called_back));
    json_object_object_add(counts, "resolved", json_object_new_int64(r->resolved));
    json_object_object_add(counts, "satisfied", json_object_new_int64(r->satisfied));
    json_object_object_add(counts, "basically_satisfied", json_object_new_int64(r->basically));
    json_object_object_add(counts, "replied_on_time", json_object_new_int64(r->replied_on_time));
    json_object_object_add(counts, "returned", json_object_new_int64(r->returned));
    json_object_object_add(counts, "repeat", json_object_new_int64(r->repeat));
    json_object_object_add(counts, "proactive", json_object_new_int64(r->proactive));
    json_object_object_add(o, "counts", counts);
    json_object_object_add(o, "response", xt_render_ratio(r->response));
    json_object_object_add(o, "resolution", xt_render_ratio(r->resolution));
    json_object_object_add(o, "satisfaction", xt_render_ratio(r->satisfaction));
    json_object_object_add(o, "composite", xt_render_ratio(r->composite));
    json_object_object_add(o, "on_time", xt_render_ratio(r->on_time));
    json_object_object_add(o, "return_rate", xt_render_ratio(r->return_rate));
    json_object_object_add(o, "repeat_rate", xt_render_ratio(r->repeat_rate));
    json_object_object_add(o, "proactive_share", xt_render_ratio(r->proactive_share));
    return o;
}
