/*
 * kpi_search.c — deterministic search over each channel's carryover and
 * saturation (α, κ, s) with the linear part profiled out: coordinate sweeps
 * over a fixed grid, then pattern refinement with halving steps, each channel
 * scored against the partial residual of the others (block coordinate descent),
 * with a joint non-negative solve of every β after each sweep.
 */
#include "kpi_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double alpha_grid[] = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
static const double logc_grid[] = {-1.386294, -0.693147, 0.0, 0.693147, 1.386294, 2.079442};
static const double shape_grid[] = {0.6, 1.0, 1.6, 2.5};

#define N_ALPHA ((int) (sizeof(alpha_grid) / sizeof(alpha_grid[0])))
#define N_LOGC ((int) (sizeof(logc_grid) / sizeof(logc_grid[0])))
#define N_SHAPE ((int) (sizeof(shape_grid) / sizeof(shape_grid[0])))

/* Default pattern steps: α, ln κ, ln s. */
#define STEP_ALPHA 0.05
#define STEP_LOGC 0.35
#define STEP_LOGS 0.25

/*
 * min over β ≥ 0, μ ≥ 0 of a11 β² + 2 a12 β μ + a22 μ² − 2 (b1 β + b2 μ):
 * the candidate channel's effect and the intercept, all else fixed.  Returns
 * the minimum (lower is better); a22 = 0 means no intercept.
 */
static double
solve_pair(double a11, double a12, double a22, double b1, double b2, double *beta, double *mu)
{
	double		best,
				x,
				y,
				v,
				det = a11 * a22 - a12 * a12;

	/* μ alone */
	y = a22 > 0.0 && b2 > 0.0 ? b2 / a22 : 0.0;
	*beta = 0.0;
	*mu = y;
	best = a22 * y * y - 2.0 * b2 * y;
	/* β alone */
	x = a11 > 0.0 && b1 > 0.0 ? b1 / a11 : 0.0;
	v = a11 * x * x - 2.0 * b1 * x;
	if (v < best)
	{
		best = v;
		*beta = x;
		*mu = 0.0;
	}
	/* both free */
	if (a22 > 0.0 && det > 1e-12 * a11 * a22)
	{
		x = (b1 * a22 - b2 * a12) / det;
		y = (a11 * b2 - a12 * b1) / det;
		if (x >= 0.0 && y >= 0.0)
		{
			v = a11 * x * x + 2.0 * a12 * x * y + a22 * y * y - 2.0 * (b1 * x + b2 * y);
			if (v < best)
			{
				best = v;
				*beta = x;
				*mu = y;
			}
		}
	}
	return best;
}

/*
 * Score of a candidate feature f (all n periods) against r, the residual with
 * neither the channel nor the intercept in it (r is orthogonal to the other
 * base terms, so f'r = f̃'r and f'c̃ = f̃'c̃).  Lower is better.
 */
static double
score_feature(kpi_work *w, const double *f, const double *r, int k, int family, double alpha,
			  double logc, double shape)
{
	int			i,
				j,
				n = w->n_obs;
	const double *c = w->ftil + (size_t) w->m * n;
	double		g = 0.0,
				h = 0.0,
				ff = 0.0,
				pp = 0.0,
				d,
				ridge,
				beta,
				mu,
				ss,
				sl;
	double	   *dots = w->proj;
	int			nr = w->r;

	for (j = 0; j < nr; j++)
		dots[j] = 0.0;
	/* one pass: Q'f accumulated row by row from the row-major copy of Q */
	for (i = 0; i < n; i++)
	{
		double		v = f[w->obs[i]];
		const double *qi = w->Qrow + (size_t) i * nr;

		g += v * r[i];
		h += v * c[i];
		ff += v * v;
		for (j = 0; j < nr; j++)
			dots[j] += qi[j] * v;
	}
	for (j = 0; j < nr; j++)
		pp += dots[j] * dots[j];
	d = ff - pp;
	if (d <= 1e-12 * ff)
		d = 0.0;
	ridge = w->dnorm[w->m] > 0.0 ? d - h * h / w->dnorm[w->m] : d;
	/*
	 * A shape whose response hardly varies (saturated at every observed spend)
	 * is a second intercept: its level cannot be told from the baseline, so it
	 * is not a candidate.
	 */
	if (ridge < KPI_MIN_VARYING * d)
		return 0.0;
	/* the channel's lift tests, if any, as extra least-squares rows on β */
	kpi_tests_candidate(w, k, family, alpha, logc, shape, &ss, &sl);
	return solve_pair(d + KPI_RIDGE * (ridge > 0.0 ? ridge : 0.0) + ss, w->dnorm[w->m] > 0.0 ? h : 0.0,
					  w->dnorm[w->m], g + sl, w->rc, &beta, &mu);
}

