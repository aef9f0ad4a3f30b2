/*
 * fit_agg.c — the aggregates noa.fit_curve(spend, response [, model]) and,
 * time-aware, noa.fit_curve(day, spend, response [, model]).
 *
 * The transition state keeps every point of the group; the final function
 * sorts a copy — by (spend, response), or by day for the time-aware form —
 * so the fit sees the same input whatever the plan, row order or parallel
 * split, then fits it.  Combine, serial and deserial functions let it run as
 * a partial aggregate.
 *
 * Time-aware rows: day and spend must not be NULL; a NULL response means the
 * day's spend is known but its response is not (the spend still carries over).
 * A day may appear only once per group; a missing day counts as a day without
 * spend (see carryover_fit.h).
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/date.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "noa.h"
#include "noa_curve.h"
#include "sort_cancellable.h"

typedef struct FitPoint
{
	double		x;
	double		y;				/* NaN: no observed response (time-aware only) */
} FitPoint;

/* A point with its day, only while the final function sorts a time-aware group. */
typedef struct TimedPoint
{
	double		x;
	double		y;
	int32		day;
} TimedPoint;

typedef struct FitState
{
	int32		model;			/* noa_model; NOA_MODEL_AUTO allowed */
	bool		timed;			/* rows carry a day: fit with carryover */
	int32		count;
	int32		capacity;
	FitPoint   *points;
	int32	   *days;			/* DateADT per point when timed, else NULL */
} FitState;

/* A new empty state in the aggregate context. */
static FitState *
fit_state_new(MemoryContext aggcontext, int32 model, bool timed)
{
	FitState   *state = MemoryContextAllocZero(aggcontext, sizeof(FitState));

	state->model = model;
	state->timed = timed;
	return state;
}

/* Make room for `extra` more points, enforcing noa.max_points. */
static void
fit_state_reserve(FitState *state, int64 extra, MemoryContext aggcontext)
{
	int64		needed = (int64) state->count + extra;
	int64		capacity;

	if (needed > noa_max_points)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many points for one curve fit: more than %d", noa_max_points),
				 errdetail("A fit keeps every (spend, response) row of its group in memory."),
				 errhint("Aggregate to a coarser grain (e.g. daily per campaign), filter the period, "
						 "or raise the noa.max_points setting (at most %d).", NOA_MAX_POINTS_LIMIT)));
	if (needed <= state->capacity)
		return;
	capacity = Max((int64) 64, (int64) state->capacity * 2);
	capacity = Min(Max(capacity, needed), (int64) noa_max_points);
	if (state->points == NULL)
		state->points = MemoryContextAllocHuge(aggcontext, capacity * sizeof(FitPoint));
	else
		state->points = repalloc_huge(state->points, capacity * sizeof(FitPoint));
	if (state->timed && state->days == NULL)
		state->days = MemoryContextAllocHuge(aggcontext, capacity * sizeof(int32));
	else if (state->timed)
		state->days = repalloc_huge(state->days, capacity * sizeof(int32));
	state->capacity = (int32) capacity;
}

/* Reject a non-finite or negative input value with a precise message. */
static void
check_input(double value, const char *column)
{
	if (isnan(value) || isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("noa.fit_curve: %s is %s", column, isnan(value) ? "NaN" : "infinite"),
				 errdetail("Every %s value must be a finite number.", column),
				 errhint("Exclude or repair the row, e.g. WHERE %s <> 'NaN' AND %s < 'Infinity'.",
						 column, column)));
	if (value < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("noa.fit_curve: %s is negative (%g)", column, value),
				 errdetail("Response curves need non-negative spend and response."),
				 errhint("Refunds and corrections belong in a data-quality step; run noa.data_quality() "
						 "and filter the affected rows.")));
}

/* Parse the model argument, with the list of valid names on error. */
static int32
parse_model(text *model_text)
{
	char	   *name = text_to_cstring(model_text);
	int			model = noa_model_from_name(name);

	if (model < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown response-curve model \"%s\"", name),
				 errhint("Use one of: auto, hill, exponential, michaelis_menten, logistic, tanh, power, linear.")));
	return model;
}

