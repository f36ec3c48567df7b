/* migrate.c - `xietong migrate-data`: copy a whole database to another
 * backend (a county's SQLite file up to the province's PostgreSQL, or
 * back) and show, table by table, the rows and checksums that prove the
 * copy equal; or, with --verify-only, compare two databases. */
#include "cli/cli_int.h"

#include <stdio.h>
#include <string.h>

static void help(FILE *fp)
{
    fputs("usage: xietong migrate-data --from URL --to URL [--data DIR]\n"
          "       xietong migrate-data --verify-only --from URL --to URL\n"
          "\n"
          "Copy every table of one database into another, empty one, then read both\n"
          "back and compare row counts and SHA-256 checksums per table; the copy is\n"
          "committed only when all match.\n"
          "\n"
          "  --from URL      the database to copy: sqlite:PATH or postgresql://USER@HOST/DB\n"
          "  --to URL        the target; its tables are created here and must be empty\n"
          "  --data DIR      the data directory whose keys/field.key sealed the source's\n"
          "                  contacts (default var/data). Sealed values are copied as they\n"
          "                  are: every server of the target needs this same key file.\n"
          "  --verify-only   compare the two databases; write nothing\n"
          "\n"
          "Stop the servers that write to the source first: what they write after the\n"
          "copy has begun is not copied (migrate-data says so when it notices).\n",
          fp);
}

/* The URL for printing, with any password replaced by "***". */
static void mask_url(const char *url, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s", url);
    char *scheme = strstr(out, "://");
    if (scheme) {
        char *user = scheme + 3;
        size_t hostpart = strcspn(user, "/?");
        char *at = memchr(user, '@', hostpart);
        char *colon = at ? memchr(user, ':', (size_t)(at - user)) : NULL;
        if (colon && at - colon > 1) {
            char rest[1024];
            snprintf(rest, sizeof(rest), "%s", at);
            snprintf(colon + 1, outsz - (size_t)(colon + 1 - out), "***%s", rest);
        }
    }
    char *pw = strstr(out, "password=");
    if (pw) {
        char *end = pw + 9 + strcspn(pw + 9, "& ");
        char rest[1024];
        snprintf(rest, sizeof(rest), "%s", end);
        snprintf(pw + 9, outsz - (size_t)(pw + 9 - out), "***%s", rest);
    }
}

static void on_table(void *ctx, const struct xt_copy_table *t)
{
    (void)ctx;
    printf("  copied %-16s %10ld rows\n", t->name, t->rows_from);
    fflush(stdout);
}

static void print_report(const struct xt_copy_report *rep)
{
    printf("\n%-16s %10s  %-64s  %s\n", "table", "rows", "checksum", "ok");
    long total = 0;
    for (int i = 0; i < rep->n; i++) {
        const struct xt_copy_table *t = &rep->tables[i];
        if (!*t->sum_from && !*t->sum_to)
            continue;
        total += t->rows_from;
        if (t->ok) {
            printf("%-16s %10ld  %-64s  ok\n", t->name, t->rows_from, t->sum_from);
        } else {
            printf("%-16s %10ld  %-64s  DIFFERS (source)\n", t->name, t->rows_from,
                   *t->sum_from ? t->sum_from : "-");
            printf("%-16s %10ld  %-64s  DIFFERS (target)\n", "", t->rows_to,
                   *t->sum_to ? t->sum_to : "-");
        }
    }
    printf("%-16s %10ld\n", "total", total);
}

int xt_cli_migrate_data(const struct xt_opts *o)
{
    if (xt_opt_flag(o, "help")) {
        help(stdout);
        return 0;
    }
    const char *from = xt_opt(o, "from", NULL), *to = xt_opt(o, "to", NULL);
    if (!from || !to) {
        help(stderr);
        return 2;
    }
    const char *dir = xt_opt(o, "data", "var/data");
    bool verify_only = xt_opt_flag(o, "verify-only");
    char mfrom[1024], mto[1024];
    mask_url(from, mfrom, sizeof(mfrom));
    mask_url(to, mto, sizeof(mto));
    printf("xietong migrate-data: %s %s -> %s\n", verify_only ? "comparing" : "copying", mfrom,
           mto);
    fflush(stdout);

    struct xt_copy_report rep;
    struct xt_error err;
    int rc = verify_only ? xt_store_compare(from, to, &rep, &err)
                         : xt_store_copy(from, to, dir, on_table, NULL, &rep, &err);
    if (rep.tables[0].sum_from[0])
        print_report(&rep);
    if (rc) {
        xt_cli_error("migrate-data", &err);
        return 1;
    }
    if (!rep.all_ok) {
        printf("\nthe databases DIFFER (schema version %d, %.1f s)\n", rep.schema_version,
               rep.seconds);
        return 1;
    }
    if (verify_only) {
        printf("\nthe databases are equal (schema version %d, %.1f s)\n", rep.schema_version,
               rep.seconds);
        return 0;
    }
    printf("\ncopied and verified: every table has the same rows and checksum on both sides\n"
           "(schema version %d, %.1f s; the key '%s/keys/field.key' %s)\n",
           rep.schema_version, rep.seconds, dir,
           rep.key_checked ? "opens the source's sealed contacts"
                           : "was not checked: the source has no sealed contact");
    if (rep.source_changed) {
        fprintf(stderr, "xietong: migrate-data: the source was written to during the copy; those"
                        " rows are not in the target: stop the servers, empty the target and copy"
                        " again\n");
        return 1;
    }
    printf("to serve from it, put 'database = %s' in %s/xietong.conf on every server,\n"
           "each with the same keys/field.key\n",
           mto, dir);
    return 0;
}
