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
#include "curve_fit.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "nls.h"

/* Shape parameters per family: p - 1 (b is profiled). */
#define FIT_MAX_SHAPE (NOA_MAX_PARAMS - 1)

/*
 * Most starts screened by profiled SSR, and how many of the best may get an
 * LM run: the next is tried only while the previous runs failed to converge
 * or ran away (family_runaway).
 */
#define FIT_MAX_STARTS 16
#define FIT_LM_STARTS 3

/*
 * Search box (clamp) and runaway thresholds, in scaled units: spend scale
 * parameters (k, m) relative to the largest spend, or to the smallest positive
 * spend umin at the low end; shapes (s, a) absolute; the logistic steepness r
 * in units of 1/(largest spend).  The clamp is wider than the threshold, so a
 * parameter found beyond a threshold has run away rather than been stopped.
 */
#define FIT_SPEND_HI_CLAMP	1e5
#define FIT_SPEND_HI		1e3
#define FIT_SPEND_LO_CLAMP	1e-4	/* × umin */
#define FIT_SPEND_LO		1e-2	/* × umin */
#define FIT_SHAPE_HI_CLAMP	100.0
#define FIT_SHAPE_HI		20.0
#define FIT_SHAPE_LO_CLAMP	0.01
#define FIT_SHAPE_LO		0.05
#define FIT_STEEP_HI_CLAMP	1e5
#define FIT_STEEP_HI		1e3
#define FIT_STEEP_LO_CLAMP	1e-5
#define FIT_STEEP_LO		1e-3

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

/* χ²(1) 95% quantile: the profile-likelihood runaway test of family_runaway. */
#define FIT_PROFILE_CHI2 3.841458820694124

/*
 * Relative (to Σ v²) margin by which a lower bound of an SSR must clear the
 * runaway threshold to decide it (family_runaway): far above the rounding
 * of profiled SSRs, far below the threshold itself.
 */
#define FIT_RUNAWAY_MARGIN 1e-10

/* Equilibrated reciprocal condition number below which the fit is not identifiable. */
#define FIT_RCOND_MIN 1e-10

/*
 * Starts are screened on every FIT_SCREEN_STRIDE-th positive-spend point once
 * there are more than FIT_SCREEN_POINTS of them: ranking starts needs no more.
 */
#define FIT_SCREEN_POINTS 128
#define FIT_SCREEN_STRIDE(m) ((m) > FIT_SCREEN_POINTS ? (m) / (FIT_SCREEN_POINTS / 2) : 1)

/* Scaled positive-spend points. */
typedef struct fit_points
{
	int			m;
	double	   *u;				/* x/X */
	double	   *lu;				/* log u */
	double	   *v;				/* y/Y */
	double		vv;				/* Σ v² */
} fit_points;

/* Data shared by every family fitted in one noa_curve_fit call. */
typedef struct fit_input
{
	int			n;				/* all points */
	const double *x;
	const double *y;
	fit_points	all;			/* every point with positive spend */
	fit_points	screen;			/* the subset that screens starts */
	double	   *buf;			/* the one allocation behind every array here */
	double		xscale;			/* X: largest spend */
	double		yscale;			/* Y: largest |response| */
	double		vz;				/* Σ (y/Y)² over zero-spend points */
	double		umin;			/* smallest positive u */
	double		q25,
				q50,
				q75;			/* quartiles of positive u */
	int			distinct;		/* distinct spend values, zero included */
	double		yy;				/* Σ y² */
	double		sst;			/* Σ (y - ȳ)² */
	double	   *g;				/* scratch: shape values, all.m */
	double	   *dg;				/* scratch: shape derivatives, FIT_MAX_SHAPE × all.m */
	double	   *jac;			/* scratch: natural Jacobian, n × NOA_MAX_PARAMS */
	noa_nls_workspace *ws[FIT_MAX_SHAPE + 1];	/* by shape-parameter count */
	const noa_fit_options *opt;
} fit_input;

