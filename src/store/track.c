/* track.c - tracking codes for requests filed without an account.
 *
 * A resident who files without an account is given, once, a 10-digit code
 * beside the ticket number; with both he can follow the request and rate
 * it at callback. The store keeps only an HMAC of (number, code) under a
 * key derived from the field key, so a copied database does not give the
 * codes away. A check compares in constant time, and five wrong codes in a
 * row lock the number for 15 minutes: a guesser gets about 480 tries a
 * day against 10^10 codes. */
#include "store/store_int.h"

#include <sodium.h>
#include <string.h>

#define TRACK_MAX_FAILS 5
#define TRACK_LOCK_SECS (15 * 60)

static void code_hash(struct xt_store *s, const char *number, const char *code, char out[65])
{
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "track:%s:%s", number, code);
    xt_hmac_hex(&s->key, buf, n > 0 ? (size_t)n : 0, out);
    sodium_memzero(buf, sizeof(buf));
}

struct track_job {
    const char *number;
    const char *hash; /* issue: the new hash; NULL for a check's bookkeeping */
    bool failed;      /* check: a wrong code */
    int64_t now;
};

static int track_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    (void)s;
    struct track_job *j = arg;
    struct xt_stmt *st;
    if (j->hash) {
        st = xt_conn_stmt(c, "INSERT INTO ticket_tracking(number, code_hash, issued_at, failures,"
                             " locked_until) VALUES(?1, ?2, ?3, 0, 0) ON CONFLICT(number) DO UPDATE"
                             " SET code_hash=excluded.code_hash, issued_at=excluded.issued_at,"
                             " failures=0, locked_until=0");
        if (!st)
            return XT_EIO;
        xt_bind_text(st, 1, j->number);
        xt_bind_text(st, 2, j->hash);
        xt_bind_int(st, 3, j->now);
    } else if (j->failed) {
        st = xt_conn_stmt(c,
                          "UPDATE ticket_tracking SET"
                          " locked_until=CASE WHEN failures+1 >= ?2 THEN ?3 ELSE locked_until END,"
                          " failures=CASE WHEN failures+1 >= ?2 THEN 0 ELSE failures+1 END"
                          " WHERE number=?1");
        if (!st)
            return XT_EIO;
        xt_bind_text(st, 1, j->number);
        xt_bind_int(st, 2, TRACK_MAX_FAILS);
        xt_bind_int(st, 3, j->now + TRACK_LOCK_SECS);
    } else {
        st = xt_conn_stmt(c, "UPDATE ticket_tracking SET failures=0 WHERE number=?1");
        if (!st)
            return XT_EIO;
        xt_bind_text(st, 1, j->number);
    }
    return xt_step(st) < 0 ? XT_EIO : 0;
}

int xt_store_track_issue(struct xt_store *s, const char *number, int64_t now,
                         char code_out[XT_TRACK_CODE_LEN + 1], struct xt_error *err)
{
    char code[XT_TRACK_CODE_LEN + 1];
    for (int i = 0; i < XT_TRACK_CODE_LEN; i++)
        code[i] = (char)('0' + randombytes_uniform(10));
    code[XT_TRACK_CODE_LEN] = '\0';
    char hash[65];
    code_hash(s, number, code, hash);
    struct track_job j = {number, hash, false, now};
    int rc = xt_store_write(s, track_job, &j);
    if (rc) {
        sodium_memzero(code, sizeof(code));
        return xt_error_set(err, XT_EIO, "", "cannot store the tracking code");
    }
    memcpy(code_out, code, sizeof(code));
    sodium_memzero(code, sizeof(code));
    return 0;
}

int xt_store_track_check(struct xt_store *s, const char *number, const char *code, int64_t now,
                         struct xt_error *err)
{
    if (!code || strlen(code) != XT_TRACK_CODE_LEN ||
        strspn(code, "0123456789") != XT_TRACK_CODE_LEN)
        return xt_error_set(err, XT_EINVAL, "code", "must be the 10 digits given when filing");
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT code_hash, failures, locked_until"
                                         " FROM ticket_tracking WHERE number=?1");
    char stored[65] = "";
    int64_t failures = 0, locked_until = 0;
    bool found = false;
    if (st) {
        xt_bind_text(st, 1, number);
        if (xt_step(st) == 1) {
            snprintf(stored, sizeof(stored), "%s", xt_col_text(st, 0));
            failures = xt_col_int(st, 1);
            locked_until = xt_col_int(st, 2);
            found = strlen(stored) == 64;
        }
        xt_reset(st);
    }
    xt_store_reader_put(s, c);
    if (found && locked_until > now)
        return xt_error_set(err, XT_EBUSY, "code",
                            "too many wrong codes for this number; try again in %lld minutes",
                            (long long)((locked_until - now + 59) / 60));
    char hash[65];
    code_hash(s, number, code, hash);
    /* An unknown number and a wrong code answer alike. */
    bool ok = found && sodium_memcmp(hash, stored, 64) == 0;
    if (!found)
        return xt_error_set(err, XT_ENOTFOUND, "code", "no request with this number and code");
    if (ok && failures == 0)
        return 0;
    struct track_job j = {number, NULL, !ok, now};
    if (xt_store_write(s, track_job, &j))
        return xt_error_set(err, XT_EIO, "", "cannot record the check");
    if (!ok)
        return xt_error_set(err, XT_ENOTFOUND, "code", "no request with this number and code");
    return 0;
}
