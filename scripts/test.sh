#!/usr/bin/env bash
# The whole test suite in one command: installs what is missing from Debian's
# packages, builds and installs noa, runs the C unit tests, then pg_regress and
# pgTAP (including the garden sweep) on a throwaway cluster (or the server
# named by PGHOST/PGPORT/PGDATABASE), renders the HTML report of the demo data
# and checks it in headless Chromium, and prints one summary line.
set -u
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_packages $NOA_BROWSER_PACKAGES
# Read a stage's closing line "LABEL: N passed, M failed[...]" from OUTPUT into
# stage_pass and stage_fail; a stage that printed no such line counts as 1 failed.
stage_counts() {
	local counts
	counts=$(printf '%s\n' "$2" | sed -n "s/^$1: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p" | tail -1)
	if [ -n "$counts" ]; then read -r stage_pass stage_fail <<<"$counts"
	else stage_pass=0; stage_fail=1; fi
}

# pg_prove on DIR in database DB; sets prove_pass and prove_fail (tests), prints the tail.
run_pg_prove() {
	local out rc tests
	out=$(PGDATABASE=$1 pg_prove --ext .sql -f "$2" 2>&1); rc=$?
	printf '%s\n' "$out" | tail -40
	tests=$(printf '%s\n' "$out" | sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p')
	prove_fail=0
	if [ $rc -ne 0 ]; then
		prove_fail=$(printf '%s\n' "$out" | sed -n 's/.*Failed \([0-9]*\)\/[0-9]* subtests.*/\1/p' | awk '{s+=$1} END {print s+0}')
		[ "$prove_fail" -gt 0 ] || prove_fail=1
	fi
	prove_pass=$(( ${tests:-0} - prove_fail )); [ $prove_pass -ge 0 ] || prove_pass=0
	return $rc
}

# The client type test's drivers (scripts/client-types.sh) and the dbt example's runner
# (scripts/dbt_example.py); npm only when no npm is installed.
ensure_packages python3-psycopg2 python3-yaml libpostgresql-jdbc-java default-jdk-headless $(command -v npm >/dev/null || echo npm)
build_and_install

fail=0
log "lint: extension-script and build rules"
lint_out=$(bash scripts/lint.sh 2>&1) || fail=1
printf '%s\n' "$lint_out" | grep -v '^ok '
stage_counts lint "$lint_out"; lint_pass=$stage_pass lint_fail=$stage_fail

log "C unit tests of the numeric core"
unit_out=$(make -s PG_CONFIG="$PG_CONFIG" unit 2>&1) || fail=1
printf '%s\n' "$unit_out"
stage_counts unit "$unit_out"; unit_pass=$stage_pass unit_fail=$stage_fail

log "the same C unit tests under valgrind (memory errors and leaks)"
vg_out=$(make -s PG_CONFIG="$PG_CONFIG" unit-valgrind 2>&1) || fail=1
printf '%s\n' "$vg_out"
stage_counts valgrind "$vg_out"; vg_pass=$stage_pass vg_fail=$stage_fail
unit_pass=$((unit_pass + vg_pass)); unit_fail=$((unit_fail + vg_fail))

start_cluster

log "pg_regress (sql/ against expected/)"
# pg_regress needs a directory the server's user can read for \i of demo data.
regress_out=$(make -s PG_CONFIG="$PG_CONFIG" installcheck 2>&1); regress_rc=$?
printf '%s\n' "$regress_out" | grep -E '^(ok|not ok|test |     |#)|tests? (passed|failed)|FAILED' || true
reg_pass=$(printf '%s\n' "$regress_out" | grep -cE '^(ok|test ).* ok( |$)')
reg_fail=$(printf '%s\n' "$regress_out" | grep -cE 'FAILED|^not ok')
if [ $regress_rc -ne 0 ]; then
	fail=1
	[ "$reg_fail" -gt 0 ] || reg_fail=1
	[ -f regression.diffs ] && head -200 regression.diffs
fi

log "upgrade: install 0.1.0, store values, ALTER EXTENSION noa UPDATE (test/upgrade)"
upgrade_out=$(bash test/upgrade/run.sh 2>&1) || fail=1
printf '%s\n' "$upgrade_out" | grep -v '^ok '
stage_counts upgrade "$upgrade_out"; upgrade_pass=$stage_pass upgrade_fail=$stage_fail

log "trusted: a database owner that is not a superuser installs, uses and drops noa (test/trusted)"
trusted_out=$(bash test/trusted/run.sh 2>&1) || fail=1
printf '%s\n' "$trusted_out" | grep -v '^ok '
stage_counts trusted "$trusted_out"; upgrade_pass=$((upgrade_pass + stage_pass)); upgrade_fail=$((upgrade_fail + stage_fail))

log "pgTAP (test/pgtap)"
tapdb=noa_pgtap_$$
psql -q -X -v ON_ERROR_STOP=1 -d "${PGDATABASE:-postgres}" -c "CREATE DATABASE $tapdb" >/dev/null || die "cannot create $tapdb"
psql -q -X -v ON_ERROR_STOP=1 -d "$tapdb" -c "CREATE EXTENSION pgtap; CREATE EXTENSION noa;" >/dev/null \
	|| die "cannot create extensions pgtap and noa in $tapdb"
run_pg_prove "$tapdb" test/pgtap/ || fail=1
psql -q -X -d "${PGDATABASE:-postgres}" -c "DROP DATABASE $tapdb" >/dev/null 2>&1
tap_pass=$prove_pass; tap_fail=$prove_fail

# The demo database the reader's examples run on: the demo data and its
# Fivetran-shaped copy (examples/fivetran/demo_copy.sql).
demodb=noa_demo_$$
log "README examples: every \`\`\`sql block of README.md on the demo data, then test/readme"
# README's grants example creates the role noa_analyst (cluster-wide): drop it before and after.
drop_analyst() { psql -q -X -d "${PGDATABASE:-postgres}" -c "DROP ROLE IF EXISTS noa_analyst" >/dev/null 2>&1; }
drop_analyst
psql -q -X -v ON_ERROR_STOP=1 -d "${PGDATABASE:-postgres}" -c "CREATE DATABASE $demodb" >/dev/null || die "cannot create $demodb"
psql -q -X -v ON_ERROR_STOP=1 -d "$demodb" -c "SET client_min_messages = warning" -c "CREATE EXTENSION pgtap" \
	-c "CREATE EXTENSION noa" -f demo/generate.sql -f examples/fivetran/demo_copy.sql >/dev/null \
	|| die "cannot load the demo data into $demodb"
readme_out=$(PGDATABASE=$demodb bash scripts/readme-sql.sh README.md 2>&1) || fail=1
printf '%s\n' "$readme_out" | grep -v '^ok '
stage_counts readme "$readme_out"; readme_pass=$stage_pass readme_fail=$stage_fail
run_pg_prove "$demodb" test/readme/ || fail=1
readme_pass=$((readme_pass + prove_pass)); readme_fail=$((readme_fail + prove_fail))

log "client types: every analyst-facing function through psycopg2, pgjdbc and node-postgres"
clients_out=$(PGDATABASE=$demodb bash scripts/client-types.sh 2>&1) || fail=1
printf '%s\n' "$clients_out" | grep -v '^ok '
stage_counts clients "$clients_out"; clients_pass=$stage_pass clients_fail=$stage_fail

log "dbt example (examples/dbt): models in dependency order through psql, then its tests"
dbt_out=$(PGDATABASE=$demodb /usr/bin/python3 scripts/dbt_example.py examples/dbt 2>&1) || fail=1
printf '%s\n' "$dbt_out" | grep -v '^ok '
stage_counts dbt "$dbt_out"; dbt_pass=$stage_pass dbt_fail=$stage_fail

psql -q -X -d "${PGDATABASE:-postgres}" -c "DROP DATABASE $demodb" >/dev/null 2>&1
drop_analyst

log "browser: the HTML report of the demo data in headless Chromium"
repdb=noa_report_$$
repdir=$(mktemp -d /tmp/noa-report-test.XXXXXX)
browser_out=$(psql -q -X -v ON_ERROR_STOP=1 -d "${PGDATABASE:-postgres}" -c "CREATE DATABASE $repdb" 2>&1 \
	&& PGDATABASE=$repdb psql -q -X -v ON_ERROR_STOP=1 -c "CREATE EXTENSION noa" -c "SET client_min_messages = warning" \
		-f demo/generate.sql 2>&1 >/dev/null \
	&& PGDATABASE=$repdb render_report "$repdir/report.html" noa_demo.ad_spend noa_demo.shop_orders 2>&1 \
	&& browser_check_report "$repdir/report.html" "$repdir/report.png" \
		kpi-model,incrementality,plan-changes,backtest 2>&1) || fail=1
# The demo's report must hold every part of the KPI model's section 6.  A test
# fixture's synthetic rows check the drawing of the states the demo does not
# reach: no campaign whose call changes, a backtest that could not run.
fixture_out=$("$NOA_PYTHON" report/render.py "$repdir/kpi_fixture.html" <test/report/kpi_fixture.json 2>&1 \
	&& browser_check_report "$repdir/kpi_fixture.html" - kpi-model,incrementality,backtest 2>&1) || fail=1
printf '%s\n%s\n' "$browser_out" "$fixture_out" | grep -v '^ok '
psql -q -X -d "${PGDATABASE:-postgres}" -c "DROP DATABASE IF EXISTS $repdb" >/dev/null 2>&1
rm -rf "$repdir"
br_pass=0 br_fail=0
for out in "$browser_out" "$fixture_out"; do
	stage_counts browser "$out"
	br_pass=$((br_pass + stage_pass)); br_fail=$((br_fail + stage_fail))
done

stop_cluster

log "sharded PostgreSQL: three clusters, postgres_fdw partitions (test/sharded)"
shard_out=$(NOA_INSTALLED=1 bash test/sharded/run.sh 2>&1) || fail=1
printf '%s\n' "$shard_out" | grep -vE '^ok - '
stage_counts sharded "$shard_out"; shard_pass=$stage_pass shard_fail=$stage_fail

total_pass=$((lint_pass + unit_pass + reg_pass + upgrade_pass + tap_pass + readme_pass + clients_pass + dbt_pass + br_pass + shard_pass))
total_fail=$((lint_fail + unit_fail + reg_fail + upgrade_fail + tap_fail + readme_fail + clients_fail + dbt_fail + br_fail + shard_fail))
echo "summary: lint $lint_pass passed, $lint_fail failed; C unit (and valgrind) $unit_pass passed, $unit_fail failed; pg_regress $reg_pass passed, $reg_fail failed; upgrade and trusted install $upgrade_pass passed, $upgrade_fail failed; pgTAP $tap_pass passed, $tap_fail failed; README examples $readme_pass passed, $readme_fail failed; client types $clients_pass passed, $clients_fail failed; dbt example $dbt_pass passed, $dbt_fail failed; browser $br_pass passed, $br_fail failed; sharded $shard_pass passed, $shard_fail failed"
echo "total: $total_pass passed, $total_fail failed"
[ $fail -eq 0 ] && [ $total_fail -eq 0 ]
