/* test_crypto.c - passwords, tokens, key file, sealed fields and hashes. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/crypto.h"
#include "lib/err.h"

/* ---- helpers ------------------------------------------------------------ */

static char tmpdir[256];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/xt_test_crypto.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    DIR *d = opendir(tmpdir);
    if (!d)
        return -1;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
        unlink(path);
    }
    closedir(d);
    return rmdir(tmpdir);
}

static size_t count_dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void fixed_key(struct xt_key *key, unsigned char seed)
{
    for (size_t i = 0; i < sizeof(key->k); i++)
        key->k[i] = (unsigned char)(seed + i);
}

static bool is_lower_hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* ---- init and passwords ------------------------------------------------- */

static void test_init_idempotent(void **state)
{
    (void)state;
    assert_int_equal(xt_crypto_init(), 0);
    assert_int_equal(xt_crypto_init(), 0);
}

static void test_password_cheap(void **state)
{
    (void)state;
    char h1[XT_PWHASH_MAX], h2[XT_PWHASH_MAX];
    xt_password_set_cost(1);
    assert_int_equal(xt_password_hash("correct horse 电池", h1), 0);
    assert_int_equal(xt_password_hash("correct horse 电池", h2), 0);
    assert_true(strncmp(h1, "$argon2id$", 10) == 0);
    assert_non_null(strstr(h1, "m=8192,"));
    /* A fresh salt each time means equal passwords do not show as equal. */
    assert_string_not_equal(h1, h2);
    assert_true(xt_password_verify(h1, "correct horse 电池"));
    assert_true(xt_password_verify(h2, "correct horse 电池"));
    assert_false(xt_password_verify(h1, "correct horse 电"));
    assert_false(xt_password_verify(h1, ""));
    assert_false(xt_password_verify(h1, NULL));
    assert_false(xt_password_verify(NULL, "x"));
    assert_false(xt_password_verify("", "x"));
    assert_false(xt_password_verify("$argon2id$v=19$garbage", "x"));
}

static void test_password_empty_and_null(void **state)
{
    (void)state;
    char h[XT_PWHASH_MAX];
    xt_password_set_cost(1);
    assert_int_equal(xt_password_hash("", h), 0);
    assert_true(xt_password_verify(h, ""));
    assert_false(xt_password_verify(h, " "));
    snprintf(h, sizeof(h), "unchanged");
    assert_int_equal(xt_password_hash(NULL, h), XT_EINVAL);
    assert_string_equal(h, "unchanged");
}

static void test_password_interactive(void **state)
{
    (void)state;
    char h[XT_PWHASH_MAX];
    xt_password_set_cost(0);
    assert_int_equal(xt_password_hash("s3cret", h), 0);
    assert_non_null(strstr(h, "m=65536,t=2,"));
    /* The cost travels in the hash, so a cheap setting still verifies it. */
    xt_password_set_cost(1);
    assert_true(xt_password_verify(h, "s3cret"));
    assert_false(xt_password_verify(h, "s3cret "));
}

static void test_password_verify_overlong_hash(void **state)
{
    (void)state;
    char h[XT_PWHASH_MAX + 16];
    memset(h, 'a', sizeof(h) - 1);
    h[sizeof(h) - 1] = '\0';
    assert_false(xt_password_verify(h, "a"));
}

/* ---- tokens ------------------------------------------------------------- */

#define NTOKENS 200

static void test_token_shape_and_unique(void **state)
{
    (void)state;
    static char tokens[NTOKENS][XT_TOKEN_LEN + 1];
    for (int i = 0; i < NTOKENS; i++) {
        xt_token_new(tokens[i]);
        assert_int_equal(strlen(tokens[i]), XT_TOKEN_LEN);
        for (const char *p = tokens[i]; *p; p++)
            assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                        (*p >= '0' && *p <= '9') || *p == '-' || *p == '_');
    }
    for (int i = 0; i < NTOKENS; i++)
        for (int j = i + 1; j < NTOKENS; j++)
            assert_string_not_equal(tokens[i], tokens[j]);
}

