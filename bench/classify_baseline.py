"""Peer baseline for bench/classify.sh: scikit-learn TF-IDF (character
1-3-grams, sublinear tf) + LinearSVC on the same stratified folds that
`xietong classify eval --folds-out` wrote. Not part of the product.

usage: /usr/bin/python3 bench/classify_baseline.py DATA.csv FOLDS.csv"""
import csv
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC


def main():
    rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
    folds = {int(r["row"]): int(r["fold"]) for r in csv.DictReader(open(sys.argv[2]))}
    texts = [r["title"] + "\n" + r["text"] for r in rows]
    labels = [r["label"] for r in rows]
    k = max(folds.values()) + 1
    pred = [None] * len(rows)
    fit_s = []
    pred_s = 0.0
    for f in range(k):
        tr = [i for i in range(len(rows)) if folds[i] != f]
        te = [i for i in range(len(rows)) if folds[i] == f]
        t0 = time.perf_counter()
        vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        x = vec.fit_transform([texts[i] for i in tr])
        clf = LinearSVC().fit(x, [labels[i] for i in tr])
        fit_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        out = clf.predict(vec.transform([texts[i] for i in te]))
        pred_s += time.perf_counter() - t0
        for i, p in zip(te, out):
            pred[i] = p
    print("baseline_accuracy %.4f" % accuracy_score(labels, pred))
    print("baseline_macro_f1 %.4f" % f1_score(labels, pred, average="macro"))
    print("baseline_fit_seconds %.2f" % (sum(fit_s) / len(fit_s)))
    print("baseline_predict_per_s %.0f" % (len(rows) / pred_s))


if __name__ == "__main__":
    main()
