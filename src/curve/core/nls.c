/*
 * nls.c — nonlinear least squares on plain arrays over GSL's trust-region
 * solver (see nls.h).  Everything the solver needs lives in the caller's
 * workspace or on the stack, so concurrent solves never share state.
 */
#include "nls.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit_nlinear.h>

/*
 * Residual value substituted for a non-finite trial residual: large enough
 * that the trial step is always rejected, small enough that ||f|| stays finite.
 */
#define NLS_WALL 1e100

/*
 * A sum of squares below this may have lost digits to underflow (squares
 * under DBL_MIN); the norm is then taken with the scaled dnrm2 instead.
 */
#define NLS_SUMSQ_MIN 1e-280

/* Least reciprocal condition number of aᵀa for CholeskyQR2 (nls_cholqr2). */
#define NLS_CHOLQR_RCOND 1e-8

struct noa_nls_workspace
{
	int			n;
	int			p;
	int			rows;			/* rows GSL sees: n, or p + 1 when reduced */
	double		ftol;			/* noa_nls_set_ftol; 0: off */
	gsl_multifit_nlinear_workspace *gsl;
	double	   *buf;			/* the one allocation behind the arrays below */
	/* Scratch of the ftol test (nls_model_converged): rows × p, p, rows. */
	double	   *qa;
	double	   *qtau;
	double	   *qb;
	/* NOA_NLS_REDUCED only (NULL otherwise): */
	double	   *f;				/* full residual at key, n */
	double	   *jac;			/* full Jacobian, n × p */
	double	   *key;			/* the point f was evaluated at, p */
	double	   *w;				/* Jᵀf / ||f||, p */
	double	   *s;				/* JᵀJ - wwᵀ, p × p (destroyed by the eigensolver) */
	double	   *eval;			/* its eigenvalues, p */
	double	   *evec;			/* and eigenvectors, p × p */
	double		fnorm;			/* ||f|| at key */
	int			have_f;			/* f, key and fnorm are valid */
	gsl_eigen_symmv_workspace *eig;
};

/* What the GSL callbacks need: the user's problem and the solve phase. */
typedef struct nls_context
{
	const noa_nls_problem *problem;
	noa_nls_workspace *ws;
	int			started;		/* 0 while evaluating the start point */
} nls_context;

/* GSL residual callback: call the user's residual, walling off non-finite trial values. */
static int
nls_f(const gsl_vector *x, void *params, gsl_vector *f)
{
	nls_context *ctx = (nls_context *) params;
	const noa_nls_problem *pr = ctx->problem;
	int			i;

	if (x->stride != 1 || f->stride != 1)
		return GSL_EBADLEN;
	if (pr->residual(x->data, f->data, pr->arg) != 0)
		return GSL_EDOM;
	for (i = 0; i < pr->n; i++)
	{
		if (!isfinite(f->data[i]))
		{
			if (!ctx->started)
				return GSL_EDOM;
			for (i = 0; i < pr->n; i++)
				f->data[i] = NLS_WALL;
			break;
		}
	}
	return GSL_SUCCESS;
}

/* GSL Jacobian callback: call the user's Jacobian, which must be finite. */
static int
nls_df(const gsl_vector *x, void *params, gsl_matrix *J)
{
	nls_context *ctx = (nls_context *) params;
	const noa_nls_problem *pr = ctx->problem;
	size_t		i,
				len = (size_t) pr->n * (size_t) pr->p;

	if (x->stride != 1 || J->tda != (size_t) pr->p)
		return GSL_EBADLEN;
	if (pr->jacobian(x->data, J->data, pr->arg) != 0)
		return GSL_EDOM;
	for (i = 0; i < len; i++)
		if (!isfinite(J->data[i]))
			return GSL_EDOM;
	return GSL_SUCCESS;
}

/*
 * Σ a[i·sa] b[i·sb] over i < n with four interleaved partial sums, so the
 * additions are not one dependency chain; the order is fixed (deterministic).
 */
