/* buf.c - growable byte buffer with a hard cap. */
#include "lib/buf.h"
#include "lib/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XT_BUF_DEFAULT_MAX ((size_t)64 << 20)

void xt_buf_init(struct xt_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : XT_BUF_DEFAULT_MAX;
}

static int reserve(struct xt_buf *b, size_t extra)
{
    if (extra > b->max || b->len + extra > b->max)
        return XT_ETOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return XT_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int xt_buf_append(struct xt_buf *b, const void *p, size_t n)
{
    int rc = reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int xt_buf_puts(struct xt_buf *b, const char *s)
{
    return xt_buf_append(b, s, strlen(s));
}

int xt_buf_putc(struct xt_buf *b, char c)
{
    return xt_buf_append(b, &c, 1);
}

int xt_buf_printf(struct xt_buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return XT_EINVAL;
    if ((size_t)n < sizeof(small))
        return xt_buf_append(b, small, (size_t)n);
    int rc = reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void xt_buf_reset(struct xt_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *xt_buf_detach(struct xt_buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void xt_buf_release(struct xt_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int xt_buf_read_file(struct xt_buf *b, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return XT_ENOTFOUND;
    char chunk[65536];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        rc = xt_buf_append(b, chunk, n);
    if (!rc && ferror(fp))
        rc = XT_EIO;
    fclose(fp);
    return rc;
}
