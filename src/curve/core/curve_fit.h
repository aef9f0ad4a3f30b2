/*
 * curve_fit.h — least-squares fit of a response-curve family to (spend, response)
 * points, with a deterministic multi-start, parameter covariance and fit statistics.
 *
 * Plain C (never includes postgres.h); GSL does the nonlinear least squares.
 * Nothing here longjmps or aborts: failures come back as a status, and the
 * caller's interrupt callback is polled between iterations.
 */
#ifndef NOA_CURVE_FIT_H
#define NOA_CURVE_FIT_H

#include <stdint.h>
#include "curve_model.h"

typedef enum noa_fit_status
{
	NOA_FIT_CONVERGED = 0,
	NOA_FIT_MAX_ITERATIONS = 1,		/* best point found, not proven stationary */
	NOA_FIT_NOT_IDENTIFIABLE = 2,	/* constant spend, singular Jacobian, runaway parameters */
	NOA_FIT_INSUFFICIENT_DATA = 3	/* fewer distinct spend levels than parameters (+1) */
} noa_fit_status;

const char *noa_fit_status_name(noa_fit_status status);
int			noa_fit_status_from_name(const char *name);

/* Flags recorded in noa_curve.flags. */
#define NOA_CURVE_FLAG_AUTO      0x01	/* model chosen by AICc among all families */
#define NOA_CURVE_FLAG_AT_BOUND  0x02	/* a parameter ran to its search limit */
#define NOA_CURVE_FLAG_LONG_RUN  0x04	/* fitted with carryover: the curve answers the long run */

/* A fitted curve: everything later questions need, no raw points. */
typedef struct noa_curve
{
	int32_t		model;			/* noa_model */
	int32_t		status;			/* noa_fit_status */
	int32_t		flags;
	int32_t		n;				/* points used */
	int32_t		iterations;		/* solver iterations of the retained start */
	int32_t		n_starts;		/* starts tried */
	int32_t		n_starts_converged;
	int32_t		reserved;		/* always 0 */
	double		param[NOA_MAX_PARAMS];	/* unused slots are 0 */
	double		cov[NOA_MAX_PARAMS * NOA_MAX_PARAMS];	/* row-major; 0 when not estimable */
	double		ssr;			/* residual sum of squares */
	double		sigma;			/* residual standard deviation sqrt(ssr/(n-p)) */
	double		r2;				/* 1 - ssr/sst (sst about the mean) */
	double		aicc;			/* n*ln(ssr/n) + 2p + 2p(p+1)/(n-p-1) */
	double		x_min, x_max, x_mean;	/* observed spend range */
	double		y_mean;
} noa_curve;

/* Solver options.  Zero-initialise and call noa_fit_options_default. */
typedef struct noa_fit_options
{
	int			max_iterations;	/* per start */
	double		xtol, gtol, ftol;
	/* Polled between iterations; returning non-zero abandons the fit. */
	int			(*interrupted) (void *arg);
	void	   *interrupt_arg;
} noa_fit_options;

void		noa_fit_options_default(noa_fit_options *opt);

/* Return codes of noa_curve_fit (the fit's own verdict is curve->status). */
#define NOA_OK            0
#define NOA_ERR_INTERRUPTED 1	/* the interrupt callback asked to stop */
#define NOA_ERR_NOMEM     2
#define NOA_ERR_INVALID   3		/* bad arguments: unknown model, n < 0, non-finite data */

/*
 * Fit `model` (or every family for NOA_MODEL_AUTO, keeping the lowest AICc)
 * to n points.  The points must be sorted by (x, y) by the caller for results
 * that do not depend on input order; x ≥ 0, all values finite.
 */
int			noa_curve_fit(noa_model model, const double *x, const double *y, int n,
						  const noa_fit_options *opt, noa_curve *out);

/*
 * Student-t quantile for a two-sided interval at `level` with the curve's
 * residual degrees of freedom; NaN when n <= p.
 */
double		noa_curve_t_quantile(const noa_curve *curve, double level);

#endif
