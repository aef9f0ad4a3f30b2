/*
 * kpi_calibrate.c — calibration of the KPI model with lift tests.
 *
 * A lift test measures the incremental KPI L of one channel over a window,
 * with standard error se.  For fixed carryover and saturation its prediction is
 * linear in the channel's effect β: β·S(α, κ, s), S the response of the test
 * per unit β (kpi_test_response).  The fit minimises
 *
 *   ‖y − base − Σ β f‖²  +  Σ_tests σ²_eff / se² · (L − β S)²
 *
 * which is the Gaussian log-likelihood of the data and of the tests scaled by
 * 2σ²_eff (PyMC-Marketing's lift-test likelihood, profiled): a test as precise
 * as the data's own information about β pulls as hard as the data.  σ²_eff is
 * the data-only fit's residual variance inflated by (1+ρ)/(1−ρ) for lag-1
 * residual autocorrelation ρ, because autocorrelated residuals carry less
 * information than their count suggests.  The nonlinear search sees the test
 * terms too, so a test also moves carryover and saturation, not only β.
 */
#include "kpi_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Response of a test per unit β: Σ over the window of sat(A) − sat(A^cf). */
double
kpi_test_response(const kpi_model *model, const kpi_test *test, int lag, int family,
				  double alpha, double kappa, double shape, double *scratch)
{
	int			start = test->first - lag + 1 > 0 ? test->first - lag + 1 : 0,
				len = test->last - start + 1,
				off = test->first - start,
				i;
	const double *x = model->spend + (size_t) test->channel * model->n + start;
	double	   *cf = scratch,
			   *fa = scratch + len,
			   *fb = scratch + 2 * (size_t) len,
				per_day = test->has_diff ? test->spend_diff / (test->last - test->first + 1) : 0.0,
				total = 0.0;

	for (i = 0; i < len; i++)
	{
		double		v = x[i];

		if (i >= off)
			v = test->has_diff ? (v - per_day > 0.0 ? v - per_day : 0.0) : 0.0;
		cf[i] = v;
	}
	kpi_adstock(x, len, alpha, lag, fa);
	kpi_adstock(cf, len, alpha, lag, fb);
	kpi_saturate(fa + off, len - off, family, kappa, shape, fa + off);
	kpi_saturate(fb + off, len - off, family, kappa, shape, fb + off);
	for (i = off; i < len; i++)
		total += fa[i] - fb[i];
	return total;
}

/* Allocate the workspace's test arrays and weigh each test (0 outside t < n). */
int
kpi_tests_init(kpi_work *w)
{
	const kpi_model *model = w->model;
	int			i,
				nt = model->n_tests;

	w->test_w2 = calloc(nt + 1, sizeof(double));
	w->test_lift = calloc(nt + 1, sizeof(double));
	w->test_S = calloc(nt + 1, sizeof(double));
	w->test_scratch = malloc(sizeof(double) * (3 * ((size_t) model->n + w->lag) + 1));
	if (!w->test_w2 || !w->test_lift || !w->test_S || !w->test_scratch)
		return KPI_ERR_NOMEM;
	for (i = 0; i < nt; i++)
	{
		const kpi_test *test = &model->tests[i];

		w->test_lift[i] = test->lift;
		w->test_w2[i] = test->last < w->n && model->test_sigma2 > 0.0
			? model->test_sigma2 / (test->se_fit * test->se_fit) : 0.0;
	}
	return KPI_OK;
}

/* Refresh the per-unit responses of channel k's tests at its current parameters. */
void
kpi_tests_refresh(kpi_work *w, int k)
{
	const kpi_model *model = w->model;
	int			i;

	for (i = 0; i < model->n_tests; i++)
		if (model->tests[i].channel == k && w->test_w2[i] > 0.0)
			w->test_S[i] = kpi_test_response(model, &model->tests[i], w->lag, w->family[k], w->alpha[k],
											 w->scale[k] * exp(w->logc[k]), w->shape[k], w->test_scratch);
}

/* Σ w²S² and Σ w²S·L of channel k's tests for candidate parameters. */
void
kpi_tests_candidate(kpi_work *w, int k, int family, double alpha, double logc, double shape,
					double *ss, double *sl)
{
	const kpi_model *model = w->model;
	int			i;

	*ss = 0.0;
	*sl = 0.0;
	for (i = 0; i < model->n_tests; i++)
		if (model->tests[i].channel == k && w->test_w2[i] > 0.0)
		{
			double		s = kpi_test_response(model, &model->tests[i], w->lag, family, alpha,
											  w->scale[k] * exp(logc), shape, w->test_scratch);

			*ss += w->test_w2[i] * s * s;
			*sl += w->test_w2[i] * s * w->test_lift[i];
		}
}

