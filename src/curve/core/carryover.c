/*
 * carryover.c — carryover (adstock) kernels and their running states
 * (definitions and conventions in carryover.h).
 */
#include "carryover.h"

#include <math.h>
#include <string.h>

/* Check kernel parameters; NULL when valid. */
const char *
noa_adstock_check(noa_adstock_kind kind, double p1, double p2, int max_lag)
{
	if (max_lag < 0 || max_lag > NOA_ADSTOCK_MAX_LAG)
		return "max_lag must be between 0 and 3660 days";
	switch (kind)
	{
		case NOA_ADSTOCK_GEOMETRIC:
			if (!(p1 >= 0.0 && p1 < 1.0))
				return "theta must be in [0, 1): the share of an effect that carries over to the next day";
			return NULL;
		case NOA_ADSTOCK_DELAYED:
			if (!(p1 > 0.0 && p1 < 1.0))
				return "alpha must be in (0, 1): the decay around the peak";
			if (!(p2 >= 0.0 && p2 <= (double) max_lag))
				return "theta (the peak lag in days) must be in [0, max_lag]";
			return NULL;
		case NOA_ADSTOCK_WEIBULL_CDF:
		case NOA_ADSTOCK_WEIBULL_PDF:
			if (!(p1 >= 0.0 && isfinite(p1)))
				return "shape must be a finite number >= 0";
			if (!(p2 >= 0.0 && p2 <= 1.0))
				return "scale must be in [0, 1]: a fraction of the window, as in Robyn";
			return NULL;
	}
	return "unknown carryover kernel";
}

/* Robyn's Weibull scale in days: round(quantile(1:(L+1), scale)), half to even. */
static double
weibull_days(double scale, int max_lag)
{
	return nearbyint(1.0 + scale * (double) max_lag);
}

/* Unnormalised weights of a kernel; false when they cannot be formed. */
static bool
raw_weights(noa_adstock_kind kind, double p1, double p2, int L, double *w)
{
	int			l;

	if ((kind == NOA_ADSTOCK_WEIBULL_CDF || kind == NOA_ADSTOCK_WEIBULL_PDF) &&
		(p1 == 0.0 || p2 == 0.0))
	{
		/* Robyn: shape or scale 0 means no carryover. */
		memset(w, 0, sizeof(double) * (L + 1));
		w[0] = 1.0;
		return true;
	}
	switch (kind)
	{
		case NOA_ADSTOCK_GEOMETRIC:
			w[0] = 1.0;
			for (l = 1; l <= L; l++)
				w[l] = w[l - 1] * p1;
			return true;
		case NOA_ADSTOCK_DELAYED:
			for (l = 0; l <= L; l++)
				w[l] = pow(p1, ((double) l - p2) * ((double) l - p2));
			return true;
		case NOA_ADSTOCK_WEIBULL_CDF:
			{
				double		lambda = weibull_days(p2, L);
				double		hazard = 0.0;

				w[0] = 1.0;
				for (l = 1; l <= L; l++)
				{
					hazard += pow((double) l / lambda, p1);
					w[l] = exp(-hazard);
				}
				return true;
			}
		case NOA_ADSTOCK_WEIBULL_PDF:
			{
				double		lambda = weibull_days(p2, L);
				double		lo = INFINITY,
							hi = -INFINITY;

				for (l = 0; l <= L; l++)
				{
					double		z = (double) (l + 1) / lambda;

					w[l] = p1 / lambda * pow(z, p1 - 1.0) * exp(-pow(z, p1));
					lo = fmin(lo, w[l]);
					hi = fmax(hi, w[l]);
				}
				if (L == 0)
				{
					w[0] = 1.0;
					return true;
				}
				if (!(hi > lo) || !isfinite(hi))
					return false;
				for (l = 0; l <= L; l++)
					w[l] = (w[l] - lo) / (hi - lo);
				return true;
			}
	}
	return false;
}