/* Score of channel k at (α, ln c, s) against e. */
static double
score_params(kpi_work *w, int k, int family, double alpha, double logc, double shape, const double *e)
{
	kpi_channel_curve(w, k, family, alpha, logc, shape, w->feat);
	return score_feature(w, w->feat, e, k, family, alpha, logc, shape);
}

/* Full-grid search of channel k against e over both families; keeps the best. */
static void
grid_channel(kpi_work *w, int k, const double *e, int *best_family, double *best_alpha,
			 double *best_logc, double *best_shape, double *best_score)
{
	const kpi_model *model = w->model;
	int			ia,
				ic,
				is,
				t;

	for (ia = 0; ia < N_ALPHA; ia++)
	{
		kpi_adstock(model->spend + (size_t) k * model->n, w->n, alpha_grid[ia], w->lag, w->adst);
		for (t = 0; t < w->n; t++)
			w->loga[t] = w->adst[t] > 0.0 ? log(w->adst[t]) : -INFINITY;
		for (ic = 0; ic < N_LOGC; ic++)
			for (is = 0; is < N_SHAPE; is++)
			{
				double		lk = log(w->scale[k]) + logc_grid[ic];
				double		s;

				if (w->saturation == KPI_SAT_TANH)
					break;
				kpi_hill_from_log(w->loga, w->n, lk, shape_grid[is], w->feat);
				s = score_feature(w, w->feat, e, k, KPI_SAT_HILL, alpha_grid[ia], logc_grid[ic],
								  shape_grid[is]);
				if (s < *best_score)
				{
					*best_score = s;
					*best_family = KPI_SAT_HILL;
					*best_alpha = alpha_grid[ia];
					*best_logc = logc_grid[ic];
					*best_shape = shape_grid[is];
				}
			}
		for (ic = 0; w->saturation != KPI_SAT_HILL && ic < N_LOGC; ic++)
		{
			double		kappa = w->scale[k] * exp(logc_grid[ic]);
			double		s;

			for (t = 0; t < w->n; t++)
				w->feat[t] = w->adst[t] > 0.0 ? kpi_tanh_pos(w->adst[t] / kappa) : 0.0;
			s = score_feature(w, w->feat, e, k, KPI_SAT_TANH, alpha_grid[ia], logc_grid[ic], 1.0);
			if (s < *best_score)
			{
				*best_score = s;
				*best_family = KPI_SAT_TANH;
				*best_alpha = alpha_grid[ia];
				*best_logc = logc_grid[ic];
				*best_shape = 1.0;
			}
		}
	}
}