/* Σ w²S² and Σ w²S·L of channel k's tests at its current parameters. */
void
kpi_tests_current(const kpi_work *w, int k, double *ss, double *sl)
{
	int			i;

	*ss = 0.0;
	*sl = 0.0;
	for (i = 0; i < w->model->n_tests; i++)
		if (w->model->tests[i].channel == k && w->test_w2[i] > 0.0)
		{
			*ss += w->test_w2[i] * w->test_S[i] * w->test_S[i];
			*sl += w->test_w2[i] * w->test_S[i] * w->test_lift[i];
		}
}

/* The tests' share of the objective: Σ w² (L − β S)². */
double
kpi_tests_objective(const kpi_work *w)
{
	double		obj = 0.0;
	int			i;

	for (i = 0; i < w->model->n_tests; i++)
		if (w->test_w2[i] > 0.0)
		{
			double		d = w->test_lift[i] - w->beta[w->model->tests[i].channel] * w->test_S[i];

			obj += w->test_w2[i] * d * d;
		}
	return obj;
}

/* What is wrong with a test for this model, or NULL. */
const char *
kpi_test_problem(const kpi_model *model, const kpi_test *test)
{
	double		spent = 0.0;
	int			t;

	if (test->channel < 0 || test->channel >= model->m)
		return "unknown channel";
	if (model->ch[test->channel].flags & (KPI_CH_EXCLUDED | KPI_CH_COLLINEAR))
		return "the channel is not identifiable in the model (zero, constant or collinear spend)";
	if (test->first > test->last)
		return "the test ends before it starts";
	if (test->first < 0 || test->last >= model->n)
		return "the test window is outside the data's dates";
	if (!isfinite(test->lift))
		return "the measured lift is not a finite number";
	if (!(test->se > 0.0) || !isfinite(test->se))
		return "the standard error must be positive";
	if (test->has_diff && (!(test->spend_diff > 0.0) || !isfinite(test->spend_diff)))
		return "the spend difference must be positive";
	for (t = test->first; t <= test->last; t++)
		spent += model->spend[(size_t) test->channel * model->n + t];
	if (!(spent > 0.0))
		return "the channel did not spend in the test window";
	return NULL;
}

/* The options a model was fitted with. */
void
kpi_model_options(const kpi_model *model, kpi_options *opt)
{
	int			k,
				tanh = 0,
				hill = 0;

	memset(opt, 0, sizeof(*opt));
	opt->lag = model->lag;
	opt->starts = model->starts > 0 ? model->starts : 1;
	opt->replicates = model->replicates > 0 ? model->replicates : 100;
	opt->holdout = model->holdout > 0 ? model->holdout : -1;
	opt->multiplicative = model->multiplicative;
	for (k = 0; k < model->m; k++)
		if (!(model->ch[k].flags & KPI_CH_EXCLUDED))
		{
			tanh += model->ch[k].family == KPI_SAT_TANH;
			hill += model->ch[k].family == KPI_SAT_HILL;
		}
	opt->saturation = hill == 0 ? KPI_SAT_TANH : (tanh == 0 ? KPI_SAT_HILL : KPI_SAT_AUTO);
}

/* A test's prediction by channel k's current estimates. */
static double
predict_test(const kpi_model *model, const kpi_test *test, double *scratch)
{
	const kpi_channel *ch = &model->ch[test->channel];

	if (ch->beta <= 0.0)
		return 0.0;
	return ch->beta * kpi_test_response(model, test, model->lag, ch->family, ch->alpha, ch->kappa,
										ch->shape, scratch);
}

/* Warnings: tests the data-only model disagrees with, pairs that contradict. */
static int
test_warnings(kpi_model *model, double *scratch)
{
	int			i,
				j,
				err = 0;

	for (i = 0; i < model->n_tests; i++)
	{
		const kpi_test *a = &model->tests[i];
		double		z = (a->predicted_before - a->lift) / sqrt(a->se * a->se + a->sd_before * a->sd_before);

		if (fabs(z) > 2.0)
			err |= kpi_add_warning(model, KPI_W_TEST_DISAGREES, a->channel, -1, z);
	}
	for (i = 0; i < model->n_tests; i++)
		for (j = i + 1; j < model->n_tests; j++)
		{
			const kpi_test *a = &model->tests[i],
					   *b = &model->tests[j];
			const kpi_channel *ch = &model->ch[a->channel];
			double		sa,
						sb,
						z;

			if (a->channel != b->channel)
				continue;
			sa = kpi_test_response(model, a, model->lag, ch->family, ch->alpha, ch->kappa, ch->shape, scratch);
			sb = kpi_test_response(model, b, model->lag, ch->family, ch->alpha, ch->kappa, ch->shape, scratch);
			if (!(sa > 0.0) || !(sb > 0.0))
				continue;
			/* each test's implied effect scale, with its standard error */
			z = (a->lift / sa - b->lift / sb) / sqrt(a->se * a->se / (sa * sa) + b->se * b->se / (sb * sb));
			if (fabs(z) > 3.0)
				err |= kpi_add_warning(model, KPI_W_TESTS_CONFLICT, a->channel, -1, fabs(z));
		}
	return err ? KPI_ERR_NOMEM : KPI_OK;
}

