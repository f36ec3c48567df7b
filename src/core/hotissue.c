/* hotissue.c - shingles, Jaccard, MinHash LSH clustering and ranking. */
#include "core/hotissue.h"

#include "core/classify.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SIG 64
_Static_assert(SIG == XT_TEXT_SIG_BINS, "one signature for clustering and intake");

static inline uint32_t mix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    return h;
}

static bool keep(uint32_t c)
{
    if (c == ' ')
        return false;
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
    /* CJK punctuation and symbols carry no topic. */
    if ((c >= 0x2000 && c <= 0x206F) || (c >= 0x3000 && c <= 0x303F) ||
        (c >= 0xFF00 && c <= 0xFF0F))
        return false;
    return true;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The 3-gram hashes of text in order (repeats kept), written over cp,
 * which has room for max_chars code points; returns how many. */
static size_t shingle_hashes(const char *text, size_t max_chars, uint32_t *cp)
{
    size_t m = xt_classify_normalise(text ? text : "", text ? strlen(text) : 0, cp, max_chars);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (keep(cp[i]))
            cp[k++] = cp[i];
    if (k == 0)
        return 0;
    size_t cnt = k >= 3 ? k - 2 : 1;
    /* In place: hash i reads cp[i..i+2], which no earlier hash overwrote. */
    for (size_t i = 0; i < cnt; i++) {
        uint32_t h = 0x9747b28cu;
        for (size_t j = i; j < i + 3 && j < k; j++)
            h = mix32(h ^ cp[j]) + 0x9e3779b9u;
        cp[i] = h;
    }
    return cnt;
}

int xt_shingles(const char *text, size_t max_chars, uint32_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (max_chars == 0)
        max_chars = 400;
    uint32_t *s = malloc(max_chars * sizeof(uint32_t));
    if (!s)
        return XT_ENOMEM;
    size_t cnt = shingle_hashes(text, max_chars, s);
    if (cnt == 0) {
        free(s);
        return 0;
    }
    qsort(s, cnt, sizeof(uint32_t), cmp_u32);
    size_t u = 0;
    for (size_t i = 0; i < cnt; i++)
        if (u == 0 || s[u - 1] != s[i])
            s[u++] = s[i];
    *out = s;
    *n = u;
    return 0;
}

double xt_jaccard(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    if (na == 0 || nb == 0)
        return 0;
    size_t i = 0, j = 0, both = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) {
            both++;
            i++;
            j++;
        } else if (a[i] < b[j]) {
            i++;
        } else {
            j++;
        }
    }
    return (double)both / (double)(na + nb - both);
}

void xt_hot_params_init(struct xt_hot_params *p)
{
    p->threshold = 0.3;
    p->bands = 16;
    p->same_place = false;
    p->min_size = 2;
    p->max_chars = 400;
}

/* One-permutation MinHash with densification by the next non-empty bin. */
static void signature(const uint32_t *s, size_t n, uint32_t sig[SIG])
{
    for (int b = 0; b < SIG; b++)
        sig[b] = UINT32_MAX;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        uint32_t h = mix32(s[i]);
        uint32_t bin = h >> 26, v = h & 0x03FFFFFFu;
        if (v < sig[bin])
            sig[bin] = v;
        any = true;
    }
    if (!any)
        return;
    for (int b = 0; b < SIG; b++) {
        if (sig[b] != UINT32_MAX)
            continue;
        for (int d = 1; d < SIG; d++) {
            uint32_t v = sig[(b + d) % SIG];
            if (v != UINT32_MAX && v < 0x04000000u) {
                /* The same bin of another set copies from the same
                 * distance only when the sets agree there. */
                sig[b] = 0x04000000u + mix32(v + (uint32_t)d * 0x9e3779b9u) % 0x7C000000u;
                break;
            }
        }
    }
}

void xt_text_signature_of(const uint32_t *shingles, size_t n, char out[XT_TEXT_SIG_HEX + 1])
{
    static const char hex[] = "0123456789abcdef";
    *out = 0;
    if (n == 0)
        return;
    uint32_t sig[SIG];
    signature(shingles, n, sig);
    for (int b = 0; b < SIG; b++) {
        uint32_t v = mix32(sig[b]) & 0xFFFFu;
        for (int k = 0; k < 4; k++)
            out[b * 4 + k] = hex[(v >> (12 - 4 * k)) & 0xFu];
    }
    out[XT_TEXT_SIG_HEX] = 0;
}

