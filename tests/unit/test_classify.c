/* test_classify.c - core/classify.c: normalisation, a learnable signal,
 * cross-validation bookkeeping, the model file and its refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/classify.h"
#include "lib/buf.h"
#include "lib/crypto.h"

static void norm(const char *in, const char *want)
{
    char out[512];
    xt_classify_normalise_text(in, out, sizeof(out));
    assert_string_equal(out, want);
}

static void test_normalise(void **state)
{
    (void)state;
    norm("ＡＢＣ１２３，。", "abc<D>,.");            /* full-width → half-width, digits, 。 */
    norm("电话138****1234请回电", "电话<M>请回电");  /* phone mask → one token */
    norm("1xx****xxxx", "<M>");                     /* the organiser's mask */
    norm("XXX小区", "<M>小区");                      /* a masked name */
    norm("2019年12月3日", "<D>年<D>月<D>日");         /* every number alike */
    norm("  a  \t\n b\u3000c  ", "a b c");          /* white space collapsed, trimmed */
    norm("box  taxi", "box taxi");                  /* x inside words stays a letter */
    norm("《通知》“好”", "<通知>\"好\"");
    norm("\xff\xfe好", "\xef\xbf\xbd\xef\xbf\xbd好"); /* invalid bytes → U+FFFD */
    /* Past U+10FFFF, a surrogate, an overlong NUL: U+FFFD per byte (fuzz_classify). */
    norm("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    norm("\xed\xa0\x80" "a", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "a");
    norm("\xc0\x80", "\xef\xbf\xbd\xef\xbf\xbd");
    norm("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"); /* a valid 4-byte character stays */
}

/* Two labels told apart by their words, and noise shared by both. */
static const char *const A[] = {"路灯坏了", "道路破损", "小区物业", "下水道堵塞", "违章建筑"};
static const char *const B[] = {"学校收费", "老师补课", "幼儿园入学", "校车超载", "学生宿舍"};

struct toy {
    char *text[201];
    int label[201];
    size_t n;
};

static void toy_make(struct toy *t)
{
    t->n = 0;
    for (int i = 0; i < 100; i++) {
        char buf[128];
        snprintf(buf, sizeof(buf), "标题%d\n请领导关注%s的问题，第%d次反映", i, A[i % 5], i);
        t->text[t->n] = strdup(buf);
        t->label[t->n++] = 0;
        snprintf(buf, sizeof(buf), "标题%d\n请领导关注%s的问题，第%d次反映", i, B[i % 5], i);
        t->text[t->n] = strdup(buf);
        t->label[t->n++] = 1;
    }
}

static void toy_free(struct toy *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->text[i]);
}

static const char *const LABELS[] = {"城乡建设", "教育文体"};
static const char *const CODES[] = {"C01", "C03"};

static struct xt_classifier *toy_model(struct toy *t)
{
    struct xt_classify_params p;
    xt_classify_params_init(&p);
    p.hash_bits = 14;
    struct xt_classify_data d = {(const char **)t->text, t->label, t->n, (const char **)LABELS, 2};
    struct xt_classifier *m = NULL;
    struct xt_error err;
    assert_int_equal(xt_classifier_train(&d, CODES, &p, &m, &err), 0);
    return m;
}

static void test_learns_toy_signal(void **state)
{
    (void)state;
    struct toy t;
    toy_make(&t);
    struct xt_classifier *m = toy_model(&t);
    struct xt_prediction p;
    xt_classifier_predict(m, "新的反映\n小区路灯坏了没人修", &p);
    assert_int_equal(p.label, 0);
    assert_string_equal(xt_classifier_code(m, p.label), "C01");
    assert_true(p.confidence > 0.5 && p.confidence <= 1.0);
    xt_classifier_predict(m, "新的反映\n学校乱收费，老师补课", &p);
    assert_int_equal(p.label, 1);
    assert_string_equal(xt_classifier_label(m, p.label), "教育文体");
    double pr[2];
    xt_classifier_probs(m, "无关的话", pr);
    assert_true(pr[0] + pr[1] > 0.999 && pr[0] + pr[1] < 1.001);
    xt_classifier_free(m);
    toy_free(&t);
}

