/* h_metrics.c - the three rates and the monthly ranking. */
#include "core/render.h"
#include "http/server.h"
#include "lib/xtime.h"

#include <stdlib.h>
#include <string.h>

static int period_arg(struct xt_req *r, int *month)
{
    const char *v = xt_req_query(r, "period");
    if (!v) {
        *month = xt_month_of(r->now);
        return 0;
    }
    if (xt_month_parse(v, month))
        return xt_error_set(&r->err, XT_EINVAL, "period", "must be YYYY-MM");
    return 0;
}

static int unit_arg(struct xt_req *r, const char **unit)
{
    const char *v = xt_req_query(r, "unit");
    if (!v) {
        if (!*r->actor.scope)
            return xt_error_set(&r->err, XT_EINVAL, "unit", "is required");
        *unit = r->actor.scope;
        return 0;
    }
    if (xt_unit_level_of_code(v) == XT_LEVEL_NONE)
        return xt_error_set(&r->err, XT_EINVAL, "unit", "'%s' is not a unit code", v);
    if (!xt_unit_within(v, r->actor.scope))
        return xt_error_set(&r->err, XT_EPERM, "unit", "'%s' is outside your area", v);
    *unit = v;
    return 0;
}

int xt_h_rates(struct xt_req *r)
{
    int month, rc;
    const char *unit;
    if ((rc = period_arg(r, &month)) || (rc = unit_arg(r, &unit)))
        return rc;
    struct xt_rates rates;
    if ((rc = xt_store_rates(r->store, unit, month, &rates, &r->err)))
        return rc;
    struct xt_render_ctx rctx = {xt_req_unit_name, r->store, xt_store_routing(r->store)};
    return xt_reply(r, 200, xt_render_rates(&rctx, &rates, month));
}

int xt_h_ranking(struct xt_req *r)
{
    int month, rc;
    const char *unit;
    if ((rc = period_arg(r, &month)) || (rc = unit_arg(r, &unit)))
        return rc;
    const char *lv = xt_req_query(r, "level");
    int level = lv ? xt_unit_level_parse(lv) : XT_LEVEL_TOWNSHIP;
    if (level != XT_LEVEL_TOWNSHIP && level != XT_LEVEL_DEPARTMENT)
        return xt_error_set(&r->err, XT_EINVAL, "level", "must be township or department");
    struct xt_rates *rates;
    int *ranks;
    size_t n;
    if ((rc = xt_store_ranking(r->store, unit, level, month, &rates, &ranks, &n, &r->err)))
        return rc;
    struct xt_render_ctx rctx = {xt_req_unit_name, r->store, xt_store_routing(r->store)};
    struct json_object *items = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = xt_render_rates(&rctx, &rates[i], month);
        json_object_object_add(o, "rank", json_object_new_int(ranks[i]));
        json_object_array_add(items, o);
    }
    free(rates);
    free(ranks);
    struct json_object *o = json_object_new_object();
    char period[16];
    snprintf(period, sizeof(period), "%04d-%02d", month / 100 % 10000, month % 100);
    json_object_object_add(o, "period", json_object_new_string(period));
    json_object_object_add(o, "level", json_object_new_string(xt_unit_level_name(level)));
    json_object_object_add(o, "within", json_object_new_string(unit));
    json_object_object_add(o, "items", items);
    return xt_reply(r, 200, o);
}
