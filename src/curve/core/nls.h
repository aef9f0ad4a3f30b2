/*
 * nls.h — a small reentrant wrapper around GSL's trust-region nonlinear least
 * squares (gsl_multifit_nlinear, Levenberg–Marquardt).
 *
 * The problem is given as plain C callbacks on double arrays: the residual
 * vector f (length n) and its analytic Jacobian (row-major n×p).  The caller
 * owns a workspace sized for (n, p) and may reuse it for any number of solves
 * (multi-start).  Iterations are driven here, so an interrupt callback can be
 * polled between them.  Nothing aborts, longjmps or touches global state;
 * GSL's error handler is expected to be off (gsl_set_error_handler_off).
 */
#ifndef NOA_NLS_H
#define NOA_NLS_H

/* Return codes (the same values as curve_fit.h's NOA_OK / NOA_ERR_*). */
#define NOA_NLS_OK			0
#define NOA_NLS_INTERRUPTED	1	/* the interrupt callback asked to stop */
#define NOA_NLS_NOMEM		2
#define NOA_NLS_INVALID		3	/* bad sizes or arguments */
#define NOA_NLS_SINGULAR	4	/* covariance: JᵀJ singular or ill-conditioned */

/* Workspace method flags (0 = Levenberg–Marquardt with a QR linear solver). */
#define NOA_NLS_CHOLESKY	0x01	/* normal equations: faster, less accurate */
#define NOA_NLS_GEODESIC	0x02	/* geodesic acceleration (finite-difference fvv) */
/*
 * Reduced problem (not with NOA_NLS_GEODESIC): GSL works on p+1 rows instead
 * of n.  At every point the wrapper hands it f~ = ||f|| e1 and, where the
 * Jacobian is asked for, J~ = [wᵀ; B] with w = Jᵀf/||f|| and BᵀB = JᵀJ - wwᵀ
 * (an orthogonal change of basis of [f J]).  LM only ever uses JᵀJ, Jᵀf, the
 * column norms of J, ||J v|| and ||f||, which J~ and f~ reproduce, so the
 * iterates are those of the n-row problem up to rounding, while every vector
 * operation inside GSL costs O(p) instead of O(n); a rejected trial step
 * costs one residual evaluation, the Jacobian is evaluated at accepted points
 * only.  Worth it when n >> p; ignored when n <= p + 1.
 */
#define NOA_NLS_REDUCED		0x04

/*
 * Callbacks return 0 on success, non-zero when the point cannot be evaluated.
 * residual writes f[0..n-1]; jacobian writes jac[i*p + j] = ∂f_i/∂param_j.
 * A residual evaluated at a trial point that comes out non-finite makes the
 * solver reject that step; a non-finite residual at the start fails the solve.
 */
typedef int (*noa_nls_residual_fn) (const double *param, double *f, void *arg);
typedef int (*noa_nls_jacobian_fn) (const double *param, double *jac, void *arg);

typedef struct noa_nls_problem
{
	int			n;				/* residuals */
	int			p;				/* parameters, 1 <= p <= n */
	noa_nls_residual_fn residual;
	noa_nls_jacobian_fn jacobian;
	void	   *arg;			/* passed to both callbacks */
} noa_nls_problem;

typedef struct noa_nls_options
{
	int			max_iterations;
	double		xtol;			/* |dx_i| <= xtol (xtol + |x_i|) */
	double		gtol;			/* max_i |g_i| max(x_i, 1) <= gtol max(ssr/2, 1) */
	/* Polled before every iteration; non-zero abandons the solve. */
	int			(*interrupted) (void *arg);
	void	   *interrupt_arg;
} noa_nls_options;

typedef enum noa_nls_status
{
	NOA_NLS_CONVERGED = 0,		/* a tolerance test passed */
	NOA_NLS_MAX_ITERATIONS = 1, /* iteration budget spent */
	NOA_NLS_FAILED = 2			/* no step from the start reduced the cost,
								 * or a callback failed */
} noa_nls_status;

typedef struct noa_nls_result
{
	noa_nls_status status;
	int			iterations;
	double		ssr;			/* sum of squared residuals at param (+Inf when
								 * the start cannot be evaluated) */
} noa_nls_result;

typedef struct noa_nls_workspace noa_nls_workspace;

/*
 * Allocate a workspace for n residuals and p parameters; NULL when out of
 * memory, sizes invalid or flags incompatible (REDUCED with GEODESIC).
 */
noa_nls_workspace *noa_nls_alloc(int n, int p, int flags);

/* Release a workspace (NULL is allowed). */
void		noa_nls_free(noa_nls_workspace *ws);

/*
 * A further convergence test for the solves on this workspace: 0 (the
 * default) turns it off; ftol > 0 also counts a solve converged when, after
 * an accepted step, even the full Gauss-Newton step predicts a relative
 * decrease of ||f||² of at most ftol: ||Q1ᵀf||² <= ftol ||f||² with J = Q1 R
 * (a form of the relative-offset criterion of Bates and Watts, 1981).  The
 * point is then within about sqrt(ftol (n-p)) standard errors of the
 * linearised optimum; with ftol near the rounding of ||f||², the steps it
 * saves could only be accepted or rejected on rounding noise.  Returns
 * NOA_NLS_OK, or NOA_NLS_INVALID (nothing changed) for a negative or NaN
 * ftol.
 */
int			noa_nls_set_ftol(noa_nls_workspace *ws, double ftol);

/*
 * Minimise ||f||² from param (in: start, out: best point reached).  Returns
 * NOA_NLS_OK with the verdict in *result, or NOA_NLS_INTERRUPTED /
 * NOA_NLS_INVALID (param then holds the last iterate).
 */
int			noa_nls_solve(noa_nls_workspace *ws, const noa_nls_problem *problem,
						  const noa_nls_options *opt, double *param,
						  noa_nls_result *result);

/*
 * Covariance s² (JᵀJ)⁻¹ with s² = ssr/(n-p), from a row-major n×p Jacobian
 * (n > p).  Columns are equilibrated, then JᵀJ is inverted through the R of
 * a QR factorisation and a Jacobi SVD of R: R from CholeskyQR2 when the
 * equilibrated J is well conditioned (cond <= 1e4, where that is as accurate
 * as Householder and much cheaper), from Householder QR otherwise.  Returns
 * NOA_NLS_SINGULAR (cov zeroed) when a column is zero or the reciprocal
 * condition number of the equilibrated J is below rcond_min; *rcond receives
 * that number when rcond is not NULL.
 */
int			noa_nls_covariance(int n, int p, const double *jac, double ssr,
							   double rcond_min, double *cov, double *rcond);

#endif