static void test_crossval_counts(void **state)
{
    (void)state;
    struct toy t;
    toy_make(&t);
    struct xt_classify_data d = {(const char **)t.text, t.label, t.n, (const char **)LABELS, 2};
    int fold[200];
    xt_classify_folds(&d, 5, 7, fold);
    /* Stratified: each fold holds 20 of each label. */
    for (int f = 0; f < 5; f++) {
        int c[2] = {0, 0};
        for (size_t i = 0; i < t.n; i++)
            if (fold[i] == f)
                c[t.label[i]]++;
        assert_int_equal(c[0], 20);
        assert_int_equal(c[1], 20);
    }
    struct xt_classify_params p;
    xt_classify_params_init(&p);
    p.hash_bits = 14;
    struct xt_classify_eval e;
    struct xt_error err;
    assert_int_equal(xt_classify_crossval(&d, fold, 5, &p, &e, &err), 0);
    long sum = 0, bins = 0;
    for (int i = 0; i < 4; i++)
        sum += e.confusion[i];
    for (int b = 0; b < 10; b++)
        bins += e.bin_n[b];
    assert_int_equal(sum, 200);
    assert_int_equal(e.n, 200);
    assert_int_equal(bins, 200);
    assert_true(e.accuracy > 0.95);
    assert_true(e.macro_f1 > 0.95);
    assert_int_equal(e.support[0], 100);
    /* The out-of-fold margins are the ones scored: their argmax gives the
     * same accuracy as the confusion matrix. */
    assert_non_null(e.margins);
    long right = 0;
    for (size_t i = 0; i < t.n; i++)
        right += (e.margins[i * 2 + 1] > e.margins[i * 2]) == (t.label[i] == 1);
    assert_true(fabs((double)right / (double)t.n - e.accuracy) < 1e-12);
    xt_classify_eval_release(&e);
    assert_null(e.margins);
    toy_free(&t);
}

static void test_model_round_trip_and_refusals(void **state)
{
    (void)state;
    struct toy t;
    toy_make(&t);
    struct xt_classifier *m = toy_model(&t);
    struct xt_buf b;
    xt_buf_init(&b, 0);
    assert_int_equal(xt_classifier_encode(m, &b), 0);
    struct xt_classifier *m2 = NULL;
    struct xt_error err;
    assert_int_equal(xt_classifier_decode(b.data, b.len, &m2, &err), 0);
    assert_int_equal(xt_classifier_n_labels(m2), 2);
    assert_string_equal(xt_classifier_code(m2, 1), "C03");
    for (size_t i = 0; i < t.n; i += 17) {
        struct xt_prediction p1, p2;
        xt_classifier_predict(m, t.text[i], &p1);
        xt_classifier_predict(m2, t.text[i], &p2);
        assert_int_equal(p1.label, p2.label);
        assert_true(p1.confidence == p2.confidence);
    }
    xt_classifier_free(m2);

    /* One flipped byte: the checksum refuses it. */
    b.data[b.len / 2] ^= 1;
    assert_int_equal(xt_classifier_decode(b.data, b.len, &m2, &err), XT_EINVAL);
    assert_non_null(strstr(err.message, "checksum"));
    b.data[b.len / 2] ^= 1;
    /* Truncated. */
    assert_int_equal(xt_classifier_decode(b.data, b.len - 100, &m2, &err), XT_EINVAL);
    /* Another format version (bytes 8..11, little-endian). */
    b.data[8] = 9;
    assert_int_equal(xt_classifier_decode(b.data, b.len, &m2, &err), XT_EINVAL);
    assert_non_null(strstr(err.message, "version 9"));
    /* Not a model at all. */
    assert_int_equal(xt_classifier_decode("hello world, not a model", 24, &m2, &err), XT_EINVAL);
    assert_non_null(strstr(err.message, "not a xietong classifier"));
    assert_null(m2);
    xt_buf_release(&b);
    xt_classifier_free(m);
    xt_classifier_free(NULL);
    toy_free(&t);
}

