/* metrics.c - reading assignments for the three rates and the ranking. */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

static const char SQL_ASSIGNMENTS[] =
    "SELECT unit, dispatched_at, sign_by, signed_at, resolve_by, replied_at, returned,"
    " called_back, resolved, satisfaction, repeat, proactive FROM assignments"
    " WHERE month=?1 AND unit >= CAST(?2 AS TEXT) AND unit < CAST(?2 AS TEXT) || 'z'";

static void row_to_assignment(struct xt_stmt *st, struct xt_assignment *a)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->unit, sizeof(a->unit), "%s", xt_col_text(st, 0));
    a->dispatched_at = xt_col_int(st, 1);
    a->sign_by = xt_col_int(st, 2);
    a->signed_at = xt_col_int(st, 3);
    a->resolve_by = xt_col_int(st, 4);
    a->replied_at = xt_col_int(st, 5);
    a->returned = xt_col_int(st, 6) != 0;
    a->called_back = xt_col_int(st, 7) != 0;
    a->resolved = xt_col_int(st, 8);
    a->satisfaction = xt_col_int(st, 9);
    a->repeat = xt_col_int(st, 10) != 0;
    a->proactive = xt_col_int(st, 11) != 0;
}

int xt_store_rates(struct xt_store *s, const char *unit, int month, struct xt_rates *out,
                   struct xt_error *err)
{
    struct xt_unit u;
    if (unit && *unit && xt_store_unit_get(s, unit, &u))
        return xt_error_set(err, XT_ENOTFOUND, "unit", "unknown unit '%s'", unit);
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    struct xt_stmt *st = xt_conn_stmt(c, SQL_ASSIGNMENTS);
    if (!st) {
        xt_store_reader_put(s, c);
        return xt_sqlite_err(err, c, "rates");
    }
    xt_rates_init(out, unit);
    xt_bind_int(st, 1, month);
    xt_bind_text(st, 2, unit ? unit : "");
    struct xt_assignment a;
    while (xt_step(st) == 1) {
        row_to_assignment(st, &a);
        xt_rates_add(out, &a);
    }
    xt_reset(st);
    xt_store_reader_put(s, c);
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
    struct xt_conn *c = xt_store_reader(s);
    struct xt_stmt *st = c ? xt_conn_stmt(c, SQL_ASSIGNMENTS) : NULL;
    if (!st) {
        xt_store_reader_put(s, c);
        free(r.rates);
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    }
    xt_bind_int(st, 1, month);
    xt_bind_text(st, 2, within ? within : "");
    struct xt_assignment a;
    while (xt_step(st) == 1) {
        row_to_assignment(st, &a);
        /* Units were listed in code order, so a binary search finds them. */
        struct xt_rates *hit = bsearch(a.unit, r.rates, r.n, sizeof(*r.rates), cmp_unit);
        if (hit)
            xt_rates_add(hit, &a);
    }
    xt_reset(st);
    xt_store_reader_put(s, c);
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
