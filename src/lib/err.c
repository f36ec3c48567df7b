/* err.c - error codes and validation errors. */
#include "lib/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int xt_error_set(struct xt_error *err, int code, const char *field, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return code;
}

void xt_error_clear(struct xt_error *err)
{
    if (!err)
        return;
    err->code = XT_OK;
    err->field[0] = '\0';
    err->message[0] = '\0';
}

static const struct {
    int code;
    const char *name;
    int status;
} codes[] = {
    {XT_OK, "ok", 200},
    {XT_ENOMEM, "internal", 500},
    {XT_EINVAL, "invalid_field", 400},
    {XT_ENOTFOUND, "not_found", 404},
    {XT_ESTATE, "invalid_state", 409},
    {XT_EPERM, "forbidden", 403},
    {XT_EIO, "internal", 500},
    {XT_ETOOBIG, "too_large", 413},
    {XT_EEXIST, "conflict", 409},
    {XT_EAUTH, "unauthenticated", 401},
    {XT_EBUSY, "too_many_requests", 429},
};

const char *xt_errcode_name(int code)
{
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (codes[i].code == code)
            return codes[i].name;
    return "internal";
}

int xt_errcode_http_status(int code)
{
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (codes[i].code == code)
            return codes[i].status;
    return 500;
}
