/* open311.c - API keys and the Open311 side of requests (see open311.h).
 *
 * A request filed through Open311 is an ordinary ticket created by
 * xt_store_ticket_create_ex; its Open311 record (token, sealed e-mail,
 * device id, media URL) is written in the same savepoint, so either both
 * exist or neither. */
#include "store/open311.h"
#include "core/open311.h"
#include "store/store_int.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- API keys ---- */

static int check_name(const char *name, struct xt_error *err)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 2 || n > XT_APIKEY_NAME_MAX)
        return xt_error_set(err, XT_EINVAL, "name", "must be 2..%d characters", XT_APIKEY_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
              ch == '.'))
            return xt_error_set(err, XT_EINVAL, "name", "may hold only a-z, 0-9, '_', '-' and '.'");
    }
    return 0;
}

struct key_job {
    const char *name, *scope, *username, *hash;
    int64_t now;
    struct xt_error *err;
    bool revoke;
};

static int key_add_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct key_job *j = arg;
    /* The service account: an operator that cannot log in ("!" is no
     * argon2id hash, and the account is disabled). */
    struct xt_stmt *st = xt_conn_stmt(c, "INSERT INTO accounts(username, pwhash, role, scope,"
                                         " display_name, created_at, disabled)"
                                         " VALUES(?1, '!', ?2, ?3, ?4, ?5, 1) RETURNING id");
    if (!st)
        return xt_sqlite_err(j->err, c, "prepare account");
    xt_bind_text(st, 1, j->username);
    xt_bind_text(st, 2, xt_role_name(XT_ROLE_OPERATOR));
    xt_bind_text(st, 3, j->scope);
    xt_bind_text(st, 4, j->name);
    xt_bind_int(st, 5, j->now);
    int rc = xt_step(st);
    int64_t account = rc == 1 ? xt_col_int(st, 0) : 0;
    xt_reset(st);
    if (rc == XT_EEXIST)
        return xt_error_set(j->err, XT_EEXIST, "name", "'%s' is taken", j->name);
    if (rc != 1)
        return xt_sqlite_err(j->err, c, "insert account");
    st = xt_conn_stmt(c, "INSERT INTO api_keys(name, key_hash, account_id, created_at)"
                         " VALUES(?1, ?2, ?3, ?4)");
    if (!st)
        return xt_sqlite_err(j->err, c, "prepare key");
    xt_bind_text(st, 1, j->name);
    xt_bind_text(st, 2, j->hash);
    xt_bind_int(st, 3, account);
    xt_bind_int(st, 4, j->now);
    rc = xt_step(st);
    xt_reset(st);
    if (rc == XT_EEXIST)
        return xt_error_set(j->err, XT_EEXIST, "name", "'%s' is taken", j->name);
    if (rc != 0)
        return xt_sqlite_err(j->err, c, "insert key");
    struct xt_actor system = {.role = XT_ROLE_SYSTEM};
    snprintf(system.username, sizeof(system.username), "system");
    return xt_audit_append(s, c, &system, "apikey.add", j->name, j->scope, j->now);
}

int xt_store_apikey_add(struct xt_store *s, const char *name, const char *scope, int64_t now,
                        char key_out[XT_TOKEN_LEN + 1], struct xt_error *err)
{
    xt_error_clear(err);
    int rc = check_name(name, err);
    if (rc)
        return rc;
    struct xt_unit u;
    if (!scope || !*scope)
        return xt_error_set(err, XT_EINVAL, "scope",
                            "is required (the unit whose requests the key may file)");
    if (xt_store_unit_get(s, scope, &u) || u.level < XT_LEVEL_PROVINCE ||
        u.level > XT_LEVEL_TOWNSHIP)
        return xt_error_set(err, XT_EINVAL, "scope",
                            "'%s' is no province, prefecture, county or township", scope);
    char key[XT_TOKEN_LEN + 1], hash[65], username[64];
    xt_token_new(key);
    xt_token_digest(key, hash);
    snprintf(username, sizeof(username), "apikey.%s", name);
    struct key_job j = {name, scope, username, hash, now, err, false};
    rc = xt_store_write(s, key_add_job, &j);
    if (rc) {
        sodium_memzero(key, sizeof(key));
        if (err->code == XT_OK)
            xt_error_set(err, rc, "", "cannot store the key");
        return rc;
    }
    memcpy(key_out, key, sizeof(key));
    sodium_memzero(key, sizeof(key));
    return 0;
}

