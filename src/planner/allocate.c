/*
 * allocate.c — noa.allocate and noa.allocation_summary over a noa.portfolio:
 * argument checks, item bounds, the call into the allocation core
 * (alloc_solver.h) and flat, BI-ready rows; their plain-words explanations
 * are written by allocate_explain.c.
 *
 * Bad input: NaN, negative or infinite amounts, unknown objectives or groups,
 * contradictory bounds and infeasible constraints raise SQLSTATE 22023 with a
 * hint.  Items without a usable curve, without a current spend or (except for
 * a CPA target) without a value per unit are excluded: they appear with
 * status 'excluded' and the reason, and take no part in the budget.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "allocation.h"
#include "cent_rounding.h"
#include "noa.h"
#include "planner_items.h"
#include "planner_output.h"

static const char *const objective_names[] = {
	"max_response", "max_profit", "min_spend", "target_roas", "target_cpa"
};

/* ------------------------------------------------------- argument checks */

/* A float8 argument, or NaN when NULL. */
static double
arg_or_nan(FunctionCallInfo fcinfo, int argno)
{
	return PG_ARGISNULL(argno) ? NAN : PG_GETARG_FLOAT8(argno);
}

/* Reject NaN, ±Infinity and negative values of an optional argument. */
static void
check_optional_amount(FunctionCallInfo fcinfo, int argno, const char *name, const char *hint)
{
	double		v;

	if (PG_ARGISNULL(argno))
		return;
	v = PG_GETARG_FLOAT8(argno);
	if (isnan(v) || isinf(v) || v < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite, non-negative number, not %g", name, v),
				 errhint("%s", hint)));
}

/* The objective named by a text argument (NULL: max_response). */
static Objective
parse_objective(FunctionCallInfo fcinfo, int argno)
{
	char	   *name;
	int			i;

	if (PG_ARGISNULL(argno))
		return OBJ_MAX_RESPONSE;
	name = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	for (i = 0; i < (int) lengthof(objective_names); i++)
		if (pg_strcasecmp(name, objective_names[i]) == 0)
			return (Objective) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown allocation objective \"%s\"", name),
			 errhint("Use one of: max_response (spend the budget for the most value), max_profit "
					 "(spend until marginal ROAS falls to target), min_spend (least spend reaching target value), "
					 "target_roas or target_cpa (most value while the portfolio meets target).")));
	return OBJ_MAX_RESPONSE;	/* keep the compiler quiet */
}

/* Effective bounds of an included item from its limits and the relative changes. */
static void
item_bounds(Allocation *a, ItemPlan *p)
{
	const PortfolioItem *it = p->src;

	if (it->flags & PF_LOCKED)
	{
		p->lo = p->hi = p->current;
		p->lo_source = p->hi_source = "locked";
		return;
	}
	p->lo = 0.0;
	p->lo_source = "zero";
	if ((it->flags & PF_HAS_MIN) && it->min_spend >= p->lo)
	{
		p->lo = it->min_spend;
		p->lo_source = "min_spend";
	}
	if (!isnan(a->max_decrease) && p->current * (1.0 - a->max_decrease) > p->lo)
	{
		p->lo = p->current * (1.0 - a->max_decrease);
		p->lo_source = "max_decrease";
	}
	p->hi = INFINITY;
	p->hi_source = NULL;
	if (it->flags & PF_HAS_MAX)
	{
		p->hi = it->max_spend;
		p->hi_source = "max_spend";
	}
	if (!isnan(a->max_increase) && p->current * (1.0 + a->max_increase) < p->hi)
	{
		p->hi = p->current * (1.0 + a->max_increase);
		p->hi_source = "max_increase";
	}
	/* a group capped at 0 closes its items: the core gets them as fixed at 0 */
	if (p->group != NULL && p->lo == 0.0 && p->hi > 0.0)
	{
		const noa_alloc_group *gr = &a->groups[group_index(a, p->group)];

		if (gr->max_spend == 0.0 || gr->max_share == 0.0)
		{
			p->hi = 0.0;
			p->hi_source = "group_cap";
		}
	}
	if (p->lo > p->hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("item \"%s\": its lowest allowed spend %s (%s) is above its highest %s (%s)",
						p->key, fmt_money(p->lo), p->lo_source, fmt_money(p->hi), p->hi_source),
				 errdetail("Current spend %s; min_spend and max_spend come from the portfolio, "
						   "max_decrease and max_increase from the call.", fmt_money(p->current)),
				 errhint("Widen the item's bounds or the relative limits.")));
}

