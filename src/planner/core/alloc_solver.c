/*
 * alloc_solver.c — budget allocation over response curves (see alloc_solver.h).
 *
 * Layers, bottom up:
 *   item math      value, slope and the falling-branch slope inverse per family;
 *   item modes     the domain an item is solved on: its concave envelope over
 *                  [lo, hi] (the relaxation), switched off (at lo) or switched
 *                  on (restricted to the concave branch);
 *   price search   for a set of items and a target total, the price λ at which
 *                  the items' demands add up to the target (a bracketed
 *                  Illinois search in log λ), then an exact fill between the
 *                  two sides of the final bracket;
 *   fixed total    group floors and caps get their own prices (found once per
 *                  total), the base price is searched with those clamps;
 *   outer search   the total spend for the objectives without a fixed budget;
 *   rounding       on/off choices of the S-shaped items;
 *   certificate    the Lagrangian dual bound from the true curves, written as
 *                  a sum of non-negative complementary terms so it is stable.
 *
 * Memory: every array is malloc'd in noa_alloc_solve and freed on every path.
 */
#include "alloc_solver.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOG_PRICE_MAX 690.0		/* prices searched in [e^-690, e^690] */
#define PRICE_XTOL 1e-15		/* relative width of the final bracket in log λ */
#define PRICE_FTOL 1e-14		/* relative miss of the target that ends a price search */
#define TOTAL_FTOL 1e-12		/* relative miss that ends a search over the total */
#define TOTAL_XTOL 1e-14		/* relative width of the final bracket in T */
#define FEAS_TOL 1e-12			/* relative slack in feasibility tests */
#define TOTAL_MAX 1e300		/* totals searched before "unbounded" */
#define WORK_BUDGET 4e6			/* item evaluations allowed for S-curve choices */

typedef enum item_shape
{
	SHAPE_CONCAVE,				/* slope only falls on [lo, hi] */
	SHAPE_LINEAR,				/* constant slope */
	SHAPE_S,					/* slope rises to a peak inside [lo, hi], then falls */
	SHAPE_CONVEX,				/* slope rises forever (power, exponent > 1) */
	SHAPE_FIXED					/* lo == hi */
} item_shape;

typedef enum item_mode
{
	MODE_RELAX,					/* concave envelope over [lo, hi] */
	MODE_OFF,					/* fixed at lo */
	MODE_ON,					/* concave branch [max(lo, peak), hi] */
	MODE_PIN					/* fixed at a point of its convex region */
} item_mode;

typedef struct item_work
{
	int			model;
	double		p[NOA_MAX_PARAMS];
	double		w;
	int			group;
	item_shape	shape;
	double		lo,
				hi;				/* hi tightened to a finite value where possible */
	double		peak;			/* where the concave branch starts */
	/* concave envelope over [lo, hi]: a line of slope env_sigma on [lo, env_tau] */
	bool		env_flat;
	double		env_tau,
				env_sigma;
	/* the current mode */
	item_mode	mode;
	double		dlo,
				dhi;
	bool		flat;
	double		tau,
				sigma;
	double		s_lo,
				s_hi;			/* slope at dlo (sigma when flat) and at dhi */
	/* Hill constants and the warm start of its inverse (log spend) */
	double		ln_k,
				ln_wbs,
				u_warm;
} item_work;

/* Group prices of a fixed-total solve, kept for the certificate. */
typedef struct multipliers
{
	double		total;
	double		lam_a,
				lam_b;			/* the two sides of the final base-price bracket */
	double	   *p_floor;
	double	   *p_cap;
	char	   *has_floor;
	char	   *has_cap;
} multipliers;

typedef struct work
{
	const noa_alloc_problem *pb;
	noa_alloc_result *res;
	int			n,
				ng;
	item_work  *it;
	int		   *all;			/* 0 .. n-1 */
	int		   *gstart;			/* members of group g: gmem[gstart[g] .. gstart[g+1]) */
	int		   *gmem;			/* bucket ng holds the ungrouped items */
	/* current fixed-total solve */
	double		total;
	double		capbase;		/* T − Σ dlo: no item can take more than dlo + capbase */
	double		sum_dlo;
	double		lambda;
	double		lambda_warm;	/* warm start of the base price search */
	double	   *warm_floor;		/* warm starts of each group's floor and cap searches */
	double	   *warm_cap;
	multipliers cur;
	int		   *gstate;
	double	   *gprice;
	/* vectors indexed by item */
	double	   *xa,
			   *xb,
			   *xt,
			   *xf,
			   *xc;
	/* rounding */
	item_mode  *pattern;
	item_mode  *best_pattern;
	item_mode  *base_pattern;	/* the best on/off pattern before convex-region searches */
	double	   *pin;			/* spend of an item in MODE_PIN (of the pattern being tried) */
	double	   *best_pin;		/* the same for the best pattern */
	int		   *order;
	double	   *key;
	/* the relaxation at the chosen total */
	multipliers relax;
	double	   *x_relax;
	double	   *x_best;
	double	   *x_eval;			/* allocation of the latest outer or pattern solve */
	double	   *scratch;		/* 2(ng + 1) doubles of per-group scratch */
	int			upper_group;	/* group whose minimum share limits the total, or -1 */
	int			passes;
} work;

/* ---------------------------------------------------------------- item math */

/* w·f(x), with the asymptote at x = +Inf. */
static double
item_value(const item_work *it, double x)
{
	if (isinf(x))
		return noa_model_saturates(it->model) ? it->w * it->p[0] : INFINITY;
	return it->w * noa_curve_value(it->model, it->p, x);
}

/* w·f'(x), with the limit at x = +Inf. */
static double
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
static double
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

/* ------------------------------------------------------------ item set-up */

/*
 * Root-finding interface: a nonincreasing function with a bracket.  Points
 * where f = 0 belong to side 0 when zero_left is false (the search converges
 * to the least root), to side 1 otherwise (the greatest root).
 */
typedef struct root_fn
{
	int			(*eval) (void *ctx, double t, double *f);
	void		(*keep) (void *ctx, int side);	/* side 0 above zero, side 1 below; may be NULL */
	void	   *ctx;
	bool		zero_left;
} root_fn;

/* Which side of the bracket a function value belongs to (0 or 1). */
static int
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
static int
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

/* ψ(x) = g'(x)(x − lo) − (g(x) − g(lo)): positive before the tangent point, negative after. */
static int
tangent_eval(void *ctx, double x, double *f)
{
	const item_work *it = ctx;

	*f = item_slope(it, x) * (x - it->lo) - (item_value(it, x) - item_value(it, it->lo));
	return NOA_OK;
}

/*
 * The concave envelope of an S-shaped or convex item over [lo, hi]: the line
 * from (lo, g(lo)) tangent to the curve (or the chord to hi when the tangent
 * point lies beyond hi), then the curve itself.
 */
static void
item_envelope(item_work *it)
{
	double		g_lo = item_value(it, it->lo);
	double		a,
				b,
				fa,
				fb;
	root_fn		fn = {tangent_eval, NULL, it, false};
	int			i;

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
			it->env_sigma = (item_value(it, it->hi) - g_lo) / (it->hi - it->lo);
			return;
		case SHAPE_S:
			break;
		default:
			return;
	}
	it->env_flat = true;
	if (isfinite(it->hi))
	{
		tangent_eval(it, it->hi, &fb);
		if (fb >= 0.0)
		{
			it->env_tau = it->hi;
			it->env_sigma = (item_value(it, it->hi) - g_lo) / (it->hi - it->lo);
			return;
		}
	}
	if (it->model == NOA_MODEL_HILL && it->lo == 0.0)
		it->env_tau = it->p[1] * pow(it->p[2] - 1.0, 1.0 / it->p[2]);	/* f'(x)·x = f(x) at (x/k)^s = s − 1 */
	else
	{
		a = it->peak;
		tangent_eval(it, a, &fa);
		b = fmax(2.0 * it->peak, it->peak + (it->peak - it->lo));
		tangent_eval(it, b, &fb);
		for (i = 0; i < 2000 && fb > 0.0 && isfinite(b); i++)
		{
			a = b;
			fa = fb;
			b *= 2.0;
			tangent_eval(it, b, &fb);
		}
		if (fa > 0.0 && fb <= 0.0)
			find_root(&fn, &a, &fa, &b, &fb, 1e-15, 0.0, 0.0);
		it->env_tau = fa > 0.0 && fb <= 0.0 ? 0.5 * (a + b) : b;
	}
	if (isfinite(it->hi) && it->env_tau > it->hi)
		it->env_tau = it->hi;
	it->env_sigma = (item_value(it, it->env_tau) - g_lo) / (it->env_tau - it->lo);
}

/* Classify an item and precompute its constants (bounds already final). */
static void
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
static bool
item_shaped(const item_work *it)
{
	return it->shape == SHAPE_S || it->shape == SHAPE_CONVEX;
}

/* Put an item in a mode (pin: its spend in MODE_PIN): domain, flat segment, end slopes. */
static void
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
	it->s_hi = it->dhi > it->dlo ? item_slope(it, it->dhi) : 0.0;
}

/* ------------------------------------------------------------------ demand */

/* Spend maximising g(x) − p·x over the item's current domain (envelope when relaxed). */
static double
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

/* Concave-envelope value of an item at x in its current mode. */
static double
envelope_value(const item_work *it, double x)
{
	if (it->flat && x < it->tau)
		return item_value(it, it->dlo) + it->sigma * (x - it->dlo);
	return item_value(it, x);
}

/* max over [lo, hi] of g(x) − p·x, from the true curve (relaxed mode, no total cap). */
static double
item_phi(const work *ws, item_work *it, double p)
{
	double		x = demand(ws, it, p);
	double		best,
				v;

	if (isinf(x))
		best = p == 0.0 ? item_value(it, x) : INFINITY;	/* a slope above p that never falls */
	else
		best = item_value(it, x) - p * x;
	v = item_value(it, it->lo) - p * it->lo;
	best = fmax(best, v);
	if (isfinite(it->hi))
		best = fmax(best, item_value(it, it->hi) - p * it->hi);
	else if (p == 0.0)
		best = fmax(best, item_value(it, INFINITY));
	return best;
}

