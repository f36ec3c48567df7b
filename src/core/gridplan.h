/* gridplan.h - how many grids (网格) each village or community gets, sized
 * from the 2020 census (第七次全国人口普查) figures of its county, for the
 * demo region and for counties that have not drawn their grids yet.
 *
 * Rules (after the common practice of the 网格化管理 guidelines: an urban
 * grid covers 300-500 households, a rural grid a natural village or about
 * 200 households):
 * - an urban community (XT_KIND_URBAN) gets one grid per 300 households, a
 *   rural village (XT_KIND_RURAL, or any other kind) one per 200, rounded
 *   to the nearest whole grid, at least 1 and at most 20;
 * - the census population of the county is split into its urban
 *   population (城镇人口) and the rest; the urban part goes evenly to the
 *   urban communities and the rest evenly to the rural villages;
 * - the census counts as urban everyone living in a town, including the
 *   村委会 areas of the township seats, so a county with few communities
 *   may report more urban people than they hold: a community takes at most
 *   6,000 households (20 grids of 300) of people, and the urban population
 *   beyond that lives in the rural villages;
 * - a county without urban communities puts everyone in its rural
 *   villages, and one without rural villages everyone in its communities,
 *   whatever the cap.
 * Nothing here fails: out-of-range inputs are clamped as each function
 * says.
 */
#ifndef XT_GRIDPLAN_H
#define XT_GRIDPLAN_H

#include <stdint.h>

#include "core/unit.h"

#define XT_GRIDPLAN_URBAN_HOUSEHOLDS 300 /* households per urban grid */
#define XT_GRIDPLAN_RURAL_HOUSEHOLDS 200 /* households per rural grid */
#define XT_GRIDPLAN_MAX_GRIDS 20
/* Average household size (平均家庭户规模) of the 2020 census, nationwide;
 * used when a county's own figure is missing. */
#define XT_GRIDPLAN_DEFAULT_HOUSEHOLD_SIZE 2.62

/* Grids for a village of village_households households and kind (enum
 * xt_unit_kind): round(households / target), clamped to
 * 1..XT_GRIDPLAN_MAX_GRIDS. Zero or negative households give 1. */
int xt_gridplan_grids(int64_t village_households, int kind);

/* Spread the county's census population over its villages by the rules
 * above. county_pop and urban_pop are clamped to 0..; urban_pop to at most
 * county_pop; household_size (persons per household) outside 1..10 or NaN
 * becomes XT_GRIDPLAN_DEFAULT_HOUSEHOLD_SIZE; negative village counts are
 * 0. *urban_village_pop receives the population of each urban community,
 * *rural_village_pop that of each rural village (rounded down; 0 when the
 * county has none of that kind). Either output may be NULL. */
void xt_gridplan_county(int64_t county_pop, double household_size, int64_t urban_pop,
                        int n_urban_villages, int n_rural_villages, int64_t *urban_village_pop,
                        int64_t *rural_village_pop);

/* Households of a village of pop people: round(pop / household_size), at
 * least 1 when pop > 0, with household_size clamped as above. */
int64_t xt_gridplan_households(int64_t pop, double household_size);

#endif
