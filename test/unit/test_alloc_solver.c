/*
 * test_alloc_solver.c — property tests of the budget allocator (alloc_solver.h)
 * on seeded random instances:
 *   - concave curves, every objective (also under group shares): budget used
 *     to 1e-9, bounds and group limits hold, KKT holds at the answer,
 *     certified gap ≤ 1e-9;
 *   - two- and three-item instances against an independent grid search;
 *   - S-shaped curves against brute-force dynamic programming on a grid, and
 *     small S-curve portfolios certified optimal;
 *   - infeasible and unbounded inputs are named, interrupts stop the solve,
 *     and the answer is bit-for-bit deterministic.
 */
#include <string.h>

#include "unit.h"
#include "alloc_solver.h"

#define MAX_N 400
#define MAX_G 8

/* xorshift64*: a small deterministic generator. */
static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;

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

/* A random concave item: Hill (s ≤ 1), exponential, Michaelis–Menten, tanh or power. */
static void
random_concave(noa_alloc_item *it)
{
	int			family = (int) (rnd() * 5.0);

	memset(it, 0, sizeof(*it));
	it->param[0] = uniform(50.0, 5000.0);
	it->param[1] = uniform(100.0, 20000.0);
	switch (family)
	{
		case 0:
			it->model = NOA_MODEL_HILL;
			it->param[2] = uniform(0.4, 1.0);
			break;
		case 1:
			it->model = NOA_MODEL_EXPONENTIAL;
			break;
		case 2:
			it->model = NOA_MODEL_MICHAELIS_MENTEN;
			break;
		case 3:
			it->model = NOA_MODEL_TANH;
			break;
		default:
			it->model = NOA_MODEL_POWER;
			it->param[0] = uniform(0.5, 20.0);
			it->param[1] = uniform(0.3, 0.9);
			break;
	}
	it->weight = uniform(0.5, 40.0);
	it->lo = rnd() < 0.3 ? uniform(0.0, 500.0) : 0.0;
	it->hi = rnd() < 0.5 ? it->lo + uniform(500.0, 30000.0) : INFINITY;
	if (rnd() < 0.05)
		it->hi = it->lo;		/* locked */
	it->group = -1;
}

/* A random S-shaped item: Hill with s > 1 or logistic. */
static void
random_s_curve(noa_alloc_item *it)
{
	memset(it, 0, sizeof(*it));
	it->param[0] = uniform(50.0, 2000.0);
	if (rnd() < 0.6)
	{
		it->model = NOA_MODEL_HILL;
		it->param[1] = uniform(200.0, 4000.0);
		it->param[2] = uniform(1.3, 4.0);
	}
	else
	{
		it->model = NOA_MODEL_LOGISTIC;
		it->param[1] = uniform(200.0, 3000.0);
		it->param[2] = uniform(0.002, 0.02);
	}
	it->weight = uniform(0.5, 10.0);
	it->lo = 0.0;
	it->hi = INFINITY;
	it->group = -1;
}

static double
g_value(const noa_alloc_item *it, double x)
{
	return it->weight * noa_curve_value(it->model, it->param, x);
}

static double
g_slope(const noa_alloc_item *it, double x)
{
	return it->weight * noa_curve_slope(it->model, it->param, x);
}

typedef struct answer
{
	double		x[MAX_N];
	double		price[MAX_N];
	int			position[MAX_N];
	int			group_state[MAX_G];
	noa_alloc_result r;
	int			rc;
} answer;

static answer ans;

/* Solve into the static answer. */
static int
solve(const noa_alloc_problem *pb)
{
	memset(&ans, 0, sizeof(ans));
	ans.r.x = ans.x;
	ans.r.price = ans.price;
	ans.r.position = ans.position;
	ans.r.group_state = ans.group_state;
	ans.rc = noa_alloc_solve(pb, &ans.r);
	return ans.rc;
}

/*
 * Feasibility and first-order optimality of a concave answer: bounds, group
 * limits at the answer's total, and each item's slope against its price
 * (equal when interior, below at lo, above at hi).  Returns the number of
 * violations and describes the first in *why.
 */