static void test_token_digest(void **state)
{
    (void)state;
    char tok[XT_TOKEN_LEN + 1], d1[65], d2[65], d3[65], other[XT_TOKEN_LEN + 1];
    xt_token_new(tok);
    xt_token_digest(tok, d1);
    xt_token_digest(tok, d2);
    assert_true(is_lower_hex64(d1));
    assert_string_equal(d1, d2);
    xt_sha256_hex(tok, strlen(tok), d3);
    assert_string_equal(d1, d3);
    assert_null(strstr(d1, tok));
    xt_token_new(other);
    xt_token_digest(other, d2);
    assert_string_not_equal(d1, d2);
}

/* ---- hashes ------------------------------------------------------------- */

static void test_sha256_known_answers(void **state)
{
    (void)state;
    char h[65];
    xt_sha256_hex("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    xt_sha256_hex("", 0, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    xt_sha256_hex(NULL, 0, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_hmac_blind_index(void **state)
{
    (void)state;
    struct xt_key k1, k2;
    char a[65], b[65], c[65], d[65];
    fixed_key(&k1, 0);
    fixed_key(&k2, 1);
    xt_hmac_hex(&k1, "13812345678", 11, a);
    xt_hmac_hex(&k1, "13812345678", 11, b);
    xt_hmac_hex(&k2, "13812345678", 11, c);
    xt_hmac_hex(&k1, "13812345679", 11, d);
    assert_true(is_lower_hex64(a));
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d);
    /* Stored indexes depend on this exact value (subkey "xt-blind"/1 by
     * BLAKE2b, then HMAC-SHA-256); it was computed independently. */
    assert_string_equal(a, "d81b07c5d606c835337bc0fd705df909ff283978597f503ed7d00db18599778d");
}

/* ---- key file ----------------------------------------------------------- */

static void test_key_create_and_reload(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/field.key", tmpdir);
    struct xt_key k1, k2;
    assert_int_equal(xt_key_load_or_create(path, &k1), 0);

    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, 32);
    /* The temporary file used for atomic creation is gone. */
    assert_int_equal(count_dir_entries(tmpdir), 1);

    assert_int_equal(xt_key_load_or_create(path, &k2), 0);
    assert_memory_equal(k1.k, k2.k, sizeof(k1.k));

    unsigned char zero[32] = {0};
    assert_memory_not_equal(k1.k, zero, sizeof(zero));
    xt_key_wipe(&k2);
    assert_memory_equal(k2.k, zero, sizeof(zero));
    xt_key_wipe(NULL);
    unlink(path);
}

static void test_key_wrong_size_refused(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/short.key", tmpdir);
    unsigned char data[33];
    memset(data, 7, sizeof(data));
    struct xt_key k, before;
    fixed_key(&k, 9);
    before = k;

    write_file(path, data, 31);
    assert_int_equal(xt_key_load_or_create(path, &k), XT_EIO);
    assert_memory_equal(k.k, before.k, sizeof(k.k));
    write_file(path, data, 33);
    assert_int_equal(xt_key_load_or_create(path, &k), XT_EIO);
    write_file(path, data, 0);
    assert_int_equal(xt_key_load_or_create(path, &k), XT_EIO);
    /* A damaged key must be refused, never silently replaced. */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0);
    unlink(path);

    write_file(path, data, 32);
    assert_int_equal(xt_key_load_or_create(path, &k), 0);
    assert_memory_equal(k.k, data, 32);
    unlink(path);
}

static void test_key_bad_arguments(void **state)
{
    (void)state;
    struct xt_key k;
    char path[512];
    assert_int_equal(xt_key_load_or_create(NULL, &k), XT_EINVAL);
    assert_int_equal(xt_key_load_or_create("", &k), XT_EINVAL);
    snprintf(path, sizeof(path), "%s/x.key", tmpdir);
    assert_int_equal(xt_key_load_or_create(path, NULL), XT_EINVAL);
    /* A directory is not a key file. */
    assert_int_equal(xt_key_load_or_create(tmpdir, &k), XT_EIO);
    snprintf(path, sizeof(path), "%s/missing-dir/x.key", tmpdir);
    assert_int_equal(xt_key_load_or_create(path, &k), XT_EIO);
}

#define NTHREADS 8

struct key_race {
    const char *path;
    struct xt_key key;
    int rc;
};

static void *key_race_run(void *arg)
{
    struct key_race *r = arg;
    r->rc = xt_key_load_or_create(r->path, &r->key);
    return NULL;
}

