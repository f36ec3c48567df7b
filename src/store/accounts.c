/* accounts.c - accounts, logins and sessions.
 *
 * Sessions are stored by the SHA-256 of their token (a stolen database
 * does not give usable tokens) and cached in memory so that checking a
 * bearer token costs a hash lookup, not a query. Idle time is tracked in
 * the cache only: it is a usability limit, not a record that must survive
 * a restart; the 12-hour limit comes from the stored creation time. */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define XT_LOGIN_MAX_FAILS 5
#define XT_LOGIN_LOCK_SECS 300
#define SESSION_BUCKETS 4096
/* How long a cached session is trusted before the database is asked
 * again, so that a logout on one server reaches the others. */
#define XT_SESSION_RECHECK 5

struct session_entry {
    char digest[65];
    struct xt_actor actor;
    int64_t created_at, last_seen;
    int64_t checked_at; /* when the database last confirmed it */
    bool revoked; /* a logged-out session: never valid again */
    struct session_entry *next;
};

struct xt_session_cache {
    pthread_mutex_t lock;
    struct session_entry *bucket[SESSION_BUCKETS];
};

static unsigned digest_bucket(const char *digest)
{
    unsigned h = 0;
    for (int i = 0; i < 8; i++)
        h = h * 16 + (unsigned)(digest[i] <= '9' ? digest[i] - '0' : digest[i] - 'a' + 10);
    return h % SESSION_BUCKETS;
}

/* Created by xt_store_open before any other thread can see the store, so
 * reading the pointer needs no lock. */
static struct xt_session_cache *cache(struct xt_store *s)
{
    return s->sessions;
}

struct xt_session_cache *xt_sessions_new(void)
{
    struct xt_session_cache *sc = calloc(1, sizeof(*sc));
    if (sc)
        pthread_mutex_init(&sc->lock, NULL);
    return sc;
}

void xt_sessions_free(struct xt_session_cache *sc)
{
    if (!sc)
        return;
    for (int i = 0; i < SESSION_BUCKETS; i++) {
        for (struct session_entry *e = sc->bucket[i]; e;) {
            struct session_entry *next = e->next;
            free(e);
            e = next;
        }
    }
    pthread_mutex_destroy(&sc->lock);
    free(sc);
}

static struct session_entry *find_locked(struct xt_session_cache *sc, const char *digest)
{
    for (struct session_entry *e = sc->bucket[digest_bucket(digest)]; e; e = e->next)
        if (strcmp(e->digest, digest) == 0)
            return e;
    return NULL;
}

/* Insert unless the digest is already there (live or revoked). */
static void cache_put(struct xt_session_cache *sc, const char *digest,
                      const struct xt_actor *actor, int64_t created_at, int64_t now)
{
    struct session_entry *e = calloc(1, sizeof(*e));
    if (!e)
        return;
    memcpy(e->digest, digest, 65);
    e->actor = *actor;
    e->created_at = created_at;
    e->last_seen = now;
    e->checked_at = now;
    unsigned b = digest_bucket(digest);
    pthread_mutex_lock(&sc->lock);
    if (find_locked(sc, digest)) {
        pthread_mutex_unlock(&sc->lock);
        free(e);
        return;
    }
    e->next = sc->bucket[b];
    sc->bucket[b] = e;
    pthread_mutex_unlock(&sc->lock);
}

/* Leave a revoked mark, so a reader that raced the logout cannot bring
 * the session back into the cache. */
static void cache_revoke(struct xt_session_cache *sc, const char *digest)
{
    struct session_entry *fresh = calloc(1, sizeof(*fresh));
    pthread_mutex_lock(&sc->lock);
    struct session_entry *e = find_locked(sc, digest);
    if (e) {
        e->revoked = true;
    } else if (fresh) {
        memcpy(fresh->digest, digest, 65);
        fresh->revoked = true;
        unsigned b = digest_bucket(digest);
        fresh->next = sc->bucket[b];
        sc->bucket[b] = fresh;
        fresh = NULL;
    }
    pthread_mutex_unlock(&sc->lock);
    free(fresh);
}

struct account_job {
    const char *username, *pwhash, *role, *scope, *display;
    int64_t now;
    struct xt_error *err;
};

static int account_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    (void)s;
    struct account_job *j = arg;
    struct xt_stmt *st = xt_conn_stmt(c, "INSERT INTO accounts(username, pwhash, role, scope,"
                                       " display_name, created_at) VALUES(?1,?2,?3,?4,?5,?6)");
    if (!st)
        return xt_sqlite_err(j->err, c, "prepare account");
    xt_bind_text(st, 1, j->username);
    xt_bind_text(st, 2, j->pwhash);
    xt_bind_text(st, 3, j->role);
    xt_bind_text(st, 4, j->scope);
    xt_bind_text(st, 5, j->display);
    xt_bind_int(st, 6, j->now);
    int rc = xt_step(st);
    xt_reset(st);
    if (rc == XT_EEXIST)
        return xt_error_set(j->err, XT_EEXIST, "username", "'%s' is taken", j->username);
    if (rc != 0)
        return xt_sqlite_err(j->err, c, "insert account");
    struct xt_actor system = {.role = XT_ROLE_SYSTEM};
    snprintf(system.username, sizeof(system.username), "system");
    return xt_audit_append(s, c, &system, "account.create", j->username, j->role, j->now);
}

