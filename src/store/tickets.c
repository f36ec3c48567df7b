/* tickets.c - tickets, their timeline and assignments in SQLite.
 *
 * Every change runs as a job of the group-commit writer: load the ticket
 * on the writer's connection, apply the core state machine, then write the
 * ticket, its event, its assignment row and an audit row in the job's
 * savepoint. A refused action returns before writing anything. */
#include "core/hotissue.h"
#include "core/privacy.h"
#include "core/reqtype.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "store/store_int.h"

#include <sodium.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XT_LOCATE_MAX_KM 30.0

#define TICKET_COLS                                                                                \
    "id, number, state, type, channel, urgent, category, text, address, lat, lon, grid, lead,"     \
    " handler, cohandlers, sign_by, resolve_by, created_at, updated_at, dispatched_at,"            \
    " signed_at, replied_at, closed_at, result, reply, resolved, satisfaction, unreachable,"       \
    " ext_pending, ext_days, escalated, returns, reopens, merged_into, creator_id,"                \
    " assignment_id, contact_name, contact_phone, suggested_category, suggested_handler,"          \
    " suggested_confidence, contact_name_masked, contact_phone_masked"

static const char SQL_BY_NUMBER[] = "SELECT " TICKET_COLS " FROM tickets WHERE number=?1";

static char *dup_col(struct xt_stmt *st, int i)
{
    if (xt_col_null(st, i))
        return NULL;
    return strdup(xt_col_text(st, i));
}

void xt_store_parse_cohandlers(struct xt_ticket *t, const char *s)
{
    /* "unit:report_by:reported_at;..." */
    t->n_co = 0;
    while (s && *s && t->n_co < XT_MAX_COHANDLERS) {
        struct xt_cohandler *c = &t->co[t->n_co];
        long long rb = 0, ra = 0;
        char unit[XT_CODE_MAX] = "";
        if (sscanf(s, "%15[^:]:%lld:%lld", unit, &rb, &ra) != 3)
            break;
        snprintf(c->unit, sizeof(c->unit), "%s", unit);
        c->report_by = rb;
        c->reported_at = ra;
        t->n_co++;
        s = strchr(s, ';');
        if (s)
            s++;
    }
}

static void format_cohandlers(const struct xt_ticket *t, struct xt_buf *b)
{
    for (int i = 0; i < t->n_co; i++)
        xt_buf_printf(b, "%s%s:%lld:%lld", i ? ";" : "", t->co[i].unit,
                      (long long)t->co[i].report_by, (long long)t->co[i].reported_at);
}

/* Fill t from a row of TICKET_COLS; sealed contact columns go to the two
 * out-parameters (malloc'd, may be NULL). */
static int row_to_ticket(struct xt_stmt *st, struct xt_ticket *t, char **name_sealed,
                         char **phone_sealed)
{
    xt_ticket_init(t);
    t->id = xt_col_int(st, 0);
    snprintf(t->number, sizeof(t->number), "%s", xt_col_text(st, 1));
    t->state = xt_col_int(st, 2);
    t->type = xt_col_int(st, 3);
    t->channel = xt_col_int(st, 4);
    t->urgent = xt_col_int(st, 5) != 0;
    snprintf(t->category, sizeof(t->category), "%s", xt_col_text(st, 6));
    t->text = dup_col(st, 7);
    t->address = dup_col(st, 8);
    if (!xt_col_null(st, 9)) {
        t->has_point = true;
        t->lat = xt_col_double(st, 9);
        t->lon = xt_col_double(st, 10);
    }
    snprintf(t->grid, sizeof(t->grid), "%s", xt_col_text(st, 11));
    snprintf(t->lead, sizeof(t->lead), "%s", xt_col_text(st, 12));
    snprintf(t->handler, sizeof(t->handler), "%s", xt_col_text(st, 13));
    xt_store_parse_cohandlers(t, xt_col_text(st, 14));
    t->sign_by = xt_col_int(st, 15);
    t->resolve_by = xt_col_int(st, 16);
    t->created_at = xt_col_int(st, 17);
    t->updated_at = xt_col_int(st, 18);
    t->dispatched_at = xt_col_int(st, 19);
    t->signed_at = xt_col_int(st, 20);
    t->replied_at = xt_col_int(st, 21);
    t->closed_at = xt_col_int(st, 22);
    t->result = xt_col_int(st, 23);
    t->reply = dup_col(st, 24);
    t->resolved = xt_col_null(st, 25) ? -1 : xt_col_int(st, 25);
    t->satisfaction = xt_col_int(st, 26);
    t->unreachable = xt_col_int(st, 27) != 0;
    t->extension_pending = xt_col_int(st, 28) != 0;
    t->extension_days = xt_col_int(st, 29);
    t->escalated = xt_col_int(st, 30) != 0;
    t->returns = xt_col_int(st, 31);
    t->reopens = xt_col_int(st, 32);
    snprintf(t->merged_into, sizeof(t->merged_into), "%s", xt_col_text(st, 33));
    t->creator_id = xt_col_int(st, 34);
    t->assignment_id = xt_col_int(st, 35);
    snprintf(t->suggested_category, sizeof(t->suggested_category), "%s", xt_col_text(st, 38));
    snprintf(t->suggested_handler, sizeof(t->suggested_handler), "%s", xt_col_text(st, 39));
    t->suggested_confidence = xt_col_double(st, 40);
    snprintf(t->masked_name, sizeof(t->masked_name), "%s", xt_col_text(st, 41));
    snprintf(t->masked_phone, sizeof(t->masked_phone), "%s", xt_col_text(st, 42));
    if (name_sealed)
        *name_sealed = dup_col(st, 36);
    if (phone_sealed)
        *phone_sealed = dup_col(st, 37);
    if (!t->text)
        return XT_ENOMEM;
    return 0;
}

static int load_ticket(struct xt_conn *c, const char *number, struct xt_ticket *t,
                       char **name_sealed, char **phone_sealed)
{
    struct xt_stmt *st = xt_conn_stmt(c, SQL_BY_NUMBER);
    if (!st)
        return XT_EIO;
    xt_bind_text(st, 1, number);
    int rc = XT_ENOTFOUND;
    if (xt_step(st) == 1)
        rc = row_to_ticket(st, t, name_sealed, phone_sealed);
    xt_reset(st);
    return rc;
}

static void bind_opt_int64(struct xt_stmt *st, int i, int64_t v)
{
    if (v)
        xt_bind_int(st, i, v);
    else
        xt_bind_null(st, i);
}

