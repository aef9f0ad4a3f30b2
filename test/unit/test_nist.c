/*
 * test_nist.c — the generic solver (nls.h) and its covariance helper, and
 * the NIST StRD nonlinear-regression problems: the solver from both NIST
 * starts, and the curve fitter (curve_fit.h) with its own automatic starts
 * on the problems that are response curves.  Prints the LRE table as TAP
 * comments.
 *
 * Data: test/data/nist/<Name>.csv (read relative to the repository root).
 * Certified values, SDs and residual sums of squares are copied from
 * /work/shared/reference/nist/certified.json (NIST StRD .dat files, via
 * lmfit/lmfit-py NIST_STRD at fe389bbb; see test/data/nist/LICENSE.md).
 */
#include <float.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "unit.h"
#include "curve_fit.h"
#include "nls.h"

#define NIST_MAX_OBS 64
#define NIST_MAX_P 7

typedef struct nist_data
{
	int			n;
	double		x[NIST_MAX_OBS];
	double		y[NIST_MAX_OBS];
} nist_data;

/* Model value and its gradient ∂f/∂b_j at one x. */
typedef void (*nist_model_fn) (const double *b, double x, double *f, double *grad);

/* One NIST problem, as published. */
typedef struct nist_problem
{
	const char *name;
	int			p;
	nist_model_fn model;
	double		start1[NIST_MAX_P];
	double		start2[NIST_MAX_P];
	double		cert[NIST_MAX_P];
	double		cert_sd[NIST_MAX_P];
	double		cert_rss;
} nist_problem;

/* b1*(1-exp(-b2*x)): Misra1a and BoxBOD. */
static void
model_exp(const double *b, double x, double *f, double *g)
{
	double		e = exp(-b[1] * x);

	*f = -b[0] * expm1(-b[1] * x);
	g[0] = -expm1(-b[1] * x);
	g[1] = b[0] * x * e;
}

/* b1*(1-(1+b2*x/2)**(-2)): Misra1b. */
static void
model_misra1b(const double *b, double x, double *f, double *g)
{
	double		t = 1.0 + 0.5 * b[1] * x;

	*f = b[0] * (1.0 - 1.0 / (t * t));
	g[0] = 1.0 - 1.0 / (t * t);
	g[1] = b[0] * x / (t * t * t);
}

/* b1*(1-(1+2*b2*x)**(-0.5)): Misra1c. */
static void
model_misra1c(const double *b, double x, double *f, double *g)
{
	double		t = 1.0 + 2.0 * b[1] * x;
	double		rs = 1.0 / sqrt(t);

	*f = b[0] * (1.0 - rs);
	g[0] = 1.0 - rs;
	g[1] = b[0] * x * rs / t;
}

/* b1*b2*x*((1+b2*x)**(-1)): Misra1d. */
static void
model_misra1d(const double *b, double x, double *f, double *g)
{
	double		t = 1.0 + b[1] * x;

	*f = b[0] * b[1] * x / t;
	g[0] = b[1] * x / t;
	g[1] = b[0] * x / (t * t);
}

/* b1/(1+exp(b2-b3*x)): Rat42. */
static void
model_rat42(const double *b, double x, double *f, double *g)
{
	double		e = exp(b[1] - b[2] * x);
	double		q = 1.0 + e;

	*f = b[0] / q;
	g[0] = 1.0 / q;
	g[1] = -b[0] * e / (q * q);
	g[2] = b[0] * x * e / (q * q);
}

/* b1/((1+exp(b2-b3*x))**(1/b4)): Rat43. */
static void
model_rat43(const double *b, double x, double *f, double *g)
{
	double		e = exp(b[1] - b[2] * x);
	double		q = 1.0 + e;
	double		w = pow(q, -1.0 / b[3]);

	*f = b[0] * w;
	g[0] = w;
	g[1] = -b[0] / b[3] * w * e / q;
	g[2] = b[0] / b[3] * w * e * x / q;
	g[3] = b[0] * w * log(q) / (b[3] * b[3]);
}

