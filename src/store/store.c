/* store.c - opening the database, migrations, the group-commit writer and
 * the pool of read connections. */
#include "lib/log.h"
#include "store/migrations.h"
#include "store/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define XT_BATCH_MAX 512

int xt_sqlite_err(struct xt_error *err, struct xt_conn *c, const char *what)
{
    xt_log(XT_LOG_ERROR, "database: %s: %s", what, c ? xt_conn_errmsg(c) : "?");
    return xt_error_set(err, XT_EIO, "", "storage failure (%s)", what);
}

/* Open a connection with the settings the store relies on. */
static struct xt_conn *conn_open(const char *url, bool readonly)
{
    struct xt_conn *c = xt_conn_open(url, readonly);
    if (!c || c->kind != XT_DB_SQLITE)
        return c;
    if (!readonly) {
        /* synchronous=FULL: a commit is on disk (WAL fsynced) before it
         * returns, so an acknowledged write survives power loss.
         * temp_store=MEMORY keeps each job's SAVEPOINT journal in memory
         * (past 64 KiB it would spill to a temp file: ~40 KB of extra
         * writes per ticket; see docs/BENCHMARKS.md). */
        if (xt_conn_exec(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                            "PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=4000;"
                            "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;")) {
            xt_conn_close(c);
            return NULL;
        }
    } else {
        xt_conn_exec(c, "PRAGMA query_only=1; PRAGMA cache_size=-16000;");
    }
    return c;
}

static void conn_close(struct xt_conn *c)
{
    xt_conn_close(c);
}

/* The connection pools (readers, lookups, replicas) under plock. */
static struct xt_conn *pool_take(struct xt_store *s, struct xt_conn **pool)
{
    pthread_mutex_lock(&s->plock);
    struct xt_conn *c = *pool;
    if (c)
        *pool = c->next;
    pthread_mutex_unlock(&s->plock);
    return c;
}

static void pool_give(struct xt_store *s, struct xt_conn **pool, struct xt_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&s->plock);
    c->next = *pool;
    *pool = c;
    pthread_mutex_unlock(&s->plock);
}

static void pool_close(struct xt_conn *c)
{
    while (c) {
        struct xt_conn *next = c->next;
        conn_close(c);
        c = next;
    }
}

struct xt_conn *xt_store_reader(struct xt_store *s)
{
    struct xt_conn *c = pool_take(s, &s->readers);
    return c ? c : conn_open(s->path, true);
}

void xt_store_reader_put(struct xt_store *s, struct xt_conn *c)
{
    pool_give(s, &s->readers, c);
}

struct xt_conn *xt_store_lookup_reader(struct xt_store *s)
{
    struct xt_conn *c = pool_take(s, &s->lookups);
    if (c)
        return c;
    c = conn_open(s->path, true);
    if (c && c->kind == XT_DB_POSTGRES && xt_conn_exec(c, "SET plan_cache_mode = auto")) {
        conn_close(c);
        return NULL;
    }
    return c;
}

void xt_store_lookup_put(struct xt_store *s, struct xt_conn *c)
{
    pool_give(s, &s->lookups, c);
}

/* Seconds a failed read replica is left alone, so that a standby that is
 * down costs one connection attempt per interval, not one per report. */
#define XT_REPLICA_RETRY 30

struct xt_conn *xt_store_report_reader(struct xt_store *s)
{
    if (!*s->replica)
        return xt_store_reader(s);
    int64_t now = (int64_t)time(NULL);
    pthread_mutex_lock(&s->plock);
    struct xt_conn *c = s->replicas;
    if (c)
        s->replicas = c->next;
    bool try_open = !c && now >= s->replica_retry_at;
    pthread_mutex_unlock(&s->plock);
    if (try_open) {
        c = conn_open(s->replica, true);
        if (c) {
            c->replica = true;
        } else {
            pthread_mutex_lock(&s->plock);
            s->replica_retry_at = now + XT_REPLICA_RETRY;
            pthread_mutex_unlock(&s->plock);
            xt_log(XT_LOG_WARN, "read replica unreachable: reports read from the primary for %d s",
                   XT_REPLICA_RETRY);
        }
    }
    return c ? c : xt_store_reader(s);
}

