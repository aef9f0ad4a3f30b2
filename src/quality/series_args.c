/*
 * series_args.c — read a campaign's daily series passed to noa's internal
 * per-campaign functions as arrays (days sorted ascending, measures as
 * float8, in any order: sorted here by day), with clear errors for malformed
 * input.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/date.h"
#include "utils/lsyscache.h"

#include "series_args.h"

/* Elements of a one-dimensional array argument; nulls[i] marks NULLs. */
static void
array_args(ArrayType *a, Oid elemtype, Datum **vals, bool **nulls, int *n)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("noa: expected a one-dimensional array")));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elemtype, typlen, typbyval, typalign, vals, nulls, n);
}

/* Position of a day in its array, for sorting a series by day. */
typedef struct DayAt
{
	int			day;
	int			at;
} DayAt;

static int
cmp_day_at(const void *a, const void *b)
{
	int			x = ((const DayAt *) a)->day,
				y = ((const DayAt *) b)->day;

	return (x > y) - (x < y);
}

/*
 * Days of the series in ascending order; *order[k] = position in the array of
 * the k-th day (so the caller's arrays may come in any order).  No NULL, no
 * infinite date, no day twice.
 */
int *
noa_series_days(ArrayType *a, int *n, int **order)
{
	Datum	   *v;
	bool	   *nulls;
	DayAt	   *by_day;
	int		   *day;
	int			i;

	array_args(a, DATEOID, &v, &nulls, n);
	by_day = palloc(sizeof(DayAt) * Max(*n, 1));
	for (i = 0; i < *n; i++)
	{
		if (nulls[i] || DATE_NOT_FINITE(DatumGetDateADT(v[i])))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("noa: the days of a series must be finite dates")));
		by_day[i].day = DatumGetDateADT(v[i]);
		by_day[i].at = i;
	}
	for (i = 1; i < *n && by_day[i - 1].day < by_day[i].day; i++)
		;
	if (i < *n)					/* not already ascending (noa._collect_days sorts) */
		qsort(by_day, *n, sizeof(DayAt), cmp_day_at);
	day = palloc(sizeof(int) * Max(*n, 1));
	*order = palloc(sizeof(int) * Max(*n, 1));
	for (i = 0; i < *n; i++)
	{
		day[i] = by_day[i].day;
		(*order)[i] = by_day[i].at;
		if (i > 0 && day[i] == day[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("noa: the days of a series must be distinct")));
	}
	pfree(by_day);
	return day;
}

/*
 * A float8 array argument of n elements, element order[k] (or k when order is
 * NULL) at position k; has[k] cleared where it is NULL or not finite.
 */
double *
noa_series_floats(ArrayType *a, int n, const int *order, bool *has)
{
	Datum	   *v;
	bool	   *nulls;
	double	   *x;
	int			m,
				k;

	array_args(a, FLOAT8OID, &v, &nulls, &m);
	if (m != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("noa: the arrays of a series must have the same length")));
	x = palloc(sizeof(double) * Max(n, 1));
	for (k = 0; k < n; k++)
	{
		int			i = order ? order[k] : k;

		x[k] = nulls[i] ? 0.0 : DatumGetFloat8(v[i]);
		if (nulls[i] || !isfinite(x[k]))
			has[k] = false;
	}
	return x;
}
