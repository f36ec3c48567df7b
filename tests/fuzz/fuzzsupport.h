/* fuzzsupport.h - what the libFuzzer drivers of tests/fuzz share: one
 * prepared data directory with the demo region, a store on it, an
 * in-process server (xt_server_local) and a logged-in token per role, and
 * a way to run one HTTP request through the real request path without a
 * socket.
 *
 * The world is made once per process (LLVMFuzzerInitialize or the replay
 * driver) and removed at exit. Its store runs in bulk mode (no fsync), so
 * that the fuzzer spends its time in our code and not in the disk.
 *
 * Ownership: every pointer handed in is borrowed for the call; answers are
 * checked here and not handed out.
 */
#ifndef XT_FUZZSUPPORT_H
#define XT_FUZZSUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* The two entry points of every driver (libFuzzer's names). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Make the world (idempotent). Aborts, with a line on stderr, when the
 * demo data cannot be loaded: a fuzzer without its world finds nothing. */
void fuzz_world_init(void);
struct xt_store *fuzz_store(void);
/* The world's data directory (for scratch files). */
const char *fuzz_dir(void);
/* The bearer token of the account with that role name ("operator",
 * "township2" for the out-of-scope township), or NULL. */
const char *fuzz_token(const char *who);
/* The key of an Open311 client (scope: the prefecture) made at start;
 * "@apikey" in path, query and headers of fuzz_request stands for it. */
const char *fuzz_apikey(void);
/* The actor behind the logged-in account with that role name (see
 * fuzz_token), for drivers that call the store directly; 0 or an XT_E
 * code. */
int fuzz_actor(const char *who, struct xt_actor *actor);
/* A ticket created at start (grid of the first township, dispatched to it
 * by the operator) that requests may act on. */
const char *fuzz_ticket_number(void);

/* Run one request. query is the part after '?' ("a=1&b=%20x", may be NULL
 * or ""); headers is "Name: value\n..." (may be NULL); body may be NULL.
 * In header values, "@role" (e.g. "Bearer @operator") is replaced by that
 * role's token, "@apikey" by fuzz_apikey() and in path and query "@ticket"
 * by fuzz_ticket_number().
 * Checks the answer's invariants (a status in 200..599, a JSON body
 * unless the route serves a file, an error object on 4xx/5xx) and aborts
 * when one fails. Returns the status. */
int fuzz_request(const char *method, const char *path, const char *query, const char *headers,
                 const uint8_t *body, size_t body_len);

/* Write data to a scratch file in the world's directory and return its
 * path (valid until the next call). */
const char *fuzz_scratch_file(const uint8_t *data, size_t n, const char *ext);

#endif
