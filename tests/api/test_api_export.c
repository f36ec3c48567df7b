/* test_api_export.c - the downloads under /api/v1/export/ against a real
 * server: GeoJSON checked member by member (RFC 7946: FeatureCollection,
 * no crs, lon/lat order, closed counter-clockwise exterior rings), CSV byte
 * by byte (BOM, CRLF, quoting, the formula guard, masked contacts), XLSX by
 * unzipping it with Debian's unzip and reading the sheet XML, scopes and
 * roles, the audited unmasked export, and the GeoJSON round trip through
 * `xietong import geojson` with unmatched features reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apiclient.h"

static struct api_server srv;
static char dir[64];
static char tok[API_ACCOUNT_COUNT][128];
static char number1[32], number2[32];
static double lat1, lon1;

#define T(account) tok[API_##account]

/* A text a spreadsheet would run as a formula, with a comma and quotes. */
#define EVIL_TEXT "=HYPERLINK(\\\"http://x\\\",\\\"点我\\\"), 路灯坏了"

static struct json_object *get_ok(const char *token, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static struct json_object *get_ok(const char *token, const char *fmt, ...)
{
    char path[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    return api_expect(&srv, 200, "GET", token, NULL, NULL, "%s", path);
}

/* The body starts with prefix. */
static void starts_with(const struct api_resp *r, const char *prefix)
{
    assert_true(r->body_len >= strlen(prefix));
    assert_memory_equal(r->body, prefix, strlen(prefix));
}

/* GET path; the answer in *r (release it). */
static void get(struct api_resp *r, const char *token, const char *path)
{
    assert_int_equal(api_call(&srv, "GET", token, NULL, NULL, r, "%s", path), 0);
}

static void create_ticket(const char *token, const char *body, char number[32])
{
    struct json_object *t = api_expect(&srv, 201, "POST", token, NULL, body, "/api/v1/tickets");
    assert_non_null(t);
    snprintf(number, 32, "%s", api_json_str(t, "number"));
    json_object_put(t);
}

static int setup(void **state)
{
    (void)state;
    unsigned who = (1u << API_ADMIN) | (1u << API_AUDITOR) | (1u << API_OPERATOR) |
                   (1u << API_COMMAND) | (1u << API_TOWNSHIP) | (1u << API_TOWNSHIP2) |
                   (1u << API_GRID_AC);
    if (api_fixture_start(&srv, dir, sizeof(dir), who, tok))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fixture_finish(&srv, dir);
    return 0;
}

/* Two tickets: one in each township, the first dispatched to its township
 * and signed, so that the ranking and the rates have a row. */
static void test_00_tickets(void **state)
{
    (void)state;
    struct json_object *u = get_ok(T(ADMIN), "/api/v1/units/%s", API_GRID);
    assert_non_null(u);
    lat1 = api_json_num(u, "point.lat", NAN);
    lon1 = api_json_num(u, "point.lon", NAN);
    json_object_put(u);
    assert_false(isnan(lat1));
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"text\": \"" EVIL_TEXT "\", \"type\": \"help\", \"category\": \"C01\","
             " \"location\": {\"lat\": %.6f, \"lon\": %.6f},"
             " \"contact\": {\"name\": \"马小花\", \"phone\": \"13912345678\"}}",
             lat1, lon1);
    create_ticket(T(OPERATOR), body, number1);
    create_ticket(T(OPERATOR),
                  "{\"text\": \"土桥镇的水渠堵了\", \"type\": \"complaint\","
                  " \"location\": {\"unit\": \"" API_GRID2 "\"}}",
                  number2);
    json_object_put(api_expect(&srv, 200, "POST", T(OPERATOR), NULL,
                               "{\"handler\": \"" API_TOWN "\"}", "/api/v1/tickets/%s/dispatch",
                               number1));
    json_object_put(
        api_expect(&srv, 200, "POST", T(TOWNSHIP), NULL, "{}", "/api/v1/tickets/%s/sign", number1));
}

/* Every position of a ring within Linxia, in lon/lat order, at most 6
 * decimals; the ring closed; twice its signed area returned. */
static double check_ring(struct json_object *ring)
{
    size_t n = json_object_array_length(ring);
    assert_true(n >= 4);
    double area2 = 0;
    for (size_t i = 0; i < n; i++) {
        struct json_object *p = json_object_array_get_idx(ring, i);
        assert_int_equal(json_object_array_length(p), 2);
        double lon = json_object_get_double(json_object_array_get_idx(p, 0));
        double lat = json_object_get_double(json_object_array_get_idx(p, 1));
        assert_true(lon > 102 && lon < 104); /* longitude first */
        assert_true(lat > 35 && lat < 36);
        const char *txt = json_object_to_json_string(json_object_array_get_idx(p, 0));
        const char *dot = strchr(txt, '.');
        assert_true(!dot || strlen(dot + 1) <= 6);
        if (i + 1 < n) {
            struct json_object *q = json_object_array_get_idx(ring, i + 1);
            area2 += lon * json_object_get_double(json_object_array_get_idx(q, 1)) -
                     json_object_get_double(json_object_array_get_idx(q, 0)) * lat;
        }
    }
    assert_string_equal(json_object_to_json_string(json_object_array_get_idx(ring, 0)),
                        json_object_to_json_string(json_object_array_get_idx(ring, n - 1)));
    return area2;
}

static void check_polygon(struct json_object *rings)
{
    size_t n = json_object_array_length(rings);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++) {
        double a = check_ring(json_object_array_get_idx(rings, i));
        if (i == 0)
            assert_true(a > 0); /* exterior counter-clockwise */
        else
            assert_true(a < 0); /* holes clockwise */
    }
}