static const char SQL_UPDATE[] =
    "UPDATE tickets SET state=?2, category=?3, lead=?4, handler=?5, cohandlers=?6, sign_by=?7,"
    " resolve_by=?8, updated_at=?9, dispatched_at=?10, signed_at=?11, replied_at=?12,"
    " closed_at=?13, result=?14, reply=?15, resolved=?16, satisfaction=?17, unreachable=?18,"
    " ext_pending=?19, ext_days=?20, escalated=?21, returns=?22, reopens=?23, merged_into=?24,"
    " assignment_id=?25 WHERE id=?1";

static int save_ticket(struct xt_conn *c, const struct xt_ticket *t)
{
    struct xt_stmt *st = xt_conn_stmt(c, SQL_UPDATE);
    if (!st)
        return XT_EIO;
    struct xt_buf co;
    xt_buf_init(&co, 4096);
    format_cohandlers(t, &co);
    xt_bind_int(st, 1, t->id);
    xt_bind_int(st, 2, t->state);
    xt_bind_text(st, 3, t->category);
    xt_bind_text(st, 4, t->lead);
    xt_bind_text(st, 5, t->handler);
    xt_bind_text(st, 6, co.len ? co.data : NULL);
    bind_opt_int64(st, 7, t->sign_by);
    bind_opt_int64(st, 8, t->resolve_by);
    xt_bind_int(st, 9, t->updated_at);
    bind_opt_int64(st, 10, t->dispatched_at);
    bind_opt_int64(st, 11, t->signed_at);
    bind_opt_int64(st, 12, t->replied_at);
    bind_opt_int64(st, 13, t->closed_at);
    xt_bind_int(st, 14, t->result);
    xt_bind_text(st, 15, t->reply);
    if (t->resolved >= 0)
        xt_bind_int(st, 16, t->resolved);
    else
        xt_bind_null(st, 16);
    xt_bind_int(st, 17, t->satisfaction);
    xt_bind_int(st, 18, t->unreachable);
    xt_bind_int(st, 19, t->extension_pending);
    xt_bind_int(st, 20, t->extension_days);
    xt_bind_int(st, 21, t->escalated);
    xt_bind_int(st, 22, t->returns);
    xt_bind_int(st, 23, t->reopens);
    xt_bind_text(st, 24, *t->merged_into ? t->merged_into : NULL);
    bind_opt_int64(st, 25, t->assignment_id);
    int rc = xt_step(st) == 0 ? 0 : XT_EIO;
    xt_reset(st);
    xt_buf_release(&co);
    return rc;
}

static int insert_event(struct xt_conn *c, int64_t ticket_id, const struct xt_event *ev,
                        const struct xt_actor *a)
{
    static const char sql[] = "INSERT INTO events(ticket_id, action, from_state, to_state, at,"
                              " actor_id, actor_name, actor_role, actor_scope, unit, note)"
                              " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    struct xt_stmt *st = xt_conn_stmt(c, sql);
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, ticket_id);
    xt_bind_int(st, 2, ev->action);
    if (ev->from_state >= 0)
        xt_bind_int(st, 3, ev->from_state);
    xt_bind_int(st, 4, ev->to_state);
    xt_bind_int(st, 5, ev->at);
    xt_bind_int(st, 6, a->account_id);
    xt_bind_text(st, 7, a->username);
    xt_bind_int(st, 8, a->role);
    xt_bind_text(st, 9, a->scope);
    xt_bind_text(st, 10, *ev->unit ? ev->unit : NULL);
    xt_bind_text(st, 11, *ev->note ? ev->note : NULL);
    int rc = xt_step(st) == 0 ? 0 : XT_EIO;
    xt_reset(st);
    return rc;
}

static int unit_exists(struct xt_conn *c, const char *code, int level)
{
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT level FROM units WHERE code=?1");
    if (!st)
        return 0;
    xt_bind_text(st, 1, code);
    int ok = xt_step(st) == 1 && (level == 0 || xt_col_int(st, 0) == level);
    xt_reset(st);
    return ok;
}

/* ---- create ---- */

struct create_job {
    const struct xt_actor *actor;
    struct xt_ticket *t;
    const char *name_sealed, *phone_sealed, *phone_index;
    const char *name_masked, *phone_masked;
    const char *sug_category, *sug_handler;
    double sug_conf;
    const char *idem_key;
    const char *text_sig; /* "" when the text has no shingles */
    int64_t now;
    struct xt_error *err;
    char replay[XT_NUMBER_MAX];
    xt_ticket_extra_fn extra; /* written in the same savepoint, may be NULL */
    void *extra_arg;
};

static int idem_lookup(struct xt_conn *c, const char *key, int64_t account, char *out, size_t outsz)
{
    struct xt_stmt *st =
        xt_conn_stmt(c, "SELECT body FROM idempotency WHERE key=?1 AND account_id=?2");
    if (!st)
        return XT_EIO;
    xt_bind_text(st, 1, key);
    xt_bind_int(st, 2, account);
    int found = 0;
    if (xt_step(st) == 1) {
        snprintf(out, outsz, "%s", xt_col_text(st, 0));
        found = 1;
    }
    xt_reset(st);
    return found;
}

static int idem_record(struct xt_conn *c, const char *key, int64_t account, int status,
                       const char *body, int64_t now)
{
    struct xt_stmt *st = xt_conn_stmt(c, "INSERT INTO idempotency(key, account_id, status, body,"
                                         " created_at) VALUES(?1, ?2, ?3, ?4, ?5)"
                                         " ON CONFLICT(key, account_id) DO UPDATE SET"
                                         " status=excluded.status, body=excluded.body,"
                                         " created_at=excluded.created_at");
    if (!st)
        return XT_EIO;
    xt_bind_text(st, 1, key);
    xt_bind_int(st, 2, account);
    xt_bind_int(st, 3, status);
    xt_bind_text(st, 4, body);
    xt_bind_int(st, 5, now);
    int rc = xt_step(st) == 0 ? 0 : XT_EIO;
    xt_reset(st);
    return rc;
}

static const char SQL_INSERT[] =
    "INSERT INTO tickets(number, state, type, channel, urgent, category, text, address, lat,"
    " lon, grid, lead, handler, created_at, updated_at, replied_at, result, reply, resolved,"
    " satisfaction, unreachable, ext_pending, ext_days, escalated, returns, reopens,"
    " creator_id, contact_name, contact_phone, phone_index, suggested_category,"
    " suggested_handler, suggested_confidence, contact_name_masked, contact_phone_masked,"
    " text_sig)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?16, ?17,"
    " NULL, 0, 0, 0, 0, 0, 0, 0, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?28)";
