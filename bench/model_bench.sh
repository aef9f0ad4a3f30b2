#!/usr/bin/env bash
# Benchmark of noa.fit_kpi_model (issue 10): daily data, 3 years, 5 and 50 channels,
# simulated with known truth (bench/mmm_sim.py).
#  1. wall time of the fit including the holdout refit and the bootstrap intervals
#     (median of 3 runs, serial plan), holdout NRMSE, median |ROAS error| vs truth;
#  2. the same data through a Robyn-like baseline in numpy (bench/robyn_like.py:
#     ridge + random search over adstock and saturation, 2000 candidates): time,
#     holdout NRMSE (last 10% of days), median |ROAS error|;
#  3. same input under a forced-parallel plan and in another row order: identical bytes.
# Writes bench/results/model.md.  Uses a throwaway cluster unless PG* variables are set.
set -u
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_packages python3-numpy python3-scipy
build_and_install
start_cluster

out=bench/out; mkdir -p "$out"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION IF NOT EXISTS noa" >/dev/null || die "cannot create noa"

# Median wall time (ms) of a query over 3 runs, serial plans.
time_query() {
	local q="$1" i t times=()
	for i in 1 2 3; do
		t=$(psql -X -q -v ON_ERROR_STOP=1 -c "SET max_parallel_workers_per_gather = 0" -c '\timing on' -c "$q" -o /dev/null \
			| sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
		times+=("$t")
	done
	printf '%s\n' "${times[@]}" | sort -g | sed -n 2p
}

rows=""
for spec in "5 1" "50 2"; do
	set -- $spec
	m=$1; seed=$2
	/usr/bin/python3 bench/mmm_sim.py "$m" 1095 "$seed" "$out/mmm_$m.csv" "$out/truth_$m.csv" || die "simulation failed"
	psql -X -q -v ON_ERROR_STOP=1 <<SQL >/dev/null || die "load failed"
DROP TABLE IF EXISTS bench_mmm, bench_truth, bench_model;
CREATE TABLE bench_mmm (day date, channel text, spend float8, kpi float8);
\copy bench_mmm FROM '$out/mmm_$m.csv' WITH (FORMAT csv)
CREATE TABLE bench_truth (channel text, alpha float8, roas float8);
\copy bench_truth FROM '$out/truth_$m.csv' WITH (FORMAT csv)
ANALYZE bench_mmm;
SQL
	ms=$(time_query "SELECT noa.fit_kpi_model(day, channel, spend, kpi) FROM bench_mmm")
	stats=$(psql -X -q -t -A -F ' ' <<'SQL'
CREATE TABLE bench_model AS SELECT noa.fit_kpi_model(day, channel, spend, kpi) AS model FROM bench_mmm;
SELECT (SELECT round(value::numeric, 4) FROM bench_model, noa.kpi_model_diagnostics(model) WHERE item = 'nrmse_holdout'),
       (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(c.roas / t.roas - 1))::numeric, 4)
          FROM bench_model, noa.kpi_model_channels(model) c JOIN bench_truth t USING (channel)),
       (SELECT count(*) FROM bench_model, noa.kpi_model_diagnostics(model) WHERE severity = 'warning');
SQL
)
	same=$(psql -X -q -t -A <<'SQL'
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT (SELECT noa.fit_kpi_model(day, channel, spend, kpi) FROM bench_mmm)::text = (SELECT model::text FROM bench_model)
   AND (SELECT noa.fit_kpi_model(day, channel, spend, kpi ORDER BY md5(channel || day)) FROM bench_mmm)::text
       = (SELECT model::text FROM bench_model);
SQL
)
	robyn=$(/usr/bin/python3 bench/robyn_like.py "$out/mmm_$m.csv" "$out/truth_$m.csv" 2000 0.1) || die "baseline failed"
	set -- $stats; ho=$1; err=$2; warn=$3
	set -- $robyn; r_s=$1; r_ho=$2; r_err=$3
	rows="$rows| $m × 1095 days | $ms ms | $ho | $err | $warn | $same | $(awk -v s="$r_s" 'BEGIN { printf "%.0f", s * 1000 }') ms | $r_ho | $r_err |
"
	log "$m channels: noa $ms ms (holdout NRMSE $ho, ROAS error $err); baseline ${r_s}s ($r_ho, $r_err)"
done
psql -X -q -c "DROP TABLE IF EXISTS bench_mmm, bench_truth, bench_model" >/dev/null

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
load=$(cut -d' ' -f1-3 /proc/loadavg)
cat > bench/results/model.md <<MD
# noa.fit_kpi_model benchmark

Machine: $cpu, $(nproc) CPUs; PostgreSQL $(psql -X -q -t -A -c 'SHOW server_version'); $(date -u +%Y-%m-%d).
Load average at the end of the run (other jobs share the machine): $load.
Data: bench/mmm_sim.py — daily, 3 years (1,095 days), tanh saturation of normalised geometric
adstock, trend, weekday and yearly season, AR(1) noise (ρ = 0.4); seeds 1 (5 channels) and 2 (50).
noa: one query, including the holdout refit (last 10%) and 100 moving-block bootstrap replicates;
median of 3 runs, serial plan.  Baseline: bench/robyn_like.py, ridge + random search (2000
candidates) over Robyn's adstock θ, Hill α, γ and λ, selected by training NRMSE + DECOMP.RSSD.
Holdout NRMSE = RMSE of the last 10% of days / range of the KPI (both tools, same split).
"identical" = same bytes under a forced-parallel plan and with shuffled input order.

| data | noa time | noa holdout NRMSE | noa median ROAS error | noa warnings | identical | baseline time | baseline holdout NRMSE | baseline median ROAS error |
|---|---|---|---|---|---|---|---|---|
$rows
Targets (issue 10): 5 channels ≤ 1 s, 50 channels ≤ 10 s, including intervals.
MD
cat bench/results/model.md
