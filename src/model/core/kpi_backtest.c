/*
 * kpi_backtest.c — the KPI model's track record: refit on the periods up to a
 * cutoff, forecast the following periods from the spend actually made (trend
 * extrapolated, seasonality and carryover continued), and keep what happened
 * next to it.
 */
#include "kpi_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Free a backtest's arrays (the struct itself is the caller's). */
void
kpi_backtest_free(kpi_backtest *bt)
{
	if (bt == NULL)
		return;
	free(bt->predicted);
	free(bt->lo);
	free(bt->hi);
	free(bt->actual);
	free(bt->channel);
	free(bt->channel_lo);
	free(bt->channel_hi);
	free(bt->held);
	memset(bt, 0, sizeof(*bt));
}

/* The inputs of periods t < n of a model, in a new model (no fit). */
static kpi_model *
model_prefix(const kpi_model *model, int n)
{
	kpi_model  *p = kpi_model_new(n, model->m, model->c);
	int			k;

	if (p == NULL)
		return NULL;
	p->period_days = model->period_days;
	p->first_day = model->first_day;
	memcpy(p->kpi, model->kpi, sizeof(double) * n);
	for (k = 0; k < model->m; k++)
		memcpy(p->spend + (size_t) k * n, model->spend + (size_t) k * model->n, sizeof(double) * n);
	for (k = 0; k < model->c; k++)
		memcpy(p->control + (size_t) k * n, model->control + (size_t) k * model->n, sizeof(double) * n);
	return p;
}

/* Copy the lift tests that end before period n (a calibrated model's backtest stays calibrated). */
static int
copy_tests(const kpi_model *from, kpi_model *to, int n)
{
	int			i;

	to->tests = malloc(sizeof(kpi_test) * (from->n_tests + 1));
	if (to->tests == NULL)
		return KPI_ERR_NOMEM;
	to->test_sigma2 = from->test_sigma2;
	for (i = 0; i < from->n_tests; i++)
		if (from->tests[i].last < n)
			to->tests[to->n_tests++] = from->tests[i];
	return KPI_OK;
}

/*
 * The forecast with channel k's spend after the cutoff held at its mean over
 * the last 28 training periods (ahead carries the training fit; its spend row
 * of k is overwritten).
 */
static int
forecast_held(const kpi_model *model, kpi_model *ahead, int n_train, int horizon, int k,
			  kpi_parts *parts, kpi_backtest *out)
{
	double	   *x = ahead->spend + (size_t) k * ahead->n,
				before = 0.0,
				after = 0.0;
	int			from = n_train > 28 ? n_train - 28 : 0,
				t,
				rc;

	for (t = from; t < n_train; t++)
		before += x[t] / (n_train - from);
	for (t = n_train; t < n_train + horizon; t++)
	{
		after += model->spend[(size_t) k * model->n + t] / horizon;
		x[t] = before;
	}
	out->spend_before = before;
	out->spend_after = after;
	out->held = malloc(sizeof(double) * horizon);
	if (out->held == NULL)
		return KPI_ERR_NOMEM;
	rc = kpi_model_decompose(ahead, parts, NULL, NULL);
	for (t = 0; rc == KPI_OK && t < horizon; t++)
		out->held[t] = parts[n_train + t].fitted;
	return rc;
}

