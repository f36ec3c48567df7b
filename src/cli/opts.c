/* opts.c - "--name value" options. */
#include "cli/cli.h"

#include <string.h>

const char *xt_opt(const struct xt_opts *o, const char *name, const char *def)
{
    for (int i = 0; i + 1 < o->argc; i++)
        if (strncmp(o->argv[i], "--", 2) == 0 && strcmp(o->argv[i] + 2, name) == 0)
            return o->argv[i + 1];
    return def;
}

bool xt_opt_flag(const struct xt_opts *o, const char *name)
{
    for (int i = 0; i < o->argc; i++)
        if (strncmp(o->argv[i], "--", 2) == 0 && strcmp(o->argv[i] + 2, name) == 0)
            return true;
    return false;
}

const char *xt_opt_arg(const struct xt_opts *o, int i)
{
    int k = 0;
    for (int j = 0; j < o->argc; j++) {
        if (strncmp(o->argv[j], "--", 2) == 0) {
            /* a flag followed by a value: skip both, unless it is a bare flag */
            if (j + 1 < o->argc && strncmp(o->argv[j + 1], "--", 2) != 0)
                j++;
            continue;
        }
        if (k++ == i)
            return o->argv[j];
    }
    return NULL;
}
