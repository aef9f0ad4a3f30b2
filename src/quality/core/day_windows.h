/*
 * day_windows.h — per-campaign rolling-window statistics over a daily series
 * (days sorted ascending, at most one row per day) for noa.data_quality's
 * tracking-break and spend-spike checks.  Plain C, no PostgreSQL: every
 * median, mean and variance is computed exactly as PostgreSQL's
 * percentile_cont(0.5), avg and var_samp over float8 compute them in date
 * order, so moving the checks here changes no number.
 *
 * Days are integers (e.g. PostgreSQL's DateADT: days since 2000-01-01).
 * Each function works in O(n * w log w) for a window of w days and checks
 * `interrupted` (when not NULL) every 64 days, returning NOA_DW_CANCELLED
 * when it reports a pending interrupt.
 */
#ifndef NOA_DAY_WINDOWS_H
#define NOA_DAY_WINDOWS_H

#include <stdbool.h>
#include <stddef.h>

#define NOA_DW_OK         0
#define NOA_DW_NOMEM      1
#define NOA_DW_CANCELLED  2

/* Reference kinds of a tracking-break candidate day. */
#define NOA_REF_SIMILAR   1		/* days with similar spend in the 8 weeks before */
#define NOA_REF_ALL       2		/* all days of the 4 weeks before */

/* One day that may start or continue a tracking break, with its reference. */
typedef struct NoaBreakCandidate
{
	size_t		index;			/* position of the day in the input */
	int			ref_kind;		/* NOA_REF_SIMILAR or NOA_REF_ALL */
	double		ref_sp;			/* median spend of the reference days */
	double		ref_cv;			/* median conversions of the reference days */
	double		ref_disp;		/* variance / mean of their conversions, at least 1 */
} NoaBreakCandidate;

/*
 * Tracking-break candidates.  For each day with spend > 0 and conversions:
 * the reference days are those of the 56 before it (by date) with both
 * measures; "similar" are those whose spend is within a factor 1.5 of the
 * day's (used when at least 7), else all of the 28 days before (when at least
 * 14).  A day is a candidate when both reference medians are positive and its
 * conversions are at most 0.25 * ref_cv * min(1, sp / ref_sp)^3.
 * has[i] says whether sp[i] and cv[i] are both present; days with has[i]
 * false are skipped as reference days and as candidates.  Day j's spend is
 * "similar" to day i's when sp[i] / 1.5 <= sp[j] <= sp[i] * 1.5, both bounds
 * rounded once in double arithmetic.
 * Writes up to n candidates to out (caller-allocated, n entries), *n_out.
 */
int			noa_break_candidates(const int *day, const double *sp, const double *cv, const bool *has,
								 size_t n, NoaBreakCandidate *out, size_t *n_out,
								 int (*interrupted) (void *));

/* One day whose spend stands out as a spike, with its statistics. */
typedef struct NoaSpikeDay
{
	size_t		index;			/* position of the day in the input */
	double		lsp;			/* ln(spend) */
	double		med_near;		/* median ln(spend) of the 3 days before and the 3 after */
	double		z;				/* robust z against the 14 days before and after */
} NoaSpikeDay;

/*
 * Spend spikes over days with spend > 0 (sp[i] > 0 for all i; the caller
 * leaves other days out).  For each day, of ln(spend): the median of the 3
 * days before and the 3 after (near), and the median and MAD of the 14 days
 * before (b) and the 14 after (a).  A day is a spike when one side has at
 * least 7 days, lsp - med_near >= ln 5, lsp - med_b >= ln 2.5 and
 * lsp - med_a >= ln 2.5 (each where that side has days), and
 * z = min over the sides of (lsp - med) / max(1.4826 MAD, 0.1) > 3.
 */
int			noa_spike_days(const int *day, const double *sp, size_t n,
						   NoaSpikeDay *out, size_t *n_out, int (*interrupted) (void *));

/* A run of missing days between two days with rows. */
typedef struct NoaDayGap
{
	int			first;			/* first missing day */
	int			last;			/* last missing day */
} NoaDayGap;

/*
 * The gaps of a series of distinct days sorted ascending: every run of days
 * without a row between two days with one.  Writes up to n - 1 gaps to out
 * (caller-allocated, at least n - 1 entries; none when n < 2), *n_out.
 */
void		noa_day_gaps(const int *day, size_t n, NoaDayGap *out, size_t *n_out);

#endif
