/*
 * day_series.c — order and repeated days of a campaign's day records
 * (day_series.h).
 */
#include <math.h>

#include "day_series.h"

/* Ascending doubles, NaN last (as PostgreSQL sorts float8). */
static int
double_cmp(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) - isnan(b);
	return (a > b) - (a < b);
}

int
noa_day_record_cmp(const NoaDayRecord *a, const NoaDayRecord *b)
{
	int			c;

	if (a->day != b->day)
		return (a->day > b->day) - (a->day < b->day);
	c = double_cmp(a->spend, b->spend);
	return c != 0 ? c : double_cmp(a->conversions, b->conversions);
}

int64_t
noa_day_records_repeats(const NoaDayRecord *sorted, size_t n)
{
	int64_t		repeats = 0;
	size_t		i;

	for (i = 1; i < n; i++)
		if (sorted[i].day == sorted[i - 1].day)
			repeats++;
	return repeats;
}
