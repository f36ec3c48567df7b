/* err.h - error codes and the validation error shared by every layer.
 *
 * Fallible functions return int: 0 on success, a negative XT_E* code on
 * failure. Where the caller needs to tell a person what was wrong, the
 * function also fills a struct xt_error naming the field and the reason;
 * the HTTP layer turns it into {"error": {"code", "field", "message"}}.
 */
#ifndef XT_ERR_H
#define XT_ERR_H

#include <stddef.h>

enum xt_errcode {
    XT_OK = 0,
    XT_ENOMEM = -1,   /* out of memory */
    XT_EINVAL = -2,   /* invalid input: 400/422 */
    XT_ENOTFOUND = -3, /* no such object: 404 */
    XT_ESTATE = -4,   /* not allowed in the object's state: 409 */
    XT_EPERM = -5,    /* the actor's role or scope does not allow it: 403 */
    XT_EIO = -6,      /* storage or system failure: 500 */
    XT_ETOOBIG = -7,  /* input larger than allowed: 413 */
    XT_EEXIST = -8,   /* already exists: 409 */
    XT_EAUTH = -9,    /* not authenticated: 401 */
    XT_EBUSY = -10,   /* throttled or busy: 429/503 */
};

struct xt_error {
    int code;          /* one of enum xt_errcode */
    char field[64];    /* the input field at fault, "" when none */
    char message[240]; /* lower-case sentence, no full stop */
};

/* Fill err (which may be NULL) and return code, so that callers can write
 * `return xt_error_set(err, XT_EINVAL, "location.lat", "must be ...")`. */
int xt_error_set(struct xt_error *err, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reset err to "no error". err may be NULL. */
void xt_error_clear(struct xt_error *err);

/* Short machine name of a code: "invalid_field", "not_found", ... */
const char *xt_errcode_name(int code);

/* HTTP status that a code maps to. */
int xt_errcode_http_status(int code);

#endif
