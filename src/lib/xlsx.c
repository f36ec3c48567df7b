/* xlsx.c - the first sheet of an .xlsx workbook as CSV (ZIP + zlib +
 * libxml2's xmlTextReader). */
#include "lib/xlsx.h"

#include <libxml/xmlreader.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- ZIP ------------------------------------------------------------------ */

static uint32_t le16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool xt_xlsx_sniff(const char *data, size_t n)
{
    return n >= 4 && memcmp(data, "PK\3\4", 4) == 0;
}

/* Find name in the archive and inflate it into *out (malloc'd, NUL after
 * *outn bytes). XT_ENOTFOUND when the archive has no such member. */
static int zip_extract(const unsigned char *z, size_t n, const char *name, char **out,
                       size_t *outn, struct xt_error *err)
{
    /* End of central directory: 22 bytes plus a comment of up to 64 KiB. */
    if (n < 22)
        return xt_error_set(err, XT_EINVAL, "file", "not an .xlsx workbook (too short)");
    size_t eocd = 0;
    bool found = false;
    for (size_t i = n - 22 + 1; i-- > 0 && n - i <= 22 + 65535;) {
        if (le32(z + i) == 0x06054b50) {
            eocd = i;
            found = true;
            break;
        }
    }
    if (!found)
        return xt_error_set(err, XT_EINVAL, "file", "not an .xlsx workbook (no ZIP directory)");
    uint32_t entries = le16(z + eocd + 10), cd_size = le32(z + eocd + 12),
             cd_off = le32(z + eocd + 16);
    if ((size_t)cd_off + cd_size > eocd)
        return xt_error_set(err, XT_EINVAL, "file", "damaged ZIP directory");
    size_t p = cd_off, namelen = strlen(name);
    for (uint32_t e = 0; e < entries; e++) {
        if (p + 46 > eocd || le32(z + p) != 0x02014b50)
            return xt_error_set(err, XT_EINVAL, "file", "damaged ZIP directory");
        uint32_t method = le16(z + p + 10), csize = le32(z + p + 20), usize = le32(z + p + 24);
        uint32_t fnl = le16(z + p + 28), xl = le16(z + p + 30), cl = le16(z + p + 32);
        uint32_t local = le32(z + p + 42);
        if (p + 46 + fnl > eocd)
            return xt_error_set(err, XT_EINVAL, "file", "damaged ZIP directory");
        if (fnl == namelen && memcmp(z + p + 46, name, namelen) == 0) {
            if ((size_t)local + 30 > n || le32(z + local) != 0x04034b50)
                return xt_error_set(err, XT_EINVAL, "file", "damaged ZIP member '%s'", name);
            size_t data = (size_t)local + 30 + le16(z + local + 26) + le16(z + local + 28);
            if (data + csize > n)
                return xt_error_set(err, XT_EINVAL, "file", "truncated ZIP member '%s'", name);
            if (usize > XT_XLSX_PART_MAX)
                return xt_error_set(err, XT_ETOOBIG, "file", "'%s' is too large", name);
            char *buf = malloc((size_t)usize + 1);
            if (!buf)
                return XT_ENOMEM;
            if (method == 0 && csize == usize) {
                memcpy(buf, z + data, usize);
            } else if (method == 8) {
                z_stream zs;
                memset(&zs, 0, sizeof(zs));
                if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
                    free(buf);
                    return XT_ENOMEM;
                }
                zs.next_in = (unsigned char *)(uintptr_t)(z + data);
                zs.avail_in = csize;
                zs.next_out = (unsigned char *)buf;
                zs.avail_out = usize;
                int zr = inflate(&zs, Z_FINISH);
                size_t got = zs.total_out;
                inflateEnd(&zs);
                if (zr != Z_STREAM_END || got != usize) {
                    free(buf);
                    return xt_error_set(err, XT_EINVAL, "file", "damaged ZIP member '%s'", name);
                }
            } else {
                free(buf);
                return xt_error_set(err, XT_EINVAL, "file",
                                    "ZIP member '%s' uses an unsupported compression", name);
            }
            buf[usize] = '\0';
            *out = buf;
            *outn = usize;
            return 0;
        }
        p += 46 + fnl + xl + cl;
    }
    return XT_ENOTFOUND;
}

/* ---- shared strings --------------------------------------------------------- */

struct strings {
    char **s;
    size_t n, cap;
};

