/* linkage.c - name normalisation, the fuzzy score and the blocking index.
 * The rule and its weights are documented in linkage.h. */
#include "core/linkage.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/utf8.h"

/* ---- names -------------------------------------------------------------- */

/* Characters written interchangeably when Tibetan, Hui, Dongxiang and Salar
 * names are transliterated; the left one is the form kept. */
static const uint32_t variants[][2] = {
    {0x5C15, 0x560E}, /* 尕 ← 嘎 */
    {0x5353, 0x684C}, /* 卓 ← 桌 */
    {0x624D, 0x6750}, /* 才 ← 材 */
    {0x624E, 0x672D}, /* 扎 ← 札 */
    {0x65E6, 0x4E39}, /* 旦 ← 丹 */
    {0x63AA, 0x9519}, /* 措 ← 错 */
    {0x4E70, 0x9EA6}, /* 买 ← 麦 */
    {0x7A46, 0x6728}, /* 穆 ← 木 */
    {0x739B, 0x9A6C}, /* 玛 ← 马 */
};

static bool is_separator(uint32_t cp)
{
    switch (cp) {
    case ' ': case '\t': case '.': case '-': case 0x00B7: /* · */
    case 0x2022: /* • */ case 0x2027: /* ‧ */ case 0x30FB: /* ・ */
    case 0xFF65: /* ･ */ case 0xFF0E: /* ． */ case 0x3000: /* ideographic space */
    case 0x2219: /* ∙ */ case 0x22C5: /* ⋅ */ case 0x0387: /* · (Greek ano teleia) */
        return true;
    default:
        return false;
    }
}

static uint32_t canonical(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
        if (cp == variants[i][1])
            return variants[i][0];
    return cp;
}

static int encode(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

void xt_link_name_norm(const char *name, char *out, size_t outsz)
{
    if (!out || outsz == 0)
        return;
    out[0] = '\0';
    if (!name || !xt_utf8_valid(name, strlen(name)))
        return;
    size_t len = 0;
    for (const char *p = name; *p;) {
        uint32_t cp;
        p += xt_utf8_decode(p, &cp);
        if (is_separator(cp))
            continue;
        char enc[4];
        int k = encode(canonical(cp), enc);
        if (len + (size_t)k + 1 > outsz)
            break;
        memcpy(out + len, enc, (size_t)k);
        len += (size_t)k;
        out[len] = '\0';
    }
}

#define NAME_CPS 32

static int decode_all(const char *s, uint32_t *cps)
{
    int n = 0;
    while (*s && n < NAME_CPS)
        s += xt_utf8_decode(s, &cps[n++]);
    return n;
}

double xt_link_name_sim(const char *a, const char *b)
{
    if (!a || !b || !*a || !*b)
        return 0;
    if (strcmp(a, b) == 0)
        return 1;
    uint32_t x[NAME_CPS], y[NAME_CPS];
    int n = decode_all(a, x), m = decode_all(b, y);
    int prev[NAME_CPS + 1], cur[NAME_CPS + 1];
    for (int j = 0; j <= m; j++)
        prev[j] = j;
    for (int i = 1; i <= n; i++) {
        cur[0] = i;
        for (int j = 1; j <= m; j++) {
            int sub = prev[j - 1] + (x[i - 1] != y[j - 1]);
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, sizeof(int) * (size_t)(m + 1));
    }
    int longer = n > m ? n : m;
    return 1.0 - (double)prev[m] / (double)longer;
}

double xt_link_birth_sim(const char *a, const char *b)
{
    if (!a || !b || strlen(a) != 8 || strlen(b) != 8)
        return 0;
    int diff[8], nd = 0;
    for (int i = 0; i < 8; i++)
        if (a[i] != b[i]) {
            if (nd < 8)
                diff[nd] = i;
            nd++;
        }
    if (nd == 0)
        return 1;
    if (nd == 1)
        return 0.6;
    if (nd == 2 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]])
        return 0.6;
    if (memcmp(a, b, 6) == 0)
        return 0.2;
    return 0;
}

double xt_link_score(const struct xt_link_rec *a, const struct xt_link_rec *b)
{
    double place = 0;
    if (*a->village && strcmp(a->village, b->village) == 0)
        place = 1;
    else if (*a->village && strncmp(a->village, b->village, 9) == 0)
        place = 0.4;
    return 0.45 * xt_link_name_sim(a->name, b->name) +
           0.35 * xt_link_birth_sim(a->birth, b->birth) + 0.20 * place;
}

