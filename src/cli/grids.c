/* grids.c - demo grids (网格) and positions for the counties of a region.
 *
 * Village positions and boundaries are not public. For each county in the
 * seats file this sizes the grids of every village from the county's 2020
 * census figures (core/gridplan) and generates positions and polygons
 * around the real county seat (core/demogeo). Everything generated is
 * marked as such in data/README.md. */
#include "cli/cli_int.h"
#include "core/demogeo.h"
#include "core/gridplan.h"
#include "lib/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_list {
    struct xt_unit *u;
    size_t n, cap;
};

static int collect(void *ctx, const struct xt_unit *u)
{
    struct unit_list *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct xt_unit *p = realloc(l->u, cap * sizeof(*p));
        if (!p)
            return XT_ENOMEM;
        l->u = p;
        l->cap = cap;
    }
    l->u[l->n++] = *u;
    return 0;
}

static struct xt_unit *find_unit(struct unit_list *l, const char *code)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->u[i].code, code) == 0)
            return &l->u[i];
    return NULL;
}

static int make_county(struct xt_store *s, const char *code, double lat, double lon, double radius,
                       unsigned long long seed, long *n_grids, struct xt_error *err)
{
    struct xt_census cz;
    if (xt_store_census(s, code, &cz))
        return xt_error_set(err, XT_ENOTFOUND, "census", "no 2020 census row for county '%s'",
                            code);
    struct unit_list towns = {0}, vills = {0};
    int rc = xt_store_units_at_level(s, code, XT_LEVEL_TOWNSHIP, collect, &towns);
    if (!rc)
        rc = xt_store_units_at_level(s, code, XT_LEVEL_VILLAGE, collect, &vills);
    if (!rc)
        rc = xt_store_unit_get(s, code, &(struct xt_unit){0}) ? XT_ENOTFOUND : 0;
    if (rc || towns.n == 0) {
        free(towns.u);
        free(vills.u);
        return xt_error_set(err, XT_ENOTFOUND, "divisions", "county '%s' has no townships", code);
    }
    int n_urban = 0, n_rural = 0;
    for (size_t i = 0; i < vills.n; i++)
        if (vills.u[i].kind == XT_KIND_URBAN)
            n_urban++;
        else
            n_rural++;
    int64_t urban_pop, rural_pop;
    double hs = cz.household_size > 0 ? cz.household_size : XT_GRIDPLAN_DEFAULT_HOUSEHOLD_SIZE;
    xt_gridplan_county(cz.population, hs, cz.urban, n_urban, n_rural, &urban_pop, &rural_pop);

    struct xt_demogeo_township *dt = calloc(towns.n, sizeof(*dt));
    struct xt_demogeo_village *dv = calloc(vills.n ? vills.n : 1, sizeof(*dv));
    if (!dt || !dv) {
        rc = XT_ENOMEM;
        goto out;
    }
    size_t vi = 0;
    for (size_t t = 0; t < towns.n; t++) {
        dt[t].code = towns.u[t].code;
        dt[t].villages = &dv[vi];
        for (size_t v = 0; v < vills.n; v++) {
            struct xt_unit *u = &vills.u[v];
            if (strncmp(u->code, towns.u[t].code, 9) != 0)
                continue;
            u->population = u->kind == XT_KIND_URBAN ? urban_pop : rural_pop;
            u->households = xt_gridplan_households(u->population, hs);
            dv[vi].code = u->code;
            dv[vi].grids = xt_gridplan_grids(u->households, u->kind);
            vi++;
            dt[t].n_villages++;
        }
    }
    struct xt_demogeo_county dc = {code, lat, lon, radius, dt, towns.n};
    struct xt_demogeo_unit *gen = NULL;
    size_t n_gen = 0;
    if ((rc = xt_demogeo_generate(&dc, seed, &gen, &n_gen, err)))
        goto out;
    struct xt_unit *units = calloc(n_gen, sizeof(*units));
    char **polys = calloc(n_gen, sizeof(*polys));
    if (!units || !polys) {
        free(units);
        free(polys);
        xt_demogeo_free(gen, n_gen);
        rc = XT_ENOMEM;
        goto out;
    }
    size_t k = 0;
    struct xt_unit county;
    xt_store_unit_get(s, code, &county);
    for (size_t i = 0; i < n_gen; i++) {
        struct xt_unit *u = &units[k];
        const struct xt_demogeo_unit *g = &gen[i];
        struct xt_unit *known = g->level == XT_LEVEL_TOWNSHIP  ? find_unit(&towns, g->code)
                                : g->level == XT_LEVEL_VILLAGE ? find_unit(&vills, g->code)
                                : g->level == XT_LEVEL_COUNTY  ? &county
                                                               : NULL;
        if (known) {
            *u = *known;
        } else if (g->level == XT_LEVEL_GRID) {
            char vcode[XT_CODE_MAX];
            snprintf(vcode, sizeof(vcode), "%.12s", g->code);
            struct xt_unit *village = find_unit(&vills, vcode);
            memset(u, 0, sizeof(*u));
            snprintf(u->code, sizeof(u->code), "%s", g->code);
            snprintf(u->parent, sizeof(u->parent), "%s", vcode);
            snprintf(u->name, sizeof(u->name), "%.70s第%d网格", village ? village->name : vcode,
                     (int)strtol(g->code + 12, NULL, 10));
            u->level = XT_LEVEL_GRID;
            u->kind = village ? village->kind : XT_KIND_RURAL;
            if (village) {
                int grids = xt_gridplan_grids(village->households, village->kind);
                u->households = village->households / (grids ? grids : 1);
                u->population = village->population / (grids ? grids : 1);
            }
            (*n_grids)++;
        } else {
            continue;
        }
        u->has_point = true;
        u->lat = g->lat;
        u->lon = g->lon;
        polys[k] = g->polygon_geojson;
        k++;
    }
    rc = xt_store_put_units(s, units, polys, k, err);
    free(units);
    free(polys);
    xt_demogeo_free(gen, n_gen);
out:
    free(dt);
    free(dv);
    free(towns.u);
    free(vills.u);
    return rc;
}

