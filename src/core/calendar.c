/* calendar.c - working days and office time over a sorted table of dated
 * marks.
 *
 * The marks are kept sorted by day so that the test every deadline loop makes
 * (is this day worked?) is a binary search over a few hundred entries, and so
 * that loading a file is a linear merge that can be built aside and swapped
 * in whole.
 */
#include "core/calendar.h"
#include "lib/csv.h"
#include "lib/utf8.h"
#include "lib/xtime.h"

#include <stdlib.h>
#include <string.h>

struct xt_calendar_mark {
    int32_t day;
    int kind; /* enum xt_day_kind */
    char name[XT_CALENDAR_NAME_MAX];
};

struct xt_calendar {
    struct xt_calendar_mark *marks; /* sorted by day, one per day */
    size_t n, cap;
};

/* The office periods of one working day, in order. Adding or moving a period
 * is a change here and in the header constants, nowhere else. */
static const struct {
    int32_t start, end;
} office_periods[] = {
    {XT_OFFICE_AM_START, XT_OFFICE_AM_END},
    {XT_OFFICE_PM_START, XT_OFFICE_PM_END},
};

_Static_assert((XT_OFFICE_AM_END - XT_OFFICE_AM_START) + (XT_OFFICE_PM_END - XT_OFFICE_PM_START) ==
                   XT_OFFICE_MINUTES_PER_DAY * 60,
               "XT_OFFICE_MINUTES_PER_DAY must match the office periods");

static const struct {
    const char *name;
    int kind;
} day_kinds[] = {
    {"holiday", XT_DAY_HOLIDAY},
    {"workday", XT_DAY_WORKDAY},
};

static const char *const weekday_names[7] = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

const char *xt_day_kind_name(int kind)
{
    for (size_t i = 0; i < sizeof(day_kinds) / sizeof(day_kinds[0]); i++)
        if (day_kinds[i].kind == kind)
            return day_kinds[i].name;
    return NULL;
}

int xt_day_kind_parse(const char *s)
{
    if (!s)
        return 0;
    for (size_t i = 0; i < sizeof(day_kinds) / sizeof(day_kinds[0]); i++)
        if (strcmp(s, day_kinds[i].name) == 0)
            return day_kinds[i].kind;
    return 0;
}

static bool is_weekend(int32_t day)
{
    return xt_weekday(day) >= 5;
}

struct xt_calendar *xt_calendar_new(void)
{
    return calloc(1, sizeof(struct xt_calendar));
}

void xt_calendar_free(struct xt_calendar *cal)
{
    if (!cal)
        return;
    free(cal->marks);
    free(cal);
}