/* (b1/b2)*exp(-0.5*((x-b3)/b2)**2): Eckerle4. */
static void
model_eckerle4(const double *b, double x, double *f, double *g)
{
	double		z = (x - b[2]) / b[1];
	double		e = exp(-0.5 * z * z);

	*f = b[0] / b[1] * e;
	g[0] = e / b[1];
	g[1] = b[0] * e * (z * z - 1.0) / (b[1] * b[1]);
	g[2] = b[0] * e * z / (b[1] * b[1]);
}

/* b1*(x**2+x*b2)/(x**2+x*b3+b4): MGH09. */
static void
model_mgh09(const double *b, double x, double *f, double *g)
{
	double		num = x * x + x * b[1];
	double		den = x * x + x * b[2] + b[3];

	*f = b[0] * num / den;
	g[0] = num / den;
	g[1] = b[0] * x / den;
	g[2] = -b[0] * num * x / (den * den);
	g[3] = -b[0] * num / (den * den);
}

/* Cubic over cubic: Thurber. */
static void
model_thurber(const double *b, double x, double *f, double *g)
{
	double		x2 = x * x,
				x3 = x2 * x;
	double		num = b[0] + b[1] * x + b[2] * x2 + b[3] * x3;
	double		den = 1.0 + b[4] * x + b[5] * x2 + b[6] * x3;

	*f = num / den;
	g[0] = 1.0 / den;
	g[1] = x / den;
	g[2] = x2 / den;
	g[3] = x3 / den;
	g[4] = -num * x / (den * den);
	g[5] = -num * x2 / (den * den);
	g[6] = -num * x3 / (den * den);
}

/* Starts, certified values, SDs and RSS from certified.json. */
static const nist_problem problems[] = {
	{"Misra1a", 2, model_exp,
		{500, 0.0001}, {250, 0.0005},
		{2.3894212918E+02, 5.5015643181E-04},
		{2.7070075241E+00, 7.2668688436E-06}, 1.2455138894E-01},
	{"Misra1b", 2, model_misra1b,
		{500, 0.0001}, {300, 0.0002},
		{3.3799746163E+02, 3.9039091287E-04},
		{3.1643950207E+00, 4.2547321834E-06}, 7.5464681533E-02},
	{"Misra1c", 2, model_misra1c,
		{500, 0.0001}, {600, 0.0002},
		{6.3642725809E+02, 2.0813627256E-04},
		{4.6638326572E+00, 1.7728423155E-06}, 4.0966836971E-02},
	{"Misra1d", 2, model_misra1d,
		{500, 0.0001}, {450, 0.0003},
		{4.3736970754E+02, 3.0227324449E-04},
		{3.6489174345E+00, 2.9334354479E-06}, 5.6419295283E-02},
	{"Rat42", 3, model_rat42,
		{100, 1, 0.1}, {75, 2.5, 0.07},
		{7.2462237576E+01, 2.6180768402E+00, 6.7359200066E-02},
		{1.7340283401E+00, 8.8295217536E-02, 3.4465663377E-03}, 8.0565229338E+00},
	{"Rat43", 4, model_rat43,
		{100, 10, 1, 1}, {700, 5, 0.75, 1.3},
		{6.9964151270E+02, 5.2771253025E+00, 7.5962938329E-01, 1.2792483859E+00},
		{1.6302297817E+01, 2.0828735829E+00, 1.9566123451E-01, 6.8761936385E-01},
	8.7864049080E+03},
	{"BoxBOD", 2, model_exp,
		{1, 1}, {100, 0.75},
		{2.1380940889E+02, 5.4723748542E-01},
		{1.2354515176E+01, 1.0455993237E-01}, 1.1680088766E+03},
	{"Eckerle4", 3, model_eckerle4,
		{1, 10, 500}, {1.5, 5, 450},
		{1.5543827178E+00, 4.0888321754E+00, 4.5154121844E+02},
		{1.5408051163E-02, 4.6803020753E-02, 4.6800518816E-02}, 1.4635887487E-03},
	{"MGH09", 4, model_mgh09,
		{25, 39, 41.5, 39}, {0.25, 0.39, 0.415, 0.39},
		{1.9280693458E-01, 1.9128232873E-01, 1.2305650693E-01, 1.3606233068E-01},
		{1.1435312227E-02, 1.9633220911E-01, 8.0842031232E-02, 9.0025542308E-02},
	3.0750560385E-04},
	{"Thurber", 7, model_thurber,
		{1000, 1000, 400, 40, 0.7, 0.3, 0.03}, {1300, 1500, 500, 75, 1, 0.4, 0.05},
		{1.2881396800E+03, 1.4910792535E+03, 5.8323836877E+02, 7.5416644291E+01,
		9.6629502864E-01, 3.9797285797E-01, 4.9727297349E-02},
		{4.6647963344E+00, 3.9571156086E+01, 2.8698696102E+01, 5.5675370270E+00,
		3.1333340687E-02, 1.4984928198E-02, 6.5842344623E-03}, 5.6427082397E+03},
};

