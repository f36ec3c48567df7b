/* h_access.c - access to public services (服务半径): facilities (list,
 * create, edit, delete) and the planner's reports (travel times, coverage,
 * accessibility scores, proposed sites) over the data directory's road
 * network (DIR/roads.xtr).
 *
 * The network is loaded on first use and kept; it is loaded again when
 * the file changes (an import while the server runs). The reports share
 * one search workspace, so they run one at a time under a lock; each takes
 * milliseconds on a county (see docs/BENCHMARKS.md). */
#include "core/accessplan.h"
#include "core/render.h"
#include "http/server.h"
#include "store/facilities.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct {
    pthread_mutex_t lock;
    bool loaded, at_exit;
    char path[1100];
    struct timespec mtime;
    off_t size;
    struct xt_roadnet net;
    struct xt_reach reach;
    bool generated;
} net_cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void cache_release(void)
{
    pthread_mutex_lock(&net_cache.lock);
    if (net_cache.loaded) {
        xt_reach_release(&net_cache.reach);
        xt_roadnet_release(&net_cache.net);
        net_cache.loaded = false;
    }
    pthread_mutex_unlock(&net_cache.lock);
}

/* With the lock held: the current network, loaded or reloaded. */
static int cache_get(struct xt_req *r)
{
    char path[1100];
    if (xt_store_roads_path(r->store, path, sizeof(path)))
        return xt_error_set(&r->err, XT_EIO, "", "data directory path too long");
    struct stat st;
    if (stat(path, &st) != 0)
        return xt_error_set(&r->err, XT_ENOTFOUND, "network",
                            "no road network: import one with `xietong access import-osm` or "
                            "generate the demo one with `xietong access generate`");
    if (net_cache.loaded && !strcmp(net_cache.path, path) &&
        net_cache.mtime.tv_sec == st.st_mtim.tv_sec &&
        net_cache.mtime.tv_nsec == st.st_mtim.tv_nsec && net_cache.size == st.st_size)
        return 0;
    if (net_cache.loaded) {
        xt_reach_release(&net_cache.reach);
        xt_roadnet_release(&net_cache.net);
        net_cache.loaded = false;
    }
    struct xt_error err = {0};
    int rc = xt_roadnet_load(&net_cache.net, path, &err);
    if (rc)
        return xt_error_set(&r->err, XT_EIO, "network", "%s", err.message);
    struct xt_speeds sp;
    xt_speeds_default(&sp);
    if ((rc = xt_reach_init(&net_cache.reach, &net_cache.net, &sp))) {
        xt_roadnet_release(&net_cache.net);
        return xt_error_set(&r->err, rc, "network", "cannot index the road network");
    }
    net_cache.generated = false;
    for (size_t e = 0; e < net_cache.net.n_edges && !net_cache.generated; e++)
        net_cache.generated = net_cache.net.edges[e].cls == XT_HW_generated;
    snprintf(net_cache.path, sizeof(net_cache.path), "%s", path);
    net_cache.mtime = st.st_mtim;
    net_cache.size = st.st_size;
    net_cache.loaded = true;
    if (!net_cache.at_exit) {
        atexit(cache_release);
        net_cache.at_exit = true;
    }
    return 0;
}

/* ---- facilities ---- */

static struct json_object *render_facility(const struct xt_facility *f)
{
    struct json_object *o = json_object_new_object(), *loc = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(f->id));
    json_object_object_add(o, "type", json_object_new_string(xt_facility_type_code(f->type)));
    json_object_object_add(o, "type_name", json_object_new_string(xt_facility_type_zh(f->type)));
    json_object_object_add(o, "name", json_object_new_string(f->name));
    json_object_object_add(o, "capacity",
                           f->has_capacity ? json_object_new_double(f->capacity) : NULL);
    json_object_object_add(loc, "lat", json_object_new_double(f->lat));
    json_object_object_add(loc, "lon", json_object_new_double(f->lon));
    json_object_object_add(o, "location", loc);
    json_object_object_add(o, "unit", *f->unit ? json_object_new_string(f->unit) : NULL);
    json_object_object_add(o, "source", json_object_new_string(f->source));
    json_object_object_add(o, "created_at", xt_render_time(f->created_at));
    json_object_object_add(o, "updated_at", xt_render_time(f->updated_at));
    return o;
}

