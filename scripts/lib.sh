#!/usr/bin/env bash
# Shared set-up for scripts/demo.sh and scripts/test.sh: Debian packages, build and
# install, and a throwaway PostgreSQL cluster (temp dir, unix socket, unprivileged user).
# Sourced, not run.

NOA_PG_MAJOR=${NOA_PG_MAJOR:-15}
NOA_PG_BIN=${NOA_PG_BIN:-/usr/lib/postgresql/$NOA_PG_MAJOR/bin}
NOA_PACKAGES="make gcc libc6-dev postgresql-$NOA_PG_MAJOR postgresql-server-dev-$NOA_PG_MAJOR
 libgsl-dev postgresql-$NOA_PG_MAJOR-pgtap libtap-parser-sourcehandler-pgtap-perl valgrind python3"
# The browser that checks the HTML report (scripts/test.sh) and takes its screenshots, with a font.
NOA_BROWSER_PACKAGES="chromium fonts-dejavu-core"
NOA_PYTHON=/usr/bin/python3

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"
	elif command -v sudo >/dev/null 2>&1; then sudo "$@"
	else die "need root (or sudo) to run: $*"; fi
}

# Install whatever of the Debian packages is missing (plus any given as arguments).
ensure_packages() {
	local missing="" p
	for p in $NOA_PACKAGES "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	log "installing Debian packages:$missing"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
		|| die "apt-get update failed"
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null \
		|| die "apt-get install failed for:$missing"
}

# Build noa and install it into the server's directories.
build_and_install() {
	export PG_CONFIG="$NOA_PG_BIN/pg_config"
	[ -x "$PG_CONFIG" ] || PG_CONFIG=$(command -v pg_config)
	# CI (CI=true) treats warnings as errors; everyone else gets a plain build.
	local cflags=""
	[ "${CI:-}" = true ] && cflags="-Wall -Wextra -Wno-unused-parameter -Werror"
	log "building noa${cflags:+ (warnings as errors)}"
	make -s PG_CONFIG="$PG_CONFIG" PG_CFLAGS="$cflags" >/dev/null || die "build failed"
	as_root make -s PG_CONFIG="$PG_CONFIG" install >/dev/null || die "make install failed"
}

# Run a command as the unprivileged owner of the throwaway cluster.
as_pg_user() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u "$NOA_PG_USER" -- "$@"; else "$@"; fi
}

# The unprivileged user that owns throwaway clusters: postgres when run as root.
pick_pg_user() {
	if [ "$(id -u)" -eq 0 ]; then
		NOA_PG_USER=postgres
		id "$NOA_PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home "$NOA_PG_USER"
	else
		NOA_PG_USER=$(id -un)
	fi
}

# Create a cluster in the new directory DIR (data, socket and logs inside it) and
# start it on PORT, reachable only through the unix socket DIR/socket.  Extra
# arguments are server options (e.g. "-c jit=off").
start_cluster_in() {
	local dir=$1 port=$2; shift 2
	mkdir -p "$dir/socket"
	chmod 755 "$dir"
	[ "$(id -u)" -eq 0 ] && chown -R "$NOA_PG_USER" "$dir"
	as_pg_user "$NOA_PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust \
		-E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
		|| { cat "$dir/initdb.log" >&2; die "initdb failed in $dir"; }
	as_pg_user "$NOA_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
		-o "-c listen_addresses='' -k $dir/socket -p $port -c fsync=off $*" start >/dev/null \
		|| { cat "$dir/server.log" >&2; die "could not start the cluster in $dir"; }
}

# Stop the cluster that start_cluster_in started in DIR (the directory stays).
stop_cluster_in() {
	[ -d "$1/data" ] || return 0
	as_pg_user "$NOA_PG_BIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1
}

