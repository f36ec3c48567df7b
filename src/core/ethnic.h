/* ethnic.h - the 56 ethnic groups (民族) with their GB 3304-91 codes.
 *
 * Codes are two digits, 01 (汉族) to 56 (基诺族), in the order of the
 * standard; the romanised name is the one GB 3304 gives. The table is
 * static and read-only; every pointer returned points into it.
 */
#ifndef XT_ETHNIC_H
#define XT_ETHNIC_H

#define XT_ETHNIC_COUNT 56

struct xt_ethnic {
    int code;          /* 1..56 */
    const char *zh;    /* 汉族 */
    const char *roman; /* Han (GB 3304 romanisation) */
    const char *abbr;  /* HA (GB 3304 two-letter code) */
};

/* The group of a code 1..56, or NULL. */
const struct xt_ethnic *xt_ethnic_by_code(int code);

/* Parse a group as departments write it: the two-digit code ("03", "3"),
 * the Chinese name with or without 族 ("回族", "回"), the romanised name
 * or two-letter code, case-insensitive ("Hui", "HU"). NULL when unknown. */
const struct xt_ethnic *xt_ethnic_parse(const char *s);

#endif