/* The new row's id: SQLite's last rowid (RETURNING would cost a temporary
 * table per insert); on PostgreSQL it is given (next_id). */
static const char SQL_INSERT_PG[] =
    "INSERT INTO tickets(number, state, type, channel, urgent, category, text, address, lat,"
    " lon, grid, lead, handler, created_at, updated_at, replied_at, result, reply, resolved,"
    " satisfaction, unreachable, ext_pending, ext_days, escalated, returns, reopens,"
    " creator_id, contact_name, contact_phone, phone_index, suggested_category,"
    " suggested_handler, suggested_confidence, contact_name_masked, contact_phone_masked, id,"
    " text_sig)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?16, ?17,"
    " NULL, 0, 0, 0, 0, 0, 0, 0, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)";

static int write_counter(struct xt_conn *c, const char *day, long seq)
{
    struct xt_stmt *st = xt_conn_stmt(c, "INSERT INTO ticket_counters(day, seq) VALUES(?1, ?2)"
                                         " ON CONFLICT(day) DO UPDATE SET seq=excluded.seq");
    if (!st)
        return XT_EIO;
    xt_bind_text(st, 1, day);
    xt_bind_int(st, 2, seq);
    int rc = xt_step(st) == 0 ? 0 : XT_EIO;
    xt_reset(st);
    return rc;
}

int xt_store_counter_flush(struct xt_store *s, struct xt_conn *c)
{
    if (!s->ctr_valid || !s->ctr_dirty)
        return 0;
    s->ctr_dirty = false;
    return write_counter(c, s->ctr_day, s->ctr_seq);
}

/* The next number of the day. The counter is read once per batch (the
 * batch holds the write lock); it is written back with each ticket, or,
 * in a pipelined batch, once before the commit. */
static int next_number(struct xt_store *s, struct xt_conn *c, const char *day, long *seq)
{
    if (!s->ctr_valid || strcmp(s->ctr_day, day) != 0) {
        if (xt_store_counter_flush(s, c)) /* the batch crossed midnight */
            return XT_EIO;
        struct xt_stmt *st = xt_conn_stmt(c, "SELECT seq FROM ticket_counters WHERE day=?1");
        if (!st)
            return XT_EIO;
        xt_bind_text(st, 1, day);
        int rc = xt_step(st);
        s->ctr_seq = rc == 1 ? (long)xt_col_int(st, 0) : 0;
        xt_reset(st);
        if (rc < 0)
            return XT_EIO;
        snprintf(s->ctr_day, sizeof(s->ctr_day), "%s", day);
        s->ctr_valid = true;
        s->ctr_dirty = false;
    }
    *seq = ++s->ctr_seq;
    if (s->ctr_deferred) {
        s->ctr_dirty = true;
        return 0;
    }
    int rc = write_counter(c, day, *seq);
    if (rc)
        s->ctr_seq--;
    return rc;
}

/* A ticket id: SQLite assigns the row id; on PostgreSQL ids come from the
 * identity sequence 64 at a time (a sequence never hands one out twice,
 * rolled back or not), so the insert needs no answer. */
static int next_id(struct xt_store *s, struct xt_conn *c, int64_t *id)
{
    if (s->id_next == s->id_count) {
        struct xt_stmt *st = xt_conn_stmt(
            c,
            "SELECT nextval(pg_get_serial_sequence('tickets', 'id')) FROM generate_series(1, 64)");
        if (!st)
            return XT_EIO;
        int n = 0, rc;
        while (n < 64 && (rc = xt_step(st)) == 1)
            s->id_pool[n++] = xt_col_int(st, 0);
        xt_reset(st);
        if (n == 0)
            return XT_EIO;
        s->id_next = 0;
        s->id_count = n;
    }
    *id = s->id_pool[s->id_next++];
    return 0;
}

static int create_insert(struct xt_store *s, struct xt_conn *c, struct create_job *j)
{
    struct xt_ticket *t = j->t;
    bool pg = xt_conn_kind(c) == XT_DB_POSTGRES;
    int64_t id = 0;
    if (pg && next_id(s, c, &id))
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt2(c, SQL_INSERT, SQL_INSERT_PG);
    if (!st)
        return XT_EIO;
    xt_bind_text(st, 1, t->number);
    xt_bind_int(st, 2, t->state);
    xt_bind_int(st, 3, t->type);
    xt_bind_int(st, 4, t->channel);
    xt_bind_int(st, 5, t->urgent);
    xt_bind_text(st, 6, t->category);
    xt_bind_text(st, 7, t->text);
    xt_bind_text(st, 8, t->address);
    if (t->has_point) {
        xt_bind_double(st, 9, t->lat);
        xt_bind_double(st, 10, t->lon);
    }
    xt_bind_text(st, 11, t->grid);
    xt_bind_text(st, 12, t->lead);
    xt_bind_text(st, 13, t->handler);
    xt_bind_int(st, 14, t->created_at);
    bind_opt_int64(st, 15, t->replied_at);
    xt_bind_int(st, 16, t->result);
    xt_bind_text(st, 17, t->reply);
    xt_bind_int(st, 18, t->creator_id);
    xt_bind_text(st, 19, j->name_sealed);
    xt_bind_text(st, 20, j->phone_sealed);
    xt_bind_text(st, 21, j->phone_index);
    xt_bind_text(st, 22, j->sug_category);
    xt_bind_text(st, 23, j->sug_handler);
    if (j->sug_handler)
        xt_bind_double(st, 24, j->sug_conf);
    xt_bind_text(st, 25, j->name_masked);
    xt_bind_text(st, 26, j->phone_masked);
    if (pg)
        xt_bind_int(st, 27, id);
    xt_bind_text(st, 28, *j->text_sig ? j->text_sig : NULL);
    int rc = xt_step(st);
    xt_reset(st);
    if (rc != 0)
        return XT_EIO;
    t->id = pg ? id : xt_conn_last_rowid(c);
    return 0;
}