static double
nls_dot(const double *a, size_t sa, const double *b, size_t sb, int n)
{
	double		s0 = 0.0,
				s1 = 0.0,
				s2 = 0.0,
				s3 = 0.0;
	int			i;

	for (i = 0; i + 3 < n; i += 4)
	{
		s0 += a[(size_t) i * sa] * b[(size_t) i * sb];
		s1 += a[(size_t) (i + 1) * sa] * b[(size_t) (i + 1) * sb];
		s2 += a[(size_t) (i + 2) * sa] * b[(size_t) (i + 2) * sb];
		s3 += a[(size_t) (i + 3) * sa] * b[(size_t) (i + 3) * sb];
	}
	for (; i < n; i++)
		s0 += a[(size_t) i * sa] * b[(size_t) i * sb];
	return (s0 + s1) + (s2 + s3);
}

/*
 * Reduced mode: the full residual at x into ws->f and its norm into
 * ws->fnorm.  Returns 0, or -1 when the callback fails or a value (or the
 * norm) is not finite.
 */
static int
nls_full_residual(noa_nls_workspace *ws, const noa_nls_problem *pr, const double *x)
{
	double		ss;
	int			i;

	ws->have_f = 0;
	if (pr->residual(x, ws->f, pr->arg) != 0)
		return -1;
	ss = nls_dot(ws->f, 1, ws->f, 1, ws->n);
	if (!(isfinite(ss) && ss >= NLS_SUMSQ_MIN))
	{
		gsl_vector_view fv = gsl_vector_view_array(ws->f, (size_t) ws->n);

		for (i = 0; i < ws->n; i++)
			if (!isfinite(ws->f[i]))
				return -1;
		ws->fnorm = gsl_blas_dnrm2(&fv.vector);	/* no overflow */
		if (!isfinite(ws->fnorm))
			return -1;
	}
	else
		ws->fnorm = sqrt(ss);
	memcpy(ws->key, x, sizeof(double) * ws->p);
	ws->have_f = 1;
	return 0;
}

/* Reduced-mode residual callback: f~ = ||f|| e1 (walled like nls_f). */
static int
nls_f_reduced(const gsl_vector *x, void *params, gsl_vector *f)
{
	nls_context *ctx = (nls_context *) params;
	noa_nls_workspace *ws = ctx->ws;
	int			i;

	if (x->stride != 1 || f->stride != 1 || f->size != (size_t) ws->rows)
		return GSL_EBADLEN;
	if (nls_full_residual(ws, ctx->problem, x->data) != 0)
	{
		if (!ctx->started)
			return GSL_EDOM;
		for (i = 0; i < ws->rows; i++)
			f->data[i] = NLS_WALL;
		return GSL_SUCCESS;
	}
	f->data[0] = ws->fnorm;
	for (i = 1; i < ws->rows; i++)
		f->data[i] = 0.0;
	return GSL_SUCCESS;
}

/*
 * Reduced-mode Jacobian callback: J~ = [wᵀ; B] with w = Jᵀf/||f|| and
 * B = Λ^½ Vᵀ from the eigendecomposition V Λ Vᵀ of JᵀJ - wwᵀ (positive
 * semidefinite; eigenvalues that rounding leaves below zero count as zero),
 * so that J~ᵀJ~ = JᵀJ and J~ᵀf~ = Jᵀf at x.  GSL asks for it right after the
 * residual at the same point, which is then still in ws->f (otherwise the
 * residual is evaluated again: the same values, the callbacks being
 * deterministic).
 */
