/*
 * allocate_explain.c — the words of noa.allocate and noa.allocation_summary:
 * which constraint decides each item's spend, one sentence per item on why,
 * and the status, limit, method and summary of the whole allocation.
 */
#include "postgres.h"

#include <math.h>

#include "allocation.h"
#include "planner_output.h"

/* "Raise from A to B (+D)", "Cut from A to B (-D)" or "Keep at A". */
static char *
change_phrase(double from, double to)
{
	if (fabs(to - from) < 0.005)
		return psprintf("Keep at %s", fmt_money(from));
	return psprintf("%s from %s to %s (%s)", to > from ? "Raise" : "Cut", fmt_money(from), fmt_money(to),
					fmt_delta(to - from));
}

/* The constraint that decides an included item's spend. */
const char *
allocation_binding(const Allocation *a, const ItemPlan *p)
{
	int			k = p->core;
	int			g = a->items[k].group;

	switch (a->res.position[k])
	{
		case NOA_ALLOC_FIXED:
			return p->hi_source && strcmp(p->hi_source, "group_cap") == 0 ? p->hi_source : p->lo_source;
		case NOA_ALLOC_BELOW_THRESHOLD:
			return p->lo > 0.0 ? p->lo_source : "s_curve_threshold";
		case NOA_ALLOC_AT_LOWER:
			return p->lo_source;
		case NOA_ALLOC_AT_UPPER:
			return p->hi_source ? p->hi_source : "max_spend";
		default:
			break;
	}
	if (g >= 0 && a->res.group_state[g] == NOA_ALLOC_GROUP_FLOOR)
		return "group_floor";
	if (g >= 0 && a->res.group_state[g] == NOA_ALLOC_GROUP_CAP)
		return "group_cap";
	switch (a->objective)
	{
		case OBJ_MAX_RESPONSE:
			return "budget";
		case OBJ_MAX_PROFIT:
			return a->res.limit == NOA_ALLOC_LIMIT_BUDGET ? "budget" : "target_mroas";
		case OBJ_MIN_SPEND:
			return "target_response";
		case OBJ_TARGET_ROAS:
			return a->res.limit == NOA_ALLOC_LIMIT_TARGET ? "target_roas" : "budget";
		default:
			return a->res.limit == NOA_ALLOC_LIMIT_TARGET ? "target_cpa" : "budget";
	}
}

/* Floor or cap amount of group g at the allocation's total, with how it was set. */
static char *
group_limit_phrase(const Allocation *a, int g, bool floor_limit)
{
	const noa_alloc_group *gr = &a->groups[g];
	double		total = a->res.total_spend;

	if (floor_limit)
		return gr->min_share * total >= gr->min_spend
			? psprintf("at least %s (%.4g%% of the spend)", fmt_money(gr->min_share * total), 100.0 * gr->min_share)
			: psprintf("at least %s", fmt_money(gr->min_spend));
	return gr->max_share * total <= gr->max_spend
		? psprintf("at most %s (%.4g%% of the spend)", fmt_money(gr->max_share * total), 100.0 * gr->max_share)
		: psprintf("at most %s", fmt_money(gr->max_spend));
}

