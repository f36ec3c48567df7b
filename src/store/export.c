/* export.c - data out, the counterpart of import.c: units and tickets as
 * GeoJSON, tickets, the ranking and the rates as CSV or XLSX. The HTTP API
 * and the CLI both call xt_store_export, so a file is the same whichever
 * way it was asked for. */
#include "core/export.h"
#include "core/geojson.h"
#include "core/privacy.h"
#include "lib/xtime.h"
#include "store/store_int.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *name_of(void *ctx, const char *code)
{
    return xt_store_unit_name(ctx, code);
}

static void set_names(struct xt_export_out *out, const char *zh, const char *en, int lang,
                      const char *scope, const char *period, const char *ext)
{
    snprintf(out->filename, sizeof(out->filename), "%s-%s-%s.%s", lang == XT_LANG_EN ? en : zh,
             scope && *scope ? scope : "all", period, ext);
    snprintf(out->filename_ascii, sizeof(out->filename_ascii), "%s-%s-%s.%s", en,
             scope && *scope ? scope : "all", period, ext);
}

static int check_scope(const struct xt_actor *actor, const char *field, const char *code,
                       struct xt_error *err)
{
    if (xt_unit_level_of_code(code) == XT_LEVEL_NONE)
        return xt_error_set(err, XT_EINVAL, field, "'%s' is not a unit code", code);
    if (actor->role != XT_ROLE_SYSTEM && !xt_unit_within(code, actor->scope))
        return xt_error_set(err, XT_EPERM, field, "'%s' is outside your area", code);
    return 0;
}

static int geojson_bytes(struct json_object *fc, struct xt_export_out *out, struct xt_error *err)
{
    const char *text =
        json_object_to_json_string_ext(fc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    out->data = text ? strdup(text) : NULL;
    if (!out->data)
        return xt_error_set(err, XT_ENOMEM, "", "out of memory");
    out->len = strlen(out->data);
    out->content_type = "application/geo+json";
    return 0;
}

/* ---- units ---- */

struct units_ctx {
    struct xt_store *s;
    struct json_object *features;
    long n;
    int rc;
    struct xt_error *err;
};

static int unit_feature(void *ctx, const struct xt_unit *u)
{
    struct units_ctx *k = ctx;
    if (k->n >= XT_EXPORT_MAX_ROWS) {
        k->rc = xt_error_set(k->err, XT_ETOOBIG, "level",
                             "more than %d units; export a smaller area", XT_EXPORT_MAX_ROWS);
        return 1;
    }
    char *poly = NULL;
    int rc = xt_store_unit_polygon(k->s, u->code, &poly);
    if (rc && rc != XT_ENOTFOUND) {
        k->rc = xt_error_set(k->err, rc, "", "cannot read the polygon of '%s'", u->code);
        return 1;
    }
    struct json_object *f;
    rc = xt_export_unit_feature(u, poly, &f, k->err);
    free(poly);
    if (rc) {
        k->rc = rc;
        return 1;
    }
    json_object_array_add(k->features, f);
    k->n++;
    return 0;
}

static int export_units(struct xt_store *s, const struct xt_actor *actor,
                        const struct xt_export_req *rq, int64_t now, struct xt_export_out *out,
                        struct xt_error *err)
{
    const char *root = rq->root && *rq->root ? rq->root : actor->scope;
    if (!root || !*root)
        return xt_error_set(err, XT_EINVAL, "root", "is required");
    int rc = check_scope(actor, "root", root, err);
    if (rc)
        return rc;
    int root_level = xt_unit_level_of_code(root);
    /* Default: the level below the root, or the grid itself. */
    int level = rq->level                     ? rq->level
                : root_level == XT_LEVEL_GRID ? XT_LEVEL_GRID
                                              : root_level + 1;
    if (root_level == XT_LEVEL_DEPARTMENT || level == XT_LEVEL_DEPARTMENT || level < root_level ||
        level > XT_LEVEL_GRID)
        return xt_error_set(err, XT_EINVAL, "level",
                            "must be a level from the root's (%s) down to grid",
                            xt_unit_level_name(root_level));
    struct json_object *features;
    struct json_object *fc = xt_export_collection(&features);
    struct units_ctx k = {s, features, 0, 0, err};
    rc = xt_store_units_at_level(s, root, level, unit_feature, &k);
    if (!rc)
        rc = k.rc;
    else
        xt_error_set(err, rc, "", "cannot read the units");
    if (!rc)
        rc = geojson_bytes(fc, out, err);
    json_object_put(fc);
    if (rc)
        return rc;
    out->rows = k.n;
    char day[11];
    xt_date_format(xt_local_day(now), day);
    char scope[48];
    snprintf(scope, sizeof(scope), "%s-%s", root, xt_unit_level_name(level));
    set_names(out, "单位", "units", rq->lang, scope, day, "geojson");
    return 0;
}

/* ---- tickets ---- */

struct tickets_ctx {
    struct xt_store *s;
    const struct xt_export_req *rq;
    struct xt_render_ctx rctx;
    struct xt_sheet *sheet;       /* CSV/XLSX */
    struct json_object *features; /* GeoJSON */
    struct xt_conn *sealed;       /* reader for contacts in clear */
    struct xt_buf revealed;       /* numbers whose contact went out in clear, NUL-separated */
    long n_revealed;
    int64_t now;
    long n;
    int rc;
    struct xt_error *err;
};

/* The contact of ticket id in clear (reveal) into name/phone. */
static int contact_clear(struct tickets_ctx *k, int64_t id, char *name, size_t nsz, char *phone,
                         size_t psz)
{
    name[0] = phone[0] = '\0';
    struct xt_stmt *st =
        xt_conn_stmt(k->sealed, "SELECT contact_name, contact_phone FROM tickets WHERE id=?1");
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, id);
    int rc = 0;
    if (xt_step(st) == 1) {
        for (int i = 0; i < 2 && !rc; i++) {
            if (xt_col_null(st, i))
                continue;
            char *plain = NULL;
            size_t n = 0;
            if (xt_unseal(&k->s->key, xt_col_text(st, i), &plain, &n)) {
                rc = XT_EIO;
                break;
            }
            snprintf(i ? phone : name, i ? psz : nsz, "%s", plain);
            sodium_memzero(plain, n);
            free(plain);
        }
    }
    xt_reset(st);
    return rc;
}

