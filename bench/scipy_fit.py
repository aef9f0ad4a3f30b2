"""The usual Python route for per-campaign response curves, for bench/fit_bench.sh:
a loop of scipy.optimize.curve_fit (Levenberg-Marquardt, MINPACK) over campaigns,
Hill model b*x^s/(x^s + k^s) with data-driven starting values.  Compares time and
the residual sum of squares with noa's fits (from a CSV written by the bench).
Usage: python3 scipy_fit.py bench_days.csv noa_ssr.csv  (Debian's /usr/bin/python3)."""
import csv
import sys
import time
from collections import defaultdict

import numpy as np
from scipy.optimize import curve_fit


def hill(x, b, k, s):
    """Hill response through the origin."""
    xs = np.power(x, s)
    return b * xs / (xs + np.power(k, s))


def main(days_path, noa_path):
    """Fit every campaign with curve_fit, print a markdown summary."""
    data = defaultdict(lambda: ([], []))
    with open(days_path) as f:
        for campaign, spend, conv in csv.reader(f):
            data[int(campaign)][0].append(float(spend))
            data[int(campaign)][1].append(float(conv))
    noa = {}
    with open(noa_path) as f:
        for campaign, ssr, status in csv.reader(f):
            noa[int(campaign)] = (float(ssr), status)

    scipy_ssr = {}
    failures = 0
    start = time.perf_counter()
    for campaign, (xs, ys) in sorted(data.items()):
        x, y = np.asarray(xs), np.asarray(ys)
        p0 = (y.max(), np.median(x), 1.0)
        try:
            p, _ = curve_fit(hill, x, y, p0=p0, maxfev=20000)
            scipy_ssr[campaign] = float(np.sum((y - hill(x, *p)) ** 2))
        except (RuntimeError, ValueError):
            failures += 1
            scipy_ssr[campaign] = float("inf")
    elapsed = time.perf_counter() - start

    worse = [c for c in scipy_ssr if noa[c][0] > scipy_ssr[c] * (1 + 1e-9) + 1e-12]
    better = [c for c in scipy_ssr if noa[c][0] < scipy_ssr[c] * (1 - 1e-6)]
    converged = sum(1 for c in noa if noa[c][1] == "converged")
    print(f"scipy {__import__('scipy').__version__}, numpy {np.__version__}; "
          f"curve_fit(method='lm'), p0 = (max y, median spend, 1), maxfev 20000.")
    print()
    print("| | noa.fit_curve | scipy curve_fit loop |")
    print("|---|---|---|")
    print(f"| campaigns fitted | {len(noa)} ({converged} converged) | {len(scipy_ssr) - failures} "
          f"({failures} raised an error) |")
    print(f"| wall time | see the fit query above | {elapsed * 1000:.0f} ms (fitting only, data already in memory) |")
    print(f"| campaigns where noa's SSR is higher than scipy's (rel. 1e-9) | {len(worse)} | |")
    print(f"| campaigns where noa's SSR is lower by more than 1e-6 relative | {len(better)} | |")
    if worse:
        worst = max(worse, key=lambda c: noa[c][0] / scipy_ssr[c])
        print(f"\nWorst case: campaign {worst}, noa SSR {noa[worst][0]:.10g} vs scipy {scipy_ssr[worst]:.10g}.")
    print(f"\nscipy_ms={elapsed * 1000:.1f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