/* Variable-projection problem of one family: the nls callbacks' argument. */
typedef struct varpro
{
	fit_input  *in;
	noa_model	model;
	int			q;				/* shape parameters */
	double		lo[FIT_MAX_SHAPE];	/* clamp box in θ */
	double		hi[FIT_MAX_SHAPE];
	double		key[FIT_MAX_SHAPE];	/* θ of the cached g, dg, b */
	int			cached;
	double		b;				/* profiled b at key */
	double		gg;				/* Σ g² at key */
} varpro;

/* A start candidate and its screened (profiled) SSR. */
typedef struct fit_start
{
	double		theta[FIT_MAX_SHAPE];
	double		ssr;
} fit_start;

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

/* ---------------------------------------------------------------------- */
/* Shape functions g(u; θ) of the families, in scaled units and log space. */

/* σ(z) and 1 - σ(z), both without cancellation or overflow. */
static inline void
sigmoid_pair(double z, double *s, double *sc)
{
	double		e = exp(-fabs(z));
	double		d = 1.0 / (1.0 + e);

	if (z >= 0.0)
	{
		*s = d;
		*sc = e * d;
	}
	else
	{
		*s = e * d;
		*sc = d;
	}
}

/*
 * g_i = g(u_i; θ) for the points pts and, when dg is not NULL,
 * dg[j*m + i] = ∂g_i/∂θ_j.  θ is clamped to the search box; a clamped
 * coordinate has zero derivative.  One transcendental call per point.
 */
static void
shape_eval(const varpro *vp, const fit_points *pts, const double *theta,
		   double *g, double *dg)
{
	const double *u = pts->u,
			   *lu = pts->lu;
	const int	m = pts->m;
	double		t[FIT_MAX_SHAPE];
	int			free_[FIT_MAX_SHAPE];
	int			i,
				j;

	for (j = 0; j < vp->q; j++)
	{
		t[j] = fmin(fmax(theta[j], vp->lo[j]), vp->hi[j]);
		free_[j] = t[j] == theta[j];
	}

	switch (vp->model)
	{
		case NOA_MODEL_EXPONENTIAL:
			{
				double		ik = exp(-t[0]);

				for (i = 0; i < m; i++)
				{
					double		z = u[i] * ik;
					double		e = expm1(-z);

					g[i] = -e;
					if (dg)
						dg[i] = -z * (1.0 + e);
				}
				break;
			}
		case NOA_MODEL_MICHAELIS_MENTEN:
			{
				double		k = exp(t[0]);

				for (i = 0; i < m; i++)
				{
					double		d = 1.0 / (k + u[i]);

					g[i] = u[i] * d;
					if (dg)
						dg[i] = -u[i] * k * d * d;
				}
				break;
			}
		case NOA_MODEL_TANH:
			{
				double		ik = exp(-t[0]);

				for (i = 0; i < m; i++)
				{
					double		z = u[i] * ik;
					double		e = expm1(-2.0 * z);	/* exp(-2z) - 1 */
					double		w = 2.0 + e;	/* 1 + exp(-2z) */

					g[i] = -e / w;
					if (dg)
						dg[i] = -z * 4.0 * (1.0 + e) / (w * w);
				}
				break;
			}
		case NOA_MODEL_POWER:
			{
				double		a = exp(t[0]);

				for (i = 0; i < m; i++)
				{
					g[i] = exp(a * lu[i]);
					if (dg)
						dg[i] = a * lu[i] * g[i];
				}
				break;
			}
		case NOA_MODEL_HILL:
			{
				double		s = exp(t[1]);

				/* g = 1/(1 + (k/u)^s) = σ(s (log u - log k)) */
				for (i = 0; i < m; i++)
				{
					double		z = s * (lu[i] - t[0]);
					double		sc;

					sigmoid_pair(z, &g[i], &sc);
					if (dg)
					{
						double		w = g[i] * sc;

						dg[i] = -s * w;
						dg[m + i] = z * w;
					}
				}
				break;
			}
		case NOA_MODEL_LOGISTIC:
			{
				double		mid = exp(t[0]),
							r = exp(t[1]);
				double		c = r * mid;
				double		sc,
							scc,
							dsc;

				/* g = (σ(r u - c) - σ(-c)) / σ(c) */
				sigmoid_pair(c, &sc, &scc);
				dsc = sc * scc;
				for (i = 0; i < m; i++)
				{
					double		z = r * u[i] - c;
					double		sz,
								szc;
					double		a;

					sigmoid_pair(z, &sz, &szc);
					a = sz - scc;
					g[i] = a / sc;
					if (dg)
					{
						double		dsz = sz * szc;

						dg[i] = c * (dsc - dsz) / sc - g[i] * c * scc;
						dg[m + i] = (z * dsz + c * dsc) / sc - g[i] * c * scc;
					}
				}
				break;
			}
		default:
			for (i = 0; i < m; i++)
				g[i] = u[i];
			break;
	}

	if (dg)
		for (j = 0; j < vp->q; j++)
			if (!free_[j])
				memset(dg + (size_t) j * m, 0, sizeof(double) * m);
}

