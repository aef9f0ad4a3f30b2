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
# variables name a server.  NOA_SCALE_SIZES overrides the campaign counts;
# tables of 5,000 campaigns or more are measured once (not best of runs).
set -u
cd "$(dirname "$0")/.."
. scripts/lib.sh
sizes=${NOA_SCALE_SIZES:-50 500 5000}
runs=${NOA_SCALE_RUNS:-2}
timeouts=${NOA_SCALE_TIMEOUTS:-500 2000}

# NOA_SCALE_DB=name: use that database of the server in PG* (noa installed),
# keep it, and generate only the tables it lacks.
if [ -n "${NOA_SCALE_DB:-}" ]; then
	export PGDATABASE=$NOA_SCALE_DB
else
	ensure_packages
	build_and_install
	start_cluster
	db=noa_scale_bench
	psql -q -X -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
	export PGDATABASE=$db
	psql -q -X -c "CREATE EXTENSION noa" >/dev/null
fi
for c in $sizes; do
	[ "$(psql -X -At -c "SELECT to_regclass('ads_$c') IS NOT NULL")" = t ] && continue
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

# CPU time of this backend so far, in clock ticks (user + system, /proc/self/stat)
ticks="(split_part(split_part(pg_read_file('/proc/self/stat'), ') ', 2), ' ', 12)::bigint
        + split_part(split_part(pg_read_file('/proc/self/stat'), ') ', 2), ' ', 13)::bigint)"

# measure FN TABLE: "ms rows peak_MB cpu_ms" of the best of $runs fresh sessions
measure() {
	local best='' rows='' peak='' cpu='' i out ms r hwm c
	for i in $(seq "$runs"); do
		out=$(psql -X -q -At <<SQL 2>&1
SELECT $ticks AS t0 \gset
\timing on
$(call "$1" "$2");
\timing off
SELECT 'VmHWM: ' || substring(pg_read_file('/proc/self/status') from 'VmHWM:\s*(\d+)') || ' kB';
SELECT 'CPU: ' || ($ticks - :t0) * 1000 / $(getconf CLK_TCK) || ' ms';
SQL
)
		ms=$(printf '%s\n' "$out" | sed -n 's/^Time: \([0-9]*\)\..*/\1/p' | tail -1)
		r=$(printf '%s\n' "$out" | sed -n '1p')
		hwm=$(printf '%s\n' "$out" | sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p')
		c=$(printf '%s\n' "$out" | sed -n 's/^CPU: \([0-9]*\) ms/\1/p')
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; cpu=$c; fi
		rows=$r
		if [ -z "$peak" ] || [ "${hwm:-0}" -gt "$peak" ]; then peak=${hwm:-0}; fi
	done
	echo "$best $rows $((peak / 1024)) ${cpu:-?}"
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

declare -A T R M C
for c in $sizes; do
	for f in data_quality waste recommendations; do
		# the largest table once: a call there takes minutes
		if [ "$c" -ge 5000 ]; then n_runs=1; else n_runs=$runs; fi
		read -r T[$f,$c] R[$f,$c] M[$f,$c] C[$f,$c] <<<"$(runs=$n_runs measure $f "ads_$c")"
	done
done

{
	echo "# The prescriptive layer at scale"
	echo
	echo "Measured by bench/scale_bench.sh on $(date -u +%Y-%m-%d), $(nproc) cores, load average at the"
	echo "start $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: other sessions were running)."
	echo "Tables from bench/scale_data.sql (campaigns x 730 days, Fivetran column names, planted"
	echo "problems); every call with as_of => '2025-12-30'.  Time: best of $runs fresh sessions (one at 3.65M rows)"
	echo "(psql \\timing).  Backend CPU: user + system time of the session's backend during the call"
	echo "(what the call costs whatever the load; parallel workers, if any, not included).  Peak: VmHWM"
	echo "of the backend (resident set at its peak, shared buffers touched included)."
	echo
	echo "| rows | function | result rows | time ms | backend CPU ms | CPU ms per 1,000 rows | peak MB |"
	echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"
	for c in $sizes; do
		n=$((c * 730))
		for f in data_quality waste recommendations; do
			printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(printf "%'d" $n)" "$f" "${R[$f,$c]}" "${T[$f,$c]}" \
				"${C[$f,$c]}" "$(awk -v t="${C[$f,$c]}" -v n=$n 'BEGIN { printf "%.2f", t * 1000 / n }')" "${M[$f,$c]}"
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
if [ -z "${NOA_SCALE_DB:-}" ]; then
	psql -q -X -d postgres -c "DROP DATABASE $db" >/dev/null
	stop_cluster
fi
