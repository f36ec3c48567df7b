/* privacy.c - masking and checking of names, phone numbers and ID numbers. */
#include "core/privacy.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lib/utf8.h"

/* ---- bounded output ----------------------------------------------------- */

/* Appends whole characters to caller storage. Once one does not fit,
 * nothing more is written, so the result is a clean prefix of the full
 * mask rather than a mask with a hole in it. */
struct mask_out {
    char *p;
    size_t size;
    size_t len;
    bool full;
};

static void out_init(struct mask_out *o, char *p, size_t size)
{
    o->p = p;
    o->size = p ? size : 0;
    o->len = 0;
    o->full = o->size == 0;
    if (o->size > 0)
        p[0] = '\0';
}

static void out_put(struct mask_out *o, const char *s, size_t n)
{
    if (o->full || n >= o->size - o->len) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void out_stars(struct mask_out *o, size_t count)
{
    for (size_t i = 0; i < count; i++)
        out_put(o, "*", 1);
}

/* ---- shared helpers ----------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

static bool all_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* The fallback for values of no known shape: keep the last 2 characters
 * when at least one other stays hidden. s[0..n) is valid UTF-8. */
static void mask_keep_last2(const char *s, size_t n, struct mask_out *o)
{
    size_t count = xt_utf8_count(s, n);
    if (count < 3) {
        out_stars(o, count);
        return;
    }
    out_stars(o, count - 2);
    size_t seen = 0, i = 0;
    for (; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && seen++ == count - 2)
            break;
    out_put(o, s + i, n - i);
}

/* ---- names -------------------------------------------------------------- */

void xt_mask_name(const char *name, char *out, size_t outsz)
{
    struct mask_out o;
    out_init(&o, out, outsz);
    if (!name)
        return;
    size_t n = strlen(name);
    if (!xt_utf8_valid(name, n)) {
        out_stars(&o, n);
        return;
    }
    size_t count = xt_utf8_count(name, n);
    if (count == 0)
        return;
    if (count == 1) {
        out_put(&o, "*", 1);
        return;
    }
    uint32_t cp;
    int first = xt_utf8_decode(name, &cp);
    out_put(&o, name, (size_t)first);
    out_stars(&o, count - 1);
}

/* Control characters break logs, CSV exports and the console's layout;
 * U+2028/U+2029 count because browsers and JSON tools treat them as line
 * breaks. */
static bool is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

static bool is_space(uint32_t cp)
{
    return cp == ' ' || cp == 0xA0 || cp == 0x3000; /* 0x3000: 全角空格 */
}

int xt_name_check(const char *name, struct xt_error *err)
{
    static const char field[] = "contact.name";
    if (!name || !*name)
        return xt_error_set(err, XT_EINVAL, field, "is required");
    size_t n = strlen(name);
    if (!xt_utf8_valid(name, n))
        return xt_error_set(err, XT_EINVAL, field, "is not valid UTF-8");
    size_t count = xt_utf8_count(name, n);
    if (count > XT_PERSON_NAME_MAX_CHARS)
        return xt_error_set(err, XT_EINVAL, field, "must be at most %d characters, got %zu",
                            XT_PERSON_NAME_MAX_CHARS, count);
    bool blank = true;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += (size_t)xt_utf8_decode(name + i, &cp);
        if (is_control(cp))
            return xt_error_set(err, XT_EINVAL, field, "must not contain control characters");
        if (!is_space(cp))
            blank = false;
    }
    if (blank)
        return xt_error_set(err, XT_EINVAL, field, "must not be only spaces");
    return 0;
}

/* ---- phone numbers ------------------------------------------------------ */

enum phone_kind {
    PHONE_NONE = 0,
    PHONE_MOBILE = 1,
    PHONE_LANDLINE = 2,
};

/* Where the parts of a phone number lie. area_len counts the leading '0';
 * sep is 1 when a '-' follows the area code. */
struct phone_parts {
    size_t prefix_len; /* "+86" and its optional separator */
    size_t area_len;
    size_t sep;
    size_t local_len;
};

static size_t phone_prefix_len(const char *s)
{
    if (strncmp(s, "+86", 3) != 0)
        return 0;
    return (s[3] == ' ' || s[3] == '-') ? 4 : 3;
}

/* The shape of s[0..n). strict applies the rules xt_phone_check enforces
 * beyond shape: a mobile's second digit and a real area code. Without a
 * '-' the area code length comes from the numbering plan (010 and 02x are
 * the only 2-digit codes), which is what masking needs to keep the right
 * digits. */