static int ticket_item(void *ctx, const struct xt_ticket *t)
{
    struct tickets_ctx *k = ctx;
    if (k->n >= XT_EXPORT_MAX_ROWS) {
        k->rc = xt_error_set(k->err, XT_ETOOBIG, "filter",
                             "more than %d tickets match; narrow the filter (from, to, unit,"
                             " status)",
                             XT_EXPORT_MAX_ROWS);
        return 1;
    }
    k->n++;
    if (k->features) {
        json_object_array_add(k->features, xt_export_ticket_feature(&k->rctx, t, k->now));
        return 0;
    }
    char name[128], phone[40];
    const char *cn = t->masked_name, *cp = t->masked_phone;
    if (k->rq->reveal) {
        if (contact_clear(k, t->id, name, sizeof(name), phone, sizeof(phone))) {
            k->rc = xt_error_set(k->err, XT_EIO, "", "cannot open the contact of '%s'", t->number);
            return 1;
        }
        cn = name;
        cp = phone;
        if ((*name || *phone) && (xt_buf_append(&k->revealed, t->number, strlen(t->number) + 1))) {
            k->rc = xt_error_set(k->err, XT_ENOMEM, "", "out of memory");
            return 1;
        }
        k->n_revealed += *name || *phone;
    }
    int rc = xt_export_ticket_row(k->sheet, &k->rctx, t, cn, cp, k->rq->lang, k->now);
    sodium_memzero(name, sizeof(name));
    sodium_memzero(phone, sizeof(phone));
    if (rc) {
        k->rc = xt_error_set(k->err, rc, "",
                             rc == XT_ETOOBIG ? "the export is larger than allowed"
                                              : "cannot write the sheet");
        return 1;
    }
    return 0;
}

/* One audit row per contact revealed, as for an unmasked read of the
 * ticket, all in one write (one commit). */
struct reveal_audit {
    const struct xt_actor *actor;
    const struct tickets_ctx *k;
    const char *detail;
    int64_t now;
};

static int reveal_audit_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct reveal_audit *a = arg;
    const char *p = a->k->revealed.data, *end = p + a->k->revealed.len;
    for (; p && p < end; p += strlen(p) + 1) {
        int rc = xt_audit_append(s, c, a->actor, "ticket.reveal_contact", p, a->detail, a->now);
        if (rc)
            return rc;
    }
    return 0;
}

