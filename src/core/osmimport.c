/* osmimport.c - OpenStreetMap file to road network, places and facilities
 * (see osmimport.h). The file is read once; ways are kept as node-id lists
 * and resolved after the parse, so the order of objects does not matter. */
#include "core/osmimport.h"
#include "core/facility.h"

#include <libxml/xmlreader.h>
#include <math.h>
#include <readosm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

struct osm_way {
    size_t start;
    int count;
    int cls;    /* road class, or -1 */
    int oneway; /* 0, 1, -1 */
    int poi;    /* index into pois for areas, or -1 */
};

struct osm_ctx {
    const struct xt_speeds *sp;
    long long *nid;
    double *nlat, *nlon;
    size_t n_nodes, cap_nodes;
    bool sorted;
    long long last_id;
    long long *refs;
    size_t n_refs, cap_refs;
    struct osm_way *ways;
    size_t n_ways, cap_ways;
    struct xt_poi *pois;
    size_t n_pois, cap_pois;
    long relations_skipped;
    int rc;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return XT_ENOMEM;
    *p = q;
    *cap = c;
    return 0;
}

static const char *find_tag(const readosm_tag *t, int n, const char *k)
{
    for (int i = 0; i < n; i++)
        if (t[i].key && strcmp(t[i].key, k) == 0)
            return t[i].value ? t[i].value : "";
    return NULL;
}

/* Returns a new poi slot for the tags, or NULL when they describe neither a
 * place nor a facility (or on ENOMEM, with ctx->rc set). */
static struct xt_poi *poi_from_tags(struct osm_ctx *c, const readosm_tag *t, int n)
{
    if (n <= 0)
        return NULL;
    const char *keys[64], *vals[64];
    int k = n < 64 ? n : 64;
    for (int i = 0; i < k; i++) {
        keys[i] = t[i].key;
        vals[i] = t[i].value;
    }
    int type = xt_facility_type_from_osm(keys, vals, k);
    const char *place = find_tag(t, n, "place");
    bool is_place = place && (!strcmp(place, "city") || !strcmp(place, "town") ||
                              !strcmp(place, "village") || !strcmp(place, "hamlet") ||
                              !strcmp(place, "suburb") || !strcmp(place, "isolated_dwelling"));
    if (type < 0 && !is_place)
        return NULL;
    if (grow((void **)&c->pois, &c->cap_pois, c->n_pois + 1, sizeof(*c->pois))) {
        c->rc = XT_ENOMEM;
        return NULL;
    }
    struct xt_poi *p = &c->pois[c->n_pois++];
    memset(p, 0, sizeof(*p));
    p->kind = type >= 0 ? XT_POI_FACILITY : XT_POI_PLACE;
    p->type = type;
    if (is_place && type < 0)
        snprintf(p->place, sizeof(p->place), "%s", place);
    const char *name = find_tag(t, n, "name:zh");
    if (!name)
        name = find_tag(t, n, "name");
    snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
    const char *pop = find_tag(t, n, "population");
    p->population = pop ? strtol(pop, NULL, 10) : 0;
    if (p->population < 0)
        p->population = 0;
    return p;
}

static int on_node(const void *user, const readosm_node *node)
{
    struct osm_ctx *c = (struct osm_ctx *)user;
    if (node->latitude == READOSM_UNDEFINED || node->longitude == READOSM_UNDEFINED)
        return READOSM_OK;
    /* readosm takes lat="95" or lat="nan" as written: such a node is as
     * good as one without coordinates (ways through it are cut there). */
    if (!(fabs(node->latitude) <= 90) || !(fabs(node->longitude) <= 180))
        return READOSM_OK;
    if (c->n_nodes == c->cap_nodes) {
        size_t cap = c->cap_nodes;
        if (grow((void **)&c->nid, &cap, c->n_nodes + 1, sizeof(*c->nid)))
            goto nomem;
        void *la = realloc(c->nlat, cap * sizeof(double));
        if (!la)
            goto nomem;
        c->nlat = la;
        void *lo = realloc(c->nlon, cap * sizeof(double));
        if (!lo)
            goto nomem;
        c->nlon = lo;
        c->cap_nodes = cap;
    }
    if (c->n_nodes && node->id <= c->last_id)
        c->sorted = false;
    c->last_id = node->id;
    c->nid[c->n_nodes] = node->id;
    c->nlat[c->n_nodes] = node->latitude;
    c->nlon[c->n_nodes] = node->longitude;
    c->n_nodes++;
    struct xt_poi *p = poi_from_tags(c, node->tags, node->tag_count);
    if (p) {
        p->lat = node->latitude;
        p->lon = node->longitude;
        p->osm_id = node->id;
        p->osm_type = 'n';
    }
    return c->rc ? READOSM_ABORT : READOSM_OK;
nomem:
    c->rc = XT_ENOMEM;
    return READOSM_ABORT;
}

