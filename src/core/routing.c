/* routing.c - categories and where their tickets go. */
#include "core/routing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void xt_routing_init(struct xt_routing *r)
{
    memset(r, 0, sizeof(*r));
}

int xt_routing_add_category(struct xt_routing *r, const struct xt_category *c)
{
    struct xt_category *p =
        realloc(r->categories, (r->n_categories + 1) * sizeof(*r->categories));
    if (!p)
        return XT_ENOMEM;
    r->categories = p;
    r->categories[r->n_categories++] = *c;
    return 0;
}

int xt_routing_add_department(struct xt_routing *r, const char *code, const char *key)
{
    struct xt_department *p =
        realloc(r->departments, (r->n_departments + 1) * sizeof(*r->departments));
    if (!p)
        return XT_ENOMEM;
    r->departments = p;
    struct xt_department *d = &r->departments[r->n_departments++];
    memset(d, 0, sizeof(*d));
    snprintf(d->code, sizeof(d->code), "%s", code);
    snprintf(d->key, sizeof(d->key), "%s", key);
    return 0;
}

void xt_routing_release(struct xt_routing *r)
{
    if (!r)
        return;
    free(r->categories);
    free(r->departments);
    xt_routing_init(r);
}

const struct xt_category *xt_routing_category(const struct xt_routing *r, const char *code)
{
    if (!code)
        return NULL;
    for (size_t i = 0; i < r->n_categories; i++)
        if (strcmp(r->categories[i].code, code) == 0)
            return &r->categories[i];
    return NULL;
}

int xt_routing_resolve(const struct xt_routing *r, const char *category, const char *location,
                       char out[XT_CODE_MAX], struct xt_error *err)
{
    const struct xt_category *c = xt_routing_category(r, category);
    if (!c)
        return xt_error_set(err, XT_EINVAL, "category", "unknown category '%s'",
                            category ? category : "");
    if (strcmp(c->route, XT_ROUTE_LOCAL) == 0) {
        if (!xt_unit_ancestor(location, XT_LEVEL_TOWNSHIP, out))
            return xt_error_set(err, XT_EINVAL, "location",
                                "'%s' lies above township level; choose a township or below",
                                location);
        return 0;
    }
    char county[XT_CODE_MAX];
    if (!xt_unit_ancestor(location, XT_LEVEL_COUNTY, county))
        return xt_error_set(err, XT_EINVAL, "location", "'%s' is not within a county", location);
    for (size_t i = 0; i < r->n_departments; i++) {
        const struct xt_department *d = &r->departments[i];
        if (strcmp(d->key, c->route) == 0 && strncmp(d->code, county, 6) == 0) {
            memcpy(out, d->code, XT_CODE_MAX);
            return 0;
        }
    }
    return xt_error_set(err, XT_ENOTFOUND, "category",
                        "county '%s' has no department for route '%s'", county, c->route);
}
