/* server.h - the HTTP JSON API on libmicrohttpd.
 *
 * The server is thin: it matches the route table, reads the body up to the
 * route's limit, authenticates the bearer token, checks the route's roles,
 * parses JSON, calls the store and core, and encodes the answer. Every
 * handler answers either JSON or {"error": {"code", "field", "message"}}.
 */
#ifndef XT_SERVER_H
#define XT_SERVER_H

#include <json-c/json.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/access.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "store/store.h"

struct xt_server;

struct xt_server_options {
    const char *bind;  /* "127.0.0.1" */
    int port;          /* 0 picks a free port (see xt_server_port) */
    int threads;       /* 0 = 16 per core */
    const char *web_dir; /* static console files, NULL for none */
};

/* Start serving; the store stays the caller's and must outlive the server. */
int xt_server_start(struct xt_store *store, const struct xt_server_options *opt,
                    struct xt_server **out, struct xt_error *err);
int xt_server_port(const struct xt_server *srv);
void xt_server_stop(struct xt_server *srv);

/* ---- in-process requests ----
 *
 * The whole request path without a socket: route matching, body limit,
 * authentication, roles, Idempotency-Key replay and the handler. The MHD
 * callback is built from these three calls, and the fuzz driver
 * (tests/fuzz/fuzz_http.c) calls them directly, so both run the same code.
 *
 *   r = xt_req_begin(srv, ctx, lookup, "POST", "/api/v1/tickets");
 *   xt_req_feed(r, body, n);        (any number of times)
 *   xt_req_run(r);                  (r->status and the answer are set)
 *   body = xt_req_answer(r, &len);  (borrowed from r)
 *   xt_req_free(r);
 */

/* A server for in-process requests only: no socket, no threads. Release
 * it with xt_server_stop. */
int xt_server_local(struct xt_store *store, const char *web_dir, struct xt_server **out);

/* ---- for route handlers ---- */

#define XT_MAX_PARAMS 4

struct xt_route;

/* Where a request's query arguments, headers and cookies come from: the
 * MHD connection when serving, a parsed buffer in tests/fuzz. */
enum xt_kv_kind { XT_KV_QUERY, XT_KV_HEADER, XT_KV_COOKIE };
typedef const char *(*xt_kv_lookup_fn)(void *conn, enum xt_kv_kind kind, const char *name);

struct xt_req {
    struct xt_server *srv;
    struct xt_store *store;
    void *conn; /* struct MHD_Connection, or the in-process caller's context */
    xt_kv_lookup_fn lookup;
    const struct xt_route *route;
    char params[XT_MAX_PARAMS][96];
    int nparams;
    struct xt_buf body;
    bool too_big;
    bool authed;
    struct xt_actor actor;
    int64_t now;
    char request_id[24];
    char allow[64]; /* methods of the matched path, for a 405 */
    struct xt_error err;
    /* the answer */
    int status;
    struct json_object *json; /* owned; NULL with raw set */
    char *raw;                /* owned raw body (e.g. static file) */
    size_t raw_len;
    const char *content_type;
    bool no_replay; /* the answer holds a secret: not stored for Idempotency-Key repeats */
    char disposition[1024]; /* Content-Disposition of a file download, "" for none */
    /* How errors are written, chosen by the URL's prefix (also when no
     * route matched it); NULL for the JSON of /api/v1. */
    const struct xt_error_format *error_format;
};

/* The creator of every request filed without an account, and the actor of
 * its requester once a tracking code has been checked (h_public.c). Never
 * an account: accounts have positive ids, anonymous callers 0. */
#define XT_ACCOUNT_TRACKED (-1)

typedef int (*xt_handler_fn)(struct xt_req *r);

struct xt_route {
    const char *method;
    const char *pattern; /* "/api/v1/tickets/{number}/{action}" */
    xt_handler_fn handler;
    unsigned roles;      /* who may call; 0 = anyone, even unauthenticated */
    size_t body_limit;   /* bytes; 0 = no body accepted */
    const char *audit;   /* audit action for writes, or NULL */
};

extern const struct xt_route xt_routes[];
extern const size_t xt_route_count;

/* Routes whose pattern starts with prefix answer their errors through
 * reply (e.g. Open311's errors/error) instead of the JSON error object. */
struct xt_error_format {
    const char *prefix;
    int (*reply)(struct xt_req *r, int code);
};

extern const struct xt_error_format xt_error_formats[];
extern const size_t xt_error_format_count;
/* The in-process request calls (see above). xt_req_begin returns NULL only
 * when out of memory; method, url and conn are borrowed for the request's
 * life. xt_req_free accepts NULL. */
struct xt_req *xt_req_begin(struct xt_server *srv, void *conn, xt_kv_lookup_fn lookup,
                            const char *method, const char *url);
void xt_req_feed(struct xt_req *r, const char *data, size_t n);
void xt_req_run(struct xt_req *r);
const char *xt_req_answer(struct xt_req *r, size_t *len);
void xt_req_free(struct xt_req *r);