static int on_way(const void *user, const readosm_way *way)
{
    struct osm_ctx *c = (struct osm_ctx *)user;
    if (way->node_ref_count < 1)
        return READOSM_OK;
    int cls = xt_highway_parse(find_tag(way->tags, way->tag_count, "highway"));
    if (cls == XT_HW_generated)
        cls = -1;
    const char *area = find_tag(way->tags, way->tag_count, "area");
    if (area && strcmp(area, "yes") == 0)
        cls = -1;
    struct xt_poi *p = poi_from_tags(c, way->tags, way->tag_count);
    if (c->rc)
        return READOSM_ABORT;
    if (cls < 0 && !p)
        return READOSM_OK;
    if (grow((void **)&c->refs, &c->cap_refs, c->n_refs + way->node_ref_count, sizeof(*c->refs)) ||
        grow((void **)&c->ways, &c->cap_ways, c->n_ways + 1, sizeof(*c->ways))) {
        c->rc = XT_ENOMEM;
        return READOSM_ABORT;
    }
    struct osm_way *w = &c->ways[c->n_ways++];
    w->start = c->n_refs;
    w->count = way->node_ref_count;
    memcpy(c->refs + c->n_refs, way->node_refs, way->node_ref_count * sizeof(long long));
    c->n_refs += way->node_ref_count;
    w->cls = cls;
    w->oneway = 0;
    w->poi = p ? (int)(p - c->pois) : -1;
    if (p) {
        p->osm_id = way->id;
        p->osm_type = 'w';
        p->lat = p->lon = NAN;
    }
    if (cls >= 0) {
        const char *ow = find_tag(way->tags, way->tag_count, "oneway");
        const char *jn = find_tag(way->tags, way->tag_count, "junction");
        if (ow && (!strcmp(ow, "yes") || !strcmp(ow, "1") || !strcmp(ow, "true")))
            w->oneway = 1;
        else if (ow && !strcmp(ow, "-1"))
            w->oneway = -1;
        else if (!ow && ((jn && !strcmp(jn, "roundabout")) || cls == XT_HW_motorway))
            w->oneway = 1;
    }
    return READOSM_OK;
}

static int on_relation(const void *user, const readosm_relation *rel)
{
    struct osm_ctx *c = (struct osm_ctx *)user;
    const char *keys[64], *vals[64];
    int k = rel->tag_count < 64 ? rel->tag_count : 64;
    for (int i = 0; i < k; i++) {
        keys[i] = rel->tags[i].key;
        vals[i] = rel->tags[i].value;
    }
    if (k > 0 && xt_facility_type_from_osm(keys, vals, k) >= 0)
        c->relations_skipped++;
    return READOSM_OK;
}

static int cmp_idx(const void *a, const void *b, void *ctx)
{
    const long long *id = ctx;
    long long x = id[*(const size_t *)a], y = id[*(const size_t *)b];
    return x < y ? -1 : x > y;
}

static long find_node(const long long *ids, size_t n, long long id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ids[lo] == id ? (long)lo : -1;
}

