/* ticket.c - the ticket state machine as a table, and its checks. */
#include "core/ticket.h"
#include "core/reqtype.h"
#include "lib/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How the actor must stand to the ticket, beyond its role. */
enum relation {
    REL_SCOPE,     /* the ticket is visible to the actor */
    REL_HANDLER,   /* the actor's unit is the current handler */
    REL_COHANDLER, /* the actor's unit was summoned and has not reported in */
    REL_CALLBACK,  /* operator in scope, or the requester who filed it */
};

#define SAME_STATE (-1)

static const struct transition {
    const char *name;
    unsigned from; /* state mask; 0 = no ticket yet */
    int to;        /* SAME_STATE keeps the state */
    unsigned roles;
    int relation;
} table[XT_ACT_COUNT] = {
    [XT_ACT_CREATE] = {"create", 0, XT_ST_RECEIVED,
                       XT_R(XT_ROLE_RESIDENT) | XT_R(XT_ROLE_OPERATOR) | XT_R(XT_ROLE_COMMAND) |
                           XT_R(XT_ROLE_GRID) | XT_R(XT_ROLE_VILLAGE),
                       REL_SCOPE},
    [XT_ACT_HANDLE_ON_SPOT] = {"handle-on-spot", 0, XT_ST_REPLIED,
                               XT_R(XT_ROLE_GRID) | XT_R(XT_ROLE_VILLAGE), REL_SCOPE},
    [XT_ACT_DISPATCH] = {"dispatch", XT_S(XT_ST_RECEIVED) | XT_S(XT_ST_RETURNED),
                         XT_ST_DISPATCHED, XT_R(XT_ROLE_OPERATOR) | XT_R(XT_ROLE_COMMAND),
                         REL_SCOPE},
    [XT_ACT_SUB_DISPATCH] = {"sub-dispatch", XT_S(XT_ST_SIGNED), XT_ST_DISPATCHED,
                             XT_R(XT_ROLE_TOWNSHIP), REL_HANDLER},
    [XT_ACT_SIGN] = {"sign", XT_S(XT_ST_DISPATCHED), XT_ST_SIGNED,
                     XT_R(XT_ROLE_DEPARTMENT) | XT_R(XT_ROLE_TOWNSHIP) | XT_R(XT_ROLE_VILLAGE),
                     REL_HANDLER},
    [XT_ACT_RETURN] = {"return", XT_S(XT_ST_DISPATCHED) | XT_S(XT_ST_SIGNED), XT_ST_RETURNED,
                       XT_R(XT_ROLE_DEPARTMENT) | XT_R(XT_ROLE_TOWNSHIP) | XT_R(XT_ROLE_VILLAGE),
                       REL_HANDLER},
    [XT_ACT_ASK_EXTENSION] = {"ask-extension", XT_S(XT_ST_SIGNED), SAME_STATE,
                              XT_R(XT_ROLE_DEPARTMENT) | XT_R(XT_ROLE_TOWNSHIP) |
                                  XT_R(XT_ROLE_VILLAGE),
                              REL_HANDLER},
    [XT_ACT_DECIDE_EXTENSION] = {"decide-extension", XT_S(XT_ST_SIGNED), SAME_STATE,
                                 XT_R(XT_ROLE_OPERATOR) | XT_R(XT_ROLE_COMMAND), REL_SCOPE},
    [XT_ACT_WHISTLE] = {"whistle", XT_S(XT_ST_SIGNED), SAME_STATE, XT_R(XT_ROLE_TOWNSHIP),
                        REL_HANDLER},
    [XT_ACT_REPORT_IN] = {"report-in", XT_S(XT_ST_SIGNED), SAME_STATE,
                          XT_R(XT_ROLE_DEPARTMENT), REL_COHANDLER},
    [XT_ACT_REPLY] = {"reply", XT_S(XT_ST_SIGNED), XT_ST_REPLIED,
                      XT_R(XT_ROLE_DEPARTMENT) | XT_R(XT_ROLE_TOWNSHIP) | XT_R(XT_ROLE_VILLAGE),
                      REL_HANDLER},
    [XT_ACT_CALLBACK] = {"callback", XT_S(XT_ST_REPLIED), XT_ST_CLOSED,
                         XT_R(XT_ROLE_OPERATOR) | XT_R(XT_ROLE_RESIDENT), REL_CALLBACK},
    [XT_ACT_REOPEN] = {"reopen", XT_S(XT_ST_REPLIED) | XT_S(XT_ST_CLOSED), XT_ST_DISPATCHED,
                       XT_R(XT_ROLE_OPERATOR) | XT_R(XT_ROLE_RESIDENT), REL_CALLBACK},
    [XT_ACT_MERGE] = {"merge", XT_S(XT_ST_RECEIVED) | XT_S(XT_ST_DISPATCHED), XT_ST_MERGED,
                      XT_R(XT_ROLE_OPERATOR), REL_SCOPE},
    [XT_ACT_ESCALATE] = {"escalate", XT_S_OPEN, SAME_STATE,
                         XT_R(XT_ROLE_COMMAND) | XT_R(XT_ROLE_SYSTEM), REL_SCOPE},
};

