/* people.c - `xietong people ...` and `xietong needs`: import departmental
 * lists, generate a demo population and its lists, read residents. */
#include "cli/cli_int.h"
#include "core/popgen.h"
#include "lib/xtime.h"
#include "store/people.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static struct xt_actor cli_actor(void)
{
    /* The CLI acts as the system, with the whole installation in view. */
    struct xt_actor a = {.role = XT_ROLE_SYSTEM};
    snprintf(a.username, sizeof(a.username), "cli");
    return a;
}

static void print_json(struct json_object *o)
{
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                               JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

int xt_cli_people_import(struct xt_store *s, const char *file, const char *mapping,
                         const char *source, const char *unit, bool quiet)
{
    struct xt_people_mapping m;
    struct xt_error err;
    xt_error_clear(&err);
    if (xt_people_mapping_load(mapping, &m, &err)) {
        xt_cli_error("people import", &err);
        return 1;
    }
    struct xt_actor a = cli_actor();
    struct xt_people_report rep;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = xt_store_people_import_file(s, &a, file, &m, source, unit, (int64_t)time(NULL),
                                         &rep, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc) {
        xt_cli_error("people import", &err);
        return 1;
    }
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rep.repeat)
        printf("'%s' from %s was imported before (run %lld): nothing changed\n", file, source,
               (long long)rep.run_id);
    else
        printf("imported '%s' from %s (run %lld, %.2f s): %ld rows: %ld new, %ld merged,"
               " %ld unchanged, %ld conflicting, %ld for review, %ld rejected\n",
               file, source, (long long)rep.run_id, secs, rep.rows, rep.created, rep.merged,
               rep.unchanged, rep.conflicting, rep.review, rep.rejected);
    if (!quiet && rep.lines && strcmp(rep.lines, "[]") != 0)
        printf("%s\n", rep.lines);
    xt_people_report_release(&rep);
    return 0;
}

struct grid_acc {
    struct xt_popgen_grid *g;
    int n, cap;
};

static int add_grid(void *ctx, const struct xt_unit *u)
{
    struct grid_acc *a = ctx;
    if (a->n == a->cap) {
        int cap = a->cap ? a->cap * 2 : 256;
        struct xt_popgen_grid *p = realloc(a->g, (size_t)cap * sizeof(*p));
        if (!p)
            return 1;
        a->g = p;
        a->cap = cap;
    }
    snprintf(a->g[a->n].code, sizeof(a->g[a->n].code), "%s", u->code);
    a->g[a->n].urban = u->kind == XT_KIND_URBAN;
    a->n++;
    return 0;
}

struct gen_out {
    FILE *reg;
    bool reg_tags;
    FILE *list[XT_LIST_COUNT];
    FILE *truth;
    long rows[XT_LIST_COUNT];
    uint64_t rng;
};

static int write_person(void *ctx, const struct xt_gen_person *p)
{
    struct gen_out *o = ctx;
    char line[1024];
    xt_popgen_register_row(p, o->reg_tags, line, sizeof(line));
    fprintf(o->reg, "%s\n", line);
    for (int l = 0; l < XT_LIST_COUNT; l++) {
        if (!o->list[l] || !xt_popgen_list_row(l, p, &o->rng, line, sizeof(line)))
            continue;
        fprintf(o->list[l], "%s\n", line);
        o->rows[l]++;
        fprintf(o->truth, "%s,%ld,%ld\n", xt_popgen_list_source(l), o->rows[l], p->row);
    }
    return 0;
}

static int write_text(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    fputs(text, fp);
    return fclose(fp);
}

static FILE *open_csv(const char *dir, const char *name, const char *header)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    if (fp)
        fprintf(fp, "%s\n", header);
    return fp;
}

/* Generate count people of county unit into dir: register.csv and the
 * departmental lists, their mappings and truth.csv (list,row,person).
 * People live in the county's grids; a county not gridded yet has its
 * villages and communities instead (as its real register does). A county
 * without census figures of its own (a prefecture-level city's only
 * district, e.g. 嘉峪关) takes its prefecture's. register_tags adds each
 * person's tags to the register (xt_popgen_register_header). */
