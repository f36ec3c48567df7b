/* h_classify.c - auto-dispatch in the API: the classifier's models loaded
 * at start, the suggestion block of a ticket (operator decides below the
 * threshold, request type, duplicate candidates) and the hot issues
 * (每月一题) of a period. */
#include "core/classify.h"
#include "core/hotissue.h"
#include "core/reqtype.h"
#include "http/server.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/xtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int load_one(const char *path, struct xt_classifier **m, struct xt_error *err)
{
    struct xt_buf b;
    xt_buf_init(&b, (size_t)1 << 31);
    int rc = xt_buf_read_file(&b, path);
    if (rc) {
        xt_buf_release(&b);
        return xt_error_set(err, rc, "model", "cannot read '%s'", path);
    }
    struct xt_error e;
    xt_error_clear(&e);
    rc = xt_classifier_decode(b.data, b.len, m, &e);
    xt_buf_release(&b);
    if (rc)
        return xt_error_set(err, rc, "model", "'%s': %s", path, e.message);
    return 0;
}

int xt_classify_setup(struct xt_store *store, const char *dir, const char *model,
                      const char *type_model, double threshold, struct xt_error *err)
{
    char def_cat[1100], def_type[1100];
    snprintf(def_cat, sizeof(def_cat), "%s/classify/category.model", dir);
    snprintf(def_type, sizeof(def_type), "%s/classify/type.model", dir);
    /* Named models must load; the default ones are used when present. */
    if (!model && access(def_cat, R_OK) == 0)
        model = def_cat;
    if (!type_model && access(def_type, R_OK) == 0)
        type_model = def_type;
    if (!(threshold >= 0 && threshold <= 1))
        return xt_error_set(err, XT_EINVAL, "suggest-threshold", "must be within 0..1");
    struct xt_classifier *cat = NULL, *type = NULL;
    int rc;
    if (model && (rc = load_one(model, &cat, err)))
        return rc;
    if (type_model && (rc = load_one(type_model, &type, err))) {
        xt_classifier_free(cat);
        return rc;
    }
    if (cat)
        xt_log(XT_LOG_INFO, "category model '%s' (%d labels) loaded", model,
               xt_classifier_n_labels(cat));
    if (type)
        xt_log(XT_LOG_INFO, "request-type model '%s' (%d labels) loaded", type_model,
               xt_classifier_n_labels(type));
    xt_store_set_classifier(store, cat, type, threshold);
    return 0;
}

void xt_classify_decorate(struct xt_req *r, struct json_object *o, const struct xt_ticket *t,
                          bool duplicates)
{
    struct json_object *sug;
    if (!o || !json_object_object_get_ex(o, "suggestion", &sug) || !sug)
        return;
    double th = xt_store_suggest_threshold(r->store);
    bool has = *t->suggested_handler || *t->suggested_category;
    /* Below the threshold the machine's guess is shown but not preset. */
    json_object_object_add(sug, "operator_decides",
                           json_object_new_boolean(!has || t->suggested_confidence < th));
    json_object_object_add(sug, "threshold", json_object_new_double(th));
    const struct xt_classifier *tm = xt_store_type_model(r->store);
    if (tm && t->text) {
        struct xt_prediction p;
        xt_classifier_predict(tm, t->text, &p);
        int type = xt_reqtype_parse(xt_classifier_label(tm, p.label));
        if (type >= 0) {
            struct json_object *ty = json_object_new_object();
            json_object_object_add(ty, "type", json_object_new_string(xt_reqtype_name(type)));
            json_object_object_add(ty, "confidence",
                                   json_object_new_double((double)(long)(p.confidence * 1000 +
                                                                         0.5) / 1000));
            json_object_object_add(sug, "type", ty);
        }
    }
    if (!duplicates)
        return;
    /* Duplicate candidates are for staff who can merge; a resident is not
     * shown other people's requests. */
    struct json_object *dups = json_object_new_array();
    bool open = t->state == XT_ST_RECEIVED || t->state == XT_ST_DISPATCHED ||
                t->state == XT_ST_SIGNED || t->state == XT_ST_RETURNED;
    if (dups && r->authed && (XT_R(r->actor.role) & XT_R_STAFF) && open) {
        struct xt_duplicate d[XT_DUP_MAX];
        int n = 0;
        struct xt_error e;
        xt_error_clear(&e);
        if (xt_store_ticket_duplicates(r->store, &r->actor, t, d, &n, &e) == 0) {
            for (int i = 0; i < n; i++) {
                struct json_object *x = json_object_new_object();
                double sim = (double)(long)(d[i].similarity * 1000 + 0.5) / 1000;
                json_object_object_add(x, "number", json_object_new_string(d[i].number));
                json_object_object_add(x, "similarity", json_object_new_double(sim));
                json_object_object_add(x, "score", json_object_new_double(sim));
                json_object_object_add(x, "distance_m",
                                       d[i].distance_m < 0
                                           ? NULL
                                           : json_object_new_int64((int64_t)(d[i].distance_m + 0.5)));
                json_object_object_add(x, "same_grid", json_object_new_boolean(d[i].same_grid));
                json_object_object_add(x, "state",
                                       json_object_new_string(xt_state_name(d[i].state)));
                json_object_object_add(x, "text",
                                       json_object_new_string(d[i].text ? d[i].text : ""));
                json_object_array_add(dups, x);
            }
            xt_duplicates_release(d, n);
        }
    }
    json_object_object_add(sug, "duplicates", dups);
}