void xt_store_report_put(struct xt_store *s, struct xt_conn *c, bool failed)
{
    if (!c)
        return;
    if (failed) {
        if (c->replica) {
            pthread_mutex_lock(&s->plock);
            s->replica_retry_at = (int64_t)time(NULL) + XT_REPLICA_RETRY;
            pthread_mutex_unlock(&s->plock);
        }
        conn_close(c);
        return;
    }
    pool_give(s, c->replica ? &s->replicas : &s->readers, c);
}

/* The schema version lives in a table of its own (not SQLite's
 * user_version) so that both backends keep it the same way. */
static int read_version(struct xt_conn *c, int *version)
{
    *version = 0;
    if (xt_conn_exec(c, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT max(version) FROM schema_version");
    if (!st)
        return XT_EIO;
    if (xt_step(st) == 1)
        *version = (int)xt_col_int(st, 0);
    xt_reset(st);
    return 0;
}

static int migrate(struct xt_conn *c, struct xt_error *err)
{
    int version;
    if (read_version(c, &version))
        return xt_sqlite_err(err, c, "schema version");
    const struct xt_migration *list = c->kind == XT_DB_POSTGRES ? xt_migrations_pg : xt_migrations;
    for (int i = 0; i < xt_migration_count; i++) {
        const struct xt_migration *m = &list[i];
        if (m->version <= version)
            continue;
        char set[96];
        snprintf(set, sizeof(set), "INSERT INTO schema_version(version) VALUES(%d);", m->version);
        if (xt_conn_exec(c, "BEGIN") || xt_conn_exec(c, m->sql) || xt_conn_exec(c, set) ||
            xt_conn_exec(c, "COMMIT")) {
            xt_conn_exec(c, "ROLLBACK");
            return xt_error_set(err, XT_EIO, "", "migration %d (%s) failed", m->version, m->name);
        }
        xt_log(XT_LOG_INFO, "migrated database to version %d: %s", m->version, m->name);
    }
    return 0;
}

int xt_store_schema_version(struct xt_store *s)
{
    int version = -1;
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return -1;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT max(version) FROM schema_version");
    if (st && xt_step(st) == 1)
        version = (int)xt_col_int(st, 0);
    if (st)
        xt_reset(st);
    xt_store_reader_put(s, c);
    return version;
}

/* Several servers may write one database. Their batches take turns (on
 * SQLite its write lock; on PostgreSQL an advisory lock held to the
 * commit), and each batch reads the audit chain's head afresh, so the
 * chain never forks. */
#define PG_BEGIN "BEGIN; SELECT pg_advisory_xact_lock(62290001)"

/* A batch of replayable jobs on PostgreSQL, pipelined (db_pg.c) and
 * without savepoints: 0 when committed; 1 when something failed before the
 * commit and the batch has been rolled back, to be run again job by job;
 * XT_EIO when the commit itself failed. */
static void finish(struct xt_store *s, struct xt_job *batch);

static int run_pipelined(struct xt_store *s, struct xt_conn *c, struct xt_job *batch)
{
    s->ctr_valid = false;
    if (xt_conn_exec(c, PG_BEGIN))
        return xt_conn_exec(c, "ROLLBACK"), 1;
    if (xt_audit_load_head(s, c) || xt_conn_pipeline(c, true))
        return xt_conn_exec(c, "ROLLBACK"), 1;
    int rc = 0;
    s->ctr_deferred = true;
    for (struct xt_job *j = batch; j && !rc; j = j->next)
        rc = j->fn(s, c, j->arg);
    if (!rc)
        rc = xt_store_counter_flush(s, c);
    s->ctr_deferred = false;
    int prc = xt_conn_pipeline(c, false);
    if (rc || prc) {
        xt_conn_exec(c, "ROLLBACK");
        return 1;
    }
    if (xt_conn_exec(c, "COMMIT")) {
        xt_conn_exec(c, "ROLLBACK");
        return XT_EIO;
    }
    for (struct xt_job *j = batch; j; j = j->next)
        j->rc = 0;
    return 0;
}

/* Each job's savepoint statements, prepared once on SQLite (parsing them
 * for every job cost about 1 % of a ticket's CPU); PostgreSQL sends the
 * text. */
static const char SQL_SAVEPOINT[] = "SAVEPOINT job";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO job";
static const char SQL_RELEASE[] = "RELEASE job";

static int job_exec(struct xt_conn *c, const char *sql)
{
    if (c->kind != XT_DB_SQLITE)
        return xt_conn_exec(c, sql);
    struct xt_stmt *st = xt_conn_stmt(c, sql);
    if (!st)
        return XT_EIO;
    int rc = xt_step(st) == 0 ? 0 : XT_EIO;
    xt_reset(st);
    return rc;
}

/* The hooks of a committed batch's successful jobs, in order. */
static void run_committed(struct xt_store *s, struct xt_job *batch)
{
    for (struct xt_job *j = batch; j; j = j->next)
        if (j->rc == 0 && j->committed)
            j->committed(s, j->arg);
}

static const char SQL_DATA_VERSION[] = "PRAGMA data_version";

/* SQLite's data_version on the writer's connection changes only when
 * another connection commits (the store's readers never do). -1 when it
 * cannot be read. */
static int64_t data_version(struct xt_conn *c)
{
    struct xt_stmt *st = xt_conn_stmt(c, SQL_DATA_VERSION);
    if (!st)
        return -1;
    int64_t v = xt_step(st) == 1 ? xt_col_int(st, 0) : -1;
    xt_reset(st);
    return v;
}

/* In a batch's transaction on SQLite (holding the write lock): tell the
 * duplicate cache whether anyone else committed since the last batch. */
static void look_for_others(struct xt_store *s, struct xt_conn *c)
{
    int64_t v = data_version(c);
    xt_dupcache_batch(s->dupcache, v < 0 || v != s->data_version);
    s->data_version = v;
}

/* The writer: take every queued job (up to a batch), run each inside a
 * savepoint of one transaction, commit once, run the committed jobs'
 * hooks (xt_store_write_then), then wake the waiters. A
 * batch of replayable jobs on PostgreSQL is first tried pipelined; only
 * when that fails is it run again this way. */
static void *writer_main(void *arg)
{
    struct xt_store *s = arg;
    struct xt_conn *c = s->writer;
    for (;;) {
        pthread_mutex_lock(&s->qlock);
        while (!s->qhead && !s->stopping)
            pthread_cond_wait(&s->qcond, &s->qlock);
        if (!s->qhead && s->stopping) {
            pthread_mutex_unlock(&s->qlock);
            break;
        }
        struct xt_job *batch = s->qhead, *last = batch;
        int n = 1;
        while (last->next && n < XT_BATCH_MAX) {
            last = last->next;
            n++;
        }
        s->qhead = last->next;
        if (!s->qhead)
            s->qtail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&s->qlock);

        char head[65];
        memcpy(head, s->audit_prev, sizeof(head));
        bool replayable = c->kind == XT_DB_POSTGRES;
        for (struct xt_job *j = batch; j && replayable; j = j->next)
            replayable = j->replayable;
        int prc = replayable ? run_pipelined(s, c, batch) : 1;
        if (prc != 1) {
            if (prc)
                memcpy(s->audit_prev, head, sizeof(head));
            for (struct xt_job *j = batch; j; j = j->next)
                j->rc = prc;
            run_committed(s, batch);
            finish(s, batch);
            continue;
        }
        memcpy(s->audit_prev, head, sizeof(head));
        if (replayable)
            s->replays++;
        s->ctr_valid = false;
        /* IMMEDIATE takes SQLite's write lock up front; PostgreSQL locks
         * rows as it goes. */
        int txrc = xt_conn_exec(c, c->kind == XT_DB_SQLITE ? "BEGIN IMMEDIATE" : PG_BEGIN);
        if (!txrc)
            txrc = xt_audit_load_head(s, c);
        if (!txrc && s->dupcache)
            look_for_others(s, c);
        for (struct xt_job *j = batch; j; j = j->next) {
            if (txrc) {
                j->rc = XT_EIO;
                continue;
            }
            char jhead[65];
            memcpy(jhead, s->audit_prev, sizeof(jhead));
            job_exec(c, SQL_SAVEPOINT);
            j->rc = j->fn(s, c, j->arg);
            if (j->rc) {
                job_exec(c, SQL_ROLLBACK_TO);
                memcpy(s->audit_prev, jhead, sizeof(jhead));
            }
            job_exec(c, SQL_RELEASE);
        }
        if (!txrc && xt_conn_exec(c, "COMMIT")) {
            xt_conn_exec(c, "ROLLBACK");
            txrc = XT_EIO;
        }
        if (txrc) {
            memcpy(s->audit_prev, head, sizeof(head));
            for (struct xt_job *j = batch; j; j = j->next)
                if (j->rc == 0)
                    j->rc = XT_EIO;
        }
        run_committed(s, batch);
        finish(s, batch);
    }
    return NULL;
}

/* Count the batch's commit, free its detached jobs, wake the waiters
 * (a waited-for job lives on its waiter's stack: untouched once posted). */
static void finish(struct xt_store *s, struct xt_job *batch)
{
    int n = 0;
    for (struct xt_job *j = batch; j; j = j->next)
        n++;
    pthread_mutex_lock(&s->qlock);
    s->commits++;
    s->jobs_done += n;
    pthread_mutex_unlock(&s->qlock);
    for (struct xt_job *j = batch; j;) {
        struct xt_job *next = j->next;
        if (j->detached) {
            if (j->free_arg)
                j->free_arg(j->arg);
            free(j);
        } else {
            sem_post(&j->done);
        }
        j = next;
    }
}

int xt_store_write_detached(struct xt_store *s,
                            int (*fn)(struct xt_store *s, struct xt_conn *c, void *arg), void *arg,
                            void (*free_arg)(void *arg))
{
    struct xt_job *job = calloc(1, sizeof(*job));
    if (!job) {
        if (free_arg)
            free_arg(arg);
        return XT_ENOMEM;
    }
    job->fn = fn;
    job->arg = arg;
    job->free_arg = free_arg;
    job->detached = 1;
    pthread_mutex_lock(&s->qlock);
    if (s->stopping) {
        pthread_mutex_unlock(&s->qlock);
        if (free_arg)
            free_arg(arg);
        free(job);
        return XT_EBUSY;
    }
    if (s->qtail)
        s->qtail->next = job;
    else
        s->qhead = job;
    s->qtail = job;
    pthread_cond_signal(&s->qcond);
    pthread_mutex_unlock(&s->qlock);
    return 0;
}

static int write_wait(struct xt_store *s,
                      int (*fn)(struct xt_store *s, struct xt_conn *c, void *arg), void *arg,
                      int replayable, void (*committed)(struct xt_store *s, void *arg))
{
    struct xt_job job = {
        .fn = fn, .arg = arg, .replayable = replayable, .committed = committed};
    if (sem_init(&job.done, 0, 0))
        return XT_EIO;
    pthread_mutex_lock(&s->qlock);
    if (s->stopping) {
        pthread_mutex_unlock(&s->qlock);
        sem_destroy(&job.done);
        return XT_EBUSY;
    }
    if (s->qtail)
        s->qtail->next = &job;
    else
        s->qhead = &job;
    s->qtail = &job;
    pthread_cond_signal(&s->qcond);
    pthread_mutex_unlock(&s->qlock);
    while (sem_wait(&job.done) && errno == EINTR)
        ;
    sem_destroy(&job.done);
    return job.rc;
}

int xt_store_write(struct xt_store *s, int (*fn)(struct xt_store *s, struct xt_conn *c, void *arg),
                   void *arg)
{
    return write_wait(s, fn, arg, 0, NULL);
}

int xt_store_write_replayable(struct xt_store *s,
                              int (*fn)(struct xt_store *s, struct xt_conn *c, void *arg),
                              void *arg)
{
    return write_wait(s, fn, arg, 1, NULL);
}

int xt_store_write_then(struct xt_store *s,
                        int (*fn)(struct xt_store *s, struct xt_conn *c, void *arg), void *arg,
                        void (*committed)(struct xt_store *s, void *arg))
{
    return write_wait(s, fn, arg, 1, committed);
}

static int mkdir_p(const char *dir)
{
    char tmp[512];
    snprintf(tmp, sizeof(tmp), "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0700) && errno != EEXIST)
                return XT_EIO;
            *p = '/';
        }
    }
    if (mkdir(tmp, 0700) && errno != EEXIST)
        return XT_EIO;
    return 0;
}

