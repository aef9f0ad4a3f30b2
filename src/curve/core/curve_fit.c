/*
 * curve_fit.c — least-squares fit of the response-curve families of
 * curve_model.h (see curve_fit.h for the contract).
 *
 * Method.  Spend is scaled by its maximum and response by its largest
 * magnitude, so every problem looks alike (u = x/X in (0, 1], |v| <= 1).
 * Every family is b·g(x; shape), linear in b, so b is profiled out
 * (variable projection): for given shape parameters b = Σ g v / Σ g², and
 * Levenberg–Marquardt (nls.c) runs on the shape parameters alone, in log
 * space (θ = log k, log s, ...), which keeps them positive.  A deterministic
 * grid of data-driven starts is screened by its profiled SSR and LM runs from
 * the best few.  Zero-spend points carry no information on the parameters
 * (every curve passes through the origin); they only add y² to the SSR.
 * Statistics and the covariance are then computed in natural units from
 * noa_curve_value_grad.
 *
 * Decisions for degenerate data (all give NOA_OK and finite numbers):
 *   - n <= p, or fewer than p+1 distinct spend values (zero counts as one):
 *     INSUFFICIENT_DATA.  Constant spend therefore always gives
 *     INSUFFICIENT_DATA, for every family.
 *   - all responses zero, or a best b <= 0 (no positive response to spend):
 *     NOT_IDENTIFIABLE — a valid curve needs b > 0, and with b = 0 the shape
 *     is undetermined.
 *   - a shape parameter that runs away (ends beyond its threshold, or can be
 *     moved to its search limit without a significant rise in SSR; see
 *     family_runaway), or a Jacobian whose equilibrated reciprocal condition
 *     number is below FIT_RCOND_MIN: NOT_IDENTIFIABLE (with
 *     NOA_CURVE_FLAG_AT_BOUND for the former).  The parameters and
 *     statistics of the best point are kept, the covariance is 0.
 *   - INSUFFICIENT_DATA and parameter-less NOT_IDENTIFIABLE results carry
 *     only n and the data summary (x_min, x_max, x_mean, y_mean); every
 *     other field is 0.
 *   - aicc: when n-p-1 <= 0 the correction is undefined and aicc is DBL_MAX;
 *     the SSR inside the log is floored at FIT_AICC_FLOOR Σy² (an RMS
 *     residual of 1e-8 of the response, below the solver's tolerance), so
 *     exact fits give a finite value and tie, leaving the choice among them
 *     to the parameter penalty.
 *   - r2: 0 when the response is constant (sst = 0).
 *   - any statistic that would overflow (absurd magnitudes): the result is
 *     reduced to NOT_IDENTIFIABLE without parameters.
 */
#include "curve_fit_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/*
 * Most starts screened by profiled SSR, and how many of the best may get an
 * LM run: the next is tried only while the previous runs failed to converge
 * or ran away (family_runaway).
 */
#define FIT_MAX_STARTS 16
#define FIT_LM_STARTS 3

/*
 * Default ftol: LM stops once the Gauss-Newton step predicts a relative SSR
 * decrease below this, about the rounding of the SSR itself.  The parameters
 * are then within sqrt(FIT_FTOL (n-p)) standard errors of the optimum (6e-7
 * at n = 365), and the last steps, which GSL could only accept or reject on
 * rounding noise (up to 16 rejected trial evaluations before it reports no
 * progress), are not taken.
 */
#define FIT_FTOL 1e-15

/* Relative SSR floor inside AICc's logarithm (see the top comment). */
#define FIT_AICC_FLOOR 1e-16

/* Equilibrated reciprocal condition number below which the fit is not identifiable. */
#define FIT_RCOND_MIN 1e-10

/*
 * Starts are screened on every FIT_SCREEN_STRIDE-th positive-spend point once
 * there are more than FIT_SCREEN_POINTS of them: ranking starts needs no more.
 */
#define FIT_SCREEN_POINTS 128
#define FIT_SCREEN_STRIDE(m) ((m) > FIT_SCREEN_POINTS ? (m) / (FIT_SCREEN_POINTS / 2) : 1)

