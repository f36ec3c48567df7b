#!/bin/sh
# A throw-away PostgreSQL server for the tests, from Debian's packages:
# its own data directory, its own port on 127.0.0.1, trust authentication,
# nothing shared with a system cluster.
#   sh scripts/pg-test.sh start DIR PORT   prints the connection URL
#   sh scripts/pg-test.sh stop DIR
set -eu
cmd=$1
dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "pg-test: PostgreSQL server binaries not found" >&2; exit 1; }
# PostgreSQL refuses to run as root: use the packaged 'postgres' user.
if [ "$(id -u)" = 0 ]; then run="runuser -u postgres --"; else run=""; fi
case "$cmd" in
start)
    port=$3
    rm -rf "$dir"
    mkdir -p "$dir"
    [ -n "$run" ] && chown postgres "$dir"
    $run "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    $run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200 -c shared_buffers=64MB" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    [ -d "$dir/data" ] && $run "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg-test.sh start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
