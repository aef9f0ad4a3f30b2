/*
 * carryover_fit.c — saturation curve with geometric carryover, θ profiled
 * (see carryover_fit.h for the model and the long-run form).
 *
 * Search.  The profile objective at θ is the SSR of the best saturation fit
 * on the adstocked spend (AICc for model auto, so families compare).  θ runs
 * over a lattice of step 0.01 up to 0.95: first every fifth point (0, 0.05,
 * ..., 0.95), then every point within ±0.04 of the best, then one parabolic
 * step through the best point and its two neighbours.  Each lattice point is
 * fitted at most once (about 30 fits in all).  Ties keep the smaller θ.
 * Every step is a fixed sequence of fits, so the answer is deterministic.  The standard error of θ comes from
 * the profile's curvature there: se = sqrt(2σ² / SSR''(θ)).
 */
#include "carryover_fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "carryover.h"

#define LATTICE_STEP 0.01
#define LATTICE_LAST 95			/* NOA_CARRYOVER_THETA_MAX / LATTICE_STEP */
#define GRID_EVERY 5
#define FINE_REACH 4

/* Arrays and inputs shared by every evaluation of the profile. */
typedef struct profile
{
	noa_model	model;
	const int32_t *day;
	const double *spend;
	const double *response;
	int			n;
	const noa_fit_options *opt;
	double	   *adstock;		/* n */
	double	   *pairs;			/* 2n: (x*, y) sorted */
	double	   *xs;				/* n */
	double	   *ys;				/* n */
	int			evaluations;
	double		lattice[LATTICE_LAST + 1];	/* objective at k·LATTICE_STEP; NaN until fitted */
} profile;

/* Best evaluation so far. */
typedef struct profile_best
{
	double		theta;
	double		objective;
	noa_curve	fit;
} profile_best;

/* Order (x*, y) pairs by x*, then y. */
static int
pair_cmp(const void *a, const void *b)
{
	const double *p = a,
			   *q = b;

	if (p[0] != q[0])
		return p[0] < q[0] ? -1 : 1;
	if (p[1] != q[1])
		return p[1] < q[1] ? -1 : 1;
	return 0;
}

/*
 * Fit the saturation curve at θ; *objective is +Inf when the fit has no
 * usable parameters.  Returns an NOA_* code.
 */
static int
profile_eval(profile *pr, double theta, noa_curve *fit, double *objective)
{
	int			i,
				m = 0,
				rc;

	if (pr->opt->interrupted && pr->opt->interrupted(pr->opt->interrupt_arg))
		return NOA_ERR_INTERRUPTED;
	noa_adstock_geometric_series(pr->day, pr->spend, pr->n, theta, pr->adstock);
	for (i = 0; i < pr->n; i++)
	{
		if (isnan(pr->response[i]))
			continue;			/* spend without an observed response */
		pr->pairs[2 * m] = pr->adstock[i];
		pr->pairs[2 * m + 1] = pr->response[i];
		m++;
	}
	qsort(pr->pairs, m, 2 * sizeof(double), pair_cmp);
	for (i = 0; i < m; i++)
	{
		pr->xs[i] = pr->pairs[2 * i];
		pr->ys[i] = pr->pairs[2 * i + 1];
	}
	rc = noa_curve_fit(pr->model, pr->xs, pr->ys, m, pr->opt, fit);
	pr->evaluations++;
	if (rc != NOA_OK)
		return rc;
	if (noa_curve_params_valid((noa_model) fit->model, fit->param))
		*objective = pr->model == NOA_MODEL_AUTO ? fit->aicc : fit->ssr;
	else
		*objective = INFINITY;
	return NOA_OK;
}

/* Evaluate θ and keep it when strictly better (ties keep the smaller θ). */
static int
profile_try(profile *pr, double theta, profile_best *best, double *objective)
{
	noa_curve	fit;
	double		obj;
	int			rc = profile_eval(pr, theta, &fit, &obj);

	if (rc != NOA_OK)
		return rc;
	if (objective)
		*objective = obj;
	if (obj < best->objective ||
		(obj == best->objective && theta < best->theta))
	{
		best->theta = theta;
		best->objective = obj;
		best->fit = fit;
	}
	return NOA_OK;
}

/* The objective at lattice point k, fitting it on first use. */
static int
profile_lattice(profile *pr, int k, profile_best *best, double *objective)
{
	int			rc = NOA_OK;

	if (isnan(pr->lattice[k]))
		rc = profile_try(pr, k * LATTICE_STEP, best, &pr->lattice[k]);
	*objective = pr->lattice[k];
	return rc;
}