static double
clampd(double v, double lo, double hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

/* Pattern moves of channel k (one ± step per coordinate, repeated while improving). */
static void
pattern_channel(kpi_work *w, int k, const double *e, double step_scale, int family,
				double *alpha, double *logc, double *shape, double *score)
{
	int			improved = 1,
				guard = 0;

	while (improved && guard++ < 8)
	{
		int			coord,
					dir;

		improved = 0;
		for (coord = 0; coord < (family == KPI_SAT_HILL ? 3 : 2); coord++)
			for (dir = -1; dir <= 1; dir += 2)
			{
				double		a = *alpha,
							c = *logc,
							s = *shape,
							sc;

				if (coord == 0)
					a = clampd(a + dir * STEP_ALPHA * step_scale, 0.0, KPI_ALPHA_MAX);
				else if (coord == 1)
					c = clampd(c + dir * STEP_LOGC * step_scale, KPI_LOGC_MIN, KPI_LOGC_MAX);
				else
					s = clampd(exp(log(s) + dir * STEP_LOGS * step_scale), KPI_SHAPE_MIN, KPI_SHAPE_MAX);
				if (a == *alpha && c == *logc && s == *shape)
					continue;
				sc = score_params(w, k, family, a, c, s, e);
				if (sc < *score - 1e-12 * fabs(*score))
				{
					*alpha = a;
					*logc = c;
					*shape = s;
					*score = sc;
					improved = 1;
				}
			}
	}
}

/* One coordinate sweep over every active channel, in an order drawn from rng. */
static void
sweep(kpi_work *w, int use_grid, double step_scale, kpi_rng *rng)
{
	int			na = w->n_active,
				a,
				i,
				n = w->n_obs;
	int		   *order = w->n_active > 0 ? malloc(sizeof(int) * na) : NULL;

	if (order == NULL)
		return;
	for (a = 0; a < na; a++)
		order[a] = w->active[a];
	for (a = na - 1; a > 0; a--)
	{
		int			j = kpi_rng_below(rng, a + 1),
					tmp = order[a];

		order[a] = order[j];
		order[j] = tmp;
	}
	for (a = 0; a < na; a++)
	{
		int			k = order[a];
		double	   *f = w->ftil + (size_t) k * n;
		int			family = w->family[k];
		double		alpha = w->alpha[k],
					logc = w->logc[k],
					shape = w->shape[k],
					score,
					g = 0.0,
					h = 0.0,
					ss,
					sl;
		const double *c = w->ftil + (size_t) w->m * n;

		/* partial residual without channel k and the intercept */
		for (i = 0; i < n; i++)
			w->e[i] += w->beta[k] * f[i] + w->beta[w->m] * c[i];
		w->rc = 0.0;
		for (i = 0; i < n; i++)
			w->rc += w->e[i] * c[i];
		score = score_params(w, k, family, alpha, logc, shape, w->e);
		if (use_grid)
			grid_channel(w, k, w->e, &family, &alpha, &logc, &shape, &score);
		pattern_channel(w, k, w->e, step_scale, family, &alpha, &logc, &shape, &score);
		kpi_set_channel(w, k, family, alpha, logc, shape);
		for (i = 0; i < n; i++)
		{
			g += f[i] * w->e[i];
			h += f[i] * c[i];
		}
		kpi_tests_current(w, k, &ss, &sl);
		solve_pair(w->dnorm[k] + KPI_RIDGE * w->ridge[k] + ss, w->dnorm[w->m] > 0.0 ? h : 0.0,
				   w->dnorm[w->m], g + sl, w->rc, &w->beta[k], &w->beta[w->m]);
		for (i = 0; i < n; i++)
			w->e[i] -= w->beta[k] * f[i] + w->beta[w->m] * c[i];
	}
	free(order);
}

/* Grid sweeps, then pattern rounds with halving steps, each followed by a joint β solve. */
int
kpi_search(kpi_work *w, int grid, int rounds, int sweeps, double step_scale, kpi_rng *order_rng,
		   double *objective)
{
	double		obj = kpi_solve_beta(w),
				prev;
	int			it,
				round;

	for (it = 0; it < grid; it++)
	{
		if (w->interrupted && w->interrupted(w->interrupt_arg))
			return KPI_ERR_INTERRUPTED;
		prev = obj;
		sweep(w, 1, step_scale, order_rng);
		obj = kpi_solve_beta(w);
		if (it > 0 && prev - obj <= 1e-9 * prev)
			break;
	}
	for (round = 0; round < rounds; round++)
	{
		double		scale = step_scale / (double) (1 << round);

		for (it = 0; it < sweeps; it++)
		{
			if (w->interrupted && w->interrupted(w->interrupt_arg))
				return KPI_ERR_INTERRUPTED;
			prev = obj;
			sweep(w, 0, scale, order_rng);
			obj = kpi_solve_beta(w);
			if (prev - obj <= 1e-9 * prev)
				break;
		}
	}
	*objective = obj;
	return KPI_OK;
}