/* Sum of the lowest allowed spends of locked items and of the others. */
static void
minimum_parts(const Allocation *a, double *locked, double *others)
{
	int			i;

	*locked = *others = 0.0;
	for (i = 0; i < a->pf->n_items; i++)
	{
		const ItemPlan *p = &a->plan[i];

		if (p->core < 0)
			continue;
		if (p->src->flags & PF_LOCKED)
			*locked += p->lo;
		else
			*others += p->lo;
	}
}

/* The key of the item with index k in the allocation problem. */
static const char *
core_key(const Allocation *a, int k)
{
	int			i;

	for (i = 0; i < a->pf->n_items; i++)
		if (a->plan[i].core == k)
			return a->plan[i].key;
	return "?";
}

/* Turn a failure of the core into an error naming what conflicts. */
static void pg_attribute_noreturn()
report_failure(const Allocation *a, int rc)
{
	const noa_alloc_result *r = &a->res;
	const char *gname = r->fail_group >= 0 ? a->group_names[r->fail_group] : NULL;
	double		locked,
				others;

	if (rc == NOA_ERR_INTERRUPTED)
		noa_raise_cancel();
	if (rc == NOA_ERR_NOMEM)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while allocating a budget over %d items", a->n_core)));
	if (rc != NOA_ALLOC_ERR_INFEASIBLE && rc != NOA_ALLOC_ERR_UNBOUNDED)
		elog(ERROR, "noa_alloc_solve rejected its input (code %d)", rc);
	switch (r->failure)
	{
		case NOA_ALLOC_FAIL_BUDGET:
			minimum_parts(a, &locked, &others);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the budget %s is below the %s that the minimums need", fmt_money(r->fail_have),
							fmt_money(r->fail_need)),
					 errdetail("Locked items hold %s; minimum spends (min_spend, max_decrease) add up to %s; "
							   "group floors account for the rest.", fmt_money(locked), fmt_money(others)),
					 errhint("Raise the budget, or lower min_spend, max_decrease or the group floors, or unlock items.")));
			break;
		case NOA_ALLOC_FAIL_GROUP_FLOOR:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("group \"%s\" must get at least %s, but its items can take at most %s",
							gname, fmt_money(r->fail_need), fmt_money(r->fail_have)),
					 errhint("Lower the group's floor, or raise its items' max_spend or max_increase.")));
			break;
		case NOA_ALLOC_FAIL_GROUP_CAP:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("group \"%s\" is capped at %s, but its items' minimums add up to %s",
							gname, fmt_money(r->fail_have), fmt_money(r->fail_need)),
					 errhint("Raise the group's cap, or lower its items' min_spend or max_decrease, or unlock them.")));
			break;
		case NOA_ALLOC_FAIL_SHARES:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the minimum group shares add up to %.4g%%, more than 100%%", 100.0 * r->fail_need),
					 errhint("Lower group_min_share.")));
			break;
		case NOA_ALLOC_FAIL_UNBOUNDED:
			if (r->fail_item < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the objective has no finite answer: even at a total spend of %s the next unit "
								"still beats the target", fmt_money(r->fail_need)),
						 errhint("Use a more demanding target, pass a budget, or give the items a max_spend.")));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the objective has no finite answer: item \"%s\" (%s curve) keeps returning %s per unit "
							"at any spend, at or above the target %s",
							core_key(a, r->fail_item), noa_model_name(a->items[r->fail_item].model),
							fmt_ratio(r->fail_need), fmt_ratio(r->fail_have)),
					 errhint("Give the item a max_spend, pass a budget, or use a curve family that saturates.")));
			break;
		case NOA_ALLOC_FAIL_TARGET:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("target value %s is more than these curves can ever return (%s at unlimited spend)",
							fmt_quantity(r->fail_need), fmt_quantity(r->fail_have)),
					 errhint("Lower the target, or add items with room to grow.")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("no allocation satisfies the bounds and group limits together"),
					 errdetail("They need a total of at least %s but allow at most %s%s%s%s.",
							   fmt_money(r->fail_need), fmt_money(r->fail_have),
							   gname ? " (the limit comes from group \"" : "", gname ? gname : "",
							   gname ? "\"'s minimum share)" : ""),
					 errhint("Loosen the group shares or the items' bounds, or change the budget.")));
	}
	pg_unreachable();
}

