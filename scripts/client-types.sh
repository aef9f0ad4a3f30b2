#!/usr/bin/env bash
# noa's client type test: every analyst-facing function (test/clients/queries.sql)
# read through psycopg2, pgjdbc and node-postgres, each checking for plain
# number, text, date and boolean columns without NaN or Infinity.
# Run by scripts/test.sh on a database with noa and the demo data (PGDATABASE);
# the Debian packages (python3-psycopg2, libpostgresql-jdbc-java, a JDK, npm) are
# installed by test.sh,
# node-postgres by `npm ci` from test/clients/node/package-lock.json.
# Prints the clients' lines and, last, "clients: N passed, M failed".
set -u
cd "$(dirname "$0")/.."

psql -q -X -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
	-c "CREATE SCHEMA IF NOT EXISTS noa_clients" \
	-c "CREATE OR REPLACE VIEW noa_clients.ads_fr AS SELECT * FROM noa_demo.ad_spend WHERE geo = 'FR'" \
	-c "CREATE OR REPLACE VIEW noa_clients.lift_tests_fr AS SELECT 'facebook_ads'::text AS channel, DATE '2025-09-01' AS start_day, DATE '2025-09-28' AS end_day, 300.0::float8 AS lift, 60.0::float8 AS lift_se" >/dev/null \
	|| { echo "clients: 0 passed, 1 failed (cannot create noa_clients.ads_fr)"; exit 1; }

pass=0; fail=0
# Adds the "<client>: N passed, M failed" line of one client's output to the totals.
count() {
	local p f
	p=$(printf '%s\n' "$1" | sed -n 's/^[a-z0-9-]*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$1" | sed -n 's/^[a-z0-9-]*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' | tail -1)
	[ -n "$p" ] || { p=0; f=1; }
	pass=$((pass + p)); fail=$((fail + f))
}

t0=$(date +%s)
out=$(/usr/bin/python3 test/clients/client_types.py test/clients/queries.sql 2>&1)
printf '%s\n' "$out"; count "$out"

out=$(java -cp /usr/share/java/postgresql.jar test/clients/ClientTypes.java test/clients/queries.sql 2>&1)
printf '%s\n' "$out"; count "$out"

t1=$(date +%s)
if npm_out=$(cd test/clients/node && npm ci --no-audit --no-fund --loglevel=error 2>&1); then
	t2=$(date +%s)
	out=$(node test/clients/node/client_types.js test/clients/queries.sql 2>&1)
	printf '%s\n' "$out"; count "$out"
	echo "(npm ci: $((t2 - t1)) s)"
else
	printf '%s\n' "$npm_out" | tail -5
	echo "not ok node-postgres: npm ci failed"; fail=$((fail + 1))
fi
echo "(clients: $(($(date +%s) - t0)) s in all)"
echo "clients: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
