/* reqtype.h - request types (诉求类型) and channels.
 *
 * The types and their default resolution deadlines are fixed by DESIGN:
 * 咨询 1, 求助 3, 投诉 10, 举报 10, 建议 15 working days. Categories may
 * override them (see deadline.h).
 */
#ifndef XT_REQTYPE_H
#define XT_REQTYPE_H

enum xt_reqtype {
    XT_TYPE_CONSULT = 0,    /* 咨询 */
    XT_TYPE_HELP = 1,       /* 求助 */
    XT_TYPE_COMPLAINT = 2,  /* 投诉 */
    XT_TYPE_REPORT = 3,     /* 举报 */
    XT_TYPE_SUGGESTION = 4, /* 建议 */
    XT_TYPE_COUNT
};

enum xt_channel {
    XT_CHANNEL_HOTLINE = 0, /* 12345 热线 */
    XT_CHANNEL_WEB = 1,     /* 网站、小程序 */
    XT_CHANNEL_GRID = 2,    /* 网格员主动发现 */
    XT_CHANNEL_API = 3,     /* outside systems, Open311 */
    XT_CHANNEL_COUNT
};

/* "consult", "help", ...; NULL when out of range. */
const char *xt_reqtype_name(int type);
/* "咨询", "求助", ... */
const char *xt_reqtype_label(int type);
/* The type for an English name or a Chinese label, or -1. */
int xt_reqtype_parse(const char *s);
/* Default resolution deadline in working days. */
int xt_reqtype_default_days(int type);

const char *xt_channel_name(int channel);
int xt_channel_parse(const char *s);

#endif
