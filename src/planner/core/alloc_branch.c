/*
 * alloc_branch.c — branch and bound over the spend ranges of the S-shaped
 * (and convex) items, at a fixed total.
 *
 * A node restricts every such item to a range [a, b] of its bounds and solves
 * the relaxation there (each item's concave envelope over its range, the
 * others as they are).  The Lagrangian dual bound of the node at the
 * relaxation's prices, computed from the true curves on the node's ranges,
 * bounds every allocation inside the node.  A node whose bound does not beat
 * the best allocation found so far by more than BRANCH_TOL (relative) is
 * closed; otherwise the item whose envelope lies furthest above its curve at
 * the node's solution is split there, and both halves are searched (depth
 * first).  The nodes cover every allocation, so once all are closed the
 * largest bound of a closed node certifies the best allocation: its gap is at
 * most BRANCH_TOL.  The search stops early when its work budget runs out; the
 * largest bound over the closed and the still open nodes is then a bound all
 * the same, only a looser one.
 */
#include "alloc_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BRANCH_TOL 1e-11		/* relative gap at which a node is closed */
#define BRANCH_MAX_SHAPED 16	/* more S-shaped items than this: not tried */
#define BRANCH_WORK 1e6			/* item evaluations the search may spend */
#define BRANCH_MAX_OPEN 512		/* nodes waiting on the stack */
#define REACH_WORK 4e6			/* item evaluations all the searches of min_spend may spend */
#define OUT_OF_WORK (-1)		/* reach_eval's code once REACH_WORK is spent */

/* The open nodes: ranges of the shaped items and the bound inherited from the parent. */
typedef struct branch_stack
{
	int			s;				/* shaped items */
	int			top;
	double	   *a;				/* BRANCH_MAX_OPEN × s */
	double	   *b;
	double	   *bound;			/* BRANCH_MAX_OPEN */
} branch_stack;

/* Push a node (ranges a, b); false when the stack is full. */
static bool
stack_push(branch_stack *st, const double *a, const double *b, double bound)
{
	if (st->top >= BRANCH_MAX_OPEN)
		return false;
	memcpy(st->a + (size_t) st->top * st->s, a, sizeof(double) * st->s);
	memcpy(st->b + (size_t) st->top * st->s, b, sizeof(double) * st->s);
	st->bound[st->top++] = bound;
	return true;
}

/*
 * The node's dual bound on the value of its allocations at totals in
 * [tlo, T]: the better of the two sides of the final price bracket of its
 * relaxation, each written as the value of the node's allocation x plus the
 * dual gap over it, and moved along its slope in the total to the best total.
 */
static double
node_bound(work *ws, const double *x, double value, double T, double tlo)
{
	double		best = INFINITY,
				kappa,
				gap;

	if (isfinite(ws->cur.lam_a))
	{
		gap = dual_gap(ws, &ws->cur, ws->cur.lam_a, x, T, &kappa);
		best = fmin(best, value + gap + fmax(0.0, kappa * (tlo - T)));
	}
	if (isfinite(ws->cur.lam_b) && ws->cur.lam_b != ws->cur.lam_a)
	{
		gap = dual_gap(ws, &ws->cur, ws->cur.lam_b, x, T, &kappa);
		best = fmin(best, value + gap + fmax(0.0, kappa * (tlo - T)));
	}
	return best;
}

/* The shaped item whose envelope lies furthest above its curve at x (−1 when none does). */
static int
branch_item(const work *ws, const int *shaped, int s, const double *x, double *split)
{
	double		worst = 0.0;
	int			k,
				pick = -1;

	for (k = 0; k < s; k++)
	{
		const item_work *it = &ws->it[shaped[k]];
		double		v = item_value(it, x[shaped[k]]);
		double		excess = envelope_value(it, x[shaped[k]]) - v;

		if (excess > 1e-13 * fmax(1.0, fabs(v)) && excess > worst &&
			x[shaped[k]] > it->dlo && x[shaped[k]] < it->dhi)
		{
			worst = excess;
			pick = k;
		}
	}
	if (pick >= 0)
		*split = x[shaped[pick]];
	return pick;
}

/*
 * The on/off/pinned pattern of an allocation of the shaped items, into
 * ws->best_pattern and ws->best_pin: at lo off, on the concave branch on,
 * inside the convex region pinned where it is.
 */