static void test_units_geojson(void **state)
{
    (void)state;
    struct api_resp r;
    get(&r, T(TOWNSHIP), "/api/v1/export/units.geojson?root=" API_TOWN "&level=grid");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/geo+json");
    assert_non_null(strstr(r.disposition, "attachment; filename=\"units-" API_TOWN "-grid-"));
    assert_non_null(strstr(r.disposition, "filename*=UTF-8''%E5%8D%95%E4%BD%8D-")); /* 单位 */
    struct json_object *fc = r.json;
    assert_non_null(fc);
    assert_string_equal(api_json_str(fc, "type"), "FeatureCollection");
    assert_false(json_object_object_get_ex(fc, "crs", NULL));
    long n = api_json_len(fc, "features");
    assert_true(n > 3);
    bool saw_grid = false;
    for (long i = 0; i < n; i++) {
        struct json_object *f =
            json_object_array_get_idx(json_object_object_get(fc, "features"), (size_t)i);
        assert_string_equal(api_json_str(f, "type"), "Feature");
        const char *code = api_json_str(f, "properties.code");
        assert_non_null(code);
        assert_string_equal(api_json_str(f, "id"), code);
        assert_int_equal(strncmp(code, API_TOWN, strlen(API_TOWN)), 0);
        assert_int_equal(strlen(code), 15);
        assert_string_equal(api_json_str(f, "properties.level"), "grid");
        assert_non_null(api_json_str(f, "properties.name"));
        assert_int_equal(strncmp(api_json_str(f, "properties.parent"), code, 12), 0);
        const char *gt = api_json_str(f, "geometry.type");
        assert_non_null(gt);
        if (strcmp(gt, "Polygon") == 0)
            check_polygon(api_json_get(f, "geometry.coordinates"));
        else
            assert_string_equal(gt, "MultiPolygon");
        saw_grid |= strcmp(code, API_GRID) == 0;
    }
    assert_true(saw_grid);
    api_resp_release(&r);

    /* Default root is the caller's scope, default level the one below. */
    struct json_object *o = get_ok(T(TOWNSHIP), "/api/v1/export/units.geojson");
    assert_non_null(o);
    assert_true(api_json_len(o, "features") > 0);
    assert_string_equal(api_json_str(o, "features.0.properties.level"), "village");
    assert_string_equal(api_json_str(o, "features.0.properties.parent"), API_TOWN);
    json_object_put(o);

    /* A grid worker gets his own grid. */
    o = get_ok(T(GRID_AC), "/api/v1/export/units.geojson");
    assert_non_null(o);
    assert_int_equal(api_json_len(o, "features"), 1);
    assert_string_equal(api_json_str(o, "features.0.id"), API_GRID);
    json_object_put(o);

    /* Outside the scope, bad levels, wrong roles. */
    get(&r, T(TOWNSHIP), "/api/v1/export/units.geojson?root=" API_TOWN2);
    assert_int_equal(r.status, 403);
    assert_string_equal(api_error_field(&r), "root");
    api_resp_release(&r);
    get(&r, T(TOWNSHIP), "/api/v1/export/units.geojson?level=county");
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "level");
    api_resp_release(&r);
    get(&r, T(TOWNSHIP), "/api/v1/export/units.geojson?level=street");
    assert_int_equal(r.status, 400);
    api_resp_release(&r);
    get(&r, NULL, "/api/v1/export/units.geojson?root=" API_TOWN);
    assert_int_equal(r.status, 401);
    api_resp_release(&r);
}