/* The feature weights and the NBSVM settings travel in the model file
 * (format 2), and a model of format 1 is refused by name. */
static void test_model_keeps_feature_weights(void **state)
{
    (void)state;
    struct toy t;
    toy_make(&t);
    struct xt_classify_params p;
    xt_classify_params_init(&p);
    p.hash_bits = 14;
    p.ngram_max = 3;
    p.long_weight = 0.5;
    p.title_weight = 1.5;
    p.nb_alpha = 0.5;
    p.mix = 0.25;
    struct xt_classify_data d = {(const char **)t.text, t.label, t.n, (const char **)LABELS, 2};
    struct xt_classifier *m = NULL, *m2 = NULL;
    struct xt_error err;
    assert_int_equal(xt_classifier_train(&d, CODES, &p, &m, &err), 0);
    struct xt_buf b;
    xt_buf_init(&b, 0);
    assert_int_equal(xt_classifier_encode(m, &b), 0);
    assert_int_equal(xt_classifier_decode(b.data, b.len, &m2, &err), 0);
    const struct xt_classify_params *q = xt_classifier_params(m2);
    assert_int_equal(q->ngram_max, 3);
    assert_true(q->long_weight == 0.5);
    assert_true(q->title_weight == 1.5);
    assert_true(q->nb_alpha == 0.5);
    assert_true(q->mix == 0.25);
    /* The weights change what the model reads, so the decoded model must
     * apply them: same margins on every text. */
    for (size_t i = 0; i < t.n; i += 13) {
        struct xt_prediction p1, p2;
        xt_classifier_predict(m, t.text[i], &p1);
        xt_classifier_predict(m2, t.text[i], &p2);
        assert_int_equal(p1.label, p2.label);
        assert_true(p1.margin == p2.margin);
        assert_int_equal(p1.label, t.label[i]);
    }
    xt_classifier_free(m2);
    m2 = NULL;
    /* A model of format 1 (before these fields) is refused, not misread. */
    b.data[8] = 1;
    assert_int_equal(xt_classifier_decode(b.data, b.len, &m2, &err), XT_EINVAL);
    assert_non_null(strstr(err.message, "version 1"));
    assert_non_null(strstr(err.message, "retrain"));
    assert_null(m2);
    xt_buf_release(&b);
    xt_classifier_free(m);
    toy_free(&t);
}

/* NBSVM scales the features per class, so it learns a different model
 * than the plain SVM; bad settings are refused naming the field. */
static void test_nbsvm_params(void **state)
{
    (void)state;
    struct toy t;
    toy_make(&t);
    struct xt_classify_data d = {(const char **)t.text, t.label, t.n, (const char **)LABELS, 2};
    struct xt_classify_params p;
    xt_classify_params_init(&p);
    p.hash_bits = 14;
    assert_true(p.nb_alpha > 0); /* on by default */
    struct xt_classifier *a = NULL, *b = NULL;
    struct xt_error err;
    assert_int_equal(xt_classifier_train(&d, CODES, &p, &a, &err), 0);
    p.nb_alpha = 0;
    assert_int_equal(xt_classifier_train(&d, CODES, &p, &b, &err), 0);
    struct xt_prediction pa, pb;
    xt_classifier_predict(a, t.text[0], &pa);
    xt_classifier_predict(b, t.text[0], &pb);
    assert_int_equal(pa.label, pb.label);
    assert_true(pa.margin != pb.margin);
    xt_classifier_free(a);
    xt_classifier_free(b);
    struct xt_classifier *m = NULL;
    p.nb_alpha = -1;
    assert_int_equal(xt_classifier_train(&d, CODES, &p, &m, &err), XT_EINVAL);
    assert_string_equal(err.field, "nb");
    p.nb_alpha = 1;
    p.mix = 2;
    assert_int_equal(xt_classifier_train(&d, CODES, &p, &m, &err), XT_EINVAL);
    assert_string_equal(err.field, "mix");
    p.mix = 0;
    p.long_weight = -0.5;
    assert_int_equal(xt_classifier_train(&d, CODES, &p, &m, &err), XT_EINVAL);
    assert_string_equal(err.field, "long-weight");
    assert_null(m);
    toy_free(&t);
}