static void test_key_concurrent_create(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/race.key", tmpdir);
    struct key_race races[NTHREADS];
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        races[i].path = path;
        races[i].rc = 1;
        assert_int_equal(pthread_create(&th[i], NULL, key_race_run, &races[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < NTHREADS; i++) {
        assert_int_equal(races[i].rc, 0);
        assert_memory_equal(races[i].key.k, races[0].key.k, sizeof(races[0].key.k));
    }
    assert_int_equal(count_dir_entries(tmpdir), 1);
    unlink(path);
}

/* ---- sealed fields ------------------------------------------------------ */

static void test_seal_round_trip(void **state)
{
    (void)state;
    struct xt_key key;
    fixed_key(&key, 3);
    const char *plain = "610102199003071234 手机13812345678";
    char *s1 = NULL, *s2 = NULL, *back = NULL;
    size_t n = 0;
    assert_int_equal(xt_seal(&key, plain, strlen(plain), &s1), 0);
    assert_true(strncmp(s1, "v1:", 3) == 0);
    /* Padded base64 of a 24-byte nonce, a 16-byte tag and the ciphertext. */
    assert_int_equal(strlen(s1), 3 + (24 + 16 + strlen(plain) + 2) / 3 * 4);
    assert_null(strstr(s1, "13812345678"));
    assert_null(strstr(s1, "610102"));
    assert_int_equal(xt_seal(&key, plain, strlen(plain), &s2), 0);
    assert_string_not_equal(s1, s2);

    assert_int_equal(xt_unseal(&key, s1, &back, &n), 0);
    assert_int_equal(n, strlen(plain));
    assert_string_equal(back, plain);
    free(back);
    back = NULL;
    assert_int_equal(xt_unseal(&key, s2, &back, NULL), 0);
    assert_string_equal(back, plain);
    free(back);
    free(s1);
    free(s2);
}

static void test_seal_empty_and_binary(void **state)
{
    (void)state;
    struct xt_key key;
    fixed_key(&key, 4);
    char *s = NULL, *back = NULL;
    size_t n = 99;
    assert_int_equal(xt_seal(&key, NULL, 0, &s), 0);
    assert_int_equal(xt_unseal(&key, s, &back, &n), 0);
    assert_int_equal(n, 0);
    assert_string_equal(back, "");
    free(s);
    free(back);

    const char bin[] = {'a', '\0', 'b', '\xff', '\0'};
    assert_int_equal(xt_seal(&key, bin, sizeof(bin), &s), 0);
    assert_int_equal(xt_unseal(&key, s, &back, &n), 0);
    assert_int_equal(n, sizeof(bin));
    assert_memory_equal(back, bin, sizeof(bin));
    assert_int_equal(back[n], '\0');
    free(s);
    free(back);
}

static void test_seal_bad_arguments(void **state)
{
    (void)state;
    struct xt_key key;
    fixed_key(&key, 5);
    char *s = NULL;
    assert_int_equal(xt_seal(NULL, "a", 1, &s), XT_EINVAL);
    assert_int_equal(xt_seal(&key, NULL, 1, &s), XT_EINVAL);
    assert_int_equal(xt_seal(&key, "a", 1, NULL), XT_EINVAL);
    assert_int_equal(xt_seal(&key, "a", XT_SEAL_MAX + 1, &s), XT_ETOOBIG);
    assert_null(s);
    assert_int_equal(xt_unseal(&key, NULL, &s, NULL), XT_EINVAL);
    assert_int_equal(xt_unseal(NULL, "v1:", &s, NULL), XT_EINVAL);
    assert_int_equal(xt_unseal(&key, "v1:", NULL, NULL), XT_EINVAL);
    assert_null(s);
}

/* Every malformed input must fail with XT_EINVAL and leave the outputs as
 * they were. */
static void expect_unseal_fails(const struct xt_key *key, const char *sealed)
{
    char sentinel[] = "unchanged";
    char *out = sentinel;
    size_t n = 12345;
    assert_int_equal(xt_unseal(key, sealed, &out, &n), XT_EINVAL);
    assert_ptr_equal(out, sentinel);
    assert_int_equal(n, 12345);
}

static char flip_b64(char c)
{
    return c == 'A' ? 'B' : 'A';
}

static void test_unseal_tampering(void **state)
{
    (void)state;
    struct xt_key key, wrong;
    fixed_key(&key, 6);
    fixed_key(&wrong, 7);
    const char *plain = "Abdulla Tursun 0930-1234567";
    char *s = NULL;
    assert_int_equal(xt_seal(&key, plain, strlen(plain), &s), 0);
    size_t len = strlen(s);
    char *t = malloc(len + 8);
    assert_non_null(t);

    /* A changed character in the nonce, the tag and the ciphertext. */
    size_t positions[] = {3 + 2, 3 + 40, 3 + 60, len - 6};
    for (size_t i = 0; i < sizeof(positions) / sizeof(positions[0]); i++) {
        memcpy(t, s, len + 1);
        t[positions[i]] = flip_b64(t[positions[i]]);
        expect_unseal_fails(&key, t);
    }
    /* A character outside the alphabet. */
    memcpy(t, s, len + 1);
    t[10] = '@';
    expect_unseal_fails(&key, t);

    expect_unseal_fails(&wrong, s);

    /* Truncated: by one character (bad padding), by a whole 4-character
     * group (valid base64, fails authentication), down to the prefix. */
    memcpy(t, s, len + 1);
    t[len - 1] = '\0';
    expect_unseal_fails(&key, t);
    t[len - 4] = '\0';
    expect_unseal_fails(&key, t);
    expect_unseal_fails(&key, "v1:");
    expect_unseal_fails(&key, "v1:AAAA");

    /* Extra data after the end. */
    memcpy(t, s, len + 1);
    memcpy(t + len, "AAAA", 5);
    expect_unseal_fails(&key, t);

    /* Missing or different prefix. */
    expect_unseal_fails(&key, s + 3);
    memcpy(t, s, len + 1);
    t[1] = '2';
    expect_unseal_fails(&key, t);
    expect_unseal_fails(&key, "");

    char *back = NULL;
    assert_int_equal(xt_unseal(&key, s, &back, NULL), 0);
    assert_string_equal(back, plain);
    free(back);
    free(t);
    free(s);
}

/* Seal nonces come from a per-thread pool of random bytes (crypto.c): over
 * several refills of the pool no nonce repeats, and a forked child does not
 * hand out the nonce its parent hands out next. */
static int nonce_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 33);
}

