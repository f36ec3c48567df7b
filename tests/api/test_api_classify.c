/* test_api_classify.c - auto-dispatch through the API: a model trained by
 * the CLI into the data directory is loaded by the server, a created
 * ticket carries the suggested category, handler and confidence, a
 * similar request in the same village is offered as a duplicate, an
 * operator's different dispatch is stored as an override that training
 * can read back, and the hot issues of the month group the similar
 * requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "apiclient.h"
#include "testdb.h"

static struct api_server srv;
static char dir[64];
static char tok[API_ACCOUNT_COUNT][128];

#define T(account) tok[API_##account]

/* A small training set with a signal a linear model must learn: street
 * lights, roads and property management are 城乡建设 (C01); schools and
 * teachers are 教育文体 (C03). */
static const char *const HOUSING[] = {
    "小区路灯坏了很久没人修", "道路破损坑洼影响出行", "物业不作为小区垃圾堆积",
    "小区路灯晚上不亮", "村里道路硬化没有完成", "物业收费过高服务差",
    "小区下水道堵塞污水外溢", "路灯杆倒在路边", "违章建筑占用小区绿地",
    "小区电梯经常故障物业不管",
};
static const char *const SCHOOL[] = {
    "学校食堂饭菜质量差", "老师课后乱收补课费", "幼儿园入学名额不够",
    "学校校车超载", "教师工资拖欠学校不管", "孩子上学路远学校太少",
    "学校操场年久失修", "中学违规补课收费", "小学招生划片不公平",
    "学校宿舍条件太差",
};

static int write_training(const char *path)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    fprintf(fp, "title,text,label\n");
    for (int r = 0; r < 3; r++)
        for (size_t i = 0; i < sizeof(HOUSING) / sizeof(HOUSING[0]); i++) {
            fprintf(fp, "%s,%s，请尽快处理。,城乡建设\n", HOUSING[i], HOUSING[i]);
            fprintf(fp, "%s,%s，请尽快解决。,教育文体\n", SCHOOL[i], SCHOOL[i]);
        }
    return fclose(fp);
}

static int setup(void **state)
{
    (void)state;
    if (api_data_prepare(dir, sizeof(dir)))
        return -1;
    char csv[128], model_dir[128], model[160];
    snprintf(csv, sizeof(csv), "%s/train.csv", dir);
    snprintf(model_dir, sizeof(model_dir), "%s/classify", dir);
    snprintf(model, sizeof(model), "%s/category.model", model_dir);
    char map[512];
    snprintf(map, sizeof(map), "%s/data/reference/classify_category_map.csv", XT_SOURCE_DIR);
    char *train[] = {"xietong", "classify", "train", "--data", csv, "--map", map,
                     "--hash-bits", "14", "--out", model, NULL};
    if (write_training(csv) || mkdir(model_dir, 0700) || api_cli(train) != 0 ||
        api_server_start(&srv, dir) ||
        api_login_accounts(&srv, (1u << API_OPERATOR) | (1u << API_RESIDENT) | (1u << API_GRID_AC) |
                                     (1u << API_COMMAND),
                           tok)) {
        api_fixture_finish(&srv, dir);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fixture_finish(&srv, dir);
    return 0;
}

static char first_number[32], second_number[32];

static struct json_object *create(const char *token, const char *text, const char *grid)
{
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"text\": \"%s\", \"type\": \"complaint\", \"location\": {\"unit\": \"%s\"}}", text,
             grid);
    return api_expect(&srv, 201, "POST", token, NULL, body, "/api/v1/tickets");
}

static void test_suggestion_at_intake(void **state)
{
    (void)state;
    struct json_object *t = create(T(OPERATOR), "我们小区的路灯坏了两个月，晚上道路很黑，物业不管",
                                   API_GRID);
    assert_non_null(t);
    snprintf(first_number, sizeof(first_number), "%s", api_json_str(t, "number"));
    assert_string_equal(api_json_str(t, "suggestion.category"), "C01");
    assert_string_equal(api_json_str(t, "suggestion.handler.code"), API_HOUSING);
    double conf = api_json_num(t, "suggestion.confidence", -1);
    assert_true(conf > 0.5 && conf <= 1.0);
    assert_int_equal(api_json_bool(t, "suggestion.operator_decides"), conf < 0.6 ? 1 : 0);
    /* The operator has not chosen: the ticket itself has no category yet. */
    assert_true(api_json_is_null(t, "category") || !api_json_str(t, "category.code") ||
                strcmp(api_json_str(t, "category.code"), "") == 0);
    assert_int_equal(api_json_len(t, "suggestion.duplicates"), 0);
    json_object_put(t);

    struct json_object *s = create(T(OPERATOR), "学校老师违规补课收费，家长负担重", API_GRID);
    assert_non_null(s);
    assert_string_equal(api_json_str(s, "suggestion.category"), "C03");
    json_object_put(s);

    /* Read back: the same suggestion from storage. */
    struct json_object *g =
        api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL, "/api/v1/tickets/%s", first_number);
    assert_non_null(g);
    assert_string_equal(api_json_str(g, "suggestion.category"), "C01");
    assert_true(api_json_num(g, "suggestion.confidence", -1) == conf);
    json_object_put(g);
}