/* The neighbours: a message that is a near copy of a training message
 * takes that message's label even where the linear model, which cannot
 * afford one exception, says otherwise; the index travels in the model
 * file and a damaged one is refused. */
static void test_neighbours(void **state)
{
    (void)state;
    struct toy t;
    toy_make(&t);
    /* One exception: a message made of label 0's words, labelled 1. */
    const char *odd = "标题7\n请领导关注路灯坏了道路破损小区物业下水道堵塞违章建筑的问题，第7次反映";
    t.text[t.n] = strdup(odd);
    t.label[t.n++] = 1;
    struct xt_classify_data d = {(const char **)t.text, t.label, t.n, (const char **)LABELS, 2};
    struct xt_classify_params p;
    xt_classify_params_init(&p);
    p.hash_bits = 14;
    p.c = 0.05; /* strongly regularised: no weight to spare for one exception */
    assert_true(p.knn > 0); /* on by default */
    p.knn = 0;
    struct xt_classifier *lin = NULL, *m = NULL, *m2 = NULL;
    struct xt_error err;
    assert_int_equal(xt_classifier_train(&d, CODES, &p, &lin, &err), 0);
    struct xt_prediction pr;
    xt_classifier_predict(lin, odd, &pr);
    assert_int_equal(pr.label, 0); /* the premise: the margins alone miss it */
    p.knn = 1;
    p.knn_gate = 0; /* always ask the neighbours */
    p.knn_weight = 10;
    p.knn_df = 0.2;
    assert_int_equal(xt_classifier_train(&d, CODES, &p, &m, &err), 0);
    xt_classifier_predict(m, odd, &pr);
    assert_int_equal(pr.label, 1);
    /* A message sharing no rare n-gram with the exception keeps its label. */
    xt_classifier_predict(m, t.text[0], &pr);
    assert_int_equal(pr.label, t.label[0]);

    struct xt_buf b;
    xt_buf_init(&b, 0);
    assert_int_equal(xt_classifier_encode(m, &b), 0);
    assert_int_equal(xt_classifier_decode(b.data, b.len, &m2, &err), 0);
    assert_int_equal(xt_classifier_params(m2)->knn, 1);
    for (size_t i = 0; i < t.n; i += 7) {
        struct xt_prediction p1, p2;
        xt_classifier_predict(m, t.text[i], &p1);
        xt_classifier_predict(m2, t.text[i], &p2);
        assert_int_equal(p1.label, p2.label);
        assert_true(p1.margin == p2.margin);
    }
    xt_classifier_predict(m2, odd, &pr);
    assert_int_equal(pr.label, 1);
    xt_classifier_free(m2);
    m2 = NULL;
    /* The last posting names a document the index does not have; the
     * checksum is made to match, so only the index check can refuse it. */
    size_t body = b.len - 64;
    memset(b.data + body - 8, 0xff, 4);
    char hex[65];
    xt_sha256_hex(b.data, body, hex);
    memcpy(b.data + body, hex, 64);
    assert_int_equal(xt_classifier_decode(b.data, b.len, &m2, &err), XT_EINVAL);
    assert_non_null(strstr(err.message, "neighbour index"));
    assert_null(m2);
    xt_buf_release(&b);

    /* Bad settings are refused naming the field. */
    p.knn = 51;
    assert_int_equal(xt_classifier_train(&d, CODES, &p, &m2, &err), XT_EINVAL);
    assert_string_equal(err.field, "knn");
    p.knn = 10;
    p.knn_df = 0;
    assert_int_equal(xt_classifier_train(&d, CODES, &p, &m2, &err), XT_EINVAL);
    assert_string_equal(err.field, "knn-df");
    p.knn_df = 0.08;
    p.knn_gate = -1;
    assert_int_equal(xt_classifier_train(&d, CODES, &p, &m2, &err), XT_EINVAL);
    assert_string_equal(err.field, "knn-gate");
    p.knn_gate = 1;
    p.knn_terms = 5000;
    assert_int_equal(xt_classifier_train(&d, CODES, &p, &m2, &err), XT_EINVAL);
    assert_string_equal(err.field, "knn-terms");
    p.knn_terms = 96;
    p.knn_weight = 11;
    assert_int_equal(xt_classifier_train(&d, CODES, &p, &m2, &err), XT_EINVAL);
    assert_string_equal(err.field, "knn-weight");
    assert_null(m2);
    xt_classifier_free(m);
    xt_classifier_free(lin);
    toy_free(&t);
}


