"""A Robyn-like baseline in numpy, for bench/model_bench.sh.

usage: robyn_like.py DATA_CSV TRUTH_CSV ITERATIONS HOLDOUT_FRACTION

Ridge regression on intercept, trend, day-of-week dummies, yearly Fourier (3 pairs)
and per channel Hill(geometric adstock(spend)) as Robyn transforms it (adstock
x*_t = x_t + theta x*_{t-1}; Hill inflexion gamma * range of x*), with random
search over theta in [0, 0.9], Hill alpha in [0.5, 3], gamma in [0.3, 1] and the
ridge lambda; negative media coefficients are dropped and the ridge refitted.
The candidate with the lowest training NRMSE + DECOMP.RSSD (Robyn's two
objectives, summed) wins.  Prints time, holdout NRMSE (RMSE of the last
HOLDOUT_FRACTION of days / range of the KPI) and the median ROAS error.
"""
import sys
import time
import datetime
import numpy as np
from scipy.signal import lfilter


def load(path):
    rows = [line.rstrip("\n").split(",") for line in open(path)]
    days = sorted({r[0] for r in rows})
    chans = sorted({r[1] for r in rows})
    di = {d: i for i, d in enumerate(days)}
    ci = {c: i for i, c in enumerate(chans)}
    X = np.zeros((len(days), len(chans)))
    y = np.zeros(len(days))
    for d, c, s, k in rows:
        X[di[d], ci[c]] = float(s)
        y[di[d]] = float(k)
    return days, chans, X, y


def base_design(days, n_train):
    n = len(days)
    t = np.arange(n) / (n_train - 1)
    d0 = datetime.date.fromisoformat(days[0])
    dn = np.array([(d0 + datetime.timedelta(i)).toordinal() for i in range(n)])
    cols = [np.ones(n), t]
    for j in range(1, 7):
        cols.append((dn % 7 == j).astype(float))
    for h in range(1, 4):
        cols.append(np.sin(2 * np.pi * h * dn / 365.25))
        cols.append(np.cos(2 * np.pi * h * dn / 365.25))
    return np.column_stack(cols)


def transform(x, theta, alpha, gamma):
    a = lfilter([1.0], [1.0, -theta], x)
    inflexion = gamma * (a.max() - a.min()) + a.min()
    return a ** alpha / (a ** alpha + inflexion ** alpha)


def ridge(Z, y, lam, n_base):
    pen = np.full(Z.shape[1], lam)
    pen[:n_base] = 1e-8
    return np.linalg.solve(Z.T @ Z + np.diag(pen) * len(y), Z.T @ y)


def main():
    days, chans, X, y = load(sys.argv[1])
    truth = {r.split(",")[0]: float(r.split(",")[2]) for r in open(sys.argv[2])}
    iters, frac = int(sys.argv[3]), float(sys.argv[4])
    n, m = X.shape
    h = int(round(frac * n))
    ntr = n - h
    B = base_design(days, ntr)
    nb = B.shape[1]
    rng = np.random.default_rng(42)
    yr = y.max() - y.min()
    best = None
    t0 = time.time()
    for _ in range(iters):
        theta = rng.uniform(0, 0.9, m)
        alpha = rng.uniform(0.5, 3, m)
        gamma = rng.uniform(0.3, 1, m)
        lam = 10 ** rng.uniform(-4, 0)
        F = np.column_stack([transform(X[:, k], theta[k], alpha[k], gamma[k]) for k in range(m)])
        Z = np.column_stack([B, F])
        keep = np.arange(nb + m)
        coef = ridge(Z[:ntr], y[:ntr], lam, nb)
        if (coef[nb:] < 0).any():
            keep = np.concatenate([np.arange(nb), nb + np.where(coef[nb:] >= 0)[0]])
            c2 = ridge(Z[:ntr][:, keep], y[:ntr], lam, nb)
            coef = np.zeros(nb + m)
            coef[keep] = c2
        fit = Z[:ntr] @ coef
        nrmse = np.sqrt(np.mean((y[:ntr] - fit) ** 2)) / yr
        eff = (F[:ntr] * coef[nb:]).sum(axis=0)
        spend = X[:ntr].sum(axis=0)
        rssd = np.sqrt(((eff / max(eff.sum(), 1e-12)) - spend / spend.sum()) ** 2).sum() if eff.sum() > 0 else 1.0
        score = nrmse + rssd
        if best is None or score < best[0]:
            best = (score, coef, F)
    elapsed = time.time() - t0
    _, coef, F = best
    pred = np.column_stack([B, F]) @ coef
    ho = np.sqrt(np.mean((y[ntr:] - pred[ntr:]) ** 2)) / yr
    roas = (F * coef[nb:]).sum(axis=0) / X.sum(axis=0)
    err = np.median([abs(roas[k] / truth[c] - 1) for k, c in enumerate(chans)])
    print(f"{elapsed:.2f} {ho:.4f} {err:.4f}")


if __name__ == "__main__":
    main()
