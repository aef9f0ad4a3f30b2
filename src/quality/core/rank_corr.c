/*
 * rank_corr.c — Spearman rank correlation with exact rank sums and the
 * p90 / p10 spread of spend (see rank_corr.h).
 */
#include <math.h>
#include <stdlib.h>

#include "rank_corr.h"

typedef struct
{
	double		v;
	size_t		i;
} Keyed;

static int
cmp_keyed(const void *a, const void *b)
{
	const Keyed *p = a,
			   *q = b;

	if (p->v != q->v)
		return (p->v > q->v) - (p->v < q->v);
	return (p->i > q->i) - (p->i < q->i);
}

/* Doubled average ranks (1-based; ties share the mean) of v into r2. */
static int
doubled_ranks(const double *v, size_t n, long long *r2)
{
	Keyed	   *k = malloc(n * sizeof(Keyed));
	size_t		a,
				b,
				j;

	if (k == NULL)
		return NOA_RC_NOMEM;
	for (j = 0; j < n; j++)
	{
		k[j].v = v[j];
		k[j].i = j;
	}
	qsort(k, n, sizeof(Keyed), cmp_keyed);
	for (a = 0; a < n; a = b)
	{
		for (b = a + 1; b < n && k[b].v == k[a].v; b++)
			;
		/* ranks a+1 .. b: doubled mean = a + 1 + b */
		for (j = a; j < b; j++)
			r2[k[j].i] = (long long) (a + 1 + b);
	}
	free(k);
	return NOA_RC_OK;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* percentile_cont(p) of sorted s[0..n-1], as PostgreSQL computes it. */
static double
percentile_sorted(const double *s, size_t n, double p)
{
	double		pos = p * (double) (n - 1);
	double		first = floor(pos),
				second = ceil(pos);

	if (first == second)
		return s[(size_t) first];
	return s[(size_t) first] + (s[(size_t) second] - s[(size_t) first]) * (pos - first);
}

int
noa_spend_response(const double *x, const double *y, size_t n,
				   double *rho, double *spread, bool *has_spread)
{
	long long  *rx,
			   *ry;
	double	   *sorted;
	__int128	sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, nsxx, nsyy, nsxy;
	size_t		j;
	int			status = NOA_RC_NOMEM;

	*rho = 0.0;
	*has_spread = false;
	*spread = 0.0;
	if (n == 0)
		return NOA_RC_OK;
	rx = malloc(n * sizeof(long long));
	ry = malloc(n * sizeof(long long));
	sorted = malloc(n * sizeof(double));
	if (rx == NULL || ry == NULL || sorted == NULL)
		goto done;
	if (doubled_ranks(x, n, rx) != NOA_RC_OK || doubled_ranks(y, n, ry) != NOA_RC_OK)
		goto done;
	for (j = 0; j < n; j++)
	{
		sx += rx[j];
		sy += ry[j];
		sxx += (__int128) rx[j] * rx[j];
		syy += (__int128) ry[j] * ry[j];
		sxy += (__int128) rx[j] * ry[j];
	}
	/* n * centred sums, in units of 4 (doubled ranks): the ratio is unchanged */
	nsxx = (__int128) n * sxx - sx * sx;
	nsyy = (__int128) n * syy - sy * sy;
	nsxy = (__int128) n * sxy - sx * sy;
	if (nsxx > 0 && nsyy > 0)
		*rho = (double) nsxy / sqrt((double) nsxx * (double) nsyy);

	for (j = 0; j < n; j++)
		sorted[j] = x[j];
	qsort(sorted, n, sizeof(double), cmp_double);
	{
		double		p10 = percentile_sorted(sorted, n, 0.1),
					p90 = percentile_sorted(sorted, n, 0.9);

		if (p10 != 0.0)
		{
			*spread = p90 / p10;
			*has_spread = true;
		}
	}
	status = NOA_RC_OK;
done:
	free(rx);
	free(ry);
	free(sorted);
	return status;
}