int xt_h_hot_issues(struct xt_req *r)
{
    int month = xt_month_of(r->now);
    const char *v = xt_req_query(r, "period");
    if (v && xt_month_parse(v, &month))
        return xt_error_set(&r->err, XT_EINVAL, "period", "must be YYYY-MM");
    const char *unit = xt_req_query(r, "unit");
    if (!unit)
        unit = r->actor.scope;
    if (*unit && xt_unit_level_of_code(unit) == XT_LEVEL_NONE)
        return xt_error_set(&r->err, XT_EINVAL, "unit", "'%s' is not a unit code", unit);
    if (!xt_unit_within(unit, r->actor.scope))
        return xt_error_set(&r->err, XT_EPERM, "unit", "'%s' is outside your area", unit);
    long top = 20;
    if ((v = xt_req_query(r, "limit"))) {
        char *end;
        top = strtol(v, &end, 10);
        if (*end || top < 1 || top > 200)
            return xt_error_set(&r->err, XT_EINVAL, "limit", "must be 1..200");
    }
    struct xt_hot_ticket *tk;
    size_t n;
    int rc = xt_store_hot_tickets(r->store, unit, month, &tk, &n, &r->err);
    if (rc)
        return rc;
    struct xt_hot_item *items = calloc(n ? n : 1, sizeof(*items));
    if (!items) {
        xt_store_hot_tickets_free(tk, n);
        return xt_error_set(&r->err, XT_ENOMEM, "", "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        items[i].text = tk[i].text;
        items[i].place = tk[i].grid;
        items[i].support = tk[i].support;
        items[i].previous = tk[i].previous;
    }
    struct xt_hot_params p;
    xt_hot_params_init(&p);
    struct xt_hot_cluster *cl = NULL;
    size_t ncl = 0;
    rc = xt_hot_cluster(items, n, &p, &cl, &ncl, &r->err);
    if (!rc) {
        struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
        char period[24];
        snprintf(period, sizeof(period), "%04d-%02d", month / 100 % 10000, month % 100);
        json_object_object_add(o, "unit", json_object_new_string(unit));
        json_object_object_add(o, "period", json_object_new_string(period));
        size_t cur = 0;
        for (size_t i = 0; i < n; i++)
            cur += !tk[i].previous;
        json_object_object_add(o, "tickets", json_object_new_int64((int64_t)cur));
        for (size_t i = 0; i < ncl && i < (size_t)top; i++) {
            const struct xt_hot_cluster *c = &cl[i];
            struct json_object *x = json_object_new_object(), *mem = json_object_new_array();
            json_object_object_add(x, "rank", json_object_new_int((int)i + 1));
            json_object_object_add(x, "title",
                                   json_object_new_string(tk[c->representative].text));
            json_object_object_add(x, "size", json_object_new_int64((int64_t)c->n));
            json_object_object_add(x, "previous", json_object_new_int64((int64_t)c->n_prev));
            json_object_object_add(x, "growth",
                                   json_object_new_int64((int64_t)c->n - (int64_t)c->n_prev));
            json_object_object_add(x, "support", json_object_new_int64(c->support));
            json_object_object_add(x, "grids", json_object_new_int(c->places));
            json_object_object_add(x, "score",
                                   json_object_new_double((double)(long)(c->score * 10) / 10));
            for (size_t q = 0; q < c->n && q < 50; q++)
                json_object_array_add(mem, json_object_new_string(tk[c->members[q]].number));
            json_object_object_add(x, "tickets", mem);
            json_object_array_add(arr, x);
        }
        json_object_object_add(o, "issues", arr);
        rc = xt_reply(r, 200, o);
    }
    xt_hot_clusters_free(cl, ncl);
    free(items);
    xt_store_hot_tickets_free(tk, n);
    return rc;
}