int xt_store_reload(struct xt_store *s, struct xt_error *err)
{
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return xt_error_set(err, XT_EIO, "", "cannot open a read connection");
    struct xt_calendar *cal = NULL;
    struct xt_spatial *sp = NULL;
    struct xt_routing r;
    struct xt_name_entry *names = NULL;
    size_t n_names = 0;
    xt_routing_init(&r);
    int rc = xt_store_load_calendar(s, c, &cal);
    if (!rc)
        rc = xt_store_load_names(s, c, &names, &n_names);
    if (!rc)
        rc = xt_store_load_routing(s, c, &r);
    if (!rc)
        rc = xt_store_load_spatial(s, c, &sp);
    xt_store_reader_put(s, c);
    if (rc) {
        xt_calendar_free(cal);
        xt_spatial_free(sp);
        xt_routing_release(&r);
        xt_names_free(names, n_names);
        return xt_error_set(err, rc, "", "cannot load reference data");
    }
    xt_names_free(s->names, s->n_names);
    s->names = names;
    s->n_names = n_names;
    xt_calendar_free(s->calendar);
    xt_spatial_free(s->spatial);
    xt_routing_release(&s->routing);
    s->calendar = cal;
    s->spatial = sp;
    s->routing = r;
    return 0;
}

int xt_store_backend(struct xt_store *s)
{
    return s->writer->kind;
}

