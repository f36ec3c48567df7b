/* crypto.h - passwords, session tokens, sealed fields and hashes (libsodium).
 *
 * Invariants:
 * - Call xt_crypto_init once at start-up, before any thread uses this
 *   module; every function here also calls it, so forgetting it costs a
 *   little speed, not correctness. libsodium aborts the process if the
 *   system has no source of randomness; nothing here falls back to a weaker
 *   one.
 * - No function keeps a pointer it was given. Every out-parameter is
 *   caller-provided storage, except the char ** results of xt_seal and
 *   xt_unseal, which are malloc'd and owned by the caller (free them; wipe
 *   an unsealed secret with sodium_memzero first when it matters).
 * - A call that fails leaves its outputs untouched.
 * - Hex output is lower-case, 64 characters plus NUL.
 *
 * Formats that are stored and must not change without a new version tag:
 * - password hashes: the argon2id "$argon2id$v=19$m=...,t=...,p=1$..." string,
 *   which carries its own cost, so hashes made at either cost setting verify;
 * - sealed fields: "v1:" + base64 (original alphabet, padded) of
 *   nonce (24 bytes) || XChaCha20-Poly1305 secretbox (16-byte tag, then the
 *   ciphertext);
 * - blind indexes: HMAC-SHA-256 under a subkey derived from the field key
 *   (see xt_hmac_hex).
 */
#ifndef XT_CRYPTO_H
#define XT_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

/* Initialise libsodium. Thread-safe and idempotent; returns 0, or XT_EIO
 * when libsodium cannot start. */
int xt_crypto_init(void);

/* ---- passwords ---------------------------------------------------------- */

/* Room for an encoded hash including its NUL (crypto_pwhash_STRBYTES). */
#define XT_PWHASH_MAX 128

/* Hash password (borrowed, NUL-terminated) with argon2id into out.
 * Returns 0, XT_EINVAL for a NULL password, XT_ENOMEM when the memory the
 * cost needs cannot be had. */
int xt_password_hash(const char *password, char out[XT_PWHASH_MAX]);

/* cheap != 0 makes later xt_password_hash calls use the minimum argon2id
 * cost (opslimit crypto_pwhash_OPSLIMIT_MIN, 8 MiB) instead of the
 * interactive one (opslimit 2, 64 MiB). Only for tests and the demo, which
 * create many accounts; it is process-wide and safe to call from any
 * thread. */
void xt_password_set_cost(int cheap);

/* True when password matches hash (both borrowed, NUL-terminated). False
 * for NULL arguments, a malformed hash or a mismatch; the comparison is
 * constant-time. */
bool xt_password_verify(const char *hash, const char *password);

/* ---- session tokens ----------------------------------------------------- */

/* 32 random bytes as base64url without padding. */
#define XT_TOKEN_LEN 43

/* Write a new random token and its NUL into out. */
void xt_token_new(char out[XT_TOKEN_LEN + 1]);

/* SHA-256 hex of token (borrowed, NUL-terminated). The store keeps only
 * this digest, so a leaked database does not leak live sessions. */
void xt_token_digest(const char *token, char out[65]);

/* ---- sealed fields ------------------------------------------------------ */

/* Largest plaintext xt_seal accepts; fields are small, so more is a bug. */
#define XT_SEAL_MAX ((size_t)1 << 28)

struct xt_key {
    unsigned char k[32];
};

/* Read the 32-byte key file at path (borrowed) into key. When the file does
 * not exist, create it with mode 0600 from fresh random bytes; creation is
 * atomic, so concurrent starts agree on one key and a crash never leaves a
 * short file. Returns 0; XT_EINVAL for a NULL argument; XT_EIO when the file
 * cannot be read or written, is not a regular file, or does not hold
 * exactly 32 bytes (a damaged key is refused, never replaced, because data
 * sealed under it would be lost). */
int xt_key_load_or_create(const char *path, struct xt_key *key);

/* Seal plain[0..n) (borrowed; may hold any bytes; may be NULL when n is 0)
 * under key. *out receives a malloc'd NUL-terminated "v1:..." string owned
 * by the caller. Every call uses a fresh random nonce, so equal plaintexts
 * give different outputs; use xt_hmac_hex to look values up. Returns 0,
 * XT_EINVAL for NULL arguments, XT_ETOOBIG when n exceeds XT_SEAL_MAX,
 * XT_ENOMEM. */
int xt_seal(const struct xt_key *key, const char *plain, size_t n, char **out);

/* Open a string made by xt_seal. *out receives the plaintext, malloc'd,
 * owned by the caller, with a NUL after its *n bytes. Returns 0; XT_EINVAL
 * when sealed is NULL, lacks the "v1:" prefix, is not valid base64, is too
 * short, or fails authentication (tampering, truncation or the wrong key);
 * XT_ENOMEM. n may be NULL when the caller only wants the string. */
int xt_unseal(const struct xt_key *key, const char *sealed, char **out, size_t *n);

/* Overwrite key with zeros. key may be NULL. */
void xt_key_wipe(struct xt_key *key);

/* ---- hashes ------------------------------------------------------------- */

/* HMAC-SHA-256 hex of data[0..n) for a blind index: the store can find a
 * row by an exact value (a normalised phone number) without holding it in
 * clear. The HMAC key is derived from key with a fixed context rather than
 * being key itself, so the sealing key and the index key stay independent.
 * key must not be NULL; data may be NULL when n is 0. */
void xt_hmac_hex(const struct xt_key *key, const char *data, size_t n, char out[65]);

/* SHA-256 hex of data[0..n) (the audit log's hash chain). */
void xt_sha256_hex(const void *data, size_t n, char out[65]);

#endif