static void test_tickets_geojson(void **state)
{
    (void)state;
    struct api_resp r;
    get(&r, T(OPERATOR), "/api/v1/export/tickets.geojson");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/geo+json");
    /* Never the contact, in any form. */
    assert_null(strstr(r.body, "contact"));
    assert_null(strstr(r.body, "1391"));
    assert_null(strstr(r.body, "小花"));
    assert_null(strstr(r.body, "HYPERLINK"));
    struct json_object *fc = r.json;
    assert_string_equal(api_json_str(fc, "type"), "FeatureCollection");
    assert_int_equal(api_json_len(fc, "features"), 2);
    int found = 0;
    for (int i = 0; i < 2; i++) {
        struct json_object *f =
            json_object_array_get_idx(json_object_object_get(fc, "features"), (size_t)i);
        const char *num = api_json_str(f, "id");
        assert_string_equal(api_json_str(f, "properties.number"), num);
        if (strcmp(num, number1) == 0) {
            found++;
            assert_string_equal(api_json_str(f, "geometry.type"), "Point");
            assert_true(fabs(api_json_num(f, "geometry.coordinates.0", 0) - lon1) < 1e-6);
            assert_true(fabs(api_json_num(f, "geometry.coordinates.1", 0) - lat1) < 1e-6);
            assert_string_equal(api_json_str(f, "properties.state"), "signed");
            assert_string_equal(api_json_str(f, "properties.type"), "help");
            assert_string_equal(api_json_str(f, "properties.category"), "C01");
            assert_non_null(api_json_str(f, "properties.category_name"));
            assert_string_equal(api_json_str(f, "properties.handler"), API_TOWN);
            assert_string_equal(api_json_str(f, "properties.grid"), API_GRID);
            assert_non_null(api_json_str(f, "properties.sign_by"));
            assert_non_null(api_json_str(f, "properties.resolve_by"));
            assert_int_equal(api_json_bool(f, "properties.overdue"), 0);
        } else {
            found += strcmp(num, number2) == 0;
            assert_string_equal(api_json_str(f, "properties.state"), "received");
            assert_true(api_json_is_null(f, "properties.sign_by"));
        }
    }
    assert_int_equal(found, 2);
    api_resp_release(&r);

    /* Scope: the other township sees only its own ticket, once it is
     * its; the filter of the list applies. */
    struct json_object *o = get_ok(T(TOWNSHIP), "/api/v1/export/tickets.geojson");
    assert_int_equal(api_json_len(o, "features"), 1);
    assert_string_equal(api_json_str(o, "features.0.id"), number1);
    json_object_put(o);
    o = get_ok(T(TOWNSHIP2), "/api/v1/export/tickets.geojson");
    assert_int_equal(api_json_len(o, "features"), api_ticket_count(&srv, T(TOWNSHIP2), ""));
    for (long i = 0; i < api_json_len(o, "features"); i++)
        assert_string_not_equal(
            api_json_str(
                json_object_array_get_idx(json_object_object_get(o, "features"), (size_t)i), "id"),
            number1);
    json_object_put(o);
    o = get_ok(T(OPERATOR), "/api/v1/export/tickets.geojson?status=received");
    assert_int_equal(api_json_len(o, "features"), 1);
    assert_string_equal(api_json_str(o, "features.0.id"), number2);
    json_object_put(o);

    get(&r, T(OPERATOR), "/api/v1/export/tickets.geojson?reveal=contact");
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "reveal");
    api_resp_release(&r);
    get(&r, T(OPERATOR), "/api/v1/export/tickets.geojson?status=lost");
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "status");
    api_resp_release(&r);
}