static int
check_kkt(const noa_alloc_problem *pb, const noa_alloc_result *r, const char **why)
{
	double		gy[MAX_G] = {0};
	double		total = 0.0;
	double		ktol = 1e-6;
	int			bad = 0,
				i,
				g;

	*why = "";
	for (i = 0; i < pb->n_items; i++)
	{
		const noa_alloc_item *it = &pb->items[i];
		double		x = r->x[i],
					p = r->price[i],
					s;
		double		xtol = 1e-9 * fmax(1.0, x);

		total += x;
		if (it->group >= 0)
			gy[it->group] += x;
		if (!(x >= it->lo - xtol && x <= it->hi + xtol))
		{
			bad++;
			*why = "bound violated";
			continue;
		}
		if (it->hi == it->lo)
			continue;
		s = g_slope(it, x);
		if (x > it->lo + xtol && x < it->hi - xtol && fabs(s - p) > ktol * fmax(p, 1e-12))
		{
			bad++;
			*why = "interior slope differs from price";
		}
		/* at a bound, the slope just inside it (x is only known to xtol) */
		if (x <= it->lo + xtol && g_slope(it, it->lo + xtol) > p * (1.0 + ktol))
		{
			bad++;
			*why = "at lower bound with slope above price";
		}
		if (x >= it->hi - xtol && x > it->lo + xtol && g_slope(it, it->hi - xtol) < p * (1.0 - ktol))
		{
			bad++;
			*why = "at upper bound with slope below price";
		}
	}
	for (g = 0; g < pb->n_groups; g++)
	{
		const noa_alloc_group *gr = &pb->groups[g];
		double		floor_amount = fmax(gr->min_spend, gr->min_share * total);
		double		cap_amount = fmin(gr->max_spend, gr->max_share * total);
		double		tol = 1e-9 * fmax(1.0, total);

		if (gy[g] < floor_amount - tol || gy[g] > cap_amount + tol)
		{
			bad++;
			*why = "group limit violated";
		}
		if (r->group_state[g] == NOA_ALLOC_GROUP_FLOOR && fabs(gy[g] - floor_amount) > tol)
		{
			bad++;
			*why = "group reported at its floor is not";
		}
		if (r->group_state[g] == NOA_ALLOC_GROUP_CAP && fabs(gy[g] - cap_amount) > tol)
		{
			bad++;
			*why = "group reported at its cap is not";
		}
	}
	return bad;
}

/* Concave instances with fixed budgets, bounds and groups (floors, caps, shares). */
static void
test_concave_max_response(void)
{
	static noa_alloc_item items[MAX_N];
	noa_alloc_group groups[MAX_G];
	int			trial,
				worst_kkt = 0,
				n_fail_sum = 0,
				n_fail_gap = 0,
				solved = 0;
	double		worst_sum = 0.0,
				worst_gap = 0.0;
	const char *why = "";

	for (trial = 0; trial < 300; trial++)
	{
		noa_alloc_problem pb;
		int			n = 2 + (int) (rnd() * (trial < 200 ? 40 : 300));
		int			ng = trial % 3 == 0 ? 0 : 1 + (int) (rnd() * 4);
		double		lo_sum = 0.0,
					budget,
					sum = 0.0,
					err;
		const char *w;
		int			i,
					g,
					k;

		for (i = 0; i < n; i++)
		{
			random_concave(&items[i]);
			items[i].group = ng > 0 && rnd() < 0.8 ? (int) (rnd() * ng) : -1;
			lo_sum += items[i].lo;
		}
		budget = lo_sum + uniform(100.0, 2000.0) * n;
		for (g = 0; g < ng; g++)
		{
			groups[g].min_spend = rnd() < 0.3 ? uniform(0.0, 0.1) * budget : 0.0;
			groups[g].max_spend = rnd() < 0.3 ? uniform(0.3, 0.8) * budget : INFINITY;
			groups[g].min_share = rnd() < 0.4 ? uniform(0.0, 0.5 / ng) : 0.0;
			groups[g].max_share = rnd() < 0.3 ? uniform(0.5, 1.0) : 1.0;
		}
		memset(&pb, 0, sizeof(pb));
		pb.objective = NOA_ALLOC_MAX_RESPONSE;
		pb.n_items = n;
		pb.items = items;
		pb.n_groups = ng;
		pb.groups = groups;
		pb.budget = budget;
		if (solve(&pb) != NOA_OK)
			continue;			/* random limits may be infeasible; covered elsewhere */
		solved++;
		for (i = 0; i < n; i++)
			sum += ans.x[i];
		err = ans.r.limit == NOA_ALLOC_LIMIT_BUDGET ? fabs(sum - budget) / budget : 0.0;
		if (err > 1e-9)
			n_fail_sum++;
		worst_sum = fmax(worst_sum, err);
		k = check_kkt(&pb, &ans.r, &w);
		if (k > worst_kkt)
		{
			worst_kkt = k;
			why = w;
		}
		if (!(ans.r.gap_rel <= 1e-9))
			n_fail_gap++;
		worst_gap = fmax(worst_gap, ans.r.gap_rel);
	}
	CHECK(solved >= 200, "concave max_response: %d of 300 random instances feasible and solved", solved);
	CHECK(n_fail_sum == 0, "spend sums to the budget within 1e-9 relative (worst %.2e)", worst_sum);
	CHECK(worst_kkt == 0, "bounds, group limits and KKT hold at every answer %s", why);
	CHECK(n_fail_gap == 0, "certified relative gap ≤ 1e-9 on every instance (worst %.2e)", worst_gap);
}