static void strings_free(struct strings *st)
{
    for (size_t i = 0; i < st->n; i++)
        free(st->s[i]);
    free(st->s);
}

static int strings_push(struct strings *st, char *v)
{
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 256;
        char **p = realloc(st->s, cap * sizeof(*p));
        if (!p)
            return XT_ENOMEM;
        st->s = p;
        st->cap = cap;
    }
    st->s[st->n++] = v;
    return 0;
}

static bool is(const xmlChar *name, const char *want)
{
    return name && strcmp((const char *)name, want) == 0;
}

static xmlTextReaderPtr reader_for(const char *xml, size_t n)
{
    if (n > INT32_MAX)
        return NULL;
    return xmlReaderForMemory(xml, (int)n, NULL, NULL,
                              XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_HUGE);
}

static int read_strings(const char *xml, size_t n, struct strings *st, struct xt_error *err)
{
    xmlTextReaderPtr r = reader_for(xml, n);
    if (!r)
        return XT_ENOMEM;
    struct xt_buf cur;
    xt_buf_init(&cur, 1 << 20);
    bool in_si = false, in_t = false;
    int phonetic = 0, rc = 0, step;
    while (rc == 0 && (step = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r);
        const xmlChar *name = xmlTextReaderConstLocalName(r);
        bool empty = xmlTextReaderIsEmptyElement(r);
        if (type == XML_READER_TYPE_ELEMENT) {
            if (is(name, "si") && !empty) {
                in_si = true;
                xt_buf_reset(&cur);
            } else if (is(name, "si")) {
                char *v = strdup("");
                rc = v ? strings_push(st, v) : XT_ENOMEM;
            } else if (is(name, "rPh") && !empty) {
                phonetic++; /* ruby text (振り仮名) is not part of the value */
            } else if (is(name, "t") && !empty) {
                in_t = true;
            }
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            if (is(name, "t"))
                in_t = false;
            else if (is(name, "rPh"))
                phonetic--;
            else if (is(name, "si") && in_si) {
                in_si = false;
                char *v = strdup(cur.data ? cur.data : "");
                rc = v ? strings_push(st, v) : XT_ENOMEM;
            }
        } else if ((type == XML_READER_TYPE_TEXT ||
                    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
                    type == XML_READER_TYPE_CDATA) &&
                   in_si && in_t && !phonetic) {
            const xmlChar *v = xmlTextReaderConstValue(r);
            if (v && xt_buf_puts(&cur, (const char *)v))
                rc = XT_ETOOBIG;
        }
    }
    if (rc == 0 && step < 0)
        rc = xt_error_set(err, XT_EINVAL, "file", "xl/sharedStrings.xml is not valid XML");
    xt_buf_release(&cur);
    xmlFreeTextReader(r);
    return rc;
}

/* ---- the sheet ------------------------------------------------------------ */

/* Column index (0-based) of a cell reference "AB12", or -1. */
static int column_of(const char *ref)
{
    int col = 0, k = 0;
    for (; ref[k] >= 'A' && ref[k] <= 'Z'; k++) {
        col = col * 26 + (ref[k] - 'A' + 1);
        if (col > 16384)
            return -1;
    }
    return k ? col - 1 : -1;
}

#define MAX_COLS 256

static int put_field(struct xt_buf *out, const char *v)
{
    bool quote = strpbrk(v, ",\"\r\n") != NULL;
    int rc = 0;
    if (!quote)
        return xt_buf_puts(out, v);
    rc |= xt_buf_putc(out, '"');
    for (const char *p = v; *p && !rc; p++) {
        if (*p == '"')
            rc |= xt_buf_putc(out, '"');
        rc |= xt_buf_putc(out, *p);
    }
    rc |= xt_buf_putc(out, '"');
    return rc ? XT_ETOOBIG : 0;
}

