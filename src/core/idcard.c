/* idcard.c - GB 11643 identity numbers: check character, birth date, sex. */
#include "core/idcard.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ISO 7064 MOD 11-2: weights 2^(17-i) mod 11 for positions 0..16, and the
 * check character for each remainder of the weighted sum. */
static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char check_chars[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

char xt_idcard_check_char(const char *first17)
{
    if (!first17)
        return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (first17[i] < '0' || first17[i] > '9')
            return 0;
        sum += (first17[i] - '0') * weights[i];
    }
    return check_chars[sum % 11];
}

bool xt_date_valid(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1)
        return false;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 ? leap : 0);
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

int xt_idcard_parse(const char *id, int today, const char *field, struct xt_idcard *out,
                    struct xt_error *err)
{
    if (!field)
        field = "id_number";
    if (!id)
        return xt_error_set(err, XT_EINVAL, field, "is required");
    while (*id == ' ')
        id++;
    size_t n = strlen(id);
    while (n > 0 && id[n - 1] == ' ')
        n--;
    if (n != XT_IDCARD_LEN)
        return xt_error_set(err, XT_EINVAL, field, "must be 18 characters, not %zu", n);
    char num[XT_IDCARD_LEN + 1];
    memcpy(num, id, XT_IDCARD_LEN);
    num[XT_IDCARD_LEN] = '\0';
    if (num[17] == 'x')
        num[17] = 'X';
    for (int i = 0; i < 17; i++)
        if (!isdigit((unsigned char)num[i]))
            return xt_error_set(err, XT_EINVAL, field, "the first 17 characters must be digits");
    if (!isdigit((unsigned char)num[17]) && num[17] != 'X')
        return xt_error_set(err, XT_EINVAL, field, "the last character must be a digit or X");
    int y = digits(num + 6, 4), m = digits(num + 10, 2), d = digits(num + 12, 2);
    if (!xt_date_valid(y, m, d))
        return xt_error_set(err, XT_EINVAL, field, "holds no valid birth date");
    if (today > 0 && y * 10000 + m * 100 + d > today)
        return xt_error_set(err, XT_EINVAL, field, "holds a birth date in the future");
    if (xt_idcard_check_char(num) != num[17])
        return xt_error_set(err, XT_EINVAL, field, "wrong check digit");
    if (out) {
        memcpy(out->number, num, sizeof(out->number));
        memcpy(out->region, num, 6);
        out->region[6] = '\0';
        memcpy(out->birth, num + 6, 8);
        out->birth[8] = '\0';
        out->year = y;
        out->month = m;
        out->day = d;
        out->sex = (num[16] - '0') % 2 ? XT_SEX_MALE : XT_SEX_FEMALE;
    }
    return 0;
}

int xt_idcard_make(const char *region, int y, int m, int d, int seq,
                   char out[XT_IDCARD_LEN + 1])
{
    if (!region || strlen(region) != 6 || strspn(region, "0123456789") != 6 ||
        !xt_date_valid(y, m, d) || seq < 0 || seq > 999)
        return XT_EINVAL;
    char buf[XT_IDCARD_LEN + 1];
    snprintf(buf, sizeof(buf), "%.6s%04d%02d%02d%03d", region, y, m, d, seq);
    buf[17] = xt_idcard_check_char(buf);
    buf[18] = '\0';
    memcpy(out, buf, sizeof(buf));
    return 0;
}