static void test_duplicate_offered(void **state)
{
    (void)state;
    struct json_object *t =
        create(T(OPERATOR), "小区的路灯坏了两个月了，晚上道路很黑，物业一直不管", API_GRID);
    assert_non_null(t);
    snprintf(second_number, sizeof(second_number), "%s", api_json_str(t, "number"));
    assert_true(api_json_len(t, "suggestion.duplicates") >= 1);
    assert_string_equal(api_json_str(t, "suggestion.duplicates.0.number"), first_number);
    double sim = api_json_num(t, "suggestion.duplicates.0.similarity", -1);
    assert_true(sim >= 0.35 && sim <= 1.0);
    assert_int_equal(api_json_bool(t, "suggestion.duplicates.0.same_grid"), 1);
    json_object_put(t);

    /* Another village: not offered. */
    struct json_object *o =
        create(T(OPERATOR), "小区的路灯坏了两个月了，晚上道路很黑，物业一直不管", API_GRID2);
    assert_non_null(o);
    assert_int_equal(api_json_len(o, "suggestion.duplicates"), 0);
    json_object_put(o);

    /* A resident filing the same is not shown other people's requests. */
    struct json_object *r =
        create(T(RESIDENT), "小区的路灯坏了两个月了，晚上道路很黑，物业一直不管", API_GRID);
    assert_non_null(r);
    assert_int_equal(api_json_len(r, "suggestion.duplicates"), 0);
    json_object_put(r);

    /* The merge the console offers works on the candidate. */
    char body[128];
    snprintf(body, sizeof(body), "{\"into\": \"%s\"}", first_number);
    struct json_object *m = api_expect(&srv, 200, "POST", T(OPERATOR), NULL, body,
                                       "/api/v1/tickets/%s/merge", second_number);
    assert_non_null(m);
    assert_string_equal(api_json_str(m, "state"), "merged");
    json_object_put(m);

    /* Merged, it is no longer open: a later copy is offered the first
     * ticket only (the second was seen open before, by the same server). */
    struct json_object *l =
        create(T(OPERATOR), "小区的路灯坏了两个月了，晚上道路很黑，物业一直不管", API_GRID);
    assert_non_null(l);
    bool first = false;
    for (long i = 0; i < api_json_len(l, "suggestion.duplicates"); i++) {
        char path[64];
        snprintf(path, sizeof(path), "suggestion.duplicates.%ld.number", i);
        assert_string_not_equal(api_json_str(l, path), second_number);
        first = first || strcmp(api_json_str(l, path), first_number) == 0;
    }
    assert_true(first);
    json_object_put(l);
}

/* Tickets keep their text signature, and a ticket stored without one
 * (before migration 9, or by a bulk load) is still compared by its text. */
