/* store.h - the database: one SQLite file in a data directory.
 *
 * Durability: WAL with synchronous=FULL, so a write is on disk when it is
 * acknowledged. Throughput: every write goes through one writer thread that
 * commits queued writes in groups (group commit), each in its own
 * savepoint, so a failing write rolls back alone and a batch costs one
 * fsync. Reads use a pool of read-only connections and never wait for the
 * writer.
 *
 * The store also keeps what the engine needs in memory and read-only
 * between reloads: the working-day calendar, the routing table and the
 * spatial index of grids. Every SQL statement of the project is in this
 * folder.
 *
 * Ownership: struct xt_store is opaque and owned by whoever opened it;
 * strings handed in are borrowed for the call; tickets handed out are
 * initialised by the store and released by the caller (xt_ticket_release).
 */
#ifndef XT_STORE_H
#define XT_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/access.h"
#include "core/calendar.h"
#include "core/metrics.h"
#include "core/routing.h"
#include "core/spatial.h"
#include "core/ticket.h"
#include "core/unit.h"
#include "lib/err.h"

struct xt_store;

/* Open (creating if needed) the database and dir/keys/field.key, run the
 * migrations, start the writer and load the caches. The database is
 * database_url when given ("sqlite:PATH" or "postgresql://..."), else the
 * "database = URL" line of dir/xietong.conf, else sqlite:dir/xietong.db. */
int xt_store_open_db(const char *dir, const char *database_url, struct xt_store **out,
                     struct xt_error *err);
/* xt_store_open_db(dir, NULL, ...). */
int xt_store_open(const char *dir, struct xt_store **out, struct xt_error *err);
/* The database backend in use (enum xt_db_kind of store/db.h). */
int xt_store_backend(struct xt_store *s);
/* Stop the writer (after draining its queue) and close. Accepts NULL. */
void xt_store_close(struct xt_store *s);
/* Reload calendar, routing and spatial index after reference data changed. */
int xt_store_reload(struct xt_store *s, struct xt_error *err);
int xt_store_schema_version(struct xt_store *s);

/* Read-only caches (valid until the next reload; reloads happen only from
 * the CLI before serving). */
const struct xt_calendar *xt_store_calendar(struct xt_store *s);
const struct xt_routing *xt_store_routing(struct xt_store *s);
struct xt_spatial *xt_store_spatial(struct xt_store *s);

/* ---- reference data (import.c) ---- */

struct xt_import_stats {
    long rows, inserted, updated, skipped;
};

/* Divisions CSV (code,name,parent_code,level). Only codes starting with
 * prefix are taken ("" = all). All or nothing: a bad row fails the import
 * with err naming the line and field, and nothing is written. */
int xt_store_import_divisions(struct xt_store *s, const char *path, const char *prefix,
                              struct xt_import_stats *st, struct xt_error *err);
/* 2020 census county table (see data/README.md). */
int xt_store_import_census(struct xt_store *s, const char *path, const char *prefix,
                           struct xt_import_stats *st, struct xt_error *err);
/* Calendar CSV (date,kind,name). */
int xt_store_import_calendar(struct xt_store *s, const char *path, struct xt_import_stats *st,
                             struct xt_error *err);
/* Categories and routing CSV (code,name,parent,route,sign_minutes,resolve_days). */
int xt_store_import_categories(struct xt_store *s, const char *path, struct xt_import_stats *st,
                               struct xt_error *err);
/* County departments CSV (key,name): one department of each key is created
 * in every county under prefix. */
int xt_store_import_departments(struct xt_store *s, const char *path, const char *prefix,
                                struct xt_import_stats *st, struct xt_error *err);
/* GeoJSON FeatureCollection of unit polygons/points keyed by properties.code;
 * unknown codes are counted as skipped and listed in err->message (with
 * XT_OK), as are features without a code or a geometry. */
int xt_store_import_geojson(struct xt_store *s, const char *path, struct xt_import_stats *st,
                            struct xt_error *err);