/* An amount rounded to cents. */
static double
round_cents(double v)
{
	return round(v * 100.0) / 100.0;
}

/*
 * Round the recommended spends to whole cents within every limit the
 * allocation honoured (cent_rounding.h), and describe the answer by the
 * rounded spends: its total spend and value are theirs.
 */
static void
round_allocation(Allocation *a, const noa_alloc_problem *pb)
{
	int			k;

	a->money = palloc(sizeof(double) * Max(a->n_core, 1));
	if (noa_round_cents(pb, a->res.x, a->money) != NOA_OK)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while rounding an allocation of %d items to cents", a->n_core)));
	a->res.total_spend = 0.0;
	a->res.total_value = 0.0;
	for (k = 0; k < a->n_core; k++)
	{
		a->res.total_spend += a->money[k];
		a->res.total_value += a->items[k].weight *
			noa_curve_value(a->items[k].model, a->items[k].param, a->money[k]);
	}
}

/*
 * Read the arguments of allocate / allocation_summary, build the problem and
 * solve it.  Returns NULL for a NULL portfolio.
 */
static Allocation *
run_allocation(FunctionCallInfo fcinfo)
{
	Allocation *a;
	noa_alloc_problem pb;
	int			i,
				k,
				rc;

	if (PG_ARGISNULL(0))
		return NULL;
	a = palloc0(sizeof(Allocation));
	a->pf = PG_GETARG_NOAPORTFOLIO_P(0);
	a->objective = parse_objective(fcinfo, 2);
	check_optional_amount(fcinfo, 1, "budget", "Pass the budget in the portfolio's currency per period, or NULL for none.");
	a->budget = arg_or_nan(fcinfo, 1);
	if (a->budget >= NOA_MAX_AMOUNT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("budget %g is too large: noa plans amounts below 1e13", a->budget),
				 errdetail("Beyond that, cents are no longer exact in float8 and the optimality certificate could not be trusted."),
				 errhint("Express the money in a larger unit (e.g. thousands).")));
	a->target = arg_or_nan(fcinfo, 3);
	if (!PG_ARGISNULL(3) && (isnan(a->target) || isinf(a->target) || a->target < 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("target must be a finite, non-negative number, not %g", a->target)));
	/* a target in money (CPA) or in ratio (ROAS, mROAS) or response: the same magnitude bounds */
	if (!PG_ARGISNULL(3) && a->target >= NOA_MAX_AMOUNT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("target %g is too large: noa plans with targets below 1e13", a->target),
				 errhint("Express the money or the response in a larger unit.")));
	if (a->objective == OBJ_TARGET_CPA && !PG_ARGISNULL(3) && a->target > 0.0 && a->target < 1.0 / NOA_MAX_AMOUNT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("target_cpa target %g is too small: a cost per response must be at least 1e-13", a->target),
				 errdetail("The allocation works with the responses per unit of money (1 / target), which would exceed 1e13."),
				 errhint("Express the money in a smaller unit (e.g. cents), or the response in a larger one.")));
	check_optional_amount(fcinfo, 4, "max_increase", "Write the largest relative increase as a fraction: 0.3 for +30%.");
	check_optional_amount(fcinfo, 5, "max_decrease", "Write the largest relative decrease as a fraction: 0.3 for -30%.");
	a->max_increase = arg_or_nan(fcinfo, 4);
	a->max_decrease = arg_or_nan(fcinfo, 5);
	if (a->max_decrease > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_decrease must be between 0 and 1, not %g", a->max_decrease),
				 errhint("1 allows cutting an item to zero; 0.3 allows -30%%.")));
	a->level = PG_ARGISNULL(10) ? 0.9 : PG_GETARG_FLOAT8(10);
	check_level_arg(a->level);
	a->units = read_unit_labels(fcinfo, 11, 12);

	switch (a->objective)
	{
		case OBJ_MAX_RESPONSE:
			if (isnan(a->budget))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("objective max_response needs a budget"),
						 errhint("Pass budget => 100000, or use max_profit to let the curves decide the total.")));
			if (!isnan(a->target))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("objective max_response takes no target"),
						 errhint("To stop where marginal ROAS falls to a target, use objective max_profit with the budget as a cap.")));
			break;
		case OBJ_MAX_PROFIT:
			if (isnan(a->target))
				a->target = 1.0;
			if (a->target == 0.0 && isnan(a->budget))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("max_profit with a target marginal ROAS of 0 needs a budget"),
						 errhint("Without a budget a target of 0 spends without limit; use max_response to spend a budget.")));
			break;
		default:
			if (isnan(a->target) || (a->objective != OBJ_MIN_SPEND && a->target == 0.0))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("objective %s needs a %s target", objective_names[a->objective],
								a->objective == OBJ_MIN_SPEND ? "non-negative" : "positive"),
						 errhint(a->objective == OBJ_MIN_SPEND ? "Pass target => the response value to reach." :
								 a->objective == OBJ_TARGET_ROAS ? "Pass target => the lowest acceptable ROAS, e.g. 3." :
								 "Pass target => the highest acceptable cost per response.")));
			break;
	}

	a->plan = plan_items(a->pf, a->objective != OBJ_TARGET_CPA);
	collect_groups(a);
	apply_group_specs(fcinfo, a, 6, "group_min_share", true, true);
	apply_group_specs(fcinfo, a, 7, "group_max_share", true, false);
	apply_group_specs(fcinfo, a, 8, "group_min_spend", false, true);
	apply_group_specs(fcinfo, a, 9, "group_max_spend", false, false);

	a->items = palloc0(sizeof(noa_alloc_item) * Max(a->pf->n_items, 1));
	for (i = 0; i < a->pf->n_items; i++)
	{
		ItemPlan   *p = &a->plan[i];
		noa_alloc_item *it;

		CHECK_FOR_INTERRUPTS();
		if (p->excluded)
		{
			a->n_excluded++;
			continue;
		}
		item_bounds(a, p);
		p->core = a->n_core++;
		it = &a->items[p->core];
		it->model = p->src->fit.model;
		memcpy(it->param, p->src->fit.param, sizeof(it->param));
		it->weight = a->objective == OBJ_TARGET_CPA ? 1.0 : p->vpu;
		it->lo = p->lo;
		it->hi = p->hi;
		it->group = p->group ? group_index(a, p->group) : -1;
		if (p->src->flags & PF_LOCKED)
			a->n_locked++;
	}

	memset(&pb, 0, sizeof(pb));
	pb.objective = a->objective == OBJ_MAX_RESPONSE ? NOA_ALLOC_MAX_RESPONSE :
		a->objective == OBJ_MAX_PROFIT ? NOA_ALLOC_MAX_PROFIT :
		a->objective == OBJ_MIN_SPEND ? NOA_ALLOC_MIN_SPEND : NOA_ALLOC_TARGET_ROAS;
	pb.n_items = a->n_core;
	pb.items = a->items;
	pb.n_groups = a->n_groups;
	pb.groups = a->groups;
	pb.budget = isnan(a->budget) ? INFINITY : a->budget;
	pb.target = a->objective == OBJ_TARGET_CPA ? 1.0 / a->target : (isnan(a->target) ? 0.0 : a->target);
	pb.interrupted = noa_cancel_requested;
	a->res.x = palloc0(sizeof(double) * Max(a->n_core, 1));
	a->res.price = palloc0(sizeof(double) * Max(a->n_core, 1));
	a->res.position = palloc0(sizeof(int) * Max(a->n_core, 1));
	a->res.group_state = palloc0(sizeof(int) * Max(a->n_groups, 1));
	rc = noa_alloc_solve(&pb, &a->res);
	if (rc != NOA_OK)
		report_failure(a, rc);
	if (!(a->res.total_spend < NOA_MAX_AMOUNT))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s target would spend %g, beyond the 1e13 that noa plans with",
						objective_names[a->objective], a->res.total_spend),
				 errhint("Pass a budget, give the items a max_spend, or use a more demanding target.")));
	for (k = 0; k < a->n_core; k++)
		a->res.x[k] = fmax(a->items[k].lo, fmin(a->items[k].hi, a->res.x[k]));
	round_allocation(a, &pb);
	return a;
}

