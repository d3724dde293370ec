"""Print the side-by-side table from the benchmark's JSON lines (medians over runs) and save
everything as one JSON file.

Usage: python table.py RESULTS_JSONL OUT_JSON MACHINE_NOTE
"""

import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
machine = sys.argv[3]
by = {}
for r in rows:
    by.setdefault((r["set"], r["engine"]), []).append(r)


def med(rs, k):
    return statistics.median(r[k] for r in rs)


sets = []
for r in rows:
    if r["set"] not in sets:
        sets.append(r["set"])

summary = []
print(f"\nrecord linkage: everychild vs Splink 5.0.0 (DuckDB 1.5.6); medians of runs; {machine}\n")
head = f"{'set':<15} {'engine':<11} {'precision':>9} {'recall':>7} {'F1':>7} {'best F1':>8} {'wall s':>8} {'peak MB':>8}"
print(head)
print("-" * len(head))
for s in sets:
    for e in ("ours", "splink"):
        rs = by.get((s, e))
        if not rs:
            continue
        line = {k: med(rs, k) for k in ("precision", "recall", "f1", "best_f1", "wall_s", "peak_mb")}
        line.update(set=s, engine=e, runs=len(rs))
        summary.append(line)
        name = "everychild" if e == "ours" else "Splink"
        print(f"{s:<15} {name:<11} {line['precision']:>9.4f} {line['recall']:>7.4f} {line['f1']:>7.4f} "
              f"{line['best_f1']:>8.4f} {line['wall_s']:>8.2f} {line['peak_mb']:>8.0f}")
print()
print(f"{'set':<15} {'F1 ours - Splink':>17} {'wall Splink/ours':>17} {'memory Splink/ours':>19}  floors (F1 >=, wall x10, memory x2)")
verdicts = []
for s in sets:
    o = next((x for x in summary if x["set"] == s and x["engine"] == "ours"), None)
    k = next((x for x in summary if x["set"] == s and x["engine"] == "splink"), None)
    if not o or not k:
        if o and s == "synthetic":
            ok = o["wall_s"] <= 60
            verdicts.append({"set": s, "wall_s": o["wall_s"], "f1": o["f1"], "floor_60s": ok})
            print(f"{s:<15} F1 {o['f1']:.4f}, best {o['best_f1']:.4f}, wall {o['wall_s']:.1f} s: "
                  f"{'PASS' if ok else 'BELOW'} (60 s floor)")
        continue
    df = o["f1"] - k["f1"]
    wr = k["wall_s"] / max(o["wall_s"], 1e-9)
    mr = k["peak_mb"] / max(o["peak_mb"], 1e-9)
    marks = ["PASS" if df >= 0 else "BELOW", "PASS" if wr >= 10 else "BELOW", "PASS" if mr >= 2 else "BELOW"]
    verdicts.append({"set": s, "f1_diff": df, "wall_ratio": wr, "memory_ratio": mr, "floors": marks})
    print(f"{s:<15} {df:>+17.4f} {wr:>16.1f}x {mr:>18.1f}x  {' '.join(marks)}")

json.dump({"machine": machine, "runs": rows, "summary": summary, "verdicts": verdicts},
          open(sys.argv[2], "w"), indent=1)
print(f"\nsaved {sys.argv[2]}")