static int sort_nodes(struct osm_ctx *c)
{
    if (c->sorted || c->n_nodes < 2)
        return 0;
    size_t n = c->n_nodes;
    size_t *ix = malloc(n * sizeof(*ix));
    long long *id = malloc(n * sizeof(*id));
    double *la = malloc(n * sizeof(*la)), *lo = malloc(n * sizeof(*lo));
    if (!ix || !id || !la || !lo) {
        free(ix);
        free(id);
        free(la);
        free(lo);
        return XT_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        ix[i] = i;
    qsort_r(ix, n, sizeof(*ix), cmp_idx, c->nid);
    for (size_t i = 0; i < n; i++) {
        id[i] = c->nid[ix[i]];
        la[i] = c->nlat[ix[i]];
        lo[i] = c->nlon[ix[i]];
    }
    free(ix);
    free(c->nid);
    free(c->nlat);
    free(c->nlon);
    c->nid = id;
    c->nlat = la;
    c->nlon = lo;
    return 0;
}

static int build(struct osm_ctx *c, const struct xt_dem *dem, struct xt_roadnet *net,
                 struct xt_import_counts *cnt)
{
    int rc = sort_nodes(c);
    if (rc)
        return rc;
    uint32_t *netid = malloc((c->n_nodes ? c->n_nodes : 1) * sizeof(uint32_t));
    if (!netid)
        return XT_ENOMEM;
    memset(netid, 0xff, (c->n_nodes ? c->n_nodes : 1) * sizeof(uint32_t));
    for (size_t wi = 0; wi < c->n_ways && !rc; wi++) {
        const struct osm_way *w = &c->ways[wi];
        const long long *r = c->refs + w->start;
        if (w->poi >= 0) {
            double sla = 0, slo = 0;
            int k = 0, last = w->count;
            if (w->count > 1 && r[0] == r[w->count - 1])
                last--; /* a closed ring repeats its first vertex */
            for (int i = 0; i < last; i++) {
                long ni = find_node(c->nid, c->n_nodes, r[i]);
                if (ni >= 0) {
                    sla += c->nlat[ni];
                    slo += c->nlon[ni];
                    k++;
                }
            }
            if (k) {
                c->pois[w->poi].lat = sla / k;
                c->pois[w->poi].lon = slo / k;
            }
        }
        if (w->cls < 0)
            continue;
        cnt->ways++;
        uint32_t prev = UINT32_MAX;
        for (int i = 0; i < w->count && !rc; i++) {
            long ni = find_node(c->nid, c->n_nodes, r[i]);
            if (ni < 0) {
                cnt->missing_nodes++;
                if (i > 0)
                    cnt->skipped_segments++;
                prev = UINT32_MAX;
                continue;
            }
            if (netid[ni] == UINT32_MAX) {
                double h = xt_dem_height(dem, c->nlat[ni], c->nlon[ni]);
                rc = xt_roadnet_add_node(net, c->nlat[ni], c->nlon[ni], (float)h, &netid[ni]);
                if (rc)
                    break;
            }
            uint32_t cur = netid[ni];
            if (prev != UINT32_MAX && prev != cur) {
                rc = xt_roadnet_add_edge(net, c->sp, prev, cur, w->cls, w->oneway, 1.0);
                cnt->edges++;
            } else if (prev == UINT32_MAX && i > 0 && r[i - 1] != r[i]) {
                /* the previous node was missing: already counted */
            }
            prev = cur;
        }
    }
    free(netid);
    cnt->nodes = (long)net->n_nodes;
    return rc;
}

/* readosm 1.1.0 reads .osm files with expat and trusts their shape: a
 * <tag> without k or v, or a <member> without type, ref or role, makes it
 * call strlen(NULL), and a file that is not well-formed leaks its parser.
 * So an .osm file is walked once with libxml2 first (no network, no
 * entities) and refused, with the line, before readosm sees it. */
static int osm_xml_check(const char *path, struct xt_error *err)
{
    static const struct {
        const char *element, *attrs[3];
    } need[] = {
        {"tag", {"k", "v", NULL}},
        {"member", {"type", "ref", "role"}},
        {"nd", {"ref", NULL, NULL}},
    };
    xmlTextReaderPtr r =
        xmlReaderForFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!r)
        return xt_error_set(err, XT_EINVAL, "osm", "cannot read '%s'", path);
    int rc, bad = 0;
    while (!bad && (rc = xmlTextReaderRead(r)) == 1) {
        if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
            continue;
        const char *name = (const char *)xmlTextReaderConstLocalName(r);
        for (size_t i = 0; name && !bad && i < sizeof(need) / sizeof(need[0]); i++) {
            if (strcmp(name, need[i].element) != 0)
                continue;
            for (int k = 0; k < 3 && need[i].attrs[k] && !bad; k++) {
                xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)need[i].attrs[k]);
                if (!v)
                    bad = xt_error_set(err, XT_EINVAL, "osm",
                                       "'%s' line %d: <%s> without its attribute '%s'", path,
                                       xmlTextReaderGetParserLineNumber(r), name,
                                       need[i].attrs[k]);
                xmlFree(v);
            }
        }
    }
    if (!bad && rc != 0)
        bad = xt_error_set(err, XT_EINVAL, "osm",
                           "cannot read '%s': not well-formed OSM XML (near line %d)", path,
                           xmlTextReaderGetParserLineNumber(r));
    xmlFreeTextReader(r);
    return bad;
}