const struct xt_calendar *xt_store_calendar(struct xt_store *s)
{
    return s->calendar;
}

const struct xt_routing *xt_store_routing(struct xt_store *s)
{
    return &s->routing;
}

struct xt_spatial *xt_store_spatial(struct xt_store *s)
{
    return s->spatial;
}

/* DIR/xietong.conf holds "key = value" lines: "database = URL" names the
 * database, "replica = URL" a read replica for reports. Returns 0 when the
 * key was there. */
static int read_config(const char *dir, const char *key, char *out, size_t outsz)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/xietong.conf", dir);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return XT_ENOTFOUND;
    char line[1200];
    size_t klen = strlen(key);
    int rc = XT_ENOTFOUND;
    while (rc && fgets(line, sizeof(line), fp)) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, key, klen) != 0)
            continue;
        p += klen;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '=')
            continue;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = strcspn(p, "\r\n");
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n > 0 && n < outsz) {
            memcpy(out, p, n);
            out[n] = '\0';
            rc = 0;
        }
    }
    fclose(fp);
    return rc;
}

int xt_store_open(const char *dir, struct xt_store **out, struct xt_error *err)
{
    return xt_store_open_db(dir, NULL, out, err);
}

int xt_store_open_db(const char *dir, const char *database_url, struct xt_store **out,
                     struct xt_error *err)
{
    *out = NULL;
    if (xt_crypto_init())
        return xt_error_set(err, XT_EIO, "", "cannot initialise libsodium");
    struct xt_store *s = calloc(1, sizeof(*s));
    if (!s)
        return XT_ENOMEM;
    snprintf(s->dir, sizeof(s->dir), "%s", dir);
    char configured[sizeof(s->path)] = "";
    read_config(dir, "database", configured, sizeof(configured));
    if (database_url && *database_url)
        snprintf(s->path, sizeof(s->path), "%s", database_url);
    else if (*configured)
        snprintf(s->path, sizeof(s->path), "%s", configured);
    else
        snprintf(s->path, sizeof(s->path), "sqlite:%s/xietong.db", dir);
    /* The replica goes with the database of the same file: a --database
     * naming another one (e.g. migrate-data's target) gets none. */
    if ((!database_url || !*database_url || strcmp(database_url, configured) == 0) &&
        read_config(dir, "replica", s->replica, sizeof(s->replica)) == 0 &&
        (xt_db_kind_of_url(s->path) != XT_DB_POSTGRES ||
         xt_db_kind_of_url(s->replica) != XT_DB_POSTGRES)) {
        free(s);
        return xt_error_set(err, XT_EINVAL, "replica",
                            "a read replica (replica = URL in %s/xietong.conf) needs a PostgreSQL"
                            " database and a postgresql:// URL",
                            dir);
    }
    pthread_mutex_init(&s->qlock, NULL);
    pthread_cond_init(&s->qcond, NULL);
    pthread_mutex_init(&s->plock, NULL);
    xt_routing_init(&s->routing);