static int create_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct create_job *j = arg;
    struct xt_ticket *t = j->t;
    int rc;
    if (j->idem_key &&
        (rc = idem_lookup(c, j->idem_key, j->actor->account_id, j->replay, sizeof(j->replay))) != 0)
        return rc < 0 ? rc : 0;

    char day[11];
    xt_date_format(xt_local_day(j->now), day);
    long seq;
    if ((rc = next_number(s, c, day, &seq)))
        return xt_sqlite_err(j->err, c, "counter");
    if (seq > 9999999) /* the number has room for 7 digits a day */
        return xt_error_set(j->err, XT_EBUSY, "", "too many tickets today");
    snprintf(t->number, sizeof(t->number), "%.4s%.2s%.2s-%05d", day, day + 5, day + 8,
             (int)seq % 10000000);
    if ((rc = create_insert(s, c, j)) != 0) {
        if (s->ctr_seq == seq)
            s->ctr_seq--; /* the savepoint took the number back */
        return xt_sqlite_err(j->err, c, "insert ticket");
    }
    snprintf(t->suggested_category, sizeof(t->suggested_category), "%s",
             j->sug_category ? j->sug_category : "");
    snprintf(t->suggested_handler, sizeof(t->suggested_handler), "%s",
             j->sug_handler ? j->sug_handler : "");
    t->suggested_confidence = j->sug_handler ? j->sug_conf : 0;

    struct xt_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.action = t->state == XT_ST_REPLIED ? XT_ACT_HANDLE_ON_SPOT : XT_ACT_CREATE;
    ev.from_state = -1;
    ev.to_state = t->state;
    ev.at = j->now;
    snprintf(ev.unit, sizeof(ev.unit), "%s", t->grid);
    snprintf(ev.note, sizeof(ev.note), "%s", xt_channel_name(t->channel));
    if ((rc = insert_event(c, t->id, &ev, j->actor)))
        return xt_sqlite_err(j->err, c, "insert event");
    if (j->idem_key &&
        (rc = idem_record(c, j->idem_key, j->actor->account_id, 201, t->number, j->now)))
        return xt_sqlite_err(j->err, c, "idempotency");
    if ((rc = xt_audit_append(s, c, j->actor, "ticket.create", t->number, t->grid, j->now)))
        return rc;
    return j->extra ? j->extra(s, c, t, j->extra_arg) : 0;
}

/* After the commit (writer): the new ticket to the duplicate cache, so
 * that checks need not read it back (SQLite). */
static void create_stored(struct xt_store *s, void *arg)
{
    struct create_job *j = arg;
    const struct xt_ticket *t = j->t;
    if (!s->dupcache || *j->replay)
        return; /* a repeat inserted nothing */
    bool open = t->state == XT_ST_RECEIVED || t->state == XT_ST_DISPATCHED ||
                t->state == XT_ST_SIGNED || t->state == XT_ST_RETURNED;
    xt_dupcache_stored(s->dupcache, t->id, t->grid, t->created_at, open, j->text_sig);
}

static void normalise_phone(const char *in, char *out, size_t outsz)
{
    size_t k = 0;
    for (const char *p = in; *p && k + 1 < outsz; p++)
        if (*p >= '0' && *p <= '9')
            out[k++] = *p;
    out[k] = '\0';
    if (k == 13 && strncmp(out, "86", 2) == 0)
        memmove(out, out + 2, k - 1);
}

/* Resolve where the ticket is: a point to its grid, or a given unit code
 * checked against the unit table. */
static int locate(struct xt_store *s, struct xt_ticket *t, struct xt_error *err)
{
    if (t->has_point) {
        if (!isfinite(t->lat) || t->lat < -90 || t->lat > 90)
            return xt_error_set(err, XT_EINVAL, "location.lat", "latitude must be within -90..90");
        if (!isfinite(t->lon) || t->lon < -180 || t->lon > 180)
            return xt_error_set(err, XT_EINVAL, "location.lon",
                                "longitude must be within -180..180");
        char grid[XT_CODE_MAX];
        int how;
        int rc = xt_spatial_lookup(s->spatial, t->lat, t->lon, XT_LOCATE_MAX_KM, grid, &how);
        if (rc == 0) {
            if (*t->grid && !xt_unit_within(grid, t->grid) && !xt_unit_within(t->grid, grid))
                return xt_error_set(err, XT_EINVAL, "location.unit",
                                    "'%s' does not contain the point, which lies in grid '%s'",
                                    t->grid, grid);
            snprintf(t->grid, sizeof(t->grid), "%s", grid);
            return 0;
        }
        if (!*t->grid)
            return xt_error_set(err, XT_EINVAL, "location",
                                "the point (%.5f, %.5f) lies outside every grid of this region",
                                t->lat, t->lon);
    }
    if (!*t->grid)
        return xt_error_set(err, XT_EINVAL, "location", "a point (lat, lon) or a unit is required");
    /* Units are known from memory (loaded when the store opened); one
     * added since is looked up. */
    struct xt_unit u;
    u.level = xt_store_known_level(s, t->grid);
    if (u.level == XT_LEVEL_NONE && xt_store_unit_get(s, t->grid, &u))
        return xt_error_set(err, XT_EINVAL, "location.unit", "unknown unit '%s'", t->grid);
    if (u.level < XT_LEVEL_TOWNSHIP || u.level > XT_LEVEL_GRID)
        return xt_error_set(err, XT_EINVAL, "location.unit",
                            "'%s' is a %s; give a township, village or grid", t->grid,
                            xt_unit_level_name(u.level));
    return 0;
}

int xt_store_ticket_create(struct xt_store *s, const struct xt_actor *actor, struct xt_ticket *t,
                           const struct xt_contact *contact, const char *on_spot_reply,
                           const char *idem_key, int64_t now, struct xt_error *err)
{
    return xt_store_ticket_create_ex(s, actor, t, contact, on_spot_reply, idem_key, now, NULL,
                                     NULL, err);
}