void
pattern_from_allocation(work *ws, const double *x)
{
	int			i;

	for (i = 0; i < ws->n; i++)
	{
		const item_work *it = &ws->it[i];

		ws->best_pattern[i] = MODE_RELAX;
		if (!item_shaped(it))
			continue;
		if (x[i] <= it->lo + 1e-12 * fmax(1.0, fabs(x[i])))
			ws->best_pattern[i] = MODE_OFF;
		else if (x[i] >= fmin(it->peak, it->hi))
			ws->best_pattern[i] = MODE_ON;
		else
		{
			ws->best_pattern[i] = MODE_PIN;
			ws->best_pin[i] = x[i];
		}
	}
}

/* Ranges of node `node` into the shaped items' modes. */
static void
apply_ranges(work *ws, const branch_stack *st, const int *shaped, int node)
{
	int			k;

	for (k = 0; k < st->s; k++)
		item_set_range(&ws->it[shaped[k]], st->a[(size_t) node * st->s + k], st->b[(size_t) node * st->s + k]);
}

/*
 * Search the node stack until it is empty or the work budget is spent.  The
 * best allocation is kept in ws->x_branch with its value in *best; *closed
 * receives the largest bound of a closed node, *open the largest bound of a
 * node left open (−Inf when none).
 */
static int
search(work *ws, branch_stack *st, const int *shaped, double T, double tlo, double *best,
	   double *closed, double *open)
{
	double	   *a = malloc(sizeof(double) * st->s);
	double	   *b = malloc(sizeof(double) * st->s);
	double	   *x = ws->x_eval;
	long		work_end = ws->passes + (long) (BRANCH_WORK / fmax(1.0, ws->n));
	int			rc = NOA_OK,
				node,
				k;

	*closed = *open = -INFINITY;
	if (a == NULL || b == NULL)
		rc = NOA_ERR_NOMEM;
	while (rc == NOA_OK && st->top > 0)
	{
		double		inherited,
					value,
					bound,
					split,
					upper;
		bool		feasible;

		if (ws->passes > work_end)
			break;
		node = --st->top;
		inherited = st->bound[node];
		if (inherited <= *best + BRANCH_TOL * fabs(*best))
		{
			*closed = fmax(*closed, inherited);
			continue;
		}
		memcpy(a, st->a + (size_t) node * st->s, sizeof(double) * st->s);
		memcpy(b, st->b + (size_t) node * st->s, sizeof(double) * st->s);
		apply_ranges(ws, st, shaped, node);
		rc = solve_total(ws, T, x, &feasible);
		if (rc != NOA_OK || !feasible)
			continue;
		value = total_value(ws, x, false);
		if (value > *best)
		{
			*best = value;
			memcpy(ws->x_branch, x, sizeof(double) * ws->n);
		}
		bound = fmin(inherited, node_bound(ws, x, value, T, tlo));
		k = branch_item(ws, shaped, st->s, x, &split);
		if (bound <= *best + BRANCH_TOL * fabs(*best) || k < 0)
		{
			*closed = fmax(*closed, bound);
			continue;
		}
		/* the lower half first on the stack, so the upper half is searched first */
		upper = b[k];
		b[k] = split;
		if (!stack_push(st, a, b, bound))
		{
			*open = fmax(*open, bound);
			break;
		}
		b[k] = upper;
		a[k] = split;
		if (!stack_push(st, a, b, bound))
		{
			*open = fmax(*open, bound);
			break;
		}
	}
	for (node = 0; node < st->top; node++)
		*open = fmax(*open, st->bound[node]);
	free(a);
	free(b);
	return rc;
}

/*
 * Branch and bound at total T (the bounds also cover totals down to tlo),
 * starting from the allocation `start` (at total T; NULL: none).  Not tried
 * (*done false, *bound +Inf) with more than BRANCH_MAX_SHAPED shaped items.  Otherwise the best allocation is left in
 * ws->x_branch and its pattern in ws->best_pattern / best_pin; *bound is an
 * upper bound on the value of every allocation with a total in [tlo, T] (−Inf
 * when none is feasible), and *done tells whether
 * the search finished (the bound is then within BRANCH_TOL of the best).
 */
