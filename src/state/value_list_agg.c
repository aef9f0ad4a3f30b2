/*
 * value_list_agg.c — SQL glue of the value list aggregate of the campaign
 * state (core/value_order.h): noa._p10_p90(float8), the 10th and 90th
 * percentiles as percentile_cont computes them.  Unlike an ordered-set
 * aggregate it needs no sorted input, so the per-campaign pass can hash.
 * The state keeps every non-NULL value; the final function sorts a copy, so
 * the result does not depend on the order of the rows or the parallel split.
 * The list itself (value_list.h) also holds the days of noa._repeated_days
 * when they span too many years for its bitmap (day_set_agg.c).
 */
#include "postgres.h"

#include "fmgr.h"
#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/date.h"
#include "utils/memutils.h"

#include "noa.h"
#include "sort_cancellable.h"
#include "value_list.h"
#include "value_order.h"

/* The state of argument 0, created empty in the aggregate context when NULL. */
static ValueList *
value_list_state(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext = noa_agg_context(fcinfo, "noa._p10_p90");

	if (PG_ARGISNULL(0))
		return MemoryContextAllocZero(aggcontext, sizeof(ValueList));
	return (ValueList *) PG_GETARG_POINTER(0);
}

/* Make room for extra more values. */
void
value_list_reserve(ValueList *list, int64 extra, MemoryContext aggcontext)
{
	int64		needed = list->count + extra;
	int64		capacity;

	if (needed <= list->capacity)
		return;
	capacity = Max(Max((int64) 64, list->capacity * 2), needed);
	if (list->values == NULL)
		list->values = MemoryContextAllocHuge(aggcontext, capacity * sizeof(double));
	else
		list->values = repalloc_huge(list->values, capacity * sizeof(double));
	list->capacity = capacity;
}

/* Append one value. */
static ValueList *
value_list_add(FunctionCallInfo fcinfo, double value)
{
	ValueList  *list = value_list_state(fcinfo);

	value_list_reserve(list, 1, noa_agg_context(fcinfo, "noa._p10_p90"));
	list->values[list->count++] = value;
	return list;
}

PG_FUNCTION_INFO_V1(noa_value_list_add);

/* Transition of noa._p10_p90: keep a non-NULL value. */
Datum
noa_value_list_add(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	PG_RETURN_POINTER(value_list_add(fcinfo, PG_GETARG_FLOAT8(1)));
}

/* Append the values of b to a. */
void
value_list_append(ValueList *a, const ValueList *b, MemoryContext context)
{
	value_list_reserve(a, b->count, context);
	if (b->count > 0)
		memcpy(a->values + a->count, b->values, b->count * sizeof(double));
	a->count += b->count;
}

PG_FUNCTION_INFO_V1(noa_value_list_combine);

/* Combine: the values of both partial states. */
Datum
noa_value_list_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = noa_agg_context(fcinfo, "noa._p10_p90");
	ValueList  *a,
			   *b;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	b = (ValueList *) PG_GETARG_POINTER(1);
	a = value_list_state(fcinfo);
	value_list_append(a, b, aggcontext);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(noa_value_list_serial);

/* Serialize: the count, then the values. */
Datum
noa_value_list_serial(PG_FUNCTION_ARGS)
{
	ValueList  *list = (ValueList *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	value_list_send(&buf, list);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Write the count, then the values. */
void
value_list_send(StringInfo buf, const ValueList *list)
{
	pq_sendint64(buf, list->count);
	for (int64 i = 0; i < list->count; i++)
		pq_sendfloat8(buf, list->values[i]);
}

/* Read what value_list_send wrote into the empty list, up to the end of buf. */
void
value_list_receive(StringInfo buf, ValueList *list, MemoryContext context)
{
	int64		count = pq_getmsgint64(buf);

	if (count < 0 || count * (int64) sizeof(double) != (int64) (buf->len - buf->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid serialized noa value list state")));
	value_list_reserve(list, count, context);
	for (int64 i = 0; i < count; i++)
		list->values[i] = pq_getmsgfloat8(buf);
	list->count = count;
}

PG_FUNCTION_INFO_V1(noa_value_list_deserial);

/* Deserialize what noa_value_list_serial wrote. */
Datum
noa_value_list_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	ValueList  *list;

	noa_agg_context(fcinfo, "noa._p10_p90");
	list = palloc0(sizeof(ValueList));
	noa_serial_reader(bytes, &buf);
	value_list_receive(&buf, list, CurrentMemoryContext);
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(list);
}

/* Ascending order of doubles (NaN last, as float8 sorts). */
static inline int
value_cmp(const double *a, const double *b)
{
	if (isnan(*a) || isnan(*b))
		return isnan(*a) - isnan(*b);
	return *a < *b ? -1 : (*a > *b ? 1 : 0);
}

#define ST_SORT sort_values
#define ST_ELEMENT_TYPE double
#define ST_COMPARE(a, b) value_cmp(a, b)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* sort_values and value_cmp in the forms noa_sort_cancellable takes. */
static void
sort_values_run(void *base, size_t n)
{
	sort_values((double *) base, n);
}

static int
value_cmp_any(const void *a, const void *b)
{
	return value_cmp(a, b);
}

/* A sorted copy of the values (cancellable however long the list). */
double *
value_list_sorted_copy(const ValueList *list)
{
	double	   *copy = palloc_extended(sizeof(double) * Max(list->count, 1), MCXT_ALLOC_HUGE);

	memcpy(copy, list->values, sizeof(double) * list->count);
	noa_sort_cancellable(copy, list->count, sizeof(double), sort_values_run, value_cmp_any);
	return copy;
}

PG_FUNCTION_INFO_V1(noa_p10_p90_final);

/* Final of noa._p10_p90: {percentile_cont(0.1), percentile_cont(0.9)}, NULL without values. */
Datum
noa_p10_p90_final(PG_FUNCTION_ARGS)
{
	ValueList  *list;
	double	   *sorted;
	Datum		out[2];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	list = (ValueList *) PG_GETARG_POINTER(0);
	if (list->count == 0)
		PG_RETURN_NULL();
	sorted = value_list_sorted_copy(list);
	out[0] = Float8GetDatum(noa_percentile_cont(sorted, list->count, 0.1));
	out[1] = Float8GetDatum(noa_percentile_cont(sorted, list->count, 0.9));
	pfree(sorted);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, 2, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}
