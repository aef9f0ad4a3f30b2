/*
 * test_kpi_model.c — unit tests of the KPI model core (src/model/core):
 * transforms, determinism, recovery of known truth from simulated data, the
 * sanity properties users ask for, bad input, serialisation, a recovery
 * study over 100 seeded simulated data sets (ROAS bias and interval coverage),
 * calibration with lift tests, the backtest and the multiplicative baseline.
 */
#include <string.h>

#include "unit.h"
#include "kpi_model.h"
#include "kpi_transform.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

/* Truth of one simulated data set. */
typedef struct sim_truth
{
	double		alpha[4], kappa[4], beta[4];
	double		contribution[4];
} sim_truth;

/*
 * A seeded data set: `m` channels of log-normal spend with budget regimes,
 * tanh saturation of normalised adstock (window lag), intercept, trend,
 * yearly season, day-of-week when daily, AR(1) noise with coefficient rho.
 */
static kpi_model *
simulate(uint64_t seed, int n, int period_days, int m, int lag, double rho, double noise,
		 sim_truth *truth)
{
	kpi_model  *model = kpi_model_new(n, m, 0);
	kpi_rng		rng;
	double	   *a = malloc(sizeof(double) * n);
	double		eps = 0.0;
	int			k,
				t;
	char		name[16];

	kpi_rng_seed(&rng, seed);
	model->period_days = period_days;
	model->first_day = 8401;	/* 2023-01-02, a Monday */
	for (k = 0; k < m; k++)
	{
		double		level = 50.0 + 150.0 * kpi_rng_uniform(&rng),
					regime = 1.0;

		snprintf(name, sizeof(name), "ch%d", k);
		kpi_model_set_name(model->channel_names, k, name);
		truth->alpha[k] = 0.1 + 0.6 * kpi_rng_uniform(&rng);
		truth->kappa[k] = level * (0.7 + 1.3 * kpi_rng_uniform(&rng));
		truth->beta[k] = 150.0 + 250.0 * kpi_rng_uniform(&rng);
		for (t = 0; t < n; t++)
		{
			if (t % (period_days == 1 ? 14 : 3) == 0)
				regime = exp(0.6 * (2.0 * kpi_rng_uniform(&rng) - 1.0));
			model->spend[(size_t) k * n + t] = level * regime * exp(0.25 * kpi_rng_normal(&rng));
		}
	}
	for (t = 0; t < n; t++)
	{
		int			day = model->first_day + t * period_days;

		eps = rho * eps + sqrt(1.0 - rho * rho) * noise * kpi_rng_normal(&rng);
		model->kpi[t] = 1000.0 + 150.0 * t / n + 80.0 * cos(6.283185307179586 * day / 365.25)
			+ (period_days == 1 ? 40.0 * (((day % 7) + 7) % 7 >= 5) : 0.0) + eps;
	}
	for (k = 0; k < m; k++)
	{
		kpi_adstock(model->spend + (size_t) k * n, n, truth->alpha[k], lag, a);
		truth->contribution[k] = 0.0;
		for (t = 0; t < n; t++)
		{
			double		v = truth->beta[k] * tanh(a[t] / truth->kappa[k]);

			model->kpi[t] += v;
			truth->contribution[k] += v;
		}
	}
	free(a);
	return model;
}

static double
roas(const kpi_model *model, int k, double contribution)
{
	return contribution / model->ch[k].spend;
}

static void
test_transforms(void)
{
	double		x[5] = {1, 0, 0, 0, 0},
				out[5],
				h[3],
				a[3] = {0.0, 1.0, 3.0};
	double		eps = 1e-6;

	kpi_adstock(x, 5, 0.5, 3, out);
	CHECK(fabs(out[0] - 1.0 / 1.75) < 1e-15 && fabs(out[1] - 0.5 / 1.75) < 1e-15 &&
		  fabs(out[2] - 0.25 / 1.75) < 1e-15 && out[3] == 0.0, "adstock: normalised geometric weights over the window");
	kpi_adstock(x, 5, 0.0, 8, out);
	CHECK(out[0] == 1.0 && out[1] == 0.0, "adstock: alpha 0 is the same-period spend");
	kpi_hill(a, 3, 1.0, 2.0, h);
	CHECK(h[0] == 0.0 && fabs(h[1] - 0.5) < 1e-15 && fabs(h[2] - 0.9) < 1e-12, "hill values");
	CHECK(fabs(kpi_saturation_slope(KPI_SAT_HILL, 2.0, 1.5, 1.7) -
			   (1.0 / (1.0 + pow(1.5 / (2.0 + eps), 1.7)) - 1.0 / (1.0 + pow(1.5 / (2.0 - eps), 1.7))) / (2 * eps)) < 1e-7,
		  "hill slope matches a finite difference");
	CHECK(fabs(kpi_saturation_slope(KPI_SAT_TANH, 2.0, 1.5, 1.0) -
			   (tanh((2.0 + eps) / 1.5) - tanh((2.0 - eps) / 1.5)) / (2 * eps)) < 1e-7,
		  "tanh slope matches a finite difference");
}

