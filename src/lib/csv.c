/* csv.c - RFC 4180 CSV reader. */
#include "lib/csv.h"
#include "lib/err.h"

#include <stdlib.h>
#include <string.h>

void xt_csv_init(struct xt_csv *c, FILE *fp)
{
    memset(c, 0, sizeof(*c));
    c->fp = fp;
    c->max_record = 1 << 20;
}

int xt_csv_open(struct xt_csv *c, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return XT_ENOTFOUND;
    xt_csv_init(c, fp);
    c->own_fp = 1;
    return 0;
}

static int put(struct xt_csv *c, size_t *len, char ch)
{
    if (*len >= c->max_record)
        return XT_ETOOBIG;
    if (*len + 1 >= c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4096;
        char *p = realloc(c->rec, cap);
        if (!p)
            return XT_ENOMEM;
        c->rec = p;
        c->cap = cap;
    }
    c->rec[(*len)++] = ch;
    return 0;
}

/* One record, reading with the stream locked once (xt_csv_next) rather
 * than once per byte: a list of a million rows is some 100 MB of bytes. */
static int next_record(struct xt_csv *c)
{
    size_t len = 0;
    size_t starts[XT_CSV_MAX_FIELDS];
    int nf = 0, quoted = 0, any = 0, rc;
    int ch;

    if (c->line == 0) {
        /* Skip a UTF-8 byte order mark. */
        int a = getc_unlocked(c->fp);
        if (a == 0xEF) {
            int b = getc_unlocked(c->fp), d = getc_unlocked(c->fp);
            if (b != 0xBB || d != 0xBF)
                return XT_EINVAL;
        } else if (a != EOF) {
            ungetc(a, c->fp);
        }
    }
    c->line += 1 + c->inner_lines;
    c->inner_lines = 0;
    starts[nf++] = 0;
    for (;;) {
        ch = getc_unlocked(c->fp);
        if (ch == EOF) {
            if (quoted)
                return XT_EINVAL;
            if (!any)
                return 0;
            break;
        }
        any = 1;
        if (quoted) {
            if (ch == '"') {
                int nx = getc_unlocked(c->fp);
                if (nx == '"') {
                    if ((rc = put(c, &len, '"')))
                        return rc;
                } else {
                    quoted = 0;
                    if (nx != EOF)
                        ungetc(nx, c->fp);
                }
            } else {
                if (ch == '\n')
                    c->inner_lines++;
                if ((rc = put(c, &len, (char)ch)))
                    return rc;
            }
            continue;
        }
        if (ch == '"') {
            quoted = 1;
        } else if (ch == ',') {
            if ((rc = put(c, &len, '\0')))
                return rc;
            if (nf >= XT_CSV_MAX_FIELDS)
                return XT_EINVAL;
            starts[nf++] = len;
        } else if (ch == '\r') {
            int nx = getc_unlocked(c->fp);
            if (nx != '\n' && nx != EOF)
                ungetc(nx, c->fp);
            break;
        } else if (ch == '\n') {
            break;
        } else if ((rc = put(c, &len, (char)ch))) {
            return rc;
        }
    }
    if ((rc = put(c, &len, '\0')))
        return rc;
    for (int i = 0; i < nf; i++)
        c->field[i] = c->rec + starts[i];
    c->nfield = nf;
    return 1;
}

int xt_csv_next(struct xt_csv *c)
{
    flockfile(c->fp);
    int rc = next_record(c);
    funlockfile(c->fp);
    return rc;
}

int xt_csv_index(const struct xt_csv *c, const char *name)
{
    for (int i = 0; i < c->nfield; i++)
        if (strcmp(c->field[i], name) == 0)
            return i;
    return -1;
}

void xt_csv_close(struct xt_csv *c)
{
    if (!c)
        return;
    if (c->own_fp && c->fp)
        fclose(c->fp);
    free(c->rec);
    memset(c, 0, sizeof(*c));
}