/* Cross-validation scores a fold with the neighbour index of the other
 * folds, read from the corpus; prediction reads the same index through
 * the model's rows. Both must give the same scores: a model trained on
 * the other folds predicts the held-out fold's messages as the
 * cross-validation scored them. */
static void test_neighbours_same_in_crossval(void **state)
{
    (void)state;
    struct toy t;
    toy_make(&t);
    /* Some messages that mix the two labels' words, so the neighbours
     * matter and the gate is open. */
    for (size_t i = 0; i < t.n; i += 9) {
        char buf[160];
        snprintf(buf, sizeof(buf), "标题%zu\n请领导关注%s和%s的问题，第%zu次", i, A[i % 5],
                 B[(i / 9) % 5], i);
        free(t.text[i]);
        t.text[i] = strdup(buf);
    }
    struct xt_classify_data d = {(const char **)t.text, t.label, t.n, (const char **)LABELS, 2};
    struct xt_classify_params p;
    xt_classify_params_init(&p);
    p.hash_bits = 14;
    p.knn_gate = 0;
    p.knn_terms = 8; /* fewer than a message has: the heaviest are chosen */
    p.knn_df = 0.3;
    int fold[200];
    xt_classify_folds(&d, 2, 11, fold);
    struct xt_classify_eval e;
    struct xt_error err;
    assert_int_equal(xt_classify_crossval(&d, fold, 2, &p, &e, &err), 0);
    /* Fold 1 held out: train on fold 0 only, in the same order. */
    const char *text[200];
    int label[200];
    size_t n = 0;
    for (size_t i = 0; i < t.n; i++)
        if (fold[i] == 0) {
            text[n] = t.text[i];
            label[n++] = t.label[i];
        }
    struct xt_classify_data d0 = {text, label, n, (const char **)LABELS, 2};
    struct xt_classifier *m = NULL;
    assert_int_equal(xt_classifier_train(&d0, CODES, &p, &m, &err), 0);
    int compared = 0;
    for (size_t i = 0; i < t.n; i++) {
        if (fold[i] != 1)
            continue;
        struct xt_prediction pr;
        xt_classifier_predict(m, t.text[i], &pr);
        double best = e.margins[i * 2 + (size_t)pr.label];
        assert_true(fabs(pr.margin - best) < 1e-4);
        assert_true(e.margins[i * 2 + (size_t)pr.label] >= e.margins[i * 2 + (size_t)(1 - pr.label)]);
        compared++;
    }
    assert_int_equal(compared, 100);
    xt_classifier_free(m);
    xt_classify_eval_release(&e);
    toy_free(&t);
}

static void test_refuses_one_label(void **state)
{
    (void)state;
    const char *text[] = {"a", "b", "c"};
    int label[] = {0, 0, 0};
    struct xt_classify_data d = {text, label, 3, (const char **)LABELS, 2};
    struct xt_classify_params p;
    xt_classify_params_init(&p);
    struct xt_classifier *m = NULL;
    struct xt_error err;
    assert_int_equal(xt_classifier_train(&d, NULL, &p, &m, &err), XT_EINVAL);
    assert_string_equal(err.field, "data");
    assert_null(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_learns_toy_signal),
        cmocka_unit_test(test_crossval_counts),
        cmocka_unit_test(test_model_round_trip_and_refusals),
        cmocka_unit_test(test_model_keeps_feature_weights),
        cmocka_unit_test(test_nbsvm_params),
        cmocka_unit_test(test_neighbours),
        cmocka_unit_test(test_neighbours_same_in_crossval),
        cmocka_unit_test(test_refuses_one_label),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
