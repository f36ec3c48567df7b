/* sheet.c - CSV and XLSX writers behind one row-by-row interface. */
#include "lib/sheet.h"

#include "lib/buf.h"
#include "lib/xtime.h"

#include <xlsxwriter.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHEET_MAX_DEFAULT ((size_t)256 << 20)

struct xt_sheet {
    int format;
    const struct xt_sheet_col *cols; /* borrowed, valid until free */
    int ncols;
    int col;    /* next column of the current row */
    long rows;  /* data rows ended */
    int failed; /* first error code, sticky */
    size_t max;
    /* CSV */
    struct xt_buf out;
    /* XLSX */
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *f_header, *f_time, *f_date, *f_percent, *f_number;
    char path[256];
};

int xt_sheet_format_parse(const char *name)
{
    if (!name)
        return 0;
    if (strcmp(name, "csv") == 0)
        return XT_SHEET_CSV;
    if (strcmp(name, "xlsx") == 0)
        return XT_SHEET_XLSX;
    return 0;
}

const char *xt_sheet_content_type(int format)
{
    return format == XT_SHEET_XLSX
               ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
               : "text/csv; charset=utf-8";
}

const char *xt_sheet_extension(int format)
{
    return format == XT_SHEET_XLSX ? "xlsx" : "csv";
}

/* ---- CSV ---- */

int xt_csv_put_field(struct xt_buf *b, const char *text)
{
    if (!text || !*text)
        return 0;
    size_t n = strlen(text);
    bool guard = strchr("=+-@\t\r", text[0]) != NULL;
    bool quote = strpbrk(text, ",\"\r\n") != NULL || text[0] == ' ' || text[n - 1] == ' ';
    int rc = 0;
    if (quote)
        rc = xt_buf_putc(b, '"');
    if (!rc && guard)
        rc = xt_buf_putc(b, '\'');
    for (const char *p = text; !rc && *p; p++) {
        if (*p == '"')
            rc = xt_buf_putc(b, '"');
        if (!rc)
            rc = xt_buf_putc(b, *p);
    }
    if (!rc && quote)
        rc = xt_buf_putc(b, '"');
    return rc;
}

/* The separator before a cell of the current row. */
static int csv_sep(struct xt_sheet *s)
{
    return s->col > 0 ? xt_buf_putc(&s->out, ',') : 0;
}

/* ---- XLSX ---- */

static int xlsx_error(struct xt_error *err, lxw_error e, const char *what)
{
    return xt_error_set(err, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? XT_ENOMEM : XT_EIO, "",
                        "cannot %s the workbook: %s", what, lxw_strerror(e));
}

static void sheet_name(const char *title, char *out, size_t size)
{
    /* At most 31 characters (not bytes), none of []:*?/\ . */
    size_t o = 0;
    int chars = 0;
    for (const unsigned char *p = (const unsigned char *)(title ? title : ""); *p && chars < 31;) {
        size_t len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        if (o + len >= size)
            break;
        if (len == 1 && strchr("[]:*?/\\", *p)) {
            out[o++] = '_';
            p++;
        } else {
            for (size_t i = 0; i < len && p[0]; i++)
                out[o++] = (char)*p++;
        }
        chars++;
    }
    out[o] = '\0';
    if (!o)
        snprintf(out, size, "Sheet1");
}

static int xlsx_open(struct xt_sheet *s, const char *title, struct xt_error *err)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    snprintf(s->path, sizeof(s->path), "%s/xietong-sheet-XXXXXX", tmp);
    int fd = mkstemp(s->path);
    if (fd < 0) {
        s->path[0] = '\0';
        return xt_error_set(err, XT_EIO, "", "cannot create a temporary file in '%s'", tmp);
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = (char *)tmp};
    s->wb = workbook_new_opt(s->path, &opt);
    if (!s->wb)
        return xt_error_set(err, XT_EIO, "", "cannot create the workbook");
    char name[128];
    sheet_name(title, name, sizeof(name));
    s->ws = workbook_add_worksheet(s->wb, name);
    s->f_header = workbook_add_format(s->wb);
    s->f_time = workbook_add_format(s->wb);
    s->f_date = workbook_add_format(s->wb);
    s->f_percent = workbook_add_format(s->wb);
    s->f_number = workbook_add_format(s->wb);
    if (!s->ws || !s->f_header || !s->f_time || !s->f_date || !s->f_percent || !s->f_number)
        return xt_error_set(err, XT_ENOMEM, "", "cannot create the worksheet");
    format_set_bold(s->f_header);
    format_set_num_format(s->f_time, "yyyy-mm-dd hh:mm:ss");
    format_set_num_format(s->f_date, "yyyy-mm-dd");
    format_set_num_format(s->f_percent, "0.0%");
    format_set_num_format(s->f_number, "0.000000");
    for (int i = 0; i < s->ncols; i++) {
        double w = s->cols[i].width > 0             ? s->cols[i].width
                   : s->cols[i].type == XT_COL_TIME ? 19
                   : s->cols[i].type == XT_COL_DATE ? 11
                                                    : LXW_DEF_COL_WIDTH;
        worksheet_set_column(s->ws, (lxw_col_t)i, (lxw_col_t)i, w, NULL);
        lxw_error e =
            worksheet_write_string(s->ws, 0, (lxw_col_t)i, s->cols[i].header, s->f_header);
        if (e)
            return xlsx_error(err, e, "write");
    }
    worksheet_freeze_panes(s->ws, 1, 0);
    return 0;
}