/* The deterministic 1-D search of the top comment. */
static int
profile_search(profile *pr, profile_best *best, double *theta_se)
{
	double		f0,
				f_lo,
				f_hi,
				curvature,
				h = LATTICE_STEP;
	int			k,
				kb,
				rc;

	best->theta = 0.0;
	best->objective = INFINITY;
	memset(&best->fit, 0, sizeof(best->fit));
	*theta_se = 0.0;
	for (k = 0; k <= LATTICE_LAST; k++)
		pr->lattice[k] = NAN;
	for (k = 0; k <= LATTICE_LAST; k += GRID_EVERY)
		if ((rc = profile_lattice(pr, k, best, &f0)) != NOA_OK)
			return rc;
	if (!isfinite(best->objective))
		return NOA_OK;
	kb = (int) nearbyint(best->theta / h);
	for (k = kb > FINE_REACH ? kb - FINE_REACH : 0;
		 k <= kb + FINE_REACH && k <= LATTICE_LAST; k++)
		if ((rc = profile_lattice(pr, k, best, &f0)) != NOA_OK)
			return rc;

	/* Parabola through the best lattice point and its neighbours (fitted already, or now). */
	kb = (int) nearbyint(best->theta / h);
	if (kb < 1 || kb >= LATTICE_LAST)
		return NOA_OK;
	if ((rc = profile_lattice(pr, kb - 1, best, &f_lo)) != NOA_OK ||
		(rc = profile_lattice(pr, kb + 1, best, &f_hi)) != NOA_OK)
		return rc;
	f0 = pr->lattice[kb];
	curvature = f_lo - 2.0 * f0 + f_hi;
	if (isfinite(curvature) && curvature > 0.0)
	{
		double		step = -h * (f_hi - f_lo) / (2.0 * curvature);
		double		theta = kb * h + fmax(-h, fmin(h, step));
		int			p = noa_model_nparams((noa_model) best->fit.model);

		if (pr->model != NOA_MODEL_AUTO && best->fit.n > p + 1)
		{
			double		sigma2 = best->fit.ssr / (best->fit.n - p - 1);

			*theta_se = sqrt(2.0 * sigma2 / (curvature / (h * h)));
		}
		if (theta != kb * h && (rc = profile_try(pr, theta, best, &f0)) != NOA_OK)
			return rc;
	}
	return NOA_OK;
}

/* Rewrite parameters and covariance of f(x*) as L(x) = f(x/(1-θ)). */
void
noa_carryover_long_run(noa_curve *curve, double theta)
{
	double		c = 1.0 / (1.0 - theta);
	double		jac[NOA_MAX_PARAMS * NOA_MAX_PARAMS];
	double		tmp[NOA_MAX_PARAMS * NOA_MAX_PARAMS];
	double	   *p = curve->param;
	int			np = noa_model_nparams((noa_model) curve->model);
	int			i,
				j,
				l;

	memset(jac, 0, sizeof(jac));
	for (i = 0; i < NOA_MAX_PARAMS; i++)
		jac[i * NOA_MAX_PARAMS + i] = 1.0;
	switch ((noa_model) curve->model)
	{
		case NOA_MODEL_HILL:
		case NOA_MODEL_EXPONENTIAL:
		case NOA_MODEL_MICHAELIS_MENTEN:
		case NOA_MODEL_TANH:
			jac[1 * NOA_MAX_PARAMS + 1] = 1.0 / c;	/* k' = k(1-θ) */
			break;
		case NOA_MODEL_LOGISTIC:
			jac[1 * NOA_MAX_PARAMS + 1] = 1.0 / c;	/* m' = m(1-θ) */
			jac[2 * NOA_MAX_PARAMS + 2] = c;	/* r' = r/(1-θ) */
			break;
		case NOA_MODEL_POWER:
			jac[0] = pow(c, p[1]);	/* b' = b c^a */
			jac[1] = p[0] * pow(c, p[1]) * log(c);
			break;
		case NOA_MODEL_LINEAR:
			jac[0] = c;			/* b' = b c */
			break;
		default:
			return;
	}
	if (curve->model == NOA_MODEL_POWER)
		p[0] *= pow(c, p[1]);
	else
		for (i = 0; i < np; i++)
			p[i] *= jac[i * NOA_MAX_PARAMS + i];

	/* cov' = J cov Jᵀ */
	for (i = 0; i < np; i++)
		for (j = 0; j < np; j++)
		{
			double		s = 0.0;

			for (l = 0; l < np; l++)
				s += jac[i * NOA_MAX_PARAMS + l] * curve->cov[l * NOA_MAX_PARAMS + j];
			tmp[i * NOA_MAX_PARAMS + j] = s;
		}
	for (i = 0; i < np; i++)
		for (j = 0; j < np; j++)
		{
			double		s = 0.0;

			for (l = 0; l < np; l++)
				s += tmp[i * NOA_MAX_PARAMS + l] * jac[j * NOA_MAX_PARAMS + l];
			curve->cov[i * NOA_MAX_PARAMS + j] = s;
		}
}

