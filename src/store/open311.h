/* open311.h - what Open311 GeoReport v2 needs from the database beyond the
 * ticket functions of store.h: API keys of outside apps, the Open311 record
 * of each request filed through one (token, e-mail, media URL), the search
 * behind GET requests, and placing an address string on a unit.
 *
 * An API key acts for a service account: an operator account with the
 * key's scope that has no usable password and is disabled for logins. The
 * key itself is shown once by xt_store_apikey_add; the store keeps only
 * its SHA-256 (keys are 256-bit random tokens, so a plain hash suffices,
 * as for sessions).
 *
 * Ownership: strings handed in are borrowed for the call; results go to
 * the caller's buffers.
 */
#ifndef XT_STORE_OPEN311_H
#define XT_STORE_OPEN311_H

#include <stdbool.h>
#include <stdint.h>

#include "core/access.h"
#include "core/ticket.h"
#include "lib/crypto.h"
#include "lib/err.h"
#include "store/store.h"

#define XT_APIKEY_NAME_MAX 48
#define XT_O311_TOKEN_LEN 32 /* hex characters */

/* Create a key named name (2..48 of a-z 0-9 _ - .) for scope (an existing
 * unit code) and its service account "apikey.NAME"; key_out gets the key
 * (XT_TOKEN_LEN + 1 bytes), shown only this once. XT_EEXIST when the name
 * is taken (also by a revoked key), XT_EINVAL naming "name" or "scope". */
int xt_store_apikey_add(struct xt_store *s, const char *name, const char *scope, int64_t now,
                        char key_out[XT_TOKEN_LEN + 1], struct xt_error *err);
/* Revoke the key named name: it stops working at once. XT_ENOTFOUND when
 * no live key has that name. */
int xt_store_apikey_revoke(struct xt_store *s, const char *name, int64_t now, struct xt_error *err);

struct xt_apikey_info {
    int64_t id;
    char name[XT_APIKEY_NAME_MAX + 1];
    char scope[XT_CODE_MAX];
    int64_t created_at, revoked_at; /* revoked_at 0 while live */
};

/* Calls fn for every key, live or revoked, by name. */
int xt_store_apikey_list(struct xt_store *s, int (*fn)(void *ctx, const struct xt_apikey_info *k),
                         void *ctx);
/* The actor behind a live key and the key's id; XT_EAUTH when unknown or
 * revoked. */
int xt_store_apikey_check(struct xt_store *s, const char *key, struct xt_actor *actor,
                          int64_t *key_id);

/* What Open311 adds to a request filed through it. */
struct xt_o311_extra {
    int64_t key_id;
    const char *email;                 /* clear; sealed before it is stored; may be NULL */
    const char *device_id;             /* may be NULL */
    const char *media_url;             /* may be NULL */
    char token[XT_O311_TOKEN_LEN + 1]; /* out: the request's token */
};

/* File a request through Open311: xt_store_ticket_create (same checks,
 * routing and deadlines) plus the Open311 record, in one savepoint. */
int xt_store_o311_create(struct xt_store *s, const struct xt_actor *actor, struct xt_ticket *t,
                         const struct xt_contact *contact, struct xt_o311_extra *x, int64_t now,
                         struct xt_error *err);
/* The ticket number of a token; XT_ENOTFOUND when unknown. */
int xt_store_o311_token(struct xt_store *s, const char *token, char number[XT_NUMBER_MAX]);
/* The media URL recorded for a request ("" when none). */
int xt_store_o311_media(struct xt_store *s, const char *number, char *out, size_t outsz);

/* The search behind GET requests; every bound is inclusive below and
 * exclusive above, 0 meaning open. */
struct xt_o311_filter {
    const char *codes; /* ",C01,C05," or NULL for every category */
    bool open, closed; /* which statuses (both false: none) */
    int64_t created_from, created_to;
    int64_t updated_from, updated_to;
    int limit, offset; /* limit 1..1000 */
};

/* Calls fn for each match, newest first, with the ticket (borrowed for
 * the call; only the fields the public view shows are filled: number,
 * state, type, urgent, category, text, address, point, grid, lead,
 * handler, resolve_by, created_at, updated_at, reply, merged_into,
 * suggested_handler) and its media URL ("" when none). fn must not use
 * the store (a read connection is held); it returns non-zero to stop. */
int xt_store_o311_find(struct xt_store *s, const struct xt_o311_filter *f,
                       int (*fn)(void *ctx, const struct xt_ticket *t, const char *media_url),
                       void *ctx, struct xt_error *err);

/* The township, village or grid an address string starts with (the
 * longest unit name that is a prefix of it). XT_ENOTFOUND when none,
 * XT_EEXIST when two different units of that name match. */
int xt_store_o311_place(struct xt_store *s, const char *address, char code[XT_CODE_MAX]);

#endif
