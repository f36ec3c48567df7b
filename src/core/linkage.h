/* linkage.h - record linkage of people across departmental lists (一网整合).
 *
 * The rule, in order:
 * 1. Exact on the ID number: two rows with the same blind index of a valid
 *    ID number are one person (score 1, how "id"). Two different valid ID
 *    numbers are never one person, whatever else agrees.
 * 2. Otherwise a fuzzy score in 0..1 against the people of the same
 *    village who share the birth date or the normalised name (blocking):
 *      score = 0.45 * name + 0.35 * birth + 0.20 * place
 *    name:  1 - Levenshtein distance / longer length, in characters, after
 *           normalisation (spaces and middle-dot variants · • . ・ removed,
 *           Latin letters folded to lower case, interchangeable characters
 *           of transliterated Tibetan, Hui, Dongxiang and Salar names
 *           mapped to one form: 尕/嘎, 卓/桌, 才/材, 扎/札, 旦/丹, 措/错,
 *           买/麦, 穆/木, 玛/马);
 *    birth: 1 equal; 0.6 one digit wrong or two digits swapped; 0.2 same
 *           year and month; 0 otherwise or unknown;
 *    place: 1 same village; 0.4 same township; 0 otherwise.
 *    score >= XT_LINK_MATCH links the row to that person; a score in
 *    [XT_LINK_REVIEW, XT_LINK_MATCH), or two candidates within 0.02 of each
 *    other above XT_LINK_MATCH, is held for a person to review; below
 *    XT_LINK_REVIEW the row is a new person.
 *
 * The index is in memory: records are copied in; it is pure (no I/O) and
 * not thread-safe.
 */
#ifndef XT_LINKAGE_H
#define XT_LINKAGE_H

#include <stddef.h>
#include <stdint.h>

#define XT_LINK_MATCH 0.85
#define XT_LINK_REVIEW 0.70
#define XT_LINK_NAME_MAX 64 /* bytes of a normalised name, NUL included */

enum xt_link_kind {
    XT_LINK_NEW = 0,
    XT_LINK_REVIEW_KIND = 1,
    XT_LINK_MATCHED = 2,
};

struct xt_link_rec {
    int64_t id;                   /* the person (resident id) */
    char village[16];             /* 12-digit village code */
    char birth[9];                /* YYYYMMDD, "" when unknown */
    char id_key[65];              /* blind index (hex) of the ID number, "" when none */
    char name[XT_LINK_NAME_MAX];  /* normalised with xt_link_name_norm */
};

struct xt_link_result {
    int kind;      /* enum xt_link_kind */
    int64_t id;    /* the person matched or to review; 0 for a new one */
    double score;  /* best score (1 for an ID match) */
    const char *how; /* "id", "fuzzy" or "none" (static) */
};

/* Normalise a name (borrowed UTF-8) into out (outsz bytes, always
 * NUL-terminated; cut at a character boundary). */
void xt_link_name_norm(const char *name, char *out, size_t outsz);

/* Similarity of two normalised names, 0..1 (1 when equal, 0 when either
 * is empty). */
double xt_link_name_sim(const char *a, const char *b);

/* Agreement of two birth dates YYYYMMDD as described above. */
double xt_link_birth_sim(const char *a, const char *b);

/* The fuzzy score of two records (ignores id_key). */
double xt_link_score(const struct xt_link_rec *a, const struct xt_link_rec *b);

struct xt_link_index;

struct xt_link_index *xt_link_index_new(void);
void xt_link_index_free(struct xt_link_index *ix);
size_t xt_link_index_size(const struct xt_link_index *ix);

/* Make room for n records in all, so that adding them rehashes no more.
 * 0 or XT_ENOMEM (the index is then unchanged). */
int xt_link_index_reserve(struct xt_link_index *ix, size_t n);

/* Add a copy of r. A record with an id_key already present replaces
 * nothing: the first one stays the one found by ID. 0 or XT_ENOMEM. */
int xt_link_index_add(struct xt_link_index *ix, const struct xt_link_rec *r);

/* Update the stored record of person r->id (fills an ID key or birth
 * date learnt later). 0, XT_ENOTFOUND or XT_ENOMEM. */
int xt_link_index_update(struct xt_link_index *ix, const struct xt_link_rec *r);

/* Find q's person by the rule above. */
void xt_link_find(const struct xt_link_index *ix, const struct xt_link_rec *q,
                  struct xt_link_result *out);

#endif
