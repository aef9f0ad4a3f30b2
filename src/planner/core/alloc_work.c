/*
 * alloc_work.c — the solver's workspace: input checks, allocation and release
 * of the working arrays, and failure records.
 */
#include "alloc_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Record a failure and return the matching error code. */
int
fail(work *ws, noa_alloc_failure kind, int item, int group, double need, double have)
{
	ws->res->failure = kind;
	ws->res->fail_item = item;
	ws->res->fail_group = group;
	ws->res->fail_need = need;
	ws->res->fail_have = have;
	return kind == NOA_ALLOC_FAIL_UNBOUNDED ? NOA_ALLOC_ERR_UNBOUNDED : NOA_ALLOC_ERR_INFEASIBLE;
}

/* Check the problem's numbers before trusting them. */
bool
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
int
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
	ws->x_branch = calloc(n, sizeof(double));
	ws->x_reach = calloc(n, sizeof(double));
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
		!ws->x_eval || !ws->x_branch || !ws->x_reach || !ws->scratch || !ws->pattern || !ws->best_pattern || !ws->base_pattern || !ws->pin || !ws->best_pin || !ws->order || !ws->key)
		return NOA_ERR_NOMEM;
	return NOA_OK;
}

/* Free every working array (safe on a partly allocated workspace). */
void
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
	free(ws->x_branch);
	free(ws->x_reach);
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
void
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
