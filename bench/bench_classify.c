/* bench_classify.c - throughput of the request classifier and of hot-issue
 * clustering (run by bench/classify.sh; not a test).
 *
 *   bench_classify predict MODEL CSV     messages/s on one core
 *   bench_classify cluster CSV N         cluster N tickets made by perturbing
 *                                        the CSV's messages */
#include "core/classify.h"
#include "core/hotissue.h"
#include "lib/buf.h"
#include "lib/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of this thread: the machine is shared, so "on one core" is
 * measured as work per CPU-second, beside the wall-clock figure. */
static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Title and text of each row (columns title,text or 留言主题,留言详情). */
static char **read_texts(const char *path, size_t *n)
{
    struct xt_csv c;
    if (xt_csv_open(&c, path))
        return NULL;
    c.max_record = 1 << 20;
    char **v = NULL;
    size_t cnt = 0, cap = 0;
    if (xt_csv_next(&c) == 1) {
        int a = xt_csv_index(&c, "title"), b = xt_csv_index(&c, "text");
        if (a < 0) {
            a = xt_csv_index(&c, "留言主题");
            b = xt_csv_index(&c, "留言详情");
        }
        while (a >= 0 && b >= 0 && xt_csv_next(&c) == 1) {
            if (cnt == cap) {
                cap = cap ? cap * 2 : 1024;
                v = realloc(v, cap * sizeof(char *));
            }
            struct xt_buf t;
            xt_buf_init(&t, 0);
            xt_buf_puts(&t, a < c.nfield ? c.field[a] : "");
            xt_buf_putc(&t, '\n');
            xt_buf_puts(&t, b < c.nfield ? c.field[b] : "");
            v[cnt++] = xt_buf_detach(&t);
        }
    }
    xt_csv_close(&c);
    *n = cnt;
    return v;
}

static int bench_predict(const char *model, const char *csv)
{
    struct xt_buf b;
    xt_buf_init(&b, (size_t)1 << 31);
    struct xt_classifier *m;
    struct xt_error err;
    if (xt_buf_read_file(&b, model) || xt_classifier_decode(b.data, b.len, &m, &err)) {
        fprintf(stderr, "bench_classify: cannot load '%s'\n", model);
        return 1;
    }
    xt_buf_release(&b);
    size_t n;
    char **t = read_texts(csv, &n);
    if (!t || !n)
        return 1;
    long done = 0, sink = 0;
    double t0 = now_s(), c0 = cpu_s(), el;
    do {
        for (size_t i = 0; i < n; i++) {
            struct xt_prediction p;
            xt_classifier_predict(m, t[i], &p);
            sink += p.label;
        }
        done += (long)n;
    } while ((el = now_s() - t0) < 3.0);
    double cpu = cpu_s() - c0;
    printf("predict_per_cpu_s %.0f\npredict_per_s %.0f\npredict_messages %ld\n"
           "predict_seconds %.3f\npredict_cpu_seconds %.3f\n(sink %ld)\n",
           (double)done / cpu, (double)done / el, done, el, cpu, sink % 7);
    for (size_t i = 0; i < n; i++)
        free(t[i]);
    free(t);
    xt_classifier_free(m);
    return 0;
}

/* A ticket made from a real message: a random cut of its text, with a few
 * characters dropped or repeated, in one of 2,000 grids. */
static int bench_cluster(const char *csv, size_t want)
{
    size_t n;
    char **t = read_texts(csv, &n);
    if (!t || !n)
        return 1;
    struct xt_hot_item *items = calloc(want, sizeof(*items));
    char **texts = calloc(want, sizeof(char *));
    char (*grid)[16] = calloc(want, sizeof(*grid));
    uint64_t rng = 42;
    for (size_t i = 0; i < want; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        const char *src = t[(rng >> 33) % n];
        size_t len = strlen(src), k = 0;
        size_t cut = len > 240 ? 240 : len; /* an intake text: the first lines */
        char *o = malloc(cut + 8);
        for (size_t q = 0; q < cut; q++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            unsigned char ch = (unsigned char)src[q];
            /* Drop or double an ASCII byte now and then (keeps UTF-8 whole). */
            if (ch < 0x80 && (rng >> 60) == 0)
                continue;
            o[k++] = (char)ch;
            if (ch < 0x80 && (rng >> 60) == 1)
                o[k++] = (char)ch;
            if (k + 2 > cut + 8)
                break;
        }
        o[k] = '\0';
        texts[i] = o;
        snprintf(grid[i], sizeof(grid[i]), "G%04llu", (unsigned long long)((rng >> 20) % 2000));
        items[i].text = o;
        items[i].place = grid[i];
        items[i].support = (long)((rng >> 40) % 3);
        items[i].previous = (rng >> 50) % 4 == 0;
    }
    struct xt_hot_params p;
    xt_hot_params_init(&p);
    struct xt_hot_cluster *cl;
    size_t ncl;
    struct xt_error err;
    double t0 = now_s(), c0 = cpu_s();
    if (xt_hot_cluster(items, want, &p, &cl, &ncl, &err)) {
        fprintf(stderr, "bench_classify: %s\n", err.message);
        return 1;
    }
    double el = now_s() - t0, cpu = cpu_s() - c0;
    size_t biggest = ncl ? cl[0].n : 0;
    for (size_t i = 0; i < ncl; i++)
        if (cl[i].n > biggest)
            biggest = cl[i].n;
    printf("cluster_cpu_seconds %.3f\n", cpu);
    printf("cluster_tickets %zu\ncluster_seconds %.3f\ncluster_count %zu\ncluster_biggest %zu\n",
           want, el, ncl, biggest);
    xt_hot_clusters_free(cl, ncl);
    for (size_t i = 0; i < want; i++)
        free(texts[i]);
    for (size_t i = 0; i < n; i++)
        free(t[i]);
    free(t);
    free(texts);
    free(items);
    free(grid);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "predict") == 0)
        return bench_predict(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "cluster") == 0)
        return bench_cluster(argv[2], (size_t)strtoul(argv[3], NULL, 10));
    fprintf(stderr, "usage: bench_classify predict MODEL CSV | cluster CSV N\n");
    return 2;
}