/* ------------------------------------------------------------- price search */

/* Whether the caller asked us to stop. */
static bool
interrupted(const work *ws)
{
	return ws->pb->interrupted != NULL && ws->pb->interrupted(ws->pb->interrupt_arg);
}

/* One pass: demand of the listed items at price p into x; returns their sum. */
static double
eval_pass(work *ws, const int *idx, int m, double p, bool clamp, double *x)
{
	double		sum = 0.0,
				comp = 0.0;
	int			k;

	for (k = 0; k < m; k++)
	{
		int			i = idx[k];
		item_work  *it = &ws->it[i];
		int			g = it->group;
		double		v,
					t;

		if (clamp && g >= 0 && ws->cur.has_floor[g] && p >= ws->cur.p_floor[g])
			v = ws->xf[i];
		else if (clamp && g >= 0 && ws->cur.has_cap[g] && p <= ws->cur.p_cap[g])
			v = ws->xc[i];
		else
			v = demand(ws, it, p);
		x[i] = v;
		/* Neumaier summation: totals are compared at 1e-14 */
		t = sum + v;
		comp += fabs(sum) >= fabs(v) ? (sum - t) + v : (v - t) + sum;
		sum = t;
	}
	ws->passes++;
	return sum + comp;
}

typedef struct price_ctx
{
	work	   *ws;
	const int  *idx;
	int			m;
	double		target;
	bool		clamp;
	double		last_total;
	double		total_a,
				total_b;
} price_ctx;

/* f(v) = demand at e^v minus the target, into the trial vector. */
static int
price_eval(void *ctx, double v, double *f)
{
	price_ctx  *pc = ctx;

	if (interrupted(pc->ws))
		return NOA_ERR_INTERRUPTED;
	pc->last_total = eval_pass(pc->ws, pc->idx, pc->m, exp(v), pc->clamp, pc->ws->xt);
	*f = pc->last_total - pc->target;
	return NOA_OK;
}

/* The trial vector becomes side 0 (above the target) or side 1 (at or below). */
static void
price_keep(void *ctx, int side)
{
	price_ctx  *pc = ctx;
	double	   *tmp = pc->ws->xt;

	if (side == 0)
	{
		pc->ws->xt = pc->ws->xa;
		pc->ws->xa = tmp;
		pc->total_a = pc->last_total;
	}
	else
	{
		pc->ws->xt = pc->ws->xb;
		pc->ws->xb = tmp;
		pc->total_b = pc->last_total;
	}
}

/*
 * A first price: the average slope of the items when each takes the same
 * share of its room that the target takes of the total room.
 */
static double
price_guess(work *ws, const int *idx, int m, double share)
{
	double		num = 0.0,
				den = 0.0;
	int			k;

	for (k = 0; k < m; k++)
	{
		item_work  *it = &ws->it[idx[k]];
		double		hi = fmin(it->dhi, it->dlo + ws->capbase);
		double		x;

		if (!(hi > it->dlo))
			continue;
		x = it->dlo + share * (hi - it->dlo);
		num += envelope_value(it, x) - envelope_value(it, it->dlo);
		den += x - it->dlo;
	}
	return num > 0.0 && den > 0.0 && isfinite(num / den) ? num / den : 1.0;
}

/*
 * The price reported when every item sits at its lower end: the best return
 * of one more unit, over the items whose own bounds (not the budget) leave
 * them room; +Inf when some slope there is unbounded.
 */
static double
price_at_minimum(const work *ws, const int *idx, int m)
{
	double		best = 0.0;
	int			k;

	for (k = 0; k < m; k++)
	{
		const item_work *it = &ws->it[idx[k]];
		double		s;

		if (!(ws->pb->items[idx[k]].hi > it->dlo))
			continue;
		s = it->dhi > it->dlo ? it->s_lo : item_slope(it, it->dlo);
		if (!isfinite(s))
			return INFINITY;
		best = fmax(best, s);
	}
	return best;
}

/* Smallest slope at the upper ends: the price reported when all sit there. */
static double
price_at_maximum(const work *ws, const int *idx, int m)
{
	double		best = INFINITY;
	int			k;

	for (k = 0; k < m; k++)
	{
		const item_work *it = &ws->it[idx[k]];
		double		hi = fmin(it->dhi, it->dlo + ws->capbase);

		if (hi > it->dlo)
			best = fmin(best, hi < it->dhi ? item_slope(it, hi) : it->s_hi);
	}
	return isfinite(best) ? best : 0.0;
}

/*
 * When no listed item is strictly inside its range, every price between the
 * best next-unit return of the items at their lower ends and the worst
 * last-unit return of those at their upper ends supports the allocation;
 * report the highest, so an item that takes all the total leaves it is held
 * to its own marginal return.  Returns the price unchanged otherwise.
 */
static double
snap_price(const work *ws, const int *idx, int m, const double *x, double price)
{
	double		lower = 0.0,
				upper = INFINITY;
	int			k;

	for (k = 0; k < m; k++)
	{
		item_work  *it = &ws->it[idx[k]];
		double		hi = fmin(it->dhi, it->dlo + ws->capbase);
		double		tol = 1e-12 * fmax(1.0, x[idx[k]]);

		if (!(hi > it->dlo))
			continue;
		if (x[idx[k]] > it->dlo + tol && x[idx[k]] < hi - tol)
			return price;
		if (x[idx[k]] <= it->dlo + tol)
			lower = fmax(lower, it->s_lo);
		else
			upper = fmin(upper, item_slope(it, hi));
	}
	return isfinite(upper) && upper >= lower ? upper : price;
}

/* Σ dlo and Σ min(dhi, dlo + capbase) over the listed items: the totals they can reach. */
static void
items_range(const work *ws, const int *idx, int m, double *lo_sum, double *hi_sum)
{
	int			k;

	*lo_sum = *hi_sum = 0.0;
	for (k = 0; k < m; k++)
	{
		const item_work *it = &ws->it[idx[k]];

		*lo_sum += it->dlo;
		*hi_sum += fmin(it->dhi, it->dlo + ws->capbase);
	}
}

/*
 * The price at which the listed items' demands add up to `target`, and their
 * allocation (into xout).  With clamp, items of groups whose floor or cap
 * binds at a price take the group's stored allocation.  The final bracket
 * [λa, λb] is left in ws->cur.lam_a/lam_b; the allocation interpolates its
 * two sides so that it sums to the target exactly.  *warm holds the price
 * this search found last time (0 when none) and is updated.
 */
static int
price_search(work *ws, const int *idx, int m, double target, bool clamp,
			 double *xout, double *price, double *warm)
{
	price_ctx	pc = {ws, idx, m, target, clamp, 0.0, 0.0, 0.0};
	root_fn		fn = {price_eval, price_keep, &pc, true};
	double		va = -INFINITY,
				vb = INFINITY,
				fa = 0.0,
				fb = 0.0,
				f,
				v,
				step,
				theta,
				lo_sum,
				hi_sum,
				ftol = PRICE_FTOL * fabs(target);
	bool		at_min,
				at_max,
				hit = false;
	int			k,
				rc;

	if (interrupted(ws))
		return NOA_ERR_INTERRUPTED;
	items_range(ws, idx, m, &lo_sum, &hi_sum);
	at_min = target <= lo_sum * (1.0 + 1e-13);
	at_max = !at_min && target >= hi_sum * (1.0 - 1e-13);

	/*
	 * Bracket in v = ln λ: small steps from a warm start, wide ones from an
	 * estimate; the extreme prices 0 and +Inf are tried only when the steps
	 * run off the range (or the target sits at an end of it).
	 */
	if (!at_min && !at_max)
	{
		bool		warm_ok = *warm > 0.0 && isfinite(*warm);

		v = warm_ok ? log(*warm)
			: log(price_guess(ws, idx, m, isfinite(hi_sum) ? (target - lo_sum) / (hi_sum - lo_sum) : 0.5));
		v = fmax(-LOG_PRICE_MAX, fmin(LOG_PRICE_MAX, v));
		step = warm_ok ? 0.02 : 0.5;
		for (k = 0; k <= 60; k++)
		{
			rc = price_eval(&pc, v, &f);
			if (rc != NOA_OK)
				return rc;
			if (root_side(&fn, f) == 0)
			{
				va = v;
				fa = f;
			}
			else
			{
				vb = v;
				fb = f;
			}
			price_keep(&pc, root_side(&fn, f));
			hit = fabs(f) <= ftol;
			if (hit || (isfinite(va) && isfinite(vb)))
				break;
			v = isinf(vb) ? va + ldexp(step, k) : vb - ldexp(step, k);
			if (v > LOG_PRICE_MAX || v < -LOG_PRICE_MAX)
				break;
		}
	}
	if (isinf(vb) && !hit)
	{
		pc.total_b = eval_pass(ws, idx, m, INFINITY, clamp, ws->xb);
		at_min = pc.total_b >= target * (1.0 - 1e-13);
		fb = pc.total_b - target;
	}
	if (at_min)
	{
		/* every item at its minimum (or group floor): the price of the next unit */
		for (k = 0; k < m; k++)
			xout[idx[k]] = ws->xb[idx[k]];
		ws->cur.lam_a = ws->cur.lam_b = *price = price_at_minimum(ws, idx, m);
		return NOA_OK;
	}
	if (isinf(va) && !hit)
	{
		pc.total_a = eval_pass(ws, idx, m, 0.0, clamp, ws->xa);
		at_max = pc.total_a <= target * (1.0 + 1e-13);
		fa = pc.total_a - target;
	}
	if (at_max)
	{
		/* every item at its maximum (or group cap): the return of the last unit */
		for (k = 0; k < m; k++)
			xout[idx[k]] = ws->xa[idx[k]];
		ws->cur.lam_a = ws->cur.lam_b = *price = price_at_maximum(ws, idx, m);
		return NOA_OK;
	}
	if (isfinite(va) && isfinite(vb) && !hit)
	{
		rc = find_root(&fn, &va, &fa, &vb, &fb, PRICE_XTOL, 1.0, ftol);
		if (rc != NOA_OK)
			return rc;
	}

	/* Fill: the convex combination of the two sides that meets the target. */
	if (isinf(vb) || isinf(va))
		theta = isinf(vb) ? 1.0 : 0.0;	/* stopped on one side, within ftol */
	else
		theta = pc.total_a > pc.total_b ? (target - pc.total_b) / (pc.total_a - pc.total_b) : 0.0;
	if (hit && isfinite(va) && isfinite(vb))
		theta = fabs(fa) <= fabs(fb) ? 1.0 : 0.0;
	theta = fmax(0.0, fmin(1.0, theta));
	for (k = 0; k < m; k++)
	{
		int			i = idx[k];

		xout[i] = ws->xb[i] + theta * (ws->xa[i] - ws->xb[i]);
	}
	ws->cur.lam_a = isinf(va) ? (isinf(vb) ? 0.0 : exp(vb)) : exp(va);
	ws->cur.lam_b = isinf(vb) ? ws->cur.lam_a : exp(vb);
	*price = theta >= 0.5 ? ws->cur.lam_a : ws->cur.lam_b;
	if (*price > 0.0 && isfinite(*price))
		*warm = *price;
	v = snap_price(ws, idx, m, xout, *price);
	if (v != *price)
		ws->cur.lam_a = ws->cur.lam_b = *price = v;
	return NOA_OK;
}

