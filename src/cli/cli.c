/* cli.c - the subcommands: init, import, grids, account, metrics, ticket,
 * audit, demo. Each opens the store in --data (default var/data). */
#include "cli/cli.h"
#include "cli/cli_int.h"
#include "core/render.h"
#include "lib/xtime.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *fp)
{
    fputs("usage: xietong <command> [options]\n"
          "\n"
          "  init      --data DIR                      create an empty data directory\n"
          "  import    divisions|census|calendar|categories|departments|geojson FILE\n"
          "            [--prefix CODE] --data DIR      load reference data (all or nothing)\n"
          "  grids     --seats FILE [--prefix CODE] [--seed N] --data DIR\n"
          "                                            generate demo grids and positions\n"
          "  account   add --username U --password P --role R [--scope CODE] --data DIR\n"
          "  metrics   --unit CODE [--period YYYY-MM] [--ranking township|department] --data DIR\n"
          "  ticket    show NUMBER | list [--status S] [--unit CODE] [--limit N] --data DIR\n"
          "  audit     verify --data DIR\n"
          "  export    units|tickets|ranking|rates --format geojson|csv|xlsx --out FILE\n"
          "            [--lang en] [--root CODE] [--level L] [--unit CODE] [--period YYYY-MM]\n"
          "            [--kind township|department] [--status S] [--from D] [--to D] --data DIR\n"
          "  apikey    add --name APP --scope CODE | list | revoke --name APP --data DIR\n"
          "                                            Open311 API keys (docs/OPEN311.md)\n"
          "  classify  train --data CSV [--text-col A,B] [--label-col L] [--map FILE]\n"
          "            [--overrides DATADIR] [--ngram N] [--c C] [--nb ALPHA] --out MODEL\n"
          "            | eval --data CSV [--folds K] [--seed N] [--folds-out FILE]\n"
          "              [--margins-out FILE]\n"
          "            | eval --model MODEL --test CSV | predict --model MODEL [--csv FILE]\n"
          "  hot-issues [--unit CODE] [--period YYYY-MM] --data DIR | --csv FILE [--period P]\n"
          "            [--threshold J] [--min-size N] [--same-place] [--top N] [--members]\n"
          "  serve     [--data DIR] [--port N] [--bind ADDR] [--web DIR] [--model FILE]\n"
          "  people    import FILE --mapping MAP --source S --unit CODE | generate --unit COUNTY\n"
          "            --count N --out DIR | list [--unit CODE] | show ID [--reveal] |\n"
          "            resolve ID CONFLICT [--source S] | export [--unit CODE] [--out FILE] (masked)\n"
          "            --data DIR                      residents (一网整合)\n"
          "  needs     --unit CODE [--period YYYY-MM] --data DIR   tag and need counts\n"
          "  migrate-data --from URL --to URL [--data DIR] [--verify-only]  copy a database\n"
          "  access    import-osm FILE [--dem HGT] [--speeds CSV] [--places-out CSV] | import-edges\n"
          "            CSV | generate | facilities list|import CSV|add|delete | travel|coverage|\n"
          "            score|site|bands --type T [--mode car|foot] [--level village|grid] [--places CSV]\n"
          "            [--k N --objective mclp|pmedian --exact --candidate-capacity P]\n"
          "            [--ignore-existing-capacity] [--out FILE] --data DIR\n"
          "                                            access to public services (服务半径)\n"
          "  demo      [--data DIR] [--port N] [--tickets N] [--people N] [--no-serve]\n"
          "  serve     [--data DIR] [--port N] [--bind ADDR] [--web DIR] [--model FILE]\n"
          "            [--type-model FILE] [--suggest-threshold P]\n",
          fp);
}

int xt_cli_open(const struct xt_opts *o, struct xt_store **s)
{
    struct xt_error err;
    xt_error_clear(&err);
    const char *dir = xt_opt(o, "data", "var/data");
    int rc = xt_store_open_db(dir, xt_opt(o, "database", NULL), s, &err);
    if (rc)
        fprintf(stderr, "xietong: cannot open data directory '%s': %s\n", dir, err.message);
    return rc;
}

void xt_cli_error(const char *what, const struct xt_error *err)
{
    if (*err->field)
        fprintf(stderr, "xietong: %s: %s: %s\n", what, err->field, err->message);
    else
        fprintf(stderr, "xietong: %s: %s\n", what, err->message);
}

static int cmd_init(const struct xt_opts *o)
{
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    printf("data directory '%s' ready (schema version %d)\n", xt_opt(o, "data", "var/data"),
           xt_store_schema_version(s));
    xt_store_close(s);
    return 0;
}

