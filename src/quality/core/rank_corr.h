/*
 * rank_corr.h — does a campaign's daily KPI follow its daily spend?  Spearman
 * rank correlation (average ranks for ties) and the spread of spend, for
 * noa.data_quality's no_spend_response check.  Plain C, no PostgreSQL.  The
 * rank sums are exact (integers in doubled ranks), so the correlation is the
 * same bit for bit whatever the order of the days, and equal to the one SQL
 * computes from exact numeric sums.
 */
#ifndef NOA_RANK_CORR_H
#define NOA_RANK_CORR_H

#include <stdbool.h>
#include <stddef.h>

#define NOA_RC_OK     0
#define NOA_RC_NOMEM  1

/*
 * Spearman correlation of x and y over n pairs (0 when either has no spread
 * or n < 2), and p90 / p10 of x as PostgreSQL's percentile_cont computes the
 * percentiles; *has_spread false when n == 0 or p10 == 0.
 */
int			noa_spend_response(const double *x, const double *y, size_t n,
							   double *rho, double *spread, bool *has_spread);

#endif
