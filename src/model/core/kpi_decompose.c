/*
 * kpi_decompose.c — reading a fitted KPI model: each period's parts (baseline,
 * seasonality, controls, each channel) and the warnings in plain words.
 */
#include "kpi_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The design the model was fitted with. */
static void
model_design(const kpi_model *model, kpi_design *design)
{
	design->n_train = model->n_train;
	design->n_knots = model->n_knots;
	design->weekly = model->weekly;
	design->harmonics = model->harmonics;
	design->interact = model->multiplicative && (model->weekly || model->harmonics > 0);
	design->q = model->q;
}

/* Base terms of period t with the fitted design. */
void
kpi_model_base_row(const kpi_model *model, int t, double *row)
{
	kpi_design	design;

	model_design(model, &design);
	kpi_design_row(model, &design, t, row);
}

/* β_k-free media feature hill(adstock) of channel k, all periods (0 when excluded). */
void
kpi_model_channel_feature(const kpi_model *model, int k, double *out)
{
	const kpi_channel *ch = &model->ch[k];
	int			t;

	if ((ch->flags & KPI_CH_EXCLUDED) || ch->beta <= 0.0 || ch->kappa <= 0.0)
	{
		for (t = 0; t < model->n; t++)
			out[t] = 0.0;
		return;
	}
	kpi_adstock(model->spend + (size_t) k * model->n, model->n, ch->alpha, model->lag, out);
	kpi_saturate(out, model->n, ch->family, ch->kappa, ch->shape, out);
}

/* Decompose every period into its parts (see kpi_model.h). */
int
kpi_model_decompose(const kpi_model *model, kpi_parts *parts, double *per_channel,
					double *per_control)
{
	int			n = model->n,
				q = model->q,
				t,
				k,
				j;
	int			season_from = 2 + model->n_knots;
	int			control_from = q - model->c;
	double	   *row = malloc(sizeof(double) * (q + 1));
	double	   *feat = malloc(sizeof(double) * (n + 1));

	if (row == NULL || feat == NULL)
	{
		free(row);
		free(feat);
		return KPI_ERR_NOMEM;
	}
	for (t = 0; t < n; t++)
	{
		kpi_parts  *p = &parts[t];

		kpi_model_base_row(model, t, row);
		p->baseline = p->seasonality = p->controls = p->media = 0.0;
		for (j = 0; j < q; j++)
		{
			double		v = model->gamma[j] * row[j];

			if (j < season_from)
				p->baseline += v;
			else if (j < control_from)
				p->seasonality += v;
			else
			{
				p->controls += v;
				if (per_control)
					per_control[(size_t) (j - control_from) * n + t] = v;
			}
		}
	}
	for (k = 0; k < model->m; k++)
	{
		double		beta = model->ch[k].beta;

		kpi_model_channel_feature(model, k, feat);
		for (t = 0; t < n; t++)
		{
			double		v = beta * feat[t];

			parts[t].media += v;
			if (per_channel)
				per_channel[(size_t) k * n + t] = v;
		}
	}
	for (t = 0; t < n; t++)
		parts[t].fitted = parts[t].baseline + parts[t].seasonality + parts[t].controls + parts[t].media;
	free(row);
	free(feat);
	return KPI_OK;
}

/* Short name of a warning code. */
const char *
kpi_warning_name(int code)
{
	switch (code)
	{
		case KPI_W_ZERO_SPEND: return "zero_spend";
		case KPI_W_CONSTANT_SPEND: return "constant_spend";
		case KPI_W_COLLINEAR: return "collinear_channels";
		case KPI_W_CONFOUNDED: return "spend_follows_baseline";
		case KPI_W_FEW_ROWS: return "few_rows";
		case KPI_W_MISSING_PERIODS: return "missing_periods";
		case KPI_W_NEGATIVE_KPI: return "negative_kpi";
		case KPI_W_NULL_ROWS: return "null_rows";
		case KPI_W_MEDIA_EXCEEDS_KPI: return "media_exceeds_kpi";
		case KPI_W_NEGATIVE_BASELINE: return "negative_baseline";
		case KPI_W_AT_BOUND: return "parameter_at_bound";
		case KPI_W_NO_EFFECT: return "no_measurable_effect";
		case KPI_W_AUTOCORRELATION: return "residual_autocorrelation";
		case KPI_W_HOLDOUT: return "poor_holdout";
		case KPI_W_SHORT_SERIES: return "short_series";
		case KPI_W_CONTROL_DROPPED: return "control_dropped";
		case KPI_W_TEST_DISAGREES: return "test_disagrees_with_data";
		case KPI_W_TESTS_CONFLICT: return "tests_contradict";
		default: return "unknown";
	}
}

