/*
 * count_tail.h — lower tail probabilities of count data in O(1): how unlikely
 * is it to see at most `observed` events when `expected` were due?  Plain C
 * on GSL's regularised incomplete gamma and beta functions; no PostgreSQL.
 */
#ifndef NOA_COUNT_TAIL_H
#define NOA_COUNT_TAIL_H

/* Return codes (the same values as curve_fit.h's NOA_OK / NOA_ERR_INVALID). */
#define NOA_TAIL_OK       0
#define NOA_TAIL_INVALID  3		/* non-finite or negative input, or GSL could not evaluate */

/*
 * P(X <= floor(observed)) for a count X with mean `expected` and variance
 * dispersion * expected: Poisson when dispersion <= 1, otherwise the negative
 * binomial with that mean and variance.  *p is in [0, 1]; a tail below the
 * smallest double is reported as 0 (underflow is not an error).  Works for
 * any magnitude (no sum over counts, no integer overflow).
 */
int			noa_count_lower_tail(double observed, double expected, double dispersion, double *p);

#endif