/* One daily data set: recovery, decomposition, determinism, serialisation. */
static void
test_daily_fit(void)
{
	sim_truth	truth;
	kpi_model  *model = simulate(7, 730, 1, 3, 28, 0.3, 25.0, &truth);
	kpi_model  *again = simulate(7, 730, 1, 3, 28, 0.3, 25.0, &truth);
	kpi_model  *back = NULL;
	kpi_parts  *parts = malloc(sizeof(kpi_parts) * 730);
	unsigned char *b1 = NULL,
			   *b2 = NULL,
			   *b3 = NULL;
	size_t		l1 = 0,
				l2 = 0,
				l3 = 0;
	const char *problem = NULL;
	kpi_options opt = {0};
	double		worst = 0.0,
				gap = 0.0,
				ytot = 0.0,
				mtot = 0.0;
	int			k,
				t,
				rc;

	opt.saturation = KPI_SAT_TANH;
	opt.replicates = 20;
	rc = kpi_model_fit(model, &opt);
	CHECK(rc == KPI_OK, "daily fit succeeds (rc %d)", rc);
	for (k = 0; k < 3; k++)
	{
		double		err = fabs(roas(model, k, model->ch[k].contribution) / roas(model, k, truth.contribution[k]) - 1.0);

		worst = err > worst ? err : worst;
		CHECK(fabs(model->ch[k].alpha - truth.alpha[k]) < 0.1, "channel %d carryover %.3f vs true %.3f", k,
			  model->ch[k].alpha, truth.alpha[k]);
	}
	CHECK(worst < 0.15, "daily: every channel's ROAS within 15%% (worst %.3f)", worst);
	CHECK(model->r2 > 0.8 && model->nrmse < 0.1 && !isnan(model->nrmse_holdout) && model->holdout == 73,
		  "daily: R2 %.3f, NRMSE %.4f, holdout NRMSE %.4f over %d days", model->r2, model->nrmse,
		  model->nrmse_holdout, model->holdout);
	kpi_model_decompose(model, parts, NULL, NULL);
	for (t = 0; t < 730; t++)
	{
		double		sum = parts[t].baseline + parts[t].seasonality + parts[t].controls + parts[t].media;

		gap = fmax(gap, fabs(sum - parts[t].fitted));
		ytot += model->kpi[t];
		mtot += parts[t].media;
	}
	CHECK(gap < 1e-9, "decomposition adds up to the fitted KPI (max gap %g)", gap);
	CHECK(mtot < ytot, "media takes less than the KPI in total");
	rc = kpi_model_fit(again, &opt);
	kpi_model_serialise(model, &b1, &l1);
	kpi_model_serialise(again, &b2, &l2);
	CHECK(rc == KPI_OK && l1 == l2 && memcmp(b1, b2, l1) == 0, "same input, bit-identical model");
	rc = kpi_model_deserialise(b1, l1, &back, &problem);
	if (rc == KPI_OK)
		kpi_model_serialise(back, &b3, &l3);
	CHECK(rc == KPI_OK && l3 == l1 && memcmp(b1, b3, l1) == 0, "serialisation round-trips bit for bit");
	b1[10] ^= 0x40;
	kpi_model_free(back);
	back = NULL;
	rc = kpi_model_deserialise(b1, l1, &back, &problem);
	CHECK(rc == KPI_ERR_INVALID && problem != NULL && back == NULL, "a damaged header is refused (%s)",
		  problem ? problem : "-");
	b1[10] ^= 0x40;
	rc = kpi_model_deserialise(b1, l1 - 3, &back, &problem);
	CHECK(rc == KPI_ERR_INVALID && back == NULL, "a truncated value is refused");
	free(b1);
	free(b2);
	free(b3);
	free(parts);
	kpi_model_free(model);
	kpi_model_free(again);
}