static int key_revoke_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct key_job *j = arg;
    struct xt_stmt *st = xt_conn_stmt(c, "UPDATE api_keys SET revoked_at=?2"
                                         " WHERE name=?1 AND revoked_at=0 RETURNING id");
    if (!st)
        return xt_sqlite_err(j->err, c, "prepare revoke");
    xt_bind_text(st, 1, j->name);
    xt_bind_int(st, 2, j->now);
    int rc = xt_step(st);
    xt_reset(st);
    if (rc == 0)
        return xt_error_set(j->err, XT_ENOTFOUND, "name", "no live key named '%s'", j->name);
    if (rc != 1)
        return xt_sqlite_err(j->err, c, "revoke key");
    struct xt_actor system = {.role = XT_ROLE_SYSTEM};
    snprintf(system.username, sizeof(system.username), "system");
    return xt_audit_append(s, c, &system, "apikey.revoke", j->name, "", j->now);
}

int xt_store_apikey_revoke(struct xt_store *s, const char *name, int64_t now, struct xt_error *err)
{
    xt_error_clear(err);
    int rc = check_name(name, err);
    if (rc)
        return rc;
    struct key_job j = {name, NULL, NULL, NULL, now, err, true};
    rc = xt_store_write(s, key_revoke_job, &j);
    if (rc && err->code == XT_OK)
        xt_error_set(err, rc, "", "cannot revoke the key");
    return rc;
}

int xt_store_apikey_list(struct xt_store *s, int (*fn)(void *ctx, const struct xt_apikey_info *k),
                         void *ctx)
{
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT k.id, k.name, a.scope, k.created_at, k.revoked_at"
                                         " FROM api_keys k JOIN accounts a ON a.id = k.account_id"
                                         " ORDER BY k.name");
    int rc = st ? 0 : XT_EIO;
    while (st && xt_step(st) == 1) {
        struct xt_apikey_info k;
        memset(&k, 0, sizeof(k));
        k.id = xt_col_int(st, 0);
        snprintf(k.name, sizeof(k.name), "%s", xt_col_text(st, 1));
        snprintf(k.scope, sizeof(k.scope), "%s", xt_col_text(st, 2));
        k.created_at = xt_col_int(st, 3);
        k.revoked_at = xt_col_int(st, 4);
        if (fn(ctx, &k))
            break;
    }
    if (st)
        xt_reset(st);
    xt_store_reader_put(s, c);
    return rc;
}

int xt_store_apikey_check(struct xt_store *s, const char *key, struct xt_actor *actor,
                          int64_t *key_id)
{
    if (!key || strlen(key) != XT_TOKEN_LEN)
        return XT_EAUTH;
    char hash[65];
    xt_token_digest(key, hash);
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT k.id, a.id, a.role, a.scope, a.username"
                                         " FROM api_keys k JOIN accounts a ON a.id = k.account_id"
                                         " WHERE k.key_hash=?1 AND k.revoked_at=0");
    int rc = st ? XT_EAUTH : XT_EIO;
    if (st) {
        xt_bind_text(st, 1, hash);
        if (xt_step(st) == 1) {
            memset(actor, 0, sizeof(*actor));
            *key_id = xt_col_int(st, 0);
            actor->account_id = xt_col_int(st, 1);
            actor->role = xt_role_parse(xt_col_text(st, 2));
            snprintf(actor->scope, sizeof(actor->scope), "%s", xt_col_text(st, 3));
            snprintf(actor->username, sizeof(actor->username), "%s", xt_col_text(st, 4));
            rc = actor->role == XT_ROLE_OPERATOR ? 0 : XT_EAUTH;
        }
        xt_reset(st);
    }
    xt_store_reader_put(s, c);
    return rc;
}

/* ---- requests ---- */

struct o311_write {
    struct xt_o311_extra *x;
    const char *email_sealed, *email_masked;
    int64_t now;
};

