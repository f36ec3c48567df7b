/* reqtype.c - request types and channels as tables. */
#include "core/reqtype.h"

#include <string.h>

static const struct {
    const char *name;
    const char *label;
    int days;
} types[XT_TYPE_COUNT] = {
    [XT_TYPE_CONSULT] = {"consult", "咨询", 1},
    [XT_TYPE_HELP] = {"help", "求助", 3},
    [XT_TYPE_COMPLAINT] = {"complaint", "投诉", 10},
    [XT_TYPE_REPORT] = {"report", "举报", 10},
    [XT_TYPE_SUGGESTION] = {"suggestion", "建议", 15},
};

static const char *channels[XT_CHANNEL_COUNT] = {
    [XT_CHANNEL_HOTLINE] = "hotline",
    [XT_CHANNEL_WEB] = "web",
    [XT_CHANNEL_GRID] = "grid",
    [XT_CHANNEL_API] = "api",
};

const char *xt_reqtype_name(int type)
{
    return type >= 0 && type < XT_TYPE_COUNT ? types[type].name : NULL;
}

const char *xt_reqtype_label(int type)
{
    return type >= 0 && type < XT_TYPE_COUNT ? types[type].label : NULL;
}

int xt_reqtype_parse(const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < XT_TYPE_COUNT; i++)
        if (strcmp(s, types[i].name) == 0 || strcmp(s, types[i].label) == 0)
            return i;
    return -1;
}

int xt_reqtype_default_days(int type)
{
    return type >= 0 && type < XT_TYPE_COUNT ? types[type].days : 0;
}

const char *xt_channel_name(int channel)
{
    return channel >= 0 && channel < XT_CHANNEL_COUNT ? channels[channel] : NULL;
}

int xt_channel_parse(const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < XT_CHANNEL_COUNT; i++)
        if (strcmp(s, channels[i]) == 0)
            return i;
    return -1;
}
