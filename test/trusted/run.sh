#!/usr/bin/env bash
# noa is a trusted extension: a role that is not a superuser but may CREATE in
# a database (e.g. its owner) installs, uses, updates and drops it.  Checks what
# that role can and cannot do with the C functions installed with superuser
# rights, and the install guard's refusals.  Runs against the server in
# PGHOST/PGPORT as a superuser; creates and drops its own roles and databases;
# prints one line per check and "trusted: N passed, M failed".
set -u
cd "$(dirname "$0")"
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -5 | sed 's/^/#   /'; }
# succeeds "description" ROLE DB SQL...: the statements run without error as ROLE
succeeds() {
	local what=$1 role=$2 db=$3 out; shift 3
	if out=$(psql -X -q -v ON_ERROR_STOP=1 -U "$role" -d "$db" "${@/#/-c}" 2>&1 >/dev/null); then ok "$what"
	else not_ok "$what" "$out"; fi
}
# fails "description" SQLSTATE ROLE DB SQL: the statement fails with that SQLSTATE
fails() {
	local what=$1 state=$2 role=$3 db=$4 sql=$5 out
	out=$(psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -U "$role" -d "$db" -c "\\set VERBOSITY verbose" -c "$sql" 2>&1 >/dev/null)
	if printf '%s' "$out" | grep -q "ERROR:  $state:"; then ok "$what"; else not_ok "$what" "$out"; fi
}
# answers "description" EXPECTED ROLE DB SQL: the query prints EXPECTED
answers() {
	local what=$1 want=$2 role=$3 db=$4 sql=$5 got
	got=$(psql -X -q -At -U "$role" -d "$db" -c "$sql" 2>&1)
	if [ "$got" = "$want" ]; then ok "$what"; else not_ok "$what" "expected: $want"$'\n'"got: $got"; fi
}
su() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@" >/dev/null 2>&1; }

owner=noa_trusted_owner_$$ other=noa_trusted_other_$$
db=noa_trusted_$$ db2=noa_trusted2_$$
cleanup() {
	su -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS $db2"
	su -c "DROP ROLE IF EXISTS $owner" -c "DROP ROLE IF EXISTS $other"
}
trap cleanup EXIT
su -c "CREATE ROLE $owner LOGIN" -c "CREATE ROLE $other LOGIN" \
	-c "CREATE DATABASE $db OWNER $owner" -c "CREATE DATABASE $db2 OWNER $owner" \
	|| { echo "trusted: 0 passed, 1 failed"; exit 1; }

answers "noa.control marks noa trusted" "t|t" postgres postgres \
	"SELECT trusted, superuser FROM pg_available_extension_versions WHERE name = 'noa' AND version = (SELECT default_version FROM pg_available_extensions WHERE name = 'noa')"
fails "a role without CREATE on the database cannot install it" 42501 "$other" "$db" "CREATE EXTENSION noa"
fails "version 0.1.0 (no install guard) stays superuser-only" 42501 "$owner" "$db" "CREATE EXTENSION noa VERSION '0.1.0'"
succeeds "the database owner (not a superuser) installs noa" "$owner" "$db" "CREATE EXTENSION noa"
answers "the extension and its schema are the owner's, its objects the bootstrap superuser's" \
	"$owner|$owner|bootstrap" "$owner" "$db" \
	"SELECT e.extowner::regrole, n.nspowner::regrole,
	        string_agg(DISTINCT CASE WHEN p.proowner = 10 THEN 'bootstrap' ELSE p.proowner::regrole::text END, ',')
	 FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace JOIN pg_proc p ON p.pronamespace = n.oid
	 WHERE e.extname = 'noa' GROUP BY 1, 2"
answers "no member function is SECURITY DEFINER (each runs as its caller)" 0 "$owner" "$db" \
	"SELECT count(*) FROM pg_proc WHERE pronamespace = 'noa'::regnamespace AND prosecdef"
succeeds "the owner fits, stores, allocates, simulates and checks data with it" "$owner" "$db" \
	"CREATE TABLE ads AS SELECT DATE '2025-01-01' + d AS date_day, 'google_ads'::text AS platform, 'c' || c AS campaign_id,
	        (200 + 150 * c + 40 * (d % 9))::numeric AS spend, 1000::bigint AS impressions, 50::bigint AS clicks,
	        round((30 + 5 * c) * (200 + 150 * c + 40 * (d % 9)) / (200 + 150 * c + 40 * (d % 9) + 600.0), 1) AS conversions,
	        0::numeric AS conversions_value, 'conversion'::text AS campaign_role, 'DE'::text AS geo, 'EUR'::text AS currency
	 FROM generate_series(0, 89) d, generate_series(1, 3) c" \
	"CREATE TABLE curves AS SELECT campaign_id, noa.fit_curve(spend::float8, conversions::float8) AS curve FROM ads GROUP BY 1" \
	"SELECT count(*) FROM curves, noa.curve_summary(curve, currency => 'EUR')" \
	"SELECT count(*) FROM (SELECT noa.portfolio(campaign_id, curve, 500) AS pf FROM curves) p, noa.allocate(p.pf, 1500)" \
	"SELECT count(*) FROM (SELECT noa.portfolio(campaign_id, curve, 500) AS pf FROM curves) p, noa.simulate(p.pf, 'raise c1 by 10%')" \
	"SELECT count(*) FROM noa.data_quality('ads', as_of => '2025-03-31')"
fails "the owner cannot replace a member function (they are the bootstrap superuser's)" 42501 "$owner" "$db" \
	"CREATE OR REPLACE FUNCTION noa.version() RETURNS text LANGUAGE sql AS \$\$ SELECT 'planted' \$\$"
fails "the owner cannot chain noa's internal-state functions into an aggregate of its own" 42P13 "$owner" "$db" \
	"CREATE AGGREGATE mix(float8, float8) (SFUNC = noa.fit_curve_sfunc, STYPE = internal, FINALFUNC = noa.portfolio_final)"
fails "functions taking internal cannot be called from SQL" 42846 "$owner" "$db" "SELECT noa.fit_curve_final(NULL::internal)"
succeeds "the owner drops it (and the schema it made)" "$owner" "$db" \
	"DROP TABLE curves" "DROP EXTENSION noa" "DROP SCHEMA noa"

# The install guard when the caller is not a superuser.
su -d "$db2" -c "CREATE SCHEMA noa AUTHORIZATION $other"
fails "refused: a schema noa made beforehand by another role" 42P06 "$owner" "$db2" "CREATE EXTENSION noa"
su -d "$db2" -c "DROP SCHEMA IF EXISTS noa CASCADE"
fails "refused: the owner's own schema noa holding an object placed beforehand" 42P06 "$owner" "$db2" \
	"CREATE SCHEMA noa; CREATE FUNCTION noa.marginal_roas(integer, integer) RETURNS float8 LANGUAGE sql AS 'SELECT 0::float8'; CREATE EXTENSION noa"
su -d "$db2" -c "DROP SCHEMA IF EXISTS noa CASCADE"
succeeds "accepted: the owner's own empty schema noa" "$owner" "$db2" "CREATE SCHEMA noa" "CREATE EXTENSION noa" "DROP EXTENSION noa"

echo "trusted: $passed passed, $failed failed"
[ $failed -eq 0 ]
