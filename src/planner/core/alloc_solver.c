/*
 * alloc_solver.c — budget allocation over response curves (see alloc_solver.h):
 * the driver.  It sets the items up, solves the relaxation (the concave
 * envelopes) at the total the objective asks for, rounds the S-shaped items
 * when the relaxation splits one, and certifies the answer.  The layers it
 * calls are listed in alloc_internal.h.
 */
#include "alloc_internal.h"

#include <math.h>
#include <string.h>

/*
 * Set up the items (upper bounds tightened to what the budget and the group
 * caps leave them) and the member lists of each group, in item order.
 */
static int
work_setup(work *ws)
{
	const noa_alloc_problem *pb = ws->pb;
	double	   *glo = ws->scratch;
	int		   *next = ws->gstate;	/* ng + 1 ints, free until the first solve */
	double		lo_sum = 0.0;
	int			i,
				g;

	for (g = 0; g <= ws->ng; g++)
		glo[g] = 0.0;
	for (i = 0; i < ws->n; i++)
	{
		const noa_alloc_item *src = &pb->items[i];
		int			b = src->group >= 0 ? src->group : ws->ng;

		lo_sum += src->lo;
		glo[b] += src->lo;
		ws->gstart[b + 1]++;
	}
	for (g = 0; g <= ws->ng; g++)
		ws->gstart[g + 1] += ws->gstart[g];
	for (g = 0; g <= ws->ng; g++)
		next[g] = ws->gstart[g];
	for (i = 0; i < ws->n; i++)
	{
		const noa_alloc_item *src = &pb->items[i];
		double		hi = src->hi;

		if (isfinite(pb->budget))
			hi = fmin(hi, fmax(src->lo, pb->budget - (lo_sum - src->lo)));
		/* a convex curve needs a finite end for its envelope: its group cap may give one */
		if (isinf(hi) && src->model == NOA_MODEL_POWER && src->param[1] > 1.0 &&
			src->group >= 0 && isfinite(pb->groups[src->group].max_spend))
			hi = fmax(src->lo, pb->groups[src->group].max_spend - (glo[src->group] - src->lo));
		item_init(&ws->it[i], src, hi);
		ws->all[i] = i;
		ws->gmem[next[src->group >= 0 ? src->group : ws->ng]++] = i;
		if (item_shaped(&ws->it[i]))
			ws->res->n_shaped++;
		if (ws->it[i].shape == SHAPE_CONVEX && isinf(hi))
			return fail(ws, NOA_ALLOC_FAIL_UNBOUNDED, i, -1, INFINITY, INFINITY);
	}
	apply_pattern(ws, NULL, NULL);
	return NOA_OK;
}

/*
 * Items that make the objective unbounded when nothing limits the total: a
 * constant slope above the target (at or above it for a ROAS target) with no
 * maximum, in no capped group.
 */
static int
check_unbounded(work *ws)
{
	const noa_alloc_problem *pb = ws->pb;
	int			i;

	if (pb->objective != NOA_ALLOC_MAX_PROFIT && pb->objective != NOA_ALLOC_TARGET_ROAS)
		return NOA_OK;
	for (i = 0; i < ws->n; i++)
	{
		const item_work *it = &ws->it[i];
		const noa_alloc_group *gr = it->group >= 0 ? &pb->groups[it->group] : NULL;
		double		slope;

		if (isfinite(it->hi) || (gr && (isfinite(gr->max_spend) || gr->max_share < 1.0)))
			continue;
		slope = item_slope(it, INFINITY);
		if (pb->objective == NOA_ALLOC_MAX_PROFIT ? slope > pb->target : slope >= pb->target)
			return fail(ws, NOA_ALLOC_FAIL_UNBOUNDED, i, -1, slope, pb->target);
	}
	return NOA_OK;
}

/* Fill spends, positions, prices and totals of the result from the final solve. */
static void
finish_result(work *ws, const double *x)
{
	noa_alloc_result *res = ws->res;
	int			i,
				g;

	res->total_spend = 0.0;
	res->total_value = 0.0;
	for (i = 0; i < ws->n; i++)
	{
		const item_work *it = &ws->it[i];
		const noa_alloc_item *src = &ws->pb->items[i];
		double		tol = 1e-9 * fmax(1.0, fabs(x[i]));

		res->x[i] = x[i];
		res->price[i] = it->group >= 0 ? ws->gprice[it->group] : ws->lambda;
		res->total_spend += x[i];
		res->total_value += item_value(it, x[i]);
		if (!(src->hi > src->lo))
			res->position[i] = NOA_ALLOC_FIXED;
		else if (x[i] <= src->lo + tol)
			res->position[i] = item_shaped(it) ? NOA_ALLOC_BELOW_THRESHOLD : NOA_ALLOC_AT_LOWER;
		else if (x[i] >= src->hi - tol)
			res->position[i] = NOA_ALLOC_AT_UPPER;
		else
			res->position[i] = NOA_ALLOC_INTERIOR;
	}
	for (g = 0; g < ws->ng; g++)
		res->group_state[g] = ws->gstate[g];
	res->level = ws->lambda;
}