static const char *const status_names[] = {
	"converged", "max_iterations", "not_identifiable", "insufficient_data"
};

/* Name of a fit status. */
const char *
noa_fit_status_name(noa_fit_status status)
{
	if (status < NOA_FIT_CONVERGED || status > NOA_FIT_INSUFFICIENT_DATA)
		return "unknown";
	return status_names[status];
}

/* Status for a name, or -1. */
int
noa_fit_status_from_name(const char *name)
{
	int			i;

	if (name == NULL)
		return -1;
	for (i = NOA_FIT_CONVERGED; i <= NOA_FIT_INSUFFICIENT_DATA; i++)
		if (strcmp(name, status_names[i]) == 0)
			return i;
	return -1;
}

/*
 * Defaults: 200 LM iterations per start; xtol and gtol 1e-10 on the scaled,
 * log-parameter problem; ftol FIT_FTOL (noa_nls_set_ftol: also stop once
 * even the Gauss-Newton step predicts a relative SSR decrease of at most
 * ftol; 0 turns that test off).
 */
void
noa_fit_options_default(noa_fit_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->max_iterations = 200;
	opt->xtol = 1e-10;
	opt->gtol = 1e-10;
	opt->ftol = FIT_FTOL;
}

/* Two-sided Student-t quantile at `level` with n - p degrees of freedom. */
double
noa_curve_t_quantile(const noa_curve *curve, double level)
{
	int			df;

	if (curve == NULL || !(level > 0.0 && level < 1.0))
		return NAN;
	df = curve->n - noa_model_nparams((noa_model) curve->model);
	if (df <= 0 || noa_model_nparams((noa_model) curve->model) == 0)
		return NAN;
	return gsl_cdf_tdist_Pinv(0.5 + 0.5 * level, (double) df);
}

/* Results in natural units.                                              */

/* Zero every fitted field, keeping the model, n and the data summary. */
static void
result_clear(noa_curve *out, noa_fit_status status)
{
	out->status = status;
	out->flags &= NOA_CURVE_FLAG_AUTO;
	out->iterations = 0;
	out->n_starts = 0;
	out->n_starts_converged = 0;
	memset(out->param, 0, sizeof(out->param));
	memset(out->cov, 0, sizeof(out->cov));
	out->ssr = out->sigma = out->r2 = out->aicc = 0.0;
}

/* n, x_min, x_max, x_mean, y_mean, and the response sums the statistics need. */
static void
data_summary(fit_input *in, noa_curve *out)
{
	double		xm = 0.0,
				ym = 0.0,
				yy = 0.0,
				sst = 0.0;
	int			i;

	out->n = in->n;
	if (in->n == 0)
		return;
	out->x_min = out->x_max = in->x[0];
	for (i = 0; i < in->n; i++)
	{
		out->x_min = fmin(out->x_min, in->x[i]);
		out->x_max = fmax(out->x_max, in->x[i]);
		xm += (in->x[i] - xm) / (i + 1);
		ym += (in->y[i] - ym) / (i + 1);
	}
	for (i = 0; i < in->n; i++)
	{
		yy += in->y[i] * in->y[i];
		sst += (in->y[i] - ym) * (in->y[i] - ym);
	}
	out->x_mean = xm;
	out->y_mean = ym;
	in->yy = yy;
	in->sst = sst;
}

/* True when every double of the result is finite. */
static int
result_finite(const noa_curve *out)
{
	int			i;

	for (i = 0; i < NOA_MAX_PARAMS; i++)
		if (!isfinite(out->param[i]))
			return 0;
	for (i = 0; i < NOA_MAX_PARAMS * NOA_MAX_PARAMS; i++)
		if (!isfinite(out->cov[i]))
			return 0;
	return isfinite(out->ssr) && isfinite(out->sigma) && isfinite(out->r2) &&
		isfinite(out->aicc) && isfinite(out->x_min) && isfinite(out->x_max) &&
		isfinite(out->x_mean) && isfinite(out->y_mean);
}

/*
 * Fill SSR, sigma, r2, AICc and, unless the fit is already judged not
 * identifiable, the covariance of the natural parameters out->param, from the
 * analytic gradient over all n points.  Returns NOA_OK or NOA_ERR_NOMEM.
 */
