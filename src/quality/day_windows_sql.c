/*
 * day_windows_sql.c — SQL glue of the rolling-window statistics
 * (core/day_windows.h) behind noa.data_quality's tracking-break and
 * spend-spike checks: one call per campaign over its daily series as arrays
 * sorted by day, returning only the days that matter.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"

#include "day_windows.h"
#include "noa.h"
#include "series_args.h"

PG_FUNCTION_INFO_V1(noa_break_candidates_sql);
PG_FUNCTION_INFO_V1(noa_spike_days_sql);
PG_FUNCTION_INFO_V1(noa_day_gaps_sql);

/*
 * noa._break_candidates(days date[], spend float8[], conversions float8[])
 * RETURNS TABLE (d date,
 * ref_kind text, ref_sp float8, ref_cv float8, ref_disp float8): the days of
 * one campaign that may belong to a tracking break, with their reference
 * (the arrays in any order, one element per day).
 */
Datum
noa_break_candidates_sql(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int		   *day,
			   *order;
	bool	   *has;
	double	   *sp,
			   *cv;
	NoaBreakCandidate *out;
	size_t		n_out,
				k;
	int			n,
				i;

	InitMaterializedSRF(fcinfo, 0);
	day = noa_series_days(PG_GETARG_ARRAYTYPE_P(0), &n, &order);
	has = palloc(sizeof(bool) * Max(n, 1));
	for (i = 0; i < n; i++)
		has[i] = true;
	sp = noa_series_floats(PG_GETARG_ARRAYTYPE_P(1), n, order, has);
	cv = noa_series_floats(PG_GETARG_ARRAYTYPE_P(2), n, order, has);
	out = palloc(sizeof(NoaBreakCandidate) * Max(n, 1));
	if (noa_break_candidates(day, sp, cv, has, n, out, &n_out, noa_cancel_requested) != NOA_DW_OK)
		noa_raise_cancel();
	for (k = 0; k < n_out; k++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = DateADTGetDatum(day[out[k].index]);
		values[1] = CStringGetTextDatum(out[k].ref_kind == NOA_REF_SIMILAR ? "similar" : "all");
		values[2] = Float8GetDatum(out[k].ref_sp);
		values[3] = Float8GetDatum(out[k].ref_cv);
		values[4] = Float8GetDatum(out[k].ref_disp);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}

/*
 * noa._spike_days(days date[], spend float8[]) RETURNS TABLE (d date,
 * lsp float8, med float8, z float8): the days of one campaign whose spend
 * jumps out of the days around them.  Only days with a positive, finite
 * spend take part (the others are left out, as if they had no row).
 */
Datum
noa_spike_days_sql(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int		   *day,
			   *order;
	bool	   *has;
	double	   *sp;
	NoaSpikeDay *out;
	size_t		n_out,
				k;
	int			n,
				m = 0,
				i,
				status;

	InitMaterializedSRF(fcinfo, 0);
	day = noa_series_days(PG_GETARG_ARRAYTYPE_P(0), &n, &order);
	has = palloc(sizeof(bool) * Max(n, 1));
	for (i = 0; i < n; i++)
		has[i] = true;
	sp = noa_series_floats(PG_GETARG_ARRAYTYPE_P(1), n, order, has);
	for (i = 0; i < n; i++)
		if (has[i] && sp[i] > 0.0)
		{
			day[m] = day[i];
			sp[m++] = sp[i];
		}
	out = palloc(sizeof(NoaSpikeDay) * Max(m, 1));
	status = noa_spike_days(day, sp, m, out, &n_out, noa_cancel_requested);
	if (status == NOA_DW_CANCELLED)
		noa_raise_cancel();
	if (status != NOA_DW_OK)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("noa: out of memory in the spend-spike check")));
	for (k = 0; k < n_out; k++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = DateADTGetDatum(day[out[k].index]);
		values[1] = Float8GetDatum(out[k].lsp);
		values[2] = Float8GetDatum(out[k].med_near);
		values[3] = Float8GetDatum(out[k].z);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}

/*
 * noa._day_gaps(days date[]) RETURNS TABLE (first_day date, last_day date,
 * days integer): the runs of missing days between one campaign's days (in
 * any order, each day once).
 */
Datum
noa_day_gaps_sql(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int		   *day,
			   *order;
	NoaDayGap  *out;
	size_t		n_out,
				k;
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	day = noa_series_days(PG_GETARG_ARRAYTYPE_P(0), &n, &order);
	out = palloc(sizeof(NoaDayGap) * Max(n, 1));
	noa_day_gaps(day, (size_t) n, out, &n_out);
	for (k = 0; k < n_out; k++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = DateADTGetDatum(out[k].first);
		values[1] = DateADTGetDatum(out[k].last);
		values[2] = Int32GetDatum(out[k].last - out[k].first + 1);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}
