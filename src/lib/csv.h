/* csv.h - RFC 4180 CSV reader (quoted fields, doubled quotes, embedded
 * newlines, CRLF or LF, an optional UTF-8 BOM at the start).
 *
 * A reader owns its buffers; the field pointers that xt_csv_next hands out
 * stay valid until the next call to xt_csv_next or xt_csv_close.
 */
#ifndef XT_CSV_H
#define XT_CSV_H

#include <stddef.h>
#include <stdio.h>

#define XT_CSV_MAX_FIELDS 64

struct xt_csv {
    FILE *fp;
    int own_fp;
    long line;   /* line number where the current record started (1-based) */
    long inner_lines; /* newlines inside quoted fields of the current record */
    char *rec;   /* the record's bytes, fields NUL-separated */
    size_t cap;
    size_t max_record; /* records longer than this fail with XT_ETOOBIG */
    char *field[XT_CSV_MAX_FIELDS];
    int nfield;
};

/* Open path for reading. 0, XT_ENOTFOUND or XT_ENOMEM. */
int xt_csv_open(struct xt_csv *c, const char *path);
/* Read from an open stream, which stays the caller's. */
void xt_csv_init(struct xt_csv *c, FILE *fp);
/* Next record: 1 with c->field/c->nfield filled, 0 at end of file, or
 * XT_EINVAL (unterminated quote, too many fields) / XT_ETOOBIG. */
int xt_csv_next(struct xt_csv *c);
/* Index of a header name in the current record, or -1. */
int xt_csv_index(const struct xt_csv *c, const char *name);
void xt_csv_close(struct xt_csv *c);

#endif
