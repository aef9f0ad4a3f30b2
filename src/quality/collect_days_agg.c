/*
 * collect_days_agg.c — SQL glue of noa._collect_days(day date, spend float8,
 * conversions float8) RETURNS noa._day_series: one hashed pass per campaign
 * of noa.data_quality gathers its rows (core/day_series.h) and returns its
 * daily series sorted by day (days, spend, conversions; NULL for a missing
 * measure) and how many rows repeat a day another row already has (then the
 * series is not one row per day, and data_quality takes the careful path).
 * Rows without a day are ignored.  The final function sorts, so the result
 * does not depend on the order of the rows, the plan or the parallel split;
 * combine, serial and deserial make it a partial / parallel aggregate.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/date.h"
#include "utils/memutils.h"

#include "noa.h"
#include "day_series.h"
#include "sort_cancellable.h"

/* Most rows of one campaign: its series arrays must fit in one allocation. */
#define MAX_SERIES_ROWS ((int64) (MaxAllocSize / sizeof(Datum) / 2))

typedef struct DayRecords
{
	int64		count;
	int64		capacity;
	NoaDayRecord *rec;
} DayRecords;

/* Make room for extra more records (allocated in cxt). */
static void
day_records_reserve(DayRecords *r, int64 extra, MemoryContext cxt)
{
	int64		needed = r->count + extra;
	int64		capacity;

	if (needed <= r->capacity)
		return;
	capacity = Max(Max((int64) 32, r->capacity * 2), needed);
	if (r->rec == NULL)
		r->rec = MemoryContextAllocHuge(cxt, capacity * sizeof(NoaDayRecord));
	else
		r->rec = repalloc_huge(r->rec, capacity * sizeof(NoaDayRecord));
	r->capacity = capacity;
}

/* The state of argument 0, created empty in the aggregate context when NULL. */
static DayRecords *
day_records_state(FunctionCallInfo fcinfo, MemoryContext aggcontext)
{
	if (PG_ARGISNULL(0))
		return MemoryContextAllocZero(aggcontext, sizeof(DayRecords));
	return (DayRecords *) PG_GETARG_POINTER(0);
}

/* A float8 argument, NaN when NULL or not finite (no value). */
static double
measure_arg(FunctionCallInfo fcinfo, int argno)
{
	double		x;

	if (PG_ARGISNULL(argno))
		return NAN;
	x = PG_GETARG_FLOAT8(argno);
	return isfinite(x) ? x : NAN;
}

PG_FUNCTION_INFO_V1(noa_collect_days_add);

/* Transition: keep the row's day and measures (rows without a day are ignored). */
Datum
noa_collect_days_add(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = noa_agg_context(fcinfo, "noa._collect_days");
	DayRecords *r;
	DateADT		day;

	if (PG_ARGISNULL(1) || DATE_NOT_FINITE(PG_GETARG_DATEADT(1)))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	day = PG_GETARG_DATEADT(1);
	r = day_records_state(fcinfo, aggcontext);
	day_records_reserve(r, 1, aggcontext);
	r->rec[r->count].day = day;
	r->rec[r->count].spend = measure_arg(fcinfo, 2);
	r->rec[r->count].conversions = measure_arg(fcinfo, 3);
	r->count++;
	PG_RETURN_POINTER(r);
}

PG_FUNCTION_INFO_V1(noa_collect_days_combine);

/* Combine: the records of both partial states. */
Datum
noa_collect_days_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = noa_agg_context(fcinfo, "noa._collect_days");
	DayRecords *a,
			   *b;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	b = (DayRecords *) PG_GETARG_POINTER(1);
	a = day_records_state(fcinfo, aggcontext);
	day_records_reserve(a, b->count, aggcontext);
	if (b->count > 0)
		memcpy(a->rec + a->count, b->rec, b->count * sizeof(NoaDayRecord));
	a->count += b->count;
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(noa_collect_days_serial);

