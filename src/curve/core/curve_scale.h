/*
 * curve_scale.h — rescale a fitted response curve by an uncertain factor
 * (e.g. a channel's incrementality factor: incremental ÷ platform-reported),
 * carrying the factor's uncertainty into the curve's covariance so every
 * interval drawn from the rescaled curve widens honestly.
 *
 * Plain C (never includes postgres.h).
 */
#ifndef NOA_CURVE_SCALE_H
#define NOA_CURVE_SCALE_H

#include "curve_fit.h"

/*
 * out = in with its response multiplied by a factor f with standard error
 * sd (independent of the curve's own estimate).  Every family's first
 * parameter is its amplitude (f(x) and f'(x) are linear in it), so b' = f·b
 * and the shape parameters θ keep their values.  The covariance is chosen so
 * that any quantity linear in b (response, marginal response) gets exactly
 * the variance of a product of independent estimates, f²·v + q²·sd² + v·sd²
 * (q the quantity, v its variance before): with c = 1 + sd²/f²,
 *   var(b') = c·f²·var(b) + b²·sd²,  cov(b', θ) = c·f·cov(b, θ),
 *   cov(θ, θ') = c·cov(θ, θ').
 * The residual scale (ssr, sigma) and the mean response scale with f (ssr
 * with f²); r2, AICc's ranking and the spend range are unchanged.
 * Returns NOA_OK, or NOA_ERR_INVALID (out untouched) when f is not a finite
 * positive number or sd is not finite and ≥ 0.  `out` may alias `in`.
 */
int			noa_curve_scale(const noa_curve *in, double factor, double factor_sd, noa_curve *out);

/*
 * The standard error of a factor from its two-sided interval [lo, hi] at
 * `level` (0 < level < 1), read as a normal interval: (hi − lo) / (2 z).
 * NaN when the interval is inverted or not finite or the level is invalid.
 */
double		noa_interval_sd(double lo, double hi, double level);

#endif