static int read_sheet(const char *xml, size_t n, const struct strings *st, struct xt_buf *out,
                      struct xt_error *err)
{
    xmlTextReaderPtr r = reader_for(xml, n);
    if (!r)
        return XT_ENOMEM;
    char *cells[MAX_COLS] = {NULL};
    int ncols = 0, col = -1, next_col = 0, rc = 0, step;
    char ctype[16] = "";
    bool in_v = false, in_t = false;
    struct xt_buf val;
    xt_buf_init(&val, 1 << 20);
    while (rc == 0 && (step = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r);
        const xmlChar *name = xmlTextReaderConstLocalName(r);
        bool empty = xmlTextReaderIsEmptyElement(r);
        if (type == XML_READER_TYPE_ELEMENT) {
            if (is(name, "row")) {
                ncols = 0;
                next_col = 0;
                if (empty)
                    continue;
            } else if (is(name, "c")) {
                xmlChar *ref = xmlTextReaderGetAttribute(r, (const xmlChar *)"r");
                xmlChar *t = xmlTextReaderGetAttribute(r, (const xmlChar *)"t");
                col = ref ? column_of((const char *)ref) : next_col;
                snprintf(ctype, sizeof(ctype), "%s", t ? (const char *)t : "n");
                xmlFree(ref);
                xmlFree(t);
                if (col < 0 || col >= MAX_COLS) {
                    rc = xt_error_set(err, XT_EINVAL, "file", "a cell lies beyond column %d",
                                      MAX_COLS);
                    break;
                }
                next_col = col + 1;
                xt_buf_reset(&val);
                if (empty)
                    col = -1;
            } else if (is(name, "v") && !empty) {
                in_v = true;
            } else if (is(name, "t") && !empty) {
                in_t = true; /* inline string <is><t> */
            }
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            if (is(name, "v")) {
                in_v = false;
            } else if (is(name, "t")) {
                in_t = false;
            } else if (is(name, "c") && col >= 0) {
                const char *v = val.data ? val.data : "";
                if (strcmp(ctype, "s") == 0) {
                    char *e;
                    long k = strtol(v, &e, 10);
                    if (*e || k < 0 || (size_t)k >= st->n) {
                        rc = xt_error_set(err, XT_EINVAL, "file",
                                          "a cell names a shared string that is not there");
                        break;
                    }
                    v = st->s[k];
                }
                free(cells[col]);
                if (!(cells[col] = strdup(v))) {
                    rc = XT_ENOMEM;
                    break;
                }
                if (col + 1 > ncols)
                    ncols = col + 1;
                col = -1;
            } else if (is(name, "row")) {
                if (ncols > 0) {
                    for (int i = 0; i < ncols && !rc; i++) {
                        if (i && xt_buf_putc(out, ','))
                            rc = XT_ETOOBIG;
                        else if (cells[i] && put_field(out, cells[i]))
                            rc = XT_ETOOBIG;
                        free(cells[i]);
                        cells[i] = NULL;
                    }
                    if (!rc && xt_buf_putc(out, '\n'))
                        rc = XT_ETOOBIG;
                }
                ncols = 0;
            }
        } else if ((type == XML_READER_TYPE_TEXT ||
                    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
                    type == XML_READER_TYPE_CDATA) &&
                   col >= 0 && (in_v || in_t)) {
            const xmlChar *v = xmlTextReaderConstValue(r);
            if (v && xt_buf_puts(&val, (const char *)v))
                rc = XT_ETOOBIG;
        }
    }
    if (rc == 0 && step < 0)
        rc = xt_error_set(err, XT_EINVAL, "file", "xl/worksheets/sheet1.xml is not valid XML");
    for (int i = 0; i < MAX_COLS; i++)
        free(cells[i]);
    xt_buf_release(&val);
    xmlFreeTextReader(r);
    return rc;
}

int xt_xlsx_to_csv(const char *data, size_t n, struct xt_buf *out, struct xt_error *err)
{
    if (!data || !xt_xlsx_sniff(data, n))
        return xt_error_set(err, XT_EINVAL, "file", "not an .xlsx workbook");
    const unsigned char *z = (const unsigned char *)data;
    struct strings st = {0};
    char *xml = NULL;
    size_t xn = 0;
    int rc = zip_extract(z, n, "xl/sharedStrings.xml", &xml, &xn, err);
    if (rc == 0) {
        rc = read_strings(xml, xn, &st, err);
        free(xml);
        xml = NULL;
    } else if (rc == XT_ENOTFOUND) {
        rc = 0; /* a sheet of numbers and inline strings only */
    }
    if (rc == 0) {
        rc = zip_extract(z, n, "xl/worksheets/sheet1.xml", &xml, &xn, err);
        if (rc == XT_ENOTFOUND)
            rc = xt_error_set(err, XT_EINVAL, "file", "the workbook has no first sheet");
    }
    if (rc == 0)
        rc = read_sheet(xml, xn, &st, out, err);
    free(xml);
    strings_free(&st);
    return rc;
}
