/* test_hotissue.c - core/hotissue.c: shingles and Jaccard, and clustering
 * of constructed near-duplicates among unrelated requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "core/hotissue.h"

static double sim(const char *a, const char *b)
{
    uint32_t *x, *y;
    size_t nx, ny;
    assert_int_equal(xt_shingles(a, 400, &x, &nx), 0);
    assert_int_equal(xt_shingles(b, 400, &y, &ny), 0);
    double j = xt_jaccard(x, nx, y, ny);
    free(x);
    free(y);
    return j;
}

static void test_jaccard(void **state)
{
    (void)state;
    assert_true(sim("小区路灯坏了", "小区路灯坏了") == 1.0);
    /* Punctuation, width and spaces do not count. */
    assert_true(sim("小区路灯坏了！", "小区 路灯，坏了") == 1.0);
    assert_true(sim("小区路灯坏了两个月", "学校食堂饭菜太差") == 0.0);
    double j = sim("幸福小区门口垃圾站臭气熏天", "幸福小区门口的垃圾站臭气熏天啊");
    assert_true(j > 0.5 && j < 1.0);
    assert_true(sim("", "abc") == 0.0);
}

/* The stored signature estimates the Jaccard similarity: identical texts
 * agree in every bin, and over pairs of a request and its edits (and of
 * unrelated requests) the share of agreeing bins stays near the exact
 * value. */
static void test_signature(void **state)
{
    (void)state;
    char a[XT_TEXT_SIG_HEX + 1], b[XT_TEXT_SIG_HEX + 1];
    assert_int_equal(xt_text_signature("小区路灯坏了两个月，晚上很黑", 400, a), 0);
    assert_int_equal((int)strlen(a), XT_TEXT_SIG_HEX);
    assert_int_equal(xt_text_signature("小区 路灯坏了两个月！晚上很黑", 400, b), 0);
    assert_int_equal(xt_text_signature_agree(a, b), XT_TEXT_SIG_BINS);
    assert_int_equal(xt_text_signature("，。！", 400, b), 0);
    assert_string_equal(b, "");
    assert_int_equal(xt_text_signature_agree(a, b), -1);
    assert_int_equal(xt_text_signature_agree(a, "12ab"), -1);

    static const char *const BASE[] = {
        "幸福小区门口垃圾站臭气熏天，垃圾好几天没人清运，居民意见很大",
        "村里通往镇上的道路坑洼不平，下雨天积水严重，孩子上学很不方便",
        "学校周边小摊贩售卖三无食品，希望有关部门加强管理保护学生健康",
        "小区物业乱收停车费，业主多次反映无果，请相关部门调查处理",
    };
    static const char *const EDIT[] = {"", "紧急！", "，请尽快处理", "再次反映：", "。谢谢"};
    double worst = 0, total = 0;
    int pairs = 0;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            for (int e = 0; e < 5; e++) {
                char x[512], y[512];
                snprintf(x, sizeof(x), "%s", BASE[i]);
                snprintf(y, sizeof(y), "%s%s%s", e % 2 ? EDIT[e] : "", BASE[j],
                         e % 2 ? "" : EDIT[e]);
                if (i == j && e == 4)
                    y[strlen(BASE[j]) / 2] = 0; /* half of it */
                assert_int_equal(xt_text_signature(x, 400, a), 0);
                assert_int_equal(xt_text_signature(y, 400, b), 0);
                double est = xt_text_signature_agree(a, b) / (double)XT_TEXT_SIG_BINS;
                double err = fabs(est - sim(x, y));
                total += err;
                worst = err > worst ? err : worst;
                pairs++;
            }
    assert_true(worst < 0.25);
    assert_true(total / pairs < 0.08);
}

/* The intake signature (hashes taken unsorted, repeats kept) is the
 * signature of the sorted distinct shingles, whatever the text's length
 * and repeats, and with a read limit above the stack buffer. */
static void test_signature_of_text_equals_of_shingles(void **state)
{
    (void)state;
    char big[4096] = "";
    for (int i = 0; i < 60; i++)
        snprintf(big + strlen(big), sizeof(big) - strlen(big), "路灯坏了%d天，", i);
    const char *const TEXTS[] = {
        "小区路灯坏了两个月，晚上很黑", "路灯坏了路灯坏了路灯坏了路灯坏了", "哈哈哈哈哈哈哈哈",
        "ab", "x", "Road 12 lamp BROKEN ｒｏａｄ １２", big,
    };
    static const size_t LIMITS[] = {0, 3, 400, 2000};
    for (size_t i = 0; i < sizeof(TEXTS) / sizeof(*TEXTS); i++)
        for (size_t l = 0; l < sizeof(LIMITS) / sizeof(*LIMITS); l++) {
            char a[XT_TEXT_SIG_HEX + 1], b[XT_TEXT_SIG_HEX + 1];
            uint32_t *sh = NULL;
            size_t n = 0;
            assert_int_equal(xt_text_signature(TEXTS[i], LIMITS[l], a), 0);
            assert_int_equal(xt_shingles(TEXTS[i], LIMITS[l], &sh, &n), 0);
            xt_text_signature_of(sh, n, b);
            free(sh);
            assert_string_equal(a, b);
            assert_int_equal((int)strlen(a), n ? XT_TEXT_SIG_HEX : 0);
        }
}

