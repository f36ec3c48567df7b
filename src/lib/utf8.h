/* utf8.h - UTF-8 validation and counting. */
#ifndef XT_UTF8_H
#define XT_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, no
 * NUL bytes). */
bool xt_utf8_valid(const char *s, size_t n);
/* Number of code points in a valid string. */
size_t xt_utf8_count(const char *s, size_t n);
/* Decode one code point at s (valid input assumed); returns bytes used. */
int xt_utf8_decode(const char *s, uint32_t *cp);

#endif