/* ------------------------------------------------------------- allocate */

/* Per-item figures of an allocation row. */
typedef struct ItemFigures
{
	interval_estimate r_now,
				r_after,
				m_after;
	double		m_now;
	double		x;
	bool		extrapolated;
} ItemFigures;

/* Response, marginal return and extrapolation of an included item. */
static ItemFigures
item_figures(const Allocation *a, const ItemPlan *p)
{
	ItemFigures f;
	const noa_curve *fit = &p->src->fit;

	f.x = a->money[p->core];
	f.r_now = curve_response_interval(fit, p->current, a->level);
	f.r_after = curve_response_interval(fit, f.x, a->level);
	f.m_now = marginal_value(p, p->current);
	f.m_after = curve_marginal_interval(fit, f.x, isnan(p->vpu) ? 1.0 : p->vpu, a->level);
	f.extrapolated = extrapolated(fit, f.x);
	return f;
}

/*
 * An item's bounds as the rounding to cents honours them: the minimum rounded
 * up, the maximum down; bounds with no whole cent between them (a locked
 * spend of 33.333) show the cent the item gets.
 */
static void
shown_bounds(const Allocation *a, const ItemPlan *p, double *lo, double *hi)
{
	*lo = noa_cents_up(p->lo);
	*hi = noa_cents_down(p->hi);
	if (*lo > *hi)
		*lo = *hi = a->money[p->core];
}

