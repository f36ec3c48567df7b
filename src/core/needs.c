/* needs.c - the tag and need tables. */
#include "core/needs.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static const struct xt_need_def needs[] = {
    {"daily_checkin", "每日探访"},
    {"home_care", "居家照护"},
    {"accessibility", "无障碍改造"},
    {"rehabilitation", "康复服务"},
    {"assistance_followup", "救助跟踪"},
    {"support_care", "供养照料"},
    {"after_school_care", "课后看护"},
    {"emotional_support", "关爱陪伴"},
    {"veteran_services", "优抚服务"},
    {"health_followup", "家庭医生随访"},
};

static const struct xt_tag_def tags[] = {
    {"elderly_alone", "独居老人", false, false, "civil",
     {"daily_checkin", "home_care", NULL}},
    {"disabled", "残疾人", true, true, "disability",
     {"accessibility", "rehabilitation", NULL}},
    {"low_income", "低保", false, false, "civil", {"assistance_followup", NULL}},
    {"special_hardship", "特困", false, false, "civil",
     {"support_care", "daily_checkin", NULL}},
    {"left_behind_child", "留守儿童", true, false, "education",
     {"after_school_care", "emotional_support", NULL}},
    {"left_behind_elderly", "留守老人", false, false, "civil",
     {"daily_checkin", "emotional_support", NULL}},
    {"veteran", "退役军人", false, false, "veterans", {"veteran_services", NULL}},
    {"chronic_illness", "慢性病", true, false, "health",
     {"health_followup", NULL}},
};

#define N_BUILTIN ((int)(sizeof(tags) / sizeof(tags[0])))

/* Configured tags: filled under added_lock, published by n_added. */
struct added_tag {
    struct xt_tag_def def;
    char code[32], zh[48], department[32];
};
static struct added_tag added[XT_TAGS_MAX - N_BUILTIN];
static atomic_int n_added;
static atomic_flag added_lock = ATOMIC_FLAG_INIT;

#define N_TAGS (N_BUILTIN + atomic_load_explicit(&n_added, memory_order_acquire))
#define N_NEEDS ((int)(sizeof(needs) / sizeof(needs[0])))

const struct xt_tag_def *xt_tag_at(int i)
{
    if (i < 0 || i >= N_TAGS)
        return NULL;
    return i < N_BUILTIN ? &tags[i] : &added[i - N_BUILTIN].def;
}

const struct xt_tag_def *xt_tag_find(const char *s)
{
    if (!s)
        return NULL;
    int n = N_TAGS;
    for (int i = 0; i < n; i++) {
        const struct xt_tag_def *t = xt_tag_at(i);
        if (strcmp(s, t->code) == 0 || strcmp(s, t->zh) == 0)
            return t;
    }
    return NULL;
}

int xt_tag_add(const char *code, const char *name, bool sensitive, bool graded,
               const char *department, const char *need_list, struct xt_error *err)
{
    size_t n = code ? strlen(code) : 0;
    if (n < 1 || n > 31 || strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
        return xt_error_set(err, XT_EINVAL, "code", "must be 1 to 31 of a-z, 0-9 and '_'");
    if (!name || !*name || strlen(name) > 47)
        return xt_error_set(err, XT_EINVAL, "name", "must be 1 to 47 bytes");
    department = department ? department : "";
    if (strlen(department) > 31)
        return xt_error_set(err, XT_EINVAL, "department", "too long");
    const char *nd[XT_NEEDS_PER_TAG] = {NULL, NULL, NULL};
    int k = 0;
    for (const char *p = need_list ? need_list : ""; *p;) {
        size_t len = strcspn(p, ";");
        char code_buf[32];
        if (len == 0 || len >= sizeof(code_buf) || k == XT_NEEDS_PER_TAG)
            return xt_error_set(err, XT_EINVAL, "needs", "up to %d need codes separated by ';'",
                                XT_NEEDS_PER_TAG);
        memcpy(code_buf, p, len);
        code_buf[len] = '\0';
        const struct xt_need_def *d = xt_need_find(code_buf);
        if (!d)
            return xt_error_set(err, XT_EINVAL, "needs", "unknown need '%s'", code_buf);
        nd[k++] = d->code;
        p += len;
        if (*p == ';')
            p++;
    }
    while (atomic_flag_test_and_set_explicit(&added_lock, memory_order_acquire))
        ;
    int rc = 0;
    int have = atomic_load_explicit(&n_added, memory_order_relaxed);
    if (xt_tag_find(code) || xt_tag_find(name)) {
        rc = xt_error_set(err, XT_EEXIST, "code", "tag '%s' exists", code);
    } else if (N_BUILTIN + have >= XT_TAGS_MAX) {
        rc = xt_error_set(err, XT_ETOOBIG, "code", "no room for more than %d tags", XT_TAGS_MAX);
    } else {
        struct added_tag *a = &added[have];
        snprintf(a->code, sizeof(a->code), "%s", code);
        snprintf(a->zh, sizeof(a->zh), "%s", name);
        snprintf(a->department, sizeof(a->department), "%s", department);
        a->def.code = a->code;
        a->def.zh = a->zh;
        a->def.department = a->department;
        a->def.sensitive = sensitive;
        a->def.graded = graded;
        for (int i = 0; i < XT_NEEDS_PER_TAG; i++)
            a->def.needs[i] = nd[i];
        atomic_store_explicit(&n_added, have + 1, memory_order_release);
    }
    atomic_flag_clear_explicit(&added_lock, memory_order_release);
    return rc;
}

int xt_tag_count(void)
{
    return N_TAGS;
}

const struct xt_need_def *xt_need_find(const char *code)
{
    int i = xt_need_index(code);
    return i < 0 ? NULL : &needs[i];
}

const struct xt_need_def *xt_need_at(int i)
{
    return i >= 0 && i < N_NEEDS ? &needs[i] : NULL;
}

int xt_need_count(void)
{
    return N_NEEDS;
}

int xt_need_index(const char *code)
{
    if (!code)
        return -1;
    for (int i = 0; i < N_NEEDS; i++)
        if (strcmp(code, needs[i].code) == 0)
            return i;
    return -1;
}