/* Backtest: see kpi_model.h. */
int
kpi_model_backtest(const kpi_model *model, int n_train, int horizon, int hold_channel,
				   const kpi_options *opt, kpi_backtest *out)
{
	kpi_model  *train = NULL,
			   *ahead = NULL;
	kpi_parts  *parts = NULL;
	double	   *per_channel = NULL,
			   *resid = NULL,
				q_lo = 0.0,
				q_hi = 0.0;
	int			n = n_train + horizon,
				m = model->m,
				rc,
				t,
				k,
				count = 0;

	memset(out, 0, sizeof(*out));
	if (n_train < 1 || horizon < 1 || n > model->n || hold_channel >= model->m)
		return KPI_ERR_INVALID;
	train = model_prefix(model, n_train);
	ahead = model_prefix(model, n);
	if (train == NULL || ahead == NULL)
	{
		rc = KPI_ERR_NOMEM;
		goto done;
	}
	rc = copy_tests(model, train, n_train);
	if (rc == KPI_OK)
		rc = kpi_model_fit(train, opt);
	if (rc != KPI_OK)
		goto done;
	/* the training fit, carried over the horizon with the spend that was made */
	ahead->lag = train->lag;
	ahead->n_train = train->n_train;
	ahead->n_knots = train->n_knots;
	ahead->weekly = train->weekly;
	ahead->harmonics = train->harmonics;
	ahead->multiplicative = train->multiplicative;
	ahead->q = train->q;
	ahead->gamma = malloc(sizeof(double) * (train->q + 1));
	parts = malloc(sizeof(kpi_parts) * n);
	per_channel = malloc(sizeof(double) * ((size_t) m * n + 1));
	resid = malloc(sizeof(double) * (n_train + 1));
	out->predicted = malloc(sizeof(double) * horizon);
	out->lo = malloc(sizeof(double) * horizon);
	out->hi = malloc(sizeof(double) * horizon);
	out->actual = malloc(sizeof(double) * horizon);
	out->channel = malloc(sizeof(double) * (size_t) m * horizon);
	out->channel_lo = malloc(sizeof(double) * m);
	out->channel_hi = malloc(sizeof(double) * m);
	if (!ahead->gamma || !parts || !per_channel || !resid || !out->predicted || !out->lo || !out->hi ||
		!out->actual || !out->channel || !out->channel_lo || !out->channel_hi)
	{
		rc = KPI_ERR_NOMEM;
		goto done;
	}
	memcpy(ahead->gamma, train->gamma, sizeof(double) * train->q);
	memcpy(ahead->ch, train->ch, sizeof(kpi_channel) * m);
	rc = kpi_model_decompose(ahead, parts, per_channel, NULL);
	if (rc != KPI_OK)
		goto done;
	for (t = 0; t < n_train; t++)
		if (!isnan(model->kpi[t]))
			resid[count++] = model->kpi[t] - parts[t].fitted;
	kpi_interval90(resid, count, &q_lo, &q_hi);
	/* in-sample residuals are shrunk by the fit's p parameters: undo (n/(n−p))^½ */
	{
		int			p = train->q + 1;

		for (k = 0; k < m; k++)
			p += (train->ch[k].flags & KPI_CH_EXCLUDED) ? 0 : 3;
		if (count > p + 1)
		{
			q_lo *= sqrt((double) count / (count - p));
			q_hi *= sqrt((double) count / (count - p));
		}
	}
	out->horizon = horizon;
	out->m = m;
	for (t = 0; t < horizon; t++)
	{
		out->predicted[t] = parts[n_train + t].fitted;
		out->lo[t] = out->predicted[t] + q_lo;
		out->hi[t] = out->predicted[t] + q_hi;
		out->actual[t] = model->kpi[n_train + t];
		for (k = 0; k < m; k++)
			out->channel[(size_t) k * horizon + t] = per_channel[(size_t) k * n + n_train + t];
	}
	for (k = 0; k < m; k++)
	{
		const kpi_channel *ch = &train->ch[k];

		out->channel_lo[k] = ch->contribution > 0.0 ? ch->contribution_lo / ch->contribution : NAN;
		out->channel_hi[k] = ch->contribution > 0.0 ? ch->contribution_hi / ch->contribution : NAN;
	}
	{
		double		rho = isnan(train->acf1) ? 0.0 : fmax(0.0, fmin(0.9, train->acf1));

		out->noise_sd_sum = train->sigma * sqrt(horizon * (1.0 + rho) / (1.0 - rho));
	}
	if (hold_channel >= 0)
		rc = forecast_held(model, ahead, n_train, horizon, hold_channel, parts, out);
done:
	if (rc != KPI_OK)
		kpi_backtest_free(out);
	kpi_model_free(train);
	kpi_model_free(ahead);
	free(parts);
	free(per_channel);
	free(resid);
	return rc;
}