int xt_text_signature(const char *text, size_t max_chars, char out[XT_TEXT_SIG_HEX + 1])
{
    /* MinHash needs neither order nor distinct values: the hashes are
     * taken as they come, without sorting (the intake path). */
    uint32_t stack[512];
    *out = 0;
    if (max_chars == 0)
        max_chars = 400;
    uint32_t *s = max_chars <= 512 ? stack : malloc(max_chars * sizeof(uint32_t));
    if (!s)
        return XT_ENOMEM;
    xt_text_signature_of(s, shingle_hashes(text, max_chars, s), out);
    if (s != stack)
        free(s);
    return 0;
}

int xt_text_signature_agree(const char *a, const char *b)
{
    if (!a || !b || strlen(a) != XT_TEXT_SIG_HEX || strlen(b) != XT_TEXT_SIG_HEX)
        return -1;
    int agree = 0;
    for (int i = 0; i < XT_TEXT_SIG_HEX; i += 4)
        agree += memcmp(a + i, b + i, 4) == 0;
    return agree;
}

static size_t uf_find(size_t *parent, size_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

struct band_key {
    uint64_t key;
    uint32_t item;
};

static int cmp_band(const void *a, const void *b)
{
    const struct band_key *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static bool same_place(const struct xt_hot_item *a, const struct xt_hot_item *b)
{
    const char *x = a->place ? a->place : "", *y = b->place ? b->place : "";
    return strcmp(x, y) == 0;
}

struct tmp_cluster {
    size_t root, n, n_prev, first;
};

static int cmp_score(const void *a, const void *b)
{
    const struct xt_hot_cluster *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->representative < y->representative ? -1 : 1;
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void xt_hot_clusters_free(struct xt_hot_cluster *c, size_t n)
{
    if (!c)
        return;
    for (size_t i = 0; i < n; i++)
        free(c[i].members);
    free(c);
}

int xt_hot_cluster(const struct xt_hot_item *items, size_t n, const struct xt_hot_params *p,
                   struct xt_hot_cluster **out, size_t *nout, struct xt_error *err)
{
    *out = NULL;
    *nout = 0;
    if (!(p->threshold > 0 && p->threshold <= 1))
        return xt_error_set(err, XT_EINVAL, "threshold", "must be within (0, 1]");
    if (p->bands != 8 && p->bands != 16 && p->bands != 32)
        return xt_error_set(err, XT_EINVAL, "bands", "must be 8, 16 or 32");
    if (n == 0)
        return 0;
    if (n > UINT32_MAX)
        return xt_error_set(err, XT_ETOOBIG, "items", "too many items");
    int rows = SIG / p->bands, rc = XT_ENOMEM;
    uint32_t **sh = calloc(n, sizeof(uint32_t *));
    size_t *shn = calloc(n, sizeof(size_t));
    size_t *parent = malloc(n * sizeof(size_t));
    struct band_key *bk = malloc(n * sizeof(struct band_key));
    uint32_t *sigs = malloc(n * SIG * sizeof(uint32_t));
    struct xt_hot_cluster *cl = NULL;
    size_t ncl = 0;
    size_t *order = NULL, *start = NULL;
    if (!sh || !shn || !parent || !bk || !sigs)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (xt_shingles(items[i].text, p->max_chars, &sh[i], &shn[i]))
            goto out;
        signature(sh[i], shn[i], sigs + i * SIG);
        parent[i] = i;
    }
    for (int b = 0; b < p->bands; b++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (shn[i] == 0)
                continue;
            uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)b;
            const uint32_t *s = sigs + i * SIG + b * rows;
            for (int r = 0; r < rows; r++)
                h = (h ^ s[r]) * 0x100000001b3ull;
            if (p->same_place)
                h ^= hash_str(items[i].place) * 0x9e3779b97f4a7c15ull;
            bk[m].key = h;
            bk[m].item = (uint32_t)i;
            m++;
        }
        qsort(bk, m, sizeof(*bk), cmp_band);
        for (size_t s = 0; s < m;) {
            size_t e = s + 1;
            while (e < m && bk[e].key == bk[s].key)
                e++;
            /* Join each member with its bucket's leader and with its
             * predecessor: linear in the bucket, enough for chains. */
            for (size_t q = s + 1; q < e; q++) {
                size_t a = bk[q].item;
                size_t cand[2] = {bk[s].item, bk[q - 1].item};
                for (int t = 0; t < (q - 1 == s ? 1 : 2); t++) {
                    size_t c = cand[t];
                    size_t ra = uf_find(parent, a), rb = uf_find(parent, c);
                    if (ra == rb)
                        continue;
                    if (p->same_place && !same_place(&items[a], &items[c]))
                        continue;
                    if (xt_jaccard(sh[a], shn[a], sh[c], shn[c]) >= p->threshold)
                        parent[ra > rb ? ra : rb] = ra > rb ? rb : ra;
                }
            }
            s = e;
        }
    }
    /* Group members by root: counting sort on the root. */
    order = malloc(n * sizeof(size_t));
    start = calloc(n + 1, sizeof(size_t));
    if (!order || !start)
        goto out;
    for (size_t i = 0; i < n; i++)
        parent[i] = uf_find(parent, i);
    for (size_t i = 0; i < n; i++)
        start[parent[i] + 1]++;
    for (size_t i = 0; i < n; i++)
        start[i + 1] += start[i];
    {
        size_t *fill = malloc(n * sizeof(size_t));
        if (!fill)
            goto out;
        memcpy(fill, start, n * sizeof(size_t));
        for (size_t i = 0; i < n; i++)
            order[fill[parent[i]]++] = i;
        free(fill);
    }
    size_t cap = 0;
    for (size_t r = 0; r < n; r++) {
        size_t cnt = 0, prev = 0;
        for (size_t q = start[r]; q < start[r + 1]; q++) {
            if (items[order[q]].previous)
                prev++;
            else
                cnt++;
        }
        if (cnt < p->min_size || cnt == 0)
            continue;
        if (ncl == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct xt_hot_cluster *g = realloc(cl, nc * sizeof(*g));
            if (!g)
                goto out;
            cl = g;
            cap = nc;
        }
        struct xt_hot_cluster *c = &cl[ncl];
        memset(c, 0, sizeof(*c));
        if (!(c->members = malloc(cnt * sizeof(size_t))))
            goto out;
        ncl++;
        c->n_prev = prev;
        const char **places = malloc(cnt * sizeof(char *));
        size_t np = 0;
        for (size_t q = start[r]; q < start[r + 1]; q++) {
            size_t i = order[q];
            if (items[i].previous)
                continue;
            c->members[c->n++] = i;
            c->support += items[i].support > 0 ? items[i].support : 0;
            if (places && items[i].place && *items[i].place)
                places[np++] = items[i].place;
        }
        if (places) {
            qsort(places, np, sizeof(char *), cmp_str_ptr);
            for (size_t q = 0; q < np; q++)
                if (q == 0 || strcmp(places[q], places[q - 1]) != 0)
                    c->places++;
            free(places);
        }
        /* Medoid over the first 64 members (enough to pick a typical one). */
        size_t lim = c->n < 64 ? c->n : 64, best = 0;
        double best_sum = -1;
        for (size_t a = 0; a < lim; a++) {
            double sum = 0;
            size_t ia = c->members[a];
            for (size_t b = 0; b < lim; b++)
                if (a != b)
                    sum += xt_jaccard(sh[ia], shn[ia], sh[c->members[b]], shn[c->members[b]]);
            if (sum > best_sum) {
                best_sum = sum;
                best = a;
            }
        }
        size_t t = c->members[0];
        c->members[0] = c->members[best];
        c->members[best] = t;
        c->representative = c->members[0];
        double growth = (double)c->n - (double)c->n_prev;
        c->score = (double)c->n + 0.5 * (growth > 0 ? growth : 0) +
                   2.0 * log2(1.0 + (double)c->support) + (c->places > 1 ? c->places - 1 : 0);
    }
    if (ncl > 1)
        qsort(cl, ncl, sizeof(*cl), cmp_score);
    *out = cl;
    *nout = ncl;
    cl = NULL;
    ncl = 0;
    rc = 0;
out:
    if (rc)
        xt_error_set(err, rc, "", "out of memory while clustering");
    xt_hot_clusters_free(cl, ncl);
    if (sh)
        for (size_t i = 0; i < n; i++)
            free(sh[i]);
    free(sh);
    free(shn);
    free(parent);
    free(bk);
    free(sigs);
    free(order);
    free(start);
    return rc;
}
