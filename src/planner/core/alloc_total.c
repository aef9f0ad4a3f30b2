/*
 * alloc_total.c — fixed total: the allocation at a given total spend with
 * group floors and caps priced once per total; and the range of totals the
 * bounds and group limits admit.
 */
#include "alloc_internal.h"

#include <math.h>

/* Floor and cap amounts of group g at total T. */
static void
group_limits(const noa_alloc_group *gr, double T, double *floor_amount, double *cap_amount)
{
	*floor_amount = fmax(gr->min_spend, gr->min_share * T);
	*cap_amount = fmin(gr->max_spend, gr->max_share * T);
}

/* Σ dlo and Σ min(dhi, dlo + capbase) over the members of bucket g. */
void
bucket_range(const work *ws, int g, double *lo_sum, double *hi_sum)
{
	items_range(ws, ws->gmem + ws->gstart[g], ws->gstart[g + 1] - ws->gstart[g], lo_sum, hi_sum);
}

/*
 * Group prices for total T: for each group whose floor (or cap) binds at
 * some price, the price and allocation at which it meets it exactly.  A cap
 * counts only when the group has one (a share below 1 or a finite amount).
 * With check_total, *feasible also requires T itself to be reachable.
 */
int
prepare_groups(work *ws, double T, bool check_total, bool *feasible)
{
	const noa_alloc_problem *pb = ws->pb;
	double		tol = FEAS_TOL * fmax(T, 1.0);
	double		need = 0.0,
				room = 0.0,
				lo_sum,
				hi_sum;
	int			g,
				k,
				rc;

	*feasible = false;
	ws->total = T;
	ws->sum_dlo = 0.0;
	for (k = 0; k < ws->n; k++)
		ws->sum_dlo += ws->it[k].dlo;
	ws->capbase = T - ws->sum_dlo;
	if (ws->capbase < -tol)
		return NOA_OK;
	ws->capbase = fmax(ws->capbase, 0.0);
	ws->cur.total = T;

	for (g = 0; g < ws->ng; g++)
	{
		const int  *mem = ws->gmem + ws->gstart[g];
		int			m = ws->gstart[g + 1] - ws->gstart[g];
		double		F,
					C;

		group_limits(&pb->groups[g], T, &F, &C);
		bucket_range(ws, g, &lo_sum, &hi_sum);
		if (F > hi_sum + tol || lo_sum > C + tol || F > C + tol)
			return NOA_OK;
		ws->cur.has_floor[g] = F > lo_sum;
		ws->cur.has_cap[g] = C < hi_sum && (isfinite(pb->groups[g].max_spend) || pb->groups[g].max_share < 1.0);
		if (ws->cur.has_floor[g])
		{
			rc = price_search(ws, mem, m, fmin(F, hi_sum), false, ws->xf, &ws->cur.p_floor[g],
							  &ws->warm_floor[g]);
			if (rc != NOA_OK)
				return rc;
		}
		if (ws->cur.has_cap[g])
		{
			rc = price_search(ws, mem, m, fmax(C, lo_sum), false, ws->xc, &ws->cur.p_cap[g],
							  &ws->warm_cap[g]);
			if (rc != NOA_OK)
				return rc;
		}
		need += fmax(F, lo_sum);
		room += fmin(C, hi_sum);
	}
	bucket_range(ws, ws->ng, &lo_sum, &hi_sum);
	need += lo_sum;
	room += hi_sum;
	*feasible = !check_total || (T >= need - tol && T <= room + tol);
	return NOA_OK;
}

/*
 * Solve max Σ env_i(x_i) subject to Σx = T, bounds and group limits, with
 * the items in their current modes.  *feasible is false when the modes and
 * limits admit no allocation summing to T.
 */
