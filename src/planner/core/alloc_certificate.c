/*
 * alloc_certificate.c — certificate: the Lagrangian dual bound from the true
 * curves, written as a sum of non-negative complementary terms, and the gap it
 * leaves on the objective.
 */
#include "alloc_internal.h"

#include <math.h>

/*
 * Group prices at base price λ from the relaxation's group multipliers, and
 * the slope of the dual bound in the total: κ = λ − Σ α_G·a_G + Σ β_G·b_G over
 * the groups whose binding limit is a share (*slope: dκ/dλ).
 */
static double
group_prices(const work *ws, const multipliers *mu, double lambda, double *gp, double *slope)
{
	double		kappa = lambda;
	int			g;

	*slope = 1.0;
	for (g = 0; g < ws->ng; g++)
	{
		const noa_alloc_group *gr = &ws->pb->groups[g];

		gp[g] = lambda;
		if (mu->has_floor[g] && lambda > mu->p_floor[g])
		{
			gp[g] = mu->p_floor[g];
			if (gr->min_share * mu->total >= gr->min_spend)
			{
				kappa -= (lambda - gp[g]) * gr->min_share;
				*slope -= gr->min_share;
			}
		}
		else if (mu->has_cap[g] && lambda < mu->p_cap[g])
		{
			gp[g] = mu->p_cap[g];
			if (gr->max_share * mu->total <= gr->max_spend)
			{
				kappa += (gp[g] - lambda) * gr->max_share;
				*slope -= gr->max_share;
			}
		}
	}
	return kappa;
}

/*
 * Gap of the Lagrangian bound at base price λ (relaxation group prices) over
 * the allocation x at total T, written as a sum of non-negative terms:
 * Σ_i [φ_i(p_i) − (g_i(x_i) − p_i·x_i)] + λ(T − Σx) + Σ_G α_G(y_G − F_G) +
 * β_G(C_G − y_G).  *kappa receives the slope of the bound in T.
 */
double
dual_gap(work *ws, const multipliers *mu, double lambda, const double *x, double T, double *kappa)
{
	double	   *gp = ws->scratch;
	double	   *gy = ws->scratch + ws->ng + 1;
	double		gap = 0.0,
				sum = 0.0,
				slope;
	int			g,
				i;

	*kappa = group_prices(ws, mu, lambda, gp, &slope);
	for (g = 0; g < ws->ng; g++)
		gy[g] = 0.0;
	for (i = 0; i < ws->n; i++)
	{
		sum += x[i];
		if (ws->it[i].group >= 0)
			gy[ws->it[i].group] += x[i];
	}
	for (g = 0; g < ws->ng; g++)
	{
		const noa_alloc_group *gr = &ws->pb->groups[g];

		if (gp[g] < lambda)
			gap += (lambda - gp[g]) * (gy[g] - (gr->min_share * mu->total >= gr->min_spend
												? gr->min_share * T : gr->min_spend));
		else if (gp[g] > lambda)
			gap += (gp[g] - lambda) * ((gr->max_share * mu->total <= gr->max_spend
										? gr->max_share * T : gr->max_spend) - gy[g]);
	}
	gap += lambda * (T - sum);
	ws->capbase = INFINITY;
	for (i = 0; i < ws->n; i++)
	{
		item_work  *it = &ws->it[i];
		double		p = it->group >= 0 ? gp[it->group] : lambda;

		gap += item_phi(ws, it, p) - (item_value(it, x[i]) - p * x[i]);
	}
	return gap;
}

/*
 * The gap in objective units from one dual point, given the bound's value
 * A(T*) = value + gap_T at the answer's total T* and its slope κ in T.
 */
static double
objective_gap(const work *ws, double gap_T, double kappa, double value, double T,
			  double tlo, double tmax, bool exact_total)
{
	const noa_alloc_problem *pb = ws->pb;
	double		d,
				t_up;

	switch (pb->objective)
	{
		case NOA_ALLOC_MAX_RESPONSE:
			return exact_total ? gap_T : gap_T + fmax(0.0, kappa * (tlo - T));
		case NOA_ALLOC_MAX_PROFIT:
			d = kappa - pb->target;
			if (d > 0.0)
				return isinf(tmax) ? INFINITY : gap_T + d * (tmax - T);
			return gap_T + d * (tlo - T);
		case NOA_ALLOC_MIN_SPEND:
			/* the least T with A(T) ≥ target bounds the spend from below */
			if (!(kappa > 0.0))
				return T - tlo;
			return T - fmax(tlo, T - (value + gap_T - pb->target) / kappa);
		default:
			/* the largest A(T) among totals with A(T) ≥ target·T */
			t_up = kappa < pb->target
				? fmin(tmax, T + (value + gap_T - pb->target * T) / (pb->target - kappa)) : tmax;
			if (isinf(t_up))
				return kappa > 0.0 ? INFINITY : gap_T;
			return gap_T + (kappa >= 0.0 ? kappa * (t_up - T) : kappa * (tlo - T));
	}
}

/*
 * Best certificate over the dual points at hand: both sides of the
 * relaxation's final price bracket, a large price when every item sits at its
 * minimum, and for profit the price whose bound slope κ equals the target.
 * Returns the gap in objective units (+Inf when no point bounds it).
 */
double
certify(work *ws, const double *x, double value, double T, double tlo, double tmax, bool exact_total)
{
	const multipliers *mu = &ws->relax;
	double	   *gp = ws->scratch;
	double		cand[4];
	double		best = INFINITY,
				kappa,
				slope,
				gap;
	int			nc = 0,
				c,
				i;

	apply_pattern(ws, NULL, NULL);
	if (isfinite(mu->lam_a))
		cand[nc++] = mu->lam_a;
	if (isfinite(mu->lam_b) && mu->lam_b != mu->lam_a)
		cand[nc++] = mu->lam_b;
	if (nc == 0)
		cand[nc++] = 1e12 * fmax(value / fmax(T, 1e-300), 1.0);
	if (ws->pb->objective == NOA_ALLOC_MAX_PROFIT)
	{
		/* κ is piecewise linear and increasing in λ: Newton reaches κ = target */
		double		lam = cand[0];

		for (i = 0; i < 2 * ws->ng + 4; i++)
		{
			kappa = group_prices(ws, mu, lam, gp, &slope);
			if (kappa == ws->pb->target || !(slope > 0.0))
				break;
			lam = fmax(0.0, lam + (ws->pb->target - kappa) / slope);
		}
		cand[nc++] = lam;
	}
	for (c = 0; c < nc; c++)
	{
		gap = dual_gap(ws, mu, cand[c], x, T, &kappa);
		gap = objective_gap(ws, gap, kappa, value, T, tlo, tmax, exact_total);
		if (gap < best)
			best = gap;
	}
	return best;
}