/* Reject a NULL day or spend of a time-aware row. */
static void
check_timed_not_null(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("noa.fit_curve: %s is NULL in a time-aware fit", PG_ARGISNULL(1) ? "day" : "spend"),
				 errdetail("Carryover needs every day's spend; a NULL response is allowed (the day is then not fitted)."),
				 errhint("Use COALESCE(spend, 0) for days without spend, and filter rows without a day.")));
}

/*
 * Shared transition step of every signature: rows are (spend, response) from
 * argument 1, or (day, spend, response) from argument 1 when timed.
 */
static Datum
fit_accum(FunctionCallInfo fcinfo, int32 model, bool timed)
{
	MemoryContext aggcontext = noa_agg_context(fcinfo, "noa.fit_curve transition");
	FitState   *state = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	int			col = timed ? 2 : 1;
	FitPoint	pt = {0.0, NAN};
	DateADT		day = 0;

	if (state == NULL)
		state = fit_state_new(aggcontext, model, timed);
	else if (state->model != model)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("noa.fit_curve: the model must be the same for every row of a group"),
				 errhint("Pass a constant such as 'hill', or group by the model column.")));
	if (timed)
	{
		check_timed_not_null(fcinfo);
		day = PG_GETARG_DATEADT(1);
		if (DATE_NOT_FINITE(day))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("noa.fit_curve: day is infinite"),
					 errhint("Filter rows whose day is 'infinity' or '-infinity'.")));
	}
	else if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(state);
	pt.x = PG_GETARG_FLOAT8(col);
	check_input(pt.x, "spend");
	if (!PG_ARGISNULL(col + 1))
	{
		pt.y = PG_GETARG_FLOAT8(col + 1);
		check_input(pt.y, "response");
	}
	fit_state_reserve(state, 1, aggcontext);
	if (timed)
		state->days[state->count] = day;
	state->points[state->count++] = pt;
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(noa_fit_accum);

/* Transition function of fit_curve(spend, response): the hill family. */
Datum
noa_fit_accum(PG_FUNCTION_ARGS)
{
	return fit_accum(fcinfo, NOA_MODEL_HILL, false);
}

PG_FUNCTION_INFO_V1(noa_fit_accum_timed);

/* Transition function of fit_curve(day, spend, response): hill with carryover. */
Datum
noa_fit_accum_timed(PG_FUNCTION_ARGS)
{
	return fit_accum(fcinfo, NOA_MODEL_HILL, true);
}

/* Transition with a model name in argument `at` (3 plain, 4 time-aware). */
static Datum
fit_accum_model(FunctionCallInfo fcinfo, int at, bool timed)
{
	text	   *model_text;

	if (PG_ARGISNULL(at))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("noa.fit_curve: the model name must not be NULL"),
				 errhint("Pass 'auto' to let noa choose the family by AICc.")));
	model_text = PG_GETARG_TEXT_PP(at);

	/* Every row repeats the model name: parse it only when it differs from the group's. */
	if (!PG_ARGISNULL(0))
	{
		FitState   *state = (FitState *) PG_GETARG_POINTER(0);
		const char *name = noa_model_name(state->model);

		if (VARSIZE_ANY_EXHDR(model_text) == strlen(name) &&
			memcmp(VARDATA_ANY(model_text), name, strlen(name)) == 0)
			return fit_accum(fcinfo, state->model, timed);
	}
	return fit_accum(fcinfo, parse_model(model_text), timed);
}

PG_FUNCTION_INFO_V1(noa_fit_accum_model);

/* Transition function of fit_curve(spend, response, model). */
Datum
noa_fit_accum_model(PG_FUNCTION_ARGS)
{
	return fit_accum_model(fcinfo, 3, false);
}

PG_FUNCTION_INFO_V1(noa_fit_accum_timed_model);

/* Transition function of fit_curve(day, spend, response, model). */
Datum
noa_fit_accum_timed_model(PG_FUNCTION_ARGS)
{
	return fit_accum_model(fcinfo, 4, true);
}

PG_FUNCTION_INFO_V1(noa_fit_combine);

