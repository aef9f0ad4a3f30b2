/*
 * count_tail.c — lower tail of Poisson and negative binomial counts through
 * the regularised incomplete gamma and beta functions (GSL), so the cost does
 * not grow with the count.
 *
 *   Poisson(mu):      P(X <= k) = Q(k + 1, mu)            (gsl_sf_gamma_inc_Q)
 *   NegBin(mu, phi):  P(X <= k) = I_q(r, k + 1),          (gsl_sf_beta_inc)
 *                     q = 1 / phi, r = mu / (phi - 1)
 * where phi = variance / mean > 1 is the over-dispersion.
 */
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

#include "count_tail.h"

/* GSL status to a probability: underflow means a tail below DBL_MIN, i.e. 0. */
static int
tail_result(int status, const gsl_sf_result *r, double *p)
{
	if (status == GSL_EUNDRFLW)
	{
		*p = 0.0;
		return NOA_TAIL_OK;
	}
	if (status != GSL_SUCCESS || !isfinite(r->val))
		return NOA_TAIL_INVALID;
	*p = fmin(1.0, fmax(0.0, r->val));
	return NOA_TAIL_OK;
}

int
noa_count_lower_tail(double observed, double expected, double dispersion, double *p)
{
	gsl_sf_result r;
	double		k;

	if (!isfinite(observed) || !isfinite(expected) || !isfinite(dispersion) ||
		observed < 0.0 || expected < 0.0 || dispersion < 0.0)
		return NOA_TAIL_INVALID;
	k = floor(observed);
	if (expected == 0.0)
	{
		*p = 1.0;				/* nothing was due: any count is at least as likely */
		return NOA_TAIL_OK;
	}
	if (dispersion <= 1.0)
		return tail_result(gsl_sf_gamma_inc_Q_e(k + 1.0, expected, &r), &r, p);
	return tail_result(gsl_sf_beta_inc_e(expected / (dispersion - 1.0), k + 1.0, 1.0 / dispersion, &r), &r, p);
}
