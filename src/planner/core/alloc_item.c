/*
 * alloc_item.c — item math: value, slope and the falling-branch slope inverse
 * of an item (w·f) per family.
 */
#include "alloc_internal.h"

#include <math.h>

/* w·f(x), with the asymptote at x = +Inf. */
double
item_value(const item_work *it, double x)
{
	if (isinf(x))
		return noa_model_saturates(it->model) ? it->w * it->p[0] : INFINITY;
	return it->w * noa_curve_value(it->model, it->p, x);
}

/* w·f'(x), with the limit at x = +Inf. */
double
item_slope(const item_work *it, double x)
{
	if (isinf(x))
	{
		if (it->shape == SHAPE_LINEAR)
			return it->model == NOA_MODEL_LINEAR ? it->w * it->p[0] : it->w * it->p[0] * it->p[1];
		return it->shape == SHAPE_CONVEX ? INFINITY : 0.0;
	}
	return it->w * noa_curve_slope(it->model, it->p, x);
}

/*
 * Hill: solve w·f'(x) = p on the falling branch by Newton in u = ln x.  The
 * log-slope h(u) is concave and decreasing there, so Newton converges from
 * anywhere right of the slope peak and monotonically once right of the root.
 */
static double
hill_inverse(item_work *it, double p)
{
	double		s = it->p[2];
	double		ln_p = log(p);
	double		u_peak = it->peak > 0.0 ? log(it->peak) : -INFINITY;
	double		u = isfinite(it->u_warm) && it->u_warm > u_peak ? it->u_warm : it->ln_k;
	int			i;

	for (i = 0; i < 100; i++)
	{
		double		z = s * (u - it->ln_k);
		double		e = exp(-fabs(z));
		double		log1pr = fmax(z, 0.0) + log1p(e);
		double		share = z >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
		double		h = it->ln_wbs + z - u - 2.0 * log1pr - ln_p;
		double		dh = s - 1.0 - 2.0 * s * share;
		double		step;

		if (!(dh < 0.0))
		{
			/* left of the peak, or where the slope is flat in u: move right */
			u = fmax(u, it->ln_k) + 1.0;
			continue;
		}
		step = h / dh;
		u -= step;
		if (fabs(step) <= 1e-15 * fmax(1.0, fabs(u)))
			break;
	}
	it->u_warm = u;
	return exp(u);
}

/* Spend ≥ peak where w·f'(x) = p, for 0 < p below the peak slope. */
double
falling_inverse(item_work *it, double p)
{
	double		wb = it->w * it->p[0];

	switch (it->model)
	{
		case NOA_MODEL_HILL:
			return hill_inverse(it, p);
		case NOA_MODEL_EXPONENTIAL:
			{
				double		v = wb / (it->p[1] * p);

				return v > 1.0 ? it->p[1] * log(v) : 0.0;
			}
		case NOA_MODEL_MICHAELIS_MENTEN:
			return fmax(0.0, sqrt(wb * it->p[1] / p) - it->p[1]);
		case NOA_MODEL_TANH:
			{
				double		c = sqrt(wb / (it->p[1] * p));

				return c > 1.0 ? it->p[1] * acosh(c) : 0.0;
			}
		case NOA_MODEL_POWER:
			return pow(p / (wb * it->p[1]), 1.0 / (it->p[1] - 1.0));
		case NOA_MODEL_LOGISTIC:
			{
				double		m = it->p[1],
							r = it->p[2];
				double		q = p / (wb * r) / (1.0 + exp(-r * m));
				double		d,
							upper,
							lower;

				if (q >= 0.25)
					return m;
				/* σ(1 − σ) = q on the upper branch: σ = (1 + d)/2, 1 − σ = 2q/(1 + d) */
				d = sqrt(1.0 - 4.0 * q);
				upper = 0.5 * (1.0 + d);
				lower = 2.0 * q / (1.0 + d);
				return m + (log(upper) - log(lower)) / r;
			}
		default:
			return NAN;
	}
}
