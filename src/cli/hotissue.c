/* hotissue.c - `xietong hot-issues`: the hot issues (每月一题) of a
 * period, from the tickets in --data or from a CSV of messages. */
#include "cli/cli_int.h"
#include "core/hotissue.h"
#include "lib/buf.h"
#include "lib/csv.h"
#include "lib/xtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct msgs {
    struct xt_hot_item *items;
    char **text, **place, **id, **when;
    size_t n, cap;
};

static void msgs_release(struct msgs *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->text[i]);
        free(m->place[i]);
        free(m->id[i]);
        free(m->when[i]);
    }
    free(m->items);
    free(m->text);
    free(m->place);
    free(m->id);
    free(m->when);
    memset(m, 0, sizeof(*m));
}

static int msgs_grow(struct msgs *m)
{
    if (m->n < m->cap)
        return 0;
    size_t nc = m->cap ? m->cap * 2 : 1024;
    struct xt_hot_item *it = realloc(m->items, nc * sizeof(*it));
    if (!it)
        return XT_ENOMEM;
    m->items = it;
    char ***arrs[] = {&m->text, &m->place, &m->id, &m->when};
    for (int a = 0; a < 4; a++) {
        char **p = realloc(*arrs[a], nc * sizeof(char *));
        if (!p)
            return XT_ENOMEM;
        *arrs[a] = p;
    }
    m->cap = nc;
    return 0;
}

static int col(const struct xt_csv *c, const char *name, const char *opt, const char *path)
{
    int i = xt_csv_index(c, name);
    if (i < 0)
        fprintf(stderr, "xietong: hot-issues: --%s: '%s' has no column '%s'\n", opt, path, name);
    return i;
}

/* "YYYY-MM..." of a time column as a month key, or 0. */
static int month_of_text(const char *s)
{
    int m = 0;
    char buf[8];
    if (strlen(s) < 7)
        return 0;
    snprintf(buf, sizeof(buf), "%.7s", s);
    return xt_month_parse(buf, &m) ? 0 : m;
}

static int read_csv(const struct xt_opts *o, const char *path, int month, struct msgs *m)
{
    memset(m, 0, sizeof(*m));
    struct xt_csv c;
    if (xt_csv_open(&c, path)) {
        fprintf(stderr, "xietong: hot-issues: cannot open '%s'\n", path);
        return 1;
    }
    c.max_record = 1 << 20;
    int rc = 1;
    if (xt_csv_next(&c) != 1)
        goto out;
    const char *tc = xt_opt(o, "text-col", xt_csv_index(&c, "留言主题") >= 0 ? "留言主题" : "text");
    const char *sc = xt_opt(o, "support-col", xt_csv_index(&c, "点赞数") >= 0 ? "点赞数" : NULL);
    const char *wc = xt_opt(o, "time-col", xt_csv_index(&c, "留言时间") >= 0 ? "留言时间" : NULL);
    const char *ic = xt_opt(o, "id-col", xt_csv_index(&c, "留言编号") >= 0 ? "留言编号" : NULL);
    const char *pc = xt_opt(o, "place-col", NULL);
    int ti = col(&c, tc, "text-col", path);
    int si = sc ? col(&c, sc, "support-col", path) : -2;
    int wi = wc ? col(&c, wc, "time-col", path) : -2;
    int ii = ic ? col(&c, ic, "id-col", path) : -2;
    int pi = pc ? col(&c, pc, "place-col", path) : -2;
    if (ti < 0 || si == -1 || wi == -1 || ii == -1 || pi == -1)
        goto out;
    if (month && wi < 0) {
        fprintf(stderr, "xietong: hot-issues: --period needs a time column (--time-col)\n");
        goto out;
    }
    int prev = month % 100 == 1 ? month - 89 : month - 1;
    int r;
    long row = 0;
    while ((r = xt_csv_next(&c)) == 1) {
        row++;
        bool previous = false;
        if (month) {
            int mm = wi < c.nfield ? month_of_text(c.field[wi]) : 0;
            if (mm != month && mm != prev)
                continue;
            previous = mm == prev;
        }
        if (msgs_grow(m))
            goto out;
        size_t k = m->n;
        char rowid[24];
        snprintf(rowid, sizeof(rowid), "%ld", row);
        m->text[k] = strdup(ti < c.nfield ? c.field[ti] : "");
        m->place[k] = strdup(pi >= 0 && pi < c.nfield ? c.field[pi] : "");
        m->id[k] = strdup(ii >= 0 && ii < c.nfield ? c.field[ii] : rowid);
        m->when[k] = strdup(wi >= 0 && wi < c.nfield ? c.field[wi] : "");
        if (!m->text[k] || !m->place[k] || !m->id[k] || !m->when[k])
            goto out;
        m->n++;
        struct xt_hot_item *it = &m->items[k];
        it->text = m->text[k];
        it->place = m->place[k];
        it->support = si >= 0 && si < c.nfield ? strtol(c.field[si], NULL, 10) : 0;
        it->previous = previous;
    }
    if (r < 0) {
        fprintf(stderr, "xietong: hot-issues: '%s' line %ld: malformed CSV\n", path, c.line);
        goto out;
    }
    rc = 0;
out:
    xt_csv_close(&c);
    if (rc) {
        /* Entries of a half-added row are freed with the rest. */
        msgs_release(m);
    }
    return rc;
}

