/*
 * planner_items.h — how the planners (noa.allocate, noa.allocation_summary
 * and noa.simulate) see the items of a noa.portfolio: which take part and
 * why the others are excluded, what the next unit of spend returns, whether
 * a spend lies outside the fitted range, and sums of interval estimates.
 */
#ifndef NOA_PLANNER_ITEMS_H
#define NOA_PLANNER_ITEMS_H

#include "curve_accessors.h"
#include "portfolio.h"

/* One portfolio item as the planners see it. */
typedef struct ItemPlan
{
	const PortfolioItem *src;
	const char *key;
	const char *group;
	const char *excluded;		/* reason, or NULL when included */
	double		current;
	double		vpu;			/* value per unit, NaN when unknown */
	double		lo,
				hi;				/* effective bounds (allocate) */
	const char *lo_source;		/* "zero", "min_spend", "max_decrease", "locked" */
	const char *hi_source;		/* NULL (none), "max_spend", "max_increase", "locked" */
	int			core;			/* index in the allocation problem, or -1 */
} ItemPlan;

extern ItemPlan *plan_items(const NoaPortfolio *pf, bool value_needed);
extern double marginal_value(const ItemPlan *p, double x);

extern bool extrapolated(const noa_curve *fit, double x);
extern char *curve_caveats(const noa_curve *fit, double x);

/* Sum of independent estimates: values add, half-widths add in quadrature. */
typedef struct Total
{
	double		value;
	double		var;			/* Σ half-width² (NaN once any is unknown) */
} Total;

extern void total_add(Total *t, interval_estimate e);
extern interval_estimate total_interval(const Total *t);

#endif
