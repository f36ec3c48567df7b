#!/bin/sh
# A PostgreSQL primary and a streaming-replication standby on 127.0.0.1,
# from Debian's packages, to try and test read replicas (docs/DEPLOY.md):
#   sh scripts/pg-replica.sh start DIR PRIMARY_PORT STANDBY_PORT
#       prints the primary's URL, then the standby's, one per line
#   sh scripts/pg-replica.sh stop DIR
# The primary runs with wal_level=replica and has a role 'replicator' with
# the REPLICATION attribute; the standby is a pg_basebackup -R of it
# (standby.signal and primary_conninfo written for us), started as a hot
# standby on its own port. Both live under DIR and share nothing with a
# system cluster. Authentication is trust on 127.0.0.1: a test set-up only.
set -eu
cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
    echo "usage: pg-replica.sh start DIR PRIMARY_PORT STANDBY_PORT | stop DIR" >&2
    exit 2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "pg-replica: PostgreSQL server binaries not found" >&2; exit 1; }
# PostgreSQL refuses to run as root: use the packaged 'postgres' user.
if [ "$(id -u)" = 0 ]; then run="runuser -u postgres --"; else run=""; fi

# sql PORT QUERY: one value, unaligned.
sql() {
    $run "$bin/psql" -X -At -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "$2"
}

case "$cmd" in
start)
    pport=${3:?primary port}
    sport=${4:?standby port}
    rm -rf "$dir"
    mkdir -p "$dir"
    [ -n "$run" ] && chown postgres "$dir"
    $run "$bin/initdb" -D "$dir/primary" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    $run sh -c "cat >>'$dir/primary/postgresql.conf'" <<EOF
# pg-replica.sh
listen_addresses = '127.0.0.1'
port = $pport
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 64MB
wal_level = replica
max_wal_senders = 5
wal_keep_size = 256MB
hot_standby = on
hot_standby_feedback = on
EOF
    $run sh -c "cat >'$dir/primary/pg_hba.conf'" <<EOF
# pg-replica.sh: local test set-up
local   all          all                       trust
host    all          all         127.0.0.1/32  trust
host    replication  replicator  127.0.0.1/32  trust
EOF
    $run "$bin/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w -t 60 start >/dev/null ||
        { cat "$dir/primary.log" >&2; exit 1; }
    sql "$pport" "CREATE ROLE replicator WITH REPLICATION LOGIN" >/dev/null
    # -R: standby.signal plus primary_conninfo; -X stream: the WAL written
    # during the copy comes along; -c fast: checkpoint now, not later.
    $run "$bin/pg_basebackup" -h 127.0.0.1 -p "$pport" -U replicator -D "$dir/standby" \
        -R -X stream -c fast >"$dir/basebackup.log" 2>&1 ||
        { cat "$dir/basebackup.log" >&2; exit 1; }
    $run sh -c "echo 'port = $sport' >>'$dir/standby/postgresql.conf'"
    $run "$bin/pg_ctl" -D "$dir/standby" -l "$dir/standby.log" -w -t 60 start >/dev/null ||
        { cat "$dir/standby.log" >&2; exit 1; }
    # Ready when the standby is in recovery and the primary sees it stream.
    i=0
    while :; do
        rec=$(sql "$sport" "SELECT pg_is_in_recovery()" 2>/dev/null || true)
        st=$(sql "$pport" "SELECT state FROM pg_stat_replication LIMIT 1" 2>/dev/null || true)
        [ "$rec" = t ] && [ "$st" = streaming ] && break
        i=$((i + 1))
        if [ $i -gt 300 ]; then
            echo "pg-replica: the standby does not stream (recovery '$rec', state '$st')" >&2
            cat "$dir/standby.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "postgresql://postgres@127.0.0.1:$pport/postgres"
    echo "postgresql://postgres@127.0.0.1:$sport/postgres"
    ;;
stop)
    # The standby first, so that it does not retry a vanished primary.
    for node in standby primary; do
        if [ -d "$dir/$node" ]; then
            $run "$bin/pg_ctl" -D "$dir/$node" -m fast -w stop >/dev/null 2>&1 || true
        fi
    done
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg-replica.sh start DIR PRIMARY_PORT STANDBY_PORT | stop DIR" >&2
    exit 2
    ;;
esac
