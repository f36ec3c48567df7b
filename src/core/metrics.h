/* metrics.h - the three rates (三率) and the ranking.
 *
 * The unit of account is the assignment: one dispatch of a ticket to a
 * handling unit (派单). A ticket dispatched to A, returned and dispatched to
 * B counts once for A (with a return) and once for B. A reopened ticket
 * starts a new assignment marked as a repeat request. Rates of a unit and a
 * period are over the assignments dispatched to the unit in the period:
 *
 *   response     = signed before the sign-for deadline / dispatched
 *   resolution   = confirmed resolved at callback / called back
 *   satisfaction = (satisfied + 0.5 x basically) / called back
 *   composite    = 0.30 response + 0.35 resolution + 0.35 satisfaction
 *
 * "Called back" excludes callbacks that could not reach the requester. A
 * rate whose denominator is zero is undefined (NaN), shown as null, and a
 * composite with an undefined part is undefined too.
 */
#ifndef XT_METRICS_H
#define XT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/unit.h"

/* One assignment as the store reads it. */
struct xt_assignment {
    char unit[XT_CODE_MAX];
    int64_t dispatched_at;
    int64_t sign_by, signed_at;     /* signed_at 0 when never signed */
    int64_t resolve_by, replied_at; /* replied_at 0 when not replied */
    bool returned;
    bool called_back; /* a callback reached the requester */
    int resolved;     /* 1 confirmed resolved, 0 not, -1 no callback */
    int satisfaction; /* enum xt_satisfaction */
    bool repeat;      /* created by reopening (重办) */
    bool proactive;   /* the ticket was found by a grid worker */
};

struct xt_rate_weights {
    double response, resolution, satisfaction;
};

struct xt_rates {
    char unit[XT_CODE_MAX];
    long dispatched, signed_on_time, called_back, resolved, satisfied, basically;
    long replied_on_time, returned, repeat, proactive;
    double response, resolution, satisfaction, composite;
    double on_time, return_rate, repeat_rate, proactive_share;
};

/* DESIGN's weights: 0.30, 0.35, 0.35. */
struct xt_rate_weights xt_rate_weights_default(void);

void xt_rates_init(struct xt_rates *r, const char *unit);
void xt_rates_add(struct xt_rates *r, const struct xt_assignment *a);
/* Compute the ratios from the counts. */
void xt_rates_finish(struct xt_rates *r, const struct xt_rate_weights *w);

/* Sort for the monthly ranking: composite descending (undefined last),
 * then more dispatched first, then code. Assigns rank 1..n in rank[]
 * (ties on composite share a rank). */
void xt_rates_rank(struct xt_rates *rates, size_t n, int *rank);

#endif
