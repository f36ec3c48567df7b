/* crypto.c - thin, opinionated wrappers over libsodium (see crypto.h). */
#include "lib/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/err.h"

/* The stored formats in crypto.h depend on these sizes. */
_Static_assert(XT_PWHASH_MAX == crypto_pwhash_STRBYTES, "XT_PWHASH_MAX must fit libsodium");
_Static_assert(sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING) ==
                   XT_TOKEN_LEN + 1,
               "XT_TOKEN_LEN must be 32 bytes in unpadded base64url");
_Static_assert(sizeof(((struct xt_key *)0)->k) == crypto_secretbox_xchacha20poly1305_KEYBYTES,
               "struct xt_key must hold a secretbox key");
_Static_assert(crypto_kdf_KEYBYTES == 32 && crypto_auth_hmacsha256_KEYBYTES == 32,
               "the blind-index subkey is derived from a 32-byte key");

#define SEAL_PREFIX "v1:"
#define SEAL_PREFIX_LEN (sizeof(SEAL_PREFIX) - 1)
#define SEAL_NONCE crypto_secretbox_xchacha20poly1305_NONCEBYTES
#define SEAL_MAC crypto_secretbox_xchacha20poly1305_MACBYTES
#define SEAL_B64 sodium_base64_VARIANT_ORIGINAL

/* Context and subkey id for the blind-index key; changing either changes
 * every stored index, so they are part of the format. */
#define BLIND_CONTEXT "xt-blind"
#define BLIND_SUBKEY_ID 1

#define CHEAP_MEMLIMIT ((size_t)8 << 20)

/* sodium_init is itself thread-safe and idempotent; the flag only spares
 * later calls its internal lock. */
static atomic_int crypto_ready;
static atomic_int password_cheap;

/* Seal nonces come from a per-thread pool of random bytes, refilled in one
 * call for 170 nonces: a bulk import seals millions of values, and one
 * getrandom system call per value was a tenth of its cost. Each nonce is
 * still 24 fresh random bytes, handed out once and wiped from the pool; a
 * forked child starts with an empty pool so it never repeats its parent's. */
#define NONCE_POOL (SEAL_NONCE * 170)
static _Thread_local unsigned char nonce_pool[NONCE_POOL];
static _Thread_local size_t nonce_left;

static void nonce_pool_forget(void)
{
    sodium_memzero(nonce_pool, sizeof(nonce_pool));
    nonce_left = 0;
}

static void nonce_next(unsigned char out[SEAL_NONCE])
{
    if (nonce_left < SEAL_NONCE) {
        randombytes_buf(nonce_pool, sizeof(nonce_pool));
        nonce_left = sizeof(nonce_pool);
    }
    unsigned char *at = nonce_pool + (sizeof(nonce_pool) - nonce_left);
    memcpy(out, at, SEAL_NONCE);
    sodium_memzero(at, SEAL_NONCE);
    nonce_left -= SEAL_NONCE;
}

static void init_once(void)
{
    pthread_atfork(NULL, NULL, nonce_pool_forget);
}

int xt_crypto_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    if (atomic_load_explicit(&crypto_ready, memory_order_acquire))
        return 0;
    if (sodium_init() < 0)
        return XT_EIO;
    pthread_once(&once, init_once);
    atomic_store_explicit(&crypto_ready, 1, memory_order_release);
    return 0;
}

/* Functions that cannot report an error rely on libsodium aborting when it
 * has no randomness, which is the only way sodium_init can fail. */
static void ensure_init(void)
{
    (void)xt_crypto_init();
}

/* ---- passwords ---------------------------------------------------------- */

void xt_password_set_cost(int cheap)
{
    atomic_store(&password_cheap, cheap != 0);
}

