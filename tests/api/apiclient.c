/* apiclient.c - data directory, server child and HTTP client of the API
 * tests (see apiclient.h). */
#include "apiclient.h"
#include "testdb.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef XT_BINARY
#error "XT_BINARY (the path of the xietong binary) must be defined"
#endif
#ifndef XT_SOURCE_DIR
#error "XT_SOURCE_DIR (the repository root) must be defined"
#endif

#define RESP_MAX (16u << 20)
#define IO_TIMEOUT_S 60

const struct api_account_def api_accounts[API_ACCOUNT_COUNT] = {
    [API_ADMIN] = {"t-admin", "pw-admin-2026", "admin", NULL},
    [API_AUDITOR] = {"t-auditor", "pw-auditor-2026", "auditor", NULL},
    [API_OPERATOR] = {"t-operator", "pw-operator-2026", "operator", API_PREFECTURE},
    [API_COMMAND] = {"t-command", "pw-command-2026", "command", API_PREFECTURE},
    [API_DEPARTMENT] = {"t-housing", "pw-housing-2026", "department", API_HOUSING},
    [API_TOWNSHIP] = {"t-hanji", "pw-hanji-2026", "township", API_TOWN},
    [API_TOWNSHIP2] = {"t-tuqiao", "pw-tuqiao-2026", "township", API_TOWN2},
    [API_VILLAGE_AC] = {"t-village", "pw-village-2026", "village", API_VILLAGE},
    [API_GRID_AC] = {"t-grid", "pw-grid-2026", "grid", API_GRID},
    [API_RESIDENT] = {"t-resident", "pw-resident-2026", "resident", NULL},
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("apiclient: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- processes ---- */

/* In the child: run from the source tree so relative data paths work, and
 * die with the test program so a crashed test leaves no server behind. */
static void child_prepare(int stdout_fd)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (stdout_fd >= 0 && dup2(stdout_fd, STDOUT_FILENO) < 0)
        _exit(126);
    if (chdir(XT_SOURCE_DIR) != 0)
        _exit(126);
}

const char *api_content_type = "application/json";

int api_cli(char *const argv[])
{
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull < 0) {
        say("cannot open /dev/null: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        say("fork: %s", strerror(errno));
        close(devnull);
        return -1;
    }
    if (pid == 0) {
        child_prepare(devnull);
        execv(XT_BINARY, argv);
        _exit(127);
    }
    close(devnull);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (!WIFEXITED(st)) {
        say("'%s %s' died of signal %d", XT_BINARY, argv[1], WTERMSIG(st));
        return -1;
    }
    if (WEXITSTATUS(st) != 0)
        say("'%s %s %s' exited with %d", XT_BINARY, argv[1], argv[2] ? argv[2] : "",
            WEXITSTATUS(st));
    return WEXITSTATUS(st);
}

int api_data_prepare(char *dir, size_t dirsz)
{
    static const char tmpl[] = "/tmp/xt-api-XXXXXX";
    if (dirsz < sizeof(tmpl)) {
        say("directory buffer too small");
        return -1;
    }
    memcpy(dir, tmpl, sizeof(tmpl));
    if (!mkdtemp(dir)) {
        say("mkdtemp: %s", strerror(errno));
        dir[0] = '\0';
        return -1;
    }
    if (xt_testdb_configure(dir, NULL, 0))
        return -1;
    char *imports[][9] = {
        {"xietong", "import", "divisions", "data/divisions/linxia_6229.csv", "--prefix",
         API_PREFECTURE, "--data", dir, NULL},
        {"xietong", "import", "census", "data/census/census2020_county_west_key.csv", "--prefix",
         "62", "--data", dir, NULL},
        {"xietong", "import", "calendar", "data/calendar/cn_holidays.csv", "--data", dir, NULL},
        {"xietong", "import", "categories", "data/reference/categories.csv", "--data", dir, NULL},
        {"xietong", "import", "departments", "data/reference/departments.csv", "--prefix",
         API_PREFECTURE, "--data", dir, NULL},
        {"xietong", "grids", "--seats", "data/demo/county_seats.csv", "--prefix", API_PREFECTURE,
         "--data", dir, NULL},
    };
    for (size_t i = 0; i < sizeof(imports) / sizeof(imports[0]); i++)
        if (api_cli(imports[i]) != 0)
            return -1;
    for (int i = 0; i < API_ACCOUNT_COUNT; i++) {
        const struct api_account_def *a = &api_accounts[i];
        char *argv[14] = {"xietong",
                          "account",
                          "add",
                          "--username",
                          (char *)a->username,
                          "--password",
                          (char *)a->password,
                          "--role",
                          (char *)a->role,
                          "--data",
                          dir,
                          NULL};
        if (a->scope) {
            argv[11] = "--scope";
            argv[12] = (char *)a->scope;
            argv[13] = NULL;
        }
        if (api_cli(argv) != 0)
            return -1;
    }
    return 0;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    if (remove(path) != 0)
        say("cannot remove '%s': %s", path, strerror(errno));
    return 0;
}

void api_data_remove(const char *dir)
{
    if (!dir || !*dir)
        return;
    /* Only ever remove what api_data_prepare made. */
    if (strncmp(dir, "/tmp/xt-api-", 12) != 0) {
        say("refusing to remove '%s'", dir);
        return;
    }
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Read one line from fd into buf within timeout_ms. */
static int read_line(int fd, char *buf, size_t bufsz, int timeout_ms)
{
    size_t n = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (n + 1 < bufsz) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long spent = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        if (spent >= timeout_ms)
            return -1;
        struct pollfd p = {fd, POLLIN, 0};
        int pr = poll(&p, 1, (int)(timeout_ms - spent));
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            return -1;
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        if (c == '\n')
            break;
        buf[n++] = c;
    }
    buf[n] = '\0';
    return 0;
}

static int reap(pid_t pid, int timeout_ms)
{
    for (int waited = 0;; waited += 10) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (r < 0 && errno != EINTR)
            return -1;
        if (waited >= timeout_ms)
            return -2;
        usleep(10 * 1000);
    }
}