/* ---- the .pbf framing and block check ---- */

/* A protobuf message being read: [p, end). */
struct pb {
    const uint8_t *p, *end;
};

static bool pb_varint(struct pb *m, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && m->p < m->end; shift += 7) {
        uint8_t c = *m->p++;
        *v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return true;
    }
    return false;
}

/* The next field: its number, wire type, and its varint value or its
 * bytes (wire type 2). Fixed 32/64-bit fields are skipped over. 0 at the
 * end, 1 for a field, -1 when damaged. */
static int pb_next(struct pb *m, uint32_t *field, int *wt, uint64_t *v, struct pb *sub)
{
    if (m->p >= m->end)
        return 0;
    uint64_t key;
    if (!pb_varint(m, &key))
        return -1;
    *field = (uint32_t)(key >> 3);
    *wt = (int)(key & 7);
    switch (*wt) {
    case 0:
        return pb_varint(m, v) ? 1 : -1;
    case 1:
    case 5: {
        size_t n = *wt == 1 ? 8 : 4;
        if ((size_t)(m->end - m->p) < n)
            return -1;
        m->p += n;
        return 1;
    }
    case 2:
        if (!pb_varint(m, v) || *v > (uint64_t)(m->end - m->p))
            return -1;
        sub->p = m->p;
        sub->end = m->p + *v;
        m->p += *v;
        return 1;
    default:
        return -1;
    }
}

/* Count the varints of a packed field; with max, also their largest
 * value (as unsigned), or with delta the largest running sum of zigzag
 * deltas and whether one went negative. false when damaged. */