/* One sentence on why an included item gets its spend. */
char *
allocation_item_explanation(const Allocation *a, const ItemPlan *p, double x, double m_now, double m_after,
				 interval_estimate r_now, interval_estimate r_after)
{
	const char *binding = allocation_binding(a, p);
	const char *level = fmt_ratio(a->res.level);
	double		price = a->res.price[p->core];
	char	   *what = change_phrase(p->current, x);
	char	   *why;
	char	   *resp;

	if (strcmp(binding, "locked") == 0)
		why = psprintf("Locked at %s as requested; the next unit returns %s", fmt_money(x), fmt_ratio(m_after));
	else if (strcmp(binding, "s_curve_threshold") == 0)
		why = psprintf("%s: this S-shaped curve only pays back after a larger spend, and the budget returns %s per unit elsewhere",
					   what, level);
	else if (strcmp(binding, "zero") == 0)
		why = psprintf("%s: even the first unit returns %s, less than the %s per unit the budget earns elsewhere",
					   what, fmt_ratio(m_after), level);
	else if (strcmp(binding, "min_spend") == 0 || strcmp(binding, "max_decrease") == 0)
		why = psprintf("%s, the lowest %s allows: the next unit returns %s, less than the %s per unit elsewhere",
					   what, binding, fmt_ratio(m_after), level);
	else if (strcmp(binding, "max_spend") == 0 || strcmp(binding, "max_increase") == 0)
		why = psprintf("%s, the highest %s allows: the last unit still returns %s, more than the %s per unit elsewhere",
					   what, binding, fmt_ratio(m_after), level);
	else if (strcmp(binding, "group_floor") == 0 || strcmp(binding, "group_cap") == 0)
	{
		bool		is_floor = binding[6] == 'f';
		int			g = a->items[p->core].group;

		why = psprintf("%s: group \"%s\" must get %s, so within it spend goes where it returns most, ending at %s per unit "
					   "(%s the %s elsewhere)", what, p->group, group_limit_phrase(a, g, is_floor), fmt_ratio(price),
					   is_floor ? "below" : "above", level);
	}
	else if (strcmp(binding, "target_mroas") == 0)
		why = psprintf("%s: spend until the next unit returns the target %s (it returns %s at the current spend)",
					   what, fmt_ratio(a->target), fmt_ratio(m_now));
	else if (strcmp(binding, "target_response") == 0)
		why = psprintf("%s: the cheapest way to reach the target spends here until the next unit returns %s", what, level);
	else if (strcmp(binding, "target_roas") == 0)
		why = psprintf("%s: spend until the next unit returns %s, where the portfolio's ROAS meets the target %s",
					   what, level, fmt_ratio(a->target));
	else if (strcmp(binding, "target_cpa") == 0)
		why = psprintf("%s: spend until the next unit returns %s responses per unit, where the portfolio's cost per response meets the target %s",
					   what, level, fmt_money(a->target));
	else
		why = psprintf("%s: the next unit returns %s here (%s at the current spend), the same as every freely set item, "
					   "which is where the budget earns most", what, fmt_ratio(m_after), fmt_ratio(m_now));
	resp = psprintf("; expected response %s to %s (%g%% interval %s to %s)", fmt_quantity(r_now.value),
					fmt_quantity(r_after.value), 100.0 * a->level, fmt_quantity(r_after.lo), fmt_quantity(r_after.hi));
	return psprintf("%s%s%s.", why, resp, curve_caveats(&p->src->fit, x));
}

/* What limits the total, in words, for the summary and the total row. */
char *
allocation_limit_phrase(const Allocation *a)
{
	const noa_alloc_result *r = &a->res;
	double		unspent = isnan(a->budget) ? 0.0 : a->budget - r->total_spend;

	switch (r->limit)
	{
		case NOA_ALLOC_LIMIT_BUDGET:
			return psprintf("the budget of %s is spent", fmt_money(r->total_spend));
		case NOA_ALLOC_LIMIT_BOUNDS:
			return psprintf("%s is spent, all that the items' maximum spends and the group caps allow%s",
							fmt_money(r->total_spend),
							unspent > 0.005 ? psprintf(" (%s of the budget stays unspent)", fmt_money(unspent)) : "");
		case NOA_ALLOC_LIMIT_MINIMUM:
			return psprintf("%s is spent, the least that the minimum spends, locks and group floors allow",
							fmt_money(r->total_spend));
		default:
			break;
	}
	switch (a->objective)
	{
		case OBJ_MAX_PROFIT:
			return psprintf("%s is spent: beyond it the next unit returns less than the target %s%s",
							fmt_money(r->total_spend), fmt_ratio(a->target),
							unspent > 0.005 ? psprintf(", so %s of the budget stays unspent", fmt_money(unspent)) : "");
		case OBJ_MIN_SPEND:
			return psprintf("%s is the least spend that reaches the target", fmt_money(r->total_spend));
		case OBJ_TARGET_ROAS:
			return psprintf("%s is spent: beyond it the portfolio's ROAS would fall below %s",
							fmt_money(r->total_spend), fmt_ratio(a->target));
		default:
			return psprintf("%s is spent: beyond it the cost per response would rise above %s",
							fmt_money(r->total_spend), fmt_money(a->target));
	}
}

