/* classify.c - the store's side of auto-dispatch: the suggestion at
 * intake, operator overrides (migration 5), duplicate candidates of a
 * ticket and the tickets of a hot-issue period. */
#include "core/classify.h"
#include "core/hotissue.h"
#include "store/store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void xt_store_set_classifier(struct xt_store *s, struct xt_classifier *category,
                             struct xt_classifier *type, double threshold)
{
    xt_classifier_free(s->cat_model);
    xt_classifier_free(s->type_model);
    s->cat_model = category;
    s->type_model = type;
    s->suggest_threshold = threshold;
}

const struct xt_classifier *xt_store_category_model(struct xt_store *s)
{
    return s->cat_model;
}

const struct xt_classifier *xt_store_type_model(struct xt_store *s)
{
    return s->type_model;
}

double xt_store_suggest_threshold(struct xt_store *s)
{
    return s->suggest_threshold;
}

void xt_store_suggest(struct xt_store *s, const struct xt_ticket *t, char *category,
                      size_t catsz, double *confidence)
{
    category[0] = '\0';
    *confidence = 0;
    if (!s->cat_model || !t->text)
        return;
    struct xt_prediction p;
    xt_classifier_predict(s->cat_model, t->text, &p);
    const char *code = xt_classifier_code(s->cat_model, p.label);
    if (!*code || !xt_routing_category(&s->routing, code))
        return;
    snprintf(category, catsz, "%s", code);
    *confidence = p.confidence;
}

static const char SQL_OVERRIDE[] =
    "INSERT INTO classify_overrides(ticket_id, at, actor_id, suggested_category,"
    " suggested_handler, confidence, chosen_category, chosen_handler)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

int xt_store_record_override(struct xt_conn *c, const struct xt_ticket *t,
                             const struct xt_actor *actor, int64_t now)
{
    if (!*t->suggested_category && !*t->suggested_handler)
        return 0;
    if (strcmp(t->category, t->suggested_category) == 0 &&
        strcmp(t->handler, t->suggested_handler) == 0)
        return 0;
    struct xt_stmt *st = xt_conn_stmt(c, SQL_OVERRIDE);
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, t->id);
    xt_bind_int(st, 2, now);
    xt_bind_int(st, 3, actor->account_id);
    xt_bind_text(st, 4, t->suggested_category);
    xt_bind_text(st, 5, t->suggested_handler);
    xt_bind_double(st, 6, t->suggested_confidence);
    xt_bind_text(st, 7, t->category);
    xt_bind_text(st, 8, t->handler);
    int rc = xt_step(st) < 0 ? XT_EIO : 0;
    xt_reset(st);
    return rc;
}

int xt_store_classify_overrides(struct xt_store *s,
                                int (*fn)(void *ctx, const char *text, const char *category),
                                void *ctx, struct xt_error *err)
{
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    /* The last override of a ticket is the operator's final word. */
    struct xt_stmt *st = xt_conn_stmt(
        c, "SELECT t.text, o.chosen_category FROM classify_overrides o"
           " JOIN tickets t ON t.id = o.ticket_id"
           " WHERE o.chosen_category <> '' AND o.id = (SELECT MAX(id) FROM classify_overrides"
           " WHERE ticket_id = o.ticket_id) ORDER BY o.id");
    int rc = 0;
    if (!st) {
        rc = xt_error_set(err, XT_EIO, "", "cannot read the overrides");
    } else {
        int r;
        while ((r = xt_step(st)) == 1)
            if ((rc = fn(ctx, xt_col_text(st, 0), xt_col_text(st, 1))))
                break;
        if (r < 0)
            rc = xt_error_set(err, XT_EIO, "", "cannot read the overrides");
        xt_reset(st);
    }
    xt_store_reader_put(s, c);
    return rc;
}

static double metres(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371008.8, d = M_PI / 180;
    double dlat = (lat2 - lat1) * d, dlon = (lon2 - lon1) * d;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * d) * cos(lat2 * d) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(fmin(1.0, sqrt(a)));
}

/* Open tickets of one village in a time window, by the grid index. */
/* The village's open tickets newest first (tickets_open_grid); the text
 * only of those stored before signatures were kept. */
static const char SQL_NEAR[] =
    "SELECT number, text_sig, grid, lat, lon, state, CASE WHEN text_sig IS NULL THEN text END,"
    " lead, handler, cohandlers, creator_id FROM tickets WHERE grid >= ?1 AND grid < ?2 AND state IN (0, 1, 2, 5)"
    " AND created_at >= ?3 AND number <> ?4 ORDER BY id DESC LIMIT ?5";
static const char SQL_TEXT[] = "SELECT text FROM tickets WHERE number = ?1";

