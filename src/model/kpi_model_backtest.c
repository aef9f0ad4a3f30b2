/*
 * kpi_model_backtest.c — the model's track record as flat rows:
 * noa.kpi_model_backtest(model, cutoff, horizon), the model refitted on the data
 * up to the cutoff, its forecast of the following periods from the spend
 * actually made, and what happened; noa.kpi_model_followup(model, day, channel,
 * horizon), how much of the effect a channel's spend change was predicted to
 * have showed up.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "noa.h"
#include "kpi_model_type.h"
#include "planner_output.h"

/* One backtest row. */
static void
backtest_row(FunctionCallInfo fcinfo, bool has_day, DateADT day, const char *component, double predicted,
			 double lo, double hi, double actual, double abs_pct_error, int covered, double coverage)
{
	RowBuilder	row;

	row_start(&row, 10);
	row.values[row.col] = DateADTGetDatum(day);
	row.nulls[row.col++] = !has_day;
	put_text(&row, component);
	put_float(&row, predicted);
	put_float(&row, lo);
	put_float(&row, hi);
	put_float(&row, actual);
	put_float(&row, isnan(actual) ? NAN : predicted - actual);
	put_float(&row, abs_pct_error);
	if (covered < 0)
		row.nulls[row.col++] = true;
	else
		put_bool(&row, covered != 0);
	put_float(&row, coverage);
	row_emit(fcinfo, &row);
}

/* Rows of a computed backtest: per day the total and each channel, then the summaries. */
static void
emit_backtest(FunctionCallInfo fcinfo, const kpi_model *model, const kpi_backtest *bt, int n_train)
{
	int			h = bt->horizon,
				t,
				k,
				days = 0,
				covered = 0;
	double		sum_pred = 0.0,
				sum_actual = 0.0,
				sum_ape = 0.0;

	for (t = 0; t < h; t++)
	{
		DateADT		day = model->first_day + (n_train + t) * model->period_days;
		double		a = bt->actual[t],
					ape = !isnan(a) && a != 0.0 ? fabs(bt->predicted[t] - a) / fabs(a) : NAN;
		int			in = isnan(a) ? -1 : (a >= bt->lo[t] && a <= bt->hi[t]);

		CHECK_FOR_INTERRUPTS();
		backtest_row(fcinfo, true, day, "total", bt->predicted[t], bt->lo[t], bt->hi[t], a, ape, in, NAN);
		for (k = 0; k < model->m; k++)
		{
			double		v = bt->channel[(size_t) k * h + t];

			backtest_row(fcinfo, true, day, model->channel_names[k], v, v * bt->channel_lo[k],
						 v * bt->channel_hi[k], NAN, NAN, -1, NAN);
		}
		if (!isnan(a))
		{
			days++;
			covered += in;
			sum_pred += bt->predicted[t];
			sum_actual += a;
			if (!isnan(ape))
				sum_ape += ape;
		}
	}
	backtest_row(fcinfo, false, 0, "total", sum_pred, NAN, NAN, days > 0 ? sum_actual : NAN,
				 days > 0 ? sum_ape / days : NAN, -1, days > 0 ? (double) covered / days : NAN);
	for (k = 0; k < model->m; k++)
	{
		double		v = 0.0;

		for (t = 0; t < h; t++)
			v += bt->channel[(size_t) k * h + t];
		backtest_row(fcinfo, false, 0, model->channel_names[k], v, v * bt->channel_lo[k], v * bt->channel_hi[k],
					 NAN, NAN, -1, NAN);
	}
}

/*
 * Training periods for a cutoff day (the last day the refit sees), after
 * checking that `horizon` periods of data follow it; ereports otherwise.
 */
static int
cutoff_periods(const kpi_model *model, DateADT cutoff, int horizon, const char *fname)
{
	DateADT		first = model->first_day,
				last = model->first_day + model->n * model->period_days - 1;

	if (horizon < 1 || horizon > 10000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: horizon must be between 1 and 10000 periods", fname)));
	if (DATE_NOT_FINITE(cutoff))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the cutoff must be a finite date", fname)));
	if (cutoff < first)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: cutoff %s is before the model's first day %s", fname,
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(cutoff))),
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(first)))),
				 errhint("The cutoff is the last day the refit may see.")));
	if ((int64) cutoff + (int64) horizon * model->period_days > last)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: cutoff %s leaves no %d periods of data after it", fname,
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(cutoff))), horizon),
				 errdetail("The model covers %s to %s.",
						   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(first))),
						   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(last)))),
				 errhint("Choose a cutoff at least horizon periods before the last day.")));
	return (cutoff - first) / model->period_days + 1;
}

/* Ereport a failed refit (after the caller freed what it owns). */
static void
raise_fit_error(int rc, int n_train, const char *fname)
{
	switch (rc)
	{
		case KPI_OK:
			break;
		case KPI_ERR_INTERRUPTED:
			noa_raise_cancel();
			break;
		case KPI_ERR_TOO_FEW:
		case KPI_ERR_NO_MEDIA:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: too little data up to the cutoff to fit the model (%d periods)",
							fname, n_train),
					 errhint("Choose a later cutoff.")));
			break;
		case KPI_ERR_NOMEM:
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("%s: out of memory", fname)));
			break;
		default:
			elog(ERROR, "%s: internal error %d", fname, rc);
	}
}

