/*
 * kpi_transform.h — carryover and saturation transforms of the KPI model, and
 * the fixed-seed random stream its multi-starts and bootstrap draw from.
 * Plain C (never includes postgres.h).
 */
#ifndef NOA_KPI_TRANSFORM_H
#define NOA_KPI_TRANSFORM_H

#include <stdint.h>

/*
 * Normalised geometric adstock over a window of `lag` periods:
 * out_t = Σ_{l<lag} α^l x_{t-l} / Σ_{l<lag} α^l, with x before period 0 taken as 0.
 */
void		kpi_adstock(const double *x, int n, double alpha, int lag, double *out);

/* Saturation families of a channel. */
#define KPI_SAT_HILL 0			/* a^s / (a^s + κ^s)          (noa.curve family hill) */
#define KPI_SAT_AUTO (-1)		/* as a request: the better of the two per channel */
#define KPI_SAT_TANH 1			/* tanh(a / κ), s unused      (noa.curve family tanh; PyMC-Marketing's
								 * logistic saturation with λ = 2/κ) */

/* tanh(z) for z ≥ 0. */
double		kpi_tanh_pos(double z);

/* Saturation of every element by family. */
void		kpi_saturate(const double *a, int n, int family, double kappa, double shape, double *out);

/* Derivative of the saturation at a (long-run marginal effect per unit of β). */
double		kpi_saturation_slope(int family, double a, double kappa, double shape);

/* Hill saturation a^s / (a^s + κ^s) of every element (0 where a <= 0). */
void		kpi_hill(const double *a, int n, double kappa, double shape, double *out);

/* Same from precomputed log(a) (-Inf where a <= 0): 1 / (1 + exp(s·(ln κ - ln a))). */
void		kpi_hill_from_log(const double *log_a, int n, double log_kappa, double shape, double *out);

/* d hill / d a at a single point (long-run marginal effect per unit of β). */
double		kpi_hill_slope(double a, double kappa, double shape);

/* Deterministic generator (splitmix64 seeding xoshiro256**). */
typedef struct kpi_rng
{
	uint64_t	s[4];
} kpi_rng;

void		kpi_rng_seed(kpi_rng *rng, uint64_t seed);
uint64_t	kpi_rng_next(kpi_rng *rng);
double		kpi_rng_uniform(kpi_rng *rng);	/* (0, 1) */
double		kpi_rng_normal(kpi_rng *rng);	/* standard normal (Box–Muller) */
int			kpi_rng_below(kpi_rng *rng, int bound);	/* 0 .. bound-1 */

#endif
