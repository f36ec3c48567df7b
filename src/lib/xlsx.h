/* xlsx.h - read the first worksheet of an Office Open XML workbook (.xlsx)
 * as CSV text, so that spreadsheets county offices keep go through the
 * same reader as CSV files.
 *
 * An .xlsx file is a ZIP archive; this reads its central directory, inflates
 * xl/sharedStrings.xml (when present) and xl/worksheets/sheet1.xml (zlib),
 * and walks them with libxml2's streaming reader (no network, no entity
 * expansion). Cells become CSV fields (quoted when needed) at the column
 * their reference names; numbers come out as written in the sheet; rows
 * with no cells are skipped. Formulas give their cached value.
 */
#ifndef XT_XLSX_H
#define XT_XLSX_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"

/* Largest part inflated from an archive: refuses ZIP bombs. */
#define XT_XLSX_PART_MAX ((size_t)256 << 20)

/* True when data starts like a ZIP archive ("PK\3\4"). */
bool xt_xlsx_sniff(const char *data, size_t n);

/* Append the first sheet of the workbook data[0..n) (borrowed) to out as
 * CSV, one line per row. Returns 0; XT_EINVAL with err (field "file")
 * naming what is wrong (not a ZIP archive, no sheet1, damaged part, bad
 * XML); XT_ETOOBIG past XT_XLSX_PART_MAX or out's cap; XT_ENOMEM. On
 * failure out may hold part of the text; the caller discards it. */
int xt_xlsx_to_csv(const char *data, size_t n, struct xt_buf *out, struct xt_error *err);

#endif
