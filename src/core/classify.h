/* classify.h - text classification of citizen requests (自动派单): which
 * category (and so which handling unit) and which request type a message
 * is, with a calibrated confidence.
 *
 * How it works and why:
 * - Normalisation (xt_classify_normalise) turns UTF-8 text into a sequence
 *   of code points on purpose: full-width ASCII (Ａ１，) becomes half-width
 *   and the CJK punctuation 、。“”《》 its ASCII look-alike, so the same
 *   sentence typed on a phone or a PC gives the same features; ASCII
 *   letters are case-folded; a masked number (a run of digits, '*' and
 *   x/X with at least one mask character, e.g. 1xx****xxxx, 138****1234,
 *   XXX) becomes one MASK token, because the organiser's masks carry no
 *   meaning; any other run of digits becomes one DIGIT token, because
 *   house numbers, dates and amounts differ in every message but their
 *   presence does; runs of white space become one space. Invalid UTF-8
 *   bytes become U+FFFD. Chinese needs no word segmentation here:
 *   character n-grams carry the words. friso (word segmentation) is not
 *   used: dictionary words (jieba as a stand-in) and a vocabulary of
 *   frequent substrings learnt from the texts, added to the bigrams,
 *   lowered cross-validated macro-F1 (docs/CLASSIFIER.md), and segmenting
 *   would cost prediction speed.
 * - n-gram length by 5-fold cross-validation on the 6,472 labelled
 *   messages (macro-F1, C = 1): 1-2 grams 0.903, 1-3 0.897, 1-4 0.891. The
 *   title's own n-grams gave +0.005 and balanced costs +0.004 on top of
 *   1-2 grams (0.908). Larger C helps a little (C = 4: 0.911) but doubles
 *   training time, so the default stays at 1. long_weight and
 *   title_weight weigh 3+-grams and the title's own n-grams; left at 1
 *   because other values gave no gain.
 * - Features are the character n-grams (1..ngram_max, across the title and
 *   the text) hashed into 2^hash_bits buckets (no vocabulary to store or
 *   look up), weighted by sublinear term frequency (1 + ln tf) times a
 *   smoothed idf learnt at training, and L2-normalised.
 * - The model is one-vs-rest linear SVMs (L2-regularised squared hinge
 *   loss, bias as a constant feature) trained by dual coordinate descent,
 *   the method of liblinear, which converges in a few passes on sparse
 *   text. The decision is the class with the highest score (below).
 * - NBSVM (Wang & Manning 2012), on by default (nb_alpha 1): for class c
 *   each feature is scaled by the log ratio of how often (smoothed by
 *   nb_alpha) it occurs in c's messages and in the others', so words
 *   typical of a class start with a head start; w * r is stored, so the
 *   model file and prediction cost are unchanged. Mean macro-F1 over 5
 *   cross-validation seeds 0.909 -> 0.917. The other ideas measured
 *   (3-grams at lower weight, title weight, C, an ensemble with the plain
 *   SVM alone, hinge loss) moved it by less than the seed-to-seed spread; see
 *   docs/CLASSIFIER.md. On the tiny, unbalanced request-type set the
 *   ratios are noise and --nb 0 is better.
 * - Neighbours (on by default, knn 10): where the two best margins are
 *   close (gap below knn_gate = 0.3 in units of the spread of the
 *   training margins: about one message in five), the 10 training
 *   messages most similar to it (cosine of tf-idf over the n-grams found
 *   in at most knn_df = 8 % of the training messages, searched through an
 *   inverted index with the message's knn_terms = 96 heaviest n-grams)
 *   each add their similarity squared to their label; the labels' shares
 *   of that total, times knn_weight = 1, are added to the margins in units
 *   of their spread. A linear model must generalise; many requests are
 *   near copies of earlier ones (the same estate, the same road), and
 *   their neighbours' labels say more than the margins. With the plain SVM
 *   blended in (mix 0.3, free at prediction), mean macro-F1 over 5 seeds
 *   0.9171 -> 0.9206; the gate holds the cost to about a quarter of a
 *   prediction's. See docs/CLASSIFIER.md for the settings measured and
 *   their cost. The request-type model is trained without (--knn 0).
 * - Confidence is a softmax over the scores times a scale fitted (by
 *   minimising the log loss) on out-of-fold scores of a k-fold run at
 *   training, so that "0.9" means right about nine times in ten.
 *
 * Ownership: a struct xt_classifier is created by xt_classifier_train or
 * xt_classifier_decode and freed with xt_classifier_free (which accepts
 * NULL). After creation it is only read: any number of threads may call
 * xt_classifier_predict at once.
 */
#ifndef XT_CLASSIFY_H
#define XT_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/err.h"

#define XT_CLASSIFY_VERSION 3 /* model file format; 2 added the feature weights and NBSVM,
                                 3 the neighbour index */
#define XT_CLASSIFY_MAX_CLASSES 64
#define XT_CLASSIFY_LABEL_MAX 64

/* Private-use code points that stand for the tokens of normalisation. */
#define XT_CLASSIFY_DIGIT 0xE000u
#define XT_CLASSIFY_MASK 0xE001u

/* Normalise n bytes of UTF-8 into at most max code points; returns how
 * many were written (the rest of a long text is dropped). */
size_t xt_classify_normalise(const char *s, size_t n, uint32_t *out, size_t max);

/* Normalise and encode back to UTF-8 (the tokens as "<D>" and "<M>"), for
 * tests and for showing what the model reads. out gets at most outsz-1
 * bytes and a NUL. */
void xt_classify_normalise_text(const char *s, char *out, size_t outsz);