static int
result_finish(fit_input *in, noa_curve *out)
{
	const noa_model model = (noa_model) out->model;
	const int	p = noa_model_nparams(model);
	const int	n = in->n;
	double		ssr = 0.0,
				floor_;
	int			i,
				rc;

	for (i = 0; i < n; i++)
	{
		double	   *gr = in->jac + (size_t) i * p;
		double		full[NOA_MAX_PARAMS];
		double		r;

		noa_curve_value_grad(model, out->param, in->x[i], full);
		memcpy(gr, full, sizeof(double) * p);
		r = in->y[i] - out->param[0] * full[0];		/* f = b ∂f/∂b */
		ssr += r * r;
	}
	out->ssr = ssr;
	out->sigma = sqrt(ssr / (n - p));
	out->r2 = in->sst > 0.0 ? 1.0 - ssr / in->sst : 0.0;
	floor_ = fmax(FIT_AICC_FLOOR * in->yy, DBL_MIN);
	if (n - p - 1 <= 0)
		out->aicc = DBL_MAX;
	else
		out->aicc = n * log(fmax(ssr, floor_) / n) + 2.0 * p +
			2.0 * p * (p + 1.0) / (n - p - 1.0);

	if (out->status != NOA_FIT_NOT_IDENTIFIABLE)
	{
		double		cov[NOA_MAX_PARAMS * NOA_MAX_PARAMS];

		rc = noa_nls_covariance(n, p, in->jac, ssr, FIT_RCOND_MIN, cov, NULL);
		if (rc == NOA_NLS_NOMEM)
			return NOA_ERR_NOMEM;
		if (rc != NOA_NLS_OK)
			out->status = NOA_FIT_NOT_IDENTIFIABLE;
		else
		{
			int			a,
						c;

			for (a = 0; a < p; a++)
				for (c = 0; c < p; c++)
					out->cov[a * NOA_MAX_PARAMS + c] = cov[a * p + c];
		}
	}
	if (!result_finite(out))
		result_clear(out, NOA_FIT_NOT_IDENTIFIABLE);
	return NOA_OK;
}

/* Natural parameters from the profiled scaled b and the scaled shape θ. */
static void
to_natural(const varpro *vp, double bs, const double *theta, double *param)
{
	const double X = vp->in->xscale,
				Y = vp->in->yscale;
	double		a = exp(theta[0]);

	param[0] = bs * Y;
	switch (vp->model)
	{
		case NOA_MODEL_POWER:
			param[0] = exp(log(bs * Y) - a * log(X));
			param[1] = a;
			break;
		case NOA_MODEL_HILL:
			param[1] = a * X;
			param[2] = exp(theta[1]);
			break;
		case NOA_MODEL_LOGISTIC:
			param[1] = a * X;
			param[2] = exp(theta[1]) / X;
			break;
		default:
			param[1] = a * X;
			break;
	}
}

/* Map an nls return code to a noa_curve_fit one. */
static int
nls_to_fit_error(int rc)
{
	switch (rc)
	{
		case NOA_NLS_INTERRUPTED:
			return NOA_ERR_INTERRUPTED;
		case NOA_NLS_NOMEM:
			return NOA_ERR_NOMEM;
		default:
			return NOA_ERR_INVALID;
	}
}

/* ---------------------------------------------------------------------- */
/* One family.                                                            */

/* Linear family: closed form b = Σ x y / Σ x², done in scaled units. */
static int
fit_linear(fit_input *in, noa_curve *out)
{
	double		gg,
				bs;
	varpro		vp;

	memset(&vp, 0, sizeof(vp));
	vp.in = in;
	vp.model = NOA_MODEL_LINEAR;
	shape_eval(&vp, &in->all, NULL, in->g, NULL);
	bs = profile_b(&in->all, in->g, &gg);
	if (!(bs > 0.0))
	{
		result_clear(out, NOA_FIT_NOT_IDENTIFIABLE);
		return NOA_OK;
	}
	out->param[0] = bs * in->yscale / in->xscale;
	out->status = NOA_FIT_CONVERGED;
	out->n_starts = 1;
	out->n_starts_converged = 1;
	return result_finish(in, out);
}