PG_FUNCTION_INFO_V1(noa_kpi_model_backtest);
/* noa.kpi_model_backtest(model, cutoff, horizon): fit up to cutoff, forecast, compare. */
Datum
noa_kpi_model_backtest(PG_FUNCTION_ARGS)
{
	kpi_model  *model;
	DateADT		cutoff = PG_GETARG_DATEADT(1);
	int32		horizon = PG_GETARG_INT32(2);
	kpi_backtest bt = {0};
	volatile int rc = KPI_OK;	/* set inside PG_TRY, read after it */
	volatile int n_train = 0;

	InitMaterializedSRF(fcinfo, 0);
	model = kpi_model_from_arg(fcinfo, 0);
	PG_TRY();
	{
		kpi_options opt;

		n_train = cutoff_periods(model, cutoff, horizon, "noa.kpi_model_backtest");
		kpi_model_options(model, &opt);
		opt.holdout = -1;
		/* the refit's bootstrap only sets the channels' intervals: 50 replicates suffice */
		opt.replicates = Min(opt.replicates, 50);
		opt.interrupted = noa_cancel_requested;
		rc = kpi_model_backtest(model, n_train, horizon, -1, &opt, &bt);
		if (rc == KPI_OK)
			emit_backtest(fcinfo, model, &bt, n_train);
	}
	PG_FINALLY();
	{
		kpi_backtest_free(&bt);
		kpi_model_free(model);
	}
	PG_END_TRY();
	raise_fit_error(rc, n_train, "noa.kpi_model_backtest");
	return (Datum) 0;
}

/* What a follow-up's numbers mean, in words. */
static const char *
followup_verdict(const kpi_backtest *bt, double predicted, double lo, double hi)
{
	if (fabs(bt->spend_after - bt->spend_before) < 0.05 * fabs(bt->spend_before))
		return "spend barely changed after the decision day: nothing to check";
	if (fabs(predicted) < 1.6448536 * bt->noise_sd_sum)
		return "the predicted effect is smaller than the KPI's noise over the horizon: too small to verify";
	if (predicted >= lo && predicted <= hi)
		return "the predicted effect showed up (inside the realized interval)";
	return predicted > hi ? "less showed up than predicted" : "more showed up than predicted";
}

PG_FUNCTION_INFO_V1(noa_kpi_model_followup);
/* noa.kpi_model_followup(model, decision_day, channel, horizon): did a spend change deliver? */
Datum
noa_kpi_model_followup(PG_FUNCTION_ARGS)
{
	kpi_model  *model;
	DateADT		day = PG_GETARG_DATEADT(1);
	char	   *channel = text_to_cstring(PG_GETARG_TEXT_PP(2));
	int32		horizon = PG_GETARG_INT32(3);
	kpi_backtest bt = {0};
	int			rc = KPI_OK,
				n_train = 0;

	InitMaterializedSRF(fcinfo, 0);
	model = kpi_model_from_arg(fcinfo, 0);
	PG_TRY();
	{
		int			k,
					found = -1,
					t;
		kpi_options opt;

		for (k = 0; k < model->m; k++)
			if (strcmp(model->channel_names[k], channel) == 0)
				found = k;
		if (found < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("noa.kpi_model_followup: channel \"%s\" is not in the model", channel)));
		n_train = cutoff_periods(model, day, horizon, "noa.kpi_model_followup");
		kpi_model_options(model, &opt);
		opt.holdout = -1;
		opt.replicates = Min(opt.replicates, 50);
		opt.interrupted = noa_cancel_requested;
		rc = kpi_model_backtest(model, n_train, horizon, found, &opt, &bt);
		if (rc == KPI_OK)
		{
			double		predicted = 0.0,
						realized = 0.0;
			RowBuilder	row;

			for (t = 0; t < horizon; t++)
			{
				predicted += bt.predicted[t] - bt.held[t];
				if (!isnan(bt.actual[t]))
					realized += bt.actual[t] - bt.held[t];
			}
			row_start(&row, 11);
			put_text(&row, channel);
			row.values[row.col] = DateADTGetDatum(day);
			row.nulls[row.col++] = false;
			put_int(&row, horizon);
			put_money(&row, bt.spend_before);
			put_money(&row, bt.spend_after);
			put_float(&row, predicted);
			put_float(&row, realized);
			put_float(&row, realized - 1.6448536 * bt.noise_sd_sum);
			put_float(&row, realized + 1.6448536 * bt.noise_sd_sum);
			put_float(&row, fabs(predicted) > 1e-9 * (1.0 + fabs(realized)) ? realized / predicted : NAN);
			put_text(&row, followup_verdict(&bt, predicted, realized - 1.6448536 * bt.noise_sd_sum,
											realized + 1.6448536 * bt.noise_sd_sum));
			row_emit(fcinfo, &row);
		}
	}
	PG_FINALLY();
	{
		kpi_backtest_free(&bt);
		kpi_model_free(model);
	}
	PG_END_TRY();
	raise_fit_error(rc, n_train, "noa.kpi_model_followup");
	return (Datum) 0;
}
