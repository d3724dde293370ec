"""The one evaluator for both engines: read scored pairs (id_l, id_r, match_probability) and
the truth (equal values of a truth column = same person), and print precision, recall and F1
at probability >= 0.5 and the best F1 over all thresholds, as JSON. True pairs that an engine
never scored count as missed. For a link of two files, only pairs across the files are true
pairs, and ids are taken per file.

Usage: python evaluate.py PAIRS_CSV ID_COL TRUTH_COL DATA_CSV [DATA_CSV_B]
"""

import csv
import json
import sys
from collections import Counter


def labels(path, id_col, truth_col):
    with open(path, newline="") as f:
        return {r[id_col].strip(): r[truth_col].strip() for r in csv.DictReader(f, skipinitialspace=True)}


def main():
    pairs_path, id_col, truth_col = sys.argv[1:4]
    files = sys.argv[4:]
    tables = [labels(p, id_col, truth_col) for p in files]
    if len(tables) == 1:
        truth = tables[0]
        counts = Counter(v for v in truth.values() if v)
        true_pairs = sum(n * (n - 1) // 2 for n in counts.values())

        def is_true(a, b):
            x, y = truth.get(a), truth.get(b)
            return x is not None and x != "" and x == y

    else:
        a, b = tables
        ca = Counter(v for v in a.values() if v)
        cb = Counter(v for v in b.values() if v)
        true_pairs = sum(n * cb[k] for k, n in ca.items())

        def is_true(x, y):
            # Pairs may come in either order (left from file A or from file B).
            for l, r in ((x, y), (y, x)):
                u, v = a.get(l), b.get(r)
                if u is not None and u != "" and u == v:
                    return True
            return False

    scored = []
    seen = set()
    with open(pairs_path, newline="") as f:
        for r in csv.DictReader(f):
            key = tuple(sorted((r["id_l"], r["id_r"])))
            if key in seen:
                continue
            seen.add(key)
            scored.append((float(r["match_probability"]), is_true(r["id_l"], r["id_r"])))
    scored.sort(key=lambda s: -s[0])

    def f1(tp, fp):
        p = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / true_pairs if true_pairs else 0.0
        return p, rc, (2 * p * rc / (p + rc) if p + rc else 0.0)

    tp = fp = 0
    best = (0.0, 1.0)
    i = 0
    while i < len(scored):
        t = scored[i][0]
        while i < len(scored) and scored[i][0] == t:
            tp += scored[i][1]
            fp += not scored[i][1]
            i += 1
        if f1(tp, fp)[2] > best[0]:
            best = (f1(tp, fp)[2], t)
    at_tp = sum(1 for p, t in scored if p >= 0.5 and t)
    at_fp = sum(1 for p, t in scored if p >= 0.5 and not t)
    p, rc, f = f1(at_tp, at_fp)
    print(json.dumps({
        "pairs": len(scored), "true_pairs": true_pairs, "tp": at_tp, "fp": at_fp,
        "precision": p, "recall": rc, "f1": f, "best_f1": best[0], "best_threshold": best[1],
    }))


main()
