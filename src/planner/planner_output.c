/*
 * planner_output.c — presenting the planners' figures: amounts and ratios in
 * plain words for the explanations, and result rows built column by column
 * (money rounded to cents, figures that are not finite as NULL).
 */
#include "postgres.h"

#include <math.h>

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "planner_output.h"

/* ---------------------------------------------------------- formatting */

/* A number rounded to `decimals` places with thousands separators: 12,345.67. */
static char *
fmt_number(double v, int decimals)
{
	char		digits[64];
	StringInfoData buf;
	char	   *dot;
	int			len,
				i;

	if (fabs(v) >= 1e15)
		return psprintf("%.6g", v);
	snprintf(digits, sizeof(digits), "%.*f", decimals, fabs(v));
	dot = strchr(digits, '.');
	len = dot ? (int) (dot - digits) : (int) strlen(digits);
	initStringInfo(&buf);
	if (v < 0.0 && strspn(digits, "0.") != strlen(digits))
		appendStringInfoChar(&buf, '-');
	for (i = 0; i < len; i++)
	{
		if (i > 0 && (len - i) % 3 == 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoChar(&buf, digits[i]);
	}
	if (dot)
		appendStringInfoString(&buf, dot);
	return buf.data;
}

/* An amount of money: 12,345.67. */
char *
fmt_money(double v)
{
	return isfinite(v) ? fmt_number(v, 2) : pstrdup("an unbounded amount");
}

/* A signed change of money: +1,200.00 or -350.00. */
char *
fmt_delta(double v)
{
	return v >= 0.0 ? psprintf("+%s", fmt_money(v)) : fmt_money(v);
}

/* A return per unit of spend (marginal ROAS, ROAS): two decimals. */
char *
fmt_ratio(double v)
{
	if (isinf(v))
		return pstrdup("an unbounded amount");
	if (isnan(v))
		return pstrdup("an unknown amount");
	return psprintf("%.2f", v);
}

/* A response count: one decimal, three significant digits below 10. */
char *
fmt_quantity(double v)
{
	if (!isfinite(v))
		return pstrdup("unknown");
	return fabs(v) >= 10.0 ? fmt_number(v, 1) : psprintf("%.3g", v);
}

/* A ratio num/den (ROAS, CPA, relative change), NaN unless den > 0. */
double
ratio_or_nan(double num, double den)
{
	return den > 0.0 ? num / den : NAN;
}

/* ------------------------------------------------------------ row building */

/* Start a row for a result descriptor of natts columns. */
void
row_start(RowBuilder *row, int natts)
{
	row->values = palloc0(sizeof(Datum) * natts);
	row->nulls = palloc0(sizeof(bool) * natts);
	row->col = 0;
	row->natts = natts;
}

/* Start a row whose first columns are row_type, key and group (NULL for none). */
void
row_start_labelled(RowBuilder *row, int natts, const char *row_type, const char *key,
				   const char *group)
{
	row_start(row, natts);
	put_text(row, row_type);
	put_text(row, key);
	put_text(row, group);
}

/* Next column: text, NULL for a NULL string. */
void
put_text(RowBuilder *row, const char *s)
{
	Assert(row->col < row->natts);
	row->nulls[row->col] = s == NULL;
	row->values[row->col++] = s == NULL ? (Datum) 0 : CStringGetTextDatum(s);
}

/* Next column: money as numeric rounded to cents, NULL when not finite. */
void
put_money(RowBuilder *row, double v)
{
	Assert(row->col < row->natts);
	row->nulls[row->col] = !isfinite(v);
	row->values[row->col++] = !isfinite(v) ? (Datum) 0
		: DirectFunctionCall2(numeric_round, DirectFunctionCall1(float8_numeric, Float8GetDatum(v)),
							  Int32GetDatum(2));
}

/* Next column: float8, NULL when not finite. */
void
put_float(RowBuilder *row, double v)
{
	Assert(row->col < row->natts);
	row->nulls[row->col] = !isfinite(v);
	row->values[row->col++] = Float8GetDatum(isfinite(v) ? v : 0.0);
}

/* Next column: integer. */
void
put_int(RowBuilder *row, int v)
{
	Assert(row->col < row->natts);
	row->nulls[row->col] = false;
	row->values[row->col++] = Int32GetDatum(v);
}

/* Next column: boolean. */
void
put_bool(RowBuilder *row, bool v)
{
	Assert(row->col < row->natts);
	row->nulls[row->col] = false;
	row->values[row->col++] = BoolGetDatum(v);
}

/* Next three columns: an estimate and its lower and upper bounds, as float8. */
void
put_interval(RowBuilder *row, interval_estimate e)
{
	put_float(row, e.value);
	put_float(row, e.lo);
	put_float(row, e.hi);
}

/* Next four columns: a spend now and after, the change as money and relative. */
void
put_change(RowBuilder *row, double now, double after)
{
	put_money(row, now);
	put_money(row, after);
	put_money(row, after - now);
	put_float(row, ratio_or_nan(after - now, now));
}

/* NULL in every column up to (not including) column upto. */
void
put_nulls(RowBuilder *row, int upto)
{
	while (row->col < upto)
		put_float(row, NAN);
}

/* Next two columns: the currency and the response unit (NULL when not given); none under a 0.1.0 declaration. */
void
put_units(RowBuilder *row, const UnitLabels *u)
{
	if (!u->columns)
		return;
	put_text(row, u->currency);
	put_text(row, u->response_unit);
}

/* Add a complete row to the result of a materialized set-returning function. */
void
row_emit(FunctionCallInfo fcinfo, const RowBuilder *row)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	Assert(row->col == row->natts);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row->values, row->nulls);
}
