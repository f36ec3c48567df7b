/* server.c - libmicrohttpd glue: route matching, body limits, auth,
 * JSON in and out. */
#include "http/server.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/utf8.h"
#include "lib/xtime.h"

#include <arpa/inet.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct xt_server {
    struct MHD_Daemon *daemon;
    struct xt_store *store;
    int port;
    char web_dir[512];
    atomic_long next_id;
};

/* The MHD side of the seam: query arguments, headers and cookies of a
 * real connection. */
static const char *mhd_lookup(void *conn, enum xt_kv_kind kind, const char *name)
{
    static const enum MHD_ValueKind kinds[] = {
        [XT_KV_QUERY] = MHD_GET_ARGUMENT_KIND,
        [XT_KV_HEADER] = MHD_HEADER_KIND,
        [XT_KV_COOKIE] = MHD_COOKIE_KIND,
    };
    return MHD_lookup_connection_value(conn, kinds[kind], name);
}

const char *xt_req_query(struct xt_req *r, const char *name)
{
    const char *v = r->lookup(r->conn, XT_KV_QUERY, name);
    return v && *v ? v : NULL;
}

const char *xt_req_header(struct xt_req *r, const char *name)
{
    return r->lookup(r->conn, XT_KV_HEADER, name);
}

const char *xt_req_unit_name(void *ctx, const char *code)
{
    return xt_store_unit_name(ctx, code);
}

int xt_reply(struct xt_req *r, int status, struct json_object *obj)
{
    if (r->json)
        json_object_put(r->json);
    r->status = status;
    r->json = obj;
    return 0;
}

int xt_reply_error(struct xt_req *r, int code)
{
    if (r->err.code == XT_OK)
        xt_error_set(&r->err, code, "", "%s", xt_errcode_name(code));
    if (r->error_format)
        return r->error_format->reply(r, code);
    int status = xt_errcode_http_status(r->err.code);
    struct json_object *e = json_object_new_object();
    json_object_object_add(e, "code", json_object_new_string(xt_errcode_name(r->err.code)));
    if (status >= 500) {
        /* 5xx bodies carry only a request id; the log has the rest. */
        xt_log(XT_LOG_ERROR, "request %s: %s", r->request_id, r->err.message);
        json_object_object_add(e, "request_id", json_object_new_string(r->request_id));
    } else {
        json_object_object_add(e, "field",
                               *r->err.field ? json_object_new_string(r->err.field) : NULL);
        json_object_object_add(e, "message", json_object_new_string(r->err.message));
    }
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "error", e);
    xt_reply(r, status, o);
    return r->err.code;
}

int xt_req_json(struct xt_req *r, struct json_object **out)
{
    *out = NULL;
    if (r->body.len == 0)
        return xt_error_set(&r->err, XT_EINVAL, "body", "a JSON object is required");
    if (!xt_utf8_valid(r->body.data, r->body.len))
        return xt_error_set(&r->err, XT_EINVAL, "body", "is not valid UTF-8");
    struct json_tokener *tok = json_tokener_new_ex(32);
    if (!tok)
        return XT_ENOMEM;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    struct json_object *o = json_tokener_parse_ex(tok, r->body.data, (int)r->body.len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!o || jerr != json_tokener_success) {
        json_object_put(o);
        return xt_error_set(&r->err, XT_EINVAL, "body", "malformed JSON: %s",
                            jerr == json_tokener_continue ? "unexpected end of input"
                                                          : json_tokener_error_desc(jerr));
    }
    while (used < r->body.len && strchr(" \t\r\n", r->body.data[used]))
        used++;
    if (used != r->body.len || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return xt_error_set(&r->err, XT_EINVAL, "body", "must be one JSON object");
    }
    *out = o;
    return 0;
}

