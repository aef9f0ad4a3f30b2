/*
 * series_args.c — read a campaign's daily series passed to noa's internal
 * per-campaign functions as arrays (days sorted ascending, measures as
 * float8), with clear errors for malformed input.
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

/* Days of the series: strictly ascending, no NULL (the caller sorts them). */
int *
noa_series_days(ArrayType *a, int *n)
{
	Datum	   *v;
	bool	   *nulls;
	int		   *day;
	int			i;

	array_args(a, DATEOID, &v, &nulls, n);
	day = palloc(sizeof(int) * Max(*n, 1));
	for (i = 0; i < *n; i++)
	{
		if (nulls[i] || DATE_NOT_FINITE(DatumGetDateADT(v[i])))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("noa: the days of a series must be finite dates")));
		day[i] = DatumGetDateADT(v[i]);
		if (i > 0 && day[i] <= day[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("noa: the days of a series must be ascending and distinct")));
	}
	return day;
}

/* A float8 array argument of n elements; has[i] cleared where it is NULL. */
double *
noa_series_floats(ArrayType *a, int n, bool *has)
{
	Datum	   *v;
	bool	   *nulls;
	double	   *x;
	int			m,
				i;

	array_args(a, FLOAT8OID, &v, &nulls, &m);
	if (m != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("noa: the arrays of a series must have the same length")));
	x = palloc(sizeof(double) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		x[i] = nulls[i] ? 0.0 : DatumGetFloat8(v[i]);
		if (nulls[i] || !isfinite(x[i]))
			has[i] = false;
	}
	return x;
}
