/*
 * count_tail_sql.c — SQL glue of the count tail (core/count_tail.h), used by
 * noa.data_quality's tracking-break test.
 */
#include "postgres.h"

#include "fmgr.h"

#include "count_tail.h"

PG_FUNCTION_INFO_V1(noa_count_lower_tail_sql);

/*
 * noa._count_lower_tail(observed, expected, dispersion): P(X <= observed), or
 * NULL for negative or non-finite input (the caller filters such rows out).
 */
Datum
noa_count_lower_tail_sql(PG_FUNCTION_ARGS)
{
	double		p;

	if (noa_count_lower_tail(PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2), &p) != NOA_TAIL_OK)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(p);
}
