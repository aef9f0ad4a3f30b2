/*
 * carryover.h — carryover (adstock) transforms of a daily spend series.
 *
 * Plain C (never includes postgres.h).  Days are integers (e.g. PostgreSQL
 * date values); a missing day is a day without spend.  Two forms:
 *
 *   recursive geometric (Robyn adstock_geometric):
 *       x*_t = x_t + θ·x*_{t-1},  θ in [0, 1), unnormalised, whole history;
 *
 *   finite window of lags l = 0..L (Meridian, PyMC-Marketing, Robyn Weibull):
 *       x*_t = Σ_l w_l·x_{t-l}            (or / Σ_l w_l when normalised)
 *     with weights
 *       geometric     w_l = θ^l                                 θ in [0, 1)
 *       delayed       w_l = α^((l-θ)²)       (PyMC DelayedAdstock) α in (0, 1), θ in [0, L]
 *       weibull_cdf   w_0 = 1, w_l = Π_{j=1..l} exp(-(j/λ')^k)   (Robyn "cdf")
 *       weibull_pdf   w_l = minmax(f_Weibull(l+1; k, λ'))        (Robyn "pdf")
 *     where for the Weibull kernels the scale is Robyn's fraction of the
 *     window: λ' = round(1 + scale·L) (R's quantile(1:(L+1), scale), rounded
 *     half to even), shape k >= 0, scale in [0, 1]; shape or scale 0 gives no
 *     carryover (w = 1, 0, 0, ...), as in Robyn.
 *
 * Days before the first row count as zero spend.
 */
#ifndef NOA_CARRYOVER_H
#define NOA_CARRYOVER_H

#include <stdbool.h>
#include <stdint.h>

typedef enum noa_adstock_kind
{
	NOA_ADSTOCK_GEOMETRIC = 1,
	NOA_ADSTOCK_DELAYED = 2,
	NOA_ADSTOCK_WEIBULL_CDF = 3,
	NOA_ADSTOCK_WEIBULL_PDF = 4
} noa_adstock_kind;

/* Longest window accepted (ten years of days). */
#define NOA_ADSTOCK_MAX_LAG 3660

/* Return codes of the add functions. */
#define NOA_ADSTOCK_OK         0
#define NOA_ADSTOCK_BACKWARDS  1	/* a day earlier than the last one */
#define NOA_ADSTOCK_DUPLICATE  2	/* the same day twice */
#define NOA_ADSTOCK_BAD_SPEND  3	/* NaN, infinite or negative spend */

/*
 * Check the parameters of a kernel (p1, p2 as in noa_adstock_weights).
 * Returns NULL when valid, else a sentence saying what is wrong.
 */
const char *noa_adstock_check(noa_adstock_kind kind, double p1, double p2, int max_lag);

/*
 * Lag weights w[0..max_lag] of a finite-window kernel:
 *   geometric p1 = θ;  delayed p1 = α, p2 = θ;  weibull_* p1 = shape, p2 = scale.
 * When normalise, the weights are divided by their sum.  The parameters must
 * pass noa_adstock_check.  Returns false when the weights sum to zero or are
 * not finite (never for checked parameters).
 */
bool		noa_adstock_weights(noa_adstock_kind kind, double p1, double p2, int max_lag,
								bool normalise, double *w);

/* Running state of the recursive geometric transform. */
typedef struct noa_adstock_recursive
{
	double		theta;
	double		value;			/* x* on last_day */
	int32_t		last_day;
	bool		started;
} noa_adstock_recursive;

void		noa_adstock_recursive_init(noa_adstock_recursive *st, double theta);

/* Add the spend of `day` (days must increase; gaps decay by θ per day). */
int			noa_adstock_recursive_add(noa_adstock_recursive *st, int32_t day, double spend);

/*
 * Running state of a finite-window transform: the spend of the last L+1
 * days in a ring (slot day mod (L+1)), and the weights.  The caller owns
 * both arrays (L+1 doubles each).
 */
typedef struct noa_adstock_window
{
	int			max_lag;
	const double *w;
	double	   *ring;
	int32_t		last_day;
	bool		started;
} noa_adstock_window;

void		noa_adstock_window_init(noa_adstock_window *st, int max_lag, const double *w, double *ring);
int			noa_adstock_window_add(noa_adstock_window *st, int32_t day, double spend);

/* x* on the last day added (0 before any day).  Reads the state only. */
double		noa_adstock_window_value(const noa_adstock_window *st);

/*
 * Recursive geometric adstock of a whole series with strictly increasing days:
 * out[i] = spend[i] + θ^(day[i]-day[i-1])·out[i-1].
 */
void		noa_adstock_geometric_series(const int32_t *day, const double *spend, int n,
										 double theta, double *out);

/* Days for carryover to fall to half: ln 0.5 / ln θ (0 for θ = 0). */
double		noa_adstock_half_life(double theta);

#endif
