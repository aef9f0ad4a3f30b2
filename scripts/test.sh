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
build_and_install

fail=0
log "lint: extension-script and build rules"
lint_out=$(bash scripts/lint.sh 2>&1) || fail=1
printf '%s\n' "$lint_out" | grep -v '^ok '
lint_pass=$(printf '%s\n' "$lint_out" | sed -n 's/^lint: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
lint_fail=$(printf '%s\n' "$lint_out" | sed -n 's/^lint: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')

log "C unit tests of the numeric core"
unit_out=$(make -s PG_CONFIG="$PG_CONFIG" unit 2>&1) || fail=1
printf '%s\n' "$unit_out"
unit_pass=$(printf '%s\n' "$unit_out" | sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
unit_fail=$(printf '%s\n' "$unit_out" | sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
[ -n "$unit_pass" ] || { unit_pass=0; unit_fail=1; }

log "the same C unit tests under valgrind (memory errors and leaks)"
vg_out=$(make -s PG_CONFIG="$PG_CONFIG" unit-valgrind 2>&1) || fail=1
printf '%s\n' "$vg_out"
vg_pass=$(printf '%s\n' "$vg_out" | sed -n 's/^valgrind: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
vg_fail=$(printf '%s\n' "$vg_out" | sed -n 's/^valgrind: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
[ -n "$vg_pass" ] || { vg_pass=0; vg_fail=1; }
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

log "pgTAP (test/pgtap)"
tapdb=noa_pgtap_$$
psql -q -X -v ON_ERROR_STOP=1 -d "${PGDATABASE:-postgres}" -c "CREATE DATABASE $tapdb" >/dev/null || die "cannot create $tapdb"
psql -q -X -v ON_ERROR_STOP=1 -d "$tapdb" -c "CREATE EXTENSION pgtap; CREATE EXTENSION noa;" >/dev/null \
	|| die "cannot create extensions pgtap and noa in $tapdb"
tap_out=$(PGDATABASE=$tapdb pg_prove --ext .sql -f test/pgtap/ 2>&1); tap_rc=$?
printf '%s\n' "$tap_out" | tail -40
psql -q -X -d "${PGDATABASE:-postgres}" -c "DROP DATABASE $tapdb" >/dev/null 2>&1
tap_tests=$(printf '%s\n' "$tap_out" | sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p')
[ -n "$tap_tests" ] || tap_tests=0
tap_fail=0
if [ $tap_rc -ne 0 ]; then
	fail=1
	tap_fail=$(printf '%s\n' "$tap_out" | sed -n 's/.*Failed \([0-9]*\)\/[0-9]* subtests.*/\1/p' | awk '{s+=$1} END {print s+0}')
	[ "$tap_fail" -gt 0 ] || tap_fail=1
fi
tap_pass=$((tap_tests - tap_fail)); [ $tap_pass -ge 0 ] || tap_pass=0

log "browser: the HTML report of the demo data in headless Chromium"
repdb=noa_report_$$
repdir=$(mktemp -d /tmp/noa-report-test.XXXXXX)
browser_out=$(psql -q -X -v ON_ERROR_STOP=1 -d "${PGDATABASE:-postgres}" -c "CREATE DATABASE $repdb" 2>&1 \
	&& PGDATABASE=$repdb psql -q -X -v ON_ERROR_STOP=1 -c "CREATE EXTENSION noa" -c "SET client_min_messages = warning" \
		-f demo/generate.sql 2>&1 >/dev/null \
	&& PGDATABASE=$repdb render_report "$repdir/report.html" noa_demo.ad_spend noa_demo.shop_orders 2>&1 \
	&& browser_check_report "$repdir/report.html" "$repdir/report.png" 2>&1) || fail=1
# The KPI model's section (stacked area, incrementality) is drawn only when the
# model is installed: check its drawing on the synthetic rows of a test fixture.
fixture_out=$("$NOA_PYTHON" report/render.py "$repdir/kpi_fixture.html" <test/report/kpi_fixture.json 2>&1 \
	&& browser_check_report "$repdir/kpi_fixture.html" - 2>&1) || fail=1
printf '%s\n%s\n' "$browser_out" "$fixture_out" | grep -v '^ok '
psql -q -X -d "${PGDATABASE:-postgres}" -c "DROP DATABASE IF EXISTS $repdb" >/dev/null 2>&1
rm -rf "$repdir"
br_pass=0 br_fail=0
for out in "$browser_out" "$fixture_out"; do
	p=$(printf '%s\n' "$out" | sed -n 's/^browser: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$out" | sed -n 's/^browser: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	[ -n "$p" ] || { p=0; f=1; }
	br_pass=$((br_pass + p)); br_fail=$((br_fail + f))
done

stop_cluster

log "sharded PostgreSQL: three clusters, postgres_fdw partitions (test/sharded)"
shard_out=$(NOA_INSTALLED=1 bash test/sharded/run.sh 2>&1) || fail=1
printf '%s\n' "$shard_out" | grep -vE '^ok - '
shard_pass=$(printf '%s\n' "$shard_out" | sed -n 's/^sharded: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
shard_fail=$(printf '%s\n' "$shard_out" | sed -n 's/^sharded: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
[ -n "$shard_pass" ] || { shard_pass=0; shard_fail=1; }

total_pass=$((lint_pass + unit_pass + reg_pass + tap_pass + br_pass + shard_pass))
total_fail=$((lint_fail + unit_fail + reg_fail + tap_fail + br_fail + shard_fail))
echo "summary: lint $lint_pass passed, $lint_fail failed; C unit (and valgrind) $unit_pass passed, $unit_fail failed; pg_regress $reg_pass passed, $reg_fail failed; pgTAP $tap_pass passed, $tap_fail failed; browser $br_pass passed, $br_fail failed; sharded $shard_pass passed, $shard_fail failed"
echo "total: $total_pass passed, $total_fail failed"
[ $fail -eq 0 ] && [ $total_fail -eq 0 ]
