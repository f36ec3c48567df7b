/* bench_core.c - durable ticket creation and ticket reads through the
 * store, without HTTP: what the API could reach at best.
 *
 * Open a data directory prepared like the demo (`xietong demo --data DIR
 * --no-serve --tickets 0`), then for each thread count run that many
 * threads for a fixed time, each calling xt_store_ticket_create as the
 * demo operator (role operator, scope 6229) on a random grid of 6229, with
 * category C01 and a masked-contact hotline request like the API's, and
 * count the creations (each is durable when the call returns: WAL,
 * synchronous=FULL, committed in groups by the store's writer thread).
 * Then the same for xt_store_ticket_get of random created tickets (with
 * the contact, masked, as GET /api/v1/tickets/{number} reads it), and, on
 * one thread, the cost of each part of that GET apart from HTTP: the
 * session check, the read, and rendering the JSON answer.
 *
 *   bench_core --data DIR [--seconds S] [--threads 1,8,64] [--read-threads 1,2]
 *
 * Prints one line per run:
 *   core_create_per_sec threads=N <rate> errors=E avg_group=G
 *       write_bytes_per_ticket=B writes_per_ticket=W
 *   core_get_per_sec threads=N <rate> errors=E
 *   core_get_parts_us session=S get=G render=R total=T json_bytes=B
 */
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/render.h"
#include "core/reqtype.h"
#include "lib/err.h"
#include "store/store.h"
/* Only to read the writer's commit counters (average group size). */
#include "store/store_int.h"

#define B_MAX_THREADS 512
#define B_KEEP_NUMBERS (1u << 16)

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct grids {
    char (*code)[XT_CODE_MAX];
    size_t n, cap;
};

static int add_grid(void *ctx, const struct xt_unit *u)
{
    struct grids *g = ctx;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 1024;
        void *p = realloc(g->code, cap * sizeof(*g->code));
        if (!p)
            return 1;
        g->code = p;
        g->cap = cap;
    }
    snprintf(g->code[g->n++], XT_CODE_MAX, "%s", u->code);
    return 0;
}

struct shared {
    struct xt_store *store;
    struct xt_actor actor;
    struct grids grids;
    atomic_int stop;
    /* numbers of created tickets, for the reads */
    char (*numbers)[XT_NUMBER_MAX];
    atomic_uint n_numbers;
};

struct worker {
    struct shared *sh;
    pthread_t tid;
    uint64_t rng;
    long ok, errors;
    char last_error[600];
};

static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const char TEXT[] = "小区门口的路灯已经坏了两个多星期，晚上出行很不方便，"
                           "希望有关部门尽快派人维修。";

static void *create_main(void *arg)
{
    struct worker *w = arg;
    struct shared *sh = w->sh;
    while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
        struct xt_ticket t;
        struct xt_contact contact;
        struct xt_error err;
        xt_ticket_init(&t);
        t.text = strdup(TEXT);
        t.type = XT_TYPE_HELP;
        t.channel = XT_CHANNEL_HOTLINE;
        snprintf(t.category, sizeof(t.category), "C01");
        const char *grid = sh->grids.code[next_rand(&w->rng) % sh->grids.n];
        snprintf(t.grid, sizeof(t.grid), "%s", grid);
        memset(&contact, 0, sizeof(contact));
        snprintf(contact.name, sizeof(contact.name), "演示居民");
        snprintf(contact.phone, sizeof(contact.phone), "1990000%04u",
                 (unsigned)(next_rand(&w->rng) % 10000));
        int rc = xt_store_ticket_create(sh->store, &sh->actor, &t, &contact, NULL, NULL,
                                        (int64_t)time(NULL), &err);
        if (rc == 0) {
            w->ok++;
            unsigned k = atomic_fetch_add(&sh->n_numbers, 1);
            if (k < B_KEEP_NUMBERS)
                snprintf(sh->numbers[k], XT_NUMBER_MAX, "%s", t.number);
        } else {
            w->errors++;
            snprintf(w->last_error, sizeof(w->last_error), "%s: %s", err.field, err.message);
        }
        xt_ticket_release(&t);
    }
    return NULL;
}

static void *get_main(void *arg)
{
    struct worker *w = arg;
    struct shared *sh = w->sh;
    unsigned n = atomic_load(&sh->n_numbers);
    if (n > B_KEEP_NUMBERS)
        n = B_KEEP_NUMBERS;
    while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
        struct xt_ticket t;
        struct xt_contact contact;
        struct xt_error err;
        const char *number = sh->numbers[next_rand(&w->rng) % n];
        int rc = xt_store_ticket_get(sh->store, &sh->actor, number, &t, &contact, false,
                                     (int64_t)time(NULL), &err);
        if (rc == 0) {
            w->ok++;
            xt_ticket_release(&t);
        } else {
            w->errors++;
            snprintf(w->last_error, sizeof(w->last_error), "%s %s: %s", number, err.field,
                     err.message);
        }
    }
    return NULL;
}

