/* apiclient.h - what the black-box API tests share: a prepared data
 * directory, a real `xietong serve` child process on 127.0.0.1, and a tiny
 * HTTP/1.1 client that speaks to it with one request per connection.
 *
 * Nothing here links the server's code: the data directory is prepared by
 * running the real CLI (XT_BINARY) from the source tree (XT_SOURCE_DIR), and
 * the server is only reached through its socket, the way a client would.
 *
 * Errors: functions returning int give 0 on success and -1 on failure,
 * after printing one line saying why to stderr. No function here calls a
 * cmocka assertion, so each helper can be used in setup and teardown too.
 *
 * Ownership: a struct api_resp owns its body and parsed JSON until
 * api_resp_release; JSON obtained through the api_json_* getters is borrowed
 * from the object it was read from.
 */
#ifndef XT_APICLIENT_H
#define XT_APICLIENT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- the demo region's units the tests use ---- */

#define API_PREFECTURE "6229"
#define API_COUNTY "622921"         /* 临夏县 */
#define API_TOWN "622921100"        /* 韩集镇 */
#define API_TOWN2 "622921101"       /* 土桥镇: the out-of-scope township */
#define API_VILLAGE "622921100001"  /* 韩集居委会 */
#define API_GRID "622921100001001"  /* its first grid */
#define API_GRID2 "622921101001001" /* a grid of the second township */
#define API_HOUSING "622921D01"     /* 临夏县住房和城乡建设局, where C01 routes */

/* ---- accounts: one per role, created by api_data_prepare ---- */

enum api_account {
    API_ADMIN,
    API_AUDITOR,
    API_OPERATOR,   /* scope 6229 */
    API_COMMAND,    /* scope 6229 */
    API_DEPARTMENT, /* scope 622921D01 */
    API_TOWNSHIP,   /* scope 622921100 */
    API_TOWNSHIP2,  /* scope 622921101 */
    API_VILLAGE_AC, /* scope 622921100001 */
    API_GRID_AC,    /* scope 622921100001001 */
    API_RESIDENT,   /* unscoped */
    API_ACCOUNT_COUNT
};

struct api_account_def {
    const char *username;
    const char *password;
    const char *role;
    const char *scope; /* NULL for none */
};

extern const struct api_account_def api_accounts[API_ACCOUNT_COUNT];

/* ---- data directory ---- */

/* Create a fresh directory under /tmp (mkdtemp) into dir (at least 64
 * bytes) and load it with the real CLI: divisions, census, calendar,
 * categories, departments, demo grids and every account of api_accounts. */
int api_data_prepare(char *dir, size_t dirsz);
/* Remove the directory and everything in it. Accepts "" (does nothing). */
void api_data_remove(const char *dir);
/* Run the xietong CLI with argv (argv[0] is ignored, NULL-terminated) from
 * the source tree, its stdout discarded. Returns its exit status, or -1
 * when it could not run or died of a signal. */
int api_cli(char *const argv[]);
/* The Content-Type of request bodies (default application/json). */
extern const char *api_content_type;

/* ---- the server child ---- */

struct api_server {
    pid_t pid; /* 0 when not running */
    int port;
    int out_fd; /* read end of the child's stdout */
    char dir[256];
};

/* Start `xietong serve --data dir --port 0` and wait (up to 60 s) for its
 * first stdout line, which names the port. */
int api_server_start(struct api_server *srv, const char *dir);
/* SIGTERM and wait (up to 30 s, then SIGKILL). Returns the exit status
 * (0 for a clean stop), 128 + signal when it died of a signal, or -1 when
 * there was no server. */
int api_server_stop(struct api_server *srv);
/* SIGKILL and reap: the crash of a durability test. */
void api_server_kill9(struct api_server *srv);

/* ---- HTTP ---- */

