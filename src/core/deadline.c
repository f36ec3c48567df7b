/* deadline.c - sign-for and resolution deadlines from the calendar. */
#include "core/deadline.h"
#include "core/reqtype.h"

int xt_deadlines_compute(const struct xt_calendar *cal, int64_t from, int type, bool urgent,
                         const struct xt_deadline_rule *category_rule, struct xt_deadlines *out)
{
    if (!cal || !out || type < 0 || type >= XT_TYPE_COUNT)
        return XT_EINVAL;
    if (urgent) {
        out->sign_by = from + XT_URGENT_SIGN_SECONDS;
        out->resolve_by = from + XT_URGENT_RESOLVE_SECONDS;
        return 0;
    }
    int sign_minutes = XT_SIGN_WORK_MINUTES;
    int resolve_days = xt_reqtype_default_days(type);
    if (category_rule && category_rule->sign_minutes > 0)
        sign_minutes = category_rule->sign_minutes;
    if (category_rule && category_rule->resolve_days > 0)
        resolve_days = category_rule->resolve_days;
    out->sign_by = xt_calendar_add_work_minutes(cal, from, sign_minutes);
    out->resolve_by = xt_calendar_add_work_days(cal, from, resolve_days);
    return 0;
}

int64_t xt_deadline_extend(const struct xt_calendar *cal, int64_t resolve_by, int days)
{
    if (days <= 0)
        return resolve_by;
    return xt_calendar_add_work_days(cal, resolve_by, days);
}