int xt_cli_make_grids(struct xt_store *s, const char *seats, const char *prefix,
                      unsigned long long seed, bool quiet)
{
    struct xt_csv csv;
    if (xt_csv_open(&csv, seats)) {
        fprintf(stderr, "xietong: grids: cannot open '%s'\n", seats);
        return 1;
    }
    int rc = xt_csv_next(&csv);
    int ic = xt_csv_index(&csv, "code"), ilat = xt_csv_index(&csv, "lat");
    int ilon = xt_csv_index(&csv, "lon"), ir = xt_csv_index(&csv, "radius_km");
    if (rc != 1 || ic < 0 || ilat < 0 || ilon < 0 || ir < 0) {
        fprintf(stderr, "xietong: grids: '%s' needs columns code,lat,lon,radius_km\n", seats);
        xt_csv_close(&csv);
        return 1;
    }
    long grids = 0;
    int counties = 0;
    struct xt_error err;
    xt_error_clear(&err);
    while ((rc = xt_csv_next(&csv)) == 1) {
        const char *code = csv.field[ic];
        if (!xt_unit_within(code, prefix))
            continue;
        char *e1, *e2, *e3;
        double lat = strtod(csv.field[ilat], &e1), lon = strtod(csv.field[ilon], &e2);
        double radius = strtod(csv.field[ir], &e3);
        if (*e1 || *e2 || *e3) {
            fprintf(stderr, "xietong: grids: line %ld: bad number\n", csv.line);
            rc = -1;
            break;
        }
        if ((rc = make_county(s, code, lat, lon, radius, seed, &grids, &err))) {
            xt_cli_error("grids", &err);
            break;
        }
        counties++;
    }
    xt_csv_close(&csv);
    if (rc < 0)
        return 1;
    struct xt_error rerr;
    if (xt_store_reload(s, &rerr)) {
        xt_cli_error("reload", &rerr);
        return 1;
    }
    if (!quiet)
        printf("generated %ld demo grids with positions and polygons in %d counties\n", grids,
               counties);
    return 0;
}

int xt_cli_grids(const struct xt_opts *o)
{
    const char *seats = xt_opt(o, "seats", NULL);
    if (!seats) {
        fprintf(stderr, "xietong: grids: --seats FILE is required\n");
        return 2;
    }
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    int rc = xt_cli_make_grids(s, seats, xt_opt(o, "prefix", ""),
                               strtoull(xt_opt(o, "seed", "2020"), NULL, 10), false);
    xt_store_close(s);
    return rc;
}
