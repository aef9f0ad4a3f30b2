/*
 * test_curve_fit.c — the curve fitter (curve_fit.h): recovery of known
 * parameters from noisy synthetic data for every family, analytic slopes and
 * gradients against finite differences, degenerate and badly scaled inputs,
 * bit-identical repeats, the interrupt callback and AUTO model choice.
 */
#include <float.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "unit.h"
#include "curve_fit.h"

#define MAX_POINTS 400

/* A fixed 64-bit LCG (Knuth's MMIX constants): the only randomness here. */
typedef struct lcg
{
	uint64_t	state;
} lcg;

/* Uniform on (0, 1). */
static double
lcg_uniform(lcg *r)
{
	r->state = r->state * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((double) (r->state >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal by Box–Muller (one of the pair). */
static double
lcg_normal(lcg *r)
{
	double		a = lcg_uniform(r),
				b = lcg_uniform(r);

	return sqrt(-2.0 * log(a)) * cos(2.0 * M_PI * b);
}

/* True parameters used across the tests, per family. */
static void
true_params(noa_model model, double *p)
{
	memset(p, 0, sizeof(double) * NOA_MAX_PARAMS);
	switch (model)
	{
		case NOA_MODEL_HILL:
			p[0] = 1000.0, p[1] = 5000.0, p[2] = 1.8;
			break;
		case NOA_MODEL_EXPONENTIAL:
			p[0] = 800.0, p[1] = 6000.0;
			break;
		case NOA_MODEL_MICHAELIS_MENTEN:
			p[0] = 1200.0, p[1] = 4000.0;
			break;
		case NOA_MODEL_LOGISTIC:
			p[0] = 900.0, p[1] = 8000.0, p[2] = 1.0 / 1500.0;
			break;
		case NOA_MODEL_TANH:
			p[0] = 700.0, p[1] = 7000.0;
			break;
		case NOA_MODEL_POWER:
			p[0] = 2.0, p[1] = 0.6;
			break;
		default:
			p[0] = 0.05;
			break;
	}
}

/*
 * n sorted spends uniform on [0, 20000] (every 10th exactly 0) and responses
 * f(x) + noise·f(20000)·N(0,1).
 */
static void
make_data(noa_model model, const double *p, int n, double noise, uint64_t seed,
		  double *x, double *y)
{
	lcg			r = {seed};
	double		scale = noa_curve_value(model, p, 20000.0);
	int			i,
				j;

	for (i = 0; i < n; i++)
		x[i] = i % 10 == 0 ? 0.0 : 20000.0 * lcg_uniform(&r);
	for (i = 1; i < n; i++)		/* insertion sort */
	{
		double		v = x[i];

		for (j = i; j > 0 && x[j - 1] > v; j--)
			x[j] = x[j - 1];
		x[j] = v;
	}
	for (i = 0; i < n; i++)
		y[i] = noa_curve_value(model, p, x[i]) + noise * scale * lcg_normal(&r);
}

/* Every double in the result is finite. */
static int
curve_finite(const noa_curve *c)
{
	const double *d = c->param;
	size_t		k,
				count = (size_t) (&c->y_mean - c->param) + 1;

	for (k = 0; k < count; k++)
		if (!isfinite(d[k]))
			return 0;
	return 1;
}

/* Unused parameter slots and the reserved field are zero. */
static int
curve_tidy(const noa_curve *c)
{
	int			i;

	if (c->reserved != 0)
		return 0;
	for (i = noa_model_nparams((noa_model) c->model); i < NOA_MAX_PARAMS; i++)
		if (c->param[i] != 0.0)
			return 0;
	return 1;
}

/* All fitted numbers zero (the INSUFFICIENT_DATA / parameter-less shape). */
static int
curve_empty(const noa_curve *c)
{
	int			i;

	for (i = 0; i < NOA_MAX_PARAMS; i++)
		if (c->param[i] != 0.0)
			return 0;
	for (i = 0; i < NOA_MAX_PARAMS * NOA_MAX_PARAMS; i++)
		if (c->cov[i] != 0.0)
			return 0;
	return c->ssr == 0.0 && c->sigma == 0.0 && c->r2 == 0.0 && c->aicc == 0.0;
}

/* Recovery of known parameters within 3 standard errors, for every family. */
static void
test_recovery(void)
{
	static double x[MAX_POINTS],
				y[MAX_POINTS];
	noa_fit_options opt;
	int			m;

	noa_fit_options_default(&opt);
	for (m = NOA_MODEL_FIRST; m <= NOA_MODEL_LAST; m++)
	{
		const int	n = 200;
		double		p[NOA_MAX_PARAMS];
		noa_curve	c;
		int			rc,
					j,
					np = noa_model_nparams(m);

		true_params(m, p);
		make_data(m, p, n, 0.02, 1000 + m, x, y);
		rc = noa_curve_fit(m, x, y, n, &opt, &c);
		CHECK(rc == NOA_OK && c.status == NOA_FIT_CONVERGED && c.flags == 0,
			  "%s: converged (rc %d, status %s, flags %d)", noa_model_name(m), rc,
			  noa_fit_status_name(c.status), c.flags);
		CHECK(c.model == m && c.n == n && c.n_starts >= 1 &&
			  c.n_starts_converged >= 1 && c.n_starts_converged <= c.n_starts,
			  "%s: model, n and start counts recorded", noa_model_name(m));
		for (j = 0; j < np; j++)
		{
			double		se = sqrt(c.cov[j * NOA_MAX_PARAMS + j]);

			CHECK(se > 0.0 && fabs(c.param[j] - p[j]) <= 3.0 * se,
				  "%s: %s = %.6g, true %.6g, se %.3g", noa_model_name(m),
				  noa_model_param_name(m, j), c.param[j], p[j], se);
		}
		CHECK(curve_finite(&c) && curve_tidy(&c) && c.r2 > 0.9 && c.sigma > 0.0 &&
			  c.aicc < DBL_MAX && c.x_min == 0.0 && c.x_max > 19000.0,
			  "%s: statistics finite and plausible (r2 %.4f, sigma %.4g)",
			  noa_model_name(m), c.r2, c.sigma);
	}
}

/* The statistics follow their definitions from the residuals. */
static void
test_statistics(void)
{
	static double x[MAX_POINTS],
				y[MAX_POINTS];
	const int	n = 150;
	double		p[NOA_MAX_PARAMS],
				ssr = 0.0,
				sst = 0.0,
				ym = 0.0,
				aicc;
	noa_curve	c;
	int			i;

	true_params(NOA_MODEL_HILL, p);
	make_data(NOA_MODEL_HILL, p, n, 0.05, 77, x, y);
	noa_curve_fit(NOA_MODEL_HILL, x, y, n, NULL, &c);
	for (i = 0; i < n; i++)
		ym += y[i] / n;
	for (i = 0; i < n; i++)
	{
		double		r = y[i] - noa_curve_value(NOA_MODEL_HILL, c.param, x[i]);

		ssr += r * r;
		sst += (y[i] - ym) * (y[i] - ym);
	}
	aicc = n * log(ssr / n) + 6.0 + 24.0 / (n - 4.0);
	CHECK(unit_close(c.ssr, ssr, 1e-10) && unit_close(c.sigma, sqrt(ssr / (n - 3)), 1e-10) &&
		  unit_close(c.r2, 1.0 - ssr / sst, 1e-10) && unit_close(c.aicc, aicc, 1e-10) &&
		  unit_close(c.y_mean, ym, 1e-12),
		  "hill: ssr, sigma, r2, aicc, y_mean match their definitions");
	CHECK(c.cov[1] == c.cov[3] && c.cov[2] == c.cov[6] && c.cov[5] == c.cov[7] &&
		  c.cov[0] > 0.0 && c.cov[4] > 0.0 && c.cov[8] > 0.0,
		  "hill: covariance symmetric with a positive diagonal");
	CHECK(unit_close(noa_curve_t_quantile(&c, 0.95), 1.976, 1e-3) &&
		  isnan(noa_curve_t_quantile(&c, 1.5)),
		  "t quantile: 95%% with %d df is %.4f", n - 3, noa_curve_t_quantile(&c, 0.95));
}

/* Random parameters of a family in a plausible range (natural units). */
static void
random_params(noa_model m, lcg *r, double *p)
{
	memset(p, 0, sizeof(double) * NOA_MAX_PARAMS);
	p[0] = 10.0 + 1000.0 * lcg_uniform(r);
	p[1] = 100.0 + 10000.0 * lcg_uniform(r);
	if (m == NOA_MODEL_HILL)
		p[2] = 0.3 + 3.0 * lcg_uniform(r);
	else if (m == NOA_MODEL_LOGISTIC)
		p[2] = (0.5 + 8.0 * lcg_uniform(r)) / p[1];
	else if (m == NOA_MODEL_POWER)
		p[1] = 0.2 + 1.5 * lcg_uniform(r);
}

/* Analytic slope and parameter gradient against 5-point central differences. */
static void
test_derivatives(void)
{
	lcg			r = {4242};
	int			m;

	for (m = NOA_MODEL_FIRST; m <= NOA_MODEL_LAST; m++)
	{
		double		worst_slope = 0.0,
					worst_grad = 0.0;
		int			t,
					np = noa_model_nparams(m);

		for (t = 0; t < 50; t++)
		{
			double		p[NOA_MAX_PARAMS],
						q[NOA_MAX_PARAMS],
						g[NOA_MAX_PARAMS];
			double		x,
						h,
						fd,
						an;
			int			j;

			random_params(m, &r, p);
			/* spend around the curve's own scale, out of the flat tails */
			x = (m == NOA_MODEL_POWER || m == NOA_MODEL_LINEAR ? 5000.0 : p[1]) *
				(0.05 + (m == NOA_MODEL_LOGISTIC ? 1.5 : 4.0) * lcg_uniform(&r));
			h = 1e-4 * x;
			fd = (-noa_curve_value(m, p, x + 2 * h) + 8 * noa_curve_value(m, p, x + h)
				  - 8 * noa_curve_value(m, p, x - h) + noa_curve_value(m, p, x - 2 * h)) / (12 * h);
			an = noa_curve_slope(m, p, x);
			worst_slope = fmax(worst_slope, fabs(an - fd) / fabs(an));

			noa_curve_value_grad(m, p, x, g);
			for (j = 0; j < np; j++)
			{
				double		hp = 1e-4 * p[j];
				double		f[4];
				int			k;

				for (k = 0; k < 4; k++)
				{
					static const double off[4] = {2, 1, -1, -2};

					memcpy(q, p, sizeof(q));
					q[j] = p[j] + off[k] * hp;
					f[k] = noa_curve_value(m, q, x);
				}
				fd = (-f[0] + 8 * f[1] - 8 * f[2] + f[3]) / (12 * hp);
				worst_grad = fmax(worst_grad, fabs(g[j] - fd) /
								  fmax(fabs(g[j]), 1e-12 * fabs(noa_curve_value(m, p, x)) / p[j]));
			}
		}
		CHECK(worst_slope <= 1e-7, "%s: slope vs 5-point difference, worst rel err %.2g",
			  noa_model_name(m), worst_slope);
		CHECK(worst_grad <= 1e-7, "%s: parameter gradient vs 5-point difference, worst rel err %.2g",
			  noa_model_name(m), worst_grad);
	}
}

/* Degenerate inputs: documented statuses, finite numbers, no error. */
static void
test_degenerate(void)
{
	static double x[MAX_POINTS],
				y[MAX_POINTS];
	noa_curve	c;
	int			m,
				i,
				rc;

	for (m = NOA_MODEL_AUTO; m <= NOA_MODEL_LAST; m++)
	{
		const char *name = noa_model_name(m);
		int			np = m == NOA_MODEL_AUTO ? 1 : noa_model_nparams(m);
		int			ok;

		rc = noa_curve_fit(m, NULL, NULL, 0, NULL, &c);
		CHECK(rc == NOA_OK && c.status == NOA_FIT_INSUFFICIENT_DATA && c.n == 0 &&
			  curve_empty(&c) && curve_finite(&c), "%s: n = 0 is insufficient_data", name);

		x[0] = 100.0, y[0] = 5.0;
		rc = noa_curve_fit(m, x, y, 1, NULL, &c);
		CHECK(rc == NOA_OK && c.status == NOA_FIT_INSUFFICIENT_DATA && curve_empty(&c) &&
			  c.x_min == 100.0 && c.y_mean == 5.0, "%s: n = 1 is insufficient_data", name);

		for (i = 0; i < np; i++)
			x[i] = 100.0 * (i + 1), y[i] = 3.0 * (i + 1);
		rc = noa_curve_fit(m, x, y, np, NULL, &c);
		CHECK(rc == NOA_OK && c.status == NOA_FIT_INSUFFICIENT_DATA && curve_empty(&c),
			  "%s: n = p is insufficient_data", name);

		for (i = 0; i < 30; i++)
			x[i] = 250.0, y[i] = 10.0 + (i % 3);
		rc = noa_curve_fit(m, x, y, 30, NULL, &c);
		CHECK(rc == NOA_OK && c.status == NOA_FIT_INSUFFICIENT_DATA && curve_empty(&c) &&
			  c.x_min == 250.0 && c.x_max == 250.0, "%s: constant spend is insufficient_data", name);

		for (i = 0; i < 30; i++)
			x[i] = 10.0 * i, y[i] = 0.0;
		rc = noa_curve_fit(m, x, y, 30, NULL, &c);
		CHECK(rc == NOA_OK && c.status == NOA_FIT_NOT_IDENTIFIABLE && curve_empty(&c) &&
			  curve_finite(&c), "%s: all-zero response is not_identifiable, parameters 0", name);

		for (i = 0; i < 30; i++)
			x[i] = 10.0 * i, y[i] = -0.5 * i - (i % 4);
		rc = noa_curve_fit(m, x, y, 30, NULL, &c);
		CHECK(rc == NOA_OK && c.status == NOA_FIT_NOT_IDENTIFIABLE && curve_empty(&c),
			  "%s: negative response is not_identifiable, parameters 0", name);

		/* Constant response: only the linear (and AUTO's fallback) is usable. */
		for (i = 0; i < 30; i++)
			x[i] = 10.0 * (i + 1), y[i] = 7.0;
		rc = noa_curve_fit(m, x, y, 30, NULL, &c);
		ok = rc == NOA_OK && curve_finite(&c) && curve_tidy(&c);
		if (m == NOA_MODEL_LINEAR || m == NOA_MODEL_AUTO)
			CHECK(ok && c.status == NOA_FIT_CONVERGED && c.r2 == 0.0,
				  "%s: constant response gives a (poor) converged fit (model %s, status %s)",
				  name, noa_model_name(c.model), noa_fit_status_name(c.status));
		else
			CHECK(ok && c.status == NOA_FIT_NOT_IDENTIFIABLE &&
				  (c.flags & NOA_CURVE_FLAG_AT_BOUND) && c.cov[0] == 0.0,
				  "%s: constant response runs away: not_identifiable, at_bound (status %s, flags %d)",
				  name, noa_fit_status_name(c.status), c.flags);
	}

	/* Invalid arguments. */
	x[0] = 1.0, x[1] = -2.0, y[0] = y[1] = 1.0;
	CHECK(noa_curve_fit(NOA_MODEL_HILL, x, y, 2, NULL, &c) == NOA_ERR_INVALID,
		  "negative spend is invalid");
	x[1] = 2.0, y[1] = NAN;
	CHECK(noa_curve_fit(NOA_MODEL_HILL, x, y, 2, NULL, &c) == NOA_ERR_INVALID &&
		  curve_empty(&c), "NaN response is invalid");
	y[1] = 1.0;
	CHECK(noa_curve_fit((noa_model) 99, x, y, 2, NULL, &c) == NOA_ERR_INVALID &&
		  noa_curve_fit(NOA_MODEL_HILL, x, y, -1, NULL, &c) == NOA_ERR_INVALID,
		  "unknown model and negative n are invalid");
}

/* Linear data: the saturating families run away, linear and power do not. */
static void
test_runaway(void)
{
	static double x[MAX_POINTS],
				y[MAX_POINTS];
	double		p[NOA_MAX_PARAMS] = {0.05, 0, 0};
	noa_curve	c;
	int			m;

	make_data(NOA_MODEL_LINEAR, p, 100, 0.0, 9, x, y);
	for (m = NOA_MODEL_AUTO; m <= NOA_MODEL_LAST; m++)
	{
		int			rc = noa_curve_fit(m, x, y, 100, NULL, &c);

		if (m == NOA_MODEL_AUTO || m == NOA_MODEL_LINEAR || m == NOA_MODEL_POWER)
			CHECK(rc == NOA_OK && c.status == NOA_FIT_CONVERGED && curve_finite(&c),
				  "exact linear data, %s: converged (model %s)", noa_model_name(m),
				  noa_model_name(c.model));
		else
			CHECK(rc == NOA_OK && c.status == NOA_FIT_NOT_IDENTIFIABLE &&
				  (c.flags & NOA_CURVE_FLAG_AT_BOUND) && curve_finite(&c),
				  "exact linear data, %s: not_identifiable, at_bound (status %s, k %.3g)",
				  noa_model_name(m), noa_fit_status_name(c.status), c.param[1]);
	}
}

/* Scaling spend and response by 1e9 or 1e-4 scales the parameters exactly. */
static void
test_scale(void)
{
	static double x[MAX_POINTS],
				y[MAX_POINTS],
				xs[MAX_POINTS],
				ys[MAX_POINTS];
	static const double scales[2] = {1e9, 1e-4};
	int			m,
				s,
				i;

	for (m = NOA_MODEL_FIRST; m <= NOA_MODEL_LAST; m++)
	{
		double		p[NOA_MAX_PARAMS];
		noa_curve	c,
					cs;

		true_params(m, p);
		make_data(m, p, 120, 0.03, 31 + m, x, y);
		noa_curve_fit(m, x, y, 120, NULL, &c);
		for (s = 0; s < 2; s++)
		{
			double		k = scales[s];
			double		expect[NOA_MAX_PARAMS];
			int			ok;

			for (i = 0; i < 120; i++)
				xs[i] = x[i] * k, ys[i] = y[i] * k;
			noa_curve_fit(m, xs, ys, 120, NULL, &cs);
			memcpy(expect, c.param, sizeof(expect));
			switch (m)
			{
				case NOA_MODEL_HILL:
				case NOA_MODEL_EXPONENTIAL:
				case NOA_MODEL_MICHAELIS_MENTEN:
				case NOA_MODEL_TANH:
					expect[0] *= k, expect[1] *= k;
					break;
				case NOA_MODEL_LOGISTIC:
					expect[0] *= k, expect[1] *= k, expect[2] /= k;
					break;
				case NOA_MODEL_POWER:
					expect[0] *= pow(k, 1.0 - c.param[1]);
					break;
				default:
					break;
			}
			ok = cs.status == c.status && curve_finite(&cs) &&
				unit_close(cs.ssr, c.ssr * k * k, 1e-6) && unit_close(cs.r2, c.r2, 1e-6);
			for (i = 0; i < noa_model_nparams(m); i++)
				ok = ok && unit_close(cs.param[i], expect[i], 1e-6);
			CHECK(ok, "%s: x and y scaled by %g give the same curve, scaled (status %s)",
				  noa_model_name(m), k, noa_fit_status_name(cs.status));
		}
	}
}

/* Repeated fits of the same data are bit-identical. */
static void
test_determinism(void)
{
	static double x[MAX_POINTS],
				y[MAX_POINTS];
	int			m;

	for (m = NOA_MODEL_AUTO; m <= NOA_MODEL_LAST; m++)
	{
		double		p[NOA_MAX_PARAMS];
		noa_curve	a,
					b;
		noa_model	gen = m == NOA_MODEL_AUTO ? NOA_MODEL_HILL : m;
		int			same = 1,
					t;

		true_params(gen, p);
		make_data(gen, p, 365, 0.05, 555 + m, x, y);
		noa_curve_fit(m, x, y, 365, NULL, &a);
		for (t = 0; t < 5; t++)
		{
			noa_curve_fit(m, x, y, 365, NULL, &b);
			same = same && memcmp(&a, &b, sizeof(a)) == 0;
		}
		CHECK(same, "%s: repeated fits are bit-identical", noa_model_name(m));
	}
}

/* An iteration budget of 1 gives max_iterations with a usable curve; bad options are invalid. */
static void
test_options(void)
{
	static double x[MAX_POINTS],
				y[MAX_POINTS];
	double		p[NOA_MAX_PARAMS];
	noa_fit_options opt;
	noa_curve	c;
	int			rc;

	true_params(NOA_MODEL_HILL, p);
	make_data(NOA_MODEL_HILL, p, 200, 0.05, 12, x, y);
	noa_fit_options_default(&opt);
	CHECK(opt.max_iterations == 200 && opt.xtol == 1e-10 && opt.gtol == 1e-10 &&
		  opt.interrupted == NULL, "default options");
	opt.max_iterations = 1;
	rc = noa_curve_fit(NOA_MODEL_HILL, x, y, 200, &opt, &c);
	CHECK(rc == NOA_OK && c.status == NOA_FIT_MAX_ITERATIONS && c.iterations == 1 &&
		  c.n_starts == 3 && c.n_starts_converged == 0 &&
		  noa_curve_params_valid(NOA_MODEL_HILL, c.param) && curve_finite(&c) && c.cov[0] > 0.0,
		  "one iteration: max_iterations after %d starts, curve usable", c.n_starts);
	opt.max_iterations = 200;
	opt.xtol = -1.0;
	CHECK(noa_curve_fit(NOA_MODEL_HILL, x, y, 200, &opt, &c) == NOA_ERR_INVALID,
		  "negative tolerance is invalid");
}

/* Unsorted input reaches the same curve (to solver tolerance). */
static void
test_unsorted(void)
{
	static double x[MAX_POINTS],
				y[MAX_POINTS],
				xr[MAX_POINTS],
				yr[MAX_POINTS];
	int			m,
				i;

	for (m = NOA_MODEL_FIRST; m <= NOA_MODEL_LAST; m++)
	{
		double		p[NOA_MAX_PARAMS];
		noa_curve	a,
					b;
		int			ok;

		true_params(m, p);
		make_data(m, p, 300, 0.05, 200 + m, x, y);
		for (i = 0; i < 300; i++)	/* a fixed scramble: i -> 7i mod 300 */
			xr[(7 * i) % 300] = x[i], yr[(7 * i) % 300] = y[i];
		noa_curve_fit(m, x, y, 300, NULL, &a);
		noa_curve_fit(m, xr, yr, 300, NULL, &b);
		ok = a.status == b.status && unit_close(a.ssr, b.ssr, 1e-9);
		for (i = 0; i < noa_model_nparams(m); i++)
			ok = ok && unit_close(a.param[i], b.param[i], 1e-6);
		CHECK(ok, "%s: scrambled input gives the same curve", noa_model_name(m));
	}
}

/* Interrupt callback: counts polls, stops at the limit. */
typedef struct poll_state
{
	int			calls;
	int			stop_at;
} poll_state;

static int
poll_interrupt(void *arg)
{
	poll_state *ps = arg;

	return ++ps->calls >= ps->stop_at;
}

/* The interrupt callback is polled and honoured at once, for single and AUTO fits. */
static void
test_interrupt(void)
{
	static double x[MAX_POINTS],
				y[MAX_POINTS];
	double		p[NOA_MAX_PARAMS];
	noa_fit_options opt;
	noa_curve	c;
	poll_state	ps;
	int			stop,
				rc;

	true_params(NOA_MODEL_HILL, p);
	make_data(NOA_MODEL_HILL, p, 365, 0.05, 8, x, y);
	noa_fit_options_default(&opt);
	opt.interrupted = poll_interrupt;
	opt.interrupt_arg = &ps;

	ps.calls = 0, ps.stop_at = 1 << 30;
	rc = noa_curve_fit(NOA_MODEL_AUTO, x, y, 365, &opt, &c);
	CHECK(rc == NOA_OK && ps.calls > 10, "AUTO fit polls the callback (%d polls)", ps.calls);

	for (stop = 1; stop <= 7; stop += 3)
	{
		ps.calls = 0, ps.stop_at = stop;
		rc = noa_curve_fit(NOA_MODEL_AUTO, x, y, 365, &opt, &c);
		CHECK(rc == NOA_ERR_INTERRUPTED && ps.calls == stop && curve_empty(&c) && c.n == 0,
			  "interrupt at poll %d: NOA_ERR_INTERRUPTED at once, result zeroed", stop);
	}
}

/*
 * AUTO picks the family that generated exact data.  (With noise, AICc picks a
 * family that nests the true one — hill for michaelis_menten, power for
 * linear — about one time in six, so exact data make the check meaningful.)
 */
static void
test_auto(void)
{
	static double x[MAX_POINTS],
				y[MAX_POINTS];
	int			m;

	for (m = NOA_MODEL_FIRST; m <= NOA_MODEL_LAST; m++)
	{
		double		p[NOA_MAX_PARAMS];
		noa_curve	c;
		int			rc;

		true_params(m, p);
		make_data(m, p, 365, 0.0, 90 + m, x, y);
		rc = noa_curve_fit(NOA_MODEL_AUTO, x, y, 365, NULL, &c);
		CHECK(rc == NOA_OK && c.model == m && c.status == NOA_FIT_CONVERGED &&
			  (c.flags & NOA_CURVE_FLAG_AUTO),
			  "AUTO on exact %s data picks %s", noa_model_name(m), noa_model_name(c.model));
	}
}

/* Status names round-trip. */
static void
test_names(void)
{
	int			s,
				ok = 1;

	for (s = NOA_FIT_CONVERGED; s <= NOA_FIT_INSUFFICIENT_DATA; s++)
		ok = ok && noa_fit_status_from_name(noa_fit_status_name(s)) == s;
	CHECK(ok && noa_fit_status_from_name("bogus") == -1 &&
		  strcmp(noa_fit_status_name(NOA_FIT_MAX_ITERATIONS), "max_iterations") == 0,
		  "status names round-trip");
}

int
main(void)
{
	gsl_set_error_handler_off();
	test_names();
	test_recovery();
	test_statistics();
	test_derivatives();
	test_degenerate();
	test_runaway();
	test_scale();
	test_determinism();
	test_options();
	test_unsorted();
	test_interrupt();
	test_auto();
	return unit_done();
}
