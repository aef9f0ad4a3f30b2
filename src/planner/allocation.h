/*
 * allocation.h — one call of noa.allocate or noa.allocation_summary as the
 * files behind them share it: allocate.c (argument checks, the call into the
 * allocation core, the rows), alloc_groups.c (the groups and their limits)
 * and allocate_explain.c (the words).
 */
#ifndef NOA_ALLOCATION_H
#define NOA_ALLOCATION_H

#include "fmgr.h"

#include "alloc_solver.h"
#include "planner_items.h"
#include "unit_labels.h"

/* The objectives the SQL functions accept (objective_names in allocate.c, same order). */
typedef enum Objective
{
	OBJ_MAX_RESPONSE,
	OBJ_MAX_PROFIT,
	OBJ_MIN_SPEND,
	OBJ_TARGET_ROAS,
	OBJ_TARGET_CPA
} Objective;

/* Everything one allocate / allocation_summary call computes. */
typedef struct Allocation
{
	NoaPortfolio *pf;
	ItemPlan   *plan;
	Objective	objective;
	double		budget;			/* NaN when none */
	double		target;			/* as given (CPA for target_cpa); NaN when none */
	double		level;
	double		max_increase,
				max_decrease;	/* NaN when none */
	int			n_core;
	int			n_groups;
	char	  **group_names;
	struct GroupEntry *group_lookup;	/* groups sorted by name, for group_index */
	noa_alloc_group *groups;
	noa_alloc_item *items;
	noa_alloc_result res;
	double	   *money;			/* recommended spends rounded to whole cents within every limit (cent_rounding.h) */
	int			n_locked,
				n_excluded;
	UnitLabels	units;			/* currency and response unit every row repeats */
} Allocation;

/* alloc_groups.c: groups of the included items, look-up by name, the group limit arguments */
extern void collect_groups(Allocation *a);
extern int	group_index(const Allocation *a, const char *name);
extern void apply_group_specs(FunctionCallInfo fcinfo, Allocation *a, int argno, const char *argname,
							  bool share, bool minimum);

/* allocate_explain.c */
extern const char *allocation_binding(const Allocation *a, const ItemPlan *p);
extern char *allocation_item_explanation(const Allocation *a, const ItemPlan *p, double x,
										 double m_now, double m_after,
										 interval_estimate r_now, interval_estimate r_after);
extern char *allocation_limit_phrase(const Allocation *a);
extern const char *allocation_status_name(const Allocation *a);
extern const char *allocation_limit_name(const Allocation *a);
extern const char *allocation_method_name(const noa_alloc_result *r);
extern char *allocation_summary_explanation(const Allocation *a, double value_now, double value_after);

#endif