static struct json_object *member(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

int xt_json_string(struct json_object *o, const char *key, const char *field, bool required,
                   size_t max_bytes, const char **out, struct xt_error *err)
{
    struct json_object *v = member(o, key);
    if (!v) {
        if (required)
            return xt_error_set(err, XT_EINVAL, field, "is required");
        return 0;
    }
    if (!json_object_is_type(v, json_type_string))
        return xt_error_set(err, XT_EINVAL, field, "must be a string");
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    if (strlen(s) != n)
        return xt_error_set(err, XT_EINVAL, field, "must not contain NUL characters");
    if (n > max_bytes)
        return xt_error_set(err, XT_EINVAL, field, "is longer than %zu bytes", max_bytes);
    if (required && n == 0)
        return xt_error_set(err, XT_EINVAL, field, "must not be empty");
    *out = s;
    return 0;
}

int xt_json_bool(struct json_object *o, const char *key, const char *field, bool required,
                 int *out, struct xt_error *err)
{
    struct json_object *v = member(o, key);
    if (!v) {
        if (required)
            return xt_error_set(err, XT_EINVAL, field, "is required");
        return 0;
    }
    if (!json_object_is_type(v, json_type_boolean))
        return xt_error_set(err, XT_EINVAL, field, "must be true or false");
    *out = json_object_get_boolean(v);
    return 0;
}

int xt_json_int(struct json_object *o, const char *key, const char *field, bool required,
                long lo, long hi, long *out, struct xt_error *err)
{
    struct json_object *v = member(o, key);
    if (!v) {
        if (required)
            return xt_error_set(err, XT_EINVAL, field, "is required");
        return 0;
    }
    if (!json_object_is_type(v, json_type_int))
        return xt_error_set(err, XT_EINVAL, field, "must be an integer");
    int64_t x = json_object_get_int64(v);
    if (x < lo || x > hi)
        return xt_error_set(err, XT_EINVAL, field, "must be within %ld..%ld", lo, hi);
    *out = (long)x;
    return 0;
}

int xt_json_double(struct json_object *o, const char *key, const char *field, bool required,
                   double *out, struct xt_error *err)
{
    struct json_object *v = member(o, key);
    if (!v) {
        if (required)
            return xt_error_set(err, XT_EINVAL, field, "is required");
        return 0;
    }
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
        return xt_error_set(err, XT_EINVAL, field, "must be a number");
    double d = json_object_get_double(v);
    if (!isfinite(d))
        return xt_error_set(err, XT_EINVAL, field, "must be a finite number");
    *out = d;
    return 0;
}

int xt_json_object(struct json_object *o, const char *key, const char *field, bool required,
                   struct json_object **out, struct xt_error *err)
{
    struct json_object *v = member(o, key);
    if (!v) {
        if (required)
            return xt_error_set(err, XT_EINVAL, field, "is required");
        return 0;
    }
    if (!json_object_is_type(v, json_type_object))
        return xt_error_set(err, XT_EINVAL, field, "must be an object");
    *out = v;
    return 0;
}

/* Match path against pattern; fills params. A "{name*}" segment takes the
 * rest of the path. */
static bool match(const char *pattern, const char *path, struct xt_req *r)
{
    int np = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            bool rest = close && close > p && close[-1] == '*';
            const char *end = rest ? u + strlen(u) : strchrnul(u, '/');
            size_t n = (size_t)(end - u);
            if (n == 0 || n >= sizeof(r->params[0]) || np >= XT_MAX_PARAMS)
                return false;
            memcpy(r->params[np], u, n);
            r->params[np][n] = '\0';
            np++;
            u = end;
            p = close + 1;
            continue;
        }
        if (*p != *u)
            return false;
        p++;
        u++;
    }
    if (*p || *u)
        return false;
    r->nparams = np;
    return true;
}

static const struct xt_route *find_route(const char *method, const char *url, struct xt_req *r,
                                         bool *method_mismatch)
{
    *method_mismatch = false;
    bool api = strncmp(url, "/api/", 5) == 0;
    const struct xt_route *found = NULL;
    for (size_t i = 0; i < xt_route_count; i++) {
        const struct xt_route *rt = &xt_routes[i];
        /* The console's catch-all never answers under /api/. */
        if (api && strncmp(rt->pattern, "/{", 2) == 0)
            continue;
        struct xt_req probe;
        if (!match(rt->pattern, url, &probe))
            continue;
        size_t n = strlen(r->allow);
        snprintf(r->allow + n, sizeof(r->allow) - n, "%s%s", n ? ", " : "", rt->method);
        if (!found && strcmp(rt->method, method) == 0) {
            memcpy(r->params, probe.params, sizeof(r->params));
            r->nparams = probe.nparams;
            found = rt;
        }
    }
    if (!found && *r->allow)
        *method_mismatch = true;
    return found;
}

static int authenticate(struct xt_req *r)
{
    const char *h = xt_req_header(r, "Authorization");
    const char *token = NULL;
    if (h && strncmp(h, "Bearer ", 7) == 0)
        token = h + 7;
    if (!token)
        token = r->lookup(r->conn, XT_KV_COOKIE, "xt_session");
    memset(&r->actor, 0, sizeof(r->actor));
    r->actor.role = XT_ROLE_RESIDENT; /* anonymous: a resident without account */
    snprintf(r->actor.username, sizeof(r->actor.username), "anonymous");
    if (!token)
        return 0;
    int rc = xt_store_session(r->store, token, r->now, &r->actor);
    if (rc) {
        r->actor.role = XT_ROLE_RESIDENT;
        return xt_error_set(&r->err, XT_EAUTH, "Authorization", "session unknown or expired");
    }
    r->authed = true;
    return 0;
}

