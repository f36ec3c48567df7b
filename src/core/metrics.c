/* metrics.c - the three rates from assignment rows. */
#include "core/metrics.h"
#include "core/ticket.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct xt_rate_weights xt_rate_weights_default(void)
{
    struct xt_rate_weights w = {0.30, 0.35, 0.35};
    return w;
}

void xt_rates_init(struct xt_rates *r, const char *unit)
{
    memset(r, 0, sizeof(*r));
    if (unit) {
        snprintf(r->unit, sizeof(r->unit), "%s", unit);
    }
}

void xt_rates_add(struct xt_rates *r, const struct xt_assignment *a)
{
    r->dispatched++;
    if (a->signed_at && a->signed_at <= a->sign_by)
        r->signed_on_time++;
    if (a->called_back) {
        r->called_back++;
        if (a->resolved == 1)
            r->resolved++;
        if (a->satisfaction == XT_SAT_SATISFIED)
            r->satisfied++;
        else if (a->satisfaction == XT_SAT_BASIC)
            r->basically++;
    }
    if (a->replied_at && a->replied_at <= a->resolve_by)
        r->replied_on_time++;
    if (a->returned)
        r->returned++;
    if (a->repeat)
        r->repeat++;
    if (a->proactive)
        r->proactive++;
}

static double ratio(double num, long den)
{
    return den > 0 ? num / (double)den : NAN;
}

void xt_rates_finish(struct xt_rates *r, const struct xt_rate_weights *w)
{
    r->response = ratio((double)r->signed_on_time, r->dispatched);
    r->resolution = ratio((double)r->resolved, r->called_back);
    r->satisfaction = ratio((double)r->satisfied + 0.5 * (double)r->basically, r->called_back);
    r->composite = w->response * r->response + w->resolution * r->resolution +
                   w->satisfaction * r->satisfaction;
    r->on_time = ratio((double)r->replied_on_time, r->dispatched);
    r->return_rate = ratio((double)r->returned, r->dispatched);
    r->repeat_rate = ratio((double)r->repeat, r->dispatched);
    r->proactive_share = ratio((double)r->proactive, r->dispatched);
}

static int cmp_rank(const void *pa, const void *pb)
{
    const struct xt_rates *a = pa, *b = pb;
    bool na = isnan(a->composite), nb = isnan(b->composite);
    if (na != nb)
        return na ? 1 : -1;
    /* The same tolerance as the ranks below, so that units whose
     * composites differ only by rounding are ordered by the tie-breaks. */
    if (!na && fabs(a->composite - b->composite) >= 1e-12)
        return a->composite > b->composite ? -1 : 1;
    if (a->dispatched != b->dispatched)
        return a->dispatched > b->dispatched ? -1 : 1;
    return strcmp(a->unit, b->unit);
}

void xt_rates_rank(struct xt_rates *rates, size_t n, int *rank)
{
    if (n == 0)
        return; /* rates may be NULL then, which qsort does not take */
    qsort(rates, n, sizeof(*rates), cmp_rank);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && !isnan(rates[i].composite) &&
            fabs(rates[i].composite - rates[i - 1].composite) < 1e-12)
            rank[i] = rank[i - 1];
        else
            rank[i] = (int)i + 1;
    }
}