static int
nls_df_reduced(const gsl_vector *x, void *params, gsl_matrix *J)
{
	nls_context *ctx = (nls_context *) params;
	const noa_nls_problem *pr = ctx->problem;
	noa_nls_workspace *ws = ctx->ws;
	const int	n = ws->n,
				p = ws->p;
	gsl_matrix_view sv,
				vv;
	gsl_vector_view ev;
	int			i,
				j,
				k;

	if (x->stride != 1 || J->tda != (size_t) p || J->size1 != (size_t) ws->rows)
		return GSL_EBADLEN;
	if (!ws->have_f || memcmp(ws->key, x->data, sizeof(double) * p) != 0)
	{
		if (nls_full_residual(ws, pr, x->data) != 0)
			return GSL_EDOM;
	}
	if (pr->jacobian(x->data, ws->jac, pr->arg) != 0)
		return GSL_EDOM;

	for (i = 0; i < n * p; i++)
		if (!isfinite(ws->jac[i]))
			return GSL_EDOM;

	/* w = Jᵀf and the lower triangle of JᵀJ, column by column. */
	for (j = 0; j < p; j++)
	{
		ws->w[j] = nls_dot(ws->jac + j, (size_t) p, ws->f, 1, n);
		for (k = 0; k <= j; k++)
			ws->s[j * p + k] = nls_dot(ws->jac + j, (size_t) p, ws->jac + k, (size_t) p, n);
	}
	for (j = 0; j < p; j++)
		ws->w[j] = ws->fnorm > 0.0 ? ws->w[j] / ws->fnorm : 0.0;
	for (j = 0; j < p; j++)
		for (k = 0; k <= j; k++)
		{
			ws->s[j * p + k] -= ws->w[j] * ws->w[k];
			ws->s[k * p + j] = ws->s[j * p + k];
		}

	sv = gsl_matrix_view_array(ws->s, (size_t) p, (size_t) p);
	vv = gsl_matrix_view_array(ws->evec, (size_t) p, (size_t) p);
	ev = gsl_vector_view_array(ws->eval, (size_t) p);
	if (gsl_eigen_symmv(&sv.matrix, &ev.vector, &vv.matrix, ws->eig) != GSL_SUCCESS)
		return GSL_EDOM;

	for (j = 0; j < p; j++)
		J->data[j] = ws->w[j];
	for (k = 0; k < p; k++)
	{
		double		r = sqrt(fmax(ws->eval[k], 0.0));

		for (j = 0; j < p; j++)
			J->data[(size_t) (k + 1) * p + j] = r * ws->evec[j * p + k];
	}
	for (i = 0; i < ws->rows * p; i++)
		if (!isfinite(J->data[i]))
			return GSL_EDOM;
	return GSL_SUCCESS;
}

/* Allocate the GSL workspace for one (n, p) shape and method. */
noa_nls_workspace *
noa_nls_alloc(int n, int p, int flags)
{
	noa_nls_workspace *ws;
	gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();

	if (p < 1 || n < p)
		return NULL;
	if ((flags & NOA_NLS_REDUCED) && (flags & NOA_NLS_GEODESIC))
		return NULL;			/* fvv differences need the full residual */
	ws = calloc(1, sizeof(noa_nls_workspace));
	if (ws == NULL)
		return NULL;
	params.trs = (flags & NOA_NLS_GEODESIC) ? gsl_multifit_nlinear_trs_lmaccel
		: gsl_multifit_nlinear_trs_lm;
	params.solver = (flags & NOA_NLS_CHOLESKY) ? gsl_multifit_nlinear_solver_cholesky
		: gsl_multifit_nlinear_solver_qr;
	params.scale = gsl_multifit_nlinear_scale_more;
	ws->n = n;
	ws->p = p;
	ws->rows = ((flags & NOA_NLS_REDUCED) && n > p + 1) ? p + 1 : n;
	{
		const size_t rows = (size_t) ws->rows;
		size_t		len = rows * (size_t) p + (size_t) p + rows;

		if (ws->rows < n)
			len += (size_t) n * (1 + (size_t) p) + 3 * (size_t) p + 2 * (size_t) p * p;
		ws->buf = malloc(sizeof(double) * len);
		if (ws->buf == NULL)
		{
			noa_nls_free(ws);
			return NULL;
		}
		ws->qa = ws->buf;
		ws->qtau = ws->qa + rows * p;
		ws->qb = ws->qtau + p;
		if (ws->rows < n)
		{
			ws->f = ws->qb + rows;
			ws->jac = ws->f + n;
			ws->key = ws->jac + (size_t) n * p;
			ws->w = ws->key + p;
			ws->eval = ws->w + p;
			ws->s = ws->eval + p;
			ws->evec = ws->s + (size_t) p * p;
			ws->eig = gsl_eigen_symmv_alloc((size_t) p);
			if (ws->eig == NULL)
			{
				noa_nls_free(ws);
				return NULL;
			}
		}
	}
	ws->gsl = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params,
										 (size_t) ws->rows, (size_t) p);
	if (ws->gsl == NULL)
	{
		noa_nls_free(ws);
		return NULL;
	}
	return ws;
}