/* -------------------------------------------------------------- fixed total */

/* Floor and cap amounts of group g at total T. */
static void
group_limits(const noa_alloc_group *gr, double T, double *floor_amount, double *cap_amount)
{
	*floor_amount = fmax(gr->min_spend, gr->min_share * T);
	*cap_amount = fmin(gr->max_spend, gr->max_share * T);
}

/* Σ dlo and Σ min(dhi, dlo + capbase) over the members of bucket g. */
static void
bucket_range(const work *ws, int g, double *lo_sum, double *hi_sum)
{
	items_range(ws, ws->gmem + ws->gstart[g], ws->gstart[g + 1] - ws->gstart[g], lo_sum, hi_sum);
}

/*
 * Group prices for total T: for each group whose floor (or cap) binds at
 * some price, the price and allocation at which it meets it exactly.  A cap
 * counts only when the group has one (a share below 1 or a finite amount).
 * With check_total, *feasible also requires T itself to be reachable.
 */
static int
prepare_groups(work *ws, double T, bool check_total, bool *feasible)
{
	const noa_alloc_problem *pb = ws->pb;
	double		tol = FEAS_TOL * fmax(T, 1.0);
	double		need = 0.0,
				room = 0.0,
				lo_sum,
				hi_sum;
	int			g,
				k,
				rc;

	*feasible = false;
	ws->total = T;
	ws->sum_dlo = 0.0;
	for (k = 0; k < ws->n; k++)
		ws->sum_dlo += ws->it[k].dlo;
	ws->capbase = T - ws->sum_dlo;
	if (ws->capbase < -tol)
		return NOA_OK;
	ws->capbase = fmax(ws->capbase, 0.0);
	ws->cur.total = T;

	for (g = 0; g < ws->ng; g++)
	{
		const int  *mem = ws->gmem + ws->gstart[g];
		int			m = ws->gstart[g + 1] - ws->gstart[g];
		double		F,
					C;

		group_limits(&pb->groups[g], T, &F, &C);
		bucket_range(ws, g, &lo_sum, &hi_sum);
		if (F > hi_sum + tol || lo_sum > C + tol || F > C + tol)
			return NOA_OK;
		ws->cur.has_floor[g] = F > lo_sum;
		ws->cur.has_cap[g] = C < hi_sum && (isfinite(pb->groups[g].max_spend) || pb->groups[g].max_share < 1.0);
		if (ws->cur.has_floor[g])
		{
			rc = price_search(ws, mem, m, fmin(F, hi_sum), false, ws->xf, &ws->cur.p_floor[g],
							  &ws->warm_floor[g]);
			if (rc != NOA_OK)
				return rc;
		}
		if (ws->cur.has_cap[g])
		{
			rc = price_search(ws, mem, m, fmax(C, lo_sum), false, ws->xc, &ws->cur.p_cap[g],
							  &ws->warm_cap[g]);
			if (rc != NOA_OK)
				return rc;
		}
		need += fmax(F, lo_sum);
		room += fmin(C, hi_sum);
	}
	bucket_range(ws, ws->ng, &lo_sum, &hi_sum);
	need += lo_sum;
	room += hi_sum;
	*feasible = !check_total || (T >= need - tol && T <= room + tol);
	return NOA_OK;
}

/*
 * Solve max Σ env_i(x_i) subject to Σx = T, bounds and group limits, with
 * the items in their current modes.  *feasible is false when the modes and
 * limits admit no allocation summing to T.
 */
static int
solve_total(work *ws, double T, double *xout, bool *feasible)
{
	int			g,
				rc;

	rc = prepare_groups(ws, T, true, feasible);
	if (rc != NOA_OK || !*feasible)
		return rc;
	*feasible = false;
	rc = price_search(ws, ws->all, ws->n, T, true, xout, &ws->lambda, &ws->lambda_warm);
	if (rc != NOA_OK)
		return rc;
	for (g = 0; g < ws->ng; g++)
	{
		ws->gstate[g] = NOA_ALLOC_GROUP_FREE;
		ws->gprice[g] = ws->lambda;
		if (ws->cur.has_floor[g] && ws->lambda > ws->cur.p_floor[g] * (1.0 + 1e-12))
		{
			ws->gstate[g] = NOA_ALLOC_GROUP_FLOOR;
			ws->gprice[g] = ws->cur.p_floor[g];
		}
		else if (ws->cur.has_cap[g] && ws->lambda < ws->cur.p_cap[g] * (1.0 - 1e-12))
		{
			ws->gstate[g] = NOA_ALLOC_GROUP_CAP;
			ws->gprice[g] = ws->cur.p_cap[g];
		}
	}
	*feasible = true;
	return NOA_OK;
}

/* Σ over items of the envelope value (the true value when no item is relaxed). */
static double
total_value(const work *ws, const double *x, bool envelope)
{
	double		v = 0.0;
	int			i;

	for (i = 0; i < ws->n; i++)
		v += envelope ? envelope_value(&ws->it[i], x[i]) : item_value(&ws->it[i], x[i]);
	return v;
}

/*
 * dV/dT of the last fixed-total solve: the base price, corrected by the group
 * shares whose floors or caps bind (a share limit moves with the total).
 */
static double
total_marginal(const work *ws)
{
	double		kappa = ws->lambda;
	int			g;

	for (g = 0; g < ws->ng; g++)
	{
		const noa_alloc_group *gr = &ws->pb->groups[g];

		if (ws->gstate[g] == NOA_ALLOC_GROUP_FLOOR && gr->min_share * ws->total >= gr->min_spend)
			kappa -= (ws->lambda - ws->gprice[g]) * gr->min_share;
		else if (ws->gstate[g] == NOA_ALLOC_GROUP_CAP && gr->max_share * ws->total <= gr->max_spend)
			kappa += (ws->gprice[g] - ws->lambda) * gr->max_share;
	}
	return kappa;
}

/* ------------------------------------------------------------ total range */

/*
 * How far the group limits miss total T, from the groups' item ranges
 * [L_G, U_G] and the ungrouped items' [L_0, U_0] (range and range0: the L
 * with floors, the U otherwise).  Floors: Σ_G max(F, aT, L_G) + L_0 − T, the
 * spend the floors need beyond T (nonincreasing).  Caps: T − Σ_G min(C, bT,
 * U_G) − U_0, how far T exceeds what the caps allow (convex).
 */
static double
limit_excess(const work *ws, bool floors, const double *range, double range0, double T)
{
	double		s = floors ? range0 - T : T - range0;
	int			g;

	for (g = 0; g < ws->ng; g++)
	{
		double		F,
					C;

		group_limits(&ws->pb->groups[g], T, &F, &C);
		if (floors)
			s += fmax(F, range[g]);
		else
			s -= fmin(C, range[g]);
	}
	return s;
}

/*
 * Bisect [*a, *b] (at most 200 halvings, while the midpoint stays strictly
 * inside) to where limit_excess changes sign: *a keeps the side where the
 * floors still need more than T (floors) or where T still fits under the
 * caps (caps).
 */
static void
bisect_limit(const work *ws, bool floors, const double *range, double range0, double *a, double *b)
{
	int			i;

	for (i = 0; i < 200; i++)
	{
		double		mid = 0.5 * (*a + *b);
		double		excess;

		if (!(mid > *a && mid < *b))
			break;
		excess = limit_excess(ws, floors, range, range0, mid);
		if (floors ? excess > 0.0 : excess <= 0.0)
			*a = mid;
		else
			*b = mid;
	}
}

/* Record a failure and return the matching error code. */
static int
fail(work *ws, noa_alloc_failure kind, int item, int group, double need, double have)
{
	ws->res->failure = kind;
	ws->res->fail_item = item;
	ws->res->fail_group = group;
	ws->res->fail_need = need;
	ws->res->fail_have = have;
	return kind == NOA_ALLOC_FAIL_UNBOUNDED ? NOA_ALLOC_ERR_UNBOUNDED : NOA_ALLOC_ERR_INFEASIBLE;
}

/*
 * The interval [*tlo, *thi] of totals for which the items' current domains
 * and the group limits admit an allocation.  feasible_only: report an empty
 * interval through *tlo > *thi instead of an error (for restricted modes).
 */
