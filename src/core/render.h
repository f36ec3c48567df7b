/* render.h - domain objects as JSON (json-c), shared by the HTTP API and
 * the CLI so both print the same shape (DESIGN, "API shape").
 *
 * Every function returns a new json_object owned by the caller (release it
 * with json_object_put), or NULL when out of memory. Names are looked up
 * through the callback so that core needs no store. */
#ifndef XT_RENDER_H
#define XT_RENDER_H

#include <json-c/json.h>

#include "core/metrics.h"
#include "core/routing.h"
#include "core/ticket.h"
#include "core/unit.h"

/* Resolve a unit code to its name; returns NULL when unknown. */
typedef const char *(*xt_name_fn)(void *ctx, const char *code);

struct xt_render_ctx {
    xt_name_fn unit_name;
    void *ctx;
    const struct xt_routing *routing;
};

/* contact_name/phone may be NULL (no contact), and are printed as given
 * (the caller decides whether they are masked). suggestion fields may be
 * NULL. */
struct json_object *xt_render_ticket(const struct xt_render_ctx *rc, const struct xt_ticket *t,
                                     const char *contact_name, const char *contact_phone,
                                     bool contact_masked, int64_t now);
struct json_object *xt_render_unit(const struct xt_unit *u);
struct json_object *xt_render_rates(const struct xt_render_ctx *rc, const struct xt_rates *r,
                                    int month);
/* A time as RFC 3339 with +08:00, or JSON null for 0. */
struct json_object *xt_render_time(int64_t t);
/* A ratio rounded to 4 places, or JSON null for NaN. */
struct json_object *xt_render_ratio(double v);

#endif