/* Fit with profiled geometric carryover (see carryover_fit.h). */
int
noa_carryover_fit(noa_model model, const int32_t *day, const double *spend,
				  const double *response, int n, const noa_fit_options *opt,
				  noa_curve *out, noa_carryover *carry)
{
	noa_fit_options defaults;
	profile		pr;
	profile_best best;
	int32_t	   *period = NULL;
	int64_t		step = 0;
	double		theta_se = 0.0,
				xsum = 0.0,
				xmin = INFINITY,
				xmax = 0.0;
	int			i,
				rc;

	if (out == NULL || carry == NULL)
		return NOA_ERR_INVALID;
	memset(out, 0, sizeof(*out));
	memset(carry, 0, sizeof(*carry));
	if (model < NOA_MODEL_AUTO || model > NOA_MODEL_LAST || n < 0 ||
		(n > 0 && (day == NULL || spend == NULL || response == NULL)))
		return NOA_ERR_INVALID;
	for (i = 0; i < n; i++)
		if (!isfinite(spend[i]) || isinf(response[i]) || spend[i] < 0.0 ||
			(i > 0 && day[i] <= day[i - 1]))
			return NOA_ERR_INVALID;
	if (opt == NULL)
	{
		noa_fit_options_default(&defaults);
		opt = &defaults;
	}

	/* The period: the gcd of the gaps; rows are then numbered in periods. */
	for (i = 1; i < n; i++)
	{
		int64_t		a = (int64_t) day[i] - day[i - 1],
					b = step;

		while (b != 0)
		{
			int64_t		r = a % b;

			a = b;
			b = r;
		}
		step = a;
	}
	if (step < 1)
		step = 1;
	period = malloc(sizeof(int32_t) * (n > 0 ? n : 1));
	if (period == NULL)
		return NOA_ERR_NOMEM;
	for (i = 0; i < n; i++)
		period[i] = (int32_t) (((int64_t) day[i] - day[0]) / step);

	memset(&pr, 0, sizeof(pr));
	pr.model = model;
	pr.day = period;
	pr.spend = spend;
	pr.response = response;
	pr.n = n;
	pr.opt = opt;
	pr.adstock = malloc(sizeof(double) * (n > 0 ? 5 * n : 1));
	if (pr.adstock == NULL)
	{
		free(period);
		return NOA_ERR_NOMEM;
	}
	pr.pairs = pr.adstock + n;
	pr.xs = pr.pairs + 2 * n;
	pr.ys = pr.xs + n;

	rc = profile_search(&pr, &best, &theta_se);
	if (rc == NOA_OK && !isfinite(best.objective))
	{
		/* No θ gives usable parameters: report the same-day verdict. */
		rc = profile_eval(&pr, 0.0, &best.fit, &best.objective);
		best.theta = 0.0;
		theta_se = 0.0;
	}
	free(pr.adstock);
	free(period);
	if (rc != NOA_OK)
		return rc;

	*out = best.fit;
	if (noa_curve_params_valid((noa_model) out->model, out->param))
		noa_carryover_long_run(out, best.theta);
	for (i = 0; i < n; i++)
	{
		xsum += spend[i];
		xmin = fmin(xmin, spend[i]);
		xmax = fmax(xmax, spend[i]);
	}
	out->x_min = n > 0 ? xmin : 0.0;
	out->x_max = xmax;
	out->x_mean = n > 0 ? xsum / n : 0.0;
	out->flags |= NOA_CURVE_FLAG_LONG_RUN;
	carry->kind = NOA_ADSTOCK_GEOMETRIC;
	carry->theta = best.theta;
	carry->theta_se = isfinite(theta_se) ? theta_se : 0.0;
	carry->evaluations = pr.evaluations;
	carry->period_days = (int32_t) step;
	if (best.theta >= NOA_CARRYOVER_THETA_MAX - 1e-12)
		carry->flags |= NOA_CARRYOVER_FLAG_AT_BOUND;
	return NOA_OK;
}