static int
total_range(work *ws, double *tlo, double *thi, bool feasible_only)
{
	double	   *gl = ws->scratch,
			   *gu = ws->scratch + ws->ng;
	double		l0,
				u0,
				lower = 0.0,
				upper = INFINITY,
				share_sum = 0.0,
				a,
				b,
				slope;
	int			g,
				lower_group = -1,
				i;

	ws->upper_group = -1;
	ws->capbase = INFINITY;
	for (g = 0; g < ws->ng; g++)
		bucket_range(ws, g, &gl[g], &gu[g]);
	bucket_range(ws, ws->ng, &l0, &u0);
	for (g = 0; g < ws->ng; g++)
	{
		const noa_alloc_group *gr = &ws->pb->groups[g];
		double		need = fmax(gr->min_spend, gl[g]);

		share_sum += gr->min_share;
		if (!feasible_only && gr->min_spend > gu[g] * (1.0 + FEAS_TOL))
			return fail(ws, NOA_ALLOC_FAIL_GROUP_FLOOR, -1, g, gr->min_spend, gu[g]);
		if (!feasible_only && gl[g] > gr->max_spend * (1.0 + FEAS_TOL))
			return fail(ws, NOA_ALLOC_FAIL_GROUP_CAP, -1, g, gl[g], gr->max_spend);
		if (gr->min_share > 0.0 && fmin(gu[g], gr->max_spend) / gr->min_share < upper)
		{
			upper = fmin(gu[g], gr->max_spend) / gr->min_share;
			ws->upper_group = g;
		}
		if (gr->max_share < 1.0 && need > 0.0)
		{
			if (gr->max_share <= 0.0)
			{
				if (feasible_only)
					upper = -1.0;
				else
					return fail(ws, NOA_ALLOC_FAIL_GROUP_CAP, -1, g, need, 0.0);
			}
			else if (need / gr->max_share > lower)
			{
				lower = need / gr->max_share;
				lower_group = g;
			}
		}
	}
	if (!feasible_only && share_sum > 1.0 + FEAS_TOL)
		return fail(ws, NOA_ALLOC_FAIL_SHARES, -1, -1, share_sum, 1.0);

	/* Least T whose floors fit: the floors' excess is nonincreasing. */
	a = 0.0;
	if (limit_excess(ws, true, gl, l0, a) > 0.0)
	{
		b = share_sum < 1.0 - 1e-9 ? (limit_excess(ws, true, gl, l0, 0.0) / (1.0 - share_sum)) * (1.0 + 1e-9) : 0.0;
		for (g = 0; g < ws->ng; g++)
			if (ws->pb->groups[g].min_share > 0.0)
				b = fmax(b, fmax(ws->pb->groups[g].min_spend, gl[g]) / ws->pb->groups[g].min_share);
		b = fmax(b, limit_excess(ws, true, gl, l0, 0.0));
		if (limit_excess(ws, true, gl, l0, b) > FEAS_TOL * fmax(b, 1.0))
		{
			if (!feasible_only)
				return fail(ws, NOA_ALLOC_FAIL_TOTAL, -1, -1, b + limit_excess(ws, true, gl, l0, b), b);
			*tlo = 1.0;
			*thi = 0.0;
			return NOA_OK;
		}
		bisect_limit(ws, true, gl, l0, &a, &b);
		if (b > lower)
		{
			lower = b;
			lower_group = -1;
		}
	}

	/* Largest T the caps admit: the caps' excess is convex and ≤ 0 at T = 0. */
	slope = 1.0;
	for (g = 0; g < ws->ng; g++)
		if (isinf(fmin(ws->pb->groups[g].max_spend, gu[g])))
			slope -= ws->pb->groups[g].max_share;
	if (isfinite(u0) && slope > 0.0)
	{
		a = 0.0;
		b = fmax(1.0, u0);
		for (g = 0; g < ws->ng; g++)
			b += isfinite(gu[g]) ? gu[g] : 0.0;
		for (i = 0; i < 4000 && limit_excess(ws, false, gu, u0, b) <= 0.0; i++)
		{
			a = b;
			b *= 2.0;
		}
		bisect_limit(ws, false, gu, u0, &a, &b);
		if (a < upper)
		{
			upper = a;
			ws->upper_group = -1;
		}
	}
	*tlo = lower;
	*thi = upper;
	if (!feasible_only && lower > upper * (1.0 + FEAS_TOL) + 1e-300)
		return fail(ws, NOA_ALLOC_FAIL_TOTAL, -1, lower_group, lower, upper);
	return NOA_OK;
}

/* ------------------------------------------------------------ outer search */

typedef struct outer_ctx
{
	work	   *ws;
	int			kind;			/* OUTER_MARGINAL, OUTER_VALUE, OUTER_ROAS */
	double		target;
} outer_ctx;

#define OUTER_MARGINAL 0		/* f(T) = dV/dT − target */
#define OUTER_VALUE    1		/* f(T) = target − V(T) */
#define OUTER_ROAS     2		/* f(T) = V(T) − target·T */

/* Evaluate the outer function at total T (a fixed-total solve). */
static int
outer_eval(void *ctx, double T, double *f)
{
	outer_ctx  *oc = ctx;
	work	   *ws = oc->ws;
	bool		feasible;
	int			rc = solve_total(ws, T, ws->x_eval, &feasible);

	if (rc != NOA_OK)
		return rc;
	if (!feasible)
		return NOA_ERR_INVALID;
	switch (oc->kind)
	{
		case OUTER_MARGINAL:
			*f = total_marginal(ws) - oc->target;
			break;
		case OUTER_VALUE:
			*f = oc->target - total_value(ws, ws->x_eval, true);
			break;
		default:
			*f = total_value(ws, ws->x_eval, true) - oc->target * T;
			break;
	}
	return NOA_OK;
}

/*
 * Root of the outer function on [tlo, tmax] (tmax may be +Inf: doubled until
 * the sign changes).  *t_left and *t_right return the final bracket.  Returns
 * NOA_ALLOC_ERR_UNBOUNDED when no finite total changes the sign.
 */
static int
outer_root(work *ws, int kind, double target, double tlo, double flo, double tmax,
		   double *t_left, double *t_right)
{
	outer_ctx	oc = {ws, kind, target};
	root_fn		fn = {outer_eval, NULL, &oc, kind == OUTER_ROAS};
	double		a = tlo,
				fa = flo,
				b,
				fb;
	int			i,
				rc;

	if (isfinite(tmax))
	{
		b = tmax;
		rc = outer_eval(&oc, b, &fb);
		if (rc != NOA_OK)
			return rc;
	}
	else
	{
		/* grow by 2, 4, 8, ... so that even absurd totals are reached in a few dozen solves */
		b = fmax(2.0 * tlo, tlo + 1.0);
		for (i = 1;; i++)
		{
			rc = outer_eval(&oc, b, &fb);
			if (rc != NOA_OK)
				return rc;
			if (root_side(&fn, fb) == 1)
				break;
			if (b >= TOTAL_MAX)
				return fail(ws, NOA_ALLOC_FAIL_UNBOUNDED, -1, -1, b, INFINITY);
			a = b;
			fa = fb;
			b = fmin(TOTAL_MAX, ldexp(b, i < 60 ? i : 60));
		}
	}
	if (root_side(&fn, fb) == 0)
	{
		*t_left = *t_right = b;
		return NOA_OK;
	}
	rc = find_root(&fn, &a, &fa, &b, &fb, TOTAL_XTOL, 0.0,
				   TOTAL_FTOL * fabs(kind == OUTER_ROAS ? target * a : target));
	*t_left = a;
	*t_right = b;
	return rc;
}

/* Whether a group limit is a share of the total (the total then needs an outer search). */
static bool
has_share_limits(const work *ws)
{
	int			g;

	for (g = 0; g < ws->ng; g++)
		if (ws->pb->groups[g].min_share > 0.0 || ws->pb->groups[g].max_share < 1.0)
			return true;
	return false;
}

/*
 * The total where the marginal return of the total falls to `target`, within
 * [tlo, tmax].  Without share limits that is simply the demand at price
 * `target` (group floors and caps clamped); otherwise a search over the total.
 */
static int
marginal_total(work *ws, double target, double tlo, double tmax, double *tstar)
{
	outer_ctx	oc = {ws, OUTER_MARGINAL, target};
	double		f,
				left,
				right;
	bool		feasible;
	int			rc;

	if (!has_share_limits(ws))
	{
		rc = prepare_groups(ws, isfinite(tmax) ? tmax : TOTAL_MAX, false, &feasible);
		if (rc != NOA_OK)
			return rc;
		if (!feasible)
			return NOA_ERR_INVALID;
		*tstar = eval_pass(ws, ws->all, ws->n, target, true, ws->x_eval);
		*tstar = fmax(tlo, fmin(tmax, *tstar));
		return NOA_OK;
	}
	rc = outer_eval(&oc, tlo, &f);
	if (rc != NOA_OK || f <= 0.0)
	{
		*tstar = tlo;
		return rc;
	}
	rc = outer_root(ws, OUTER_MARGINAL, target, tlo, f, tmax, &left, &right);
	*tstar = left;
	return rc;
}

/*
 * The total spend the objective asks for, over [tlo, tmax], with the items in
 * their current modes.  Sets *reachable to false when a target cannot be met
 * (the total then gives the closest answer).
 */
static int
choose_total(work *ws, double tlo, double tmax, double *tstar, bool *reachable)
{
	const noa_alloc_problem *pb = ws->pb;
	outer_ctx	oc = {ws, OUTER_MARGINAL, pb->target};
	double		f,
				left,
				right,
				tm;
	int			rc;

	*reachable = true;
	switch (pb->objective)
	{
		case NOA_ALLOC_MAX_RESPONSE:
			*tstar = tmax;
			return NOA_OK;
		case NOA_ALLOC_MAX_PROFIT:
			return marginal_total(ws, pb->target, tlo, tmax, tstar);
		case NOA_ALLOC_MIN_SPEND:
			oc.kind = OUTER_VALUE;
			rc = outer_eval(&oc, tlo, &f);
			if (rc != NOA_OK || f <= 0.0)
			{
				*tstar = tlo;
				return rc;
			}
			rc = outer_root(ws, OUTER_VALUE, pb->target, tlo, f, tmax, &left, &right);
			if (rc != NOA_OK)
				return rc;
			oc.kind = OUTER_VALUE;
			rc = outer_eval(&oc, right, &f);
			*reachable = f <= 1e-9 * pb->target;
			*tstar = right;
			return rc;
		default:
			/* largest T with V(T) ≥ ρT: the concave V − ρT peaks where dV/dT = ρ */
			oc.kind = OUTER_ROAS;
			if (isfinite(tmax))
			{
				rc = outer_eval(&oc, tmax, &f);
				if (rc != NOA_OK || f >= 0.0)
				{
					*tstar = tmax;
					return rc;
				}
			}
			rc = marginal_total(ws, pb->target, tlo, tmax, &tm);
			if (rc != NOA_OK)
				return rc;
			rc = outer_eval(&oc, tm, &f);
			if (rc != NOA_OK)
				return rc;
			if (f < 0.0)
			{
				*reachable = false;
				*tstar = tm;
				return NOA_OK;
			}
			rc = outer_root(ws, OUTER_ROAS, pb->target, tm, f, tmax, &left, &right);
			*tstar = left;
			return rc;
	}
}

