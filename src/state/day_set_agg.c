/*
 * day_set_agg.c — SQL glue of noa._repeated_days(date): the rows of a group
 * whose day another row of the group already has (0: one row per day).
 *
 * The state is the set of days seen (core/day_set.h: one bit a day over a
 * window of whole 64-day words that grows as days arrive) and the count of
 * rows whose bit was already set.  Two states combine by OR-ing the bitmaps:
 * the days set in both are repeats too.  The answer does not depend on the
 * order of the rows or the parallel split, and the state is small and of
 * known size (SSPACE), so the planner can group by hashing.  Days spanning
 * more than DAY_SET_MAX_WORDS words (about 180 years; e.g. a stray
 * 'infinity') switch the state to a list of the days (value_list.h), sorted
 * and counted at the end.  NULL days are skipped.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/date.h"
#include "utils/memutils.h"

#include "day_set.h"
#include "noa.h"
#include "value_list.h"
#include "value_order.h"

/* The widest bitmap: 1,024 words = 65,536 days, 8 kB. */
#define DAY_SET_MAX_WORDS 1024

typedef struct DaySet
{
	int64		repeats;		/* rows whose day the set already had */
	NoaDayWindow window;		/* the days the bitmap covers */
	uint64	   *words;			/* the bitmap (NULL while empty) */
	bool		listed;			/* list mode: the days are in list instead */
	ValueList	list;			/* list mode: every day added since (repeats included) */
} DaySet;

/* The state of argument 0, created empty in the aggregate context when NULL. */
static DaySet *
day_set_state(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext = noa_agg_context(fcinfo, "noa._repeated_days");

	if (PG_ARGISNULL(0))
		return MemoryContextAllocZero(aggcontext, sizeof(DaySet));
	return (DaySet *) PG_GETARG_POINTER(0);
}

/* Switch to list mode: the bitmap's days become the list. */
static void
day_set_to_list(DaySet *set, MemoryContext context)
{
	int64		n;
	int64	   *days;

	if (set->listed)
		return;
	n = noa_day_bits_count(set->words, set->window.nwords);
	days = palloc(sizeof(int64) * Max(n, 1));
	noa_day_bits_days(set->words, set->window, days);
	value_list_reserve(&set->list, n, context);
	for (int64 i = 0; i < n; i++)
		set->list.values[set->list.count++] = (double) days[i];
	pfree(days);
	if (set->words != NULL)
		pfree(set->words);
	set->words = NULL;
	set->window.nwords = 0;
	set->listed = true;
}

/*
 * Make the bitmap cover the days lo..hi; false (nothing changed) when that
 * would take more than DAY_SET_MAX_WORDS words.
 */
static bool
day_set_cover(DaySet *set, int64 lo, int64 hi, MemoryContext context)
{
	NoaDayWindow grown;
	uint64	   *words;

	if (!noa_day_window_grow(set->window, lo, hi, DAY_SET_MAX_WORDS, &grown))
		return false;
	if (grown.nwords == set->window.nwords)
		return true;
	words = MemoryContextAllocZero(context, sizeof(uint64) * grown.nwords);
	if (set->words != NULL)
	{
		noa_day_bits_move(set->words, set->window, words, grown);
		pfree(set->words);
	}
	set->words = words;
	set->window = grown;
	return true;
}

/* Add one row's day. */
static void
day_set_add(DaySet *set, int64 day, MemoryContext context)
{
	if (!set->listed && !day_set_cover(set, day, day, context))
		day_set_to_list(set, context);
	if (set->listed)
	{
		value_list_reserve(&set->list, 1, context);
		set->list.values[set->list.count++] = (double) day;
	}
	else if (noa_day_bits_add(set->words, set->window, day))
		set->repeats++;
}

