/*
 * cent_rounding.h — an allocation's spends rounded to whole cents without
 * leaving the limits the allocation was solved under.
 *
 * Plain C (never includes postgres.h).  The rule, in whole cents:
 *   - each item's bounds are rounded inward: a minimum up to the next cent
 *     (80.005 → 80.01), a maximum down (100.006 → 100.00), so a relative limit
 *     such as +25% on 80.005 (100.00625) is never exceeded;  when no whole cent
 *     lies between the two (a locked spend of 33.333), the item gets the cent
 *     nearest its spend, the only case in which a bound moves, by under a cent;
 *   - the total is the allocation's total rounded to the nearest cent (or,
 *     when more, the total of the spends moved into their rounded bounds:
 *     minimums rounded up add their cents rather than take them from the
 *     others), kept within the budget (rounded down to a cent) and within what
 *     the rounded bounds and the group limits allow;
 *   - each group's floor and cap at that total are rounded inward the same
 *     way (a floor up, a cap down); the groups (and the ungrouped items) get
 *     their shares of the total by largest remainder within those limits, then
 *     the items of each by largest remainder within their bounds (ties: the
 *     earlier item), each item's share being its spend moved into its rounded
 *     bounds, so the cents a rounded-up minimum takes come evenly from the
 *     others.
 * When the rounded limits contradict each other (possible only when they are
 * not whole cents and lie within a cent of each other) item bounds come
 * first, then group limits, then the budget.
 */
#ifndef NOA_CENT_ROUNDING_H
#define NOA_CENT_ROUNDING_H

#include "alloc_solver.h"

/*
 * Round the spends x (one per item of the problem, within its bounds) to
 * whole cents into money (amounts with at most two decimals).  Totals beyond
 * 1e13 (where a double no longer holds every cent) are rounded item by item.
 * Returns NOA_OK or NOA_ERR_NOMEM.
 */
int			noa_round_cents(const noa_alloc_problem *pb, const double *x, double *money);

/*
 * A bound as the rounding honours it: a minimum rounded up to a whole cent,
 * a maximum rounded down (amounts within 1e-9 relative of a cent count as
 * on it; ±Infinity and NaN pass through).
 */
double		noa_cents_up(double v);
double		noa_cents_down(double v);

#endif
