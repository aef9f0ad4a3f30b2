/*
 * kpi_model_calibrate.c — calibrating a noa.kpi_model with lift tests read
 * from a table, and the answers about it as flat rows: per test (the model's
 * prediction before and after, the distance in standard errors, a verdict) and
 * per channel (how far each answer moved because of the tests).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"

#include "noa.h"
#include "kpi_model_type.h"
#include "planner_output.h"

static const char *const required_columns[] = {"channel", "start_day", "end_day", "lift", "lift_se"};

/* A date as text for messages. */
static char *
day_text(DateADT day)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day)));
}

/* Ereport a bad test (after the caller freed what it owns). */
static void
bad_test(const char *channel, DateADT start, DateADT end, const char *problem, const kpi_model *model)
{
	DateADT		first = model->first_day,
				last = model->first_day + model->n * model->period_days - 1;

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("noa.calibrate_kpi_model: lift test on %s from %s to %s: %s", channel,
					day_text(start), day_text(end), problem),
			 errdetail("The model covers %s to %s; a test needs a channel of the model, a window inside "
					   "those dates, a positive standard error and, if given, a positive spend difference.",
					   day_text(first), day_text(last)),
			 errhint("Fix or remove that row of the experiments table.")));
}

/* Read the experiments table into tests (palloc'd); ereports on bad rows. */
static kpi_test *
read_tests(Oid relid, const kpi_model *model, int *count)
{
	StringInfoData q;
	bool		has_diff = get_attnum(relid, "spend_diff") != InvalidAttrNumber;
	char	   *relname = get_rel_name(relid);
	kpi_test   *tests;
	uint64		i;
	int			c;
	MemoryContext caller = CurrentMemoryContext;

	if (relname == NULL)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("noa.calibrate_kpi_model: no such table")));
	for (c = 0; c < (int) lengthof(required_columns); c++)
		if (get_attnum(relid, required_columns[c]) == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("noa.calibrate_kpi_model: the experiments table %s has no column \"%s\"",
							relname, required_columns[c]),
					 errhint("The table needs columns channel, start_day, end_day, lift (measured incremental "
							 "KPI over the window) and lift_se (its standard error); spend_diff is optional.")));
	initStringInfo(&q);
	appendStringInfo(&q,
					 "SELECT channel::pg_catalog.text, start_day::pg_catalog.date, end_day::pg_catalog.date, "
					 "lift::pg_catalog.float8, lift_se::pg_catalog.float8, %s FROM %s ORDER BY 1, 2, 3, 4, 5, 6",
					 has_diff ? "spend_diff::pg_catalog.float8" : "NULL::pg_catalog.float8",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), relname));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "noa.calibrate_kpi_model: SPI_connect failed");
	if (SPI_execute(q.data, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "noa.calibrate_kpi_model: reading the experiments table failed");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("noa.calibrate_kpi_model: the experiments table %s is empty", relname)));
	if (SPI_processed > 1000)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("noa.calibrate_kpi_model: at most 1000 lift tests")));
	tests = MemoryContextAllocZero(caller, sizeof(kpi_test) * SPI_processed);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull[6];
		Datum		v[6];
		kpi_test   *t = &tests[i];
		char	   *name;
		DateADT		start,
					end;
		int			k;
		const char *problem;

		for (c = 0; c < 6; c++)
			v[c] = SPI_getbinval(tup, desc, c + 1, &isnull[c]);
		for (c = 0; c < 5; c++)
			if (isnull[c])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("noa.calibrate_kpi_model: column %s is NULL in a row of %s",
								required_columns[c], relname),
						 errhint("Every lift test needs a channel, start_day, end_day, lift and lift_se.")));
		name = TextDatumGetCString(v[0]);
		start = DatumGetDateADT(v[1]);
		end = DatumGetDateADT(v[2]);
		if (DATE_NOT_FINITE(start) || DATE_NOT_FINITE(end))
			bad_test(name, start, end, "the window must have finite dates", model);
		t->channel = -1;
		for (k = 0; k < model->m; k++)
			if (strcmp(model->channel_names[k], name) == 0)
				t->channel = k;
		t->first = start < model->first_day ? -1 : (start - model->first_day) / model->period_days;
		t->last = end < model->first_day ? -1 : (end - model->first_day) / model->period_days;
		t->lift = DatumGetFloat8(v[3]);
		t->se = DatumGetFloat8(v[4]);
		t->has_diff = !isnull[5];
		t->spend_diff = isnull[5] ? 0.0 : DatumGetFloat8(v[5]);
		if (end < start)
			bad_test(name, start, end, "the test ends before it starts", model);
		if (start < model->first_day || end > model->first_day + model->n * model->period_days - 1)
			bad_test(name, start, end, "the test window is outside the data's dates", model);
		problem = kpi_test_problem(model, t);
		if (problem)
			bad_test(name, start, end, problem, model);
	}
	*count = (int) SPI_processed;
	SPI_finish();
	return tests;
}