static const char *state_names[XT_ST_COUNT] = {
    "received", "dispatched", "signed", "replied", "closed", "returned", "merged",
};

static const char *result_names[] = {NULL, "resolved", "explained", "unresolvable"};
static const char *sat_names[] = {NULL, "unsatisfied", "basically", "satisfied"};

static int parse_in(const char *const *names, int n, const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], s) == 0)
            return i;
    return -1;
}

const char *xt_state_name(int state)
{
    return state >= 0 && state < XT_ST_COUNT ? state_names[state] : NULL;
}

int xt_state_parse(const char *name)
{
    return parse_in(state_names, XT_ST_COUNT, name);
}

const char *xt_action_name(int action)
{
    return action >= 0 && action < XT_ACT_COUNT ? table[action].name : NULL;
}

int xt_action_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < XT_ACT_COUNT; i++)
        if (strcmp(table[i].name, name) == 0)
            return i;
    return -1;
}

const char *xt_result_name(int result)
{
    return result > 0 && result <= XT_RESULT_UNRESOLVABLE ? result_names[result] : NULL;
}

int xt_result_parse(const char *name)
{
    return parse_in(result_names, 4, name);
}

const char *xt_satisfaction_name(int sat)
{
    return sat > 0 && sat <= XT_SAT_SATISFIED ? sat_names[sat] : NULL;
}

int xt_satisfaction_parse(const char *name)
{
    return parse_in(sat_names, 4, name);
}

void xt_action_input_init(struct xt_action_input *in)
{
    memset(in, 0, sizeof(*in));
    in->approve = -1;
    in->resolved = -1;
    in->result = XT_RESULT_NONE;
}

void xt_ticket_init(struct xt_ticket *t)
{
    memset(t, 0, sizeof(*t));
    t->resolved = -1;
}

void xt_ticket_release(struct xt_ticket *t)
{
    if (!t)
        return;
    free(t->text);
    free(t->text_sig);
    free(t->address);
    free(t->reply);
    t->text = t->text_sig = t->address = t->reply = NULL;
}

bool xt_ticket_action_allowed(int action, int state, int role)
{
    if (action < 0 || action >= XT_ACT_COUNT || !xt_role_in(role, table[action].roles))
        return false;
    if (table[action].from == 0)
        return state < 0;
    return state >= 0 && state < XT_ST_COUNT && (table[action].from & XT_S(state));
}

static bool is_cohandler(const struct xt_ticket *t, const char *unit, bool pending_only)
{
    for (int i = 0; i < t->n_co; i++)
        if (strcmp(t->co[i].unit, unit) == 0 && (!pending_only || t->co[i].reported_at == 0))
            return true;
    return false;
}

bool xt_ticket_visible(const struct xt_ticket *t, const struct xt_actor *a)
{
    switch (a->role) {
    case XT_ROLE_SYSTEM:
        return true;
    case XT_ROLE_RESIDENT:
        return a->account_id != 0 && a->account_id == t->creator_id;
    case XT_ROLE_PROVIDER:
        return false;
    case XT_ROLE_DEPARTMENT:
        return strcmp(t->handler, a->scope) == 0 || strcmp(t->lead, a->scope) == 0 ||
               is_cohandler(t, a->scope, false);
    default:
        /* Staff with an area see what lies in it or is handled in it. */
        return xt_actor_covers(a, t->grid) || xt_actor_covers(a, t->lead) ||
               xt_actor_covers(a, t->handler) || (!*a->scope);
    }
}

