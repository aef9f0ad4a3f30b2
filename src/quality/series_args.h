/*
 * series_args.h — array arguments of the per-campaign series functions
 * (noa._break_candidates, noa._spike_days, noa._spend_response).
 */
#ifndef NOA_SERIES_ARGS_H
#define NOA_SERIES_ARGS_H

#include "postgres.h"

#include "utils/array.h"

/* Days of the series: strictly ascending finite dates (palloc'd, *n set). */
extern int *noa_series_days(ArrayType *a, int *n);

/* A float8 array of n elements (palloc'd); has[i] cleared where NULL or not finite. */
extern double *noa_series_floats(ArrayType *a, int n, bool *has);

#endif