/* Count warnings with a code. */
static int
count_warnings(const kpi_model *model, int code)
{
	int			i,
				c = 0;

	for (i = 0; i < model->n_warnings; i++)
		c += model->warnings[i].code == code;
	return c;
}

static void
test_bad_input(void)
{
	sim_truth	truth;
	kpi_model  *model = simulate(11, 156, 7, 4, 8, 0.0, 20.0, &truth);
	kpi_options opt = {0};
	int			t,
				rc;

	opt.saturation = KPI_SAT_TANH;
	opt.replicates = 20;
	/* channel 1 = copy of channel 0, channel 2 constant, channel 3 zero; one missing week, one negative */
	for (t = 0; t < 156; t++)
	{
		model->spend[156 + t] = model->spend[t];
		model->spend[2 * 156 + t] = 100.0;
		model->spend[3 * 156 + t] = 0.0;
	}
	model->kpi[40] = NAN;
	model->kpi[41] = -5.0;
	rc = kpi_model_fit(model, &opt);
	CHECK(rc == KPI_OK, "fit with bad channels still runs");
	CHECK(count_warnings(model, KPI_W_COLLINEAR) == 1, "two identical channels give one warning");
	CHECK((model->ch[0].flags & KPI_CH_COLLINEAR) && (model->ch[1].flags & KPI_CH_COLLINEAR),
		  "both identical channels are flagged collinear");
	CHECK(count_warnings(model, KPI_W_CONSTANT_SPEND) == 1 && (model->ch[2].flags & KPI_CH_EXCLUDED),
		  "constant spend: warned and left out");
	CHECK(count_warnings(model, KPI_W_ZERO_SPEND) == 1 && (model->ch[3].flags & KPI_CH_EXCLUDED),
		  "zero spend: warned and left out");
	CHECK(count_warnings(model, KPI_W_MISSING_PERIODS) == 1 && count_warnings(model, KPI_W_NEGATIVE_KPI) == 1,
		  "missing period and negative KPI are warned");
	kpi_model_free(model);

	model = simulate(12, 10, 7, 3, 8, 0.0, 20.0, &truth);
	rc = kpi_model_fit(model, &opt);
	CHECK(rc == KPI_ERR_TOO_FEW, "fewer periods than parameters is refused (rc %d)", rc);
	kpi_model_free(model);

	model = simulate(13, 60, 7, 1, 8, 0.0, 20.0, &truth);
	for (t = 0; t < 60; t++)
		model->spend[t] = 0.0;
	rc = kpi_model_fit(model, &opt);
	CHECK(rc == KPI_ERR_NO_MEDIA, "no channel with varying spend is refused");
	kpi_model_free(model);
}

/* Insertion sort (small arrays). */
static void
sort_doubles(double *v, int n)
{
	int			i,
				j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--)
		{
			double		tmp = v[j];

			v[j] = v[j - 1];
			v[j - 1] = tmp;
		}
}

/*
 * Recovery study: 100 weekly data sets (3 years, 3 channels, AR(1) noise with
 * ρ = 0.4).  Median |ROAS error| ≤ 5%; the 90% block-bootstrap intervals of
 * the contribution cover the truth in 80–95% of channel cases (median signed
 * ROAS bias ≤ 5%; the median absolute error is printed).  Under valgrind
 * (a memory check, not a statistical one) only 1 data set runs.
 */
