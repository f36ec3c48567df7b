/* dupcache.c - the signatures of each village's recent open tickets, kept
 * in memory for the duplicate check at intake on SQLite (see
 * store_int.h). */
#include "store/store_int.h"

#include "core/hotissue.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define DC_SLOTS 4096   /* hash slots, a power of two */
#define DC_VILLAGES 2048 /* beyond this many villages the cache starts afresh */

struct dc_item {
    int64_t id, created_at;
    uint16_t sig[XT_TEXT_SIG_BINS];
    bool has_sig; /* false: stored before signatures, compared by text */
};

struct dc_village {
    char code[16];
    int64_t last_id; /* the highest id read for the village */
    int n;           /* items, oldest first */
    struct dc_item *items;
};

struct xt_dupcache {
    pthread_mutex_t lock;
    struct dc_village *slots;
    int used;
};

static const char SQL_NEW[] =
    "SELECT id, created_at, text_sig FROM tickets WHERE substr(grid, 1, 12) = ?1"
    " AND state IN (0, 1, 2, 5) AND id > ?2 ORDER BY id DESC LIMIT ?3";

struct xt_dupcache *xt_dupcache_new(void)
{
    struct xt_dupcache *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->slots = calloc(DC_SLOTS, sizeof(*d->slots));
    if (!d->slots) {
        free(d);
        return NULL;
    }
    pthread_mutex_init(&d->lock, NULL);
    return d;
}

static void clear_all(struct xt_dupcache *d)
{
    for (int i = 0; i < DC_SLOTS; i++)
        free(d->slots[i].items);
    memset(d->slots, 0, DC_SLOTS * sizeof(*d->slots));
    d->used = 0;
}

void xt_dupcache_free(struct xt_dupcache *d)
{
    if (!d)
        return;
    clear_all(d);
    free(d->slots);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Parse a stored signature; false when it is not one. */
static bool parse_sig(const char *hex, uint16_t out[XT_TEXT_SIG_BINS])
{
    if (!hex || strlen(hex) != XT_TEXT_SIG_HEX)
        return false;
    for (int b = 0; b < XT_TEXT_SIG_BINS; b++) {
        unsigned v = 0;
        for (int k = 0; k < 4; k++) {
            int h = hexval(hex[b * 4 + k]);
            if (h < 0)
                return false;
            v = v << 4 | (unsigned)h;
        }
        out[b] = (uint16_t)v;
    }
    return true;
}

static struct dc_village *slot_of(struct xt_dupcache *d, const char *code)
{
    uint32_t h = 2166136261u;
    for (const char *p = code; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    for (uint32_t i = 0; i < DC_SLOTS; i++) {
        struct dc_village *v = &d->slots[(h + i) & (DC_SLOTS - 1)];
        if (!*v->code || strcmp(v->code, code) == 0)
            return v;
    }
    return NULL; /* unreachable: used stays below DC_SLOTS */
}

/* Read the village's open tickets newer than what the cache holds. */
static int refresh(struct xt_conn *c, struct dc_village *v)
{
    struct xt_stmt *st = xt_conn_stmt(c, SQL_NEW);
    if (!st)
        return XT_EIO;
    xt_bind_text(st, 1, v->code);
    xt_bind_int(st, 2, v->last_id);
    xt_bind_int(st, 3, XT_DUP_SCAN);
    struct dc_item fresh[XT_DUP_SCAN];
    int nf = 0, r;
    while ((r = xt_step(st)) == 1 && nf < XT_DUP_SCAN) {
        struct dc_item *it = &fresh[nf++];
        it->id = xt_col_int(st, 0);
        it->created_at = xt_col_int(st, 1);
        it->has_sig = !xt_col_null(st, 2);
        if (it->has_sig && !parse_sig(xt_col_text(st, 2), it->sig))
            memset(it->sig, 0xFF, sizeof(it->sig)); /* a text without shingles */
    }
    xt_reset(st);
    if (r < 0)
        return XT_EIO;
    if (nf == 0)
        return 0;
    /* fresh is newest first: append oldest first, keep the last XT_DUP_SCAN. */
    int keep_old = v->n + nf > XT_DUP_SCAN ? XT_DUP_SCAN - nf : v->n;
    if (keep_old < 0)
        keep_old = 0;
    memmove(v->items, v->items + (v->n - keep_old), (size_t)keep_old * sizeof(*v->items));
    v->n = keep_old;
    for (int i = nf - 1; i >= 0 && v->n < XT_DUP_SCAN; i--)
        v->items[v->n++] = fresh[i];
    v->last_id = fresh[0].id;
    return 0;
}

int xt_dupcache_candidates(struct xt_dupcache *d, struct xt_conn *c, const char *village,
                           int64_t since, const char *sig, int min_agree,
                           struct xt_dupcache_hit *out, int *n)
{
    *n = 0;
    uint16_t mine[XT_TEXT_SIG_BINS];
    if (!parse_sig(sig, mine))
        return 0;
    pthread_mutex_lock(&d->lock);
    struct dc_village *v = slot_of(d, village);
    if (v && !*v->code) {
        if (d->used >= DC_VILLAGES) {
            clear_all(d);
            v = slot_of(d, village);
        }
        v->items = malloc(XT_DUP_SCAN * sizeof(*v->items));
        if (v->items) {
            snprintf(v->code, sizeof(v->code), "%s", village);
            d->used++;
        }
    }
    int rc = v && v->items ? refresh(c, v) : XT_ENOMEM;
    /* Newest first, as the village scan would give them. */
    for (int i = v && v->items ? v->n - 1 : -1; !rc && i >= 0; i--) {
        const struct dc_item *it = &v->items[i];
        if (it->created_at < since)
            continue;
        int agree = -1;
        if (it->has_sig) {
            agree = 0;
            for (int b = 0; b < XT_TEXT_SIG_BINS; b++)
                agree += it->sig[b] == mine[b];
            if (agree < min_agree)
                continue;
        }
        out[*n].id = it->id;
        out[*n].agree = agree;
        (*n)++;
    }
    pthread_mutex_unlock(&d->lock);
    return rc;
}