/* How the total relates to the budget, the bounds and the target. */
static noa_alloc_limit
total_limit(const work *ws, double T, double tlo, double tmax, bool reachable)
{
	const noa_alloc_problem *pb = ws->pb;

	if (pb->objective == NOA_ALLOC_MAX_RESPONSE)
		return T >= pb->budget * (1.0 - FEAS_TOL) ? NOA_ALLOC_LIMIT_BUDGET : NOA_ALLOC_LIMIT_BOUNDS;
	if (reachable && T >= tmax * (1.0 - FEAS_TOL))
		return tmax >= pb->budget * (1.0 - FEAS_TOL) ? NOA_ALLOC_LIMIT_BUDGET : NOA_ALLOC_LIMIT_BOUNDS;
	if (reachable && T <= tlo * (1.0 + FEAS_TOL))
		return NOA_ALLOC_LIMIT_MINIMUM;
	return NOA_ALLOC_LIMIT_TARGET;
}

/* The solve proper, once the workspace exists. */
static int
solve(work *ws)
{
	const noa_alloc_problem *pb = ws->pb;
	noa_alloc_result *res = ws->res;
	double		tlo,
				thi,
				tmax,
				t_relax,
				t_final,
				value,
				obj,
				gap;
	double		branch_bound = INFINITY,
				branch_lower = -INFINITY;
	bool		reachable = true,
				use_pattern = false,
				branched = false,
				feasible,
				exact_total;
	int			rc,
				i;

	rc = work_setup(ws);
	if (rc != NOA_OK)
		return rc;
	rc = total_range(ws, &tlo, &thi, false);
	if (rc != NOA_OK)
		return rc;
	res->min_total = tlo;
	res->max_total = thi;
	if (pb->budget < tlo * (1.0 - FEAS_TOL))
		return fail(ws, NOA_ALLOC_FAIL_BUDGET, -1, -1, tlo, pb->budget);
	if (pb->objective == NOA_ALLOC_MAX_RESPONSE && pb->budget > thi * (1.0 + FEAS_TOL))
	{
		/* a budget the maxima could absorb but the shares forbid is a contradiction */
		double		lo_sum,
					hi_sum,
					room = 0.0;
		int			g;

		ws->capbase = INFINITY;
		for (g = 0; g <= ws->ng; g++)
		{
			bucket_range(ws, g, &lo_sum, &hi_sum);
			room += g < ws->ng ? fmin(hi_sum, pb->groups[g].max_spend) : hi_sum;
		}
		if (pb->budget <= room * (1.0 + FEAS_TOL))
			return fail(ws, NOA_ALLOC_FAIL_TOTAL, -1, ws->upper_group, pb->budget, thi);
	}
	tmax = fmax(tlo, fmin(pb->budget, thi));
	if (isinf(tmax))
	{
		rc = check_unbounded(ws);
		if (rc != NOA_OK)
			return rc;
		if (pb->objective == NOA_ALLOC_MIN_SPEND)
		{
			double		sup = 0.0;

			for (i = 0; i < ws->n; i++)
				sup += item_value(&ws->it[i], ws->it[i].hi);
			if (!(sup > pb->target))
				return fail(ws, NOA_ALLOC_FAIL_TARGET, -1, -1, pb->target, sup);
		}
	}

	/* the relaxation: its total, allocation and multipliers */
	rc = choose_total(ws, tlo, tmax, &t_relax, &reachable);
	if (rc == NOA_ERR_INVALID)
		return fail(ws, NOA_ALLOC_FAIL_TOTAL, -1, -1, tlo, tmax);
	if (rc != NOA_OK)
		return rc;
	rc = solve_total(ws, t_relax, ws->x_relax, &feasible);
	if (rc != NOA_OK)
		return rc;
	if (!feasible)
		return fail(ws, NOA_ALLOC_FAIL_TOTAL, -1, -1, t_relax, tmax);
	keep_multipliers(ws, &ws->relax);
	res->method = NOA_ALLOC_METHOD_KKT;
	t_final = t_relax;
	if (reachable && relaxation_split(ws))
	{
		/* few S-shaped items: branch and bound (max_response at its total, min_spend over totals) */
		if (pb->objective == NOA_ALLOC_MAX_RESPONSE)
		{
			rc = branch_and_bound(ws, t_relax, tlo, ws->x_relax, &branched, &branch_bound);
			if (rc != NOA_OK)
				return rc;
		}
		else if (pb->objective == NOA_ALLOC_MIN_SPEND)
		{
			rc = branch_min_spend(ws, t_relax, tlo, tmax, &t_final, &branch_lower);
			if (rc != NOA_OK)
				return rc;
			branched = isfinite(t_final);
			if (!branched)
				t_final = t_relax;
		}
		if (branched)
		{
			res->method = NOA_ALLOC_METHOD_BRANCH_BOUND;
			use_pattern = true;
			apply_pattern(ws, ws->best_pattern, ws->best_pin);
		}
		else
		{
			rc = round_solution(ws, t_relax, tlo, tmax, &t_final, &use_pattern, &reachable);
			if (rc != NOA_OK)
				return rc;
		}
		/* re-solve the winner so prices and group states describe it */
		rc = solve_total(ws, t_final, ws->x_best, &feasible);
		if (rc != NOA_OK)
			return rc;
		if (!use_pattern || !feasible)
			memcpy(ws->x_best, ws->x_relax, sizeof(double) * ws->n);
		if (branched && pb->objective == NOA_ALLOC_MIN_SPEND &&
			total_value(ws, ws->x_best, false) < total_value(ws, ws->x_branch, false))
			memcpy(ws->x_best, ws->x_branch, sizeof(double) * ws->n);	/* the re-solve lost to rounding */
		if (isfinite(branch_bound) && total_value(ws, ws->x_branch, false) > total_value(ws, ws->x_best, false))
		{
			/* an unfinished branch and bound still found the better allocation */
			if (!branched)
			{
				pattern_from_allocation(ws, ws->x_branch);
				apply_pattern(ws, ws->best_pattern, ws->best_pin);
				rc = solve_total(ws, t_relax, ws->x_best, &feasible);
				if (rc != NOA_OK)
					return rc;
				t_final = t_relax;
			}
			if (!feasible || total_value(ws, ws->x_best, false) < total_value(ws, ws->x_branch, false))
				memcpy(ws->x_best, ws->x_branch, sizeof(double) * ws->n);
		}
		finish_result(ws, ws->x_best);
	}
	else
		finish_result(ws, ws->x_relax);

	/* limit, objective and certificate */
	value = res->total_value;
	exact_total = pb->objective == NOA_ALLOC_MAX_RESPONSE && t_final >= pb->budget * (1.0 - FEAS_TOL);
	obj = objective_of(ws, value, res->total_spend);
	res->limit = total_limit(ws, t_final, tlo, tmax, reachable);
	res->objective = obj;
	res->status = reachable ? NOA_ALLOC_OPTIMAL : NOA_ALLOC_UNREACHABLE;
	if (reachable)
	{
		gap = certify(ws, res->x, value, exact_total ? pb->budget : res->total_spend, tlo, tmax, exact_total);
		if (isfinite(branch_bound))
			gap = fmin(gap, branch_bound - value);
		if (isfinite(branch_lower))
			gap = fmin(gap, res->total_spend - branch_lower);
		res->gap = fmax(0.0, gap);
		res->bound = pb->objective == NOA_ALLOC_MIN_SPEND ? obj - res->gap : obj + res->gap;
		res->gap_rel = res->gap / fmax(fmax(fabs(obj), fabs(res->bound)),
									   fmax(pb->objective == NOA_ALLOC_MIN_SPEND ? 0.0 : value, 1e-300));
		if (!(res->gap_rel <= NOA_ALLOC_GAP_TOL))
			res->status = NOA_ALLOC_GAP;
	}
	res->passes = ws->passes;
	return NOA_OK;
}

int
noa_alloc_solve(const noa_alloc_problem *problem, noa_alloc_result *result)
{
	work		ws;
	int			rc;

	memset(&ws, 0, sizeof(ws));
	result->status = NOA_ALLOC_OPTIMAL;
	result->limit = NOA_ALLOC_LIMIT_BUDGET;
	result->method = NOA_ALLOC_METHOD_KKT;
	result->failure = NOA_ALLOC_FAIL_NONE;
	result->fail_item = result->fail_group = -1;
	result->fail_need = result->fail_have = NAN;
	result->n_shaped = 0;
	result->passes = 0;
	result->gap = result->gap_rel = result->bound = NAN;
	result->total_spend = result->total_value = result->objective = 0.0;
	result->level = result->min_total = result->max_total = NAN;
	if (!problem_valid(problem))
		return NOA_ERR_INVALID;
	ws.pb = problem;
	ws.res = result;
	ws.n = problem->n_items;
	ws.ng = problem->n_groups;
	ws.capbase = INFINITY;
	rc = work_alloc(&ws);
	if (rc == NOA_OK)
		rc = solve(&ws);
	work_free(&ws);
	return rc;
}
