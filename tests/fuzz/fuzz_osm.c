/* fuzz_osm.c - road data imports: OpenStreetMap files through readosm
 * (src/core/osmimport.c, behind `xietong access import-osm`), as .osm XML
 * and as .osm.pbf, and the edge-list CSV of roads
 * (xt_roadnet_import_edges, behind `xietong access import-edges`).
 * readosm reads from a path, so the input goes to a scratch file first.
 *
 * Input: one byte that picks the reader ('x' .osm, 'p' .osm.pbf, 'e' edge
 * list; any other byte by its value), then the file.
 * Invariants: a failure names its reason; on success every edge joins two
 * existing nodes, every coordinate is a real latitude/longitude, every
 * place or facility has a kind, and the network builds into graphs. */
#include "fuzzsupport.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/osmimport.h"
#include "core/roadnet.h"

static struct xt_speeds speeds;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_world_init();
    xt_speeds_default(&speeds);
    return 0;
}

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_osm: %s\n", what);
    abort();
}

static void check_net(const struct xt_roadnet *net)
{
    for (size_t i = 0; i < net->n_nodes; i++)
        if (!(fabs(net->lat[i]) <= 90) || !(fabs(net->lon[i]) <= 180))
            fail("a node outside the globe");
    for (size_t i = 0; i < net->n_edges; i++)
        if (net->edges[i].u >= net->n_nodes || net->edges[i].v >= net->n_nodes)
            fail("an edge to a node that does not exist");
    for (int mode = 0; mode < XT_MODE_N; mode++) {
        struct xt_graph g;
        if (xt_graph_build(net, mode, false, &g))
            return; /* out of memory */
        if (g.n != net->n_nodes)
            fail("graph and network differ in nodes");
        xt_graph_release(&g);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 256 * 1024)
        return 0;
    int kind = data[0] == 'x' ? 0 : data[0] == 'p' ? 1 : data[0] == 'e' ? 2 : data[0] % 3;
    static const char *const ext[] = {".osm", ".osm.pbf", ".csv"};
    const char *path = fuzz_scratch_file(data + 1, size - 1, ext[kind]);
    struct xt_roadnet net;
    memset(&net, 0, sizeof(net));
    struct xt_import_counts cnt;
    memset(&cnt, 0, sizeof(cnt));
    struct xt_error err = {0};
    int rc;
    if (kind < 2) {
        struct xt_poi *pois = NULL;
        size_t np = 0;
        rc = xt_osm_import(path, &speeds, NULL, &net, &pois, &np, &cnt, &err);
        if (!rc) {
            for (size_t i = 0; i < np; i++) {
                if (pois[i].kind != XT_POI_PLACE && pois[i].kind != XT_POI_FACILITY)
                    fail("a point of interest of no kind");
                if (!(fabs(pois[i].lat) <= 90) || !(fabs(pois[i].lon) <= 180))
                    fail("a point of interest outside the globe");
                if (!memchr(pois[i].name, '\0', sizeof(pois[i].name)))
                    fail("a name without its NUL");
            }
            free(pois);
        }
    } else {
        rc = xt_roadnet_import_edges(&net, &speeds, path, &cnt, &err);
    }
    if (rc) {
        if (!*err.message)
            fail("a failed import without a message");
    } else {
        if (cnt.nodes < 0 || cnt.edges < 0)
            fail("negative counts");
        check_net(&net);
    }
    xt_roadnet_release(&net);
    return 0;
}