/* Set the ftol convergence test of later solves (see nls.h). */
int
noa_nls_set_ftol(noa_nls_workspace *ws, double ftol)
{
	if (ws == NULL || !(ftol >= 0.0))
		return NOA_NLS_INVALID;
	ws->ftol = ftol;
	return NOA_NLS_OK;
}

/* Free a workspace and its GSL memory. */
void
noa_nls_free(noa_nls_workspace *ws)
{
	if (ws == NULL)
		return;
	if (ws->gsl != NULL)
		gsl_multifit_nlinear_free(ws->gsl);
	if (ws->eig != NULL)
		gsl_eigen_symmv_free(ws->eig);
	free(ws->buf);
	free(ws);
}

/* Copy the solver's current point and cost out to the caller. */
static void
nls_collect(const noa_nls_workspace *ws, double *param, noa_nls_result *result)
{
	gsl_vector *x = gsl_multifit_nlinear_position(ws->gsl);
	gsl_vector *f = gsl_multifit_nlinear_residual(ws->gsl);
	double		norm = gsl_blas_dnrm2(f);
	int			j;

	for (j = 0; j < ws->p; j++)
		param[j] = gsl_vector_get(x, (size_t) j);
	result->ssr = norm * norm;
}

/*
 * GSL's gradient test at the current point: max_i |g_i| max(x_i, 1) <=
 * gtol max(||f||²/2, 1), with g = Jᵀf as the solver keeps it.
 */
static int
nls_gradient_small(const noa_nls_workspace *ws, double gtol)
{
	const gsl_multifit_nlinear_workspace *w = ws->gsl;
	double		fnorm = gsl_blas_dnrm2(w->f);
	double		gnorm = 0.0;
	int			j;

	for (j = 0; j < ws->p; j++)
		gnorm = fmax(gnorm, fabs(gsl_vector_get(w->g, (size_t) j)) *
					 fmax(gsl_vector_get(w->x, (size_t) j), 1.0));
	return gnorm <= gtol * fmax(0.5 * fnorm * fnorm, 1.0);
}

/*
 * The ftol test at the current point: Householder QR of the Jacobian GSL
 * holds (J = Q R; p+1 rows when reduced), and the squared norm of the first
 * p components of Qᵀf, the decrease the Gauss-Newton step predicts.  A
 * rank-deficient J only makes that an overestimate (not converged).
 */
static int
nls_model_converged(noa_nls_workspace *ws, double ftol)
{
	const gsl_multifit_nlinear_workspace *w = ws->gsl;
	const size_t rows = (size_t) ws->rows,
				p = (size_t) ws->p;
	gsl_matrix_view a = gsl_matrix_view_array(ws->qa, rows, p);
	gsl_vector_view tau = gsl_vector_view_array(ws->qtau, p);
	gsl_vector_view b = gsl_vector_view_array(ws->qb, rows);
	double		ff = 0.0,
				pred = 0.0;
	size_t		i;

	if (gsl_matrix_memcpy(&a.matrix, w->J) != GSL_SUCCESS ||
		gsl_vector_memcpy(&b.vector, w->f) != GSL_SUCCESS)
		return 0;
	for (i = 0; i < rows; i++)
		ff += ws->qb[i] * ws->qb[i];
	if (gsl_linalg_QR_decomp(&a.matrix, &tau.vector) != GSL_SUCCESS ||
		gsl_linalg_QR_QTvec(&a.matrix, &tau.vector, &b.vector) != GSL_SUCCESS)
		return 0;
	for (i = 0; i < p; i++)
		pred += ws->qb[i] * ws->qb[i];
	return pred <= ftol * ff;	/* false for NaN */
}

