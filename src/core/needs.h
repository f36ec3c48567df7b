/* needs.h - resident tags (标签) and the needs they imply (需求清单).
 *
 * A tag says something a department knows about a person: living alone at
 * an old age, a disability with its grade, low income (低保) ... Each tag
 * implies needs that the needs and services matching works on. The table
 * is static; a tag code is lower-case ASCII. Sensitive tags (health, and
 * those that only concern minors) are sealed at rest and shown only to the
 * roles that may see them.
 */
#ifndef XT_NEEDS_H
#define XT_NEEDS_H

#include <stdbool.h>

#include "lib/err.h"

#define XT_NEEDS_PER_TAG 3

struct xt_tag_def {
    const char *code; /* "elderly_alone" */
    const char *zh;   /* 独居老人 */
    bool sensitive;   /* health or minors' data: sealed, masked */
    bool graded;      /* carries a grade (disability grade 1-4) */
    const char *department; /* department key that keeps the list ("civil") */
    const char *needs[XT_NEEDS_PER_TAG]; /* need codes, NULL-terminated */
};

struct xt_need_def {
    const char *code; /* "daily_checkin" */
    const char *zh;   /* 每日探访 */
};

/* The tag of a code or Chinese name ("disabled", "残疾人"), or NULL. */
const struct xt_tag_def *xt_tag_find(const char *s);
/* Tag i of the table (0 <= i < xt_tag_count()), in a stable order. */
const struct xt_tag_def *xt_tag_at(int i);
int xt_tag_count(void);

/* The need of a code, or NULL; need i of the table. */
const struct xt_need_def *xt_need_find(const char *code);
const struct xt_need_def *xt_need_at(int i);
int xt_need_count(void);

/* Index of a need code in the need table, or -1. */
int xt_need_index(const char *code);

/* Most tags a table may hold, built-in ones included. */
#define XT_TAGS_MAX 32

/* Add a configured tag (a county's own list, e.g. "flood_relocated"): code
 * is 1-31 of [a-z0-9_], name 1-47 bytes of text, department a department
 * key (may be ""), need_list 0-3 codes of existing needs separated by ';'. The
 * strings are copied. Process-wide and safe beside readers: an entry is
 * complete before it becomes visible. Returns 0, XT_EEXIST when the code
 * is taken (by a built-in tag or an earlier call), XT_EINVAL with err
 * naming the field, XT_ETOOBIG past XT_TAGS_MAX. */
int xt_tag_add(const char *code, const char *name, bool sensitive, bool graded,
               const char *department, const char *need_list, struct xt_error *err);

#endif