/* The CSV line of a ticket number (from its start to CRLF), copied. */
static char *csv_line(const char *body, const char *number)
{
    char key[40];
    snprintf(key, sizeof(key), "\r\n%s,", number);
    const char *p = strstr(body, key);
    assert_non_null(p);
    p += 2;
    const char *e = strstr(p, "\r\n");
    assert_non_null(e);
    return strndup(p, (size_t)(e - p));
}

static long audit_rows(void)
{
    struct json_object *o = get_ok(T(AUDITOR), "/api/v1/audit/verify");
    assert_non_null(o);
    assert_int_equal(api_json_bool(o, "intact"), 1);
    long n = (long)api_json_int(o, "rows", -1);
    json_object_put(o);
    return n;
}

static void test_tickets_csv(void **state)
{
    (void)state;
    struct api_resp r;
    get(&r, T(OPERATOR), "/api/v1/export/tickets.csv");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/csv; charset=utf-8");
    assert_non_null(strstr(r.disposition, "attachment; filename=\"tickets-6229-"));
    assert_non_null(strstr(r.disposition, ".csv\"; filename*=UTF-8''%E5%B7%A5%E5%8D%95-6229-"));
    /* BOM, the Chinese header, CRLF after every record and no bare LF. */
    starts_with(&r, "\xEF\xBB\xBF工单号,受理时间,诉求类型,紧急,分类代码,分类,状态,");
    size_t crlf = 0;
    for (size_t i = 0; i < r.body_len; i++) {
        if (r.body[i] == '\n') {
            assert_true(i > 0 && r.body[i - 1] == '\r');
            crlf++;
        }
    }
    assert_int_equal(crlf, 3);
    assert_int_equal(r.body[r.body_len - 1], '\n');
    char *line = csv_line(r.body, number1);
    /* The text quoted (comma, quotes) and guarded (leading =). */
    assert_non_null(strstr(line, ",\"'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\"), 路灯坏了\","));
    assert_non_null(strstr(line, ",求助,否,C01,"));
    assert_non_null(strstr(line, ",已签收,12345 热线,"));
    assert_non_null(strstr(line, "," API_GRID ","));
    assert_non_null(strstr(line, "," API_TOWN ","));
    /* The contact masked: the surname, never the phone. */
    assert_null(strstr(r.body, "13912345678"));
    assert_null(strstr(r.body, "小花"));
    assert_non_null(strstr(line, ",马"));
    assert_non_null(strstr(line, "139****5678"));
    free(line);
    api_resp_release(&r);

    /* English. */
    get(&r, T(OPERATOR), "/api/v1/export/tickets.csv?lang=en&status=signed");
    assert_int_equal(r.status, 200);
    starts_with(&r, "\xEF\xBB\xBFNumber,Created,Type,Urgent,");
    assert_non_null(strstr(r.disposition, "filename*=UTF-8''tickets-6229-"));
    line = csv_line(r.body, number1);
    assert_non_null(strstr(line, ",help,no,C01,"));
    assert_non_null(strstr(line, ",signed,hotline,"));
    free(line);
    assert_null(strstr(r.body, number2));
    api_resp_release(&r);

    /* Unmasked: only a role that may unmask, and audited. */
    get(&r, T(TOWNSHIP), "/api/v1/export/tickets.csv?reveal=contact");
    assert_int_equal(r.status, 403);
    assert_string_equal(api_error_field(&r), "reveal");
    api_resp_release(&r);
    long before = audit_rows();
    get(&r, T(OPERATOR), "/api/v1/export/tickets.csv?reveal=contact");
    assert_int_equal(r.status, 200);
    line = csv_line(r.body, number1);
    assert_non_null(strstr(line, ",马小花,13912345678"));
    free(line);
    api_resp_release(&r);
    /* One audit row per contact that went out in clear, as for a read. */
    assert_int_equal(audit_rows(), before + 1);
    get(&r, T(OPERATOR), "/api/v1/export/tickets.xlsx?reveal=contact&status=received");
    assert_int_equal(r.status, 200);
    api_resp_release(&r);
    assert_int_equal(audit_rows(), before + 1); /* number2 has no contact */

    get(&r, T(OPERATOR), "/api/v1/export/tickets.csv?lang=fr");
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "lang");
    api_resp_release(&r);
    get(&r, T(OPERATOR), "/api/v1/export/tickets.csv?from=yesterday");
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "from");
    api_resp_release(&r);
    get(&r, T(OPERATOR), "/api/v1/export/tickets.csv?reveal=phone");
    assert_int_equal(r.status, 400);
    api_resp_release(&r);
}

