/* test_csv.c - the RFC 4180 CSV reader (src/lib/csv.c).
 *
 * Each fixture is written to a temporary file and read back through
 * xt_csv_open, the way the importers read data/.
 */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/csv.h"
#include "lib/err.h"

/* Write n bytes to a fresh temporary file whose name goes into path. */
static void write_temp(char path[64], const char *text, size_t n)
{
    snprintf(path, 64, "/tmp/xt_test_csv_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

/* An open reader over a fixture; the file is unlinked at once (the open
 * stream keeps it readable). */
static void open_text(struct xt_csv *c, const char *text)
{
    char path[64];
    write_temp(path, text, strlen(text));
    assert_int_equal(xt_csv_open(c, path), 0);
    unlink(path);
}

/* Read the next record and check its fields against want (NULL-ended). */
static void expect_record(struct xt_csv *c, const char *const *want)
{
    int rc = xt_csv_next(c);
    if (rc != 1)
        fail_msg("xt_csv_next: %d, want a record", rc);
    int n = 0;
    while (want[n])
        n++;
    if (c->nfield != n)
        fail_msg("%d fields, want %d (first '%s')", c->nfield, n, c->field[0]);
    for (int i = 0; i < n; i++)
        assert_string_equal(c->field[i], want[i]);
}

#define RECORD(c, ...)                                                                             \
    do {                                                                                           \
        const char *const want_[] = {__VA_ARGS__, NULL};                                           \
        expect_record((c), want_);                                                                 \
    } while (0)

static void test_plain_and_quoted(void **state)
{
    (void)state;
    struct xt_csv c;
    open_text(&c, "code,name,parent_code,level\n"
                  "622921,临夏县,6229,county\n"
                  "622921100,\"城关镇, 新区\",622921,township\n"
                  "\"say \"\"hi\"\"\",\"\",x\n"
                  ",,\n"
                  "\"\"\"\"\n");
    RECORD(&c, "code", "name", "parent_code", "level");
    assert_int_equal(xt_csv_index(&c, "level"), 3);
    assert_int_equal(xt_csv_index(&c, "code"), 0);
    assert_int_equal(xt_csv_index(&c, "Level"), -1);
    RECORD(&c, "622921", "临夏县", "6229", "county");
    /* A comma inside quotes is data. */
    RECORD(&c, "622921100", "城关镇, 新区", "622921", "township");
    /* Doubled quotes are one quote; "" is an empty field. */
    RECORD(&c, "say \"hi\"", "", "x");
    /* Empty fields. */
    RECORD(&c, "", "", "");
    /* A field that is just one quote. */
    RECORD(&c, "\"");
    assert_int_equal(xt_csv_next(&c), 0);
    assert_int_equal(xt_csv_next(&c), 0);
    xt_csv_close(&c);
}

static void test_embedded_newlines_and_lines(void **state)
{
    (void)state;
    struct xt_csv c;
    /* Line 1: header. Lines 2-4: one record whose second field spans three
     * lines. Line 5: the next record. */
    open_text(&c, "a,b\n"
                  "1,\"first\nsecond\r\nthird\"\n"
                  "2,x\n");
    RECORD(&c, "a", "b");
    assert_int_equal(c.line, 1);
    RECORD(&c, "1", "first\nsecond\r\nthird");
    RECORD(&c, "2", "x");
    assert_int_equal(c.line, 5);
    assert_int_equal(xt_csv_next(&c), 0);
    xt_csv_close(&c);
}

/* csv.h: "line number where the current record started (1-based)". The
 * importers put it in their "line N" messages, so for a record that spans
 * lines it must name the first one. */
static void test_line_is_where_the_record_started(void **state)
{
    (void)state;
    struct xt_csv c;
    open_text(&c, "a,b\n"
                  "1,\"first\nsecond\nthird\"\n"
                  "2,x\n");
    RECORD(&c, "a", "b");
    RECORD(&c, "1", "first\nsecond\nthird");
    long line = c.line;
    xt_csv_close(&c);
    assert_int_equal(line, 2);
}

static void test_crlf(void **state)
{
    (void)state;
    struct xt_csv c;
    open_text(&c, "a,b\r\n1,2\r\n\"x\r\ny\",3\r\nlast,row");
    RECORD(&c, "a", "b");
    RECORD(&c, "1", "2");
    /* A CRLF inside quotes is kept as it was. */
    RECORD(&c, "x\r\ny", "3");
    /* The last record needs no line end. */
    RECORD(&c, "last", "row");
    assert_int_equal(xt_csv_next(&c), 0);
    xt_csv_close(&c);

    /* A lone CR ends a record too. */
    open_text(&c, "a,b\r1,2\r");
    RECORD(&c, "a", "b");
    RECORD(&c, "1", "2");
    assert_int_equal(xt_csv_next(&c), 0);
    xt_csv_close(&c);
}

static void test_bom(void **state)
{
    (void)state;
    struct xt_csv c;
    open_text(&c, "\xEF\xBB\xBF"
                  "date,kind,name\n2025-01-01,holiday,元旦\n");
    RECORD(&c, "date", "kind", "name");
    assert_int_equal(xt_csv_index(&c, "date"), 0);
    RECORD(&c, "2025-01-01", "holiday", "元旦");
    xt_csv_close(&c);

    /* A BOM is skipped only at the start: later it is data. */
    open_text(&c, "a\n\xEF\xBB\xBF"
                  "b\n");
    RECORD(&c, "a");
    RECORD(&c, "\xEF\xBB\xBF"
               "b");
    xt_csv_close(&c);

    /* A broken BOM is an error. */
    open_text(&c, "\xEF\xBB"
                  "a,b\n");
    assert_int_equal(xt_csv_next(&c), XT_EINVAL);
    xt_csv_close(&c);
}

static void test_empty(void **state)
{
    (void)state;
    struct xt_csv c;
    open_text(&c, "");
    assert_int_equal(xt_csv_next(&c), 0);
    xt_csv_close(&c);

    /* An empty line is one empty field (the loaders skip it). */
    open_text(&c, "a\n\nb\n");
    RECORD(&c, "a");
    RECORD(&c, "");
    RECORD(&c, "b");
    assert_int_equal(xt_csv_next(&c), 0);
    xt_csv_close(&c);
}

static void test_too_many_fields(void **state)
{
    (void)state;
    /* XT_CSV_MAX_FIELDS fields are fine, one more is not. */
    char text[512];
    size_t n = 0;
    for (int i = 0; i < XT_CSV_MAX_FIELDS; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%d", i ? "," : "", i % 10);
    n += (size_t)snprintf(text + n, sizeof(text) - n, "\n");
    for (int i = 0; i <= XT_CSV_MAX_FIELDS; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%d", i ? "," : "", i % 10);
    n += (size_t)snprintf(text + n, sizeof(text) - n, "\n");
    assert_true(n < sizeof(text));
    struct xt_csv c;
    open_text(&c, text);
    assert_int_equal(xt_csv_next(&c), 1);
    assert_int_equal(c.nfield, XT_CSV_MAX_FIELDS);
    assert_string_equal(c.field[XT_CSV_MAX_FIELDS - 1], "3");
    assert_int_equal(xt_csv_next(&c), XT_EINVAL);
    xt_csv_close(&c);
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    struct xt_csv c;
    open_text(&c, "a,b\n1,\"never closed\n2,3\n");
    RECORD(&c, "a", "b");
    assert_int_equal(xt_csv_next(&c), XT_EINVAL);
    xt_csv_close(&c);

    open_text(&c, "\"");
    assert_int_equal(xt_csv_next(&c), XT_EINVAL);
    xt_csv_close(&c);
}

/* csv.h: "records longer than this fail with XT_ETOOBIG", for any
 * max_record the caller sets, not only when the buffer happens to grow. */
static void test_record_limit(void **state)
{
    (void)state;
    struct xt_csv c;
    open_text(&c, "short\n0123456789012345678901234567890123456789\n");
    c.max_record = 16;
    RECORD(&c, "short");
    int rc = xt_csv_next(&c);
    xt_csv_close(&c);
    assert_int_equal(rc, XT_ETOOBIG);
}

/* The default limit is 1 MiB: a record of half that is read, one longer
 * than it is refused. */
static void test_default_record_limit(void **state)
{
    (void)state;
    size_t limit = (size_t)1 << 20, half = limit / 2;
    char *text = malloc(half + limit + 4);
    assert_non_null(text);
    memset(text, 'x', half);
    text[half] = '\n';
    memset(text + half + 1, 'y', limit + 1);
    text[half + 1 + limit + 1] = '\n';
    char path[64];
    write_temp(path, text, half + limit + 3);
    free(text);
    struct xt_csv c;
    assert_int_equal(xt_csv_open(&c, path), 0);
    unlink(path);
    assert_int_equal(xt_csv_next(&c), 1);
    assert_int_equal(strlen(c.field[0]), half);
    assert_int_equal(xt_csv_next(&c), XT_ETOOBIG);
    xt_csv_close(&c);
}

static void test_open_and_stream(void **state)
{
    (void)state;
    struct xt_csv c;
    assert_int_equal(xt_csv_open(&c, "/nonexistent/xt_test.csv"), XT_ENOTFOUND);

    /* A stream the caller owns stays open after close. */
    char path[64];
    const char *text = "k,v\n1,2\n";
    write_temp(path, text, strlen(text));
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    xt_csv_init(&c, fp);
    RECORD(&c, "k", "v");
    RECORD(&c, "1", "2");
    xt_csv_close(&c);
    assert_int_equal(fseek(fp, 0, SEEK_SET), 0);
    assert_int_equal(fgetc(fp), 'k');
    fclose(fp);
    unlink(path);
    xt_csv_close(NULL);
}

/* Fields stay valid until the next call, even when a long record makes
 * the buffer grow. */
static void test_long_record(void **state)
{
    (void)state;
    size_t big = 20000;
    char *text = malloc(big + 32);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, 32, "a,\"");
    memset(text + n, 'x', big);
    n += big;
    memcpy(text + n, "\",b\n", 5);
    n += 4;
    char path[64];
    write_temp(path, text, n);
    struct xt_csv c;
    assert_int_equal(xt_csv_open(&c, path), 0);
    unlink(path);
    assert_int_equal(xt_csv_next(&c), 1);
    assert_int_equal(c.nfield, 3);
    assert_string_equal(c.field[0], "a");
    assert_int_equal(strlen(c.field[1]), big);
    assert_string_equal(c.field[2], "b");
    xt_csv_close(&c);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_quoted),
        cmocka_unit_test(test_embedded_newlines_and_lines),
        cmocka_unit_test(test_line_is_where_the_record_started),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_too_many_fields),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_record_limit),
        cmocka_unit_test(test_default_record_limit),
        cmocka_unit_test(test_open_and_stream),
        cmocka_unit_test(test_long_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