static int o311_extra(struct xt_store *s, struct xt_conn *c, const struct xt_ticket *t, void *arg)
{
    (void)s;
    struct o311_write *w = arg;
    struct xt_stmt *st = xt_conn_stmt(c, "INSERT INTO open311_requests(number, token, api_key_id,"
                                         " email, email_masked, device_id, media_url, created_at)"
                                         " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st)
        return XT_EIO;
    xt_bind_text(st, 1, t->number);
    xt_bind_text(st, 2, w->x->token);
    xt_bind_int(st, 3, w->x->key_id);
    xt_bind_text(st, 4, w->email_sealed);
    xt_bind_text(st, 5, w->email_masked);
    xt_bind_text(st, 6, w->x->device_id);
    xt_bind_text(st, 7, w->x->media_url);
    xt_bind_int(st, 8, w->now);
    int rc = xt_step(st);
    xt_reset(st);
    return rc == 0 ? 0 : XT_EIO;
}

int xt_store_o311_create(struct xt_store *s, const struct xt_actor *actor, struct xt_ticket *t,
                         const struct xt_contact *contact, struct xt_o311_extra *x, int64_t now,
                         struct xt_error *err)
{
    unsigned char raw[XT_O311_TOKEN_LEN / 2];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(x->token, sizeof(x->token), raw, sizeof(raw));
    char *sealed = NULL, masked[128] = "";
    if (x->email && *x->email) {
        xt_o311_mask_email(x->email, masked, sizeof(masked));
        if (xt_seal(&s->key, x->email, strlen(x->email), &sealed))
            return xt_error_set(err, XT_EIO, "email", "cannot protect the e-mail address");
    }
    struct o311_write w = {x, sealed, *masked ? masked : NULL, now};
    int rc = xt_store_ticket_create_ex(s, actor, t, contact, NULL, NULL, now, o311_extra, &w, err);
    free(sealed);
    return rc;
}

int xt_store_o311_token(struct xt_store *s, const char *token, char number[XT_NUMBER_MAX])
{
    if (!token || strlen(token) != XT_O311_TOKEN_LEN)
        return XT_ENOTFOUND;
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT number FROM open311_requests WHERE token=?1");
    int rc = st ? XT_ENOTFOUND : XT_EIO;
    if (st) {
        xt_bind_text(st, 1, token);
        if (xt_step(st) == 1) {
            snprintf(number, XT_NUMBER_MAX, "%s", xt_col_text(st, 0));
            rc = 0;
        }
        xt_reset(st);
    }
    xt_store_reader_put(s, c);
    return rc;
}

int xt_store_o311_media(struct xt_store *s, const char *number, char *out, size_t outsz)
{
    out[0] = '\0';
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT media_url FROM open311_requests WHERE number=?1");
    if (st) {
        xt_bind_text(st, 1, number);
        if (xt_step(st) == 1)
            snprintf(out, outsz, "%s", xt_col_text(st, 0));
        xt_reset(st);
    }
    xt_store_reader_put(s, c);
    return st ? 0 : XT_EIO;
}

/* Open: received, dispatched, signed, returned (XT_S_OPEN); closed:
 * replied, closed, merged (core/open311.h). Only the columns the public
 * view shows are read, in one query. */
static const char SQL_FIND[] =
    "SELECT t.number, t.state, t.type, t.urgent, t.category, t.text, t.address, t.lat, t.lon,"
    " t.grid, t.lead, t.handler, t.resolve_by, t.created_at, t.updated_at, t.reply,"
    " t.merged_into, t.suggested_handler, o.media_url FROM tickets t"
    " LEFT JOIN open311_requests o ON o.number = t.number"
    " WHERE (CAST(?1 AS TEXT) IS NULL OR instr(CAST(?1 AS TEXT), ',' || t.category || ',') > 0)"
    " AND ((CAST(?2 AS INTEGER) = 1 AND t.state IN (0, 1, 2, 5))"
    "      OR (CAST(?3 AS INTEGER) = 1 AND t.state IN (3, 4, 6)))"
    " AND (CAST(?4 AS BIGINT) = 0 OR t.created_at >= ?4)"
    " AND (CAST(?5 AS BIGINT) = 0 OR t.created_at < ?5)"
    " AND (CAST(?6 AS BIGINT) = 0 OR t.updated_at >= ?6)"
    " AND (CAST(?7 AS BIGINT) = 0 OR t.updated_at < ?7)"
    " ORDER BY t.id DESC LIMIT CAST(?8 AS INTEGER) OFFSET CAST(?9 AS INTEGER)";

static char *dup_or_null(struct xt_stmt *st, int i)
{
    return xt_col_null(st, i) ? NULL : strdup(xt_col_text(st, i));
}

/* The row of SQL_FIND as a ticket holding the fields of the public view. */
static int found_ticket(struct xt_stmt *st, struct xt_ticket *t)
{
    xt_ticket_init(t);
    snprintf(t->number, sizeof(t->number), "%s", xt_col_text(st, 0));
    t->state = (int)xt_col_int(st, 1);
    t->type = (int)xt_col_int(st, 2);
    t->urgent = xt_col_int(st, 3) != 0;
    snprintf(t->category, sizeof(t->category), "%s", xt_col_text(st, 4));
    t->text = dup_or_null(st, 5);
    t->address = dup_or_null(st, 6);
    if (!xt_col_null(st, 7)) {
        t->has_point = true;
        t->lat = xt_col_double(st, 7);
        t->lon = xt_col_double(st, 8);
    }
    snprintf(t->grid, sizeof(t->grid), "%s", xt_col_text(st, 9));
    snprintf(t->lead, sizeof(t->lead), "%s", xt_col_text(st, 10));
    snprintf(t->handler, sizeof(t->handler), "%s", xt_col_text(st, 11));
    t->resolve_by = xt_col_int(st, 12);
    t->created_at = xt_col_int(st, 13);
    t->updated_at = xt_col_int(st, 14);
    t->reply = dup_or_null(st, 15);
    snprintf(t->merged_into, sizeof(t->merged_into), "%s", xt_col_text(st, 16));
    snprintf(t->suggested_handler, sizeof(t->suggested_handler), "%s", xt_col_text(st, 17));
    return t->text ? 0 : XT_ENOMEM;
}

int xt_store_o311_find(struct xt_store *s, const struct xt_o311_filter *f,
                       int (*fn)(void *ctx, const struct xt_ticket *t, const char *media_url),
                       void *ctx, struct xt_error *err)
{
    if (f->limit < 1 || f->limit > 1000 || f->offset < 0)
        return xt_error_set(err, XT_EINVAL, "page_size", "must be 1..1000");
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    struct xt_stmt *st = xt_conn_stmt(c, SQL_FIND);
    if (!st) {
        xt_store_reader_put(s, c);
        return xt_sqlite_err(err, c, "open311 find");
    }
    xt_bind_text(st, 1, f->codes);
    xt_bind_int(st, 2, f->open);
    xt_bind_int(st, 3, f->closed);
    xt_bind_int(st, 4, f->created_from);
    xt_bind_int(st, 5, f->created_to);
    xt_bind_int(st, 6, f->updated_from);
    xt_bind_int(st, 7, f->updated_to);
    xt_bind_int(st, 8, f->limit);
    xt_bind_int(st, 9, f->offset);
    int rc = 0;
    while (xt_step(st) == 1) {
        struct xt_ticket t;
        rc = found_ticket(st, &t);
        if (!rc && fn(ctx, &t, xt_col_text(st, 18)))
            rc = 1;
        xt_ticket_release(&t);
        if (rc)
            break;
    }
    xt_reset(st);
    xt_store_reader_put(s, c);
    if (rc == XT_ENOMEM)
        return xt_error_set(err, XT_ENOMEM, "", "out of memory");
    return 0;
}

int xt_store_o311_place(struct xt_store *s, const char *address, char code[XT_CODE_MAX])
{
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT code, length(name) FROM units"
                                         " WHERE level BETWEEN 4 AND 6 AND length(name) > 1"
                                         " AND instr(CAST(?1 AS TEXT), name) = 1"
                                         " ORDER BY length(name) DESC, code LIMIT 2");
    int rc = st ? XT_ENOTFOUND : XT_EIO;
    if (st) {
        xt_bind_text(st, 1, address);
        if (xt_step(st) == 1) {
            snprintf(code, XT_CODE_MAX, "%s", xt_col_text(st, 0));
            int64_t len = xt_col_int(st, 1);
            rc = 0;
            if (xt_step(st) == 1 && xt_col_int(st, 1) == len)
                rc = XT_EEXIST;
        }
        xt_reset(st);
    }
    xt_store_reader_put(s, c);
    return rc;
}
