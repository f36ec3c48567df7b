/* people.c - checking a row of a departmental list; people access rules. */
#include "core/people.h"

#include "core/ethnic.h"
#include "core/privacy.h"
#include "core/unit.h"
#include "lib/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool present(const char *s)
{
    if (!s)
        return false;
    while (*s == ' ')
        s++;
    return *s != '\0';
}

/* Copy s trimmed of spaces into out; false when it does not fit. */
static bool copy_trim(const char *s, char *out, size_t outsz)
{
    out[0] = '\0';
    if (!s)
        return true;
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n >= outsz)
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

/* YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD into YYYYMMDD. */
static bool parse_date(const char *s, char out[9])
{
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 &&
        sscanf(s, "%4d/%2d/%2d%c", &y, &m, &d, &tail) != 3 &&
        !(strlen(s) == 8 && strspn(s, "0123456789") == 8 &&
          sscanf(s, "%4d%2d%2d", &y, &m, &d) == 3))
        return false;
    if (!xt_date_valid(y, m, d))
        return false;
    snprintf(out, 9, "%04d%02d%02d", y, m, d);
    return true;
}

static int parse_tags(const char *s, struct xt_person *p, struct xt_error *err)
{
    char buf[512];
    if (!copy_trim(s, buf, sizeof(buf)))
        return xt_error_set(err, XT_EINVAL, "tags", "too long");
    /* Separators: ';' ',' and the Chinese 、，； (turned into ';'). */
    static const char *const seps[] = {"、", "，", "；"};
    for (size_t k = 0; k < sizeof(seps) / sizeof(seps[0]); k++)
        for (char *q = strstr(buf, seps[k]); q; q = strstr(q, seps[k]))
            memset(q, ';', strlen(seps[k]));
    char *save = buf;
    while (save && *save) {
        char *item = save;
        char *end = item + strcspn(item, ";,");
        save = *end ? end + 1 : NULL;
        *end = '\0';
        while (*item == ' ')
            item++;
        size_t n = strlen(item);
        while (n > 0 && item[n - 1] == ' ')
            item[--n] = '\0';
        if (!*item)
            continue;
        int grade = 0;
        char *colon = strchr(item, ':');
        if (colon) {
            *colon = '\0';
            char *e;
            long g = strtol(colon + 1, &e, 10);
            if (*e || g < 1 || g > 4)
                return xt_error_set(err, XT_EINVAL, "tags", "grade of '%s' must be 1..4", item);
            grade = (int)g;
        }
        const struct xt_tag_def *t = xt_tag_find(item);
        if (!t)
            return xt_error_set(err, XT_EINVAL, "tags", "unknown tag '%.40s'", item);
        if (grade && !t->graded)
            return xt_error_set(err, XT_EINVAL, "tags", "tag '%s' has no grade", t->code);
        bool dup = false;
        for (int i = 0; i < p->ntags; i++)
            if (p->tags[i].def == t) {
                dup = true;
                p->tags[i].grade = grade ? grade : p->tags[i].grade;
            }
        if (dup)
            continue;
        if (p->ntags == XT_PERSON_TAGS_MAX)
            return xt_error_set(err, XT_EINVAL, "tags", "more than %d tags", XT_PERSON_TAGS_MAX);
        p->tags[p->ntags].def = t;
        p->tags[p->ntags].grade = grade;
        p->ntags++;
    }
    return 0;
}

int xt_age_on(const char *birth, int today)
{
    if (!birth || strlen(birth) != 8)
        return -1;
    long b = strtol(birth, NULL, 10);
    if (b <= 0 || today <= 0 || b > today)
        return -1;
    return (int)((today - b) / 10000);
}