/* Lazily allocated nls workspace for q shape parameters over the m points. */
static noa_nls_workspace *
input_workspace(fit_input *in, int q)
{
	if (in->ws[q] == NULL)
		in->ws[q] = noa_nls_alloc(in->all.m, q, NOA_NLS_CHOLESKY | NOA_NLS_REDUCED);
	return in->ws[q];
}

/*
 * Nonlinear family: screen the starts by profiled SSR, run LM from the best
 * (and the next ones while runs fail or run away, up to FIT_LM_STARTS), keep
 * the lowest SSR, then judge runaway and conditioning.
 */
static int
fit_nonlinear(fit_input *in, noa_model model, noa_curve *out)
{
	fit_start	st[FIT_MAX_STARTS];
	int			order[FIT_MAX_STARTS];
	varpro		vp;
	noa_nls_problem prob;
	noa_nls_options nopt;
	noa_nls_workspace *ws;
	noa_nls_result best_res;
	double		best_theta[FIT_MAX_SHAPE];
	double		best_ssr = INFINITY;
	int			best_runaway = 0;
	int			ns,
				nlm,
				i,
				j;

	memset(&vp, 0, sizeof(vp));
	vp.in = in;
	vp.model = model;
	vp.q = noa_model_nparams(model) - 1;
	family_box(&vp);

	ws = input_workspace(in, vp.q);
	if (ws == NULL)
		return NOA_ERR_NOMEM;
	if (noa_nls_set_ftol(ws, in->opt->ftol) != NOA_NLS_OK)
		return NOA_ERR_INVALID;

	/* Screen: profiled SSR of every start, then order by it (stable). */
	ns = family_starts(&vp, st);
	for (i = 0; i < ns; i++)
	{
		st[i].ssr = varpro_ssr(&vp, &in->screen, st[i].theta);
		for (j = i; j > 0 && st[order[j - 1]].ssr > st[i].ssr; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}

	prob.n = in->all.m;
	prob.p = vp.q;
	prob.residual = varpro_residual;
	prob.jacobian = varpro_jacobian;
	prob.arg = &vp;
	nopt.max_iterations = in->opt->max_iterations;
	nopt.xtol = in->opt->xtol;
	nopt.gtol = in->opt->gtol;
	nopt.interrupted = in->opt->interrupted;
	nopt.interrupt_arg = in->opt->interrupt_arg;

	memset(&best_res, 0, sizeof(best_res));
	best_res.status = NOA_NLS_FAILED;
	memcpy(best_theta, st[order[0]].theta, sizeof(best_theta));
	nlm = ns < FIT_LM_STARTS ? ns : FIT_LM_STARTS;
	for (i = 0; i < nlm; i++)
	{
		double		theta[FIT_MAX_SHAPE];
		noa_nls_result res;
		int			rc,
					runaway;

		memcpy(theta, st[order[i]].theta, sizeof(theta));
		rc = noa_nls_solve(ws, &prob, &nopt, theta, &res);
		if (rc != NOA_NLS_OK)
			return nls_to_fit_error(rc);
		out->n_starts++;
		if (res.status == NOA_NLS_CONVERGED)
			out->n_starts_converged++;
		for (j = 0; j < vp.q; j++)	/* the point the residuals were evaluated at */
			theta[j] = fmin(fmax(theta[j], vp.lo[j]), vp.hi[j]);
		runaway = family_runaway(&vp, theta, res.ssr);
		if (res.ssr < best_ssr)
		{
			best_ssr = res.ssr;
			best_res = res;
			best_runaway = runaway;
			memcpy(best_theta, theta, sizeof(theta));
		}
		if (res.status == NOA_NLS_CONVERGED && !runaway)
			break;
	}

	varpro_update(&vp, best_theta);
	if (!(vp.b > 0.0))
	{
		int			starts = out->n_starts,
					conv = out->n_starts_converged;

		result_clear(out, NOA_FIT_NOT_IDENTIFIABLE);
		out->n_starts = starts;
		out->n_starts_converged = conv;
		return NOA_OK;
	}
	to_natural(&vp, vp.b, best_theta, out->param);
	out->iterations = best_res.iterations;
	out->status = best_res.status == NOA_NLS_CONVERGED ? NOA_FIT_CONVERGED
		: NOA_FIT_MAX_ITERATIONS;
	if (best_runaway)
	{
		out->status = NOA_FIT_NOT_IDENTIFIABLE;
		out->flags |= NOA_CURVE_FLAG_AT_BOUND;
	}
	return result_finish(in, out);
}

/*
 * Fit one family into out (model, n and data summary already set), deciding
 * INSUFFICIENT_DATA and the all-zero response first.
 */
static int
fit_family(fit_input *in, noa_model model, noa_curve *out)
{
	const int	p = noa_model_nparams(model);

	out->model = model;
	if (in->n <= p || in->distinct < p + 1)
	{
		result_clear(out, NOA_FIT_INSUFFICIENT_DATA);
		return NOA_OK;
	}
	if (in->yscale == 0.0)
	{
		result_clear(out, NOA_FIT_NOT_IDENTIFIABLE);
		return NOA_OK;
	}
	if (in->opt->interrupted != NULL && in->opt->interrupted(in->opt->interrupt_arg))
		return NOA_ERR_INTERRUPTED;
	if (model == NOA_MODEL_LINEAR)
		return fit_linear(in, out);
	return fit_nonlinear(in, model, out);
}

/*
 * AUTO ranking; true when a beats b.  Usable fits (converged or
 * max_iterations) beat the rest; among them converged first, then lower AICc
 * (ties keep the earlier family).  Among unusable fits the linear one wins,
 * so it is the fallback whose status explains why nothing could be fitted.
 */
static int
auto_better(const noa_curve *a, const noa_curve *b)
{
	int			ua = a->status == NOA_FIT_CONVERGED || a->status == NOA_FIT_MAX_ITERATIONS;
	int			ub = b->status == NOA_FIT_CONVERGED || b->status == NOA_FIT_MAX_ITERATIONS;

	if (ua != ub)
		return ua;
	if (!ua)
		return a->model == NOA_MODEL_LINEAR;
	if (a->status != b->status)
		return a->status == NOA_FIT_CONVERGED;
	return a->aicc < b->aicc;
}

/* ---------------------------------------------------------------------- */
/* Input preparation and the entry point.                                 */

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/*
 * Scale the data, keep the positive-spend points (and the screening subset),
 * count distinct spends and take the quartiles of positive spend.  in->n, x,
 * y and opt are set; returns NOA_OK or NOA_ERR_NOMEM.
 */
static int
input_prepare(fit_input *in)
{
	const int	n = in->n;
	fit_points *all = &in->all,
			   *scr = &in->screen;
	double	   *sorted;
	int			i,
				k,
				stride,
				is_sorted = 1;

	in->xscale = 0.0;
	in->yscale = 0.0;
	for (i = 0; i < n; i++)
	{
		in->xscale = fmax(in->xscale, in->x[i]);
		in->yscale = fmax(in->yscale, fabs(in->y[i]));
		if (i > 0 && in->x[i] < in->x[i - 1])
			is_sorted = 0;
	}

	/*
	 * One buffer, n doubles per row: all.{u,lu,v}, screen.{u,lu,v}, sorted
	 * copy, g, dg (FIT_MAX_SHAPE), jac (NOA_MAX_PARAMS).
	 */
	in->buf = malloc(sizeof(double) * ((size_t) n * (8 + FIT_MAX_SHAPE + NOA_MAX_PARAMS) + 1));
	if (in->buf == NULL)
		return NOA_ERR_NOMEM;
	all->u = in->buf;
	all->lu = all->u + n;
	all->v = all->lu + n;
	scr->u = all->v + n;
	scr->lu = scr->u + n;
	scr->v = scr->lu + n;
	sorted = scr->v + n;
	in->g = sorted + n;
	in->dg = in->g + n;
	in->jac = in->dg + (size_t) n * FIT_MAX_SHAPE;

	/* Distinct spend values. */
	if (n == 0)
		return NOA_OK;
	memcpy(sorted, in->x, sizeof(double) * n);
	if (!is_sorted)
		qsort(sorted, n, sizeof(double), cmp_double);
	in->distinct = 1;
	for (i = 1; i < n; i++)
		if (sorted[i] != sorted[i - 1])
			in->distinct++;

	all->m = scr->m = 0;
	all->vv = scr->vv = 0.0;
	if (!(in->xscale > 0.0) || !(in->yscale > 0.0))
		return NOA_OK;
	in->vz = 0.0;
	for (i = 0; i < n; i++)
	{
		if (!(in->x[i] > 0.0))
		{
			in->vz += (in->y[i] / in->yscale) * (in->y[i] / in->yscale);
			continue;
		}
		k = all->m++;
		all->u[k] = in->x[i] / in->xscale;
		all->lu[k] = log(all->u[k]);
		all->v[k] = in->y[i] / in->yscale;
		all->vv += all->v[k] * all->v[k];
	}
	stride = FIT_SCREEN_STRIDE(all->m);
	for (i = 0; i < all->m; i += stride)
	{
		k = scr->m++;
		scr->u[k] = all->u[i];
		scr->lu[k] = all->lu[i];
		scr->v[k] = all->v[i];
		scr->vv += all->v[i] * all->v[i];
	}

	/* Quartiles of positive spend (order statistics of the sorted copy). */
	for (k = 0; k < n && !(sorted[k] > 0.0); k++)
		;
	if (all->m > 0)
	{
		const double *pos = sorted + k;
		const int	mm = all->m;

		in->umin = pos[0] / in->xscale;
		in->q25 = pos[(mm - 1) / 4] / in->xscale;
		in->q50 = pos[(mm - 1) / 2] / in->xscale;
		in->q75 = pos[(3 * (mm - 1)) / 4] / in->xscale;
	}
	return NOA_OK;
}

/* Release the buffers and workspaces of a fit_input. */
static void
input_free(fit_input *in)
{
	int			q;

	for (q = 0; q <= FIT_MAX_SHAPE; q++)
		noa_nls_free(in->ws[q]);
	free(in->buf);
}

/* Fit one family, or every family keeping the best AICc (see curve_fit.h). */
int
noa_curve_fit(noa_model model, const double *x, const double *y, int n,
			  const noa_fit_options *opt, noa_curve *out)
{
	noa_fit_options defaults;
	fit_input	in;
	int			i,
				rc = NOA_OK;

	if (out == NULL)
		return NOA_ERR_INVALID;
	memset(out, 0, sizeof(*out));
	if (model < NOA_MODEL_AUTO || model > NOA_MODEL_LAST || n < 0 ||
		(n > 0 && (x == NULL || y == NULL)))
		return NOA_ERR_INVALID;
	for (i = 0; i < n; i++)
		if (!isfinite(x[i]) || !isfinite(y[i]) || x[i] < 0.0)
			return NOA_ERR_INVALID;
	if (opt == NULL)
	{
		noa_fit_options_default(&defaults);
		opt = &defaults;
	}
	if (opt->max_iterations < 0 || !(opt->xtol >= 0.0) || !(opt->gtol >= 0.0) ||
		!(opt->ftol >= 0.0))
		return NOA_ERR_INVALID;

	memset(&in, 0, sizeof(in));
	in.n = n;
	in.x = x;
	in.y = y;
	in.opt = opt;
	rc = input_prepare(&in);
	if (rc == NOA_OK)
	{
		data_summary(&in, out);
		if (model != NOA_MODEL_AUTO)
			rc = fit_family(&in, model, out);
		else
		{
			noa_curve	best,
						cand;
			int			m;

			for (m = NOA_MODEL_FIRST; m <= NOA_MODEL_LAST && rc == NOA_OK; m++)
			{
				cand = *out;
				rc = fit_family(&in, (noa_model) m, &cand);
				if (m == NOA_MODEL_FIRST || auto_better(&cand, &best))
					best = cand;
			}
			*out = best;
			out->flags |= NOA_CURVE_FLAG_AUTO;
		}
	}
	input_free(&in);
	if (rc != NOA_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}
