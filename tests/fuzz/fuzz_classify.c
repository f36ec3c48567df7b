/* fuzz_classify.c - the text classifier (src/core/classify.c) on arbitrary
 * bytes: normalisation (full-width folding, masks, digit runs, invalid
 * UTF-8) and prediction with a small model trained at start, every
 * prediction also searching the neighbour index.
 *
 * Invariants: normalisation writes at most what it was given room for and
 * its text form is valid UTF-8; a prediction names a label of the model
 * with a confidence in 0..1, and the probabilities sum to 1. */
#include "fuzzsupport.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/classify.h"
#include "lib/utf8.h"

static struct xt_classifier *model;

static const char *texts[] = {
    "小区路灯坏了，晚上很黑", "村口道路坑洼，下雨积水", "楼道里的灯不亮了",
    "马路上有个大坑，车辆颠簸", "邻居装修噪音太大，晚上十点还在施工", "广场舞音响声音太吵",
    "工地夜间施工噪音扰民", "酒吧音乐声很大影响休息", "拖欠工资三个月没发",
    "老板不给结工钱，电话1xx****xxxx", "工厂欠薪，工人讨薪无门", "工程款拖欠农民工工资",
};
static int labels[] = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
static const char *names[] = {"城乡建设", "环境保护", "劳动和社会保障"};
static const char *const codes[] = {"C01", "C02", "C03"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct xt_classify_data d = {texts, labels, sizeof(texts) / sizeof(texts[0]), names, 3};
    struct xt_classify_params p;
    xt_classify_params_init(&p);
    p.hash_bits = 12;
    p.calib_folds = 2;
    p.knn_gate = 0; /* every prediction searches the neighbour index */
    p.knn_df = 0.5;
    struct xt_error err = {0};
    if (xt_classifier_train(&d, codes, &p, &model, &err)) {
        fprintf(stderr, "fuzz_classify: cannot train: %s\n", err.message);
        abort();
    }
    return 0;
}

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_classify: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    static uint32_t cps[4096 + 1];
    size_t max = size % 4096 + 1;
    cps[max] = 0xdeadbeef;
    size_t n = xt_classify_normalise((const char *)data, size, cps, max);
    if (n > max || cps[max] != 0xdeadbeef)
        fail("normalisation wrote past its room");
    for (size_t i = 0; i < n; i++)
        if (cps[i] > 0x10ffff)
            fail("normalisation made a code point out of range");
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char shown[1024];
    xt_classify_normalise_text(text, shown, sizeof(shown));
    if (!memchr(shown, '\0', sizeof(shown)))
        fail("normalised text without its NUL");
    if (!xt_utf8_valid(shown, strlen(shown)))
        fail("normalised text is not valid UTF-8");
    struct xt_prediction pr;
    xt_classifier_predict(model, text, &pr);
    if (pr.label < 0 || pr.label >= xt_classifier_n_labels(model))
        fail("prediction names no label of the model");
    if (!(pr.confidence >= 0 && pr.confidence <= 1) || !isfinite(pr.margin))
        fail("confidence out of 0..1 or margin not finite");
    double probs[XT_CLASSIFY_MAX_CLASSES], sum = 0;
    xt_classifier_probs(model, text, probs);
    for (int i = 0; i < xt_classifier_n_labels(model); i++)
        sum += probs[i];
    if (!(fabs(sum - 1) < 1e-6))
        fail("probabilities do not sum to 1");
    free(text);
    return 0;
}
