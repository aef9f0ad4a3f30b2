/*
 * alloc_solver.h — budget allocation over fitted response curves.
 *
 * Plain C (never includes postgres.h).  Each item i has a curve f_i, a weight
 * w_i (value per unit of response) and spend bounds lo_i ≤ x_i ≤ hi_i; items
 * may belong to one group with floors and caps (absolute amounts and/or
 * shares of the total spend).  With g_i = w_i·f_i and V = Σ g_i(x_i):
 *
 *   MAX_RESPONSE  maximise V            subject to Σx = budget
 *   MAX_PROFIT    maximise V − target·Σx subject to Σx ≤ budget (may be +Inf)
 *   MIN_SPEND     minimise Σx           subject to V ≥ target, Σx ≤ budget
 *   TARGET_ROAS   maximise V            subject to V ≥ target·Σx, Σx ≤ budget
 *
 * (a CPA target is TARGET_ROAS with weights 1 and target 1/CPA).
 *
 * Method: for a fixed total T the concave problem is solved exactly by a
 * search on the Lagrange multiplier λ (every freely set item ends where
 * g_i' = λ; groups whose floor or cap binds get their own price); the other
 * objectives are a one-dimensional search over T.  S-shaped curves are
 * replaced by their concave envelope (a tangent line from the lower bound),
 * whose solution gives the dual bound.  For MAX_RESPONSE with few S-shaped
 * items a branch and bound over their spend ranges finds the optimum and
 * certifies it to 1e-10; otherwise (or when its work budget runs out) a
 * feasible allocation is built by deciding which S-shaped items are switched
 * on (exhaustively when few, by rounding and one-flip polish otherwise).  The
 * certificate is always a Lagrangian dual bound computed from the true curves
 * (over the branch-and-bound nodes when it ran), so the reported gap holds
 * whatever the method.
 */
#ifndef NOA_ALLOC_SOLVER_H
#define NOA_ALLOC_SOLVER_H

#include <stdbool.h>

#include "curve_fit.h"
#include "curve_model.h"

typedef enum noa_alloc_objective
{
	NOA_ALLOC_MAX_RESPONSE = 0,
	NOA_ALLOC_MAX_PROFIT = 1,
	NOA_ALLOC_MIN_SPEND = 2,
	NOA_ALLOC_TARGET_ROAS = 3
} noa_alloc_objective;

/* One item to allocate. */
typedef struct noa_alloc_item
{
	int			model;			/* noa_model */
	double		param[NOA_MAX_PARAMS];
	double		weight;			/* value per unit of response, > 0 */
	double		lo;				/* lower spend bound, finite, ≥ 0 */
	double		hi;				/* upper spend bound, ≥ lo, may be +Inf */
	int			group;			/* index into the groups, or -1 */
} noa_alloc_item;

/* Floors and caps of a group of items (a missing limit is 0 / +Inf / 0 / 1). */
typedef struct noa_alloc_group
{
	double		min_spend;
	double		max_spend;
	double		min_share;		/* of the total spend of all items */
	double		max_share;
} noa_alloc_group;

typedef struct noa_alloc_problem
{
	noa_alloc_objective objective;
	int			n_items;
	const noa_alloc_item *items;
	int			n_groups;
	const noa_alloc_group *groups;
	double		budget;			/* MAX_RESPONSE: the total; others: a cap or +Inf */
	double		target;			/* mROAS (profit), value (min spend), ROAS (target) */
	/* Polled once per pass over the items; non-zero abandons the solve. */
	int			(*interrupted) (void *arg);
	void	   *interrupt_arg;
} noa_alloc_problem;

/* Where an item ends up. */
typedef enum noa_alloc_position
{
	NOA_ALLOC_INTERIOR = 0,		/* marginal return equals its price */
	NOA_ALLOC_AT_LOWER = 1,		/* at lo: the next unit returns less than the price */
	NOA_ALLOC_AT_UPPER = 2,		/* at hi: the last unit returns more than the price */
	NOA_ALLOC_FIXED = 3,		/* lo == hi */
	NOA_ALLOC_BELOW_THRESHOLD = 4	/* S-shaped, left at lo: too little to pay back */
} noa_alloc_position;

/* What a group's limits do at the answer. */
typedef enum noa_alloc_group_state
{
	NOA_ALLOC_GROUP_FREE = 0,
	NOA_ALLOC_GROUP_FLOOR = 1,	/* the group is held up at its floor */
	NOA_ALLOC_GROUP_CAP = 2		/* the group is held down at its cap */
} noa_alloc_group_state;