struct xt_census {
    char code[XT_CODE_MAX];
    char name[XT_NAME_MAX];
    int64_t population, male, female, urban, rural, households;
    double minority_pct, household_size, age0_14, age15_64, age65;
};

/* The 2020 census row of a county (or prefecture/province) code. */
int xt_store_census(struct xt_store *s, const char *code, struct xt_census *out);

/* Turn fsync-on-commit off (bulk) or back on. Only for loading generated
 * demo data, where a crash just means loading again; never while serving. */
int xt_store_set_bulk(struct xt_store *s, bool bulk);

/* Insert or replace units (used by the demo grid generator). polygons[i]
 * may be NULL. */
int xt_store_put_units(struct xt_store *s, const struct xt_unit *units, char *const *polygons,
                       size_t n, struct xt_error *err);

/* ---- units (units.c) ---- */

int xt_store_unit_get(struct xt_store *s, const char *code, struct xt_unit *u);
/* Calls fn for each child of code in code order; fn returns non-zero to stop. */
int xt_store_unit_children(struct xt_store *s, const char *code,
                           int (*fn)(void *ctx, const struct xt_unit *u), void *ctx);
/* Units of a level within a subtree. */
int xt_store_units_at_level(struct xt_store *s, const char *within, int level,
                            int (*fn)(void *ctx, const struct xt_unit *u), void *ctx);
/* The stored polygon (GeoJSON geometry text, malloc'd) of a unit, or NULL. */
int xt_store_unit_polygon(struct xt_store *s, const char *code, char **geojson);
/* The name of a unit from the in-memory cache (valid until the next
 * reload), or NULL. */
const char *xt_store_unit_name(struct xt_store *s, const char *code);
/* Counts per level, for status output. */
int xt_store_unit_counts(struct xt_store *s, long counts[8]);

/* ---- accounts and sessions (accounts.c) ---- */

#define XT_SESSION_IDLE (30 * 60)
#define XT_SESSION_MAX (12 * 3600)

int xt_store_account_create(struct xt_store *s, const char *username, const char *password,
                            int role, const char *scope, const char *display_name,
                            struct xt_error *err);
/* Check the password and open a session; token_out gets the bearer token
 * (XT_TOKEN_LEN + 1). Throttled after repeated failures. */
int xt_store_login(struct xt_store *s, const char *username, const char *password, int64_t now,
                   char *token_out, struct xt_actor *actor, struct xt_error *err);
/* The actor behind a bearer token; XT_EAUTH when unknown or expired. */
int xt_store_session(struct xt_store *s, const char *token, int64_t now, struct xt_actor *actor);
/* End the session of token, audited as actor's "session.logout". */
int xt_store_logout(struct xt_store *s, const struct xt_actor *actor, const char *token,
                    int64_t now);

/* ---- tickets (tickets.c) ---- */

/* Contact details of a requester, in clear (only in memory). */
struct xt_contact {
    char name[128];
    char phone[40];
};

/* A new ticket: the caller fills text, type, urgent, channel, category
 * (may be "" to use the suggestion), location (point and/or grid/unit).
 * The store resolves the point to its grid, routes the category to a
 * handler suggestion, numbers the ticket and writes it with its first
 * event, durably. On success t holds the stored ticket. */
int xt_store_ticket_create(struct xt_store *s, const struct xt_actor *actor, struct xt_ticket *t,
                           const struct xt_contact *contact, const char *on_spot_reply,
                           const char *idem_key, int64_t now, struct xt_error *err);

/* Load by number; XT_ENOTFOUND when absent or invisible to the actor.
 * contact may be NULL; when given it is filled masked, or in clear when
 * reveal is true and the role may unmask (the read is then audited). */
int xt_store_ticket_get(struct xt_store *s, const struct xt_actor *actor, const char *number,
                        struct xt_ticket *t, struct xt_contact *contact, bool reveal,
                        int64_t now, struct xt_error *err);

