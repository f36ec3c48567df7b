/* export.c - sheet columns and rows, GeoJSON features. */
#include "core/export.h"

#include "core/geojson.h"
#include "core/reqtype.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int xt_export_lang_parse(const char *s)
{
    if (!s || strcmp(s, "zh") == 0 || strcmp(s, "zh-CN") == 0)
        return XT_LANG_ZH;
    if (strcmp(s, "en") == 0)
        return XT_LANG_EN;
    return -1;
}

/* ---- words: one table per enum, {zh, en} ---- */

static const char *const STATE_WORDS[XT_ST_COUNT][2] = {
    {"已受理", "received"}, {"已派单", "dispatched"}, {"已签收", "signed"}, {"已答复", "replied"},
    {"已办结", "closed"},   {"已退回", "returned"},   {"已合并", "merged"},
};
static const char *const TYPE_WORDS[][2] = {
    {"咨询", "consult"}, {"求助", "help"},       {"投诉", "complaint"},
    {"举报", "report"},  {"建议", "suggestion"},
};
static const char *const CHANNEL_WORDS[XT_CHANNEL_COUNT][2] = {
    {"12345 热线", "hotline"}, {"网上", "web"}, {"网格上报", "grid"}, {"接口", "api"}};
static const char *const RESULT_WORDS[][2] = {
    {"", ""}, {"已解决", "resolved"}, {"已解释说明", "explained"}, {"无法解决", "unresolvable"}};
static const char *const SAT_WORDS[][2] = {
    {"", ""}, {"不满意", "unsatisfied"}, {"基本满意", "basically"}, {"满意", "satisfied"}};
static const char *const YES_NO[2][2] = {{"否", "no"}, {"是", "yes"}};

#define WORD(table, i, lang)                                                                       \
    ((i) >= 0 && (size_t)(i) < sizeof(table) / sizeof(table[0]) ? table[i][lang] : "")

/* ---- ticket sheet ---- */

#define TICKET_COLUMNS(X)                                                                          \
    X("工单号", "Number", XT_COL_TEXT, 16)                                                         \
    X("受理时间", "Created", XT_COL_TIME, 0)                                                       \
    X("诉求类型", "Type", XT_COL_TEXT, 0)                                                          \
    X("紧急", "Urgent", XT_COL_TEXT, 6)                                                            \
    X("分类代码", "Category code", XT_COL_TEXT, 0)                                                 \
    X("分类", "Category", XT_COL_TEXT, 14)                                                         \
    X("状态", "State", XT_COL_TEXT, 0)                                                             \
    X("来源", "Channel", XT_COL_TEXT, 0)                                                           \
    X("诉求内容", "Text", XT_COL_TEXT, 40)                                                         \
    X("地址", "Address", XT_COL_TEXT, 24)                                                          \
    X("网格代码", "Grid code", XT_COL_TEXT, 17)                                                    \
    X("网格", "Grid", XT_COL_TEXT, 20)                                                             \
    X("纬度", "Latitude", XT_COL_NUMBER, 0)                                                        \
    X("经度", "Longitude", XT_COL_NUMBER, 0)                                                       \
    X("承办单位代码", "Handler code", XT_COL_TEXT, 12)                                             \
    X("承办单位", "Handler", XT_COL_TEXT, 24)                                                      \
    X("签收时限", "Sign by", XT_COL_TIME, 0)                                                       \
    X("办结时限", "Resolve by", XT_COL_TIME, 0)                                                    \
    X("签收时间", "Signed", XT_COL_TIME, 0)                                                        \
    X("答复时间", "Replied", XT_COL_TIME, 0)                                                       \
    X("办结时间", "Closed", XT_COL_TIME, 0)                                                        \
    X("超期", "Overdue", XT_COL_TEXT, 6)                                                           \
    X("办理结果", "Result", XT_COL_TEXT, 0)                                                        \
    X("回访结果", "Satisfaction", XT_COL_TEXT, 0)                                                  \
    X("联系人", "Contact name", XT_COL_TEXT, 0)                                                    \
    X("联系电话", "Contact phone", XT_COL_TEXT, 14)

#define COL_ZH(zh, en, type, width) {zh, type, width},
#define COL_EN(zh, en, type, width) {en, type, width},

static const struct xt_sheet_col TICKET_COLS[2][26] = {{TICKET_COLUMNS(COL_ZH)},
                                                       {TICKET_COLUMNS(COL_EN)}};

const struct xt_sheet_col *xt_export_ticket_cols(int lang, int *ncols)
{
    *ncols = (int)(sizeof(TICKET_COLS[0]) / sizeof(TICKET_COLS[0][0]));
    return TICKET_COLS[lang == XT_LANG_EN];
}

static const char *unit_name(const struct xt_render_ctx *rc, const char *code)
{
    if (!code || !*code || !rc->unit_name)
        return "";
    const char *n = rc->unit_name(rc->ctx, code);
    return n ? n : "";
}