typedef enum noa_alloc_status
{
	NOA_ALLOC_OPTIMAL = 0,		/* relative gap ≤ NOA_ALLOC_GAP_TOL */
	NOA_ALLOC_GAP = 1,			/* S-shaped curves: feasible, remaining gap reported */
	NOA_ALLOC_UNREACHABLE = 2	/* the target cannot be met; the closest answer */
} noa_alloc_status;

/* Why the total spend stops short of the budget (or where it stops). */
typedef enum noa_alloc_limit
{
	NOA_ALLOC_LIMIT_BUDGET = 0, /* the budget is spent */
	NOA_ALLOC_LIMIT_BOUNDS = 1, /* item maxima or group caps allow no more */
	NOA_ALLOC_LIMIT_TARGET = 2, /* the objective's target decides the total */
	NOA_ALLOC_LIMIT_MINIMUM = 3 /* the minimums already decide the total */
} noa_alloc_limit;

/* How the allocation was obtained. */
typedef enum noa_alloc_method
{
	NOA_ALLOC_METHOD_KKT = 0,	/* concave: equal marginal returns, exact */
	NOA_ALLOC_METHOD_ENUMERATED = 1,	/* every on/off choice of the S-shaped items */
	NOA_ALLOC_METHOD_ROUNDED = 2,	/* envelope rounding plus one-flip polish */
	NOA_ALLOC_METHOD_BRANCH_BOUND = 3	/* branch and bound over the S-shaped items' spend ranges */
} noa_alloc_method;

/* Failure detail for NOA_ALLOC_ERR_INFEASIBLE / NOA_ALLOC_ERR_UNBOUNDED. */
typedef enum noa_alloc_failure
{
	NOA_ALLOC_FAIL_NONE = 0,
	NOA_ALLOC_FAIL_BUDGET = 1,	/* minimums need more than the budget: need, have */
	NOA_ALLOC_FAIL_GROUP_FLOOR = 2, /* a floor above what the group's items can take */
	NOA_ALLOC_FAIL_GROUP_CAP = 3,	/* a cap below the group's item minimums */
	NOA_ALLOC_FAIL_SHARES = 4,	/* minimum shares add up to more than 1 */
	NOA_ALLOC_FAIL_TOTAL = 5,	/* no total satisfies bounds and shares together */
	NOA_ALLOC_FAIL_UNBOUNDED = 6,	/* the objective grows without limit */
	NOA_ALLOC_FAIL_TARGET = 7	/* the target is above what the curves can ever return */
} noa_alloc_failure;

#define NOA_ALLOC_ERR_INFEASIBLE 10
#define NOA_ALLOC_ERR_UNBOUNDED  11

/* Relative gap below which an allocation is reported optimal. */
#define NOA_ALLOC_GAP_TOL 1e-9

/* The answer.  The caller allocates x, price, position (n_items) and group_state (n_groups). */
typedef struct noa_alloc_result
{
	double	   *x;				/* spend per item */
	double	   *price;			/* marginal value per unit each item is held to */
	int		   *position;		/* noa_alloc_position */
	int		   *group_state;	/* noa_alloc_group_state */

	noa_alloc_status status;
	noa_alloc_limit limit;
	noa_alloc_method method;
	double		total_spend;
	double		total_value;	/* Σ w f(x) */
	double		level;			/* λ: marginal return of freely set items (may be +Inf) */
	double		objective;		/* value, value − target·spend, or spend (MIN_SPEND) */
	double		bound;			/* dual bound on the objective (a lower bound for MIN_SPEND) */
	double		gap;			/* |bound − objective|, NaN when not meaningful */
	double		gap_rel;
	double		min_total;		/* smallest total the bounds and groups allow */
	double		max_total;		/* largest (may be +Inf) */
	int			n_shaped;		/* items treated as S-shaped / convex */
	int			passes;			/* passes over the items, for diagnostics */

	noa_alloc_failure failure;
	int			fail_item;		/* or -1 */
	int			fail_group;		/* or -1 */
	double		fail_need;
	double		fail_have;
} noa_alloc_result;

/*
 * Solve.  Returns NOA_OK, NOA_ERR_INTERRUPTED, NOA_ERR_NOMEM, NOA_ERR_INVALID
 * (malformed input), NOA_ALLOC_ERR_INFEASIBLE or NOA_ALLOC_ERR_UNBOUNDED
 * (with result->failure and its detail).  Deterministic: the same problem
 * gives the same bits.
 */
int			noa_alloc_solve(const noa_alloc_problem *problem, noa_alloc_result *result);

#endif
