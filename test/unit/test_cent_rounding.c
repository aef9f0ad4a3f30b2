/*
 * test_cent_rounding.c — rounding an allocation to whole cents
 * (cent_rounding.h): the repros of issue 15, then random allocations with
 * non-cent bounds and group floors and caps (amounts and shares) under every
 * objective: whole cents, every bound, floor, cap and the budget kept, the
 * total the allocation's own rounded, and each spend within a cent or two of
 * the exact one.
 */
#include <string.h>

#include "unit.h"
#include "alloc_solver.h"
#include "cent_rounding.h"

#define MAX_N 200
#define MAX_G 4

static unsigned long long rng_state = 0x2545F4914F6CDD1DULL;

static double
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double) ((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static double
uniform(double a, double b)
{
	return a + (b - a) * rnd();
}

/* Whether v is a whole number of cents. */
static int
is_cents(double v)
{
	return fabs(v * 100.0 - round(v * 100.0)) <= 1e-6;
}

/* A Michaelis-Menten item b·x/(k + x) with value 1 per unit and no bounds. */
static noa_alloc_item
mm_item(double b, double k, int group)
{
	noa_alloc_item it;

	memset(&it, 0, sizeof(it));
	it.model = NOA_MODEL_MICHAELIS_MENTEN;
	it.param[0] = b;
	it.param[1] = k;
	it.weight = 1.0;
	it.lo = 0.0;
	it.hi = INFINITY;
	it.group = group;
	return it;
}

/* Solve and round; returns the solver's code. */
static int
solve_and_round(const noa_alloc_problem *pb, double *x, double *money)
{
	double		price[MAX_N];
	int			position[MAX_N],
				group_state[MAX_G + 1];
	noa_alloc_result r;
	int			rc;

	memset(&r, 0, sizeof(r));
	r.x = x;
	r.price = price;
	r.position = position;
	r.group_state = group_state;
	rc = noa_alloc_solve(pb, &r);
	if (rc == NOA_OK)
		rc = noa_round_cents(pb, x, money);
	return rc;
}

/* The repros of issue 15, at the core. */
static void
test_issue_repros(void)
{
	noa_alloc_item items[5];
	noa_alloc_group groups[2];
	noa_alloc_problem pb;
	double		x[5],
				money[5];
	int			i;

	/* three weak items in g1 with a floor of 100, two strong in g2, budget 200.01 */
	for (i = 0; i < 3; i++)
		items[i] = mm_item(50.0, 500.0, 0);
	items[3] = mm_item(500.0, 50.0, 1);
	items[4] = mm_item(500.0, 50.0, 1);
	memset(groups, 0, sizeof(groups));
	groups[0].min_spend = 100.0;
	groups[0].max_spend = INFINITY;
	groups[0].max_share = 1.0;
	groups[1].max_spend = INFINITY;
	groups[1].max_share = 1.0;
	memset(&pb, 0, sizeof(pb));
	pb.objective = NOA_ALLOC_MAX_RESPONSE;
	pb.n_items = 5;
	pb.items = items;
	pb.n_groups = 2;
	pb.groups = groups;
	pb.budget = 200.01;
	CHECK(solve_and_round(&pb, x, money) == NOA_OK, "group floor repro: solved and rounded");
	CHECK(money[0] + money[1] + money[2] >= 100.0 - 1e-9 &&
		  fabs(money[0] + money[1] + money[2] + money[3] + money[4] - 200.01) <= 1e-9,
		  "a floor of 100 with three equal items keeps 100.00 of a budget of 200.01 (%.2f + %.2f + %.2f)",
		  money[0], money[1], money[2]);

	/* a maximum of 100.006 and a +25% limit on 80.005 (100.00625): never above */
	items[0] = mm_item(5000.0, 50.0, -1);
	items[0].hi = 100.006;
	items[1] = mm_item(10.0, 500.0, -1);
	pb.n_items = 2;
	pb.n_groups = 0;
	pb.groups = NULL;
	pb.budget = 300.0;
	CHECK(solve_and_round(&pb, x, money) == NOA_OK && money[0] == 100.0 && fabs(money[1] - 200.0) <= 1e-9,
		  "a maximum of 100.006 is rounded to 100.00 (got %.2f, the other %.2f)", money[0], money[1]);
	items[0].hi = 80.005 * 1.25;
	CHECK(solve_and_round(&pb, x, money) == NOA_OK && money[0] == 100.0,
		  "+25%% on 80.005 stays at 100.00 (got %.2f)", money[0]);

	/* a locked non-cent spend: the nearest cent, the rest of the budget elsewhere */
	items[0].lo = items[0].hi = 33.333;
	CHECK(solve_and_round(&pb, x, money) == NOA_OK && money[0] == 33.33 && fabs(money[1] - 266.67) <= 1e-9,
		  "a locked spend of 33.333 shows 33.33, the other item 266.67 (%.2f, %.2f)", money[0], money[1]);

	/* a budget that is not a whole number of cents is never exceeded */
	items[0] = mm_item(100.0, 50.0, -1);
	items[1] = mm_item(100.0, 50.0, -1);
	pb.budget = 100.005;
	CHECK(solve_and_round(&pb, x, money) == NOA_OK && money[0] + money[1] <= 100.005 &&
		  is_cents(money[0]) && is_cents(money[1]),
		  "a budget of 100.005 gives 100.00 in whole cents (%.2f + %.2f)", money[0], money[1]);
}

/* Random allocations: every limit kept after rounding, for every objective. */
static void
test_random_limits(void)
{
	static noa_alloc_item items[MAX_N];
	noa_alloc_group groups[MAX_G];
	double		x[MAX_N],
				money[MAX_N],
				worst = 0.0;
	int			solved = 0,
				broken = 0,
				trial;

	for (trial = 0; trial < 200; trial++)
	{
		noa_alloc_problem pb;
		int			n = 2 + (int) (rnd() * (trial % 10 == 0 ? MAX_N - 2 : 30)),
					ng = (int) (rnd() * (MAX_G + 1)),
					i,
					g;
		double		current = 0.0,
					sum = 0.0,
					exact = 0.0,
					gsum[MAX_G],
					T;

		for (i = 0; i < n; i++)
		{
			double		c = uniform(10.0, 500.0) + 0.0041;

			items[i] = mm_item(uniform(50.0, 1000.0), uniform(20.0, 500.0), ng > 0 && rnd() < 0.8 ? (int) (rnd() * ng) : -1);
			items[i].weight = uniform(1.0, 4.0);
			items[i].lo = rnd() < 0.5 ? c * uniform(0.3, 0.7) + 0.0033 : 0.0;
			items[i].hi = rnd() < 0.6 ? c * uniform(1.2, 2.0) + 0.0077 : INFINITY;
			if (rnd() < 0.05)
				items[i].lo = items[i].hi = c;	/* locked at a non-cent spend */
			current += c;
		}
		for (g = 0; g < ng; g++)
		{
			memset(&groups[g], 0, sizeof(groups[g]));
			groups[g].min_spend = rnd() < 0.5 ? current * uniform(0.02, 0.15) + 0.0049 : 0.0;
			groups[g].max_spend = rnd() < 0.5 ? current * uniform(0.3, 0.6) + 0.0061 : INFINITY;
			groups[g].min_share = rnd() < 0.3 ? uniform(0.02, 0.1) : 0.0;
			groups[g].max_share = rnd() < 0.3 ? uniform(0.5, 0.9) : 1.0;
		}
		memset(&pb, 0, sizeof(pb));
		pb.objective = (noa_alloc_objective) (trial % 4);
		pb.n_items = n;
		pb.items = items;
		pb.n_groups = ng;
		pb.groups = groups;
		pb.budget = pb.objective == NOA_ALLOC_MAX_RESPONSE || rnd() < 0.5 ? current * uniform(0.8, 1.2) + 0.0057 : INFINITY;
		pb.target = pb.objective == NOA_ALLOC_MAX_PROFIT ? uniform(0.5, 2.0)
			: pb.objective == NOA_ALLOC_MIN_SPEND ? current * uniform(0.5, 1.5) : uniform(0.5, 3.0);
		if (solve_and_round(&pb, x, money) != NOA_OK)
			continue;			/* infeasible or unbounded draws */
		solved++;
		for (g = 0; g < ng; g++)
			gsum[g] = 0.0;
		for (i = 0; i < n; i++)
		{
			sum += money[i];
			exact += x[i];
			worst = fmax(worst, fabs(money[i] - x[i]));
			if (items[i].group >= 0)
				gsum[items[i].group] += money[i];
			if (!is_cents(money[i]))
				broken++;
			else if (ceil(items[i].lo * 100.0 - 1e-6) > floor(items[i].hi * 100.0 + 1e-6))
				broken += fabs(money[i] - round(x[i] * 100.0) / 100.0) > 1e-9;	/* no cent inside: the nearest */
			else
				broken += money[i] < items[i].lo - 1e-9 * fmax(1.0, items[i].lo) ||
					money[i] > items[i].hi + 1e-9 * fmax(1.0, items[i].hi);
		}
		T = round(sum * 100.0) / 100.0;
		for (g = 0; g < ng; g++)
			if (gsum[g] < fmax(groups[g].min_spend, groups[g].min_share * T) - 1e-9 * fmax(1.0, T) ||
				gsum[g] > fmin(groups[g].max_spend, groups[g].max_share * T) + 1e-9 * fmax(1.0, T))
				broken++;
		if (sum > pb.budget + 1e-9 * fmax(1.0, pb.budget) || fabs(T - round(exact * 100.0) / 100.0) > 0.01 * (n + ng + 1))
			broken++;
	}
	CHECK(solved >= 100, "random allocations solved: %d of 200", solved);
	CHECK(broken == 0, "rounded to whole cents: no bound, relative limit, group floor or cap or budget broken (%d)", broken);
	CHECK(worst < 0.03, "every rounded spend within three cents of the exact one (largest residual %.4f)", worst);
	printf("# largest rounding residual: %.4f\n", worst);
}

int
main(void)
{
	test_issue_repros();
	test_random_limits();
	return unit_done();
}