int xt_cli_people_generate(struct xt_store *s, const char *unit, long count, const char *dir,
                           unsigned long long seed, bool lists, bool register_tags, bool quiet)
{
    struct xt_census cen;
    char prefecture[XT_CODE_MAX] = "";
    bool county = xt_unit_level_of_code(unit) == XT_LEVEL_COUNTY;
    if (county && xt_store_census(s, unit, &cen) &&
        (!xt_unit_ancestor(unit, XT_LEVEL_CITY, prefecture) ||
         xt_store_census(s, prefecture, &cen)))
        county = false;
    if (!county) {
        fprintf(stderr, "xietong: people generate: --unit: '%s' is not a county with census"
                        " figures\n", unit);
        return 2;
    }
    struct grid_acc ga = {0};
    const char *where = "grids";
    xt_store_units_at_level(s, unit, XT_LEVEL_GRID, add_grid, &ga);
    if (ga.n == 0) {
        where = "villages (no grids yet)";
        xt_store_units_at_level(s, unit, XT_LEVEL_VILLAGE, add_grid, &ga);
    }
    if (ga.n == 0) {
        fprintf(stderr, "xietong: people generate: county '%s' has neither grids nor villages"
                        " (import divisions first)\n", unit);
        free(ga.g);
        return 1;
    }
    if (mkdir(dir, 0755) && errno != EEXIST) {
        fprintf(stderr, "xietong: people generate: cannot create '%s'\n", dir);
        free(ga.g);
        return 1;
    }
    struct xt_popgen_census pc = {0};
    snprintf(pc.region, sizeof(pc.region), "%s", unit);
    double pop = cen.population > 0 ? (double)cen.population : 1;
    pc.male_share = cen.male / pop;
    pc.urban_share = cen.urban / pop;
    pc.minority_share = cen.minority_pct / 100.0;
    pc.household_size = cen.household_size;
    pc.age0_14 = cen.age0_14 / 100.0;
    pc.age65 = cen.age65 / 100.0;
    struct gen_out o = {.rng = seed ^ 0x5DEECE66Dull, .reg_tags = register_tags};
    o.reg = open_csv(dir, "register.csv", xt_popgen_register_header(register_tags));
    char name[64];
    int rc =
        o.reg && !write_text(dir, "register.map.csv", xt_popgen_register_mapping(register_tags))
            ? 0
            : 1;
    o.truth = open_csv(dir, "truth.csv", "list,row,person");
    for (int l = 0; lists && !rc && l < XT_LIST_COUNT; l++) {
        snprintf(name, sizeof(name), "%s.csv", xt_popgen_list_source(l));
        o.list[l] = open_csv(dir, name, xt_popgen_list_header(l));
        snprintf(name, sizeof(name), "%s.map.csv", xt_popgen_list_source(l));
        if (!o.list[l] || write_text(dir, name, xt_popgen_list_mapping(l)))
            rc = 1;
    }
    int today;
    {
        char d[11];
        xt_date_format(xt_local_day((int64_t)time(NULL)), d);
        today = (int)strtol(d, NULL, 10) * 10000 + (int)strtol(d + 5, NULL, 10) * 100 +
                (int)strtol(d + 8, NULL, 10);
    }
    if (!rc && o.truth)
        rc = xt_popgen_run(&pc, ga.g, ga.n, count, seed, today, write_person, &o) ? 1 : 0;
    if (o.reg && fclose(o.reg))
        rc = 1;
    if (o.truth && fclose(o.truth))
        rc = 1;
    for (int l = 0; l < XT_LIST_COUNT; l++)
        if (o.list[l] && fclose(o.list[l]))
            rc = 1;
    free(ga.g);
    if (rc) {
        fprintf(stderr, "xietong: people generate: cannot write into '%s'\n", dir);
        return 1;
    }
    if (!quiet)
        printf("generated %ld people of %s (%s%s%s) in %d %s in '%s': lists civil %ld,"
               " disability %ld, health %ld, education %ld rows\n",
               count, unit, cen.name, *prefecture ? ", census of " : "", prefecture, ga.n, where,
               dir, o.rows[0], o.rows[1], o.rows[2], o.rows[3]);
    return 0;
}

