/* classify.c - character n-gram features, one-vs-rest linear SVMs trained
 * by dual coordinate descent, softmax calibration, model file, and
 * stratified cross-validation. See classify.h for the choices. */
#include "core/classify.h"

#include "lib/crypto.h"

#include <math.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NORM_VERSION 1 /* bump when normalisation or hashing changes */
#define MAX_CHARS_CAP 8192
#define KNN_MAX 50
#define KNN_DOCS_MAX 65535 /* messages in a neighbour index (16-bit postings) */
#define STACK_DOCS 16384 /* training messages searched with scratch on the stack */
static const char MAGIC[8] = {'X', 'T', 'C', 'L', 'S', 'M', 'D', 'L'};

/* The training messages' tf-idf vectors (L2-normalised over all their
 * n-grams), keeping only the n-grams that occur in at most knn_df of
 * them, filed by bucket: an inverted index for the neighbour search. */
struct posting {
    uint16_t doc;
    uint16_t v; /* the weight times 65535, at least 1 */
};

struct knn_index {
    uint32_t n_docs;
    unsigned char *label; /* [n_docs] */
    uint32_t *start;      /* [nb + 1]: bucket b's postings are start[b]..start[b+1] */
    struct posting *post; /* [start[nb]] */
};

struct xt_classifier {
    struct xt_classify_params p;
    int k;                    /* labels */
    char (*labels)[XT_CLASSIFY_LABEL_MAX];
    char (*codes)[XT_CLASSIFY_LABEL_MAX];
    float *idf;               /* [nb] */
    float *w;                 /* [nb * k], a bucket's k weights side by side */
    float *bias;              /* [k] */
    float *row;               /* [nb * (k + 1)]: idf (negative for a bucket
                                 with postings) then the k weights, one
                                 memory access per feature at prediction */
    double scale;             /* softmax scale of the scores */
    double sigma;             /* spread of the training margins (1 without neighbours) */
    struct knn_index ix;      /* empty without neighbours */
};

/* The weight rows and the neighbour index are read at random, a few
 * hundred places per message: in 4 KiB pages nearly every read also
 * misses the TLB, which under virtualisation costs more than the cache
 * miss itself. So they are allocated on 2 MiB boundaries and offered to
 * the kernel for huge pages (a hint; nothing depends on it). free()
 * releases them. */
#define HUGE_PAGE ((size_t)2 << 20)
static void *big_alloc(size_t n)
{
    if (n < HUGE_PAGE)
        return malloc(n ? n : 1);
    size_t len = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, len))
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, len, MADV_HUGEPAGE);
#endif
    return p;
}

/* ---- normalisation ---- */

static inline size_t decode_one(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || len > n) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t v = len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8
     * either: passed on, they came back out as invalid bytes. */
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = v;
    return len;
}

static inline uint32_t fold(uint32_t c)
{
    if (c >= 0x4E00 && c <= 0x9FFF)
        return c; /* CJK ideographs, most of a message: nothing to fold */
    if (c >= 0xFF01 && c <= 0xFF5E)
        c -= 0xFEE0; /* full-width ASCII */
    switch (c) {
    case 0x3000: case 0x00A0: case '\t': case '\n': case '\r': case '\f': case '\v':
        return ' ';
    case 0x3001: return ','; /* 、 */
    case 0x3002: return '.'; /* 。 */
    case 0x201C: case 0x201D: return '"';
    case 0x2018: case 0x2019: return '\'';
    case 0x300A: case 0x3008: return '<'; /* 《 〈 */
    case 0x300B: case 0x3009: return '>';
    case 0x3010: return '[';
    case 0x3011: return ']';
    case 0x2014: case 0x2015: case 0x2013: return '-';
    case 0x2026: return '.';
    case 0x00D7: return 'x';
    default: break;
    }
    if (c >= 'A' && c <= 'Z')
        c += 'a' - 'A';
    return c;
}

static bool in_number(uint32_t c)
{
    return (c >= '0' && c <= '9') || c == '*' || c == 'x';
}

size_t xt_classify_normalise(const char *str, size_t n, uint32_t *out, size_t max)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, k = 0;
    while (i < n && k < max) {
        uint32_t c;
        size_t used = decode_one(s + i, n - i, &c);
        c = fold(c);
        if (c == 0) {
            i += used;
            continue;
        }
        if (c == ' ') {
            i += used;
            if (k > 0 && out[k - 1] != ' ')
                out[k++] = ' ';
            continue;
        }
        if (!in_number(c)) {
            out[k++] = c;
            i += used;
            continue;
        }
        /* A run of digits, '*' and x. */
        size_t len = 0, j = i;
        int digits = 0, stars = 0, xs = 0;
        while (j < n) {
            uint32_t d;
            size_t u = decode_one(s + j, n - j, &d);
            d = fold(d);
            if (!in_number(d))
                break;
            len++;
            digits += d >= '0' && d <= '9';
            stars += d == '*';
            xs += d == 'x';
            j += u;
        }
        /* An 'x' inside a Latin word (box, xian) is a letter. */
        bool latin_before = k > 0 && out[k - 1] >= 'a' && out[k - 1] <= 'z';
        uint32_t next = 0;
        if (j < n) {
            decode_one(s + j, n - j, &next);
            next = fold(next);
        }
        bool latin_after = next >= 'a' && next <= 'z';
        if (stars > 0 || (xs > 0 && digits > 0) || (xs >= 3 && !latin_before && !latin_after)) {
            out[k++] = XT_CLASSIFY_MASK;
        } else if (xs == 0) {
            out[k++] = XT_CLASSIFY_DIGIT;
        } else {
            /* Only x's: letters. */
            for (size_t q = 0; q < len && k < max; q++)
                out[k++] = 'x';
        }
        i = j;
    }
    while (k > 0 && out[k - 1] == ' ')
        k--;
    return k;
}

static size_t put_utf8(uint32_t c, char *o)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

void xt_classify_normalise_text(const char *s, char *out, size_t outsz)
{
    if (outsz == 0)
        return;
    uint32_t cps[1024];
    size_t n = xt_classify_normalise(s, strlen(s), cps, sizeof(cps) / sizeof(cps[0]));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char tmp[4];
        const char *piece = tmp;
        size_t len;
        if (cps[i] == XT_CLASSIFY_DIGIT) {
            piece = "<D>";
            len = 3;
        } else if (cps[i] == XT_CLASSIFY_MASK) {
            piece = "<M>";
            len = 3;
        } else {
            len = put_utf8(cps[i], tmp);
        }
        if (k + len + 1 > outsz)
            break;
        memcpy(out + k, piece, len);
        k += len;
    }
    out[k] = '\0';
}

/* ---- features ---- */

static inline uint32_t fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

struct feat {
    uint32_t idx;
    float v;
};

/* A growable list of sparse features with a small hash table for counting
 * the n-grams of one message. */
struct featbuf {
    struct feat *f;
    unsigned char *grp; /* [cap]: n-gram length - 1, + 8 for the title */
    size_t n, cap;
    uint32_t *slot_key; /* bucket + 1, 0 empty */
    uint32_t *slot_pos;
    size_t slots;
    uint32_t *cps;
    size_t cps_cap;
    bool borrowed; /* fixed buffers of the caller: never grown or freed */
};

/* Buffers on the stack for prediction: enough for the default 2,000
 * characters with bigrams, so the hot path allocates nothing. */
#define STACK_CPS 2304
#define STACK_FEATS 4800
#define STACK_SLOTS 16384

static void featbuf_release(struct featbuf *b)
{
    if (b->borrowed)
        return;
    free(b->f);
    free(b->grp);
    free(b->slot_key);
    free(b->slot_pos);
    free(b->cps);
    memset(b, 0, sizeof(*b));
}