static void
test_recovery_study(void)
{
	int			sets = RUNNING_ON_VALGRIND ? 1 : 100,
				s,
				k,
				cases = 0,
				covered = 0;
	double	   *errors = malloc(sizeof(double) * sets * 3);
	kpi_options opt = {0};

	opt.saturation = KPI_SAT_TANH;
	opt.replicates = RUNNING_ON_VALGRIND ? 20 : 100;
	opt.holdout = -1;
	for (s = 0; s < sets; s++)
	{
		sim_truth	truth;
		kpi_model  *model = simulate(1000 + s, 156, 7, 3, 8, 0.4, 30.0, &truth);

		if (kpi_model_fit(model, &opt) == KPI_OK)
			for (k = 0; k < 3; k++)
			{
				kpi_channel *ch = &model->ch[k];

				errors[cases++] = ch->contribution / truth.contribution[k] - 1.0;
				covered += ch->contribution_lo <= truth.contribution[k] && truth.contribution[k] <= ch->contribution_hi;
			}
		kpi_model_free(model);
	}
	sort_doubles(errors, cases);
	CHECK(cases == sets * 3, "recovery study: every data set fits (%d cases)", cases);
	if (!RUNNING_ON_VALGRIND)
	{
		double		bias = errors[cases / 2];
		double		coverage = (double) covered / cases;

		for (s = 0; s < cases; s++)
			errors[s] = fabs(errors[s]);
		sort_doubles(errors, cases);
		printf("# recovery study: median ROAS bias %+.4f, median |ROAS error| %.4f, 90%% interval coverage %.3f over %d cases\n",
			   bias, errors[cases / 2], coverage, cases);
		CHECK(fabs(bias) <= 0.05, "recovery study: median ROAS bias %+.4f within 5%%", bias);
		CHECK(coverage >= 0.80 && coverage <= 0.95, "recovery study: 90%% interval coverage %.3f in [0.80, 0.95]",
			  coverage);
	}
	free(errors);
}


/* True lift of switching channel k off in periods lo..hi (tanh truth, window lag). */
static double
true_lift(const kpi_model *model, const sim_truth *truth, int k, int lag, int lo, int hi)
{
	int			n = model->n,
				t;
	double	   *x = malloc(sizeof(double) * n),
			   *a = malloc(sizeof(double) * n),
			   *b = malloc(sizeof(double) * n),
				lift = 0.0;

	for (t = 0; t < n; t++)
		x[t] = t >= lo && t <= hi ? 0.0 : model->spend[(size_t) k * n + t];
	kpi_adstock(model->spend + (size_t) k * n, n, truth->alpha[k], lag, a);
	kpi_adstock(x, n, truth->alpha[k], lag, b);
	for (t = lo; t <= hi; t++)
		lift += truth->beta[k] * (tanh(a[t] / truth->kappa[k]) - tanh(b[t] / truth->kappa[k]));
	free(x);
	free(a);
	free(b);
	return lift;
}

/*
 * Calibration: an omitted confounder that moves with channel 0 inflates its
 * ROAS on the data alone; three lift tests built from the truth bring it back,
 * are reported as disagreeing with the data, and the model round-trips.
 */
