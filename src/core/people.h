/* people.h - residents as departmental lists give them, checked; and who
 * may see what of them (个人信息保护).
 *
 * A row of a list arrives as text fields; xt_person_check validates it and
 * derives what the ID number says (birth date, sex). Pure: no I/O, no
 * allocation; every string in struct xt_person_in is borrowed.
 *
 * Access (on top of the unit scope of access.h, which always applies):
 * - admin and command centre see every field masked and may ask for the
 *   clear values (reveal), each such read audited;
 * - township, village and grid workers see names (a minor's masked),
 *   masked ID numbers and phones and the tags that are not sensitive;
 * - a county department sees the residents of its county who carry one of
 *   its own tags (civil affairs its low-income lists ...), with those tags,
 *   masked like a township;
 * - operators, auditors, providers and residents see no one.
 */
#ifndef XT_PEOPLE_H
#define XT_PEOPLE_H

#include <stdbool.h>

#include "core/access.h"
#include "core/idcard.h"
#include "core/needs.h"
#include "lib/err.h"

#define XT_PERSON_TAGS_MAX 8
#define XT_ADULT_AGE 18

/* One row as a list gives it; NULL or "" for absent fields. */
struct xt_person_in {
    const char *name, *id_number, *birth_date, *sex, *phone, *ethnicity, *languages, *address;
    const char *unit;     /* village (12 digits) or grid (15 digits) code */
    const char *household, *relation;
    const char *tags;     /* "disabled:2;low_income" (also 、 or , between) */
    const char *tag_date; /* YYYY-MM-DD: since when the tags hold */
};

struct xt_person_tag {
    const struct xt_tag_def *def;
    int grade; /* 0 when not graded */
};

/* A checked row. */
struct xt_person {
    char name[128];
    bool has_id;
    struct xt_idcard id;
    char birth[9]; /* YYYYMMDD from the ID or the birth date, "" unknown */
    int sex;       /* enum xt_sex */
    char phone[40];
    int ethnic;    /* GB 3304 code, 0 unknown */
    char languages[128];
    char address[256];
    char unit[16];
    char village[16];
    char household[64];
    char relation[32];
    struct xt_person_tag tags[XT_PERSON_TAGS_MAX];
    int ntags;
    char tag_date[16]; /* YYYY-MM-DD */
    bool minor;
};

/* Check in (today is YYYYMMDD) into out. Returns 0 or XT_EINVAL with err
 * naming the field (name, id_number, birth_date, sex, phone, ethnicity,
 * unit, tags, tag_date ...) and the reason, never the value. A row needs a
 * name, a unit, and an ID number or a birth date. */
int xt_person_check(const struct xt_person_in *in, int today, struct xt_person *out,
                    struct xt_error *err);

/* Age in whole years on today (YYYYMMDD) of someone born on birth
 * (YYYYMMDD); -1 when unknown. */
int xt_age_on(const char *birth, int today);

/* Roles that may read people at all, reveal clear values, edit a
 * resident, resolve a conflict, import a list. */
bool xt_people_may_read(int role);
bool xt_people_may_reveal(int role);
bool xt_people_may_edit(int role);
bool xt_people_may_resolve(int role);
bool xt_people_may_import(int role);

/* Whether the actor (with dept_key, the department key of its scope unit,
 * "" for other roles) may see a tag on a resident (minor: true for a
 * minor). reveal: a clear read by a role that may reveal. */
bool xt_people_tag_visible(const struct xt_actor *a, const char *dept_key,
                           const struct xt_tag_def *t, bool minor, bool reveal);

#endif
