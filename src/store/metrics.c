/* metrics.c - reading assignments for the three rates and the ranking.
 *
 * These are reports: they may be read from a read replica (a PostgreSQL
 * hot standby, "replica = URL" in xietong.conf), which spares the primary
 * and may lag it by the replication delay. */
#include "lib/log.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

/* The counts behind the rates, summed in the database so that a month of a
 * province (hundreds of thousands of assignments) never crosses the wire
 * row by row. The sums follow xt_rates_add in core/metrics.c exactly. */
#define COUNT_COLS                                                                                 \
    " count(*),"                                                                                   \
    " sum(CASE WHEN signed_at IS NOT NULL AND signed_at <= sign_by THEN 1 ELSE 0 END),"           \
    " sum(CASE WHEN called_back = 1 THEN 1 ELSE 0 END),"                                          \
    " sum(CASE WHEN called_back = 1 AND resolved = 1 THEN 1 ELSE 0 END),"                         \
    " sum(CASE WHEN called_back = 1 AND satisfaction = 3 THEN 1 ELSE 0 END),"                     \
    " sum(CASE WHEN called_back = 1 AND satisfaction = 2 THEN 1 ELSE 0 END),"                     \
    " sum(CASE WHEN replied_at IS NOT NULL AND replied_at <= resolve_by THEN 1 ELSE 0 END),"      \
    " sum(CASE WHEN returned = 1 THEN 1 ELSE 0 END),"                                             \
    " sum(CASE WHEN repeat = 1 THEN 1 ELSE 0 END),"                                               \
    " sum(CASE WHEN proactive = 1 THEN 1 ELSE 0 END)"

static const char SQL_SUBTREE_COUNTS[] =
    "SELECT" COUNT_COLS " FROM assignments"
    " WHERE month = CAST(?1 AS INTEGER) AND unit >= CAST(?2 AS TEXT)"
    " AND unit < CAST(?2 AS TEXT) || 'z'";

static const char SQL_UNIT_COUNTS[] =
    "SELECT unit," COUNT_COLS " FROM assignments"
    " WHERE month = CAST(?1 AS INTEGER) AND unit >= CAST(?2 AS TEXT)"
    " AND unit < CAST(?2 AS TEXT) || 'z' GROUP BY unit";

static void read_counts(struct xt_stmt *st, int first, struct xt_rates *r)
{
    r->dispatched = (long)xt_col_int(st, first);
    r->signed_on_time = (long)xt_col_int(st, first + 1);
    r->called_back = (long)xt_col_int(st, first + 2);
    r->resolved = (long)xt_col_int(st, first + 3);
    r->satisfied = (long)xt_col_int(st, first + 4);
    r->basically = (long)xt_col_int(st, first + 5);
    r->replied_on_time = (long)xt_col_int(st, first + 6);
    r->returned = (long)xt_col_int(st, first + 7);
    r->repeat = (long)xt_col_int(st, first + 8);
    r->proactive = (long)xt_col_int(st, first + 9);
}

/* Run sql (?1 the month, ?2 the unit prefix) on a report connection and
 * call on_row for each row. A replica that fails is dropped and the query
 * run again on the primary; on_row must therefore set, not add (a
 * PostgreSQL result arrives whole, so a failure comes before any row). */
static int report_query(struct xt_store *s, const char *sql, int month, const char *unit,
                        void (*on_row)(void *ctx, struct xt_stmt *st), void *ctx)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        struct xt_conn *c = attempt == 0 ? xt_store_report_reader(s) : xt_store_reader(s);
        if (!c)
            return XT_EIO;
        bool replica = c->replica;
        struct xt_stmt *st = xt_conn_stmt(c, sql);
        int rc = XT_EIO;
        if (st) {
            xt_bind_int(st, 1, month);
            xt_bind_text(st, 2, unit ? unit : "");
            while ((rc = xt_step(st)) == 1)
                on_row(ctx, st);
            xt_reset(st);
        }
        xt_store_report_put(s, c, rc < 0);
        if (rc >= 0)
            return 0;
        if (!replica)
            return rc;
        xt_log(XT_LOG_WARN, "read replica failed a report: reading it from the primary");
    }
    return XT_EIO;
}

static void on_subtree_row(void *ctx, struct xt_stmt *st)
{
    read_counts(st, 0, ctx);
}

int xt_store_rates(struct xt_store *s, const char *unit, int month, struct xt_rates *out,
                   struct xt_error *err)
{
    struct xt_unit u;
    if (unit && *unit && xt_store_unit_get(s, unit, &u))
        return xt_error_set(err, XT_ENOTFOUND, "unit", "unknown unit '%s'", unit);
    xt_rates_init(out, unit);
    if (report_query(s, SQL_SUBTREE_COUNTS, month, unit, on_subtree_row, out))
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    struct xt_rate_weights w = xt_rate_weights_default();
    xt_rates_finish(out, &w);
    return 0;
}

struct rank_ctx {
    struct xt_rates *rates;
    size_t n, cap;
};

static int add_unit(void *ctx, const struct xt_unit *u)
{
    struct rank_ctx *r = ctx;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        struct xt_rates *p = realloc(r->rates, cap * sizeof(*p));
        if (!p)
            return XT_ENOMEM;
        r->rates = p;
        r->cap = cap;
    }
    xt_rates_init(&r->rates[r->n++], u->code);
    return 0;
}

static int cmp_unit(const void *k, const void *e)
{
    return strcmp(k, ((const struct xt_rates *)e)->unit);
}

static void on_unit_row(void *ctx, struct xt_stmt *st)
{
    struct rank_ctx *r = ctx;
    /* Units were listed in code order, so a binary search finds them. */
    struct xt_rates *hit = bsearch(xt_col_text(st, 0), r->rates, r->n, sizeof(*r->rates), cmp_unit);
    if (hit)
        read_counts(st, 1, hit);
}

int xt_store_ranking(struct xt_store *s, const char *within, int level, int month,
                     struct xt_rates **out, int **ranks, size_t *n, struct xt_error *err)
{
    *out = NULL;
    *ranks = NULL;
    *n = 0;
    if (level != XT_LEVEL_TOWNSHIP && level != XT_LEVEL_DEPARTMENT)
        return xt_error_set(err, XT_EINVAL, "level", "must be township or department");
    struct rank_ctx r = {0};
    int rc = xt_store_units_at_level(s, within, level, add_unit, &r);
    if (rc) {
        free(r.rates);
        return xt_error_set(err, rc, "", "cannot list units");
    }
    if (report_query(s, SQL_UNIT_COUNTS, month, within, on_unit_row, &r)) {
        free(r.rates);
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    }
    struct xt_rate_weights w = xt_rate_weights_default();
    for (size_t i = 0; i < r.n; i++)
        xt_rates_finish(&r.rates[i], &w);
    int *rk = calloc(r.n ? r.n : 1, sizeof(int));
    if (!rk) {
        free(r.rates);
        return XT_ENOMEM;
    }
    xt_rates_rank(r.rates, r.n, rk);
    *out = r.rates;
    *ranks = rk;
    *n = r.n;
    return 0;
}
