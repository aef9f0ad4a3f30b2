/*
 * alloc_outer.c — outer search: the total spend each objective without a fixed
 * budget asks for, and how an allocation scores on the objective.
 */
#include "alloc_internal.h"

#include <math.h>

#define TOTAL_FTOL 1e-12		/* relative miss that ends a search over the total */
#define TOTAL_XTOL 1e-14		/* relative width of the final bracket in T */
#define TOTAL_MAX 1e300		/* totals searched before "unbounded" */

typedef struct outer_ctx
{
	work	   *ws;
	int			kind;			/* OUTER_MARGINAL, OUTER_VALUE, OUTER_ROAS */
	double		target;
} outer_ctx;

#define OUTER_MARGINAL 0		/* f(T) = dV/dT − target */
#define OUTER_VALUE    1		/* f(T) = target − V(T) */
#define OUTER_ROAS     2		/* f(T) = V(T) − target·T */

/* Evaluate the outer function at total T (a fixed-total solve). */
static int
outer_eval(void *ctx, double T, double *f)
{
	outer_ctx  *oc = ctx;
	work	   *ws = oc->ws;
	bool		feasible;
	int			rc = solve_total(ws, T, ws->x_eval, &feasible);

	if (rc != NOA_OK)
		return rc;
	if (!feasible)
		return NOA_ERR_INVALID;
	switch (oc->kind)
	{
		case OUTER_MARGINAL:
			*f = total_marginal(ws) - oc->target;
			break;
		case OUTER_VALUE:
			*f = oc->target - total_value(ws, ws->x_eval, true);
			break;
		default:
			*f = total_value(ws, ws->x_eval, true) - oc->target * T;
			break;
	}
	return NOA_OK;
}

/*
 * Root of the outer function on [tlo, tmax] (tmax may be +Inf: doubled until
 * the sign changes).  *t_left and *t_right return the final bracket.  Returns
 * NOA_ALLOC_ERR_UNBOUNDED when no finite total changes the sign.
 */
static int
outer_root(work *ws, int kind, double target, double tlo, double flo, double tmax,
		   double *t_left, double *t_right)
{
	outer_ctx	oc = {ws, kind, target};
	root_fn		fn = {outer_eval, NULL, &oc, kind == OUTER_ROAS};
	double		a = tlo,
				fa = flo,
				b,
				fb;
	int			i,
				rc;

	if (isfinite(tmax))
	{
		b = tmax;
		rc = outer_eval(&oc, b, &fb);
		if (rc != NOA_OK)
			return rc;
	}
	else
	{
		/* grow by 2, 4, 8, ... so that even absurd totals are reached in a few dozen solves */
		b = fmax(2.0 * tlo, tlo + 1.0);
		for (i = 1;; i++)
		{
			rc = outer_eval(&oc, b, &fb);
			if (rc != NOA_OK)
				return rc;
			if (root_side(&fn, fb) == 1)
				break;
			if (b >= TOTAL_MAX)
				return fail(ws, NOA_ALLOC_FAIL_UNBOUNDED, -1, -1, b, INFINITY);
			a = b;
			fa = fb;
			b = fmin(TOTAL_MAX, ldexp(b, i < 60 ? i : 60));
		}
	}
	if (root_side(&fn, fb) == 0)
	{
		*t_left = *t_right = b;
		return NOA_OK;
	}
	rc = find_root(&fn, &a, &fa, &b, &fb, TOTAL_XTOL, 0.0,
				   TOTAL_FTOL * fabs(kind == OUTER_ROAS ? target * a : target));
	*t_left = a;
	*t_right = b;
	return rc;
}

/* Whether a group limit is a share of the total (the total then needs an outer search). */
static bool
has_share_limits(const work *ws)
{
	int			g;

	for (g = 0; g < ws->ng; g++)
		if (ws->pb->groups[g].min_share > 0.0 || ws->pb->groups[g].max_share < 1.0)
			return true;
	return false;
}

/*
 * The total where the marginal return of the total falls to `target`, within
 * [tlo, tmax].  Without share limits that is simply the demand at price
 * `target` (group floors and caps clamped); otherwise a search over the total.
 */