/* Save an XLSX answer and unzip one member of it. */
static char *xlsx_member(const struct api_resp *r, const char *member)
{
    char path[] = "/tmp/xt-export-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, r->body, r->body_len), (ssize_t)r->body_len);
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "unzip -p %s %s", path, member);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 20, len = 0;
    char *out = malloc(cap);
    size_t n;
    while ((n = fread(out + len, 1, cap - 1 - len, p)) > 0)
        len += n;
    out[len] = '\0';
    assert_int_equal(pclose(p), 0);
    unlink(path);
    return out;
}

static void test_tickets_xlsx(void **state)
{
    (void)state;
    struct api_resp r;
    get(&r, T(OPERATOR), "/api/v1/export/tickets.xlsx");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_non_null(strstr(r.disposition, ".xlsx\"; filename*=UTF-8''%E5%B7%A5%E5%8D%95-"));
    assert_memory_equal(r.body, "PK\x03\x04", 4);
    char *wb = xlsx_member(&r, "xl/workbook.xml");
    assert_non_null(strstr(wb, "<sheet name=\"工单\""));
    free(wb);
    char *ss = xlsx_member(&r, "xl/sharedStrings.xml");
    assert_non_null(strstr(ss, "<t>工单号</t>"));
    assert_non_null(strstr(ss, "<t>受理时间</t>"));
    assert_non_null(strstr(ss, number1));
    assert_non_null(strstr(ss, number2));
    assert_non_null(strstr(ss, "<t>已签收</t>"));
    assert_non_null(strstr(ss, "139****5678"));
    assert_null(strstr(ss, "13912345678"));
    /* A text, not a formula, in XLSX: kept as it was written. */
    assert_non_null(strstr(ss, "<t>=HYPERLINK(\"http://x\",\"点我\"), 路灯坏了</t>"));
    free(ss);
    char *sheet = xlsx_member(&r, "xl/worksheets/sheet1.xml");
    assert_null(strstr(sheet, "<f>"));
    assert_non_null(strstr(sheet, "<dimension ref=\"A1:Z3\"/>"));
    /* Row 2's creation time (B2) is a date-time number with its style. */
    const char *b2 = strstr(sheet, "<c r=\"B2\" s=\"");
    assert_non_null(b2);
    assert_int_equal(strncmp(strstr(b2, "<v>"), "<v>4", 4), 0); /* a serial near 46,000 */
    free(sheet);
    char *styles = xlsx_member(&r, "xl/styles.xml");
    assert_non_null(strstr(styles, "formatCode=\"yyyy-mm-dd hh:mm:ss\""));
    free(styles);
    api_resp_release(&r);
}

