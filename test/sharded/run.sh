#!/usr/bin/env bash
# noa on sharded PostgreSQL (postgres_fdw): three throwaway clusters with the
# demo's ad_spend hash-partitioned by campaign over them (cluster.sh); checks
# that every question in queries.sql gets exactly the single-server answer
# (text form equal) and that EXPLAIN shows the fits pushed to the shards where
# PostgreSQL can push them.  Ends with "sharded: N passed, M failed".
# Run alone, it builds and installs noa first; scripts/test.sh sets
# NOA_INSTALLED=1 because it has just done that.
set -u
cd "$(dirname "$0")/../.." || exit 1
. scripts/lib.sh
. test/sharded/cluster.sh

if [ "${NOA_INSTALLED:-}" != 1 ]; then
	ensure_packages
	build_and_install
fi
# Always its own clusters, even when the rest of the suite runs against a
# server named by PGHOST/PGPORT/PGDATABASE.
sharded_start
sharded_load demo/generate.sql
for db in noa_single noa_shard; do
	node_psql 0 -d "$db" -c "CREATE VIEW noa_demo.ad_spend_2025 AS
		SELECT * FROM noa_demo.ad_spend WHERE date_day >= date '2025-01-01'" >/dev/null || die "cannot create the view in $db"
done

passed=0 failed=0
# Record one check: its name and whether the command given after it succeeded.
check() {
	local name=$1; shift
	if "$@"; then passed=$((passed + 1)); echo "ok - $name"
	else failed=$((failed + 1)); echo "not ok - $name"; fi
}