static int
marginal_total(work *ws, double target, double tlo, double tmax, double *tstar)
{
	outer_ctx	oc = {ws, OUTER_MARGINAL, target};
	double		f,
				left,
				right;
	bool		feasible;
	int			rc;

	if (!has_share_limits(ws))
	{
		rc = prepare_groups(ws, isfinite(tmax) ? tmax : TOTAL_MAX, false, &feasible);
		if (rc != NOA_OK)
			return rc;
		if (!feasible)
			return NOA_ERR_INVALID;
		*tstar = eval_pass(ws, ws->all, ws->n, target, true, ws->x_eval);
		*tstar = fmax(tlo, fmin(tmax, *tstar));
		return NOA_OK;
	}
	rc = outer_eval(&oc, tlo, &f);
	if (rc != NOA_OK || f <= 0.0)
	{
		*tstar = tlo;
		return rc;
	}
	rc = outer_root(ws, OUTER_MARGINAL, target, tlo, f, tmax, &left, &right);
	*tstar = left;
	return rc;
}

/*
 * The total spend the objective asks for, over [tlo, tmax], with the items in
 * their current modes.  Sets *reachable to false when a target cannot be met
 * (the total then gives the closest answer).
 */
int
choose_total(work *ws, double tlo, double tmax, double *tstar, bool *reachable)
{
	const noa_alloc_problem *pb = ws->pb;
	outer_ctx	oc = {ws, OUTER_MARGINAL, pb->target};
	double		f,
				left,
				right,
				tm;
	int			rc;

	*reachable = true;
	switch (pb->objective)
	{
		case NOA_ALLOC_MAX_RESPONSE:
			*tstar = tmax;
			return NOA_OK;
		case NOA_ALLOC_MAX_PROFIT:
			return marginal_total(ws, pb->target, tlo, tmax, tstar);
		case NOA_ALLOC_MIN_SPEND:
			oc.kind = OUTER_VALUE;
			rc = outer_eval(&oc, tlo, &f);
			if (rc != NOA_OK || f <= 0.0)
			{
				*tstar = tlo;
				return rc;
			}
			rc = outer_root(ws, OUTER_VALUE, pb->target, tlo, f, tmax, &left, &right);
			if (rc != NOA_OK)
				return rc;
			oc.kind = OUTER_VALUE;
			rc = outer_eval(&oc, right, &f);
			*reachable = f <= 1e-9 * pb->target;
			*tstar = right;
			return rc;
		default:
			/* largest T with V(T) ≥ ρT: the concave V − ρT peaks where dV/dT = ρ */
			oc.kind = OUTER_ROAS;
			if (isfinite(tmax))
			{
				rc = outer_eval(&oc, tmax, &f);
				if (rc != NOA_OK || f >= 0.0)
				{
					*tstar = tmax;
					return rc;
				}
			}
			rc = marginal_total(ws, pb->target, tlo, tmax, &tm);
			if (rc != NOA_OK)
				return rc;
			rc = outer_eval(&oc, tm, &f);
			if (rc != NOA_OK)
				return rc;
			if (f < 0.0)
			{
				*reachable = false;
				*tstar = tm;
				return NOA_OK;
			}
			rc = outer_root(ws, OUTER_ROAS, pb->target, tm, f, tmax, &left, &right);
			*tstar = left;
			return rc;
	}
}

/* Whether an allocation of value V at total T meets the objective's target. */
bool
meets_target(const work *ws, double value, double T)
{
	double		tol = 1e-9 * fmax(fabs(value), 1e-300);

	if (ws->pb->objective == NOA_ALLOC_MIN_SPEND)
		return value >= ws->pb->target - tol;
	if (ws->pb->objective == NOA_ALLOC_TARGET_ROAS)
		return value >= ws->pb->target * T - tol;
	return true;
}

/* The objective of an allocation of value V at total T. */
double
objective_of(const work *ws, double value, double T)
{
	switch (ws->pb->objective)
	{
		case NOA_ALLOC_MAX_PROFIT:
			return value - ws->pb->target * T;
		case NOA_ALLOC_MIN_SPEND:
			return T;
		default:
			return value;
	}
}

/* Whether objective a beats b. */
bool
better(const work *ws, double a, double b)
{
	return ws->pb->objective == NOA_ALLOC_MIN_SPEND ? a < b : a > b;
}