/* A candidate is compared exactly only when at least this many of the 64
 * signature bins agree: at the threshold (J = 0.35, 22.4 bins expected)
 * fewer than 7 agree with probability below 10^-4, while an unrelated
 * request of the same village (J about 0.05) passes 1 time in 25. */
#define DUP_MIN_AGREE 7

/* Exact similarity of the candidate at the current row; -1 when the
 * signatures say it cannot reach the threshold. */
static int candidate_similarity(struct xt_conn *c, struct xt_stmt *st, const uint32_t *a,
                                size_t na, const char *sig, double *sim, char **text)
{
    *sim = -1;
    *text = NULL;
    const char *other_sig = xt_col_null(st, 1) ? NULL : xt_col_text(st, 1);
    uint32_t *b = NULL;
    size_t nb = 0;
    if (other_sig) {
        int agree = xt_text_signature_agree(sig, other_sig);
        if (agree >= 0 && agree < DUP_MIN_AGREE)
            return 0;
        if (agree < 0 && *other_sig == 0)
            return 0; /* a text without shingles */
        struct xt_stmt *tx = xt_conn_stmt(c, SQL_TEXT);
        if (!tx)
            return XT_EIO;
        xt_bind_text(tx, 1, xt_col_text(st, 0));
        int r = xt_step(tx);
        if (r == 1)
            *text = strdup(xt_col_text(tx, 0));
        xt_reset(tx);
        if (r < 0)
            return XT_EIO;
        if (r == 0)
            return 0; /* gone since */
    } else {
        *text = strdup(xt_col_text(st, 6));
    }
    if (!*text || xt_shingles(*text, XT_DUP_CHARS, &b, &nb)) {
        free(*text);
        *text = NULL;
        return XT_ENOMEM;
    }
    *sim = xt_jaccard(a, na, b, nb);
    free(b);
    return 0;
}

void xt_duplicates_release(struct xt_duplicate *d, int n)
{
    for (int i = 0; i < n; i++) {
        free(d[i].text);
        d[i].text = NULL;
    }
}

/* Whether the actor may read the candidate at the current row. */
static bool candidate_visible(struct xt_stmt *st, const struct xt_actor *actor)
{
    struct xt_ticket *v = calloc(1, sizeof(*v));
    if (!v)
        return false;
    snprintf(v->grid, sizeof(v->grid), "%s", xt_col_text(st, 2));
    snprintf(v->lead, sizeof(v->lead), "%s", xt_col_text(st, 7));
    snprintf(v->handler, sizeof(v->handler), "%s", xt_col_text(st, 8));
    xt_store_parse_cohandlers(v, xt_col_text(st, 9));
    v->creator_id = xt_col_int(st, 10);
    bool ok = xt_ticket_visible(v, actor);
    free(v);
    return ok;
}

int xt_store_ticket_duplicates(struct xt_store *s, const struct xt_actor *actor,
                               const struct xt_ticket *t, struct xt_duplicate *out, int *n,
                               struct xt_error *err)
{
    *n = 0;
    if (!t->text || strlen(t->grid) < 12)
        return 0;
    uint32_t *a = NULL;
    size_t na = 0;
    if (xt_shingles(t->text, XT_DUP_CHARS, &a, &na))
        return xt_error_set(err, XT_ENOMEM, "", "out of memory");
    if (na == 0)
        return 0;
    char sig[XT_TEXT_SIG_HEX + 1];
    xt_text_signature_of(a, na, sig);
    char lo[16], hi[16];
    snprintf(lo, sizeof(lo), "%.12s", t->grid);
    snprintf(hi, sizeof(hi), "%.12s~", t->grid);
    struct xt_conn *c = xt_store_reader(s);
    if (!c) {
        free(a);
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    }
    int rc = 0;
    struct xt_stmt *st = xt_conn_stmt(c, SQL_NEAR);
    if (!st) {
        rc = xt_error_set(err, XT_EIO, "", "cannot look for duplicates");
        goto out;
    }
    xt_bind_text(st, 1, lo);
    xt_bind_text(st, 2, hi);
    xt_bind_int(st, 3, t->created_at - (int64_t)XT_DUP_DAYS * 86400);
    xt_bind_text(st, 4, t->number);
    xt_bind_int(st, 5, XT_DUP_SCAN);
    int r;
    while ((r = xt_step(st)) == 1) {
        if (!candidate_visible(st, actor))
            continue; /* outside the caller's area */
        double sim;
        char *text;
        int e = candidate_similarity(c, st, a, na, sig, &sim, &text);
        if (e) {
            rc = xt_error_set(err, e, "", "cannot look for duplicates");
            break;
        }
        if (sim < XT_DUP_MIN_SIMILARITY) {
            free(text);
            continue;
        }
        double dist = -1;
        if (t->has_point && !xt_col_null(st, 3) && !xt_col_null(st, 4)) {
            dist = metres(t->lat, t->lon, xt_col_double(st, 3), xt_col_double(st, 4));
            if (dist > XT_DUP_MAX_METRES) {
                free(text);
                continue;
            }
        }
        /* Insert by similarity, keep the best XT_DUP_MAX. */
        int pos = *n;
        while (pos > 0 && out[pos - 1].similarity < sim)
            pos--;
        if (pos >= XT_DUP_MAX) {
            free(text);
            continue;
        }
        if (*n == XT_DUP_MAX)
            xt_duplicates_release(&out[XT_DUP_MAX - 1], 1);
        int last = *n < XT_DUP_MAX ? *n : XT_DUP_MAX - 1;
        memmove(&out[pos + 1], &out[pos], (size_t)(last - pos) * sizeof(*out));
        struct xt_duplicate *d = &out[pos];
        memset(d, 0, sizeof(*d));
        snprintf(d->number, sizeof(d->number), "%s", xt_col_text(st, 0));
        d->text = text;
        d->similarity = sim;
        d->distance_m = dist;
        d->same_grid = strcmp(xt_col_text(st, 2), t->grid) == 0;
        d->state = (int)xt_col_int(st, 5);
        if (*n < XT_DUP_MAX)
            (*n)++;
    }
    if (r < 0 && !rc)
        rc = xt_error_set(err, XT_EIO, "", "cannot look for duplicates");
    xt_reset(st);
out:
    xt_store_reader_put(s, c);
    free(a);
    if (rc) {
        xt_duplicates_release(out, *n);
        *n = 0;
    }
    return rc;
}

