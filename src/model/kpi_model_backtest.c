/*
 * kpi_model_backtest.c — noa.kpi_model_backtest(model, cutoff, horizon): the
 * model refitted on the data up to the cutoff, its forecast of the following
 * periods from the spend actually made, and what happened, as flat rows.
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

PG_FUNCTION_INFO_V1(noa_kpi_model_backtest);
/* noa.kpi_model_backtest(model, cutoff, horizon): fit up to cutoff, forecast, compare. */
Datum
noa_kpi_model_backtest(PG_FUNCTION_ARGS)
{
	kpi_model  *model;
	DateADT		cutoff = PG_GETARG_DATEADT(1);
	int32		horizon = PG_GETARG_INT32(2);
	kpi_backtest bt = {0};
	int			rc = KPI_OK,
				n_train = 0;

	InitMaterializedSRF(fcinfo, 0);
	model = kpi_model_from_arg(fcinfo, 0);
	PG_TRY();
	{
		DateADT		first = model->first_day,
					last = model->first_day + model->n * model->period_days - 1;
		kpi_options opt;

		if (horizon < 1 || horizon > 10000)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("noa.kpi_model_backtest: horizon must be between 1 and 10000 periods")));
		if (DATE_NOT_FINITE(cutoff))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("noa.kpi_model_backtest: the cutoff must be a finite date")));
		if (cutoff < first)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("noa.kpi_model_backtest: cutoff %s is before the model's first day %s",
							DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(cutoff))),
							DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(first)))),
					 errhint("The cutoff is the last day the refit may see.")));
		if ((int64) cutoff + (int64) horizon * model->period_days > last)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("noa.kpi_model_backtest: cutoff %s leaves no %d periods of data after it",
							DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(cutoff))), horizon),
					 errdetail("The model covers %s to %s.",
							   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(first))),
							   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(last)))),
					 errhint("Choose a cutoff at least horizon periods before the last day.")));
		n_train = (cutoff - first) / model->period_days + 1;
		kpi_model_options(model, &opt);
		opt.holdout = -1;
		/* the refit's bootstrap only sets the channels' intervals: 50 replicates suffice */
		opt.replicates = Min(opt.replicates, 50);
		opt.interrupted = noa_cancel_requested;
		rc = kpi_model_backtest(model, n_train, horizon, &opt, &bt);
		if (rc == KPI_OK)
			emit_backtest(fcinfo, model, &bt, n_train);
	}
	PG_FINALLY();
	{
		kpi_backtest_free(&bt);
		kpi_model_free(model);
	}
	PG_END_TRY();
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
					 errmsg("noa.kpi_model_backtest: too little data up to the cutoff to fit the model (%d periods)",
							n_train),
					 errhint("Choose a later cutoff.")));
			break;
		case KPI_ERR_NOMEM:
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory in a KPI model backtest")));
			break;
		default:
			elog(ERROR, "noa.kpi_model_backtest: internal error %d", rc);
	}
	return (Datum) 0;
}
