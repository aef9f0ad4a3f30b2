/*
 * alloc_price.c — price search: the price at which a set of items' demands add
 * up to a target total, and the allocation that meets it exactly.
 */
#include "alloc_internal.h"

#include <math.h>

#define LOG_PRICE_MAX 690.0		/* prices searched in [e^-690, e^690] */
#define PRICE_XTOL 1e-15		/* relative width of the final bracket in log λ */
#define PRICE_FTOL 1e-14		/* relative miss of the target that ends a price search */

/* Whether the caller asked us to stop. */
static bool
interrupted(const work *ws)
{
	return ws->pb->interrupted != NULL && ws->pb->interrupted(ws->pb->interrupt_arg);
}

/* One pass: demand of the listed items at price p into x; returns their sum. */
double
eval_pass(work *ws, const int *idx, int m, double p, bool clamp, double *x)
{
	double		sum = 0.0,
				comp = 0.0;
	int			k;

	for (k = 0; k < m; k++)
	{
		int			i = idx[k];
		item_work  *it = &ws->it[i];
		int			g = it->group;
		double		v,
					t;

		if (clamp && g >= 0 && ws->cur.has_floor[g] && p >= ws->cur.p_floor[g])
			v = ws->xf[i];
		else if (clamp && g >= 0 && ws->cur.has_cap[g] && p <= ws->cur.p_cap[g])
			v = ws->xc[i];
		else
			v = demand(ws, it, p);
		x[i] = v;
		/* Neumaier summation: totals are compared at 1e-14 */
		t = sum + v;
		comp += fabs(sum) >= fabs(v) ? (sum - t) + v : (v - t) + sum;
		sum = t;
	}
	ws->passes++;
	return sum + comp;
}

typedef struct price_ctx
{
	work	   *ws;
	const int  *idx;
	int			m;
	double		target;
	bool		clamp;
	double		last_total;
	double		total_a,
				total_b;
} price_ctx;

/* f(v) = demand at e^v minus the target, into the trial vector. */
static int
price_eval(void *ctx, double v, double *f)
{
	price_ctx  *pc = ctx;

	if (interrupted(pc->ws))
		return NOA_ERR_INTERRUPTED;
	pc->last_total = eval_pass(pc->ws, pc->idx, pc->m, exp(v), pc->clamp, pc->ws->xt);
	*f = pc->last_total - pc->target;
	return NOA_OK;
}

/* The trial vector becomes side 0 (above the target) or side 1 (at or below). */
static void
price_keep(void *ctx, int side)
{
	price_ctx  *pc = ctx;
	double	   *tmp = pc->ws->xt;

	if (side == 0)
	{
		pc->ws->xt = pc->ws->xa;
		pc->ws->xa = tmp;
		pc->total_a = pc->last_total;
	}
	else
	{
		pc->ws->xt = pc->ws->xb;
		pc->ws->xb = tmp;
		pc->total_b = pc->last_total;
	}
}

/*
 * A first price: the average slope of the items when each takes the same
 * share of its room that the target takes of the total room.
 */
static double
price_guess(work *ws, const int *idx, int m, double share)
{
	double		num = 0.0,
				den = 0.0;
	int			k;

	for (k = 0; k < m; k++)
	{
		item_work  *it = &ws->it[idx[k]];
		double		hi = fmin(it->dhi, it->dlo + ws->capbase);
		double		x;

		if (!(hi > it->dlo))
			continue;
		x = it->dlo + share * (hi - it->dlo);
		num += envelope_value(it, x) - envelope_value(it, it->dlo);
		den += x - it->dlo;
	}
	return num > 0.0 && den > 0.0 && isfinite(num / den) ? num / den : 1.0;
}

/*
 * The price reported when every item sits at its lower end: the best return
 * of one more unit, over the items whose own bounds (not the budget) leave
 * them room; +Inf when some slope there is unbounded.
 */
