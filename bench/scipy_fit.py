"""The usual Python route for per-campaign response curves, for bench/fit_bench.sh:
a loop of scipy.optimize.curve_fit (Levenberg-Marquardt, MINPACK) over campaigns,
Hill model b*x^s/(x^s + k^s) with data-driven starting values.  Compares time and
the residual sum of squares with noa's fits (from a CSV written by the bench).
Also times the whole route as analysts run it: fetch the rows from PostgreSQL with
psycopg2 (connection from the PG* environment), group them, then the fitting loop.
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


def fit_all(data):
    """Fit every campaign with curve_fit; return {campaign: ssr} and the failure count."""
    ssr = {}
    failures = 0
    for campaign, (xs, ys) in sorted(data.items()):
        x, y = np.asarray(xs), np.asarray(ys)
        p0 = (y.max(), np.median(x), 1.0)
        try:
            p, _ = curve_fit(hill, x, y, p0=p0, maxfev=20000)
            ssr[campaign] = float(np.sum((y - hill(x, *p)) ** 2))
        except (RuntimeError, ValueError):
            failures += 1
            ssr[campaign] = float("inf")
    return ssr, failures


def end_to_end_ms():
    """Fetch bench_days from the server, group by campaign and fit: the analyst's route."""
    import psycopg2
    start = time.perf_counter()
    with psycopg2.connect("") as conn, conn.cursor() as cur:
        cur.execute("SELECT campaign_id, spend, conversions FROM bench_days ORDER BY campaign_id, day")
        data = defaultdict(lambda: ([], []))
        for campaign, spend, conv in cur:
            data[campaign][0].append(spend)
            data[campaign][1].append(conv)
    fit_all(data)
    return (time.perf_counter() - start) * 1000


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

    start = time.perf_counter()
    scipy_ssr, failures = fit_all(data)
    elapsed = time.perf_counter() - start
    route_ms = end_to_end_ms()

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
    print(f"| wall time, fitting only (data already in memory) | see the fit query above | {elapsed * 1000:.0f} ms |")
    print(f"| wall time, whole route (psycopg2 fetch + group + fit) | see the fit query above | {route_ms:.0f} ms |")
    print(f"| campaigns where noa's SSR is higher than scipy's (rel. 1e-9) | {len(worse)} | |")
    print(f"| campaigns where noa's SSR is lower by more than 1e-6 relative | {len(better)} | |")
    if worse:
        worst = max(worse, key=lambda c: noa[c][0] / scipy_ssr[c])
        print(f"\nWorst case: campaign {worst}, noa SSR {noa[worst][0]:.10g} vs scipy {scipy_ssr[worst]:.10g}.")
    print(f"\nscipy_fit_ms={elapsed * 1000:.1f}")
    print(f"scipy_route_ms={route_ms:.1f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