static int check_text(const char *field, const char *s, size_t max_chars, bool required,
                      struct xt_error *err)
{
    if (!s || !*s) {
        if (required)
            return xt_error_set(err, XT_EINVAL, field, "is required");
        return 0;
    }
    size_t n = strlen(s);
    if (!xt_utf8_valid(s, n))
        return xt_error_set(err, XT_EINVAL, field, "is not valid UTF-8");
    if (required) {
        bool blank = true;
        for (size_t i = 0; i < n && blank;) {
            uint32_t cp;
            i += (size_t)xt_utf8_decode(s + i, &cp);
            blank = cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == 0xA0 ||
                    cp == 0x3000;
        }
        if (blank)
            return xt_error_set(err, XT_EINVAL, field, "must not be only white space");
    }
    if (xt_utf8_count(s, n) > max_chars)
        return xt_error_set(err, XT_EINVAL, field, "is longer than %zu characters", max_chars);
    return 0;
}

int xt_ticket_create(struct xt_ticket *t, const struct xt_actor *actor, const char *on_spot_reply,
                     int64_t now, struct xt_error *err)
{
    int action = on_spot_reply ? XT_ACT_HANDLE_ON_SPOT : XT_ACT_CREATE;
    if (!xt_role_in(actor->role, table[action].roles))
        return xt_error_set(err, XT_EPERM, "", "role '%s' may not %s a ticket",
                            xt_role_name(actor->role), table[action].name);
    int rc = check_text("text", t->text, XT_TEXT_MAX_CHARS, true, err);
    if (rc)
        return rc;
    if (!xt_reqtype_name(t->type))
        return xt_error_set(err, XT_EINVAL, "type", "unknown request type");
    if (!xt_channel_name(t->channel))
        return xt_error_set(err, XT_EINVAL, "channel", "unknown channel");
    if ((rc = check_text("location.address", t->address, 200, false, err)))
        return rc;
    if (t->has_point && (!isfinite(t->lat) || t->lat < -90 || t->lat > 90))
        return xt_error_set(err, XT_EINVAL, "location.lat", "latitude must be within -90..90");
    if (t->has_point && (!isfinite(t->lon) || t->lon < -180 || t->lon > 180))
        return xt_error_set(err, XT_EINVAL, "location.lon",
                            "longitude must be within -180..180");
    if (!*t->grid)
        return xt_error_set(err, XT_EINVAL, "location", "a location (point or unit) is required");
    if (actor->role != XT_ROLE_RESIDENT && !xt_actor_covers(actor, t->grid) && *actor->scope)
        return xt_error_set(err, XT_EPERM, "location.unit", "'%s' is outside your area",
                            t->grid);
    if (on_spot_reply && (rc = check_text("reply", on_spot_reply, 2000, true, err)))
        return rc;
    t->state = XT_ST_RECEIVED;
    t->created_at = t->updated_at = now;
    t->creator_id = actor->account_id;
    t->resolved = -1;
    if (on_spot_reply) {
        char *reply = strdup(on_spot_reply);
        if (!reply)
            return XT_ENOMEM;
        t->reply = reply;
        t->result = XT_RESULT_RESOLVED;
        t->state = XT_ST_REPLIED;
        t->replied_at = now;
        /* The handler is the village the grid lies in. */
        xt_unit_ancestor(t->grid, XT_LEVEL_VILLAGE, t->handler);
        if (!*t->handler)
            snprintf(t->handler, sizeof(t->handler), "%s", t->grid);
        snprintf(t->lead, sizeof(t->lead), "%s", t->handler);
    }
    return 0;
}

bool xt_ticket_overdue(const struct xt_ticket *t, int64_t now)
{
    if (!(XT_S(t->state) & XT_S_OPEN) || t->escalated)
        return false;
    if (t->state == XT_ST_DISPATCHED && t->signed_at == 0 && t->sign_by && now > t->sign_by)
        return true;
    return t->resolve_by && now > t->resolve_by;
}

static int check_relation(const struct xt_ticket *t, const struct transition *tr,
                          const struct xt_actor *a)
{
    switch (tr->relation) {
    case REL_HANDLER:
        return strcmp(a->scope, t->handler) == 0 ? 0 : XT_EPERM;
    case REL_COHANDLER:
        return is_cohandler(t, a->scope, true) ? 0 : XT_EPERM;
    case REL_CALLBACK:
        if (a->role == XT_ROLE_RESIDENT)
            return a->account_id != 0 && a->account_id == t->creator_id ? 0 : XT_EPERM;
        return 0;
    default:
        return 0;
    }
}

/* Dispatch targets: a township (属地) or a county department. */
static int check_dispatch_target(const char *unit, struct xt_error *err)
{
    int level = xt_unit_level_of_code(unit);
    if (level != XT_LEVEL_TOWNSHIP && level != XT_LEVEL_DEPARTMENT)
        return xt_error_set(err, XT_EINVAL, "handler",
                            "'%s' is not a township or county department code", unit);
    return 0;
}