static struct json_object *facility_feature(const struct xt_facility *f)
{
    struct json_object *o = json_object_new_object(), *g = json_object_new_object(),
                       *c = json_object_new_array();
    json_object_array_add(c, json_object_new_double(f->lon));
    json_object_array_add(c, json_object_new_double(f->lat));
    json_object_object_add(g, "type", json_object_new_string("Point"));
    json_object_object_add(g, "coordinates", c);
    json_object_object_add(o, "type", json_object_new_string("Feature"));
    json_object_object_add(o, "geometry", g);
    struct json_object *p = render_facility(f);
    json_object_object_del(p, "location");
    json_object_object_add(p, "layer", json_object_new_string("facility"));
    json_object_object_add(o, "properties", p);
    return o;
}

struct list_ctx {
    struct json_object *items;
    bool geojson;
};

static int add_item(void *ctx, const struct xt_facility *f)
{
    struct list_ctx *c = ctx;
    json_object_array_add(c->items, c->geojson ? facility_feature(f) : render_facility(f));
    return 0;
}

static int parse_type(struct xt_req *r, bool required, int *type)
{
    const char *t = xt_req_query(r, "type");
    *type = -1;
    if (!t)
        return required ? xt_error_set(&r->err, XT_EINVAL, "type", "is required") : 0;
    if ((*type = xt_facility_type_parse(t)) < 0)
        return xt_error_set(&r->err, XT_EINVAL, "type", "unknown facility type '%s'", t);
    return 0;
}

int xt_h_facility_list(struct xt_req *r)
{
    int type, rc;
    if ((rc = parse_type(r, false, &type)))
        return rc;
    const char *fmt = xt_req_query(r, "format");
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "geojson"))
        return xt_error_set(&r->err, XT_EINVAL, "format", "must be json or geojson");
    const char *unit = xt_req_query(r, "unit");
    if (unit && xt_unit_level_of_code(unit) == XT_LEVEL_NONE)
        return xt_error_set(&r->err, XT_EINVAL, "unit", "'%s' is not a unit code", unit);
    struct list_ctx c = {json_object_new_array(), fmt && !strcmp(fmt, "geojson")};
    if ((rc = xt_store_facility_list(r->store, type, unit, add_item, &c))) {
        json_object_put(c.items);
        return xt_error_set(&r->err, rc, "", "cannot list facilities");
    }
    struct json_object *o = json_object_new_object();
    if (c.geojson) {
        json_object_object_add(o, "type", json_object_new_string("FeatureCollection"));
        json_object_object_add(o, "features", c.items);
    } else {
        json_object_object_add(o, "facilities", c.items);
    }
    return xt_reply(r, 200, o);
}

static int parse_id(struct xt_req *r, int64_t *id)
{
    char *e;
    long long v = strtoll(r->params[0], &e, 10);
    if (*e || v <= 0)
        return xt_error_set(&r->err, XT_EINVAL, "id", "must be a positive integer");
    *id = v;
    return 0;
}

int xt_h_facility_get(struct xt_req *r)
{
    int64_t id = 0;
    int rc = parse_id(r, &id);
    if (rc)
        return rc;
    struct xt_facility f;
    if ((rc = xt_store_facility_get(r->store, id, &f)))
        return xt_error_set(&r->err, rc, "id",
                            rc == XT_ENOTFOUND ? "no such facility" : "cannot read the facility");
    return xt_reply(r, 200, render_facility(&f));
}