/* Combine two partial states (either may be NULL) into the first, in aggcontext. */
Datum
noa_fit_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = noa_agg_context(fcinfo, "noa.fit_curve combine");
	FitState   *a = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	FitState   *b = PG_ARGISNULL(1) ? NULL : (FitState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = fit_state_new(aggcontext, b->model, b->timed);
	else if (a->model != b->model || a->timed != b->timed)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("noa.fit_curve: the model must be the same for every row of a group")));
	if (b->count > 0)
	{
		fit_state_reserve(a, b->count, aggcontext);
		memcpy(a->points + a->count, b->points, sizeof(FitPoint) * b->count);
		if (a->timed)
			memcpy(a->days + a->count, b->days, sizeof(int32) * b->count);
		a->count += b->count;
	}
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(noa_fit_serial);

/* Serialize a state to bytea: model, timed, count, then the points (with days when timed). */
Datum
noa_fit_serial(PG_FUNCTION_ARGS)
{
	FitState   *state = (FitState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int			i;

	noa_agg_context(fcinfo, "noa.fit_curve serial");
	pq_begintypsend(&buf);
	pq_sendint32(&buf, state->model);
	pq_sendbyte(&buf, state->timed ? 1 : 0);
	pq_sendint32(&buf, state->count);
	for (i = 0; i < state->count; i++)
	{
		if (state->timed)
			pq_sendint32(&buf, state->days[i]);
		pq_sendfloat8(&buf, state->points[i].x);
		pq_sendfloat8(&buf, state->points[i].y);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(noa_fit_deserial);

/* Rebuild a state from bytea, checking sizes and values before trusting them. */
Datum
noa_fit_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	FitState   *state;
	int32		model,
				count;
	int			timed,
				i;

	noa_agg_context(fcinfo, "noa.fit_curve deserial");
	noa_serial_reader(data, &buf);
	model = pq_getmsgint(&buf, 4);
	timed = pq_getmsgbyte(&buf);
	count = pq_getmsgint(&buf, 4);
	if (model < NOA_MODEL_AUTO || model > NOA_MODEL_LAST || count < 0 || (timed != 0 && timed != 1) ||
		(int64) count * (2 * (int64) sizeof(double) + (timed ? 4 : 0)) != (int64) (buf.len - buf.cursor))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid serialized noa.fit_curve state")));
	state = fit_state_new(CurrentMemoryContext, model, timed == 1);
	fit_state_reserve(state, count, CurrentMemoryContext);
	for (i = 0; i < count; i++)
	{
		if (timed)
			state->days[i] = pq_getmsgint(&buf, 4);
		state->points[i].x = pq_getmsgfloat8(&buf);
		state->points[i].y = pq_getmsgfloat8(&buf);
		check_input(state->points[i].x, "spend");
		if (!(timed && isnan(state->points[i].y)))
			check_input(state->points[i].y, "response");
	}
	state->count = count;
	PG_RETURN_POINTER(state);
}

/* Order points by spend, then response (NaN last), for plan-independent fits. */
static inline int
point_cmp(const FitPoint *p, const FitPoint *q)
{
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	if (isnan(p->y) || isnan(q->y))
		return isnan(p->y) - isnan(q->y);
	if (p->y != q->y)
		return p->y < q->y ? -1 : 1;
	return 0;
}

/* Order time-aware points by day, then as point_cmp (duplicate days end up adjacent). */
static inline int
timed_cmp(const TimedPoint *p, const TimedPoint *q)
{
	FitPoint	a = {p->x, p->y},
				b = {q->x, q->y};

	if (p->day != q->day)
		return p->day < q->day ? -1 : 1;
	return point_cmp(&a, &b);
}

/* sort_points(FitPoint *, size_t): PostgreSQL's sort template with an inlined comparator. */
#define ST_SORT sort_points
#define ST_ELEMENT_TYPE FitPoint
#define ST_COMPARE(a, b) point_cmp(a, b)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* sort_points and point_cmp in the forms noa_sort_cancellable takes. */
static void
sort_points_run(void *base, size_t n)
{
	sort_points((FitPoint *) base, n);
}

static int
point_cmp_any(const void *p, const void *q)
{
	return point_cmp(p, q);
}

/* sort_timed(TimedPoint *, size_t), likewise. */
#define ST_SORT sort_timed
#define ST_ELEMENT_TYPE TimedPoint
#define ST_COMPARE(a, b) timed_cmp(a, b)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

static void
sort_timed_run(void *base, size_t n)
{
	sort_timed((TimedPoint *) base, n);
}

static int
timed_cmp_any(const void *p, const void *q)
{
	return timed_cmp(p, q);
}

/* Report a day that occurs twice in a time-aware group. */
static void pg_attribute_noreturn()
duplicate_day_error(int32 day)
{
	ereport(ERROR,
			(errcode(ERRCODE_CARDINALITY_VIOLATION),
			 errmsg("noa.fit_curve: more than one row for day %s",
					DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day)))),
			 errdetail("A time-aware fit needs one row per day and group: duplicates would be counted twice."),
			 errhint("Sum to one row per day first (GROUP BY day), or remove rows loaded twice "
					 "(noa.data_quality reports them).")));
}