static void
test_calibration(void)
{
	sim_truth	truth;
	kpi_model  *model = simulate(21, 156, 7, 2, 8, 0.0, 20.0, &truth);
	kpi_options opt = {0};
	kpi_test	tests[3],
				bad;
	int			windows[3] = {20, 70, 120},
				i,
				t,
				rc;
	double		mean = 0.0,
				before,
				after,
				worst_z = 0.0;
	unsigned char *b1 = NULL,
			   *b2 = NULL;
	size_t		l1 = 0,
				l2 = 0;
	kpi_model  *back = NULL;
	const char *problem = NULL;

	for (t = 0; t < 156; t++)
		mean += model->spend[t] / 156;
	for (t = 0; t < 156; t++)
		model->kpi[t] += 1.5 * (model->spend[t] - mean);	/* the confounder, left out of the model */
	opt.saturation = KPI_SAT_TANH;
	opt.replicates = 30;
	rc = kpi_model_fit(model, &opt);
	before = model->ch[0].contribution / truth.contribution[0] - 1.0;
	CHECK(rc == KPI_OK && before > 0.3, "confounded channel: data alone overstate it (%+.2f)", before);
	memset(tests, 0, sizeof(tests));
	for (i = 0; i < 3; i++)
	{
		tests[i].channel = 0;
		tests[i].first = windows[i];
		tests[i].last = windows[i] + 5;
		tests[i].lift = true_lift(model, &truth, 0, 8, tests[i].first, tests[i].last);
		tests[i].se = 0.1 * tests[i].lift;
	}
	rc = kpi_model_calibrate(model, tests, 3, &opt);
	after = model->ch[0].contribution / truth.contribution[0] - 1.0;
	CHECK(rc == KPI_OK && fabs(after) <= 0.20, "calibrated: within 20%% of the truth (%+.2f, was %+.2f)", after, before);
	CHECK(model->n_tests == 3 && fabs(model->ch[0].contribution_before / truth.contribution[0] - 1.0 - before) < 1e-12,
		  "the data-only answer is kept next to the calibrated one");
	for (i = 0; i < 3; i++)
	{
		const kpi_test *x = &model->tests[i];
		double		z = fabs(x->predicted - x->lift) / x->se;

		worst_z = z > worst_z ? z : worst_z;
	}
	CHECK(worst_z <= 2.0, "the calibrated model meets every test (worst %.2f SE)", worst_z);
	CHECK(count_warnings(model, KPI_W_TEST_DISAGREES) >= 1, "the disagreement with the data is reported");
	CHECK(model->tests[0].predicted_lo <= model->tests[0].predicted &&
		  model->tests[0].predicted <= model->tests[0].predicted_hi * 1.05, "test prediction has an interval");
	kpi_model_serialise(model, &b1, &l1);
	rc = kpi_model_deserialise(b1, l1, &back, &problem);
	if (rc == KPI_OK)
		kpi_model_serialise(back, &b2, &l2);
	CHECK(rc == KPI_OK && l1 == l2 && memcmp(b1, b2, l1) == 0 && back->n_tests == 3,
		  "a calibrated model round-trips bit for bit");
	bad = tests[0];
	bad.channel = 5;
	CHECK(kpi_test_problem(model, &bad) != NULL, "unknown channel refused");
	bad = tests[0];
	bad.last = 156;
	CHECK(kpi_test_problem(model, &bad) != NULL, "window past the data refused");
	bad = tests[0];
	bad.se = 0.0;
	CHECK(kpi_test_problem(model, &bad) != NULL, "zero standard error refused");
	bad = tests[0];
	bad.has_diff = 1;
	bad.spend_diff = -1.0;
	CHECK(kpi_test_problem(model, &bad) != NULL, "negative spend difference refused");
	CHECK(kpi_model_calibrate(model, &bad, 1, &opt) == KPI_ERR_INVALID, "calibrate refuses a bad test");
	/* contradicting tests of one channel over the same weeks */
	tests[1] = tests[0];
	tests[1].lift = 0.25 * tests[0].lift;
	tests[1].se = 0.25 * tests[0].se;
	rc = kpi_model_calibrate(model, tests, 2, &opt);
	CHECK(rc == KPI_OK && count_warnings(model, KPI_W_TESTS_CONFLICT) == 1, "contradicting tests are warned");
	free(b1);
	free(b2);
	kpi_model_free(back);
	kpi_model_free(model);
}