/* Sums over the included items, for the total row and the summary. */
typedef struct AllocationTotals
{
	Total		r_now,
				r_after;
	double		spend_now,		/* current spends rounded to cents */
				spend_after;	/* recommended spends in cents */
	double		lo_sum,
				hi_sum;
	double		value_now,
				value_after;	/* NaN once any value per unit is unknown */
	bool		any_extrapolated;
} AllocationTotals;

/* Add an included item's figures to the totals. */
static void
totals_add(AllocationTotals *t, const Allocation *a, const ItemPlan *p, const ItemFigures *f)
{
	double		lo,
				hi;

	total_add(&t->r_now, f->r_now);
	total_add(&t->r_after, f->r_after);
	t->spend_now += round_cents(p->current);
	t->spend_after += a->money[p->core];
	shown_bounds(a, p, &lo, &hi);
	t->lo_sum += lo;
	t->hi_sum += hi;
	t->value_now += p->vpu * f->r_now.value;
	t->value_after += p->vpu * f->r_after.value;
	t->any_extrapolated = t->any_extrapolated || f->extrapolated;
}

#define ALLOCATE_COLS 31		/* with the two label columns (UNIT_LABEL_COLS) */
#define ALLOCATE_NATTS(a) (ALLOCATE_COLS - 2 + UNIT_LABEL_COLS((a)->units))