/* --------------------------------------------------------------- rounding */

/* Put every item in its pattern mode (relaxed for items without a choice; pins: spends of MODE_PIN items). */
static void
apply_pattern(work *ws, const item_mode *pattern, const double *pins)
{
	int			i;

	for (i = 0; i < ws->n; i++)
		item_set_mode(&ws->it[i], pattern ? pattern[i] : MODE_RELAX, pins ? pins[i] : 0.0);
}

/* Solve the pattern at total T; *value is −Inf when it admits no allocation. */
static int
pattern_value(work *ws, const item_mode *pattern, double T, double *x, double *value)
{
	bool		feasible;
	int			rc;

	apply_pattern(ws, pattern, ws->pin);
	rc = solve_total(ws, T, x, &feasible);
	*value = rc == NOA_OK && feasible ? total_value(ws, x, false) : -INFINITY;
	return rc;
}

/* Sort key comparison for the contested order (key, then index). */
static const double *sort_keys;

static int
contested_cmp(const void *a, const void *b)
{
	int			i = *(const int *) a,
				j = *(const int *) b;

	if (sort_keys[i] != sort_keys[j])
		return sort_keys[i] < sort_keys[j] ? -1 : 1;
	return i < j ? -1 : (i > j);
}

/* Value at total T of the current pattern with item j pinned at spend x. */
static int
pinned_value(work *ws, int j, double x, double T, double *value)
{
	item_mode	saved = ws->pattern[j];
	int			rc;

	ws->pattern[j] = MODE_PIN;
	ws->pin[j] = x;
	rc = pattern_value(ws, ws->pattern, T, ws->x_eval, value);
	ws->pattern[j] = saved;
	return rc;
}

#define FEW_SHAPED 4			/* up to this many S-shaped items, every on/off pattern is searched fully */
#define PIN_GRID 16				/* grid points over an item's convex region */
#define PIN_GOLDEN 24			/* golden-section steps around the best of them */

/*
 * The best spend for item j inside its convex region [lo, peak] with the
 * rest of the current pattern solved exactly around it.  An optimum can hold
 * one S-shaped item there (it absorbs what the others use worse), which no
 * on/off pattern represents.  A grid, then golden-section refinement next to
 * the best grid point; an improvement becomes the best pattern.
 */
static int
pin_search(work *ws, int j, double T, double *best_value, int *evals)
{
	const item_work *it = &ws->it[j];
	const double golden = 0.5 * (sqrt(5.0) - 1.0);
	double		a = it->lo,
				b = fmin(it->peak, it->hi),
				best = -INFINITY,
				best_x = a,
				lo,
				hi,
				x1,
				x2,
				v1,
				v2,
				v;
	int			k,
				k_best = -1,
				rc;

	if (!(b > a))
		return NOA_OK;
	for (k = 0; k < PIN_GRID; k++)
	{
		double		x = a + (b - a) * (k + 0.5) / PIN_GRID;

		rc = pinned_value(ws, j, x, T, &v);
		if (rc != NOA_OK)
			return rc;
		if (v > best)
		{
			best = v;
			best_x = x;
			k_best = k;
		}
	}
	*evals += PIN_GRID;
	if (k_best < 0)
		return NOA_OK;
	lo = a + (b - a) * fmax(k_best - 0.5, 0.0) / PIN_GRID;
	hi = a + (b - a) * fmin(k_best + 1.5, PIN_GRID) / PIN_GRID;
	x1 = hi - golden * (hi - lo);
	x2 = lo + golden * (hi - lo);
	if ((rc = pinned_value(ws, j, x1, T, &v1)) != NOA_OK ||
		(rc = pinned_value(ws, j, x2, T, &v2)) != NOA_OK)
		return rc;
	for (k = 0; k < PIN_GOLDEN; k++)
	{
		if (v1 > best)
		{
			best = v1;
			best_x = x1;
		}
		if (v2 > best)
		{
			best = v2;
			best_x = x2;
		}
		if (v1 >= v2)
		{
			hi = x2;
			x2 = x1;
			v2 = v1;
			x1 = hi - golden * (hi - lo);
			rc = pinned_value(ws, j, x1, T, &v1);
		}
		else
		{
			lo = x1;
			x1 = x2;
			v1 = v2;
			x2 = lo + golden * (hi - lo);
			rc = pinned_value(ws, j, x2, T, &v2);
		}
		if (rc != NOA_OK)
			return rc;
	}
	*evals += PIN_GOLDEN + 2;
	if (best > *best_value)
	{
		*best_value = best;
		memcpy(ws->best_pattern, ws->pattern, sizeof(item_mode) * ws->n);
		ws->best_pattern[j] = MODE_PIN;
		ws->best_pin[j] = best_x;
	}
	return NOA_OK;
}

/*
 * Choose on/off for the S-shaped items at total T, starting from the
 * relaxation x_relax: every combination of the K most contested items (those
 * whose envelope is split, then those whose threshold price is nearest their
 * price), one-flip polish of the rest, then for each contested item a search
 * of its convex region with the others around it — while the work budget
 * lasts.  Leaves the best pattern in ws->best_pattern and its value in
 * *best_value (−Inf when no pattern is feasible); *exhaustive tells whether
 * every combination and every convex region was tried.
 */
static int
choose_pattern(work *ws, double T, double *best_value, bool *exhaustive)
{
	double	   *x = ws->x_eval;
	int			count = 0,
				evals,
				budget,
				K,
				i,
				j,
				rc;
	long		mask;
	double		value;

	for (i = 0; i < ws->n; i++)
	{
		item_work  *it = &ws->it[i];
		double		split;

		ws->pattern[i] = MODE_RELAX;
		if (!item_shaped(it))
			continue;
		split = it->lo + 0.5 * (it->env_tau - it->lo);
		ws->pattern[i] = ws->x_relax[i] >= split ? MODE_ON : MODE_OFF;
		if (ws->x_relax[i] > it->lo * (1.0 + 1e-12) + 1e-300 && ws->x_relax[i] < it->env_tau * (1.0 - 1e-12))
			ws->key[i] = -1.0;	/* split by the envelope: most contested */
		else
		{
			double		price = it->group >= 0 ? ws->gprice[it->group] : ws->lambda;

			ws->key[i] = price > 0.0 && isfinite(price) ? fabs(log(it->env_sigma / price)) : HUGE_VAL;
		}
		ws->order[count++] = i;
	}
	sort_keys = ws->key;
	qsort(ws->order, count, sizeof(int), contested_cmp);

	budget = (int) fmax(8.0, fmin(4096.0, WORK_BUDGET / (30.0 * ws->n)));
	for (K = 0; K < count && K < 20 && (2L << K) <= budget; K++)
		;
	*exhaustive = K == count;
	*best_value = -INFINITY;
	memcpy(ws->best_pattern, ws->pattern, sizeof(item_mode) * ws->n);
	evals = 0;
	for (mask = 0; mask < (1L << K); mask++)
	{
		for (j = 0; j < K; j++)
			ws->pattern[ws->order[j]] = (mask >> j) & 1 ? MODE_ON : MODE_OFF;
		rc = pattern_value(ws, ws->pattern, T, x, &value);
		if (rc != NOA_OK)
			return rc;
		evals++;
		if (value > *best_value)
		{
			*best_value = value;
			memcpy(ws->best_pattern, ws->pattern, sizeof(item_mode) * ws->n);
		}
	}
	memcpy(ws->pattern, ws->best_pattern, sizeof(item_mode) * ws->n);
	for (j = K; j < count && evals < budget; j++)
	{
		i = ws->order[j];
		ws->pattern[i] = ws->pattern[i] == MODE_ON ? MODE_OFF : MODE_ON;
		rc = pattern_value(ws, ws->pattern, T, x, &value);
		if (rc != NOA_OK)
			return rc;
		evals++;
		if (value > *best_value)
		{
			*best_value = value;
			ws->best_pattern[i] = ws->pattern[i];
		}
		else
			ws->pattern[i] = ws->best_pattern[i];
	}
	/*
	 * Convex regions: with few S-shaped items, each item's region under every
	 * on/off choice of the others (which choice is best changes once an item
	 * absorbs part of the total); otherwise under the best pattern only.
	 */
	memcpy(ws->pattern, ws->best_pattern, sizeof(item_mode) * ws->n);
	memcpy(ws->base_pattern, ws->best_pattern, sizeof(item_mode) * ws->n);
	for (j = 0; j < count && evals + PIN_GRID + PIN_GOLDEN + 2 <= 2 * budget; j++)
	{
		long		others = count <= FEW_SHAPED ? 1L << (count - 1) : 1;

		for (mask = 0; mask < others && evals + PIN_GRID + PIN_GOLDEN + 2 <= 2 * budget; mask++)
		{
			int			bit = 0;

			memcpy(ws->pattern, ws->base_pattern, sizeof(item_mode) * ws->n);
			for (i = 0; others > 1 && i < count; i++)
				if (i != j)
					ws->pattern[ws->order[i]] = (mask >> bit++) & 1 ? MODE_ON : MODE_OFF;
			rc = pin_search(ws, ws->order[j], T, best_value, &evals);
			if (rc != NOA_OK)
				return rc;
		}
		if (mask < others)
			break;
	}
	*exhaustive = *exhaustive && j == count && count <= FEW_SHAPED;
	apply_pattern(ws, NULL, NULL);
	return NOA_OK;
}

/* ------------------------------------------------------------ certificate */