const char *xt_req_answer(struct xt_req *r, size_t *len)
{
    if (r->raw) {
        *len = r->raw_len;
        return r->raw;
    }
    if (!r->json) {
        xt_error_set(&r->err, XT_EIO, "", "handler gave no answer");
        xt_reply_error(r, XT_EIO);
    }
    const char *body = json_object_to_json_string_ext(r->json, JSON_C_TO_STRING_PLAIN |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE);
    *len = strlen(body);
    return body;
}

static enum MHD_Result send_answer(struct xt_req *r)
{
    struct MHD_Response *resp;
    if (r->raw) {
        resp = MHD_create_response_from_buffer(r->raw_len, r->raw, MHD_RESPMEM_MUST_FREE);
        r->raw = NULL;
    } else {
        size_t len;
        const char *body = xt_req_answer(r, &len);
        resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type",
                            r->content_type ? r->content_type : "application/json; charset=utf-8");
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    if (*r->disposition)
        MHD_add_response_header(resp, "Content-Disposition", r->disposition);
    if (r->status == 405 && *r->allow)
        MHD_add_response_header(resp, "Allow", r->allow);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

void xt_req_free(struct xt_req *r)
{
    if (!r)
        return;
    xt_buf_release(&r->body);
    json_object_put(r->json);
    free(r->raw);
    free(r);
}

struct xt_req *xt_req_begin(struct xt_server *srv, void *conn, xt_kv_lookup_fn lookup,
                            const char *method, const char *url)
{
    struct xt_req *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->srv = srv;
    r->store = srv->store;
    r->conn = conn;
    r->lookup = lookup;
    r->now = (int64_t)time(NULL);
    snprintf(r->request_id, sizeof(r->request_id), "r%ld", atomic_fetch_add(&srv->next_id, 1));
    bool mismatch;
    r->route = find_route(method, url, r, &mismatch);
    for (size_t i = 0; i < xt_error_format_count; i++)
        if (strncmp(url, xt_error_formats[i].prefix, strlen(xt_error_formats[i].prefix)) == 0)
            r->error_format = &xt_error_formats[i];
    xt_buf_init(&r->body, r->route && r->route->body_limit ? r->route->body_limit : 1);
    if (!r->route) {
        if (mismatch)
            xt_error_set(&r->err, XT_EINVAL, "method", "method %s not allowed here", method);
        else
            xt_error_set(&r->err, XT_ENOTFOUND, "path", "no such resource");
    }
    return r;
}

void xt_req_feed(struct xt_req *r, const char *data, size_t n)
{
    if (!r->too_big && r->route && r->route->body_limit && xt_buf_append(&r->body, data, n) == 0)
        return;
    r->too_big = true;
}

void xt_req_run(struct xt_req *r)
{
    if (r->err.code) {
        if (r->err.code == XT_EINVAL && strcmp(r->err.field, "method") == 0) {
            xt_reply_error(r, XT_EINVAL);
            r->status = 405;
        } else {
            xt_reply_error(r, r->err.code);
        }
        return;
    }
    if (r->too_big) {
        if (!r->route->body_limit)
            xt_error_set(&r->err, XT_EINVAL, "body", "this resource takes no body");
        else
            xt_error_set(&r->err, XT_ETOOBIG, "body", "larger than %zu bytes",
                         r->route->body_limit);
        xt_reply_error(r, r->err.code);
        return;
    }
    if (authenticate(r)) {
        xt_reply_error(r, XT_EAUTH);
        return;
    }
    if (r->route->roles) {
        if (!r->authed) {
            xt_error_set(&r->err, XT_EAUTH, "Authorization", "log in first");
            xt_reply_error(r, XT_EAUTH);
            return;
        }
        if (!xt_role_in(r->actor.role, r->route->roles)) {
            xt_error_set(&r->err, XT_EPERM, "", "role '%s' may not use this resource",
                         xt_role_name(r->actor.role));
            xt_reply_error(r, XT_EPERM);
            return;
        }
    }
    /* A repeated write with its Idempotency-Key gets the first answer. */
    const char *idem = r->route->audit ? xt_req_header(r, "Idempotency-Key") : NULL;
    char akey[640] = "";
    if (idem && *idem && strlen(idem) <= 200) {
        char h[65];
        xt_sha256_hex(r->body.data ? r->body.data : "", r->body.len, h);
        snprintf(akey, sizeof(akey), "answer %s %s %s", r->route->pattern, h, idem);
        for (int i = 0; i < r->nparams; i++) {
            size_t n = strlen(akey);
            snprintf(akey + n, sizeof(akey) - n, " %s", r->params[i]);
        }
        int status;
        char *body = NULL;
        if (xt_store_idem_get(r->store, akey, r->actor.account_id, &status, &body) == 1) {
            r->status = status;
            r->raw = body;
            r->raw_len = strlen(body);
            r->content_type = "application/json; charset=utf-8";
            return;
        }
    }
    int rc = r->route->handler(r);
    if (rc && !r->json)
        xt_reply_error(r, rc);
    if (*akey && !r->no_replay && r->json && r->status >= 200 && r->status < 300)
        xt_store_idem_put(r->store, akey, r->actor.account_id, r->status,
                          json_object_to_json_string_ext(r->json, JSON_C_TO_STRING_PLAIN |
                                                                      JSON_C_TO_STRING_NOSLASHESCAPE),
                          r->now);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    struct xt_server *srv = cls;
    struct xt_req *r = *con_cls;
    if (!r) {
        /* First call: headers only. Match the route now so the body limit
         * is known, and answer from a later call so keep-alive works. */
        r = xt_req_begin(srv, conn, mhd_lookup, method, url);
        if (!r)
            return MHD_NO;
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_data_size) {
        xt_req_feed(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    /* Final call: the whole body is here. */
    xt_req_run(r);
    return send_answer(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    xt_req_free(*con_cls);
    *con_cls = NULL;
}

int xt_server_start(struct xt_store *store, const struct xt_server_options *opt,
                    struct xt_server **out, struct xt_error *err)
{
    struct xt_server *srv = calloc(1, sizeof(*srv));
    if (!srv)
        return XT_ENOMEM;
    srv->store = store;
    if (opt->web_dir)
        snprintf(srv->web_dir, sizeof(srv->web_dir), "%s", opt->web_dir);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)opt->port);
    if (inet_pton(AF_INET, opt->bind ? opt->bind : "127.0.0.1", &addr.sin_addr) != 1) {
        free(srv);
        return xt_error_set(err, XT_EINVAL, "bind", "'%s' is not an IPv4 address", opt->bind);
    }
    /* 16 per core: a write handler blocks its thread until the group
     * commit, so the pool bounds the group size (docs/BENCHMARKS.md). */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1 || cores > 256)
        cores = 2;
    unsigned threads = opt->threads > 0 ? (unsigned)opt->threads : 16 * (unsigned)cores;
    srv->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, (uint16_t)opt->port, NULL, NULL,
        on_request, srv, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned)1024, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_END);
    if (!srv->daemon) {
        free(srv);
        return xt_error_set(err, XT_EIO, "port", "cannot listen on %s:%d",
                            opt->bind ? opt->bind : "127.0.0.1", opt->port);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : opt->port;
    *out = srv;
    return 0;
}