static bool pb_packed(struct pb sub, size_t *count, uint64_t *max, bool delta, bool *negative)
{
    int64_t sum = 0;
    while (sub.p < sub.end) {
        uint64_t v;
        if (!pb_varint(&sub, &v))
            return false;
        (*count)++;
        if (delta) {
            sum += (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
            if (sum < 0)
                *negative = true;
            else if ((uint64_t)sum > *max)
                *max = (uint64_t)sum;
        } else if (max && v > *max) {
            *max = v;
        }
    }
    return true;
}

/* What readosm 1.1.0 trusts in a PrimitiveBlock: every string index within
 * the string table, and the parallel arrays (dense ids, lats, lons, info;
 * keys and values; relation roles, members and types) of equal length. */
static bool pbf_block_ok(struct pb blk)
{
    size_t nstr = 0;
    uint64_t maxsid = 0;
    bool neg = false;
    struct pb f;
    uint32_t fld;
    int wt, r;
    uint64_t v;
    while ((r = pb_next(&blk, &fld, &wt, &v, &f)) == 1) {
        if (fld == 1 && wt == 2) { /* StringTable */
            struct pb t = f, x;
            while ((r = pb_next(&t, &fld, &wt, &v, &x)) == 1)
                nstr += fld == 1;
            if (r < 0)
                return false;
        } else if (fld == 2 && wt == 2) { /* PrimitiveGroup */
            struct pb g = f, e;
            while ((r = pb_next(&g, &fld, &wt, &v, &e)) == 1) {
                if (wt != 2)
                    continue;
                /* counts by field number of the element, and of its info */
                size_t cnt[16] = {0}, icnt[8] = {0};
                uint32_t efld = fld;
                struct pb x, y;
                int r2;
                while ((r2 = pb_next(&e, &fld, &wt, &v, &x)) == 1) {
                    if (wt != 2 || fld >= 16)
                        continue;
                    bool is_info = (efld == 2 && fld == 5) || (efld != 2 && fld == 4);
                    if (is_info) {
                        while ((r2 = pb_next(&x, &fld, &wt, &v, &y)) == 1) {
                            if (fld == 5 && wt == 0 && v > maxsid)
                                maxsid = v; /* Info.user_sid */
                            if (wt == 2 && fld < 8 &&
                                !pb_packed(y, &icnt[fld], fld == 5 ? &maxsid : NULL,
                                           efld == 2 && fld == 5, &neg))
                                return false; /* DenseInfo arrays */
                        }
                        if (r2 < 0)
                            return false;
                        continue;
                    }
                    bool sid = (efld != 2 && (fld == 2 || fld == 3)) || (efld == 2 && fld == 10) ||
                               (efld == 4 && fld == 8);
                    if (!pb_packed(x, &cnt[fld], sid ? &maxsid : NULL, false, &neg))
                        return false;
                }
                if (r2 < 0)
                    return false;
                if (cnt[2] != cnt[3] && efld != 2)
                    return false; /* keys and vals */
                if (efld == 2) {
                    if (cnt[1] != cnt[8] || cnt[1] != cnt[9])
                        return false; /* dense id, lat, lon */
                    for (int i = 1; i < 8; i++)
                        if (icnt[i] && icnt[i] != cnt[1])
                            return false;
                }
                if (efld == 4 && (cnt[8] != cnt[9] || cnt[8] != cnt[10]))
                    return false; /* roles, memids, types */
            }
            if (r < 0)
                return false;
        }
    }
    return r == 0 && !neg && (maxsid == 0 || maxsid < nstr);
}

/* readosm 1.1.0 allocates the sizes a .pbf file declares (a blob header,
 * a blob, its inflated size) before it checks them against the file, and
 * trusts the contents of a block: one line of bytes asked for gigabytes,
 * a string index past the table crashed it. So the file is walked first:
 * sizes held to the format's limits (a BlobHeader under 64 KiB, a Blob
 * and its inflated data at most 32 MiB) and to the file, and every data
 * block inflated and checked (pbf_block_ok). */
static int pbf_check(const char *path, struct xt_error *err)
{
    const uint64_t blob_max = (uint64_t)32 << 20;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return xt_error_set(err, XT_ENOTFOUND, "osm", "cannot open '%s'", path);
    long size = -1;
    if (fseek(fp, 0, SEEK_END) == 0)
        size = ftell(fp);
    int rc = 0;
    long pos = 0, block = 0;
    uint8_t *head = NULL, *blob = NULL, *raw = NULL;
    if (size < 0 || fseek(fp, 0, SEEK_SET) != 0)
        rc = -1;
    while (!rc && pos < size) {
        block++;
        rc = -1; /* until the block is read through */
        unsigned char b4[4];
        if (fread(b4, 1, 4, fp) != 4)
            break;
        uint64_t hlen = (uint64_t)b4[0] << 24 | (uint64_t)b4[1] << 16 | (uint64_t)b4[2] << 8 | b4[3];
        pos += 4;
        if (hlen >= 64 * 1024 || hlen > (uint64_t)(size - pos))
            break;
        free(head);
        head = malloc(hlen ? hlen : 1);
        if (!head || fread(head, 1, hlen, fp) != hlen)
            break;
        pos += (long)hlen;
        /* BlobHeader: type (1), datasize (3). */
        struct pb m = {head, head + hlen}, f;
        uint32_t fld;
        int wt, r;
        uint64_t v, datasize = UINT64_MAX;
        bool data = false;
        while ((r = pb_next(&m, &fld, &wt, &v, &f)) == 1) {
            if (fld == 3 && wt == 0)
                datasize = v;
            if (fld == 1 && wt == 2)
                data = v == 7 && memcmp(f.p, "OSMData", 7) == 0;
        }
        if (r < 0 || datasize > blob_max || datasize > (uint64_t)(size - pos))
            break;
        free(blob);
        blob = malloc(datasize ? datasize : 1);
        if (!blob || fread(blob, 1, datasize, fp) != datasize)
            break;
        pos += (long)datasize;
        /* Blob: raw (1), raw_size (2), zlib_data (3). */
        struct pb b = {blob, blob + datasize}, content = {NULL, NULL};
        uint64_t raw_size = 0;
        bool zipped = false;
        while ((r = pb_next(&b, &fld, &wt, &v, &f)) == 1) {
            if (fld == 2 && wt == 0)
                raw_size = v;
            if ((fld == 1 || fld == 3) && wt == 2) {
                content = f;
                zipped = fld == 3;
            }
        }
        if (r < 0 || raw_size > blob_max)
            break;
        if (data && content.p) {
            struct pb blk = content;
            if (zipped) {
                free(raw);
                raw = malloc(raw_size ? raw_size : 1);
                uLongf n = (uLongf)raw_size;
                if (!raw || uncompress(raw, &n, content.p, (uLong)(content.end - content.p)) != Z_OK)
                    break;
                blk.p = raw;
                blk.end = raw + n;
            }
            if (!pbf_block_ok(blk))
                break;
        }
        rc = 0;
    }
    fclose(fp);
    free(head);
    free(blob);
    free(raw);
    if (rc == -1)
        rc = xt_error_set(err, XT_EINVAL, "osm",
                          "cannot read '%s': block %ld is damaged or larger than the PBF "
                          "format allows",
                          path, block);
    return rc;
}

int xt_osm_import(const char *path, const struct xt_speeds *sp, const struct xt_dem *dem,
                  struct xt_roadnet *net, struct xt_poi **pois, size_t *n_pois,
                  struct xt_import_counts *cnt, struct xt_error *err)
{
    memset(net, 0, sizeof(*net));
    memset(cnt, 0, sizeof(*cnt));
    *pois = NULL;
    *n_pois = 0;
    struct osm_ctx c = {.sp = sp, .sorted = true};
    size_t plen = strlen(path);
    if (plen > 4 && strcasecmp(path + plen - 4, ".osm") == 0) {
        int xrc = osm_xml_check(path, err);
        if (xrc)
            return xrc;
    } else if (plen > 4 && strcasecmp(path + plen - 4, ".pbf") == 0) {
        int prc = pbf_check(path, err);
        if (prc)
            return prc;
    }
    const void *h = NULL;
    int orc = readosm_open(path, &h);
    if (orc == READOSM_OK)
        orc = readosm_parse(h, &c, on_node, on_way, on_relation);
    readosm_close(h);
    int rc = 0;
    if (c.rc) {
        rc = xt_error_set(err, c.rc, "osm", "out of memory reading '%s'", path);
    } else if (orc != READOSM_OK) {
        const char *why = orc == READOSM_INVALID_SUFFIX       ? "the name must end in .osm or .pbf"
                          : orc == READOSM_FILE_NOT_FOUND     ? "no such file"
                          : orc == READOSM_INVALID_PBF_HEADER ? "not a PBF file"
                          : orc == READOSM_XML_ERROR          ? "not well-formed OSM XML"
                          : orc == READOSM_UNZIP_ERROR        ? "a compressed block is damaged"
                                                       : "truncated or not OpenStreetMap data";
        rc = xt_error_set(err, orc == READOSM_FILE_NOT_FOUND ? XT_ENOTFOUND : XT_EINVAL, "osm",
                          "cannot read '%s': %s (readosm error %d)", path, why, orc);
    } else if (c.n_nodes == 0) {
        rc = xt_error_set(err, XT_EINVAL, "osm", "'%s' holds no nodes with coordinates", path);
    } else if ((rc = build(&c, dem, net, cnt))) {
        xt_error_set(err, rc, "osm", "cannot build the network of '%s'", path);
    }
    if (!rc) {
        /* drop areas whose vertices were all missing */
        size_t k = 0;
        for (size_t i = 0; i < c.n_pois; i++)
            if (!isnan(c.pois[i].lat)) {
                c.pois[k++] = c.pois[i];
                if (c.pois[i].kind == XT_POI_PLACE)
                    cnt->places++;
                else
                    cnt->facilities++;
            }
        *pois = c.pois;
        *n_pois = k;
        c.pois = NULL;
        cnt->bad_rows = c.relations_skipped;
    } else {
        xt_roadnet_release(net);
    }
    free(c.nid);
    free(c.nlat);
    free(c.nlon);
    free(c.refs);
    free(c.ways);
    free(c.pois);
    return rc;
}
