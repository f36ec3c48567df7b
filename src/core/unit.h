/* unit.h - governance units (治理单元): the hierarchy from province to grid.
 *
 * Codes are the national statistical division codes, which nest by prefix:
 * province 2 digits, city/prefecture 4, county 6, township 9, village or
 * community 12, and a grid is its village code plus a 3-digit sequence (15
 * digits, the shape of the DB11 grid code). County departments (县直部门) are
 * not in the statistical table; they get the county code, 'D' and two
 * digits ("622921D03"). Because every code starts with its parent's code, "is
 * in the subtree of" is a prefix test, which is how scopes are checked.
 */
#ifndef XT_UNIT_H
#define XT_UNIT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"

#define XT_CODE_MAX 16 /* longest code (15) + NUL */
#define XT_NAME_MAX 256 /* the longest division names run to ~120 bytes */

enum xt_unit_level {
    XT_LEVEL_NONE = 0,
    XT_LEVEL_PROVINCE = 1,
    XT_LEVEL_CITY = 2,       /* city or prefecture (地级) */
    XT_LEVEL_COUNTY = 3,     /* county, district (县级) */
    XT_LEVEL_TOWNSHIP = 4,   /* township, town, subdistrict (乡镇/街道) */
    XT_LEVEL_VILLAGE = 5,    /* village or community (村/社区) */
    XT_LEVEL_GRID = 6,       /* grid (网格) */
    XT_LEVEL_DEPARTMENT = 7, /* county department (县直部门) */
};

enum xt_unit_kind {
    XT_KIND_NONE = 0,
    XT_KIND_URBAN = 1, /* urban community (城镇社区) */
    XT_KIND_RURAL = 2, /* rural village (农村) */
};

struct xt_unit {
    char code[XT_CODE_MAX];
    char parent[XT_CODE_MAX]; /* "" for a province */
    char name[XT_NAME_MAX];
    int level; /* enum xt_unit_level */
    int kind;  /* enum xt_unit_kind */
    bool has_point;
    double lat, lon;
    int64_t population; /* 0 when unknown */
    int64_t households; /* 0 when unknown */
};

/* "province", "city", "county", "township", "village", "grid",
 * "department"; NULL for an unknown level. */
const char *xt_unit_level_name(int level);
/* The level for a name, or XT_LEVEL_NONE. */
int xt_unit_level_parse(const char *name);
const char *xt_unit_kind_name(int kind);

/* Check that code has the shape its level requires (digits and length, or
 * the department form) and that parent is its prefix. Fills err naming
 * field_prefix + ".code"/".parent_code". */
int xt_unit_check(const char *code, const char *parent, int level, struct xt_error *err);

/* The level a code's shape implies, or XT_LEVEL_NONE. */
int xt_unit_level_of_code(const char *code);

/* True when code is ancestor itself or lies in its subtree. An empty
 * ancestor contains everything (a whole-installation scope). */
bool xt_unit_within(const char *code, const char *ancestor);

/* Copy into out (XT_CODE_MAX) the code of code's ancestor at level, if code
 * is at or below it; returns false otherwise. A department's county is its
 * first 6 characters. */
bool xt_unit_ancestor(const char *code, int level, char out[XT_CODE_MAX]);

/* Kind from a village-level name: names ending in 社区 or 居委会 (and 居民委员会)
 * are urban communities; other villages are rural. */
int xt_unit_kind_from_name(const char *name);

#endif