/* Grid search over the split of a budget between two or three items (independent check). */
static double
grid_best(const noa_alloc_item *items, int n, double budget)
{
	double		best = -INFINITY;
	int			steps = n == 2 ? 200000 : 1500;
	int			i,
				j;

	for (i = 0; i <= steps; i++)
	{
		double		x0 = budget * i / steps;

		if (n == 2)
		{
			double		x1 = budget - x0;

			if (x0 >= items[0].lo && x0 <= items[0].hi && x1 >= items[1].lo && x1 <= items[1].hi)
				best = fmax(best, g_value(&items[0], x0) + g_value(&items[1], x1));
			continue;
		}
		for (j = 0; j <= steps - i; j++)
		{
			double		x1 = budget * j / steps,
						x2 = budget - x0 - x1;

			if (x0 >= items[0].lo && x0 <= items[0].hi && x1 >= items[1].lo && x1 <= items[1].hi &&
				x2 >= items[2].lo && x2 <= items[2].hi)
				best = fmax(best, g_value(&items[0], x0) + g_value(&items[1], x1) + g_value(&items[2], x2));
		}
	}
	return best;
}

static void
test_against_grid(void)
{
	noa_alloc_item items[3];
	int			trial,
				worse = 0,
				i;

	for (trial = 0; trial < 40; trial++)
	{
		noa_alloc_problem pb;
		int			n = trial % 2 == 0 ? 2 : 3;
		double		best;

		for (i = 0; i < n; i++)
		{
			random_concave(&items[i]);
			items[i].lo = 0.0;
			items[i].hi = INFINITY;
		}
		memset(&pb, 0, sizeof(pb));
		pb.objective = NOA_ALLOC_MAX_RESPONSE;
		pb.n_items = n;
		pb.items = items;
		pb.budget = uniform(500.0, 20000.0);
		if (solve(&pb) != NOA_OK)
		{
			worse++;
			continue;
		}
		best = grid_best(items, n, pb.budget);
		if (ans.r.total_value < best * (1.0 - 1e-12))
			worse++;
	}
	CHECK(worse == 0, "2- and 3-item instances: never below an independent grid search (%d worse)", worse);
}

