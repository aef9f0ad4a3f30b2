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
awk -v dir="$work" '
	!inblock && tolower($0) ~ /^[ \t]*```[ \t]*sql([ \t]|$)/ {
		info = tolower($0); sub(/^[ \t]*```[ \t]*sql/, "", info)
		kind = (info ~ /(signature|norun)/) ? "skip" : "run"
		out = sprintf("%s/%06d.%s.sql", dir, NR, kind); inblock = 1; next
	}
	inblock && /^[ \t]*```[ \t]*$/ { close(out); inblock = 0; next }
	inblock { print > out }
	END { if (inblock) { printf "unterminated ```sql block opened at line %d\n", substr(out, length(dir) + 2, 6) + 0 > "/dev/stderr"; exit 3 } }
' "$file" || { echo "readme: 0 passed, 1 failed, 0 skipped"; exit 1; }

pass=0; fail=0; skip=0
for f in "$work"/*.sql; do
	[ -e "$f" ] || break
	base=${f##*/}; line=$((10#${base%%.*})); kind=${base#*.}; kind=${kind%.sql}
	first=$(grep -m1 -v '^[[:space:]]*$' "$f" | cut -c1-70)
	if [ "$kind" = skip ]; then
		skip=$((skip + 1)); echo "skip $file:$line (marked signature) $first"; continue
	fi
	if err=$(psql -X -q -v ON_ERROR_STOP=1 -P pager=off -f "$f" 2>&1 >/dev/null); then
		pass=$((pass + 1)); echo "ok $file:$line $first"
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
