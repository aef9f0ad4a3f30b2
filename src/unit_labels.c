/*
 * unit_labels.c — reading the currency and response_unit arguments.  noa
 * cannot know the currency of the money or what the response counts (a curve
 * is fitted on numbers); the caller names them once and every row repeats
 * them, so a dashboard never shows an amount without its unit.
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "unit_labels.h"

/* Longest label accepted: a currency code or a short unit phrase. */
#define MAX_LABEL_LEN 64

/* One optional label argument: NULL when not given; an empty or overlong label is refused. */
static char *
read_label(FunctionCallInfo fcinfo, int argno, const char *argname, const char *example)
{
	char	   *s;
	int			len;

	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))	/* not given, or a 0.1.0 declaration */
		return NULL;
	s = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	len = strlen(s);
	if (len == 0 || strspn(s, " \t\r\n") == (size_t) len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", argname),
				 errhint("Name it (e.g. %s), or pass NULL to leave the %s column empty.", example, argname)));
	if (pg_mbstrlen(s) > MAX_LABEL_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is longer than %d characters", argname, MAX_LABEL_LEN),
				 errhint("It is a label repeated on every row: a short name such as %s.", example)));
	return s;
}

/* The currency and response-unit arguments at the given positions. */
UnitLabels
read_unit_labels(FunctionCallInfo fcinfo, int currency_arg, int unit_arg)
{
	UnitLabels	u;

	u.columns = PG_NARGS() > unit_arg;
	u.currency = read_label(fcinfo, currency_arg, "currency", "'EUR'");
	u.response_unit = read_label(fcinfo, unit_arg, "response_unit", "'conversions'");
	return u;
}

/* A label as a text column value. */
Datum
label_datum(const char *label, bool *isnull)
{
	*isnull = label == NULL;
	return label == NULL ? (Datum) 0 : CStringGetTextDatum(label);
}
