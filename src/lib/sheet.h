/* sheet.h - write one table as a spreadsheet file: CSV or XLSX.
 *
 * A sheet is written row by row, cell by cell, in column order; the
 * columns are declared up front with a header and a type, and each cell is
 * written with the call of its type. Nothing is kept per row, so a sheet of
 * any length costs the output's size only.
 *
 * CSV (RFC 4180, the way Excel and WPS open it cleanly): UTF-8 with a byte
 * order mark, CRLF line ends, a field quoted when it holds a comma, a
 * quote, CR or LF or starts or ends with a space, quotes doubled. Text
 * cells that a spreadsheet would take for a formula (first character
 * = + - @, a tab or a CR) get a leading apostrophe, the OWASP guard
 * against formula injection; numbers are never guarded because they are
 * written by the sheet itself. Times are "YYYY-MM-DD HH:MM:SS" and dates
 * "YYYY-MM-DD" in UTC+8; percentages "87.5%"; undefined numbers (NaN) and
 * times of 0 are empty fields.
 *
 * XLSX (libxlsxwriter): one worksheet named by the title, a bold frozen
 * header row with an autofilter, times and dates as real date cells in
 * UTC+8, percentages as numbers with a 0.0% format. Text is always written
 * as a string cell, never as a formula, so it needs no guard.
 *
 * Ownership: the sheet is owned by the caller from xt_sheet_new to
 * xt_sheet_free; headers, titles and texts are borrowed for the call. The
 * bytes of xt_sheet_finish are malloc'd and owned by the caller.
 */
#ifndef XT_SHEET_H
#define XT_SHEET_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

enum xt_sheet_format {
    XT_SHEET_CSV = 1,
    XT_SHEET_XLSX = 2,
};

enum xt_sheet_type {
    XT_COL_TEXT = 1,
    XT_COL_INT,     /* whole numbers */
    XT_COL_NUMBER,  /* decimals, 6 places (coordinates) */
    XT_COL_PERCENT, /* a ratio 0..1 shown as a percentage */
    XT_COL_TIME,    /* an instant (seconds since the epoch) shown in UTC+8 */
    XT_COL_DATE,    /* an instant shown as its UTC+8 date */
};

struct xt_sheet_col {
    const char *header;
    int type;     /* enum xt_sheet_type: the format of the column in XLSX */
    double width; /* XLSX column width in characters; 0 for the default */
};

struct xt_sheet;

/* "csv" or "xlsx" to the format, or 0 when neither. */
int xt_sheet_format_parse(const char *name);
/* "text/csv; charset=utf-8" or the XLSX media type. */
const char *xt_sheet_content_type(int format);
/* "csv" or "xlsx". */
const char *xt_sheet_extension(int format);

/* Start a sheet with its header row. title names the XLSX worksheet (at
 * most 31 characters are used; []:*?/\ are replaced). The output is
 * limited to max_bytes (0 for 256 MiB). XLSX is built in a temporary file
 * under $TMPDIR (or /tmp) that xt_sheet_finish and xt_sheet_free remove.
 * Returns 0; XT_EINVAL for no columns or an unknown format; XT_EIO when the
 * workbook cannot be created; XT_ENOMEM. err may be NULL. */
int xt_sheet_new(int format, const char *title, const struct xt_sheet_col *cols, int ncols,
                 size_t max_bytes, struct xt_sheet **out, struct xt_error *err);

/* Cells of the current row, in column order; writing past the last column
 * fails with XT_EINVAL. text may be NULL (an empty cell). A NaN number and
 * a time of 0 are empty cells. Each returns 0, XT_ETOOBIG past max_bytes,
 * XT_EIO or XT_ENOMEM; after a failure every later call fails the same. */
int xt_sheet_text(struct xt_sheet *s, const char *text);
int xt_sheet_int(struct xt_sheet *s, int64_t v);
int xt_sheet_number(struct xt_sheet *s, double v);
int xt_sheet_percent(struct xt_sheet *s, double ratio);
int xt_sheet_time(struct xt_sheet *s, int64_t t);
int xt_sheet_date(struct xt_sheet *s, int64_t t);
int xt_sheet_empty(struct xt_sheet *s);
/* End the row (cells not written are empty). */
int xt_sheet_end_row(struct xt_sheet *s);
/* Rows written so far, without the header. */
long xt_sheet_rows(const struct xt_sheet *s);

/* Finish the file and hand its bytes to the caller (*data malloc'd). The
 * sheet can then only be freed. */
int xt_sheet_finish(struct xt_sheet *s, char **data, size_t *len, struct xt_error *err);
/* Accepts NULL. */
void xt_sheet_free(struct xt_sheet *s);

/* Append text to b as one CSV field: quoted and guarded as above. Exposed
 * for tests and for other CSV writers. */
struct xt_buf;
int xt_csv_put_field(struct xt_buf *b, const char *text);

#endif
