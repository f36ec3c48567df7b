/* open311.c - Open311 views of tickets: status, notes, notice, attributes. */
#include "core/open311.h"
#include "core/reqtype.h"

#include <stdio.h>
#include <string.h>

const char *xt_o311_status(int state)
{
    return xt_o311_is_open(state) ? "open" : "closed";
}

bool xt_o311_is_open(int state)
{
    return state >= 0 && state < XT_ST_COUNT && (XT_S(state) & XT_S_OPEN);
}

static const struct xt_o311_value type_values[] = {
    {"consult", "咨询"}, {"help", "求助"},       {"complaint", "投诉"},
    {"report", "举报"},  {"suggestion", "建议"},
};
static const struct xt_o311_value urgent_values[] = {
    {"false", "一般"},
    {"true", "紧急（24小时内办结）"},
};

const struct xt_o311_attr xt_o311_attrs[] = {
    {"request_type", "singlevaluelist", true, 1, "诉求类型",
     "咨询1个、求助3个、投诉和举报10个、建议15个工作日内办结（类别可另有规定）", type_values,
     (int)(sizeof(type_values) / sizeof(type_values[0]))},
    {"urgent", "singlevaluelist", false, 2, "是否紧急",
     "紧急诉求30分钟内签收、24小时内办结；缺省为一般", urgent_values,
     (int)(sizeof(urgent_values) / sizeof(urgent_values[0]))},
};
const int xt_o311_n_attrs = (int)(sizeof(xt_o311_attrs) / sizeof(xt_o311_attrs[0]));

static const char *or_blank(const char *s)
{
    return s ? s : "";
}

void xt_o311_status_notes(const struct xt_ticket *t, const char *unit_name, char *out, size_t outsz)
{
    const char *unit = unit_name && *unit_name ? unit_name : NULL;
    switch (t->state) {
    case XT_ST_RECEIVED:
        snprintf(out, outsz, "已受理，待派单");
        break;
    case XT_ST_DISPATCHED:
        snprintf(out, outsz, "已派单%s%s，待签收", unit ? "至" : "", or_blank(unit));
        break;
    case XT_ST_SIGNED:
        snprintf(out, outsz, "%s正在办理", or_blank(unit));
        break;
    case XT_ST_RETURNED:
        snprintf(out, outsz, "承办单位已退回，待重新派单");
        break;
    case XT_ST_MERGED:
        snprintf(out, outsz, "与同一事项合并办理：%s", t->merged_into);
        break;
    case XT_ST_REPLIED:
    case XT_ST_CLOSED:
        if (t->reply && *t->reply)
            snprintf(out, outsz, "%s：%s", t->state == XT_ST_CLOSED ? "已办结" : "办结答复",
                     t->reply);
        else
            snprintf(out, outsz, "已办结");
        break;
    default:
        snprintf(out, outsz, "%s", "");
    }
}

void xt_o311_event_note(int action, int to_state, const char *unit_name, const char *reply,
                        char *out, size_t outsz)
{
    const char *u = unit_name && *unit_name ? unit_name : "";
    switch (action) {
    case XT_ACT_CREATE:
        snprintf(out, outsz, "已受理");
        break;
    case XT_ACT_HANDLE_ON_SPOT:
        snprintf(out, outsz, "网格员就地解决%s%s", reply ? "：" : "", or_blank(reply));
        break;
    case XT_ACT_DISPATCH:
        snprintf(out, outsz, "已派单%s%s", *u ? "至" : "", u);
        break;
    case XT_ACT_SUB_DISPATCH:
        snprintf(out, outsz, "已转派%s%s", *u ? "至" : "", u);
        break;
    case XT_ACT_SIGN:
        snprintf(out, outsz, "%s已签收", u);
        break;
    case XT_ACT_RETURN:
        snprintf(out, outsz, "承办单位退回，待重新派单");
        break;
    case XT_ACT_ASK_EXTENSION:
        snprintf(out, outsz, "承办单位申请延期");
        break;
    case XT_ACT_DECIDE_EXTENSION:
        snprintf(out, outsz, "延期申请已审核");
        break;
    case XT_ACT_WHISTLE:
        snprintf(out, outsz, "乡镇吹哨，召集%s协同办理", *u ? u : "县直部门");
        break;
    case XT_ACT_REPORT_IN:
        snprintf(out, outsz, "%s已报到", *u ? u : "协办部门");
        break;
    case XT_ACT_REPLY:
        snprintf(out, outsz, "办结答复%s%s", reply ? "：" : "", or_blank(reply));
        break;
    case XT_ACT_CALLBACK:
        snprintf(out, outsz, to_state == XT_ST_CLOSED ? "已回访，办结" : "已回访");
        break;
    case XT_ACT_REOPEN:
        snprintf(out, outsz, "重新办理");
        break;
    case XT_ACT_MERGE:
        snprintf(out, outsz, "与同一事项合并办理");
        break;
    case XT_ACT_ESCALATE:
        snprintf(out, outsz, "已督办");
        break;
    default:
        snprintf(out, outsz, "%s", "");
    }
}

void xt_o311_service_notice(int type, bool urgent, const struct xt_deadline_rule *rule, char *out,
                            size_t outsz)
{
    if (urgent) {
        snprintf(out, outsz, "紧急诉求：30分钟内签收，24小时内办结");
        return;
    }
    int days = rule && rule->resolve_days > 0 ? rule->resolve_days : xt_reqtype_default_days(type);
    const char *label = xt_reqtype_label(type);
    snprintf(out, outsz, "%s类诉求：%d个工作日内办结", label ? label : "", days);
}

static bool has_cjk(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)or_blank(s); *p; p++)
        if (*p >= 0x80)
            return true;
    return false;
}

void xt_o311_person_name(const char *first, const char *last, char *out, size_t outsz)
{
    const char *f = or_blank(first), *l = or_blank(last);
    if (!*f || !*l)
        snprintf(out, outsz, "%s%s", l, f);
    else if (has_cjk(f) || has_cjk(l))
        snprintf(out, outsz, "%s%s", l, f);
    else
        snprintf(out, outsz, "%s %s", f, l);
}

int xt_o311_email_check(const char *email, struct xt_error *err)
{
    size_t n = email ? strlen(email) : 0;
    if (n == 0 || n > 254)
        return xt_error_set(err, XT_EINVAL, "email", "must be 1..254 characters");
    const char *at = strchr(email, '@');
    for (size_t i = 0; i < n; i++)
        if (email[i] <= ' ' || email[i] > '~')
            return xt_error_set(err, XT_EINVAL, "email",
                                "may hold only printable ASCII without spaces");
    if (!at || at == email || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.' ||
        email[n - 1] == '.')
        return xt_error_set(err, XT_EINVAL, "email", "is not an e-mail address");
    return 0;
}

void xt_o311_mask_email(const char *email, char *out, size_t outsz)
{
    if (!outsz)
        return;
    const char *e = or_blank(email);
    const char *at = strchr(e, '@');
    size_t local = at ? (size_t)(at - e) : strlen(e);
    size_t k = 0;
    for (size_t i = 0; i < local && k + 1 < outsz; i++)
        out[k++] = i == 0 && local > 1 ? e[0] : '*';
    out[k] = '\0';
    if (at && k + strlen(at) < outsz)
        snprintf(out + k, outsz - k, "%s", at);
}
