/*
 * curve_fit_varpro.c — the shape functions g(u; θ) of the families, in scaled
 * units and log space, and the variable-projection problem of one family:
 * b profiled out (b = Σ g v / Σ g²), residuals and Jacobian in θ for nls.c.
 */
#include "curve_fit_internal.h"

#include <math.h>
#include <string.h>


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
void
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
double
profile_b(const fit_points *pts, const double *g, double *gg_out)
{
	double		gg = dot(g, g, pts->m),
				gv = dot(g, pts->v, pts->m);

	*gg_out = gg;
	return gg > 0.0 ? gv / gg : 0.0;
}

/* Bring the cached g, dg and b of a family to θ (recomputed only when θ changed). */
void
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
int
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
int
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
double
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