static const char *category_name(const struct xt_render_ctx *rc, const char *code)
{
    const struct xt_category *c =
        rc->routing && code && *code ? xt_routing_category(rc->routing, code) : NULL;
    return c ? c->name : "";
}

int xt_export_ticket_row(struct xt_sheet *s, const struct xt_render_ctx *rc,
                         const struct xt_ticket *t, const char *contact_name,
                         const char *contact_phone, int lang, int64_t now)
{
    int l = lang == XT_LANG_EN;
    double nan = NAN;
    /* A sheet's errors are sticky: the row's end reports the first one. */
    xt_sheet_text(s, t->number);
    xt_sheet_time(s, t->created_at);
    xt_sheet_text(s, WORD(TYPE_WORDS, t->type, l));
    xt_sheet_text(s, YES_NO[t->urgent ? 1 : 0][l]);
    xt_sheet_text(s, t->category);
    xt_sheet_text(s, category_name(rc, t->category));
    xt_sheet_text(s, WORD(STATE_WORDS, t->state, l));
    xt_sheet_text(s, WORD(CHANNEL_WORDS, t->channel, l));
    xt_sheet_text(s, t->text);
    xt_sheet_text(s, t->address);
    xt_sheet_text(s, t->grid);
    xt_sheet_text(s, unit_name(rc, t->grid));
    xt_sheet_number(s, t->has_point ? t->lat : nan);
    xt_sheet_number(s, t->has_point ? t->lon : nan);
    xt_sheet_text(s, t->handler);
    xt_sheet_text(s, unit_name(rc, t->handler));
    xt_sheet_time(s, t->sign_by);
    xt_sheet_time(s, t->resolve_by);
    xt_sheet_time(s, t->signed_at);
    xt_sheet_time(s, t->replied_at);
    xt_sheet_time(s, t->closed_at);
    xt_sheet_text(s, YES_NO[xt_ticket_overdue(t, now) ? 1 : 0][l]);
    xt_sheet_text(s, WORD(RESULT_WORDS, t->result, l));
    xt_sheet_text(s, WORD(SAT_WORDS, t->satisfaction, l));
    xt_sheet_text(s, contact_name);
    xt_sheet_text(s, contact_phone);
    return xt_sheet_end_row(s);
}

/* ---- rates sheets ---- */

#define RATES_COLUMNS(X)                                                                           \
    X("月份", "Period", XT_COL_TEXT, 9)                                                            \
    X("单位代码", "Unit code", XT_COL_TEXT, 12)                                                    \
    X("单位", "Unit", XT_COL_TEXT, 24)                                                             \
    X("派单量", "Dispatched", XT_COL_INT, 0)                                                       \
    X("按时签收", "Signed on time", XT_COL_INT, 0)                                                 \
    X("回访数", "Called back", XT_COL_INT, 0)                                                      \
    X("确认解决", "Resolved", XT_COL_INT, 0)                                                       \
    X("满意", "Satisfied", XT_COL_INT, 0)                                                          \
    X("基本满意", "Basically satisfied", XT_COL_INT, 0)                                            \
    X("响应率", "Response rate", XT_COL_PERCENT, 0)                                                \
    X("解决率", "Resolution rate", XT_COL_PERCENT, 0)                                              \
    X("满意率", "Satisfaction rate", XT_COL_PERCENT, 0)                                            \
    X("综合得分", "Composite", XT_COL_PERCENT, 0)                                                  \
    X("按时办结率", "On-time completion", XT_COL_PERCENT, 0)                                       \
    X("退单率", "Return rate", XT_COL_PERCENT, 0)                                                  \
    X("重复诉求率", "Repeat-request rate", XT_COL_PERCENT, 0)                                      \
    X("主动发现占比", "Proactive share", XT_COL_PERCENT, 0)

static const struct xt_sheet_col RANKED_COLS[2][18] = {
    {{"名次", XT_COL_INT, 6}, RATES_COLUMNS(COL_ZH)},
    {{"Rank", XT_COL_INT, 6}, RATES_COLUMNS(COL_EN)}};

const struct xt_sheet_col *xt_export_rates_cols(int lang, bool ranked, int *ncols)
{
    int n = (int)(sizeof(RANKED_COLS[0]) / sizeof(RANKED_COLS[0][0]));
    *ncols = ranked ? n : n - 1;
    return RANKED_COLS[lang == XT_LANG_EN] + (ranked ? 0 : 1);
}

int xt_export_rates_row(struct xt_sheet *s, const struct xt_render_ctx *rc,
                        const struct xt_rates *r, bool ranked, int rank, int month)
{
    char period[16];
    snprintf(period, sizeof(period), "%04d-%02d", month / 100 % 10000, month % 100);
    if (ranked)
        xt_sheet_int(s, rank);
    xt_sheet_text(s, period);
    xt_sheet_text(s, r->unit);
    xt_sheet_text(s, unit_name(rc, r->unit));
    xt_sheet_int(s, r->dispatched);
    xt_sheet_int(s, r->signed_on_time);
    xt_sheet_int(s, r->called_back);
    xt_sheet_int(s, r->resolved);
    xt_sheet_int(s, r->satisfied);
    xt_sheet_int(s, r->basically);
    xt_sheet_percent(s, r->response);
    xt_sheet_percent(s, r->resolution);
    xt_sheet_percent(s, r->satisfaction);
    xt_sheet_percent(s, r->composite);
    xt_sheet_percent(s, r->on_time);
    xt_sheet_percent(s, r->return_rate);
    xt_sheet_percent(s, r->repeat_rate);
    xt_sheet_percent(s, r->proactive_share);
    return xt_sheet_end_row(s);
}