/* Apply an action (in the writer, atomically with its event, assignment
 * and audit rows). `into` is the merge target's number. On success t holds
 * the updated ticket. */
int xt_store_ticket_act(struct xt_store *s, const struct xt_actor *actor, const char *number,
                        int action, struct xt_action_input *in, const char *into,
                        const char *idem_key, int64_t now, struct xt_ticket *t,
                        struct xt_error *err);

struct xt_ticket_filter {
    int state;            /* -1 any */
    const char *unit;     /* subtree of grid, lead or handler; NULL any */
    const char *category; /* NULL any */
    int type;             /* -1 any */
    int64_t from, to;     /* created_at range; 0 open */
    bool overdue;         /* only open tickets past a deadline */
    const char *q;        /* text contains; NULL any */
    int64_t cursor;       /* list ids below this; 0 from the newest */
    int limit;            /* 1..500 */
};

void xt_ticket_filter_init(struct xt_ticket_filter *f);
/* Calls fn for each visible ticket, newest first. next_cursor gets the
 * cursor of the following page (0 at the end). */
int xt_store_ticket_list(struct xt_store *s, const struct xt_actor *actor,
                         const struct xt_ticket_filter *f, int64_t now,
                         int (*fn)(void *ctx, const struct xt_ticket *t), void *ctx,
                         int64_t *next_cursor, struct xt_error *err);

struct xt_timeline_entry {
    int64_t at;
    int action, from_state, to_state;
    char actor[64];
    int actor_role;
    char unit[XT_CODE_MAX];
    const char *note;
};

int xt_store_ticket_timeline(struct xt_store *s, const struct xt_actor *actor, const char *number,
                             int (*fn)(void *ctx, const struct xt_timeline_entry *e), void *ctx,
                             struct xt_error *err);

/* Escalate every open overdue ticket (system actor); count gets how many. */
int xt_store_escalate_overdue(struct xt_store *s, int64_t now, int *count);

/* Stored idempotent answer for (key, account): 1 with status and body
 * (malloc'd) when found, 0 when not. */
int xt_store_idem_get(struct xt_store *s, const char *key, int64_t account, int *status,
                      char **body);
int xt_store_idem_put(struct xt_store *s, const char *key, int64_t account, int status,
                      const char *body, int64_t now);

/* ---- tracking codes (track.c) ---- */

/* A request filed without an account gets a tracking code: XT_TRACK_CODE_LEN
 * decimal digits, shown once; the store keeps only a keyed hash. */
#define XT_TRACK_CODE_LEN 10

/* Make a new code for ticket number (replacing any earlier one) and write
 * it, NUL-terminated, to code_out. */
int xt_store_track_issue(struct xt_store *s, const char *number, int64_t now,
                         char code_out[XT_TRACK_CODE_LEN + 1], struct xt_error *err);
/* 0 when code is the number's code (constant-time comparison). An unknown
 * number and a wrong code both give XT_ENOTFOUND; five wrong codes in a row
 * lock the number for 15 minutes (XT_EBUSY); a malformed code XT_EINVAL. */
int xt_store_track_check(struct xt_store *s, const char *number, const char *code, int64_t now,
                         struct xt_error *err);

/* ---- metrics (metrics.c) ---- */

/* Rates of one unit (its assignments, or for a county or above the sum of
 * its subtree's) for a month (yyyymm). */
int xt_store_rates(struct xt_store *s, const char *unit, int month, struct xt_rates *out,
                   struct xt_error *err);
/* Ranking of townships or departments (level) within a subtree for a
 * month. *out is malloc'd (caller frees), ranks too. */
int xt_store_ranking(struct xt_store *s, const char *within, int level, int month,
                     struct xt_rates **out, int **ranks, size_t *n, struct xt_error *err);

/* ---- exports (export.c) ---- */

#define XT_EXPORT_GEOJSON 3 /* besides enum xt_sheet_format's csv (1) and xlsx (2) */
#define XT_EXPORT_MAX_ROWS 100000

