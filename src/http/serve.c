/* serve.c - `xietong serve`: open the store, start the HTTP server on
 * 127.0.0.1, sweep overdue tickets into escalation every minute, stop
 * cleanly on SIGINT/SIGTERM. */
#include "http/serve.h"
#include "http/server.h"
#include "lib/log.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static const char *opt(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 2; i + 1 < argc; i++)
        if (strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, name) == 0)
            return argv[i + 1];
    return def;
}

int xt_serve_main(int argc, char **argv, const char *default_dir)
{
    const char *dir = opt(argc, argv, "data", default_dir);
    struct xt_server_options so = {
        .bind = opt(argc, argv, "bind", "127.0.0.1"),
        .port = (int)strtol(opt(argc, argv, "port", "8080"), NULL, 10),
        .threads = (int)strtol(opt(argc, argv, "threads", "0"), NULL, 10),
        .web_dir = opt(argc, argv, "web", "web"),
    };
    if (so.port < 0 || so.port > 65535) {
        fprintf(stderr, "xietong: serve: --port must be 0..65535\n");
        return 2;
    }
    struct xt_error err;
    xt_error_clear(&err);
    struct xt_store *store;
    if (xt_store_open_db(dir, opt(argc, argv, "database", NULL), &store, &err)) {
        fprintf(stderr, "xietong: serve: cannot open '%s': %s\n", dir, err.message);
        return 1;
    }
    double threshold = strtod(opt(argc, argv, "suggest-threshold", "0.6"), NULL);
    if (xt_classify_setup(store, dir, opt(argc, argv, "model", NULL),
                          opt(argc, argv, "type-model", NULL), threshold, &err)) {
        fprintf(stderr, "xietong: serve: --%s: %s\n", err.field, err.message);
        xt_store_close(store);
        return 1;
    }
    struct xt_server *srv;
    if (xt_server_start(store, &so, &srv, &err)) {
        fprintf(stderr, "xietong: serve: %s\n", err.message);
        xt_store_close(store);
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    printf("xietong: serving '%s' on http://%s:%d/ (API under /api/v1/); Ctrl-C stops\n", dir,
           so.bind, xt_server_port(srv));
    fflush(stdout);
    time_t last_sweep = 0;
    while (!stop_requested) {
        time_t now = time(NULL);
        if (now - last_sweep >= 60) {
            int n = 0;
            if (xt_store_escalate_overdue(store, (int64_t)now, &n) == 0 && n > 0)
                xt_log(XT_LOG_INFO, "escalated %d overdue tickets", n);
            last_sweep = now;
        }
        usleep(200 * 1000);
    }
    xt_server_stop(srv);
    xt_store_close(store);
    printf("xietong: stopped\n");
    return 0;
}