/*
 * Drive trust-region iterations from param until a tolerance test passes
 * (GSL's xtol and gtol tests, then the workspace's ftol test when set), the
 * budget is spent, no step reduces the cost, or the caller interrupts.
 * "No progress" (GSL_ENOPROG: 16 consecutive rejected steps while the trust
 * region shrinks) after at least one accepted step means no direction lowers
 * the cost at working precision, which is counted as convergence; on the very
 * first iteration it means the start itself could not be improved: failure
 * (a start that already passes the gradient test is reported converged
 * with 0 iterations before any step is tried).
 */
int
noa_nls_solve(noa_nls_workspace *ws, const noa_nls_problem *problem,
			  const noa_nls_options *opt, double *param, noa_nls_result *result)
{
	gsl_multifit_nlinear_fdf fdf;
	gsl_vector_view x0;
	nls_context ctx;
	int			status,
				info,
				iter = 0;

	result->status = NOA_NLS_FAILED;
	result->iterations = 0;
	result->ssr = 0.0;
	if (ws == NULL || problem == NULL || opt == NULL || param == NULL ||
		problem->n != ws->n || problem->p != ws->p ||
		problem->residual == NULL || problem->jacobian == NULL ||
		opt->max_iterations < 0)
		return NOA_NLS_INVALID;

	ctx.problem = problem;
	ctx.ws = ws;
	ctx.started = 0;
	ws->have_f = 0;
	fdf.f = ws->rows < ws->n ? nls_f_reduced : nls_f;
	fdf.df = ws->rows < ws->n ? nls_df_reduced : nls_df;
	fdf.fvv = NULL;
	fdf.n = (size_t) ws->rows;
	fdf.p = (size_t) problem->p;
	fdf.params = &ctx;

	x0 = gsl_vector_view_array(param, (size_t) problem->p);
	status = gsl_multifit_nlinear_init(&x0.vector, &fdf, ws->gsl);
	if (status != GSL_SUCCESS)
	{
		result->ssr = HUGE_VAL; /* the start cannot be evaluated: failed */
		return NOA_NLS_OK;
	}
	ctx.started = 1;

	/* A start that is already stationary needs no step (and would find none). */
	if (nls_gradient_small(ws, opt->gtol))
	{
		result->status = NOA_NLS_CONVERGED;
		nls_collect(ws, param, result);
		return NOA_NLS_OK;
	}

	for (;;)
	{
		if (opt->interrupted != NULL && opt->interrupted(opt->interrupt_arg))
		{
			nls_collect(ws, param, result);
			result->iterations = iter;
			return NOA_NLS_INTERRUPTED;
		}
		if (iter >= opt->max_iterations)
		{
			result->status = NOA_NLS_MAX_ITERATIONS;
			break;
		}
		status = gsl_multifit_nlinear_iterate(ws->gsl);
		iter++;
		if (status == GSL_ENOPROG)
		{
			result->status = iter > 1 ? NOA_NLS_CONVERGED : NOA_NLS_FAILED;
			break;
		}
		if (status != GSL_SUCCESS)
			break;				/* a callback failed: NOA_NLS_FAILED */
		status = gsl_multifit_nlinear_test(opt->xtol, opt->gtol, 0.0, &info, ws->gsl);
		if (status == GSL_SUCCESS)
		{
			result->status = NOA_NLS_CONVERGED;
			break;
		}
		if (status != GSL_CONTINUE)
			break;
		if (ws->ftol > 0.0 && nls_model_converged(ws, ws->ftol))
		{
			result->status = NOA_NLS_CONVERGED;
			break;
		}
	}
	nls_collect(ws, param, result);
	result->iterations = iter;
	return NOA_NLS_OK;
}

