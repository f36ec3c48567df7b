#!/bin/sh
# test_replica.sh - reports from a PostgreSQL streaming-replication standby.
#
#   sh tests/replica/test_replica.sh XIETONG DIR PORT
#
# Starts a primary on PORT and a standby on PORT+1 (scripts/pg-replica.sh,
# everything under DIR), loads the demo (200 requests) into the primary
# and shows that the standby has every row once it has replayed the WAL,
# that it refuses writes, and that `xietong metrics` answers with
# "replica = URL" in xietong.conf. When the store reads reports from the
# replica (store.c knows "replica"), it also shows that the figures come
# from the standby -- replay paused, a row added on the primary is not
# counted until replay resumes -- and that an unreachable replica falls
# back to the primary. Ends with "N passed, M failed"; exits non-zero on
# a failure.
set -u
xietong=${1:?usage: test_replica.sh XIETONG DIR PORT}
dir=${2:?usage: test_replica.sh XIETONG DIR PORT}
port=${3:?usage: test_replica.sh XIETONG DIR PORT}
sport=$((port + 1))
src=$(cd "$(dirname "$0")/../.." && pwd)
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   - $1"; }
not_ok() { failed=$((failed + 1)); echo "FAIL - $1"; }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" = 0 ]
    exit $?
}
cleanup() { sh "$src/scripts/pg-replica.sh" stop "$dir/pg" >/dev/null 2>&1; rm -rf "$dir"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

# psql against PORT, database xietong: one value, unaligned.
q() { "$pgbin/psql" -X -At -h 127.0.0.1 -p "$1" -U postgres -d "${3:-xietong}" -c "$2"; }

# Wait until the standby has replayed everything the primary has written.
# The insert position, not the write position: the demo loads with
# synchronous_commit off, so its last commits may not be written yet.
catch_up() {
    lsn=$(q "$port" "SELECT pg_current_wal_insert_lsn()")
    i=0
    while [ "$(q "$sport" "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")" != t ]; do
        i=$((i + 1))
        [ $i -gt 300 ] && return 1
        sleep 0.1
    done
    return 0
}

# The "dispatched" count of `xietong metrics --unit 6229` for the month.
dispatched() {
    "$xietong" metrics --unit 6229 --period "$period" --data "$dir/data" 2>>"$dir/metrics.log" |
        sed -n 's/.*"dispatched": *\([0-9][0-9]*\).*/\1/p'
}

conf() {
    printf 'database = %s\n' "$primary" >"$dir/data/xietong.conf"
    [ -n "${1:-}" ] && printf 'replica = %s\n' "$1" >>"$dir/data/xietong.conf"
    return 0
}

rm -rf "$dir"
mkdir -p "$dir/data"
if ! sh "$src/scripts/pg-replica.sh" start "$dir/pg" "$port" "$sport" >"$dir/urls" 2>"$dir/pg.log"; then
    cat "$dir/pg.log"
    not_ok "start a primary and a streaming standby"
    finish
fi
ok "start a primary (port $port) and a streaming standby (port $sport)"
q "$port" "CREATE DATABASE xietong" postgres >/dev/null
primary="postgresql://postgres@127.0.0.1:$port/xietong"
standby="postgresql://postgres@127.0.0.1:$sport/xietong"

if [ "$(q "$sport" "SELECT pg_is_in_recovery()" postgres)" = t ]; then
    ok "the standby is in recovery (a hot standby)"
else
    not_ok "the standby is in recovery (a hot standby)"
fi

if "$xietong" demo --no-serve --tickets 200 --root "$src/data" --data "$dir/data" --database "$primary" \
    >"$dir/demo.log" 2>&1; then
    ok "xietong demo --tickets 200 into the primary"
else
    tail -n 20 "$dir/demo.log"
    not_ok "xietong demo --tickets 200 into the primary"
    finish
fi

if catch_up; then ok "the standby replays up to the primary's WAL position"; else
    not_ok "the standby replays up to the primary's WAL position"
fi

for t in tickets events assignments audit units; do
    np=$(q "$port" "SELECT count(*) FROM $t")
    ns=$(q "$sport" "SELECT count(*) FROM $t")
    if [ -n "$np" ] && [ "$np" = "$ns" ] && [ "$np" -gt 0 ]; then
        ok "the standby serves $t: $ns rows, as on the primary"
    else
        not_ok "the standby serves $t: primary '$np', standby '$ns'"
    fi
done
[ "$(q "$sport" "SELECT count(*) FROM tickets")" = 200 ] && ok "200 tickets on the standby" ||
    not_ok "200 tickets on the standby"

out=$(q "$sport" "INSERT INTO calendar(day, kind, name) VALUES ('2099-01-01', 'holiday', 'x')" 2>&1)
rc=$?
if [ $rc != 0 ] && echo "$out" | grep -q 'read-only transaction'; then
    ok "a write on the standby is refused (read-only transaction)"
else
    not_ok "a write on the standby is refused: rc $rc, '$out'"
fi

period=$(TZ=UTC-8 date +%Y-%m)
month=$(echo "$period" | tr -d -)
conf
base=$(dispatched)
conf "$standby"
with_replica=$(dispatched)
if [ -n "$base" ] && [ "$base" -gt 0 ] && [ "$with_replica" = "$base" ]; then
    ok "xietong metrics with 'replica = standby' in xietong.conf: $with_replica dispatched in $period"
else
    not_ok "xietong metrics with a replica: '$with_replica', without: '$base'"
fi

if grep -q '"replica"' "$src/src/store/store.c"; then
    # Replay paused, a row written on the primary is not on the standby.
    q "$sport" "SELECT pg_wal_replay_pause()" >/dev/null
    q "$port" "INSERT INTO assignments(ticket_id, unit, month, dispatched_at, sign_by, resolve_by)
               SELECT min(id), '622921100', $month, 0, 0, 0 FROM tickets" >/dev/null
    i=0
    while [ "$(q "$sport" "SELECT pg_get_wal_replay_pause_state()")" != paused ] && [ $i -lt 100 ]; do
        i=$((i + 1))
        sleep 0.1
    done
    conf
    now_primary=$(dispatched)
    conf "$standby"
    now_replica=$(dispatched)
    if [ "$now_primary" = $((base + 1)) ] && [ "$now_replica" = "$base" ]; then
        ok "replay paused: the report comes from the standby ($now_replica), the primary has $now_primary"
    else
        not_ok "replay paused: replica '$now_replica' (want $base), primary '$now_primary' (want $((base + 1)))"
    fi
    q "$sport" "SELECT pg_wal_replay_resume()" >/dev/null
    catch_up
    now_replica=$(dispatched)
    if [ "$now_replica" = $((base + 1)) ]; then
        ok "replay resumed: the standby's report has the new row ($now_replica)"
    else
        not_ok "replay resumed: replica '$now_replica', want $((base + 1))"
    fi
    # Nothing listens on port 1: the report falls back to the primary.
    conf "postgresql://postgres@127.0.0.1:1/xietong?connect_timeout=2"
    fallback=$(dispatched)
    if [ "$fallback" = $((base + 1)) ]; then
        ok "an unreachable replica: the report falls back to the primary ($fallback)"
    else
        not_ok "an unreachable replica: '$fallback', want $((base + 1))"
    fi
    # A replica needs a PostgreSQL database.
    printf 'replica = %s\n' "$standby" >"$dir/data/xietong.conf"
    if "$xietong" metrics --unit 6229 --data "$dir/data" >/dev/null 2>"$dir/sqlite.log"; then
        not_ok "a replica beside a SQLite database is refused"
    elif grep -q 'replica' "$dir/sqlite.log"; then
        ok "a replica beside a SQLite database is refused"
    else
        not_ok "a replica beside a SQLite database is refused: $(cat "$dir/sqlite.log")"
    fi
else
    echo "skip - reports served by the standby: store.c has no read-replica support yet"
fi
finish