int xt_store_ticket_create_ex(struct xt_store *s, const struct xt_actor *actor,
                              struct xt_ticket *t, const struct xt_contact *contact,
                              const char *on_spot_reply, const char *idem_key, int64_t now,
                              xt_ticket_extra_fn extra, void *extra_arg, struct xt_error *err)
{
    xt_error_clear(err);
    int rc = locate(s, t, err);
    if (rc)
        return rc;
    if (*t->category && !xt_routing_category(&s->routing, t->category))
        return xt_error_set(err, XT_EINVAL, "category", "unknown category '%s'", t->category);
    char sug_handler[XT_CODE_MAX] = "", sug_category[XT_CATEGORY_MAX] = "";
    double sug_conf = 1.0;
    if (*t->category)
        snprintf(sug_category, sizeof(sug_category), "%s", t->category);
    else
        xt_store_suggest(s, t, sug_category, sizeof(sug_category), &sug_conf);
    if (*sug_category) {
        struct xt_error rerr;
        if (xt_routing_resolve(&s->routing, sug_category, t->grid, sug_handler, &rerr))
            sug_handler[0] = '\0';
    }
    if (contact && *contact->name && (rc = xt_name_check(contact->name, err)))
        return rc;
    if (contact && *contact->phone && (rc = xt_phone_check(contact->phone, err)))
        return rc;
    if ((rc = xt_ticket_create(t, actor, on_spot_reply, now, err)))
        return rc;

    char *name_sealed = NULL, *phone_sealed = NULL;
    char phone_index[65] = "", name_masked[128] = "", phone_masked[40] = "";
    if (contact && *contact->name)
        xt_mask_name(contact->name, name_masked, sizeof(name_masked));
    if (contact && *contact->phone)
        xt_mask_phone(contact->phone, phone_masked, sizeof(phone_masked));
    if (contact && *contact->name &&
        xt_seal(&s->key, contact->name, strlen(contact->name), &name_sealed))
        return xt_error_set(err, XT_EIO, "contact.name", "cannot protect the name");
    if (contact && *contact->phone) {
        char norm[40];
        normalise_phone(contact->phone, norm, sizeof(norm));
        xt_hmac_hex(&s->key, norm, strlen(norm), phone_index);
        if (xt_seal(&s->key, contact->phone, strlen(contact->phone), &phone_sealed)) {
            free(name_sealed);
            return xt_error_set(err, XT_EIO, "contact.phone", "cannot protect the phone");
        }
    }
    /* Computed here, outside the writer, so that duplicates at intake
     * compare signatures instead of shingling every open ticket. */
    char text_sig[XT_TEXT_SIG_HEX + 1] = "";
    if (t->text && xt_text_signature(t->text, XT_DUP_CHARS, text_sig)) {
        free(name_sealed);
        free(phone_sealed);
        return xt_error_set(err, XT_ENOMEM, "", "out of memory");
    }
    struct create_job j = {
        .actor = actor,
        .text_sig = text_sig,
        .t = t,
        .name_sealed = name_sealed,
        .phone_sealed = phone_sealed,
        .phone_index = *phone_index ? phone_index : NULL,
        .name_masked = *name_masked ? name_masked : NULL,
        .phone_masked = *phone_masked ? phone_masked : NULL,
        .sug_category = *sug_category ? sug_category : NULL,
        .sug_handler = *sug_handler ? sug_handler : NULL,
        .sug_conf = sug_conf,
        .idem_key = idem_key && *idem_key ? idem_key : NULL,
        .now = now,
        .err = err,
        .extra = extra,
        .extra_arg = extra_arg,
    };
    rc = xt_store_write_then(s, create_job, &j, create_stored);
    free(name_sealed);
    free(phone_sealed);
    if (rc) {
        if (err->code == XT_OK)
            xt_error_set(err, rc, "", "cannot store the ticket");
        return rc;
    }
    if (*j.replay) {
        /* A repeated request with the same Idempotency-Key: answer with
         * the ticket the first one created. */
        xt_ticket_release(t);
        /* Read as the system: an anonymous requester may not read tickets,
         * but may be told again what its own request became. */
        struct xt_actor sys = {.role = XT_ROLE_SYSTEM};
        return xt_store_ticket_get(s, &sys, j.replay, t, NULL, false, now, err);
    }
    /* Kept for the duplicate check of the answer (NULL if out of memory:
     * that check then computes it again). */
    if (*text_sig)
        t->text_sig = strdup(text_sig);
    return 0;
}

/* ---- read ---- */

static void unseal_masked(struct xt_store *s, const char *sealed, bool reveal, bool phone,
                          char *out, size_t outsz)
{
    out[0] = '\0';
    if (!sealed)
        return;
    char *plain = NULL;
    size_t n;
    if (xt_unseal(&s->key, sealed, &plain, &n)) {
        snprintf(out, outsz, "%s", "");
        return;
    }
    if (reveal)
        snprintf(out, outsz, "%s", plain);
    else if (phone)
        xt_mask_phone(plain, out, outsz);
    else
        xt_mask_name(plain, out, outsz);
    sodium_memzero(plain, n);
    free(plain);
}

int xt_store_ticket_get(struct xt_store *s, const struct xt_actor *actor, const char *number,
                        struct xt_ticket *t, struct xt_contact *contact, bool reveal, int64_t now,
                        struct xt_error *err)
{
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    char *ns = NULL, *ps = NULL;
    int rc =
        load_ticket(c, number, t, contact && reveal ? &ns : NULL, contact && reveal ? &ps : NULL);
    if (!rc && contact && !reveal) {
        /* The ordinary read shows the masked values stored at intake. */
        snprintf(contact->name, sizeof(contact->name), "%s", t->masked_name);
        snprintf(contact->phone, sizeof(contact->phone), "%s", t->masked_phone);
    }
    xt_store_reader_put(s, c);
    if (rc == XT_ENOTFOUND || (!rc && !xt_ticket_visible(t, actor))) {
        if (!rc)
            xt_ticket_release(t);
        free(ns);
        free(ps);
        return xt_error_set(err, XT_ENOTFOUND, "number", "no ticket '%s'", number);
    }
    if (rc) {
        free(ns);
        free(ps);
        return xt_error_set(err, rc, "", "cannot read the ticket");
    }
    if (contact) {
        bool clear = reveal && xt_role_may_unmask_contact(actor->role);
        if (reveal && !clear) {
            free(ns);
            free(ps);
            xt_ticket_release(t);
            return xt_error_set(err, XT_EPERM, "reveal",
                                "role '%s' may not see contact details unmasked",
                                xt_role_name(actor->role));
        }
        if (clear && (ns || ps) &&
            xt_store_audit(s, actor, "ticket.reveal_contact", t->number, "", now)) {
            free(ns);
            free(ps);
            xt_ticket_release(t);
            return xt_error_set(err, XT_EIO, "", "cannot audit the read");
        }
        if (clear) {
            unseal_masked(s, ns, clear, false, contact->name, sizeof(contact->name));
            unseal_masked(s, ps, clear, true, contact->phone, sizeof(contact->phone));
        }
    }
    free(ns);
    free(ps);
    return 0;
}

/* ---- act ---- */

