#!/usr/bin/env bash
# Static checks of the extension's own rules; prints one line per check and a summary.
#  - install script: no OR REPLACE, IF NOT EXISTS or DO blocks; @extschema@ never inside quotes;
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
check "numeric core never includes PostgreSQL headers" none -E '#include[[:space:]]+[<"](postgres|fmgr|utils/|access/|catalog/)' src/*/core/*.c src/*/core/*.h
check "no fast-math or -march=native in the build" none -E '(^|[[:space:]])(-ffast-math|-Ofast|-march=native)' Makefile
echo "lint: $passed passed, $failed failed"
[ $failed -eq 0 ]