/*
 * Where a channel's tests and the data-only model disagree beyond their stated
 * errors (mean squared distance χ² > 1), the data's information about that
 * channel is overstated: an observational fit can be biased by what it leaves
 * out (a confounder), a randomised test is not.  The Birge ratio φ² = χ²
 * (the scale factor for inconsistent measurements) is put on the channel's
 * test weights, i.e. the data's information about it is deflated by φ².
 * Stored in the tests as an effective standard error se/φ (kept for the
 * likelihood only; se itself is reported).
 */
static void
birge_scale(kpi_test *tests, int n_tests)
{
	int			i,
				j;

	for (i = 0; i < n_tests; i++)
	{
		double		chi2 = 0.0;
		int			count = 0;

		for (j = 0; j < n_tests; j++)
			if (tests[j].channel == tests[i].channel)
			{
				double		z = (tests[j].predicted_before - tests[j].lift) /
					sqrt(tests[j].se * tests[j].se + tests[j].sd_before * tests[j].sd_before);

				chi2 += z * z;
				count++;
			}
		chi2 /= count;
		tests[i].se_fit = chi2 > 1.0 ? tests[i].se / sqrt(chi2) : tests[i].se;
	}
}

/* Calibrate a fitted model with lift tests: see kpi_model.h. */
int
kpi_model_calibrate(kpi_model *model, const kpi_test *tests, int n_tests, const kpi_options *opt)
{
	kpi_options refit;
	kpi_test   *copy;
	double	   *scratch;
	double		rho;
	int			i,
				k,
				rc;

	if (model == NULL || n_tests < 1 || tests == NULL)
		return KPI_ERR_INVALID;
	for (i = 0; i < n_tests; i++)
		if (kpi_test_problem(model, &tests[i]) != NULL)
			return KPI_ERR_INVALID;
	copy = malloc(sizeof(kpi_test) * n_tests);
	scratch = malloc(sizeof(double) * (3 * ((size_t) model->n + model->lag) + 1));
	if (copy == NULL || scratch == NULL)
	{
		free(copy);
		free(scratch);
		return KPI_ERR_NOMEM;
	}
	memcpy(copy, tests, sizeof(kpi_test) * n_tests);
	/* the model as given: its predictions of the tests and its answers */
	for (i = 0; i < n_tests; i++)
	{
		kpi_test   *t = &copy[i];
		const kpi_channel *ch = &model->ch[t->channel];
		double		rel = ch->contribution > 0.0
			? (ch->contribution_hi - ch->contribution_lo) / (2.0 * 1.6448536 * ch->contribution) : 0.0;

		t->predicted_before = predict_test(model, t, scratch);
		t->sd_before = fabs(t->predicted_before) * rel;
		t->predicted = t->predicted_lo = t->predicted_hi = NAN;
	}
	for (k = 0; k < model->m; k++)
	{
		model->ch[k].contribution_before = model->ch[k].contribution;
		model->ch[k].mroas_before = model->ch[k].mroas;
	}
	rho = isnan(model->acf1) ? 0.0 : (model->acf1 < 0.0 ? 0.0 : (model->acf1 > 0.9 ? 0.9 : model->acf1));
	model->test_sigma2 = model->sigma * model->sigma * (1.0 + rho) / (1.0 - rho);
	birge_scale(copy, n_tests);
	free(model->tests);
	model->tests = copy;
	model->n_tests = n_tests;
	kpi_model_options(model, &refit);
	if (opt != NULL)
	{
		refit.interrupted = opt->interrupted;
		refit.interrupt_arg = opt->interrupt_arg;
	}
	rc = kpi_model_fit(model, &refit);
	if (rc == KPI_OK)
	{
		for (i = 0; i < n_tests; i++)
			copy[i].predicted = predict_test(model, &copy[i], scratch);
		rc = test_warnings(model, scratch);
	}
	free(scratch);
	return rc;
}