static const char *const THEMES[] = {
    "五矿万境小区业主反映开发商延期交房并且房屋质量问题严重",
    "幸福路与建设路交叉口红绿灯坏了三天交通混乱",
    "第一中学周边网吧违规接纳未成年人请相关部门查处",
};

static void test_clusters_near_duplicates(void **state)
{
    (void)state;
    /* 3 themes x 6 variants (a prefix, a suffix, one character changed),
     * and 20 unrelated requests. */
    char *texts[38];
    struct xt_hot_item items[38];
    size_t n = 0;
    static const char *const PRE[] = {"", "紧急：", "再次反映", "", "请问", "市民反映"};
    static const char *const SUF[] = {"", "！", "，请尽快处理", "。谢谢", "", "，盼复"};
    for (int t = 0; t < 3; t++)
        for (int v = 0; v < 6; v++) {
            char buf[256];
            snprintf(buf, sizeof(buf), "%s%s%s", PRE[v], THEMES[t], SUF[v]);
            texts[n] = strdup(buf);
            items[n] = (struct xt_hot_item){texts[n], v % 2 ? "G1" : "G2", t == 1 ? 10 : 0,
                                            v == 5};
            n++;
        }
    /* Unrelated requests: 20 random characters of the CJK block each. */
    uint32_t rng = 12345;
    for (int i = 0; i < 20; i++) {
        char buf[128];
        size_t k = 0;
        for (int c = 0; c < 20; c++) {
            rng = rng * 1103515245u + 12345u;
            uint32_t cp = 0x4E00 + (rng >> 8) % 0x5000;
            buf[k++] = (char)(0xE0 | (cp >> 12));
            buf[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            buf[k++] = (char)(0x80 | (cp & 0x3F));
        }
        buf[k] = '\0';
        texts[n] = strdup(buf);
        items[n] = (struct xt_hot_item){texts[n], "G3", 0, false};
        n++;
    }
    struct xt_hot_params p;
    xt_hot_params_init(&p);
    struct xt_hot_cluster *cl;
    size_t ncl;
    struct xt_error err;
    assert_int_equal(xt_hot_cluster(items, n, &p, &cl, &ncl, &err), 0);
    assert_int_equal(ncl, 3);
    for (size_t c = 0; c < ncl; c++) {
        /* 5 current members and 1 of the previous period each. */
        assert_int_equal(cl[c].n, 5);
        assert_int_equal(cl[c].n_prev, 1);
        assert_int_equal(cl[c].places, 2);
        int theme = (int)(cl[c].representative / 6);
        for (size_t q = 0; q < cl[c].n; q++) {
            assert_true(cl[c].members[q] < 18);
            assert_int_equal((int)(cl[c].members[q] / 6), theme);
        }
    }
    /* The supported theme ranks first. */
    assert_int_equal(cl[0].representative / 6, 1);
    assert_int_equal(cl[0].support, 50);
    assert_true(cl[0].score > cl[1].score);
    xt_hot_clusters_free(cl, ncl);

    /* Same place only: each theme splits into its two grids. */
    p.same_place = true;
    assert_int_equal(xt_hot_cluster(items, n, &p, &cl, &ncl, &err), 0);
    assert_int_equal(ncl, 6);
    xt_hot_clusters_free(cl, ncl);

    p.threshold = 2;
    assert_int_equal(xt_hot_cluster(items, n, &p, &cl, &ncl, &err), XT_EINVAL);
    assert_string_equal(err.field, "threshold");
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
}

/* A period without tickets (or with only the previous period's) has no
 * clusters; found by the access matrix under UBSan (qsort of nothing). */
static void test_empty_period(void **state)
{
    (void)state;
    struct xt_hot_params p;
    xt_hot_params_init(&p);
    struct xt_hot_cluster *cl = NULL;
    size_t ncl = 99;
    struct xt_error err;
    assert_int_equal(xt_hot_cluster(NULL, 0, &p, &cl, &ncl, &err), 0);
    assert_int_equal(ncl, 0);
    xt_hot_clusters_free(cl, ncl);
    struct xt_hot_item old = {"去年的路灯坏了很久没人修", "G1", 0, true};
    ncl = 99;
    assert_int_equal(xt_hot_cluster(&old, 1, &p, &cl, &ncl, &err), 0);
    assert_int_equal(ncl, 0);
    xt_hot_clusters_free(cl, ncl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jaccard),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_signature_of_text_equals_of_shingles),
        cmocka_unit_test(test_clusters_near_duplicates),
        cmocka_unit_test(test_empty_period),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
