/* bench_people.c - linkage precision and recall on generated lists with
 * known true matches (`xietong people generate` writes DIR/register.csv,
 * the lists, their mappings and truth.csv). The rule is the import's:
 * core/linkage.h, with the ID number itself in place of its blind index.
 * usage: bench_people DIR */
#include "core/linkage.h"
#include "core/people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXF 16

static int split(char *line, char **f)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < MAXF;) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    return n;
}

static int col(char **hdr, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(hdr[i], name) == 0)
            return i;
    return -1;
}

static void to_rec(const char *name, const char *id, const char *birth, const char *unit,
                   struct xt_link_rec *r)
{
    struct xt_person_in in = {.name = name, .id_number = id, .birth_date = birth, .unit = unit};
    struct xt_person p;
    memset(r, 0, sizeof(*r));
    if (xt_person_check(&in, 20261126, &p, NULL))
        return;
    snprintf(r->village, sizeof(r->village), "%s", p.village);
    snprintf(r->birth, sizeof(r->birth), "%s", p.birth);
    if (p.has_id)
        snprintf(r->id_key, sizeof(r->id_key), "%s", p.id.number);
    xt_link_name_norm(p.name, r->name, sizeof(r->name));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_people DIR\n");
        return 2;
    }
    char path[1024], line[2048], hl[2048];
    char *f[MAXF], *h[MAXF];
    struct xt_link_index *ix = xt_link_index_new();
    snprintf(path, sizeof(path), "%s/register.csv", argv[1]);
    FILE *fp = fopen(path, "r");
    if (!fp || !fgets(line, sizeof(line), fp))
        return 1;
    long row = 0;
    while (fgets(line, sizeof(line), fp)) {
        split(line, f);
        struct xt_link_rec r;
        to_rec(f[0], f[1], NULL, f[4], &r);
        r.id = ++row;
        xt_link_index_add(ix, &r);
    }
    fclose(fp);
    /* truth: list,row,person */
    snprintf(path, sizeof(path), "%s/truth.csv", argv[1]);
    FILE *tf = fopen(path, "r");
    if (!tf || !fgets(line, sizeof(line), tf))
        return 1;
    static const char *const lists[] = {"civil", "disability", "health", "education"};
    long *truth_of[4] = {NULL, NULL, NULL, NULL}, ntruth[4] = {0, 0, 0, 0};
    while (fgets(line, sizeof(line), tf)) {
        split(line, f);
        for (int l = 0; l < 4; l++) {
            if (strcmp(f[0], lists[l]) != 0)
                continue;
            long r = strtol(f[1], NULL, 10);
            if (r > ntruth[l]) {
                long *p = realloc(truth_of[l], (size_t)(r + 1) * sizeof(long) * 2);
                if (!p)
                    return 1;
                truth_of[l] = p;
                ntruth[l] = 2 * r;
            }
            truth_of[l][r] = strtol(f[2], NULL, 10);
        }
    }
    long tp = 0, fp_n = 0, fn = 0, review = 0, total = 0;
    for (int l = 0; l < 4; l++) {
        snprintf(path, sizeof(path), "%s/%s.csv", argv[1], lists[l]);
        FILE *lf = fopen(path, "r");
        if (!lf || !fgets(hl, sizeof(hl), lf))
            return 1;
        int nh = split(hl, h);
        int cn = col(h, nh, "姓名"), ci = col(h, nh, "身份证号"), cb = col(h, nh, "出生日期"),
            cu = col(h, nh, "村社区代码");
        long lrow = 0;
        while (fgets(line, sizeof(line), lf)) {
            long truth = truth_of[l][++lrow];
            int n = split(line, f);
            struct xt_link_rec q;
            to_rec(f[cn], ci >= 0 && ci < n ? f[ci] : NULL, cb >= 0 && cb < n ? f[cb] : NULL,
                   f[cu], &q);
            struct xt_link_result res;
            xt_link_find(ix, &q, &res);
            total++;
            if (res.kind == XT_LINK_MATCHED && res.id == truth)
                tp++;
            else if (res.kind == XT_LINK_MATCHED)
                fp_n++, fn++;
            else {
                fn++;
                review += res.kind == XT_LINK_REVIEW_KIND;
            }
        }
        fclose(lf);
        free(truth_of[l]);
    }
    fclose(tf);
    double precision = tp + fp_n ? (double)tp / (double)(tp + fp_n) : 0;
    double recall = tp + fn ? (double)tp / (double)(tp + fn) : 0;
    printf("list rows %ld: linked right %ld, linked wrong %ld, held for review %ld, missed %ld\n",
           total, tp, fp_n, review, fn - fp_n - review);
    printf("precision %.4f recall %.4f\n", precision, recall);
    xt_link_index_free(ix);
    return 0;
}
