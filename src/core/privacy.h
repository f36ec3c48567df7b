/* privacy.h - masking and checking of personal fields (个人信息保护).
 *
 * Protected fields leave the server masked unless the caller's role may see
 * them; these functions produce the masked form and check the clear form on
 * input. They are pure: no I/O, no allocation, no global state.
 *
 * Invariants for the mask functions:
 * - input is borrowed and may be NULL (treated as ""); out is caller storage
 *   of outsz bytes and is always NUL-terminated when outsz > 0;
 * - a result that does not fit is cut at a character boundary, never in the
 *   middle of a UTF-8 sequence;
 * - a masked value never shows its whole input: values too short to keep
 *   anything back become all stars;
 * - input that is not valid UTF-8 comes back as one '*' per byte, so broken
 *   data cannot leak through a branch that did not expect it.
 *
 * The check functions fill err (which may be NULL) with field "contact.name"
 * or "contact.phone" and a reason that never repeats the value, since
 * errors are logged and personal data must not be.
 */
#ifndef XT_PRIVACY_H
#define XT_PRIVACY_H

#include <stddef.h>

#include "lib/err.h"

/* Longest name xt_name_check accepts, in characters (code points). */
#define XT_PERSON_NAME_MAX_CHARS 40

/* Keep the first character and replace every other one by '*':
 * 张三 → 张*, 欧阳娜娜 → 欧***, Abdulla → A******, a single character → *. */
void xt_mask_name(const char *name, char *out, size_t outsz);

/* An 11-digit mobile number keeps its first 3 and last 4 digits
 * (13812345678 → 138****5678); a landline keeps its area code, the '-' if
 * any, and its last 2 digits (0930-1234567 → 0930-*****67; without '-' the
 * area code is told by the numbering plan: 010 and 02x are 3 digits, the
 * rest 4). A "+86" prefix, with an optional space or '-' after it, is kept.
 * Anything else keeps its last 2 characters and stars the rest. */
void xt_mask_phone(const char *phone, char *out, size_t outsz);

/* An 18-character resident ID keeps its first 6 and last 4 characters
 * (the region code and the sequence/check digits) and stars the 8-digit
 * birth date; a 15-character old-style ID keeps its first 6 and last 3 and
 * stars the 6-digit birth date. Anything else keeps its last 2 characters. */
void xt_mask_id_number(const char *id, char *out, size_t outsz);

/* Accept a Chinese mobile number (11 digits, 1[3-9]...) or landline ('0',
 * a 2-3 digit area code not starting with 0, an optional '-', 7-8 digits),
 * optionally after "+86" and an optional space or '-'. Returns 0 or
 * XT_EINVAL with field "contact.phone". */
int xt_phone_check(const char *phone, struct xt_error *err);

/* Accept 1 to XT_PERSON_NAME_MAX_CHARS characters of valid UTF-8 with no
 * control characters (C0, DEL, C1, U+2028/U+2029 line breaks) and not only
 * spaces. Returns 0 or XT_EINVAL with field "contact.name". */
int xt_name_check(const char *name, struct xt_error *err);

#endif
