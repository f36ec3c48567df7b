/* export.c - `xietong export units|tickets|ranking|rates`: the files of the
 * API's /api/v1/export/ routes, written to --out. The CLI acts as the
 * system with the whole installation in view; it exports contacts masked
 * only (the system role may not unmask them). */
#include "core/export.h"
#include "cli/cli_int.h"
#include "core/reqtype.h"
#include "lib/xtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int bad(const char *opt, const char *why, const char *value)
{
    fprintf(stderr, "xietong: export: --%s: %s '%s'\n", opt, why, value ? value : "");
    return 2;
}

/* Fill rq from the options; 0 or 2 after printing what was wrong. */
static int parse(const struct xt_opts *o, struct xt_export_req *rq, int64_t now)
{
    const char *v = xt_opt(o, "format", NULL);
    if (!v)
        return bad("format", "is required: geojson, csv or xlsx", "");
    rq->format = strcmp(v, "geojson") == 0 ? XT_EXPORT_GEOJSON : xt_sheet_format_parse(v);
    if (!rq->format)
        return bad("format", "must be geojson, csv or xlsx, not", v);
    if ((rq->lang = xt_export_lang_parse(xt_opt(o, "lang", NULL))) < 0)
        return bad("lang", "must be zh-CN or en, not", xt_opt(o, "lang", NULL));
    rq->month = xt_month_of(now);
    if ((v = xt_opt(o, "period", NULL)) && xt_month_parse(v, &rq->month))
        return bad("period", "must be YYYY-MM, not", v);
    rq->root = xt_opt(o, "root", NULL);
    rq->unit = xt_opt(o, "unit", NULL);
    if ((v = xt_opt(o, "level", NULL))) {
        rq->level = xt_unit_level_parse(v);
        if (!rq->level)
            return bad("level", "must be a level name (township, village, grid ...), not", v);
    }
    if ((v = xt_opt(o, "kind", NULL))) {
        rq->level = xt_unit_level_parse(v);
        if (rq->level != XT_LEVEL_TOWNSHIP && rq->level != XT_LEVEL_DEPARTMENT)
            return bad("kind", "must be township or department, not", v);
    }
    if ((v = xt_opt(o, "months", NULL))) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 1 || n > 36)
            return bad("months", "must be 1..36, not", v);
        rq->months = (int)n;
    }
    struct xt_ticket_filter *f = &rq->filter;
    if ((v = xt_opt(o, "status", NULL)) && (f->state = xt_state_parse(v)) < 0)
        return bad("status", "unknown status", v);
    if ((v = xt_opt(o, "type", NULL)) && (f->type = xt_reqtype_parse(v)) < 0)
        return bad("type", "unknown type", v);
    f->unit = rq->unit;
    f->category = xt_opt(o, "category", NULL);
    if ((v = xt_opt(o, "from", NULL)) && xt_time_parse(v, &f->from))
        return bad("from", "must be a date (YYYY-MM-DD), not", v);
    if ((v = xt_opt(o, "to", NULL))) {
        if (xt_time_parse(v, &f->to))
            return bad("to", "must be a date (YYYY-MM-DD), not", v);
        if (strlen(v) == 10)
            f->to += XT_DAY; /* a bare end date includes that whole day */
    }
    f->overdue = xt_opt_flag(o, "overdue");
    return 0;
}

/* Write data to path through a temporary file renamed into place, so that
 * a failed export leaves no half-written file; "-" is standard output. */
static int write_out(const char *path, const char *data, size_t len)
{
    if (strcmp(path, "-") == 0)
        return fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -1;
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof(tmp))
        return -1;
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        return -1;
    int ok = fwrite(data, 1, len, fp) == len;
    ok = (fclose(fp) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int xt_cli_export(const struct xt_opts *o)
{
    const char *what = xt_opt_arg(o, 0);
    const char *outp = xt_opt(o, "out", NULL);
    if (!what || !outp) {
        fputs("usage: xietong export units|tickets|ranking|rates --format geojson|csv|xlsx\n"
              "       --out FILE|- [--lang zh-CN|en] [--root CODE --level L] [--unit CODE]\n"
              "       [--status S --type T --category C --from DATE --to DATE --overdue]\n"
              "       [--period YYYY-MM] [--kind township|department] [--months N] --data DIR\n",
              stderr);
        return 2;
    }
    int64_t now = (int64_t)time(NULL);
    struct xt_export_req rq;
    xt_export_req_init(&rq);
    rq.what = what;
    int rc = parse(o, &rq, now);
    if (rc)
        return rc;
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    struct xt_actor sys = {.role = XT_ROLE_SYSTEM};
    snprintf(sys.username, sizeof(sys.username), "cli");
    struct xt_export_out out;
    struct xt_error err;
    rc = xt_store_export(s, &sys, &rq, now, &out, &err);
    xt_store_close(s);
    if (rc) {
        xt_cli_error("export", &err);
        return 1;
    }
    rc = write_out(outp, out.data, out.len);
    if (rc)
        fprintf(stderr, "xietong: export: cannot write '%s'\n", outp);
    else if (strcmp(outp, "-") != 0)
        printf("exported %ld %s to '%s' (%zu bytes)\n", out.rows, what, outp, out.len);
    xt_export_out_release(&out);
    return rc ? 1 : 0;
}
