/*
 * alloc_root.c — the bracketed root search (Illinois steps with bisection
 * safeguards) shared by the envelope, price and outer searches.
 */
#include "alloc_internal.h"

#include <math.h>

/* Which side of the bracket a function value belongs to (0 or 1). */
int
root_side(const root_fn *fn, double f)
{
	return (fn->zero_left ? f >= 0.0 : f > 0.0) ? 0 : 1;
}

/*
 * Shrink a bracket a < b of a nonincreasing function (side 0 at a, side 1 at
 * b) by Illinois steps, bisecting when two steps in a row fail to halve it;
 * a positive bracket wider than a factor 4 is first cut at its geometric
 * midpoint.  Stops when b − a ≤ xtol·max(scale, |a|, |b|), or when ftol > 0
 * and |f| ≤ ftol (both ends then move to that point).
 */
int
find_root(const root_fn *fn, double *a, double *fa, double *b, double *fb,
		  double xtol, double scale, double ftol)
{
	double		wa = *fa,
				wb = *fb;
	double		width = *b - *a;
	int			last = -1,
				stall = 0,
				i;

	for (i = 0; i < 400; i++)
	{
		double		t,
					f;
		int			rc;

		if (*b - *a <= xtol * fmax(scale, fmax(fabs(*a), fabs(*b))))
			break;
		if (*a > 0.0 && *b > 4.0 * *a)
			t = sqrt(*a) * sqrt(*b);
		else
			t = stall >= 2 ? 0.5 * (*a + *b) : *b - wb * (*b - *a) / (wb - wa);
		if (!(t > *a && t < *b))
			t = 0.5 * (*a + *b);
		if (!(t > *a && t < *b))
			break;
		if (stall >= 2)
			stall = 0;
		rc = fn->eval(fn->ctx, t, &f);
		if (rc != NOA_OK)
			return rc;
		if (root_side(fn, f) == 0)
		{
			*a = t;
			*fa = wa = f;
			if (last == 0)
				wb *= 0.5;
			last = 0;
		}
		else
		{
			*b = t;
			*fb = wb = f;
			if (last == 1)
				wa *= 0.5;
			last = 1;
		}
		if (fn->keep)
			fn->keep(fn->ctx, last);
		if (ftol > 0.0 && fabs(f) <= ftol)
		{
			/* close enough: the bracket collapses onto this point */
			*a = *b = t;
			*fa = *fb = f;
			break;
		}
		if (*b - *a > 0.5 * width)
			stall++;
		else
		{
			stall = 0;
			width = *b - *a;
		}
	}
	return NOA_OK;
}
