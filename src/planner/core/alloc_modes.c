/*
 * alloc_modes.c — item modes: the concave envelope of an S-shaped or convex
 * item, the domain an item is solved on in each mode, and its demand at a
 * price.
 */
#include "alloc_internal.h"

#include <math.h>
#include <string.h>

/* A tangent from the point (from, g(from)) of an item's curve. */
typedef struct tangent_ctx
{
	const item_work *it;
	double		from;
} tangent_ctx;

/* ψ(x) = g'(x)(x − a) − (g(x) − g(a)): positive before the tangent point, negative after. */
static int
tangent_eval(void *ctx, double x, double *f)
{
	const tangent_ctx *tc = ctx;
	const item_work *it = tc->it;

	*f = item_slope(it, x) * (x - tc->from) - (item_value(it, x) - item_value(it, tc->from));
	return NOA_OK;
}

/*
 * The concave envelope of an S-shaped item over [lo, hi], lo below the slope
 * peak: the line from (lo, g(lo)) tangent to the curve at *tau (or the chord
 * to hi when the tangent point lies beyond hi, *tau = hi), of slope *sigma,
 * then the curve itself.
 */
static void
s_envelope(const item_work *it, double lo, double hi, double *tau, double *sigma)
{
	double		g_lo = item_value(it, lo);
	double		a,
				b,
				fa,
				fb;
	tangent_ctx tc = {it, lo};
	root_fn		fn = {tangent_eval, NULL, &tc, false};
	int			i;

	if (isfinite(hi))
	{
		tangent_eval(&tc, hi, &fb);
		if (fb >= 0.0)
		{
			*tau = hi;
			*sigma = (item_value(it, hi) - g_lo) / (hi - lo);
			return;
		}
	}
	if (it->model == NOA_MODEL_HILL && lo == 0.0)
		*tau = it->p[1] * pow(it->p[2] - 1.0, 1.0 / it->p[2]);	/* f'(x)·x = f(x) at (x/k)^s = s − 1 */
	else
	{
		a = it->peak;
		tangent_eval(&tc, a, &fa);
		b = fmax(2.0 * it->peak, it->peak + (it->peak - lo));
		tangent_eval(&tc, b, &fb);
		for (i = 0; i < 2000 && fb > 0.0 && isfinite(b); i++)
		{
			a = b;
			fa = fb;
			b *= 2.0;
			tangent_eval(&tc, b, &fb);
		}
		if (fa > 0.0 && fb <= 0.0)
			find_root(&fn, &a, &fa, &b, &fb, 1e-15, 0.0, 0.0);
		*tau = fa > 0.0 && fb <= 0.0 ? 0.5 * (a + b) : b;
	}
	if (isfinite(hi) && *tau > hi)
		*tau = hi;
	*sigma = (item_value(it, *tau) - g_lo) / (*tau - lo);
}

/*
 * The concave envelope of an S-shaped or convex item over [lo, hi] (a line of
 * slope env_sigma on [lo, env_tau], then the curve); a linear item is one line.
 */
static void
item_envelope(item_work *it)
{
	it->env_flat = false;
	it->env_tau = it->lo;
	it->env_sigma = INFINITY;
	switch (it->shape)
	{
		case SHAPE_LINEAR:
			it->env_flat = true;
			it->env_tau = it->hi;
			it->env_sigma = item_slope(it, INFINITY);
			return;
		case SHAPE_CONVEX:
			it->env_flat = true;
			it->env_tau = it->hi;
			it->env_sigma = (item_value(it, it->hi) - item_value(it, it->lo)) / (it->hi - it->lo);
			return;
		case SHAPE_S:
			it->env_flat = true;
			s_envelope(it, it->lo, it->hi, &it->env_tau, &it->env_sigma);
			return;
		default:
			return;
	}
}

/* Classify an item and precompute its constants (bounds already final). */
void
item_init(item_work *it, const noa_alloc_item *src, double hi)
{
	memset(it, 0, sizeof(*it));
	it->model = src->model;
	memcpy(it->p, src->param, sizeof(it->p));
	it->w = src->weight;
	it->group = src->group;
	it->lo = src->lo;
	it->hi = hi;
	it->peak = noa_curve_slope_peak(src->model, src->param);
	it->u_warm = NAN;
	if (it->model == NOA_MODEL_HILL)
	{
		it->ln_k = log(it->p[1]);
		it->ln_wbs = log(it->w * it->p[0] * it->p[2]);
	}
	if (!(it->hi > it->lo))
		it->shape = SHAPE_FIXED;
	else if (it->model == NOA_MODEL_LINEAR || (it->model == NOA_MODEL_POWER && it->p[1] == 1.0))
		it->shape = SHAPE_LINEAR;
	else if (it->model == NOA_MODEL_POWER && it->p[1] > 1.0)
	{
		it->shape = SHAPE_CONVEX;
		it->peak = INFINITY;
	}
	else if (it->peak > it->lo)
		it->shape = SHAPE_S;
	else
		it->shape = SHAPE_CONCAVE;
	if (it->shape != SHAPE_FIXED && (it->shape != SHAPE_CONVEX || isfinite(it->hi)))
		item_envelope(it);
}