int xt_password_hash(const char *password, char out[XT_PWHASH_MAX])
{
    if (!password || !out)
        return XT_EINVAL;
    if (xt_crypto_init() != 0)
        return XT_EIO;
    unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    if (atomic_load(&password_cheap)) {
        ops = crypto_pwhash_OPSLIMIT_MIN;
        mem = CHEAP_MEMLIMIT;
    }
    char hash[XT_PWHASH_MAX];
    if (crypto_pwhash_str_alg(hash, password, strlen(password), ops, mem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return XT_ENOMEM;
    memcpy(out, hash, sizeof(hash));
    return 0;
}

bool xt_password_verify(const char *hash, const char *password)
{
    if (!hash || !password)
        return false;
    /* A stored hash never reaches the buffer size; a longer string is not
     * one of ours and libsodium's parameter expects at most that much. */
    if (strnlen(hash, XT_PWHASH_MAX) >= XT_PWHASH_MAX)
        return false;
    ensure_init();
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* ---- session tokens ----------------------------------------------------- */

void xt_token_new(char out[XT_TOKEN_LEN + 1])
{
    unsigned char raw[32];
    ensure_init();
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, XT_TOKEN_LEN + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

void xt_token_digest(const char *token, char out[65])
{
    if (!token)
        token = "";
    xt_sha256_hex(token, strlen(token), out);
}

/* ---- key file ----------------------------------------------------------- */

static ssize_t read_full(int fd, unsigned char *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, p + done, n - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (ssize_t)done;
}

static int write_full(int fd, const unsigned char *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    return 0;
}

/* XT_ENOTFOUND when there is no file, so the caller knows it may create
 * one; any other failure is XT_EIO. */
static int key_read(const char *path, struct xt_key *key)
{
    unsigned char k[sizeof(key->k) + 1];
    int rc = XT_EIO;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? XT_ENOTFOUND : XT_EIO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != (off_t)sizeof(key->k))
        goto out;
    /* Reading one byte more than expected catches a file that grew after
     * fstat. */
    if (read_full(fd, k, sizeof(k)) != (ssize_t)sizeof(key->k))
        goto out;
    memcpy(key->k, k, sizeof(key->k));
    rc = 0;
out:
    sodium_memzero(k, sizeof(k));
    close(fd);
    return rc;
}

/* Fsync the directory holding path, so that a new name survives a power
 * cut; without it the key could vanish while data sealed under it stays. */
static int sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (!slash)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (!dir)
        return XT_ENOMEM;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return XT_EIO;
    int rc = fsync(fd) == 0 ? 0 : XT_EIO;
    close(fd);
    return rc;
}

/* Write a complete key under a temporary name, then link it into place:
 * link() never replaces an existing file, so two processes starting at once
 * cannot each keep a different key, and a crash leaves either no key file
 * or a whole one. XT_EEXIST means another process won; its key is as good. */
static int key_create(const char *path)
{
    static const char suffix[] = ".tmp.XXXXXX";
    unsigned char k[32];
    size_t n = strlen(path);
    char *tmp = malloc(n + sizeof(suffix));
    if (!tmp)
        return XT_ENOMEM;
    memcpy(tmp, path, n);
    memcpy(tmp + n, suffix, sizeof(suffix));

    int rc = XT_EIO;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return XT_EIO;
    }
    randombytes_buf(k, sizeof(k));
    /* mkstemp already uses 0600 less the umask; fchmod makes it exact. */
    if (fchmod(fd, S_IRUSR | S_IWUSR) != 0 || write_full(fd, k, sizeof(k)) != 0 || fsync(fd) != 0) {
        close(fd);
        goto out;
    }
    if (close(fd) != 0)
        goto out;
    if (link(tmp, path) != 0) {
        rc = errno == EEXIST ? XT_EEXIST : XT_EIO;
        goto out;
    }
    rc = sync_parent_dir(path);
out:
    sodium_memzero(k, sizeof(k));
    unlink(tmp);
    free(tmp);
    return rc;
}

int xt_key_load_or_create(const char *path, struct xt_key *key)
{
    if (!path || !*path || !key)
        return XT_EINVAL;
    if (xt_crypto_init() != 0)
        return XT_EIO;
    int rc = key_read(path, key);
    if (rc != XT_ENOTFOUND)
        return rc;
    rc = key_create(path);
    if (rc != 0 && rc != XT_EEXIST)
        return rc;
    /* Read back what is on disk rather than trusting memory, so every
     * process ends up with the key that was actually kept. */
    rc = key_read(path, key);
    return rc == XT_ENOTFOUND ? XT_EIO : rc;
}

void xt_key_wipe(struct xt_key *key)
{
    if (key)
        sodium_memzero(key->k, sizeof(key->k));
}

/* ---- sealed fields ------------------------------------------------------ */

int xt_seal(const struct xt_key *key, const char *plain, size_t n, char **out)
{
    static const unsigned char empty[1];
    if (!key || !out || (!plain && n > 0))
        return XT_EINVAL;
    if (n > XT_SEAL_MAX)
        return XT_ETOOBIG;
    ensure_init();
    const unsigned char *m = plain ? (const unsigned char *)plain : empty;
    size_t binlen = SEAL_NONCE + SEAL_MAC + n;
    unsigned char *bin = malloc(binlen);
    if (!bin)
        return XT_ENOMEM;
    /* A 24-byte random nonce makes a repeat negligible even over billions
     * of fields under one key, so no counter needs to be kept. */
    nonce_next(bin);
    crypto_secretbox_xchacha20poly1305_easy(bin + SEAL_NONCE, m, n, bin, key->k);

    size_t b64len = sodium_base64_ENCODED_LEN(binlen, SEAL_B64);
    char *s = malloc(SEAL_PREFIX_LEN + b64len);
    if (!s) {
        free(bin);
        return XT_ENOMEM;
    }
    memcpy(s, SEAL_PREFIX, SEAL_PREFIX_LEN);
    sodium_bin2base64(s + SEAL_PREFIX_LEN, b64len, bin, binlen, SEAL_B64);
    free(bin);
    *out = s;
    return 0;
}

int xt_unseal(const struct xt_key *key, const char *sealed, char **out, size_t *n)
{
    if (!key || !sealed || !out)
        return XT_EINVAL;
    if (strncmp(sealed, SEAL_PREFIX, SEAL_PREFIX_LEN) != 0)
        return XT_EINVAL;
    ensure_init();
    const char *b64 = sealed + SEAL_PREFIX_LEN;
    size_t b64len = strlen(b64);
    size_t cap = b64len / 4 * 3 + 3;
    int rc = XT_EINVAL;
    unsigned char *plain = NULL;
    unsigned char *bin = malloc(cap);
    if (!bin)
        return XT_ENOMEM;
    size_t binlen = 0;
    const char *end = NULL;
    /* Passing end makes libsodium stop at a stray character instead of
     * failing, so the whole string must have been consumed. */
    if (sodium_base642bin(bin, cap, b64, b64len, NULL, &binlen, &end, SEAL_B64) != 0 ||
        end != b64 + b64len || binlen < SEAL_NONCE + SEAL_MAC)
        goto out;
    size_t plen = binlen - SEAL_NONCE - SEAL_MAC;
    plain = malloc(plen + 1);
    if (!plain) {
        rc = XT_ENOMEM;
        goto out;
    }
    if (crypto_secretbox_xchacha20poly1305_open_easy(plain, bin + SEAL_NONCE, binlen - SEAL_NONCE,
                                                     bin, key->k) != 0)
        goto out;
    plain[plen] = '\0';
    *out = (char *)plain;
    if (n)
        *n = plen;
    plain = NULL;
    rc = 0;
out:
    free(plain);
    free(bin);
    return rc;
}

/* ---- hashes ------------------------------------------------------------- */

void xt_hmac_hex(const struct xt_key *key, const char *data, size_t n, char out[65])
{
    static const unsigned char empty[1];
    unsigned char sub[crypto_auth_hmacsha256_KEYBYTES];
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    ensure_init();
    crypto_kdf_derive_from_key(sub, sizeof(sub), BLIND_SUBKEY_ID, BLIND_CONTEXT, key->k);
    crypto_auth_hmacsha256(mac, data ? (const unsigned char *)data : empty, data ? n : 0, sub);
    sodium_memzero(sub, sizeof(sub));
    sodium_bin2hex(out, 65, mac, sizeof(mac));
}

void xt_sha256_hex(const void *data, size_t n, char out[65])
{
    static const unsigned char empty[1];
    unsigned char h[crypto_hash_sha256_BYTES];
    ensure_init();
    crypto_hash_sha256(h, data ? data : empty, data ? n : 0);
    sodium_bin2hex(out, 65, h, sizeof(h));
}