static enum phone_kind phone_parse(const char *s, size_t n, bool strict, struct phone_parts *pp)
{
    memset(pp, 0, sizeof(*pp));
    pp->prefix_len = phone_prefix_len(s);
    const char *b = s + pp->prefix_len;
    size_t bn = n - pp->prefix_len;
    if (bn == 11 && b[0] == '1' && all_digits(b, bn)) {
        if (strict && (b[1] < '3' || b[1] > '9'))
            return PHONE_NONE;
        pp->local_len = 11;
        return PHONE_MOBILE;
    }
    if (bn < 2 || b[0] != '0' || (strict && b[1] == '0'))
        return PHONE_NONE;
    const char *dash = memchr(b, '-', bn);
    if (dash) {
        pp->area_len = (size_t)(dash - b);
        pp->sep = 1;
    } else {
        pp->area_len = (b[1] == '1' || b[1] == '2') ? 3 : 4;
    }
    if (pp->area_len < 3 || pp->area_len > 4 || pp->area_len + pp->sep > bn)
        return PHONE_NONE;
    pp->local_len = bn - pp->area_len - pp->sep;
    if (!all_digits(b, pp->area_len) || !all_digits(b + pp->area_len + pp->sep, pp->local_len))
        return PHONE_NONE;
    if (pp->local_len < 7 || pp->local_len > 8) {
        /* Without a '-' the check only needs 10-12 digits in all, since
         * either split may be meant; masking wants the plan's split. */
        if (!strict || dash || bn < 10 || bn > 12)
            return PHONE_NONE;
    }
    return PHONE_LANDLINE;
}

void xt_mask_phone(const char *phone, char *out, size_t outsz)
{
    struct mask_out o;
    out_init(&o, out, outsz);
    if (!phone)
        return;
    size_t n = strlen(phone);
    if (!xt_utf8_valid(phone, n)) {
        out_stars(&o, n);
        return;
    }
    struct phone_parts pp;
    const char *b = phone + phone_prefix_len(phone);
    switch (phone_parse(phone, n, false, &pp)) {
    case PHONE_MOBILE:
        out_put(&o, phone, pp.prefix_len + 3);
        out_stars(&o, 4);
        out_put(&o, b + 7, 4);
        return;
    case PHONE_LANDLINE:
        out_put(&o, phone, pp.prefix_len + pp.area_len + pp.sep);
        out_stars(&o, pp.local_len - 2);
        out_put(&o, phone + n - 2, 2);
        return;
    default:
        mask_keep_last2(phone, n, &o);
        return;
    }
}

int xt_phone_check(const char *phone, struct xt_error *err)
{
    static const char field[] = "contact.phone";
    if (!phone || !*phone)
        return xt_error_set(err, XT_EINVAL, field, "is required");
    size_t n = strlen(phone);
    struct phone_parts pp;
    if (phone_parse(phone, n, true, &pp) != PHONE_NONE)
        return 0;

    /* Say which rule failed, without echoing the number into logs. */
    if (phone[0] == '+' && pp.prefix_len == 0)
        return xt_error_set(err, XT_EINVAL, field, "only the country code \"+86\" is accepted");
    const char *b = phone + pp.prefix_len;
    size_t bn = n - pp.prefix_len;
    for (size_t i = 0; i < bn; i++)
        if (!is_digit(b[i]) && b[i] != '-')
            return xt_error_set(err, XT_EINVAL, field,
                                "may contain only digits, a leading \"+86\" and a '-' after "
                                "the area code");
    if (b[0] == '1') {
        if (bn != 11 || !all_digits(b, bn))
            return xt_error_set(err, XT_EINVAL, field,
                                "a mobile number must be 11 digits without separators");
        return xt_error_set(err, XT_EINVAL, field, "a mobile number must start with 13 to 19");
    }
    if (b[0] == '0')
        return xt_error_set(err, XT_EINVAL, field,
                            "a landline must be 0, a 2-3 digit area code, an optional '-' and "
                            "7-8 digits, such as 0930-1234567");
    return xt_error_set(err, XT_EINVAL, field,
                        "must be an 11-digit mobile number or a landline starting with 0, "
                        "such as 0930-1234567");
}

/* ---- ID numbers --------------------------------------------------------- */

void xt_mask_id_number(const char *id, char *out, size_t outsz)
{
    struct mask_out o;
    out_init(&o, out, outsz);
    if (!id)
        return;
    size_t n = strlen(id);
    if (!xt_utf8_valid(id, n)) {
        out_stars(&o, n);
        return;
    }
    /* The hidden span is exactly the birth date (YYYYMMDD, or YYMMDD in
     * the 15-character form): with the region code it narrows a person
     * down the most, while region and tail let staff tell records apart. */
    if (all_ascii(id, n) && (n == 18 || n == 15)) {
        size_t tail = n == 18 ? 4 : 3;
        out_put(&o, id, 6);
        out_stars(&o, n - 6 - tail);
        out_put(&o, id + n - tail, tail);
        return;
    }
    mask_keep_last2(id, n, &o);
}
