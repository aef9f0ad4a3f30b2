#!/usr/bin/env bash
# The main job in one command: installs what is missing from Debian's packages,
# builds and installs noa, starts a throwaway PostgreSQL cluster (unless
# PGHOST/PGPORT/PGDATABASE name a server), loads the bundled demo data and
# prints noa's analysis of it, then writes the same analysis as a visual HTML
# report (./noa-report.html, or the file in NOA_REPORT) and prints where it is.
# It stops what it started.
set -u
report=$(realpath -m "${NOA_REPORT:-$PWD/noa-report.html}")
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_packages
build_and_install
start_cluster

log "loading the demo data (two years of daily ad spend, ~40 campaigns)"
psql -q -X -v ON_ERROR_STOP=1 -c "CREATE EXTENSION IF NOT EXISTS noa" >/dev/null || die "CREATE EXTENSION noa failed"
psql -q -X -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -f demo/generate.sql >/dev/null || die "demo data generation failed"
log "running the analysis"
# One session: after the text report, report/data.sql gathers the visual
# report's rows into a file, reusing the KPI models the text report fitted.
json=$(mktemp /tmp/noa-report.XXXXXX)
psql -X -v ON_ERROR_STOP=1 -P pager=off -v source=noa_demo.ad_spend -v business=noa_demo.shop_orders -v as_of= \
	-v models=demo_models -f demo/report.sql -c "\\o $json" -f report/data.sql \
	|| { rm -f "$json"; die "the demo report failed"; }
log "rendering the visual report"
"$NOA_PYTHON" report/render.py "$report" <"$json" || { rm -f "$json"; die "the visual report failed"; }
rm -f "$json"
echo
echo "The visual report (response curves, alarms, waste, allocation, action plan, incrementality): $report"