/*
 * Σ a_i b_i over i < m with four interleaved partial sums, so the additions
 * are not one dependency chain; the order is fixed (deterministic).
 */
static double
dot(const double *a, const double *b, int m)
{
	double		s0 = 0.0,
				s1 = 0.0,
				s2 = 0.0,
				s3 = 0.0;
	int			i;

	for (i = 0; i + 3 < m; i += 4)
	{
		s0 += a[i] * b[i];
		s1 += a[i + 1] * b[i + 1];
		s2 += a[i + 2] * b[i + 2];
		s3 += a[i + 3] * b[i + 3];
	}
	for (; i < m; i++)
		s0 += a[i] * b[i];
	return (s0 + s1) + (s2 + s3);
}

/* Profiled b = Σ g v / Σ g² and Σ g² for shape values g at pts (b = 0 when g vanishes). */
static double
profile_b(const fit_points *pts, const double *g, double *gg_out)
{
	double		gg = dot(g, g, pts->m),
				gv = dot(g, pts->v, pts->m);

	*gg_out = gg;
	return gg > 0.0 ? gv / gg : 0.0;
}

/* Bring the cached g, dg and b of a family to θ (recomputed only when θ changed). */
static void
varpro_update(varpro *vp, const double *theta)
{
	fit_input  *in = vp->in;

	if (vp->cached && memcmp(theta, vp->key, sizeof(double) * vp->q) == 0)
		return;
	shape_eval(vp, &in->all, theta, in->g, in->dg);
	vp->b = profile_b(&in->all, in->g, &vp->gg);
	memcpy(vp->key, theta, sizeof(double) * vp->q);
	vp->cached = 1;
}

/* nls residual: f_i = b(θ) g_i(θ) - v_i. */
static int
varpro_residual(const double *theta, double *f, void *arg)
{
	varpro	   *vp = arg;
	const fit_input *in = vp->in;
	int			i;

	varpro_update(vp, theta);
	for (i = 0; i < in->all.m; i++)
		f[i] = vp->b * in->g[i] - in->all.v[i];
	return 0;
}

/*
 * nls Jacobian of the projected residual, exact for one linear parameter:
 * ∂f_i/∂θ_j = b ∂g_i/∂θ_j + g_i ∂b/∂θ_j, with
 * ∂b/∂θ_j = (Σ ∂g/∂θ_j v - 2 b Σ g ∂g/∂θ_j) / Σ g².
 */
