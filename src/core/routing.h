/* routing.h - the category taxonomy and the routing table (派单规则).
 *
 * Each category names where its tickets go: "local" (属地: the township of
 * the location) or the key of a county department ("housing", "education",
 * ...), which resolves to that department of the location's county. A
 * category may override the default deadlines of the request types.
 *
 * A struct xt_routing is built once from the store and then only read, so
 * several threads may use it at once.
 */
#ifndef XT_ROUTING_H
#define XT_ROUTING_H

#include <stddef.h>

#include "core/deadline.h"
#include "core/unit.h"
#include "lib/err.h"

#define XT_ROUTE_LOCAL "local"

struct xt_category {
    char code[32];
    char name[64];
    char parent[32];
    char route[32]; /* "local" or a department key */
    struct xt_deadline_rule rule; /* 0 fields mean the type's default */
};

struct xt_department {
    char code[XT_CODE_MAX]; /* "622921D03" */
    char key[32];           /* "housing" */
};

struct xt_routing {
    struct xt_category *categories;
    size_t n_categories;
    struct xt_department *departments;
    size_t n_departments;
};

void xt_routing_init(struct xt_routing *r);
int xt_routing_add_category(struct xt_routing *r, const struct xt_category *c);
int xt_routing_add_department(struct xt_routing *r, const char *code, const char *key);
void xt_routing_release(struct xt_routing *r);

/* The category with that code, or NULL. The pointer is valid as long as r. */
const struct xt_category *xt_routing_category(const struct xt_routing *r, const char *code);

/* The handling unit for a category at a location unit (a grid or village
 * code): its township for "local" routes, else the county's department
 * with the route's key. XT_EINVAL (field "category") for an unknown
 * category, XT_ENOTFOUND when the county has no such department. */
int xt_routing_resolve(const struct xt_routing *r, const char *category, const char *location,
                       char out[XT_CODE_MAX], struct xt_error *err);

#endif