/* What to export. what: "units" (geojson: the units of level within root,
 * default the actor's scope and the level below it), "tickets" (geojson,
 * csv, xlsx: every ticket the actor may see that matches filter; limit and
 * cursor are ignored), "ranking" (csv, xlsx: townships or departments,
 * level, within unit for month), "rates" (csv, xlsx: unit's rates for the
 * months months ending with month). lang is enum xt_export_lang. */
struct xt_export_req {
    const char *what;
    int format; /* XT_EXPORT_GEOJSON, XT_SHEET_CSV or XT_SHEET_XLSX */
    int lang;
    const char *root; /* units */
    int level;        /* units: enum xt_unit_level, 0 = below root; ranking: township/department */
    struct xt_ticket_filter filter; /* tickets */
    bool reveal; /* tickets: contacts in clear (operator, command; audited) */
    const char *unit; /* ranking, rates; NULL = the actor's scope */
    int month;        /* yyyymm */
    int months;       /* rates: 1..36, 0 = 1 */
};

/* The file: data malloc'd (release with xt_export_out_release). filename
 * is UTF-8 and names the content in lang (工单-622921-2026-11-26.xlsx),
 * filename_ascii the same in English for clients without RFC 5987. */
struct xt_export_out {
    char *data;
    size_t len;
    const char *content_type; /* static */
    char filename[160];
    char filename_ascii[160];
    long rows;
};

void xt_export_req_init(struct xt_export_req *rq);
void xt_export_out_release(struct xt_export_out *out);
/* Build the file for actor (its scope bounds every export; XT_EPERM naming
 * the field when root/unit lies outside it). An unmasked ticket export
 * writes, before returning, one audit row "ticket.reveal_contact" per ticket
 * whose contact it holds (as an unmasked read does), in one commit. Returns 0
 * or a negative code with err naming the field; on failure out is empty.
 * More than XT_EXPORT_MAX_ROWS rows fail with XT_ETOOBIG. */
int xt_store_export(struct xt_store *s, const struct xt_actor *actor,
                    const struct xt_export_req *rq, int64_t now, struct xt_export_out *out,
                    struct xt_error *err);

/* ---- audit (audit.c) ---- */

/* Append one audit row outside a ticket write (e.g. a login, an unmasked
 * read): durable when it returns. */
int xt_store_audit(struct xt_store *s, const struct xt_actor *actor, const char *action,
                   const char *object, const char *detail, int64_t now);
/* Recompute the hash chain; returns 0 when intact, XT_EINVAL with the first
 * bad row id in *bad_id otherwise. */
int xt_store_audit_verify(struct xt_store *s, int64_t *bad_id, long *rows);

/* ---- copying a database to another backend (copy.c) ---- */

#define XT_COPY_TABLES_MAX 32

/* One table of a copy or a comparison: its rows and the SHA-256 (hex) of
 * its canonical rows in key order (see copy.c), on each side. */
struct xt_copy_table {
    const char *name; /* static */
    long rows_from, rows_to;
    char sum_from[65], sum_to[65];
    bool ok; /* counts and checksums equal */
};

struct xt_copy_report {
    struct xt_copy_table tables[XT_COPY_TABLES_MAX];
    int n;              /* tables in copy (foreign-key) order */
    int schema_version; /* of both databases */
    bool key_checked;   /* a sealed contact of the source opened with the key */
    bool all_ok;        /* every count and checksum matched */
    bool source_changed; /* rows were written to the source during the copy */
    double seconds;
};

/* Copy every table of the database at from_url into the database at
 * to_url ("sqlite:PATH" or "postgresql://..."), whose tables must be empty.
 * dir is a data directory holding keys/field.key, the key that sealed the
 * source's contacts (checked on one of them; the copy itself moves sealed
 * values as they are): the target is opened once as a store on dir to run
 * its migrations, and must end at the source's schema version. Then, in
 * one transaction on the target, every table is copied, read back and
 * compared by row count and checksum; the transaction commits only when
 * all match. progress (may be NULL) is called after each table is copied.
 * rep (caller's storage) is filled as far as the copy got, also on
 * failure. Returns 0; XT_EINVAL (bad arguments, wrong key), XT_ENOTFOUND
 * (no key), XT_ESTATE (schema versions or tables differ), XT_EEXIST (a
 * target table is not empty), XT_EIO (a database failed, or a table
 * differs after the copy: nothing is written), with err saying which.
 * The strings are borrowed for the call. */
