#!/usr/bin/env bash
# Three throwaway PostgreSQL clusters with noa_demo.ad_spend hash-partitioned
# by campaign over them, for test/sharded/run.sh and bench/sharded_bench.sh.
# Sourced after scripts/lib.sh, not run.
#
# Node 0 is the coordinator, nodes 1 and 2 the shards; each runs as the
# unprivileged user in its own directory under $sharded_root, reachable only
# through a unix socket there.  Node 0 holds two databases: noa_single (the
# rows in one ordinary table) and noa_shard (the same rows partitioned: one
# partition local, two postgres_fdw foreign tables on the shards).

# Start the three clusters (stopped and removed again when the script exits).
sharded_start() {
	local i p pids=""
	unset PGHOST PGPORT PGDATABASE
	export PGUSER=postgres
	pick_pg_user
	sharded_root=$(mktemp -d /tmp/noa-sharded.XXXXXX)
	chmod 755 "$sharded_root"
	trap sharded_stop EXIT
	sharded_port=$((20000 + ($$ + 5000) % 20000))
	# JIT is off: on these queries it only adds compile time.
	for i in 0 1 2; do
		start_cluster_in "$sharded_root/node$i" $((sharded_port + i)) -c jit=off &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || die "a cluster of the sharded setup did not start"; done
	log "three clusters up under $sharded_root (ports $sharded_port..$((sharded_port + 2)))"
}

# Stop the three clusters and remove their directory.
sharded_stop() {
	[ -n "${sharded_root:-}" ] || return 0
	local i
	for i in 0 1 2; do stop_cluster_in "$sharded_root/node$i"; done
	rm -rf "$sharded_root"
	sharded_root=""
}

# psql on node N (0, 1, 2) as the clusters' superuser, stopping at the first error.
node_psql() {
	local n=$1; shift
	psql -X -q -v ON_ERROR_STOP=1 -h "$sharded_root/node$n/socket" -p $((sharded_port + n)) "$@"
}

# Fill noa_single by running the given SQL files (they must leave tables
# noa_demo.ad_spend and noa_demo.shop_orders), then build noa_shard from it.
sharded_load() {
	local f i err=$sharded_root/setup.err
	node_psql 0 -d postgres -c 'CREATE DATABASE noa_single' -c 'CREATE DATABASE noa_shard' >/dev/null \
		|| die "cannot create the databases on the coordinator"
	for f in "$@"; do
		node_psql 0 -d noa_single -f "$f" >/dev/null 2>"$err" || { cat "$err" >&2; die "$f failed"; }
	done
	node_psql 0 -d noa_single -c 'CREATE EXTENSION noa' -c 'ANALYZE' >/dev/null || die "cannot install noa in noa_single"
	for i in 1 2; do
		node_psql "$i" -d postgres -c 'CREATE DATABASE noa_shard' >/dev/null || die "cannot create noa_shard on node $i"
		node_psql "$i" -d noa_shard -v single_host="$sharded_root/node0/socket" -v single_port="$sharded_port" \
			-v part="ad_spend_p$i" -f test/sharded/shard.sql >/dev/null 2>"$err" \
			|| { cat "$err" >&2; die "setting up shard $i failed"; }
	done
	node_psql 0 -d noa_shard \
		-v host0="$sharded_root/node0/socket" -v port0="$sharded_port" \
		-v host1="$sharded_root/node1/socket" -v port1=$((sharded_port + 1)) \
		-v host2="$sharded_root/node2/socket" -v port2=$((sharded_port + 2)) \
		-f test/sharded/coordinator.sql >/dev/null 2>"$err" \
		|| { cat "$err" >&2; die "setting up the coordinator failed"; }
	# The shards' own statistics, for their plans of what they are sent.
	for i in 1 2; do node_psql "$i" -d noa_shard -c 'ANALYZE' >/dev/null || die "ANALYZE failed on node $i"; done
}
