/* classify.c - `xietong classify train|eval|predict`: the request
 * classifier from labelled CSV files (see core/classify.h). */
#include "cli/cli_int.h"
#include "core/classify.h"
#include "lib/buf.h"
#include "lib/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Labelled rows read from a CSV: text (the text columns joined by a
 * newline) and the label's name. */
struct rows {
    char **text;
    char **label;
    size_t n, cap;
};

static void rows_release(struct rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->text[i]);
        free(r->label[i]);
    }
    free(r->text);
    free(r->label);
    memset(r, 0, sizeof(*r));
}

static int rows_add(struct rows *r, const char *text, const char *label)
{
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 1024;
        char **t = realloc(r->text, nc * sizeof(char *));
        if (!t)
            return XT_ENOMEM;
        r->text = t;
        char **l = realloc(r->label, nc * sizeof(char *));
        if (!l)
            return XT_ENOMEM;
        r->label = l;
        r->cap = nc;
    }
    r->text[r->n] = strdup(text);
    r->label[r->n] = label ? strdup(label) : NULL;
    if (!r->text[r->n] || (label && !r->label[r->n])) {
        free(r->text[r->n]);
        free(r->label[r->n]);
        return XT_ENOMEM;
    }
    r->n++;
    return 0;
}

static int add_override(void *ctx, const char *text, const char *category)
{
    return rows_add(ctx, text, category);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The text columns when --text-col is not given: title and body of the
 * data sets we know, else a column named text or content. */
static const char *const DEFAULT_TEXT[][2] = {
    {"title", "text"},  {"title", "content"}, {"留言主题", "留言详情"},
    {"text", NULL},     {"content", NULL},    {"留言详情", NULL},
};
static const char *const DEFAULT_LABEL[] = {"label", "nature", "category"};

/* Read path. text_cols is a comma-separated list or NULL; label_col may
 * be NULL (then labels are optional: need_label false). */
static int read_rows(const char *path, const char *text_cols, const char *label_col,
                     bool need_label, struct rows *out)
{
    memset(out, 0, sizeof(*out));
    struct xt_csv c;
    if (xt_csv_open(&c, path)) {
        fprintf(stderr, "xietong: classify: cannot open '%s'\n", path);
        return 1;
    }
    c.max_record = 1 << 20;
    int idx[8], nidx = 0, lab = -1, rc = 1;
    if (xt_csv_next(&c) != 1) {
        fprintf(stderr, "xietong: classify: '%s' has no header row\n", path);
        goto out;
    }
    if (text_cols) {
        char tmp[256];
        snprintf(tmp, sizeof(tmp), "%s", text_cols);
        char *save = NULL;
        for (char *t = strtok_r(tmp, ",", &save); t && nidx < 8; t = strtok_r(NULL, ",", &save)) {
            if ((idx[nidx] = xt_csv_index(&c, t)) < 0) {
                fprintf(stderr, "xietong: classify: --text-col: '%s' has no column '%s'\n", path,
                        t);
                goto out;
            }
            nidx++;
        }
    } else {
        for (size_t i = 0; i < sizeof(DEFAULT_TEXT) / sizeof(DEFAULT_TEXT[0]) && !nidx; i++) {
            int a = xt_csv_index(&c, DEFAULT_TEXT[i][0]);
            int b = DEFAULT_TEXT[i][1] ? xt_csv_index(&c, DEFAULT_TEXT[i][1]) : -2;
            if (a >= 0 && b != -1) {
                idx[nidx++] = a;
                if (b >= 0)
                    idx[nidx++] = b;
            }
        }
        if (!nidx) {
            fprintf(stderr, "xietong: classify: '%s': no text column found; name it with"
                            " --text-col\n", path);
            goto out;
        }
    }
    if (label_col) {
        if ((lab = xt_csv_index(&c, label_col)) < 0) {
            fprintf(stderr, "xietong: classify: --label-col: '%s' has no column '%s'\n", path,
                    label_col);
            goto out;
        }
    } else {
        for (size_t i = 0; i < sizeof(DEFAULT_LABEL) / sizeof(DEFAULT_LABEL[0]) && lab < 0; i++)
            lab = xt_csv_index(&c, DEFAULT_LABEL[i]);
        if (lab < 0 && need_label) {
            fprintf(stderr, "xietong: classify: '%s': no label column found; name it with"
                            " --label-col\n", path);
            goto out;
        }
    }
    struct xt_buf t;
    xt_buf_init(&t, 1 << 20);
    int r;
    while ((r = xt_csv_next(&c)) == 1) {
        xt_buf_reset(&t);
        for (int i = 0; i < nidx; i++) {
            if (i)
                xt_buf_putc(&t, '\n');
            if (idx[i] < c.nfield)
                xt_buf_puts(&t, c.field[idx[i]]);
        }
        const char *l = lab >= 0 && lab < c.nfield ? c.field[lab] : NULL;
        if (need_label && (!l || !*l)) {
            fprintf(stderr, "xietong: classify: '%s' line %ld: the label is empty\n", path,
                    c.line);
            xt_buf_release(&t);
            goto out;
        }
        if (rows_add(out, t.data ? t.data : "", l)) {
            xt_buf_release(&t);
            goto out;
        }
    }
    xt_buf_release(&t);
    if (r < 0) {
        fprintf(stderr, "xietong: classify: '%s' line %ld: malformed CSV\n", path, c.line);
        goto out;
    }
    rc = 0;
out:
    xt_csv_close(&c);
    if (rc)
        rows_release(out);
    return rc;
}

/* Labels of rows as indices into a sorted list of distinct names. */
struct labelled {
    const char **text;
    int *label;
    const char **names;
    int n_names;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int label_rows(const struct rows *r, struct labelled *out)
{
    memset(out, 0, sizeof(*out));
    out->text = malloc((r->n ? r->n : 1) * sizeof(char *));
    out->label = malloc((r->n ? r->n : 1) * sizeof(int));
    out->names = malloc((r->n ? r->n : 1) * sizeof(char *));
    if (!out->text || !out->label || !out->names)
        return XT_ENOMEM;
    for (size_t i = 0; i < r->n; i++)
        out->names[i] = r->label[i];
    qsort(out->names, r->n, sizeof(char *), cmp_str);
    int k = 0;
    for (size_t i = 0; i < r->n; i++)
        if (k == 0 || strcmp(out->names[k - 1], out->names[i]) != 0)
            out->names[k++] = out->names[i];
    out->n_names = k;
    for (size_t i = 0; i < r->n; i++) {
        out->text[i] = r->text[i];
        const char **hit = bsearch(&r->label[i], out->names, (size_t)k, sizeof(char *), cmp_str);
        out->label[i] = (int)(hit - out->names);
    }
    return 0;
}

static void labelled_release(struct labelled *l)
{
    free(l->text);
    free(l->label);
    free(l->names);
    memset(l, 0, sizeof(*l));
}

/* --name as a number in lo..hi into *out (left as it is when absent);
 * 0, or 2 after saying what is wrong. */
static int opt_range(const struct xt_opts *o, const char *name, double lo, double hi,
                     double *out)
{
    const char *v = xt_opt(o, name, NULL);
    if (!v)
        return 0;
    char *end;
    double x = strtod(v, &end);
    if (*end || !(x >= lo) || x > hi) {
        fprintf(stderr, "xietong: classify: --%s: must be %g..%g\n", name, lo, hi);
        return 2;
    }
    *out = x;
    return 0;
}

/* --name as a whole number in lo..hi into *out (left as it is when
 * absent); 0, or 2 after saying what is wrong. */
static int opt_int(const struct xt_opts *o, const char *name, long lo, long hi, long *out)
{
    const char *v = xt_opt(o, name, NULL);
    if (!v)
        return 0;
    char *end;
    long x = strtol(v, &end, 10);
    if (!*v || *end || x < lo || x > hi) {
        fprintf(stderr, "xietong: classify: --%s: must be a whole number %ld..%ld\n", name, lo,
                hi);
        return 2;
    }
    *out = x;
    return 0;
}

/* The neighbour settings in words, for the header of train and eval. */
static void describe_knn(const struct xt_classify_params *p, char *out, size_t n)
{
    if (p->knn == 0)
        snprintf(out, n, "no neighbours");
    else
        snprintf(out, n,
                 "%d neighbours (n-grams in <= %.0f%% of messages, heaviest %d, gate %.2f,"
                 " weight %.2f)",
                 p->knn, p->knn_df * 100, p->knn_terms, p->knn_gate, p->knn_weight);
}

static int read_params(const struct xt_opts *o, struct xt_classify_params *p)
{
    xt_classify_params_init(p);
    char *end;
    const char *v;
    long n = p->ngram_max, bits = p->hash_bits;
    if (opt_int(o, "ngram", 1, 5, &n) || opt_int(o, "hash-bits", 12, 24, &bits))
        return 2;
    p->ngram_max = (int)n;
    p->hash_bits = (int)bits;
    if ((v = xt_opt(o, "c", NULL))) {
        p->c = strtod(v, &end);
        if (*end || !(p->c > 0) || p->c > 1e4) {
            fprintf(stderr, "xietong: classify: --c: must be a positive number\n");
            return 2;
        }
    }
    long mc = (long)p->max_chars;
    if (opt_int(o, "max-chars", 16, 8192, &mc))
        return 2;
    p->max_chars = (size_t)mc;
    if (opt_range(o, "long-weight", 0, 10, &p->long_weight))
        return 2;
    if (opt_range(o, "title-weight", 0, 10, &p->title_weight))
        return 2;
    if (opt_range(o, "nb", 0, 100, &p->nb_alpha))
        return 2;
    if (opt_range(o, "mix", 0, 1, &p->mix))
        return 2;
    long knn = p->knn, terms = p->knn_terms;
    if (opt_int(o, "knn", 0, 50, &knn) || opt_int(o, "knn-terms", 0, 4096, &terms))
        return 2;
    p->knn = (int)knn;
    p->knn_terms = (int)terms;
    if (opt_range(o, "knn-weight", 0, 10, &p->knn_weight))
        return 2;
    if (opt_range(o, "knn-df", 0.0001, 1, &p->knn_df))
        return 2;
    if (opt_range(o, "knn-gate", 0, 100, &p->knn_gate))
        return 2;
    if (xt_opt_flag(o, "no-title"))
        p->title = false;
    if (xt_opt_flag(o, "unbalanced"))
        p->balanced = false;
    if ((v = xt_opt(o, "seed", NULL))) {
        p->seed = strtoull(v, &end, 10);
        if (*end) {
            fprintf(stderr, "xietong: classify: --seed: must be a number\n");
            return 2;
        }
    }
    return 0;
}

/* Label -> code mapping file: CSV with columns label, category (and a
 * reason column for people). Unmapped labels keep an empty code, except
 * labels that are themselves category codes (from overrides). */
static int read_map(const char *path, const struct labelled *l, char (*codes)[32])
{
    for (int i = 0; i < l->n_names; i++) {
        codes[i][0] = '\0';
        if (l->names[i][0] == 'C' && strlen(l->names[i]) < 8)
            snprintf(codes[i], 32, "%s", l->names[i]);
    }
    if (!path)
        return 0;
    struct xt_csv c;
    if (xt_csv_open(&c, path)) {
        fprintf(stderr, "xietong: classify: --map: cannot open '%s'\n", path);
        return 1;
    }
    int rc = 1;
    if (xt_csv_next(&c) != 1)
        goto out;
    int li = xt_csv_index(&c, "label"), ci = xt_csv_index(&c, "category");
    if (li < 0 || ci < 0) {
        fprintf(stderr, "xietong: classify: --map: '%s' needs columns label and category\n",
                path);
        goto out;
    }
    while (xt_csv_next(&c) == 1) {
        if (li >= c.nfield || ci >= c.nfield)
            continue;
        for (int i = 0; i < l->n_names; i++)
            if (strcmp(l->names[i], c.field[li]) == 0)
                snprintf(codes[i], 32, "%s", c.field[ci]);
    }
    rc = 0;
out:
    xt_csv_close(&c);
    return rc;
}

static void print_eval(const struct xt_classify_eval *e, const char *const *names)
{
    printf("examples %ld  accuracy %.4f  macro-F1 %.4f\n", e->n, e->accuracy, e->macro_f1);
    printf("\n%-24s %9s %9s %9s %8s\n", "label", "precision", "recall", "F1", "support");
    for (int c = 0; c < e->n_labels; c++)
        printf("%-24s %9.4f %9.4f %9.4f %8ld\n", names[c], e->precision[c], e->recall[c],
               e->f1[c], e->support[c]);
    printf("\nconfusion matrix (rows: truth, columns: predicted, in label order above)\n");
    for (int r = 0; r < e->n_labels; r++) {
        printf("%-24s", names[r]);
        for (int c = 0; c < e->n_labels; c++)
            printf(" %6ld", e->confusion[r * e->n_labels + c]);
        printf("\n");
    }
    printf("\ncalibration (softmax scale %.3f): expected calibration error %.4f\n", e->scale,
           e->ece);
    printf("%-12s %8s %10s %9s\n", "confidence", "messages", "mean conf", "accuracy");
    for (int b = 0; b < 10; b++)
        if (e->bin_n[b])
            printf("%.1f-%.1f      %8ld %10.4f %9.4f\n", b / 10.0, (b + 1) / 10.0, e->bin_n[b],
                   e->bin_conf[b], e->bin_acc[b]);
}

static int load_model(const char *path, struct xt_classifier **m)
{
    struct xt_buf b;
    xt_buf_init(&b, (size_t)1 << 31);
    int rc = xt_buf_read_file(&b, path);
    if (rc) {
        fprintf(stderr, "xietong: classify: --model: cannot read '%s'\n", path);
        xt_buf_release(&b);
        return 1;
    }
    struct xt_error err;
    xt_error_clear(&err);
    rc = xt_classifier_decode(b.data, b.len, m, &err);
    xt_buf_release(&b);
    if (rc) {
        fprintf(stderr, "xietong: classify: '%s': %s\n", path, err.message);
        return 1;
    }
    return 0;
}

static int cmd_train(const struct xt_opts *o)
{
    const char *data = xt_opt(o, "data", NULL), *outp = xt_opt(o, "out", NULL);
    const char *overrides = xt_opt(o, "overrides", NULL);
    if (!data || !outp) {
        fprintf(stderr, "usage: xietong classify train --data CSV [--text-col A,B]"
                        " [--label-col L] [--map FILE] [--overrides DATADIR] --out MODEL\n");
        return 2;
    }
    struct xt_classify_params p;
    if (read_params(o, &p))
        return 2;
    struct rows r;
    if (read_rows(data, xt_opt(o, "text-col", NULL), xt_opt(o, "label-col", NULL), true, &r))
        return 1;
    size_t from_csv = r.n;
    if (overrides) {
        struct xt_store *s;
        struct xt_error err;
        xt_error_clear(&err);
        if (xt_store_open_db(overrides, NULL, &s, &err)) {
            fprintf(stderr, "xietong: classify: --overrides: cannot open '%s': %s\n", overrides,
                    err.message);
            rows_release(&r);
            return 1;
        }
        int rc = xt_store_classify_overrides(s, add_override, &r, &err);
        xt_store_close(s);
        if (rc) {
            xt_cli_error("classify train --overrides", &err);
            rows_release(&r);
            return 1;
        }
    }
    struct labelled l;
    char(*codes)[32] = NULL;
    const char **code_ptr = NULL;
    struct xt_classifier *m = NULL;
    int rc = 1;
    if (label_rows(&r, &l))
        goto out;
    codes = calloc((size_t)l.n_names, sizeof(*codes));
    code_ptr = calloc((size_t)l.n_names, sizeof(char *));
    if (!codes || !code_ptr || read_map(xt_opt(o, "map", NULL), &l, codes))
        goto out;
    for (int i = 0; i < l.n_names; i++)
        code_ptr[i] = codes[i];
    struct xt_classify_data d = {l.text, l.label, r.n, l.names, l.n_names};
    struct xt_error err;
    xt_error_clear(&err);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (xt_classifier_train(&d, code_ptr, &p, &m, &err)) {
        xt_cli_error("classify train", &err);
        goto out;
    }
    double secs = seconds_since(&t0);
    struct xt_buf b;
    xt_buf_init(&b, (size_t)1 << 31);
    if (xt_classifier_encode(m, &b)) {
        fprintf(stderr, "xietong: classify train: out of memory\n");
        xt_buf_release(&b);
        goto out;
    }
    char tmp[1100];
    snprintf(tmp, sizeof(tmp), "%s.tmp", outp);
    FILE *fp = fopen(tmp, "wb");
    if (!fp || fwrite(b.data, 1, b.len, fp) != b.len || fclose(fp) != 0 ||
        rename(tmp, outp) != 0) {
        fprintf(stderr, "xietong: classify train: --out: cannot write '%s'\n", outp);
        xt_buf_release(&b);
        goto out;
    }
    char kn[160];
    describe_knn(&p, kn, sizeof(kn));
    printf("trained on %zu messages (%zu from '%s', %zu operator overrides), %d labels,"
           " n-grams 1-%d, 2^%d buckets, C %.2f, NBSVM %.2f, plain SVM share %.2f, %s,"
           " calibration scale %.3f: %.2f s\n",
           r.n, from_csv, data, r.n - from_csv, l.n_names, p.ngram_max, p.hash_bits, p.c,
           p.nb_alpha, p.nb_alpha > 0 ? p.mix : 1.0, kn, xt_classifier_scale(m), secs);
    for (int i = 0; i < l.n_names; i++)
        printf("  %-24s -> %s\n", l.names[i], *codes[i] ? codes[i] : "(no category)");
    printf("model '%s' (%zu bytes)\n", outp, b.len);
    xt_buf_release(&b);
    rc = 0;
out:
    xt_classifier_free(m);
    free(codes);
    free(code_ptr);
    labelled_release(&l);
    rows_release(&r);
    return rc;
}

static int write_folds(const char *path, const int *fold, size_t n)
{
    FILE *fp = fopen(path, "w");
    if (!fp) {
        fprintf(stderr, "xietong: classify eval: --folds-out: cannot write '%s'\n", path);
        return 1;
    }
    fprintf(fp, "row,fold\n");
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%zu,%d\n", i, fold[i]);
    return fclose(fp) ? 1 : 0;
}

/* A CSV field, quoted (labels are free text). */
static void put_field(FILE *fp, const char *v)
{
    fputs(",\"", fp);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', fp);
        fputc(*v, fp);
    }
    fputc('"', fp);
}

/* The out-of-fold margins, one row per message: row, fold, the true label
 * and one column per label, for trying blends of models on the same folds. */
static int write_margins(FILE *fp, const struct xt_classify_eval *e, const int *fold,
                         const int *label, const char **names, size_t n)
{
    int k = e->n_labels;
    fprintf(fp, "row,fold,label");
    for (int c = 0; c < k; c++)
        put_field(fp, names[c]);
    fprintf(fp, "\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(fp, "%zu,%d", i, fold[i]);
        put_field(fp, label[i] >= 0 ? names[label[i]] : "");
        for (int c = 0; c < k; c++)
            fprintf(fp, ",%.6f", e->margins[i * (size_t)k + (size_t)c]);
        fprintf(fp, "\n");
    }
    return fclose(fp) ? 1 : 0;
}

static int cmd_eval_test(const struct xt_opts *o, const char *model, const char *test)
{
    struct xt_classifier *m;
    if (load_model(model, &m))
        return 1;
    struct rows r;
    if (read_rows(test, xt_opt(o, "text-col", NULL), xt_opt(o, "label-col", NULL), true, &r)) {
        xt_classifier_free(m);
        return 1;
    }
    int *label = malloc((r.n ? r.n : 1) * sizeof(int));
    int rc = 1;
    if (!label)
        goto out;
    size_t unknown = 0;
    for (size_t i = 0; i < r.n; i++)
        if ((label[i] = xt_classifier_find(m, r.label[i])) < 0)
            unknown++;
    struct xt_classify_eval e;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (xt_classify_score(m, (const char **)r.text, label, r.n, &e))
        goto out;
    double secs = seconds_since(&t0);
    printf("model '%s' on '%s': %zu messages scored in %.3f s (%.0f/s)\n", model, test,
           r.n - unknown, secs, (double)(r.n - unknown) / (secs > 0 ? secs : 1e-9));
    if (unknown)
        printf("note: %zu messages carry labels the model does not know and are left out\n",
               unknown);
    const char **names = malloc((size_t)xt_classifier_n_labels(m) * sizeof(char *));
    if (names) {
        for (int i = 0; i < xt_classifier_n_labels(m); i++)
            names[i] = xt_classifier_label(m, i);
        print_eval(&e, names);
        free(names);
        rc = 0;
    }
    xt_classify_eval_release(&e);
out:
    free(label);
    rows_release(&r);
    xt_classifier_free(m);
    return rc;
}

static int cmd_eval(const struct xt_opts *o)
{
    const char *model = xt_opt(o, "model", NULL), *test = xt_opt(o, "test", NULL);
    if (model || test) {
        if (!model || !test) {
            fprintf(stderr, "xietong: classify eval: --model and --test go together\n");
            return 2;
        }
        return cmd_eval_test(o, model, test);
    }
    const char *data = xt_opt(o, "data", NULL);
    if (!data) {
        fprintf(stderr, "usage: xietong classify eval --data CSV [--folds K] [--seed N]"
                        " [--folds-out FILE] [--margins-out FILE] | --model MODEL --test CSV\n");
        return 2;
    }
    struct xt_classify_params p;
    if (read_params(o, &p))
        return 2;
    char *end;
    long k = strtol(xt_opt(o, "folds", "5"), &end, 10);
    if (*end || k < 2 || k > 20) {
        fprintf(stderr, "xietong: classify eval: --folds: must be 2..20\n");
        return 2;
    }
    struct rows r;
    if (read_rows(data, xt_opt(o, "text-col", NULL), xt_opt(o, "label-col", NULL), true, &r))
        return 1;
    struct labelled l;
    int *fold = NULL, rc = 1;
    FILE *mfp = NULL;
    if (label_rows(&r, &l) || !(fold = malloc((r.n ? r.n : 1) * sizeof(int))))
        goto out;
    struct xt_classify_data d = {l.text, l.label, r.n, l.names, l.n_names};
    xt_classify_folds(&d, (int)k, p.seed, fold);
    const char *fo = xt_opt(o, "folds-out", NULL);
    if (fo && write_folds(fo, fold, r.n))
        goto out;
    /* Opened before the run, so a wrong path fails at once. */
    const char *mo = xt_opt(o, "margins-out", NULL);
    if (mo && !(mfp = fopen(mo, "w"))) {
        fprintf(stderr, "xietong: classify eval: --margins-out: cannot write '%s'\n", mo);
        goto out;
    }
    struct xt_classify_eval e;
    struct xt_error err;
    xt_error_clear(&err);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (xt_classify_crossval(&d, fold, (int)k, &p, &e, &err)) {
        xt_cli_error("classify eval", &err);
        goto out;
    }
    char kn[160];
    describe_knn(&p, kn, sizeof(kn));
    printf("stratified %ld-fold cross-validation of '%s' (seed %llu, n-grams 1-%d, 2^%d"
           " buckets, C %.2f, NBSVM %.2f, plain SVM share %.2f, %s): %.2f s\n",
           k, data, (unsigned long long)p.seed, p.ngram_max, p.hash_bits, p.c, p.nb_alpha,
           p.nb_alpha > 0 ? p.mix : 1.0, kn, seconds_since(&t0));
    print_eval(&e, l.names);
    if (mfp) {
        rc = write_margins(mfp, &e, fold, l.label, l.names, r.n);
        mfp = NULL;
        if (rc)
            fprintf(stderr, "xietong: classify eval: --margins-out: cannot write '%s'\n", mo);
    } else {
        rc = 0;
    }
    xt_classify_eval_release(&e);
out:
    if (mfp)
        fclose(mfp);
    free(fold);
    labelled_release(&l);
    rows_release(&r);
    return rc;
}

static int cmd_predict(const struct xt_opts *o)
{
    const char *model = xt_opt(o, "model", NULL);
    if (!model) {
        fprintf(stderr, "usage: xietong classify predict --model MODEL [--csv FILE"
                        " [--text-col A,B]]   (else one message per line on stdin)\n");
        return 2;
    }
    struct xt_classifier *m;
    if (load_model(model, &m))
        return 1;
    const char *csv = xt_opt(o, "csv", NULL);
    struct xt_prediction pr;
    if (csv) {
        struct rows r;
        if (read_rows(csv, xt_opt(o, "text-col", NULL), xt_opt(o, "label-col", NULL), false,
                      &r)) {
            xt_classifier_free(m);
            return 1;
        }
        printf("row,label,category,confidence%s\n", r.n && r.label[0] ? ",truth" : "");
        for (size_t i = 0; i < r.n; i++) {
            xt_classifier_predict(m, r.text[i], &pr);
            printf("%zu,%s,%s,%.4f", i + 1, xt_classifier_label(m, pr.label),
                   xt_classifier_code(m, pr.label), pr.confidence);
            if (r.label[i])
                printf(",%s", r.label[i]);
            printf("\n");
        }
        rows_release(&r);
    } else {
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, stdin)) > 0) {
            while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                line[--len] = '\0';
            if (!len)
                continue;
            xt_classifier_predict(m, line, &pr);
            printf("%s\t%s\t%.4f\n", xt_classifier_label(m, pr.label),
                   xt_classifier_code(m, pr.label), pr.confidence);
        }
        free(line);
    }
    xt_classifier_free(m);
    return 0;
}

int xt_cli_classify(const struct xt_opts *o)
{
    const char *verb = xt_opt_arg(o, 0);
    if (verb && strcmp(verb, "train") == 0)
        return cmd_train(o);
    if (verb && strcmp(verb, "eval") == 0)
        return cmd_eval(o);
    if (verb && strcmp(verb, "predict") == 0)
        return cmd_predict(o);
    fprintf(stderr, "usage: xietong classify train|eval|predict ...\n");
    return 2;
}
