/* ticket.h - the 接诉即办 ticket (工单) and its state machine.
 *
 * A ticket moves received → dispatched → signed → replied → closed, with
 * returns, extensions, whistle co-handling, reopening, merging and
 * escalation as DESIGN's action table says. The table of transitions lives
 * in ticket.c as data: one row per action naming the states it starts from,
 * the state it leads to, the roles that may take it and the relation the
 * actor must have to the ticket.
 *
 * Everything here is pure: the caller loads the ticket, calls
 * xt_ticket_apply with the actor, the input and `now`, and persists the
 * ticket and the event it produced. A refused action changes nothing.
 *
 * Ownership: a struct xt_ticket owns its text, address, reply and note
 * strings (malloc'd); xt_ticket_release frees them.
 */
#ifndef XT_TICKET_H
#define XT_TICKET_H

#include <stdbool.h>
#include <stdint.h>

#include "core/access.h"
#include "core/calendar.h"
#include "core/deadline.h"
#include "core/unit.h"
#include "lib/err.h"

#define XT_NUMBER_MAX 20      /* "20261126-00042" + NUL */
#define XT_CATEGORY_MAX 32
#define XT_MAX_COHANDLERS 8
#define XT_TEXT_MAX_CHARS 4000 /* as Open311's description limit */
#define XT_REOPEN_DAYS 15      /* a closed ticket may be reopened within this many days */

enum xt_state {
    XT_ST_RECEIVED = 0,   /* 已受理 */
    XT_ST_DISPATCHED = 1, /* 已派单 */
    XT_ST_SIGNED = 2,     /* 已签收 */
    XT_ST_REPLIED = 3,    /* 已办结反馈 */
    XT_ST_CLOSED = 4,     /* 已办结 */
    XT_ST_RETURNED = 5,   /* 已退单 */
    XT_ST_MERGED = 6,     /* 已合并 */
    XT_ST_COUNT
};

#define XT_S(state) (1u << (state))
#define XT_S_OPEN                                                                                  \
    (XT_S(XT_ST_RECEIVED) | XT_S(XT_ST_DISPATCHED) | XT_S(XT_ST_SIGNED) | XT_S(XT_ST_RETURNED))

enum xt_action {
    XT_ACT_CREATE = 0,
    XT_ACT_HANDLE_ON_SPOT,  /* 就地解决 */
    XT_ACT_DISPATCH,        /* 派单 */
    XT_ACT_SUB_DISPATCH,    /* 二次派单 */
    XT_ACT_SIGN,            /* 签收 */
    XT_ACT_RETURN,          /* 退单 */
    XT_ACT_ASK_EXTENSION,   /* 延期申请 */
    XT_ACT_DECIDE_EXTENSION,
    XT_ACT_WHISTLE,         /* 吹哨 */
    XT_ACT_REPORT_IN,       /* 报到 */
    XT_ACT_REPLY,           /* 办结反馈 */
    XT_ACT_CALLBACK,        /* 回访 */
    XT_ACT_REOPEN,          /* 重办 */
    XT_ACT_MERGE,           /* 合并 */
    XT_ACT_ESCALATE,        /* 督办 */
    XT_ACT_COUNT
};

enum xt_result {
    XT_RESULT_NONE = 0,
    XT_RESULT_RESOLVED = 1,     /* 已解决 */
    XT_RESULT_EXPLAINED = 2,    /* 已解释说明 */
    XT_RESULT_UNRESOLVABLE = 3, /* 无法解决 (with a reason) */
};

enum xt_satisfaction {
    XT_SAT_NONE = 0,
    XT_SAT_UNSATISFIED = 1, /* 不满意 */
    XT_SAT_BASIC = 2,       /* 基本满意 */
    XT_SAT_SATISFIED = 3,   /* 满意 */
};

struct xt_cohandler {
    char unit[XT_CODE_MAX]; /* a county department */
    int64_t report_by;      /* report-in (报到) deadline */
    int64_t reported_at;    /* 0 until it reports in */
};