static int
varpro_jacobian(const double *theta, double *jac, void *arg)
{
	varpro	   *vp = arg;
	const fit_input *in = vp->in;
	const int	m = in->all.m,
				q = vp->q;
	int			i,
				j;

	varpro_update(vp, theta);
	for (j = 0; j < q; j++)
	{
		const double *d = in->dg + (size_t) j * m;
		double		dv = dot(d, in->all.v, m),
					gd = dot(in->g, d, m),
					db;

		db = vp->gg > 0.0 ? (dv - 2.0 * vp->b * gd) / vp->gg : 0.0;
		for (i = 0; i < m; i++)
			jac[(size_t) i * q + j] = vp->b * d[i] + in->g[i] * db;
	}
	return 0;
}

/* Profiled SSR of the points pts at θ (no derivatives; invalidates the cache). */
static double
varpro_ssr(varpro *vp, const fit_points *pts, const double *theta)
{
	fit_input  *in = vp->in;
	double		gg,
				b;

	vp->cached = 0;
	shape_eval(vp, pts, theta, in->g, NULL);
	b = profile_b(pts, in->g, &gg);
	return fmax(pts->vv - b * b * gg, 0.0);
}

/* ---------------------------------------------------------------------- */
/* Starts, search box and runaway detection.                              */

/* Clamp box of θ for a family. */
static void
family_box(varpro *vp)
{
	const double umin = vp->in->umin;

	switch (vp->model)
	{
		case NOA_MODEL_POWER:
			vp->lo[0] = log(FIT_SHAPE_LO_CLAMP);
			vp->hi[0] = log(FIT_SHAPE_HI_CLAMP);
			break;
		case NOA_MODEL_HILL:
			vp->lo[0] = log(FIT_SPEND_LO_CLAMP * umin);
			vp->hi[0] = log(FIT_SPEND_HI_CLAMP);
			vp->lo[1] = log(FIT_SHAPE_LO_CLAMP);
			vp->hi[1] = log(FIT_SHAPE_HI_CLAMP);
			break;
		case NOA_MODEL_LOGISTIC:
			vp->lo[0] = log(FIT_SPEND_LO_CLAMP * umin);
			vp->hi[0] = log(FIT_SPEND_HI_CLAMP);
			vp->lo[1] = log(FIT_STEEP_LO_CLAMP);
			vp->hi[1] = log(FIT_STEEP_HI_CLAMP);
			break;
		default:				/* exponential, michaelis_menten, tanh: k */
			vp->lo[0] = log(FIT_SPEND_LO_CLAMP * umin);
			vp->hi[0] = log(FIT_SPEND_HI_CLAMP);
			break;
	}
}

/* True when a scaled shape parameter set lies beyond a runaway threshold. */
static int
family_beyond(const varpro *vp, const double *theta)
{
	const double umin = vp->in->umin;
	double		a = exp(theta[0]);

	switch (vp->model)
	{
		case NOA_MODEL_POWER:
			return a < FIT_SHAPE_LO || a > FIT_SHAPE_HI;
		case NOA_MODEL_HILL:
			{
				double		s = exp(theta[1]);

				return a < FIT_SPEND_LO * umin || a > FIT_SPEND_HI ||
					s < FIT_SHAPE_LO || s > FIT_SHAPE_HI;
			}
		case NOA_MODEL_LOGISTIC:
			{
				double		r = exp(theta[1]);

				return a < FIT_SPEND_LO * umin || a > FIT_SPEND_HI ||
					r < FIT_STEEP_LO || r > FIT_STEEP_HI;
			}
		default:
			return a < FIT_SPEND_LO * umin || a > FIT_SPEND_HI;
	}
}

/*
 * A shape parameter has run away when it ends beyond its threshold, or when
 * moving it alone to either end of the search box raises the SSR by less
 * than FIT_PROFILE_CHI2 s²: then the 95% profile-likelihood interval of that
 * parameter reaches the search limit (the other parameters held fixed only
 * overstate the rise), so the data cannot keep it away from there.  θ is
 * inside the box; ssr is the profiled SSR of the positive-spend points there.
 */
