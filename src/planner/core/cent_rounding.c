/*
 * cent_rounding.c — an allocation's spends rounded to whole cents within its
 * limits (the rule is stated in cent_rounding.h).  Amounts are handled as
 * whole numbers of cents held in doubles, exact below 2^53.
 */
#include "cent_rounding.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CENT_TOL 1e-9			/* relative distance to a whole cent that still counts as on it */
#define CENT_EXACT 1e15			/* cents a double still holds exactly, with room to spare */

/* One amount to hand out: what it should be (cents), its limits in whole cents, and what it gets. */
typedef struct share
{
	double		want,
				lo,
				hi,
				got;
} share;

/* A sort key and the share it belongs to. */
typedef struct share_key
{
	double		key;
	int			index;
} share_key;

/* Key order, then share order: the deterministic order of largest remainders. */
static int
share_key_cmp(const void *a, const void *b)
{
	const share_key *p = a,
			   *q = b;

	if (p->key != q->key)
		return p->key < q->key ? -1 : 1;
	return p->index < q->index ? -1 : (p->index > q->index);
}

/* c cents as a whole number: itself when within CENT_TOL of one, else rounded down (dir < 0), up or to nearest. */
static double
whole_cents(double c, int dir)
{
	double		w = round(c);

	if (!isfinite(c) || fabs(c - w) <= CENT_TOL * fmax(1.0, fabs(c)))
		return isfinite(c) ? w : c;
	return dir < 0 ? floor(c) : (dir > 0 ? ceil(c) : w);
}

/* An amount in whole cents, rounded as whole_cents does. */
static double
to_cents(double v, int dir)
{
	return whole_cents(v * 100.0, dir);
}

/* A minimum as the rounding honours it: up to a whole cent. */
double
noa_cents_up(double v)
{
	return to_cents(v, 1) / 100.0;
}

/* A maximum as the rounding honours it: down to a whole cent. */
double
noa_cents_down(double v)
{
	return to_cents(v, -1) / 100.0;
}

/*
 * Hand out `total` whole cents among m shares: each starts at its wanted
 * amount rounded down (within its limits), then the missing cents go to the
 * largest remainders with room (or the surplus is taken from the smallest),
 * one cent each per round.  Returns NOA_ERR_NOMEM or NOA_OK; a total outside
 * the shares' limits leaves the nearest achievable sum.
 */
static int
distribute(share *s, int m, double total)
{
	share_key  *order = malloc(sizeof(share_key) * (m > 0 ? m : 1));
	double		need = total;
	int			k;

	if (order == NULL)
		return NOA_ERR_NOMEM;
	for (k = 0; k < m; k++)
	{
		s[k].got = fmin(fmax(whole_cents(s[k].want, -1), s[k].lo), s[k].hi);
		need -= s[k].got;
	}
	while (need != 0.0)
	{
		int			count = 0;
		double		step;

		for (k = 0; k < m; k++)
			if (need > 0.0 ? s[k].got < s[k].hi : s[k].got > s[k].lo)
			{
				/* giving: largest remainder first; taking: smallest first */
				order[count].key = need > 0.0 ? s[k].got - s[k].want : s[k].want - s[k].got;
				order[count++].index = k;
			}
		if (count == 0)
			break;
		qsort(order, count, sizeof(share_key), share_key_cmp);
		/* one cent each per round, more when far more cents than shares are missing */
		step = fmax(1.0, floor(fabs(need) / count));
		for (k = 0; k < count && need != 0.0; k++)
		{
			share	   *sh = &s[order[k].index];
			double		d = need > 0.0 ? fmin(fmin(step, need), sh->hi - sh->got)
				: -fmin(fmin(step, -need), sh->got - sh->lo);

			sh->got += d;
			need -= d;
		}
	}
	free(order);
	return NOA_OK;
}

/* Floor and cap of group g in whole cents at total T (cents), rounded inward. */
static void
group_cents(const noa_alloc_group *gr, double T, double *floor_c, double *cap_c)
{
	*floor_c = to_cents(fmax(gr->min_spend, gr->min_share * T / 100.0), 1);
	*cap_c = to_cents(fmin(gr->max_spend, gr->max_share * T / 100.0), -1);
}

/*
 * The total in cents and each bucket's limits (groups 0..ng-1, the ungrouped
 * items ng) at that total: `total` rounded, within the budget, then moved
 * into what the buckets allow.  Share limits move with the
 * total, hence a few rounds; a group whose rounded item minimums exceed its
 * share cap (or whose maximums miss its share floor) moves the total too.
 */
