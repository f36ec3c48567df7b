/* store_int.h - internals shared by the store's files; not for other layers. */
#ifndef XT_STORE_INT_H
#define XT_STORE_INT_H

#include <pthread.h>
#include <semaphore.h>
#include <sqlite3.h>

#include "lib/buf.h"
#include "lib/crypto.h"
#include "lib/xtime.h"

#include <stdio.h>
#include "store/db.h"
#include "store/store.h"

#define XT_STMT_CACHE 128

/* One database connection and its prepared statements, keyed by the
 * address of their (static) SQLite text. */
struct xt_conn {
    int kind; /* enum xt_db_kind */
    sqlite3 *lite;
    struct xt_pg_conn *pg;
    const char *sql[XT_STMT_CACHE];
    struct xt_stmt *stmt[XT_STMT_CACHE];
    struct xt_conn *next; /* free list of the read pool */
    bool replica;         /* a connection to the read replica (its own pool) */
};

/* A unit of work run by the writer thread inside a transaction. fn returns
 * 0 to keep its changes or a negative code to roll them back. */
struct xt_job {
    int (*fn)(struct xt_store *s, struct xt_conn *c, void *arg);
    void *arg;
    int rc;
    /* A waited-for job is posted when done: each waiter wakes alone, not
     * every waiting request thread at each commit. */
    sem_t done;
    /* A detached job is not waited for: the writer frees arg with
     * free_arg, and the job itself, once committed. */
    void (*free_arg)(void *arg);
    int detached;
    /* fn may run again after a rolled-back attempt: it keeps nothing of a
     * run but what it writes to the database and to arg's outputs. The
     * writer pipelines batches of such jobs on PostgreSQL. */
    int replayable;
    /* Called by the writer, when not NULL, once the job's batch is
     * committed and before its waiter wakes (xt_store_write_then). */
    void (*committed)(struct xt_store *s, void *arg);
    struct xt_job *next;
};

struct xt_session_cache;

struct xt_store {
    char dir[512];
    char path[1024]; /* database URL: sqlite:PATH or postgresql://... */
    struct xt_key key;

    struct xt_conn *writer;
    pthread_t writer_thread;
    pthread_mutex_t qlock;
    pthread_cond_t qcond;   /* jobs queued, or stop */
    struct xt_job *qhead, *qtail;
    int stopping;
    long commits, jobs_done;
    long replays; /* pipelined batches run again job by job */

    pthread_mutex_t plock;
    struct xt_conn *readers;
    /* Read connections for the lookups made on every request (intake's
     * duplicate scan), which keep PostgreSQL's cached plans: the readers
     * above re-plan each execution for report queries' sake. */
    struct xt_conn *lookups;
    struct xt_dupcache *dupcache; /* SQLite only, else NULL */
    int64_t data_version;         /* the writer's PRAGMA data_version (SQLite) */
    /* The read replica (a PostgreSQL hot standby) for reports: "replica =
     * URL" in xietong.conf, "" when none. Its connections are pooled apart
     * (under plock); after a failure it is left alone until retry_at. */
    char replica[1024];
    struct xt_conn *replicas;
    int64_t replica_retry_at;

    /* Audit hash chain head, touched only by the writer thread. */
    char audit_prev[65];
    /* Writer thread only. Today's ticket counter as this batch holds it
     * (read once per batch, under the batch's lock), and on PostgreSQL a
     * pool of ticket ids drawn from the identity sequence, so that creating
     * a ticket waits for no answer from the database. */
    bool ctr_valid;
    char ctr_day[11];
    long ctr_seq;
    /* In a pipelined batch the counter is written once, before the commit
     * (xt_store_counter_flush), not with each ticket. */
    bool ctr_deferred, ctr_dirty;
    int64_t id_pool[64];
    int id_next, id_count;

    struct xt_calendar *calendar;
    struct xt_routing routing;
    struct xt_spatial *spatial;

    struct xt_session_cache *sessions;

    /* The intake classifier (classify.c), NULL when none is loaded. */
    struct xt_classifier *cat_model, *type_model;
    double suggest_threshold;

    /* Unit code → name, sorted by code, for rendering without a query. */
    struct xt_name_entry *names;
    size_t n_names;
};

struct xt_name_entry {
    char code[XT_CODE_MAX];
    char *name;
    int level;
};
/* The signatures of each village's recent open tickets, in memory, for
 * the duplicate check at intake on SQLite (dupcache.c). A village is
 * loaded once (by tickets_grid); after that the cache learns of new
 * tickets from this server's writer as it commits them, and, when someone
 * else may have written (another server or the CLI on the same file, seen
 * by the writer; or the writer has not looked for 10 ms), by reading the
 * tickets stored since the last one it knows, in the table's order. Ids
 * grow in commit order on SQLite (one writer at a time), so "newer than
 * the last id known" misses none; on PostgreSQL servers draw ids ahead
 * and commit out of order, so it is not used there. A village holds its
 * XT_DUP_SCAN most recent tickets seen open; one closed since is dropped
 * when its row is read. */
struct xt_dupcache;
struct xt_dupcache_hit {
    int64_t id;
    int agree; /* signature bins agreeing; -1 for a ticket without a signature */
};
struct xt_dupcache *xt_dupcache_new(void);
void xt_dupcache_free(struct xt_dupcache *d);
/* The writer, in a batch's transaction: whether another connection (a
 * second server, the CLI) committed since its last batch. From then on
 * for a while, and when the writer has not looked lately, a check reads
 * the tickets stored since the last look from the database; otherwise
 * the tickets this server stores are all there is to add, and the writer
 * adds them (xt_dupcache_stored) before answering. */