    char keydir[600], keypath[700];
    snprintf(keydir, sizeof(keydir), "%s/keys", dir);
    snprintf(keypath, sizeof(keypath), "%s/field.key", keydir);
    int rc;
    if (mkdir_p(dir) || mkdir_p(keydir)) {
        rc = xt_error_set(err, XT_EIO, "data", "cannot create data directory '%s'", dir);
        goto fail;
    }
    /* The field key lives beside the database, never inside it, so that a
     * copy of the database file alone reveals no protected field. */
    if (xt_key_load_or_create(keypath, &s->key)) {
        rc = xt_error_set(err, XT_EIO, "data", "cannot read or create key '%s'", keypath);
        goto fail;
    }
    s->sessions = xt_sessions_new();
    if (!s->sessions) {
        rc = XT_ENOMEM;
        goto fail;
    }
    s->writer = conn_open(s->path, false);
    if (!s->writer) {
        rc = xt_error_set(err, XT_EIO, "database", "cannot open database '%.200s'", s->path);
        goto fail;
    }
    if ((rc = migrate(s->writer, err)))
        goto fail;
    if (s->writer->kind == XT_DB_SQLITE && !(s->dupcache = xt_dupcache_new())) {
        rc = xt_error_set(err, XT_ENOMEM, "", "out of memory");
        goto fail;
    }
    if (s->dupcache)
        s->data_version = data_version(s->writer);
    if ((rc = xt_audit_load_head(s, s->writer))) {
        xt_error_set(err, rc, "", "cannot read the audit log");
        goto fail;
    }
    if (pthread_create(&s->writer_thread, NULL, writer_main, s)) {
        rc = xt_error_set(err, XT_EIO, "", "cannot start the writer thread");
        goto fail;
    }
    if ((rc = xt_store_reload(s, err))) {
        xt_store_close(s);
        return rc;
    }
    if (*s->replica)
        xt_log(XT_LOG_INFO, "reports are read from the read replica of xietong.conf");
    *out = s;
    return 0;
fail:
    conn_close(s->writer);
    xt_sessions_free(s->sessions);
    xt_key_wipe(&s->key);
    free(s);
    return rc;
}

void xt_store_close(struct xt_store *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->qlock);
    s->stopping = 1;
    pthread_cond_broadcast(&s->qcond);
    pthread_mutex_unlock(&s->qlock);
    pthread_join(s->writer_thread, NULL);
    conn_close(s->writer);
    pool_close(s->readers);
    pool_close(s->replicas);
    pool_close(s->lookups);
    xt_dupcache_free(s->dupcache);
    xt_calendar_free(s->calendar);
    xt_spatial_free(s->spatial);
    xt_routing_release(&s->routing);
    xt_store_set_classifier(s, NULL, NULL, 0);
    xt_sessions_free(s->sessions);
    xt_names_free(s->names, s->n_names);
    xt_key_wipe(&s->key);
    pthread_mutex_destroy(&s->qlock);
    pthread_cond_destroy(&s->qcond);
    pthread_mutex_destroy(&s->plock);
    free(s);
}
