/* accessplan.h - the planner's reports on access to public services
 * (服务半径), built from a road network, places (villages, grids) and
 * facilities, as JSON and GeoJSON for the API, the CLI and the map.
 *
 * Reports (each returns a new json_object owned by the caller):
 * - travel:   GeoJSON; every place with its minutes to the nearest facility
 *             of a type by a mode, its time band (for colouring), whether it
 *             meets the service standard; plus the facilities.
 * - coverage: population within and beyond the standard, in all and per
 *             township; the places out of reach (beyond the standard or not
 *             connected) with their population and vulnerable residents,
 *             also as a GeoJSON layer ("gaps").
 * - scores:   2SFCA and E2SFCA per place, population-weighted per township.
 * - site:     k new facilities among candidate places (every place by
 *             default), MCLP (population newly within the standard) or
 *             p-median (population-weighted minutes), existing facilities
 *             of the type fixed; proposed sites as GeoJSON with value, bound
 *             and gap, and the exact GLPK optimum when asked and small.
 *             Capacities: existing facilities of the type that have one
 *             are open sites serving at most that many people, candidates
 *             serve at most candidate_capacity when it is >= 0; a place's
 *             population may be split between sites (see siting.h). Each
 *             proposed site reports the population assigned to it and
 *             whether its capacity binds.
 *
 * Vulnerable residents: xt_plan_place.vulnerable is -1 when no people
 * registry is present; a registry fills it per place (the hook) and the
 * reports then add it up.
 */
#ifndef XT_ACCESSPLAN_H
#define XT_ACCESSPLAN_H

#include <json-c/json.h>
#include <stdbool.h>

#include "core/facility.h"
#include "core/reach.h"
#include "core/render.h"
#include "core/unit.h"

struct xt_plan_place {
    char code[XT_CODE_MAX];
    char name[256];
    int level;
    double lat, lon;
    double population;
    double vulnerable; /* -1: unknown (no people registry) */
};

struct xt_plan_fac {
    int64_t id;
    int type;
    char name[256];
    double lat, lon;
    bool has_capacity;
    double capacity;
};

struct xt_plan_input {
    const struct xt_plan_place *places;
    size_t n_places;
    const struct xt_plan_fac *fac;
    size_t n_fac;
    const struct xt_standards *standards;
    bool generated_network; /* say so in every report */
    xt_name_fn unit_name;   /* township names in the reports; may be NULL */
    void *name_ctx;
};

/* Mode by name ("car", "foot"); -1 when unknown. */
int xt_plan_mode_parse(const char *name);
const char *xt_plan_mode_name(int mode);

int xt_plan_travel(struct xt_reach *r, const struct xt_plan_input *in, int type, int mode,
                   struct json_object **out);
int xt_plan_coverage(struct xt_reach *r, const struct xt_plan_input *in, int type, int mode,
                     struct json_object **out);
int xt_plan_scores(struct xt_reach *r, const struct xt_plan_input *in, int type, int mode,
                   struct json_object **out);
/* Travel-time bands along the roads: GeoJSON LineStrings of the road
 * segments around the places (their bounding box plus 2 km), each with the
 * band of its slower end's time to the nearest facility of the type. On a
 * network of more than 20,000 edges only roads of class tertiary and above
 * (and generated roads) are drawn, to keep the layer small. */
int xt_plan_bands(struct xt_reach *r, const struct xt_plan_input *in, int type, int mode,
                  struct json_object **out);

enum xt_plan_objective {
    XT_PLAN_MCLP = 0,
    XT_PLAN_PMEDIAN = 1,
};
struct xt_plan_site_opts {
    int type, mode, objective;
    size_t k;
    bool exact; /* also solve with GLPK (refused when too big) */
    double candidate_capacity; /* people a new site can serve; < 0: no limit */
    bool ignore_existing_capacity; /* existing facilities serve without limit */
};
int xt_plan_site(struct xt_reach *r, const struct xt_plan_input *in,
                 const struct xt_plan_site_opts *o, struct json_object **out, struct xt_error *err);

#endif
