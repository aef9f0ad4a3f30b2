/*
 * value_order.h — order statistics of a sorted list of values, for the
 * per-campaign state of noa.waste and noa.recommendations: how many values
 * repeat the one before (days with more than one row), and linear-interpolated
 * percentiles exactly as PostgreSQL's percentile_cont computes them.
 * Plain C, no PostgreSQL headers.
 */
#ifndef NOA_VALUE_ORDER_H
#define NOA_VALUE_ORDER_H

#include <stdint.h>

/* Number of values of the ascending list v[0..n) equal to the one before. */
int64_t noa_adjacent_repeats(const double *v, int64_t n);

/*
 * percentile_cont(p) of the ascending list v[0..n), n >= 1, 0 <= p <= 1: the
 * values at rows floor and ceil of p (n - 1), interpolated as lo + f (hi - lo).
 */
double noa_percentile_cont(const double *v, int64_t n, double p);

#endif
