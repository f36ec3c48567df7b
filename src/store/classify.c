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
/* The village's open tickets newest first (tickets_open_village: the scan
 * stops after ?4 rows); the text only of those stored before signatures
 * were kept. */
static const char SQL_NEAR[] =
    "SELECT number, text_sig, grid, lat, lon, state, CASE WHEN text_sig IS NULL THEN text END,"
    " lead, handler, cohandlers, creator_id FROM tickets WHERE substr(grid, 1, 12) = ?1"
    " AND state IN (0, 1, 2, 5) AND created_at >= ?2 AND number <> ?3 ORDER BY id DESC LIMIT ?4";
static const char SQL_TEXT[] = "SELECT text FROM tickets WHERE number = ?1";
/* SQLite: the row of a cached candidate (dupcache.c), in SQL_NEAR's
 * columns, if it is still open, recent and not the ticket itself ("IN"
 * would build a temporary table at each run there). */
static const char SQL_NEAR_ROW[] =
    "SELECT number, text_sig, grid, lat, lon, state, CASE WHEN text_sig IS NULL THEN text END,"
    " lead, handler, cohandlers, creator_id FROM tickets WHERE id = ?1"
    " AND (state BETWEEN 0 AND 2 OR state = 5)"
    " AND created_at >= ?2 AND number <> ?3";

/* A candidate is compared exactly only when at least this many of the 64
 * signature bins agree: at the threshold (J = 0.35, 22.4 bins expected)
 * fewer than 7 agree with probability below 10^-4, while an unrelated
 * request of the same village (J about 0.05) passes about 1 time in 30
 * (1 in 2,500 among real messages). Of those, the DUP_EXACT with the most
 * agreeing bins are compared exactly, so that a village with many copies
 * of one request (a campaign) costs no more reads than any other. */
#define DUP_MIN_AGREE 7
#define DUP_EXACT (2 * XT_DUP_MAX)

struct candidate {
    char number[32];
    char grid[XT_CODE_MAX];
    char *text; /* NULL until read */
    int agree;  /* bins; XT_TEXT_SIG_BINS + 1 for an exact reading below */
    double sim, dist;
    int state;
};

void xt_duplicates_release(struct xt_duplicate *d, int n)
{
    for (int i = 0; i < n; i++) {
        free(d[i].text);
        d[i].text = NULL;
    }
}

/* Whether the actor may read the candidate at the current row (v is
 * scratch space, reused for every row). */
static bool candidate_visible(struct xt_stmt *st, const struct xt_actor *actor,
                              struct xt_ticket *v)
{
    memset(v, 0, sizeof(*v));
    snprintf(v->grid, sizeof(v->grid), "%s", xt_col_text(st, 2));
    snprintf(v->lead, sizeof(v->lead), "%s", xt_col_text(st, 7));
    snprintf(v->handler, sizeof(v->handler), "%s", xt_col_text(st, 8));
    xt_store_parse_cohandlers(v, xt_col_text(st, 9));
    v->creator_id = xt_col_int(st, 10);
    return xt_ticket_visible(v, actor);
}

static int by_agree(const void *x, const void *y)
{
    const struct candidate *a = x, *b = y;
    return (a->agree < b->agree) - (a->agree > b->agree);
}

static int by_similarity(const void *x, const void *y)
{
    const struct candidate *a = x, *b = y;
    return (a->sim < b->sim) - (a->sim > b->sim);
}

/* Read the visible, placed-near, signature-close open tickets of the
 * village into cand (at most XT_DUP_SCAN). */
/* The new ticket's shingles, made when first needed: with the signature
 * kept from intake, a village without close candidates needs none. */
struct mine {
    const char *text;
    uint32_t *a;
    size_t na;
    bool made;
};

static int mine_shingles(struct mine *m)
{
    if (m->made)
        return 0;
    m->made = true;
    return xt_shingles(m->text, XT_DUP_CHARS, &m->a, &m->na);
}

/* Take the candidate at the current row of st (SQL_NEAR's columns), whose
 * signature agrees in `agree` bins (unused for a row without one). */