static double
price_at_minimum(const work *ws, const int *idx, int m)
{
	double		best = 0.0;
	int			k;

	for (k = 0; k < m; k++)
	{
		const item_work *it = &ws->it[idx[k]];
		double		s;

		if (!(ws->pb->items[idx[k]].hi > it->dlo))
			continue;
		s = it->dhi > it->dlo ? it->s_lo : item_slope(it, it->dlo);
		if (!isfinite(s))
			return INFINITY;
		best = fmax(best, s);
	}
	return best;
}

/* Smallest slope at the upper ends: the price reported when all sit there. */
static double
price_at_maximum(const work *ws, const int *idx, int m)
{
	double		best = INFINITY;
	int			k;

	for (k = 0; k < m; k++)
	{
		const item_work *it = &ws->it[idx[k]];
		double		hi = fmin(it->dhi, it->dlo + ws->capbase);

		if (hi > it->dlo)
			best = fmin(best, hi < it->dhi ? envelope_slope(it, hi) : it->s_hi);
	}
	return isfinite(best) ? best : 0.0;
}

/*
 * When no listed item is strictly inside its range, every price between the
 * best next-unit return of the items at their lower ends and the worst
 * last-unit return of those at their upper ends supports the allocation;
 * report the highest, so an item that takes all the total leaves it is held
 * to its own marginal return.  Returns the price unchanged otherwise.
 */
static double
snap_price(const work *ws, const int *idx, int m, const double *x, double price)
{
	double		lower = 0.0,
				upper = INFINITY;
	int			k;

	for (k = 0; k < m; k++)
	{
		item_work  *it = &ws->it[idx[k]];
		double		hi = fmin(it->dhi, it->dlo + ws->capbase);
		double		tol = 1e-12 * fmax(1.0, x[idx[k]]);

		if (!(hi > it->dlo))
			continue;
		if (x[idx[k]] > it->dlo + tol && x[idx[k]] < hi - tol)
			return price;
		if (x[idx[k]] <= it->dlo + tol)
			lower = fmax(lower, it->s_lo);
		else
			upper = fmin(upper, envelope_slope(it, hi));
	}
	return isfinite(upper) && upper >= lower ? upper : price;
}

/* Σ dlo and Σ min(dhi, dlo + capbase) over the listed items: the totals they can reach. */
void
items_range(const work *ws, const int *idx, int m, double *lo_sum, double *hi_sum)
{
	int			k;

	*lo_sum = *hi_sum = 0.0;
	for (k = 0; k < m; k++)
	{
		const item_work *it = &ws->it[idx[k]];

		*lo_sum += it->dlo;
		*hi_sum += fmin(it->dhi, it->dlo + ws->capbase);
	}
}

/*
 * The price at which the listed items' demands add up to `target`, and their
 * allocation (into xout).  With clamp, items of groups whose floor or cap
 * binds at a price take the group's stored allocation.  The final bracket
 * [λa, λb] is left in ws->cur.lam_a/lam_b; the allocation interpolates its
 * two sides so that it sums to the target exactly.  *warm holds the price
 * this search found last time (0 when none) and is updated.
 */
