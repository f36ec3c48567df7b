/* idcard.h - resident identity numbers (公民身份号码, GB 11643-1999).
 *
 * An 18-character number is a 6-digit region code (where the number was
 * first issued), an 8-digit birth date YYYYMMDD, a 3-digit sequence whose
 * parity gives the sex (odd male, even female) and a check character
 * computed by ISO 7064 MOD 11-2 over the first 17 digits ('0'..'9' or 'X').
 * Pure functions: no I/O, no allocation.
 */
#ifndef XT_IDCARD_H
#define XT_IDCARD_H

#include <stdbool.h>

#include "lib/err.h"

#define XT_IDCARD_LEN 18

enum xt_sex {
    XT_SEX_UNKNOWN = 0,
    XT_SEX_MALE = 1,
    XT_SEX_FEMALE = 2,
};

/* What a valid number says about its holder. */
struct xt_idcard {
    char number[XT_IDCARD_LEN + 1]; /* normalised: upper-case 'X' */
    char region[7];                 /* 6-digit region code */
    char birth[9];                  /* YYYYMMDD */
    int year, month, day;
    int sex; /* enum xt_sex */
};

/* The check character of the first 17 characters of first17 (borrowed),
 * or 0 when they are not 17 digits. */
char xt_idcard_check_char(const char *first17);

/* True when y-m-d is a real Gregorian date between 1900-01-01 and
 * 2099-12-31. */
bool xt_date_valid(int y, int m, int d);

/* Validate id (borrowed; surrounding spaces and a lower-case 'x' are
 * accepted) and fill out (may be NULL). today (YYYYMMDD as an int, 0 to
 * skip the check) refuses birth dates in the future. Returns 0 or
 * XT_EINVAL with err naming field and a reason that never repeats the
 * number: wrong length, not digits, bad birth date, birth date in the
 * future, wrong check digit. */
int xt_idcard_parse(const char *id, int today, const char *field, struct xt_idcard *out,
                    struct xt_error *err);

/* Write into out a number with a correct check character from region (6
 * digits), a birth date and a sequence 0..999 (its parity is the sex).
 * Returns 0, or XT_EINVAL for a bad region, date or sequence. */
int xt_idcard_make(const char *region, int y, int m, int d, int seq,
                   char out[XT_IDCARD_LEN + 1]);

#endif
