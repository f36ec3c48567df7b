/* hotissue.h - similar requests: shingle sets and their Jaccard similarity
 * (duplicates at intake), and clustering of a period's requests into hot
 * issues (每月一题).
 *
 * How and why:
 * - A text's shingles are the hashes of its overlapping character
 *   3-grams after the normalisation of the classifier (classify.h), with
 *   spaces and punctuation dropped, as a sorted set. Two texts about the
 *   same matter share many 3-grams whatever the word order; Jaccard
 *   similarity |A∩B| / |A∪B| of the sets is the measure everywhere here.
 * - Clustering must not compare every pair (100,000 tickets are 5·10^9
 *   pairs). Each set gets a MinHash signature of 64 values by one-
 *   permutation hashing (one hash per shingle, the minimum per bin, empty
 *   bins filled from the next non-empty bin), cut into bands; tickets
 *   sharing a band are candidates (locality-sensitive hashing). A
 *   candidate pair is joined (union-find) only when its exact Jaccard
 *   reaches the threshold and, when asked, both lie in the same place.
 * - Ranking: see xt_hot_cluster; representative text: the medoid (the
 *   member most similar to the others).
 *
 * Ownership: arrays returned through out-parameters belong to the caller
 * (free / xt_hot_clusters_free). Items are borrowed for the call.
 */
#ifndef XT_HOTISSUE_H
#define XT_HOTISSUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Sorted distinct 3-gram hashes of text (at most max_chars code points
 * read). *out is owned by the caller (NULL when *n is 0). */
int xt_shingles(const char *text, size_t max_chars, uint32_t **out, size_t *n);
double xt_jaccard(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/* A text's MinHash signature kept beside it, so that comparing a new
 * request with a village's open ones needs no shingling of theirs: the
 * 64 bins of the clustering signature, 16 bits each (the low bits of a
 * mix of the bin's minimum), as 256 lower-case hex digits; "" for a text
 * without shingles. Two signatures agree in a bin with probability J (the
 * Jaccard similarity of the sets) plus 2^-16, so the share of agreeing
 * bins estimates J with a standard error of at most 0.0625. */
#define XT_TEXT_SIG_BINS 64
#define XT_TEXT_SIG_HEX (XT_TEXT_SIG_BINS * 4)
void xt_text_signature_of(const uint32_t *shingles, size_t n, char out[XT_TEXT_SIG_HEX + 1]);
int xt_text_signature(const char *text, size_t max_chars, char out[XT_TEXT_SIG_HEX + 1]);
/* Agreeing bins of two signatures (0..64); -1 when either is not a
 * signature (empty, or not 256 characters long). */
int xt_text_signature_agree(const char *a, const char *b);

struct xt_hot_item {
    const char *text;   /* compared */
    const char *place;  /* grid or township code; NULL or "" unknown */
    long support;       /* likes, co-signers, merged duplicates; 0 none */
    bool previous;      /* belongs to the previous period (for growth) */
};

struct xt_hot_params {
    double threshold;  /* Jaccard to join; default 0.3 */
    int bands;         /* LSH bands of the 64-value signature: 8, 16 or 32; default 16 */
    bool same_place;   /* join only items of the same place; default false */
    size_t min_size;   /* report clusters with at least this many current items; default 2 */
    size_t max_chars;  /* code points read per text; default 400 */
};

void xt_hot_params_init(struct xt_hot_params *p);

struct xt_hot_cluster {
    size_t *members;  /* indices of current-period items, representative first */
    size_t n;         /* current-period items */
    size_t n_prev;    /* previous-period items */
    long support;     /* sum of the members' support */
    int places;       /* distinct known places among the members */
    size_t representative;
    double score;
};

/* Cluster items; *out gets the clusters of at least p->min_size current
 * items, best first. The score is
 *   n + 0.5 * max(0, n - n_prev) + 2 * log2(1 + support) + (places - 1)
 * so size counts most, a rise on the previous period and public support
 * lift an issue, and spread over grids marks a matter beyond one street. */
int xt_hot_cluster(const struct xt_hot_item *items, size_t n, const struct xt_hot_params *p,
                   struct xt_hot_cluster **out, size_t *nout, struct xt_error *err);
void xt_hot_clusters_free(struct xt_hot_cluster *c, size_t n);

#endif
