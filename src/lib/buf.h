/* buf.h - growable byte buffer with a hard cap.
 *
 * The buffer always keeps a NUL after its data so data can be used as a C
 * string. Appends past max fail with XT_ETOOBIG and leave the buffer as it
 * was. The buffer owns data; xt_buf_release frees it, xt_buf_detach hands
 * it to the caller.
 */
#ifndef XT_BUF_H
#define XT_BUF_H

#include <stddef.h>

struct xt_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* hard cap on len; 0 means 64 MiB */
};

void xt_buf_init(struct xt_buf *b, size_t max);
int xt_buf_append(struct xt_buf *b, const void *p, size_t n);
int xt_buf_puts(struct xt_buf *b, const char *s);
int xt_buf_putc(struct xt_buf *b, char c);
int xt_buf_printf(struct xt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xt_buf_reset(struct xt_buf *b);
/* Append the whole file at path. XT_ENOTFOUND when it cannot be opened,
 * XT_ETOOBIG past the buffer's cap, XT_EIO on a read error. */
int xt_buf_read_file(struct xt_buf *b, const char *path);
/* Returns the data (owned by the caller, NUL-terminated, never NULL unless
 * out of memory) and leaves b empty. */
char *xt_buf_detach(struct xt_buf *b);
void xt_buf_release(struct xt_buf *b);

#endif