/* Lower triangle of aᵀa for a row-major n × p matrix a, into g (p × p). */
static void
nls_gram(int n, int p, const double *a, double *g)
{
	int			j,
				k;

	for (j = 0; j < p; j++)
		for (k = 0; k <= j; k++)
			g[j * p + k] = nls_dot(a + j, (size_t) p, a + k, (size_t) p, n);
}

/*
 * R of a = QR (n × p, columns of unit norm) by CholeskyQR2: R1 = chol(aᵀa),
 * q = a R1⁻¹, R = chol(qᵀq) R1.  The second pass restores what the normal
 * equations lose, which makes R as accurate as a Householder QR's as long as
 * a is well conditioned (Yamamoto et al., 2015); it is only used when the
 * estimated reciprocal condition number of aᵀa is at least
 * NLS_CHOLQR_RCOND (cond(a) <= 1e4), and costs a few dot products over the
 * rows instead of level-1/2 BLAS per Householder reflection.  Returns 0 with
 * the upper triangle of r (p × p, lower zeroed), or -1: use Householder.
 */
static int
nls_cholqr2(int n, int p, const double *a, double *q, double *r, double *g,
			double *work)
{
	gsl_matrix_view gv = gsl_matrix_view_array(g, (size_t) p, (size_t) p),
				rv = gsl_matrix_view_array(r, (size_t) p, (size_t) p);
	gsl_vector_view wv = gsl_vector_view_array(work, 3 * (size_t) p);
	double		rc;
	int			i,
				j,
				k;

	nls_gram(n, p, a, g);
	if (gsl_linalg_cholesky_decomp1(&gv.matrix) != GSL_SUCCESS ||
		gsl_linalg_cholesky_rcond(&gv.matrix, &rc, &wv.vector) != GSL_SUCCESS ||
		!(rc >= NLS_CHOLQR_RCOND))
		return -1;
	for (j = 0; j < p; j++)
		for (k = 0; k < p; k++)
			r[j * p + k] = k >= j ? g[k * p + j] : 0.0;	/* R1 = L1ᵀ */
	/* q = a L1ᵀ⁻¹, row by row (forward substitution, reciprocal pivots). */
	for (j = 0; j < p; j++)
		work[j] = 1.0 / g[j * p + j];
	for (i = 0; i < n; i++)
	{
		const double *ai = a + (size_t) i * p;
		double	   *qi = q + (size_t) i * p;

		for (j = 0; j < p; j++)
		{
			double		t = ai[j];

			for (k = 0; k < j; k++)
				t -= g[j * p + k] * qi[k];
			qi[j] = t * work[j];
		}
	}
	nls_gram(n, p, q, g);
	if (gsl_linalg_cholesky_decomp1(&gv.matrix) != GSL_SUCCESS ||
		gsl_blas_dtrmm(CblasLeft, CblasLower, CblasTrans, CblasNonUnit, 1.0,
					   &gv.matrix, &rv.matrix) != GSL_SUCCESS)
		return -1;
	for (j = 0; j < p * p; j++)
		if (!isfinite(r[j]))
			return -1;
	return 0;
}

/*
 * s² (JᵀJ)⁻¹ through J·D = QR and R = U S Vᵀ (one-sided Jacobi, which keeps
 * small singular values accurate): (JᵀJ)⁻¹ = D V S⁻² Vᵀ D, with D the
 * reciprocal column norms of J.  R comes from nls_cholqr2 when J·D is well
 * conditioned, from Householder QR otherwise.
 */
