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
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit_nlinear.h>

/*
 * Residual value substituted for a non-finite trial residual: large enough
 * that the trial step is always rejected, small enough that ||f|| stays finite.
 */
#define NLS_WALL 1e100

struct noa_nls_workspace
{
	int			n;
	int			p;
	gsl_multifit_nlinear_workspace *gsl;
};

/* What the GSL callbacks need: the user's problem and the solve phase. */
typedef struct nls_context
{
	const noa_nls_problem *problem;
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

/* Allocate the GSL workspace for one (n, p) shape and method. */
noa_nls_workspace *
noa_nls_alloc(int n, int p, int flags)
{
	noa_nls_workspace *ws;
	gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();

	if (p < 1 || n < p)
		return NULL;
	ws = malloc(sizeof(noa_nls_workspace));
	if (ws == NULL)
		return NULL;
	params.trs = (flags & NOA_NLS_GEODESIC) ? gsl_multifit_nlinear_trs_lmaccel
		: gsl_multifit_nlinear_trs_lm;
	params.solver = (flags & NOA_NLS_CHOLESKY) ? gsl_multifit_nlinear_solver_cholesky
		: gsl_multifit_nlinear_solver_qr;
	params.scale = gsl_multifit_nlinear_scale_more;
	ws->n = n;
	ws->p = p;
	ws->gsl = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params,
										 (size_t) n, (size_t) p);
	if (ws->gsl == NULL)
	{
		free(ws);
		return NULL;
	}
	return ws;
}

/* Free a workspace and its GSL memory. */
void
noa_nls_free(noa_nls_workspace *ws)
{
	if (ws == NULL)
		return;
	gsl_multifit_nlinear_free(ws->gsl);
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
 * Drive trust-region iterations from param until a tolerance test passes, the
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
	ctx.started = 0;
	fdf.f = nls_f;
	fdf.df = nls_df;
	fdf.fvv = NULL;
	fdf.n = (size_t) problem->n;
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
	}
	nls_collect(ws, param, result);
	result->iterations = iter;
	return NOA_NLS_OK;
}

/*
 * s² (JᵀJ)⁻¹ through J·D⁻¹ = QR and R = U S Vᵀ (one-sided Jacobi, which keeps
 * small singular values accurate): (JᵀJ)⁻¹ = D⁻¹ V S⁻² Vᵀ D⁻¹, with D the
 * column norms of J.
 */
int
noa_nls_covariance(int n, int p, const double *jac, double ssr,
				   double rcond_min, double *cov, double *rcond)
{
	double	   *buf,
			   *a,
			   *tau,
			   *r,
			   *v,
			   *s,
			   *d;
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

	buf = malloc(sizeof(double) * ((size_t) n * p + 2 * (size_t) p * p + 3 * (size_t) p));
	if (buf == NULL)
		return NOA_NLS_NOMEM;
	a = buf;
	r = a + (size_t) n * p;
	v = r + (size_t) p * p;
	tau = v + (size_t) p * p;
	s = tau + p;
	d = s + p;

	/* Equilibrate the columns. */
	for (j = 0; j < p; j++)
	{
		gsl_vector_const_view col = gsl_vector_const_view_array_with_stride(jac + j, (size_t) p, (size_t) n);

		d[j] = gsl_blas_dnrm2(&col.vector);
		if (!(d[j] > 0.0) || !isfinite(d[j]))
			goto done;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < p; j++)
			a[(size_t) i * p + j] = jac[(size_t) i * p + j] / d[j];

	av = gsl_matrix_view_array(a, (size_t) n, (size_t) p);
	tv = gsl_vector_view_array(tau, (size_t) p);
	if (gsl_linalg_QR_decomp(&av.matrix, &tv.vector) != GSL_SUCCESS)
		goto done;
	for (i = 0; i < p; i++)
		for (j = 0; j < p; j++)
			r[i * p + j] = j >= i ? a[(size_t) i * p + j] : 0.0;

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
			cov[i * p + j] = cov[j * p + i] = s2 * acc / (d[i] * d[j]);
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
