/* gridplan.c - grid counts from census figures. See gridplan.h for the
 * rules. */
#include "core/gridplan.h"

#include <math.h>

static double household_size_or_default(double household_size)
{
    if (!(household_size >= 1.0 && household_size <= 10.0))
        return XT_GRIDPLAN_DEFAULT_HOUSEHOLD_SIZE;
    return household_size;
}

int xt_gridplan_grids(int64_t village_households, int kind)
{
    if (village_households <= 0)
        return 1;
    int64_t target =
        kind == XT_KIND_URBAN ? XT_GRIDPLAN_URBAN_HOUSEHOLDS : XT_GRIDPLAN_RURAL_HOUSEHOLDS;
    /* Round half up in integers; the cap comes first so nothing overflows. */
    if (village_households > target * XT_GRIDPLAN_MAX_GRIDS)
        return XT_GRIDPLAN_MAX_GRIDS;
    int64_t grids = (village_households + target / 2) / target;
    if (grids < 1)
        return 1;
    return (int)grids;
}

int64_t xt_gridplan_households(int64_t pop, double household_size)
{
    if (pop <= 0)
        return 0;
    double hs = household_size_or_default(household_size);
    int64_t hh = (int64_t)llround((double)pop / hs);
    return hh < 1 ? 1 : hh;
}

void xt_gridplan_county(int64_t county_pop, double household_size, int64_t urban_pop,
                        int n_urban_villages, int n_rural_villages, int64_t *urban_village_pop,
                        int64_t *rural_village_pop)
{
    double hs = household_size_or_default(household_size);
    int64_t total = county_pop > 0 ? county_pop : 0;
    int64_t urban = urban_pop > 0 ? urban_pop : 0;
    if (urban > total)
        urban = total;
    int64_t n_urban = n_urban_villages > 0 ? n_urban_villages : 0;
    int64_t n_rural = n_rural_villages > 0 ? n_rural_villages : 0;

    int64_t in_communities;
    if (n_urban == 0) {
        in_communities = 0;
    } else if (n_rural == 0) {
        in_communities = total;
    } else {
        int64_t per_cap =
            (int64_t)floor((double)XT_GRIDPLAN_URBAN_HOUSEHOLDS * XT_GRIDPLAN_MAX_GRIDS * hs);
        in_communities = urban;
        if (in_communities / n_urban > per_cap)
            in_communities = per_cap * n_urban;
    }
    if (urban_village_pop)
        *urban_village_pop = n_urban ? in_communities / n_urban : 0;
    if (rural_village_pop)
        *rural_village_pop = n_rural ? (total - in_communities) / n_rural : 0;
}
