/* popgen.h - a generated population (no real person) consistent with a
 * county's 2020 census figures, and departmental lists drawn from it with
 * overlap, typos and conflicts, for demos, tests and the linkage benchmark.
 *
 * Pure and deterministic for a seed: no I/O; people are handed to a
 * callback one at a time, so any number can be made in bounded memory.
 */
#ifndef XT_POPGEN_H
#define XT_POPGEN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/people.h"

struct xt_popgen_census {
    char region[7];         /* county code: the ID numbers' region prefix */
    double male_share;      /* male / population */
    double urban_share;     /* urban / population */
    double minority_share;  /* 0..1 */
    double household_size;  /* mean persons per household */
    double age0_14, age65;  /* shares 0..1 */
};

/* A unit people live in: a grid, or a village (12 digits) of a county that
 * has no grids yet. */
struct xt_popgen_grid {
    char code[16];
    bool urban;
};

/* One generated person, all strings in clear (valid until the callback
 * returns). */
struct xt_gen_person {
    long row; /* 1-based order of generation: the person's identity */
    char name[64];
    char id_number[19];
    char birth[11]; /* YYYY-MM-DD */
    int sex;
    int ethnic; /* GB 3304 code */
    char phone[16];
    char unit[16];
    char household[32];
    char relation[16];
    char address[96];
    char tags[128]; /* "disabled:2;low_income" */
};

/* Generate n people in households over the units (borrowed, ngrids > 0),
 * born up to today (YYYYMMDD). fn returns non-zero to stop. ID numbers are
 * unique: a county has 500 sequence numbers per sex and birth date, so a
 * few million people per county fit; far more gives XT_ETOOBIG. Returns 0,
 * XT_EINVAL for bad parameters, XT_ETOOBIG, or fn's non-zero value. */
int xt_popgen_run(const struct xt_popgen_census *c, const struct xt_popgen_grid *grids,
                  int ngrids, long n, uint64_t seed, int today,
                  int (*fn)(void *ctx, const struct xt_gen_person *p), void *ctx);

/* The departmental lists drawn from a population. */
enum xt_popgen_list {
    XT_LIST_CIVIL = 0,      /* 民政: 低保, 特困, 独居老人; ID numbers, some missing */
    XT_LIST_DISABILITY = 1, /* 残联: 残疾人 with grade; ID numbers */
    XT_LIST_HEALTH = 2,     /* 卫健: 慢性病; name, sex, birth date, village, no ID */
    XT_LIST_EDUCATION = 3,  /* 教育: 留守儿童; name, birth date, village, no ID */
    XT_LIST_COUNT
};

const char *xt_popgen_list_source(int list);
/* The CSV header of a list, and the mapping (field,column lines) that
 * reads it. */
const char *xt_popgen_list_header(int list);
const char *xt_popgen_list_mapping(int list);

/* Whether person p appears on list, and if so its CSV line (no newline)
 * in out, with the list's typos and conflicting values drawn from rng
 * state *rng. */
bool xt_popgen_list_row(int list, const struct xt_gen_person *p, uint64_t *rng, char *out,
                        size_t outsz);

/* The CSV header and line of the population register (户籍) itself. With
 * tags, a last column 人员类别 carries each person's tags, as a gridded
 * county's population base (人口底数) keeps them beside the register. */
const char *xt_popgen_register_header(bool tags);
const char *xt_popgen_register_mapping(bool tags);
void xt_popgen_register_row(const struct xt_gen_person *p, bool tags, char *out, size_t outsz);

#endif
