/* access.c - roles as a table. */
#include "core/access.h"

#include <string.h>

static const struct {
    const char *name;
    int scope_level;
} roles[XT_ROLE_COUNT] = {
    [XT_ROLE_ADMIN] = {"admin", XT_LEVEL_NONE},
    [XT_ROLE_AUDITOR] = {"auditor", XT_LEVEL_NONE},
    [XT_ROLE_OPERATOR] = {"operator", XT_LEVEL_NONE},
    [XT_ROLE_COMMAND] = {"command", XT_LEVEL_NONE},
    [XT_ROLE_DEPARTMENT] = {"department", XT_LEVEL_DEPARTMENT},
    [XT_ROLE_TOWNSHIP] = {"township", XT_LEVEL_TOWNSHIP},
    [XT_ROLE_VILLAGE] = {"village", XT_LEVEL_VILLAGE},
    [XT_ROLE_GRID] = {"grid", XT_LEVEL_GRID},
    [XT_ROLE_PROVIDER] = {"provider", XT_LEVEL_NONE},
    [XT_ROLE_RESIDENT] = {"resident", XT_LEVEL_NONE},
    [XT_ROLE_SYSTEM] = {"system", XT_LEVEL_NONE},
};

const char *xt_role_name(int role)
{
    return role >= 0 && role < XT_ROLE_COUNT ? roles[role].name : NULL;
}

int xt_role_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < XT_ROLE_COUNT; i++)
        if (i != XT_ROLE_SYSTEM && strcmp(name, roles[i].name) == 0)
            return i;
    return -1;
}

bool xt_role_in(int role, unsigned mask)
{
    return role >= 0 && role < XT_ROLE_COUNT && (mask & XT_R(role)) != 0;
}

bool xt_actor_covers(const struct xt_actor *actor, const char *code)
{
    return code && *code && xt_unit_within(code, actor->scope);
}

bool xt_role_may_unmask_contact(int role)
{
    return role == XT_ROLE_OPERATOR || role == XT_ROLE_COMMAND;
}

int xt_role_scope_level(int role)
{
    return role >= 0 && role < XT_ROLE_COUNT ? roles[role].scope_level : XT_LEVEL_NONE;
}
