/*
 * test_count_tail.c — the O(1) count tail against direct sums of the
 * probability mass, and at magnitudes where a sum would overflow.
 */
#include <math.h>

#include "count_tail.h"
#include "unit.h"

/* Poisson P(X <= k) by summing the mass in log space (small k only). */
static double
poisson_sum(int k, double mu)
{
	double		s = 0.0;
	int			i;

	for (i = 0; i <= k; i++)
		s += exp(-mu + i * log(mu) - lgamma(i + 1.0));
	return s;
}

/* Negative binomial P(X <= k) with mean mu and variance phi * mu, summed. */
static double
negbin_sum(int k, double mu, double phi)
{
	double		r = mu / (phi - 1.0),
				q = 1.0 / phi,
				s = 0.0;
	int			i;

	for (i = 0; i <= k; i++)
		s += exp(lgamma(i + r) - lgamma(r) - lgamma(i + 1.0) + r * log(q) + i * log1p(-q));
	return s;
}

int
main(void)
{
	double		p;
	int			k;

	for (k = 0; k <= 30; k += 5)
	{
		CHECK(noa_count_lower_tail(k, 12.5, 1.0, &p) == NOA_TAIL_OK && unit_close(p, poisson_sum(k, 12.5), 1e-10),
			  "Poisson tail k=%d mu=12.5 matches the direct sum", k);
		CHECK(noa_count_lower_tail(k + 0.7, 12.5, 1.0, &p) == NOA_TAIL_OK && unit_close(p, poisson_sum(k, 12.5), 1e-10),
			  "fractional observed %d.7 counts as %d", k, k);
		CHECK(noa_count_lower_tail(k, 12.5, 3.0, &p) == NOA_TAIL_OK && unit_close(p, negbin_sum(k, 12.5, 3.0), 1e-9),
			  "negative binomial tail k=%d mu=12.5 phi=3 matches the direct sum", k);
	}
	CHECK(noa_count_lower_tail(3, 30.0, 1.0, &p) == NOA_TAIL_OK && p < 1e-8,
		  "3 seen where 30 were due is unlikely under Poisson (p = %g)", p);
	CHECK(noa_count_lower_tail(3, 30.0, 8.0, &p) == NOA_TAIL_OK && p > 1e-3,
		  "but not with 8-fold over-dispersion (p = %g)", p);
	/* 120 days at 4e7 a day, none seen: no sum over 4.8e9 terms, no overflow */
	CHECK(noa_count_lower_tail(0, 4.8e9, 1.0, &p) == NOA_TAIL_OK && p == 0.0,
		  "a collapse from 4.8e9 expected underflows to 0 (p = %g)", p);
	CHECK(noa_count_lower_tail(4.8e9, 4.8e9, 1.0, &p) == NOA_TAIL_OK && p > 0.49 && p < 0.51,
		  "4.8e9 seen of 4.8e9 due is the median (p = %g)", p);
	CHECK(noa_count_lower_tail(5e12, 1e13, 1.0, &p) == NOA_TAIL_OK && p == 0.0,
		  "counts above 2^31 work (p = %g)", p);
	CHECK(noa_count_lower_tail(5, 0.0, 1.0, &p) == NOA_TAIL_OK && p == 1.0, "nothing due: p = 1");
	CHECK(noa_count_lower_tail(-1, 5.0, 1.0, &p) == NOA_TAIL_INVALID, "negative observed is rejected");
	CHECK(noa_count_lower_tail(1, NAN, 1.0, &p) == NOA_TAIL_INVALID, "NaN expected is rejected");
	CHECK(noa_count_lower_tail(1, 5.0, INFINITY, &p) == NOA_TAIL_INVALID, "infinite dispersion is rejected");
	return unit_done();
}