static void set_note(struct xt_event *ev, const char *a, const char *b)
{
    snprintf(ev->note, sizeof(ev->note), "%s%s%s", a ? a : "", a && *a && b && *b ? ": " : "",
             b ? b : "");
}

static int dup_into(char **dst, const char *s)
{
    char *p = strdup(s);
    if (!p)
        return XT_ENOMEM;
    free(*dst);
    *dst = p;
    return 0;
}

/* Validate the input and compute everything before touching t, so that a
 * refusal leaves the ticket exactly as it was. */
int xt_ticket_apply(struct xt_ticket *t, int action, const struct xt_actor *a,
                    const struct xt_action_input *in, const struct xt_calendar *cal, int64_t now,
                    struct xt_event *ev, struct xt_error *err)
{
    if (action <= XT_ACT_HANDLE_ON_SPOT || action >= XT_ACT_COUNT)
        return xt_error_set(err, XT_EINVAL, "action", "unknown action");
    const struct transition *tr = &table[action];
    if (!xt_role_in(a->role, tr->roles))
        return xt_error_set(err, XT_EPERM, "", "role '%s' may not %s", xt_role_name(a->role),
                            tr->name);
    if (!xt_ticket_visible(t, a))
        return xt_error_set(err, XT_ENOTFOUND, "number", "no ticket '%s'", t->number);
    if (check_relation(t, tr, a))
        return xt_error_set(err, XT_EPERM, "", "only the %s may %s ticket '%s'",
                            tr->relation == REL_COHANDLER ? "summoned department"
                            : tr->relation == REL_CALLBACK ? "requester or an operator"
                                                           : "handling unit",
                            tr->name, t->number);
    if (!(tr->from & XT_S(t->state)))
        return xt_error_set(err, XT_ESTATE, "state", "cannot %s a ticket that is %s", tr->name,
                            state_names[t->state]);
    const char *note = in->note ? in->note : "";
    int rc = check_text("note", note, 1000, false, err);
    if (rc)
        return rc;

    memset(ev, 0, sizeof(*ev));
    ev->action = action;
    ev->from_state = t->state;
    ev->at = now;
    int to = tr->to == SAME_STATE ? t->state : tr->to;
    struct xt_deadlines dl = {0};