struct api_resp {
    int status; /* HTTP status, 0 when no answer */
    char *body; /* NUL-terminated, owned */
    size_t body_len;
    char content_type[96];
    char allow[96];           /* the Allow header, "" when absent */
    char disposition[256];    /* the Content-Disposition header, "" when absent */
    struct json_object *json; /* the body parsed, or NULL; owned */
};

/* One request on a new connection (Connection: close). token and idem_key
 * may be NULL; body may be NULL (then no body is sent; POST and DELETE send
 * Content-Length: 0). On success *out holds the answer; release it with
 * api_resp_release. A 4xx or 5xx answer is a success here. */
int api_request(const struct api_server *srv, const char *method, const char *path,
                const char *token, const char *idem_key, const char *body, size_t body_len,
                struct api_resp *out);
/* The same with a NUL-terminated body (or NULL) and a printf-style path. */
int api_call(const struct api_server *srv, const char *method, const char *token,
             const char *idem_key, const char *body, struct api_resp *out, const char *path_fmt,
             ...) __attribute__((format(printf, 7, 8)));
void api_resp_release(struct api_resp *r);
/* Make a request and expect status: the parsed JSON answer (owned by the
 * caller, json_object_put) when the status matches and the body is JSON;
 * NULL otherwise, after printing what came instead. */
struct json_object *api_expect(const struct api_server *srv, int status, const char *method,
                               const char *token, const char *idem_key, const char *body,
                               const char *path_fmt, ...) __attribute__((format(printf, 7, 8)));

/* The error object's "field" and "code" of an error answer, or NULL. */
const char *api_error_field(const struct api_resp *r);
const char *api_error_code(const struct api_resp *r);

/* ---- sessions and tickets ---- */

/* Log in and copy the bearer token into token (at least 128 bytes). */
int api_login(const struct api_server *srv, const char *username, const char *password, char *token,
              size_t tokensz);
/* Log in the accounts whose bit (1 << enum api_account) is set in mask;
 * tokens[i] receives account i's token. */
int api_login_accounts(const struct api_server *srv, unsigned mask, char tokens[][128]);
/* Count the tickets a GET /api/v1/tickets?<query> lists to token,
 * following next_cursor through every page. -1 on failure. */
long api_ticket_count(const struct api_server *srv, const char *token, const char *query);

/* ---- the usual fixture ---- */

/* Prepare a data directory, start a server on it and log in the accounts
 * of mask (see api_login_accounts). On failure everything already done is
 * undone (server stopped, directory removed) and -1 returned. */
int api_fixture_start(struct api_server *srv, char *dir, size_t dirsz, unsigned mask,
                      char tokens[][128]);
/* Stop the server if it still runs and remove the directory. */
void api_fixture_finish(struct api_server *srv, char *dir);

/* ---- JSON ---- */

/* Walk a dotted path ("deadlines.sign_by", "items.0.number"); numeric
 * segments index arrays. NULL when absent or JSON null. */
struct json_object *api_json_get(struct json_object *o, const char *path);
/* Whether the path exists with the value JSON null. */
bool api_json_is_null(struct json_object *o, const char *path);
/* The string at path, or NULL when absent or not a string. */
const char *api_json_str(struct json_object *o, const char *path);
/* The integer at path, or def when absent or not an integer. */
int64_t api_json_int(struct json_object *o, const char *path, int64_t def);
/* The number at path, or def when absent or not a number. */
double api_json_num(struct json_object *o, const char *path, double def);
/* The boolean at path: 1, 0, or -1 when absent or not a boolean. */
int api_json_bool(struct json_object *o, const char *path);
/* The length of the array at path, or -1. */
long api_json_len(struct json_object *o, const char *path);

/* ---- time, as the API writes it (RFC 3339 with +08:00) ---- */

/* Parse "YYYY-MM-DDTHH:MM:SS+HH:MM" into seconds since the epoch. */
int api_time_parse(const char *s, int64_t *out);
/* Days since 1970-01-01 of a civil date, and back. */
int32_t api_days_from_civil(int y, int m, int d);
void api_civil_from_days(int32_t z, int *y, int *m, int *d);

#endif