int
branch_and_bound(work *ws, double T, double tlo, const double *start, bool *done, double *bound)
{
	branch_stack st;
	int		   *shaped = malloc(sizeof(int) * (ws->n > 0 ? ws->n : 1));
	double		best,
				closed,
				open;
	int			i,
				rc;

	*done = false;
	*bound = INFINITY;
	memset(&st, 0, sizeof(st));
	if (shaped == NULL)
		return NOA_ERR_NOMEM;
	for (i = 0; i < ws->n; i++)
		if (item_shaped(&ws->it[i]))
			shaped[st.s++] = i;
	if (st.s > BRANCH_MAX_SHAPED)
	{
		free(shaped);
		return NOA_OK;
	}
	st.a = malloc(sizeof(double) * BRANCH_MAX_OPEN * (st.s > 0 ? st.s : 1));
	st.b = malloc(sizeof(double) * BRANCH_MAX_OPEN * (st.s > 0 ? st.s : 1));
	st.bound = malloc(sizeof(double) * BRANCH_MAX_OPEN);
	rc = st.a && st.b && st.bound ? NOA_OK : NOA_ERR_NOMEM;
	if (rc == NOA_OK)
	{
		for (i = 0; i < st.s; i++)
		{
			st.a[i] = ws->it[shaped[i]].lo;
			st.b[i] = ws->it[shaped[i]].hi;
		}
		st.bound[0] = INFINITY;
		st.top = 1;
		best = -INFINITY;
		if (start != NULL)
		{
			memcpy(ws->x_branch, start, sizeof(double) * ws->n);
			best = total_value(ws, start, false);
		}
		rc = search(ws, &st, shaped, T, tlo, &best, &closed, &open);
	}
	if (rc == NOA_OK)
	{
		*done = fmax(closed, open) <= best + BRANCH_TOL * fabs(best);
		*bound = fmax(fmax(closed, open), best);
		if (best > -INFINITY)
			pattern_from_allocation(ws, ws->x_branch);
	}
	apply_pattern(ws, NULL, NULL);
	free(shaped);
	free(st.a);
	free(st.b);
	free(st.bound);
	return rc;
}

/* What the searches of min_spend have found so far. */
typedef struct reach_ctx
{
	work	   *ws;
	double		tlo;			/* least total the limits allow */
	double		best_t;			/* least total found to reach the target (allocation in ws->x_reach) */
	double		t_lower;		/* largest total proven not to reach it */
	long		work_end;		/* ws->passes at which the searches stop */
} reach_ctx;

/*
 * Record an allocation at total T (in ws->x_eval or x) reaching the target
 * when it needs less than the best so far.
 */
static void
reach_keep(reach_ctx *rx, double T, const double *x)
{
	if (T < rx->best_t)
	{
		rx->best_t = T;
		memcpy(rx->ws->x_reach, x, sizeof(double) * rx->ws->n);
	}
}

/*
 * f(T) = target − the best value branch and bound finds at total T; records
 * the allocation when it reaches the target and the total when its bound
 * proves that no allocation up to T does.
 */
static int
reach_eval(void *ctx, double T, double *f)
{
	reach_ctx  *rx = ctx;
	work	   *ws = rx->ws;
	double		target = ws->pb->target,
				bound,
				value;
	bool		done;
	int			rc;

	if (ws->passes > rx->work_end)
		return OUT_OF_WORK;
	rc = branch_and_bound(ws, T, rx->tlo, NULL, &done, &bound);
	if (rc != NOA_OK)
		return rc;
	value = bound > -INFINITY ? total_value(ws, ws->x_branch, false) : -INFINITY;
	if (value >= target)
		reach_keep(rx, T, ws->x_branch);
	if (bound < target)
		rx->t_lower = fmax(rx->t_lower, T);
	*f = target - value;
	return NOA_OK;
}

/*
 * The least total of the pattern of ws->x_branch that reaches the target
 * (pattern_with_total: exact on the pattern's concave restriction), kept when
 * it beats the best so far.
 */
static int
reach_by_pattern(reach_ctx *rx, double tmax)
{
	work	   *ws = rx->ws;
	double		T,
				obj;
	bool		ok;
	int			rc;

	pattern_from_allocation(ws, ws->x_branch);
	rc = pattern_with_total(ws, ws->best_pattern, rx->tlo, tmax, &T, &obj, &ok);
	if (rc == NOA_OK && ok)
		reach_keep(rx, T, ws->x_eval);
	apply_pattern(ws, NULL, NULL);
	return rc;
}