static void test_duplicate_without_signature(void **state)
{
    (void)state;
    const char *text = "村口的自来水管破裂了，水流了一地，一直没有人来修";
    struct json_object *a = create(T(OPERATOR), text, API_GRID);
    assert_non_null(a);
    char number[32], sql[160], out[32];
    snprintf(number, sizeof(number), "%s", api_json_str(a, "number"));
    json_object_put(a);
    snprintf(sql, sizeof(sql), "SELECT length(text_sig) FROM tickets WHERE number = '%s'", number);
    assert_int_equal(xt_testdb_exec(dir, sql, out, sizeof(out)), 0);
    assert_string_equal(out, "256");
    snprintf(sql, sizeof(sql), "UPDATE tickets SET text_sig = NULL WHERE number = '%s'", number);
    assert_int_equal(xt_testdb_exec(dir, sql, NULL, 0), 0);

    struct json_object *b = create(T(OPERATOR), text, API_GRID);
    assert_non_null(b);
    assert_true(api_json_len(b, "suggestion.duplicates") >= 1);
    assert_string_equal(api_json_str(b, "suggestion.duplicates.0.number"), number);
    assert_true(api_json_num(b, "suggestion.duplicates.0.similarity", -1) == 1.0);
    char second[32];
    snprintf(second, sizeof(second), "%s", api_json_str(b, "number"));
    json_object_put(b);

    /* A GET reads the village only when asked to. */
    struct json_object *g =
        api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL, "/api/v1/tickets/%s", second);
    assert_non_null(g);
    assert_int_equal(api_json_len(g, "suggestion.duplicates"), -1);
    json_object_put(g);
    g = api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL,
                   "/api/v1/tickets/%s?duplicates=true", second);
    assert_non_null(g);
    assert_string_equal(api_json_str(g, "suggestion.duplicates.0.number"), number);
    json_object_put(g);
    struct api_resp r;
    assert_int_equal(api_call(&srv, "GET", T(OPERATOR), NULL, NULL, &r,
                              "/api/v1/tickets/%s?duplicates=yes", second),
                     0);
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "duplicates");
    api_resp_release(&r);
}

/* A candidate outside the caller's area is not shown: a grid worker does
 * not see the request of the next grid of the same village, the operator
 * of the county does. */
static void test_duplicate_scope(void **state)
{
    (void)state;
    const char *text = "学校门口的减速带被压坏了，车辆开得很快，孩子过马路很危险";
    struct json_object *a = create(T(OPERATOR), text, API_VILLAGE "002");
    assert_non_null(a);
    char number[32];
    snprintf(number, sizeof(number), "%s", api_json_str(a, "number"));
    json_object_put(a);

    struct json_object *g = create(T(GRID_AC), text, API_GRID);
    assert_non_null(g);
    assert_int_equal(api_json_len(g, "suggestion.duplicates"), 0);
    json_object_put(g);

    struct json_object *o = create(T(OPERATOR), text, API_GRID);
    assert_non_null(o);
    bool seen = false;
    for (long i = 0; i < api_json_len(o, "suggestion.duplicates"); i++) {
        char path[64];
        snprintf(path, sizeof(path), "suggestion.duplicates.%ld.number", i);
        seen = seen || strcmp(api_json_str(o, path), number) == 0;
    }
    assert_true(seen);
    json_object_put(o);
}

static void test_override_stored_and_trainable(void **state)
{
    (void)state;
    /* Dispatch the street-light ticket as a dispute to the township: not
     * what the classifier suggested. */
    char body[128];
    snprintf(body, sizeof(body), "{\"handler\": \"%s\", \"category\": \"C16\"}", API_TOWN);
    struct json_object *d = api_expect(&srv, 200, "POST", T(OPERATOR), NULL, body,
                                       "/api/v1/tickets/%s/dispatch", first_number);
    assert_non_null(d);
    json_object_put(d);
    assert_int_equal(api_server_stop(&srv), 0);

    /* Retrain with the override: one more example, labelled C16. */
    char csv[128], out[160];
    snprintf(csv, sizeof(csv), "%s/train.csv", dir);
    snprintf(out, sizeof(out), "%s/retrained.model", dir);
    char *train[] = {"xietong", "classify", "train", "--data", csv, "--overrides", dir,
                     "--hash-bits", "14", "--out", out, NULL};
    assert_int_equal(api_cli(train), 0);
    struct stat st;
    assert_int_equal(stat(out, &st), 0);
    /* The model now knows three labels: its file is larger than the
     * two-label one by one more column of weights. */
    char first[160];
    snprintf(first, sizeof(first), "%s/classify/category.model", dir);
    struct stat st1;
    assert_int_equal(stat(first, &st1), 0);
    assert_true(st.st_size > st1.st_size + (1 << 14) * 4 - 1);
    assert_int_equal(api_server_start(&srv, dir), 0);
    assert_int_equal(api_login_accounts(&srv, (1u << API_OPERATOR) | (1u << API_COMMAND), tok),
                     0);
}