/* Lag weights of a finite-window kernel (see carryover.h). */
bool
noa_adstock_weights(noa_adstock_kind kind, double p1, double p2, int max_lag,
					bool normalise, double *w)
{
	double		sum = 0.0;
	int			l;

	if (noa_adstock_check(kind, p1, p2, max_lag) != NULL)
		return false;
	if (!raw_weights(kind, p1, p2, max_lag, w))
		return false;
	for (l = 0; l <= max_lag; l++)
	{
		if (!isfinite(w[l]) || w[l] < 0.0)
			return false;
		sum += w[l];
	}
	if (!(sum > 0.0))
		return false;
	if (normalise)
		for (l = 0; l <= max_lag; l++)
			w[l] /= sum;
	return true;
}

/* Start a recursive geometric state. */
void
noa_adstock_recursive_init(noa_adstock_recursive *st, double theta)
{
	memset(st, 0, sizeof(*st));
	st->theta = theta;
}

/* Order check shared by both states. */
static int
day_order(bool started, int32_t last_day, int32_t day)
{
	if (!started || day > last_day)
		return NOA_ADSTOCK_OK;
	return day == last_day ? NOA_ADSTOCK_DUPLICATE : NOA_ADSTOCK_BACKWARDS;
}

/* Add a day's spend to the recursive state. */
int
noa_adstock_recursive_add(noa_adstock_recursive *st, int32_t day, double spend)
{
	int			rc = day_order(st->started, st->last_day, day);

	if (rc != NOA_ADSTOCK_OK)
		return rc;
	if (!(spend >= 0.0) || !isfinite(spend))
		return NOA_ADSTOCK_BAD_SPEND;
	if (st->started)
		st->value *= pow(st->theta, (double) ((int64_t) day - st->last_day));
	st->value += spend;
	st->last_day = day;
	st->started = true;
	return NOA_ADSTOCK_OK;
}

/* Start a finite-window state over caller-owned weights and ring. */
void
noa_adstock_window_init(noa_adstock_window *st, int max_lag, const double *w, double *ring)
{
	memset(st, 0, sizeof(*st));
	st->max_lag = max_lag;
	st->w = w;
	st->ring = ring;
	memset(ring, 0, sizeof(double) * (max_lag + 1));
}

/* Ring slot of a day (days may be negative). */
static inline int
ring_slot(int32_t day, int size)
{
	int			r = (int) (day % size);

	return r < 0 ? r + size : r;
}

/* Add a day's spend to the window state; skipped days become zero. */
int
noa_adstock_window_add(noa_adstock_window *st, int32_t day, double spend)
{
	int			size = st->max_lag + 1;
	int			rc = day_order(st->started, st->last_day, day);

	if (rc != NOA_ADSTOCK_OK)
		return rc;
	if (!(spend >= 0.0) || !isfinite(spend))
		return NOA_ADSTOCK_BAD_SPEND;
	if (st->started)
	{
		int64_t		gap = (int64_t) day - st->last_day;

		if (gap > size)
			memset(st->ring, 0, sizeof(double) * size);
		else
		{
			int64_t		d;

			for (d = (int64_t) st->last_day + 1; d < day; d++)
				st->ring[ring_slot((int32_t) d, size)] = 0.0;
		}
	}
	st->ring[ring_slot(day, size)] = spend;
	st->last_day = day;
	st->started = true;
	return NOA_ADSTOCK_OK;
}

/* Weighted sum over the window ending on the last day. */
double
noa_adstock_window_value(const noa_adstock_window *st)
{
	int			size = st->max_lag + 1;
	double		sum = 0.0;
	int			l;

	if (!st->started)
		return 0.0;
	for (l = 0; l <= st->max_lag; l++)
		sum += st->w[l] * st->ring[ring_slot((int32_t) ((int64_t) st->last_day - l), size)];
	return sum;
}

/* Recursive geometric adstock of a series with increasing days. */
void
noa_adstock_geometric_series(const int32_t *day, const double *spend, int n,
							 double theta, double *out)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		out[i] = spend[i];
		if (i > 0)
		{
			int64_t		gap = (int64_t) day[i] - day[i - 1];

			out[i] += (gap == 1 ? theta : pow(theta, (double) gap)) * out[i - 1];
		}
	}
}

/* Half-life in days of geometric carryover. */
double
noa_adstock_half_life(double theta)
{
	if (!(theta > 0.0))
		return 0.0;
	return log(0.5) / log(theta);
}