/* The solution status as a word. */
const char *
allocation_status_name(const Allocation *a)
{
	const noa_alloc_result *r = &a->res;

	if (a->n_core == 0)
		return "no_items";
	switch (r->status)
	{
		case NOA_ALLOC_OPTIMAL:
			return "optimal";
		case NOA_ALLOC_GAP:
			return "within_gap";
		default:
			return "target_not_reachable";
	}
}

/* The limit as a word (the total row's binding_constraint). */
const char *
allocation_limit_name(const Allocation *a)
{
	switch (a->res.limit)
	{
		case NOA_ALLOC_LIMIT_BUDGET:
			return "budget";
		case NOA_ALLOC_LIMIT_BOUNDS:
			return "bounds";
		case NOA_ALLOC_LIMIT_MINIMUM:
			return "minimums";
		default:
			return a->objective == OBJ_MAX_PROFIT ? "target_mroas" :
				a->objective == OBJ_MIN_SPEND ? "target_response" :
				a->objective == OBJ_TARGET_ROAS ? "target_roas" : "target_cpa";
	}
}

/* The method as a word. */
const char *
allocation_method_name(const noa_alloc_result *r)
{
	switch (r->method)
	{
		case NOA_ALLOC_METHOD_KKT:
			return "equal_marginal_returns";
		case NOA_ALLOC_METHOD_ENUMERATED:
			return "s_curve_enumeration";
		case NOA_ALLOC_METHOD_BRANCH_BOUND:
			return "s_curve_branch_and_bound";
		default:
			return "s_curve_rounding";
	}
}

/* One sentence on the whole allocation. */
char *
allocation_summary_explanation(const Allocation *a, double value_now, double value_after)
{
	const noa_alloc_result *r = &a->res;
	char	   *limit = allocation_limit_phrase(a);
	char	   *status;

	limit[0] = pg_toupper((unsigned char) limit[0]);
	if (a->n_core == 0)
		return psprintf("No item can be allocated: the portfolio has %d item%s and none has a usable curve, "
						"a current spend and a value per unit.", a->pf->n_items, a->pf->n_items == 1 ? "" : "s");
	if (r->status == NOA_ALLOC_UNREACHABLE)
	{
		limit = a->objective == OBJ_MIN_SPEND
			? psprintf("The target cannot be reached within the limits: spending %s, the most they allow, reaches %s",
					   fmt_money(r->total_spend), fmt_quantity(r->total_value))
			: psprintf("The target cannot be met at any spend the limits allow: the closest allocation spends %s for a %s of %s",
					   fmt_money(r->total_spend), a->objective == OBJ_TARGET_CPA ? "cost per response" : "ROAS",
					   a->objective == OBJ_TARGET_CPA ? fmt_money(r->total_spend / r->total_value)
					   : fmt_ratio(r->total_value / r->total_spend));
		status = pstrdup("nothing is certified for an unreachable target");
	}
	else if (r->status == NOA_ALLOC_GAP && !isfinite(r->gap_rel))
		status = pstrdup("S-shaped curves make this a hard problem, and how far the answer is from the best possible could not be bounded");
	else if (r->status == NOA_ALLOC_GAP)
		status = psprintf("S-shaped curves make this a hard problem: the answer is within %s%% of the best possible",
						  r->gap_rel >= 0.1 ? psprintf("%.0f", 100.0 * r->gap_rel) : psprintf("%.2g", 100.0 * r->gap_rel));
	else
		status = pstrdup("optimal: no other split within the limits does better (certified by the dual bound)");
	return psprintf("%s; %s; value %s to %s (%s)%s.", limit, status,
					fmt_money(value_now), fmt_money(value_after), fmt_delta(value_after - value_now),
					a->n_excluded > 0 ? psprintf("; %d item%s excluded (see their rows)", a->n_excluded,
												 a->n_excluded == 1 ? "" : "s") : "");
}