/* ---- the index ------------------------------------------------------------
 * Records in one array; four chained hash tables of record indices (by ID
 * key, by village + birth date, by village + name, by person id). An update
 * appends a fresh copy and marks the old one dead, so chains never need
 * unlinking. */

enum { T_ID, T_VB, T_VN, T_PERSON, N_TABLES };

struct rec {
    struct xt_link_rec r;
    uint32_t next[N_TABLES];
    bool dead;
};

struct xt_link_index {
    struct rec *recs;
    size_t n, cap, live;
    size_t without_id; /* records ever added without an ID key */
    uint32_t *head[N_TABLES]; /* record index + 1; 0 = empty */
    size_t nbuckets;          /* power of two */
};

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static uint64_t key_hash(const struct xt_link_rec *r, int t)
{
    uint64_t h = 14695981039346656037ull ^ (uint64_t)t;
    switch (t) {
    case T_ID:
        return fnv(h, r->id_key);
    case T_VB:
        return fnv(fnv(h, r->village), r->birth);
    case T_VN:
        return fnv(fnv(h, r->village), r->name);
    default:
        return (h ^ (uint64_t)r->id) * 0x9E3779B97F4A7C15ull;
    }
}

static bool key_present(const struct xt_link_rec *r, int t)
{
    switch (t) {
    case T_ID:
        return *r->id_key;
    case T_VB:
        return *r->village && *r->birth;
    case T_VN:
        return *r->village && *r->name;
    default:
        return true;
    }
}

static bool key_equal(const struct xt_link_rec *a, const struct xt_link_rec *b, int t)
{
    switch (t) {
    case T_ID:
        return strcmp(a->id_key, b->id_key) == 0;
    case T_VB:
        return strcmp(a->village, b->village) == 0 && strcmp(a->birth, b->birth) == 0;
    case T_VN:
        return strcmp(a->village, b->village) == 0 && strcmp(a->name, b->name) == 0;
    default:
        return a->id == b->id;
    }
}

struct xt_link_index *xt_link_index_new(void)
{
    return calloc(1, sizeof(struct xt_link_index));
}

void xt_link_index_free(struct xt_link_index *ix)
{
    if (!ix)
        return;
    for (int t = 0; t < N_TABLES; t++)
        free(ix->head[t]);
    free(ix->recs);
    free(ix);
}

size_t xt_link_index_size(const struct xt_link_index *ix)
{
    return ix ? ix->live : 0;
}

static void chain(struct xt_link_index *ix, uint32_t i)
{
    for (int t = 0; t < N_TABLES; t++) {
        ix->recs[i].next[t] = 0;
        if (!key_present(&ix->recs[i].r, t))
            continue;
        size_t b = key_hash(&ix->recs[i].r, t) & (ix->nbuckets - 1);
        ix->recs[i].next[t] = ix->head[t][b];
        ix->head[t][b] = i + 1;
    }
}

static int rehash(struct xt_link_index *ix, size_t nbuckets)
{
    uint32_t *h[N_TABLES];
    for (int t = 0; t < N_TABLES; t++) {
        h[t] = calloc(nbuckets, sizeof(uint32_t));
        if (!h[t]) {
            while (t-- > 0)
                free(h[t]);
            return XT_ENOMEM;
        }
    }
    for (int t = 0; t < N_TABLES; t++) {
        free(ix->head[t]);
        ix->head[t] = h[t];
    }
    ix->nbuckets = nbuckets;
    for (size_t i = 0; i < ix->n; i++)
        chain(ix, (uint32_t)i);
    return 0;
}

static int append(struct xt_link_index *ix, const struct xt_link_rec *r)
{
    if (ix->n >= UINT32_MAX - 1)
        return XT_ENOMEM;
    if (ix->n == ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 1024;
        struct rec *p = realloc(ix->recs, cap * sizeof(*p));
        if (!p)
            return XT_ENOMEM;
        ix->recs = p;
        ix->cap = cap;
    }
    if (ix->n + 1 > ix->nbuckets) {
        int rc = rehash(ix, ix->nbuckets ? ix->nbuckets * 2 : 2048);
        if (rc)
            return rc;
    }
    struct rec *e = &ix->recs[ix->n];
    memset(e, 0, sizeof(*e));
    e->r = *r;
    if (!*r->id_key)
        ix->without_id++;
    chain(ix, (uint32_t)ix->n);
    ix->n++;
    ix->live++;
    return 0;
}