struct act_job {
    const struct xt_actor *actor;
    const char *number;
    int action;
    struct xt_action_input *in;
    const char *into;
    const char *idem_key;
    int64_t now;
    struct xt_ticket *t;
    struct xt_error *err;
    int replay;
};

static int assignment_insert(struct xt_conn *c, struct xt_ticket *t, bool repeat, int64_t now)
{
    struct xt_stmt *st = xt_conn_stmt(c, "INSERT INTO assignments(ticket_id, unit, month,"
                                         " dispatched_at, sign_by, resolve_by, repeat, proactive)"
                                         " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id");
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, t->id);
    xt_bind_text(st, 2, t->lead);
    xt_bind_int(st, 3, xt_month_of(now));
    xt_bind_int(st, 4, now);
    xt_bind_int(st, 5, t->sign_by);
    xt_bind_int(st, 6, t->resolve_by);
    xt_bind_int(st, 7, repeat);
    xt_bind_int(st, 8, t->channel == XT_CHANNEL_GRID);
    int rc = xt_step(st) == 1 ? 0 : XT_EIO;
    if (!rc)
        t->assignment_id = xt_col_int(st, 0);
    xt_reset(st);
    return rc;
}

static int assignment_update(struct xt_conn *c, const char *sql, int64_t id, int64_t a, int64_t b,
                             int64_t d)
{
    struct xt_stmt *st = xt_conn_stmt(c, sql);
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, id);
    xt_bind_int(st, 2, a);
    xt_bind_int(st, 3, b);
    xt_bind_int(st, 4, d);
    int rc = xt_step(st) == 0 ? 0 : XT_EIO;
    xt_reset(st);
    return rc;
}

static const char SQL_A_SIGN[] =
    "UPDATE assignments SET signed_at=coalesce(signed_at, ?2) WHERE id=?1 AND ?3=?3 AND ?4=?4";
static const char SQL_A_RETURN[] =
    "UPDATE assignments SET returned=1 WHERE id=?1 AND ?2=?2 AND ?3=?3 AND ?4=?4";
static const char SQL_A_REPLY[] =
    "UPDATE assignments SET replied_at=?2 WHERE id=?1 AND ?3=?3 AND ?4=?4";
static const char SQL_A_CALLBACK[] =
    "UPDATE assignments SET called_back=?2, resolved=?3, satisfaction=?4 WHERE id=?1";
static const char SQL_A_EXTEND[] =
    "UPDATE assignments SET resolve_by=?2 WHERE id=?1 AND ?3=?3 AND ?4=?4";
static const char SQL_A_ESCALATE[] =
    "UPDATE assignments SET escalated=1 WHERE id=?1 AND ?2=?2 AND ?3=?3 AND ?4=?4";

/* Keep the assignment row (the unit of account of the rates) in step with
 * the action just applied. */
static int track_assignment(struct xt_conn *c, struct xt_ticket *t, const struct xt_event *ev,
                            int64_t now)
{
    int64_t id = t->assignment_id;
    switch (ev->action) {
    case XT_ACT_DISPATCH:
        return assignment_insert(c, t, false, now);
    case XT_ACT_REOPEN:
        return assignment_insert(c, t, true, now);
    case XT_ACT_SIGN:
        return strcmp(t->handler, t->lead) == 0 && id
                   ? assignment_update(c, SQL_A_SIGN, id, now, 0, 0)
                   : 0;
    case XT_ACT_RETURN:
        return ev->to_state == XT_ST_RETURNED && id
                   ? assignment_update(c, SQL_A_RETURN, id, 0, 0, 0)
                   : 0;
    case XT_ACT_REPLY:
        return id ? assignment_update(c, SQL_A_REPLY, id, now, 0, 0) : 0;
    case XT_ACT_CALLBACK:
        return id ? assignment_update(c, SQL_A_CALLBACK, id, !t->unreachable, t->resolved,
                                      t->satisfaction)
                  : 0;
    case XT_ACT_DECIDE_EXTENSION:
        return id ? assignment_update(c, SQL_A_EXTEND, id, t->resolve_by, 0, 0) : 0;
    case XT_ACT_ESCALATE:
        return id ? assignment_update(c, SQL_A_ESCALATE, id, 0, 0, 0) : 0;
    default:
        return 0;
    }
}

static int act_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct act_job *j = arg;
    struct xt_ticket *t = j->t;
    char replay[64];
    int rc;
    if (j->idem_key &&
        (rc = idem_lookup(c, j->idem_key, j->actor->account_id, replay, sizeof(replay))) != 0) {
        j->replay = 1;
        return rc < 0 ? rc : 0;
    }
    rc = load_ticket(c, j->number, t, NULL, NULL);
    if (rc == XT_ENOTFOUND || (!rc && !xt_ticket_visible(t, j->actor)))
        return xt_error_set(j->err, XT_ENOTFOUND, "number", "no ticket '%s'", j->number);
    if (rc)
        return xt_error_set(j->err, rc, "", "cannot read the ticket");
    struct xt_action_input *in = j->in;
    if (j->action == XT_ACT_DISPATCH && in->category && *in->category) {
        if (!xt_routing_category(&s->routing, in->category))
            return xt_error_set(j->err, XT_EINVAL, "category", "unknown category '%s'",
                                in->category);
        snprintf(t->category, sizeof(t->category), "%s", in->category);
    }
    const struct xt_category *cat = xt_routing_category(&s->routing, t->category);
    in->rule = cat ? &cat->rule : NULL;

    struct xt_ticket target;
    xt_ticket_init(&target);
    if (j->action == XT_ACT_MERGE) {
        if (!j->into || !*j->into)
            return xt_error_set(j->err, XT_EINVAL, "into", "is required");
        if (load_ticket(c, j->into, &target, NULL, NULL) || !xt_ticket_visible(&target, j->actor)) {
            xt_ticket_release(&target);
            return xt_error_set(j->err, XT_EINVAL, "into", "no ticket '%s'", j->into);
        }
        in->target = &target;
    }
    if (j->action == XT_ACT_DISPATCH && !*in->unit && *t->category &&
        xt_routing_resolve(&s->routing, t->category, t->grid, in->unit, NULL))
        in->unit[0] = '\0';
    if (j->action == XT_ACT_DISPATCH && !*in->unit)
        return xt_error_set(j->err, XT_EINVAL, "handler",
                            "is required (the ticket has no category to route by)");
    if ((j->action == XT_ACT_DISPATCH || j->action == XT_ACT_SUB_DISPATCH) &&
        !unit_exists(c, in->unit, 0)) {
        xt_ticket_release(&target);
        return xt_error_set(j->err, XT_EINVAL, "handler", "unknown unit '%s'", in->unit);
    }
    for (int i = 0; j->action == XT_ACT_WHISTLE && i < in->n_units; i++)
        if (!unit_exists(c, in->units[i], XT_LEVEL_DEPARTMENT))
            return xt_error_set(j->err, XT_EINVAL, "departments", "unknown department '%s'",
                                in->units[i]);

    struct xt_event ev;
    rc = xt_ticket_apply(t, j->action, j->actor, in, s->calendar, j->now, &ev, j->err);
    xt_ticket_release(&target);
    in->target = NULL;
    if (rc)
        return rc;
    if ((rc = track_assignment(c, t, &ev, j->now)) || (rc = save_ticket(c, t)) ||
        (rc = insert_event(c, t->id, &ev, j->actor)) ||
        (j->action == XT_ACT_DISPATCH && (rc = xt_store_record_override(c, t, j->actor, j->now))))
        return xt_sqlite_err(j->err, c, "save ticket");
    if (j->idem_key &&
        (rc = idem_record(c, j->idem_key, j->actor->account_id, 200, t->number, j->now)))
        return xt_sqlite_err(j->err, c, "idempotency");
    char what[48];
    snprintf(what, sizeof(what), "ticket.%s", xt_action_name(j->action));
    return xt_audit_append(s, c, j->actor, what, t->number, ev.note, j->now);
}