/*
 * Group prices at base price λ from the relaxation's group multipliers, and
 * the slope of the dual bound in the total: κ = λ − Σ α_G·a_G + Σ β_G·b_G over
 * the groups whose binding limit is a share (*slope: dκ/dλ).
 */
static double
group_prices(const work *ws, const multipliers *mu, double lambda, double *gp, double *slope)
{
	double		kappa = lambda;
	int			g;

	*slope = 1.0;
	for (g = 0; g < ws->ng; g++)
	{
		const noa_alloc_group *gr = &ws->pb->groups[g];

		gp[g] = lambda;
		if (mu->has_floor[g] && lambda > mu->p_floor[g])
		{
			gp[g] = mu->p_floor[g];
			if (gr->min_share * mu->total >= gr->min_spend)
			{
				kappa -= (lambda - gp[g]) * gr->min_share;
				*slope -= gr->min_share;
			}
		}
		else if (mu->has_cap[g] && lambda < mu->p_cap[g])
		{
			gp[g] = mu->p_cap[g];
			if (gr->max_share * mu->total <= gr->max_spend)
			{
				kappa += (gp[g] - lambda) * gr->max_share;
				*slope -= gr->max_share;
			}
		}
	}
	return kappa;
}

/*
 * Gap of the Lagrangian bound at base price λ (relaxation group prices) over
 * the allocation x at total T, written as a sum of non-negative terms:
 * Σ_i [φ_i(p_i) − (g_i(x_i) − p_i·x_i)] + λ(T − Σx) + Σ_G α_G(y_G − F_G) +
 * β_G(C_G − y_G).  *kappa receives the slope of the bound in T.
 */
static double
dual_gap(work *ws, const multipliers *mu, double lambda, const double *x, double T, double *kappa)
{
	double	   *gp = ws->scratch;
	double	   *gy = ws->scratch + ws->ng + 1;
	double		gap = 0.0,
				sum = 0.0,
				slope;
	int			g,
				i;

	*kappa = group_prices(ws, mu, lambda, gp, &slope);
	for (g = 0; g < ws->ng; g++)
		gy[g] = 0.0;
	for (i = 0; i < ws->n; i++)
	{
		sum += x[i];
		if (ws->it[i].group >= 0)
			gy[ws->it[i].group] += x[i];
	}
	for (g = 0; g < ws->ng; g++)
	{
		const noa_alloc_group *gr = &ws->pb->groups[g];

		if (gp[g] < lambda)
			gap += (lambda - gp[g]) * (gy[g] - (gr->min_share * mu->total >= gr->min_spend
												? gr->min_share * T : gr->min_spend));
		else if (gp[g] > lambda)
			gap += (gp[g] - lambda) * ((gr->max_share * mu->total <= gr->max_spend
										? gr->max_share * T : gr->max_spend) - gy[g]);
	}
	gap += lambda * (T - sum);
	ws->capbase = INFINITY;
	for (i = 0; i < ws->n; i++)
	{
		item_work  *it = &ws->it[i];
		double		p = it->group >= 0 ? gp[it->group] : lambda;

		gap += item_phi(ws, it, p) - (item_value(it, x[i]) - p * x[i]);
	}
	return gap;
}

/*
 * The gap in objective units from one dual point, given the bound's value
 * A(T*) = value + gap_T at the answer's total T* and its slope κ in T.
 */
static double
objective_gap(const work *ws, double gap_T, double kappa, double value, double T,
			  double tlo, double tmax, bool exact_total)
{
	const noa_alloc_problem *pb = ws->pb;
	double		d,
				t_up;

	switch (pb->objective)
	{
		case NOA_ALLOC_MAX_RESPONSE:
			return exact_total ? gap_T : gap_T + fmax(0.0, kappa * (tlo - T));
		case NOA_ALLOC_MAX_PROFIT:
			d = kappa - pb->target;
			if (d > 0.0)
				return isinf(tmax) ? INFINITY : gap_T + d * (tmax - T);
			return gap_T + d * (tlo - T);
		case NOA_ALLOC_MIN_SPEND:
			/* the least T with A(T) ≥ target bounds the spend from below */
			if (!(kappa > 0.0))
				return T - tlo;
			return T - fmax(tlo, T - (value + gap_T - pb->target) / kappa);
		default:
			/* the largest A(T) among totals with A(T) ≥ target·T */
			t_up = kappa < pb->target
				? fmin(tmax, T + (value + gap_T - pb->target * T) / (pb->target - kappa)) : tmax;
			if (isinf(t_up))
				return kappa > 0.0 ? INFINITY : gap_T;
			return gap_T + (kappa >= 0.0 ? kappa * (t_up - T) : kappa * (tlo - T));
	}
}

/*
 * Best certificate over the dual points at hand: both sides of the
 * relaxation's final price bracket, a large price when every item sits at its
 * minimum, and for profit the price whose bound slope κ equals the target.
 * Returns the gap in objective units (+Inf when no point bounds it).
 */
static double
certify(work *ws, const double *x, double value, double T, double tlo, double tmax, bool exact_total)
{
	const multipliers *mu = &ws->relax;
	double	   *gp = ws->scratch;
	double		cand[4];
	double		best = INFINITY,
				kappa,
				slope,
				gap;
	int			nc = 0,
				c,
				i;

	apply_pattern(ws, NULL, NULL);
	if (isfinite(mu->lam_a))
		cand[nc++] = mu->lam_a;
	if (isfinite(mu->lam_b) && mu->lam_b != mu->lam_a)
		cand[nc++] = mu->lam_b;
	if (nc == 0)
		cand[nc++] = 1e12 * fmax(value / fmax(T, 1e-300), 1.0);
	if (ws->pb->objective == NOA_ALLOC_MAX_PROFIT)
	{
		/* κ is piecewise linear and increasing in λ: Newton reaches κ = target */
		double		lam = cand[0];

		for (i = 0; i < 2 * ws->ng + 4; i++)
		{
			kappa = group_prices(ws, mu, lam, gp, &slope);
			if (kappa == ws->pb->target || !(slope > 0.0))
				break;
			lam = fmax(0.0, lam + (ws->pb->target - kappa) / slope);
		}
		cand[nc++] = lam;
	}
	for (c = 0; c < nc; c++)
	{
		gap = dual_gap(ws, mu, cand[c], x, T, &kappa);
		gap = objective_gap(ws, gap, kappa, value, T, tlo, tmax, exact_total);
		if (gap < best)
			best = gap;
	}
	return best;
}

/* ------------------------------------------------------------------ driver */

/* Check the problem's numbers before trusting them. */
static bool
problem_valid(const noa_alloc_problem *pb)
{
	int			i;

	if (pb->n_items < 0 || pb->n_groups < 0 || (pb->n_items > 0 && pb->items == NULL) ||
		(pb->n_groups > 0 && pb->groups == NULL))
		return false;
	if (isnan(pb->budget) || pb->budget < 0.0)
		return false;
	switch (pb->objective)
	{
		case NOA_ALLOC_MAX_RESPONSE:
			if (isinf(pb->budget))
				return false;
			break;
		case NOA_ALLOC_MAX_PROFIT:
			/* a zero target only makes sense under a finite budget */
			if (!isfinite(pb->target) || pb->target < 0.0 || (pb->target == 0.0 && isinf(pb->budget)))
				return false;
			break;
		case NOA_ALLOC_MIN_SPEND:
			if (!isfinite(pb->target) || pb->target < 0.0)
				return false;
			break;
		case NOA_ALLOC_TARGET_ROAS:
			if (!isfinite(pb->target) || !(pb->target > 0.0))
				return false;
			break;
		default:
			return false;
	}
	for (i = 0; i < pb->n_items; i++)
	{
		const noa_alloc_item *it = &pb->items[i];

		if (!noa_curve_params_valid(it->model, it->param) || !isfinite(it->weight) ||
			!(it->weight > 0.0) || !isfinite(it->lo) || it->lo < 0.0 || isnan(it->hi) ||
			it->hi < it->lo || it->group < -1 || it->group >= pb->n_groups)
			return false;
	}
	for (i = 0; i < pb->n_groups; i++)
	{
		const noa_alloc_group *gr = &pb->groups[i];

		if (!isfinite(gr->min_spend) || gr->min_spend < 0.0 || isnan(gr->max_spend) ||
			gr->max_spend < gr->min_spend || !(gr->min_share >= 0.0) ||
			!(gr->max_share <= 1.0) || gr->max_share < gr->min_share)
			return false;
	}
	return true;
}

/* Allocate the group price arrays of a set of multipliers; false when any is missing. */
static bool
multipliers_alloc(multipliers *m, int ng)
{
	m->p_floor = calloc(ng + 1, sizeof(double));
	m->p_cap = calloc(ng + 1, sizeof(double));
	m->has_floor = calloc(ng + 1, 1);
	m->has_cap = calloc(ng + 1, 1);
	return m->p_floor && m->p_cap && m->has_floor && m->has_cap;
}

/* Free the arrays of a set of multipliers (safe when partly allocated). */
static void
multipliers_free(multipliers *m)
{
	free(m->p_floor);
	free(m->p_cap);
	free(m->has_floor);
	free(m->has_cap);
}

