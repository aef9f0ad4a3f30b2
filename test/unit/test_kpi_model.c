/*
 * test_kpi_model.c — unit tests of the KPI model core (src/model/core):
 * transforms, determinism, recovery of known truth from simulated data, the
 * sanity properties users ask for, bad input, serialisation, and a recovery
 * study over 100 seeded simulated data sets (ROAS bias and interval coverage).
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

int
main(void)
{
	test_transforms();
	test_daily_fit();
	test_bad_input();
	test_recovery_study();
	return unit_done();
}