static int export_tickets(struct xt_store *s, const struct xt_actor *actor,
                          const struct xt_export_req *rq, int64_t now, struct xt_export_out *out,
                          struct xt_error *err)
{
    if (rq->reveal && rq->format == XT_EXPORT_GEOJSON)
        return xt_error_set(err, XT_EINVAL, "reveal", "GeoJSON exports never hold contacts");
    if (rq->reveal && !xt_role_may_unmask_contact(actor->role))
        return xt_error_set(err, XT_EPERM, "reveal",
                            "role '%s' may not see contact details unmasked",
                            xt_role_name(actor->role));
    if (rq->filter.unit &&
        (*rq->filter.unit == '\0' || xt_unit_level_of_code(rq->filter.unit) == XT_LEVEL_NONE))
        return xt_error_set(err, XT_EINVAL, "unit", "'%s' is not a unit code", rq->filter.unit);
    struct tickets_ctx k = {.s = s, .rq = rq, .now = now, .err = err};
    xt_buf_init(&k.revealed, (size_t)XT_EXPORT_MAX_ROWS * 24);
    k.rctx = (struct xt_render_ctx){name_of, s, xt_store_routing(s)};
    struct json_object *fc = NULL;
    int rc = 0;
    if (rq->format == XT_EXPORT_GEOJSON) {
        fc = xt_export_collection(&k.features);
    } else {
        int ncols;
        const struct xt_sheet_col *cols = xt_export_ticket_cols(rq->lang, &ncols);
        rc = xt_sheet_new(rq->format, xt_export_title("tickets", rq->lang), cols, ncols, 0,
                          &k.sheet, err);
        if (rc)
            return rc;
    }
    if (rq->reveal && !(k.sealed = xt_store_reader(s)))
        rc = xt_error_set(err, XT_EIO, "", "storage unavailable");
    struct xt_ticket_filter f = rq->filter;
    f.limit = 500;
    f.cursor = 0;
    do {
        int64_t next = 0;
        if (!rc)
            rc = xt_store_ticket_list(s, actor, &f, now, ticket_item, &k, &next, err);
        if (!rc)
            rc = k.rc;
        f.cursor = next;
    } while (!rc && f.cursor);
    xt_store_reader_put(s, k.sealed);
    if (!rc && k.n_revealed) {
        /* Durable before a single contact leaves the server. */
        char detail[64];
        snprintf(detail, sizeof(detail), "%s export", xt_sheet_extension(rq->format));
        struct reveal_audit a = {actor, &k, detail, now};
        if (xt_store_write(s, reveal_audit_job, &a))
            rc = xt_error_set(err, XT_EIO, "", "cannot audit the export");
    }
    xt_buf_release(&k.revealed);
    if (!rc && fc)
        rc = geojson_bytes(fc, out, err);
    else if (!rc)
        rc = xt_sheet_finish(k.sheet, &out->data, &out->len, err);
    json_object_put(fc);
    xt_sheet_free(k.sheet);
    if (rc)
        return rc;
    if (!fc)
        out->content_type = xt_sheet_content_type(rq->format);
    out->rows = k.n;
    char day[11];
    xt_date_format(xt_local_day(now), day);
    set_names(out, "工单", "tickets", rq->lang, f.unit ? f.unit : actor->scope, day,
              fc ? "geojson" : xt_sheet_extension(rq->format));
    return 0;
}

/* ---- ranking and rates ---- */

static int finish_sheet(struct xt_sheet *sh, int rc, const struct xt_export_req *rq,
                        struct xt_export_out *out, struct xt_error *err)
{
    if (rc)
        xt_error_set(err, rc, "", "cannot write the sheet");
    else
        rc = xt_sheet_finish(sh, &out->data, &out->len, err);
    if (!rc) {
        out->content_type = xt_sheet_content_type(rq->format);
        out->rows = xt_sheet_rows(sh);
    }
    xt_sheet_free(sh);
    return rc;
}

static int export_ranking(struct xt_store *s, const struct xt_actor *actor,
                          const struct xt_export_req *rq, struct xt_export_out *out,
                          struct xt_error *err)
{
    const char *unit = rq->unit && *rq->unit ? rq->unit : actor->scope;
    if (!unit || !*unit)
        return xt_error_set(err, XT_EINVAL, "unit", "is required");
    int rc = check_scope(actor, "unit", unit, err);
    if (rc)
        return rc;
    int level = rq->level ? rq->level : XT_LEVEL_TOWNSHIP;
    if (level != XT_LEVEL_TOWNSHIP && level != XT_LEVEL_DEPARTMENT)
        return xt_error_set(err, XT_EINVAL, "kind", "must be township or department");
    struct xt_rates *rates;
    int *ranks;
    size_t n;
    if ((rc = xt_store_ranking(s, unit, level, rq->month, &rates, &ranks, &n, err)))
        return rc;
    int ncols;
    const struct xt_sheet_col *cols = xt_export_rates_cols(rq->lang, true, &ncols);
    struct xt_sheet *sh;
    rc = xt_sheet_new(rq->format, xt_export_title("ranking", rq->lang), cols, ncols, 0, &sh, err);
    if (!rc) {
        struct xt_render_ctx rctx = {name_of, s, xt_store_routing(s)};
        for (size_t i = 0; i < n && !rc; i++)
            rc = xt_export_rates_row(sh, &rctx, &rates[i], true, ranks[i], rq->month);
        rc = finish_sheet(sh, rc, rq, out, err);
    }
    free(rates);
    free(ranks);
    if (rc)
        return rc;
    char period[24], scope[48];
    snprintf(period, sizeof(period), "%04d-%02d", rq->month / 100, rq->month % 100);
    snprintf(scope, sizeof(scope), "%s-%s", unit, xt_unit_level_name(level));
    set_names(out, "月度排名", "ranking", rq->lang, scope, period, xt_sheet_extension(rq->format));
    return 0;
}