#define N_PROBLEMS ((int) (sizeof(problems) / sizeof(problems[0])))

/* Read test/data/nist/<name>.csv ("x,y" header, one observation per line). */
static int
nist_read(const char *name, nist_data *d)
{
	char		path[256],
				line[256];
	FILE	   *fp;

	snprintf(path, sizeof(path), "test/data/nist/%s.csv", name);
	fp = fopen(path, "r");
	if (fp == NULL)
		return -1;
	d->n = 0;
	if (fgets(line, sizeof(line), fp) == NULL)
	{
		fclose(fp);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL && d->n < NIST_MAX_OBS)
	{
		char	   *end;

		d->x[d->n] = strtod(line, &end);
		if (*end != ',')
			continue;
		d->y[d->n] = strtod(end + 1, NULL);
		d->n++;
	}
	fclose(fp);
	return 0;
}

/* A problem bound to its data: the argument of the solver callbacks. */
typedef struct nist_fit
{
	const nist_problem *prob;
	const nist_data *data;
} nist_fit;

/* Residuals f_i = model(x_i) - y_i. */
static int
nist_residual(const double *b, double *f, void *arg)
{
	const nist_fit *fit = arg;
	double		g[NIST_MAX_P];
	int			i;

	for (i = 0; i < fit->data->n; i++)
	{
		fit->prob->model(b, fit->data->x[i], &f[i], g);
		f[i] -= fit->data->y[i];
	}
	return 0;
}

/* Analytic Jacobian, row-major n×p. */
static int
nist_jacobian(const double *b, double *jac, void *arg)
{
	const nist_fit *fit = arg;
	double		f;
	int			i;

	for (i = 0; i < fit->data->n; i++)
		fit->prob->model(b, fit->data->x[i], &f, jac + (size_t) i * fit->prob->p);
	return 0;
}

/* Minimum LRE over a vector against certified values. */
static double
min_lre(const double *est, const double *cert, int p)
{
	double		m = 15.0;
	int			j;

	for (j = 0; j < p; j++)
		m = fmin(m, unit_lre(est[j], cert[j]));
	return m;
}

/* Outcome of one solve, scored against the certified values. */
typedef struct nist_score
{
	noa_nls_result res;
	double		b[NIST_MAX_P];
	double		lre_param;		/* min over parameters */
	double		lre_ssr;
	double		lre_sd;			/* min over certified SDs */
} nist_score;

/* Solve one problem from one start with the given method flags; score it. */
static int
nist_solve(const nist_problem *pr, const nist_data *d, const double *start,
		   int flags, nist_score *sc)
{
	noa_nls_options opt = {1000, 1e-12, 1e-12, NULL, NULL};
	nist_fit	fit = {pr, d};
	noa_nls_problem np = {d->n, pr->p, nist_residual, nist_jacobian, &fit};
	noa_nls_workspace *ws = noa_nls_alloc(d->n, pr->p, flags);
	double		jac[NIST_MAX_OBS * NIST_MAX_P],
				cov[NIST_MAX_P * NIST_MAX_P],
				sd[NIST_MAX_P];
	int			rc,
				j;

	memset(sc, 0, sizeof(*sc));
	if (ws == NULL)
		return NOA_NLS_NOMEM;
	memcpy(sc->b, start, sizeof(double) * pr->p);
	rc = noa_nls_solve(ws, &np, &opt, sc->b, &sc->res);
	noa_nls_free(ws);
	if (rc != NOA_NLS_OK)
		return rc;
	nist_jacobian(sc->b, jac, &fit);
	if (noa_nls_covariance(d->n, pr->p, jac, sc->res.ssr, 1e-14, cov, NULL) == NOA_NLS_OK)
		for (j = 0; j < pr->p; j++)
			sd[j] = sqrt(cov[j * pr->p + j]);
	else
		memset(sd, 0, sizeof(sd));
	sc->lre_param = min_lre(sc->b, pr->cert, pr->p);
	sc->lre_ssr = unit_lre(sc->res.ssr, pr->cert_rss);
	sc->lre_sd = min_lre(sd, pr->cert_sd, pr->p);
	return NOA_NLS_OK;
}

