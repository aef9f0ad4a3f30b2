/*
 * value_list.h — a growing list of doubles kept by an aggregate's state
 * (value_list_agg.c): noa._p10_p90's values, and the days of
 * noa._repeated_days when they span too many years for its bitmap.
 */
#ifndef NOA_VALUE_LIST_H
#define NOA_VALUE_LIST_H

#include "postgres.h"

#include "lib/stringinfo.h"

typedef struct ValueList
{
	int64		count;
	int64		capacity;
	double	   *values;
} ValueList;

/* Make room for extra more values (allocated in context). */
extern void value_list_reserve(ValueList *list, int64 extra, MemoryContext context);

/* Append the values of b to a. */
extern void value_list_append(ValueList *a, const ValueList *b, MemoryContext context);

/* Serialize: the count, then the values. */
extern void value_list_send(StringInfo buf, const ValueList *list);

/* Read what value_list_send wrote into the empty list, up to the end of buf. */
extern void value_list_receive(StringInfo buf, ValueList *list, MemoryContext context);

/* A sorted copy of the values (cancellable however long the list); pfree it. */
extern double *value_list_sorted_copy(const ValueList *list);

#endif