int api_server_start(struct api_server *srv, const char *dir)
{
    memset(srv, 0, sizeof(*srv));
    srv->out_fd = -1;
    snprintf(srv->dir, sizeof(srv->dir), "%s", dir);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        say("pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        say("fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        child_prepare(fds[1]);
        execl(XT_BINARY, "xietong", "serve", "--data", srv->dir, "--port", "0", "--threads", "4",
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    srv->pid = pid;
    srv->out_fd = fds[0];
    char line[1024];
    if (read_line(srv->out_fd, line, sizeof(line), 60 * 1000) != 0) {
        say("the server printed no first line");
        api_server_kill9(srv);
        return -1;
    }
    const char *p = strstr(line, "http://127.0.0.1:");
    long port = 0;
    if (p) {
        char *end;
        port = strtol(p + strlen("http://127.0.0.1:"), &end, 10);
        if (*end != '/')
            port = 0;
    }
    if (port <= 0 || port > 65535) {
        say("cannot read the port from '%s'", line);
        api_server_kill9(srv);
        return -1;
    }
    srv->port = (int)port;
    return 0;
}

int api_server_stop(struct api_server *srv)
{
    if (!srv || srv->pid <= 0)
        return -1;
    kill(srv->pid, SIGTERM);
    int rc = reap(srv->pid, 30 * 1000);
    if (rc == -2) {
        say("the server did not stop within 30 s of SIGTERM; killing it");
        kill(srv->pid, SIGKILL);
        rc = reap(srv->pid, 30 * 1000);
        if (rc >= 0)
            rc = 128 + SIGKILL;
    }
    srv->pid = 0;
    if (srv->out_fd >= 0)
        close(srv->out_fd);
    srv->out_fd = -1;
    return rc;
}

void api_server_kill9(struct api_server *srv)
{
    if (!srv || srv->pid <= 0)
        return;
    kill(srv->pid, SIGKILL);
    reap(srv->pid, 30 * 1000);
    srv->pid = 0;
    if (srv->out_fd >= 0)
        close(srv->out_fd);
    srv->out_fd = -1;
}

/* ---- HTTP ---- */

struct grow {
    char *p;
    size_t len, cap;
};

static int grow_add(struct grow *g, const void *data, size_t n)
{
    if (g->len + n + 1 > RESP_MAX)
        return -1;
    if (g->len + n + 1 > g->cap) {
        size_t cap = g->cap ? g->cap : 4096;
        while (cap < g->len + n + 1)
            cap *= 2;
        char *p = realloc(g->p, cap);
        if (!p)
            return -1;
        g->p = p;
        g->cap = cap;
    }
    memcpy(g->p + g->len, data, n);
    g->len += n;
    g->p[g->len] = '\0';
    return 0;
}

static int grow_printf(struct grow *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int grow_printf(struct grow *g, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return -1;
    return grow_add(g, tmp, (size_t)n);
}

static int connect_local(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = {IO_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Send all of data; false when the peer stopped reading (it may still
 * have answered, e.g. 413 before the whole body was read). */
static bool send_all(int fd, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        data += w;
        n -= (size_t)w;
    }
    return true;
}

static int parse_answer(struct grow *in, struct api_resp *out)
{
    if (!in->p || strncmp(in->p, "HTTP/1.", 7) != 0) {
        say("no HTTP status line in the answer");
        return -1;
    }
    char *sp = strchr(in->p, ' ');
    char *hdr_end = strstr(in->p, "\r\n\r\n");
    if (!sp || !hdr_end) {
        say("truncated HTTP answer");
        return -1;
    }
    out->status = (int)strtol(sp + 1, NULL, 10);
    long content_length = -1;
    bool chunked = false;
    *hdr_end = '\0';
    for (char *line = strstr(in->p, "\r\n"); line; line = strstr(line, "\r\n")) {
        line += 2;
        char *colon = strchr(line, ':');
        char *eol = strstr(line, "\r\n");
        if (!colon || (eol && colon > eol))
            continue;
        const char *v = colon + 1;
        while (*v == ' ')
            v++;
        size_t vlen = eol ? (size_t)(eol - v) : strlen(v);
        size_t nlen = (size_t)(colon - line);
        if (nlen == 14 && strncasecmp(line, "Content-Length", 14) == 0)
            content_length = strtol(v, NULL, 10);
        else if (nlen == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0)
            chunked = strncasecmp(v, "chunked", 7) == 0;
        else if (nlen == 12 && strncasecmp(line, "Content-Type", 12) == 0)
            snprintf(out->content_type, sizeof(out->content_type), "%.*s", (int)vlen, v);
        else if (nlen == 5 && strncasecmp(line, "Allow", 5) == 0)
            snprintf(out->allow, sizeof(out->allow), "%.*s", (int)vlen, v);
        else if (nlen == 19 && strncasecmp(line, "Content-Disposition", 19) == 0)
            snprintf(out->disposition, sizeof(out->disposition), "%.*s", (int)vlen, v);
    }
    if (chunked) {
        say("chunked answers are not supported by this client");
        return -1;
    }
    const char *body = hdr_end + 4;
    size_t have = in->len - (size_t)(body - in->p);
    if (content_length >= 0) {
        if ((size_t)content_length > have) {
            say("answer body shorter (%zu) than Content-Length (%ld)", have, content_length);
            return -1;
        }
        have = (size_t)content_length;
    }
    out->body = malloc(have + 1);
    if (!out->body)
        return -1;
    memcpy(out->body, body, have);
    out->body[have] = '\0';
    out->body_len = have;
    if (strstr(out->content_type, "json") && have > 0) {
        struct json_tokener *tok = json_tokener_new();
        out->json = tok ? json_tokener_parse_ex(tok, out->body, (int)have) : NULL;
        if (tok && json_tokener_get_error(tok) != json_tokener_success) {
            json_object_put(out->json);
            out->json = NULL;
        }
        json_tokener_free(tok);
    }
    return 0;
}

int api_request(const struct api_server *srv, const char *method, const char *path,
                const char *token, const char *idem_key, const char *body, size_t body_len,
                struct api_resp *out)
{
    memset(out, 0, sizeof(*out));
    struct grow req = {0}, in = {0};
    int rc = -1, fd = -1;
    bool has_body = body != NULL || strcmp(method, "POST") == 0 || strcmp(method, "DELETE") == 0 ||
                    strcmp(method, "PUT") == 0;
    if (grow_printf(&req,
                    "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
                    "Accept: application/json\r\n",
                    method, path, srv->port) ||
        (token && grow_printf(&req, "Authorization: Bearer %s\r\n", token)) ||
        (idem_key && grow_printf(&req, "Idempotency-Key: %s\r\n", idem_key)) ||
        (has_body && grow_printf(&req, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                                 api_content_type, body ? body_len : 0)) ||
        grow_add(&req, "\r\n", 2) || (body && body_len && grow_add(&req, body, body_len))) {
        say("cannot build the request");
        goto out;
    }
    fd = connect_local(srv->port);
    if (fd < 0) {
        say("cannot connect to 127.0.0.1:%d: %s", srv->port, strerror(errno));
        goto out;
    }
    send_all(fd, req.p, req.len);
    char chunk[16384];
    for (;;) {
        ssize_t r = recv(fd, chunk, sizeof(chunk), 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && in.len > 0 && errno == ECONNRESET)
            break; /* the answer came before the reset */
        if (r < 0) {
            say("%s %s: receive: %s", method, path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        if (grow_add(&in, chunk, (size_t)r)) {
            say("%s %s: answer too large", method, path);
            goto out;
        }
    }
    rc = parse_answer(&in, out);
    if (rc)
        say("%s %s: bad answer", method, path);
out:
    if (fd >= 0)
        close(fd);
    free(req.p);
    free(in.p);
    if (rc)
        api_resp_release(out);
    return rc;
}

int api_call(const struct api_server *srv, const char *method, const char *token,
             const char *idem_key, const char *body, struct api_resp *out, const char *path_fmt,
             ...)
{
    char path[2048];
    va_list ap;
    va_start(ap, path_fmt);
    int n = vsnprintf(path, sizeof(path), path_fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        memset(out, 0, sizeof(*out));
        say("path too long");
        return -1;
    }
    return api_request(srv, method, path, token, idem_key, body, body ? strlen(body) : 0, out);
}

struct json_object *api_expect(const struct api_server *srv, int status, const char *method,
                               const char *token, const char *idem_key, const char *body,
                               const char *path_fmt, ...)
{
    char path[2048];
    va_list ap;
    va_start(ap, path_fmt);
    int n = vsnprintf(path, sizeof(path), path_fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        say("path too long");
        return NULL;
    }
    struct api_resp r;
    if (api_request(srv, method, path, token, idem_key, body, body ? strlen(body) : 0, &r))
        return NULL;
    struct json_object *o = NULL;
    if (r.status != status || !r.json)
        say("%s %s: expected %d, got %d: %.600s", method, path, status, r.status,
            r.body ? r.body : "");
    else
        o = json_object_get(r.json);
    api_resp_release(&r);
    return o;
}

void api_resp_release(struct api_resp *r)
{
    if (!r)
        return;
    free(r->body);
    json_object_put(r->json);
    r->body = NULL;
    r->json = NULL;
    r->body_len = 0;
}

const char *api_error_field(const struct api_resp *r)
{
    return api_json_str(r->json, "error.field");
}

const char *api_error_code(const struct api_resp *r)
{
    return api_json_str(r->json, "error.code");
}

/* ---- sessions and tickets ---- */

int api_login(const struct api_server *srv, const char *username, const char *password, char *token,
              size_t tokensz)
{
    struct json_object *b = json_object_new_object();
    json_object_object_add(b, "username", json_object_new_string(username));
    json_object_object_add(b, "password", json_object_new_string(password));
    struct api_resp r;
    int rc =
        api_call(srv, "POST", NULL, NULL, json_object_to_json_string(b), &r, "/api/v1/sessions");
    json_object_put(b);
    if (rc)
        return -1;
    const char *t = api_json_str(r.json, "token");
    if (r.status != 201 || !t || strlen(t) >= tokensz) {
        say("login of '%s' answered %d: %s", username, r.status, r.body);
        api_resp_release(&r);
        return -1;
    }
    snprintf(token, tokensz, "%s", t);
    api_resp_release(&r);
    return 0;
}

int api_login_accounts(const struct api_server *srv, unsigned mask, char tokens[][128])
{
    for (int i = 0; i < API_ACCOUNT_COUNT; i++) {
        tokens[i][0] = '\0';
        if ((mask & (1u << i)) &&
            api_login(srv, api_accounts[i].username, api_accounts[i].password, tokens[i], 128))
            return -1;
    }
    return 0;
}

long api_ticket_count(const struct api_server *srv, const char *token, const char *query)
{
    long count = 0;
    char cursor[32] = "";
    for (int page = 0; page < 10000; page++) {
        struct api_resp r;
        if (api_call(srv, "GET", token, NULL, NULL, &r, "/api/v1/tickets?limit=500%s%s%s%s",
                     query && *query ? "&" : "", query ? query : "", *cursor ? "&cursor=" : "",
                     cursor))
            return -1;
        long n = api_json_len(r.json, "items");
        if (r.status != 200 || n < 0) {
            say("ticket list answered %d: %s", r.status, r.body);
            api_resp_release(&r);
            return -1;
        }
        count += n;
        const char *next = api_json_str(r.json, "next_cursor");
        if (!next) {
            api_resp_release(&r);
            return count;
        }
        snprintf(cursor, sizeof(cursor), "%s", next);
        api_resp_release(&r);
    }
    return -1;
}

/* ---- the usual fixture ---- */

int api_fixture_start(struct api_server *srv, char *dir, size_t dirsz, unsigned mask,
                      char tokens[][128])
{
    memset(srv, 0, sizeof(*srv));
    srv->out_fd = -1;
    if (api_data_prepare(dir, dirsz) == 0 && api_server_start(srv, dir) == 0 &&
        api_login_accounts(srv, mask, tokens) == 0)
        return 0;
    api_fixture_finish(srv, dir);
    return -1;
}

void api_fixture_finish(struct api_server *srv, char *dir)
{
    if (srv->pid)
        api_server_stop(srv);
    api_data_remove(dir);
    dir[0] = '\0';
}

/* ---- JSON ---- */

static struct json_object *walk(struct json_object *o, const char *path, bool *found)
{
    *found = false;
    if (!o || !path)
        return NULL;
    char seg[128];
    const char *p = path;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n == 0 || n >= sizeof(seg))
            return NULL;
        memcpy(seg, p, n);
        seg[n] = '\0';
        p += n + (dot ? 1 : 0);
        if (json_object_is_type(o, json_type_array)) {
            char *end;
            long i = strtol(seg, &end, 10);
            if (*end || i < 0 || (size_t)i >= json_object_array_length(o))
                return NULL;
            o = json_object_array_get_idx(o, (size_t)i);
        } else if (json_object_is_type(o, json_type_object)) {
            struct json_object *v;
            if (!json_object_object_get_ex(o, seg, &v))
                return NULL;
            o = v;
        } else {
            return NULL;
        }
        if (!o) {
            /* JSON null: found only when it is the last segment. */
            *found = *p == '\0';
            return NULL;
        }
    }
    *found = true;
    return o;
}

struct json_object *api_json_get(struct json_object *o, const char *path)
{
    bool found;
    return walk(o, path, &found);
}

bool api_json_is_null(struct json_object *o, const char *path)
{
    bool found;
    return walk(o, path, &found) == NULL && found;
}

const char *api_json_str(struct json_object *o, const char *path)
{
    struct json_object *v = api_json_get(o, path);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int64_t api_json_int(struct json_object *o, const char *path, int64_t def)
{
    struct json_object *v = api_json_get(o, path);
    return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : def;
}

double api_json_num(struct json_object *o, const char *path, double def)
{
    struct json_object *v = api_json_get(o, path);
    return v && (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
               ? json_object_get_double(v)
               : def;
}

int api_json_bool(struct json_object *o, const char *path)
{
    struct json_object *v = api_json_get(o, path);
    return v && json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : -1;
}

long api_json_len(struct json_object *o, const char *path)
{
    struct json_object *v = api_json_get(o, path);
    return v && json_object_is_type(v, json_type_array) ? (long)json_object_array_length(v) : -1;
}

/* ---- time ---- */

static bool is_leap(int y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int month_days(int y, int m)
{
    static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return md[m - 1] + (m == 2 && is_leap(y));
}

/* Whole years, then months, from 1970: slow but plainly right, and
 * independent of the server's own date code. Dates from 1970 on only. */
int32_t api_days_from_civil(int y, int m, int d)
{
    int32_t days = 0;
    for (int yy = 1970; yy < y; yy++)
        days += is_leap(yy) ? 366 : 365;
    for (int mm = 1; mm < m; mm++)
        days += month_days(y, mm);
    return days + d - 1;
}

void api_civil_from_days(int32_t z, int *y, int *m, int *d)
{
    int yy = 1970, mm = 1;
    while (z >= (is_leap(yy) ? 366 : 365))
        z -= is_leap(yy++) ? 366 : 365;
    while (z >= month_days(yy, mm))
        z -= month_days(yy, mm++);
    *y = yy;
    *m = mm;
    *d = (int)z + 1;
}

int api_time_parse(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, se, oh, om, used = 0;
    char sign;
    if (!s || strlen(s) != 25 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &sign, &oh, &om,
               &used) != 9 ||
        used != 25 || (sign != '+' && sign != '-') || mo < 1 || mo > 12 || d < 1 || d > 31 ||
        h > 23 || mi > 59 || se > 59)
        return -1;
    int64_t off = (int64_t)(oh * 3600 + om * 60) * (sign == '+' ? 1 : -1);
    *out = (int64_t)api_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    return 0;
}
