/*
 * series_args.h — array arguments of the per-campaign series functions
 * (noa._break_candidates, noa._spike_days, noa._spend_response).
 */
#ifndef NOA_SERIES_ARGS_H
#define NOA_SERIES_ARGS_H

#include "postgres.h"

#include "utils/array.h"

/* Days of the series, distinct finite dates, sorted ascending (palloc'd, *n
 * set); *order[k] = position in the array of the k-th day. */
extern int *noa_series_days(ArrayType *a, int *n, int **order);

/* A float8 array of n elements in the days' order (order NULL: as given;
 * palloc'd); has[k] cleared where NULL or not finite. */
extern double *noa_series_floats(ArrayType *a, int n, const int *order, bool *has);

#endif
