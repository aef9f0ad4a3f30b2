/*
 * planner_items.c — the items of a noa.portfolio as the planners see them:
 * inclusion (an item needs a usable curve, a current spend and, where the
 * objective asks for it, a value per unit), the return of the next unit,
 * extrapolation beyond the observed spends, and sums of interval estimates.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "planner_items.h"
#include "planner_output.h"

/* Include or exclude each item; value_needed: whether a missing value per unit excludes. */
ItemPlan *
plan_items(const NoaPortfolio *pf, bool value_needed)
{
	ItemPlan   *plan = palloc0(sizeof(ItemPlan) * Max(pf->n_items, 1));
	int			i;

	for (i = 0; i < pf->n_items; i++)
	{
		const PortfolioItem *it = &pf->items[i];
		ItemPlan   *p = &plan[i];

		CHECK_FOR_INTERRUPTS();
		p->src = it;
		p->key = PortfolioKey(pf, it);
		p->group = PortfolioGroup(pf, it);
		p->current = (it->flags & PF_HAS_CURRENT) ? it->current_spend : NAN;
		p->vpu = (it->flags & PF_HAS_VALUE) ? it->value_per_unit : NAN;
		p->core = -1;
		if (!(it->flags & PF_HAS_CURVE))
			p->excluded = "no curve";
		else if (!curve_usable(&it->fit))
			p->excluded = psprintf("the curve has no usable fit (status %s)", noa_fit_status_name(it->fit.status));
		else if (!(it->flags & PF_HAS_CURRENT))
			p->excluded = "the current spend is NULL";
		else if (value_needed && !(it->flags & PF_HAS_VALUE))
			p->excluded = "value_per_unit is NULL";
	}
	return plan;
}

/* Value of the next unit of spend at x (response per unit when the value per unit is unknown). */
double
marginal_value(const ItemPlan *p, double x)
{
	const noa_curve *fit = &p->src->fit;

	return noa_curve_slope(fit->model, fit->param, x) * (isnan(p->vpu) ? 1.0 : p->vpu);
}

/* Whether a spend lies above the highest spend the curve was fitted on. */
static bool
above_observed(const noa_curve *fit, double x)
{
	return x > fit->x_max * (1.0 + 1e-9);
}

/* Whether a positive spend lies below the lowest spend the curve was fitted on. */
static bool
below_observed(const noa_curve *fit, double x)
{
	return x > 0.0 && x < fit->x_min * (1.0 - 1e-9);
}

/* Whether a spend lies outside the range the curve was fitted on. */
bool
extrapolated(const noa_curve *fit, double x)
{
	return above_observed(fit, x) || below_observed(fit, x);
}

/* A clause on extrapolation for an explanation, or "". */
static char *
extrapolation_clause(const noa_curve *fit, double x)
{
	if (above_observed(fit, x))
		return psprintf("; %s is above the highest spend observed (%s), so this part of the curve is an extrapolation",
						fmt_money(x), fmt_money(fit->x_max));
	if (below_observed(fit, x))
		return psprintf("; %s is below the lowest spend observed (%s), so this part of the curve is an extrapolation",
						fmt_money(x), fmt_money(fit->x_min));
	return "";
}

/*
 * Caveats on a curve's answer at spend x for an explanation, or "": that a
 * curve fitted with carryover answers the long run, and any extrapolation.
 */
char *
curve_caveats(const noa_curve *fit, double x)
{
	if (fit->flags & NOA_CURVE_FLAG_LONG_RUN)
		return psprintf("; long run: the curve was fitted with carryover, so responses are per day once a lasting "
						"spend has built up%s", extrapolation_clause(fit, x));
	return extrapolation_clause(fit, x);
}

/* Add an interval estimate to a total. */
void
total_add(Total *t, interval_estimate e)
{
	double		hw = e.hi - e.value;

	t->value += e.value;
	t->var += isfinite(hw) ? hw * hw : NAN;
}

/* The total as an interval (lower end floored at 0 like the items'). */
interval_estimate
total_interval(const Total *t)
{
	interval_estimate e;
	double		hw = sqrt(t->var);

	e.value = t->value;
	e.lo = isfinite(hw) ? fmax(0.0, t->value - hw) : NAN;
	e.hi = isfinite(hw) ? t->value + hw : NAN;
	return e;
}
