/* open311.h - how a ticket reads in Open311 GeoReport v2 (pure).
 *
 * Our seven states map to the two of the specification: a ticket is open
 * while someone still has to act on the matter (received, dispatched,
 * signed, returned: XT_S_OPEN) and closed once the handling unit has
 * answered (replied), the callback has closed it (closed) or it was merged
 * into another ticket (merged). A reopened ticket (重办) is open again.
 *
 * The services are our categories; every service takes the same
 * attributes, listed in xt_o311_attrs: the request type, which sets the
 * legal deadline, and whether the matter is urgent.
 *
 * Texts for residents are Chinese, as the console's. Strings returned are
 * static; out buffers are the caller's and always NUL-terminated.
 */
#ifndef XT_CORE_OPEN311_H
#define XT_CORE_OPEN311_H

#include <stdbool.h>
#include <stddef.h>

#include "core/deadline.h"
#include "core/ticket.h"
#include "lib/err.h"

/* "open" or "closed". */
const char *xt_o311_status(int state);
bool xt_o311_is_open(int state);

struct xt_o311_value {
    const char *key, *name;
};

/* A service attribute, as GET services/{code} describes it. */
struct xt_o311_attr {
    const char *code;
    const char *datatype; /* "singlevaluelist" ... */
    bool required;
    int order;
    const char *description;
    const char *datatype_description;
    const struct xt_o311_value *values;
    int n_values;
};

extern const struct xt_o311_attr xt_o311_attrs[];
extern const int xt_o311_n_attrs;

/* Why the ticket has its status, for status_notes: the reply for the
 * requester once answered, the merge target when merged, else the state
 * and who handles it (unit_name may be NULL or ""). */
void xt_o311_status_notes(const struct xt_ticket *t, const char *unit_name, char *out,
                          size_t outsz);
/* One timeline entry as an update's description: what happened and, where
 * the action concerns a unit, its name (may be NULL). Notes typed by staff
 * are not repeated: they may hold internal reasons. reply is the ticket's
 * reply, shown on the reply entry (may be NULL). */
void xt_o311_event_note(int action, int to_state, const char *unit_name, const char *reply,
                        char *out, size_t outsz);
/* The service_notice: the deadline the request is handled within. rule
 * may be NULL (the type's default). */
void xt_o311_service_notice(int type, bool urgent, const struct xt_deadline_rule *rule, char *out,
                            size_t outsz);

/* The requester's name from first_name and last_name (either may be NULL
 * or ""): family name first with no space when either holds CJK text
 * (马 + 小花 → 马小花), else "first last". */
void xt_o311_person_name(const char *first, const char *last, char *out, size_t outsz);

/* Accept an e-mail address: at most 254 bytes, printable ASCII without
 * spaces, one '@' with text on both sides and a '.' in the domain. 0 or
 * XT_EINVAL with field "email" (the value is not repeated). */
int xt_o311_email_check(const char *email, struct xt_error *err);
/* Keep the first character of the local part and the domain:
 * ma.xiaohua@example.cn → m*********@example.cn. */
void xt_o311_mask_email(const char *email, char *out, size_t outsz);

#endif