static lxw_row_t xlsx_row(const struct xt_sheet *s)
{
    return (lxw_row_t)(s->rows + 1);
}

/* ---- common ---- */

int xt_sheet_new(int format, const char *title, const struct xt_sheet_col *cols, int ncols,
                 size_t max_bytes, struct xt_sheet **out, struct xt_error *err)
{
    *out = NULL;
    if (format != XT_SHEET_CSV && format != XT_SHEET_XLSX)
        return xt_error_set(err, XT_EINVAL, "format", "must be csv or xlsx");
    if (!cols || ncols < 1)
        return xt_error_set(err, XT_EINVAL, "", "a sheet needs columns");
    struct xt_sheet *s = calloc(1, sizeof(*s));
    if (!s)
        return xt_error_set(err, XT_ENOMEM, "", "out of memory");
    s->format = format;
    s->cols = cols;
    s->ncols = ncols;
    s->max = max_bytes ? max_bytes : SHEET_MAX_DEFAULT;
    xt_buf_init(&s->out, s->max);
    int rc = 0;
    if (format == XT_SHEET_CSV) {
        rc = xt_buf_puts(&s->out, "\xEF\xBB\xBF");
        for (int i = 0; !rc && i < ncols; i++) {
            if (i)
                rc = xt_buf_putc(&s->out, ',');
            if (!rc)
                rc = xt_csv_put_field(&s->out, cols[i].header);
        }
        if (!rc)
            rc = xt_buf_puts(&s->out, "\r\n");
        if (rc)
            xt_error_set(err, rc, "", "out of memory");
    } else {
        rc = xlsx_open(s, title, err);
    }
    if (rc) {
        xt_sheet_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* Check that a cell fits the row; returns the sticky error or 0. */
static int cell_begin(struct xt_sheet *s)
{
    if (s->failed)
        return s->failed;
    if (s->col >= s->ncols)
        return s->failed = XT_EINVAL;
    if (s->format == XT_SHEET_CSV)
        return s->failed = csv_sep(s);
    return 0;
}

static int cell_end(struct xt_sheet *s, int rc)
{
    if (rc)
        return s->failed = rc;
    s->col++;
    return 0;
}

static int lxw_rc(lxw_error e)
{
    return e == LXW_NO_ERROR                             ? 0
           : e == LXW_ERROR_MEMORY_MALLOC_FAILED         ? XT_ENOMEM
           : e == LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE ? XT_ETOOBIG
                                                         : XT_EIO;
}

int xt_sheet_text(struct xt_sheet *s, const char *text)
{
    int rc = cell_begin(s);
    if (rc)
        return rc;
    if (!text || !*text)
        return cell_end(s, 0);
    if (s->format == XT_SHEET_CSV)
        return cell_end(s, xt_csv_put_field(&s->out, text));
    /* Excel's limit for one cell is 32,767 characters; cut long texts at a
     * character boundary rather than fail the export. */
    char *cut = NULL;
    if (strlen(text) > 32000) {
        size_t n = 32000;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
        cut = strndup(text, n);
        if (!cut)
            return cell_end(s, XT_ENOMEM);
    }
    rc = lxw_rc(
        worksheet_write_string(s->ws, xlsx_row(s), (lxw_col_t)s->col, cut ? cut : text, NULL));
    free(cut);
    return cell_end(s, rc);
}

static int put_number(struct xt_sheet *s, double v, bool percent, lxw_format *f)
{
    int rc = cell_begin(s);
    if (rc)
        return rc;
    if (isnan(v) || isinf(v))
        return cell_end(s, 0);
    if (s->format == XT_SHEET_CSV)
        return cell_end(s, percent ? xt_buf_printf(&s->out, "%.1f%%", v * 100.0)
                                   : xt_buf_printf(&s->out, "%.6f", v));
    return cell_end(s, lxw_rc(worksheet_write_number(s->ws, xlsx_row(s), (lxw_col_t)s->col, v, f)));
}

int xt_sheet_int(struct xt_sheet *s, int64_t v)
{
    int rc = cell_begin(s);
    if (rc)
        return rc;
    if (s->format == XT_SHEET_CSV)
        return cell_end(s, xt_buf_printf(&s->out, "%lld", (long long)v));
    return cell_end(
        s, lxw_rc(worksheet_write_number(s->ws, xlsx_row(s), (lxw_col_t)s->col, (double)v, NULL)));
}

int xt_sheet_number(struct xt_sheet *s, double v)
{
    return put_number(s, v, false, s->f_number);
}

int xt_sheet_percent(struct xt_sheet *s, double ratio)
{
    return put_number(s, ratio, true, s->f_percent);
}

static int put_time(struct xt_sheet *s, int64_t t, bool date_only)
{
    int rc = cell_begin(s);
    if (rc)
        return rc;
    if (t == 0)
        return cell_end(s, 0);
    int64_t local = t + XT_TZ_OFFSET;
    int32_t day = xt_local_day(t);
    int y, m, d;
    xt_civil_from_days(day, &y, &m, &d);
    int64_t sec = local - (int64_t)day * XT_DAY;
    int hh = (int)(sec / 3600), mi = (int)(sec / 60 % 60), ss = (int)(sec % 60);
    if (s->format == XT_SHEET_CSV) {
        if (date_only)
            return cell_end(s, xt_buf_printf(&s->out, "%04d-%02d-%02d", y, m, d));
        return cell_end(
            s, xt_buf_printf(&s->out, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, hh, mi, ss));
    }
    lxw_datetime dt = {y, m, d, date_only ? 0 : hh, date_only ? 0 : mi, date_only ? 0 : ss};
    return cell_end(s, lxw_rc(worksheet_write_datetime(s->ws, xlsx_row(s), (lxw_col_t)s->col, &dt,
                                                       date_only ? s->f_date : s->f_time)));
}

int xt_sheet_time(struct xt_sheet *s, int64_t t)
{
    return put_time(s, t, false);
}

int xt_sheet_date(struct xt_sheet *s, int64_t t)
{
    return put_time(s, t, true);
}

int xt_sheet_empty(struct xt_sheet *s)
{
    int rc = cell_begin(s);
    return rc ? rc : cell_end(s, 0);
}

int xt_sheet_end_row(struct xt_sheet *s)
{
    if (s->failed)
        return s->failed;
    if (s->format == XT_SHEET_CSV) {
        while (s->col < s->ncols) {
            int rc = xt_sheet_empty(s);
            if (rc)
                return rc;
        }
        int rc = xt_buf_puts(&s->out, "\r\n");
        if (rc)
            return s->failed = rc;
    } else if (s->rows + 2 > LXW_ROW_MAX) {
        return s->failed = XT_ETOOBIG;
    }
    s->col = 0;
    s->rows++;
    return 0;
}

long xt_sheet_rows(const struct xt_sheet *s)
{
    return s->rows;
}

int xt_sheet_finish(struct xt_sheet *s, char **data, size_t *len, struct xt_error *err)
{
    *data = NULL;
    *len = 0;
    if (s->failed) {
        int rc = s->failed;
        return xt_error_set(err, rc, "",
                            rc == XT_ETOOBIG ? "the sheet is larger than allowed"
                                             : "cannot write the sheet");
    }
    if (s->format == XT_SHEET_CSV) {
        *len = s->out.len;
        *data = xt_buf_detach(&s->out);
        s->failed = XT_ESTATE;
        return *data ? 0 : xt_error_set(err, XT_ENOMEM, "", "out of memory");
    }
    if (s->rows > 0)
        worksheet_autofilter(s->ws, 0, 0, (lxw_row_t)s->rows, (lxw_col_t)(s->ncols - 1));
    lxw_error e = workbook_close(s->wb);
    s->wb = NULL;
    s->failed = XT_ESTATE;
    if (e)
        return xlsx_error(err, e, "close");
    xt_buf_reset(&s->out);
    int rc = xt_buf_read_file(&s->out, s->path);
    unlink(s->path);
    s->path[0] = '\0';
    if (rc)
        return xt_error_set(err, rc, "", "cannot read the workbook back");
    *len = s->out.len;
    *data = xt_buf_detach(&s->out);
    return *data ? 0 : xt_error_set(err, XT_ENOMEM, "", "out of memory");
}

void xt_sheet_free(struct xt_sheet *s)
{
    if (!s)
        return;
    if (s->wb) {
        /* Closing is the only way to free a workbook; its file goes below. */
        workbook_close(s->wb);
    }
    if (s->path[0])
        unlink(s->path);
    xt_buf_release(&s->out);
    free(s);
}