const char *xt_export_title(const char *what, int lang)
{
    static const char *const titles[][3] = {
        {"tickets", "工单", "Tickets"},
        {"ranking", "月度排名", "Ranking"},
        {"rates", "三率", "Rates"},
    };
    for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
        if (strcmp(what, titles[i][0]) == 0)
            return titles[i][lang == XT_LANG_EN ? 2 : 1];
    return what;
}

/* ---- GeoJSON ---- */

static struct json_object *str_or_null(const char *s)
{
    return s && *s ? json_object_new_string(s) : NULL;
}

int xt_export_unit_feature(const struct xt_unit *u, const char *polygon_json,
                           struct json_object **out, struct xt_error *err)
{
    *out = NULL;
    struct json_object *geom = NULL;
    if (polygon_json) {
        int rc = xt_geojson_polygon_normalise(polygon_json, &geom, err);
        if (rc) {
            if (err) {
                char why[sizeof(err->message)];
                snprintf(why, sizeof(why), "%s", err->message);
                xt_error_set(err, rc, "geometry", "unit '%s': %.200s", u->code, why);
            }
            return rc;
        }
    } else if (u->has_point) {
        geom = xt_geojson_point(u->lat, u->lon);
    }
    struct json_object *f = json_object_new_object(), *p = json_object_new_object();
    if (!f || !p) {
        json_object_put(f);
        json_object_put(p);
        json_object_put(geom);
        return XT_ENOMEM;
    }
    json_object_object_add(p, "code", json_object_new_string(u->code));
    json_object_object_add(p, "name", json_object_new_string(u->name));
    json_object_object_add(p, "level", str_or_null(xt_unit_level_name(u->level)));
    json_object_object_add(p, "kind", str_or_null(u->kind ? xt_unit_kind_name(u->kind) : NULL));
    json_object_object_add(p, "parent", str_or_null(u->parent));
    json_object_object_add(p, "population",
                           u->population ? json_object_new_int64(u->population) : NULL);
    json_object_object_add(p, "households",
                           u->households ? json_object_new_int64(u->households) : NULL);
    json_object_object_add(f, "type", json_object_new_string("Feature"));
    json_object_object_add(f, "id", json_object_new_string(u->code));
    json_object_object_add(f, "geometry", geom);
    json_object_object_add(f, "properties", p);
    *out = f;
    return 0;
}

struct json_object *xt_export_ticket_feature(const struct xt_render_ctx *rc,
                                             const struct xt_ticket *t, int64_t now)
{
    struct json_object *f = json_object_new_object(), *p = json_object_new_object();
    json_object_object_add(p, "number", json_object_new_string(t->number));
    json_object_object_add(p, "type", str_or_null(xt_reqtype_name(t->type)));
    json_object_object_add(p, "urgent", json_object_new_boolean(t->urgent));
    json_object_object_add(p, "category", str_or_null(t->category));
    json_object_object_add(p, "category_name", str_or_null(category_name(rc, t->category)));
    json_object_object_add(p, "state", str_or_null(xt_state_name(t->state)));
    json_object_object_add(p, "channel", str_or_null(xt_channel_name(t->channel)));
    json_object_object_add(p, "grid", str_or_null(t->grid));
    json_object_object_add(p, "grid_name", str_or_null(unit_name(rc, t->grid)));
    json_object_object_add(p, "handler", str_or_null(t->handler));
    json_object_object_add(p, "handler_name", str_or_null(unit_name(rc, t->handler)));
    json_object_object_add(p, "created_at", xt_render_time(t->created_at));
    json_object_object_add(p, "sign_by", xt_render_time(t->sign_by));
    json_object_object_add(p, "resolve_by", xt_render_time(t->resolve_by));
    json_object_object_add(p, "overdue", json_object_new_boolean(xt_ticket_overdue(t, now)));
    json_object_object_add(f, "type", json_object_new_string("Feature"));
    json_object_object_add(f, "id", json_object_new_string(t->number));
    json_object_object_add(f, "geometry", t->has_point ? xt_geojson_point(t->lat, t->lon) : NULL);
    json_object_object_add(f, "properties", p);
    return f;
}

struct json_object *xt_export_collection(struct json_object **features)
{
    struct json_object *o = json_object_new_object();
    *features = json_object_new_array();
    json_object_object_add(o, "type", json_object_new_string("FeatureCollection"));
    json_object_object_add(o, "features", *features);
    return o;
}
