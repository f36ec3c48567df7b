/* test_people.c - the people registry in the store: import with linkage,
 * idempotence, conflicts kept with lineage and resolved by a person,
 * masking per role, audited clear reads, and no plaintext ID number or
 * phone in the database file. Runs on SQLite and (test_people_pg) on
 * PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_int.h"
#include "core/idcard.h"
#include "lib/buf.h"
#include "store/db.h"
#include "store/people.h"

static char dir[64];
static struct xt_store *st;
static const int64_t NOW = 1795000000; /* 2026-11-18 */
static char id_a[19], id_b[19], id_kid[19], id_bad[19];

static struct xt_actor actor(int role, const char *scope)
{
    struct xt_actor a = {.account_id = 7, .role = role};
    snprintf(a.scope, sizeof(a.scope), "%s", scope);
    snprintf(a.username, sizeof(a.username), "t%d", role);
    return a;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/xt-people-XXXXXX");
    if (!mkdtemp(dir) || xt_testdb_configure(dir, NULL, 0))
        return -1;
    /* A county's own tag beside the built-in ones. */
    char path[128];
    snprintf(path, sizeof(path), "%s/tags.csv", dir);
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    fputs("code,name,sensitive,graded,department,needs\n"
          "flood_relocated,洪灾搬迁户,0,0,civil,daily_checkin;support_care\n"
          "bad tag,坏,0,0,civil,\n",
          fp);
    fclose(fp);
    struct xt_error err;
    if (xt_store_open(dir, &st, &err))
        return -1;
    if (chdir(XT_SOURCE_DIR) ||
        xt_cli_import(st, "divisions", "data/divisions/linxia_6229.csv", "6229", true) ||
        xt_cli_import(st, "census", "data/census/census2020_county_west_key.csv", "62", true) ||
        xt_cli_import(st, "departments", "data/reference/departments.csv", "6229", true) ||
        xt_cli_make_grids(st, "data/demo/county_seats.csv", "6229", 2020, true))
        return -1;
    xt_idcard_make("622921", 1950, 3, 14, 11, id_a);
    xt_idcard_make("622921", 1988, 7, 2, 22, id_b);
    xt_idcard_make("622921", 2016, 9, 9, 33, id_kid);
    xt_idcard_make("622921", 1950, 3, 14, 40, id_bad);
    id_bad[17] = id_bad[17] == '1' ? '2' : '1'; /* a wrong check digit */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    xt_store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct xt_people_mapping map_register(void)
{
    struct xt_people_mapping m = {0};
    static const char *const f[][2] = {{"name", "姓名"},     {"id_number", "身份证号"},
                                      {"phone", "电话"},     {"unit", "网格"},
                                      {"ethnicity", "民族"}, {"household", "户号"},
                                      {"relation", "关系"},  {"tags", "标签"}};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        assert_int_equal(xt_people_mapping_add(&m, f[i][0], f[i][1], NULL), 0);
    return m;
}

static void import(const char *csv, const char *source, struct xt_people_report *rep)
{
    struct xt_people_mapping m = map_register();
    struct xt_actor sys = actor(XT_ROLE_SYSTEM, "");
    struct xt_error err;
    int rc = xt_store_people_import_csv(st, &sys, csv, strlen(csv), "list.csv", &m, source,
                                        "622921", NOW, rep, &err);
    if (rc)
        fprintf(stderr, "import: %s: %s\n", err.field, err.message);
    assert_int_equal(rc, 0);
}

static long count_in(const struct xt_actor *a, const char *unit)
{
    struct json_object *o;
    struct xt_error err;
    if (xt_store_people_list(st, a, unit, NULL, 0, 500, &o, &err))
        return -1;
    long n = (long)json_object_array_length(json_object_object_get(o, "items"));
    json_object_put(o);
    return n;
}

static char reg_csv[2048];

static void test_import_idempotent(void **state)
{
    (void)state;
    snprintf(reg_csv, sizeof(reg_csv),
             "姓名,身份证号,电话,网格,民族,户号,关系,标签\n"
             "马福海,%s,13912345678,622921100001001,回族,H1,户主,elderly_alone\n"
             "尕藏卓玛,%s,13887654321,622921100001001,04,H2,户主,disabled:2;flood_relocated\n"
             "马小军,%s,,622921100001001,03,H1,孙子,left_behind_child\n"
             "坏号码,%s,,622921100001001,,,,\n",
             id_a, id_b, id_kid, id_bad);
    struct xt_people_report rep;
    import(reg_csv, "hukou", &rep);
    assert_int_equal(rep.rows, 4);
    assert_int_equal(rep.created, 3);
    assert_int_equal(rep.rejected, 1);
    assert_non_null(strstr(rep.lines, "\"field\":\"id_number\""));
    assert_null(strstr(rep.lines, id_bad)); /* reasons never repeat values */
    assert_false(rep.repeat);
    xt_people_report_release(&rep);
    struct xt_actor sys = actor(XT_ROLE_SYSTEM, "");
    assert_int_equal(count_in(&sys, "622921"), 3);
    /* the same file again: nothing changes */
    import(reg_csv, "hukou", &rep);
    assert_true(rep.repeat);
    xt_people_report_release(&rep);
    /* the same rows in another file: linked, unchanged */
    char again[2100];
    snprintf(again, sizeof(again), "%s\n", reg_csv);
    import(again, "hukou", &rep);
    assert_false(rep.repeat);
    assert_int_equal(rep.unchanged, 3);
    assert_int_equal(rep.created, 0);
    xt_people_report_release(&rep);
    assert_int_equal(count_in(&sys, "622921"), 3);
}

static int64_t first_id(const struct xt_actor *a)
{
    struct json_object *o;
    struct xt_error err;
    assert_int_equal(xt_store_people_list(st, a, "622921100001001", NULL, 0, 10, &o, &err), 0);
    int64_t id = json_object_get_int64(json_object_object_get(
        json_object_array_get_idx(json_object_object_get(o, "items"), 0), "id"));
    json_object_put(o);
    return id;
}

static void test_conflict_lineage_resolve(void **state)
{
    (void)state;
    char civil[1024];
    /* civil affairs: another phone for 马福海 (conflict), 嘎藏桌玛 without
     * her ID number (variant spelling, fuzzy link by birth date) */
    snprintf(civil, sizeof(civil),
             "姓名,身份证号,电话,网格,民族,户号,关系,标签\n"
             "马福海,%s,13900001111,622921100001001,,,,low_income\n",
             id_a);
    struct xt_people_report rep;
    import(civil, "civil", &rep);
    assert_int_equal(rep.conflicting, 1);
    xt_people_report_release(&rep);
    struct xt_actor cmd = actor(XT_ROLE_COMMAND, "6229");
    int64_t rid = first_id(&cmd);
    struct json_object *o;
    struct xt_error err;
    assert_int_equal(xt_store_people_get(st, &cmd, rid, false, NOW, &o, &err), 0);
    struct json_object *conf = json_object_object_get(o, "conflicts");
    assert_int_equal(json_object_array_length(conf), 1);
    struct json_object *c0 = json_object_array_get_idx(conf, 0);
    assert_string_equal(json_object_get_string(json_object_object_get(c0, "field")), "phone");
    int64_t cid = json_object_get_int64(json_object_object_get(c0, "id"));
    /* both lists' values side by side, masked */
    struct json_object *lin = json_object_object_get(o, "lineage");
    assert_int_equal(json_object_array_length(lin), 2);
    assert_string_equal(json_object_get_string(json_object_object_get(o, "phone")), "139****5678");
    json_object_put(o);
    /* a grid worker may not resolve; command may, once */
    struct xt_actor grid = actor(XT_ROLE_GRID, "622921100001001");
    assert_int_equal(xt_store_people_resolve(st, &grid, rid, cid, "civil", NOW, &err), XT_EPERM);
    assert_int_equal(xt_store_people_resolve(st, &cmd, rid, cid, "civil", NOW, &err), 0);
    assert_int_equal(xt_store_people_resolve(st, &cmd, rid, cid, "civil", NOW, &err), XT_ESTATE);
    assert_int_equal(xt_store_people_get(st, &cmd, rid, false, NOW, &o, &err), 0);
    assert_string_equal(json_object_get_string(json_object_object_get(o, "phone")), "139****1111");
    c0 = json_object_array_get_idx(json_object_object_get(o, "conflicts"), 0);
    assert_string_equal(json_object_get_string(json_object_object_get(c0, "state")), "resolved");
    json_object_put(o);
}

static void test_xlsx_list(void **state)
{
    (void)state;
    /* The disability federation's workbook: 嘎藏桌玛 is 尕藏卓玛 written with
     * variant characters; both link by ID number and gain the tag. */
    struct xt_people_mapping m = {0};
    assert_int_equal(xt_people_mapping_add(&m, "name", "姓名", NULL), 0);
    assert_int_equal(xt_people_mapping_add(&m, "id_number", "身份证号", NULL), 0);
    assert_int_equal(xt_people_mapping_add(&m, "unit", "网格", NULL), 0);
    assert_int_equal(xt_people_mapping_add(&m, "tags", "=disabled", NULL), 0);
    assert_int_equal(xt_people_mapping_add(&m, "tag_grade", "残疾等级", NULL), 0);
    struct xt_actor sys = actor(XT_ROLE_SYSTEM, "");
    struct xt_people_report rep;
    struct xt_error err;
    const char *path = XT_SOURCE_DIR "/tests/data/people_list.xlsx";
    assert_int_equal(xt_store_people_import_file(st, &sys, path, &m, "disability", "622921", NOW,
                                                 &rep, &err),
                     0);
    assert_int_equal(rep.rows, 2);
    assert_int_equal(rep.merged, 2);
    assert_int_equal(rep.conflicting, 0);
    xt_people_report_release(&rep);
    assert_int_equal(xt_store_people_import_file(st, &sys, path, &m, "disability", "622921", NOW,
                                                 &rep, &err),
                     0);
    assert_true(rep.repeat);
    xt_people_report_release(&rep);
    struct xt_people_mapping bad = m;
    snprintf(bad.column[0], sizeof(bad.column[0]), "%s", "名字");
    assert_int_equal(xt_store_people_import_file(st, &sys, path, &bad, "disability2", "622921",
                                                 NOW, &rep, &err),
                     XT_EINVAL);
    assert_string_equal(err.field, "mapping");
}

static void test_masking_and_audit(void **state)
{
    (void)state;
    struct xt_actor grid = actor(XT_ROLE_GRID, "622921100001001");
    struct xt_actor other = actor(XT_ROLE_GRID, "622921101001001");
    struct xt_actor op = actor(XT_ROLE_OPERATOR, "6229");
    struct xt_actor cmd = actor(XT_ROLE_COMMAND, "6229");
    assert_int_equal(count_in(&grid, ""), 3);
    assert_int_equal(count_in(&other, ""), 0);
    assert_int_equal(count_in(&op, ""), -1);
    struct json_object *o;
    struct xt_error err;
    assert_int_equal(xt_store_people_list(st, &grid, "", NULL, 0, 10, &o, &err), 0);
    const char *s = json_object_to_json_string(o);
    assert_null(strstr(s, id_a));
    assert_null(strstr(s, id_b));
    assert_null(strstr(s, "13887654321"));
    assert_non_null(strstr(s, "马福海"));   /* an adult's name is shown */
    assert_null(strstr(s, "马小军"));       /* a minor's is not */
    assert_null(strstr(s, "left_behind_child"));
    assert_null(strstr(s, "\"disabled\"")); /* health data stays hidden */
    assert_non_null(strstr(s, "flood_relocated"));  /* a configured tag, not sensitive */
    json_object_put(o);
    int64_t rid = first_id(&grid);
    assert_int_equal(xt_store_people_get(st, &grid, rid, true, NOW, &o, &err), XT_EPERM);
    assert_int_equal(xt_store_people_get(st, &other, rid, false, NOW, &o, &err), XT_ENOTFOUND);
    long before, after;
    int64_t bad;
    assert_int_equal(xt_store_audit_verify(st, &bad, &before), 0);
    assert_int_equal(xt_store_people_get(st, &cmd, rid, true, NOW, &o, &err), 0);
    assert_non_null(strstr(json_object_to_json_string(o), id_a));
    json_object_put(o);
    assert_int_equal(xt_store_audit_verify(st, &bad, &after), 0);
    assert_int_equal(after, before + 1);
    /* needs basis */
    assert_int_equal(xt_store_people_needs(st, &cmd, "622921", 202612, &o, &err), 0);
    s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    /* 马福海 lives alone, 尕藏卓玛 was relocated after a flood (a configured tag) */
    assert_non_null(strstr(s, "\"need\":\"daily_checkin\",\"name\":\"每日探访\",\"people\":2"));
    assert_non_null(strstr(s, "\"tag\":\"flood_relocated\",\"name\":\"洪灾搬迁户\",\"count\":1"));
    assert_non_null(strstr(s, "\"need\":\"after_school_care\",\"name\":\"课后看护\",\"people\":1"));
    json_object_put(o);
}

static bool file_has(const char *path, const char *needle)
{
    struct xt_buf b;
    xt_buf_init(&b, (size_t)1 << 30);
    bool found = false;
    if (xt_buf_read_file(&b, path) == 0)
        found = memmem(b.data, b.len, needle, strlen(needle)) != NULL;
    xt_buf_release(&b);
    return found;
}

static void test_database_file_scan(void **state)
{
    (void)state;
    if (xt_testdb_postgres())
        return; /* the file scan is of the SQLite file; PostgreSQL stores the same sealed text */
    char db[128], wal[140];
    snprintf(db, sizeof(db), "%s/xietong.db", dir);
    snprintf(wal, sizeof(wal), "%s/xietong.db-wal", dir);
    const char *secrets[] = {id_a, id_b, id_kid, "13912345678", "13887654321", "13900001111"};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        assert_false(file_has(db, secrets[i]));
        assert_false(file_has(wal, secrets[i]));
    }
    /* the scan can find what is there */
    assert_true(file_has(db, "马福海") || file_has(wal, "马福海"));
}