/* Name of channel index a, or "?" when out of range. */
static const char *
channel_name(const kpi_model *model, int a)
{
	return a >= 0 && a < model->m && model->channel_names[a] ? model->channel_names[a] : "?";
}

/* A warning in plain words: what is wrong and what to do. */
void
kpi_warning_message(const kpi_model *model, const kpi_warning *w, char *buf, size_t len)
{
	const char *unit = model->period_days == 1 ? "days" : "weeks";

	switch (w->code)
	{
		case KPI_W_ZERO_SPEND:
			snprintf(buf, len, "channel %s has no spend in the period: left out of the model",
					 channel_name(model, w->a));
			break;
		case KPI_W_CONSTANT_SPEND:
			snprintf(buf, len, "channel %s spends the same every period, so its effect cannot be told "
					 "apart from the baseline: left out of the model", channel_name(model, w->a));
			break;
		case KPI_W_COLLINEAR:
			snprintf(buf, len, "channels %s and %s move together (correlation %.3f): the model cannot split "
					 "their effect; read only their sum, or merge them into one channel",
					 channel_name(model, w->a), channel_name(model, w->b), w->value);
			break;
		case KPI_W_CONFOUNDED:
			snprintf(buf, len, "the spend of channel %s follows trend, seasonality or controls (only %.0f%% "
					 "of its variation is its own): its effect is weakly identified",
					 channel_name(model, w->a), 100.0 * w->value);
			break;
		case KPI_W_FEW_ROWS:
			snprintf(buf, len, "only %.1f observed %s per parameter: estimates are fragile; use a longer "
					 "period or fewer channels", w->value, unit);
			break;
		case KPI_W_MISSING_PERIODS:
			snprintf(buf, len, "%.0f %s inside the range have no KPI value and were skipped (their spend, "
					 "if any, still carries over)", w->value, unit);
			break;
		case KPI_W_NEGATIVE_KPI:
			snprintf(buf, len, "%.0f %s have a negative KPI: check refunds or corrections", w->value, unit);
			break;
		case KPI_W_NULL_ROWS:
			snprintf(buf, len, "%.0f input rows had a NULL day, spend or KPI and were skipped", w->value);
			break;
		case KPI_W_MEDIA_EXCEEDS_KPI:
			snprintf(buf, len, "on %.0f %s the fitted media effect exceeds the KPI itself: the media "
					 "effects are probably overstated", w->value, unit);
			break;
		case KPI_W_NEGATIVE_BASELINE:
			snprintf(buf, len, "on %.0f %s the organic part (baseline + seasonality) is negative: media or "
					 "controls absorb too much", w->value, unit);
			break;
		case KPI_W_AT_BOUND:
			snprintf(buf, len, "a carryover or saturation parameter of channel %s sits at its search "
					 "limit: its curve shape is uncertain", channel_name(model, w->a));
			break;
		case KPI_W_NO_EFFECT:
			snprintf(buf, len, "channel %s shows no measurable effect on the KPI", channel_name(model, w->a));
			break;
		case KPI_W_AUTOCORRELATION:
			snprintf(buf, len, "residuals are strongly autocorrelated (lag-1 %.2f): something slow is "
					 "missing from the model (a control, an event, a trend change)", w->value);
			break;
		case KPI_W_HOLDOUT:
			snprintf(buf, len, "the forecast of the held-out last %s is %.1f times worse than the in-sample "
					 "fit: the model may not generalise", unit, w->value);
			break;
		case KPI_W_SHORT_SERIES:
			snprintf(buf, len, "only %.0f days of data: no full year, so yearly seasonality is not (fully) "
					 "modelled and may be mistaken for media", w->value);
			break;
		case KPI_W_CONTROL_DROPPED:
			snprintf(buf, len, "control %s is constant or duplicates trend/seasonality/another control: "
					 "dropped", w->a >= 0 && w->a < model->c && model->control_names[w->a]
					 ? model->control_names[w->a] : "?");
			break;
		case KPI_W_TEST_DISAGREES:
			snprintf(buf, len, "a lift test on channel %s is %.1f standard errors from what the data alone "
					 "predict: the calibrated model leans on the test; check the test's design (window, "
					 "cells, spend) before trusting either (see kpi_model_experiments)",
					 channel_name(model, w->a), fabs(w->value));
			break;
		case KPI_W_TESTS_CONFLICT:
			snprintf(buf, len, "two lift tests on channel %s contradict each other (their implied effects "
					 "differ by %.1f standard errors): the model cannot satisfy both; drop or re-run one",
					 channel_name(model, w->a), w->value);
			break;
		default:
			snprintf(buf, len, "unknown warning");
	}
}
