/*
 * arg_parse.c — reading the planners' text arguments: double-quoted names,
 * shared by group limit lists and noa.simulate's change statements, and the
 * group limit lists of noa.allocate ("awareness=0.2, search=0.1").
 *
 * Malformed or out-of-range input raises SQLSTATE 22023 with a hint.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "arg_parse.h"
#include "miscadmin.h"

/*
 * Read a double-quoted name starting at the opening quote *p into name (a
 * doubled quote stands for one) and move *p past the closing quote.  Returns
 * false, with *p at the end of the string, when the quote is not closed; the
 * caller reports the error.
 */
bool
read_quoted_name(const char **p, StringInfo name)
{
	const char *s = *p;

	Assert(*s == '"');
	for (s++; *s && !(*s == '"' && s[1] != '"'); s++)
	{
		if (*s == '"')
			s++;
		appendStringInfoChar(name, *s);
	}
	if (*s != '"')
	{
		*p = s;
		return false;
	}
	*p = s + 1;
	return true;
}

/* Order group specs by name, byte by byte. */
static int
spec_name_cmp(const void *a, const void *b)
{
	return strcmp(((const GroupSpec *) a)->name, ((const GroupSpec *) b)->name);
}

/* Raise an error when a name appears twice (sorts a copy: O(n log n)). */
static void
reject_duplicate_names(const GroupSpec *specs, int n, const char *argname)
{
	GroupSpec  *sorted = palloc(sizeof(GroupSpec) * Max(n, 1));
	int			i;

	memcpy(sorted, specs, sizeof(GroupSpec) * n);
	qsort(sorted, n, sizeof(GroupSpec), spec_name_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(sorted[i - 1].name, sorted[i].name) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s names group \"%s\" twice", argname, sorted[i].name),
					 errhint("Give each group one value.")));
	pfree(sorted);
}

/*
 * Parse a group limit list "awareness=0.2, search=0.1" (names may be
 * double-quoted; entries separated by commas or semicolons).  Shares must
 * lie in [0, 1], amounts be finite and non-negative; a name may appear once.
 */
GroupSpec *
parse_group_specs(const char *spec, const char *argname, bool share, int *count)
{
	GroupSpec  *out = palloc0(sizeof(GroupSpec) * (strlen(spec) / 2 + 1));
	const char *p = spec;
	int			n = 0;

	*count = 0;
	for (;;)
	{
		StringInfoData name;
		char	   *end;
		double		v;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == ',' || *p == ';')
			p++;
		if (*p == '\0')
			break;
		initStringInfo(&name);
		if (*p == '"')
		{
			if (!read_quoted_name(&p, &name))
				goto syntax;
		}
		else
		{
			while (*p && *p != '=' && *p != ',' && *p != ';')
				appendStringInfoChar(&name, *p++);
			while (name.len > 0 && isspace((unsigned char) name.data[name.len - 1]))
				name.data[--name.len] = '\0';
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=' || name.len == 0)
			goto syntax;
		p++;
		v = strtod(p, &end);
		if (end == p)
			goto syntax;
		p = end;
		if (*p == '%' && share)
		{
			v /= 100.0;
			p++;
		}
		if (isnan(v) || isinf(v) || v < 0.0 || (share && v > 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: the value for group \"%s\" must be %s, not %g", argname, name.data,
							share ? "a share between 0 and 1" : "a finite, non-negative amount", v),
					 errhint(share ? "Write shares as fractions or percentages: 'awareness=0.2' or 'awareness=20%%'."
							 : "Write amounts in the portfolio's currency: 'awareness=20000'.")));
		out[n].name = name.data;
		out[n].value = v;
		n++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0' && *p != ',' && *p != ';' && *p != '\n')
			goto syntax;
		CHECK_FOR_INTERRUPTS();
	}
	reject_duplicate_names(out, n, argname);
	*count = n;
	return out;

syntax:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s \"%s\"", argname, spec),
			 errdetail("Expected a list of group=value entries separated by commas."),
			 errhint("For example '%s'; double-quote group names containing commas or '='.",
					 share ? "awareness=0.2, conversion=0.1" : "awareness=20000, search=50000")));
	return NULL;				/* keep the compiler quiet */
}
