#!/usr/bin/env bash
# The update path from the last release: install noa 0.1.0 (the frozen script
# src/sql/released/noa--0.1.0.sql against the current noa.so), store curves and
# portfolios (fitted here, and the text and binary forms the 0.1.0 build wrote,
# released_values.tsv), ALTER EXTENSION noa UPDATE, then read everything back:
# text, binary and jsonb forms, accessors and plans must be unchanged, and the
# updated extension's catalog must equal a fresh install's (catalog.sql).
# Runs against the server in PGHOST/PGPORT (the test suite's cluster); prints
# one line per check and "upgrade: N passed, M failed".
set -u
cd "$(dirname "$0")"
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; }
check() {	# check "description" command...: passes when the command succeeds
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
same() {	# same "description" FILE1 FILE2: passes when the files are identical
	if diff -u "$2" "$3" >"$work/diff" 2>&1; then ok "$1"
	else not_ok "$1"; head -40 "$work/diff" | sed 's/^/#   /'; fi
}
psql_in() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

work=$(mktemp -d /tmp/noa-upgrade.XXXXXX)
chmod 755 "$work"
old=noa_upgrade_old_$$ new=noa_upgrade_new_$$
cleanup() {
	for db in $old $new; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; done
	rm -rf "$work"
}
trap cleanup EXIT
psql_in postgres -c "CREATE DATABASE $old" -c "CREATE DATABASE $new" >/dev/null || { echo "upgrade: 0 passed, 1 failed"; exit 1; }
default=$(psql_in postgres -Atc "SELECT default_version FROM pg_available_extensions WHERE name = 'noa'")

check "0.1.0 installs against the current noa.so (every C symbol it names exists)" \
	psql_in $old -c "SET client_min_messages = warning" -c "CREATE EXTENSION noa VERSION '0.1.0'"
check "an update path leads from 0.1.0 to the default version $default" \
	test "$(psql_in $old -Atc "SELECT path FROM pg_extension_update_paths('noa') WHERE source = '0.1.0' AND target = '$default'")" = "0.1.0--$default"
check "curves and portfolios stored under 0.1.0" psql_in $old -f store.sql
check "values written by the 0.1.0 build load under 0.1.0" psql_in $old \
	-c "CREATE TABLE upg_released (kind text, id text, text_form text, binary_hex text)" \
	-c "\\copy upg_released FROM 'released_values.tsv'" \
	-c "CREATE TABLE upg_released_curve AS SELECT id, text_form::noa.curve AS c FROM upg_released WHERE kind = 'curve'" \
	-c "CREATE TABLE upg_released_portfolio AS SELECT id, text_form::noa.portfolio AS p FROM upg_released WHERE kind = 'portfolio'"
check "the stored values read under 0.1.0" psql_in $old -o "$work/before.out" -f snapshot.sql
psql_in $old -c "\\copy upg_curve TO '$work/curve.bin' (FORMAT binary)" \
	-c "\\copy upg_portfolio TO '$work/portfolio.bin' (FORMAT binary)"

if psql_in $old -c "SET client_min_messages = warning" -c "ALTER EXTENSION noa UPDATE"; then ok "ALTER EXTENSION noa UPDATE"
else
	not_ok "ALTER EXTENSION noa UPDATE"
	echo "#   A function or aggregate of 0.1.0 whose result, OUT columns, argument names or defaults changed"
	echo "#   needs a DROP line in src/sql/update/0.1.0--0.2.0.sql (README, Upgrading)."
fi
check "the updated extension is version $default" \
	test "$(psql_in $old -Atc "SELECT extversion FROM pg_extension WHERE extname = 'noa'")" = "$default"
psql_in $old -f snapshot.sql >"$work/after.out" 2>&1
same "stored values read the same after the update (text, binary, jsonb, accessors, allocate, simulate)" \
	"$work/before.out" "$work/after.out"
check "values written by the 0.1.0 build print the same text and binary forms after the update" \
	test "$(psql_in $old -Atc "SELECT count(*) FROM upg_released r
		LEFT JOIN upg_released_curve c ON r.kind = 'curve' AND c.id = r.id
		LEFT JOIN upg_released_portfolio p ON r.kind = 'portfolio' AND p.id = r.id
		WHERE coalesce(c.c::text, p.p::text) IS DISTINCT FROM r.text_form
		   OR encode(coalesce(noa.curve_send(c.c), noa.portfolio_send(p.p)), 'hex') IS DISTINCT FROM r.binary_hex")" = 0
check "binary COPY files written under 0.1.0 read back after the update" \
	test "$(psql_in $old -At -c "CREATE TABLE curve_back (LIKE upg_curve); CREATE TABLE portfolio_back (LIKE upg_portfolio)" \
		-c "\\copy curve_back FROM '$work/curve.bin' (FORMAT binary)" \
		-c "\\copy portfolio_back FROM '$work/portfolio.bin' (FORMAT binary)" \
		-c "SELECT (SELECT count(*) FROM upg_curve u FULL JOIN curve_back b USING (id) WHERE u.c::text IS DISTINCT FROM b.c::text)
		         + (SELECT count(*) FROM upg_portfolio u FULL JOIN portfolio_back b USING (id) WHERE u.p::text IS DISTINCT FROM b.p::text)")" = 0
check "the new version's functions read the stored curves" \
	test "$(psql_in $old -Atc "SELECT count(*) FROM upg_curve, noa.curve_summary(c) s, noa.curve_carryover(c) k WHERE s.model = noa.curve_model(c)")" = 10

psql_in $new -c "SET client_min_messages = warning" -c "CREATE EXTENSION noa" >/dev/null
psql_in $old -f catalog.sql >"$work/catalog_updated.out" 2>&1
psql_in $new -f catalog.sql >"$work/catalog_fresh.out" 2>&1
check "catalog query lists the extension's members" test "$(grep -c '^function ' "$work/catalog_fresh.out")" -gt 50
same "updated catalog equals a fresh install's (members, definitions, labels, defaults, comments, privileges)" \
	"$work/catalog_updated.out" "$work/catalog_fresh.out"
# The comparison must be able to fail: a changed comment, label, default and privilege each show.
psql_in $new -c "BEGIN" -c "COMMENT ON FUNCTION noa.version() IS 'changed'" \
	-c "ALTER FUNCTION noa.curve_status(noa.curve) STABLE" -c "REVOKE EXECUTE ON FUNCTION noa.curve_model(noa.curve) FROM PUBLIC" \
	-c "CREATE OR REPLACE FUNCTION noa.response_lo(curve noa.curve, spend float8, level float8 DEFAULT 0.8) RETURNS float8
	    AS '\$libdir/noa', 'noa_response_lo' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE" \
	-f catalog.sql -c "ROLLBACK" >"$work/catalog_changed.out" 2>&1
check "the catalog comparison notices a changed comment, label, privilege and default" \
	test "$(diff "$work/catalog_fresh.out" "$work/catalog_changed.out" | grep -c '^>')" -ge 4

echo "upgrade: $passed passed, $failed failed"
[ $failed -eq 0 ]