/* Whether the relaxation of an item can differ from its curve. */
bool
item_shaped(const item_work *it)
{
	return it->shape == SHAPE_S || it->shape == SHAPE_CONVEX;
}

/* Put an item in a mode (pin: its spend in MODE_PIN): domain, flat segment, end slopes. */
void
item_set_mode(item_work *it, item_mode mode, double pin)
{
	it->mode = mode;
	it->flat = false;
	it->dlo = it->lo;
	it->dhi = it->hi;
	if (it->shape == SHAPE_FIXED || mode == MODE_OFF)
		it->dhi = it->lo;
	else if (mode == MODE_PIN)
		it->dlo = it->dhi = pin;
	else if (mode == MODE_RELAX)
	{
		it->flat = it->env_flat;
		it->tau = it->env_tau;
		it->sigma = it->env_sigma;
	}
	else if (it->peak >= it->hi)
		it->dlo = it->hi;
	else
		it->dlo = fmax(it->lo, it->peak);
	it->s_lo = it->flat ? it->sigma : (it->dhi > it->dlo ? item_slope(it, it->dlo) : 0.0);
	it->s_hi = it->dhi > it->dlo ? envelope_slope(it, it->dhi) : 0.0;
}

/*
 * Restrict a shaped item to [a, b] ⊆ [lo, hi] and relax it there (branch and
 * bound): its concave envelope over [a, b] — a chord or a tangent from a when
 * the range reaches below the slope peak, the curve itself otherwise.
 */
void
item_set_range(item_work *it, double a, double b)
{
	if (it->mode == MODE_RANGE && it->dlo == a && it->dhi == b)
		return;
	it->mode = MODE_RANGE;
	it->dlo = a;
	it->dhi = b;
	it->flat = false;
	if (b > a && it->shape == SHAPE_CONVEX)
	{
		it->flat = true;
		it->tau = b;
		it->sigma = (item_value(it, b) - item_value(it, a)) / (b - a);
	}
	else if (b > a && it->shape == SHAPE_S && a < it->peak)
	{
		it->flat = true;
		s_envelope(it, a, b, &it->tau, &it->sigma);
	}
	it->s_lo = it->flat ? it->sigma : (b > a ? item_slope(it, a) : 0.0);
	it->s_hi = b > a ? envelope_slope(it, b) : 0.0;
}

/* Spend maximising g(x) − p·x over the item's current domain (envelope when relaxed). */
double
demand(const work *ws, item_work *it, double p)
{
	double		hi = it->dhi;
	double		lo,
				x;
	bool		capped = false;

	if (hi > it->dlo + ws->capbase)
	{
		hi = it->dlo + ws->capbase;
		capped = true;
	}
	if (!(hi > it->dlo))
		return it->dlo;
	if (p <= 0.0)
		return hi;
	if (it->flat)
	{
		if (p >= it->sigma)
			return it->dlo;
		if (it->tau >= hi)
			return hi;
		lo = it->tau;
	}
	else
	{
		if (p >= it->s_lo)
			return it->dlo;
		lo = it->dlo;
	}
	if (!capped && p <= it->s_hi)
		return hi;
	x = falling_inverse(it, p);
	return x < lo ? lo : (x > hi ? hi : x);
}

/* Slope of the concave envelope at x in the current mode (from the left at the end of a line). */
double
envelope_slope(const item_work *it, double x)
{
	return it->flat && x <= it->tau ? it->sigma : item_slope(it, x);
}

/* Concave-envelope value of an item at x in its current mode. */
double
envelope_value(const item_work *it, double x)
{
	if (it->flat && x < it->tau)
		return item_value(it, it->dlo) + it->sigma * (x - it->dlo);
	return item_value(it, x);
}

/* max over the item's domain [dlo, dhi] of g(x) − p·x, from the true curve (relaxed or range mode, no total cap). */
double
item_phi(const work *ws, item_work *it, double p)
{
	double		x = demand(ws, it, p);
	double		best,
				v;

	if (isinf(x))
		best = p == 0.0 ? item_value(it, x) : INFINITY;	/* a slope above p that never falls */
	else
		best = item_value(it, x) - p * x;
	v = item_value(it, it->dlo) - p * it->dlo;
	best = fmax(best, v);
	if (isfinite(it->dhi))
		best = fmax(best, item_value(it, it->dhi) - p * it->dhi);
	else if (p == 0.0)
		best = fmax(best, item_value(it, INFINITY));
	return best;
}