static int
family_runaway(varpro *vp, const double *theta, double ssr)
{
	const fit_input *in = vp->in;
	const int	p = vp->q + 1;
	double		s2,
				t[FIT_MAX_SHAPE];
	int			j,
				e;

	if (family_beyond(vp, theta))
		return 1;
	s2 = (ssr + in->vz) / (in->n - p);
	for (j = 0; j < vp->q; j++)
		for (e = 0; e < 2; e++)
		{
			memcpy(t, theta, sizeof(t));
			t[j] = e == 0 ? vp->lo[j] : vp->hi[j];

			/*
			 * The profiled SSR of a subset of the points is a lower bound
			 * of that of all points (the best b for the subset does at least
			 * as well there as the best b for all), so an edge whose subset
			 * SSR already rises by the threshold (plus a margin far above
			 * rounding) needs no evaluation on every point: same verdict.
			 */
			if (in->screen.m < in->all.m &&
				varpro_ssr(vp, &in->screen, t) - ssr >=
				FIT_PROFILE_CHI2 * s2 + FIT_RUNAWAY_MARGIN * in->all.vv)
				continue;
			if (varpro_ssr(vp, &in->all, t) - ssr < FIT_PROFILE_CHI2 * s2)
				return 1;
		}
	return 0;
}

/* Least-squares slope of log v on log u over screening points with v > 0 (a power-law exponent guess). */
static double
loglog_slope(const fit_input *in)
{
	double		sx = 0.0,
				sy = 0.0,
				sxx = 0.0,
				sxy = 0.0;
	int			i,
				k = 0;

	for (i = 0; i < in->screen.m; i++)
	{
		double		lu = in->screen.lu[i],
					ly;

		if (!(in->screen.v[i] > 0.0))
			continue;
		ly = log(in->screen.v[i]);
		sx += lu;
		sy += ly;
		sxx += lu * lu;
		sxy += lu * ly;
		k++;
	}
	if (k < 2 || !(k * sxx - sx * sx > 0.0))
		return 1.0;
	return (k * sxy - sx * sy) / (k * sxx - sx * sx);
}

/*
 * Deterministic, data-driven starts in θ: spend scales from the quartiles of
 * positive spend (and beyond both ends for the one-parameter families),
 * Hill shapes {0.7, 1, 1.5, 2.5}, logistic steepness r·m in {1, 3, 6}.
 */
static int
family_starts(const varpro *vp, fit_start *st)
{
	const fit_input *in = vp->in;
	const double spend[4] = {in->q25, in->q50, in->q75, 1.0};
	int			ns = 0,
				i,
				j;

	switch (vp->model)
	{
		case NOA_MODEL_POWER:
			{
				const double a0[4] = {0.25, 0.5, 1.0, 2.0};
				double		a = fmin(fmax(loglog_slope(in), FIT_SHAPE_LO), 5.0);

				st[ns++].theta[0] = log(a);
				for (i = 0; i < 4; i++)
					st[ns++].theta[0] = log(a0[i]);
				break;
			}
		case NOA_MODEL_HILL:
			{
				const double s0[4] = {0.7, 1.0, 1.5, 2.5};

				for (i = 0; i < 4; i++)
					for (j = 0; j < 4; j++)
					{
						st[ns].theta[0] = log(spend[i]);
						st[ns++].theta[1] = log(s0[j]);
					}
				break;
			}
		case NOA_MODEL_LOGISTIC:
			{
				const double c0[3] = {1.0, 3.0, 6.0};

				for (i = 0; i < 4; i++)
					for (j = 0; j < 3; j++)
					{
						st[ns].theta[0] = log(spend[i]);
						st[ns++].theta[1] = log(c0[j] / spend[i]);
					}
				break;
			}
		default:
			st[ns++].theta[0] = log(in->q25 / 3.0);
			for (i = 0; i < 4; i++)
				st[ns++].theta[0] = log(spend[i]);
			st[ns++].theta[0] = log(3.0);
			st[ns++].theta[0] = log(10.0);
			break;
	}
	return ns;
}

/* ---------------------------------------------------------------------- */
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