static void test_seal_nonces_unique(void **state)
{
    (void)state;
    struct xt_key key;
    fixed_key(&key, 5);
    enum { N = 1000 };
    static char nonces[N][33];
    for (int i = 0; i < N; i++) {
        char *s = NULL;
        assert_int_equal(xt_seal(&key, "x", 1, &s), 0);
        memcpy(nonces[i], s + 3, 32); /* 24 bytes of nonce are 32 base64 characters */
        nonces[i][32] = '\0';
        free(s);
    }
    qsort(nonces, N, sizeof(nonces[0]), nonce_cmp);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(nonces[i - 1], nonces[i]);

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *c = NULL;
        int ok = xt_seal(&key, "x", 1, &c) == 0 && write(fds[1], c + 3, 32) == 32;
        _exit(ok ? 0 : 1);
    }
    char *p = NULL, child[33] = "";
    assert_int_equal(xt_seal(&key, "x", 1, &p), 0);
    assert_int_equal(read(fds[0], child, 32), 32);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_not_equal(memcmp(p + 3, child, 32), 0);
    free(p);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_idempotent),
        cmocka_unit_test(test_password_cheap),
        cmocka_unit_test(test_password_empty_and_null),
        cmocka_unit_test(test_password_interactive),
        cmocka_unit_test(test_password_verify_overlong_hash),
        cmocka_unit_test(test_token_shape_and_unique),
        cmocka_unit_test(test_token_digest),
        cmocka_unit_test(test_sha256_known_answers),
        cmocka_unit_test(test_hmac_blind_index),
        cmocka_unit_test(test_key_create_and_reload),
        cmocka_unit_test(test_key_wrong_size_refused),
        cmocka_unit_test(test_key_bad_arguments),
        cmocka_unit_test(test_key_concurrent_create),
        cmocka_unit_test(test_seal_round_trip),
        cmocka_unit_test(test_seal_empty_and_binary),
        cmocka_unit_test(test_seal_bad_arguments),
        cmocka_unit_test(test_unseal_tampering),
        cmocka_unit_test(test_seal_nonces_unique),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