static const char SQL_HOT[] =
    "SELECT t.number, t.grid, t.text, t.created_at,"
    " (SELECT COUNT(*) FROM tickets m WHERE m.merged_into = t.number) FROM tickets t"
    " WHERE t.created_at >= ?1 AND t.created_at < ?2 AND t.state <> 6"
    " AND (CAST(?3 AS TEXT) = '' OR (t.grid >= ?3 AND t.grid < ?4)) ORDER BY t.id";

void xt_store_hot_tickets_free(struct xt_hot_ticket *t, size_t n)
{
    if (!t)
        return;
    for (size_t i = 0; i < n; i++)
        free(t[i].text);
    free(t);
}

int xt_store_hot_tickets(struct xt_store *s, const char *unit, int month,
                         struct xt_hot_ticket **out, size_t *n, struct xt_error *err)
{
    *out = NULL;
    *n = 0;
    int prev = month % 100 == 1 ? month - 89 : month - 1;
    int64_t from = xt_month_start(prev), mid = xt_month_start(month),
            to = xt_month_start(xt_month_next(month));
    char lo[XT_CODE_MAX + 1], hi[XT_CODE_MAX + 2];
    snprintf(lo, sizeof(lo), "%s", unit ? unit : "");
    snprintf(hi, sizeof(hi), "%s~", lo);
    struct xt_conn *c = xt_store_report_reader(s);
    if (!c)
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    struct xt_stmt *st = xt_conn_stmt(c, SQL_HOT);
    struct xt_hot_ticket *v = NULL;
    size_t cnt = 0, cap = 0;
    int rc = 0, r = -1;
    if (st) {
        xt_bind_int(st, 1, from);
        xt_bind_int(st, 2, to);
        xt_bind_text(st, 3, lo);
        xt_bind_text(st, 4, hi);
        while ((r = xt_step(st)) == 1) {
            if (cnt == cap) {
                size_t nc = cap ? cap * 2 : 256;
                struct xt_hot_ticket *g = realloc(v, nc * sizeof(*g));
                if (!g) {
                    rc = XT_ENOMEM;
                    break;
                }
                v = g;
                cap = nc;
            }
            struct xt_hot_ticket *h = &v[cnt];
            memset(h, 0, sizeof(*h));
            snprintf(h->number, sizeof(h->number), "%s", xt_col_text(st, 0));
            snprintf(h->grid, sizeof(h->grid), "%s", xt_col_text(st, 1));
            if (!(h->text = strdup(xt_col_text(st, 2)))) {
                rc = XT_ENOMEM;
                break;
            }
            h->previous = xt_col_int(st, 3) < mid;
            h->support = (long)xt_col_int(st, 4);
            cnt++;
        }
        xt_reset(st);
    }
    xt_store_report_put(s, c, !st || r < 0);
    if (rc || !st || r < 0) {
        xt_store_hot_tickets_free(v, cnt);
        return xt_error_set(err, rc ? rc : XT_EIO, "", "cannot read the tickets of the period");
    }
    *out = v;
    *n = cnt;
    return 0;
}