static int consider(struct xt_stmt *st, const struct xt_actor *actor, const struct xt_ticket *t,
                    struct mine *m, int agree, struct xt_ticket *v, struct candidate *cand,
                    int *ncand)
{
    if (!candidate_visible(st, actor, v))
        return 0; /* outside the caller's area */
    double dist = -1;
    if (t->has_point && !xt_col_null(st, 3) && !xt_col_null(st, 4)) {
        dist = metres(t->lat, t->lon, xt_col_double(st, 3), xt_col_double(st, 4));
        if (dist > XT_DUP_MAX_METRES)
            return 0;
    }
    struct candidate *k = &cand[*ncand];
    memset(k, 0, sizeof(*k));
    k->dist = dist;
    if (xt_col_null(st, 1)) {
        /* Stored before signatures: compared by its text. */
        uint32_t *b = NULL;
        size_t nb = 0;
        k->text = strdup(xt_col_text(st, 6));
        if (!k->text || mine_shingles(m) || xt_shingles(k->text, XT_DUP_CHARS, &b, &nb)) {
            free(k->text);
            k->text = NULL;
            return XT_ENOMEM;
        }
        k->sim = xt_jaccard(m->a, m->na, b, nb);
        free(b);
        if (k->sim < XT_DUP_MIN_SIMILARITY) {
            free(k->text);
            k->text = NULL;
            return 0;
        }
        k->agree = XT_TEXT_SIG_BINS + 1;
    } else {
        k->agree = agree;
    }
    snprintf(k->number, sizeof(k->number), "%s", xt_col_text(st, 0));
    snprintf(k->grid, sizeof(k->grid), "%s", xt_col_text(st, 2));
    k->state = (int)xt_col_int(st, 5);
    (*ncand)++;
    return 0;
}

/* Read the visible, placed-near, signature-close open tickets of the
 * village into cand (at most XT_DUP_SCAN). The signature is looked at
 * first: most rows stop at it. */
static int scan_village(struct xt_conn *c, const struct xt_actor *actor, const struct xt_ticket *t,
                        struct mine *m, const char *sig, struct candidate *cand, int *ncand)
{
    char village[16];
    snprintf(village, sizeof(village), "%.12s", t->grid);
    struct xt_stmt *st = xt_conn_stmt(c, SQL_NEAR);
    struct xt_ticket *v = malloc(sizeof(*v));
    if (!st || !v) {
        free(v);
        return v ? XT_EIO : XT_ENOMEM;
    }
    xt_bind_text(st, 1, village);
    xt_bind_int(st, 2, t->created_at - (int64_t)XT_DUP_DAYS * 86400);
    xt_bind_text(st, 3, t->number);
    xt_bind_int(st, 4, XT_DUP_SCAN);
    int r, rc = 0;
    while (!rc && (r = xt_step(st)) == 1 && *ncand < XT_DUP_SCAN) {
        int agree = -1;
        if (!xt_col_null(st, 1)) {
            agree = xt_text_signature_agree(sig, xt_col_text(st, 1));
            if (agree < DUP_MIN_AGREE)
                continue; /* also a text without shingles (-1) */
        }
        rc = consider(st, actor, t, m, agree, v, cand, ncand);
    }
    free(v);
    if (r < 0 && !rc)
        rc = XT_EIO;
    xt_reset(st);
    return rc;
}

/* The same from the village's cached signatures (SQLite): only the rows
 * of candidates that pass the signature are read. */
static int scan_cached(struct xt_store *s, struct xt_conn *c, const struct xt_actor *actor,
                       const struct xt_ticket *t, struct mine *m, const char *sig,
                       struct candidate *cand, int *ncand)
{
    char village[16];
    snprintf(village, sizeof(village), "%.12s", t->grid);
    int64_t since = t->created_at - (int64_t)XT_DUP_DAYS * 86400;
    /* On the stack: at every intake, where heap blocks this large cost
     * more than their use (glibc consolidates its small free blocks). */
    struct xt_dupcache_hit hits[XT_DUP_SCAN];
    struct xt_ticket v[1];
    struct xt_stmt *row = xt_conn_stmt(c, SQL_NEAR_ROW);
    int nh = 0, rc = !row ? XT_EIO : 0;
    if (!rc)
        rc = xt_dupcache_candidates(s->dupcache, c, village, since, t->id, sig, DUP_MIN_AGREE,
                                    hits, &nh);
    for (int i = 0; !rc && i < nh && *ncand < XT_DUP_SCAN; i++) {
        xt_bind_int(row, 1, hits[i].id);
        xt_bind_int(row, 2, since);
        xt_bind_text(row, 3, t->number);
        int rr = xt_step(row);
        if (rr == 1)
            rc = consider(row, actor, t, m, hits[i].agree, v, cand, ncand);
        else if (rr < 0)
            rc = XT_EIO;
        xt_reset(row);
    }
    return rc;
}

