/* audit.c - the append-only, hash-chained audit log.
 *
 * Each row's hash is SHA-256 over the previous row's hash and the row's own
 * fields, so editing or deleting any row breaks every hash after it, which
 * xt_store_audit_verify detects. Only the writer thread appends. */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

static void row_hash(const char *prev, int64_t at, int64_t actor_id, const char *actor_name,
                     const char *role, const char *action, const char *object, const char *detail,
                     char out[65])
{
    struct xt_buf b;
    xt_buf_init(&b, 0);
    xt_buf_printf(&b, "%s|%lld|%lld|%s|%s|%s|%s|%s", prev, (long long)at, (long long)actor_id,
                  actor_name, role, action, object, detail);
    xt_sha256_hex(b.data, b.len, out);
    xt_buf_release(&b);
}

int xt_audit_load_head(struct xt_store *s, struct xt_conn *c)
{
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT hash FROM audit ORDER BY id DESC LIMIT 1");
    if (!st)
        return XT_EIO;
    memset(s->audit_prev, '0', 64);
    s->audit_prev[64] = '\0';
    if (xt_step(st) == 1)
        snprintf(s->audit_prev, sizeof(s->audit_prev), "%s", xt_col_text(st, 0));
    xt_reset(st);
    return 0;
}

int xt_audit_append(struct xt_store *s, struct xt_conn *c, const struct xt_actor *actor,
                    const char *action, const char *object, const char *detail, int64_t now)
{
    static const char sql[] = "INSERT INTO audit(at, actor_id, actor_name, actor_role, action,"
                              " object, detail, prev_hash, hash)"
                              " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    const char *role = xt_role_name(actor->role);
    char hash[65];
    row_hash(s->audit_prev, now, actor->account_id, actor->username, role, action, object,
             detail ? detail : "", hash);
    struct xt_stmt *st = xt_conn_stmt(c, sql);
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, now);
    xt_bind_int(st, 2, actor->account_id);
    xt_bind_text(st, 3, actor->username);
    xt_bind_text(st, 4, role);
    xt_bind_text(st, 5, action);
    xt_bind_text(st, 6, object);
    xt_bind_text(st, 7, detail ? detail : "");
    xt_bind_text(st, 8, s->audit_prev);
    xt_bind_text(st, 9, hash);
    int rc = xt_step(st) == 0 ? 0 : XT_EIO;
    xt_reset(st);
    if (!rc)
        memcpy(s->audit_prev, hash, sizeof(hash));
    return rc;
}

struct audit_job {
    const struct xt_actor *actor;
    const char *action, *object, *detail;
    int64_t now;
};

static int audit_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct audit_job *j = arg;
    return xt_audit_append(s, c, j->actor, j->action, j->object, j->detail, j->now);
}

int xt_store_audit(struct xt_store *s, const struct xt_actor *actor, const char *action,
                   const char *object, const char *detail, int64_t now)
{
    struct audit_job j = {actor, action, object, detail, now};
    return xt_store_write(s, audit_job, &j);
}

int xt_store_audit_verify(struct xt_store *s, int64_t *bad_id, long *rows)
{
    *bad_id = 0;
    *rows = 0;
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT id, at, actor_id, actor_name, actor_role, action,"
                                       " object, detail, prev_hash, hash FROM audit ORDER BY id");
    if (!st) {
        xt_store_reader_put(s, c);
        return XT_EIO;
    }
    char prev[65];
    memset(prev, '0', 64);
    prev[64] = '\0';
    int rc = 0;
    while (xt_step(st) == 1) {
        char h[65];
        (*rows)++;
        row_hash(prev, xt_col_int(st, 1), xt_col_int(st, 2),
                 xt_col_text(st, 3), xt_col_text(st, 4), xt_col_text(st, 5), xt_col_text(st, 6),
                 xt_col_text(st, 7), h);
        if (strcmp(prev, xt_col_text(st, 8)) != 0 || strcmp(h, xt_col_text(st, 9)) != 0) {
            *bad_id = xt_col_int(st, 0);
            rc = XT_EINVAL;
            break;
        }
        memcpy(prev, h, sizeof(prev));
    }
    xt_reset(st);
    xt_store_reader_put(s, c);
    return rc;
}
