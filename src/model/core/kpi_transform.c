/*
 * kpi_transform.c — adstock, Hill saturation and the fixed-seed random stream.
 */
#include "kpi_transform.h"

#include <math.h>

/*
 * Normalised geometric adstock, finite window (see kpi_transform.h), in O(n):
 * S_t = α S_{t-1} + x_t − α^L x_{t-L} is the window sum, divided by Σ α^l
 * (clamped at 0 against rounding after a burst of spend ends).
 */
void
kpi_adstock(const double *x, int n, double alpha, int lag, double *out)
{
	double		total = 0.0,
				w = 1.0,
				tail,
				s = 0.0;
	int			l,
				t;

	if (lag < 1)
		lag = 1;
	for (l = 0; l < lag; l++)
	{
		total += w;
		w *= alpha;
	}
	tail = w;					/* α^L */
	for (t = 0; t < n; t++)
	{
		s = alpha * s + x[t] - (t >= lag ? tail * x[t - lag] : 0.0);
		if (s < 0.0)
			s = 0.0;
		out[t] = s / total;
	}
}

/* Hill saturation of every element. */
void
kpi_hill(const double *a, int n, double kappa, double shape, double *out)
{
	int			t;

	for (t = 0; t < n; t++)
		out[t] = a[t] > 0.0 ? 1.0 / (1.0 + pow(kappa / a[t], shape)) : 0.0;
}

/* Hill saturation from log inputs (one exp per element). */
void
kpi_hill_from_log(const double *log_a, int n, double log_kappa, double shape, double *out)
{
	int			t;

	for (t = 0; t < n; t++)
	{
		double		z = shape * (log_kappa - log_a[t]);

		out[t] = z > 700.0 ? 0.0 : 1.0 / (1.0 + exp(z));
	}
}

/* tanh(z) for z ≥ 0 from one expm1 (cheaper than tanh, same accuracy). */
double
kpi_tanh_pos(double z)
{
	double		em = expm1(-2.0 * z);

	return -em / (2.0 + em);
}

/* Saturation of every element by family. */
void
kpi_saturate(const double *a, int n, int family, double kappa, double shape, double *out)
{
	int			t;

	if (family == KPI_SAT_TANH)
	{
		for (t = 0; t < n; t++)
			out[t] = a[t] > 0.0 ? kpi_tanh_pos(a[t] / kappa) : 0.0;
		return;
	}
	kpi_hill(a, n, kappa, shape, out);
}

/* Derivative of the saturation at a. */
double
kpi_saturation_slope(int family, double a, double kappa, double shape)
{
	if (family == KPI_SAT_TANH)
	{
		double		th = tanh((a > 0.0 ? a : 0.0) / kappa);

		return (1.0 - th * th) / kappa;
	}
	return kpi_hill_slope(a, kappa, shape);
}

/* Derivative of the Hill function at a. */
double
kpi_hill_slope(double a, double kappa, double shape)
{
	double		h;

	if (a <= 0.0)
		return shape > 1.0 ? 0.0 : (shape == 1.0 ? 1.0 / kappa : INFINITY);
	h = 1.0 / (1.0 + pow(kappa / a, shape));
	return shape * h * (1.0 - h) / a;
}

/* splitmix64 step, used to seed the main generator. */
static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	z = (*x += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Seed the generator from one 64-bit value. */
void
kpi_rng_seed(kpi_rng *rng, uint64_t seed)
{
	int			i;

	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&seed);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* Next 64 random bits (xoshiro256**). */
uint64_t
kpi_rng_next(kpi_rng *rng)
{
	uint64_t   *s = rng->s;
	uint64_t	result = rotl(s[1] * 5, 7) * 9;
	uint64_t	t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform on the open interval (0, 1). */
double
kpi_rng_uniform(kpi_rng *rng)
{
	return ((double) (kpi_rng_next(rng) >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal by Box–Muller (one of the pair). */
double
kpi_rng_normal(kpi_rng *rng)
{
	double		u1 = kpi_rng_uniform(rng);
	double		u2 = kpi_rng_uniform(rng);

	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Uniform integer in [0, bound). */
int
kpi_rng_below(kpi_rng *rng, int bound)
{
	if (bound <= 1)
		return 0;
	return (int) (kpi_rng_uniform(rng) * bound) % bound;
}