/* The fields of a create or replace body into f. */
static int read_body(struct xt_req *r, struct xt_facility *f)
{
    struct json_object *body, *loc = NULL;
    int rc = xt_req_json(r, &body);
    if (rc)
        return rc;
    const char *type = NULL, *name = NULL, *unit = "";
    double lat = 0, lon = 0;
    if ((rc = xt_json_string(body, "type", "type", true, 40, &type, &r->err)) ||
        (rc = xt_json_string(body, "name", "name", true, 200, &name, &r->err)) ||
        (rc = xt_json_object(body, "location", "location", true, &loc, &r->err)) ||
        (rc = xt_json_double(loc, "lat", "location.lat", true, &lat, &r->err)) ||
        (rc = xt_json_double(loc, "lon", "location.lon", true, &lon, &r->err)) ||
        (rc = xt_json_string(body, "unit", "unit", false, 20, &unit, &r->err)))
        goto out;
    if ((f->type = xt_facility_type_parse(type)) < 0) {
        rc = xt_error_set(&r->err, XT_EINVAL, "type", "unknown facility type '%s'", type);
        goto out;
    }
    struct json_object *cap;
    f->has_capacity = false;
    if (json_object_object_get_ex(body, "capacity", &cap) && cap) {
        double v = 0;
        if ((rc = xt_json_double(body, "capacity", "capacity", true, &v, &r->err)))
            goto out;
        f->has_capacity = true;
        f->capacity = v;
    }
    snprintf(f->name, sizeof(f->name), "%s", name);
    snprintf(f->unit, sizeof(f->unit), "%s", unit ? unit : "");
    f->lat = lat;
    f->lon = lon;
    if (*f->unit && !xt_actor_covers(&r->actor, f->unit))
        rc = xt_error_set(&r->err, XT_EPERM, "unit", "'%s' is outside your area", f->unit);
out:
    json_object_put(body);
    return rc;
}

int xt_h_facility_create(struct xt_req *r)
{
    struct xt_facility f = {0};
    int rc = read_body(r, &f);
    if (!rc)
        rc = xt_store_facility_create(r->store, &r->actor, &f, &r->err);
    if (rc)
        return rc;
    return xt_reply(r, 201, render_facility(&f));
}

int xt_h_facility_update(struct xt_req *r)
{
    struct xt_facility f = {0};
    int rc = parse_id(r, &f.id);
    if (!rc)
        rc = read_body(r, &f);
    if (!rc)
        rc = xt_store_facility_update(r->store, &r->actor, &f, &r->err);
    if (rc)
        return rc;
    return xt_reply(r, 200, render_facility(&f));
}

int xt_h_facility_delete(struct xt_req *r)
{
    int64_t id = 0;
    int rc = parse_id(r, &id);
    if (!rc)
        rc = xt_store_facility_delete(r->store, &r->actor, id, &r->err);
    if (rc)
        return rc;
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "deleted", json_object_new_int64(id));
    return xt_reply(r, 200, o);
}

/* ---- reports ---- */

enum report { R_TRAVEL, R_COVERAGE, R_SCORES, R_SITES, R_BANDS };