# Start a throwaway cluster unless PGHOST/PGPORT/PGDATABASE point at a server.
# Exports PGHOST, PGPORT, PGUSER, PGDATABASE for the caller; stop_cluster undoes it.
start_cluster() {
	if [ -n "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]; then
		log "using the server given by PGHOST/PGPORT/PGDATABASE"
		NOA_CLUSTER_DIR=""
		return 0
	fi
	pick_pg_user
	NOA_CLUSTER_DIR=$(mktemp -d /tmp/noa-cluster.XXXXXX)
	# The socket lives in a private directory, so any port number is free there.
	local port=$((20000 + $$ % 20000))
	start_cluster_in "$NOA_CLUSTER_DIR" "$port"
	export PGHOST="$NOA_CLUSTER_DIR/socket" PGPORT=$port PGUSER=postgres PGDATABASE=postgres
	trap stop_cluster EXIT
	log "throwaway cluster up (socket $PGHOST, port $PGPORT)"
}

# Stop and remove the throwaway cluster, if this script started one.
stop_cluster() {
	[ -n "${NOA_CLUSTER_DIR:-}" ] || return 0
	stop_cluster_in "$NOA_CLUSTER_DIR"
	rm -rf "$NOA_CLUSTER_DIR"
	NOA_CLUSTER_DIR=""
}

# Render noa's HTML report of a source table (documented layout) into OUT, from
# the server in PGHOST/PGPORT/PGDATABASE: report/data.sql gathers noa's rows as
# JSON, report/render.py turns them into one self-contained HTML file.
# MODELS names a table of KPI models already fitted, to reuse (see report/kpi_model.sql).
# Usage: render_report OUT SOURCE [BUSINESS] [AS_OF] [MODELS]
render_report() {
	local out=$1 source=$2 business=${3:-} as_of=${4:-} models=${5:-} json rc
	json=$(mktemp /tmp/noa-report.XXXXXX)
	psql -X -q -At -v source="$source" -v business="$business" -v as_of="$as_of" -v models="$models" \
		-f report/data.sql >"$json" \
		&& "$NOA_PYTHON" report/render.py "$out" <"$json"
	rc=$?
	rm -f "$json"
	return $rc
}

# Headless Chromium on a local HTML file with a fresh profile and no network
# services; extra arguments (e.g. --dump-dom, --screenshot=FILE) come first.
# Usage: run_chromium HTML ARGS...
run_chromium() {
	local html profile rc
	html=$(realpath "$1"); shift
	profile=$(mktemp -d /tmp/noa-chromium.XXXXXX)
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
		--user-data-dir="$profile" "$@" "file://$html"
	rc=$?
	rm -rf "$profile"
	return $rc
}

# Open the report in headless Chromium: read its rendering self-check back from
# the DOM (charts drawn, no text outside its box or overlapping, no console
# message, no network request), take a full-page screenshot into SHOT and check
# it (no screenshot when SHOT is -), and that each part named in EXPECT (ids,
# comma-separated) is there with a chart or table row.  Prints 'ok'/'not ok'
# lines and 'browser: N passed, M failed'.
# Usage: browser_check_report HTML SHOT [EXPECT]
browser_check_report() {
	local html=$1 shot=$2 expect=${3:-} dir height rc
	dir=$(mktemp -d /tmp/noa-browser.XXXXXX)
	run_chromium "$html" --window-size=1280,900 --enable-logging=stderr --v=0 --dump-dom \
		>"$dir/dom.html" 2>"$dir/chromium.log"
	if [ "$shot" != - ]; then
		height=$("$NOA_PYTHON" report/check_dom.py --height "$dir/dom.html")
		[ "${height:-0}" -gt 0 ] 2>/dev/null || height=900
		run_chromium "$html" --window-size=1280,"$height" --screenshot="$shot" >/dev/null 2>&1
	fi
	"$NOA_PYTHON" report/check_dom.py --expect "$expect" "$dir/dom.html" "$dir/chromium.log" "$shot"; rc=$?
	rm -rf "$dir"
	return $rc
}