static void csv_field(FILE *fp, const char *v, bool last)
{
    v = v ? v : "";
    if (strpbrk(v, ",\"\r\n")) {
        fputc('"', fp);
        for (const char *p = v; *p; p++) {
            if (*p == '"')
                fputc('"', fp);
            fputc(*p, fp);
        }
        fputc('"', fp);
    } else {
        fputs(v, fp);
    }
    fputc(last ? '\n' : ',', fp);
}

static const char *jstr(struct json_object *o, const char *key, char *buf, size_t n)
{
    struct json_object *v = json_object_object_get(o, key);
    snprintf(buf, n, "%s", v ? json_object_get_string(v) : "");
    return buf;
}

/* Residents of a subtree as CSV, masked as the API shows them: an export
 * never carries clear protected values. */
static int people_export(struct xt_store *s, const struct xt_actor *a, const char *unit,
                         FILE *fp, long *rows, struct xt_error *err)
{
    fputs("id,unit,name,id_number,sex,birth_year,phone,household,relation,address,tags\n", fp);
    int64_t cursor = 0;
    *rows = 0;
    for (;;) {
        struct json_object *page;
        int rc = xt_store_people_list(s, a, unit, NULL, cursor, 500, &page, err);
        if (rc)
            return rc;
        struct json_object *items = json_object_object_get(page, "items");
        for (size_t i = 0; i < json_object_array_length(items); i++) {
            struct json_object *r = json_object_array_get_idx(items, i);
            char b[512];
            csv_field(fp, jstr(r, "id", b, sizeof(b)), false);
            csv_field(fp, jstr(r, "unit", b, sizeof(b)), false);
            csv_field(fp, jstr(r, "name", b, sizeof(b)), false);
            csv_field(fp, jstr(r, "id_number", b, sizeof(b)), false);
            csv_field(fp, jstr(r, "sex", b, sizeof(b)), false);
            csv_field(fp, jstr(r, "birth_year", b, sizeof(b)), false);
            csv_field(fp, jstr(r, "phone", b, sizeof(b)), false);
            csv_field(fp, jstr(r, "household", b, sizeof(b)), false);
            csv_field(fp, jstr(r, "relation", b, sizeof(b)), false);
            csv_field(fp, jstr(r, "address", b, sizeof(b)), false);
            char tags[512] = "";
            struct json_object *ts = json_object_object_get(r, "tags");
            for (size_t k = 0; k < json_object_array_length(ts); k++) {
                size_t len = strlen(tags);
                snprintf(tags + len, sizeof(tags) - len, "%s%s", k ? ";" : "",
                         json_object_get_string(
                             json_object_object_get(json_object_array_get_idx(ts, k), "tag")));
            }
            csv_field(fp, tags, true);
            (*rows)++;
        }
        struct json_object *next = json_object_object_get(page, "next_cursor");
        cursor = next ? json_object_get_int64(next) : 0;
        json_object_put(page);
        if (!cursor)
            return 0;
    }
}