int
solve_total(work *ws, double T, double *xout, bool *feasible)
{
	int			g,
				rc;

	rc = prepare_groups(ws, T, true, feasible);
	if (rc != NOA_OK || !*feasible)
		return rc;
	*feasible = false;
	rc = price_search(ws, ws->all, ws->n, T, true, xout, &ws->lambda, &ws->lambda_warm);
	if (rc != NOA_OK)
		return rc;
	for (g = 0; g < ws->ng; g++)
	{
		ws->gstate[g] = NOA_ALLOC_GROUP_FREE;
		ws->gprice[g] = ws->lambda;
		if (ws->cur.has_floor[g] && ws->lambda > ws->cur.p_floor[g] * (1.0 + 1e-12))
		{
			ws->gstate[g] = NOA_ALLOC_GROUP_FLOOR;
			ws->gprice[g] = ws->cur.p_floor[g];
		}
		else if (ws->cur.has_cap[g] && ws->lambda < ws->cur.p_cap[g] * (1.0 - 1e-12))
		{
			ws->gstate[g] = NOA_ALLOC_GROUP_CAP;
			ws->gprice[g] = ws->cur.p_cap[g];
		}
	}
	*feasible = true;
	return NOA_OK;
}

/* Σ over items of the envelope value (the true value when no item is relaxed). */
double
total_value(const work *ws, const double *x, bool envelope)
{
	double		v = 0.0;
	int			i;

	for (i = 0; i < ws->n; i++)
		v += envelope ? envelope_value(&ws->it[i], x[i]) : item_value(&ws->it[i], x[i]);
	return v;
}

/*
 * dV/dT of the last fixed-total solve: the base price, corrected by the group
 * shares whose floors or caps bind (a share limit moves with the total).
 */
double
total_marginal(const work *ws)
{
	double		kappa = ws->lambda;
	int			g;

	for (g = 0; g < ws->ng; g++)
	{
		const noa_alloc_group *gr = &ws->pb->groups[g];

		if (ws->gstate[g] == NOA_ALLOC_GROUP_FLOOR && gr->min_share * ws->total >= gr->min_spend)
			kappa -= (ws->lambda - ws->gprice[g]) * gr->min_share;
		else if (ws->gstate[g] == NOA_ALLOC_GROUP_CAP && gr->max_share * ws->total <= gr->max_spend)
			kappa += (ws->gprice[g] - ws->lambda) * gr->max_share;
	}
	return kappa;
}

/* ------------------------------------------------------------ total range */

/*
 * How far the group limits miss total T, from the groups' item ranges
 * [L_G, U_G] and the ungrouped items' [L_0, U_0] (range and range0: the L
 * with floors, the U otherwise).  Floors: Σ_G max(F, aT, L_G) + L_0 − T, the
 * spend the floors need beyond T (nonincreasing).  Caps: T − Σ_G min(C, bT,
 * U_G) − U_0, how far T exceeds what the caps allow (convex).
 */
static double
limit_excess(const work *ws, bool floors, const double *range, double range0, double T)
{
	double		s = floors ? range0 - T : T - range0;
	int			g;

	for (g = 0; g < ws->ng; g++)
	{
		double		F,
					C;

		group_limits(&ws->pb->groups[g], T, &F, &C);
		if (floors)
			s += fmax(F, range[g]);
		else
			s -= fmin(C, range[g]);
	}
	return s;
}

/*
 * Bisect [*a, *b] (at most 200 halvings, while the midpoint stays strictly
 * inside) to where limit_excess changes sign: *a keeps the side where the
 * floors still need more than T (floors) or where T still fits under the
 * caps (caps).
 */
static void
bisect_limit(const work *ws, bool floors, const double *range, double range0, double *a, double *b)
{
	int			i;

	for (i = 0; i < 200; i++)
	{
		double		mid = 0.5 * (*a + *b);
		double		excess;

		if (!(mid > *a && mid < *b))
			break;
		excess = limit_excess(ws, floors, range, range0, mid);
		if (floors ? excess > 0.0 : excess <= 0.0)
			*a = mid;
		else
			*b = mid;
	}
}

/*
 * The interval [*tlo, *thi] of totals for which the items' current domains
 * and the group limits admit an allocation.  feasible_only: report an empty
 * interval through *tlo > *thi instead of an error (for restricted modes).
 */