/* Bytes written and write calls of this process so far (/proc/self/io). */
static void io_counters(long long *wchar, long long *syscw)
{
    *wchar = *syscw = 0;
    FILE *fp = fopen("/proc/self/io", "r");
    if (!fp)
        return;
    char line[128];
    while (fgets(line, sizeof(line), fp)) {
        if (strncmp(line, "wchar: ", 7) == 0)
            *wchar = strtoll(line + 7, NULL, 10);
        else if (strncmp(line, "syscw: ", 7) == 0)
            *syscw = strtoll(line + 7, NULL, 10);
    }
    fclose(fp);
}

static void writer_counters(struct xt_store *s, long *commits, long *jobs)
{
    pthread_mutex_lock(&s->qlock);
    *commits = s->commits;
    *jobs = s->jobs_done;
    pthread_mutex_unlock(&s->qlock);
}

/* Run n threads of fn for seconds; returns the rate of successful calls. */
static double run(struct shared *sh, void *(*fn)(void *), int n, double seconds, long *errors,
                  char *last_error, size_t lesz)
{
    static struct worker w[B_MAX_THREADS];
    atomic_store(&sh->stop, 0);
    for (int i = 0; i < n; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].sh = sh;
        w[i].rng = 0x5EED0000u + (uint64_t)i * 7919u + (uint64_t)time(NULL);
    }
    double t0 = mono();
    int started = 0;
    for (; started < n; started++)
        if (pthread_create(&w[started].tid, NULL, fn, &w[started]))
            break;
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
    atomic_store(&sh->stop, 1);
    long ok = 0;
    *errors = 0;
    for (int i = 0; i < started; i++) {
        pthread_join(w[i].tid, NULL);
        ok += w[i].ok;
        *errors += w[i].errors;
        if (w[i].errors && last_error)
            snprintf(last_error, lesz, "%s", w[i].last_error);
    }
    double dt = mono() - t0;
    if (started < n)
        *errors += n - started;
    return (double)ok / dt;
}

static const char *unit_name(void *ctx, const char *code)
{
    return xt_store_unit_name(ctx, code);
}

/* Microseconds per call of each part of GET /api/v1/tickets/{number}
 * without HTTP, on this thread: session check, read, render + serialise. */
