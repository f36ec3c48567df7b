/* dupcache.c - the signatures of each village's recent open tickets, kept
 * in memory for the duplicate check at intake on SQLite (see
 * store_int.h). */
#include "store/store_int.h"

#include "core/hotissue.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DC_SLOTS 4096   /* hash slots, a power of two */
#define DC_VILLAGES 2048 /* beyond this many villages the cache starts afresh */
#define DC_BATCH 256     /* rows per read of the tickets stored since the last look */
#define DC_BEHIND 4096   /* further behind than this, the villages are loaded afresh */

struct dc_item {
    int64_t id, created_at;
    uint16_t sig[XT_TEXT_SIG_BINS];
    bool has_sig; /* false: stored before signatures, compared by text */
};

struct dc_village {
    char code[16];
    int n;           /* items, oldest first */
    struct dc_item *items;
};

#define DC_FRESH_MS 10        /* the writer's last look counts this long */
#define DC_FOREIGN_MS 600000  /* after another writer was seen, read the database this long */

/* seen is the highest ticket id known: every village held has its open
 * tickets up to it; -1 until the first look. Tickets come from the
 * database (catch_up), or from this server's writer (xt_dupcache_stored)
 * while it finds nobody else writing: then a check reads nothing. */
struct xt_dupcache {
    pthread_mutex_t lock;
    struct dc_village *slots;
    int used;
    int64_t seen;
    bool gap;               /* the writer stored an id past seen + 1 */
    int64_t fresh_until;    /* ms: the writer looked for other writers lately */
    int64_t foreign_until;  /* ms: another writer was seen lately */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Every ticket stored since the last look, whatever its village, by the
 * table's own order: no index is written for this at each insert. Open
 * states are compared, not listed: "IN (...)" builds a temporary table
 * at each run. */
static const char SQL_NEW[] =
    "SELECT id, substr(grid, 1, 12), state BETWEEN 0 AND 2 OR state = 5, created_at, text_sig"
    " FROM tickets"
    " WHERE id > ?1 ORDER BY id LIMIT ?2";
static const char SQL_MAX[] = "SELECT COALESCE(MAX(id), 0) FROM tickets";
/* A village seen for the first time: its newest open tickets up to seen,
 * by the grid index (the village code and its grids' codes). */
static const char SQL_VILLAGE[] =
    "SELECT id, created_at, text_sig FROM tickets INDEXED BY tickets_grid"
    " WHERE grid >= ?1 AND grid < ?2 AND id <= ?3 AND (state BETWEEN 0 AND 2 OR state = 5)"
    " ORDER BY id DESC LIMIT ?4";

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
    d->seen = -1;
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

static uint32_t village_hash(const char *code)
{
    uint32_t h = 2166136261u;
    for (const char *p = code; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    return h;
}

/* The village's slot, or the empty one where it would go. */
static struct dc_village *slot_of(struct xt_dupcache *d, const char *code)
{
    uint32_t h = village_hash(code);
    for (uint32_t i = 0; i < DC_SLOTS; i++) {
        struct dc_village *v = &d->slots[(h + i) & (DC_SLOTS - 1)];
        if (!*v->code || strcmp(v->code, code) == 0)
            return v;
    }
    return NULL; /* unreachable: used stays below DC_SLOTS */
}

/* Append to a held village, dropping its oldest past XT_DUP_SCAN. */
static struct dc_item *append(struct dc_village *v)
{
    if (v->n == XT_DUP_SCAN)
        memmove(v->items, v->items + 1, (size_t)--v->n * sizeof(*v->items));
    return &v->items[v->n++];
}

/* The item at the current row: id in column 0, created_at and text_sig
 * in columns col and col + 1. */
static void read_item(struct xt_stmt *st, int col, struct dc_item *it)
{
    it->id = xt_col_int(st, 0);
    it->created_at = xt_col_int(st, col);
    it->has_sig = !xt_col_null(st, col + 1);
    if (it->has_sig && !parse_sig(xt_col_text(st, col + 1), it->sig))
        memset(it->sig, 0xFF, sizeof(it->sig)); /* a text without shingles */
}

static int max_id(struct xt_conn *c, int64_t *out)
{
    struct xt_stmt *st = xt_conn_stmt(c, SQL_MAX);
    if (!st)
        return XT_EIO;
    int r = xt_step(st);
    if (r == 1)
        *out = xt_col_int(st, 0);
    xt_reset(st);
    return r == 1 ? 0 : XT_EIO;
}

/* Add the tickets stored since the last look to the villages held (ids
 * grow in commit order: none is missed). Far behind (a bulk import), the
 * villages are dropped instead and load afresh when next asked. */
static int catch_up(struct xt_dupcache *d, struct xt_conn *c)
{
    if (d->seen < 0)
        return max_id(c, &d->seen);
    struct xt_stmt *st = xt_conn_stmt(c, SQL_NEW);
    if (!st)
        return XT_EIO;
    for (long total = 0;;) {
        xt_bind_int(st, 1, d->seen);
        xt_bind_int(st, 2, DC_BATCH);
        int r, nr = 0;
        while ((r = xt_step(st)) == 1) {
            nr++;
            d->seen = xt_col_int(st, 0);
            const char *village = xt_col_text(st, 1);
            if (!xt_col_int(st, 2) || strlen(village) != 12)
                continue; /* not open, or not in a village */
            struct dc_village *v = slot_of(d, village);
            if (!v || !*v->code)
                continue; /* not held: loaded when first asked */
            read_item(st, 3, append(v));
        }
        xt_reset(st);
        if (r < 0)
            return XT_EIO;
        if (nr < DC_BATCH)
            return 0;
        if ((total += nr) >= DC_BEHIND) {
            clear_all(d);
            return max_id(c, &d->seen);
        }
    }
}

/* A village's open tickets up to d->seen, newest XT_DUP_SCAN. */
static int load_village(struct xt_dupcache *d, struct xt_conn *c, struct dc_village *v)
{
    struct xt_stmt *st = xt_conn_stmt(c, SQL_VILLAGE);
    if (!st)
        return XT_EIO;
    char hi[20];
    snprintf(hi, sizeof(hi), "%s~", v->code);
    xt_bind_text(st, 1, v->code);
    xt_bind_text(st, 2, hi);
    xt_bind_int(st, 3, d->seen);
    xt_bind_int(st, 4, XT_DUP_SCAN);
    struct dc_item fresh[XT_DUP_SCAN];
    int nf = 0, r;
    while (nf < XT_DUP_SCAN && (r = xt_step(st)) == 1)
        read_item(st, 1, &fresh[nf++]);
    xt_reset(st);
    if (nf < XT_DUP_SCAN && r < 0)
        return XT_EIO;
    /* fresh is newest first; items are oldest first. */
    v->n = 0;
    for (int i = nf - 1; i >= 0; i--)
        v->items[v->n++] = fresh[i];
    return 0;
}

void xt_dupcache_batch(struct xt_dupcache *d, bool foreign)
{
    int64_t now = now_ms();
    pthread_mutex_lock(&d->lock);
    if (foreign)
        d->foreign_until = now + DC_FOREIGN_MS;
    d->fresh_until = now + DC_FRESH_MS;
    pthread_mutex_unlock(&d->lock);
}

void xt_dupcache_stored(struct xt_dupcache *d, int64_t id, const char *grid, int64_t created_at,
                        bool open, const char *sig)
{
    pthread_mutex_lock(&d->lock);
    if (d->seen >= 0 && id == d->seen + 1) {
        d->seen = id;
        struct dc_village *v = NULL;
        if (open && grid && strlen(grid) >= 12) {
            char village[16];
            snprintf(village, sizeof(village), "%.12s", grid);
            v = slot_of(d, village);
        }
        if (v && *v->code) {
            struct dc_item *it = append(v);
            it->id = id;
            it->created_at = created_at;
            it->has_sig = sig && *sig;
            if (it->has_sig && !parse_sig(sig, it->sig))
                memset(it->sig, 0xFF, sizeof(it->sig));
        }
    } else if (id > d->seen) {
        d->gap = true; /* an id between was stored by someone else */
    } /* else a check has read it already */
    pthread_mutex_unlock(&d->lock);
}

int xt_dupcache_candidates(struct xt_dupcache *d, struct xt_conn *c, const char *village,
                           int64_t since, int64_t self, const char *sig, int min_agree,
                           struct xt_dupcache_hit *out, int *n)
{
    *n = 0;
    uint16_t mine[XT_TEXT_SIG_BINS];
    if (!parse_sig(sig, mine))
        return 0;
    pthread_mutex_lock(&d->lock);
    int64_t now = now_ms();
    int rc = 0;
    if (d->seen < 0 || d->gap || now < d->foreign_until || now >= d->fresh_until) {
        /* A gap the writer found is in this snapshot: its ids were
         * committed before the one that showed it. */
        d->gap = false;
        if ((rc = catch_up(d, c)))
            d->gap = true;
    }
    struct dc_village *v = NULL;
    if (!rc && !(v = slot_of(d, village)))
        rc = XT_ENOMEM;
    if (!rc && !*v->code) {
        if (d->used >= DC_VILLAGES) {
            clear_all(d);
            v = slot_of(d, village);
        }
        snprintf(v->code, sizeof(v->code), "%s", village);
        v->items = malloc(XT_DUP_SCAN * sizeof(*v->items));
        rc = !v->items ? XT_ENOMEM : load_village(d, c, v);
        if (rc) {
            free(v->items);
            memset(v, 0, sizeof(*v));
        } else {
            d->used++;
        }
    }
    /* Newest first, as the village scan would give them. */
    for (int i = rc ? -1 : v->n - 1; i >= 0; i--) {
        const struct dc_item *it = &v->items[i];
        if (it->created_at < since || it->id == self)
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