/* One number from the database behind the store's back: the first column
 * of the first row of sql. */
static long long db_number(const char *sql)
{
    char out[32] = "";
    if (xt_testdb_postgres()) {
        assert_int_equal(xt_testdb_sql(dir, sql, out, sizeof(out)), 0);
        return strtoll(out, NULL, 10);
    }
    char path[128];
    snprintf(path, sizeof(path), "%s/xietong.db", dir);
    struct xt_conn *c = xt_conn_open(path, true);
    assert_non_null(c);
    struct xt_stmt *q = xt_conn_stmt(c, sql);
    assert_non_null(q);
    assert_int_equal(xt_step(q), 1);
    long long n = xt_col_int(q, 0);
    xt_reset(q);
    xt_conn_close(c);
    return n;
}

/* A list larger than the registry is written with the residents' indexes
 * dropped and made again after it (both backends): a list that fails after
 * hundreds of rows leaves no row and every index, and one that succeeds
 * links against the registry and leaves the indexes, unique one included. */
static void test_bulk_import(void **state)
{
    (void)state;
    const int n = 1200;
    long long before = db_number("SELECT COUNT(*) FROM residents");
    assert_true(before > 0 && before < n);
    struct xt_buf csv;
    xt_buf_init(&csv, 0);
    xt_buf_puts(&csv, "姓名,身份证号,电话,网格,民族,户号,关系,标签\n");
    /* a resident already registered: linked, not written twice */
    xt_buf_printf(&csv, "马福海,%s,,622921100001001,,H1,户主,\n", id_a);
    for (int i = 1; i < n; i++) {
        char id[19];
        assert_int_equal(xt_idcard_make("622921", 1940 + i / 999, 1 + i % 12, 1 + i % 28,
                                        1 + i % 999, id), 0);
        xt_buf_printf(&csv, "张%d,%s,,622921100001001,01,B%d,户主,\n", i, id, i);
    }
    size_t good = csv.len;
    xt_buf_puts(&csv, "\"未完的行,\n");
    struct xt_people_mapping m = map_register();
    struct xt_actor sys = actor(XT_ROLE_SYSTEM, "");
    struct xt_people_report rep;
    struct xt_error err;
    assert_int_not_equal(xt_store_people_import_csv(st, &sys, csv.data, csv.len, "bulk.csv", &m,
                                                    "bulk", "622921", NOW, &rep, &err),
                         0);
    assert_string_equal(err.field, "file");
    xt_people_report_release(&rep);
    assert_int_equal(db_number("SELECT COUNT(*) FROM residents"), before);
    const char *indexes = xt_testdb_postgres()
                              ? "SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'residents'"
                                " AND indexname <> 'residents_pkey'"
                              : "SELECT COUNT(*) FROM sqlite_master WHERE type='index'"
                                " AND tbl_name='residents' AND sql IS NOT NULL";
    assert_int_equal(db_number(indexes), 3);
    assert_int_equal(xt_store_people_import_csv(st, &sys, csv.data, good, "bulk.csv", &m, "bulk",
                                                "622921", NOW, &rep, &err),
                     0);
    assert_int_equal(rep.created, n - 1);
    assert_int_equal(rep.merged + rep.unchanged + rep.conflicting, 1);
    xt_people_report_release(&rep);
    assert_int_equal(db_number("SELECT COUNT(*) FROM residents"), before + n - 1);
    assert_int_equal(db_number(indexes), 3);
    if (!xt_testdb_postgres()) {
        assert_int_equal(db_number("SELECT COUNT(*) FROM residents"
                                   " INDEXED BY residents_id_index WHERE id_index IS NOT NULL"),
                         before + n - 1);
    }
    xt_buf_release(&csv);
}

