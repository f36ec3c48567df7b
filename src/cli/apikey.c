/* apikey.c - `xietong apikey add|list|revoke`: API keys for outside apps
 * that file requests through Open311 (docs/OPEN311.md). The key is printed
 * once, on its own line, when it is made; the database keeps its hash. */
#include "cli/cli_int.h"
#include "lib/xtime.h"
#include "store/open311.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int print_key(void *ctx, const struct xt_apikey_info *k)
{
    (void)ctx;
    char created[26], revoked[26] = "";
    xt_time_format(k->created_at, created);
    if (k->revoked_at)
        xt_time_format(k->revoked_at, revoked);
    printf("%-24s %-15s %s %s%s\n", k->name, k->scope, created, k->revoked_at ? "revoked " : "live",
           revoked);
    return 0;
}

int xt_cli_apikey(const struct xt_opts *o)
{
    const char *verb = xt_opt_arg(o, 0);
    if (!verb || (strcmp(verb, "add") && strcmp(verb, "list") && strcmp(verb, "revoke"))) {
        fprintf(stderr, "usage: xietong apikey add --name APP --scope CODE --data DIR\n"
                        "       xietong apikey list --data DIR\n"
                        "       xietong apikey revoke --name APP --data DIR\n");
        return 2;
    }
    const char *name = xt_opt(o, "name", NULL);
    if (strcmp(verb, "list") && !name) {
        fprintf(stderr, "xietong: apikey: --name is required\n");
        return 2;
    }
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    struct xt_error err;
    xt_error_clear(&err);
    int rc = 0;
    int64_t now = (int64_t)time(NULL);
    if (strcmp(verb, "add") == 0) {
        char key[XT_TOKEN_LEN + 1];
        rc = xt_store_apikey_add(s, name, xt_opt(o, "scope", NULL), now, key, &err);
        if (!rc) {
            /* The key alone on stdout, so that scripts can take it. */
            printf("%s\n", key);
            fflush(stdout);
            fprintf(stderr, "API key '%s' made for scope %s; it is shown only now\n", name,
                    xt_opt(o, "scope", ""));
            sodium_memzero(key, sizeof(key));
        }
    } else if (strcmp(verb, "revoke") == 0) {
        rc = xt_store_apikey_revoke(s, name, now, &err);
        if (!rc)
            printf("API key '%s' revoked\n", name);
    } else {
        rc = xt_store_apikey_list(s, print_key, NULL);
        if (rc)
            xt_error_set(&err, rc, "", "cannot list the keys");
    }
    if (rc)
        xt_cli_error("apikey", &err);
    xt_store_close(s);
    return rc ? 1 : 0;
}