static double
plan_total(const noa_alloc_problem *pb, share *bucket, const double *item_lo, const double *item_hi,
		   double exact_total)
{
	int			ng = pb->n_groups;
	double		T = to_cents(exact_total, 0);
	int			round_no,
				g;

	if (isfinite(pb->budget))
		T = fmin(T, to_cents(pb->budget, -1));
	for (round_no = 0; round_no < 8; round_no++)
	{
		double		lo_sum = 0.0,
					hi_sum = 0.0,
					t_min = 0.0,
					t_max = INFINITY,
					next;

		for (g = 0; g <= ng; g++)
		{
			bucket[g].lo = item_lo[g];
			bucket[g].hi = item_hi[g];
			if (g < ng)
			{
				const noa_alloc_group *gr = &pb->groups[g];
				double		F,
							C;

				group_cents(gr, T, &F, &C);
				if (item_lo[g] > C && gr->max_share > 0.0 && item_lo[g] <= to_cents(gr->max_spend, -1))
					t_min = fmax(t_min, whole_cents(item_lo[g] / gr->max_share, 1));
				if (item_hi[g] < F && gr->min_share > 0.0 && item_hi[g] >= to_cents(gr->min_spend, 1))
					t_max = fmin(t_max, whole_cents(item_hi[g] / gr->min_share, -1));
				bucket[g].lo = fmax(F, item_lo[g]);
				bucket[g].hi = fmin(C, item_hi[g]);
				if (bucket[g].lo > bucket[g].hi)
				{
					/* limits that cannot both hold in whole cents: the nearest the items allow */
					bucket[g].lo = bucket[g].hi = fmin(fmax(round(bucket[g].want), item_lo[g]), item_hi[g]);
				}
			}
			lo_sum += bucket[g].lo;
			hi_sum += bucket[g].hi;
		}
		next = fmin(fmax(T, lo_sum), hi_sum);
		if (t_min <= t_max)
			next = fmin(fmax(next, t_min), t_max);
		if (next == T)
			break;
		T = next;
	}
	return T;
}

int
noa_round_cents(const noa_alloc_problem *pb, const double *x, double *money)
{
	int			n = pb->n_items,
				ng = pb->n_groups;
	share	   *item = malloc(sizeof(share) * (n > 0 ? n : 1));
	share	   *bucket = malloc(sizeof(share) * (ng + 1));
	share	   *members = malloc(sizeof(share) * (n > 0 ? n : 1));
	double	   *range = calloc(2 * ((size_t) ng + 1), sizeof(double));
	int		   *where = malloc(sizeof(int) * (n > 0 ? n : 1));
	double		total = 0.0,
				wanted = 0.0,
				T;
	int			rc = NOA_OK,
				i,
				g;

	if (item == NULL || bucket == NULL || members == NULL || range == NULL || where == NULL)
		rc = NOA_ERR_NOMEM;
	for (i = 0; i < n; i++)
		total += x[i];
	if (rc == NOA_OK && !(fabs(total) * 100.0 < CENT_EXACT))
	{
		/* beyond exact cents in a double: plain rounding */
		for (i = 0; i < n; i++)
			money[i] = round(x[i] * 100.0) / 100.0;
		n = 0;
	}
	if (rc == NOA_OK && n > 0)
	{
		for (g = 0; g <= ng; g++)
			bucket[g].want = 0.0;
		for (i = 0; i < n; i++)
		{
			const noa_alloc_item *it = &pb->items[i];

			where[i] = it->group >= 0 ? it->group : ng;
			item[i].lo = to_cents(it->lo, 1);
			item[i].hi = to_cents(it->hi, -1);
			if (item[i].lo > item[i].hi)
				item[i].lo = item[i].hi = round(x[i] * 100.0);	/* no whole cent inside the bounds */
			/* what the item should get, within its rounded bounds */
			item[i].want = fmin(fmax(x[i] * 100.0, item[i].lo), item[i].hi);
			wanted += item[i].want;
			bucket[where[i]].want += item[i].want;
			range[where[i]] += item[i].lo;
			range[ng + 1 + where[i]] += item[i].hi;
		}
		T = plan_total(pb, bucket, range, range + ng + 1, fmax(total, wanted / 100.0));
		rc = distribute(bucket, ng + 1, T);
		for (g = 0; rc == NOA_OK && g <= ng; g++)
		{
			int			m = 0,
						k = 0;

			for (i = 0; i < n; i++)
				if (where[i] == g)
					members[m++] = item[i];
			rc = distribute(members, m, bucket[g].got);
			for (i = 0; rc == NOA_OK && i < n; i++)
				if (where[i] == g)
					money[i] = members[k++].got / 100.0;
		}
	}
	free(item);
	free(bucket);
	free(members);
	free(range);
	free(where);
	return rc;
}