/* A generated register with households and tags, as the province
 * benchmark loads it: on PostgreSQL its new residents go by COPY
 * (people.c, bulk_flush), on SQLite row by row; both must store the same.
 * First a list holding an ID number registered in another county fails
 * whole; then the list itself, with a person listed twice among the first
 * rows (linked to the row gathered just before) and an address that needs
 * COPY's escapes. */
static void test_generated_register(void **state)
{
    (void)state;
    char gen[96];
    snprintf(gen, sizeof(gen), "%s/gen", dir);
    assert_int_equal(xt_cli_people_generate(st, "622922", 600, gen, 9, false, true, true), 0);
    char path[128];
    snprintf(path, sizeof(path), "%s/register.csv", gen);
    struct xt_buf csv;
    xt_buf_init(&csv, 0);
    assert_int_equal(xt_buf_read_file(&csv, path), 0);
    /* The first person again as the third row; the header names 人员类别. */
    char *l1 = strchr(csv.data, '\n') + 1, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
    assert_non_null(strstr(csv.data, "人员类别"));
    struct xt_buf list;
    xt_buf_init(&list, 0);
    xt_buf_append(&list, csv.data, (size_t)(l3 - csv.data));
    xt_buf_append(&list, l1, (size_t)(l2 - l1));
    xt_buf_puts(&list, l3);
    /* The first person's ID number and grid. */
    char first[256];
    snprintf(first, sizeof(first), "%.*s", (int)(l2 - l1 - 1), l1);
    char *idn = strchr(first, ',') + 1, *grid = idn;
    for (int i = 0; i < 3; i++)
        grid = strchr(grid, ',') + 1;
    *strchr(grid, ',') = '\0';
    *strchr(idn, ',') = '\0';
    char id_e[19];
    xt_idcard_make("622922", 1977, 5, 6, 7, id_e);
    xt_buf_printf(&list, "测试乙,%s,01,13700001234,%s,HX,户主,\"第3组\\5号\t东\",\n", id_e,
                  grid);
    /* Expected: persons, households, tags (from the generated lines). */
    long persons = 0, tags = 0, hh = 0;
    char last_hh[128] = "", hh512[128] = "";
    for (char *line = l1; *line;) {
        char *end = strchr(line, '\n');
        char f[9][128];
        int k = 0;
        const char *p = line;
        while (k < 9 && p < end) {
            const char *c = memchr(p, ',', (size_t)(end - p));
            size_t n = (size_t)((c ? c : end) - p);
            snprintf(f[k++], sizeof(f[0]), "%.*s", (int)n, p);
            p = c ? c + 1 : end;
        }
        if (k == 8)
            f[k++][0] = '\0';
        assert_int_equal(k, 9);
        persons++;
        if (persons == 511) /* the list's row 512, the last of its first batch */
            snprintf(hh512, sizeof(hh512), "%s", f[5]);
        if (strcmp(f[5], last_hh) != 0)
            hh++;
        snprintf(last_hh, sizeof(last_hh), "%s", f[5]);
        for (char *t = f[8]; *t; t++)
            tags += *t == ';';
        tags += f[8][0] != '\0';
        line = end + 1;
    }
    assert_int_equal(persons, 600);
    assert_true(tags > 30);
    /* Someone joining that household after 测试乙's: a household met again
     * in a later batch, not next to its other members. */
    char id_f[19];
    xt_idcard_make("622922", 1978, 6, 7, 9, id_f);
    xt_buf_printf(&list, "测试丙,%s,01,,%s,%s,配偶,,\n", id_f, grid, hh512);
    struct xt_people_mapping m;
    struct xt_error err;
    char map[128];
    snprintf(map, sizeof(map), "%s/register.map.csv", gen);
    assert_int_equal(xt_people_mapping_load(map, &m, &err), 0);
    struct xt_actor sys = actor(XT_ROLE_SYSTEM, "");
    struct xt_people_report rep;
    long long before = db_number("SELECT COUNT(*) FROM residents");
    /* Someone of 临夏县 (622921) in 康乐县's register: refused, nothing kept. */
    struct xt_buf bad;
    xt_buf_init(&bad, 0);
    xt_buf_puts(&bad, list.data);
    xt_buf_printf(&bad, "马福海,%s,01,,%s,HY,户主,,\n", id_a, grid);
    assert_int_not_equal(xt_store_people_import_csv(st, &sys, bad.data, bad.len, "bad.csv", &m,
                                                    "hukou", "622922", NOW, &rep, &err),
                         0);
    xt_people_report_release(&rep);
    xt_buf_release(&bad);
    assert_int_equal(db_number("SELECT COUNT(*) FROM residents"), before);
    assert_int_equal(db_number("SELECT COUNT(*) FROM households WHERE unit LIKE '622922%'"), 0);
    assert_int_equal(db_number("SELECT COUNT(*) FROM resident_sources WHERE source = 'hukou'"
                               " AND resident_id > (SELECT MAX(id) FROM residents)"),
                     0);
    /* The register itself. */
    assert_int_equal(xt_store_people_import_csv(st, &sys, list.data, list.len, "register.csv", &m,
                                                "hukou", "622922", NOW, &rep, &err),
                     0);
    assert_int_equal(rep.rows, persons + 3);
    assert_int_equal(rep.created, persons + 2);
    assert_int_equal(rep.unchanged, 1);
    assert_int_equal(rep.rejected, 0);
    xt_people_report_release(&rep);
    assert_int_equal(db_number("SELECT COUNT(*) FROM residents WHERE unit LIKE '622922%'"),
                     persons + 2);
    char q[256];
    snprintf(q, sizeof(q),
             "SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id"
             " WHERE h.hh_key = '%s'",
             hh512);
    long long members = db_number(q);
    assert_true(members >= 2);
    assert_int_equal(db_number("SELECT COUNT(*) FROM households WHERE unit LIKE '622922%'"),
                     hh + 1);
    assert_int_equal(db_number("SELECT COUNT(DISTINCT household_id) FROM residents"
                               " WHERE unit LIKE '622922%'"),
                     hh + 1);
    assert_int_equal(db_number("SELECT COUNT(*) FROM resident_tags WHERE unit LIKE '622922%'"),
                     tags);
    /* Sealed: every ID number, ethnicity and lineage row; sensitive tags
     * and minors' tags never in clear. */
    assert_int_equal(db_number("SELECT COUNT(*) FROM residents WHERE unit LIKE '622922%'"
                               " AND id_sealed LIKE 'v1:%' AND ethnicity_sealed LIKE 'v1:%'"
                               " AND id_index IS NOT NULL AND id_masked LIKE '622%'"),
                     persons + 2);
    assert_int_equal(db_number("SELECT COUNT(*) FROM resident_sources s JOIN residents r"
                               " ON r.id = s.resident_id WHERE r.unit LIKE '622922%'"
                               " AND s.data_sealed LIKE 'v1:%'"),
                     persons + 2);
    assert_int_equal(db_number("SELECT COUNT(*) FROM resident_tags WHERE unit LIKE '622922%'"
                               " AND tag IN ('disabled', 'chronic_illness')"),
                     0);
    assert_true(db_number("SELECT COUNT(*) FROM resident_tags WHERE unit LIKE '622922%'"
                          " AND tag IS NULL AND tag_sealed LIKE 'v1:%'") > 0);
    /* The first person's values open again as the register gave them. */
    struct xt_actor admin = actor(XT_ROLE_ADMIN, "62");
    struct json_object *o;
    int64_t rid = db_number("SELECT MIN(id) FROM residents WHERE unit LIKE '622922%'");
    assert_int_equal(xt_store_people_get(st, &admin, rid, true, NOW, &o, &err), 0);
    assert_string_equal(json_object_get_string(json_object_object_get(o, "id_number")), idn);
    json_object_put(o);
    rid = db_number("SELECT MAX(id) FROM residents WHERE unit LIKE '622922%' AND name = '测试乙'");
    assert_int_equal(xt_store_people_get(st, &admin, rid, true, NOW, &o, &err), 0);
    assert_string_equal(json_object_get_string(json_object_object_get(o, "id_number")), id_e);
    assert_string_equal(json_object_get_string(json_object_object_get(o, "phone")),
                        "13700001234");
    assert_string_equal(json_object_get_string(json_object_object_get(o, "address")),
                        "第3组\\5号\t东");
    json_object_put(o);
    xt_buf_release(&list);
    xt_buf_release(&csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_idempotent),
        cmocka_unit_test(test_conflict_lineage_resolve),
        cmocka_unit_test(test_xlsx_list),
        cmocka_unit_test(test_masking_and_audit),
        cmocka_unit_test(test_database_file_scan),
        cmocka_unit_test(test_bulk_import),
        cmocka_unit_test(test_generated_register),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