/* Allocate the working arrays; NOA_ERR_NOMEM when any is missing. */
static int
work_alloc(work *ws)
{
	int			n = ws->n > 0 ? ws->n : 1;
	int			ng = ws->ng;

	if (!multipliers_alloc(&ws->cur, ng) || !multipliers_alloc(&ws->relax, ng))
		return NOA_ERR_NOMEM;
	ws->it = calloc(n, sizeof(item_work));
	ws->all = calloc(n, sizeof(int));
	ws->gstart = calloc(ng + 2, sizeof(int));
	ws->gmem = calloc(n, sizeof(int));
	ws->gstate = calloc(ng + 1, sizeof(int));
	ws->gprice = calloc(ng + 1, sizeof(double));
	ws->warm_floor = calloc(ng + 1, sizeof(double));
	ws->warm_cap = calloc(ng + 1, sizeof(double));
	ws->xa = calloc(n, sizeof(double));
	ws->xb = calloc(n, sizeof(double));
	ws->xt = calloc(n, sizeof(double));
	ws->xf = calloc(n, sizeof(double));
	ws->xc = calloc(n, sizeof(double));
	ws->x_relax = calloc(n, sizeof(double));
	ws->x_best = calloc(n, sizeof(double));
	ws->x_eval = calloc(n, sizeof(double));
	ws->scratch = calloc(2 * (size_t) ng + 2, sizeof(double));
	ws->pattern = calloc(n, sizeof(item_mode));
	ws->best_pattern = calloc(n, sizeof(item_mode));
	ws->base_pattern = calloc(n, sizeof(item_mode));
	ws->pin = calloc(n, sizeof(double));
	ws->best_pin = calloc(n, sizeof(double));
	ws->order = calloc(n, sizeof(int));
	ws->key = calloc(n, sizeof(double));
	if (!ws->it || !ws->all || !ws->gstart || !ws->gmem || !ws->gstate || !ws->gprice ||
		!ws->warm_floor || !ws->warm_cap ||
		!ws->xa || !ws->xb || !ws->xt || !ws->xf || !ws->xc || !ws->x_relax || !ws->x_best ||
		!ws->x_eval || !ws->scratch || !ws->pattern || !ws->best_pattern || !ws->base_pattern || !ws->pin || !ws->best_pin || !ws->order || !ws->key)
		return NOA_ERR_NOMEM;
	return NOA_OK;
}

/* Free every working array (safe on a partly allocated workspace). */
static void
work_free(work *ws)
{
	free(ws->it);
	free(ws->all);
	free(ws->gstart);
	free(ws->gmem);
	free(ws->gstate);
	free(ws->gprice);
	multipliers_free(&ws->cur);
	free(ws->warm_floor);
	free(ws->warm_cap);
	multipliers_free(&ws->relax);
	free(ws->xa);
	free(ws->xb);
	free(ws->xt);
	free(ws->xf);
	free(ws->xc);
	free(ws->x_relax);
	free(ws->x_best);
	free(ws->x_eval);
	free(ws->scratch);
	free(ws->pattern);
	free(ws->best_pattern);
	free(ws->base_pattern);
	free(ws->pin);
	free(ws->best_pin);
	free(ws->order);
	free(ws->key);
}

/* Copy the current solve's group prices (the relaxation's, for the certificate). */
static void
keep_multipliers(work *ws, multipliers *dst)
{
	dst->total = ws->cur.total;
	dst->lam_a = ws->cur.lam_a;
	dst->lam_b = ws->cur.lam_b;
	memcpy(dst->p_floor, ws->cur.p_floor, sizeof(double) * (ws->ng + 1));
	memcpy(dst->p_cap, ws->cur.p_cap, sizeof(double) * (ws->ng + 1));
	memcpy(dst->has_floor, ws->cur.has_floor, ws->ng + 1);
	memcpy(dst->has_cap, ws->cur.has_cap, ws->ng + 1);
}

/*
 * Set up the items (upper bounds tightened to what the budget and the group
 * caps leave them) and the member lists of each group, in item order.
 */
static int
work_setup(work *ws)
{
	const noa_alloc_problem *pb = ws->pb;
	double	   *glo = ws->scratch;
	int		   *next = ws->gstate;	/* ng + 1 ints, free until the first solve */
	double		lo_sum = 0.0;
	int			i,
				g;

	for (g = 0; g <= ws->ng; g++)
		glo[g] = 0.0;
	for (i = 0; i < ws->n; i++)
	{
		const noa_alloc_item *src = &pb->items[i];
		int			b = src->group >= 0 ? src->group : ws->ng;

		lo_sum += src->lo;
		glo[b] += src->lo;
		ws->gstart[b + 1]++;
	}
	for (g = 0; g <= ws->ng; g++)
		ws->gstart[g + 1] += ws->gstart[g];
	for (g = 0; g <= ws->ng; g++)
		next[g] = ws->gstart[g];
	for (i = 0; i < ws->n; i++)
	{
		const noa_alloc_item *src = &pb->items[i];
		double		hi = src->hi;

		if (isfinite(pb->budget))
			hi = fmin(hi, fmax(src->lo, pb->budget - (lo_sum - src->lo)));
		/* a convex curve needs a finite end for its envelope: its group cap may give one */
		if (isinf(hi) && src->model == NOA_MODEL_POWER && src->param[1] > 1.0 &&
			src->group >= 0 && isfinite(pb->groups[src->group].max_spend))
			hi = fmax(src->lo, pb->groups[src->group].max_spend - (glo[src->group] - src->lo));
		item_init(&ws->it[i], src, hi);
		ws->all[i] = i;
		ws->gmem[next[src->group >= 0 ? src->group : ws->ng]++] = i;
		if (item_shaped(&ws->it[i]))
			ws->res->n_shaped++;
		if (ws->it[i].shape == SHAPE_CONVEX && isinf(hi))
			return fail(ws, NOA_ALLOC_FAIL_UNBOUNDED, i, -1, INFINITY, INFINITY);
	}
	apply_pattern(ws, NULL, NULL);
	return NOA_OK;
}

/*
 * Items that make the objective unbounded when nothing limits the total: a
 * constant slope above the target (at or above it for a ROAS target) with no
 * maximum, in no capped group.
 */
static int
check_unbounded(work *ws)
{
	const noa_alloc_problem *pb = ws->pb;
	int			i;

	if (pb->objective != NOA_ALLOC_MAX_PROFIT && pb->objective != NOA_ALLOC_TARGET_ROAS)
		return NOA_OK;
	for (i = 0; i < ws->n; i++)
	{
		const item_work *it = &ws->it[i];
		const noa_alloc_group *gr = it->group >= 0 ? &pb->groups[it->group] : NULL;
		double		slope;

		if (isfinite(it->hi) || (gr && (isfinite(gr->max_spend) || gr->max_share < 1.0)))
			continue;
		slope = item_slope(it, INFINITY);
		if (pb->objective == NOA_ALLOC_MAX_PROFIT ? slope > pb->target : slope >= pb->target)
			return fail(ws, NOA_ALLOC_FAIL_UNBOUNDED, i, -1, slope, pb->target);
	}
	return NOA_OK;
}

/* Fill spends, positions, prices and totals of the result from the final solve. */
static void
finish_result(work *ws, const double *x)
{
	noa_alloc_result *res = ws->res;
	int			i,
				g;

	res->total_spend = 0.0;
	res->total_value = 0.0;
	for (i = 0; i < ws->n; i++)
	{
		const item_work *it = &ws->it[i];
		const noa_alloc_item *src = &ws->pb->items[i];
		double		tol = 1e-9 * fmax(1.0, fabs(x[i]));

		res->x[i] = x[i];
		res->price[i] = it->group >= 0 ? ws->gprice[it->group] : ws->lambda;
		res->total_spend += x[i];
		res->total_value += item_value(it, x[i]);
		if (!(src->hi > src->lo))
			res->position[i] = NOA_ALLOC_FIXED;
		else if (x[i] <= src->lo + tol)
			res->position[i] = item_shaped(it) ? NOA_ALLOC_BELOW_THRESHOLD : NOA_ALLOC_AT_LOWER;
		else if (x[i] >= src->hi - tol)
			res->position[i] = NOA_ALLOC_AT_UPPER;
		else
			res->position[i] = NOA_ALLOC_INTERIOR;
	}
	for (g = 0; g < ws->ng; g++)
		res->group_state[g] = ws->gstate[g];
	res->level = ws->lambda;
}

/* Whether an allocation of value V at total T meets the objective's target. */
static bool
meets_target(const work *ws, double value, double T)
{
	double		tol = 1e-9 * fmax(fabs(value), 1e-300);

	if (ws->pb->objective == NOA_ALLOC_MIN_SPEND)
		return value >= ws->pb->target - tol;
	if (ws->pb->objective == NOA_ALLOC_TARGET_ROAS)
		return value >= ws->pb->target * T - tol;
	return true;
}

/* The objective of an allocation of value V at total T. */
static double
objective_of(const work *ws, double value, double T)
{
	switch (ws->pb->objective)
	{
		case NOA_ALLOC_MAX_PROFIT:
			return value - ws->pb->target * T;
		case NOA_ALLOC_MIN_SPEND:
			return T;
		default:
			return value;
	}
}

/* Whether objective a beats b. */
static bool
better(const work *ws, double a, double b)
{
	return ws->pb->objective == NOA_ALLOC_MIN_SPEND ? a < b : a > b;
}


/*
 * A pattern's best total and objective, for the objectives without a fixed
 * budget (its restriction is concave, so choose_total is exact on it).  *ok
 * is false when the pattern admits no allocation or misses the target; the
 * allocation is left in ws->x_eval.
 */
static int
pattern_with_total(work *ws, const item_mode *pattern, double tlo, double tmax,
				   double *T, double *obj, bool *ok)
{
	double		plo,
				phi,
				value;
	bool		feasible,
				reach;
	int			rc;

	*ok = false;
	apply_pattern(ws, pattern, ws->best_pin);
	rc = total_range(ws, &plo, &phi, true);
	if (rc != NOA_OK)
		return rc;
	plo = fmax(plo, tlo);
	phi = fmin(phi, tmax);
	if (!(plo <= phi * (1.0 + FEAS_TOL)))
		return NOA_OK;
	rc = choose_total(ws, plo, phi, T, &reach);
	if (rc == NOA_ERR_INVALID)
		return NOA_OK;
	if (rc != NOA_OK || !reach)
		return rc;
	rc = solve_total(ws, *T, ws->x_eval, &feasible);
	if (rc != NOA_OK || !feasible)
		return rc;
	value = total_value(ws, ws->x_eval, false);
	*obj = objective_of(ws, value, *T);
	*ok = meets_target(ws, value, *T);
	return NOA_OK;
}

/*
 * When the relaxation splits an S-shaped item at total t_relax: compare its
 * own allocation (valued on the true curves) with on/off patterns of the
 * S-shaped items.  With a fixed budget the patterns are chosen at that total
 * (choose_pattern); otherwise each pattern gets its own total — every pattern
 * when there are few S-shaped items, else the best one at t_relax.  Leaves
 * the winner's modes applied, its total in *t_final and whether a pattern
 * won in *use_pattern; *reachable turns false when no candidate meets the
 * target.
 */