int xt_store_account_create(struct xt_store *s, const char *username, const char *password,
                            int role, const char *scope, const char *display_name,
                            struct xt_error *err)
{
    xt_error_clear(err);
    size_t n = username ? strlen(username) : 0;
    if (n < 2 || n > 60)
        return xt_error_set(err, XT_EINVAL, "username", "must be 2..60 characters");
    for (size_t i = 0; i < n; i++) {
        char ch = username[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
              ch == '.'))
            return xt_error_set(err, XT_EINVAL, "username",
                                "may hold only a-z, 0-9, '_', '-' and '.'");
    }
    if (!password || strlen(password) < 8)
        return xt_error_set(err, XT_EINVAL, "password", "must be at least 8 characters");
    const char *rname = xt_role_name(role);
    if (!rname || role == XT_ROLE_SYSTEM)
        return xt_error_set(err, XT_EINVAL, "role", "unknown role");
    int need = xt_role_scope_level(role);
    if (need != XT_LEVEL_NONE && xt_unit_level_of_code(scope) != need)
        return xt_error_set(err, XT_EINVAL, "scope", "a %s account needs a %s unit as scope",
                            rname, xt_unit_level_name(need));
    struct xt_unit u;
    if (scope && *scope && xt_store_unit_get(s, scope, &u))
        return xt_error_set(err, XT_EINVAL, "scope", "unknown unit '%s'", scope);
    char hash[XT_PWHASH_MAX];
    if (xt_password_hash(password, hash))
        return xt_error_set(err, XT_ENOMEM, "password", "cannot hash the password");
    struct account_job j = {username, hash, rname, scope ? scope : "", display_name, 0, err};
    j.now = (int64_t)time(NULL);
    return xt_store_write(s, account_job, &j);
}

struct login_job {
    int64_t account_id;
    int ok;
    const char *digest;
    struct xt_actor *actor;
    int64_t now;
};

static int login_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct login_job *j = arg;
    struct xt_stmt *st;
    if (j->ok) {
        st = xt_conn_stmt(c, "UPDATE accounts SET failed=0, locked_until=0 WHERE id=?1");
        xt_bind_int(st, 1, j->account_id);
        xt_step(st);
        st = xt_conn_stmt(c, "INSERT INTO sessions(digest, account_id, created_at)"
                             " VALUES(?1, ?2, ?3)");
        xt_bind_text(st, 1, j->digest);
        xt_bind_int(st, 2, j->account_id);
        xt_bind_int(st, 3, j->now);
        if (xt_step(st) != 0)
            return XT_EIO;
        return xt_audit_append(s, c, j->actor, "session.login", j->actor->username, "", j->now);
    }
    st = xt_conn_stmt(c, "UPDATE accounts SET failed=failed+1, locked_until=CASE WHEN"
                         " failed+1 >= ?2 THEN ?3 ELSE locked_until END WHERE id=?1");
    xt_bind_int(st, 1, j->account_id);
    xt_bind_int(st, 2, XT_LOGIN_MAX_FAILS);
    xt_bind_int(st, 3, j->now + XT_LOGIN_LOCK_SECS);
    if (xt_step(st) != 0)
        return XT_EIO;
    return xt_audit_append(s, c, j->actor, "session.login_failed", j->actor->username, "",
                           j->now);
}

int xt_store_login(struct xt_store *s, const char *username, const char *password, int64_t now,
                   char *token_out, struct xt_actor *actor, struct xt_error *err)
{
    xt_error_clear(err);
    if (!username || !*username)
        return xt_error_set(err, XT_EINVAL, "username", "is required");
    if (!password || !*password)
        return xt_error_set(err, XT_EINVAL, "password", "is required");
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT id, pwhash, role, scope, disabled, locked_until"
                                       " FROM accounts WHERE username=?1");
    char hash[XT_PWHASH_MAX] = "";
    int64_t id = 0, locked_until = 0;
    int disabled = 0, role = -1;
    memset(actor, 0, sizeof(*actor));
    if (st) {
        xt_bind_text(st, 1, username);
        if (xt_step(st) == 1) {
            id = xt_col_int(st, 0);
            snprintf(hash, sizeof(hash), "%s", xt_col_text(st, 1));
            role = xt_role_parse(xt_col_text(st, 2));
            snprintf(actor->scope, sizeof(actor->scope), "%s", xt_col_text(st, 3));
            disabled = xt_col_int(st, 4);
            locked_until = xt_col_int(st, 5);
        }
        xt_reset(st);
    }
    xt_store_reader_put(s, c);
    if (!id || disabled || role < 0)
        return xt_error_set(err, XT_EAUTH, "username", "unknown user or wrong password");
    if (locked_until > now)
        return xt_error_set(err, XT_EBUSY, "username",
                            "too many failed logins; try again in %lld seconds",
                            (long long)(locked_until - now));
    actor->account_id = id;
    actor->role = role;
    snprintf(actor->username, sizeof(actor->username), "%s", username);
    int ok = xt_password_verify(hash, password);
    char digest[65] = "";
    if (ok) {
        xt_token_new(token_out);
        xt_token_digest(token_out, digest);
    }
    struct login_job j = {id, ok, digest, actor, now};
    int rc = xt_store_write(s, login_job, &j);
    if (rc)
        return xt_error_set(err, rc, "", "cannot record the login");
    if (!ok)
        return xt_error_set(err, XT_EAUTH, "password", "unknown user or wrong password");
    struct xt_session_cache *sc = cache(s);
    if (sc)
        cache_put(sc, digest, actor, now, now);
    return 0;
}