/* The raw features of a text: bucket and sublinear tf (1 + ln tf). */
static int features(const struct xt_classify_params *p, const char *text, struct featbuf *b)
{
    size_t maxc = p->max_chars;
    if (b->cps_cap < maxc + 256) {
        if (b->borrowed)
            return XT_ETOOBIG;
        free(b->cps);
        if (!(b->cps = malloc((maxc + 256) * sizeof(uint32_t))))
            return XT_ENOMEM;
        b->cps_cap = maxc + 256;
    }
    /* The title (the first line) is read twice: once as part of the text
     * and once on its own with salted hashes, so its n-grams get weights
     * of their own (a title names the matter; the text tells a story). */
    const char *nl = p->title ? strchr(text, '\n') : NULL;
    size_t nt = nl ? xt_classify_normalise(text, (size_t)(nl - text), b->cps, 256) : 0;
    size_t n = nt + xt_classify_normalise(text, strlen(text), b->cps + nt, maxc);
    size_t grams = n * (size_t)p->ngram_max;
    size_t need = 16;
    while (need < grams * 2)
        need <<= 1;
    if ((need > b->slots || grams > b->cap) && b->borrowed)
        return XT_ETOOBIG;
    if (need > b->slots) {
        free(b->slot_key);
        free(b->slot_pos);
        b->slot_key = malloc(need * sizeof(uint32_t));
        b->slot_pos = malloc(need * sizeof(uint32_t));
        if (!b->slot_key || !b->slot_pos) {
            b->slots = 0;
            return XT_ENOMEM;
        }
        b->slots = need;
    }
    if (grams > b->cap) {
        struct feat *nf = realloc(b->f, grams * sizeof(*nf));
        if (!nf)
            return XT_ENOMEM;
        b->f = nf;
        unsigned char *ng = realloc(b->grp, grams);
        if (!ng)
            return XT_ENOMEM;
        b->grp = ng;
        b->cap = grams;
    }
    size_t slots = need;
    memset(b->slot_key, 0, slots * sizeof(uint32_t));
    b->n = 0;
    unsigned shift = 32u - (unsigned)p->hash_bits;
    for (size_t i = 0; i < n; i++) {
        uint32_t h = i < nt ? 0x2545f491u : 0x811c9dc5u;
        size_t end = i < nt ? nt : n;
        for (int g = 0; g < p->ngram_max && i + (size_t)g < end; g++) {
            uint32_t c = b->cps[i + (size_t)g];
            if (c == ' ' && g == 0)
                break; /* no n-gram starts with a space */
            h = (h ^ c) * 0x01000193u;
            uint32_t bucket = fmix32(h + (uint32_t)g * 0x9e3779b9u) >> shift;
            size_t s = (size_t)(bucket * 0x9e3779b1u) & (slots - 1);
            while (b->slot_key[s] && b->slot_key[s] != bucket + 1)
                s = (s + 1) & (slots - 1);
            if (b->slot_key[s]) {
                b->f[b->slot_pos[s]].v += 1;
            } else {
                b->slot_key[s] = bucket + 1;
                b->slot_pos[s] = (uint32_t)b->n;
                b->f[b->n].idx = bucket;
                b->f[b->n].v = 1;
                b->grp[b->n] = (unsigned char)(g + (i < nt ? 8 : 0));
                b->n++;
            }
        }
    }
    static const float sublinear[9] = {0, 1.0f, 1.6931472f, 2.0986123f, 2.3862944f,
                                       2.6094379f, 2.7917595f, 2.9459102f, 3.0794415f};
    float gw[16];
    for (int g = 0; g < 8; g++) {
        gw[g] = g >= 2 ? (float)p->long_weight : 1.0f;
        gw[g + 8] = gw[g] * (float)p->title_weight;
    }
    for (size_t i = 0; i < b->n; i++)
        b->f[i].v = (b->f[i].v < 9 ? sublinear[(int)b->f[i].v] : 1.0f + logf(b->f[i].v)) *
                    gw[b->grp[i]];
    return 0;
}

/* Apply idf and L2-normalise in place. */
static void weigh(struct feat *f, size_t n, const float *idf)
{
    double ss = 0;
    for (size_t i = 0; i < n; i++) {
        f[i].v *= idf[f[i].idx];
        ss += (double)f[i].v * f[i].v;
    }
    if (ss > 0) {
        float inv = (float)(1.0 / sqrt(ss));
        for (size_t i = 0; i < n; i++)
            f[i].v *= inv;
    }
}

/* ---- training ---- */