static int month_back(int month, int k)
{
    int m = month / 100 * 12 + month % 100 - 1 - k;
    return m / 12 * 100 + m % 12 + 1;
}

static int export_rates(struct xt_store *s, const struct xt_actor *actor,
                        const struct xt_export_req *rq, struct xt_export_out *out,
                        struct xt_error *err)
{
    const char *unit = rq->unit && *rq->unit ? rq->unit : actor->scope;
    if (!unit || !*unit)
        return xt_error_set(err, XT_EINVAL, "unit", "is required");
    int rc = check_scope(actor, "unit", unit, err);
    if (rc)
        return rc;
    int months = rq->months ? rq->months : 1;
    if (months < 1 || months > 36)
        return xt_error_set(err, XT_EINVAL, "months", "must be 1..36");
    int ncols;
    const struct xt_sheet_col *cols = xt_export_rates_cols(rq->lang, false, &ncols);
    struct xt_sheet *sh;
    if ((rc = xt_sheet_new(rq->format, xt_export_title("rates", rq->lang), cols, ncols, 0, &sh,
                           err)))
        return rc;
    struct xt_render_ctx rctx = {name_of, s, xt_store_routing(s)};
    /* Oldest month first, as a trend reads. */
    for (int k = months - 1; k >= 0 && !rc; k--) {
        int m = month_back(rq->month, k);
        struct xt_rates r;
        if ((rc = xt_store_rates(s, unit, m, &r, err))) {
            xt_sheet_free(sh);
            return rc;
        }
        rc = xt_export_rates_row(sh, &rctx, &r, false, 0, m);
    }
    if ((rc = finish_sheet(sh, rc, rq, out, err)))
        return rc;
    char period[40];
    snprintf(period, sizeof(period), "%04d-%02d", rq->month / 100, rq->month % 100);
    if (months > 1) {
        int first = month_back(rq->month, months - 1);
        snprintf(period, sizeof(period), "%04d-%02d-%04d-%02d", first / 100, first % 100,
                 rq->month / 100, rq->month % 100);
    }
    set_names(out, "三率", "rates", rq->lang, unit, period, xt_sheet_extension(rq->format));
    return 0;
}

/* ---- entry ---- */

void xt_export_req_init(struct xt_export_req *rq)
{
    memset(rq, 0, sizeof(*rq));
    xt_ticket_filter_init(&rq->filter);
}

void xt_export_out_release(struct xt_export_out *out)
{
    if (!out)
        return;
    free(out->data);
    memset(out, 0, sizeof(*out));
}

int xt_store_export(struct xt_store *s, const struct xt_actor *actor,
                    const struct xt_export_req *rq, int64_t now, struct xt_export_out *out,
                    struct xt_error *err)
{
    memset(out, 0, sizeof(*out));
    xt_error_clear(err);
    if (rq->format != XT_EXPORT_GEOJSON && rq->format != XT_SHEET_CSV &&
        rq->format != XT_SHEET_XLSX)
        return xt_error_set(err, XT_EINVAL, "format", "must be geojson, csv or xlsx");
    bool geo = rq->format == XT_EXPORT_GEOJSON;
    int rc;
    if (strcmp(rq->what, "units") == 0)
        rc = geo ? export_units(s, actor, rq, now, out, err)
                 : xt_error_set(err, XT_EINVAL, "format", "units are exported as geojson");
    else if (strcmp(rq->what, "tickets") == 0)
        rc = export_tickets(s, actor, rq, now, out, err);
    else if (strcmp(rq->what, "ranking") == 0)
        rc = !geo
                 ? export_ranking(s, actor, rq, out, err)
                 : xt_error_set(err, XT_EINVAL, "format", "the ranking is exported as csv or xlsx");
    else if (strcmp(rq->what, "rates") == 0)
        rc = !geo ? export_rates(s, actor, rq, out, err)
                  : xt_error_set(err, XT_EINVAL, "format", "rates are exported as csv or xlsx");
    else
        rc = xt_error_set(err, XT_EINVAL, "what", "must be units, tickets, ranking or rates");
    if (rc)
        xt_export_out_release(out);
    return rc;
}
