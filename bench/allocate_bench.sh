#!/usr/bin/env bash
# Benchmark of budget allocation (issue 4).  Writes bench/results/allocate.md.
#  1. the allocation core on 10,000 items with bounds and group floors (every
#     objective, concave and with 30% S-shaped curves): median of 7 runs;
#  2. the same core against scipy.optimize.minimize(method="SLSQP") (Debian's
#     python3-scipy, /usr/bin/python3) on the same 100 and 500 concave Hill
#     curves: objective and time side by side;
#  3. the SQL route end to end on 10,000 items (portfolio aggregate, then
#     noa.allocation_summary and noa.allocate), on a throwaway cluster unless
#     PG* variables name a server.
set -u
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_packages python3-scipy

out=bench/out
mkdir -p "$out"

# ---- 1. a C driver for the numeric core (no PostgreSQL involved) ----
cat > "$out/alloc_bench.c" <<'C'
/* alloc_bench.c — times noa_alloc_solve (written by bench/allocate_bench.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>
#include "alloc_solver.h"

static unsigned long long state = 88172645463325252ULL;

/* xorshift64: deterministic instances */
static double
rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (state >> 11) * (1.0 / 9007199254740992.0);
}

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return x < y ? -1 : x > y;
}

/* Solve `repeat` times; print the median time and the last answer's figures (value and spend out). */
static void
run(const char *label, const noa_alloc_problem *pb, int repeat, double *value, double *spend)
{
	int			n = pb->n_items;
	double	   *x = calloc(n, sizeof(double)),
			   *price = calloc(n, sizeof(double)),
				times[64];
	int		   *pos = calloc(n, sizeof(int)),
				gs[16],
				r,
				rc = 0;
	noa_alloc_result res;

	memset(&res, 0, sizeof(res));
	res.x = x;
	res.price = price;
	res.position = pos;
	res.group_state = gs;
	for (r = 0; r < repeat; r++)
	{
		double		t0 = now_ms();

		rc = noa_alloc_solve(pb, &res);
		times[r] = now_ms() - t0;
	}
	qsort(times, repeat, sizeof(double), cmp_double);
	printf("%s|%d|%.2f|%.17g|%.17g|%.3g|%d|%d|%d\n", label, rc, times[repeat / 2], res.total_value,
		   res.total_spend, res.gap_rel, res.passes, res.status, res.n_shaped);
	*value = res.total_value;
	*spend = res.total_spend;
	free(x);
	free(price);
	free(pos);
}

/* 10,000 items of mixed concave families (and optionally S-curves), bounds, 4 groups. */
static void
scale(int n, int repeat, double s_share)
{
	noa_alloc_item *it = calloc(n, sizeof(noa_alloc_item));
	noa_alloc_group gr[4];
	noa_alloc_problem pb;
	double		current_total = 0.0,
				value,
				spend,
				v2,
				s2;
	int			i,
				g;

	for (i = 0; i < n; i++)
	{
		double		current = 200.0 + 4800.0 * rnd();
		int			family = i % 4;

		it[i].param[0] = 50.0 + 1950.0 * rnd();
		it[i].param[1] = 200.0 + 7800.0 * rnd();
		if (rnd() < s_share)
		{
			it[i].model = NOA_MODEL_HILL;
			it[i].param[2] = 1.5 + 2.0 * rnd();
		}
		else if (family == 0 || family == 1)
		{
			it[i].model = NOA_MODEL_HILL;
			it[i].param[2] = 0.4 + 0.6 * rnd();
		}
		else if (family == 2)
			it[i].model = NOA_MODEL_EXPONENTIAL;
		else
			it[i].model = NOA_MODEL_MICHAELIS_MENTEN;
		it[i].weight = 1.0 + 39.0 * rnd();
		it[i].lo = 0.5 * current;
		it[i].hi = 2.0 * current;
		it[i].group = i % 4;
		current_total += current;
	}
	for (g = 0; g < 4; g++)
	{
		gr[g].min_spend = 0.0;
		gr[g].max_spend = INFINITY;
		gr[g].min_share = 0.0;
		gr[g].max_share = 1.0;
	}
	gr[0].min_share = 0.30;				/* awareness keeps at least 30% */
	gr[1].min_spend = 0.28 * current_total;	/* an absolute floor */
	memset(&pb, 0, sizeof(pb));
	pb.n_items = n;
	pb.items = it;
	pb.n_groups = 4;
	pb.groups = gr;
	pb.objective = NOA_ALLOC_MAX_RESPONSE;
	pb.budget = current_total;
	run(s_share > 0 ? "max_response, 30% S-curves" : "max_response", &pb, repeat, &value, &spend);
	if (s_share == 0.0)
	{
		pb.objective = NOA_ALLOC_MAX_PROFIT;
		pb.target = 2.0;
		pb.budget = INFINITY;
		run("max_profit (target mROAS 2)", &pb, repeat, &v2, &s2);
		pb.objective = NOA_ALLOC_MIN_SPEND;
		pb.target = 0.98 * value;
		run("min_spend (98% of the max_response value)", &pb, repeat, &v2, &s2);
		pb.objective = NOA_ALLOC_TARGET_ROAS;
		pb.target = 1.02 * value / spend;
		run("target_roas (102% of the max_response ROAS)", &pb, repeat, &v2, &s2);
	}
	free(it);
}

