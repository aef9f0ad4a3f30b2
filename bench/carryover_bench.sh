#!/usr/bin/env bash
# Benchmark of the time-aware fit (issue 10): noa.fit_curve(day, spend, response) over
# the demo's 40 campaigns x 731 days, with budgets changing every 35, 7 and 1 days
# (demo/generate.sql -v budget_change_days=N), against the same-day fit of the same rows.
# Median wall time of 5 runs, serial plans.  Writes bench/results/carryover.md.
# Uses a throwaway cluster unless PG* variables are set.
set -u
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_packages
build_and_install
start_cluster

psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION IF NOT EXISTS noa" || die "cannot create extension noa"

# Median wall time (ms) of a query over 5 runs, serial plans.
time_query() {
	local q="$1" i t times=()
	for i in 1 2 3 4 5; do
		t=$(psql -X -q -v ON_ERROR_STOP=1 -c "SET max_parallel_workers_per_gather = 0" -c '\timing on' -c "$q" -o /dev/null \
			| sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
		times+=("$t")
	done
	printf '%s\n' "${times[@]}" | sort -g | sed -n 3p
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
rows=""
for days in 35 7 1; do
	psql -X -q -v ON_ERROR_STOP=1 -v budget_change_days=$days -f demo/generate.sql >/dev/null 2>&1 \
		|| die "demo generation failed"
	# one row per day and campaign: the demo's planted duplicate day is dropped
	psql -X -q -v ON_ERROR_STOP=1 -c "DROP TABLE IF EXISTS bench_rows" \
		-c "CREATE TABLE bench_rows AS SELECT DISTINCT date_day, campaign_id, spend::float8 AS spend, conversions::float8 AS conversions FROM noa_demo.ad_spend" \
		-c "ANALYZE bench_rows" || die "bench setup failed"
	timed=$(time_query "SELECT campaign_id, noa.fit_curve(date_day, spend, conversions) FROM bench_rows GROUP BY campaign_id")
	plain=$(time_query "SELECT campaign_id, noa.fit_curve(spend, conversions) FROM bench_rows GROUP BY campaign_id")
	n=$(psql -X -q -t -A -c "SELECT count(*) FROM bench_rows")
	rows="$rows| $days | $n | $timed | $plain |
"
done
psql -X -q -c "DROP TABLE bench_rows" -c "DROP SCHEMA noa_demo CASCADE" >/dev/null 2>&1

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
cores=$(nproc)
mkdir -p bench/results
cat > bench/results/carryover.md <<MD
# Time-aware fit: noa.fit_curve(day, spend, response) on the demo

Machine: $cpu, $cores cores, load average $load at the start (other jobs share the machine);
PostgreSQL $(psql -X -q -t -A -c "SHOW server_version"); $(date -u +%Y-%m-%d).
40 campaigns, one curve each (Hill), serial plans, median of 5 runs (\`bench/carryover_bench.sh\`).

| budgets change every (days) | rows | with carryover (ms) | same-day fit (ms) |
|---|---|---|---|
$rows
Target (issue 10): the time-aware fit over the demo in at most a few seconds.
MD
cat bench/results/carryover.md
