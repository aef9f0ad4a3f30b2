#!/usr/bin/python3
"""Reference allocations with scipy.optimize.minimize(method="SLSQP") for bench/allocate_bench.sh.

  allocate_slsqp.py make N SEED FILE      write N concave Hill items (b, k, s, weight, lo, hi, current) as CSV
  allocate_slsqp.py solve FILE BUDGET     maximise sum w*b*x^s/(x^s+k^s) s.t. sum x = BUDGET, lo <= x <= hi
                                          with SLSQP (analytic gradient, x0 = current spend scaled to the
                                          budget, ftol 1e-12); prints value=, spend=, seconds=, status=

The usual Python route (PyMC-Marketing's BudgetOptimizer, LightweightMMM) is this call.  Run with Debian's
/usr/bin/python3 and python3-scipy.
"""
import csv
import sys
import time

import numpy as np
from scipy.optimize import minimize


def make(n, seed, path):
    rng = np.random.RandomState(seed)
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        for _ in range(n):
            b = rng.uniform(50.0, 2000.0)
            k = rng.uniform(200.0, 8000.0)
            s = rng.uniform(0.4, 1.0)
            w = rng.uniform(1.0, 40.0)
            current = rng.uniform(100.0, 5000.0)
            out.writerow(["%.17g" % v for v in (b, k, s, w, 0.1 * current, 3.0 * current, current)])


def load(path):
    rows = np.array([[float(v) for v in r] for r in csv.reader(open(path))])
    return rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3], rows[:, 4], rows[:, 5], rows[:, 6]


def solve(path, budget):
    b, k, s, w, lo, hi, current = load(path)

    def value(x):
        r = (x / k) ** s
        return float(np.sum(w * b * r / (1.0 + r)))

    def negative(x):
        return -value(x)

    def gradient(x):
        r = (x / k) ** s
        return -(w * b * s * r / (x * (1.0 + r) ** 2))

    x0 = np.clip(current * budget / current.sum(), lo, hi)
    start = time.perf_counter()
    res = minimize(negative, x0, jac=gradient, method="SLSQP",
                   bounds=list(zip(lo, hi)),
                   constraints=[{"type": "eq", "fun": lambda x: x.sum() - budget,
                                 "jac": lambda x: np.ones_like(x)}],
                   options={"ftol": 1e-12, "maxiter": 1000})
    seconds = time.perf_counter() - start
    x = np.clip(res.x, lo, hi)
    print("value=%.12f" % value(x))
    print("spend=%.6f" % x.sum())
    print("seconds=%.6f" % seconds)
    print("status=%s" % str(res.message).replace(" ", "_"))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        solve(sys.argv[2], float(sys.argv[3]))
