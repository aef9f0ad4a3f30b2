/*
 * kpi_model_report.c — questions asked of a noa.kpi_model, answered as flat
 * rows: per channel, per day (the decomposition a stacked area chart plots),
 * diagnostics and warnings; and each channel's long-run response as a
 * noa.curve value the portfolio, allocator and curve accessors take unchanged.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "kpi_model_type.h"
#include "kpi_transform.h"
#include "noa_curve.h"
#include "planner_output.h"

/* ratio or NaN (a NULL in the output) */
static double
safe_ratio(double num, double den)
{
	return den != 0.0 && isfinite(num) && isfinite(den) ? num / den : NAN;
}

/* Total observed KPI. */
static double
kpi_total(const kpi_model *model)
{
	double		total = 0.0;
	int			t;

	for (t = 0; t < model->n; t++)
		if (!isnan(model->kpi[t]))
			total += model->kpi[t];
	return total;
}

/* What an analyst should know about a channel's figures, or NULL. */
static const char *
channel_note(const kpi_model *model, const kpi_channel *ch, char *buf, size_t len)
{
	if (ch->flags & KPI_CH_EXCLUDED)
		return "left out: zero or constant spend (see kpi_model_diagnostics)";
	if (ch->flags & KPI_CH_COLLINEAR)
	{
		snprintf(buf, len, "not identifiable: spend moves with %s; only their sum is measured",
				 model->channel_names[ch->collinear_with]);
		return buf;
	}
	if (ch->beta <= 0.0)
		return "no measurable effect";
	if (ch->flags & KPI_CH_AT_BOUND)
		return "carryover or saturation at its search limit: curve shape uncertain";
	return NULL;
}

/* Emit one channel row. */
static void
channel_row(FunctionCallInfo fcinfo, const kpi_model *model, int k, double ytotal)
{
	const kpi_channel *ch = &model->ch[k];
	bool		usable = !(ch->flags & (KPI_CH_EXCLUDED | KPI_CH_COLLINEAR));
	bool		reported = (ch->flags & KPI_CH_REPORTED) && ch->reported > 0.0;
	RowBuilder	row;
	char		buf[512];
	double		sat = NAN;

	if (usable && ch->beta > 0.0)
		sat = ch->family == KPI_SAT_TANH ? ch->kappa * atanh(0.9)
			: ch->kappa * pow(9.0, 1.0 / ch->shape);
	row_start(&row, 22);
	put_text(&row, model->channel_names[k]);
	put_money(&row, ch->spend);
	put_money(&row, ch->spend_current);
	put_float(&row, usable ? ch->contribution : NAN);
	put_float(&row, usable ? ch->contribution_lo : NAN);
	put_float(&row, usable ? ch->contribution_hi : NAN);
	put_float(&row, usable ? safe_ratio(ch->contribution, ytotal) : NAN);
	put_float(&row, usable ? safe_ratio(ch->contribution, ch->spend) : NAN);
	put_float(&row, usable ? safe_ratio(ch->contribution_lo, ch->spend) : NAN);
	put_float(&row, usable ? safe_ratio(ch->contribution_hi, ch->spend) : NAN);
	put_float(&row, usable ? ch->mroas : NAN);
	put_float(&row, usable ? ch->mroas_lo : NAN);
	put_float(&row, usable ? ch->mroas_hi : NAN);
	put_float(&row, usable ? kpi_half_life_days(model, k) : NAN);
	put_float(&row, usable ? ch->alpha : NAN);
	put_text(&row, usable ? (ch->family == KPI_SAT_TANH ? "tanh" : "hill") : NULL);
	put_money(&row, sat);
	put_float(&row, (ch->flags & KPI_CH_REPORTED) ? ch->reported : NAN);
	put_float(&row, usable && reported ? ch->contribution / ch->reported : NAN);
	put_float(&row, usable && reported ? ch->contribution_lo / ch->reported : NAN);
	put_float(&row, usable && reported ? ch->contribution_hi / ch->reported : NAN);
	put_text(&row, channel_note(model, ch, buf, sizeof(buf)));
	row_emit(fcinfo, &row);
}

PG_FUNCTION_INFO_V1(noa_kpi_model_channels);
/* noa.kpi_model_channels(model): one row per channel. */
Datum
noa_kpi_model_channels(PG_FUNCTION_ARGS)
{
	kpi_model  *model;

	InitMaterializedSRF(fcinfo, 0);
	model = kpi_model_from_arg(fcinfo, 0);
	PG_TRY();
	{
		double		ytotal = kpi_total(model);
		int			k;

		for (k = 0; k < model->m; k++)
			channel_row(fcinfo, model, k, ytotal);
	}
	PG_FINALLY();
	{
		kpi_model_free(model);
	}
	PG_END_TRY();
	return (Datum) 0;
}

