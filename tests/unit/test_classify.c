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
    char *text[200];
    int label[200];
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
        cmocka_unit_test(test_refuses_one_label),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