PG_FUNCTION_INFO_V1(noa_kpi_model_calibrate);
/* noa.calibrate_kpi_model(model, experiments): the model refitted with the lift tests. */
Datum
noa_kpi_model_calibrate(PG_FUNCTION_ARGS)
{
	kpi_model  *model = kpi_model_from_arg(fcinfo, 0);
	Oid			relid = PG_GETARG_OID(1);
	kpi_options opt = {0};
	kpi_test   *tests = NULL;
	int			count = 0,
				rc = KPI_OK;
	bytea	   *volatile result = NULL;

	PG_TRY();
	{
		tests = read_tests(relid, model, &count);
		opt.interrupted = noa_cancel_requested;
		rc = kpi_model_calibrate(model, tests, count, &opt);
		if (rc == KPI_OK)
			result = kpi_model_to_datum(model);
	}
	PG_FINALLY();
	{
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
		case KPI_ERR_NOMEM:
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory while calibrating a KPI model")));
			break;
		default:
			elog(ERROR, "noa.calibrate_kpi_model: internal error %d", rc);
	}
	PG_RETURN_BYTEA_P(result);
}

/* Combined distance of the data-only prediction from the measurement, in standard errors. */
static double
distance_before(const kpi_test *t)
{
	return (t->predicted_before - t->lift) / sqrt(t->se * t->se + t->sd_before * t->sd_before);
}

/* What a test's numbers mean, in words. */
static const char *
test_verdict(const kpi_test *t)
{
	bool		agrees = fabs(distance_before(t)) <= 2.0;
	bool		absorbed = fabs((t->predicted - t->lift) / t->se) <= 2.0;

	if (agrees && absorbed)
		return "consistent with the data";
	if (agrees)
		return "consistent with the data alone, but not with the other tests";
	if (absorbed)
		return "disagrees with the data: the calibrated model follows the test";
	return "disagrees with the data: the calibrated model cannot meet the test";
}

PG_FUNCTION_INFO_V1(noa_kpi_model_experiments);
/* noa.kpi_model_experiments(model): one row per lift test. */
Datum
noa_kpi_model_experiments(PG_FUNCTION_ARGS)
{
	kpi_model  *model;

	InitMaterializedSRF(fcinfo, 0);
	model = kpi_model_from_arg(fcinfo, 0);
	PG_TRY();
	{
		int			i;

		for (i = 0; i < model->n_tests; i++)
		{
			const kpi_test *t = &model->tests[i];
			RowBuilder	row;

			row_start(&row, 14);
			put_text(&row, model->channel_names[t->channel]);
			row.values[row.col] = DateADTGetDatum(model->first_day + t->first * model->period_days);
			row.nulls[row.col++] = false;
			row.values[row.col] = DateADTGetDatum(model->first_day + (t->last + 1) * model->period_days - 1);
			row.nulls[row.col++] = false;
			put_float(&row, t->lift);
			put_float(&row, t->se);
			put_money(&row, t->has_diff ? t->spend_diff : NAN);
			put_float(&row, t->predicted_before);
			put_float(&row, distance_before(t));
			put_float(&row, t->predicted);
			put_float(&row, t->predicted_lo);
			put_float(&row, t->predicted_hi);
			put_float(&row, (t->predicted - t->lift) / t->se);
			put_bool(&row, fabs(distance_before(t)) <= 2.0);
			put_text(&row, test_verdict(t));
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

/* Relative change after / before − 1, NaN when undefined. */
static double
change(double before, double after)
{
	return before != 0.0 && isfinite(before) && isfinite(after) ? after / before - 1.0 : NAN;
}

PG_FUNCTION_INFO_V1(noa_kpi_model_calibration);
/* noa.kpi_model_calibration(model): per channel, the answers before and after the tests. */
Datum
noa_kpi_model_calibration(PG_FUNCTION_ARGS)
{
	kpi_model  *model;

	InitMaterializedSRF(fcinfo, 0);
	model = kpi_model_from_arg(fcinfo, 0);
	PG_TRY();
	{
		int			k,
					i;

		for (k = 0; model->n_tests > 0 && k < model->m; k++)
		{
			const kpi_channel *ch = &model->ch[k];
			bool		usable = !(ch->flags & (KPI_CH_EXCLUDED | KPI_CH_COLLINEAR));
			double		roas_before = usable ? ratio_or_nan(ch->contribution_before, ch->spend) : NAN,
						roas = usable ? ratio_or_nan(ch->contribution, ch->spend) : NAN;
			int			tests = 0;
			RowBuilder	row;

			for (i = 0; i < model->n_tests; i++)
				tests += model->tests[i].channel == k;
			row_start(&row, 9);
			put_text(&row, model->channel_names[k]);
			put_int(&row, tests);
			put_float(&row, roas_before);
			put_float(&row, roas);
			put_float(&row, change(roas_before, roas));
			put_float(&row, usable ? ch->mroas_before : NAN);
			put_float(&row, usable ? ch->mroas : NAN);
			put_float(&row, usable ? change(ch->mroas_before, ch->mroas) : NAN);
			put_float(&row, usable ? ch->contribution - ch->contribution_before : NAN);
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