/* Read a session from the database; XT_EAUTH when it is unknown, revoked
 * or past its 12 hours. */
static int session_from_db(struct xt_store *s, const char *digest, int64_t now,
                           struct xt_actor *actor, int64_t *created)
{
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT a.id, a.username, a.role, a.scope, s.created_at"
                                         " FROM sessions s JOIN accounts a ON a.id = s.account_id"
                                         " WHERE s.digest=?1 AND s.revoked=0 AND a.disabled=0");
    int rc = XT_EAUTH;
    if (st) {
        xt_bind_text(st, 1, digest);
        if (xt_step(st) == 1) {
            memset(actor, 0, sizeof(*actor));
            actor->account_id = xt_col_int(st, 0);
            snprintf(actor->username, sizeof(actor->username), "%s", xt_col_text(st, 1));
            actor->role = xt_role_parse(xt_col_text(st, 2));
            snprintf(actor->scope, sizeof(actor->scope), "%s", xt_col_text(st, 3));
            *created = xt_col_int(st, 4);
            rc = now - *created <= XT_SESSION_MAX && actor->role >= 0 ? 0 : XT_EAUTH;
        }
        xt_reset(st);
    } else {
        rc = XT_EIO;
    }
    xt_store_reader_put(s, c);
    return rc;
}

int xt_store_session(struct xt_store *s, const char *token, int64_t now, struct xt_actor *actor)
{
    if (!token || strlen(token) != XT_TOKEN_LEN)
        return XT_EAUTH;
    char digest[65];
    xt_token_digest(token, digest);
    struct xt_session_cache *sc = cache(s);
    if (!sc)
        return XT_ENOMEM;
    pthread_mutex_lock(&sc->lock);
    struct session_entry *e = find_locked(sc, digest);
    if (e) {
        int ok = !e->revoked && now - e->last_seen <= XT_SESSION_IDLE &&
                 now - e->created_at <= XT_SESSION_MAX;
        bool fresh = now - e->checked_at < XT_SESSION_RECHECK;
        if (ok) {
            e->last_seen = now;
            *actor = e->actor;
        }
        pthread_mutex_unlock(&sc->lock);
        if (!ok || fresh)
            return ok ? 0 : XT_EAUTH;
        /* Another server (or the CLI) may have ended the session: confirm
         * with the database every few seconds. */
        struct xt_actor again;
        int64_t created;
        int rc = session_from_db(s, digest, now, &again, &created);
        if (rc == XT_EIO)
            return rc;
        pthread_mutex_lock(&sc->lock);
        e = find_locked(sc, digest);
        if (e) {
            if (rc)
                e->revoked = true;
            else
                e->checked_at = now;
        }
        pthread_mutex_unlock(&sc->lock);
        return rc;
    }
    pthread_mutex_unlock(&sc->lock);
    /* Not cached (e.g. after a restart, or logged in on another server). */
    int64_t created = 0;
    int rc = session_from_db(s, digest, now, actor, &created);
    if (!rc)
        cache_put(sc, digest, actor, created, now);
    return rc;
}

struct logout_job {
    const char *digest;
    const struct xt_actor *actor;
    int64_t now;
};

static int logout_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct logout_job *j = arg;
    struct xt_stmt *st = xt_conn_stmt(c, "UPDATE sessions SET revoked=1 WHERE digest=?1");
    xt_bind_text(st, 1, j->digest);
    if (xt_step(st) != 0)
        return XT_EIO;
    /* Every write is in the audit log, the end of a session too. */
    return xt_audit_append(s, c, j->actor, "session.logout", j->actor->username, "", j->now);
}

int xt_store_logout(struct xt_store *s, const struct xt_actor *actor, const char *token,
                    int64_t now)
{
    if (!token || strlen(token) != XT_TOKEN_LEN)
        return XT_EAUTH;
    char digest[65];
    xt_token_digest(token, digest);
    struct xt_session_cache *sc = cache(s);
    if (sc)
        cache_revoke(sc, digest);
    struct logout_job j = {digest, actor, now};
    return xt_store_write(s, logout_job, &j);
}
