/* needs.c - the tag and need tables. */
#include "core/needs.h"

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

#define N_TAGS ((int)(sizeof(tags) / sizeof(tags[0])))
#define N_NEEDS ((int)(sizeof(needs) / sizeof(needs[0])))

const struct xt_tag_def *xt_tag_find(const char *s)
{
    if (!s)
        return NULL;
    for (int i = 0; i < N_TAGS; i++)
        if (strcmp(s, tags[i].code) == 0 || strcmp(s, tags[i].zh) == 0)
            return &tags[i];
    return NULL;
}

const struct xt_tag_def *xt_tag_at(int i)
{
    return i >= 0 && i < N_TAGS ? &tags[i] : NULL;
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
