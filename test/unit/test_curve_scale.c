/*
 * test_curve_scale.c — rescaling a fitted curve by an uncertain factor
 * (curve_scale.h): the response scales exactly, the response variance gains
 * the factor's share (delta method), a certain factor keeps relative
 * uncertainty, shape parameters are untouched, and bad factors are refused.
 */
#include <string.h>

#include "unit.h"
#include "curve_scale.h"

/* Variance of f(x) from the curve's covariance: gᵀΣg. */
static double
response_var(const noa_curve *c, double x)
{
	double		g[NOA_MAX_PARAMS];
	double		v = 0.0;
	int			np = noa_model_nparams((noa_model) c->model),
				i,
				j;

	noa_curve_value_grad((noa_model) c->model, c->param, x, g);
	for (i = 0; i < np; i++)
		for (j = 0; j < np; j++)
			v += g[i] * c->cov[i * NOA_MAX_PARAMS + j] * g[j];
	return v;
}

int
main(void)
{
	noa_curve	c,
				s;
	double		x = 800.0,
				f = 0.6,
				sd = 0.1,
				r,
				v;

	memset(&c, 0, sizeof(c));
	c.model = NOA_MODEL_HILL;
	c.status = NOA_FIT_CONVERGED;
	c.n = 300;
	c.param[0] = 50.0, c.param[1] = 900.0, c.param[2] = 1.4;
	/* a valid covariance with correlation between b and k */
	c.cov[0] = 4.0, c.cov[1] = 30.0, c.cov[2] = 0.01;
	c.cov[3] = 30.0, c.cov[4] = 900.0, c.cov[5] = 0.2;
	c.cov[6] = 0.01, c.cov[7] = 0.2, c.cov[8] = 0.004;
	c.sigma = 3.0, c.ssr = 9.0 * 297, c.y_mean = 25.0, c.r2 = 0.8;
	c.x_min = 100.0, c.x_max = 2000.0;

	r = noa_curve_value(NOA_MODEL_HILL, c.param, x);
	v = response_var(&c, x);

	CHECK(noa_curve_scale(&c, f, sd, &s) == NOA_OK, "a positive factor with a standard error is accepted");
	CHECK(unit_close(noa_curve_value(NOA_MODEL_HILL, s.param, x), f * r, 1e-14), "the response scales by the factor");
	CHECK(unit_close(noa_curve_slope(NOA_MODEL_HILL, s.param, x), f * noa_curve_slope(NOA_MODEL_HILL, c.param, x), 1e-14),
		  "the marginal response scales by the factor");
	CHECK(s.param[1] == c.param[1] && s.param[2] == c.param[2], "shape parameters keep their values");
	CHECK(unit_close(response_var(&s, x), f * f * v + r * r * sd * sd + v * sd * sd, 1e-12),
		  "the response variance is that of a product of independent estimates");
	CHECK(s.cov[1] == s.cov[3] && s.cov[5] == s.cov[7],
		  "the covariance stays symmetric");
	{
		double		m = noa_curve_slope(NOA_MODEL_HILL, c.param, x),
					g[NOA_MAX_PARAMS],
					vm = 0.0,
					vm2 = 0.0;
		int			i,
					j;

		noa_curve_slope_grad(NOA_MODEL_HILL, c.param, x, g);
		for (i = 0; i < 3; i++)
			for (j = 0; j < 3; j++)
				vm += g[i] * c.cov[i * 3 + j] * g[j];
		noa_curve_slope_grad(NOA_MODEL_HILL, s.param, x, g);
		for (i = 0; i < 3; i++)
			for (j = 0; j < 3; j++)
				vm2 += g[i] * s.cov[i * 3 + j] * g[j];
		CHECK(unit_close(vm2, f * f * vm + m * m * sd * sd + vm * sd * sd, 1e-6),
			  "the marginal response's variance is that of a product too");
	}
	CHECK(response_var(&s, x) > f * f * v, "an uncertain factor widens the interval beyond plain rescaling");
	CHECK(unit_close(s.sigma, f * c.sigma, 1e-15) && unit_close(s.ssr, f * f * c.ssr, 1e-15)
		  && unit_close(s.y_mean, f * c.y_mean, 1e-15) && s.r2 == c.r2 && s.x_max == c.x_max,
		  "residual scale and mean response scale, r2 and the spend range stay");

	CHECK(noa_curve_scale(&c, f, 0.0, &s) == NOA_OK && unit_close(response_var(&s, x), f * f * v, 1e-12),
		  "a certain factor keeps the relative uncertainty");

	memset(&s, 0x5a, sizeof(s));
	CHECK(noa_curve_scale(&c, 0.0, sd, &s) == NOA_ERR_INVALID && ((unsigned char *) &s)[0] == 0x5a,
		  "a zero factor is refused and the output untouched");
	CHECK(noa_curve_scale(&c, -1.0, sd, &s) == NOA_ERR_INVALID, "a negative factor is refused");
	CHECK(noa_curve_scale(&c, NAN, sd, &s) == NOA_ERR_INVALID, "a NaN factor is refused");
	CHECK(noa_curve_scale(&c, INFINITY, sd, &s) == NOA_ERR_INVALID, "an infinite factor is refused");
	CHECK(noa_curve_scale(&c, f, -0.1, &s) == NOA_ERR_INVALID, "a negative standard error is refused");

	{
		int			rc;

		s = c;
		rc = noa_curve_scale(&s, 2.0, 0.0, &s);
		CHECK(rc == NOA_OK && s.param[0] == 100.0, "the output may alias the input");
	}

	CHECK(unit_close(noa_interval_sd(0.4, 1.2, 0.9), 0.8 / (2 * 1.6448536269514722), 1e-12),
		  "a 90%% interval of width 0.8 is a standard error of 0.243");
	CHECK(isnan(noa_interval_sd(1.2, 0.4, 0.9)), "an inverted interval has no standard error");
	CHECK(isnan(noa_interval_sd(0.4, 1.2, 1.0)) && isnan(noa_interval_sd(0.4, INFINITY, 0.9)),
		  "an invalid level or bound has no standard error");

	return unit_failed ? 1 : 0;
}