/* The row of an item left out of the allocation, with the reason. */
static void
put_excluded_item(RowBuilder *row, const Allocation *a, const ItemPlan *p)
{
	put_text(row, "excluded");
	put_money(row, p->current);
	put_nulls(row, ALLOCATE_COLS - 5);	/* every figure column */
	put_text(row, "excluded");
	put_bool(row, false);
	put_units(row, &a->units);
	put_text(row, isnan(p->current)
			 ? psprintf("Excluded: %s.", p->excluded)
			 : psprintf("Excluded: %s; its current spend of %s is not part of the allocation.",
						p->excluded, fmt_money(p->current)));
}

/* The row of an included item: its spend, response, value and marginal return before and after. */
static void
put_allocated_item(RowBuilder *row, const Allocation *a, const ItemPlan *p, const ItemFigures *f)
{
	double		vpu = p->vpu,
				lo,
				hi;

	put_text(row, (p->src->flags & PF_LOCKED) ? "locked" : "allocated");
	put_money(row, p->current);
	put_money(row, a->money[p->core]);
	put_money(row, a->money[p->core] - round_cents(p->current));
	put_float(row, ratio_or_nan(f->x - p->current, p->current));
	shown_bounds(a, p, &lo, &hi);
	put_money(row, lo);
	put_money(row, hi);
	put_interval(row, f->r_now);
	put_interval(row, f->r_after);
	put_money(row, vpu * f->r_now.value);
	put_money(row, vpu * f->r_after.value);
	put_float(row, ratio_or_nan(vpu * f->r_now.value, p->current));
	put_float(row, ratio_or_nan(vpu * f->r_after.value, f->x));
	put_money(row, ratio_or_nan(p->current, f->r_now.value));
	put_money(row, ratio_or_nan(f->x, f->r_after.value));
	put_float(row, f->m_now);
	put_interval(row, f->m_after);
	put_text(row, allocation_binding(a, p));
	put_bool(row, f->extrapolated);
	put_units(row, &a->units);
	put_text(row, allocation_item_explanation(a, p, f->x, f->m_now, f->m_after.value, f->r_now, f->r_after));
}

/* The total row: the sums, the marginal level, what limits the total and the summary sentence. */
static void
put_total(RowBuilder *row, const Allocation *a, const AllocationTotals *t)
{
	interval_estimate tn = total_interval(&t->r_now),
				ta = total_interval(&t->r_after);

	put_text(row, allocation_status_name(a));
	put_change(row, t->spend_now, t->spend_after);
	put_money(row, t->lo_sum);
	put_money(row, t->hi_sum);
	put_interval(row, tn);
	put_interval(row, ta);
	put_money(row, t->value_now);
	put_money(row, t->value_after);
	put_float(row, ratio_or_nan(t->value_now, t->spend_now));
	put_float(row, ratio_or_nan(t->value_after, t->spend_after));
	put_money(row, ratio_or_nan(t->spend_now, tn.value));
	put_money(row, ratio_or_nan(t->spend_after, ta.value));
	put_float(row, NAN);		/* no marginal return now for a total */
	put_float(row, a->res.level);
	put_float(row, NAN);
	put_float(row, NAN);
	put_text(row, allocation_limit_name(a));
	put_bool(row, t->any_extrapolated);
	put_units(row, &a->units);
	put_text(row, allocation_summary_explanation(a, t->value_now, t->value_after));
}

PG_FUNCTION_INFO_V1(noa_allocate);

/*
 * SQL: allocate(portfolio, budget, objective, target, max_increase,
 * max_decrease, group_min_share, group_max_share, group_min_spend,
 * group_max_spend, level, currency, response_unit) — one row per item in key order, then a total
 * row; see src/sql/30_allocate.sql for the columns.
 */