static void test_ranking_and_rates(void **state)
{
    (void)state;
    struct api_resp r;
    get(&r, T(COMMAND), "/api/v1/export/ranking.csv?unit=" API_COUNTY "&kind=township");
    assert_int_equal(r.status, 200);
    starts_with(&r, "\xEF\xBB\xBF名次,月份,单位代码,单位,派单量,");
    /* The township with the signed ticket: first, one dispatched, signed on
     * time, a response rate of 100%, no callback yet (empty rates). */
    const char *row = strstr(r.body, "\r\n1,");
    assert_non_null(row);
    assert_non_null(strstr(row, "," API_TOWN ","));
    assert_non_null(strstr(row, ",1,1,0,0,0,0,100.0%,,,,"));
    assert_non_null(strstr(r.disposition, "filename=\"ranking-" API_COUNTY "-township-"));
    api_resp_release(&r);

    get(&r, T(COMMAND), "/api/v1/export/ranking.xlsx?unit=" API_COUNTY "&lang=en");
    assert_int_equal(r.status, 200);
    char *ss = xlsx_member(&r, "xl/sharedStrings.xml");
    assert_non_null(strstr(ss, "<t>Response rate</t>"));
    assert_non_null(strstr(ss, "<t>" API_TOWN "</t>"));
    free(ss);
    char *styles = xlsx_member(&r, "xl/styles.xml");
    assert_non_null(strstr(styles, "formatCode=\"0.0%\""));
    free(styles);
    char *sheet = xlsx_member(&r, "xl/worksheets/sheet1.xml");
    /* Rank 1 as a number; the response rate (K2) a ratio of 1 with the
     * percent style. */
    assert_non_null(strstr(sheet, "<c r=\"A2\"><v>1</v></c>"));
    const char *k2 = strstr(sheet, "<c r=\"K2\" s=\"");
    assert_non_null(k2);
    assert_int_equal(strncmp(strstr(k2, "<v>"), "<v>1</v>", 8), 0);
    free(sheet);
    api_resp_release(&r);

    /* Rates of a township over three months, oldest first. */
    get(&r, T(TOWNSHIP), "/api/v1/export/rates.csv?months=3&lang=en");
    assert_int_equal(r.status, 200);
    starts_with(&r, "\xEF\xBB\xBFPeriod,Unit code,Unit,Dispatched,");
    size_t lines = 0;
    for (const char *p = r.body; (p = strstr(p, "\r\n")); p += 2)
        lines++;
    assert_int_equal(lines, 4);
    const char *last = strstr(r.body, "\r\n");
    for (int i = 0; i < 2; i++)
        last = strstr(last + 2, "\r\n");
    assert_non_null(strstr(last, "," API_TOWN ","));
    assert_non_null(strstr(last, ",1,1,0,0,0,0,100.0%,"));
    api_resp_release(&r);

    /* Roles and scopes. */
    get(&r, T(TOWNSHIP), "/api/v1/export/ranking.csv");
    assert_int_equal(r.status, 403);
    api_resp_release(&r);
    get(&r, T(TOWNSHIP), "/api/v1/export/rates.xlsx?unit=" API_TOWN2);
    assert_int_equal(r.status, 403);
    assert_string_equal(api_error_field(&r), "unit");
    api_resp_release(&r);
    get(&r, T(GRID_AC), "/api/v1/export/rates.csv");
    assert_int_equal(r.status, 403);
    api_resp_release(&r);
    get(&r, T(COMMAND), "/api/v1/export/ranking.csv?kind=grid");
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "kind");
    api_resp_release(&r);
    get(&r, T(COMMAND), "/api/v1/export/ranking.csv?level=village");
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "level");
    api_resp_release(&r);
    get(&r, T(COMMAND), "/api/v1/export/ranking.csv?period=2026-13");
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "period");
    api_resp_release(&r);
    get(&r, T(COMMAND), "/api/v1/export/rates.csv?months=40");
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "months");
    api_resp_release(&r);
}

