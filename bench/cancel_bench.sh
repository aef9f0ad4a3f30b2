#!/usr/bin/env bash
# Cancel latency of every public noa function on large inputs (issue 17).
# Each case runs under statement_timeout (default 1000 ms) and the wall time
# to the cancel error is measured; latency = elapsed - timeout.  The target is
# at most 250 ms.  Writes bench/results/cancel.md.  Runs on a throwaway
# cluster unless PG* variables name a server.
set -u
cd "$(dirname "$0")/.."
. scripts/lib.sh
timeout_ms=${NOA_CANCEL_TIMEOUT_MS:-1000}

ensure_packages
build_and_install
start_cluster
db=noa_cancel_bench
psql -q -X -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
export PGDATABASE=$db
psql -q -X -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
CREATE EXTENSION noa;
-- 5,000,000 points of one curve
CREATE TABLE pts AS SELECT (g % 5000 + 1)::float8 AS x, 80 * (g % 5000 + 1) / ((g % 5000 + 1) + 900.0) + (g % 7) * 0.1 AS y
FROM generate_series(1, 5000000) AS g;
ANALYZE;
SQL
# 5,000 campaigns x 730 days of ad rows (3,650,000 rows; bench/scale_data.sql): the prescriptive
# layer at a large advertiser's scale (issue 16), and 900 x 730 for the grouped fit
psql -q -X -v campaigns=5000 -v tbl=ads -f bench/scale_data.sql >/dev/null 2>&1
psql -q -X -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
CREATE TABLE ads900 AS SELECT * FROM ads WHERE campaign_id <= 'c00900';
ANALYZE ads900;
-- a portfolio of 100,000 items in 80,000 groups, and one of 20,000 items
CREATE TABLE items AS
SELECT 'k' || g AS key, 'g' || (g % 80000) AS grp, 1000 + g % 500 AS spend, 40.0 AS vpu,
       format('v1:hill;status=converged;n=100;iterations=5;starts=3;converged_starts=3;flags=0;params=%s,%s,0.8;cov=4,2,0,2,100,0,0,0,0.0001;ssr=90;sigma=0.96;r2=0.95;aicc=10;x_min=10;x_max=3000;x_mean=400;y_mean=40',
              60 + g % 40, 300 + g % 200)::noa.curve AS c
FROM generate_series(1, 100000) AS g;
CREATE TABLE pf AS SELECT noa.portfolio(key, c, spend, NULL, NULL, grp, vpu, false) AS p FROM items;
CREATE TABLE pf20k AS SELECT noa.portfolio(key, c, spend, NULL, NULL, grp, vpu, false) AS p FROM items WHERE substr(key, 2)::int <= 20000;
CREATE TABLE groups AS SELECT string_agg(format('g%s=0.00001', g), ', ') AS spec FROM generate_series(0, 79999) AS g;
CREATE TABLE changes AS SELECT string_agg(format('raise group g%s by 1', 1 + g % 20000), '; ') AS ch FROM generate_series(1, 40000) AS g;
SQL

# run NAME SQL: print "| name | server time | latency |", the time psql's \timing reports for the
# statement (no client start-up), latency = that time - timeout.
run() {
	local name=$1 sql=$2 out ms
	out=$(psql -X -q -c '\timing on' -c "SET statement_timeout = $timeout_ms" -c "$sql" 2>&1)
	ms=$(printf '%s\n' "$out" | sed -n 's/^Time: \([0-9]*\)\..*/\1/p' | tail -1)
	if printf '%s' "$out" | grep -q 'canceling statement due to statement timeout\|canceling noa computation'; then
		printf '| %s | %d | %d |\n' "$name" "$ms" "$((ms - timeout_ms))"
	else
		printf '| %s | %s | finished before the timeout%s |\n' "$name" "${ms:-?}" \
			"$(printf '%s' "$out" | grep -m1 ERROR | sed 's/^/: /; s/|/\\|/g')"
	fi
}

{
	echo "# Cancel latency (statement_timeout = $timeout_ms ms)"
	echo
	echo "Measured by bench/cancel_bench.sh on $(date -u +%Y-%m-%d), $(nproc) cores: the statement's time as psql's"
	echo "\\timing reports it; latency = time - timeout (target at most 250 ms)."
	echo
	echo "| case | time ms | latency ms |"
	echo "| --- | ---: | ---: |"
	run "reference: pg_sleep(10)" "SELECT pg_sleep(10)"
	run "fit_curve over 5,000,000 points" "SET noa.max_points = 5000000; SELECT noa.fit_curve(x, y, 'auto') FROM pts"
	run "fit_curve grouped: 900 campaigns x 730 days" "SELECT campaign_id, noa.fit_curve(spend::float8, conversions::float8, 'auto') FROM ads900 GROUP BY 1"
	run "portfolio aggregate: 100 x 100,000 items" "SELECT count(*) FROM (SELECT r, noa.portfolio(key || r, c, spend) FROM items, generate_series(1, 100) r GROUP BY r) x"
	run "portfolio text output: 100,000 items, 5 times" "SELECT sum(length(p::text)) FROM pf, generate_series(1, 5)"
	run "portfolio binary output: 100,000 items, 20 times" "SELECT sum(length(noa.portfolio_send(p))) FROM pf, generate_series(1, 20)"
	run "allocate over 100,000 items" "SELECT count(*) FROM pf, noa.allocate(p, 1e8)"
	run "allocation_summary, S-curve search, 100,000 items" "SELECT * FROM pf, noa.allocation_summary(p, objective => 'max_profit', target => 1)"
	run "group limits: 80,000 groups" "SELECT * FROM pf, groups, noa.allocation_summary(p, 1e8, group_min_share => spec)"
	run "simulate: 40,000 statements over 20,000 items" "SELECT count(*) FROM pf20k, changes, noa.simulate(p, ch)"
	run "data_quality: 3,650,000 rows" "SELECT count(*) FROM noa.data_quality('ads', as_of => '2025-12-31')"
	run "waste: 3,650,000 rows" "SELECT count(*) FROM noa.waste('ads', as_of => '2025-12-31')"
	run "recommendations: 3,650,000 rows" "SELECT count(*) FROM noa.recommendations('ads', as_of => '2025-12-31')"
	run "curve accessors over 5,000,000 rows" "SELECT sum(noa.marginal_roas_lo(c, x, 40)) FROM (SELECT c FROM items LIMIT 1) i, pts"
	run "curve_points, 1,000,000 curves" "SELECT count(*) FROM items, generate_series(1, 10) r, noa.curve_points(c, 3000, 50)"
} > bench/results/cancel.md.tmp
mv bench/results/cancel.md.tmp bench/results/cancel.md
cat bench/results/cancel.md
psql -q -X -d postgres -c "DROP DATABASE $db" >/dev/null
stop_cluster