static int
round_solution(work *ws, double t_relax, double tlo, double tmax,
			   double *t_final, bool *use_pattern, bool *reachable)
{
	double		value,
				best_obj,
				obj,
				t_pat;
	bool		exhaustive,
				have,
				ok;
	int			count = 0,
				i,
				j,
				rc;
	long		mask;

	*use_pattern = false;
	*t_final = t_relax;
	value = total_value(ws, ws->x_relax, false);
	have = meets_target(ws, value, t_relax);
	best_obj = objective_of(ws, value, t_relax);
	for (i = 0; i < ws->n; i++)
		if (item_shaped(&ws->it[i]))
			ws->order[count++] = i;

	if (ws->pb->objective == NOA_ALLOC_MAX_RESPONSE || count > FEW_SHAPED)
	{
		rc = choose_pattern(ws, t_relax, &value, &exhaustive);
		if (rc != NOA_OK)
			return rc;
		ws->res->method = exhaustive && ws->pb->objective == NOA_ALLOC_MAX_RESPONSE
			? NOA_ALLOC_METHOD_ENUMERATED : NOA_ALLOC_METHOD_ROUNDED;
		if (ws->pb->objective == NOA_ALLOC_MAX_RESPONSE)
			*use_pattern = value > -INFINITY && (!have || value > best_obj);
		else if (value > -INFINITY)
		{
			rc = pattern_with_total(ws, ws->best_pattern, tlo, tmax, &t_pat, &obj, &ok);
			if (rc != NOA_OK)
				return rc;
			if (ok && (!have || better(ws, obj, best_obj)))
			{
				*use_pattern = true;
				*t_final = t_pat;
			}
		}
		have = have || *use_pattern;
	}
	else
	{
		ws->res->method = NOA_ALLOC_METHOD_ENUMERATED;
		for (i = 0; i < ws->n; i++)
			ws->pattern[i] = MODE_RELAX;
		for (mask = 0; mask < (1L << count); mask++)
		{
			for (j = 0; j < count; j++)
				ws->pattern[ws->order[j]] = (mask >> j) & 1 ? MODE_ON : MODE_OFF;
			rc = pattern_with_total(ws, ws->pattern, tlo, tmax, &t_pat, &obj, &ok);
			if (rc != NOA_OK)
				return rc;
			if (ok && (!have || better(ws, obj, best_obj)))
			{
				memcpy(ws->best_pattern, ws->pattern, sizeof(item_mode) * ws->n);
				*use_pattern = have = true;
				*t_final = t_pat;
				best_obj = obj;
			}
		}
	}
	*reachable = have;
	apply_pattern(ws, *use_pattern ? ws->best_pattern : NULL, ws->best_pin);
	return NOA_OK;
}

/* Whether the relaxation splits some S-shaped item (its value there is below the envelope). */
static bool
relaxation_split(const work *ws)
{
	int			i;

	for (i = 0; i < ws->n; i++)
	{
		const item_work *it = &ws->it[i];
		double		x = ws->x_relax[i];

		if (item_shaped(it) && x > it->lo && x < it->env_tau &&
			envelope_value(it, x) - item_value(it, x) > 1e-12 * fmax(1.0, fabs(item_value(it, x))))
			return true;
	}
	return false;
}

/* How the total relates to the budget, the bounds and the target. */
static noa_alloc_limit
total_limit(const work *ws, double T, double tlo, double tmax, bool reachable)
{
	const noa_alloc_problem *pb = ws->pb;

	if (pb->objective == NOA_ALLOC_MAX_RESPONSE)
		return T >= pb->budget * (1.0 - FEAS_TOL) ? NOA_ALLOC_LIMIT_BUDGET : NOA_ALLOC_LIMIT_BOUNDS;
	if (reachable && T >= tmax * (1.0 - FEAS_TOL))
		return tmax >= pb->budget * (1.0 - FEAS_TOL) ? NOA_ALLOC_LIMIT_BUDGET : NOA_ALLOC_LIMIT_BOUNDS;
	if (reachable && T <= tlo * (1.0 + FEAS_TOL))
		return NOA_ALLOC_LIMIT_MINIMUM;
	return NOA_ALLOC_LIMIT_TARGET;
}

/* The solve proper, once the workspace exists. */
static int
solve(work *ws)
{
	const noa_alloc_problem *pb = ws->pb;
	noa_alloc_result *res = ws->res;
	double		tlo,
				thi,
				tmax,
				t_relax,
				t_final,
				value,
				obj,
				gap;
	bool		reachable = true,
				use_pattern = false,
				feasible,
				exact_total;
	int			rc,
				i;

	rc = work_setup(ws);
	if (rc != NOA_OK)
		return rc;
	rc = total_range(ws, &tlo, &thi, false);
	if (rc != NOA_OK)
		return rc;
	res->min_total = tlo;
	res->max_total = thi;
	if (pb->budget < tlo * (1.0 - FEAS_TOL))
		return fail(ws, NOA_ALLOC_FAIL_BUDGET, -1, -1, tlo, pb->budget);
	if (pb->objective == NOA_ALLOC_MAX_RESPONSE && pb->budget > thi * (1.0 + FEAS_TOL))
	{
		/* a budget the maxima could absorb but the shares forbid is a contradiction */
		double		lo_sum,
					hi_sum,
					room = 0.0;
		int			g;

		ws->capbase = INFINITY;
		for (g = 0; g <= ws->ng; g++)
		{
			bucket_range(ws, g, &lo_sum, &hi_sum);
			room += g < ws->ng ? fmin(hi_sum, pb->groups[g].max_spend) : hi_sum;
		}
		if (pb->budget <= room * (1.0 + FEAS_TOL))
			return fail(ws, NOA_ALLOC_FAIL_TOTAL, -1, ws->upper_group, pb->budget, thi);
	}
	tmax = fmax(tlo, fmin(pb->budget, thi));
	if (isinf(tmax))
	{
		rc = check_unbounded(ws);
		if (rc != NOA_OK)
			return rc;
		if (pb->objective == NOA_ALLOC_MIN_SPEND)
		{
			double		sup = 0.0;

			for (i = 0; i < ws->n; i++)
				sup += item_value(&ws->it[i], ws->it[i].hi);
			if (!(sup > pb->target))
				return fail(ws, NOA_ALLOC_FAIL_TARGET, -1, -1, pb->target, sup);
		}
	}

	/* the relaxation: its total, allocation and multipliers */
	rc = choose_total(ws, tlo, tmax, &t_relax, &reachable);
	if (rc == NOA_ERR_INVALID)
		return fail(ws, NOA_ALLOC_FAIL_TOTAL, -1, -1, tlo, tmax);
	if (rc != NOA_OK)
		return rc;
	rc = solve_total(ws, t_relax, ws->x_relax, &feasible);
	if (rc != NOA_OK)
		return rc;
	if (!feasible)
		return fail(ws, NOA_ALLOC_FAIL_TOTAL, -1, -1, t_relax, tmax);
	keep_multipliers(ws, &ws->relax);
	res->method = NOA_ALLOC_METHOD_KKT;
	t_final = t_relax;
	if (reachable && relaxation_split(ws))
	{
		rc = round_solution(ws, t_relax, tlo, tmax, &t_final, &use_pattern, &reachable);
		if (rc != NOA_OK)
			return rc;
		/* re-solve the winner so prices and group states describe it */
		rc = solve_total(ws, t_final, ws->x_best, &feasible);
		if (rc != NOA_OK)
			return rc;
		if (!use_pattern || !feasible)
			memcpy(ws->x_best, ws->x_relax, sizeof(double) * ws->n);
		finish_result(ws, ws->x_best);
	}
	else
		finish_result(ws, ws->x_relax);

	/* limit, objective and certificate */
	value = res->total_value;
	exact_total = pb->objective == NOA_ALLOC_MAX_RESPONSE && t_final >= pb->budget * (1.0 - FEAS_TOL);
	obj = objective_of(ws, value, res->total_spend);
	res->limit = total_limit(ws, t_final, tlo, tmax, reachable);
	res->objective = obj;
	res->status = reachable ? NOA_ALLOC_OPTIMAL : NOA_ALLOC_UNREACHABLE;
	if (reachable)
	{
		gap = certify(ws, res->x, value, exact_total ? pb->budget : res->total_spend, tlo, tmax, exact_total);
		res->gap = fmax(0.0, gap);
		res->bound = pb->objective == NOA_ALLOC_MIN_SPEND ? obj - res->gap : obj + res->gap;
		res->gap_rel = res->gap / fmax(fmax(fabs(obj), fabs(res->bound)),
									   fmax(pb->objective == NOA_ALLOC_MIN_SPEND ? 0.0 : value, 1e-300));
		if (!(res->gap_rel <= NOA_ALLOC_GAP_TOL))
			res->status = NOA_ALLOC_GAP;
	}
	res->passes = ws->passes;
	return NOA_OK;
}

int
noa_alloc_solve(const noa_alloc_problem *problem, noa_alloc_result *result)
{
	work		ws;
	int			rc;

	memset(&ws, 0, sizeof(ws));
	result->status = NOA_ALLOC_OPTIMAL;
	result->limit = NOA_ALLOC_LIMIT_BUDGET;
	result->method = NOA_ALLOC_METHOD_KKT;
	result->failure = NOA_ALLOC_FAIL_NONE;
	result->fail_item = result->fail_group = -1;
	result->fail_need = result->fail_have = NAN;
	result->n_shaped = 0;
	result->passes = 0;
	result->gap = result->gap_rel = result->bound = NAN;
	result->total_spend = result->total_value = result->objective = 0.0;
	result->level = result->min_total = result->max_total = NAN;
	if (!problem_valid(problem))
		return NOA_ERR_INVALID;
	ws.pb = problem;
	ws.res = result;
	ws.n = problem->n_items;
	ws.ng = problem->n_groups;
	ws.capbase = INFINITY;
	rc = work_alloc(&ws);
	if (rc == NOA_OK)
		rc = solve(&ws);
	work_free(&ws);
	return rc;
}