struct xt_classify_params {
    int ngram_max;     /* 1..5; default 2 */
    int hash_bits;     /* 12..24; default 18 */
    double c;          /* SVM cost; default 1 */
    int epochs;        /* upper bound on dual coordinate passes; default 50 */
    int calib_folds;   /* folds of the out-of-fold calibration; 0 skips it */
    uint64_t seed;     /* order of the passes and of the folds */
    size_t max_chars;  /* code points read per message; default 2000 */
    bool title;        /* the first line is a title with features of its own; default on */
    bool balanced;     /* class-balanced costs; default on */
    double long_weight;  /* weight of n-grams of 3 and more characters
                            relative to 1-2-grams; default 1 */
    double title_weight; /* weight of the title's own n-grams; default 1 */
    double nb_alpha;     /* > 0: scale each feature by its log-count ratio
                            for the class (NBSVM) with this smoothing;
                            0 off; default 1 */
    double mix;          /* with nb_alpha: weight of a plain SVM's margins
                            blended with the NBSVM's (0..1); default 0.3 */
    int knn;             /* neighbours among the training messages whose
                            labels are blended in (0..50); 0 off; default 10 */
    double knn_weight;   /* weight of the neighbours' label shares against
                            the margins in units of their spread (0..10);
                            default 1 */
    double knn_df;       /* n-grams in more than this share of the training
                            messages are left out of the similarity
                            (0..1]; default 0.08 */
    double knn_gate;     /* ask the neighbours only when the two best
                            margins are closer than this, in units of their
                            spread; 0 always; default 0.3 */
    int knn_terms;       /* the message's filed n-grams searched: the
                            heaviest this many (0..4096); 0 all; default 96 */
};

void xt_classify_params_init(struct xt_classify_params *p);

/* A labelled training set. Texts and labels are borrowed from the caller
 * and must stay valid until the call that uses them returns. */
struct xt_classify_data {
    const char **text;
    int *label;       /* 0..n_labels-1 */
    size_t n;
    const char **labels; /* names of the labels */
    int n_labels;
};

struct xt_classifier;

/* Train on d. codes (may be NULL) gives, per label, the code the label
 * maps to (e.g. the category code C01 for 城乡建设), kept in the model.
 * XT_EINVAL (field "data") when fewer than two labels have examples. */
int xt_classifier_train(const struct xt_classify_data *d, const char *const *codes,
                        const struct xt_classify_params *p, struct xt_classifier **out,
                        struct xt_error *err);

void xt_classifier_free(struct xt_classifier *m);

struct xt_prediction {
    int label;         /* index of the best label */
    double confidence; /* calibrated probability of that label */
    double margin;     /* its score: the margin in units of the training
                          margins' spread, plus the neighbours' share */
};

/* Classify one UTF-8 text. scratch-free and thread-safe. */
void xt_classifier_predict(const struct xt_classifier *m, const char *text,
                           struct xt_prediction *out);
/* The calibrated probability of every label (probs has n_labels slots). */
void xt_classifier_probs(const struct xt_classifier *m, const char *text, double *probs);

int xt_classifier_n_labels(const struct xt_classifier *m);
const char *xt_classifier_label(const struct xt_classifier *m, int i);
/* The code the label maps to, or "" when none was given. */
const char *xt_classifier_code(const struct xt_classifier *m, int i);
/* Index of a label name, or -1. */
int xt_classifier_find(const struct xt_classifier *m, const char *label);
double xt_classifier_scale(const struct xt_classifier *m);
const struct xt_classify_params *xt_classifier_params(const struct xt_classifier *m);

/* Serialise into b (appended): a header (magic, format version, sizes),
 * the labels, idf and weights, and a SHA-256 of all of it at the end. */
int xt_classifier_encode(const struct xt_classifier *m, struct xt_buf *b);
/* Parse what encode wrote. XT_EINVAL with a reason naming what is wrong
 * (not a model, another format version, truncated, checksum mismatch). */
int xt_classifier_decode(const void *data, size_t n, struct xt_classifier **out,
                         struct xt_error *err);

/* ---- evaluation ---- */

/* Stratified fold of each example (0..k-1): each label's examples are
 * shuffled with the seed and dealt round-robin. fold has d->n slots. */
void xt_classify_folds(const struct xt_classify_data *d, int k, uint64_t seed, int *fold);

struct xt_classify_eval {
    int n_labels;
    long n;
    long *confusion;     /* n_labels x n_labels, [truth * n_labels + predicted] */
    double accuracy, macro_f1;
    double *precision, *recall, *f1; /* per label */
    long *support;
    double ece;          /* expected calibration error, 10 equal-width bins */
    long bin_n[10];
    double bin_conf[10], bin_acc[10];
    double scale;        /* the calibration scale used */
    double *margins;     /* crossval only: n x n_labels out-of-fold margins, rows
                            in the order of the data, so that blends of models
                            can be tried on the same folds; NULL after score */
};

void xt_classify_eval_release(struct xt_classify_eval *e);

/* Cross-validate: for each fold, train on the others (margins only), then
 * fit the calibration scale for fold f on the out-of-fold margins of the
 * other folds, so no example is scored with a scale fitted on itself. */
int xt_classify_crossval(const struct xt_classify_data *d, const int *fold, int k,
                         const struct xt_classify_params *p, struct xt_classify_eval *out,
                         struct xt_error *err);

/* Score a trained model on labelled data whose labels are indices into
 * the model's labels (-1: a label the model does not know, counted wrong). */
int xt_classify_score(const struct xt_classifier *m, const char **text, const int *label,
                      size_t n, struct xt_classify_eval *out);

#endif
