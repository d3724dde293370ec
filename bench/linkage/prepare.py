"""Prepare the benchmark inputs in a scratch directory: FEBRL files get trimmed values and a
`truth` column (the record number in rec_id, rec-1496-org and rec-1496-dup-0 being one person);
the Splink sets are copied as they are (their `cluster` column is the truth). The same files
feed both engines.

Usage: python prepare.py SHARED_LINKAGE_DIR OUT_DIR
"""

import csv
import os
import re
import shutil
import sys

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
for name, dst in [("dataset3.csv", "febrl3.csv"), ("dataset4a.csv", "febrl4a.csv"), ("dataset4b.csv", "febrl4b.csv")]:
    with open(os.path.join(src, "febrl", name), newline="") as f:
        rows = list(csv.reader(f))
    with open(os.path.join(out, dst), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([c.strip() for c in rows[0]] + ["truth"])
        for r in rows[1:]:
            r = [c.strip() for c in r]
            w.writerow(r + [re.match(r"rec-(\d+)-", r[0]).group(1)])
shutil.copy(os.path.join(src, "splink", "fake_1000.csv"), os.path.join(out, "fake_1000.csv"))
shutil.copy(
    os.path.join(src, "splink", "historical_figures_with_errors_50k.csv"), os.path.join(out, "historical_50k.csv")
)