/* One decomposition row. */
static void
part_row(FunctionCallInfo fcinfo, DateADT day, const char *component, const char *kind, double value)
{
	RowBuilder	row;

	row_start(&row, 4);
	row.values[row.col] = DateADTGetDatum(day);
	row.nulls[row.col++] = false;
	put_text(&row, component);
	put_text(&row, kind);
	put_float(&row, value);
	row_emit(fcinfo, &row);
}

PG_FUNCTION_INFO_V1(noa_kpi_model_decomposition);
/* noa.kpi_model_decomposition(model): per period and component; the parts add up to the fit. */
Datum
noa_kpi_model_decomposition(PG_FUNCTION_ARGS)
{
	kpi_model  *model;
	kpi_parts  *parts = NULL;
	double	   *per_channel = NULL,
			   *per_control = NULL;

	InitMaterializedSRF(fcinfo, 0);
	model = kpi_model_from_arg(fcinfo, 0);
	PG_TRY();
	{
		int			n = model->n,
					t,
					k;

		parts = palloc(sizeof(kpi_parts) * n);
		per_channel = palloc_extended(sizeof(double) * ((size_t) model->m * n + 1), MCXT_ALLOC_HUGE);
		per_control = palloc_extended(sizeof(double) * ((size_t) model->c * n + 1), MCXT_ALLOC_HUGE);
		if (kpi_model_decompose(model, parts, per_channel, per_control) != KPI_OK)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		for (t = 0; t < n; t++)
		{
			DateADT		day = model->first_day + t * model->period_days;

			CHECK_FOR_INTERRUPTS();
			part_row(fcinfo, day, "baseline", "organic", parts[t].baseline);
			part_row(fcinfo, day, "seasonality", "organic", parts[t].seasonality);
			for (k = 0; k < model->c; k++)
				part_row(fcinfo, day, model->control_names[k], "control", per_control[(size_t) k * n + t]);
			for (k = 0; k < model->m; k++)
				part_row(fcinfo, day, model->channel_names[k], "media", per_channel[(size_t) k * n + t]);
		}
	}
	PG_FINALLY();
	{
		kpi_model_free(model);
	}
	PG_END_TRY();
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(noa_kpi_model_fitted);
/* noa.kpi_model_fitted(model): per period the KPI, the fitted value and the residual. */
Datum
noa_kpi_model_fitted(PG_FUNCTION_ARGS)
{
	kpi_model  *model;

	InitMaterializedSRF(fcinfo, 0);
	model = kpi_model_from_arg(fcinfo, 0);
	PG_TRY();
	{
		kpi_parts  *parts = palloc(sizeof(kpi_parts) * model->n);
		int			t;

		if (kpi_model_decompose(model, parts, NULL, NULL) != KPI_OK)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		for (t = 0; t < model->n; t++)
		{
			RowBuilder	row;
			double		y = model->kpi[t];

			row_start(&row, 5);
			row.values[row.col] = DateADTGetDatum(model->first_day + t * model->period_days);
			row.nulls[row.col++] = false;
			put_float(&row, y);
			put_float(&row, parts[t].fitted);
			put_float(&row, y - parts[t].fitted);
			put_bool(&row, t >= model->n - model->holdout);
			row_emit(fcinfo, &row);
		}
	}
	PG_FINALLY();
	{
		kpi_model_free(model);
	}
	PG_END_TRY();
	return (Datum) 0;
}

/* One diagnostics row. */
static void
diag_row(FunctionCallInfo fcinfo, const char *item, const char *channel, double value,
		 const char *severity, const char *message)
{
	RowBuilder	row;

	row_start(&row, 5);
	put_text(&row, item);
	put_text(&row, channel);
	put_float(&row, value);
	put_text(&row, severity);
	put_text(&row, message);
	row_emit(fcinfo, &row);
}

PG_FUNCTION_INFO_V1(noa_kpi_model_diagnostics);
/* noa.kpi_model_diagnostics(model): fit statistics, then warnings in plain words. */
Datum
noa_kpi_model_diagnostics(PG_FUNCTION_ARGS)
{
	kpi_model  *model;

	InitMaterializedSRF(fcinfo, 0);
	model = kpi_model_from_arg(fcinfo, 0);
	PG_TRY();
	{
		char		buf[600];
		int			i;
		const char *unit = model->period_days == 1 ? "daily" : "weekly";

		snprintf(buf, sizeof(buf), "%d %s periods, %d with a KPI, %d channels, %d controls",
				 model->n, unit, model->n_obs, model->m, model->c);
		diag_row(fcinfo, "periods", NULL, model->n_obs, "info", buf);
		diag_row(fcinfo, "r2", NULL, model->r2, "info", "share of the KPI's variance the model explains (in sample)");
		diag_row(fcinfo, "nrmse", NULL, model->nrmse, "info",
				 "in-sample RMSE divided by the KPI's range (Robyn's NRMSE)");
		snprintf(buf, sizeof(buf), "RMSE of the last %d periods, forecast by a refit without them, divided by the KPI's range",
				 model->holdout);
		diag_row(fcinfo, "nrmse_holdout", NULL, model->holdout > 0 ? model->nrmse_holdout : NAN, "info",
				 model->holdout > 0 ? buf : "no holdout (series too short or switched off)");
		diag_row(fcinfo, "decomp_rssd", NULL, model->rssd, "info",
				 "distance between the channels' spend shares and effect shares (Robyn's DECOMP.RSSD)");
		diag_row(fcinfo, "residual_acf1", NULL, model->acf1, "info", "lag-1 autocorrelation of the residuals");
		if (model->period_days == 1)
			diag_row(fcinfo, "residual_acf7", NULL, model->acf_season, "info",
					 "lag-7 autocorrelation of the residuals (weekly pattern left over)");
		snprintf(buf, sizeof(buf), "%d multi-starts, %d moving-block bootstrap replicates (90%% percentile intervals), adstock window %d periods",
				 model->starts, model->replicates, model->lag);
		diag_row(fcinfo, "search", NULL, model->replicates, "info", buf);
		diag_row(fcinfo, "seasonality", NULL, model->multiplicative, "info",
				 model->multiplicative ? "multiplicative organic demand: weekday, season and trend scale each other"
				 : "additive organic demand: weekday, season and trend add up");
		for (i = 0; i < model->n_warnings; i++)
		{
			const kpi_warning *w = &model->warnings[i];
			const char *channel = NULL;

			if (w->a >= 0 && w->code != KPI_W_CONTROL_DROPPED)
				channel = model->channel_names[w->a];
			else if (w->a >= 0)
				channel = model->control_names[w->a];
			kpi_warning_message(model, w, buf, sizeof(buf));
			diag_row(fcinfo, kpi_warning_name(w->code), channel, w->value, "warning", buf);
		}
	}
	PG_FINALLY();
	{
		kpi_model_free(model);
	}
	PG_END_TRY();
	return (Datum) 0;
}

/* Channel k's long-run response per period as a core curve (tanh or hill family). */
static void
channel_curve(const kpi_model *model, int k, noa_curve *fit)
{
	const kpi_channel *ch = &model->ch[k];
	int			np,
				i,
				j,
				map[3] = {0, 1, 2};
	double		contribution_mean = ch->contribution / Max(model->n_obs, 1);

	memset(fit, 0, sizeof(*fit));
	fit->model = ch->family == KPI_SAT_TANH ? NOA_MODEL_TANH : NOA_MODEL_HILL;
	np = noa_model_nparams(fit->model);
	fit->n = model->n_obs;
	fit->n_starts = model->starts;
	fit->n_starts_converged = model->starts;
	fit->x_min = ch->spend_min;
	fit->x_max = ch->spend_max;
	fit->x_mean = ch->spend / Max(model->n_obs, 1);
	fit->y_mean = contribution_mean;
	fit->sigma = model->sigma;
	fit->ssr = model->sigma * model->sigma * Max(model->n_obs - 1, 0);
	fit->r2 = model->r2;
	fit->aicc = 0.0;
	if ((ch->flags & (KPI_CH_EXCLUDED | KPI_CH_COLLINEAR)) || ch->beta <= 0.0 || ch->kappa <= 0.0)
	{
		fit->status = NOA_FIT_NOT_IDENTIFIABLE;
		return;
	}
	fit->status = NOA_FIT_CONVERGED;
	fit->param[0] = ch->beta;
	fit->param[1] = ch->kappa;
	if (np == 3)
		fit->param[2] = ch->shape;
	for (i = 0; i < np; i++)
		for (j = 0; j < np; j++)
			fit->cov[i * NOA_MAX_PARAMS + j] = ch->cov[map[i] * 3 + map[j]];
}

PG_FUNCTION_INFO_V1(noa_kpi_model_curve);
/* noa.kpi_model_curve(model, channel): one channel's curve; NULL for an unknown channel. */
Datum
noa_kpi_model_curve(PG_FUNCTION_ARGS)
{
	kpi_model  *model = kpi_model_from_arg(fcinfo, 0);
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	noa_curve	fit;
	int			k,
				found = -1;

	for (k = 0; k < model->m; k++)
		if (strcmp(model->channel_names[k], name) == 0)
			found = k;
	if (found >= 0)
		channel_curve(model, found, &fit);
	kpi_model_free(model);
	if (found < 0)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(noa_curve_make(&fit));
}