/* Print one row of the LRE table as a TAP comment. */
static void
nist_report(const char *name, const char *how, const nist_score *sc)
{
	printf("# %-8s %-15s LRE=%4.1f  ssr LRE=%4.1f  sd LRE=%4.1f  iterations=%d\n",
		   name, how, sc->lre_param, sc->lre_ssr, sc->lre_sd, sc->res.iterations);
}

/*
 * (a) The generic solver (LM, QR, More scaling) with each problem's analytic
 * Jacobian from both NIST starts: min LRE >= 6 on the parameters and the RSS,
 * >= 3 on the certified SDs.  One start is a documented failure:
 * BoxBOD start 1 (1, 1) — GSL's own test suite disables it for every method.
 * From there LM walks onto the plateau b2 -> large where 1-exp(-b2 x) = 1 at
 * every x and stops, stationary, at b1 = mean(y); that is asserted as is,
 * and geodesic acceleration (NOA_NLS_GEODESIC) is shown to solve it.
 */
static void
test_solver(void)
{
	int			k,
				s;

	printf("# NIST StRD, generic solver (noa_nls: GSL trust region, LM + QR)\n");
	for (k = 0; k < N_PROBLEMS; k++)
	{
		const nist_problem *pr = &problems[k];
		nist_data	d;

		if (nist_read(pr->name, &d) != 0)
		{
			CHECK(0, "%s: read test/data/nist/%s.csv", pr->name, pr->name);
			continue;
		}
		for (s = 1; s <= 2; s++)
		{
			nist_score	sc;
			char		how[32];
			int			rc = nist_solve(pr, &d, s == 1 ? pr->start1 : pr->start2, 0, &sc);

			snprintf(how, sizeof(how), "start%d", s);
			nist_report(pr->name, how, &sc);
			if (strcmp(pr->name, "BoxBOD") == 0 && s == 1)
			{
				CHECK(rc == NOA_NLS_OK && sc.res.status == NOA_NLS_CONVERGED &&
					  sc.b[1] > 10.0 && sc.res.ssr > 5.0 * pr->cert_rss &&
					  sc.lre_param < 1.0,
					  "%s start1: known failure, stops on the plateau b2 = %.4g (rss %.6g vs %.6g)",
					  pr->name, sc.b[1], sc.res.ssr, pr->cert_rss);
				rc = nist_solve(pr, &d, pr->start1, NOA_NLS_GEODESIC, &sc);
				nist_report(pr->name, "start1+geodesic", &sc);
				snprintf(how, sizeof(how), "start1 geodesic");
			}
			CHECK(rc == NOA_NLS_OK && sc.res.status == NOA_NLS_CONVERGED &&
				  sc.lre_param >= 6.0 && sc.lre_ssr >= 6.0,
				  "%s %s: converged, parameter LRE %.1f, rss LRE %.1f",
				  pr->name, how, sc.lre_param, sc.lre_ssr);
			CHECK(sc.lre_sd >= 3.0, "%s %s: certified SD LRE %.1f",
				  pr->name, how, sc.lre_sd);
		}
	}
}

/*
 * (b) The curve fitter with its automatic starts on the NIST problems that
 * are response curves: Misra1a and BoxBOD are exponential (b1 = b,
 * b2 = 1/k), Misra1d is michaelis_menten (b1 = b, b2 = 1/k).  SD of b2 by
 * the exact linearised transform sd(k)/k².
 */
