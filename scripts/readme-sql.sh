#!/usr/bin/env bash
# Runs every ```sql block of a Markdown file (README.md by default), in order,
# against a database that holds the demo data (demo/generate.sql) and noa.
# Each block runs in its own psql session with ON_ERROR_STOP, so a failure
# names the block by its line number; later blocks may use tables created by
# earlier ones, as a reader following the README would.
#
# Blocks that are not meant to run (a function signature, a template with
# placeholders) say so on their opening fence:   ```sql signature
# (any info string after `sql` that contains the word "signature" or "norun").
# When a plain ``` block follows a runnable block (only blank lines between),
# it is the output README shows: psql's aligned output (no row-count footer,
# trailing blanks and empty lines ignored) must equal it.
#
# Usage: scripts/readme-sql.sh [FILE]   (PGHOST/PGPORT/PGDATABASE name the database)
# Prints one line per block ("ok"/"not ok"/"skip") and, last,
# "readme: N passed, M failed, K skipped"; exits non-zero when a block fails.
set -u
file=${1:-README.md}
[ -r "$file" ] || { echo "readme-sql: cannot read $file" >&2; exit 2; }

work=$(mktemp -d /tmp/noa-readme.XXXXXX)
trap 'rm -rf "$work"' EXIT

# One file per block: <work>/<line>.<run|skip>.sql, line = the opening fence's line number.
# A plain ``` block right after a runnable one (only blank lines between) is the output
# README shows for it: kept as <work>/<line>.run.expected and compared with psql's.
awk -v dir="$work" '
	function sql_fence(s) { return tolower(s) ~ /^[ \t]*```[ \t]*sql([ \t]|$)/ }
	function close_fence(s) { return s ~ /^[ \t]*```[ \t]*$/ }
	state == 2 && /^[ \t]*$/ { next }
	state == 2 && close_fence($0) { expf = last ".expected"; printf "" > expf; state = 3; next }
	state == 2 { state = 0 }
	state == 3 && close_fence($0) { close(expf); state = 0; next }
	state == 3 { print > expf; next }
	state == 0 && sql_fence($0) {
		info = tolower($0); sub(/^[ \t]*```[ \t]*sql/, "", info)
		kind = (info ~ /(signature|norun)/) ? "skip" : "run"
		out = sprintf("%s/%06d.%s.sql", dir, NR, kind); printf "" > out; state = 1; next
	}
	state == 1 && close_fence($0) { close(out); state = (kind == "run") ? 2 : 0; last = dir "/" sprintf("%06d", substr(out, length(dir) + 2, 6) + 0) ".run"; next }
	state == 1 { print > out }
	END { if (state == 1 || state == 3) { printf "unterminated ``` block near the end of the file\n" > "/dev/stderr"; exit 3 } }
' "$file" || { echo "readme: 0 passed, 1 failed, 0 skipped"; exit 1; }

# Output as compared: trailing blanks and trailing empty lines dropped.
norm() { awk '{ sub(/[ \t]+$/, ""); l[NR] = $0 } END { n = NR; while (n > 0 && l[n] == "") n--; for (i = 1; i <= n; i++) print l[i] }' "$1"; }

pass=0; fail=0; skip=0
for f in "$work"/*.sql; do
	[ -e "$f" ] || break
	base=${f##*/}; line=$((10#${base%%.*})); kind=${base#*.}; kind=${kind%.sql}
	first=$(grep -m1 -v '^[[:space:]]*$' "$f" | cut -c1-70)
	if [ "$kind" = skip ]; then
		skip=$((skip + 1)); echo "skip $file:$line (marked signature) $first"; continue
	fi
	expected=${f%.sql}.expected
	if err=$(psql -X -q -v ON_ERROR_STOP=1 -P pager=off -P footer=off -f "$f" 2>&1 >"$work/actual"); then
		if [ -f "$expected" ] && ! out_diff=$(diff <(norm "$expected") <(norm "$work/actual")); then
			fail=$((fail + 1)); echo "not ok $file:$line $first"
			echo "    the output differs from the one shown below the block (< README, > now):"
			printf '%s\n' "$out_diff" | head -30 | sed 's/^/    /'
		else
			shown=""; [ -f "$expected" ] && shown=" (output as shown)"
			pass=$((pass + 1)); echo "ok $file:$line $first$shown"
		fi
	else
		fail=$((fail + 1)); echo "not ok $file:$line $first"
		# the error, with psql's "psql:<block file>:N:" turned into the README's own line number
		printf '%s\n' "${err:-psql failed without a message}" | head -20 |
			awk -v blk="psql:$f:" -v file="$file" -v line="$line" '
				index($0, blk) == 1 { rest = substr($0, length(blk) + 1); n = rest + 0
					sub(/^[0-9]+/, "", rest); $0 = file ":" (line + n) rest }
				{ print "    " $0 }'
	fi
done
echo "readme: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