int xt_store_ticket_act(struct xt_store *s, const struct xt_actor *actor, const char *number,
                        int action, struct xt_action_input *in, const char *into,
                        const char *idem_key, int64_t now, struct xt_ticket *t,
                        struct xt_error *err)
{
    xt_error_clear(err);
    xt_ticket_init(t);
    struct act_job j = {actor, number, action, in, into, idem_key && *idem_key ? idem_key : NULL,
                        now,   t,      err,    0};
    int rc = xt_store_write(s, act_job, &j);
    if (rc) {
        xt_ticket_release(t);
        if (err->code == XT_OK)
            xt_error_set(err, rc, "", "cannot store the change");
        return rc;
    }
    if (j.replay) {
        xt_ticket_release(t);
        return xt_store_ticket_get(s, actor, number, t, NULL, false, now, err);
    }
    return 0;
}

/* ---- list ---- */

void xt_ticket_filter_init(struct xt_ticket_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->state = -1;
    f->type = -1;
    f->limit = 50;
}

static const char SQL_LIST[] =
    "SELECT " TICKET_COLS " FROM tickets WHERE id < CAST(?1 AS BIGINT)"
    " AND (CAST(?2 AS INTEGER) < 0 OR state = ?2)"
    " AND (CAST(?3 AS TEXT) IS NULL OR (grid >= ?3 AND grid < CAST(?3 AS TEXT) || 'z')"
    "      OR (lead >= ?3 AND lead < CAST(?3 AS TEXT) || 'z')"
    "      OR (handler >= ?3 AND handler < CAST(?3 AS TEXT) || 'z'))"
    " AND (CAST(?4 AS TEXT) IS NULL OR category = ?4)"
    " AND (CAST(?5 AS INTEGER) < 0 OR type = ?5)"
    " AND (CAST(?6 AS BIGINT) = 0 OR created_at >= ?6)"
    " AND (CAST(?7 AS BIGINT) = 0 OR created_at < ?7)"
    " AND (CAST(?8 AS INTEGER) = 0 OR (state IN (0, 1, 2, 5) AND ((state = 1 AND signed_at IS NULL"
    "      AND sign_by < CAST(?9 AS BIGINT)) OR resolve_by < CAST(?9 AS BIGINT))))"
    " AND (CAST(?10 AS TEXT) IS NULL OR instr(text, CAST(?10 AS TEXT)) > 0)"
    " AND (CAST(?11 AS TEXT) = '' OR (grid >= ?11 AND grid < CAST(?11 AS TEXT) || 'z')"
    "      OR (lead >= ?11 AND lead < CAST(?11 AS TEXT) || 'z')"
    "      OR (handler >= ?11 AND handler < CAST(?11 AS TEXT) || 'z')"
    "      OR instr(cohandlers, CAST(?11 AS TEXT)) > 0)"
    " AND (CAST(?12 AS BIGINT) = 0 OR creator_id = ?12)"
    " ORDER BY id DESC LIMIT CAST(?13 AS INTEGER)";

int xt_store_ticket_list(struct xt_store *s, const struct xt_actor *actor,
                         const struct xt_ticket_filter *f, int64_t now,
                         int (*fn)(void *ctx, const struct xt_ticket *t), void *ctx,
                         int64_t *next_cursor, struct xt_error *err)
{
    *next_cursor = 0;
    if (f->limit < 1 || f->limit > 500)
        return xt_error_set(err, XT_EINVAL, "limit", "must be 1..500");
    if (actor->role == XT_ROLE_PROVIDER)
        return 0;
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    struct xt_stmt *st = xt_conn_stmt(c, SQL_LIST);
    if (!st) {
        xt_store_reader_put(s, c);
        return xt_sqlite_err(err, c, "list");
    }
    /* Departments see by their own code; residents by authorship; other
     * roles by their area. */
    const char *scope = actor->role == XT_ROLE_RESIDENT ? "" : actor->scope;
    xt_bind_int(st, 1, f->cursor > 0 ? f->cursor : INT64_MAX);
    xt_bind_int(st, 2, f->state);
    xt_bind_text(st, 3, f->unit);
    xt_bind_text(st, 4, f->category);
    xt_bind_int(st, 5, f->type);
    xt_bind_int(st, 6, f->from);
    xt_bind_int(st, 7, f->to);
    xt_bind_int(st, 8, f->overdue);
    xt_bind_int(st, 9, now);
    xt_bind_text(st, 10, f->q && *f->q ? f->q : NULL);
    xt_bind_text(st, 11, scope);
    xt_bind_int(st, 12,
                actor->role == XT_ROLE_RESIDENT ? (actor->account_id ? actor->account_id : -1) : 0);
    xt_bind_int(st, 13, f->limit + 1);
    int n = 0, rc = 0;
    struct xt_ticket t;
    while (xt_step(st) == 1) {
        if (n == f->limit) {
            *next_cursor = xt_col_int(st, 0) + 1;
            break;
        }
        if (row_to_ticket(st, &t, NULL, NULL)) {
            xt_ticket_release(&t);
            rc = XT_ENOMEM;
            break;
        }
        n++;
        if (xt_ticket_visible(&t, actor) && fn(ctx, &t)) {
            xt_ticket_release(&t);
            break;
        }
        xt_ticket_release(&t);
    }
    xt_reset(st);
    xt_store_reader_put(s, c);
    return rc;
}