static int report(struct xt_req *r, enum report what)
{
    int type, rc;
    if ((rc = parse_type(r, true, &type)))
        return rc;
    const char *m = xt_req_query(r, "mode");
    int mode = xt_plan_mode_parse(m ? m : "car");
    if (mode < 0)
        return xt_error_set(&r->err, XT_EINVAL, "mode", "must be car or foot");
    const char *lv = xt_req_query(r, "level");
    int level = xt_unit_level_parse(lv ? lv : "village");
    if (level != XT_LEVEL_VILLAGE && level != XT_LEVEL_GRID)
        return xt_error_set(&r->err, XT_EINVAL, "level", "must be village or grid");
    /* the actor's own area unless a unit inside it is named; a county
     * department plans for its whole county */
    char area[XT_CODE_MAX];
    snprintf(area, sizeof(area), "%s", r->actor.scope);
    if (xt_unit_level_of_code(area) == XT_LEVEL_DEPARTMENT)
        area[6] = '\0';
    const char *within = xt_req_query(r, "within");
    if (within && xt_unit_level_of_code(within) == XT_LEVEL_NONE)
        return xt_error_set(&r->err, XT_EINVAL, "within", "'%s' is not a unit code", within);
    if (within && !xt_unit_within(within, area))
        return xt_error_set(&r->err, XT_EPERM, "within", "'%s' is outside your area", within);
    if (!within)
        within = area;
    struct xt_plan_site_opts so = {type, mode, XT_PLAN_MCLP, 1, false, -1, false};
    if (what == R_SITES) {
        const char *k = xt_req_query(r, "k"), *obj = xt_req_query(r, "objective"),
                   *ex = xt_req_query(r, "exact");
        char *e = NULL;
        long kv = k ? strtol(k, &e, 10) : 1;
        if (k && (*e || kv < 1 || kv > 50))
            return xt_error_set(&r->err, XT_EINVAL, "k", "must be an integer in 1..50");
        so.k = (size_t)kv;
        if (obj && strcmp(obj, "mclp") && strcmp(obj, "pmedian"))
            return xt_error_set(&r->err, XT_EINVAL, "objective", "must be mclp or pmedian");
        so.objective = obj && !strcmp(obj, "pmedian") ? XT_PLAN_PMEDIAN : XT_PLAN_MCLP;
        if (ex && strcmp(ex, "true") && strcmp(ex, "false"))
            return xt_error_set(&r->err, XT_EINVAL, "exact", "must be true or false");
        so.exact = ex && !strcmp(ex, "true");
        const char *cc = xt_req_query(r, "candidate_capacity");
        if (cc) {
            double v = strtod(cc, &e);
            if (!*cc || *e || !(v >= 0 && v <= 1e7))
                return xt_error_set(&r->err, XT_EINVAL, "candidate_capacity",
                                    "must be a number of people in 0..10000000");
            so.candidate_capacity = v;
        }
        const char *ec = xt_req_query(r, "existing_capacity");
        if (ec && strcmp(ec, "use") && strcmp(ec, "ignore"))
            return xt_error_set(&r->err, XT_EINVAL, "existing_capacity", "must be use or ignore");
        so.ignore_existing_capacity = ec && !strcmp(ec, "ignore");
    }
    struct xt_plan_place *pl = NULL;
    struct xt_plan_fac *fac = NULL;
    size_t npl = 0, nfac = 0;
    if ((rc = xt_store_plan_places(r->store, within, level, &pl, &npl)) ||
        (rc = xt_store_plan_facilities(r->store, -1, &fac, &nfac))) {
        free(pl);
        return xt_error_set(&r->err, rc, "", "cannot read places and facilities");
    }
    struct xt_standards std;
    xt_standards_default(&std);
    struct json_object *out = NULL;
    pthread_mutex_lock(&net_cache.lock);
    rc = cache_get(r);
    if (!rc) {
        struct xt_plan_input in = {
            pl, npl, fac, nfac, &std, net_cache.generated, xt_req_unit_name, r->store};
        switch (what) {
        case R_TRAVEL:
            rc = xt_plan_travel(&net_cache.reach, &in, type, mode, &out);
            break;
        case R_COVERAGE:
            rc = xt_plan_coverage(&net_cache.reach, &in, type, mode, &out);
            break;
        case R_SCORES:
            rc = xt_plan_scores(&net_cache.reach, &in, type, mode, &out);
            break;
        case R_BANDS:
            rc = xt_plan_bands(&net_cache.reach, &in, type, mode, &out);
            break;
        case R_SITES:
            if (npl == 0)
                rc = xt_error_set(&r->err, XT_EINVAL, "within", "no places with a position here");
            else
                rc = xt_plan_site(&net_cache.reach, &in, &so, &out, &r->err);
            break;
        }
        if (rc && !r->err.code)
            xt_error_set(&r->err, rc, "", "cannot compute the report");
    }
    pthread_mutex_unlock(&net_cache.lock);
    free(pl);
    free(fac);
    if (rc)
        return rc;
    return xt_reply(r, 200, out);
}

int xt_h_access_travel(struct xt_req *r)
{
    return report(r, R_TRAVEL);
}

int xt_h_access_coverage(struct xt_req *r)
{
    return report(r, R_COVERAGE);
}

int xt_h_access_scores(struct xt_req *r)
{
    return report(r, R_SCORES);
}

int xt_h_access_sites(struct xt_req *r)
{
    return report(r, R_SITES);
}

int xt_h_access_bands(struct xt_req *r)
{
    return report(r, R_BANDS);
}