/* The other objectives on concave instances, checked against their definitions. */
static void
test_other_objectives(void)
{
	static noa_alloc_item items[MAX_N];
	int			trial,
				bad_profit = 0,
				bad_min = 0,
				bad_roas = 0,
				bad_gap = 0,
				i;
	const char *why;

	for (trial = 0; trial < 120; trial++)
	{
		noa_alloc_problem pb;
		int			n = 2 + (int) (rnd() * 60);
		double		total,
					value;

		for (i = 0; i < n; i++)
		{
			random_concave(&items[i]);
			if (items[i].model == NOA_MODEL_POWER)
				items[i].hi = items[i].lo + 20000.0;
		}
		memset(&pb, 0, sizeof(pb));
		pb.n_items = n;
		pb.items = items;
		pb.budget = INFINITY;

		/* profit: every free item stops where its marginal ROAS equals the target */
		pb.objective = NOA_ALLOC_MAX_PROFIT;
		pb.target = uniform(0.5, 3.0);
		if (solve(&pb) != NOA_OK || check_kkt(&pb, &ans.r, &why) > 0 ||
			fabs(ans.r.level - pb.target) > 1e-6 * pb.target)
			bad_profit++;
		if (ans.rc == NOA_OK && !(ans.r.gap_rel <= 1e-9))
			bad_gap++;

		/* min spend: reach a value the profit answer reached, spending no more than it did */
		total = ans.r.total_spend;
		value = ans.r.total_value;
		pb.objective = NOA_ALLOC_MIN_SPEND;
		pb.target = 0.8 * value;
		if (solve(&pb) != NOA_OK || ans.r.total_value < pb.target * (1.0 - 1e-9) ||
			ans.r.total_spend > total * (1.0 + 1e-9) || check_kkt(&pb, &ans.r, &why) > 0)
			bad_min++;
		if (ans.rc == NOA_OK && !(ans.r.gap_rel <= 1e-9))
			bad_gap++;

		/* target ROAS: value ≥ ρ·spend, and the largest such spend */
		pb.objective = NOA_ALLOC_TARGET_ROAS;
		pb.target = 0.9 * value / total;
		if (solve(&pb) != NOA_OK || ans.r.status != NOA_ALLOC_OPTIMAL ||
			ans.r.total_value < pb.target * ans.r.total_spend * (1.0 - 1e-9) ||
			(ans.r.limit == NOA_ALLOC_LIMIT_TARGET &&
			 fabs(ans.r.total_value - pb.target * ans.r.total_spend) > 1e-8 * ans.r.total_value) ||
			ans.r.total_spend < total * (1.0 - 1e-9) || check_kkt(&pb, &ans.r, &why) > 0)
			bad_roas++;
		if (ans.rc == NOA_OK && !(ans.r.gap_rel <= 1e-9))
			bad_gap++;
	}
	CHECK(bad_profit == 0, "max_profit: marginal ROAS equals the target at every free item (%d bad)", bad_profit);
	CHECK(bad_min == 0, "min_spend: target reached, never more spend than a known allocation (%d bad)", bad_min);
	CHECK(bad_roas == 0, "target_roas: ROAS held at the target at the largest total (%d bad)", bad_roas);
	CHECK(bad_gap == 0, "other objectives: certified gap ≤ 1e-9 (%d above)", bad_gap);
}

/* Objectives without a fixed budget under group shares (the total then needs an outer search). */
static void
test_objectives_with_shares(void)
{
	static noa_alloc_item items[MAX_N];
	noa_alloc_group groups[3];
	int			trial,
				bad = 0,
				solved = 0,
				i;
	const char *why = "";

	for (trial = 0; trial < 60; trial++)
	{
		noa_alloc_problem pb;
		int			n = 10 + (int) (rnd() * 200);
		double		value,
					total;

		for (i = 0; i < n; i++)
		{
			random_concave(&items[i]);
			items[i].hi = items[i].lo + uniform(2000.0, 20000.0);
			items[i].group = i % 3;
		}
		groups[0] = (noa_alloc_group) {0.0, INFINITY, uniform(0.2, 0.4), 1.0};
		groups[1] = (noa_alloc_group) {0.0, INFINITY, 0.0, uniform(0.3, 0.5)};
		groups[2] = (noa_alloc_group) {uniform(0.0, 1000.0), INFINITY, 0.0, 1.0};
		memset(&pb, 0, sizeof(pb));
		pb.n_items = n;
		pb.items = items;
		pb.n_groups = 3;
		pb.groups = groups;
		pb.budget = INFINITY;
		pb.objective = NOA_ALLOC_MAX_PROFIT;
		pb.target = uniform(0.5, 3.0);
		if (solve(&pb) != NOA_OK)
			continue;
		solved++;
		if (ans.r.status != NOA_ALLOC_OPTIMAL || check_kkt(&pb, &ans.r, &why) > 0)
			bad++;
		value = ans.r.total_value;
		total = ans.r.total_spend;
		pb.objective = NOA_ALLOC_MIN_SPEND;
		pb.target = 0.9 * value;
		if (solve(&pb) != NOA_OK || ans.r.status != NOA_ALLOC_OPTIMAL || check_kkt(&pb, &ans.r, &why) > 0 ||
			ans.r.total_value < pb.target * (1.0 - 1e-9) || ans.r.total_spend > total * (1.0 + 1e-9))
			bad++;
		pb.objective = NOA_ALLOC_TARGET_ROAS;
		pb.target = 0.95 * value / total;
		if (solve(&pb) != NOA_OK || ans.r.status != NOA_ALLOC_OPTIMAL || check_kkt(&pb, &ans.r, &why) > 0 ||
			ans.r.total_value < pb.target * ans.r.total_spend * (1.0 - 1e-9) || ans.r.total_spend < total * (1.0 - 1e-9))
			bad++;
	}
	CHECK(solved >= 50 && bad == 0,
		  "profit, min spend and target ROAS under group shares: certified optimal, limits and KKT hold (%d of %d bad) %s",
		  bad, solved, why);
}

