/*
 * alloc_rounding.c — rounding: which S-shaped items are switched on (every
 * pattern when few, contested ones and one-flip polish otherwise), and
 * searches of their convex regions.
 */
#include "alloc_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WORK_BUDGET 4e6			/* item evaluations allowed for S-curve choices */

/* Put every item in its pattern mode (relaxed for items without a choice; pins: spends of MODE_PIN items). */
void
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

/*
 * A pattern's best total and objective, for the objectives without a fixed
 * budget (its restriction is concave, so choose_total is exact on it).  *ok
 * is false when the pattern admits no allocation or misses the target; the
 * allocation is left in ws->x_eval.
 */
int
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
int
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
bool
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
