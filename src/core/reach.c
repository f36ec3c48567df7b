/* reach.c - travel times, pairs within a limit, and 2SFCA / E2SFCA. */
#include "core/reach.h"

#include <stdlib.h>
#include <string.h>

int xt_reach_init(struct xt_reach *r, const struct xt_roadnet *net, const struct xt_speeds *sp)
{
    memset(r, 0, sizeof(*r));
    r->net = net;
    r->sp = *sp;
    int rc = 0;
    for (int m = 0; m < XT_MODE_N && !rc; m++) {
        struct xt_graph fwd;
        rc = xt_graph_build(net, m, true, &r->rev[m]);
        if (!rc && !(rc = xt_graph_build(net, m, false, &fwd))) {
            /* snap to nodes that both leave and enter the big piece: the
             * undirected pieces of the forward graph are the same as the
             * reverse graph's */
            rc = xt_snap_build(&r->snap[m], net, &fwd);
            xt_graph_release(&fwd);
        }
    }
    if (!rc)
        rc = xt_sp_init(&r->work, (uint32_t)net->n_nodes);
    if (rc)
        xt_reach_release(r);
    return rc;
}

void xt_reach_release(struct xt_reach *r)
{
    if (!r)
        return;
    for (int m = 0; m < XT_MODE_N; m++) {
        xt_graph_release(&r->rev[m]);
        xt_snap_release(&r->snap[m]);
    }
    xt_sp_release(&r->work);
    memset(r, 0, sizeof(*r));
}

int xt_reach_snap(const struct xt_reach *r, int mode, double lat, double lon, uint32_t *node,
                  uint32_t *walkin)
{
    double d;
    int rc = xt_snap_find(&r->snap[mode], lat, lon, node, &d);
    if (!rc)
        *walkin = xt_walkin_cost(&r->sp, d);
    return rc;
}

static int snap_all(const struct xt_reach *r, int mode, const struct xt_point *p, size_t n,
                    struct xt_source *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i].tag = (uint32_t)i;
        if (xt_reach_snap(r, mode, p[i].lat, p[i].lon, &out[i].node, &out[i].cost)) {
            out[i].node = UINT32_MAX;
            out[i].cost = XT_COST_NONE;
        }
    }
    return 0;
}

static uint32_t add_cost(uint32_t a, uint32_t b)
{
    if (a == XT_COST_NONE || b == XT_COST_NONE)
        return XT_COST_NONE;
    uint64_t s = (uint64_t)a + b;
    return s >= XT_COST_NONE ? XT_COST_NONE : (uint32_t)s;
}

int xt_reach_nearest(struct xt_reach *r, int mode, const struct xt_point *fac, size_t n_fac,
                     const struct xt_point *places, size_t n_places, uint32_t *time,
                     uint32_t *nearest)
{
    struct xt_source *src = malloc((n_fac ? n_fac : 1) * sizeof(*src));
    struct xt_source *dst = malloc((n_places ? n_places : 1) * sizeof(*dst));
    if (!src || !dst) {
        free(src);
        free(dst);
        return XT_ENOMEM;
    }
    snap_all(r, mode, fac, n_fac, src);
    snap_all(r, mode, places, n_places, dst);
    xt_sp_run(&r->work, &r->rev[mode], src, n_fac, XT_COST_NONE - 1);
    for (size_t i = 0; i < n_places; i++) {
        uint32_t v = dst[i].node;
        uint32_t d = v == UINT32_MAX ? XT_COST_NONE : r->work.dist[v];
        time[i] = add_cost(d, dst[i].cost);
        if (nearest)
            nearest[i] = time[i] == XT_COST_NONE ? UINT32_MAX : r->work.origin[v];
    }
    free(src);
    free(dst);
    return 0;
}