int xt_store_ticket_timeline(struct xt_store *s, const struct xt_actor *actor, const char *number,
                             int (*fn)(void *ctx, const struct xt_timeline_entry *e), void *ctx,
                             struct xt_error *err)
{
    struct xt_ticket t;
    int rc = xt_store_ticket_get(s, actor, number, &t, NULL, false, 0, err);
    if (rc)
        return rc;
    struct xt_conn *c = xt_store_reader(s);
    if (!c) {
        xt_ticket_release(&t);
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    }
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT at, action, from_state, to_state, actor_name,"
                                         " actor_role, unit, note FROM events WHERE ticket_id=?1"
                                         " ORDER BY id");
    if (st) {
        xt_bind_int(st, 1, t.id);
        while (xt_step(st) == 1) {
            struct xt_timeline_entry e;
            memset(&e, 0, sizeof(e));
            e.at = xt_col_int(st, 0);
            e.action = xt_col_int(st, 1);
            e.from_state = xt_col_null(st, 2) ? -1 : xt_col_int(st, 2);
            e.to_state = xt_col_int(st, 3);
            snprintf(e.actor, sizeof(e.actor), "%s", xt_col_text(st, 4));
            e.actor_role = xt_col_int(st, 5);
            snprintf(e.unit, sizeof(e.unit), "%s", xt_col_text(st, 6));
            e.note = xt_col_text(st, 7);
            if (fn(ctx, &e))
                break;
        }
        xt_reset(st);
    }
    xt_store_reader_put(s, c);
    xt_ticket_release(&t);
    return st ? 0 : xt_error_set(err, XT_EIO, "", "cannot read the timeline");
}

/* ---- escalation sweep ---- */

struct sweep_job {
    int64_t now;
    int count;
};

static int sweep_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct sweep_job *j = arg;
    /* Two branches, each matching a partial index of migration 4 (the
     * first as SQLite's migration 10 words it), so the sweep reads only
     * overdue tickets, not every open one. */
#define SWEEP_SQL(OPEN)                                                                            \
    "SELECT number FROM ("                                                                         \
    " SELECT id, number FROM tickets WHERE " OPEN " AND escalated = 0"                             \
    "  AND resolve_by < CAST(?1 AS BIGINT)"                                                        \
    " UNION"                                                                                       \
    " SELECT id, number FROM tickets WHERE state = 1 AND signed_at IS NULL AND escalated = 0"     \
    "  AND sign_by < CAST(?1 AS BIGINT)"                                                           \
    ") AS due ORDER BY id LIMIT 1000"
    struct xt_stmt *st = xt_conn_stmt2(c, SWEEP_SQL("(state BETWEEN 0 AND 2 OR state = 5)"),
                                       SWEEP_SQL("state IN (0, 1, 2, 5)"));
#undef SWEEP_SQL
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, j->now);
    char numbers[1000][XT_NUMBER_MAX];
    int n = 0;
    while (n < 1000 && xt_step(st) == 1)
        snprintf(numbers[n++], XT_NUMBER_MAX, "%s", xt_col_text(st, 0));
    xt_reset(st);
    struct xt_actor system = {.role = XT_ROLE_SYSTEM};
    snprintf(system.username, sizeof(system.username), "system");
    for (int i = 0; i < n; i++) {
        struct xt_ticket t;
        struct xt_action_input in;
        struct xt_event ev;
        struct xt_error err;
        xt_action_input_init(&in);
        if (load_ticket(c, numbers[i], &t, NULL, NULL))
            continue;
        int rc = 0;
        if (xt_ticket_overdue(&t, j->now) && xt_ticket_apply(&t, XT_ACT_ESCALATE, &system, &in,
                                                             s->calendar, j->now, &ev, &err) == 0) {
            if ((rc = track_assignment(c, &t, &ev, j->now)) || (rc = save_ticket(c, &t)) ||
                (rc = insert_event(c, t.id, &ev, &system)) ||
                (rc = xt_audit_append(s, c, &system, "ticket.escalate", t.number, ev.note,
                                      j->now))) {
                xt_ticket_release(&t);
                return rc;
            }
            j->count++;
        }
        xt_ticket_release(&t);
    }
    return 0;
}

int xt_store_escalate_overdue(struct xt_store *s, int64_t now, int *count)
{
    struct sweep_job j = {now, 0};
    int rc = xt_store_write(s, sweep_job, &j);
    *count = j.count;
    return rc;
}

int xt_store_idem_get(struct xt_store *s, const char *key, int64_t account, int *status,
                      char **body)
{
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    struct xt_stmt *st =
        xt_conn_stmt(c, "SELECT status, body FROM idempotency WHERE key=?1 AND account_id=?2");
    int found = 0;
    if (st) {
        xt_bind_text(st, 1, key);
        xt_bind_int(st, 2, account);
        if (xt_step(st) == 1) {
            *status = xt_col_int(st, 0);
            *body = strdup(xt_col_text(st, 1));
            found = *body ? 1 : XT_ENOMEM;
        }
        xt_reset(st);
    }
    xt_store_reader_put(s, c);
    return st ? found : XT_EIO;
}

struct idem_job {
    char *key;
    int64_t account;
    int status;
    char *body;
    int64_t now;
};

static int idem_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    (void)s;
    struct idem_job *j = arg;
    return idem_record(c, j->key, j->account, j->status, j->body, j->now);
}

static void idem_free(void *arg)
{
    struct idem_job *j = arg;
    free(j->key);
    free(j->body);
    free(j);
}

/* The stored answer is a convenience on top of the store-level key kept
 * with each create and action (which alone prevents a double write), so it
 * is queued without waiting for its commit. */
int xt_store_idem_put(struct xt_store *s, const char *key, int64_t account, int status,
                      const char *body, int64_t now)
{
    struct idem_job *j = calloc(1, sizeof(*j));
    if (!j)
        return XT_ENOMEM;
    j->key = strdup(key);
    j->body = strdup(body);
    j->account = account;
    j->status = status;
    j->now = now;
    if (!j->key || !j->body) {
        idem_free(j);
        return XT_ENOMEM;
    }
    return xt_store_write_detached(s, idem_job, j, idem_free);
}
