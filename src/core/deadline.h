/* deadline.h - the deadline policy: when a ticket must be signed for (签收)
 * and resolved (办结).
 *
 * DESIGN fixes the defaults: sign within 2 working hours of dispatch; resolve
 * within the request type's working days (咨询 1, 求助 3, 投诉 10, 举报 10,
 * 建议 15, see reqtype.h); an urgent (紧急) ticket is signed within 30
 * minutes and resolved within 24 hours by the clock, holidays or not. A
 * category may override the sign-for minutes and the resolution days of
 * non-urgent tickets.
 *
 * Working time is counted on a calendar (calendar.h), which every function
 * here borrows and does not modify.
 */
#ifndef XT_DEADLINE_H
#define XT_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"

/* Default sign-for (签收) deadline in office minutes: 2 working hours. */
#define XT_SIGN_WORK_MINUTES 120
/* Urgent (紧急) tickets count clock time, because an emergency does not wait
 * for office hours. */
#define XT_URGENT_SIGN_SECONDS (30 * 60)
#define XT_URGENT_RESOLVE_SECONDS (24 * 3600)

/* A category's overrides; a field <= 0 keeps the default. */
struct xt_deadline_rule {
    int sign_minutes; /* office minutes to sign for */
    int resolve_days; /* working days to resolve */
};

struct xt_deadlines {
    int64_t sign_by;    /* 签收 deadline */
    int64_t resolve_by; /* 办结 deadline */
};

/* The deadlines of a ticket of request type `type` (enum xt_reqtype)
 * dispatched at from. Non-urgent: sign_by is from plus sign_minutes of
 * office time (xt_calendar_add_work_minutes) and resolve_by is the end of the
 * resolve_days-th working day after from's day (xt_calendar_add_work_days).
 * Urgent: from + 30 minutes and from + 24 hours; category_rule is ignored.
 * category_rule may be NULL. Returns 0, or XT_EINVAL for an unknown type or a
 * NULL cal or out, in which case *out is unchanged. */
int xt_deadlines_compute(const struct xt_calendar *cal, int64_t from, int type, bool urgent,
                         const struct xt_deadline_rule *category_rule, struct xt_deadlines *out);

/* The resolution deadline after an approved extension (延期) of `days`
 * working days, counted from the old deadline's local day: the end of office
 * hours on the days-th working day after it. days <= 0 returns resolve_by
 * unchanged. */
int64_t xt_deadline_extend(const struct xt_calendar *cal, int64_t resolve_by, int days);

#endif
