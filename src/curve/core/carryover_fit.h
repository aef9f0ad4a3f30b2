/*
 * carryover_fit.h — a response curve with geometric carryover, fitted to a
 * daily series: θ is profiled (deterministic 1-D search), and at each θ the
 * saturation curve is fitted by noa_curve_fit on the adstocked spend.
 *
 * Plain C (never includes postgres.h).
 *
 * Model: response_t = f(x*_t) + ε_t with x*_t = x_t + θ·x*_{t-1} (Robyn's
 * unnormalised geometric adstock, periods before the first row count as zero
 * spend, a missing period as a period without spend and without a response).
 * The period is the greatest common divisor of the gaps between the days of
 * the rows: 1 day for daily rows (even with some days missing), 7 for weekly
 * rows; θ is per period.
 * The spend range stored with the curve (x_min, x_max, x_mean) is over every
 * row, with or without a response.
 *
 * The result is stored in long-run terms: a lasting daily spend x gives the
 * adstocked input x/(1-θ), so the long-run daily response is
 * L(x) = f(x/(1-θ)), which is again a curve of the same family (for Hill, k·(1-θ); see
 * noa_carryover_long_run).  Every accessor of the curve then answers the long
 * run; the immediate (same-day) part of a marginal return is (1-θ)·L'(x).
 * The curve's flags carry NOA_CURVE_FLAG_LONG_RUN.
 */
#ifndef NOA_CARRYOVER_FIT_H
#define NOA_CARRYOVER_FIT_H

#include <stdint.h>

#include "curve_fit.h"

/* The carryover a curve carries (kind 0: none). */
typedef struct noa_carryover
{
	int32_t		kind;			/* 0 none, NOA_ADSTOCK_GEOMETRIC (recursive, unnormalised) */
	int32_t		flags;			/* NOA_CARRYOVER_FLAG_* */
	int32_t		evaluations;	/* saturation fits tried during the search */
	int32_t		period_days;	/* days per period of θ: the gcd of the day gaps (1 daily, 7 weekly) */
	double		theta;			/* fitted decay per period */
	double		theta_se;		/* standard error from the profile's curvature; 0 when not estimable */
} noa_carryover;

#define NOA_CARRYOVER_FLAG_AT_BOUND 0x01	/* θ ran to the search limit */
#define NOA_CARRYOVER_THETA_MAX 0.95		/* largest θ searched (half-life 13.5 days) */

/*
 * Fit `model` with geometric carryover to n rows with strictly increasing
 * days (the caller sorts and rejects duplicate days).  A NaN response marks a
 * day whose spend is known but whose response is not: it feeds the adstock
 * and is left out of the fit.  Returns NOA_OK with the
 * long-run curve in *out and the carryover in *carry, or an NOA_ERR_* code.
 */
int			noa_carryover_fit(noa_model model, const int32_t *day, const double *spend,
							  const double *response, int n, const noa_fit_options *opt,
							  noa_curve *out, noa_carryover *carry);

/*
 * Rewrite a curve fitted on adstocked input (parameters and covariance) as its
 * long-run curve in daily spend: L(x) = f(x/(1-θ)).
 */
void		noa_carryover_long_run(noa_curve *curve, double theta);

#endif