PG_FUNCTION_INFO_V1(noa_fit_final);

/* Final function: sort a copy of the points and fit the requested family. */
Datum
noa_fit_final(PG_FUNCTION_ARGS)
{
	FitState   *state;
	FitPoint   *sorted;
	double	   *x,
			   *y;
	int32	   *day = NULL;
	noa_fit_options opt;
	noa_curve	fit;
	noa_carryover carry;
	int			rc,
				i;

	noa_agg_context(fcinfo, "noa.fit_curve final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (FitState *) PG_GETARG_POINTER(0);
	if (state->count == 0)
		PG_RETURN_NULL();

	x = palloc_extended(sizeof(double) * state->count, MCXT_ALLOC_HUGE);
	y = palloc_extended(sizeof(double) * state->count, MCXT_ALLOC_HUGE);
	if (state->timed)
	{
		TimedPoint *timed = palloc_extended(sizeof(TimedPoint) * state->count, MCXT_ALLOC_HUGE);

		for (i = 0; i < state->count; i++)
		{
			timed[i].x = state->points[i].x;
			timed[i].y = state->points[i].y;
			timed[i].day = state->days[i];
		}
		CHECK_FOR_INTERRUPTS();
		noa_sort_cancellable(timed, state->count, sizeof(TimedPoint), sort_timed_run, timed_cmp_any);
		day = palloc_extended(sizeof(int32) * state->count, MCXT_ALLOC_HUGE);
		for (i = 0; i < state->count; i++)
		{
			if (i > 0 && timed[i].day == timed[i - 1].day)
				duplicate_day_error(timed[i].day);
			x[i] = timed[i].x;
			y[i] = timed[i].y;
			day[i] = timed[i].day;
		}
		pfree(timed);
	}
	else
	{
		sorted = palloc_extended(sizeof(FitPoint) * state->count, MCXT_ALLOC_HUGE);
		memcpy(sorted, state->points, sizeof(FitPoint) * state->count);
		noa_sort_cancellable(sorted, state->count, sizeof(FitPoint), sort_points_run, point_cmp_any);
		for (i = 0; i < state->count; i++)
		{
			x[i] = sorted[i].x;
			y[i] = sorted[i].y;
		}
		pfree(sorted);
	}

	noa_fit_options_default(&opt);
	opt.interrupted = noa_cancel_requested;
	memset(&carry, 0, sizeof(carry));
	if (state->timed)
		rc = noa_carryover_fit(state->model, day, x, y, state->count, &opt, &fit, &carry);
	else
		rc = noa_curve_fit(state->model, x, y, state->count, &opt, &fit);
	pfree(x);
	pfree(y);
	if (day)
		pfree(day);
	if (rc == NOA_ERR_INTERRUPTED)
		noa_raise_cancel();
	if (rc == NOA_ERR_NOMEM)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while fitting a response curve to %d points", state->count)));
	if (rc != NOA_OK)
		elog(ERROR, "noa_curve_fit rejected its input (code %d)", rc);
	PG_RETURN_NOACURVE_P(noa_curve_make_carryover(&fit, &carry));
}