struct xt_ticket {
    int64_t id;
    char number[XT_NUMBER_MAX];
    int state;   /* enum xt_state */
    int type;    /* enum xt_reqtype */
    int channel; /* enum xt_channel */
    bool urgent;
    char category[XT_CATEGORY_MAX];
    char *text;    /* owned */
    char *text_sig; /* owned, may be NULL: the text's signature (hotissue.h), set at intake */
    char *address; /* owned, may be NULL */
    bool has_point;
    double lat, lon;
    char grid[XT_CODE_MAX];  /* unit the location resolved to ("" if none) */
    char lead[XT_CODE_MAX];  /* accountable unit dispatched to ("" before dispatch) */
    char handler[XT_CODE_MAX]; /* current handler: lead, or a village after sub-dispatch */
    struct xt_cohandler co[XT_MAX_COHANDLERS];
    int n_co;
    int64_t sign_by, resolve_by; /* 0 until dispatched */
    int64_t created_at, updated_at, dispatched_at, signed_at, replied_at, closed_at;
    int result;   /* enum xt_result, set by reply */
    char *reply;  /* owned, may be NULL */
    int resolved; /* -1 not called back, 0 no, 1 yes */
    int satisfaction; /* enum xt_satisfaction */
    bool unreachable; /* callback could not reach the requester */
    bool extension_pending;
    int extension_days;
    bool escalated;
    int returns;  /* times returned */
    int reopens;  /* times reopened (repeat requests) */
    char merged_into[XT_NUMBER_MAX];
    int64_t creator_id; /* account that created it; 0 for anonymous */
    int64_t assignment_id; /* current assignment row (store-managed) */
    /* What the engine suggested at intake (category routing now, the
     * classifier later): shown to the operator before dispatch. */
    char suggested_category[XT_CATEGORY_MAX];
    char suggested_handler[XT_CODE_MAX];
    double suggested_confidence;
    /* The requester's contact as every response shows it (masked); the
     * clear values are sealed in the store and never held here. */
    char masked_name[128];
    char masked_phone[40];
};

/* The input of an action: each action reads only its own fields. Strings
 * are borrowed for the duration of the call. */
struct xt_action_input {
    char unit[XT_CODE_MAX];          /* dispatch, sub-dispatch: the handling unit */
    const char *reason;              /* return, ask-extension, unresolvable reply */
    const char *note;                /* any action: free note for the timeline */
    int days;                        /* ask-extension: working days asked */
    int approve;                     /* decide-extension: 1 approve, 0 refuse, -1 unset */
    char units[XT_MAX_COHANDLERS][XT_CODE_MAX]; /* whistle: departments summoned */
    int n_units;
    const char *reply;               /* reply: text for the requester */
    int result;                      /* reply: enum xt_result */
    int resolved;                    /* callback: 1 yes, 0 no, -1 unset */
    int satisfaction;                /* callback: enum xt_satisfaction */
    bool unreachable;                /* callback: requester not reached */
    const struct xt_ticket *target;  /* merge: the ticket merged into (loaded by the caller) */
    const struct xt_deadline_rule *rule; /* category deadline rule, may be NULL */
    const char *category;            /* dispatch: the operator's confirmed category, or NULL */
};

/* What an applied action records in the timeline. */
struct xt_event {
    int action;
    int from_state, to_state;
    int64_t at;
    char unit[XT_CODE_MAX]; /* unit the action concerns (dispatch target, co-handler ...) */
    char note[512];         /* human-readable note, may be empty */
};

void xt_action_input_init(struct xt_action_input *in);

const char *xt_state_name(int state);
int xt_state_parse(const char *name);
/* Kebab-case action names as in the API: "dispatch", "ask-extension" ... */
const char *xt_action_name(int action);
int xt_action_parse(const char *name);
const char *xt_result_name(int result);
int xt_result_parse(const char *name);
const char *xt_satisfaction_name(int sat);
int xt_satisfaction_parse(const char *name);

/* Reset to an empty ticket (no strings), e.g. before loading. */
void xt_ticket_init(struct xt_ticket *t);
/* Free the owned strings; t itself is the caller's. Accepts NULL. */
void xt_ticket_release(struct xt_ticket *t);

/* Check a new ticket's fields (text length and encoding, type, channel,
 * location) and fill in its state and times. The caller has set text,
 * type, urgent, channel, location and category. Refuses roles that may not
 * create. On success the ticket is in `received`, or `replied` when
 * on_spot_reply is non-NULL (就地解决, grid workers and villages only). */
int xt_ticket_create(struct xt_ticket *t, const struct xt_actor *actor, const char *on_spot_reply,
                     int64_t now, struct xt_error *err);

/* Whether the actor may see the ticket at all (scope). Invisible tickets
 * are answered 404 so their existence does not leak. */
bool xt_ticket_visible(const struct xt_ticket *t, const struct xt_actor *actor);

/* Apply an action. On success t is updated and ev describes the change.
 * Errors: XT_EPERM (role or relation), XT_ESTATE (state), XT_EINVAL (input,
 * err names the field). On error t is unchanged. */
int xt_ticket_apply(struct xt_ticket *t, int action, const struct xt_actor *actor,
                    const struct xt_action_input *in, const struct xt_calendar *cal, int64_t now,
                    struct xt_event *ev, struct xt_error *err);

/* Open tickets that are past a deadline and not yet escalated. */
bool xt_ticket_overdue(const struct xt_ticket *t, int64_t now);

/* Whether (action, state, role) is in the transition table, for the access
 * matrix and the console's buttons. */
bool xt_ticket_action_allowed(int action, int state, int role);

#endif
