#!/usr/bin/env bash
# Static checks of the extension's own rules; prints one line per check and a summary.
#  - install script: no OR REPLACE, IF NOT EXISTS or DO blocks; @extschema@ never inside quotes;
#  - update scripts (hand-written src/sql/update/*.sql and the generated noa--A--B.sql, built by
#    make): OR REPLACE only on functions and aggregates the released script of A created (objects
#    already members of the extension: PostgreSQL's documented safe case), none in the hand-written
#    part, no IF NOT EXISTS, DO or CASCADE; released scripts match src/sql/released/SHA256SUMS;
#  - numeric core: src/*/core never includes PostgreSQL headers;
#  - no fast-math or -march=native in the build.
set -u
cd "$(dirname "$0")/.."
passed=0; failed=0
check() {	# check "description" command...
	local what=$1; shift
	if "$@"; then passed=$((passed + 1)); echo "ok - $what"
	else failed=$((failed + 1)); echo "not ok - $what"; fi
}
none() { ! grep -nE "$@"; }

check "install script has no CREATE OR REPLACE" none -i '^[^-]*create[[:space:]]+or[[:space:]]+replace' src/sql/*.sql
check "install script has no IF NOT EXISTS" none -i '^[^-]*(create|add)[^;]*if[[:space:]]+not[[:space:]]+exists' src/sql/*.sql
check "install script has no DO blocks" none -i '^[[:space:]]*do[[:space:]]*(\$|language|$)' src/sql/*.sql
check "@extschema@ never inside single quotes" none "'[^']*@extschema@[^']*'" src/sql/*.sql
check "@extschema@ never inside dollar quotes" \
	bash -c '! awk "/\\\$\\\$/ { inside = !inside } inside && /@extschema@/ { print FILENAME\":\"FNR\": \"\$0; found = 1 } END { exit !found }" src/sql/*.sql'
check "every script fragment starts in schema @extschema@ only" none -E 'CREATE (FUNCTION|AGGREGATE|TYPE|CAST) (noa|public)\.' src/sql/*.sql

# Update scripts.  CREATE OR REPLACE (and every other statement) runs as superuser on objects in
# schema noa; it is safe only when the object is already the extension's (PostgreSQL refuses to
# replace a non-member, and a member cannot be someone else's look-alike).
update_scripts=$(ls noa--*--*.sql 2>/dev/null)
check "update scripts are built (make)" test -n "$update_scripts"
# Names that OR REPLACE targets in noa--A--B.sql, each absent from the CREATEs of released/noa--A.sql.
replaced_non_members() {
	local script from names name
	for script in $update_scripts; do
		from=${script#noa--}; from=src/sql/released/noa--${from%%--*}.sql
		[ -f "$from" ] || { echo "$script: no released script $from"; continue; }
		names=$(sed -nE 's/^[[:space:]]*CREATE[[:space:]]+OR[[:space:]]+REPLACE[[:space:]]+(FUNCTION|AGGREGATE)[[:space:]]+@extschema@\.([a-z_0-9]+).*/\1 \2/p' "$script" | sort -u)
		while read -r kind name; do
			[ -n "$name" ] || continue
			grep -qE "^[[:space:]]*CREATE[[:space:]]+$kind[[:space:]]+@extschema@\.$name[[:space:]]*\(" "$from" \
				|| echo "$script: CREATE OR REPLACE $kind $name, which $from never created"
		done <<<"$names"
	done
}
replaced=$(replaced_non_members)
[ -z "$replaced" ] || printf '%s\n' "$replaced"
check "update scripts replace only objects the released script created" test -z "$replaced"
check "hand-written update parts have no CREATE OR REPLACE" none -i '^[^-]*create[[:space:]]+or[[:space:]]+replace' src/sql/update/*.sql
check "update scripts have no IF NOT EXISTS" none -i '^[^-]*(create|add)[^;]*if[[:space:]]+not[[:space:]]+exists' src/sql/update/*.sql $update_scripts
check "update scripts have no DO blocks" none -i '^[[:space:]]*do[[:space:]]*(\$|language|$)' src/sql/update/*.sql $update_scripts
check "update scripts never CASCADE (a user's view over a dropped function must stop the update)" none -i '^[^-]*\bcascade\b' src/sql/update/*.sql $update_scripts
check "@extschema@ never inside single quotes in update parts" none "'[^']*@extschema@[^']*'" src/sql/update/*.sql
check "released install scripts are unchanged (src/sql/released/SHA256SUMS)" bash -c 'cd src/sql/released && sha256sum --quiet -c SHA256SUMS'
check "numeric core never includes PostgreSQL headers" none -E '#include[[:space:]]+[<"](postgres|fmgr|utils/|access/|catalog/)' src/*/core/*.c src/*/core/*.h
check "no fast-math or -march=native in the build" none -E '(^|[[:space:]])(-ffast-math|-Ofast|-march=native)' Makefile
echo "lint: $passed passed, $failed failed"
[ $failed -eq 0 ]