/*
 * min_spend with few S-shaped items.  Branch and bound at the relaxation's
 * total t_relax (a lower bound) gives the best pattern there, and the least
 * total of that pattern reaching the target is a candidate; branch and bound
 * just below the candidate either proves no allocation reaches the target
 * there (the certificate) or finds one that does, whose pattern gives the next
 * candidate.  Should neither happen, a bracketed root search over the total
 * takes over; all within REACH_WORK item evaluations.  *t_final is the
 * answer's total (+Inf when none was found or the work ran out; otherwise its
 * allocation and pattern are in ws->x_branch, ws->best_pattern and
 * ws->best_pin) and *t_lower the largest total proven too small (−Inf when
 * none), which certifies it.
 */
int
branch_min_spend(work *ws, double t_relax, double tlo, double tmax, double *t_final, double *t_lower)
{
	reach_ctx	rx = {ws, tlo, INFINITY, -INFINITY, ws->passes + (long) (REACH_WORK / fmax(1.0, ws->n))};
	root_fn		fn = {reach_eval, NULL, &rx, false};
	double		a,
				b,
				fa,
				fb,
				step;
	int			shaped = 0,
				round_no,
				i,
				rc;
	bool		proven = false;

	*t_final = INFINITY;
	*t_lower = -INFINITY;
	for (i = 0; i < ws->n; i++)
		shaped += item_shaped(&ws->it[i]);
	if (shaped > BRANCH_MAX_SHAPED)
		return NOA_OK;
	rc = reach_eval(&rx, t_relax, &fa);
	if (rc == NOA_OK && fa > 0.0 && isfinite(fa))
		rc = reach_by_pattern(&rx, tmax);
	for (round_no = 0; rc == NOA_OK && round_no < 8 && isfinite(rx.best_t); round_no++)
	{
		double		level = ws->lambda > 0.0 && isfinite(ws->lambda) ? ws->lambda : 1.0;
		double		probe = rx.best_t - fmax(3.0 * BRANCH_TOL * ws->pb->target / level, 1e-13 * rx.best_t);
		double		before = rx.best_t;

		rc = reach_eval(&rx, fmax(probe, t_relax), &fa);
		if (rc == NOA_OK && fa > 0.0 && isfinite(fa))
			rc = reach_by_pattern(&rx, tmax);
		if (rx.t_lower >= fmax(probe, t_relax))
		{
			proven = true;
			break;
		}
		if (rx.best_t >= before)
			break;				/* neither proven nor improved: the root search below */
	}
	if (!proven && rc == NOA_OK)
	{
		/* bracket [a, b]: a not reached, b reached; then Illinois steps on the total */
		a = fmax(rx.t_lower, t_relax);
		rc = reach_eval(&rx, a, &fa);
		b = isfinite(rx.best_t) ? rx.best_t : a;
		fb = isfinite(rx.best_t) ? 0.0 : fa;
		for (step = fmax(0.01 * a, 1e-9), i = 0; rc == NOA_OK && i < 60 && fb > 0.0 && b < tmax; i++, step *= 4.0)
		{
			a = b;
			fa = fb;
			b = fmin(tmax, a + step);
			rc = reach_eval(&rx, b, &fb);
		}
		if (rc == NOA_OK && fa > 0.0 && fb <= 0.0)
			rc = find_root(&fn, &a, &fa, &b, &fb, 1e-13, 0.0, 0.0);
		/* then prove a total just below the answer too small */
		step = fmax(3.0 * BRANCH_TOL * ws->pb->target / (ws->lambda > 0.0 && isfinite(ws->lambda) ? ws->lambda : 1.0),
					1e-13 * rx.best_t);
		for (i = 0; rc == NOA_OK && i < 4 && isfinite(rx.best_t) && rx.t_lower < rx.best_t - step; i++, step *= 4.0)
			rc = reach_eval(&rx, fmax(rx.best_t - step, t_relax), &fa);
	}
	if (rc == OUT_OF_WORK)
		return NOA_OK;			/* too large for the searches: the caller's rounding */
	if (rc != NOA_OK || !isfinite(rx.best_t))
		return rc;
	*t_final = rx.best_t;
	*t_lower = rx.t_lower;
	memcpy(ws->x_branch, ws->x_reach, sizeof(double) * ws->n);
	pattern_from_allocation(ws, ws->x_branch);
	return NOA_OK;
}
