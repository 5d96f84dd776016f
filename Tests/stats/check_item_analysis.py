"""An independent computation of the item analysis with numpy, for ExamCoreTests: reads the attempts
(scores on the scale, per-item scores and maxima) as JSON on stdin, prints the statistics as JSON."""
import json
import sys

import numpy as np

data = json.load(sys.stdin)
scores = np.array(data["scores"], dtype=float)
items = np.array(data["items"], dtype=float)        # attempts × items
maxima = np.array(data["maxima"], dtype=float)
totals = np.array(data["totals"], dtype=float)      # the total each item's rest is taken from

out = {"items": []}
for j in range(items.shape[1]):
    x = items[:, j]
    rest = totals - x
    entry = {"facility": x.mean() / maxima[j], "sd": x.std(ddof=1) / maxima[j], "discrimination": None, "efficiency": None}
    if x.var(ddof=1) > 0 and rest.var(ddof=1) > 0:
        entry["discrimination"] = float(np.corrcoef(x, rest)[0, 1])
        largest = np.cov(np.sort(x), np.sort(rest), ddof=1)[0, 1]
        if largest > 0:
            entry["efficiency"] = float(np.cov(x, rest, ddof=1)[0, 1] / largest)
    out["items"].append(entry)

values, counts = np.unique(scores, return_counts=True)
sums = items.sum(axis=1)
p = items.shape[1]
alpha = p / (p - 1) * (1 - items.var(axis=0, ddof=1).sum() / sums.var(ddof=1))
out["test"] = {"mean": scores.mean(), "median": float(np.median(scores)), "mode": float(values[counts == counts.max()].min()),
               "sd": scores.std(ddof=1), "alpha": alpha, "errorRatio": float(np.sqrt(1 - alpha)),
               "standardError": float(np.sqrt(1 - alpha) * scores.std(ddof=1))}
json.dump(out, sys.stdout)
