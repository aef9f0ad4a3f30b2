/*
 * value_order.c — order statistics of a sorted list of values (see
 * value_order.h).
 */
#include <math.h>

#include "value_order.h"

int64_t
noa_adjacent_repeats(const double *v, int64_t n)
{
	int64_t		repeats = 0;

	for (int64_t i = 1; i < n; i++)
		if (v[i] == v[i - 1])
			repeats++;
	return repeats;
}

double
noa_percentile_cont(const double *v, int64_t n, double p)
{
	/* the rows and the weight of the upper one, as PostgreSQL's percentile_cont */
	int64_t		first = (int64_t) floor(p * (n - 1));
	int64_t		second = (int64_t) ceil(p * (n - 1));
	double		proportion;

	if (first == second)
		return v[first];
	proportion = (p * (n - 1)) - first;
	return v[first] + (proportion * (v[second] - v[first]));
}