void xt_dupcache_batch(struct xt_dupcache *d, bool foreign);
/* A ticket this server's writer committed: its id, village (first 12
 * digits of its unit), creation time, whether open, and signature ("" or
 * NULL: none). Taken only when it is the next id after the last one seen;
 * otherwise the next check reads the database. */
void xt_dupcache_stored(struct xt_dupcache *d, int64_t id, const char *grid, int64_t created_at,
                        bool open, const char *sig);
/* The village's cached tickets created at or after since whose signature
 * agrees with sig in at least min_agree bins (and those without one),
 * newest first, into out (room for XT_DUP_SCAN); never the ticket self
 * (its own id: it agrees with itself in every bin). */
int xt_dupcache_candidates(struct xt_dupcache *d, struct xt_conn *c, const char *village,
                           int64_t since, int64_t self, const char *sig, int min_agree,
                           struct xt_dupcache_hit *out, int *n);

/* A ticket's co-handlers from their stored form "unit:report_by:reported_at;...". */
void xt_store_parse_cohandlers(struct xt_ticket *t, const char *s);
/* The level of a unit known when the store opened, else XT_LEVEL_NONE. */
int xt_store_known_level(struct xt_store *s, const char *code);

int xt_store_load_names(struct xt_store *s, struct xt_conn *c, struct xt_name_entry **out, size_t *n);
void xt_names_free(struct xt_name_entry *names, size_t n);

/* Write the day's ticket counter held back in a pipelined batch, if any. */
int xt_store_counter_flush(struct xt_store *s, struct xt_conn *c);

struct xt_conn *xt_store_reader(struct xt_store *s);
void xt_store_reader_put(struct xt_store *s, struct xt_conn *c);
/* A read connection for a hot, fixed-shape lookup (see lookups); give it
 * back with xt_store_lookup_put. */
struct xt_conn *xt_store_lookup_reader(struct xt_store *s);
void xt_store_lookup_put(struct xt_store *s, struct xt_conn *c);

/* A read connection for reports (rates, rankings), which may lag the
 * primary by the replication delay: to the read replica when one is
 * configured and reachable, else the primary's. NULL when neither can be
 * had. Give it back with xt_store_report_put (which takes either kind);
 * failed: the connection returned an error, so it is closed rather than
 * pooled (and a failed replica is left alone for a while). */
struct xt_conn *xt_store_report_reader(struct xt_store *s);
void xt_store_report_put(struct xt_store *s, struct xt_conn *c, bool failed);

/* Queue fn for the writer without waiting; arg is consumed (freed with
 * free_arg after the commit). For writes whose loss in a crash does no
 * harm, such as a cached idempotent answer. */
int xt_store_write_detached(struct xt_store *s,
                            int (*fn)(struct xt_store *s, struct xt_conn *c, void *arg), void *arg,
                            void (*free_arg)(void *arg));

/* Run fn in the writer thread and wait until its batch is committed. */
int xt_store_write(struct xt_store *s, int (*fn)(struct xt_store *s, struct xt_conn *c, void *arg),
                   void *arg);
/* The same for a replayable fn (see struct xt_job). */
int xt_store_write_replayable(struct xt_store *s,
                              int (*fn)(struct xt_store *s, struct xt_conn *c, void *arg),
                              void *arg);
/* xt_store_write_replayable, and committed(s, arg) in the writer once the
 * batch is committed, if fn succeeded. */
int xt_store_write_then(struct xt_store *s,
                        int (*fn)(struct xt_store *s, struct xt_conn *c, void *arg), void *arg,
                        void (*committed)(struct xt_store *s, void *arg));

/* Append an audit row in the current write transaction (writer only). */
int xt_audit_append(struct xt_store *s, struct xt_conn *c, const struct xt_actor *actor,
                    const char *action, const char *object, const char *detail, int64_t now);
int xt_audit_load_head(struct xt_store *s, struct xt_conn *c);

/* xt_store_ticket_create with one more write in the ticket's savepoint:
 * extra (may be NULL) runs in the writer after the ticket, its event and
 * its audit row are written (t holds the new number); a non-zero return
 * rolls the whole creation back. A replayed Idempotency-Key skips it. */
typedef int (*xt_ticket_extra_fn)(struct xt_store *s, struct xt_conn *c, const struct xt_ticket *t,
                                  void *arg);
int xt_store_ticket_create_ex(struct xt_store *s, const struct xt_actor *actor,
                              struct xt_ticket *t, const struct xt_contact *contact,
                              const char *on_spot_reply, const char *idem_key, int64_t now,
                              xt_ticket_extra_fn extra, void *extra_arg, struct xt_error *err);

int xt_sqlite_err(struct xt_error *err, struct xt_conn *c, const char *what);

/* Loaders used by reload. */
int xt_store_load_calendar(struct xt_store *s, struct xt_conn *c, struct xt_calendar **out);
int xt_store_load_routing(struct xt_store *s, struct xt_conn *c, struct xt_routing *out);
int xt_store_load_spatial(struct xt_store *s, struct xt_conn *c, struct xt_spatial **out);

struct xt_session_cache *xt_sessions_new(void);
void xt_sessions_free(struct xt_session_cache *sc);

/* classify.c: the classifier's category suggestion for t at intake
 * (category "" when no model or no mapped code); and the override record
 * of a dispatch that differs from the suggestion (writer only). */
void xt_store_suggest(struct xt_store *s, const struct xt_ticket *t, char *category,
                      size_t catsz, double *confidence);
int xt_store_record_override(struct xt_conn *c, const struct xt_ticket *t,
                             const struct xt_actor *actor, int64_t now);

#endif