int xt_reach_pairs(struct xt_reach *r, int mode, const struct xt_point *fac, size_t n_fac,
                   const struct xt_point *places, size_t n_places, uint32_t limit,
                   struct xt_pair **pairs, size_t *n_pairs)
{
    *pairs = NULL;
    *n_pairs = 0;
    struct xt_source *src = malloc((n_fac ? n_fac : 1) * sizeof(*src));
    struct xt_source *dst = malloc((n_places ? n_places : 1) * sizeof(*dst));
    /* places by node, so that a search visits its places in one pass */
    uint32_t *pfirst = calloc(r->net->n_nodes + 1, sizeof(uint32_t));
    uint32_t *plist = malloc((n_places ? n_places : 1) * sizeof(uint32_t));
    struct xt_pair *out = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (!src || !dst || !pfirst || !plist) {
        rc = XT_ENOMEM;
        goto out;
    }
    snap_all(r, mode, fac, n_fac, src);
    snap_all(r, mode, places, n_places, dst);
    {
        for (size_t i = 0; i < n_places; i++)
            if (dst[i].node != UINT32_MAX)
                pfirst[dst[i].node + 1]++;
        for (size_t v = 0; v < r->net->n_nodes; v++)
            pfirst[v + 1] += pfirst[v];
        uint32_t *fill = malloc((r->net->n_nodes + 1) * sizeof(uint32_t));
        if (!fill) {
            rc = XT_ENOMEM;
            goto out;
        }
        memcpy(fill, pfirst, (r->net->n_nodes + 1) * sizeof(uint32_t));
        for (size_t i = 0; i < n_places; i++)
            if (dst[i].node != UINT32_MAX)
                plist[fill[dst[i].node]++] = (uint32_t)i;
        free(fill);
    }
    for (size_t j = 0; j < n_fac; j++) {
        if (src[j].node == UINT32_MAX)
            continue;
        xt_sp_run(&r->work, &r->rev[mode], &src[j], 1, limit);
        for (uint32_t t = 0; t < r->work.n_touched; t++) {
            uint32_t v = r->work.touched[t];
            for (uint32_t k = pfirst[v]; k < pfirst[v + 1]; k++) {
                uint32_t i = plist[k];
                uint32_t tt = add_cost(r->work.dist[v], dst[i].cost);
                if (tt > limit)
                    continue;
                if (n == cap) {
                    size_t nc = cap ? cap * 2 : 1024;
                    struct xt_pair *p = realloc(out, nc * sizeof(*p));
                    if (!p) {
                        rc = XT_ENOMEM;
                        goto out;
                    }
                    out = p;
                    cap = nc;
                }
                out[n++] = (struct xt_pair){i, (uint32_t)j, tt};
            }
        }
    }
out:
    free(src);
    free(dst);
    free(pfirst);
    free(plist);
    if (rc) {
        free(out);
        return rc;
    }
    *pairs = out;
    *n_pairs = n;
    return 0;
}

void xt_fca_bands_e2sfca(struct xt_fca_bands *b)
{
    memset(b, 0, sizeof(*b));
    b->n = 3;
    b->end[0] = 6000;
    b->end[1] = 12000;
    b->end[2] = 18000;
    b->w[0] = 1;
    b->w[1] = 0.68;
    b->w[2] = 0.22;
}

void xt_fca_bands_2sfca(struct xt_fca_bands *b, double minutes)
{
    memset(b, 0, sizeof(*b));
    b->n = 1;
    b->end[0] = (uint32_t)(minutes * 600 + 0.5);
    b->w[0] = 1;
}

static double band_weight(const struct xt_fca_bands *b, uint32_t t)
{
    for (int k = 0; k < b->n; k++)
        if (t <= b->end[k])
            return b->w[k];
    return 0;
}

int xt_fca(const struct xt_pair *pairs, size_t n_pairs, const struct xt_point *fac, size_t n_fac,
           const struct xt_point *places, size_t n_places, const struct xt_fca_bands *bands,
           double *score, double *ratio)
{
    double *demand = calloc(n_fac ? n_fac : 1, sizeof(double));
    double *r = calloc(n_fac ? n_fac : 1, sizeof(double));
    if (!demand || !r) {
        free(demand);
        free(r);
        return XT_ENOMEM;
    }
    for (size_t k = 0; k < n_pairs; k++) {
        const struct xt_pair *p = &pairs[k];
        if (p->fac >= n_fac || p->place >= n_places) {
            free(demand);
            free(r);
            return XT_EINVAL;
        }
        demand[p->fac] += places[p->place].weight * band_weight(bands, p->time);
    }
    for (size_t j = 0; j < n_fac; j++)
        r[j] = demand[j] > 0 ? fac[j].weight / demand[j] : 0;
    for (size_t i = 0; i < n_places; i++)
        score[i] = 0;
    for (size_t k = 0; k < n_pairs; k++)
        score[pairs[k].place] += r[pairs[k].fac] * band_weight(bands, pairs[k].time);
    if (ratio)
        memcpy(ratio, r, n_fac * sizeof(double));
    free(demand);
    free(r);
    return 0;
}