void xt_classify_params_init(struct xt_classify_params *p)
{
    memset(p, 0, sizeof(*p));
    p->ngram_max = 2;
    p->hash_bits = 18;
    p->c = 1.0;
    p->title = true;
    p->balanced = true;
    p->epochs = 50;
    p->calib_folds = 3;
    p->seed = 20260517;
    p->max_chars = 2000;
    p->long_weight = 1.0;
    p->title_weight = 1.0;
    p->nb_alpha = 1.0;
    p->mix = 0.3;
    p->knn = 10;
    p->knn_weight = 1.0;
    p->knn_df = 0.08;
    p->knn_gate = 0.3;
    p->knn_terms = 96;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void shuffle(size_t *a, size_t n, uint64_t *rng)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(splitmix(rng) % i);
        size_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

/* Every document's raw features, in one CSR block. */
struct corpus {
    size_t n;
    size_t *off;     /* [n + 1] */
    struct feat *f;  /* raw (sublinear tf) */
    struct feat *x;  /* weighted copy for the current training */
};

static void corpus_release(struct corpus *c)
{
    free(c->off);
    free(c->f);
    free(c->x);
    memset(c, 0, sizeof(*c));
}

static int corpus_build(const struct xt_classify_params *p, const char **text, size_t n,
                        struct corpus *c)
{
    memset(c, 0, sizeof(*c));
    struct featbuf b;
    memset(&b, 0, sizeof(b));
    size_t cap = 0, len = 0;
    int rc = XT_ENOMEM;
    c->n = n;
    if (!(c->off = malloc((n + 1) * sizeof(size_t))))
        goto out;
    c->off[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if ((rc = features(p, text[i] ? text[i] : "", &b)))
            goto out;
        if (len + b.n > cap) {
            size_t nc = cap ? cap : 1 << 16;
            while (nc < len + b.n)
                nc *= 2;
            struct feat *nf = realloc(c->f, nc * sizeof(*nf));
            if (!nf) {
                rc = XT_ENOMEM;
                goto out;
            }
            c->f = nf;
            cap = nc;
        }
        memcpy(c->f + len, b.f, b.n * sizeof(*b.f));
        len += b.n;
        c->off[i + 1] = len;
    }
    if (!(c->x = malloc((len ? len : 1) * sizeof(*c->x)))) {
        rc = XT_ENOMEM;
        goto out;
    }
    rc = 0;
out:
    featbuf_release(&b);
    if (rc)
        corpus_release(c);
    return rc;
}

/* Smoothed idf from the documents in subset: ln((1 + n) / (1 + df)) + 1. */
static int fit_idf(const struct corpus *c, const size_t *subset, size_t ns, int bits,
                   float **out)
{
    size_t nb = (size_t)1 << bits;
    uint32_t *df = calloc(nb, sizeof(uint32_t));
    float *idf = malloc(nb * sizeof(float));
    if (!df || !idf) {
        free(df);
        free(idf);
        return XT_ENOMEM;
    }
    for (size_t s = 0; s < ns; s++) {
        size_t i = subset[s];
        for (size_t q = c->off[i]; q < c->off[i + 1]; q++)
            df[c->f[q].idx]++;
    }
    for (size_t b = 0; b < nb; b++)
        idf[b] = (float)(log((1.0 + (double)ns) / (1.0 + df[b])) + 1.0);
    free(df);
    *out = idf;
    return 0;
}

static void corpus_weigh(struct corpus *c, const float *idf)
{
    memcpy(c->x, c->f, c->off[c->n] * sizeof(*c->f));
    for (size_t i = 0; i < c->n; i++)
        weigh(c->x + c->off[i], c->off[i + 1] - c->off[i], idf);
}

/* One binary L2-loss SVM by dual coordinate descent with shrinking
 * (Hsieh et al. 2008, as in liblinear). w has nb + 1 slots, the last the
 * bias, whose feature is the constant 1. */
static void train_binary(const struct corpus *c, const size_t *subset, size_t ns,
                         const int *label, int positive, const struct xt_classify_params *p,
                         const double *cost, double *w, size_t nb, double *alpha, double *qd,
                         size_t *index, uint64_t *rng)
{
    const double eps = 0.1;
    memset(w, 0, (nb + 1) * sizeof(double));
    for (size_t s = 0; s < ns; s++) {
        size_t i = subset[s];
        double q = 1.0 + 0.5 / cost[label[i]]; /* the bias feature */
        for (size_t k = c->off[i]; k < c->off[i + 1]; k++)
            q += (double)c->x[k].v * c->x[k].v;
        qd[s] = q;
        alpha[s] = 0;
        index[s] = s;
    }
    size_t active = ns;
    double pgmax_old = INFINITY, pgmin_old = -INFINITY;
    for (int it = 0; it < p->epochs; it++) {
        double pgmax = -INFINITY, pgmin = INFINITY;
        shuffle(index, active, rng);
        for (size_t s = 0; s < active; s++) {
            size_t si = index[s];
            size_t i = subset[si];
            double y = label[i] == positive ? 1.0 : -1.0;
            double diag = 0.5 / cost[label[i]];
            double dot = w[nb];
            for (size_t k = c->off[i]; k < c->off[i + 1]; k++)
                dot += w[c->x[k].idx] * c->x[k].v;
            double g = y * dot - 1.0 + alpha[si] * diag;
            double pg = 0;
            if (alpha[si] == 0) {
                if (g > pgmax_old) {
                    active--;
                    index[s] = index[active];
                    index[active] = si;
                    s--;
                    continue;
                }
                if (g < 0)
                    pg = g;
            } else {
                pg = g;
            }
            if (pg > pgmax)
                pgmax = pg;
            if (pg < pgmin)
                pgmin = pg;
            if (fabs(pg) > 1e-12) {
                double old = alpha[si];
                alpha[si] = fmax(old - g / qd[si], 0.0);
                double d = (alpha[si] - old) * y;
                for (size_t k = c->off[i]; k < c->off[i + 1]; k++)
                    w[c->x[k].idx] += d * c->x[k].v;
                w[nb] += d;
            }
        }
        if (pgmax - pgmin <= eps) {
            if (active == ns)
                break;
            active = ns;
            pgmax_old = INFINITY;
            pgmin_old = -INFINITY;
            continue;
        }
        pgmax_old = pgmax <= 0 ? INFINITY : pgmax;
        pgmin_old = pgmin >= 0 ? -INFINITY : pgmin;
    }
    (void)pgmin_old;
}

/* Train k binary models on subset (features already weighted) into the
 * interleaved float layout. */
static int train_ovr(const struct corpus *c, const size_t *subset, size_t ns, const int *label,
                     int k, const struct xt_classify_params *p, float *w, float *bias)
{
    size_t nb = (size_t)1 << p->hash_bits;
    double *wd = malloc((nb + 1) * sizeof(double));
    double *alpha = malloc((ns ? ns : 1) * sizeof(double));
    double *qd = malloc((ns ? ns : 1) * sizeof(double));
    size_t *index = malloc((ns ? ns : 1) * sizeof(size_t));
    if (!wd || !alpha || !qd || !index) {
        free(wd);
        free(alpha);
        free(qd);
        free(index);
        return XT_ENOMEM;
    }
    /* Balanced costs: each label weighs as much in total, so a small
     * category is not sacrificed to the large ones (macro-F1 counts each
     * category alike, and so does a citizen whose request is misrouted). */
    double cost[XT_CLASSIFY_MAX_CLASSES];
    long cnt[XT_CLASSIFY_MAX_CLASSES] = {0};
    for (size_t s = 0; s < ns; s++)
        cnt[label[subset[s]]]++;
    for (int cl = 0; cl < k; cl++)
        cost[cl] = p->balanced && cnt[cl] ? p->c * (double)ns / ((double)k * (double)cnt[cl])
                                          : p->c;
    uint64_t rng = p->seed;
    /* NBSVM (Wang & Manning 2012): for class cl, each feature is scaled
     * by the log ratio of its smoothed presence counts in cl and in the
     * other classes, r = ln((p / |p|) / (q / |q|)); the SVM learns on the
     * scaled features, and w * r is the weight on the unscaled ones, so
     * prediction is unchanged. */
    double *pc = NULL, *qc = NULL, *r = NULL;
    struct corpus sc = *c;
    if (p->nb_alpha > 0) {
        pc = malloc(nb * sizeof(double));
        qc = malloc(nb * sizeof(double));
        r = malloc(nb * sizeof(double));
        sc.x = malloc((c->off[c->n] ? c->off[c->n] : 1) * sizeof(*sc.x));
        if (!pc || !qc || !r || !sc.x) {
            free(pc);
            free(qc);
            free(r);
            free(sc.x);
            free(wd);
            free(alpha);
            free(qd);
            free(index);
            return XT_ENOMEM;
        }
        memcpy(sc.x, c->x, c->off[c->n] * sizeof(*sc.x));
    }
    for (int cl = 0; cl < k; cl++) {
        if (r) {
            double ps = 0, qs = 0;
            for (size_t b = 0; b < nb; b++)
                pc[b] = qc[b] = p->nb_alpha;
            for (size_t s = 0; s < ns; s++) {
                size_t i = subset[s];
                double *to = label[i] == cl ? pc : qc;
                for (size_t q = c->off[i]; q < c->off[i + 1]; q++)
                    to[c->x[q].idx] += 1;
            }
            for (size_t b = 0; b < nb; b++) {
                ps += pc[b];
                qs += qc[b];
            }
            for (size_t b = 0; b < nb; b++)
                r[b] = log((pc[b] / ps) / (qc[b] / qs));
            for (size_t s = 0; s < ns; s++) {
                size_t i = subset[s];
                for (size_t q = c->off[i]; q < c->off[i + 1]; q++)
                    sc.x[q].v = (float)(c->x[q].v * r[c->x[q].idx]);
            }
        }
        train_binary(r ? &sc : c, subset, ns, label, cl, p, cost, wd, nb, alpha, qd, index,
                     &rng);
        double mix = r ? p->mix : 0;
        for (size_t b = 0; b < nb; b++)
            w[b * (size_t)k + (size_t)cl] = (float)((1 - mix) * (r ? wd[b] * r[b] : wd[b]));
        bias[cl] = (float)((1 - mix) * wd[nb]);
        if (mix > 0) {
            /* The plain SVM on the same features: a sum of linear models
             * is one linear model, so the blend costs nothing at
             * prediction. */
            train_binary(c, subset, ns, label, cl, p, cost, wd, nb, alpha, qd, index, &rng);
            for (size_t b = 0; b < nb; b++)
                w[b * (size_t)k + (size_t)cl] += (float)(mix * wd[b]);
            bias[cl] += (float)(mix * wd[nb]);
        }
    }
    free(pc);
    free(qc);
    free(r);
    if (sc.x != c->x)
        free(sc.x);
    free(wd);
    free(alpha);
    free(qd);
    free(index);
    return 0;
}

static void margins_of(const struct feat *f, size_t n, const float *w, const float *bias, int k,
                       double *out)
{
    for (int c = 0; c < k; c++)
        out[c] = bias[c];
    for (size_t i = 0; i < n; i++) {
        const float *row = w + (size_t)f[i].idx * (size_t)k;
        double v = f[i].v;
        for (int c = 0; c < k; c++)
            out[c] += row[c] * v;
    }
}

/* ---- neighbours ---- */

static void knn_release(struct knn_index *ix)
{
    free(ix->label);
    free(ix->start);
    free(ix->post);
    memset(ix, 0, sizeof(*ix));
}

/* Index the documents of subset (c->x weighted and normalised); document
 * s of the index is subset[s]. */
static int knn_build(const struct corpus *c, const size_t *subset, size_t ns, const int *label,
                     const struct xt_classify_params *p, struct knn_index *ix)
{
    size_t nb = (size_t)1 << p->hash_bits;
    memset(ix, 0, sizeof(*ix));
    /* Postings are 4 bytes, half the memory a search waits for: so at
     * most KNN_DOCS_MAX messages, the last ones (operators' overrides
     * come after the labelled file). */
    if (ns > KNN_DOCS_MAX) {
        subset += ns - KNN_DOCS_MAX;
        ns = KNN_DOCS_MAX;
    }
    ix->n_docs = (uint32_t)ns;
    ix->label = malloc(ns ? ns : 1);
    ix->start = big_alloc((nb + 1) * sizeof(uint32_t));
    uint32_t *df = calloc(nb, sizeof(uint32_t));
    if (!ix->label || !ix->start || !df)
        goto nomem;
    for (size_t s = 0; s < ns; s++) {
        size_t i = subset[s];
        ix->label[s] = (unsigned char)label[i];
        for (size_t q = c->off[i]; q < c->off[i + 1]; q++)
            df[c->x[q].idx] += c->x[q].v > 0;
    }
    /* An n-gram in most messages says little about which ones are alike
     * and makes every search long: only the rarer ones are filed. */
    double cut = p->knn_df * (double)ns;
    size_t total = 0;
    for (size_t b = 0; b < nb; b++) {
        ix->start[b] = (uint32_t)total;
        if ((double)df[b] <= cut)
            total += df[b];
        else
            df[b] = 0;
    }
    ix->start[nb] = (uint32_t)total;
    if (!(ix->post = big_alloc(total * sizeof(*ix->post))))
        goto nomem;
    memset(df, 0, nb * sizeof(uint32_t)); /* now: postings filed per bucket */
    for (size_t s = 0; s < ns; s++) {
        size_t i = subset[s];
        for (size_t q = c->off[i]; q < c->off[i + 1]; q++) {
            uint32_t b = c->x[q].idx;
            if (c->x[q].v > 0 && ix->start[b] + df[b] < ix->start[b + 1])
                ix->post[ix->start[b] + df[b]++] = (struct posting){
                    (uint16_t)s, (uint16_t)fmin(65535, fmax(1, lrint(c->x[q].v * 65535.0)))};
        }
    }
    free(df);
    return 0;
nomem:
    free(df);
    knn_release(ix);
    return XT_ENOMEM;
}

/* One n-gram of a message for the neighbour search: its posting list
 * (start holds the bucket until the bounds are looked up) and its
 * weight. */
struct qterm {
    uint32_t start, end;
    float v;
};

/* Keep the t terms of largest weight at the front of q (the rest in any
 * order), by quickselect. Returns min(n, t). */
static size_t heaviest(struct qterm *q, size_t n, size_t t)
{
    if (n <= t)
        return n;
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        float pivot = q[lo + (hi - lo) / 2].v;
        size_t i = lo, j = hi;
        while (i <= j) {
            while (q[i].v > pivot)
                i++;
            while (q[j].v < pivot)
                j--;
            if (i <= j) {
                struct qterm tmp = q[i];
                q[i] = q[j];
                q[j] = tmp;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (t - 1 <= j)
            hi = j;
        else if (t - 1 >= i)
            lo = i;
        else
            break;
    }
    return t;
}

typedef float xt_v4sf __attribute__((vector_size(16)));
typedef int32_t xt_v4si __attribute__((vector_size(16)));

/* Whether any of the 16 floats at a exceeds f: four vector compares, so
 * the scan over every training message skips blocks in one step. */
static inline bool any_above(const float *a, float f)
{
    xt_v4sf v[4], fl = {f, f, f, f};
    memcpy(v, a, sizeof(v));
    xt_v4si m = (v[0] > fl) | (v[1] > fl) | (v[2] > fl) | (v[3] > fl);
    int32_t lanes[4];
    memcpy(lanes, &m, sizeof(lanes));
    return (lanes[0] | lanes[1] | lanes[2] | lanes[3]) != 0;
}

/* The label shares of the knn nearest training messages of a message
 * whose filed n-grams are q (weights times inv normalise them): each
 * neighbour counts its cosine similarity squared, so a near copy counts
 * far more than a message that shares a few words. share is all zero when
 * no training message shares a filed n-gram. acc[n_docs rounded up to 16]
 * must be zero; it is left as used. */
static void knn_shares(const struct knn_index *ix, int knn, int k, const struct qterm *q,
                       size_t n, double inv, float *acc, double *share)
{
    /* The lists lie all over megabytes: while adding up one list, ask for
     * the cache lines of the list PREFETCH_LISTS ahead, so the memory
     * waits overlap instead of coming one after another. */
    enum { PREFETCH_LISTS = 6 };
    for (size_t i = 0; i < n + PREFETCH_LISTS; i++) {
        if (i < n) {
            const char *a = (const char *)(ix->post + q[i].start);
            const char *e = (const char *)(ix->post + q[i].end);
            for (a = (const char *)((uintptr_t)a & ~(uintptr_t)63); a < e; a += 64)
                __builtin_prefetch(a);
        }
        if (i < PREFETCH_LISTS)
            continue;
        size_t j = i - PREFETCH_LISTS;
        float v = q[j].v;
        for (const struct posting *p = ix->post + q[j].start, *end = ix->post + q[j].end;
             p < end; p++)
            acc[p->doc] += v * (float)p->v;
    }
    float best[KNN_MAX], floor = 0; /* floor: the k-th best once there are k */
    uint32_t who[KNN_MAX];
    int m = 0;
    uint32_t nd = (ix->n_docs + 15) & ~15u;
    for (uint32_t d0 = 0; d0 < nd; d0 += 16) {
        if (!any_above(acc + d0, floor))
            continue;
        for (uint32_t d = d0; d < d0 + 16; d++) {
            float s = acc[d];
            if (!(s > floor))
                continue;
            int j = m < knn ? m++ : m - 1;
            while (j > 0 && best[j - 1] < s) {
                best[j] = best[j - 1];
                who[j] = who[j - 1];
                j--;
            }
            best[j] = s;
            who[j] = d;
            if (m == knn)
                floor = best[m - 1];
        }
    }
    double sum = 0;
    for (int c = 0; c < k; c++)
        share[c] = 0;
    for (int j = 0; j < m; j++) {
        double sim = best[j] * inv / 65535.0;
        share[ix->label[who[j]]] += sim * sim;
        sum += sim * sim;
    }
    if (sum > 0)
        for (int c = 0; c < k; c++)
            share[c] /= sum;
}

/* A message's scores from its margins, in place: the margins in units of
 * the training margins' spread and, when the two best are closer than
 * the gate, plus knn_weight times the neighbours' label shares. x holds
 * the message's weighted n-grams (only filed ones when filed_only). */
static void blend(const struct knn_index *ix, double sigma, const struct xt_classify_params *p,
                  int k, const struct feat *x, size_t nx, bool filed_only, double inv,
                  double *m)
{
    if (p->knn == 0 || ix->n_docs == 0)
        return;
    double first = -INFINITY, second = -INFINITY;
    for (int c = 0; c < k; c++) {
        m[c] /= sigma;
        if (m[c] > first) {
            second = first;
            first = m[c];
        } else if (m[c] > second) {
            second = m[c];
        }
    }
    if (p->knn_gate > 0 && first - second >= p->knn_gate)
        return;
    /* The filed n-grams and their posting lists (the bounds fetched all
     * at once first, as they are a megabyte apart); of those the
     * knn_terms heaviest, which carry most of any similarity, while the
     * search costs one posting list per n-gram. */
    struct qterm q[STACK_FEATS];
    size_t n = 0;
    for (size_t i = 0; i < nx && n < STACK_FEATS; i++)
        if (x[i].v > 0 && (filed_only || ix->start[x[i].idx + 1] > ix->start[x[i].idx]))
            q[n++] = (struct qterm){x[i].idx, 0, x[i].v};
    /* The heaviest first, then their lists' bounds: only those are read. */
    if (p->knn_terms > 0)
        n = heaviest(q, n, (size_t)p->knn_terms);
    for (size_t i = 0; i < n; i++)
        __builtin_prefetch(ix->start + q[i].start);
    for (size_t i = 0; i < n; i++) {
        uint32_t b = q[i].start;
        q[i].start = ix->start[b];
        q[i].end = ix->start[b + 1];
    }
    /* Scratch on the stack for an index of up to STACK_DOCS messages,
     * on the heap beyond; without memory the margins decide alone. */
    float stack[STACK_DOCS];
    size_t nd = ((size_t)ix->n_docs + 15) & ~(size_t)15;
    float *acc = nd <= STACK_DOCS ? stack : calloc(nd, sizeof(float));
    if (!acc)
        return;
    if (acc == stack)
        memset(acc, 0, nd * sizeof(float));
    double share[XT_CLASSIFY_MAX_CLASSES];
    knn_shares(ix, p->knn, k, q, n, inv, acc, share);
    if (acc != stack)
        free(acc);
    for (int c = 0; c < k; c++)
        m[c] += p->knn_weight * share[c];
}

/* The spread (standard deviation) of the margins of the training
 * messages over every label: the unit the neighbours' shares are added
 * in, so their weight means the same whatever the scale of the SVM. */
static double margin_spread(const struct corpus *c, const size_t *subset, size_t ns,
                            const float *w, const float *bias, int k)
{
    double sum = 0, ss = 0, mg[XT_CLASSIFY_MAX_CLASSES];
    for (size_t s = 0; s < ns; s++) {
        size_t i = subset[s];
        margins_of(c->x + c->off[i], c->off[i + 1] - c->off[i], w, bias, k, mg);
        for (int q = 0; q < k; q++) {
            sum += mg[q];
            ss += mg[q] * mg[q];
        }
    }
    double cnt = (double)ns * k, mean = cnt > 0 ? sum / cnt : 0;
    double var = cnt > 0 ? ss / cnt - mean * mean : 0;
    return var > 1e-12 ? sqrt(var) : 1.0;
}

static void softmax(const double *m, int k, double scale, double *p)
{
    double mx = -INFINITY;
    for (int c = 0; c < k; c++)
        if (m[c] > mx)
            mx = m[c];
    double sum = 0;
    for (int c = 0; c < k; c++) {
        p[c] = exp(scale * (m[c] - mx));
        sum += p[c];
    }
    for (int c = 0; c < k; c++)
        p[c] /= sum;
}

/* Mean log loss of softmax(scale * margins) over the rows where use[i]. */
static double log_loss(const double *m, const int *label, const bool *use, size_t n, int k,
                       double scale)
{
    double s = 0;
    long cnt = 0;
    double p[XT_CLASSIFY_MAX_CLASSES];
    for (size_t i = 0; i < n; i++) {
        if (!use[i] || label[i] < 0)
            continue;
        softmax(m + i * (size_t)k, k, scale, p);
        s -= log(fmax(p[label[i]], 1e-12));
        cnt++;
    }
    return cnt ? s / (double)cnt : 0;
}

/* The scale that minimises the log loss: golden-section search on its
 * logarithm (the loss is unimodal in the scale). */
static double fit_scale(const double *m, const int *label, const bool *use, size_t n, int k)
{
    double a = log(0.1), b = log(200.0);
    const double g = 0.6180339887498949;
    double x1 = b - g * (b - a), x2 = a + g * (b - a);
    double f1 = log_loss(m, label, use, n, k, exp(x1));
    double f2 = log_loss(m, label, use, n, k, exp(x2));
    for (int it = 0; it < 40; it++) {
        if (f1 < f2) {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - g * (b - a);
            f1 = log_loss(m, label, use, n, k, exp(x1));
        } else {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + g * (b - a);
            f2 = log_loss(m, label, use, n, k, exp(x2));
        }
    }
    return exp((a + b) / 2);
}

void xt_classify_folds(const struct xt_classify_data *d, int k, uint64_t seed, int *fold)
{
    size_t *idx = malloc((d->n ? d->n : 1) * sizeof(size_t));
    uint64_t rng = seed;
    int next = 0;
    for (int l = 0; l < d->n_labels; l++) {
        size_t m = 0;
        for (size_t i = 0; i < d->n; i++)
            if (d->label[i] == l) {
                if (idx)
                    idx[m] = i;
                m++;
            }
        if (!idx) {
            /* Out of memory: a deterministic but unshuffled deal. */
            size_t q = 0;
            for (size_t i = 0; i < d->n; i++)
                if (d->label[i] == l)
                    fold[i] = (int)(q++ % (size_t)k);
            continue;
        }
        shuffle(idx, m, &rng);
        /* Continue the deal where the previous label stopped, so small
         * classes do not all start in fold 0. */
        for (size_t q = 0; q < m; q++) {
            fold[idx[q]] = next;
            next = (next + 1) % k;
        }
    }
    free(idx);
}

/* Out-of-fold margins: for each fold, train on the others and score it.
 * c must be built; margins has n * k slots. */
static int oof_margins(struct corpus *c, const int *label, int k, const int *fold, int nfold,
                       const struct xt_classify_params *p, double *margins)
{
    size_t n = c->n, nb = (size_t)1 << p->hash_bits;
    size_t *subset = malloc((n ? n : 1) * sizeof(size_t));
    float *w = malloc(nb * (size_t)k * sizeof(float));
    float bias[XT_CLASSIFY_MAX_CLASSES];
    struct knn_index ix = {0};
    int rc = XT_ENOMEM;
    if (!subset || !w)
        goto out;
    for (int f = 0; f < nfold; f++) {
        size_t ns = 0;
        for (size_t i = 0; i < n; i++)
            if (fold[i] != f && label[i] >= 0)
                subset[ns++] = i;
        float *idf;
        if ((rc = fit_idf(c, subset, ns, p->hash_bits, &idf)))
            goto out;
        corpus_weigh(c, idf);
        free(idf);
        if ((rc = train_ovr(c, subset, ns, label, k, p, w, bias)))
            goto out;
        double sigma = 1;
        if (p->knn > 0) {
            sigma = margin_spread(c, subset, ns, w, bias, k);
            if ((rc = knn_build(c, subset, ns, label, p, &ix)))
                goto out;

        }
        for (size_t i = 0; i < n; i++) {
            if (fold[i] != f)
                continue;
            const struct feat *x = c->x + c->off[i];
            size_t nx = c->off[i + 1] - c->off[i];
            margins_of(x, nx, w, bias, k, margins + i * (size_t)k);
            blend(&ix, sigma, p, k, x, nx, false, 1.0, margins + i * (size_t)k);
        }
        knn_release(&ix);
    }
    rc = 0;
out:
    knn_release(&ix);
    free(subset);
    free(w);
    return rc;
}

static int check_params(const struct xt_classify_params *p, struct xt_error *err)
{
    if (p->ngram_max < 1 || p->ngram_max > 5)
        return xt_error_set(err, XT_EINVAL, "ngram", "must be 1..5");
    if (p->hash_bits < 12 || p->hash_bits > 24)
        return xt_error_set(err, XT_EINVAL, "hash-bits", "must be 12..24");
    if (!(p->c > 0) || p->c > 1e4)
        return xt_error_set(err, XT_EINVAL, "c", "must be a positive number up to 10000");
    if (!(p->long_weight >= 0) || p->long_weight > 10)
        return xt_error_set(err, XT_EINVAL, "long-weight", "must be 0..10");
    if (!(p->title_weight >= 0) || p->title_weight > 10)
        return xt_error_set(err, XT_EINVAL, "title-weight", "must be 0..10");
    if (!(p->nb_alpha >= 0) || p->nb_alpha > 100)
        return xt_error_set(err, XT_EINVAL, "nb", "must be 0..100");
    if (!(p->mix >= 0) || p->mix > 1)
        return xt_error_set(err, XT_EINVAL, "mix", "must be 0..1");
    if (p->knn < 0 || p->knn > KNN_MAX)
        return xt_error_set(err, XT_EINVAL, "knn", "must be 0..%d", KNN_MAX);
    if (!(p->knn_weight >= 0) || p->knn_weight > 10)
        return xt_error_set(err, XT_EINVAL, "knn-weight", "must be 0..10");
    if (!(p->knn_df > 0) || p->knn_df > 1)
        return xt_error_set(err, XT_EINVAL, "knn-df", "must be more than 0 and at most 1");
    if (!(p->knn_gate >= 0) || p->knn_gate > 100)
        return xt_error_set(err, XT_EINVAL, "knn-gate", "must be 0..100");
    if (p->knn_terms < 0 || p->knn_terms > 4096)
        return xt_error_set(err, XT_EINVAL, "knn-terms", "must be 0..4096");
    if (p->epochs < 1 || p->max_chars < 16 || p->max_chars > MAX_CHARS_CAP)
        return xt_error_set(err, XT_EINVAL, "params", "epochs >= 1, max_chars 16..%d",
                            MAX_CHARS_CAP);
    return 0;
}

static int check_data(const struct xt_classify_data *d, struct xt_error *err)
{
    if (d->n_labels < 2 || d->n_labels > XT_CLASSIFY_MAX_CLASSES)
        return xt_error_set(err, XT_EINVAL, "data", "needs 2..%d labels, got %d",
                            XT_CLASSIFY_MAX_CLASSES, d->n_labels);
    int seen = 0;
    for (int l = 0; l < d->n_labels; l++) {
        for (size_t i = 0; i < d->n; i++)
            if (d->label[i] == l) {
                seen++;
                break;
            }
    }
    if (seen < 2)
        return xt_error_set(err, XT_EINVAL, "data", "needs examples of at least two labels");
    return 0;
}

void xt_classifier_free(struct xt_classifier *m)
{
    if (!m)
        return;
    free(m->labels);
    free(m->codes);
    free(m->idf);
    free(m->w);
    free(m->bias);
    free(m->row);
    knn_release(&m->ix);
    free(m);
}

static struct xt_classifier *model_alloc(const struct xt_classify_params *p, int k)
{
    struct xt_classifier *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    size_t nb = (size_t)1 << p->hash_bits;
    m->p = *p;
    m->k = k;
    m->labels = calloc((size_t)k, sizeof(*m->labels));
    m->codes = calloc((size_t)k, sizeof(*m->codes));
    m->idf = malloc(nb * sizeof(float));
    m->w = malloc(nb * (size_t)k * sizeof(float));
    m->bias = calloc((size_t)k, sizeof(float));
    m->scale = 1;
    m->sigma = 1;
    if (!m->labels || !m->codes || !m->idf || !m->w || !m->bias) {
        xt_classifier_free(m);
        return NULL;
    }
    return m;
}

static int build_rows(struct xt_classifier *m);

int xt_classifier_train(const struct xt_classify_data *d, const char *const *codes,
                        const struct xt_classify_params *p, struct xt_classifier **out,
                        struct xt_error *err)
{
    *out = NULL;
    int rc;
    if ((rc = check_params(p, err)) || (rc = check_data(d, err)))
        return rc;
    int k = d->n_labels;
    struct corpus c;
    if ((rc = corpus_build(p, d->text, d->n, &c)))
        return xt_error_set(err, rc, "", "out of memory");
    struct xt_classifier *m = model_alloc(p, k);
    size_t *subset = malloc((d->n ? d->n : 1) * sizeof(size_t));
    double *margins = NULL;
    int *fold = NULL;
    bool *use = NULL;
    rc = XT_ENOMEM;
    if (!m || !subset)
        goto out;
    for (int l = 0; l < k; l++) {
        snprintf(m->labels[l], XT_CLASSIFY_LABEL_MAX, "%s", d->labels[l]);
        snprintf(m->codes[l], XT_CLASSIFY_LABEL_MAX, "%s", codes && codes[l] ? codes[l] : "");
    }
    if (p->calib_folds >= 2 && d->n >= (size_t)p->calib_folds * 2) {
        margins = malloc(d->n * (size_t)k * sizeof(double));
        fold = malloc(d->n * sizeof(int));
        use = malloc(d->n * sizeof(bool));
        if (!margins || !fold || !use)
            goto out;
        xt_classify_folds(d, p->calib_folds, p->seed, fold);
        if ((rc = oof_margins(&c, d->label, k, fold, p->calib_folds, p, margins)))
            goto out;
        for (size_t i = 0; i < d->n; i++)
            use[i] = d->label[i] >= 0;
        m->scale = fit_scale(margins, d->label, use, d->n, k);
    }
    size_t ns = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->label[i] >= 0)
            subset[ns++] = i;
    float *idf;
    if ((rc = fit_idf(&c, subset, ns, p->hash_bits, &idf)))
        goto out;
    memcpy(m->idf, idf, ((size_t)1 << p->hash_bits) * sizeof(float));
    free(idf);
    corpus_weigh(&c, m->idf);
    if ((rc = train_ovr(&c, subset, ns, d->label, k, p, m->w, m->bias)))
        goto out;
    if (p->knn > 0) {
        m->sigma = margin_spread(&c, subset, ns, m->w, m->bias, k);
        if ((rc = knn_build(&c, subset, ns, d->label, p, &m->ix)))
            goto out;
    }
    if ((rc = build_rows(m)))
        goto out;
    *out = m;
    m = NULL;
    rc = 0;
out:
    if (rc)
        xt_error_set(err, rc, "", "out of memory while training");
    xt_classifier_free(m);
    corpus_release(&c);
    free(subset);
    free(margins);
    free(fold);
    free(use);
    return rc;
}

/* ---- prediction ---- */

static int build_rows(struct xt_classifier *m)
{
    size_t nb = (size_t)1 << m->p.hash_bits, k = (size_t)m->k;
    free(m->row);
    if (!(m->row = big_alloc(nb * (k + 1) * sizeof(float))))
        return XT_ENOMEM;
    for (size_t b = 0; b < nb; b++) {
        /* A negative idf marks a bucket with a posting list in the
         * neighbour index, so the margins' pass learns which of a
         * message's n-grams to search from the rows it reads anyway. */
        bool filed = m->ix.start && m->ix.start[b + 1] > m->ix.start[b];
        m->row[b * (k + 1)] = filed ? -m->idf[b] : m->idf[b];
        memcpy(m->row + b * (k + 1) + 1, m->w + b * k, k * sizeof(float));
    }
    return 0;
}

static void predict_margins(const struct xt_classifier *m, const char *text, double *margins)
{
    uint32_t cps[STACK_CPS], sk[STACK_SLOTS], sp[STACK_SLOTS];
    struct feat fs[STACK_FEATS];
    unsigned char gs[STACK_FEATS];
    struct featbuf sb = {fs, gs, 0, STACK_FEATS, sk, sp, STACK_SLOTS, cps, STACK_CPS, true};
    struct featbuf hb;
    memset(&hb, 0, sizeof(hb));
    struct featbuf *b = &sb;
    int rc = features(&m->p, text ? text : "", b);
    if (rc == XT_ETOOBIG) {
        b = &hb;
        rc = features(&m->p, text ? text : "", b);
    }
    int k = m->k;
    if (rc) {
        for (int c = 0; c < k; c++)
            margins[c] = m->bias[c] / m->sigma;
        featbuf_release(&hb);
        return;
    }
    /* One pass: tf-idf, its squared norm and the dot products together;
     * the norm divides at the end. */
    double acc[XT_CLASSIFY_MAX_CLASSES] = {0}, ss = 0;
    size_t rs = (size_t)k + 1, nf = 0;
    /* The rows are spread over megabytes: ask for them ahead, so the
     * memory fetches overlap instead of waiting one by one. */
    for (size_t i = 0; i < b->n && i < 16; i++)
        __builtin_prefetch(m->row + (size_t)b->f[i].idx * rs);
    for (size_t i = 0; i < b->n; i++) {
        if (i + 16 < b->n)
            __builtin_prefetch(m->row + (size_t)b->f[i + 16].idx * rs);
        const float *row = m->row + (size_t)b->f[i].idx * rs;
        double x = (double)b->f[i].v * fabsf(row[0]);
        ss += x * x;
        for (int c = 0; c < k; c++)
            acc[c] += row[1 + c] * x;
        /* The filed n-grams, weighted, move to the front for the
         * neighbour search (nf <= i: nothing unread is overwritten). */
        if (row[0] < 0)
            b->f[nf++] = (struct feat){b->f[i].idx, (float)x};
    }
    double inv = ss > 0 ? 1.0 / sqrt(ss) : 0;
    for (int c = 0; c < k; c++)
        margins[c] = m->bias[c] + acc[c] * inv;
    blend(&m->ix, m->sigma, &m->p, k, b->f, nf, true, inv, margins);
    featbuf_release(&hb);
}

void xt_classifier_probs(const struct xt_classifier *m, const char *text, double *probs)
{
    double mg[XT_CLASSIFY_MAX_CLASSES];
    predict_margins(m, text, mg);
    softmax(mg, m->k, m->scale, probs);
}

void xt_classifier_predict(const struct xt_classifier *m, const char *text,
                           struct xt_prediction *out)
{
    double mg[XT_CLASSIFY_MAX_CLASSES], pr[XT_CLASSIFY_MAX_CLASSES];
    predict_margins(m, text, mg);
    softmax(mg, m->k, m->scale, pr);
    int best = 0;
    for (int c = 1; c < m->k; c++)
        if (mg[c] > mg[best])
            best = c;
    out->label = best;
    out->confidence = pr[best];
    out->margin = mg[best];
}

int xt_classifier_n_labels(const struct xt_classifier *m)
{
    return m->k;
}

const char *xt_classifier_label(const struct xt_classifier *m, int i)
{
    return i >= 0 && i < m->k ? m->labels[i] : "";
}

const char *xt_classifier_code(const struct xt_classifier *m, int i)
{
    return i >= 0 && i < m->k ? m->codes[i] : "";
}

int xt_classifier_find(const struct xt_classifier *m, const char *label)
{
    for (int i = 0; i < m->k; i++)
        if (strcmp(m->labels[i], label) == 0)
            return i;
    return -1;
}

double xt_classifier_scale(const struct xt_classifier *m)
{
    return m->scale;
}

const struct xt_classify_params *xt_classifier_params(const struct xt_classifier *m)
{
    return &m->p;
}

/* ---- model file ---- */

static int put_u32(struct xt_buf *b, uint32_t v)
{
    unsigned char o[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    return xt_buf_append(b, o, 4);
}

static int put_f64(struct xt_buf *b, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    int rc = put_u32(b, (uint32_t)v);
    return rc ? rc : put_u32(b, (uint32_t)(v >> 32));
}

static int put_floats(struct xt_buf *b, const float *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t v;
        memcpy(&v, &f[i], 4);
        int rc = put_u32(b, v);
        if (rc)
            return rc;
    }
    return 0;
}

static int put_str(struct xt_buf *b, const char *s)
{
    int rc = put_u32(b, (uint32_t)strlen(s));
    return rc ? rc : xt_buf_append(b, s, strlen(s));
}

int xt_classifier_encode(const struct xt_classifier *m, struct xt_buf *b)
{
    size_t start = b->len, nb = (size_t)1 << m->p.hash_bits;
    int rc;
    if ((rc = xt_buf_append(b, MAGIC, sizeof(MAGIC))) || (rc = put_u32(b, XT_CLASSIFY_VERSION)) ||
        (rc = put_u32(b, NORM_VERSION)) || (rc = put_u32(b, (uint32_t)m->p.ngram_max)) ||
        (rc = put_u32(b, (uint32_t)m->p.hash_bits)) || (rc = put_u32(b, (uint32_t)m->k)) ||
        (rc = put_u32(b, (uint32_t)m->p.max_chars)) ||
        (rc = put_u32(b, (m->p.title ? 1u : 0u) | (m->p.balanced ? 2u : 0u))) ||
        (rc = put_f64(b, m->p.c)) || (rc = put_f64(b, m->p.long_weight)) ||
        (rc = put_f64(b, m->p.title_weight)) || (rc = put_f64(b, m->p.nb_alpha)) ||
        (rc = put_f64(b, m->p.mix)) || (rc = put_u32(b, (uint32_t)m->p.knn)) ||
        (rc = put_f64(b, m->p.knn_weight)) || (rc = put_f64(b, m->p.knn_df)) ||
        (rc = put_f64(b, m->p.knn_gate)) || (rc = put_u32(b, (uint32_t)m->p.knn_terms)) ||
        (rc = put_f64(b, m->scale)) ||
        (rc = put_f64(b, m->sigma)))
        return rc;
    for (int i = 0; i < m->k; i++)
        if ((rc = put_str(b, m->labels[i])) || (rc = put_str(b, m->codes[i])))
            return rc;
    if ((rc = put_floats(b, m->idf, nb)) || (rc = put_floats(b, m->w, nb * (size_t)m->k)) ||
        (rc = put_floats(b, m->bias, (size_t)m->k)))
        return rc;
    if (m->p.knn > 0) {
        const struct knn_index *ix = &m->ix;
        if ((rc = put_u32(b, ix->n_docs)) || (rc = xt_buf_append(b, ix->label, ix->n_docs)))
            return rc;
        for (size_t q = 0; q <= nb; q++)
            if ((rc = put_u32(b, ix->start[q])))
                return rc;
        for (size_t q = 0; q < ix->start[nb]; q++)
            if ((rc = put_u32(b, ix->post[q].doc | (uint32_t)ix->post[q].v << 16)))
                return rc;
    }
    char hex[65];
    xt_sha256_hex(b->data + start, b->len - start, hex);
    return xt_buf_append(b, hex, 64);
}

struct reader {
    const unsigned char *p;
    size_t n, at;
    bool bad;
};

static uint32_t get_u32(struct reader *r)
{
    if (r->at + 4 > r->n) {
        r->bad = true;
        return 0;
    }
    const unsigned char *q = r->p + r->at;
    r->at += 4;
    return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
}

static double get_f64(struct reader *r)
{
    uint64_t lo = get_u32(r), hi = get_u32(r);
    uint64_t v = lo | hi << 32;
    double d;
    memcpy(&d, &v, 8);
    return d;
}

static void get_floats(struct reader *r, float *f, size_t n)
{
    for (size_t i = 0; i < n && !r->bad; i++) {
        uint32_t v = get_u32(r);
        memcpy(&f[i], &v, 4);
    }
}

static void get_str(struct reader *r, char *out, size_t outsz)
{
    uint32_t len = get_u32(r);
    if (r->bad || len >= outsz || r->at + len > r->n) {
        r->bad = true;
        out[0] = '\0';
        return;
    }
    memcpy(out, r->p + r->at, len);
    out[len] = '\0';
    r->at += len;
}

/* The neighbour index, checked as it is read: every label, bucket range
 * and document in bounds, so a search never leaves its arrays. */
static int get_index(struct reader *r, size_t nb, uint32_t k, struct knn_index *ix)
{
    memset(ix, 0, sizeof(*ix));
    uint32_t nd = get_u32(r);
    if (r->bad || nd == 0 || nd > KNN_DOCS_MAX || nd > r->n - r->at ||
        (r->n - r->at - nd) / 4 < nb + 1)
        return -1;
    if (!(ix->label = malloc(nd)) || !(ix->start = big_alloc((nb + 1) * sizeof(uint32_t))))
        goto bad;
    ix->n_docs = nd;
    memcpy(ix->label, r->p + r->at, nd);
    r->at += nd;
    for (uint32_t i = 0; i < nd; i++)
        if (ix->label[i] >= k)
            goto bad;
    for (size_t q = 0; q <= nb; q++) {
        ix->start[q] = get_u32(r);
        if (q == 0 ? ix->start[0] != 0 : ix->start[q] < ix->start[q - 1])
            goto bad;
    }
    size_t total = ix->start[nb];
    if (r->bad || (r->n - r->at) / 4 < total ||
        !(ix->post = big_alloc(total * sizeof(*ix->post))))
        goto bad;
    for (size_t q = 0; q < total; q++) {
        uint32_t u = get_u32(r);
        ix->post[q] = (struct posting){(uint16_t)(u & 0xffff), (uint16_t)(u >> 16)};
        if (ix->post[q].doc >= nd || ix->post[q].v == 0)
            goto bad;
    }
    if (r->bad)
        goto bad;
    return 0;
bad:
    knn_release(ix);
    return -1;
}

int xt_classifier_decode(const void *data, size_t n, struct xt_classifier **out,
                         struct xt_error *err)
{
    *out = NULL;
    const unsigned char *p = data;
    if (n < sizeof(MAGIC) + 8 || memcmp(p, MAGIC, sizeof(MAGIC)) != 0)
        return xt_error_set(err, XT_EINVAL, "model", "not a xietong classifier model");
    struct reader r = {p, n, sizeof(MAGIC), false};
    uint32_t version = get_u32(&r), norm = get_u32(&r);
    if (version != XT_CLASSIFY_VERSION)
        return xt_error_set(err, XT_EINVAL, "model",
                            "model format version %u, this build reads version %d; retrain it",
                            version, XT_CLASSIFY_VERSION);
    if (norm != NORM_VERSION)
        return xt_error_set(err, XT_EINVAL, "model",
                            "model made with text normalisation %u, this build uses %d; retrain it",
                            norm, NORM_VERSION);
    if (n < r.at + 64)
        return xt_error_set(err, XT_EINVAL, "model", "model file is truncated");
    char hex[65];
    xt_sha256_hex(p, n - 64, hex);
    if (memcmp(hex, p + n - 64, 64) != 0)
        return xt_error_set(err, XT_EINVAL, "model",
                            "checksum mismatch: the model file is damaged or truncated");
    r.n = n - 64;
    struct xt_classify_params prm;
    xt_classify_params_init(&prm);
    prm.ngram_max = (int)get_u32(&r);
    prm.hash_bits = (int)get_u32(&r);
    uint32_t k = get_u32(&r);
    prm.max_chars = get_u32(&r);
    uint32_t flags = get_u32(&r);
    prm.title = flags & 1u;
    prm.balanced = flags & 2u;
    prm.c = get_f64(&r);
    prm.long_weight = get_f64(&r);
    prm.title_weight = get_f64(&r);
    prm.nb_alpha = get_f64(&r);
    prm.mix = get_f64(&r);
    prm.knn = (int)get_u32(&r);
    prm.knn_weight = get_f64(&r);
    prm.knn_df = get_f64(&r);
    prm.knn_gate = get_f64(&r);
    prm.knn_terms = (int)get_u32(&r);
    double scale = get_f64(&r), sigma = get_f64(&r);
    if (r.bad || check_params(&prm, NULL) || k < 2 || k > XT_CLASSIFY_MAX_CLASSES ||
        !(scale > 0) || !(sigma > 0) || !isfinite(sigma))
        return xt_error_set(err, XT_EINVAL, "model", "model header is inconsistent");
    size_t nb = (size_t)1 << prm.hash_bits;
    if (r.n - r.at < (nb * (k + 1) + k) * 4)
        return xt_error_set(err, XT_EINVAL, "model", "model file is truncated");
    struct xt_classifier *m = model_alloc(&prm, (int)k);
    if (!m)
        return xt_error_set(err, XT_ENOMEM, "model", "out of memory");
    m->scale = scale;
    for (uint32_t i = 0; i < k; i++) {
        get_str(&r, m->labels[i], XT_CLASSIFY_LABEL_MAX);
        get_str(&r, m->codes[i], XT_CLASSIFY_LABEL_MAX);
    }
    get_floats(&r, m->idf, nb);
    get_floats(&r, m->w, nb * k);
    get_floats(&r, m->bias, k);
    m->sigma = sigma;
    if (!r.bad && prm.knn > 0 && get_index(&r, nb, k, &m->ix)) {
        xt_classifier_free(m);
        return xt_error_set(err, XT_EINVAL, "model", "model's neighbour index is inconsistent");
    }
    if (r.bad || r.at != r.n) {
        xt_classifier_free(m);
        return xt_error_set(err, XT_EINVAL, "model", "model body does not match its header");
    }
    if (build_rows(m)) {
        xt_classifier_free(m);
        return xt_error_set(err, XT_ENOMEM, "model", "out of memory");
    }
    *out = m;
    return 0;
}

/* ---- evaluation ---- */

void xt_classify_eval_release(struct xt_classify_eval *e)
{
    if (!e)
        return;
    free(e->confusion);
    free(e->precision);
    free(e->recall);
    free(e->f1);
    free(e->support);
    free(e->margins);
    memset(e, 0, sizeof(*e));
}

static int eval_alloc(struct xt_classify_eval *e, int k)
{
    memset(e, 0, sizeof(*e));
    e->n_labels = k;
    e->confusion = calloc((size_t)k * (size_t)k, sizeof(long));
    e->precision = calloc((size_t)k, sizeof(double));
    e->recall = calloc((size_t)k, sizeof(double));
    e->f1 = calloc((size_t)k, sizeof(double));
    e->support = calloc((size_t)k, sizeof(long));
    if (!e->confusion || !e->precision || !e->recall || !e->f1 || !e->support) {
        xt_classify_eval_release(e);
        return XT_ENOMEM;
    }
    return 0;
}

static void eval_add(struct xt_classify_eval *e, int truth, int pred, double conf)
{
    int k = e->n_labels;
    e->confusion[truth * k + pred]++;
    e->n++;
    int bin = (int)(conf * 10);
    if (bin > 9)
        bin = 9;
    if (bin < 0)
        bin = 0;
    e->bin_n[bin]++;
    e->bin_conf[bin] += conf;
    e->bin_acc[bin] += truth == pred;
}

static void eval_finish(struct xt_classify_eval *e)
{
    int k = e->n_labels;
    long right = 0;
    double f1sum = 0;
    int used = 0;
    for (int c = 0; c < k; c++) {
        long tp = e->confusion[c * k + c], row = 0, col = 0;
        for (int j = 0; j < k; j++) {
            row += e->confusion[c * k + j];
            col += e->confusion[j * k + c];
        }
        right += tp;
        e->support[c] = row;
        e->precision[c] = col ? (double)tp / (double)col : 0;
        e->recall[c] = row ? (double)tp / (double)row : 0;
        double s = e->precision[c] + e->recall[c];
        e->f1[c] = s > 0 ? 2 * e->precision[c] * e->recall[c] / s : 0;
        if (row || col) {
            f1sum += e->f1[c];
            used++;
        }
    }
    e->accuracy = e->n ? (double)right / (double)e->n : 0;
    e->macro_f1 = used ? f1sum / used : 0;
    double ece = 0;
    for (int b = 0; b < 10; b++) {
        if (!e->bin_n[b])
            continue;
        e->bin_conf[b] /= (double)e->bin_n[b];
        e->bin_acc[b] /= (double)e->bin_n[b];
        ece += (double)e->bin_n[b] / (double)(e->n ? e->n : 1) *
               fabs(e->bin_conf[b] - e->bin_acc[b]);
    }
    e->ece = ece;
}

int xt_classify_crossval(const struct xt_classify_data *d, const int *fold, int k,
                         const struct xt_classify_params *p, struct xt_classify_eval *out,
                         struct xt_error *err)
{
    memset(out, 0, sizeof(*out));
    int rc;
    if ((rc = check_params(p, err)) || (rc = check_data(d, err)))
        return rc;
    if (k < 2)
        return xt_error_set(err, XT_EINVAL, "folds", "must be at least 2");
    int nl = d->n_labels;
    struct corpus c;
    if ((rc = corpus_build(p, d->text, d->n, &c)))
        return xt_error_set(err, rc, "", "out of memory");
    double *margins = calloc((d->n ? d->n : 1) * (size_t)nl, sizeof(double));
    bool *use = malloc((d->n ? d->n : 1) * sizeof(bool));
    rc = XT_ENOMEM;
    if (!margins || !use || eval_alloc(out, nl))
        goto out;
    if ((rc = oof_margins(&c, d->label, nl, fold, k, p, margins)))
        goto out;
    double scale_sum = 0;
    for (int f = 0; f < k; f++) {
        for (size_t i = 0; i < d->n; i++)
            use[i] = fold[i] != f;
        double scale = fit_scale(margins, d->label, use, d->n, nl);
        scale_sum += scale;
        for (size_t i = 0; i < d->n; i++) {
            if (fold[i] != f || d->label[i] < 0)
                continue;
            double pr[XT_CLASSIFY_MAX_CLASSES];
            const double *m = margins + i * (size_t)nl;
            softmax(m, nl, scale, pr);
            int best = 0;
            for (int q = 1; q < nl; q++)
                if (m[q] > m[best])
                    best = q;
            eval_add(out, d->label[i], best, pr[best]);
        }
    }
    out->scale = scale_sum / k;
    eval_finish(out);
    out->margins = margins;
    margins = NULL;
    rc = 0;
out:
    if (rc) {
        xt_classify_eval_release(out);
        if (err && err->code == XT_OK)
            xt_error_set(err, rc, "", "out of memory during cross-validation");
    }
    corpus_release(&c);
    free(margins);
    free(use);
    return rc;
}

int xt_classify_score(const struct xt_classifier *m, const char **text, const int *label,
                      size_t n, struct xt_classify_eval *out)
{
    int rc = eval_alloc(out, m->k);
    if (rc)
        return rc;
    out->scale = m->scale;
    for (size_t i = 0; i < n; i++) {
        if (label[i] < 0 || label[i] >= m->k)
            continue;
        struct xt_prediction pr;
        xt_classifier_predict(m, text[i], &pr);
        eval_add(out, label[i], pr.label, pr.confidence);
    }
    eval_finish(out);
    return 0;
}