/* Backtest: forecasts of the last 28 days of a daily data set, and bad bounds. */
static void
test_backtest(void)
{
	sim_truth	truth;
	kpi_model  *model = simulate(31, 730, 1, 3, 28, 0.3, 25.0, &truth);
	kpi_options opt = {0};
	kpi_backtest bt;
	int			t,
				covered = 0,
				rc;
	double		ape = 0.0;

	opt.saturation = KPI_SAT_TANH;
	opt.replicates = RUNNING_ON_VALGRIND ? 10 : 20;
	opt.starts = RUNNING_ON_VALGRIND ? 1 : 0;
	opt.holdout = -1;
	rc = kpi_model_backtest(model, 702, 28, -1, &opt, &bt);
	CHECK(rc == KPI_OK && bt.horizon == 28, "backtest runs (rc %d)", rc);
	for (t = 0; rc == KPI_OK && t < 28; t++)
	{
		covered += bt.actual[t] >= bt.lo[t] && bt.actual[t] <= bt.hi[t];
		ape += fabs(bt.predicted[t] / bt.actual[t] - 1.0) / 28;
	}
	CHECK(covered >= 20 && ape < 0.05, "backtest: %d of 28 days inside the 90%% interval, MAPE %.3f", covered, ape);
	kpi_backtest_free(&bt);
	CHECK(kpi_model_backtest(model, 710, 28, -1, &opt, &bt) == KPI_ERR_INVALID, "a horizon past the data is refused");
	/* follow-up: channel 0 held at its pre-cutoff level vs the spend that was made */
	rc = kpi_model_backtest(model, 702, 28, 0, &opt, &bt);
	if (rc == KPI_OK)
	{
		double		predicted = 0.0,
					realized = 0.0,
					effect = 0.0;
		double	   *a = malloc(sizeof(double) * 730),
				   *b = malloc(sizeof(double) * 730),
				   *x = malloc(sizeof(double) * 730);

		memcpy(x, model->spend, sizeof(double) * 730);
		for (t = 702; t < 730; t++)
			x[t] = bt.spend_before;
		kpi_adstock(model->spend, 730, truth.alpha[0], 28, a);
		kpi_adstock(x, 730, truth.alpha[0], 28, b);
		for (t = 0; t < 28; t++)
		{
			predicted += bt.predicted[t] - bt.held[t];
			realized += bt.actual[t] - bt.held[t];
			effect += truth.beta[0] * (tanh(a[702 + t] / truth.kappa[0]) - tanh(b[702 + t] / truth.kappa[0]));
		}
		CHECK(fabs(predicted - effect) <= 0.3 * fabs(effect) + 1e-9 &&
			  fabs(realized - effect) <= 1.645 * bt.noise_sd_sum + 1e-9,
			  "follow-up: predicted effect %.1f and realized %.1f (noise sd %.1f) vs true %.1f of the spend change %.1f -> %.1f",
			  predicted, realized, bt.noise_sd_sum, effect, bt.spend_before, bt.spend_after);
		free(a);
		free(b);
		free(x);
	}
	CHECK(rc == KPI_OK && bt.held != NULL, "follow-up forecast with the channel held");
	kpi_backtest_free(&bt);
	kpi_model_free(model);
}

/* Multiplicative baseline: interaction columns, and a better fit when demand scales. */
static void
test_multiplicative(void)
{
	sim_truth	truth;
	kpi_model  *add = simulate(41, 730, 1, 2, 28, 0.0, 10.0, &truth);
	kpi_model  *mul = simulate(41, 730, 1, 2, 28, 0.0, 10.0, &truth);
	kpi_options opt = {0};
	int			t,
				rc1,
				rc2;

	/* the weekend lift grows with the season and the trend */
	for (t = 0; t < 730; t++)
	{
		int			day = add->first_day + t;
		double		extra = 60.0 * (((day % 7) + 7) % 7 >= 5) * (cos(6.283185307179586 * day / 365.25) + 2.0 * t / 730);

		add->kpi[t] += extra;
		mul->kpi[t] += extra;
	}
	opt.saturation = KPI_SAT_TANH;
	opt.replicates = 10;
	opt.starts = RUNNING_ON_VALGRIND ? 1 : 0;
	opt.holdout = RUNNING_ON_VALGRIND ? -1 : 0;
	rc1 = kpi_model_fit(add, &opt);
	opt.multiplicative = 1;
	rc2 = kpi_model_fit(mul, &opt);
	CHECK(rc1 == KPI_OK && rc2 == KPI_OK && mul->q == add->q + 20 && mul->multiplicative == 1,
		  "multiplicative baseline adds 20 interaction columns (q %d vs %d)", mul->q, add->q);
	CHECK(mul->nrmse < 0.8 * add->nrmse, "and fits scaling demand better (NRMSE %.4f vs %.4f)", mul->nrmse, add->nrmse);
	opt.multiplicative = KPI_SEASON_AUTO;
	rc1 = kpi_model_fit(add, &opt);
	CHECK(rc1 == KPI_OK && add->multiplicative == 1 && add->q == mul->q, "seasonality=auto picks multiplicative here");
	kpi_model_free(add);
	add = simulate(42, 730, 1, 2, 28, 0.0, 10.0, &truth);
	rc1 = kpi_model_fit(add, &opt);
	CHECK(rc1 == KPI_OK && add->multiplicative == 0, "and additive when demand adds up");
	kpi_model_free(add);
	kpi_model_free(mul);
}

int
main(void)
{
	test_transforms();
	test_daily_fit();
	test_bad_input();
	test_recovery_study();
	test_calibration();
	test_backtest();
	test_multiplicative();
	return unit_done();
}