int xt_person_check(const struct xt_person_in *in, int today, struct xt_person *p,
                    struct xt_error *err)
{
    memset(p, 0, sizeof(*p));
    if (!present(in->name))
        return xt_error_set(err, XT_EINVAL, "name", "is required");
    if (!copy_trim(in->name, p->name, sizeof(p->name)) ||
        xt_name_check(p->name, NULL) != 0)
        return xt_error_set(err, XT_EINVAL, "name",
                            "must be 1 to %d characters of text without control characters",
                            XT_PERSON_NAME_MAX_CHARS);
    if (present(in->id_number)) {
        int rc = xt_idcard_parse(in->id_number, today, "id_number", &p->id, err);
        if (rc)
            return rc;
        p->has_id = true;
        memcpy(p->birth, p->id.birth, sizeof(p->birth));
        p->sex = p->id.sex;
    }
    if (present(in->birth_date)) {
        char b[9], t[32];
        if (!copy_trim(in->birth_date, t, sizeof(t)) || !parse_date(t, b))
            return xt_error_set(err, XT_EINVAL, "birth_date",
                                "must be a date YYYY-MM-DD");
        if (today > 0 && strtol(b, NULL, 10) > today)
            return xt_error_set(err, XT_EINVAL, "birth_date", "is in the future");
        /* The ID number is the authority; a list's own birth date column
         * is only used without one. */
        if (!p->has_id)
            memcpy(p->birth, b, sizeof(b));
    }
    if (!p->has_id && !*p->birth)
        return xt_error_set(err, XT_EINVAL, "id_number",
                            "an ID number or a birth date is required");
    if (present(in->sex) && !p->has_id) {
        if (strcmp(in->sex, "男") == 0 || strcmp(in->sex, "M") == 0 || strcmp(in->sex, "1") == 0)
            p->sex = XT_SEX_MALE;
        else if (strcmp(in->sex, "女") == 0 || strcmp(in->sex, "F") == 0 ||
                 strcmp(in->sex, "2") == 0)
            p->sex = XT_SEX_FEMALE;
        else
            return xt_error_set(err, XT_EINVAL, "sex", "must be 男/女, M/F or 1/2");
    }
    if (present(in->phone)) {
        if (!copy_trim(in->phone, p->phone, sizeof(p->phone)) ||
            xt_phone_check(p->phone, NULL) != 0)
            return xt_error_set(err, XT_EINVAL, "phone",
                                "must be a mobile (11 digits) or landline number");
    }
    if (present(in->ethnicity)) {
        const struct xt_ethnic *g = xt_ethnic_parse(in->ethnicity);
        if (!g)
            return xt_error_set(err, XT_EINVAL, "ethnicity",
                                "must be one of the 56 groups (GB 3304 code or name)");
        p->ethnic = g->code;
    }
    if (!copy_trim(in->languages, p->languages, sizeof(p->languages)) ||
        !xt_utf8_valid(p->languages, strlen(p->languages)))
        return xt_error_set(err, XT_EINVAL, "languages", "too long or not UTF-8");
    if (!copy_trim(in->address, p->address, sizeof(p->address)) ||
        !xt_utf8_valid(p->address, strlen(p->address)))
        return xt_error_set(err, XT_EINVAL, "address", "too long or not UTF-8");
    if (!present(in->unit))
        return xt_error_set(err, XT_EINVAL, "unit", "a village or grid code is required");
    if (!copy_trim(in->unit, p->unit, sizeof(p->unit)))
        return xt_error_set(err, XT_EINVAL, "unit", "must be a village or grid code");
    int level = xt_unit_level_of_code(p->unit);
    if (level != XT_LEVEL_VILLAGE && level != XT_LEVEL_GRID)
        return xt_error_set(err, XT_EINVAL, "unit", "must be a village (12 digits) or grid"
                                                    " (15 digits) code");
    memcpy(p->village, p->unit, 12);
    p->village[12] = '\0';
    if (!copy_trim(in->household, p->household, sizeof(p->household)))
        return xt_error_set(err, XT_EINVAL, "household", "too long");
    if (!copy_trim(in->relation, p->relation, sizeof(p->relation)) ||
        !xt_utf8_valid(p->relation, strlen(p->relation)))
        return xt_error_set(err, XT_EINVAL, "relation", "too long or not UTF-8");
    if (present(in->tags)) {
        int rc = parse_tags(in->tags, p, err);
        if (rc)
            return rc;
    }
    if (present(in->tag_date)) {
        char b[9], t[32];
        if (!copy_trim(in->tag_date, t, sizeof(t)) || !parse_date(t, b))
            return xt_error_set(err, XT_EINVAL, "tag_date", "must be a date YYYY-MM-DD");
        snprintf(p->tag_date, sizeof(p->tag_date), "%.4s-%.2s-%.2s", b, b + 4, b + 6);
    } else if (today > 0) {
        snprintf(p->tag_date, sizeof(p->tag_date), "%04d-%02d-%02d", today / 10000 % 10000,
                 today / 100 % 100, today % 100);
    }
    int age = xt_age_on(p->birth, today);
    p->minor = age >= 0 && age < XT_ADULT_AGE;
    return 0;
}

bool xt_people_may_read(int role)
{
    return xt_role_in(role, XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_COMMAND) |
                                XT_R(XT_ROLE_DEPARTMENT) | XT_R(XT_ROLE_TOWNSHIP) |
                                XT_R(XT_ROLE_VILLAGE) | XT_R(XT_ROLE_GRID) |
                                XT_R(XT_ROLE_SYSTEM));
}

bool xt_people_may_reveal(int role)
{
    return xt_role_in(role, XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_COMMAND) | XT_R(XT_ROLE_SYSTEM));
}

bool xt_people_may_edit(int role)
{
    return xt_role_in(role, XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_COMMAND) |
                                XT_R(XT_ROLE_TOWNSHIP) | XT_R(XT_ROLE_VILLAGE) |
                                XT_R(XT_ROLE_GRID) | XT_R(XT_ROLE_SYSTEM));
}

bool xt_people_may_resolve(int role)
{
    return xt_role_in(role, XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_COMMAND) |
                                XT_R(XT_ROLE_TOWNSHIP) | XT_R(XT_ROLE_VILLAGE) |
                                XT_R(XT_ROLE_SYSTEM));
}

bool xt_people_may_import(int role)
{
    return xt_role_in(role, XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_COMMAND) |
                                XT_R(XT_ROLE_DEPARTMENT) | XT_R(XT_ROLE_SYSTEM));
}

bool xt_people_tag_visible(const struct xt_actor *a, const char *dept_key,
                           const struct xt_tag_def *t, bool minor, bool reveal)
{
    if (reveal && xt_people_may_reveal(a->role))
        return true;
    if (a->role == XT_ROLE_DEPARTMENT)
        return dept_key && strcmp(dept_key, t->department) == 0;
    if (!xt_people_may_read(a->role))
        return false;
    /* Health and minors' data stay masked for everyone else. */
    return !t->sensitive && !minor;
}
