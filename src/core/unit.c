/* unit.c - unit codes, levels and subtree tests. */
#include "core/unit.h"

#include <string.h>

static const char *level_names[] = {
    NULL, "province", "city", "county", "township", "village", "grid", "department",
};

const char *xt_unit_level_name(int level)
{
    if (level < XT_LEVEL_PROVINCE || level > XT_LEVEL_DEPARTMENT)
        return NULL;
    return level_names[level];
}

int xt_unit_level_parse(const char *name)
{
    if (!name)
        return XT_LEVEL_NONE;
    for (int l = XT_LEVEL_PROVINCE; l <= XT_LEVEL_DEPARTMENT; l++)
        if (strcmp(name, level_names[l]) == 0)
            return l;
    return XT_LEVEL_NONE;
}

const char *xt_unit_kind_name(int kind)
{
    switch (kind) {
    case XT_KIND_URBAN:
        return "urban";
    case XT_KIND_RURAL:
        return "rural";
    default:
        return NULL;
    }
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int xt_unit_level_of_code(const char *code)
{
    if (!code)
        return XT_LEVEL_NONE;
    size_t n = strlen(code);
    if (n == 9 && code[6] == 'D' && all_digits(code, 6) && all_digits(code + 7, 2))
        return XT_LEVEL_DEPARTMENT;
    if (!all_digits(code, n))
        return XT_LEVEL_NONE;
    switch (n) {
    case 2:
        return XT_LEVEL_PROVINCE;
    case 4:
        return XT_LEVEL_CITY;
    case 6:
        return XT_LEVEL_COUNTY;
    case 9:
        return XT_LEVEL_TOWNSHIP;
    case 12:
        return XT_LEVEL_VILLAGE;
    case 15:
        return XT_LEVEL_GRID;
    default:
        return XT_LEVEL_NONE;
    }
}

static size_t parent_len(int level)
{
    static const size_t len[] = {0, 0, 2, 4, 6, 9, 12, 6};
    return len[level];
}

int xt_unit_check(const char *code, const char *parent, int level, struct xt_error *err)
{
    if (!code || !*code)
        return xt_error_set(err, XT_EINVAL, "code", "is required");
    if (level < XT_LEVEL_PROVINCE || level > XT_LEVEL_DEPARTMENT)
        return xt_error_set(err, XT_EINVAL, "level", "unknown level");
    if (xt_unit_level_of_code(code) != level)
        return xt_error_set(err, XT_EINVAL, "code", "'%s' is not a valid %s code", code,
                            level_names[level]);
    size_t pl = parent_len(level);
    if (level == XT_LEVEL_PROVINCE) {
        if (parent && *parent)
            return xt_error_set(err, XT_EINVAL, "parent_code", "a province has no parent");
        return 0;
    }
    if (!parent || strlen(parent) != pl || strncmp(code, parent, pl) != 0)
        return xt_error_set(err, XT_EINVAL, "parent_code",
                            "'%s' is not the parent of '%s'", parent ? parent : "", code);
    return 0;
}

bool xt_unit_within(const char *code, const char *ancestor)
{
    if (!ancestor || !*ancestor)
        return true;
    if (!code)
        return false;
    size_t n = strlen(ancestor);
    return strncmp(code, ancestor, n) == 0;
}

bool xt_unit_ancestor(const char *code, int level, char out[XT_CODE_MAX])
{
    static const size_t len[] = {0, 2, 4, 6, 9, 12, 15, 9};
    int own = xt_unit_level_of_code(code);
    if (own == XT_LEVEL_NONE || level < XT_LEVEL_PROVINCE || level > XT_LEVEL_GRID)
        return false;
    if (own == XT_LEVEL_DEPARTMENT) {
        if (level > XT_LEVEL_COUNTY)
            return false;
    } else if (own < level) {
        return false;
    }
    memcpy(out, code, len[level]);
    out[len[level]] = '\0';
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int xt_unit_kind_from_name(const char *name)
{
    if (ends_with(name, "社区") || ends_with(name, "居委会") || ends_with(name, "居民委员会") ||
        ends_with(name, "社区居委会"))
        return XT_KIND_URBAN;
    return XT_KIND_RURAL;
}