/* Best value of up to 4 items on a grid of `steps` units of budget/steps (exact DP). */
static double
dp_best(const noa_alloc_item *items, int n, double budget, int steps)
{
	static double best[2][4001];
	static double value[4001];
	int			i,
				j,
				k;

	for (j = 0; j <= steps; j++)
		best[0][j] = j == 0 ? 0.0 : -INFINITY;
	for (i = 0; i < n; i++)
	{
		double	   *prev = best[i % 2],
				   *next = best[(i + 1) % 2];

		for (k = 0; k <= steps; k++)
		{
			double		x = budget * k / steps;

			value[k] = x < items[i].lo || x > items[i].hi ? -INFINITY : g_value(&items[i], x);
		}
		for (j = 0; j <= steps; j++)
		{
			double		m = -INFINITY;

			for (k = 0; k <= j; k++)
				m = fmax(m, prev[j - k] + value[k]);
			next[j] = m;
		}
	}
	return best[n % 2][steps];
}

static void
test_s_curves_vs_dp(void)
{
	noa_alloc_item items[4];
	int			trial,
				below = 0,
				bound_below = 0,
				shaped = 0,
				gap_found = 0,
				i;
	double		worst = 0.0;

	for (trial = 0; trial < 60; trial++)
	{
		noa_alloc_problem pb;
		int			n = 2 + trial % 3;
		double		dp;

		for (i = 0; i < n; i++)
		{
			if (i == 0 || rnd() < 0.7)
				random_s_curve(&items[i]);
			else
			{
				random_concave(&items[i]);
				items[i].lo = 0.0;
				items[i].hi = INFINITY;
			}
		}
		memset(&pb, 0, sizeof(pb));
		pb.objective = NOA_ALLOC_MAX_RESPONSE;
		pb.n_items = n;
		pb.items = items;
		pb.budget = uniform(300.0, 8000.0);
		if (solve(&pb) != NOA_OK)
		{
			below++;
			continue;
		}
		shaped += ans.r.n_shaped > 0;
		gap_found += ans.r.gap_rel > 1e-9;
		dp = dp_best(items, n, pb.budget, 4000);
		if (ans.r.total_value < dp * (1.0 - 1e-9))
		{
			below++;
			worst = fmax(worst, (dp - ans.r.total_value) / dp);
		}
		if (ans.r.bound < dp * (1.0 - 1e-9))
			bound_below++;
	}
	CHECK(shaped == 60, "S-curve instances are recognised as non-concave (%d of 60)", shaped);
	CHECK(below == 0, "S-curves: never below brute-force DP on a 4000-step grid (%d below, worst %.2e)", below, worst);
	CHECK(bound_below == 0, "S-curves: the dual bound is never below the DP optimum (%d)", bound_below);
	printf("# S-curve instances with a remaining gap above 1e-9: %d of 60\n", gap_found);
}

/*
 * Small S-curve portfolios (issue 15): 6 to 10 Hill curves of shape 1.5 to 3,
 * bounded to [0, 3x] a current spend.  max_response with the budget = the
 * current total, and min_spend for 40% of the curves' joint asymptote: every
 * answer certified optimal (gap ≤ 1e-9) by branch and bound, and checked
 * against brute-force DP on a grid (never below it; for min_spend no grid
 * allocation reaches the target with 0.1% less).
 */