Datum
noa_allocate(PG_FUNCTION_ARGS)
{
	Allocation *a;
	AllocationTotals totals;
	RowBuilder	row;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	a = run_allocation(fcinfo);
	if (a == NULL)
		return (Datum) 0;
	memset(&totals, 0, sizeof(totals));
	for (i = 0; i < a->pf->n_items; i++)
	{
		const ItemPlan *p = &a->plan[i];

		CHECK_FOR_INTERRUPTS();
		row_start_labelled(&row, ALLOCATE_NATTS(a), "item", p->key, p->group);
		if (p->excluded)
			put_excluded_item(&row, a, p);
		else
		{
			ItemFigures f = item_figures(a, p);

			put_allocated_item(&row, a, p, &f);
			totals_add(&totals, a, p, &f);
		}
		row_emit(fcinfo, &row);
	}
	row_start_labelled(&row, ALLOCATE_NATTS(a), "total", NULL, NULL);
	put_total(&row, a, &totals);
	row_emit(fcinfo, &row);
	return (Datum) 0;
}

#define SUMMARY_COLS 34		/* with the two label columns (UNIT_LABEL_COLS) */

PG_FUNCTION_INFO_V1(noa_allocation_summary);

/*
 * SQL: allocation_summary(same arguments as allocate) — one row with the
 * totals, what limits the total, and the optimality certificate.
 */
Datum
noa_allocation_summary(PG_FUNCTION_ARGS)
{
	Allocation *a = run_allocation(fcinfo);
	AllocationTotals t;
	TupleDesc	tupdesc;
	RowBuilder	row;
	interval_estimate tn,
				ta;
	double		unspent;
	int			i;

	if (a == NULL)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "noa.allocation_summary must be declared to return a row");
	tupdesc = BlessTupleDesc(tupdesc);
	memset(&t, 0, sizeof(t));
	for (i = 0; i < a->pf->n_items; i++)
	{
		const ItemPlan *p = &a->plan[i];
		ItemFigures f;

		CHECK_FOR_INTERRUPTS();
		if (p->excluded)
			continue;
		f = item_figures(a, p);
		totals_add(&t, a, p, &f);
	}
	unspent = isnan(a->budget) ? NAN : a->budget - t.spend_after;
	tn = total_interval(&t.r_now);
	ta = total_interval(&t.r_after);

	row_start(&row, SUMMARY_COLS - 2 + UNIT_LABEL_COLS(a->units));
	put_text(&row, objective_names[a->objective]);
	put_text(&row, allocation_status_name(a));
	put_text(&row, allocation_method_name(&a->res));
	put_money(&row, a->budget);
	put_float(&row, a->target);
	put_int(&row, a->pf->n_items);
	put_int(&row, a->n_core);
	put_int(&row, a->n_locked);
	put_int(&row, a->n_excluded);
	put_int(&row, a->res.n_shaped);
	put_money(&row, t.spend_now);
	put_money(&row, t.spend_after);
	put_money(&row, unspent);
	put_text(&row, isfinite(unspent) && unspent > 0.005 ? allocation_limit_phrase(a) : NULL);
	put_float(&row, tn.value);
	put_interval(&row, ta);
	put_money(&row, t.value_now);
	put_money(&row, t.value_after);
	put_money(&row, t.value_after - t.value_now);
	put_float(&row, ratio_or_nan(t.value_now, t.spend_now));
	put_float(&row, ratio_or_nan(t.value_after, t.spend_after));
	put_money(&row, ratio_or_nan(t.spend_now, tn.value));
	put_money(&row, ratio_or_nan(t.spend_after, ta.value));
	put_float(&row, a->res.level);
	put_float(&row, a->res.objective);
	put_float(&row, a->res.bound);
	put_float(&row, a->res.gap);
	put_float(&row, a->res.gap_rel);
	put_int(&row, a->res.passes);
	put_units(&row, &a->units);
	put_text(&row, allocation_summary_explanation(a, t.value_now, t.value_after));
	Assert(row.col == row.natts && row.natts == tupdesc->natts);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, row.values, row.nulls)));
}