int xt_server_local(struct xt_store *store, const char *web_dir, struct xt_server **out)
{
    struct xt_server *srv = calloc(1, sizeof(*srv));
    if (!srv)
        return XT_ENOMEM;
    srv->store = store;
    if (web_dir)
        snprintf(srv->web_dir, sizeof(srv->web_dir), "%s", web_dir);
    *out = srv;
    return 0;
}

int xt_server_port(const struct xt_server *srv)
{
    return srv->port;
}

void xt_server_stop(struct xt_server *srv)
{
    if (!srv)
        return;
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    free(srv);
}

/* Static console files from web_dir: only plain names, no "..". */
int xt_h_static(struct xt_req *r)
{
    const char *rel = r->nparams ? r->params[0] : "index.html";
    if (!*r->srv->web_dir)
        return xt_error_set(&r->err, XT_ENOTFOUND, "path", "no such resource");
    /* No "..", no hidden names, and only regular files: "/." or a folder
     * is not found rather than a read error. */
    if (strstr(rel, "..") || rel[0] == '/' || rel[0] == '.' || strstr(rel, "/."))
        return xt_error_set(&r->err, XT_ENOTFOUND, "path", "no such resource");
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", r->srv->web_dir, rel);
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return xt_error_set(&r->err, XT_ENOTFOUND, "path", "no such resource");
    struct xt_buf b;
    xt_buf_init(&b, 16 << 20);
    int rc = xt_buf_read_file(&b, path);
    if (rc) {
        xt_buf_release(&b);
        return xt_error_set(&r->err, rc == XT_ENOTFOUND ? XT_ENOTFOUND : XT_EIO, "path",
                            rc == XT_ENOTFOUND ? "no such resource" : "cannot read the file");
    }
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
                 {".png", "image/png"},                  {".svg", "image/svg+xml"}};
    r->content_type = "application/octet-stream";
    const char *dot = strrchr(rel, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            r->content_type = types[i].type;
    r->raw_len = b.len;
    r->raw = xt_buf_detach(&b);
    r->status = 200;
    return 0;
}