int
price_search(work *ws, const int *idx, int m, double target, bool clamp,
			 double *xout, double *price, double *warm)
{
	price_ctx	pc = {ws, idx, m, target, clamp, 0.0, 0.0, 0.0};
	root_fn		fn = {price_eval, price_keep, &pc, true};
	double		va = -INFINITY,
				vb = INFINITY,
				fa = 0.0,
				fb = 0.0,
				f,
				v,
				step,
				theta,
				lo_sum,
				hi_sum,
				ftol = PRICE_FTOL * fabs(target);
	bool		at_min,
				at_max,
				hit = false;
	int			k,
				rc;

	if (interrupted(ws))
		return NOA_ERR_INTERRUPTED;
	items_range(ws, idx, m, &lo_sum, &hi_sum);
	at_min = target <= lo_sum * (1.0 + 1e-13);
	at_max = !at_min && target >= hi_sum * (1.0 - 1e-13);

	/*
	 * Bracket in v = ln λ: small steps from a warm start, wide ones from an
	 * estimate; the extreme prices 0 and +Inf are tried only when the steps
	 * run off the range (or the target sits at an end of it).
	 */
	if (!at_min && !at_max)
	{
		bool		warm_ok = *warm > 0.0 && isfinite(*warm);

		v = warm_ok ? log(*warm)
			: log(price_guess(ws, idx, m, isfinite(hi_sum) ? (target - lo_sum) / (hi_sum - lo_sum) : 0.5));
		v = fmax(-LOG_PRICE_MAX, fmin(LOG_PRICE_MAX, v));
		step = warm_ok ? 0.02 : 0.5;
		for (k = 0; k <= 60; k++)
		{
			rc = price_eval(&pc, v, &f);
			if (rc != NOA_OK)
				return rc;
			if (root_side(&fn, f) == 0)
			{
				va = v;
				fa = f;
			}
			else
			{
				vb = v;
				fb = f;
			}
			price_keep(&pc, root_side(&fn, f));
			hit = fabs(f) <= ftol;
			if (hit || (isfinite(va) && isfinite(vb)))
				break;
			v = isinf(vb) ? va + ldexp(step, k) : vb - ldexp(step, k);
			if (v > LOG_PRICE_MAX || v < -LOG_PRICE_MAX)
				break;
		}
	}
	if (isinf(vb) && !hit)
	{
		pc.total_b = eval_pass(ws, idx, m, INFINITY, clamp, ws->xb);
		at_min = pc.total_b >= target * (1.0 - 1e-13);
		fb = pc.total_b - target;
	}
	if (at_min)
	{
		/* every item at its minimum (or group floor): the price of the next unit */
		for (k = 0; k < m; k++)
			xout[idx[k]] = ws->xb[idx[k]];
		ws->cur.lam_a = ws->cur.lam_b = *price = price_at_minimum(ws, idx, m);
		return NOA_OK;
	}
	if (isinf(va) && !hit)
	{
		pc.total_a = eval_pass(ws, idx, m, 0.0, clamp, ws->xa);
		at_max = pc.total_a <= target * (1.0 + 1e-13);
		fa = pc.total_a - target;
	}
	if (at_max)
	{
		/* every item at its maximum (or group cap): the return of the last unit */
		for (k = 0; k < m; k++)
			xout[idx[k]] = ws->xa[idx[k]];
		ws->cur.lam_a = ws->cur.lam_b = *price = price_at_maximum(ws, idx, m);
		return NOA_OK;
	}
	if (isfinite(va) && isfinite(vb) && !hit)
	{
		rc = find_root(&fn, &va, &fa, &vb, &fb, PRICE_XTOL, 1.0, ftol);
		if (rc != NOA_OK)
			return rc;
	}

	/* Fill: the convex combination of the two sides that meets the target. */
	if (isinf(vb) || isinf(va))
		theta = isinf(vb) ? 1.0 : 0.0;	/* stopped on one side, within ftol */
	else
		theta = pc.total_a > pc.total_b ? (target - pc.total_b) / (pc.total_a - pc.total_b) : 0.0;
	if (hit && isfinite(va) && isfinite(vb))
		theta = fabs(fa) <= fabs(fb) ? 1.0 : 0.0;
	theta = fmax(0.0, fmin(1.0, theta));
	for (k = 0; k < m; k++)
	{
		int			i = idx[k];

		xout[i] = ws->xb[i] + theta * (ws->xa[i] - ws->xb[i]);
	}
	ws->cur.lam_a = isinf(va) ? (isinf(vb) ? 0.0 : exp(vb)) : exp(va);
	ws->cur.lam_b = isinf(vb) ? ws->cur.lam_a : exp(vb);
	*price = theta >= 0.5 ? ws->cur.lam_a : ws->cur.lam_b;
	if (*price > 0.0 && isfinite(*price))
		*warm = *price;
	v = snap_price(ws, idx, m, xout, *price);
	if (v != *price)
		ws->cur.lam_a = ws->cur.lam_b = *price = v;
	return NOA_OK;
}