static void test_hot_issues(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        char text[256];
        snprintf(text, sizeof(text), "幸福小区%d栋门口的垃圾站臭气熏天，垃圾好几天没人清运", i + 1);
        struct json_object *t = create(T(OPERATOR), text, i == 2 ? API_GRID2 : API_GRID);
        assert_non_null(t);
        json_object_put(t);
    }
    struct json_object *h = api_expect(&srv, 200, "GET", T(COMMAND), NULL, NULL,
                                       "/api/v1/hot-issues?unit=%s", API_PREFECTURE);
    assert_non_null(h);
    assert_true(api_json_len(h, "issues") >= 1);
    /* The three garbage complaints form one issue over two grids. */
    bool found = false;
    for (long i = 0; i < api_json_len(h, "issues"); i++) {
        char path[64];
        snprintf(path, sizeof(path), "issues.%ld.title", i);
        const char *title = api_json_str(h, path);
        if (title && strstr(title, "垃圾站")) {
            snprintf(path, sizeof(path), "issues.%ld.size", i);
            assert_int_equal(api_json_int(h, path, 0), 3);
            snprintf(path, sizeof(path), "issues.%ld.grids", i);
            assert_int_equal(api_json_int(h, path, 0), 2);
            found = true;
        }
    }
    assert_true(found);
    json_object_put(h);

    struct api_resp r;
    assert_int_equal(api_call(&srv, "GET", T(COMMAND), NULL, NULL, &r,
                              "/api/v1/hot-issues?period=2026-13"),
                     0);
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "period");
    api_resp_release(&r);
}

/* classify eval --margins-out: one row per message with its fold, its label
 * and a margin per label, the ones the cross-validation scored. */
static void test_eval_margins_out(void **state)
{
    (void)state;
    char csv[128], out[160], bad[160];
    snprintf(csv, sizeof(csv), "%s/train.csv", dir);
    snprintf(out, sizeof(out), "%s/margins.csv", dir);
    snprintf(bad, sizeof(bad), "%s/no-such-dir/margins.csv", dir);
    char *eval[] = {"xietong", "classify", "eval", "--data", csv, "--folds", "3",
                    "--hash-bits", "14", "--margins-out", out, NULL};
    assert_int_equal(api_cli(eval), 0);
    FILE *fp = fopen(out, "r");
    assert_non_null(fp);
    char line[512];
    assert_non_null(fgets(line, sizeof(line), fp));
    assert_string_equal(line, "row,fold,label,\"城乡建设\",\"教育文体\"\n");
    size_t rows = 0, right = 0;
    while (fgets(line, sizeof(line), fp)) {
        size_t row;
        int fold;
        char label[64];
        double m0, m1;
        assert_int_equal(sscanf(line, "%zu,%d,\"%63[^\"]\",%lf,%lf", &row, &fold, label, &m0, &m1),
                         5);
        assert_int_equal(row, rows);
        assert_true(fold >= 0 && fold < 3);
        right += strcmp(label, m0 > m1 ? "城乡建设" : "教育文体") == 0;
        rows++;
    }
    fclose(fp);
    size_t n = 3 * 2 * (sizeof(HOUSING) / sizeof(HOUSING[0]));
    assert_int_equal(rows, n);
    assert_true(right * 10 >= n * 9);
    /* A path that cannot be written fails before the run. */
    char *eval_bad[] = {"xietong", "classify", "eval", "--data", csv, "--folds", "3",
                        "--hash-bits", "14", "--margins-out", bad, NULL};
    assert_int_not_equal(api_cli(eval_bad), 0);
}

static void test_bad_model_refused(void **state)
{
    (void)state;
    assert_int_equal(api_server_stop(&srv), 0);
    char model[160];
    snprintf(model, sizeof(model), "%s/classify/category.model", dir);
    /* Flip one byte in the middle: the checksum no longer matches. */
    FILE *fp = fopen(model, "r+b");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 4000, SEEK_SET), 0);
    int c = fgetc(fp);
    assert_int_equal(fseek(fp, 4000, SEEK_SET), 0);
    fputc(c ^ 0x5a, fp);
    assert_int_equal(fclose(fp), 0);
    char *serve[] = {"xietong", "serve", "--data", dir, "--port", "0", NULL};
    assert_int_not_equal(api_cli(serve), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suggestion_at_intake),
        cmocka_unit_test(test_duplicate_offered),
        cmocka_unit_test(test_duplicate_without_signature),
        cmocka_unit_test(test_duplicate_scope),
        cmocka_unit_test(test_override_stored_and_trainable),
        cmocka_unit_test(test_hot_issues),
        cmocka_unit_test(test_eval_margins_out),
        cmocka_unit_test(test_bad_model_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