static void
test_small_s_portfolios(void)
{
	noa_alloc_item items[10];
	int			objective,
				trial,
				i;

	for (objective = 0; objective < 2; objective++)
	{
		int			not_optimal = 0,
					grid_fails = 0,
					branched = 0;
		double		worst_gap = 0.0;

		for (trial = 0; trial < 30; trial++)
		{
			noa_alloc_problem pb;
			int			n = 6 + trial % 5;
			double		current = 0.0,
						asymptote = 0.0,
						dp;

			for (i = 0; i < n; i++)
			{
				double		c = uniform(100.0, 1000.0);

				memset(&items[i], 0, sizeof(items[i]));
				items[i].model = NOA_MODEL_HILL;
				items[i].param[0] = uniform(500.0, 5000.0);
				items[i].param[1] = c * uniform(0.5, 1.5);
				items[i].param[2] = uniform(1.5, 3.0);
				items[i].weight = uniform(1.0, 4.0);
				items[i].lo = 0.0;
				items[i].hi = 3.0 * c;
				items[i].group = -1;
				current += c;
				asymptote += items[i].weight * items[i].param[0];
			}
			memset(&pb, 0, sizeof(pb));
			pb.n_items = n;
			pb.items = items;
			if (objective == 0)
			{
				pb.objective = NOA_ALLOC_MAX_RESPONSE;
				pb.budget = current;
			}
			else
			{
				pb.objective = NOA_ALLOC_MIN_SPEND;
				pb.budget = INFINITY;
				pb.target = 0.4 * asymptote;
			}
			if (solve(&pb) != NOA_OK)
			{
				not_optimal++;
				continue;
			}
			if (ans.r.status != NOA_ALLOC_OPTIMAL || !(ans.r.gap_rel <= 1e-9))
			{
				not_optimal++;
				worst_gap = fmax(worst_gap, ans.r.gap_rel);
			}
			branched += ans.r.method == NOA_ALLOC_METHOD_BRANCH_BOUND;
			if (objective == 0)
			{
				dp = dp_best(items, n, pb.budget, 800);
				grid_fails += ans.r.total_value < dp * (1.0 - 1e-12) || ans.r.bound < dp * (1.0 - 1e-12);
			}
			else
			{
				dp = dp_best(items, n, 0.999 * ans.r.total_spend, 800);
				grid_fails += ans.r.total_value < pb.target * (1.0 - 1e-9) || dp >= pb.target;
			}
		}
		CHECK(not_optimal == 0, "small S-curve portfolios, %s: every answer certified optimal (%d of 30 not, worst gap %.2e)",
			  objective == 0 ? "max_response" : "min_spend", not_optimal, worst_gap);
		CHECK(branched > 0, "small S-curve portfolios, %s: branch and bound ran (%d of 30)",
			  objective == 0 ? "max_response" : "min_spend", branched);
		CHECK(grid_fails == 0, "small S-curve portfolios, %s: consistent with brute-force DP on an 800-step grid (%d not)",
			  objective == 0 ? "max_response" : "min_spend", grid_fails);
	}
}

/* A larger S-curve portfolio: feasible, within its reported gap, better than all-relaxed rounding. */
static void
test_s_curves_large(void)
{
	static noa_alloc_item items[MAX_N];
	noa_alloc_problem pb;
	double		sum = 0.0;
	int			n = 300,
				i,
				bad = 0;

	for (i = 0; i < n; i++)
	{
		if (i % 3 == 0)
			random_s_curve(&items[i]);
		else
			random_concave(&items[i]);
	}
	memset(&pb, 0, sizeof(pb));
	pb.objective = NOA_ALLOC_MAX_RESPONSE;
	pb.n_items = n;
	pb.items = items;
	pb.budget = 150000.0;
	for (i = 0; i < n; i++)
		pb.budget += items[i].lo;
	CHECK(solve(&pb) == NOA_OK, "300 items, a third S-shaped: solved");
	for (i = 0; i < n; i++)
	{
		sum += ans.x[i];
		bad += ans.x[i] < items[i].lo - 1e-9 || ans.x[i] > items[i].hi + 1e-9;
	}
	CHECK(fabs(sum - pb.budget) <= 1e-9 * pb.budget && bad == 0, "300 items: budget spent and bounds hold");
	CHECK(ans.r.bound >= ans.r.total_value && ans.r.gap_rel < 1e-2,
		  "300 items: value within the reported gap of the bound (gap %.2e, method %d)", ans.r.gap_rel, ans.r.method);
}

