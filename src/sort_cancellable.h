/*
 * sort_cancellable.h — sorting arrays of millions of elements inside a
 * backend without holding off a cancel: the glue's aggregates (a curve fit's
 * points, the campaign state's value lists) sort through this.
 */
#ifndef NOA_SORT_CANCELLABLE_H
#define NOA_SORT_CANCELLABLE_H

#include "postgres.h"

/* Sorts n elements at base in place (the caller's inlined sort, e.g. from lib/sort_template.h). */
typedef void (*noa_sort_run_fn) (void *base, size_t n);

/* Orders two elements as the run sort does: negative, zero or positive. */
typedef int (*noa_compare_fn) (const void *a, const void *b);

/*
 * Sort n elements of size bytes at base in place: runs of at most 65,536
 * elements by sort_run, then pairwise merges by compare, with an interrupt
 * check before each run and each merge.  Same order as one sort by compare
 * (elements that compare equal may swap places, as in any unstable sort).
 */
extern void noa_sort_cancellable(void *base, int64 n, size_t size, noa_sort_run_fn sort_run,
								 noa_compare_fn compare);

#endif