int xt_cli_people(const struct xt_opts *o)
{
    const char *verb = xt_opt_arg(o, 0);
    if (!verb) {
        fprintf(stderr, "usage: xietong people import FILE --mapping MAP --source S --unit CODE\n"
                        "       xietong people generate --unit COUNTY --count N --out DIR"
                        " [--seed N] [--no-lists] [--register-tags]\n"
                        "       xietong people list [--unit CODE] [--tag T] [--limit N]\n"
                        "       xietong people show ID [--reveal]\n"
                        "       xietong people resolve ID CONFLICT [--source S]\n"
                        "       xietong people export [--unit CODE] [--out FILE]  (masked CSV)\n");
        return 2;
    }
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    struct xt_actor a = cli_actor();
    struct xt_error err;
    xt_error_clear(&err);
    int rc = 0;
    int64_t now = (int64_t)time(NULL);
    if (strcmp(verb, "import") == 0 && xt_opt_arg(o, 1)) {
        rc = xt_cli_people_import(s, xt_opt_arg(o, 1), xt_opt(o, "mapping", ""),
                                  xt_opt(o, "source", ""), xt_opt(o, "unit", ""),
                                  xt_opt_flag(o, "quiet"));
    } else if (strcmp(verb, "generate") == 0) {
        char *end;
        long n = strtol(xt_opt(o, "count", "1000"), &end, 10);
        if (*end || n < 1 || n > 100000000) {
            fprintf(stderr, "xietong: people generate: --count must be 1..100000000\n");
            rc = 2;
        } else {
            rc = xt_cli_people_generate(s, xt_opt(o, "unit", ""), n, xt_opt(o, "out", "people"),
                                        strtoull(xt_opt(o, "seed", "2020"), NULL, 10),
                                        !xt_opt_flag(o, "no-lists"),
                                        xt_opt_flag(o, "register-tags"), false);
        }
    } else if (strcmp(verb, "list") == 0) {
        struct json_object *out;
        rc = xt_store_people_list(s, &a, xt_opt(o, "unit", ""), xt_opt(o, "tag", NULL), 0,
                                  (int)strtol(xt_opt(o, "limit", "20"), NULL, 10), &out, &err);
        if (!rc)
            print_json(out);
    } else if (strcmp(verb, "show") == 0 && xt_opt_arg(o, 1)) {
        struct json_object *out;
        rc = xt_store_people_get(s, &a, strtoll(xt_opt_arg(o, 1), NULL, 10),
                                 xt_opt_flag(o, "reveal"), now, &out, &err);
        if (!rc)
            print_json(out);
    } else if (strcmp(verb, "export") == 0) {
        const char *out = xt_opt(o, "out", NULL);
        FILE *fp = out ? fopen(out, "w") : stdout;
        long rows = 0;
        if (!fp) {
            fprintf(stderr, "xietong: people export: cannot write '%s'\n", out);
            rc = 1;
        } else {
            rc = people_export(s, &a, xt_opt(o, "unit", ""), fp, &rows, &err);
            if (out && fclose(fp) && !rc) {
                fprintf(stderr, "xietong: people export: cannot write '%s'\n", out);
                rc = 1;
            }
            if (!rc && out)
                printf("exported %ld residents (masked) to '%s'\n", rows, out);
        }
    } else if (strcmp(verb, "resolve") == 0 && xt_opt_arg(o, 1) && xt_opt_arg(o, 2)) {
        rc = xt_store_people_resolve(s, &a, strtoll(xt_opt_arg(o, 1), NULL, 10),
                                     strtoll(xt_opt_arg(o, 2), NULL, 10),
                                     xt_opt(o, "source", ""), now, &err);
        if (!rc)
            printf("conflict %s resolved\n", xt_opt_arg(o, 2));
    } else {
        fprintf(stderr, "xietong: people: unknown or incomplete command '%s'\n", verb);
        rc = 2;
    }
    if (rc < 0)
        xt_cli_error("people", &err);
    xt_store_close(s);
    return rc == 0 ? 0 : rc == 2 ? 2 : 1;
}

int xt_cli_needs(const struct xt_opts *o)
{
    int month = xt_month_of((int64_t)time(NULL));
    const char *period = xt_opt(o, "period", NULL);
    if (period && xt_month_parse(period, &month)) {
        fprintf(stderr, "xietong: needs: --period: must be YYYY-MM\n");
        return 2;
    }
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    struct xt_actor a = cli_actor();
    struct xt_error err;
    struct json_object *out;
    int rc = xt_store_people_needs(s, &a, xt_opt(o, "unit", ""), month, &out, &err);
    if (rc)
        xt_cli_error("needs", &err);
    else
        print_json(out);
    xt_store_close(s);
    return rc ? 1 : 0;
}