/* Infeasible and unbounded problems are detected and named. */
static void
test_failures(void)
{
	noa_alloc_item items[3];
	noa_alloc_group groups[2];
	noa_alloc_problem pb;
	int			i;

	for (i = 0; i < 3; i++)
	{
		random_concave(&items[i]);
		items[i].lo = 1000.0;
		items[i].hi = 5000.0;
		items[i].group = i == 2 ? 1 : 0;
	}
	memset(groups, 0, sizeof(groups));
	groups[0].max_spend = groups[1].max_spend = INFINITY;
	groups[0].max_share = groups[1].max_share = 1.0;
	memset(&pb, 0, sizeof(pb));
	pb.objective = NOA_ALLOC_MAX_RESPONSE;
	pb.n_items = 3;
	pb.items = items;
	pb.n_groups = 2;
	pb.groups = groups;

	pb.budget = 2500.0;
	CHECK(solve(&pb) == NOA_ALLOC_ERR_INFEASIBLE && ans.r.failure == NOA_ALLOC_FAIL_BUDGET &&
		  unit_close(ans.r.fail_need, 3000.0, 1e-12), "minimums above the budget: named, with the 3000 needed");

	pb.budget = 12000.0;
	groups[1].min_spend = 6000.0;
	CHECK(solve(&pb) == NOA_ALLOC_ERR_INFEASIBLE && ans.r.failure == NOA_ALLOC_FAIL_GROUP_FLOOR &&
		  ans.r.fail_group == 1, "group floor above what its items can take: group named");
	groups[1].min_spend = 0.0;

	groups[0].max_spend = 1500.0;
	CHECK(solve(&pb) == NOA_ALLOC_ERR_INFEASIBLE && ans.r.failure == NOA_ALLOC_FAIL_GROUP_CAP &&
		  ans.r.fail_group == 0, "group cap below its items' minimums: group named");
	groups[0].max_spend = INFINITY;

	groups[0].min_share = 0.7;
	groups[1].min_share = 0.5;
	CHECK(solve(&pb) == NOA_ALLOC_ERR_INFEASIBLE && ans.r.failure == NOA_ALLOC_FAIL_SHARES,
		  "minimum shares above 100%%: detected");
	groups[0].min_share = 0.0;
	groups[1].min_share = 0.6;
	CHECK(solve(&pb) == NOA_ALLOC_ERR_INFEASIBLE && ans.r.failure == NOA_ALLOC_FAIL_TOTAL,
		  "a 60%% share for a group capped at 5000 of 12000: no feasible total");
	groups[1].min_share = 0.0;

	pb.budget = 20000.0;
	CHECK(solve(&pb) == NOA_OK && ans.r.limit == NOA_ALLOC_LIMIT_BOUNDS &&
		  unit_close(ans.r.total_spend, 15000.0, 1e-12),
		  "budget above the maxima: spends 15000 and says the bounds stopped it");

	pb.budget = 3000.0;
	CHECK(solve(&pb) == NOA_OK && unit_close(ans.x[0], 1000.0, 1e-12) && ans.position[0] == NOA_ALLOC_AT_LOWER,
		  "budget equal to the minimums: every item at its minimum");

	items[1].model = NOA_MODEL_LINEAR;
	items[1].param[0] = 3.0;
	items[1].param[1] = items[1].param[2] = 0.0;
	items[1].weight = 1.0;
	items[1].hi = INFINITY;
	pb.objective = NOA_ALLOC_MAX_PROFIT;
	pb.target = 2.0;
	pb.budget = INFINITY;
	CHECK(solve(&pb) == NOA_ALLOC_ERR_UNBOUNDED && ans.r.fail_item == 1,
		  "profit with an uncapped linear curve above the target: unbounded, item named");
	pb.target = 4.0;
	CHECK(solve(&pb) == NOA_OK, "the same curve below the target: solved");

	pb.objective = NOA_ALLOC_MIN_SPEND;
	items[1].model = NOA_MODEL_EXPONENTIAL;
	items[1].param[0] = 100.0;
	items[1].param[1] = 500.0;
	items[0].hi = items[2].hi = INFINITY;
	items[0].model = items[2].model = NOA_MODEL_EXPONENTIAL;
	items[0].param[0] = items[2].param[0] = 100.0;
	items[0].param[1] = items[2].param[1] = 500.0;
	items[0].weight = items[2].weight = 1.0;
	pb.target = 400.0;
	CHECK(solve(&pb) == NOA_ALLOC_ERR_INFEASIBLE && ans.r.failure == NOA_ALLOC_FAIL_TARGET,
		  "min_spend for more than the asymptotes add up to: named");
	pb.budget = 4000.0;
	CHECK(solve(&pb) == NOA_OK && ans.r.status == NOA_ALLOC_UNREACHABLE && unit_close(ans.r.total_spend, 4000.0, 1e-9),
		  "the same target under a budget: unreachable, the closest allocation spends the budget");

	pb.objective = NOA_ALLOC_MAX_RESPONSE;
	pb.budget = NAN;
	CHECK(solve(&pb) == NOA_ERR_INVALID, "NaN budget: invalid");
	pb.budget = -1.0;
	CHECK(solve(&pb) == NOA_ERR_INVALID, "negative budget: invalid");
	pb.budget = 1000.0;
	items[0].lo = 10.0;
	items[0].hi = 5.0;
	CHECK(solve(&pb) == NOA_ERR_INVALID, "min above max: invalid");
}

