/*
 * adstock_agg.c — carryover transforms as window aggregates:
 *   noa.adstock_geometric(day, spend, theta)                        recursive (Robyn)
 *   noa.adstock_geometric(day, spend, theta, max_lag, normalized)    finite window (Meridian, PyMC)
 *   noa.adstock_delayed(day, spend, alpha, theta, max_lag, normalized)  (PyMC)
 *   noa.adstock_weibull_cdf / _pdf(day, spend, shape, scale, max_lag)  (Robyn)
 * used as  ... OVER (PARTITION BY campaign ORDER BY day).  Each also takes an
 * integer period number instead of a date (weeks since a start, for weekly
 * rows): a lag is then one period.
 *
 * They are window-only: the value depends on the order of the days, which a
 * plain aggregate does not fix, so outside a window they raise an error (and
 * need no combine function).  The numeric work is in core/carryover.c; the
 * final function reads the state only, as a window frame reuses it row after
 * row.  Parameters must be constant within a partition.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "carryover.h"

typedef struct AdstockState
{
	noa_adstock_kind kind;
	bool		windowed;
	bool		normalise;
	double		p1,
				p2;
	int32		max_lag;
	noa_adstock_recursive rec;
	noa_adstock_window win;
	double	   *w;				/* max_lag + 1 weights (windowed) */
	double	   *ring;			/* max_lag + 1 days of spend (windowed) */
} AdstockState;

/* Parameters of one call, read from the arguments. */
typedef struct AdstockArgs
{
	double		p1,
				p2;
	int32		max_lag;
	bool		normalise;
} AdstockArgs;

static const char *
kind_function(noa_adstock_kind kind)
{
	switch (kind)
	{
		case NOA_ADSTOCK_GEOMETRIC:
			return "noa.adstock_geometric";
		case NOA_ADSTOCK_DELAYED:
			return "noa.adstock_delayed";
		case NOA_ADSTOCK_WEIBULL_CDF:
			return "noa.adstock_weibull_cdf";
		case NOA_ADSTOCK_WEIBULL_PDF:
			return "noa.adstock_weibull_pdf";
	}
	return "noa.adstock";
}

/* A day (date) or period number (integer) argument as words for messages. */
static char *
day_text(FunctionCallInfo fcinfo, int32 day)
{
	if (get_fn_expr_argtype(fcinfo->flinfo, 1) == DATEOID)
		return psprintf("day %s", DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day))));
	return psprintf("period %d", day);
}

/* Read argument i, which must not be NULL. */
static void
require_arg(FunctionCallInfo fcinfo, int i, const char *fname, const char *argname)
{
	if (PG_ARGISNULL(i))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: %s must not be NULL", fname, argname),
				 errhint("Carryover needs every day's spend: use COALESCE(spend, 0) for days without spend, "
						 "and filter rows without a day.")));
}

/* Shared transition step: args (state, day, spend, p1 [, p2], [max_lag [, normalized]]). */
static Datum
adstock_accum(FunctionCallInfo fcinfo, noa_adstock_kind kind, bool windowed, const AdstockArgs *args)
{
	const char *fname = kind_function(kind);
	MemoryContext aggcontext;
	AdstockState *st = PG_ARGISNULL(0) ? NULL : (AdstockState *) PG_GETARG_POINTER(0);
	DateADT		day;
	double		spend;
	int			rc;

	if (AggCheckCallContext(fcinfo, &aggcontext) != AGG_CONTEXT_WINDOW)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s must be called as a window function", fname),
				 errdetail("Carryover depends on the order of the days, which only a window fixes."),
				 errhint("Write %s(...) OVER (PARTITION BY campaign_id ORDER BY day).", fname)));
	require_arg(fcinfo, 1, fname, "day");
	require_arg(fcinfo, 2, fname, "spend");
	day = PG_GETARG_INT32(1);	/* a DateADT, or an integer period number */
	spend = PG_GETARG_FLOAT8(2);
	if (get_fn_expr_argtype(fcinfo->flinfo, 1) == DATEOID && DATE_NOT_FINITE(day))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: day is infinite", fname)));

	if (st == NULL)
	{
		const char *problem = noa_adstock_check(kind, args->p1, args->p2, windowed ? args->max_lag : 0);

		if (problem)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: %s", fname, problem)));
		st = MemoryContextAllocZero(aggcontext, sizeof(AdstockState));
		st->kind = kind;
		st->windowed = windowed;
		st->p1 = args->p1;
		st->p2 = args->p2;
		st->max_lag = args->max_lag;
		st->normalise = args->normalise;
		if (windowed)
		{
			st->w = MemoryContextAlloc(aggcontext, sizeof(double) * (st->max_lag + 1));
			st->ring = MemoryContextAlloc(aggcontext, sizeof(double) * (st->max_lag + 1));
			if (!noa_adstock_weights(kind, st->p1, st->p2, st->max_lag, st->normalise, st->w))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: the lag weights vanish for these parameters", fname),
						 errhint("Widen the window (max_lag) or move the scale away from 0.")));
			noa_adstock_window_init(&st->win, st->max_lag, st->w, st->ring);
		}
		else
			noa_adstock_recursive_init(&st->rec, st->p1);
	}
	else if (st->p1 != args->p1 || st->p2 != args->p2 || st->max_lag != args->max_lag ||
			 st->normalise != args->normalise)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the carryover parameters must be the same for every row of a partition", fname),
				 errhint("Pass constants, or partition by the parameter columns.")));

	rc = windowed ? noa_adstock_window_add(&st->win, day, spend)
		: noa_adstock_recursive_add(&st->rec, day, spend);
	if (rc == NOA_ADSTOCK_BAD_SPEND)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: spend must be a finite number >= 0, not %g", fname, spend),
				 errhint("Refunds and corrections belong in a data-quality step; run noa.data_quality().")));
	if (rc != NOA_ADSTOCK_OK)
		ereport(ERROR,
				(errcode(rc == NOA_ADSTOCK_DUPLICATE ? ERRCODE_CARDINALITY_VIOLATION : ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s at %s", fname,
						rc == NOA_ADSTOCK_DUPLICATE ? "more than one row for the same day or period"
						: "days or periods go backwards",
						day_text(fcinfo, day)),
				 errhint(rc == NOA_ADSTOCK_DUPLICATE
						 ? "Sum to one row per day (or period) and partition first, e.g. GROUP BY day."
						 : "Order the window by the day or period: OVER (PARTITION BY campaign_id ORDER BY day).")));
	PG_RETURN_POINTER(st);
}