/* Concave Hill items from the CSV of allocate_slsqp.py; max_response at the budget. */
static void
from_file(const char *path, double budget, int repeat)
{
	noa_alloc_item *it = calloc(100000, sizeof(noa_alloc_item));
	noa_alloc_problem pb;
	FILE	   *f = fopen(path, "r");
	double		b, k, s, w, lo, hi, cur;
	int			n = 0;

	while (f && fscanf(f, "%lf,%lf,%lf,%lf,%lf,%lf,%lf", &b, &k, &s, &w, &lo, &hi, &cur) == 7)
	{
		it[n].model = NOA_MODEL_HILL;
		it[n].param[0] = b;
		it[n].param[1] = k;
		it[n].param[2] = s;
		it[n].weight = w;
		it[n].lo = lo;
		it[n].hi = hi;
		it[n].group = -1;
		n++;
	}
	if (f)
		fclose(f);
	memset(&pb, 0, sizeof(pb));
	pb.objective = NOA_ALLOC_MAX_RESPONSE;
	pb.n_items = n;
	pb.items = it;
	pb.budget = budget;
	run(path, &pb, repeat, &b, &k);
	free(it);
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "scale") == 0)
	{
		scale(10000, 7, 0.0);
		scale(10000, 7, 0.3);
	}
	else if (argc >= 4 && strcmp(argv[1], "file") == 0)
		from_file(argv[2], atof(argv[3]), 7);
	else
		return 1;
	return 0;
}
C
cc -O2 -std=gnu99 -fno-fast-math -Isrc/planner/core -Isrc/curve/core -o "$out/alloc_bench" "$out/alloc_bench.c" \
	src/planner/core/*.c src/curve/core/curve_model.c -lm || die "cannot build the benchmark driver"
"$out/alloc_bench" scale > "$out/scale.txt" || die "scale benchmark failed"

# ---- 2. the same instances through scipy's SLSQP and through noa's core ----
: > "$out/slsqp.txt"
for n in 100 500; do
	/usr/bin/python3 bench/allocate_slsqp.py make "$n" 42 "$out/hill_$n.csv" || die "instance generation failed"
	budget=$(awk -F, '{ s += $7 } END { printf "%.6f", s }' "$out/hill_$n.csv")
	py=$(/usr/bin/python3 bench/allocate_slsqp.py solve "$out/hill_$n.csv" "$budget") || die "SLSQP failed"
	noa=$("$out/alloc_bench" file "$out/hill_$n.csv" "$budget") || die "noa failed"
	py_value=$(printf '%s\n' "$py" | sed -n 's/^value=//p')
	py_s=$(printf '%s\n' "$py" | sed -n 's/^seconds=//p')
	py_status=$(printf '%s\n' "$py" | sed -n 's/^status=//p' | tr '_' ' ')
	noa_value=$(printf '%s\n' "$noa" | cut -d'|' -f4)
	noa_ms=$(printf '%s\n' "$noa" | cut -d'|' -f3)
	noa_gap=$(printf '%s\n' "$noa" | cut -d'|' -f6)
	echo "$n|$budget|$py_value|$py_s|$py_status|$noa_value|$noa_ms|$noa_gap" >> "$out/slsqp.txt"
done

# ---- 3. the SQL route, end to end ----
build_and_install
start_cluster
psql -X -q -v ON_ERROR_STOP=1 <<'SQL' || die "SQL set-up failed"
CREATE EXTENSION IF NOT EXISTS noa;
DROP TABLE IF EXISTS bench_alloc;
CREATE TABLE bench_alloc AS
SELECT 'c' || lpad(i::text, 5, '0') AS campaign_id, 'role' || (i % 4) AS role,
	format('v1:hill;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=0;params=%s,%s,%s;'
		'cov=25,1,0,1,900,0,0,0,0.0004;ssr=90;sigma=1;r2=0.95;aicc=10;x_min=50;x_max=9000;x_mean=900;y_mean=60',
		50 + (i * 37) % 1950, 200 + (i * 53) % 7800, 0.4 + ((i * 7) % 60) / 100.0)::noa.curve AS curve,
	(200 + (i * 97) % 4800)::float8 AS spend, (1 + i % 39)::float8 AS value_per_unit
FROM generate_series(1, 10000) i;
SQL
time_query() {
	local q="$1" i t times=()
	for i in 1 2 3 4 5; do
		t=$(psql -X -q -v ON_ERROR_STOP=1 -c '\timing on' -c "$q" -o /dev/null | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
		times+=("$t")
	done
	printf '%s\n' "${times[@]}" | sort -g | sed -n 3p
}
pf="(SELECT noa.portfolio(campaign_id, curve, spend, 0.5 * spend, 2 * spend, role, value_per_unit, false) AS p FROM bench_alloc)"
agg_ms=$(time_query "SELECT length(p::text) FROM $pf q")
sum_ms=$(time_query "SELECT s.status FROM $pf q, noa.allocation_summary(p, budget => 26000000, group_min_share => 'role0=0.3', group_min_spend => 'role1=7000000') s")
rows_ms=$(time_query "SELECT count(*) FROM $pf q, noa.allocate(p, budget => 26000000, group_min_share => 'role0=0.3', group_min_spend => 'role1=7000000') a")
sql_check=$(psql -X -t -A -c "SELECT status || ', gap ' || round(optimality_gap_rel::numeric, 18) || ', spent ' || recommended_spend FROM $pf q, noa.allocation_summary(p, budget => 26000000, group_min_share => 'role0=0.3', group_min_spend => 'role1=7000000')")
pg_version=$(psql -X -t -A -c 'SELECT version()' | cut -d, -f1)
noa_version=$(psql -X -t -A -c 'SELECT noa.version()')
psql -X -q -c "DROP TABLE bench_alloc"

# ---- results ----
{
	echo "# Budget allocation benchmark"
	echo
	echo "Generated by \`bench/allocate_bench.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')),"
	echo "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $pg_version, $noa_version."
	echo
	echo "## 1. The allocation core on 10,000 items"
	echo
	echo "Mixed concave curves (Hill s 0.4-1, exponential, Michaelis-Menten), every item bounded to"
	echo "[0.5x, 2x] its current spend, 4 groups: one keeps at least 30% of the spend (a share floor),"
	echo "one at least 28% of today's total (an absolute floor).  Median of 7 runs, one core, \`-O2\`."
	echo
	echo "| objective | time | passes over the items | certified relative gap | status |"
	echo "|---|---|---|---|---|"
	while IFS='|' read -r label rc ms value spend gap passes status shaped; do
		st=$([ "$status" = 0 ] && echo optimal || ([ "$status" = 1 ] && echo within_gap || echo target_not_reachable))
		echo "| $label | $ms ms | $passes | $gap | $st |"
	done < "$out/scale.txt"
	echo
	echo "Target: 10,000 items with bounds and group floors in at most 50 ms."
	echo
	echo "## 2. Against scipy.optimize.minimize(method=\"SLSQP\")"
	echo
	echo "The same concave Hill curves (b 50-2000, k 200-8000, s 0.4-1, value per unit 1-40, bounds"
	echo "[0.1x, 3x] a current spend), budget = the current total, maximise value.  SLSQP gets the"
	echo "analytic gradient, the budget as an equality, ftol 1e-12 and starts from the current spends"
	echo "scaled to the budget (the usual PyMC-Marketing / LightweightMMM route); times exclude Python start-up."
	echo
	echo "| items | SLSQP value | SLSQP time | SLSQP exit | noa value | noa time | noa better by | speed ratio | noa certified gap |"
	echo "|---|---|---|---|---|---|---|---|---|"
	while IFS='|' read -r n budget pv ps pst nv nms ngap; do
		better=$(awk -v a="$nv" -v b="$pv" 'BEGIN { printf "%.3g", a - b }')
		ratio=$(awk -v s="$ps" -v m="$nms" 'BEGIN { printf "%.0fx", s * 1000 / m }')
		pms=$(awk -v s="$ps" 'BEGIN { printf "%.1f", s * 1000 }')
		echo "| $n | $(printf '%.6f' "$pv") | $pms ms | $pst | $(printf '%.6f' "$nv") | $nms ms | $better | $ratio | $ngap |"
	done < "$out/slsqp.txt"
	echo
	echo "## 3. Through SQL, end to end (10,000 campaigns)"
	echo
	echo "| query (median of 5) | time |"
	echo "|---|---|"
	echo "| \`noa.portfolio(...)\` aggregate over 10,000 rows (and its text form) | ${agg_ms} ms |"
	echo "| aggregate + \`noa.allocation_summary(...)\` with a share floor and an absolute floor | ${sum_ms} ms |"
	echo "| aggregate + \`noa.allocate(...)\`: 10,001 rows with intervals and explanations | ${rows_ms} ms |"
	echo
	echo "Answer: $sql_check."
} > bench/results/allocate.md
cat bench/results/allocate.md
