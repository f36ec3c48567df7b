/* bench_hello.c - a bare libmicrohttpd hello-world: the ceiling that the
 * API's GET figures are compared with.
 *
 * Same daemon options as src/http/server.c (epoll with an internal thread
 * pool of the same size - 16 threads per core by default - the same
 * timeout, connection limit, backlog and bind address), and, like the
 * real server, the response is queued from the second callback, not the
 * first, so keep-alive works.
 * Each request gets a freshly created response with a small JSON body and
 * the same four headers the API sends, so the difference to the API is
 * the API's own work (routing, auth, store, JSON), not the library's.
 *
 *   bench_hello [--port N] [--threads N] [--body-bytes N]   runs until SIGINT/SIGTERM
 *
 * --body-bytes answers a JSON body of that size instead of the small one
 * (to compare with an API answer of the same size).
 *
 * --port 0 picks a free port. The first line printed names the port:
 *   bench_hello: libmicrohttpd V on http://127.0.0.1:PORT/ with N threads
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static const char SMALL_BODY[] = "{\"hello\":\"world\",\"ok\":true}";
static const char *body = SMALL_BODY;
static size_t body_len = sizeof(SMALL_BODY) - 1;

/* A JSON body of n bytes: {"pad":"xxx...x"}. */
static char *make_body(size_t n)
{
    if (n < 12)
        n = 12;
    char *b = malloc(n + 1);
    if (!b)
        return NULL;
    memcpy(b, "{\"pad\":\"", 8);
    memset(b + 8, 'x', n - 10);
    memcpy(b + n - 2, "\"}", 3);
    return b;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    static int first_call_marker;
    if (!*con_cls) {
        /* First call: headers only. Answer from a later call. */
        *con_cls = &first_call_marker;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0; /* ignore any body */
        return MHD_YES;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(body_len, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
    MHD_add_response_header(resp, "X-Request-Id", "r1");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    *con_cls = NULL;
}

int main(int argc, char **argv)
{
    int port = 0;
    long threads = 16 * sysconf(_SC_NPROCESSORS_ONLN); /* as xt_server_start */
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--port") == 0)
            port = (int)strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--threads") == 0)
            threads = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--body-bytes") == 0) {
            long n = strtol(argv[i + 1], NULL, 10);
            if (n < 12 || n > (1 << 20) || !(body = make_body((size_t)n))) {
                fprintf(stderr, "bench_hello: --body-bytes must be 12..1048576\n");
                return 2;
            }
            body_len = strlen(body);
        } else {
            fprintf(stderr, "usage: bench_hello [--port N] [--threads N] [--body-bytes N]\n");
            return 2;
        }
    }
    if (port < 0 || port > 65535 || threads < 1) {
        fprintf(stderr, "bench_hello: bad --port or --threads\n");
        return 2;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL, on_request,
        NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)threads, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned)1024, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench_hello: cannot listen on 127.0.0.1:%d\n", port);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (info && info->port)
        port = info->port;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    printf("bench_hello: libmicrohttpd %s on http://127.0.0.1:%d/ with %ld threads\n",
           MHD_get_version(), port, threads);
    fflush(stdout);
    while (!stop_requested)
        usleep(100 * 1000);
    MHD_stop_daemon(d);
    if (body != SMALL_BODY)
        free((void *)body);
    return 0;
}
