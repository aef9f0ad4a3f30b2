/*
 * allocation.h — what one noa.allocate / noa.allocation_summary call works
 * on (the objective, the items, the groups and the core's result), shared by
 * allocate.c (arguments, solving, rows) and alloc_groups.c (group limits).
 */
#ifndef NOA_ALLOCATION_H
#define NOA_ALLOCATION_H

#include "fmgr.h"

#include "alloc_solver.h"
#include "planner_items.h"

typedef enum Objective
{
	OBJ_MAX_RESPONSE,
	OBJ_MAX_PROFIT,
	OBJ_MIN_SPEND,
	OBJ_TARGET_ROAS,
	OBJ_TARGET_CPA
} Objective;

extern const char *const objective_names[];

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
	double	   *money;			/* recommended spends in cents that add up to the rounded total */
	int			n_locked,
				n_excluded;
} Allocation;

/* Groups of the included items, their look-up by name, and the group limit arguments. */
extern void collect_groups(Allocation *a);
extern int	group_index(const Allocation *a, const char *name);
extern void apply_group_specs(FunctionCallInfo fcinfo, Allocation *a, int argno, const char *argname,
							  bool share, bool minimum);

#endif