static void get_parts(struct shared *sh, const char *token, double seconds)
{
    const char *number = sh->numbers[0];
    struct xt_render_ctx rc = {unit_name, sh->store, xt_store_routing(sh->store)};
    double us[3] = {0, 0, 0};
    size_t json_bytes = 0;
    struct xt_ticket keep;
    struct xt_contact kc;
    int loaded = 0;
    for (int part = 0; part < 3; part++) {
        long n = 0;
        double t0 = mono(), t;
        do {
            for (int k = 0; k < 256; k++, n++) {
                struct xt_actor a;
                struct xt_ticket tk;
                struct xt_contact c;
                struct xt_error err;
                if (part == 0) {
                    if (token && xt_store_session(sh->store, token, (int64_t)time(NULL), &a))
                        token = NULL;
                } else if (part == 1) {
                    if (xt_store_ticket_get(sh->store, &sh->actor, number, &tk, &c, false,
                                            (int64_t)time(NULL), &err) == 0)
                        xt_ticket_release(&tk);
                } else {
                    if (!loaded) {
                        if (xt_store_ticket_get(sh->store, &sh->actor, number, &keep, &kc, false,
                                                (int64_t)time(NULL), &err))
                            return;
                        loaded = 1;
                    }
                    struct json_object *o = xt_render_ticket(&rc, &keep, kc.name, kc.phone, true,
                                                             (int64_t)time(NULL));
                    const char *body = json_object_to_json_string_ext(
                        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
                    json_bytes = strlen(body);
                    json_object_put(o);
                }
            }
            t = mono();
        } while (t - t0 < seconds);
        us[part] = (t - t0) * 1e6 / (double)n;
    }
    if (loaded)
        xt_ticket_release(&keep);
    printf("core_get_parts_us session=%.2f%s get=%.2f render=%.2f total=%.2f json_bytes=%zu\n",
           us[0], token ? "" : "(no-login)", us[1], us[2], us[0] + us[1] + us[2], json_bytes);
}

/* The operator's password from DIR/demo-logins.txt ("user password role
 * scope" lines), or "" when absent. */
static void demo_password(const char *dir, const char *user, char *out, size_t outsz)
{
    char path[1024], line[512];
    out[0] = '\0';
    snprintf(path, sizeof(path), "%s/demo-logins.txt", dir);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    size_t ul = strlen(user);
    while (fgets(line, sizeof(line), fp)) {
        if (strncmp(line, user, ul) == 0 && line[ul] == ' ') {
            const char *p = line + ul + 1;
            size_t n = strcspn(p, " \n");
            if (n < outsz) {
                memcpy(out, p, n);
                out[n] = '\0';
            }
            break;
        }
    }
    fclose(fp);
}

static int parse_list(const char *s, int *out, int max)
{
    int n = 0;
    while (*s && n < max) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > B_MAX_THREADS)
            return -1;
        out[n++] = (int)v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return n;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *tlist = "1,8,64", *rlist = "1,2";
    double seconds = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--data") == 0)
            dir = argv[i + 1];
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--threads") == 0)
            tlist = argv[i + 1];
        else if (strcmp(argv[i], "--read-threads") == 0)
            rlist = argv[i + 1];
    }
    int threads[16], rthreads[16];
    int nt = parse_list(tlist, threads, 16), nr = parse_list(rlist, rthreads, 16);
    if (!dir || seconds <= 0 || nt < 1 || nr < 0) {
        fprintf(stderr, "usage: bench_core --data DIR [--seconds S] [--threads 1,8,64]"
                        " [--read-threads 1,2]\n");
        return 2;
    }
    static struct shared sh;
    struct xt_error err;
    xt_error_clear(&err);
    if (xt_store_open(dir, &sh.store, &err)) {
        fprintf(stderr, "bench_core: cannot open '%s': %s\n", dir, err.message);
        return 1;
    }
    /* The demo operator (role operator, scope 6229), logged in when the
     * demo's password file is there (also gives a token for the session
     * check), else made up with the same role and scope. */
    char password[128], token[XT_TOKEN_LEN + 1];
    bool have_token = false;
    demo_password(dir, "operator", password, sizeof(password));
    if (*password && xt_store_login(sh.store, "operator", password, (int64_t)time(NULL), token,
                                    &sh.actor, &err) == 0) {
        have_token = true;
    } else {
        memset(&sh.actor, 0, sizeof(sh.actor));
        sh.actor.role = XT_ROLE_OPERATOR;
        snprintf(sh.actor.scope, sizeof(sh.actor.scope), "6229");
        snprintf(sh.actor.username, sizeof(sh.actor.username), "operator");
    }
    xt_store_units_at_level(sh.store, "6229", XT_LEVEL_GRID, add_grid, &sh.grids);
    if (sh.grids.n == 0) {
        fprintf(stderr, "bench_core: no grids under 6229 in '%s' (run xietong demo first)\n",
                dir);
        xt_store_close(sh.store);
        return 1;
    }
    sh.numbers = calloc(B_KEEP_NUMBERS, sizeof(*sh.numbers));
    if (!sh.numbers) {
        xt_store_close(sh.store);
        return 1;
    }
    printf("core_grids %zu\n", sh.grids.n);
    fflush(stdout);
    int failed = 0;
    for (int i = 0; i < nt; i++) {
        long errors, c0, j0, c1, j1;
        long long w0, sw0, w1, sw1;
        char last[600] = "";
        writer_counters(sh.store, &c0, &j0);
        io_counters(&w0, &sw0);
        double rate = run(&sh, create_main, threads[i], seconds, &errors, last, sizeof(last));
        writer_counters(sh.store, &c1, &j1);
        io_counters(&w1, &sw1);
        long jobs = j1 - j0 > 0 ? j1 - j0 : 1;
        printf("core_create_per_sec threads=%d %.0f errors=%ld avg_group=%.1f"
               " write_bytes_per_ticket=%.0f writes_per_ticket=%.1f\n",
               threads[i], rate, errors, c1 > c0 ? (double)(j1 - j0) / (double)(c1 - c0) : 0.0,
               (double)(w1 - w0) / (double)jobs, (double)(sw1 - sw0) / (double)jobs);
        if (errors) {
            fprintf(stderr, "bench_core: create: %ld errors, last: %s\n", errors, last);
            failed = 1;
        }
        fflush(stdout);
    }
    for (int i = 0; i < nr && atomic_load(&sh.n_numbers) > 0; i++) {
        long errors;
        char last[600] = "";
        double rate = run(&sh, get_main, rthreads[i], seconds, &errors, last, sizeof(last));
        printf("core_get_per_sec threads=%d %.0f errors=%ld\n", rthreads[i], rate, errors);
        if (errors) {
            fprintf(stderr, "bench_core: get: %ld errors, last: %s\n", errors, last);
            failed = 1;
        }
        fflush(stdout);
    }
    if (atomic_load(&sh.n_numbers) > 0 && nr > 0)
        get_parts(&sh, have_token ? token : NULL, seconds / 4);
    xt_store_close(sh.store);
    free(sh.numbers);
    free(sh.grids.code);
    return failed;
}