int xt_store_copy(const char *from_url, const char *to_url, const char *dir,
                  void (*progress)(void *ctx, const struct xt_copy_table *t), void *ctx,
                  struct xt_copy_report *rep, struct xt_error *err);

/* Compare two databases table by table (counts and checksums) without
 * writing. Returns 0 when the comparison ran (rep->all_ok tells whether
 * they are equal), a negative code as above when it could not. */
int xt_store_compare(const char *from_url, const char *to_url, struct xt_copy_report *rep,
                     struct xt_error *err);

/* ---- classifier, duplicates and hot issues (classify.c) ---- */

struct xt_classifier;

/* Give the store the request classifier used at intake: category model
 * (labels mapped to category codes) and request-type model, either may be
 * NULL. The store takes ownership and frees them at close. Suggestions
 * with a confidence below threshold are marked for the operator to decide.
 * Call before serving (not thread-safe against intake). */
void xt_store_set_classifier(struct xt_store *s, struct xt_classifier *category,
                             struct xt_classifier *type, double threshold);
const struct xt_classifier *xt_store_category_model(struct xt_store *s);
const struct xt_classifier *xt_store_type_model(struct xt_store *s);
double xt_store_suggest_threshold(struct xt_store *s);

/* Calls fn(ctx, text, chosen category code) for every stored operator
 * override (a dispatch to another category or unit than suggested). */
int xt_store_classify_overrides(struct xt_store *s,
                                int (*fn)(void *ctx, const char *text, const char *category),
                                void *ctx, struct xt_error *err);

/* A possible duplicate of a ticket: an open ticket of the same village
 * created in the last XT_DUP_DAYS days whose text is similar; only the
 * village's XT_DUP_SCAN most recent open tickets are compared, so that a
 * ticket's answer costs the same however busy its village has been. */
#define XT_DUP_DAYS 30
#define XT_DUP_MAX 5
#define XT_DUP_SCAN 100
#define XT_DUP_CHARS 400 /* code points of a text compared */
struct xt_duplicate {
    char number[32];
    char *text;         /* owned: xt_duplicates_release */
    double similarity;  /* Jaccard of the 3-gram shingles */
    double distance_m;  /* -1 when either has no point */
    bool same_grid;
    int state;
};

/* Up to XT_DUP_MAX candidates for t (most similar first) that the actor
 * may read: similarity at least XT_DUP_MIN_SIMILARITY and, when both have
 * points, within XT_DUP_MAX_METRES. */
#define XT_DUP_MIN_SIMILARITY 0.35
#define XT_DUP_MAX_METRES 2000.0
int xt_store_ticket_duplicates(struct xt_store *s, const struct xt_actor *actor,
                               const struct xt_ticket *t, struct xt_duplicate *out, int *n,
                               struct xt_error *err);
void xt_duplicates_release(struct xt_duplicate *d, int n);

/* A ticket of a hot-issue period. text and number are owned by the array
 * (xt_store_hot_items_free). */
struct xt_hot_ticket {
    char number[32];
    char grid[XT_CODE_MAX];
    char *text;
    long support; /* tickets merged into it */
    bool previous;
};
/* The tickets created in month (yyyymm) and the month before in unit's
 * subtree ("" for all). */
int xt_store_hot_tickets(struct xt_store *s, const char *unit, int month,
                         struct xt_hot_ticket **out, size_t *n, struct xt_error *err);
void xt_store_hot_tickets_free(struct xt_hot_ticket *t, size_t n);

#endif