    switch (action) {
    case XT_ACT_DISPATCH:
        if ((rc = check_dispatch_target(in->unit, err)))
            return rc;
        if ((rc = xt_deadlines_compute(cal, now, t->type, t->urgent, in->rule, &dl)))
            return xt_error_set(err, rc, "type", "cannot compute deadlines");
        snprintf(t->lead, sizeof(t->lead), "%s", in->unit);
        snprintf(t->handler, sizeof(t->handler), "%s", in->unit);
        snprintf(ev->unit, sizeof(ev->unit), "%s", in->unit);
        t->sign_by = dl.sign_by;
        t->resolve_by = dl.resolve_by;
        t->dispatched_at = now;
        t->signed_at = 0;
        t->escalated = false;
        t->extension_pending = false;
        t->n_co = 0;
        set_note(ev, note, NULL);
        break;
    case XT_ACT_SUB_DISPATCH:
        if (xt_unit_level_of_code(in->unit) != XT_LEVEL_VILLAGE ||
            !xt_unit_within(in->unit, t->handler))
            return xt_error_set(err, XT_EINVAL, "handler",
                                "'%s' is not a village of township '%s'", in->unit, t->handler);
        if ((rc = xt_deadlines_compute(cal, now, t->type, t->urgent, in->rule, &dl)))
            return xt_error_set(err, rc, "type", "cannot compute deadlines");
        snprintf(t->handler, sizeof(t->handler), "%s", in->unit);
        snprintf(ev->unit, sizeof(ev->unit), "%s", in->unit);
        /* The village gets its own sign-for deadline; the resolution deadline
         * stays the township's, which remains accountable. */
        t->sign_by = dl.sign_by;
        set_note(ev, note, NULL);
        break;
    case XT_ACT_SIGN:
        if (strcmp(t->handler, t->lead) == 0 && t->signed_at == 0)
            t->signed_at = now;
        snprintf(ev->unit, sizeof(ev->unit), "%s", t->handler);
        set_note(ev, note, NULL);
        break;
    case XT_ACT_RETURN:
        if ((rc = check_text("reason", in->reason, 500, true, err)))
            return rc;
        snprintf(ev->unit, sizeof(ev->unit), "%s", t->handler);
        if (strcmp(t->handler, t->lead) != 0) {
            /* A village returns a sub-dispatched ticket to its township. */
            snprintf(t->handler, sizeof(t->handler), "%s", t->lead);
            to = XT_ST_SIGNED;
        } else {
            t->returns++;
        }
        set_note(ev, in->reason, note);
        break;
    case XT_ACT_ASK_EXTENSION:
        if (in->days < 1 || in->days > 30)
            return xt_error_set(err, XT_EINVAL, "days", "must be 1..30 working days");
        if ((rc = check_text("reason", in->reason, 500, true, err)))
            return rc;
        if (t->extension_pending)
            return xt_error_set(err, XT_ESTATE, "state", "an extension is already pending");
        if (now > t->resolve_by)
            return xt_error_set(err, XT_ESTATE, "state",
                                "an extension must be asked before the deadline");
        t->extension_pending = true;
        t->extension_days = in->days;
        snprintf(ev->note, sizeof(ev->note), "%d working days: %s", in->days, in->reason);
        break;
    case XT_ACT_DECIDE_EXTENSION:
        if (in->approve < 0)
            return xt_error_set(err, XT_EINVAL, "approve", "is required (true or false)");
        if (!t->extension_pending)
            return xt_error_set(err, XT_ESTATE, "state", "no extension is pending");
        t->extension_pending = false;
        if (in->approve) {
            t->resolve_by = xt_deadline_extend(cal, t->resolve_by, t->extension_days);
            snprintf(ev->note, sizeof(ev->note), "approved %d working days", t->extension_days);
        } else {
            set_note(ev, "refused", note);
        }
        break;
    case XT_ACT_WHISTLE: {
        if (xt_unit_level_of_code(t->handler) != XT_LEVEL_TOWNSHIP)
            return xt_error_set(err, XT_EPERM, "", "only a township may blow the whistle");
        if (in->n_units < 1)
            return xt_error_set(err, XT_EINVAL, "departments", "name at least one department");
        if (t->n_co + in->n_units > XT_MAX_COHANDLERS)
            return xt_error_set(err, XT_EINVAL, "departments", "at most %d co-handlers",
                                XT_MAX_COHANDLERS);
        char county[XT_CODE_MAX];
        xt_unit_ancestor(t->handler, XT_LEVEL_COUNTY, county);
        for (int i = 0; i < in->n_units; i++) {
            if (xt_unit_level_of_code(in->units[i]) != XT_LEVEL_DEPARTMENT ||
                !xt_unit_within(in->units[i], county))
                return xt_error_set(err, XT_EINVAL, "departments",
                                    "'%s' is not a department of county '%s'", in->units[i],
                                    county);
            if (is_cohandler(t, in->units[i], false))
                return xt_error_set(err, XT_EINVAL, "departments", "'%s' is already summoned",
                                    in->units[i]);
            for (int j = 0; j < i; j++)
                if (strcmp(in->units[i], in->units[j]) == 0)
                    return xt_error_set(err, XT_EINVAL, "departments", "'%s' is named twice",
                                        in->units[i]);
        }
        if ((rc = xt_deadlines_compute(cal, now, t->type, t->urgent, NULL, &dl)))
            return rc;
        for (int i = 0; i < in->n_units; i++) {
            struct xt_cohandler *c = &t->co[t->n_co++];
            snprintf(c->unit, sizeof(c->unit), "%s", in->units[i]);
            c->report_by = dl.sign_by;
            c->reported_at = 0;
        }
        size_t off = 0;
        for (int i = 0; i < in->n_units && off < sizeof(ev->note); i++)
            off += (size_t)snprintf(ev->note + off, sizeof(ev->note) - off, "%s%s", i ? "," : "",
                                    in->units[i]);
        break;
    }
    case XT_ACT_REPORT_IN:
        if ((rc = check_text("note", in->note, 1000, true, err)))
            return rc;
        for (int i = 0; i < t->n_co; i++)
            if (strcmp(t->co[i].unit, a->scope) == 0)
                t->co[i].reported_at = now;
        snprintf(ev->unit, sizeof(ev->unit), "%s", a->scope);
        set_note(ev, note, NULL);
        break;
    case XT_ACT_REPLY:
        if ((rc = check_text("reply", in->reply, 2000, true, err)))
            return rc;
        if (in->result < XT_RESULT_RESOLVED || in->result > XT_RESULT_UNRESOLVABLE)
            return xt_error_set(err, XT_EINVAL, "result",
                                "must be resolved, explained or unresolvable");
        if (in->result == XT_RESULT_UNRESOLVABLE &&
            (rc = check_text("reason", in->reason, 500, true, err)))
            return rc;
        if ((rc = dup_into(&t->reply, in->reply)))
            return rc;
        t->result = in->result;
        t->replied_at = now;
        t->extension_pending = false;
        snprintf(ev->unit, sizeof(ev->unit), "%s", t->handler);
        set_note(ev, xt_result_name(in->result), in->reason);
        break;
    case XT_ACT_CALLBACK:
        if (!in->unreachable) {
            if (in->resolved < 0)
                return xt_error_set(err, XT_EINVAL, "resolved", "is required (true or false)");
            if (in->satisfaction < XT_SAT_UNSATISFIED || in->satisfaction > XT_SAT_SATISFIED)
                return xt_error_set(err, XT_EINVAL, "satisfaction",
                                    "must be satisfied, basically or unsatisfied");
        }
        t->unreachable = in->unreachable;
        t->resolved = in->unreachable ? -1 : in->resolved;
        t->satisfaction = in->unreachable ? XT_SAT_NONE : in->satisfaction;
        t->closed_at = now;
        if (in->unreachable)
            set_note(ev, "unreachable", note);
        else
            snprintf(ev->note, sizeof(ev->note), "%s, %s%s%s",
                     in->resolved ? "resolved" : "unresolved",
                     xt_satisfaction_name(in->satisfaction), *note ? ": " : "", note);
        break;
    case XT_ACT_REOPEN:
        if (t->state == XT_ST_CLOSED && now - t->closed_at > (int64_t)XT_REOPEN_DAYS * 86400)
            return xt_error_set(err, XT_ESTATE, "state",
                                "a ticket can be reopened within %d days of closing",
                                XT_REOPEN_DAYS);
        if (!*t->lead || xt_unit_level_of_code(t->lead) == XT_LEVEL_VILLAGE) {
            /* Handled on the spot: nothing to send back to; the operator dispatches. */
            return xt_error_set(err, XT_ESTATE, "state",
                                "ticket '%s' was never dispatched; dispatch it instead",
                                t->number);
        }
        if ((rc = xt_deadlines_compute(cal, now, t->type, t->urgent, in->rule, &dl)))
            return rc;
        snprintf(t->handler, sizeof(t->handler), "%s", t->lead);
        snprintf(ev->unit, sizeof(ev->unit), "%s", t->lead);
        t->sign_by = dl.sign_by;
        t->resolve_by = dl.resolve_by;
        t->dispatched_at = now;
        t->signed_at = 0;
        t->replied_at = t->closed_at = 0;
        t->resolved = -1;
        t->satisfaction = XT_SAT_NONE;
        t->unreachable = false;
        t->escalated = false;
        t->reopens++;
        set_note(ev, note, NULL);
        break;
    case XT_ACT_MERGE:
        if (!in->target)
            return xt_error_set(err, XT_EINVAL, "into", "is required");
        if (in->target->id == t->id)
            return xt_error_set(err, XT_EINVAL, "into", "a ticket cannot be merged into itself");
        if (!(XT_S(in->target->state) & XT_S_OPEN))
            return xt_error_set(err, XT_EINVAL, "into", "ticket '%s' is not open",
                                in->target->number);
        snprintf(t->merged_into, sizeof(t->merged_into), "%s", in->target->number);
        set_note(ev, in->target->number, note);
        break;
    case XT_ACT_ESCALATE: {
        char up[XT_CODE_MAX] = "";
        const char *u = *t->lead ? t->lead : t->grid;
        int level = xt_unit_level_of_code(u);
        /* The supervising unit is the level above: a township's or a
         * department's county. */
        xt_unit_ancestor(u, level == XT_LEVEL_TOWNSHIP || level == XT_LEVEL_DEPARTMENT
                                ? XT_LEVEL_COUNTY
                                : XT_LEVEL_TOWNSHIP,
                         up);
        t->escalated = true;
        snprintf(ev->unit, sizeof(ev->unit), "%s", up);
        set_note(ev, a->role == XT_ROLE_SYSTEM ? "overdue" : "", note);
        break;
    }
    default:
        return xt_error_set(err, XT_EINVAL, "action", "unknown action");
    }
    t->state = to;
    t->updated_at = now;
    ev->to_state = to;
    return 0;
}
