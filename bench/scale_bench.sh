#!/usr/bin/env bash
# The prescriptive layer at scale (issue 16): noa.data_quality, noa.waste and
# noa.recommendations on 50, 500 and 5,000 campaigns x 730 days (36,500,
# 365,000 and 3,650,000 rows of bench/scale_data.sql), with
#   - wall time of each call (psql \timing, best of NOA_SCALE_RUNS, default 2),
#   - peak resident memory of the backend that ran it (VmHWM of a fresh
#     session read through pg_read_file, so a superuser runs this; it includes
#     the shared buffers it touched, at most shared_buffers),
#   - cancel latency under statement_timeout (time - timeout).
# Writes bench/results/scale.md.  Runs on a throwaway cluster unless PG*
# variables name a server.  NOA_SCALE_SIZES overrides the campaign counts.
set -u
cd "$(dirname "$0")/.."
. scripts/lib.sh
sizes=${NOA_SCALE_SIZES:-50 500 5000}
runs=${NOA_SCALE_RUNS:-2}
timeouts=${NOA_SCALE_TIMEOUTS:-500 2000}

ensure_packages
build_and_install
start_cluster
db=noa_scale_bench
psql -q -X -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
export PGDATABASE=$db
psql -q -X -c "CREATE EXTENSION noa" >/dev/null
for c in $sizes; do
	psql -q -X -v campaigns="$c" -v tbl="ads_$c" -f bench/scale_data.sql >/dev/null 2>&1 \
		|| die "could not generate ads_$c"
done

# call FN TABLE: the function's call on the table, as the README shows it
call() {
	case $1 in
	data_quality) echo "SELECT count(*) FROM noa.data_quality('$2', as_of => '2025-12-30')" ;;
	*) echo "SELECT count(*) FROM noa.$1('$2', as_of => '2025-12-30')" ;;
	esac
}

# measure FN TABLE: "ms rows peak_MB" of the best of $runs fresh sessions
measure() {
	local best='' rows='' peak='' i out ms r hwm
	for i in $(seq "$runs"); do
		out=$(psql -X -q -At <<SQL 2>&1
\timing on
$(call "$1" "$2");
\timing off
SELECT 'VmHWM: ' || substring(pg_read_file('/proc/self/status') from 'VmHWM:\s*(\d+)') || ' kB';
SQL
)
		ms=$(printf '%s\n' "$out" | sed -n 's/^Time: \([0-9]*\)\..*/\1/p' | tail -1)
		r=$(printf '%s\n' "$out" | sed -n '1p')
		hwm=$(printf '%s\n' "$out" | sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p')
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
		rows=$r
		if [ -z "$peak" ] || [ "${hwm:-0}" -gt "$peak" ]; then peak=${hwm:-0}; fi
	done
	echo "$best $rows $((peak / 1024))"
}

# cancel FN TABLE TIMEOUT_MS: latency in ms after the timeout (or "finished")
cancel() {
	local out ms
	out=$(psql -X -q -c '\timing on' -c "SET statement_timeout = $3" -c "$(call "$1" "$2")" 2>&1)
	ms=$(printf '%s\n' "$out" | sed -n 's/^Time: \([0-9]*\)\..*/\1/p' | tail -1)
	if printf '%s' "$out" | grep -q 'canceling statement due to statement timeout'; then
		echo $((ms - $3))
	else
		echo "finished (${ms:-?} ms)"
	fi
}

declare -A T R M
for c in $sizes; do
	for f in data_quality waste recommendations; do
		read -r T[$f,$c] R[$f,$c] M[$f,$c] <<<"$(measure $f "ads_$c")"
	done
done

{
	echo "# The prescriptive layer at scale"
	echo
	echo "Measured by bench/scale_bench.sh on $(date -u +%Y-%m-%d), $(nproc) cores, load average at the"
	echo "start $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: other sessions were running)."
	echo "Tables from bench/scale_data.sql (campaigns x 730 days, Fivetran column names, planted"
	echo "problems); every call with as_of => '2025-12-30'.  Time: best of $runs fresh sessions"
	echo "(psql \\timing).  Peak: VmHWM of the backend (resident set at its peak, shared buffers touched"
	echo "included)."
	echo
	echo "| rows | function | result rows | time ms | ms per 1,000 rows | peak MB |"
	echo "| ---: | --- | ---: | ---: | ---: | ---: |"
	for c in $sizes; do
		n=$((c * 730))
		for f in data_quality waste recommendations; do
			printf '| %s | %s | %s | %s | %s | %s |\n' "$(printf "%'d" $n)" "$f" "${R[$f,$c]}" "${T[$f,$c]}" \
				"$(awk -v t="${T[$f,$c]}" -v n=$n 'BEGIN { printf "%.2f", t * 1000 / n }')" "${M[$f,$c]}"
		done
	done
	echo
	echo "## Cancel latency"
	echo
	echo "statement_timeout set to each value; latency = time to the error - timeout (target at most 250 ms)."
	echo
	echo "| rows | function | $(for t in $timeouts; do printf 'timeout %s ms | ' "$t"; done)"
	echo "| ---: | --- | $(for t in $timeouts; do printf -- '---: | '; done)"
	for c in $sizes; do
		for f in data_quality waste recommendations; do
			printf '| %s | %s | ' "$(printf "%'d" $((c * 730)))" "$f"
			for t in $timeouts; do printf '%s | ' "$(cancel $f "ads_$c" "$t")"; done
			echo
		done
	done
} > bench/results/scale.md.tmp
mv bench/results/scale.md.tmp bench/results/scale.md
cat bench/results/scale.md
psql -q -X -d postgres -c "DROP DATABASE $db" >/dev/null
stop_cluster
