/*
 * row_checks_sql.c — noa._measures_suspect(spend, impressions, clicks,
 * conversions, value numeric) RETURNS boolean: whether one ad row may fail a
 * per-row check of noa.data_quality (a value negative, not finite, of
 * magnitude 1e15 or more, a fractional count, or an impossible funnel).
 * noa.data_quality asks this of every row in its first pass and reads the
 * rows again only when some row is suspect.  One call per row evaluates each
 * column once (as SQL, a column cast from an integer type would be cast
 * again at each of its dozen uses) with the same comparisons as SQL's numeric
 * operators: NULL is never suspect, NaN sorts above every number.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

/* The constants 0 and 1e15, made once per call site. */
typedef struct RowCheckConsts
{
	Datum		zero;
	Datum		limit;
} RowCheckConsts;

static RowCheckConsts *
row_check_consts(FunctionCallInfo fcinfo)
{
	RowCheckConsts *c = (RowCheckConsts *) fcinfo->flinfo->fn_extra;

	if (c == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		c = palloc(sizeof(RowCheckConsts));
		c->zero = NumericGetDatum(int64_to_numeric(0));
		c->limit = NumericGetDatum(int64_to_numeric(INT64CONST(1000000000000000)));
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = c;
	}
	return c;
}

/* Sign of a - b as numeric's operators order them (NaN above everything). */
static int
cmp(Datum a, Datum b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b));
}

/* 0 <= x < 1e15 (false for NaN and the infinities). */
static bool
in_range(Datum x, const RowCheckConsts *c)
{
	return cmp(x, c->zero) >= 0 && cmp(x, c->limit) < 0;
}

/* A finite x without a fractional part. */
static bool
whole(Datum x)
{
	if (DatumGetInt32(DirectFunctionCall1(numeric_scale, x)) == 0)
		return true;
	return cmp(x, DirectFunctionCall2(numeric_trunc, x, Int32GetDatum(0))) == 0;
}

PG_FUNCTION_INFO_V1(noa_measures_suspect_sql);

Datum
noa_measures_suspect_sql(PG_FUNCTION_ARGS)
{
	const RowCheckConsts *c = row_check_consts(fcinfo);
	bool		has_sp = !PG_ARGISNULL(0),
				has_im = !PG_ARGISNULL(1),
				has_cl = !PG_ARGISNULL(2),
				has_cv = !PG_ARGISNULL(3),
				has_va = !PG_ARGISNULL(4);
	/* detoasted once here (a value read from a table has a short header, which
	 * every comparison would otherwise copy again) */
	Datum		sp = has_sp ? NumericGetDatum(PG_GETARG_NUMERIC(0)) : (Datum) 0,
				im = has_im ? NumericGetDatum(PG_GETARG_NUMERIC(1)) : (Datum) 0,
				cl = has_cl ? NumericGetDatum(PG_GETARG_NUMERIC(2)) : (Datum) 0,
				cv = has_cv ? NumericGetDatum(PG_GETARG_NUMERIC(3)) : (Datum) 0,
				va = has_va ? NumericGetDatum(PG_GETARG_NUMERIC(4)) : (Datum) 0;

	/* values out of range, counts not whole */
	if ((has_sp && !in_range(sp, c)) || (has_cv && !in_range(cv, c)) || (has_va && !in_range(va, c)))
		PG_RETURN_BOOL(true);
	if ((has_im && !(in_range(im, c) && whole(im))) || (has_cl && !(in_range(cl, c) && whole(cl))))
		PG_RETURN_BOOL(true);
	/* impossible or suspicious funnels (all values now finite) */
	if (has_cl && has_im && cmp(cl, im) > 0)
		PG_RETURN_BOOL(true);
	if (has_cv && has_cl && cmp(cv, cl) > 0)
		PG_RETURN_BOOL(true);
	if (has_va && has_cv && cmp(va, c->zero) > 0 && cmp(cv, c->zero) == 0)
		PG_RETURN_BOOL(true);
	if (has_sp && has_im && cmp(sp, c->zero) > 0 && cmp(im, c->zero) == 0)
		PG_RETURN_BOOL(true);
	PG_RETURN_BOOL(false);
}
