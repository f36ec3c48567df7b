/* h_units.c - the unit tree, lookups by point, and the category list. */
#include "core/render.h"
#include "core/spatial.h"
#include "http/server.h"

#include <stdlib.h>
#include <string.h>

/* A unit is visible when it lies in the actor's subtree or is one of the
 * ancestors of the actor's scope (the path up to the root). */
static bool unit_visible(const struct xt_actor *a, const char *code)
{
    return xt_unit_within(code, a->scope) || xt_unit_within(a->scope, code);
}

/* The polygon (GeoJSON geometry or null) of a unit, for maps. */
static void add_polygon(struct xt_store *s, struct json_object *o, const char *code)
{
    char *poly = NULL;
    if (xt_store_unit_polygon(s, code, &poly) == 0 && poly) {
        json_object_object_add(o, "polygon", json_tokener_parse(poly));
        free(poly);
    } else {
        json_object_object_add(o, "polygon", NULL);
    }
}

int xt_h_unit_get(struct xt_req *r)
{
    struct xt_unit u;
    const char *code = r->params[0];
    if (xt_unit_level_of_code(code) == XT_LEVEL_NONE)
        return xt_error_set(&r->err, XT_EINVAL, "code", "'%s' is not a unit code", code);
    if (!unit_visible(&r->actor, code) || xt_store_unit_get(r->store, code, &u))
        return xt_error_set(&r->err, XT_ENOTFOUND, "code", "no unit '%s'", code);
    struct json_object *o = xt_render_unit(&u);
    add_polygon(r->store, o, code);
    return xt_reply(r, 200, o);
}

struct children_ctx {
    struct json_object *items;
    const struct xt_actor *actor;
    struct xt_store *store;
    bool polygons;
};

static int add_child(void *ctx, const struct xt_unit *u)
{
    struct children_ctx *c = ctx;
    if (!unit_visible(c->actor, u->code))
        return 0;
    struct json_object *o = xt_render_unit(u);
    if (c->polygons)
        add_polygon(c->store, o, u->code);
    json_object_array_add(c->items, o);
    return 0;
}

int xt_h_unit_children(struct xt_req *r)
{
    struct xt_unit u;
    const char *code = r->params[0];
    if (!unit_visible(&r->actor, code) || xt_store_unit_get(r->store, code, &u))
        return xt_error_set(&r->err, XT_ENOTFOUND, "code", "no unit '%s'", code);
    /* ?polygons=true adds each child's polygon: one request draws a map. */
    const char *poly = xt_req_query(r, "polygons");
    if (poly && strcmp(poly, "true") && strcmp(poly, "false"))
        return xt_error_set(&r->err, XT_EINVAL, "polygons", "must be true or false");
    struct children_ctx c = {json_object_new_array(), &r->actor, r->store,
                             poly && strcmp(poly, "true") == 0};
    int rc = xt_store_unit_children(r->store, code, add_child, &c);
    if (rc) {
        json_object_put(c.items);
        return xt_error_set(&r->err, rc, "", "cannot list units");
    }
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "unit", xt_render_unit(&u));
    json_object_object_add(o, "children", c.items);
    return xt_reply(r, 200, o);
}

static int query_coord(struct xt_req *r, const char *name, double lo, double hi, double *out)
{
    const char *v = xt_req_query(r, name);
    if (!v)
        return xt_error_set(&r->err, XT_EINVAL, name, "is required");
    char *end;
    double d = strtod(v, &end);
    if (*end || end == v || d != d)
        return xt_error_set(&r->err, XT_EINVAL, name, "must be a number");
    if (d < lo || d > hi)
        return xt_error_set(&r->err, XT_EINVAL, name, "must be within %g..%g", lo, hi);
    *out = d;
    return 0;
}

int xt_h_unit_lookup(struct xt_req *r)
{
    double lat, lon;
    int rc;
    if ((rc = query_coord(r, "lat", -90, 90, &lat)) || (rc = query_coord(r, "lon", -180, 180, &lon)))
        return rc;
    char grid[XT_CODE_MAX];
    int how = 0;
    rc = xt_spatial_lookup(xt_store_spatial(r->store), lat, lon, 30.0, grid, &how);
    if (rc == XT_ENOTFOUND || (!rc && !xt_unit_within(grid, r->actor.scope)))
        return xt_error_set(&r->err, XT_ENOTFOUND, "lat", "no grid within 30 km of the point");
    if (rc)
        return xt_error_set(&r->err, rc, "lat", "cannot look up the point");
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "how", json_object_new_string(how == XT_SPATIAL_INSIDE ? "inside"
                                                                                     : "nearest"));
    struct json_object *chain = json_object_new_array();
    for (int level = XT_LEVEL_GRID; level >= XT_LEVEL_COUNTY; level--) {
        char code[XT_CODE_MAX];
        struct xt_unit u;
        if (xt_unit_ancestor(grid, level, code) && xt_store_unit_get(r->store, code, &u) == 0)
            json_object_array_add(chain, xt_render_unit(&u));
    }
    json_object_object_add(o, "grid", json_object_get(json_object_array_get_idx(chain, 0)));
    json_object_object_add(o, "chain", chain);
    return xt_reply(r, 200, o);
}

int xt_h_categories(struct xt_req *r)
{
    const struct xt_routing *rt = xt_store_routing(r->store);
    struct json_object *items = json_object_new_array();
    for (size_t i = 0; i < rt->n_categories; i++) {
        const struct xt_category *c = &rt->categories[i];
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "code", json_object_new_string(c->code));
        json_object_object_add(o, "name", json_object_new_string(c->name));
        json_object_object_add(o, "parent", *c->parent ? json_object_new_string(c->parent) : NULL);
        json_object_object_add(o, "route", json_object_new_string(c->route));
        json_object_object_add(o, "resolve_days",
                               c->rule.resolve_days ? json_object_new_int(c->rule.resolve_days)
                                                    : NULL);
        json_object_array_add(items, o);
    }
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "items", items);
    return xt_reply(r, 200, o);
}