int xt_cli_import(struct xt_store *s, const char *what, const char *file, const char *prefix,
                  bool quiet)
{
    struct xt_import_stats st;
    struct xt_error err;
    xt_error_clear(&err);
    int rc;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (strcmp(what, "divisions") == 0)
        rc = xt_store_import_divisions(s, file, prefix, &st, &err);
    else if (strcmp(what, "census") == 0)
        rc = xt_store_import_census(s, file, prefix, &st, &err);
    else if (strcmp(what, "calendar") == 0)
        rc = xt_store_import_calendar(s, file, &st, &err);
    else if (strcmp(what, "categories") == 0)
        rc = xt_store_import_categories(s, file, &st, &err);
    else if (strcmp(what, "departments") == 0)
        rc = xt_store_import_departments(s, file, prefix, &st, &err);
    else if (strcmp(what, "geojson") == 0)
        rc = xt_store_import_geojson(s, file, &st, &err);
    else {
        fprintf(stderr, "xietong: import: unknown kind '%s'\n", what);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc) {
        xt_cli_error("import", &err);
        return 1;
    }
    if (!quiet && *err.message)
        printf("note: %s\n", err.message);
    if (!quiet)
        printf("imported %s from '%s': %ld rows read, %ld written, %ld skipped"
               " (%.2f s)\n",
               what, file, st.rows, st.inserted + st.updated, st.skipped,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    struct xt_error rerr;
    if (xt_store_reload(s, &rerr)) {
        xt_cli_error("reload", &rerr);
        return 1;
    }
    return 0;
}

static int cmd_import(const struct xt_opts *o)
{
    const char *what = xt_opt_arg(o, 0), *file = xt_opt_arg(o, 1);
    if (!what || !file) {
        usage(stderr);
        return 2;
    }
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    int rc = xt_cli_import(s, what, file, xt_opt(o, "prefix", ""), false);
    xt_store_close(s);
    return rc;
}

static int cmd_account(const struct xt_opts *o)
{
    const char *verb = xt_opt_arg(o, 0);
    if (!verb || strcmp(verb, "add") != 0) {
        usage(stderr);
        return 2;
    }
    const char *role = xt_opt(o, "role", NULL);
    int r = xt_role_parse(role);
    if (r < 0) {
        fprintf(stderr, "xietong: account: --role: unknown role '%s'\n", role ? role : "");
        return 2;
    }
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    struct xt_error err;
    int rc = xt_store_account_create(s, xt_opt(o, "username", ""), xt_opt(o, "password", ""), r,
                                     xt_opt(o, "scope", ""), xt_opt(o, "name", NULL), &err);
    if (rc)
        xt_cli_error("account", &err);
    else
        printf("account '%s' (%s) created\n", xt_opt(o, "username", ""), role);
    xt_store_close(s);
    return rc ? 1 : 0;
}

static const char *name_of(void *ctx, const char *code)
{
    return xt_store_unit_name(ctx, code);
}

static void print_json(struct json_object *o)
{
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                               JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

static int cmd_metrics(const struct xt_opts *o)
{
    int month = xt_month_of((int64_t)time(NULL));
    const char *period = xt_opt(o, "period", NULL);
    if (period && xt_month_parse(period, &month)) {
        fprintf(stderr, "xietong: metrics: --period: must be YYYY-MM\n");
        return 2;
    }
    const char *unit = xt_opt(o, "unit", "");
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    struct xt_render_ctx rctx = {name_of, s, xt_store_routing(s)};
    struct xt_error err;
    int rc;
    const char *ranking = xt_opt(o, "ranking", NULL);
    if (ranking) {
        struct xt_rates *rates;
        int *ranks;
        size_t n;
        rc = xt_store_ranking(s, unit, xt_unit_level_parse(ranking), month, &rates, &ranks, &n,
                              &err);
        if (!rc) {
            printf("%-4s %-12s %-28s %8s %8s %8s %8s %9s\n", "rank", "code", "name", "tickets",
                   "response", "resolve", "satisf.", "composite");
            for (size_t i = 0; i < n; i++) {
                const char *nm = xt_store_unit_name(s, rates[i].unit);
                printf("%-4d %-12s %-28s %8ld %8.3f %8.3f %8.3f %9.3f\n", ranks[i], rates[i].unit,
                       nm ? nm : "", rates[i].dispatched, rates[i].response, rates[i].resolution,
                       rates[i].satisfaction, rates[i].composite);
            }
            free(rates);
            free(ranks);
        }
    } else {
        struct xt_rates r;
        rc = xt_store_rates(s, unit, month, &r, &err);
        if (!rc)
            print_json(xt_render_rates(&rctx, &r, month));
    }
    if (rc)
        xt_cli_error("metrics", &err);
    xt_store_close(s);
    return rc ? 1 : 0;
}

struct list_print {
    struct xt_store *s;
};

static int print_line(void *ctx, const struct xt_ticket *t)
{
    struct list_print *lp = ctx;
    char created[26];
    xt_time_format(t->created_at, created);
    const char *h = xt_store_unit_name(lp->s, t->handler);
    printf("%-15s %-10s %-10s %s %-20s %.40s\n", t->number, xt_state_name(t->state),
           t->category, created, h ? h : "-", t->text);
    return 0;
}

static int cmd_ticket(const struct xt_opts *o)
{
    const char *verb = xt_opt_arg(o, 0);
    if (!verb) {
        usage(stderr);
        return 2;
    }
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    /* The CLI acts as the system, with the whole installation in view. */
    struct xt_actor sys = {.role = XT_ROLE_SYSTEM};
    snprintf(sys.username, sizeof(sys.username), "cli");
    struct xt_error err;
    xt_error_clear(&err);
    int rc = 0;
    int64_t now = (int64_t)time(NULL);
    if (strcmp(verb, "show") == 0 && xt_opt_arg(o, 1)) {
        struct xt_ticket t;
        rc = xt_store_ticket_get(s, &sys, xt_opt_arg(o, 1), &t, NULL, false, now, &err);
        if (!rc) {
            struct xt_render_ctx rctx = {name_of, s, xt_store_routing(s)};
            print_json(xt_render_ticket(&rctx, &t, NULL, NULL, true, now));
            xt_ticket_release(&t);
        }
    } else if (strcmp(verb, "list") == 0) {
        struct xt_ticket_filter f;
        xt_ticket_filter_init(&f);
        const char *st = xt_opt(o, "status", NULL);
        if (st && (f.state = xt_state_parse(st)) < 0) {
            fprintf(stderr, "xietong: ticket list: --status: unknown status '%s'\n", st);
            xt_store_close(s);
            return 2;
        }
        f.unit = xt_opt(o, "unit", NULL);
        f.limit = (int)strtol(xt_opt(o, "limit", "20"), NULL, 10);
        struct list_print lp = {s};
        int64_t next;
        rc = xt_store_ticket_list(s, &sys, &f, now, print_line, &lp, &next, &err);
    } else {
        usage(stderr);
        rc = 2;
    }
    if (rc && rc != 2)
        xt_cli_error("ticket", &err);
    xt_store_close(s);
    return rc ? 1 : 0;
}

static int cmd_audit(const struct xt_opts *o)
{
    const char *verb = xt_opt_arg(o, 0);
    if (!verb || strcmp(verb, "verify") != 0) {
        usage(stderr);
        return 2;
    }
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    int64_t bad;
    long rows;
    int rc = xt_store_audit_verify(s, &bad, &rows);
    if (rc == 0)
        printf("audit log intact: %ld rows\n", rows);
    else if (rc == XT_EINVAL)
        printf("audit log BROKEN at row %lld (%ld rows checked)\n", (long long)bad, rows);
    else
        fprintf(stderr, "xietong: audit: cannot read the audit log\n");
    xt_store_close(s);
    return rc ? 1 : 0;
}

int xt_cli_main(int argc, char **argv, bool *serve_after)
{
    *serve_after = false;
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct xt_opts o = {argc - 2, argv + 2};
    const char *cmd = argv[1];
    if (strcmp(cmd, "init") == 0)
        return cmd_init(&o);
    if (strcmp(cmd, "import") == 0)
        return cmd_import(&o);
    if (strcmp(cmd, "grids") == 0)
        return xt_cli_grids(&o);
    if (strcmp(cmd, "account") == 0)
        return cmd_account(&o);
    if (strcmp(cmd, "metrics") == 0)
        return cmd_metrics(&o);
    if (strcmp(cmd, "ticket") == 0)
        return cmd_ticket(&o);
    if (strcmp(cmd, "audit") == 0)
        return cmd_audit(&o);
    if (strcmp(cmd, "export") == 0)
        return xt_cli_export(&o);
    if (strcmp(cmd, "classify") == 0)
        return xt_cli_classify(&o);
    if (strcmp(cmd, "hot-issues") == 0)
        return xt_cli_hot_issues(&o);
    if (strcmp(cmd, "apikey") == 0)
        return xt_cli_apikey(&o);
    if (strcmp(cmd, "people") == 0)
        return xt_cli_people(&o);
    if (strcmp(cmd, "needs") == 0)
        return xt_cli_needs(&o);
    if (strcmp(cmd, "migrate-data") == 0)
        return xt_cli_migrate_data(&o);
    if (strcmp(cmd, "access") == 0)
        return xt_cli_access(&o);
    if (strcmp(cmd, "demo") == 0) {
        int rc = xt_cli_demo(&o);
        *serve_after = rc == 0 && !xt_opt_flag(&o, "no-serve");
        return rc;
    }
    fprintf(stderr, "xietong: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