/* Add the rows of b to a. */
static void
day_set_merge(DaySet *a, const DaySet *b, MemoryContext context)
{
	a->repeats += b->repeats;
	if (!a->listed && !b->listed)
	{
		if (b->window.nwords == 0)
			return;
		if (day_set_cover(a, b->window.base, b->window.base + 64 * b->window.nwords - 1, context))
		{
			a->repeats += noa_day_bits_union(a->words, a->window, b->words, b->window);
			return;
		}
	}
	day_set_to_list(a, context);
	if (b->listed)
		value_list_append(&a->list, &b->list, context);
	else if (b->window.nwords > 0)
	{
		int64		n = noa_day_bits_count(b->words, b->window.nwords);
		int64	   *days = palloc(sizeof(int64) * Max(n, 1));

		noa_day_bits_days(b->words, b->window, days);
		value_list_reserve(&a->list, n, context);
		for (int64 i = 0; i < n; i++)
			a->list.values[a->list.count++] = (double) days[i];
		pfree(days);
	}
}

PG_FUNCTION_INFO_V1(noa_day_set_add);

/* Transition of noa._repeated_days: add a non-NULL day. */
Datum
noa_day_set_add(PG_FUNCTION_ARGS)
{
	DaySet	   *set;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	set = day_set_state(fcinfo);
	day_set_add(set, (int64) PG_GETARG_DATEADT(1), noa_agg_context(fcinfo, "noa._repeated_days"));
	PG_RETURN_POINTER(set);
}

PG_FUNCTION_INFO_V1(noa_day_set_combine);

/* Combine: the rows of both partial states. */
Datum
noa_day_set_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = noa_agg_context(fcinfo, "noa._repeated_days");
	DaySet	   *a;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	a = day_set_state(fcinfo);
	day_set_merge(a, (DaySet *) PG_GETARG_POINTER(1), aggcontext);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(noa_day_set_serial);

/* Serialize: repeats, list mode; then the window and its words, or the list. */
Datum
noa_day_set_serial(PG_FUNCTION_ARGS)
{
	DaySet	   *set = (DaySet *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, set->repeats);
	pq_sendbyte(&buf, set->listed ? 1 : 0);
	if (set->listed)
		value_list_send(&buf, &set->list);
	else
	{
		pq_sendint64(&buf, set->window.base);
		pq_sendint64(&buf, set->window.nwords);
		for (int64 i = 0; i < set->window.nwords; i++)
			pq_sendint64(&buf, (int64) set->words[i]);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(noa_day_set_deserial);

/* Deserialize what noa_day_set_serial wrote. */
Datum
noa_day_set_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	DaySet	   *set;

	noa_agg_context(fcinfo, "noa._repeated_days");
	set = palloc0(sizeof(DaySet));
	noa_serial_reader(bytes, &buf);
	set->repeats = pq_getmsgint64(&buf);
	set->listed = pq_getmsgbyte(&buf) != 0;
	if (set->listed)
		value_list_receive(&buf, &set->list, CurrentMemoryContext);
	else
	{
		set->window.base = pq_getmsgint64(&buf);
		set->window.nwords = pq_getmsgint64(&buf);
		if (set->repeats < 0 || set->window.base % 64 != 0 || set->window.nwords < 0
			|| set->window.nwords > DAY_SET_MAX_WORDS
			|| set->window.nwords * (int64) sizeof(uint64) != (int64) (buf.len - buf.cursor))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("invalid serialized noa day set state")));
		if (set->window.nwords > 0)
			set->words = palloc(sizeof(uint64) * set->window.nwords);
		for (int64 i = 0; i < set->window.nwords; i++)
			set->words[i] = (uint64) pq_getmsgint64(&buf);
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(set);
}

PG_FUNCTION_INFO_V1(noa_repeated_days_final);

/* Final of noa._repeated_days: rows whose day another row has (0 without rows). */
Datum
noa_repeated_days_final(PG_FUNCTION_ARGS)
{
	DaySet	   *set;
	double	   *sorted;
	int64		repeats;

	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	set = (DaySet *) PG_GETARG_POINTER(0);
	if (!set->listed)
		PG_RETURN_INT64(set->repeats);
	sorted = value_list_sorted_copy(&set->list);
	repeats = set->repeats + noa_adjacent_repeats(sorted, set->list.count);
	pfree(sorted);
	PG_RETURN_INT64(repeats);
}
