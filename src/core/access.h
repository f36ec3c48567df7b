/* access.h - roles, scopes and who may do what (security model).
 *
 * An account has one role and one scope unit; it sees that unit's subtree
 * only (a prefix test on unit codes, see unit.h). Roles are a table; the
 * HTTP route table and the ticket transition table name roles by bit mask.
 */
#ifndef XT_ACCESS_H
#define XT_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/unit.h"

enum xt_role {
    XT_ROLE_ADMIN = 0,      /* 系统管理员: accounts and reference tables */
    XT_ROLE_AUDITOR = 1,    /* 审计员: reads the audit log */
    XT_ROLE_OPERATOR = 2,   /* 接线员: intake, dispatch, callback */
    XT_ROLE_COMMAND = 3,    /* 县社会治理中心: supervision, extensions, escalation */
    XT_ROLE_DEPARTMENT = 4, /* 县直部门 */
    XT_ROLE_TOWNSHIP = 5,   /* 乡镇/街道 */
    XT_ROLE_VILLAGE = 6,    /* 村/社区 */
    XT_ROLE_GRID = 7,       /* 网格员 */
    XT_ROLE_PROVIDER = 8,   /* 服务提供方 */
    XT_ROLE_RESIDENT = 9,   /* 居民 */
    XT_ROLE_SYSTEM = 10,    /* the server itself (overdue sweeps); never an account */
    XT_ROLE_COUNT
};

#define XT_R(role) (1u << (role))
#define XT_R_ANY ((1u << XT_ROLE_COUNT) - 1u)
#define XT_R_STAFF                                                                                 \
    (XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_AUDITOR) | XT_R(XT_ROLE_OPERATOR) |                         \
     XT_R(XT_ROLE_COMMAND) | XT_R(XT_ROLE_DEPARTMENT) | XT_R(XT_ROLE_TOWNSHIP) |                   \
     XT_R(XT_ROLE_VILLAGE) | XT_R(XT_ROLE_GRID))

/* Who is acting. Borrowed by every function that takes it. */
struct xt_actor {
    int64_t account_id; /* 0 for anonymous residents and the system */
    int role;           /* enum xt_role */
    char scope[XT_CODE_MAX]; /* unit whose subtree the actor sees; "" = all */
    char username[64];
};

const char *xt_role_name(int role);
/* The role for a name, or -1. The system role cannot be parsed. */
int xt_role_parse(const char *name);
bool xt_role_in(int role, unsigned mask);

/* True when the actor's scope covers unit code. */
bool xt_actor_covers(const struct xt_actor *actor, const char *code);

/* Roles that may read requesters' contact details unmasked (each such
 * read is audited): operators and the command centre, who call back. */
bool xt_role_may_unmask_contact(int role);

/* The level of unit a role's scope must be, for account creation checks:
 * XT_LEVEL_NONE when any level will do. */
int xt_role_scope_level(int role);

#endif