static int	interrupt_calls;

static int
interrupt_after(void *arg)
{
	return ++interrupt_calls > *(int *) arg;
}

/* Interrupts stop the solve; the answer is bit-for-bit repeatable. */
static void
test_interrupt_and_determinism(void)
{
	static noa_alloc_item items[MAX_N];
	static double first[MAX_N];
	noa_alloc_group groups[2] = {{0.0, INFINITY, 0.2, 1.0}, {0.0, INFINITY, 0.0, 0.5}};
	noa_alloc_problem pb;
	int			limit = 5,
				i,
				same;

	for (i = 0; i < 200; i++)
	{
		if (i % 10 == 0)
			random_s_curve(&items[i]);
		else
			random_concave(&items[i]);
		items[i].group = i % 3 == 0 ? 0 : (i % 3 == 1 ? 1 : -1);
		items[i].lo = 0.0;
		items[i].hi = INFINITY;
	}
	memset(&pb, 0, sizeof(pb));
	pb.objective = NOA_ALLOC_MAX_RESPONSE;
	pb.n_items = 200;
	pb.items = items;
	pb.n_groups = 2;
	pb.groups = groups;
	pb.budget = 250000.0;
	pb.interrupted = interrupt_after;
	pb.interrupt_arg = &limit;
	interrupt_calls = 0;
	CHECK(solve(&pb) == NOA_ERR_INTERRUPTED, "an interrupt after 5 polls stops the solve");
	pb.interrupted = NULL;
	CHECK(solve(&pb) == NOA_OK, "the same problem solves without the interrupt");
	memcpy(first, ans.x, sizeof(double) * 200);
	solve(&pb);
	same = memcmp(first, ans.x, sizeof(double) * 200) == 0;
	CHECK(same, "solving twice gives identical bits");
}

/* A worked example with a known answer: two exponential curves. */
static void
test_known_answer(void)
{
	/* g_i = b(1 − e^{−x/k}): equal slopes b/k·e^{−x/k} ⇒ x1 − x2 = k ln(b1 k2/(b2 k1)) for equal k */
	noa_alloc_item items[2];
	noa_alloc_problem pb;

	memset(items, 0, sizeof(items));
	items[0].model = items[1].model = NOA_MODEL_EXPONENTIAL;
	items[0].param[0] = 200.0;
	items[1].param[0] = 100.0;
	items[0].param[1] = items[1].param[1] = 1000.0;
	items[0].weight = items[1].weight = 1.0;
	items[0].hi = items[1].hi = INFINITY;
	items[0].group = items[1].group = -1;
	memset(&pb, 0, sizeof(pb));
	pb.objective = NOA_ALLOC_MAX_RESPONSE;
	pb.n_items = 2;
	pb.items = items;
	pb.budget = 3000.0;
	solve(&pb);
	/* x1 + x2 = 3000, x1 − x2 = 1000 ln 2 */
	CHECK(unit_close(ans.x[0], 1500.0 + 500.0 * log(2.0), 1e-12) &&
		  unit_close(ans.x[1], 1500.0 - 500.0 * log(2.0), 1e-12),
		  "two exponentials: the closed-form split (%.9f, %.9f)", ans.x[0], ans.x[1]);
	CHECK(unit_close(ans.r.level, 0.1 * exp(-ans.x[1] / 1000.0), 1e-12), "the marginal level is their common slope");
	pb.objective = NOA_ALLOC_MAX_PROFIT;
	pb.target = 0.05;
	pb.budget = INFINITY;
	solve(&pb);
	/* 0.2 e^{−x/1000} = 0.05 ⇒ x = 1000 ln 4;  0.1 e^{−x/1000} = 0.05 ⇒ x = 1000 ln 2 */
	CHECK(unit_close(ans.x[0], 1000.0 * log(4.0), 1e-12) && unit_close(ans.x[1], 1000.0 * log(2.0), 1e-12),
		  "profit at mROAS 0.05: spend to break-even on each curve");
	CHECK(ans.r.gap_rel <= 1e-12, "profit: gap %.2e", ans.r.gap_rel);
}

int
main(void)
{
	test_known_answer();
	test_concave_max_response();
	test_against_grid();
	test_other_objectives();
	test_objectives_with_shares();
	test_s_curves_vs_dp();
	test_small_s_portfolios();
	test_s_curves_large();
	test_failures();
	test_interrupt_and_determinism();
	return unit_done();
}
