/*
 * curve_scale.c — rescale a fitted curve by an uncertain factor (see
 * curve_scale.h for the formulas).
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "curve_scale.h"

int
noa_curve_scale(const noa_curve *in, double factor, double factor_sd, noa_curve *out)
{
	noa_curve	c;
	double		b,
				inflate;
	int			np,
				i,
				j;

	if (!isfinite(factor) || factor <= 0.0 || !isfinite(factor_sd) || factor_sd < 0.0)
		return NOA_ERR_INVALID;
	memcpy(&c, in, sizeof(c));
	np = noa_model_nparams((noa_model) c.model);
	if (np < 1)
		return NOA_ERR_INVALID;
	inflate = 1.0 + (factor_sd / factor) * (factor_sd / factor);
	b = c.param[0];
	c.param[0] = factor * b;
	for (i = 0; i < np; i++)
		for (j = 0; j < np; j++)
			c.cov[i * NOA_MAX_PARAMS + j] *= inflate * (i == 0 ? factor : 1.0) * (j == 0 ? factor : 1.0);
	c.cov[0] += b * b * factor_sd * factor_sd;
	c.ssr *= factor * factor;
	c.sigma *= factor;
	c.y_mean *= factor;
	memcpy(out, &c, sizeof(c));
	return NOA_OK;
}

double
noa_interval_sd(double lo, double hi, double level)
{
	if (!isfinite(lo) || !isfinite(hi) || hi < lo || !(level > 0.0 && level < 1.0))
		return NAN;
	return (hi - lo) / (2.0 * gsl_cdf_ugaussian_Pinv(0.5 + level / 2.0));
}