int
noa_nls_covariance(int n, int p, const double *jac, double ssr,
				   double rcond_min, double *cov, double *rcond)
{
	double	   *buf,
			   *a,
			   *q,
			   *tau,
			   *r,
			   *v,
			   *g,
			   *s,
			   *d,
			   *work;
	gsl_matrix_view av,
				rv,
				vv;
	gsl_vector_view tv,
				sv;
	double		smin,
				smax,
				s2;
	int			i,
				j,
				k,
				rc = NOA_NLS_SINGULAR;

	if (rcond != NULL)
		*rcond = 0.0;
	if (n <= p || p < 1 || jac == NULL || cov == NULL || !(ssr >= 0.0) || !isfinite(ssr))
		return NOA_NLS_INVALID;
	memset(cov, 0, sizeof(double) * (size_t) p * (size_t) p);

	buf = malloc(sizeof(double) * (2 * (size_t) n * p + 3 * (size_t) p * p + 6 * (size_t) p));
	if (buf == NULL)
		return NOA_NLS_NOMEM;
	a = buf;
	q = a + (size_t) n * p;
	r = q + (size_t) n * p;
	v = r + (size_t) p * p;
	g = v + (size_t) p * p;
	tau = g + (size_t) p * p;
	s = tau + p;
	d = s + p;
	work = d + p;

	/*
	 * Equilibrate the columns: scale column j by d_j = 1/||J_j|| (the norm
	 * from a plain sum of squares, or from the overflow-safe dnrm2 when that
	 * sum over- or underflows); the same d_j unscale the result.
	 */
	for (j = 0; j < p; j++)
	{
		double		ss = nls_dot(jac + j, (size_t) p, jac + j, (size_t) p, n),
					norm;

		if (isfinite(ss) && ss >= NLS_SUMSQ_MIN)
			norm = sqrt(ss);
		else
		{
			gsl_vector_const_view col = gsl_vector_const_view_array_with_stride(jac + j, (size_t) p, (size_t) n);

			norm = gsl_blas_dnrm2(&col.vector);
		}
		d[j] = 1.0 / norm;
		if (!(norm > 0.0) || !isfinite(norm) || !(d[j] > 0.0) || !isfinite(d[j]))
			goto done;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < p; j++)
			a[(size_t) i * p + j] = jac[(size_t) i * p + j] * d[j];

	if (nls_cholqr2(n, p, a, q, r, g, work) != 0)
	{
		av = gsl_matrix_view_array(a, (size_t) n, (size_t) p);
		tv = gsl_vector_view_array(tau, (size_t) p);
		if (gsl_linalg_QR_decomp(&av.matrix, &tv.vector) != GSL_SUCCESS)
			goto done;
		for (i = 0; i < p; i++)
			for (j = 0; j < p; j++)
				r[i * p + j] = j >= i ? a[(size_t) i * p + j] : 0.0;
	}

	rv = gsl_matrix_view_array(r, (size_t) p, (size_t) p);
	vv = gsl_matrix_view_array(v, (size_t) p, (size_t) p);
	sv = gsl_vector_view_array(s, (size_t) p);
	if (gsl_linalg_SV_decomp_jacobi(&rv.matrix, &vv.matrix, &sv.vector) != GSL_SUCCESS)
		goto done;

	smin = smax = s[0];
	for (k = 1; k < p; k++)
	{
		smin = fmin(smin, s[k]);
		smax = fmax(smax, s[k]);
	}
	if (!(smax > 0.0) || !isfinite(smax))
		goto done;
	if (rcond != NULL)
		*rcond = smin / smax;
	if (!(smin / smax >= rcond_min) || !(smin > 0.0))
		goto done;

	s2 = ssr / (double) (n - p);
	for (i = 0; i < p; i++)
		for (j = 0; j <= i; j++)
		{
			double		acc = 0.0;

			for (k = 0; k < p; k++)
				acc += v[i * p + k] * v[j * p + k] / (s[k] * s[k]);
			cov[i * p + j] = cov[j * p + i] = s2 * acc * (d[i] * d[j]);
		}
	rc = NOA_NLS_OK;
	for (k = 0; k < p * p; k++)
		if (!isfinite(cov[k]))
			rc = NOA_NLS_SINGULAR;
	if (rc != NOA_NLS_OK)
		memset(cov, 0, sizeof(double) * (size_t) p * (size_t) p);

done:
	free(buf);
	return rc;
}