/* Query argument, or NULL when absent or empty. */
const char *xt_req_query(struct xt_req *r, const char *name);
const char *xt_req_header(struct xt_req *r, const char *name);
/* Parse the body as a JSON object into *out (owned by the caller). */
int xt_req_json(struct xt_req *r, struct json_object **out);
/* Answer with obj (consumed) and status. Returns 0. */
int xt_reply(struct xt_req *r, int status, struct json_object *obj);
/* Answer with r->err (or the given code when err is empty). Returns code. */
int xt_reply_error(struct xt_req *r, int code);

/* Typed JSON field access: each names the field in err when it fails.
 * Absent optional fields leave *out untouched and return 0. */
int xt_json_string(struct json_object *o, const char *key, const char *field, bool required,
                   size_t max_bytes, const char **out, struct xt_error *err);
int xt_json_bool(struct json_object *o, const char *key, const char *field, bool required,
                 int *out, struct xt_error *err);
int xt_json_int(struct json_object *o, const char *key, const char *field, bool required,
                long lo, long hi, long *out, struct xt_error *err);
int xt_json_double(struct json_object *o, const char *key, const char *field, bool required,
                   double *out, struct xt_error *err);
int xt_json_object(struct json_object *o, const char *key, const char *field, bool required,
                   struct json_object **out, struct xt_error *err);

/* Name lookup for renderers. */
const char *xt_req_unit_name(void *ctx, const char *code);

/* Handlers (h_*.c). */
int xt_h_health(struct xt_req *r);
int xt_h_login(struct xt_req *r);
int xt_h_logout(struct xt_req *r);
int xt_h_me(struct xt_req *r);
int xt_h_account_create(struct xt_req *r);
int xt_h_ticket_create(struct xt_req *r);
int xt_h_ticket_get(struct xt_req *r);
int xt_h_ticket_list(struct xt_req *r);
int xt_h_ticket_act(struct xt_req *r);
int xt_h_ticket_timeline(struct xt_req *r);
int xt_h_unit_get(struct xt_req *r);
int xt_h_unit_children(struct xt_req *r);
int xt_h_unit_lookup(struct xt_req *r);
int xt_h_categories(struct xt_req *r);
int xt_h_rates(struct xt_req *r);
int xt_h_ranking(struct xt_req *r);
int xt_h_audit_verify(struct xt_req *r);
int xt_h_static(struct xt_req *r);
int xt_h_places(struct xt_req *r);
int xt_h_track_get(struct xt_req *r);
int xt_h_track_callback(struct xt_req *r);
/* h_classify.c: load the classifier's models (named ones must load; the
 * defaults DIR/classify/category.model and type.model when present), the
 * suggestion block of a rendered ticket, and the hot issues. */
int xt_classify_setup(struct xt_store *store, const char *dir, const char *model,
                      const char *type_model, double threshold, struct xt_error *err);
/* Adds the operator's hints to a ticket's JSON: operator_decides, the
 * request type; and, when duplicates is true, suggestion.duplicates (a read
 * of the village's open tickets: made for the create answer and for a GET
 * that asks for it, not for every reply). */
void xt_classify_decorate(struct xt_req *r, struct json_object *o, const struct xt_ticket *t,
                          bool duplicates);
int xt_h_hot_issues(struct xt_req *r);
/* Open311 GeoReport v2 under /open311/v2/ (h_open311.c). */
int xt_h_open311_get(struct xt_req *r);
int xt_h_open311_post(struct xt_req *r);
int xt_open311_errors(struct xt_req *r, int code);
int xt_h_people_list(struct xt_req *r);
int xt_h_people_get(struct xt_req *r);
int xt_h_people_edit(struct xt_req *r);
int xt_h_people_resolve(struct xt_req *r);
int xt_h_people_import(struct xt_req *r);
int xt_h_needs(struct xt_req *r);
int xt_h_facility_list(struct xt_req *r);
int xt_h_facility_get(struct xt_req *r);
int xt_h_facility_create(struct xt_req *r);
int xt_h_facility_update(struct xt_req *r);
int xt_h_facility_delete(struct xt_req *r);
int xt_h_access_travel(struct xt_req *r);
int xt_h_access_coverage(struct xt_req *r);
int xt_h_access_scores(struct xt_req *r);
int xt_h_access_sites(struct xt_req *r);
int xt_h_access_bands(struct xt_req *r);
/* Issue a tracking code for a request just filed without an account and
 * add it to the ticket's JSON as "tracking": {"code"}. */
int xt_track_attach(struct xt_req *r, const char *number, struct json_object *ticket);
/* The ticket list's filter from the query (status, type, unit, category,
 * from, to, overdue, q), shared by the list and its exports; limit and
 * cursor are left at their defaults. */
int xt_ticket_filter_query(struct xt_req *r, struct xt_ticket_filter *f);
/* Exports (h_export.c): the file named by the route's last path segment. */
int xt_h_export(struct xt_req *r);

#endif