/* Run the CLI from the source tree and capture its stdout and stderr. */
static char *cli_output(const char *args, int *status)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s --data '%s' 2>&1", XT_SOURCE_DIR, XT_BINARY,
             args, dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *out = calloc(1, 8192);
    size_t len = 0, n;
    while ((n = fread(out + len, 1, 8191 - len, p)) > 0)
        len += n;
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

static char *write_temp(const char *text, size_t len)
{
    char *path = strdup("/tmp/xt-export-geo-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

/* The geometry of one unit's feature in an export, as JSON text. */
static char *geometry_of(struct json_object *fc, const char *code)
{
    struct json_object *fs = json_object_object_get(fc, "features");
    for (size_t i = 0; i < json_object_array_length(fs); i++) {
        struct json_object *f = json_object_array_get_idx(fs, i);
        if (strcmp(api_json_str(f, "properties.code"), code) == 0)
            return strdup(json_object_to_json_string_ext(api_json_get(f, "geometry"),
                                                         JSON_C_TO_STRING_PLAIN));
    }
    return NULL;
}

static void test_geojson_round_trip(void **state)
{
    (void)state;
    struct api_resp r;
    get(&r, T(ADMIN), "/api/v1/export/units.geojson?root=" API_TOWN "&level=grid");
    assert_int_equal(r.status, 200);
    long n = api_json_len(r.json, "features");
    char *before = geometry_of(r.json, API_GRID);
    assert_non_null(before);
    char *path = write_temp(r.body, r.body_len);
    api_resp_release(&r);

    /* Our own export imports back: every feature matched, nothing changed. */
    char args[512];
    snprintf(args, sizeof(args), "import geojson '%s'", path);
    int st;
    char *out = cli_output(args, &st);
    assert_int_equal(st, 0);
    char want[128];
    snprintf(want, sizeof(want), "%ld rows read, %ld written, 0 skipped", n, n);
    assert_non_null(strstr(out, want));
    assert_null(strstr(out, "matched no unit"));
    free(out);
    unlink(path);
    free(path);
    get(&r, T(ADMIN), "/api/v1/export/units.geojson?root=" API_TOWN "&level=grid");
    char *after = geometry_of(r.json, API_GRID);
    assert_string_equal(after, before);
    free(after);
    free(before);
    api_resp_release(&r);

    /* A clockwise MultiPolygon with a hole for API_GRID, a feature of an
     * unknown code and one without a code: the grid takes the new shape,
     * the unknown one is reported by its code. */
    static const char doc[] =
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"" API_GRID "\"},\"geometry\":"
        "{\"type\":\"MultiPolygon\",\"coordinates\":["
        "[[[103.0,35.5],[103.0,35.52],[103.02,35.52],[103.02,35.5],[103.0,35.5]],"
        "[[103.005,35.505],[103.01,35.505],[103.01,35.51],[103.005,35.51],[103.005,35.505]]],"
        "[[[103.03,35.5],[103.03,35.51],[103.04,35.51],[103.04,35.5],[103.03,35.5]]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"622921999999001\"},\"geometry\":"
        "{\"type\":\"Point\",\"coordinates\":[103.0,35.5]}},"
        "{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}]}";
    path = write_temp(doc, strlen(doc));
    snprintf(args, sizeof(args), "import geojson '%s'", path);
    out = cli_output(args, &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "1 features matched no unit: 622921999999001; 1 features had no"
                                " code or no geometry"));
    assert_non_null(strstr(out, "3 rows read, 1 written, 2 skipped"));
    free(out);
    unlink(path);
    free(path);
    get(&r, T(ADMIN), "/api/v1/export/units.geojson?root=" API_TOWN "&level=grid");
    assert_int_equal(api_json_len(r.json, "features"), n);
    after = geometry_of(r.json, API_GRID);
    struct json_object *g = json_tokener_parse(after);
    assert_string_equal(api_json_str(g, "type"), "MultiPolygon");
    assert_int_equal(api_json_len(g, "coordinates"), 2);
    check_polygon(api_json_get(g, "coordinates.0"));
    check_polygon(api_json_get(g, "coordinates.1"));
    assert_int_equal(api_json_len(g, "coordinates.0"), 2);
    /* Reversed to counter-clockwise: the second corner is now (103.02, 35.5). */
    assert_true(fabs(api_json_num(g, "coordinates.0.0.1.0", 0) - 103.02) < 1e-9);
    json_object_put(g);
    free(after);
    api_resp_release(&r);

    /* A broken polygon fails the whole import and changes nothing. */
    static const char broken[] =
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"" API_GRID2 "\"},\"geometry\":"
        "{\"type\":\"Polygon\",\"coordinates\":[[[103.0,35.5],[103.1,35.6],[103.0,35.6],"
        "[103.1,35.5],[103.0,35.5]]]}}]}";
    get(&r, T(ADMIN), "/api/v1/export/units.geojson?root=" API_TOWN2 "&level=grid");
    before = geometry_of(r.json, API_GRID2);
    api_resp_release(&r);
    path = write_temp(broken, strlen(broken));
    snprintf(args, sizeof(args), "import geojson '%s'", path);
    out = cli_output(args, &st);
    assert_int_equal(st, 1);
    assert_non_null(strstr(out, "geometry"));
    free(out);
    unlink(path);
    free(path);
    get(&r, T(ADMIN), "/api/v1/export/units.geojson?root=" API_TOWN2 "&level=grid");
    after = geometry_of(r.json, API_GRID2);
    assert_string_equal(after, before);
    free(after);
    free(before);
    api_resp_release(&r);
}

static void test_cli_export(void **state)
{
    (void)state;
    char path[] = "/tmp/xt-export-cli-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char args[512];
    snprintf(args, sizeof(args), "export tickets --format csv --lang en --out '%s'", path);
    int st;
    char *out = cli_output(args, &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "exported 2 tickets"));
    free(out);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    assert_memory_equal(buf, "\xEF\xBB\xBFNumber,", 10);
    assert_non_null(strstr(buf, number1));
    assert_non_null(strstr(buf, "139****5678"));
    /* A bad option names itself and writes nothing. */
    unlink(path);
    snprintf(args, sizeof(args), "export units --format csv --root %s --out '%s'", API_TOWN, path);
    out = cli_output(args, &st);
    assert_int_equal(st, 1);
    assert_non_null(strstr(out, "format"));
    free(out);
    assert_int_equal(access(path, F_OK), -1);
    snprintf(args, sizeof(args), "export ranking --format xlsx --kind grid --out '%s'", path);
    out = cli_output(args, &st);
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "--kind"));
    free(out);
    assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_00_tickets),         cmocka_unit_test(test_units_geojson),
        cmocka_unit_test(test_tickets_geojson),    cmocka_unit_test(test_tickets_csv),
        cmocka_unit_test(test_tickets_xlsx),       cmocka_unit_test(test_ranking_and_rates),
        cmocka_unit_test(test_geojson_round_trip), cmocka_unit_test(test_cli_export),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