/* A float8 parameter argument that must not be NULL. */
static double
param_arg(FunctionCallInfo fcinfo, int i, noa_adstock_kind kind, const char *name)
{
	require_arg(fcinfo, i, kind_function(kind), name);
	return PG_GETARG_FLOAT8(i);
}

/* The window length argument, which must not be NULL. */
static int32
lag_arg(FunctionCallInfo fcinfo, int i, noa_adstock_kind kind)
{
	require_arg(fcinfo, i, kind_function(kind), "max_lag");
	return PG_GETARG_INT32(i);
}

PG_FUNCTION_INFO_V1(noa_adstock_geometric_accum);

/* Transition of adstock_geometric(day, spend, theta): recursive. */
Datum
noa_adstock_geometric_accum(PG_FUNCTION_ARGS)
{
	AdstockArgs a = {0};

	a.p1 = param_arg(fcinfo, 3, NOA_ADSTOCK_GEOMETRIC, "theta");
	return adstock_accum(fcinfo, NOA_ADSTOCK_GEOMETRIC, false, &a);
}

PG_FUNCTION_INFO_V1(noa_adstock_geometric_window_accum);

/* Transition of adstock_geometric(day, spend, theta, max_lag, normalized). */
Datum
noa_adstock_geometric_window_accum(PG_FUNCTION_ARGS)
{
	AdstockArgs a = {0};

	a.p1 = param_arg(fcinfo, 3, NOA_ADSTOCK_GEOMETRIC, "theta");
	a.max_lag = lag_arg(fcinfo, 4, NOA_ADSTOCK_GEOMETRIC);
	require_arg(fcinfo, 5, "noa.adstock_geometric", "normalized");
	a.normalise = PG_GETARG_BOOL(5);
	return adstock_accum(fcinfo, NOA_ADSTOCK_GEOMETRIC, true, &a);
}

PG_FUNCTION_INFO_V1(noa_adstock_delayed_accum);

/* Transition of adstock_delayed(day, spend, alpha, theta, max_lag, normalized). */
Datum
noa_adstock_delayed_accum(PG_FUNCTION_ARGS)
{
	AdstockArgs a = {0};

	a.p1 = param_arg(fcinfo, 3, NOA_ADSTOCK_DELAYED, "alpha");
	a.p2 = param_arg(fcinfo, 4, NOA_ADSTOCK_DELAYED, "theta");
	a.max_lag = lag_arg(fcinfo, 5, NOA_ADSTOCK_DELAYED);
	require_arg(fcinfo, 6, "noa.adstock_delayed", "normalized");
	a.normalise = PG_GETARG_BOOL(6);
	return adstock_accum(fcinfo, NOA_ADSTOCK_DELAYED, true, &a);
}

/* Shared transition of the two Weibull kernels (never normalised by sum, as in Robyn). */
static Datum
weibull_accum(FunctionCallInfo fcinfo, noa_adstock_kind kind)
{
	AdstockArgs a = {0};

	a.p1 = param_arg(fcinfo, 3, kind, "shape");
	a.p2 = param_arg(fcinfo, 4, kind, "scale");
	a.max_lag = lag_arg(fcinfo, 5, kind);
	return adstock_accum(fcinfo, kind, true, &a);
}

PG_FUNCTION_INFO_V1(noa_adstock_weibull_cdf_accum);

/* Transition of adstock_weibull_cdf(day, spend, shape, scale, max_lag). */
Datum
noa_adstock_weibull_cdf_accum(PG_FUNCTION_ARGS)
{
	return weibull_accum(fcinfo, NOA_ADSTOCK_WEIBULL_CDF);
}

PG_FUNCTION_INFO_V1(noa_adstock_weibull_pdf_accum);

/* Transition of adstock_weibull_pdf(day, spend, shape, scale, max_lag). */
Datum
noa_adstock_weibull_pdf_accum(PG_FUNCTION_ARGS)
{
	return weibull_accum(fcinfo, NOA_ADSTOCK_WEIBULL_PDF);
}

PG_FUNCTION_INFO_V1(noa_adstock_final);

/* Final function of every transform: the adstocked spend on the frame's last day (read-only). */
Datum
noa_adstock_final(PG_FUNCTION_ARGS)
{
	const AdstockState *st;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (const AdstockState *) PG_GETARG_POINTER(0);
	PG_RETURN_FLOAT8(st->windowed ? noa_adstock_window_value(&st->win) : st->rec.value);
}
