#!/usr/bin/env bash
# noa's visual report in one command: one self-contained HTML file (inline SVG
# charts, no network, no external scripts or fonts) with every campaign's
# response curve, the data alarms, the waste, the allocation before and after,
# the action plan and, given a business table, incrementality (the factor per
# platform, the plan on incremental value, the backtest of the last 28 days).
#
#   scripts/report.sh                      the bundled demo, on a throwaway cluster
#   scripts/report.sh --source SCHEMA.TABLE [--business SCHEMA.TABLE] [--as-of YYYY-MM-DD]
#                     [--models SCHEMA.TABLE]
#                                          your table (documented layout), on the server
#                                          named by PGHOST/PGPORT/PGDATABASE; --models: your
#                                          KPI models (a noa.kpi_model column, optional geo)
#                                          instead of fitting them
#   -o FILE          where to write the report (default: ./noa-report.html)
#   --screenshot PNG also save a picture of its first screen (installs Chromium)
#
# Like scripts/demo.sh it installs what is missing from Debian's packages and
# builds and installs noa first.
set -u
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

out=$PWD/noa-report.html source="" business="" as_of="" models="" shot=""
while [ $# -gt 0 ]; do
	case $1 in
		-o) out=$2; shift 2 ;;
		--source) source=$2; shift 2 ;;
		--business) business=$2; shift 2 ;;
		--as-of) as_of=$2; shift 2 ;;
		--models) models=$2; shift 2 ;;
		--screenshot) shot=$2; shift 2 ;;
		-h|--help) usage ;;
		*) printf 'unknown argument: %s\n' "$1" >&2; usage ;;
	esac
done
out=$(realpath -m "$out")
[ -n "$shot" ] && shot=$(realpath -m "$shot")
cd "$(dirname "$0")/.."
. scripts/lib.sh

if [ -n "$source" ] && [ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]; then
	die "--source reads a table on your server: set PGHOST/PGPORT/PGDATABASE (a throwaway cluster has no tables)"
fi
if [ -n "$shot" ]; then ensure_packages $NOA_BROWSER_PACKAGES; else ensure_packages; fi
build_and_install
start_cluster
psql -q -X -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS noa" >/dev/null \
	|| die "CREATE EXTENSION noa failed"
if [ -z "$source" ]; then
	log "loading the demo data"
	psql -q -X -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -f demo/generate.sql >/dev/null \
		|| die "demo data generation failed"
	source=noa_demo.ad_spend business=noa_demo.shop_orders
fi
log "rendering the report of $source"
render_report "$out" "$source" "$business" "$as_of" "$models" || die "the report failed"
if [ -n "$shot" ]; then
	run_chromium "$out" --window-size=1280,1250 --screenshot="$shot" >/dev/null 2>&1 || die "the screenshot failed"
	log "screenshot: $shot"
fi
echo "the report: $out"
