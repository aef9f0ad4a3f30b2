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

#define BRANCH_TOL 1e-10		/* relative gap at which a node is closed */
#define BRANCH_MAX_SHAPED 16	/* more S-shaped items than this: not tried */
#define BRANCH_WORK 1e6			/* item evaluations the search may spend */
#define BRANCH_MAX_OPEN 512		/* nodes waiting on the stack */

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
 * Branch and bound at total T (the most the budget and the limits allow; the
 * bounds also cover totals down to tlo), starting from the relaxation's
 * allocation ws->x_relax.  Not tried (*done false, *bound +Inf) with more than
 * BRANCH_MAX_SHAPED shaped items.  Otherwise the best allocation is left in
 * ws->x_branch and its pattern in ws->best_pattern / best_pin; *bound is an
 * upper bound on the value of every allocation with a total in [tlo, T], and *done tells whether
 * the search finished (the bound is then within BRANCH_TOL of the best).
 */
int
branch_and_bound(work *ws, double T, double tlo, bool *done, double *bound)
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
		memcpy(ws->x_branch, ws->x_relax, sizeof(double) * ws->n);
		best = total_value(ws, ws->x_relax, false);
		rc = search(ws, &st, shaped, T, tlo, &best, &closed, &open);
	}
	if (rc == NOA_OK)
	{
		*done = fmax(closed, open) <= best + BRANCH_TOL * fabs(best);
		*bound = fmax(fmax(closed, open), best);
		pattern_from_allocation(ws, ws->x_branch);
	}
	apply_pattern(ws, NULL, NULL);
	free(shaped);
	free(st.a);
	free(st.b);
	free(st.bound);
	return rc;
}