/* The exact similarity of a candidate known by its signature. */
static int exact(struct xt_conn *c, struct mine *m, struct candidate *k)
{
    struct xt_stmt *tx = xt_conn_stmt(c, SQL_TEXT);
    if (!tx)
        return XT_EIO;
    xt_bind_text(tx, 1, k->number);
    int r = xt_step(tx);
    if (r == 1)
        k->text = strdup(xt_col_text(tx, 0));
    xt_reset(tx);
    if (r < 0 || (r == 1 && !k->text))
        return r < 0 ? XT_EIO : XT_ENOMEM;
    k->sim = 0; /* gone since the scan */
    if (!k->text)
        return 0;
    uint32_t *b = NULL;
    size_t nb = 0;
    if (mine_shingles(m) || xt_shingles(k->text, XT_DUP_CHARS, &b, &nb))
        return XT_ENOMEM;
    k->sim = xt_jaccard(m->a, m->na, b, nb);
    free(b);
    return 0;
}

int xt_store_ticket_duplicates(struct xt_store *s, const struct xt_actor *actor,
                               const struct xt_ticket *t, struct xt_duplicate *out, int *n,
                               struct xt_error *err)
{
    *n = 0;
    if (!t->text || strlen(t->grid) < 12)
        return 0;
    struct mine m = {.text = t->text};
    char sig[XT_TEXT_SIG_HEX + 1];
    if (t->text_sig && strlen(t->text_sig) == XT_TEXT_SIG_HEX) {
        snprintf(sig, sizeof(sig), "%s", t->text_sig);
    } else {
        if (mine_shingles(&m))
            return xt_error_set(err, XT_ENOMEM, "", "out of memory");
        xt_text_signature_of(m.a, m.na, sig);
    }
    if (!*sig) {
        free(m.a);
        return 0; /* no shingles: nothing to compare */
    }
    struct candidate cand[XT_DUP_SCAN]; /* the first ncand set by consider() */
    struct xt_conn *c = xt_store_lookup_reader(s);
    if (!c) {
        free(m.a);
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    }
    int ncand = 0;
    int rc = s->dupcache ? scan_cached(s, c, actor, t, &m, sig, cand, &ncand)
                         : scan_village(c, actor, t, &m, sig, cand, &ncand);
    /* The closest by signature (and those already compared) are compared
     * exactly; the rest are dropped. */
    qsort(cand, (size_t)ncand, sizeof(*cand), by_agree);
    int keep = ncand < DUP_EXACT ? ncand : DUP_EXACT;
    for (int i = 0; !rc && i < keep; i++)
        if (!cand[i].text)
            rc = exact(c, &m, &cand[i]);
    xt_store_lookup_put(s, c);
    if (!rc) {
        qsort(cand, (size_t)keep, sizeof(*cand), by_similarity);
        for (int i = 0; i < keep && *n < XT_DUP_MAX; i++) {
            struct candidate *k = &cand[i];
            if (k->sim < XT_DUP_MIN_SIMILARITY)
                break;
            struct xt_duplicate *d = &out[(*n)++];
            memset(d, 0, sizeof(*d));
            _Static_assert(sizeof(d->number) == sizeof(k->number), "number sizes");
            memcpy(d->number, k->number, sizeof(d->number));
            d->text = k->text;
            k->text = NULL;
            d->similarity = k->sim;
            d->distance_m = k->dist;
            d->same_grid = strcmp(k->grid, t->grid) == 0;
            d->state = k->state;
        }
    }
    for (int i = 0; i < ncand; i++)
        free(cand[i].text);
    free(m.a);
    if (rc)
        return xt_error_set(err, rc, "", "cannot look for duplicates");
    return 0;
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
