/*
 * curve_fit_starts.c — the search box of a family's shape parameters, the
 * deterministic grid of data-driven starts, and the test of whether a shape
 * parameter ran away (not identifiable).
 */
#include "curve_fit_internal.h"

#include <math.h>
#include <string.h>

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

/* χ²(1) 95% quantile: the profile-likelihood runaway test of family_runaway. */
#define FIT_PROFILE_CHI2 3.841458820694124

/*
 * Relative (to Σ v²) margin by which a lower bound of an SSR must clear the
 * runaway threshold to decide it (family_runaway): far above the rounding
 * of profiled SSRs, far below the threshold itself.
 */
#define FIT_RUNAWAY_MARGIN 1e-10


/* Clamp box of θ for a family. */
void
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
int
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
int
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
