"""Writes test/fixtures/metrics/classification.json: scikit-learn's f1, precision, recall (macro, micro,
weighted) and top-k accuracy on small seeded logits, for the "f1", "precision", "recall" and
"top-k-accuracy" metrics to be tested against. Run from the repo root with Debian's scikit-learn
(apt-get install python3-sklearn): /usr/bin/python3 bench/reference/make_metric_fixtures.py
"""
import json
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import f1_score, precision_score, recall_score, top_k_accuracy_score


def case(name, logits, labels, ks):
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    predicted = logits.argmax(axis=1)
    out = {"name": name, "logits": logits.tolist(), "labels": labels.tolist(), "expected": {}}
    with warnings.catch_warnings():
        # zero_division="warn" (the default) scores 0 / 0 as 0, which distil-run does too.
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        for metric, fn in (("f1", f1_score), ("precision", precision_score), ("recall", recall_score)):
            for average in ("macro", "micro", "weighted"):
                column = metric if average == "macro" else f"{metric}_{average}"
                out["expected"][column] = float(fn(labels, predicted, average=average))
    for k in ks:
        score = top_k_accuracy_score(labels, logits, k=k, labels=np.arange(logits.shape[1]))
        out["expected"][f"top_{k}_accuracy"] = float(score)
    return out


def main():
    rng = np.random.default_rng(17)
    cases = []
    # 60 examples of 5 classes, logits leaning towards the label so the scores are neither 0 nor 1.
    labels = rng.integers(0, 5, size=60)
    logits = rng.normal(size=(60, 5)) + 1.2 * np.eye(5)[labels]
    cases.append(case("five classes", logits, labels, [1, 2, 3, 5, 7]))
    # Class 3 is neither a label nor a prediction: scikit-learn leaves it out of the macro average.
    labels = rng.choice([0, 1, 2], size=30)
    logits = rng.normal(size=(30, 4)) + 1.0 * np.eye(4)[labels]
    logits[:, 3] -= 10
    cases.append(case("class 3 absent", logits, labels, [1, 2, 4]))
    # Class 2 is predicted but never a label (recall 0 / 0), class 3 a label never predicted (precision 0 / 0).
    labels = np.array([0, 0, 1, 1, 1, 3, 3, 0, 1, 3])
    logits = rng.normal(size=(10, 4))
    top = np.array([0, 2, 1, 1, 2, 0, 1, 0, 1, 2])
    logits[np.arange(10), top] += 10
    logits[:, 3] -= 5
    cases.append(case("zero division", logits, labels, [1, 2, 3]))
    # Two classes.
    labels = rng.integers(0, 2, size=25)
    logits = rng.normal(size=(25, 2)) + 0.8 * np.eye(2)[labels]
    cases.append(case("two classes", logits, labels, []))
    fixture = {
        "generated_by": f"bench/reference/make_metric_fixtures.py, scikit-learn {sklearn.__version__}",
        "cases": cases,
    }
    with open("test/fixtures/metrics/classification.json", "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
