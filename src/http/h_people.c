/* h_people.c - residents, conflicts, list imports and the needs basis
 * (一网整合). Masking and scopes are applied by the store (store/people.h). */
#include "http/server.h"
#include "lib/xtime.h"
#include "store/people.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int id_param(struct xt_req *r, int i, const char *field, int64_t *out)
{
    char *end;
    long long v = strtoll(r->params[i], &end, 10);
    if (*end || v <= 0)
        return xt_error_set(&r->err, XT_EINVAL, field, "must be a positive integer");
    *out = v;
    return 0;
}

static int bool_query(struct xt_req *r, const char *name, bool *out)
{
    const char *v = xt_req_query(r, name);
    *out = false;
    if (!v)
        return 0;
    if (strcmp(v, "true") && strcmp(v, "false"))
        return xt_error_set(&r->err, XT_EINVAL, name, "must be true or false");
    *out = strcmp(v, "true") == 0;
    return 0;
}

int xt_h_people_list(struct xt_req *r)
{
    const char *lim = xt_req_query(r, "limit"), *cur = xt_req_query(r, "cursor");
    long limit = 50, cursor = 0;
    char *end;
    if (lim && ((limit = strtol(lim, &end, 10)) < 1 || limit > 500 || *end))
        return xt_error_set(&r->err, XT_EINVAL, "limit", "must be 1..500");
    if (cur && ((cursor = strtol(cur, &end, 10)) < 0 || *end))
        return xt_error_set(&r->err, XT_EINVAL, "cursor", "must be a cursor from next_cursor");
    struct json_object *o;
    int rc = xt_store_people_list(r->store, &r->actor, xt_req_query(r, "unit"),
                                  xt_req_query(r, "tag"), cursor, (int)limit, &o, &r->err);
    return rc ? rc : xt_reply(r, 200, o);
}

int xt_h_people_get(struct xt_req *r)
{
    int64_t id = 0;
    bool reveal;
    int rc;
    if ((rc = id_param(r, 0, "id", &id)) || (rc = bool_query(r, "reveal", &reveal)))
        return rc;
    struct json_object *o;
    if ((rc = xt_store_people_get(r->store, &r->actor, id, reveal, r->now, &o, &r->err)))
        return rc;
    if (reveal)
        r->no_replay = true;
    return xt_reply(r, 200, o);
}

int xt_h_people_edit(struct xt_req *r)
{
    int64_t id = 0;
    int rc;
    struct json_object *body;
    if ((rc = id_param(r, 0, "id", &id)) || (rc = xt_req_json(r, &body)))
        return rc;
    struct xt_people_edit e = {0};
    if ((rc = xt_json_string(body, "phone", "phone", false, 40, &e.phone, &r->err)) ||
        (rc = xt_json_string(body, "address", "address", false, 255, &e.address, &r->err)) ||
        (rc = xt_json_string(body, "languages", "languages", false, 127, &e.languages,
                             &r->err)) ||
        (rc = xt_json_string(body, "relation", "relation", false, 31, &e.relation, &r->err)) ||
        (rc = xt_json_string(body, "tags", "tags", false, 500, &e.tags, &r->err)) ||
        (rc = xt_store_people_edit(r->store, &r->actor, id, &e, r->now, &r->err))) {
        json_object_put(body);
        return rc;
    }
    json_object_put(body);
    struct json_object *o;
    if ((rc = xt_store_people_get(r->store, &r->actor, id, false, r->now, &o, &r->err)))
        return rc;
    return xt_reply(r, 200, o);
}

int xt_h_people_resolve(struct xt_req *r)
{
    int64_t id = 0, cid = 0;
    int rc;
    struct json_object *body;
    if ((rc = id_param(r, 0, "id", &id)) || (rc = id_param(r, 1, "conflict", &cid)) ||
        (rc = xt_req_json(r, &body)))
        return rc;
    const char *source = "";
    if ((rc = xt_json_string(body, "source", "source", false, 80, &source, &r->err)) ||
        (rc = xt_store_people_resolve(r->store, &r->actor, id, cid, source, r->now, &r->err))) {
        json_object_put(body);
        return rc;
    }
    json_object_put(body);
    struct json_object *o;
    if ((rc = xt_store_people_get(r->store, &r->actor, id, false, r->now, &o, &r->err)))
        return rc;
    return xt_reply(r, 200, o);
}

/* {"source", "unit", "mapping": {field: column}, "csv": "text"} */
int xt_h_people_import(struct xt_req *r)
{
    struct json_object *body, *mapping = NULL;
    int rc;
    if ((rc = xt_req_json(r, &body)))
        return rc;
    const char *source = NULL, *unit = NULL, *csv = NULL, *name = "upload.csv";
    struct xt_people_mapping m = {0};
    if ((rc = xt_json_string(body, "source", "source", true, 32, &source, &r->err)) ||
        (rc = xt_json_string(body, "unit", "unit", true, 15, &unit, &r->err)) ||
        (rc = xt_json_string(body, "name", "name", false, 120, &name, &r->err)) ||
        (rc = xt_json_string(body, "csv", "csv", true, 32u << 20, &csv, &r->err)) ||
        (rc = xt_json_object(body, "mapping", "mapping", true, &mapping, &r->err))) {
        json_object_put(body);
        return rc;
    }
    json_object_object_foreach(mapping, field, col)
    {
        if (!json_object_is_type(col, json_type_string)) {
            json_object_put(body);
            return xt_error_set(&r->err, XT_EINVAL, "mapping", "'%.40s' must name a column",
                                field);
        }
        if ((rc = xt_people_mapping_add(&m, field, json_object_get_string(col), &r->err))) {
            json_object_put(body);
            return rc;
        }
    }
    struct xt_people_report rep;
    rc = xt_store_people_import_csv(r->store, &r->actor, csv, strlen(csv), name, &m, source, unit,
                                    r->now, &rep, &r->err);
    json_object_put(body);
    if (rc)
        return rc;
    struct json_object *o = xt_people_report_json(&rep);
    xt_people_report_release(&rep);
    return xt_reply(r, rep.repeat ? 200 : 201, o);
}

int xt_h_needs(struct xt_req *r)
{
    int month = xt_month_of(r->now);
    const char *p = xt_req_query(r, "period");
    if (p && strlen(p) == 4 && strspn(p, "0123456789") == 4)
        month = (int)strtol(p, NULL, 10) * 100;
    else if (p && xt_month_parse(p, &month))
        return xt_error_set(&r->err, XT_EINVAL, "period", "must be YYYY-MM or YYYY");
    struct json_object *o;
    int rc = xt_store_people_needs(r->store, &r->actor, xt_req_query(r, "unit"), month, &o,
                                   &r->err);
    return rc ? rc : xt_reply(r, 200, o);
}