# Every node holds some of the campaigns, and together all the rows.
rows_per_node() {
	local counts
	counts=$(node_psql 0 -d noa_shard -At -c "SELECT (SELECT count(*) FROM noa_demo.ad_spend_p0) || ' '
		|| (SELECT count(*) FROM noa_demo.ad_spend_p1) || ' ' || (SELECT count(*) FROM noa_demo.ad_spend_p2)
		|| ' ' || (SELECT count(*) FROM noa_demo.ad_spend)")
	local single
	single=$(node_psql 0 -d noa_single -At -c 'SELECT count(*) FROM noa_demo.ad_spend')
	echo "# rows per partition (node 0, 1, 2, all): $counts; single server: $single"
	local p0 p1 p2 all
	read -r p0 p1 p2 all <<<"$counts"
	[ "$p0" -gt 0 ] && [ "$p1" -gt 0 ] && [ "$p2" -gt 0 ] && [ "$all" = "$single" ] && [ $((p0 + p1 + p2)) = "$single" ]
}
check "the rows are spread over all three nodes" rows_per_node

# The same questions on both databases, split into one file per answer.
answers() {
	local db=$1 dir=$sharded_root/answers_$1
	mkdir -p "$dir"
	node_psql 0 -d "$db" -A -f test/sharded/queries.sql >"$sharded_root/$db.out" 2>"$sharded_root/$db.err" \
		|| { cat "$sharded_root/$db.err" >&2; return 1; }
	awk -v dir="$dir" '/^== / { file = dir "/" $2; next } file { print > file }' "$sharded_root/$db.out"
}
# Both at once: the shards then work while the single server does.
answers noa_single & single_pid=$!
answers noa_shard || die "the queries failed on the sharded database"
wait "$single_pid" || die "the queries failed on the single server"

# One answer: present and not empty on the single server, and the same text sharded.
same_answer() {
	local a=$sharded_root/answers_noa_single/$1 b=$sharded_root/answers_noa_shard/$1
	[ -s "$a" ] && [ -s "$b" ] || { echo "# $1: missing"; return 1; }
	grep -q '^(0 rows)$' "$a" && { echo "# $1: no rows"; return 1; }
	cmp -s "$a" "$b" || { diff "$a" "$b" | head -20 | sed 's/^/# /'; return 1; }
}
for name in $(sed -n 's/^\\echo == //p' test/sharded/queries.sql); do
	check "sharded answer equals single-server answer: $name" same_answer "$name"
done

# Plans on the coordinator, with the settings of queries.sql.
plan() {
	node_psql 0 -d noa_shard -At -c 'SET enable_partitionwise_aggregate = on' \
		-c "EXPLAIN (VERBOSE, COSTS OFF) $1"
}
# The text of the question NAME in queries.sql, without its semicolon.
query_named() {
	sed -n "/^\\\\echo == $1\$/,/^\$/p" test/sharded/queries.sql | sed -e '1d' -e 's/;$//'
}
# How many plan lines match a pattern.
count_in() { printf '%s\n' "$1" | grep -cE "$2"; }

by_campaign='SELECT campaign_id, noa.fit_curve(spend::float8, conversions::float8) FROM noa_demo.ad_spend GROUP BY campaign_id'
pushed_by_campaign() {
	local p; p=$(plan "$by_campaign")
	[ "$(count_in "$p" 'Remote SQL: SELECT campaign_id, noa\.fit_curve\(.* GROUP BY 1$')" = 2 ] \
		&& [ "$(count_in "$p" 'Async Foreign Scan')" = 2 ] \
		&& [ "$(count_in "$p" 'Partial|Finalize')" = 0 ] \
		|| { printf '%s\n' "$p" | sed 's/^/# /'; return 1; }
}
check "EXPLAIN: fit_curve GROUP BY campaign runs whole on each shard, scanned asynchronously" pushed_by_campaign

# With a model name, fit_curve is computed at the coordinator: postgres_fdw
# sends a collatable argument (text) only when its collation comes from a
# column of the foreign table, never for a constant such as 'auto'.
local_auto() {
	local p; p=$(plan "SELECT campaign_id, noa.fit_curve(spend::float8, conversions::float8, 'auto') FROM noa_demo.ad_spend GROUP BY campaign_id")
	[ "$(count_in "$p" 'Remote SQL: SELECT campaign_id, spend, conversions FROM noa_demo\.ad_spend_p[12]$')" = 2 ] \
		&& [ "$(count_in "$p" 'Remote SQL: .*fit_curve')" = 0 ] \
		|| { printf '%s\n' "$p" | sed 's/^/# /'; return 1; }
}
check "EXPLAIN: fit_curve(..., 'auto') GROUP BY campaign pulls the rows (text constant not shippable)" local_auto

pushed_accessors() {
	local p; p=$(plan "$(query_named accessors_by_campaign)")
	[ "$(count_in "$p" 'Remote SQL: SELECT campaign_id, noa\.marginal_roas\(noa\.fit_curve\(.*noa\.breakeven_spend\(noa\.fit_curve\(.* GROUP BY 1$')" = 2 ] \
		|| { printf '%s\n' "$p" | sed 's/^/# /'; return 1; }
}
check "EXPLAIN: marginal_roas and breakeven_spend of a fit GROUP BY campaign are computed on the shards" pushed_accessors

pushed_portfolio() {
	local p; p=$(plan "$(query_named portfolio_allocate)")
	[ "$(count_in "$p" 'Remote SQL: SELECT campaign_id, platform, noa\.fit_curve\(.*, avg\(spend\) FILTER .* GROUP BY 1, 2$')" = 2 ] \
		|| { printf '%s\n' "$p" | sed 's/^/# /'; return 1; }
}
check "EXPLAIN: the fits and spends behind noa.portfolio -> noa.allocate are computed on the shards" pushed_portfolio

# GROUP BY platform cuts across the partitions: PostgreSQL 15 cannot send a
# partial aggregate to a foreign server, so the shards send their rows and the
# coordinator runs one partial fit per partition, combined by fit_curve_combine.
partial_by_platform() {
	local p; p=$(plan 'SELECT platform, noa.fit_curve(spend::float8, conversions::float8) FROM noa_demo.ad_spend GROUP BY platform')
	[ "$(count_in "$p" 'Partial (Hash|Group)Aggregate')" = 3 ] \
		&& [ "$(count_in "$p" 'Finalize (Hash|Group)Aggregate')" = 1 ] \
		&& [ "$(count_in "$p" 'Remote SQL: SELECT platform, spend, conversions FROM ')" = 2 ] \
		&& [ "$(count_in "$p" 'Remote SQL: .*fit_curve')" = 0 ] \
		|| { printf '%s\n' "$p" | sed 's/^/# /'; return 1; }
}
check "EXPLAIN: fit_curve GROUP BY platform pulls rows and combines partial fits at the coordinator" partial_by_platform

# Without noa in the server's extensions option, postgres_fdw keeps the fit local.
needs_extensions_option() {
	local p
	p=$(node_psql 0 -d noa_shard -At -c 'BEGIN' -c 'ALTER SERVER shard1 OPTIONS (DROP extensions)' \
		-c 'SET enable_partitionwise_aggregate = on' -c "EXPLAIN (VERBOSE, COSTS OFF) $by_campaign" -c 'ROLLBACK')
	[ "$(count_in "$p" 'Remote SQL: SELECT campaign_id, noa\.fit_curve\(.* FROM noa_demo\.ad_spend_p2 GROUP BY 1$')" = 1 ] \
		&& [ "$(count_in "$p" 'Remote SQL: .*fit_curve.* FROM noa_demo\.ad_spend_p1')" = 0 ] \
		&& [ "$(count_in "$p" 'Remote SQL: SELECT campaign_id, spend, conversions FROM noa_demo\.ad_spend_p1$')" = 1 ] \
		|| { printf '%s\n' "$p" | sed 's/^/# /'; return 1; }
}
check "EXPLAIN: without extensions 'noa' on a server its partition's fit stays at the coordinator" needs_extensions_option

# postgres_fdw judges an aggregate by its own catalog entry, which PostgreSQL
# always marks immutable, not by its transition functions: the fit is shipped
# even when those are labelled VOLATILE (they read noa.max_points).
label_independent() {
	local p
	p=$(node_psql 0 -d noa_shard -At -c 'BEGIN' \
		-c 'ALTER FUNCTION noa.fit_curve_sfunc(internal, float8, float8) VOLATILE' \
		-c 'ALTER FUNCTION noa.fit_curve_final(internal) VOLATILE' \
		-c 'SET enable_partitionwise_aggregate = on' -c "EXPLAIN (VERBOSE, COSTS OFF) $by_campaign" -c 'ROLLBACK')
	[ "$(count_in "$p" 'Remote SQL: SELECT campaign_id, noa\.fit_curve\(.* GROUP BY 1$')" = 2 ] \
		|| { printf '%s\n' "$p" | sed 's/^/# /'; return 1; }
}
check "EXPLAIN: the fit is pushed down whatever the volatility of its transition functions" label_independent

# The prescriptive functions fetch the rows they read, but a view's WHERE
# reaches the shards (seen through auto_explain of their inner queries): every
# scan of both partitions carries it (their own filters may be pushed too,
# and each pass over the rows is a scan of its own).
view_filter_pushed() {
	local p
	p=$(node_psql 0 -d noa_shard -c "LOAD 'auto_explain'" -c 'SET auto_explain.log_min_duration = 0' \
		-c 'SET auto_explain.log_nested_statements = on' -c 'SET auto_explain.log_verbose = on' \
		-c 'SET auto_explain.log_level = notice' -c 'SET enable_partitionwise_aggregate = on' \
		-c "SELECT * FROM noa.waste('noa_demo.ad_spend_2025', as_of => '2025-12-31')" 2>&1 >/dev/null)
	[ "$(count_in "$p" "Remote SQL: SELECT date_day, platform, campaign_id, .* FROM noa_demo\.ad_spend_p1 WHERE (.* AND )?\(\(date_day >= '2025-01-01'\)\)$")" -ge 1 ] \
		&& [ "$(count_in "$p" "Remote SQL: SELECT date_day, platform, campaign_id, .* FROM noa_demo\.ad_spend_p2 WHERE (.* AND )?\(\(date_day >= '2025-01-01'\)\)$")" -ge 1 ] \
		&& [ "$(count_in "$p" 'Remote SQL: .* FROM noa_demo\.ad_spend_p[12]$')" = 0 ] \
		|| { printf '%s\n' "$p" | grep -E 'Remote SQL' | sed 's/^/# /'; return 1; }
}
check "auto_explain: noa.waste on a period view sends the view's WHERE to the shards" view_filter_pushed

# A pushed-down fit runs in the shard's session: noa.max_points there is the
# shard's setting (here passed through the server's libpq options), not the
# coordinator session's.
shard_setting_applies() {
	local out
	out=$(node_psql 0 -d noa_shard -At -c "ALTER SERVER shard1 OPTIONS (ADD options '-c noa.max_points=100')" \
		-c 'SET enable_partitionwise_aggregate = on' -c 'SET noa.max_points = 50000000' \
		-c "$by_campaign" 2>&1 >/dev/null)
	node_psql 0 -d noa_shard -c 'ALTER SERVER shard1 OPTIONS (DROP options)' >/dev/null || return 1
	printf '%s\n' "$out" | grep -q 'too many points for one curve fit: more than 100' \
		|| { printf '%s\n' "$out" | sed 's/^/# /'; return 1; }
}
check "a pushed-down fit obeys the shard's noa.max_points, not the coordinator session's" shard_setting_applies

echo "sharded: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