int
total_range(work *ws, double *tlo, double *thi, bool feasible_only)
{
	double	   *gl = ws->scratch,
			   *gu = ws->scratch + ws->ng;
	double		l0,
				u0,
				lower = 0.0,
				upper = INFINITY,
				share_sum = 0.0,
				a,
				b,
				slope;
	int			g,
				lower_group = -1,
				i;

	ws->upper_group = -1;
	ws->capbase = INFINITY;
	for (g = 0; g < ws->ng; g++)
		bucket_range(ws, g, &gl[g], &gu[g]);
	bucket_range(ws, ws->ng, &l0, &u0);
	for (g = 0; g < ws->ng; g++)
	{
		const noa_alloc_group *gr = &ws->pb->groups[g];
		double		need = fmax(gr->min_spend, gl[g]);

		share_sum += gr->min_share;
		if (!feasible_only && gr->min_spend > gu[g] * (1.0 + FEAS_TOL))
			return fail(ws, NOA_ALLOC_FAIL_GROUP_FLOOR, -1, g, gr->min_spend, gu[g]);
		if (!feasible_only && gl[g] > gr->max_spend * (1.0 + FEAS_TOL))
			return fail(ws, NOA_ALLOC_FAIL_GROUP_CAP, -1, g, gl[g], gr->max_spend);
		if (gr->min_share > 0.0 && fmin(gu[g], gr->max_spend) / gr->min_share < upper)
		{
			upper = fmin(gu[g], gr->max_spend) / gr->min_share;
			ws->upper_group = g;
		}
		if (gr->max_share < 1.0 && need > 0.0)
		{
			if (gr->max_share <= 0.0)
			{
				if (feasible_only)
					upper = -1.0;
				else
					return fail(ws, NOA_ALLOC_FAIL_GROUP_CAP, -1, g, need, 0.0);
			}
			else if (need / gr->max_share > lower)
			{
				lower = need / gr->max_share;
				lower_group = g;
			}
		}
	}
	if (!feasible_only && share_sum > 1.0 + FEAS_TOL)
		return fail(ws, NOA_ALLOC_FAIL_SHARES, -1, -1, share_sum, 1.0);

	/* Least T whose floors fit: the floors' excess is nonincreasing. */
	a = 0.0;
	if (limit_excess(ws, true, gl, l0, a) > 0.0)
	{
		b = share_sum < 1.0 - 1e-9 ? (limit_excess(ws, true, gl, l0, 0.0) / (1.0 - share_sum)) * (1.0 + 1e-9) : 0.0;
		for (g = 0; g < ws->ng; g++)
			if (ws->pb->groups[g].min_share > 0.0)
				b = fmax(b, fmax(ws->pb->groups[g].min_spend, gl[g]) / ws->pb->groups[g].min_share);
		b = fmax(b, limit_excess(ws, true, gl, l0, 0.0));
		if (limit_excess(ws, true, gl, l0, b) > FEAS_TOL * fmax(b, 1.0))
		{
			if (!feasible_only)
				return fail(ws, NOA_ALLOC_FAIL_TOTAL, -1, -1, b + limit_excess(ws, true, gl, l0, b), b);
			*tlo = 1.0;
			*thi = 0.0;
			return NOA_OK;
		}
		bisect_limit(ws, true, gl, l0, &a, &b);
		if (b > lower)
		{
			lower = b;
			lower_group = -1;
		}
	}

	/* Largest T the caps admit: the caps' excess is convex and ≤ 0 at T = 0. */
	slope = 1.0;
	for (g = 0; g < ws->ng; g++)
		if (isinf(fmin(ws->pb->groups[g].max_spend, gu[g])))
			slope -= ws->pb->groups[g].max_share;
	if (isfinite(u0) && slope > 0.0)
	{
		a = 0.0;
		b = fmax(1.0, u0);
		for (g = 0; g < ws->ng; g++)
			b += isfinite(gu[g]) ? gu[g] : 0.0;
		for (i = 0; i < 4000 && limit_excess(ws, false, gu, u0, b) <= 0.0; i++)
		{
			a = b;
			b *= 2.0;
		}
		bisect_limit(ws, false, gu, u0, &a, &b);
		if (a < upper)
		{
			upper = a;
			ws->upper_group = -1;
		}
	}
	*tlo = lower;
	*thi = upper;
	if (!feasible_only && lower > upper * (1.0 + FEAS_TOL) + 1e-300)
		return fail(ws, NOA_ALLOC_FAIL_TOTAL, -1, lower_group, lower, upper);
	return NOA_OK;
}