static void
test_curve_fit(void)
{
	static const struct
	{
		const char *name;
		noa_model	model;
	}			cases[] = {
		{"Misra1a", NOA_MODEL_EXPONENTIAL},
		{"BoxBOD", NOA_MODEL_EXPONENTIAL},
		{"Misra1d", NOA_MODEL_MICHAELIS_MENTEN},
	};
	int			c,
				k;

	printf("# NIST StRD, noa_curve_fit with automatic starts\n");
	for (c = 0; c < (int) (sizeof(cases) / sizeof(cases[0])); c++)
	{
		const nist_problem *pr = NULL;
		nist_data	d;
		noa_curve	fit;
		double		b[2],
					sd[2];
		double		lre_p,
					lre_ssr,
					lre_sd;
		int			rc;

		for (k = 0; k < N_PROBLEMS; k++)
			if (strcmp(problems[k].name, cases[c].name) == 0)
				pr = &problems[k];
		if (pr == NULL || nist_read(pr->name, &d) != 0)
		{
			CHECK(0, "%s: problem and data available", cases[c].name);
			continue;
		}
		rc = noa_curve_fit(cases[c].model, d.x, d.y, d.n, NULL, &fit);
		b[0] = fit.param[0];
		b[1] = 1.0 / fit.param[1];
		sd[0] = sqrt(fit.cov[0]);
		sd[1] = sqrt(fit.cov[NOA_MAX_PARAMS + 1]) / (fit.param[1] * fit.param[1]);
		lre_p = min_lre(b, pr->cert, 2);
		lre_ssr = unit_lre(fit.ssr, pr->cert_rss);
		lre_sd = min_lre(sd, pr->cert_sd, 2);
		printf("# %-8s %-15s LRE=%4.1f  ssr LRE=%4.1f  sd LRE=%4.1f  iterations=%d starts=%d\n",
			   pr->name, noa_model_name(cases[c].model), lre_p, lre_ssr, lre_sd,
			   fit.iterations, fit.n_starts);
		CHECK(rc == NOA_OK && fit.status == NOA_FIT_CONVERGED && lre_p >= 6.0 && lre_ssr >= 6.0,
			  "%s as %s, automatic starts: parameter LRE %.1f, rss LRE %.1f",
			  pr->name, noa_model_name(cases[c].model), lre_p, lre_ssr);
		CHECK(lre_sd >= 3.0, "%s as %s: certified SD LRE %.1f",
			  pr->name, noa_model_name(cases[c].model), lre_sd);
	}
}

/* The covariance helper: a known inverse, and singular Jacobians refused. */
static void
test_covariance(void)
{
	static const double jac[8] = {1, 0, 0, 1, 1, 1, 1, -1};	/* JᵀJ = 3 I */
	static const double dup[8] = {1, 2, 2, 4, 3, 6, 4, 8};	/* rank 1 */
	static const double zero[8] = {1, 0, 2, 0, 3, 0, 4, 0};	/* a zero column */
	double		cov[4],
				rcond;
	int			rc;

	rc = noa_nls_covariance(4, 2, jac, 4.0, 1e-12, cov, &rcond);
	CHECK(rc == NOA_NLS_OK && unit_close(cov[0], 2.0 / 3.0, 1e-14) &&
		  unit_close(cov[3], 2.0 / 3.0, 1e-14) && fabs(cov[1]) < 1e-15 &&
		  cov[1] == cov[2] && unit_close(rcond, 1.0, 1e-14),
		  "covariance: s² (JᵀJ)⁻¹ = (2/3) I for JᵀJ = 3 I, s² = 2");
	rc = noa_nls_covariance(4, 2, dup, 1.0, 1e-12, cov, &rcond);
	CHECK(rc == NOA_NLS_SINGULAR && cov[0] == 0.0 && cov[3] == 0.0 && rcond < 1e-12,
		  "covariance: proportional columns are singular (rcond %.1e), cov zeroed", rcond);
	rc = noa_nls_covariance(4, 2, zero, 1.0, 1e-12, cov, NULL);
	CHECK(rc == NOA_NLS_SINGULAR && cov[0] == 0.0, "covariance: a zero column is singular");
	CHECK(noa_nls_covariance(2, 2, jac, 1.0, 1e-12, cov, NULL) == NOA_NLS_INVALID &&
		  noa_nls_alloc(1, 2, 0) == NULL,
		  "n <= p is refused by the covariance and the workspace");
}

int
main(void)
{
	gsl_set_error_handler_off();
	test_covariance();
	test_solver();
	test_curve_fit();
	return unit_done();
}