/* Serialize: the count, then day, spend and conversions of each record. */
Datum
noa_collect_days_serial(PG_FUNCTION_ARGS)
{
	DayRecords *r = (DayRecords *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, r->count);
	for (int64 i = 0; i < r->count; i++)
	{
		pq_sendint32(&buf, r->rec[i].day);
		pq_sendfloat8(&buf, r->rec[i].spend);
		pq_sendfloat8(&buf, r->rec[i].conversions);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(noa_collect_days_deserial);

/* Deserialize what noa_collect_days_serial wrote. */
Datum
noa_collect_days_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	DayRecords *r;
	int64		count;

	noa_agg_context(fcinfo, "noa._collect_days");
	r = palloc0(sizeof(DayRecords));
	noa_serial_reader(bytes, &buf);
	count = pq_getmsgint64(&buf);
	if (count < 0 || count * (int64) (sizeof(int32) + 2 * sizeof(double)) != (int64) (buf.len - buf.cursor))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid serialized noa._collect_days state")));
	day_records_reserve(r, count, CurrentMemoryContext);
	for (int64 i = 0; i < count; i++)
	{
		r->rec[i].day = pq_getmsgint(&buf, 4);
		r->rec[i].spend = pq_getmsgfloat8(&buf);
		r->rec[i].conversions = pq_getmsgfloat8(&buf);
	}
	r->count = count;
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(r);
}

#define ST_SORT sort_day_records
#define ST_ELEMENT_TYPE NoaDayRecord
#define ST_COMPARE(a, b) noa_day_record_cmp(a, b)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* sort_day_records and noa_day_record_cmp in the forms noa_sort_cancellable takes. */
static void
sort_day_records_run(void *base, size_t n)
{
	sort_day_records((NoaDayRecord *) base, n);
}

static int
day_record_cmp_any(const void *a, const void *b)
{
	return noa_day_record_cmp(a, b);
}

/* A float8 array of the spend (or the conversions) of each record, NULL for NaN. */
static ArrayType *
measure_array(const NoaDayRecord *rec, int64 n, bool spend)
{
	Datum	   *v = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {(int) n};
	int			lbs[1] = {1};

	for (int64 i = 0; i < n; i++)
	{
		double		x = spend ? rec[i].spend : rec[i].conversions;

		nulls[i] = isnan(x);
		v[i] = Float8GetDatum(nulls[i] ? 0.0 : x);
	}
	return construct_md_array(v, nulls, 1, dims, lbs, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
							  TYPALIGN_DOUBLE);
}

PG_FUNCTION_INFO_V1(noa_collect_days_final);

/* Final: (days, spend, conversions, repeated), sorted by day; NULL without rows. */
Datum
noa_collect_days_final(PG_FUNCTION_ARGS)
{
	DayRecords *r;
	NoaDayRecord *sorted;
	TupleDesc	tupdesc;
	Datum	   *days;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	r = (DayRecords *) PG_GETARG_POINTER(0);
	if (r->count == 0)
		PG_RETURN_NULL();
	if (r->count > MAX_SERIES_ROWS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("noa.data_quality: a campaign has more than %lld rows", (long long) MAX_SERIES_ROWS),
				 errhint("Aggregate the table to one row per day and campaign in a view first.")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "noa._collect_days: the result type is not composite");
	tupdesc = BlessTupleDesc(tupdesc);

	/* sort a copy: the state may be finalized again (e.g. by a window) */
	sorted = palloc_extended(sizeof(NoaDayRecord) * r->count, MCXT_ALLOC_HUGE);
	memcpy(sorted, r->rec, sizeof(NoaDayRecord) * r->count);
	noa_sort_cancellable(sorted, r->count, sizeof(NoaDayRecord), sort_day_records_run, day_record_cmp_any);

	days = palloc(sizeof(Datum) * r->count);
	for (int64 i = 0; i < r->count; i++)
		days[i] = DateADTGetDatum(sorted[i].day);
	values[0] = PointerGetDatum(construct_array(days, (int) r->count, DATEOID, sizeof(DateADT), true,
												TYPALIGN_INT));
	values[1] = PointerGetDatum(measure_array(sorted, r->count, true));
	values[2] = PointerGetDatum(measure_array(sorted, r->count, false));
	values[3] = Int64GetDatum(noa_day_records_repeats(sorted, (size_t) r->count));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
