/* h_export.c - file downloads: /api/v1/export/{units,tickets}.geojson,
 * /api/v1/export/{tickets,ranking,rates}.{csv,xlsx}. The route's last path
 * segment names the content and the format; the store builds the file
 * (store/export.c) and this answers it with its type and an attachment
 * name in ASCII and in UTF-8 (RFC 6266 with the RFC 5987 filename*). */
#include "core/export.h"
#include "http/server.h"
#include "lib/xtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Percent-encode s as an RFC 5987 value (attr-char kept) into out. */
static void rfc5987(const char *s, char *out, size_t size)
{
    static const char keep[] = "!#$&+-.^_`|~";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 < size; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr(keep, *p))
            out[o++] = (char)*p;
        else
            o += (size_t)snprintf(out + o, size - o, "%%%02X", *p);
    }
    out[o] = '\0';
}

static int int_arg(struct xt_req *r, const char *name, long lo, long hi, int *out)
{
    const char *v = xt_req_query(r, name);
    if (!v)
        return 0;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi)
        return xt_error_set(&r->err, XT_EINVAL, name, "must be %ld..%ld", lo, hi);
    *out = (int)n;
    return 0;
}

static int level_arg(struct xt_req *r, const char *name, int *level)
{
    const char *v = xt_req_query(r, name);
    if (!v)
        return 0;
    int l = xt_unit_level_parse(v);
    if (l == XT_LEVEL_NONE) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < XT_LEVEL_PROVINCE || n > XT_LEVEL_DEPARTMENT)
            return xt_error_set(&r->err, XT_EINVAL, name,
                                "must be a level name (township, village, grid ...) or 1..7");
        l = (int)n;
    }
    *level = l;
    return 0;
}

int xt_h_export(struct xt_req *r)
{
    /* "/api/v1/export/tickets.csv" -> what "tickets", extension "csv". */
    const char *file = strrchr(r->route->pattern, '/') + 1;
    const char *dot = strchr(file, '.');
    char what[16];
    snprintf(what, sizeof(what), "%.*s", (int)(dot - file), file);
    struct xt_export_req rq;
    xt_export_req_init(&rq);
    rq.what = what;
    rq.format =
        strcmp(dot + 1, "geojson") == 0 ? XT_EXPORT_GEOJSON : xt_sheet_format_parse(dot + 1);
    const char *v = xt_req_query(r, "lang");
    if ((rq.lang = xt_export_lang_parse(v)) < 0)
        return xt_error_set(&r->err, XT_EINVAL, "lang", "must be zh-CN or en");
    int rc = 0;
    rq.month = xt_month_of(r->now);
    if ((v = xt_req_query(r, "period")) && xt_month_parse(v, &rq.month))
        return xt_error_set(&r->err, XT_EINVAL, "period", "must be YYYY-MM");
    if (strcmp(what, "units") == 0) {
        rq.root = xt_req_query(r, "root");
        rc = level_arg(r, "level", &rq.level);
    } else if (strcmp(what, "tickets") == 0) {
        rc = xt_ticket_filter_query(r, &rq.filter);
        v = xt_req_query(r, "reveal");
        if (!rc && v && strcmp(v, "contact") != 0)
            rc = xt_error_set(&r->err, XT_EINVAL, "reveal", "only 'contact' can be revealed");
        rq.reveal = v != NULL;
    } else if (strcmp(what, "ranking") == 0) {
        rq.unit = xt_req_query(r, "unit");
        /* kind, or level as GET /api/v1/metrics/ranking names it. */
        const char *name = xt_req_query(r, "kind") ? "kind" : "level";
        v = xt_req_query(r, name);
        rq.level = XT_LEVEL_TOWNSHIP;
        if (v && (rq.level = xt_unit_level_parse(v)) != XT_LEVEL_TOWNSHIP &&
            rq.level != XT_LEVEL_DEPARTMENT)
            rc = xt_error_set(&r->err, XT_EINVAL, name, "must be township or department");
    } else {
        rq.unit = xt_req_query(r, "unit");
        rc = int_arg(r, "months", 1, 36, &rq.months);
    }
    if (rc)
        return rc;
    struct xt_export_out out;
    if ((rc = xt_store_export(r->store, &r->actor, &rq, r->now, &out, &r->err)))
        return rc;
    char enc[sizeof(out.filename) * 3 + 1];
    rfc5987(out.filename, enc, sizeof(enc));
    snprintf(r->disposition, sizeof(r->disposition),
             "attachment; filename=\"%s\"; filename*=UTF-8''%s", out.filename_ascii, enc);
    r->status = 200;
    r->content_type = out.content_type;
    r->raw_len = out.len;
    r->raw = out.data;
    out.data = NULL;
    xt_export_out_release(&out);
    return 0;
}