int xt_link_index_reserve(struct xt_link_index *ix, size_t n)
{
    if (n >= UINT32_MAX - 1)
        return XT_ENOMEM;
    if (n > ix->cap) {
        struct rec *p = realloc(ix->recs, n * sizeof(*p));
        if (!p)
            return XT_ENOMEM;
        ix->recs = p;
        ix->cap = n;
    }
    size_t nb = ix->nbuckets ? ix->nbuckets : 2048;
    while (nb < n)
        nb *= 2;
    return nb != ix->nbuckets ? rehash(ix, nb) : 0;
}

/* The live record of person id, or NULL. */
static struct rec *by_person(const struct xt_link_index *ix, int64_t id)
{
    if (!ix->nbuckets)
        return NULL;
    struct xt_link_rec q = {.id = id};
    size_t b = key_hash(&q, T_PERSON) & (ix->nbuckets - 1);
    for (uint32_t i = ix->head[T_PERSON][b]; i; i = ix->recs[i - 1].next[T_PERSON])
        if (!ix->recs[i - 1].dead && ix->recs[i - 1].r.id == id)
            return &ix->recs[i - 1];
    return NULL;
}

int xt_link_index_add(struct xt_link_index *ix, const struct xt_link_rec *r)
{
    return append(ix, r);
}

int xt_link_index_update(struct xt_link_index *ix, const struct xt_link_rec *r)
{
    struct rec *old = by_person(ix, r->id);
    if (!old)
        return XT_ENOTFOUND;
    old->dead = true;
    ix->live--;
    return append(ix, r);
}

void xt_link_find(const struct xt_link_index *ix, const struct xt_link_rec *q,
                  struct xt_link_result *out)
{
    out->kind = XT_LINK_NEW;
    out->id = 0;
    out->score = 0;
    out->how = "none";
    if (!ix || !ix->nbuckets)
        return;
    if (*q->id_key) {
        size_t b = key_hash(q, T_ID) & (ix->nbuckets - 1);
        for (uint32_t i = ix->head[T_ID][b]; i; i = ix->recs[i - 1].next[T_ID]) {
            const struct rec *e = &ix->recs[i - 1];
            if (!e->dead && key_equal(&e->r, q, T_ID)) {
                out->kind = XT_LINK_MATCHED;
                out->id = e->r.id;
                out->score = 1;
                out->how = "id";
                return;
            }
        }
    }
    /* Two different valid ID numbers are two people: a row with one can
     * match by score only a record without one. A register is often all
     * ID numbers, and then the blocks need not be walked at all. */
    if (*q->id_key && ix->without_id == 0)
        return;
    double best = 0, second = 0;
    int64_t best_id = 0, second_id = 0;
    static const int blocks[2] = {T_VB, T_VN};
    for (int k = 0; k < 2; k++) {
        int t = blocks[k];
        if (!key_present(q, t))
            continue;
        size_t b = key_hash(q, t) & (ix->nbuckets - 1);
        for (uint32_t i = ix->head[t][b]; i; i = ix->recs[i - 1].next[t]) {
            const struct rec *e = &ix->recs[i - 1];
            if (e->dead || !key_equal(&e->r, q, t))
                continue;
            /* Two different valid ID numbers are two people. */
            if (*q->id_key && *e->r.id_key)
                continue;
            if (e->r.id == best_id || e->r.id == second_id)
                continue;
            double s = xt_link_score(&e->r, q);
            if (s > best) {
                second = best;
                second_id = best_id;
                best = s;
                best_id = e->r.id;
            } else if (s > second) {
                second = s;
                second_id = e->r.id;
            }
        }
    }
    if (best < XT_LINK_REVIEW)
        return;
    out->id = best_id;
    out->score = best;
    out->how = "fuzzy";
    out->kind = best >= XT_LINK_MATCH && !(second >= XT_LINK_MATCH && best - second < 0.02)
                    ? XT_LINK_MATCHED
                    : XT_LINK_REVIEW_KIND;
}