/* Index of the first mark whose day is >= day (cal->n when none). */
static size_t lower_bound(const struct xt_calendar *cal, int32_t day)
{
    size_t lo = 0, hi = cal->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->marks[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct xt_calendar_mark *find(const struct xt_calendar *cal, int32_t day)
{
    size_t i = lower_bound(cal, day);
    return i < cal->n && cal->marks[i].day == day ? &cal->marks[i] : NULL;
}

/* The checks shared by xt_calendar_set and the CSV loader. On failure
 * *field names the column at fault; the loader words its own message
 * because it also knows the line and the text as written. */
static int check_mark(int32_t day, int kind, const char *name, const char **field)
{
    if (!xt_day_kind_name(kind)) {
        *field = "kind";
        return XT_EINVAL;
    }
    if (kind == XT_DAY_WORKDAY && !is_weekend(day)) {
        *field = "date";
        return XT_EINVAL;
    }
    size_t len = strlen(name);
    if (len >= XT_CALENDAR_NAME_MAX || !xt_utf8_valid(name, len)) {
        *field = "name";
        return XT_EINVAL;
    }
    return 0;
}

static void fill_mark(struct xt_calendar_mark *m, int32_t day, int kind, const char *name)
{
    size_t len = strlen(name);
    m->day = day;
    m->kind = kind;
    memcpy(m->name, name, len + 1);
}

int xt_calendar_set(struct xt_calendar *cal, int32_t day, int kind, const char *name)
{
    const char *field;
    if (!cal)
        return XT_EINVAL;
    if (!name)
        name = "";
    int rc = check_mark(day, kind, name, &field);
    if (rc)
        return rc;

    size_t i = lower_bound(cal, day);
    if (i < cal->n && cal->marks[i].day == day) {
        fill_mark(&cal->marks[i], day, kind, name);
        return 0;
    }
    if (cal->n >= XT_CALENDAR_MAX_DAYS)
        return XT_ETOOBIG;
    if (cal->n == cal->cap) {
        size_t cap = cal->cap ? cal->cap * 2 : 64;
        if (cap > XT_CALENDAR_MAX_DAYS)
            cap = XT_CALENDAR_MAX_DAYS;
        struct xt_calendar_mark *p = realloc(cal->marks, cap * sizeof(*p));
        if (!p)
            return XT_ENOMEM;
        cal->marks = p;
        cal->cap = cap;
    }
    memmove(&cal->marks[i + 1], &cal->marks[i], (cal->n - i) * sizeof(cal->marks[0]));
    fill_mark(&cal->marks[i], day, kind, name);
    cal->n++;
    return 0;
}

/* One parsed CSV row and the line it came from, for error messages about
 * duplicates found only after sorting. */
struct csv_row {
    struct xt_calendar_mark mark;
    long line;
};

static int row_cmp(const void *a, const void *b)
{
    const struct csv_row *x = a, *y = b;
    if (x->mark.day != y->mark.day)
        return x->mark.day < y->mark.day ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* Check one record, which began on `line`, and fill *row from it. */
static int parse_row(const struct xt_csv *c, long line, const int col[3], struct csv_row *row,
                     struct xt_error *err)
{
    static const char *const col_names[3] = {"date", "kind", "name"};
    const char *text[3] = {NULL, NULL, ""};
    const char *field;

    for (int k = 0; k < 3; k++) {
        if (col[k] < 0)
            continue;
        if (col[k] >= c->nfield)
            return xt_error_set(err, XT_EINVAL, col_names[k], "line %ld: no \"%s\" field", line,
                                col_names[k]);
        text[k] = c->field[col[k]];
    }

    int32_t day;
    if (xt_date_parse(text[0], &day))
        return xt_error_set(err, XT_EINVAL, "date",
                            "line %ld: \"%.40s\" is not a valid date (YYYY-MM-DD)", line, text[0]);
    int kind = xt_day_kind_parse(text[1]);
    if (!kind)
        return xt_error_set(err, XT_EINVAL, "kind",
                            "line %ld: kind \"%.40s\" must be \"holiday\" or \"workday\"", line,
                            text[1]);
    if (check_mark(day, kind, text[2], &field)) {
        if (strcmp(field, "date") == 0)
            return xt_error_set(err, XT_EINVAL, "date",
                                "line %ld: \"%s\" is a %s; a workday row must be a Saturday "
                                "or Sunday",
                                line, text[0], weekday_names[xt_weekday(day)]);
        return xt_error_set(err, XT_EINVAL, "name",
                            "line %ld: name must be valid UTF-8 shorter than %d bytes", line,
                            XT_CALENDAR_NAME_MAX);
    }
    fill_mark(&row->mark, day, kind, text[2]);
    row->line = line;
    return 0;
}

/* Read every row of the open file into *rows_out (sorted by day), checking
 * each one and rejecting a date listed twice. */
static int read_rows(struct xt_csv *c, struct csv_row **rows_out, size_t *n_out,
                     struct xt_error *err)
{
    struct csv_row *rows = NULL;
    size_t n = 0, cap = 0;
    long line, start;
    int col[3];
    int rc = xt_csv_next(c);

    if (rc <= 0) {
        rc = xt_error_set(err, rc == XT_ETOOBIG ? XT_ETOOBIG : XT_EINVAL, "",
                          "line 1: expected the header \"date,kind,name\"");
        goto out;
    }
    col[0] = xt_csv_index(c, "date");
    col[1] = xt_csv_index(c, "kind");
    col[2] = xt_csv_index(c, "name");
    for (int k = 0; k < 2; k++) {
        if (col[k] < 0) {
            const char *want = k == 0 ? "date" : "kind";
            rc =
                xt_error_set(err, XT_EINVAL, want, "line 1: the header has no \"%s\" column", want);
            goto out;
        }
    }

    /* The reader gives the line where each record starts; line is where
     * the next one will start, for errors after the last record. */
    line = c->line + c->inner_lines + 1;
    while ((rc = xt_csv_next(c)) == 1) {
        start = c->line;
        line = c->line + c->inner_lines + 1;
        if (c->nfield == 1 && c->field[0][0] == '\0')
            continue;
        if (n == cap) {
            if (n >= XT_CALENDAR_MAX_DAYS) {
                rc = xt_error_set(err, XT_ETOOBIG, "", "line %ld: more than %d rows", start,
                                  XT_CALENDAR_MAX_DAYS);
                goto out;
            }
            size_t ncap = cap ? cap * 2 : 64;
            struct csv_row *p = realloc(rows, ncap * sizeof(*p));
            if (!p) {
                rc = xt_error_set(err, XT_ENOMEM, "", "out of memory");
                goto out;
            }
            rows = p;
            cap = ncap;
        }
        if ((rc = parse_row(c, start, col, &rows[n], err)))
            goto out;
        n++;
    }
    if (rc < 0) {
        rc = xt_error_set(err, rc, "", "line %ld: malformed CSV record", line);
        goto out;
    }

    /* Sorting with the line as tie-break puts a repeated date right after
     * its first appearance, so the error can name both lines. */
    if (n > 1)
        qsort(rows, n, sizeof(rows[0]), row_cmp);
    for (size_t i = 1; i < n; i++) {
        if (rows[i].mark.day == rows[i - 1].mark.day) {
            char date[11];
            xt_date_format(rows[i].mark.day, date);
            rc = xt_error_set(err, XT_EINVAL, "date",
                              "line %ld: date \"%s\" already appears on line %ld", rows[i].line,
                              date, rows[i - 1].line);
            goto out;
        }
    }
    rc = 0;
out:
    if (rc) {
        free(rows);
        rows = NULL;
        n = 0;
    }
    *rows_out = rows;
    *n_out = n;
    return rc;
}

int xt_calendar_load_csv(struct xt_calendar *cal, const char *path, struct xt_error *err)
{
    struct xt_csv c;
    struct csv_row *rows = NULL;
    struct xt_calendar_mark *merged = NULL;
    size_t nrows = 0, alloc, n = 0, i = 0, j = 0;
    int rc;

    if (!cal || !path)
        return xt_error_set(err, XT_EINVAL, "path", "no calendar or path given");
    if (xt_csv_open(&c, path))
        return xt_error_set(err, XT_ENOTFOUND, "path", "cannot open \"%s\"", path);
    rc = read_rows(&c, &rows, &nrows, err);
    xt_csv_close(&c);
    if (rc)
        goto out;

    /* Build the merged table aside and swap it in, so that running out of
     * memory half-way leaves cal as it was. */
    alloc = cal->n + nrows;
    if (alloc > 0) {
        merged = malloc(alloc * sizeof(*merged));
        if (!merged) {
            rc = xt_error_set(err, XT_ENOMEM, "", "out of memory");
            goto out;
        }
    }
    while (i < cal->n || j < nrows) {
        if (j == nrows || (i < cal->n && cal->marks[i].day < rows[j].mark.day)) {
            merged[n++] = cal->marks[i++];
        } else {
            if (i < cal->n && cal->marks[i].day == rows[j].mark.day)
                i++; /* the file's row replaces the existing mark */
            merged[n++] = rows[j++].mark;
        }
    }
    if (n > XT_CALENDAR_MAX_DAYS) {
        rc = xt_error_set(err, XT_ETOOBIG, "", "the calendar would hold more than %d days",
                          XT_CALENDAR_MAX_DAYS);
        goto out;
    }
    free(cal->marks);
    cal->marks = merged;
    cal->n = n;
    cal->cap = alloc;
    merged = NULL;
    rc = 0;
out:
    free(merged);
    free(rows);
    return rc;
}

bool xt_calendar_is_workday(const struct xt_calendar *cal, int32_t day)
{
    const struct xt_calendar_mark *m = find(cal, day);
    if (m)
        return m->kind == XT_DAY_WORKDAY;
    return !is_weekend(day);
}

const char *xt_calendar_day_name(const struct xt_calendar *cal, int32_t day)
{
    const struct xt_calendar_mark *m = find(cal, day);
    return m ? m->name : NULL;
}

size_t xt_calendar_size(const struct xt_calendar *cal)
{
    return cal->n;
}

int xt_calendar_count_work_days(const struct xt_calendar *cal, int32_t first, int32_t last)
{
    if (last < first)
        return 0;
    /* Count Monday-to-Friday arithmetically, then correct for the marks in
     * the range, so that a long range costs a search, not a day-by-day
     * walk. */
    int64_t span = (int64_t)last - first + 1;
    int64_t count = span / 7 * 5;
    int w = xt_weekday(first);
    for (int64_t k = 0; k < span % 7; k++)
        if ((w + k) % 7 < 5)
            count++;
    for (size_t i = lower_bound(cal, first); i < cal->n && cal->marks[i].day <= last; i++) {
        bool weekend = is_weekend(cal->marks[i].day);
        if (cal->marks[i].kind == XT_DAY_HOLIDAY && !weekend)
            count--;
        else if (cal->marks[i].kind == XT_DAY_WORKDAY && weekend)
            count++;
    }
    return (int)count;
}

int64_t xt_calendar_add_work_minutes(const struct xt_calendar *cal, int64_t from, int minutes)
{
    if (minutes <= 0)
        return from;
    int64_t left = (int64_t)minutes * 60;
    int32_t day = xt_local_day(from);
    int64_t at = from - xt_day_start(day); /* seconds after local midnight */

    /* The loop ends because only finitely many days are marked off: past the
     * last mark every Monday-to-Friday contributes a full office day. */
    for (;; day++, at = 0) {
        if (!xt_calendar_is_workday(cal, day))
            continue;
        if (at == 0 && left > (int64_t)XT_OFFICE_MINUTES_PER_DAY * 60) {
            left -= (int64_t)XT_OFFICE_MINUTES_PER_DAY * 60;
            continue;
        }
        for (size_t p = 0; p < sizeof(office_periods) / sizeof(office_periods[0]); p++) {
            int64_t start = at > office_periods[p].start ? at : office_periods[p].start;
            if (start >= office_periods[p].end)
                continue;
            int64_t avail = office_periods[p].end - start;
            if (left <= avail)
                return xt_day_start(day) + start + left;
            left -= avail;
        }
    }
}

int64_t xt_calendar_add_work_days(const struct xt_calendar *cal, int64_t from, int days)
{
    int32_t day = xt_local_day(from);
    if (days < 1)
        days = 1;
    for (int counted = 0; counted < days;) {
        day++;
        if (xt_calendar_is_workday(cal, day))
            counted++;
    }
    return xt_day_start(day) + XT_OFFICE_PM_END;
}