static int read_store(const struct xt_opts *o, int month, struct msgs *m)
{
    memset(m, 0, sizeof(*m));
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    struct xt_hot_ticket *t;
    size_t n;
    struct xt_error err;
    xt_error_clear(&err);
    int rc = xt_store_hot_tickets(s, xt_opt(o, "unit", ""), month, &t, &n, &err);
    xt_store_close(s);
    if (rc) {
        xt_cli_error("hot-issues", &err);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (msgs_grow(m)) {
            rc = 1;
            break;
        }
        size_t k = m->n;
        m->text[k] = strdup(t[i].text);
        m->place[k] = strdup(t[i].grid);
        m->id[k] = strdup(t[i].number);
        m->when[k] = strdup("");
        if (!m->text[k] || !m->place[k] || !m->id[k] || !m->when[k]) {
            rc = 1;
            break;
        }
        m->n++;
        m->items[k].text = m->text[k];
        m->items[k].place = m->place[k];
        m->items[k].support = t[i].support;
        m->items[k].previous = t[i].previous;
    }
    xt_store_hot_tickets_free(t, n);
    if (rc)
        msgs_release(m);
    return rc;
}

int xt_cli_hot_issues(const struct xt_opts *o)
{
    const char *csv = xt_opt(o, "csv", NULL), *period = xt_opt(o, "period", NULL);
    int month = 0;
    if (period && xt_month_parse(period, &month)) {
        fprintf(stderr, "xietong: hot-issues: --period: must be YYYY-MM\n");
        return 2;
    }
    if (!csv && !month)
        month = xt_month_of((int64_t)time(NULL));
    struct xt_hot_params p;
    xt_hot_params_init(&p);
    char *end;
    const char *v;
    if ((v = xt_opt(o, "threshold", NULL))) {
        p.threshold = strtod(v, &end);
        if (*end || !(p.threshold > 0) || p.threshold > 1) {
            fprintf(stderr, "xietong: hot-issues: --threshold: must be within (0, 1]\n");
            return 2;
        }
    }
    long top = strtol(xt_opt(o, "top", "10"), &end, 10);
    if (*end || top < 1) {
        fprintf(stderr, "xietong: hot-issues: --top: must be a positive number\n");
        return 2;
    }
    p.same_place = xt_opt_flag(o, "same-place");
    long min_size = strtol(xt_opt(o, "min-size", "2"), &end, 10);
    if (*end || min_size < 1) {
        fprintf(stderr, "xietong: hot-issues: --min-size: must be a positive number\n");
        return 2;
    }
    p.min_size = (size_t)min_size;
    struct msgs m;
    if (csv ? read_csv(o, csv, month, &m) : read_store(o, month, &m))
        return 1;
    struct xt_hot_cluster *cl;
    size_t ncl;
    struct xt_error err;
    xt_error_clear(&err);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = xt_hot_cluster(m.items, m.n, &p, &cl, &ncl, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc) {
        xt_cli_error("hot-issues", &err);
        msgs_release(&m);
        return 1;
    }
    size_t cur = 0;
    for (size_t i = 0; i < m.n; i++)
        cur += !m.items[i].previous;
    printf("%zu requests (%zu in the period, %zu before), threshold %.2f: %zu clusters of %zu or"
           " more in %.3f s\n",
           m.n, cur, m.n - cur, p.threshold, ncl, p.min_size,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    for (size_t i = 0; i < ncl && i < (size_t)top; i++) {
        const struct xt_hot_cluster *c = &cl[i];
        printf("\n#%zu  score %.1f  size %zu  previous %zu  support %ld  places %d\n", i + 1,
               c->score, c->n, c->n_prev, c->support, c->places);
        printf("    title: %s\n", m.text[c->representative]);
        size_t show = xt_opt_flag(o, "members") ? c->n : (c->n < 5 ? c->n : 5);
        for (size_t q = 0; q < show; q++) {
            size_t k = c->members[q];
            /* At most 72 bytes of the text, cut at a character boundary. */
            int len = (int)strlen(m.text[k]);
            if (len > 72) {
                len = 72;
                while (len > 0 && ((unsigned char)m.text[k][len] & 0xC0) == 0x80)
                    len--;
            }
            printf("    - %s %s [%ld] %.*s\n", m.id[k], m.when[k], m.items[k].support, len,
                   m.text[k]);
        }
    }
    xt_hot_clusters_free(cl, ncl);
    msgs_release(&m);
    return 0;
}
