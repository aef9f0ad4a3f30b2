"""Seeded daily marketing-mix data with known truth, for bench/model_bench.sh.

usage: mmm_sim.py CHANNELS DAYS SEED OUT_CSV TRUTH_CSV

KPI = 1000 + trend + day-of-week + yearly season + sum_k beta_k tanh(A_k / kappa_k) + AR(1) noise,
A_k = normalised geometric adstock of spend_k over 28 days (the convention noa fits).
Writes long rows (day, channel, spend, kpi) and the true ROAS per channel.
"""
import sys
import datetime
import numpy as np


def adstock(x, alpha, lag=28):
    w = alpha ** np.arange(lag)
    w /= w.sum()
    out = np.convolve(x, w)[: len(x)]
    return out


def main():
    m, n, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    day0 = datetime.date(2023, 1, 2)
    doy = np.array([(day0 + datetime.timedelta(int(i))).timetuple().tm_yday for i in t])
    dow = (t % 7)
    kpi = 200.0 * m + 0.1 * m * t + 20.0 * m * np.cos(2 * np.pi * doy / 365.25) + 8.0 * m * (dow >= 5)
    eps = np.zeros(n)
    for i in range(1, n):
        eps[i] = 0.4 * eps[i - 1] + rng.normal(0, 6.0 * np.sqrt(m))
    kpi = kpi + eps
    spends, truth = [], []
    for k in range(m):
        level = rng.uniform(50, 200)
        regime = np.repeat(np.exp(rng.uniform(-0.7, 0.7, n // 14 + 1)), 14)[:n]
        x = level * regime * np.exp(rng.normal(0, 0.3, n))
        alpha, kappa, beta = rng.uniform(0.1, 0.7), level * rng.uniform(0.7, 2.0), rng.uniform(30, 90)
        effect = beta * np.tanh(adstock(x, alpha) / kappa)
        kpi = kpi + effect
        spends.append(x)
        truth.append((f"ch_{k:02d}", alpha, effect.sum() / x.sum()))
    with open(sys.argv[4], "w") as f:
        for i in range(n):
            d = day0 + datetime.timedelta(i)
            for k in range(m):
                f.write(f"{d},ch_{k:02d},{spends[k][i]:.6f},{kpi[i]:.6f}\n")
    with open(sys.argv[5], "w") as f:
        for name, alpha, roas in truth:
            f.write(f"{name},{alpha:.6f},{roas:.8f}\n")


if __name__ == "__main__":
    main()
