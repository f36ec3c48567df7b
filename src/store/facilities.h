/* facilities.h - public-service facilities as stored records (服务设施):
 * schools, clinics, elderly-care centres ... with type, capacity, location
 * and unit.
 *
 * Facilities are public infrastructure, not personal data: every staff
 * role reads all of them; admin, command centre and county departments
 * write them (the route table says so), and every write is audited.
 * Imports (from OSM or CSV) are all or nothing and keyed by (source,
 * source_ref), so importing the same file again updates rather than
 * duplicates.
 */
#ifndef XT_STORE_FACILITIES_H
#define XT_STORE_FACILITIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "core/accessplan.h"
#include "core/unit.h"
#include "lib/err.h"
#include "store/store.h"

struct xt_facility {
    int64_t id;
    int type; /* enum xt_facility_type */
    char name[256];
    bool has_capacity;
    double capacity; /* places, beds, seats ... as the type counts them */
    double lat, lon;
    char unit[XT_CODE_MAX]; /* "" when not assigned */
    char source[16];        /* "manual", "osm", "csv" */
    char source_ref[64];    /* e.g. "w123456" for an OSM way; "" for manual */
    int64_t created_at, updated_at;
};

/* Check the fields a caller supplies (type, name, capacity, lat, lon,
 * unit shape); err names the field. The unit's existence is checked by
 * the store functions. */
int xt_facility_check(const struct xt_facility *f, struct xt_error *err);

/* Create: f->id is set. Update: every field of f replaces the stored one
 * (XT_ENOTFOUND when f->id does not exist). Delete by id. */
int xt_store_facility_create(struct xt_store *s, const struct xt_actor *actor,
                             struct xt_facility *f, struct xt_error *err);
int xt_store_facility_update(struct xt_store *s, const struct xt_actor *actor,
                             struct xt_facility *f, struct xt_error *err);
int xt_store_facility_delete(struct xt_store *s, const struct xt_actor *actor, int64_t id,
                             struct xt_error *err);
int xt_store_facility_get(struct xt_store *s, int64_t id, struct xt_facility *f);
/* Calls fn for each facility of type (-1: all) whose unit lies within
 * unit ("" or NULL: all), by id; fn returns non-zero to stop. */
int xt_store_facility_list(struct xt_store *s, int type, const char *unit,
                           int (*fn)(void *ctx, const struct xt_facility *f), void *ctx);
/* Insert or update n facilities (each with source and source_ref) in one
 * transaction, audited once. */
int xt_store_facility_import(struct xt_store *s, const struct xt_actor *actor,
                             const struct xt_facility *fs, size_t n, long *inserted, long *updated,
                             struct xt_error *err);

/* Places for the access reports: the units at level (village or grid)
 * within a unit ("" for all) that have a point, with their population.
 * vulnerable is -1 for every place: this is the hook where a people
 * registry, when present, fills the count of vulnerable residents (elderly
 * living alone, disabled, left-behind children) per place. *out is the
 * caller's (free()). */
int xt_store_plan_places(struct xt_store *s, const char *within, int level,
                         struct xt_plan_place **out, size_t *n);
/* Every stored facility (type -1) or those of a type; *out is the
 * caller's (free()). */
int xt_store_plan_facilities(struct xt_store *s, int type, struct xt_plan_fac **out, size_t *n);
/* Where the data directory keeps its road network: DIR/roads.xtr. */
int xt_store_roads_path(struct xt_store *s, char *buf, size_t size);

#endif
