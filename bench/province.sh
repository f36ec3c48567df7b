#!/bin/sh
# bench/province.sh - the province-scale benchmark on PostgreSQL (issue 9).
#
#   sh bench/province.sh BUILD_DIR [TICKETS [RESIDENTS]]   (from anywhere; `make bench-province`)
#
# TICKETS defaults to 10,000,000; RESIDENTS (also from the environment)
# to "census": every county's 2020 census population, 25,019,831 in all;
# a number N shares N out among the counties by their census populations
# (a quick run), 0 skips the residents. Builds nothing. Runs, in order:
#   1. a throw-away PostgreSQL server (scripts/pg-test.sh) on port 55450,
#      restarted with bulk-load settings; database `province`
#   2. the real province of Gansu (62) loaded with the xietong CLI:
#      divisions, census, calendar, categories, departments, and the demo
#      grids of prefecture 6229 (the only one with county seats)
#   2b. the residents, county after county through the product: `xietong
#      people generate` (census-consistent people in households, with their
#      tags in the register; villages stand in for grids in the counties
#      not gridded) and `xietong people import` (ID number, phone,
#      ethnicity, birth date, sensitive tags and lineage sealed, blind index,
#      linkage; COPY on PostgreSQL), the next county generated while one is
#      imported; the blind index of the ID number is made once after the
#      load (as an import into an empty registry makes it), then VACUUM
#      (ANALYZE) of the people tables
#   3. TICKETS tickets and as many assignments generated with set-based SQL
#      (bench/province_gen.sql) over the last 12 months and every township,
#      in chunks, by two sessions at once; secondary indexes rebuilt, ANALYZE
#   4. PostgreSQL restarted with durable settings (fsync, synchronous_commit,
#      full_page_writes on); the monthly ranking of all townships of 62
#      timed through the CLI (a new process each time) and through
#      GET /api/v1/metrics/ranking (one server, requests in a row: the
#      first 5 executions of a prepared statement get custom plans, later
#      ones may get PostgreSQL's generic plan; both are reported)
#   5. durable ticket creation (bench/create.lua) through one server, then
#      through two `xietong serve` processes on the same database at once
#   6. for comparison, the same ranking on SQLite for the demo prefecture
#      6229 (its assignments copied from the generated ones)
# then writes its section of docs/BENCHMARKS.md, between
# <!-- province:begin --> and <!-- province:end --> (appended when absent;
# the rest of the file, written by bench/run.sh, is left as it is).
#
# Exit status: 0 when everything ran cleanly (a missed target is reported
# as FAIL in the document, not as an error); 1 when something could not run
# or answered wrongly (e.g. a ticket POST that was not 201).
#
# Environment (all optional):
#   XT_SHARED       the shared data folder (default ../shared/data)
#   XT_PG_DIR       the PostgreSQL directory (default /tmp/xietong-pg-province; removed at the end)
#   XT_PG_PORT      its port (default 55450)
#   XT_CHUNK        tickets per generation transaction (default 1000000)
#   XT_GEN_JOBS     generation sessions at once (default 2)
#   XT_BENCH_SECS   seconds of each wrk run (default 20)
#   XT_RUNS         timed ranking runs, after one warm-up (default 5; twice as
#                   many through the API)
#   XT_BENCH_OUT    the document to write (default docs/BENCHMARKS.md)
set -u

BUILD=${1:-build}
BUILD_ARG=$BUILD
TICKETS=${2:-10000000}
RESIDENTS=${3:-${RESIDENTS:-census}}
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
case $BUILD in
/*) ;;
*) BUILD=$ROOT/$BUILD ;;
esac
OUT=${XT_BENCH_OUT:-$ROOT/docs/BENCHMARKS.md}
PGDIR=${XT_PG_DIR:-/tmp/xietong-pg-province}
PGPORT=${XT_PG_PORT:-55450}
CHUNK=${XT_CHUNK:-1000000}
JOBS=${XT_GEN_JOBS:-2}
SECS=${XT_BENCH_SECS:-20}
RUNS=${XT_RUNS:-5}
NPROC=$(nproc 2>/dev/null || echo 2)
PREFIX=62
DEMO_PREFIX=6229
URL=postgresql://postgres@127.0.0.1:$PGPORT/province
PGOPTIONS="-c client_min_messages=warning"
export PGOPTIONS
XT=$BUILD/xietong

die() {
    echo "province: $*" >&2
    exit 1
}
say() {
    echo "province: $*"
}

case $TICKETS in
'' | *[!0-9]*) die "TICKETS must be a number, not '$TICKETS'" ;;
esac
[ "$TICKETS" -ge 1000 ] || die "TICKETS must be at least 1000"
case $RESIDENTS in
census) ;;
'' | *[!0-9]*) die "RESIDENTS must be a number or 'census', not '$RESIDENTS'" ;;
esac
[ -x "$XT" ] || die "$XT is missing: run 'make build' first"
for t in psql pgbench wrk curl sqlite3 awk sed; do
    command -v "$t" >/dev/null 2>&1 || die "'$t' is not installed (see deps/debian-packages.txt)"
done
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PGBIN/pg_ctl" ] || die "PostgreSQL server binaries not found (apt-get install postgresql)"
if [ "$(id -u)" = 0 ]; then RUNAS="runuser -u postgres --"; else RUNAS=""; fi

SHARED=${XT_SHARED:-}
if [ -z "$SHARED" ]; then
    for d in "$ROOT/../shared/data"; do
        if [ -f "$d/divisions/west_divisions_all.csv" ]; then
            SHARED=$(cd "$d" && pwd)
            break
        fi
    done
fi
DIV=$SHARED/divisions/west_divisions_all.csv
# In the document the file is named relative to the repository, as a reader's
# checkout has it, not by this machine's path.
case $DIV in
"$(dirname "$ROOT")/shared/"*) DIV_SHOWN=../shared/${DIV#"$(dirname "$ROOT")/shared/"} ;;
*) DIV_SHOWN=$(basename "$DIV") ;;
esac
[ -f "$DIV" ] || die "divisions file not found (set XT_SHARED to the shared data folder)"
CENSUS=$ROOT/data/census/census2020_county_west_key.csv
CAL=$ROOT/data/calendar/cn_holidays.csv
CATS=$ROOT/data/reference/categories.csv
DEPTS=$ROOT/data/reference/departments.csv
SEATS=$ROOT/data/demo/county_seats.csv
MSGS=$ROOT/data/demo/messages.csv
for f in "$CENSUS" "$CAL" "$CATS" "$DEPTS" "$SEATS" "$MSGS" "$ROOT/bench/province_gen.sql" "$ROOT/bench/create.lua"; do
    [ -f "$f" ] || die "$f is missing"
done

TMP="$BUILD/province-data.$$"
rm -rf "$TMP"
mkdir -p "$TMP" || die "cannot create $TMP"
D=$TMP/data
PIDS=""
PG_STARTED=""
cleanup() {
    for p in $PIDS; do
        kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    if [ -n "$PG_STARTED" ]; then
        say "stopping and removing PostgreSQL ($PGDIR)"
        sh "$ROOT/scripts/pg-test.sh" stop "$PGDIR"
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ERRORS=0
ERRLIST=""
error() {
    echo "province: ERROR: $*" >&2
    ERRORS=$((ERRORS + 1))
    ERRLIST="$ERRLIST
- $*"
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
fmt() { # thousands separators for integers
    printf '%s' "$1" | awk '{ s = sprintf("%.0f", $1); r = "";
        while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
        print s r }'
}
pass() { # pass VALUE OP LIMIT -> PASS/FAIL/not measured
    if [ -z "$1" ]; then
        echo "not measured"
    elif awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { exit !((op == ">=" && v >= l) || (op == "<" && v < l)) }'; then
        echo "PASS"
    else
        echo "FAIL"
    fi
}
sql() { # sql QUERY: one value per line, unaligned
    psql "$URL" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"
}
# SZ TABLE: its size with its indexes, and the table alone
SZ() { sql "SELECT pg_size_pretty(pg_total_relation_size('$1')) || ' (' || pg_size_pretty(pg_relation_size('$1')) || ' table)'"; }
# best and median of the numbers on stdin, one a line: "BEST MEDIAN"
best_median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit; m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
        printf "%.3f %.3f\n", v[1], m }'
}
# wait_port LOGFILE PID: the port printed as http://127.0.0.1:PORT/ in the log
wait_port() {
    i=0
    while [ $i -lt 300 ]; do
        port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$1" | head -n 1)
        if [ -n "$port" ]; then
            echo "$port"
            return 0
        fi
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# PostgreSQL settings. Both profiles share the memory settings; the load
# profile gives up crash safety for speed (the data are generated, a crash
# means running the script again); the measured phases run durable.
PG_BASE="-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c max_connections=200"
PG_MEM="-c shared_buffers=1GB -c effective_cache_size=8GB -c maintenance_work_mem=1GB -c work_mem=64MB -c wal_buffers=64MB -c max_wal_size=8GB -c checkpoint_timeout=30min"
PG_LOAD="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c wal_level=minimal -c max_wal_senders=0 -c autovacuum=off"
PG_DURABLE="-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c wal_level=replica -c autovacuum=on -c log_autovacuum_min_duration=0 -c log_checkpoints=on"
pg_restart() { # pg_restart OPTIONS
    $RUNAS "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 300 -m fast \
        -o "$PG_BASE $PG_MEM $1" restart >/dev/null || {
        tail -n 20 "$PGDIR/server.log" >&2
        die "PostgreSQL did not restart"
    }
}

START=$(date +%s)
DATE=$(date '+%Y-%m-%d %H:%M %Z')
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
RAM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
KERNEL=$(uname -sr)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
DIRTY=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -c . || true)
say "machine: $CPU, $NPROC cores, $RAM, $KERNEL; $(fmt "$TICKETS") tickets"

# ---- 1. PostgreSQL ----
say "PostgreSQL: sh scripts/pg-test.sh start $PGDIR $PGPORT"
PG_STARTED=1
sh "$ROOT/scripts/pg-test.sh" stop "$PGDIR" # a leftover of an interrupted run
sh "$ROOT/scripts/pg-test.sh" start "$PGDIR" "$PGPORT" >/dev/null || die "pg-test.sh start failed"
pg_restart "$PG_LOAD"
psql "postgresql://postgres@127.0.0.1:$PGPORT/postgres" -X -q -c "CREATE DATABASE province" ||
    die "cannot create database province"
PGVER=$(sql "SHOW server_version" | awk '{ print $1 }')
PGFS=$(df -PT "$PGDIR" | awk 'NR == 2 { print $2 " on " $1 }')
case $PGFS in
tmpfs*) say "WARNING: $PGDIR is on tmpfs: fsync is free there, durable figures mean nothing" ;;
esac

# ---- 2. the province of Gansu ----
T_LOAD0=$(now)
IMPORTS=""
xt_import() { # xt_import KIND FILE [--prefix P]
    KIND=$1
    say "xietong import $*"
    "$XT" import "$@" --data "$D" --database "$URL" >"$TMP/import.out" 2>&1 ||
        die "xietong import $1 failed: $(tail -n 2 "$TMP/import.out")"
    grep '^imported' "$TMP/import.out"
    set -- $(sed -n 's/^imported [a-z]* from .*: \([0-9]*\) rows read, \([0-9]*\) written, [0-9]* skipped (\(.*\))$/\1 \2 \3/p' "$TMP/import.out")
    line="$(fmt "${2:-0}") rows written ($(fmt "${1:-0}") read) in ${3:-?} s"
    IMPORTS="$IMPORTS
| \`import $KIND\` | $line |"
    [ "$KIND" = divisions ] && IMPORT_DIV=$line
}
IMPORT_DIV=""
"$XT" init --data "$D" --database "$URL" >"$TMP/init.out" 2>&1 || die "xietong init failed: $(tail -n 2 "$TMP/init.out")"
xt_import divisions "$DIV" --prefix "$PREFIX"
xt_import census "$CENSUS" --prefix "$PREFIX"
xt_import calendar "$CAL"
xt_import categories "$CATS"
xt_import departments "$DEPTS" --prefix "$PREFIX"
say "xietong grids --seats $SEATS --prefix $DEMO_PREFIX"
T0=$(now)
"$XT" grids --seats "$SEATS" --prefix "$DEMO_PREFIX" --data "$D" --database "$URL" >"$TMP/grids.out" 2>&1 ||
    die "xietong grids failed: $(tail -n 2 "$TMP/grids.out")"
GRIDS_S=$(elapsed "$T0" "$(now)")
GRIDS_LINE=$(grep -v ' info ' "$TMP/grids.out" | tail -n 1)
say "$GRIDS_LINE ($GRIDS_S s)"
LOAD_S=$(elapsed "$T_LOAD0" "$(now)")
TOWNSHIPS=$(sql "SELECT count(*) FROM units WHERE level = 4 AND code LIKE '$PREFIX%'")
VILLAGES=$(sql "SELECT count(*) FROM units WHERE level = 5 AND code LIKE '$PREFIX%'")
COUNTIES=$(sql "SELECT count(*) FROM units WHERE level = 3 AND code LIKE '$PREFIX%'")
DEPTS_N=$(sql "SELECT count(*) FROM units WHERE level = 7 AND code LIKE '$PREFIX%'")
GRIDS_N=$(sql "SELECT count(*) FROM units WHERE level = 6 AND code LIKE '$PREFIX%'")
POP=$(sql "SELECT population FROM census WHERE code IN ('$PREFIX', '${PREFIX}0000') ORDER BY length(code) LIMIT 1")
say "Gansu: $COUNTIES counties, $TOWNSHIPS townships, $VILLAGES villages, $DEPTS_N county departments, $GRIDS_N demo grids (population $POP in 2020); loaded in $LOAD_S s"
[ "$TOWNSHIPS" -gt 0 ] || die "no townships under $PREFIX"

# ---- 2b. residents ----
# Each county's 2020 census population; a county without figures of its own
# (嘉峪关's only district) has what its prefecture's total leaves.
sql "WITH c AS (SELECT u.code, ce.population AS pop FROM units u LEFT JOIN census ce ON ce.code = u.code
                 WHERE u.level = 3 AND u.code LIKE '$PREFIX%'),
          p AS (SELECT substr(code, 1, 4) AS pref, count(*) FILTER (WHERE pop IS NULL) AS missing,
                       coalesce(sum(pop), 0) AS have FROM c GROUP BY 1)
     SELECT c.code || ' ' || coalesce(c.pop, ((pc.population - p.have) / p.missing)::bigint, 0)
     FROM c JOIN p ON p.pref = substr(c.code, 1, 4) LEFT JOIN census pc ON pc.code = p.pref
     ORDER BY c.code" >"$TMP/county-pop" || die "cannot read the counties' census populations"
CENSUS_POP=$(awk '{ s += $2 } END { print s + 0 }' "$TMP/county-pop")
if [ "$RESIDENTS" = census ]; then
    RES_TARGET=$CENSUS_POP
    awk '$2 > 0' "$TMP/county-pop" >"$TMP/county-n"
else
    RES_TARGET=$RESIDENTS
    # Shared out by population; the largest remainders take the rounding.
    awk -v n="$RESIDENTS" -v t="$CENSUS_POP" '{ q = n * $2 / t; f = int(q); c[NR] = $1; k[NR] = f; r[NR] = q - f; s += f }
        END { left = n - s; while (left > 0) { b = 0; for (i = 1; i <= NR; i++) if (!b || r[i] > r[b]) b = i; k[b]++; r[b] = -1; left-- }
              for (i = 1; i <= NR; i++) if (k[i] > 0) print c[i], k[i] }' "$TMP/county-pop" >"$TMP/county-n"
fi
RES_COUNTIES=$(grep -c . "$TMP/county-n")
RES_ROWS=0
RES_NEW=0
RES_REJECTED=0
RES_GEN_MAX=0
RES_IMPORT_S=0
RES_LOAD_S=""
RES_ALL_S=""
RES_INDEX_S=""
RES_VACUUM_S=""
RES_SIZE=""
RES_SIZE_ALL=""
RES_HH=""
RES_TAGS=""
RES_SEALED=""
RES_WHERE=""
if [ "$RES_TARGET" -gt 0 ]; then
    say "residents: $(fmt "$RES_TARGET") in $RES_COUNTIES counties (census of 2020: $(fmt "$CENSUS_POP")): xietong people generate + import, county after county"
    # The blind index of the ID number takes random keys: made once after the
    # load, from sorted keys, as an import into an empty registry makes it.
    RES_IDX_DEF=$(sql "SELECT indexdef FROM pg_indexes WHERE tablename = 'residents' AND indexname = 'residents_id_index'")
    [ -n "$RES_IDX_DEF" ] || die "residents_id_index is missing"
    sql "DROP INDEX residents_id_index" >/dev/null || die "cannot drop residents_id_index"
    mkdir -p "$TMP/people"
    res_gen() { # res_gen CODE N: into $TMP/people/CODE; the output in CODE.out
        "$XT" people generate --unit "$1" --count "$2" --seed "$1" --no-lists --register-tags \
            --out "$TMP/people/$1" --data "$D" --database "$URL" >"$TMP/people/$1.out" 2>&1
    }
    res_import() { # res_import CODE N
        t0=$(now)
        "$XT" people import "$TMP/people/$1/register.csv" --mapping "$TMP/people/$1/register.map.csv" \
            --source hukou --unit "$1" --quiet --data "$D" --database "$URL" >"$TMP/people/$1.imp" 2>&1 ||
            die "xietong people import of county $1 failed: $(tail -n 2 "$TMP/people/$1.imp")"
        t1=$(now)
        line=$(grep '^imported' "$TMP/people/$1.imp")
        set -- "$1" "$2" $(printf '%s\n' "$line" | sed -n 's/.*: \([0-9][0-9]*\) rows: \([0-9][0-9]*\) new, .* \([0-9][0-9]*\) rejected$/\1 \2 \3/p')
        [ "${4:-}" = "$2" ] || die "county $1: the import wrote ${4:-?} new residents of $2: $line"
        RES_ROWS=$((RES_ROWS + $3))
        RES_NEW=$((RES_NEW + $4))
        RES_REJECTED=$((RES_REJECTED + $5))
        RES_IMPORT_S=$(awk -v a="$RES_IMPORT_S" -v b="$(elapsed "$t0" "$t1")" 'BEGIN { printf "%.2f", a + b }')
        say "residents: county $1: $(fmt "$4") in $(elapsed "$t0" "$t1") s ($(grep -o 'in [0-9]* [a-z]*' "$TMP/people/$1.out" | head -n 1)); $(fmt "$RES_NEW") so far"
        rm -rf "$TMP/people/$1"
    }
    T_RES0=$(now)
    PREV=""
    PREV_N=""
    while read -r code n; do
        res_gen "$code" "$n" &
        GENPID=$!
        [ -n "$PREV" ] && res_import "$PREV" "$PREV_N"
        wait "$GENPID" || die "xietong people generate of county $code failed: $(tail -n 2 "$TMP/people/$code.out")"
        PREV=$code
        PREV_N=$n
    done <"$TMP/county-n"
    [ -n "$PREV" ] && res_import "$PREV" "$PREV_N"
    T_RES1=$(now)
    RES_LOAD_S=$(elapsed "$T_RES0" "$T_RES1")
    say "residents: $(fmt "$RES_NEW") generated and imported in $RES_LOAD_S s (imports $RES_IMPORT_S s)"
    sql "$RES_IDX_DEF" >/dev/null || die "cannot make residents_id_index again"
    T_RES2=$(now)
    RES_INDEX_S=$(elapsed "$T_RES1" "$T_RES2")
    say "residents: residents_id_index made in $RES_INDEX_S s"
    for t in residents households resident_tags resident_sources; do
        sql "VACUUM (ANALYZE) $t" >/dev/null || die "VACUUM $t failed"
    done
    RES_VACUUM_S=$(elapsed "$T_RES2" "$(now)")
    RES_ALL_S=$(elapsed "$T_RES0" "$T_RES2")
    RES_RATE=$(awk -v n="$RES_NEW" -v s="$RES_ALL_S" 'BEGIN { printf "%.0f", n / s }')
    RES_COUNT=$(sql "SELECT count(*) FROM residents")
    [ "$RES_COUNT" = "$RES_NEW" ] || error "the residents table holds $RES_COUNT rows, the imports wrote $RES_NEW"
    [ "$RES_REJECTED" = 0 ] || error "the imports rejected $RES_REJECTED generated rows"
    RES_SIZE=$(SZ residents)
    RES_SIZE_ALL=$(sql "SELECT pg_size_pretty(sum(pg_total_relation_size(t))) FROM unnest(ARRAY['residents', 'households', 'resident_tags', 'resident_sources']::regclass[]) AS t")
    RES_HH=$(sql "SELECT count(*) FROM households")
    set -- $(sql "SELECT count(*), count(*) FILTER (WHERE tag IS NULL AND tag_sealed LIKE 'v1:%') FROM resident_tags" | tr '|' ' ')
    RES_TAGS="$(fmt "${1:-0}") ($(fmt "${2:-0}") of them sealed: sensitive tags, and every tag of a minor)"
    # Sealed as the product seals them: every row, or from 2 million on a
    # sample of 0.1 % of the table's pages.
    RES_SAMPLE=""
    RES_SAMPLED="every row"
    if [ "$RES_NEW" -ge 2000000 ]; then
        RES_SAMPLE="TABLESAMPLE SYSTEM (0.1)"
        RES_SAMPLED="a sample of 0.1 % of the table's pages"
    fi
    RES_SEALED=$(sql "SELECT count(*) || ' rows read: ' || count(*) FILTER (WHERE id_sealed LIKE 'v1:%' AND id_index ~ '^[0-9a-f]{64}\$' AND id_masked !~ '[0-9]{18}') || ' with the ID number sealed (blind index, masked), '
        || count(*) FILTER (WHERE ethnicity_sealed LIKE 'v1:%') || ' the ethnicity, ' || count(*) FILTER (WHERE phone_sealed LIKE 'v1:%') || ' a phone sealed ('
        || count(*) FILTER (WHERE phone_masked IS NOT NULL) || ' have one), ' || count(*) FILTER (WHERE minor = 1 AND name LIKE 'v1:%') || ' minors'' names sealed ('
        || count(*) FILTER (WHERE minor = 1) || ' minors); sealed values holding 11 digits or more in a row (a clear phone or ID number): '
        || count(*) FILTER (WHERE concat(id_sealed, phone_sealed, ethnicity_sealed, birth_sealed) ~ '[0-9]{11}') FROM residents $RES_SAMPLE")
    RES_WHERE=$(grep -h -o 'in [0-9]* [a-z]*' "$TMP"/people/*.out 2>/dev/null | awk '{ n[$3] += 1 } END { for (k in n) printf "%s%d counties in %s", (i++ ? ", " : ""), n[k], k }')
    say "residents: index $RES_INDEX_S s, VACUUM (ANALYZE) $RES_VACUUM_S s; $(fmt "$RES_NEW") in $RES_ALL_S s ($(fmt "$RES_RATE")/s); residents $RES_SIZE, people tables $RES_SIZE_ALL; $(fmt "$RES_HH") households; tags $RES_TAGS"
    say "residents: $RES_SEALED"
else
    say "residents: none (RESIDENTS=0)"
fi

# ---- 3. tickets and assignments ----
T_NOW=$(date +%s)
say "generation: psql -f bench/province_gen.sql (tickets=$TICKETS)"
T_GEN0=$(now)
psql "$URL" -X -q -v ON_ERROR_STOP=1 -v tickets="$TICKETS" -v t_now="$T_NOW" -v prefix="$PREFIX" \
    -v msgs="$MSGS" -f "$ROOT/bench/province_gen.sql" || die "bench/province_gen.sql failed"
sql "SELECT xt_bench.drop_indexes()" >/dev/null || die "cannot drop the secondary indexes"
gen_worker() { # gen_worker W: chunks W, W+JOBS, ...
    k=$1
    while [ $((k * CHUNK)) -lt "$TICKETS" ]; do
        lo=$((k * CHUNK + 1))
        hi=$(((k + 1) * CHUNK))
        [ "$hi" -le "$TICKETS" ] || hi=$TICKETS
        t0=$(now)
        n=$(sql "SELECT xt_bench.gen($lo, $hi)") || exit 1
        t1=$(now)
        [ "$n" = $((hi - lo + 1)) ] || { echo "province: chunk $lo..$hi wrote $n assignments" >&2; exit 1; }
        say "generation: tickets $(fmt "$lo")..$(fmt "$hi") in $(elapsed "$t0" "$t1") s ($(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')/s, session $(($1 + 1)))"
        k=$((k + JOBS))
    done
}
GPIDS=""
w=0
while [ $w -lt "$JOBS" ]; do
    gen_worker $w &
    GPIDS="$GPIDS $!"
    w=$((w + 1))
done
for p in $GPIDS; do
    wait "$p" || die "a generation session failed"
done
T_GEN1=$(now)
ROWS_S=$(elapsed "$T_GEN0" "$T_GEN1")
say "generation: $(fmt "$TICKETS") tickets + assignments in $ROWS_S s"
# The indexes, two sessions at once (longest first).
INDEXES=$(sql "SELECT name FROM xt_bench.saved WHERE kind = 'index' ORDER BY tbl DESC, name")
idx_worker() { # idx_worker W
    i=0
    for name in $INDEXES; do
        if [ $((i % JOBS)) = "$1" ]; then
            t0=$(now)
            sql "SELECT xt_bench.restore_index('$name')" >/dev/null || exit 1
            say "index $name rebuilt in $(elapsed "$t0" "$(now)") s"
        fi
        i=$((i + 1))
    done
}
T0=$(now)
GPIDS=""
w=0
while [ $w -lt "$JOBS" ]; do
    idx_worker $w &
    GPIDS="$GPIDS $!"
    w=$((w + 1))
done
for p in $GPIDS; do
    wait "$p" || die "an index rebuild failed"
done
IDX_S=$(elapsed "$T0" "$(now)")
T0=$(now)
sql "SELECT xt_bench.restore_fks()" >/dev/null || die "cannot restore the foreign key"
FK_S=$(elapsed "$T0" "$(now)")
COUNTERS=$(sql "SELECT xt_bench.finish()") || die "cannot set the counters"
say "indexes in $IDX_S s, foreign key checked in $FK_S s, $COUNTERS day counters set"
T0=$(now)
# Both tables vacuumed as autovacuum keeps them in service, so that no
# catch-up vacuum of the whole load runs during the measurements.
sql "VACUUM (ANALYZE) tickets" >/dev/null &
VPID=$!
sql "VACUUM (ANALYZE) assignments" >/dev/null || die "VACUUM assignments failed"
wait "$VPID" || die "VACUUM tickets failed"
ANALYZE_S=$(elapsed "$T0" "$(now)")
T_GEN2=$(now)
GEN_S=$(elapsed "$T_GEN0" "$T_GEN2")
GEN_RATE=$(awk -v n="$TICKETS" -v s="$GEN_S" 'BEGIN { printf "%.0f", n / s }')
say "VACUUM (ANALYZE) tickets and assignments: $ANALYZE_S s; generation in all: $GEN_S s ($(fmt "$GEN_RATE") tickets/s)"
STATES=$(sql "SELECT state || ':' || count(*) FROM tickets GROUP BY state ORDER BY state" | tr '\n' ' ')
sql "DROP SCHEMA xt_bench CASCADE" >/dev/null
N_TICKETS=$(sql "SELECT count(*) FROM tickets")
N_ASSIGN=$(sql "SELECT count(*) FROM assignments")
[ "$N_TICKETS" = "$TICKETS" ] || error "generated $N_TICKETS tickets instead of $TICKETS"
SIZE_T=$(SZ tickets)
SIZE_A=$(SZ assignments)
SIZE_DB=$(sql "SELECT pg_size_pretty(pg_database_size('province'))")
RANGE=$(sql "SELECT to_char(to_timestamp(min(created_at)) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') || ' to ' || to_char(to_timestamp(max(created_at)) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') FROM tickets")
say "tickets $SIZE_T, assignments $SIZE_A, database $SIZE_DB; states $STATES"

# The period ranked: the last complete month (UTC+8, as the engine counts).
LOCAL_TODAY=$(date -u -d "@$((T_NOW + 28800))" +%Y-%m-15)
PERIOD=$(date -u -d "$LOCAL_TODAY -1 month" +%Y-%m)
MONTH=$(echo "$PERIOD" | tr -d -)
MONTH_ROWS=$(sql "SELECT count(*) FROM assignments WHERE month = $MONTH")
MONTH_TOWN_ROWS=$(sql "SELECT count(*) FROM assignments a JOIN units u ON u.code = a.unit AND u.level = 4 WHERE a.month = $MONTH")
say "period $PERIOD: $(fmt "$MONTH_ROWS") assignments, $(fmt "$MONTH_TOWN_ROWS") of them to townships"

# ---- 4. durable settings, then the ranking ----
say "PostgreSQL: sync, restart with durable settings"
sync
pg_restart "$PG_DURABLE"
LOG_MARK=$(wc -l <"$PGDIR/server.log")
JIT=$(sql "SHOW jit")
for a in "bench command" "operator operator"; do
    set -- $a
    "$XT" account add --username "$1" --password "bench-$1-pass" --role "$2" --scope "$PREFIX" \
        --data "$D" --database "$URL" >"$TMP/account.out" 2>&1 || die "account $1: $(tail -n 1 "$TMP/account.out")"
done

say "ranking (CLI): xietong metrics --unit $PREFIX --ranking township --period $PERIOD, 1 warm-up + $RUNS runs"
RANK_CLI_RUNS=""
: >"$TMP/rank-cli.times"
r=0
while [ $r -le "$RUNS" ]; do
    t0=$(now)
    "$XT" metrics --unit "$PREFIX" --ranking township --period "$PERIOD" --data "$D" --database "$URL" \
        >"$TMP/rank-cli.out" 2>"$TMP/rank-cli.err" || { error "xietong metrics failed: $(tail -n 1 "$TMP/rank-cli.err")"; break; }
    s=$(elapsed "$t0" "$(now)")
    if [ $r -gt 0 ]; then
        echo "$s" >>"$TMP/rank-cli.times"
        RANK_CLI_RUNS="$RANK_CLI_RUNS $s"
    fi
    r=$((r + 1))
done
set -- $(best_median <"$TMP/rank-cli.times")
RANK_CLI_BEST=${1:-}
RANK_CLI_MED=${2:-}
RANK_LINES=$(($(grep -c . "$TMP/rank-cli.out") - 1))
RANK_TOP=$(sed -n '2,4p' "$TMP/rank-cli.out" | awk '{ printf "%s %s %s (%s tickets, composite %s); ", $1, $2, $3, $4, $8 }')
RANK_BOTTOM=$(tail -n 1 "$TMP/rank-cli.out" | awk '{ printf "%s %s %s (%s tickets, composite %s)", $1, $2, $3, $4, $8 }')
say "ranking (CLI): $RANK_LINES townships listed; seconds:$RANK_CLI_RUNS (best $RANK_CLI_BEST, median $RANK_CLI_MED)"
[ "$RANK_LINES" = "$TOWNSHIPS" ] || error "the ranking listed $RANK_LINES townships, not $TOWNSHIPS"

# The query alone, as the store sends it (metrics.c, SQL_UNIT_COUNTS).
RANK_SQL="SELECT unit, count(*), sum(CASE WHEN signed_at IS NOT NULL AND signed_at <= sign_by THEN 1 ELSE 0 END), sum(CASE WHEN called_back = 1 THEN 1 ELSE 0 END), sum(CASE WHEN called_back = 1 AND resolved = 1 THEN 1 ELSE 0 END), sum(CASE WHEN called_back = 1 AND satisfaction = 3 THEN 1 ELSE 0 END), sum(CASE WHEN called_back = 1 AND satisfaction = 2 THEN 1 ELSE 0 END), sum(CASE WHEN replied_at IS NOT NULL AND replied_at <= resolve_by THEN 1 ELSE 0 END), sum(CASE WHEN returned = 1 THEN 1 ELSE 0 END), sum(CASE WHEN repeat = 1 THEN 1 ELSE 0 END), sum(CASE WHEN proactive = 1 THEN 1 ELSE 0 END) FROM assignments WHERE month = CAST($MONTH AS INTEGER) AND unit >= CAST('$PREFIX' AS TEXT) AND unit < CAST('$PREFIX' AS TEXT) || 'z' GROUP BY unit"
sql "EXPLAIN (ANALYZE, BUFFERS) $RANK_SQL" >"$TMP/rank-explain.out" 2>&1 || error "EXPLAIN of the ranking query failed"
RANK_SQL_MS=$(sed -n 's/^Execution Time: \([0-9.]*\) ms/\1/p' "$TMP/rank-explain.out")
RANK_PLAN=$(grep -E 'Scan|Aggregate|Gather' "$TMP/rank-explain.out" | head -n 4 | sed 's/^ *//; s/  (cost=[^)]*)//; s/->  //' | tr '\n' ';' | sed 's/;$//; s/;/; /g')
RANK_JIT=$(sed -n 's/^ *Timing: \(.*\)$/\1/p' "$TMP/rank-explain.out" | head -n 1)
say "ranking query alone: $RANK_SQL_MS ms ($RANK_PLAN)${RANK_JIT:+; JIT: $RANK_JIT}"

# The same statement prepared, as the server's read connections keep it: the
# plan PostgreSQL uses from its 6th execution on (generic, if it switches).
{
    echo "PREPARE rank(int, text) AS $(echo "$RANK_SQL" | sed "s/CAST($MONTH AS INTEGER)/CAST(\$1 AS INTEGER)/; s/CAST('$PREFIX' AS TEXT)/CAST(\$2 AS TEXT)/g");"
    i=0
    while [ $i -lt 5 ]; do
        printf '%s\n' "EXECUTE rank($MONTH, '$PREFIX') \\g /dev/null"
        i=$((i + 1))
    done
    echo "EXPLAIN (ANALYZE) EXECUTE rank($MONTH, '$PREFIX');"
} >"$TMP/rank-prepared.sql"
psql "$URL" -X -q -v ON_ERROR_STOP=1 -f "$TMP/rank-prepared.sql" >"$TMP/rank-generic.out" 2>&1 || error "EXPLAIN of the prepared ranking failed: $(tail -n 2 "$TMP/rank-generic.out")"
RANK_GEN_MS=$(sed -n 's/^ *Execution Time: \([0-9.]*\) ms/\1/p' "$TMP/rank-generic.out")
RANK_GEN_PLAN=$(grep -E 'Scan|Aggregate|Gather' "$TMP/rank-generic.out" | head -n 3 | sed 's/^ *//; s/  (cost=[^)]*)//; s/->  //' | tr '\n' ';' | sed 's/;$//; s/;/; /g')
say "the prepared ranking, 6th execution: $RANK_GEN_MS ms ($RANK_GEN_PLAN)"

# The escalation sweep every server runs each minute (tickets.c sweep_job).
SWEEP_SQL="SELECT number FROM tickets WHERE state IN (0, 1, 2, 5) AND coalesce(escalated, 0) = 0 AND ((state = 1 AND signed_at IS NULL AND sign_by < $(date +%s)) OR resolve_by < $(date +%s)) ORDER BY id LIMIT 1000"
sql "EXPLAIN (ANALYZE) $SWEEP_SQL" >"$TMP/sweep-explain.out" 2>&1 || error "EXPLAIN of the sweep query failed"
SWEEP_MS=$(sed -n 's/^Execution Time: \([0-9.]*\) ms/\1/p' "$TMP/sweep-explain.out")
SWEEP_PLAN=$(grep -E 'Scan|Rows Removed|Sort' "$TMP/sweep-explain.out" | head -n 4 | sed 's/^ *//; s/  (cost=[^)]*)//; s/->  //' | tr '\n' ';' | sed 's/;$//; s/;/; /g')
say "escalation sweep query: $SWEEP_MS ms ($SWEEP_PLAN)"

# ---- 5. two servers ----
# serve N: starts server N, sets PORTn and TOKENn (operator)
serve() {
    "$XT" serve --data "$D" --database "$URL" --port 0 >"$TMP/serve$1.log" 2>&1 &
    spid=$!
    PIDS="$PIDS $spid"
    eval "SPID$1=$spid"
    port=$(wait_port "$TMP/serve$1.log" "$spid") || die "xietong serve $1 did not start: $(tail -n 2 "$TMP/serve$1.log")"
    tok=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/sessions" \
        -d '{"username":"operator","password":"bench-operator-pass"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
    [ -n "$tok" ] || die "login as operator on server $1 failed"
    eval "PORT$1=$port; TOKEN$1=$tok"
}
T0=$(now)
serve 1
SERVE1_S=$(elapsed "$T0" "$(now)")
serve 2
say "servers on ports $PORT1 and $PORT2 (server 1 up and logged in after $SERVE1_S s)"

BTOKEN=$(curl -s -X POST "http://127.0.0.1:$PORT1/api/v1/sessions" \
    -d '{"username":"bench","password":"bench-bench-pass"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$BTOKEN" ] || die "login as bench (command) failed"
# A server keeps its read connections and prepared statements: PostgreSQL
# plans a prepared statement for its parameters the first 5 times it runs,
# then may switch to a generic plan. So the API is timed for 1 + 2 x RUNS
# requests in a row, and requests 2-5 (custom plans) and 6 on (the plan a
# long-running server keeps) are reported apart.
API_RUNS=$((2 * RUNS))
say "ranking (API): GET /api/v1/metrics/ranking?level=township&unit=$PREFIX&period=$PERIOD, 1 warm-up + $API_RUNS runs"
: >"$TMP/rank-api.times"
: >"$TMP/rank-api-early.times"
: >"$TMP/rank-api-late.times"
RANK_API_RUNS=""
r=0
while [ $r -le "$API_RUNS" ]; do
    res=$(curl -s -o "$TMP/rank-api.json" -w '%{http_code} %{time_total} %{size_download}' \
        -H "Authorization: Bearer $BTOKEN" \
        "http://127.0.0.1:$PORT1/api/v1/metrics/ranking?level=township&unit=$PREFIX&period=$PERIOD")
    set -- $res
    [ "$1" = 200 ] || { error "GET ranking answered $1: $(head -c 300 "$TMP/rank-api.json")"; break; }
    RANK_API_BYTES=$3
    if [ $r -gt 0 ]; then
        echo "$2" >>"$TMP/rank-api.times"
        if [ $r -le 4 ]; then echo "$2" >>"$TMP/rank-api-early.times"; else echo "$2" >>"$TMP/rank-api-late.times"; fi
        RANK_API_RUNS="$RANK_API_RUNS $(awk -v s="$2" 'BEGIN { printf "%.3f", s }')"
    fi
    r=$((r + 1))
done
set -- $(best_median <"$TMP/rank-api.times")
RANK_API_BEST=${1:-}
RANK_API_MED=${2:-}
set -- $(best_median <"$TMP/rank-api-early.times")
RANK_API_EARLY=${2:-}
set -- $(best_median <"$TMP/rank-api-late.times")
RANK_API_LATE=${2:-}
RANK_API_ITEMS=$(grep -o '"rank":' "$TMP/rank-api.json" | grep -c .)
say "ranking (API): $RANK_API_ITEMS items, $(fmt "${RANK_API_BYTES:-0}") bytes; seconds:$RANK_API_RUNS (best $RANK_API_BEST, median $RANK_API_MED; requests 2-5 $RANK_API_EARLY, 6 on $RANK_API_LATE)"
[ "$RANK_API_ITEMS" = "$TOWNSHIPS" ] || error "GET ranking listed $RANK_API_ITEMS townships, not $TOWNSHIPS"

# Real request texts for create.lua (bench/texts.sh), so that the duplicate
# check at intake meets what a county sees, not one text repeated.
sh "$ROOT/bench/texts.sh" "$TMP/texts.txt" || die "bench/texts.sh failed"
# Every village of the province, in a scrambled order, for create.lua: the
# requests spread as a province's do, so that each village's open tickets
# (what the duplicate check reads) are those of a real village.
sql "SELECT code FROM units WHERE level = 5 AND code LIKE '$PREFIX%' ORDER BY md5(code)" >"$TMP/villages.txt"
CREATE_VILLAGES=$(grep -c . "$TMP/villages.txt")
[ "$CREATE_VILLAGES" -gt 0 ] || die "no villages under $PREFIX"
BEFORE=$(sql "SELECT max(id) FROM tickets")
# create SEED TAG PORT TOKEN THREADS CONNS: wrk in the background, output in TMP/wrk-TAG.out
create() {
    XT_SEED=$1 XT_TEXTS=$TMP/texts.txt XT_TOKEN=$4 XT_GRIDS_FILE=$TMP/villages.txt wrk -t"$5" -c"$6" -d"${SECS}s" -s "$ROOT/bench/create.lua" \
        "http://127.0.0.1:$3" >"$TMP/wrk-$2.out" 2>&1
}
# check_create TAG: sets RATE; errors on non-201s or a missing summary
check_create() {
    f=$TMP/wrk-$1.out
    grep -E '^create_|Requests/sec|Socket errors' "$f" | sed "s/^/province: [$1] /"
    n=$(awk '$1 == "create_non201" { print $2 }' "$f")
    if [ -z "$n" ]; then
        error "POST ($1): create.lua printed no summary: $(tail -n 3 "$f" | tr '\n' ' ')"
    elif [ "$n" != 0 ]; then
        error "POST ($1): $n responses were not 201: $(grep create_status "$f" | tr '\n' ' ')"
    fi
    RATE=$(awk '$1 == "create_per_sec" { print $2 }' "$f")
}
lat() { awk '$1 == "create_latency_ms" { print $2 " " $3 }' "$TMP/wrk-$1.out"; }

say "creation, one server: wrk -t2 -c64 -d${SECS}s -s bench/create.lua -> server 1"
create 1 one "$PORT1" "$TOKEN1" 2 64 || error "wrk (one server) failed"
check_create one
ONE=$RATE
ONE_LAT=$(lat one)
say "creation, one server: $ONE/s ($ONE_LAT)"

# cpu PID...: CPU seconds (user + system, clock ticks / 100) the processes used so far
cpu() {
    for p in "$@"; do awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null; done |
        awk -v hz="$(getconf CLK_TCK)" '{ s += $1 } END { printf "%.2f", s / hz }'
}
# pgcpu: the same for PostgreSQL (postmaster and every process it runs)
pgcpu() {
    m=$(head -n 1 "$PGDIR/data/postmaster.pid")
    cpu "$m" $(pgrep -P "$m")
}

say "creation, two servers at once: wrk -t1 -c64 -d${SECS}s on each"
N_BEFORE_TWO=$(sql "SELECT count(*) FROM tickets WHERE id > $BEFORE")
CPU_S0=$(cpu $SPID1 $SPID2)
CPU_P0=$(pgcpu)
CPU_T0=$(awk '{ print $2 + $3 + $4 + $7 + $8 }' /proc/stat)
create 1 two-a "$PORT1" "$TOKEN1" 1 64 &
WA=$!
create 2 two-b "$PORT2" "$TOKEN2" 1 64 &
WB=$!
wait "$WA" || error "wrk (server 1 of 2) failed"
wait "$WB" || error "wrk (server 2 of 2) failed"
CPU_S1=$(cpu $SPID1 $SPID2)
CPU_P1=$(pgcpu)
CPU_T1=$(awk '{ print $2 + $3 + $4 + $7 + $8 }' /proc/stat)
N_TWO=$(( $(sql "SELECT count(*) FROM tickets WHERE id > $BEFORE") - N_BEFORE_TWO ))
# Milliseconds of CPU per created ticket: both servers, PostgreSQL, and
# the whole machine (wrk and everything else included).
PER_T() { awk -v a="$1" -v b="$2" -v n="$N_TWO" 'BEGIN { if (n > 0) printf "%.3f", (b - a) * 1000 / n; else print "-" }'; }
MS_SERVERS=$(PER_T "$CPU_S0" "$CPU_S1")
MS_PG=$(PER_T "$CPU_P0" "$CPU_P1")
MS_ALL=$(awk -v a="$CPU_T0" -v b="$CPU_T1" -v n="$N_TWO" -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 0) printf "%.3f", (b - a) / hz * 1000 / n; else print "-" }')
CAP() { awk -v m="$1" -v c="$2" 'BEGIN { if (m + 0 > 0) printf "%d", c * 1000 / m; else print 0 }'; }
CAP_ALL=$(CAP "$MS_ALL" "$(nproc)")
CAP_PG=$(CAP "$MS_PG" 1)
CAP_SRV=$(CAP "$MS_SERVERS" 1)
say "CPU per created ticket (ms): servers $MS_SERVERS, PostgreSQL $MS_PG, whole machine $MS_ALL ($N_TWO tickets)"
check_create two-a
TWO_A=$RATE
check_create two-b
TWO_B=$RATE
TWO=""
[ -n "$TWO_A" ] && [ -n "$TWO_B" ] && TWO=$((TWO_A + TWO_B))
TWO_LAT_A=$(lat two-a)
TWO_LAT_B=$(lat two-b)
say "creation, two servers: $TWO_A + $TWO_B = $TWO/s"

# Every acknowledged ticket is there once, and the counters followed.
CREATED=$(sql "SELECT count(*) FROM tickets WHERE id > $BEFORE")
ACKED=$(awk '$1 == "create_created" { s += $2 } END { print s + 0 }' "$TMP/wrk-one.out" "$TMP/wrk-two-a.out" "$TMP/wrk-two-b.out")
DUPS=$(sql "SELECT count(*) - count(DISTINCT number) FROM tickets WHERE id > $BEFORE")
say "created tickets in the database: $CREATED (201s: $ACKED; duplicate numbers: $DUPS)"
[ "$CREATED" -ge "$ACKED" ] || error "$ACKED tickets acknowledged but only $CREATED in the database"
[ "$DUPS" = 0 ] || error "$DUPS duplicate ticket numbers"
AUDIT_OK=$(sql "SELECT count(*) FROM (SELECT prev_hash FROM audit GROUP BY prev_hash HAVING count(*) > 1) f")
[ "$AUDIT_OK" = 0 ] || error "the audit chain forked ($AUDIT_OK hashes with two successors)"
for p in $PIDS; do
    kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
done
PIDS=""
grep -h ' error ' "$TMP/serve1.log" "$TMP/serve2.log" | head -n 5 >"$TMP/serve-errors.out"
[ -s "$TMP/serve-errors.out" ] && error "server log errors: $(tr '\n' ' ' <"$TMP/serve-errors.out")"

# What PostgreSQL itself does with the same writes, on empty scratch copies
# of the tables (indexes included), 64 tickets per durable transaction:
# one statement per round trip as the store's writer sent them before it
# pipelined (per job: SAVEPOINT, counter, ticket, event, audit row,
# RELEASE); pipelined as it sends them now (db_pg.c: per ticket the
# ticket, event and audit row, the counter once, answers read once at the
# end); or
# batched (one counter update and one multi-row INSERT per table for the 64).
say "PostgreSQL alone (pgbench, scratch tables): the writer's statements vs. batched ones"
sql "CREATE SCHEMA xt_scratch;
     CREATE TABLE xt_scratch.ticket_counters (LIKE public.ticket_counters INCLUDING ALL);
     CREATE TABLE xt_scratch.tickets (LIKE public.tickets INCLUDING ALL);
     CREATE TABLE xt_scratch.events (LIKE public.events INCLUDING ALL);
     CREATE TABLE xt_scratch.audit (LIKE public.audit INCLUDING ALL);" >/dev/null || error "cannot create the scratch tables"
TCOLS="number, state, type, channel, urgent, category, text, grid, lead, handler, created_at, updated_at, result, satisfaction, unreachable, ext_pending, ext_days, escalated, returns, reopens, creator_id, contact_name, contact_phone, phone_index, suggested_category, suggested_handler, suggested_confidence, contact_name_masked, contact_phone_masked"
TVALS="0, 1, 0, 0, 'C01', '小区门口的路灯已经坏了两个多星期，晚上出行很不方便，希望有关部门尽快派人维修。', '620102001001', '', '', 1800000000, 1800000000, 0, 0, 0, 0, 0, 0, 0, 0, 1, md5(random()::text) || md5(random()::text), md5(random()::text) || md5(random()::text), md5(random()::text) || md5(random()::text), 'C01', '620102D01', 1.0, '演**', '199****1234'"
{
    echo "BEGIN;"
    echo "SELECT pg_advisory_xact_lock(62290099);"
    echo "SELECT hash FROM xt_scratch.audit ORDER BY id DESC LIMIT 1;"
    i=0
    while [ $i -lt 64 ]; do
        echo "SAVEPOINT job;"
        echo "INSERT INTO xt_scratch.ticket_counters(day, seq) VALUES('2099-01-01', 1) ON CONFLICT(day) DO UPDATE SET seq = xt_scratch.ticket_counters.seq + 1 RETURNING seq;"
        echo "INSERT INTO xt_scratch.tickets($TCOLS) VALUES (md5(random()::text), $TVALS) RETURNING id;"
        echo "INSERT INTO xt_scratch.events(ticket_id, action, from_state, to_state, at, actor_id, actor_name, actor_role, actor_scope, unit, note) VALUES (currval('xt_scratch.tickets_id_seq'), 0, NULL, 0, 1800000000, 1, 'operator', 2, '62', '620102001001', 'hotline');"
        echo "INSERT INTO xt_scratch.audit(at, actor_id, actor_name, actor_role, action, object, detail, prev_hash, hash) VALUES (1800000000, 1, 'operator', 'operator', 'ticket.create', md5(random()::text), '620102001001', md5(random()::text) || md5(random()::text), md5(random()::text) || md5(random()::text));"
        echo "RELEASE job;"
        i=$((i + 1))
    done
    echo "COMMIT;"
} >"$TMP/pg-each.sql"
{
    echo "BEGIN;"
    echo "SELECT pg_advisory_xact_lock(62290099);"
    echo "SELECT hash FROM xt_scratch.audit ORDER BY id DESC LIMIT 1;"
    echo "SELECT seq FROM xt_scratch.ticket_counters WHERE day = '2099-01-03';"
    printf '%s\n' '\startpipeline'
    i=0
    while [ $i -lt 64 ]; do
        echo "INSERT INTO xt_scratch.tickets($TCOLS) VALUES (md5(random()::text), $TVALS);"
        echo "INSERT INTO xt_scratch.events(ticket_id, action, from_state, to_state, at, actor_id, actor_name, actor_role, actor_scope, unit, note) VALUES (currval('xt_scratch.tickets_id_seq'), 0, NULL, 0, 1800000000, 1, 'operator', 2, '62', '620102001001', 'hotline');"
        echo "INSERT INTO xt_scratch.audit(at, actor_id, actor_name, actor_role, action, object, detail, prev_hash, hash) VALUES (1800000000, 1, 'operator', 'operator', 'ticket.create', md5(random()::text), '620102001001', md5(random()::text) || md5(random()::text), md5(random()::text) || md5(random()::text));"
        i=$((i + 1))
    done
    echo "INSERT INTO xt_scratch.ticket_counters(day, seq) VALUES('2099-01-03', 64) ON CONFLICT(day) DO UPDATE SET seq = excluded.seq;"
    printf '%s\n' '\endpipeline'
    echo "COMMIT;"
} >"$TMP/pg-pipe.sql"
cat >"$TMP/pg-batch.sql" <<EOF
BEGIN;
SELECT pg_advisory_xact_lock(62290099);
SELECT hash FROM xt_scratch.audit ORDER BY id DESC LIMIT 1;
INSERT INTO xt_scratch.ticket_counters(day, seq) VALUES('2099-01-02', 64) ON CONFLICT(day) DO UPDATE SET seq = xt_scratch.ticket_counters.seq + 64 RETURNING seq;
WITH t AS (INSERT INTO xt_scratch.tickets($TCOLS) SELECT md5(random()::text), $TVALS FROM generate_series(1, 64) RETURNING id) INSERT INTO xt_scratch.events(ticket_id, action, from_state, to_state, at, actor_id, actor_name, actor_role, actor_scope, unit, note) SELECT id, 0, NULL, 0, 1800000000, 1, 'operator', 2, '62', '620102001001', 'hotline' FROM t;
INSERT INTO xt_scratch.audit(at, actor_id, actor_name, actor_role, action, object, detail, prev_hash, hash) SELECT 1800000000, 1, 'operator', 'operator', 'ticket.create', md5(random()::text), '620102001001', md5(random()::text) || md5(random()::text), md5(random()::text) || md5(random()::text) FROM generate_series(1, 64);
COMMIT;
EOF
PGB_SECS=$(((SECS + 1) / 2))
pgb() { # pgb SCRIPT CLIENTS: sets PGB to tickets per second (64 per transaction)
    PGB=""
    if pgbench -n -M prepared -c "$2" -j "$2" -T "$PGB_SECS" -f "$TMP/pg-$1.sql" "$URL" >"$TMP/pgbench-$1-$2.out" 2>&1; then
        PGB=$(awk '/^tps = / { printf "%.0f", $3 * 64 }' "$TMP/pgbench-$1-$2.out")
    fi
    [ -n "$PGB" ] || error "pgbench $1 -c$2 failed: $(tail -n 2 "$TMP/pgbench-$1-$2.out" | tr '\n' ' ')"
}
pgb each 1
PGB_EACH1=$PGB
pgb each 2
PGB_EACH2=$PGB
pgb pipe 1
PGB_PIPE1=$PGB
pgb pipe 2
PGB_PIPE2=$PGB
pgb batch 1
PGB_BATCH1=$PGB
pgb batch 2
PGB_BATCH2=$PGB
sql "DROP SCHEMA xt_scratch CASCADE" >/dev/null
say "pgbench, tickets/s: one statement per round trip $PGB_EACH1 (1 session), $PGB_EACH2 (2); pipelined $PGB_PIPE1 (1), $PGB_PIPE2 (2); batched $PGB_BATCH1 (1), $PGB_BATCH2 (2)"

# ---- 6. the same ranking on SQLite, demo prefecture ----
say "SQLite: prefecture $DEMO_PREFIX, its assignments copied from PostgreSQL"
SQ=$TMP/sqlite
(
    set -e
    "$XT" init --data "$SQ"
    "$XT" import divisions "$DIV" --prefix "$DEMO_PREFIX" --data "$SQ"
    "$XT" import calendar "$CAL" --data "$SQ"
    "$XT" import categories "$CATS" --data "$SQ"
    "$XT" import departments "$DEPTS" --prefix "$DEMO_PREFIX" --data "$SQ"
) >"$TMP/sqlite-init.out" 2>&1 || die "SQLite data directory: $(tail -n 2 "$TMP/sqlite-init.out")"
psql "$URL" -X -q -v ON_ERROR_STOP=1 -c "\\copy (SELECT id, ticket_id, unit, month, dispatched_at, sign_by, signed_at, resolve_by, replied_at, returned, called_back, resolved, satisfaction, repeat, proactive, escalated FROM assignments WHERE unit LIKE '$DEMO_PREFIX%' ORDER BY id) TO '$TMP/county.csv' WITH (FORMAT csv)" ||
    die "cannot export the assignments of $DEMO_PREFIX"
sqlite3 "$SQ/xietong.db" <<EOF || die "cannot import the assignments into SQLite"
CREATE TABLE bench_a (id, ticket_id, unit, month, dispatched_at, sign_by, signed_at, resolve_by, replied_at, returned, called_back, resolved, satisfaction, repeat, proactive, escalated);
.import --csv $TMP/county.csv bench_a
INSERT INTO assignments SELECT CAST(id AS INTEGER), CAST(ticket_id AS INTEGER), unit, CAST(month AS INTEGER),
    CAST(dispatched_at AS INTEGER), CAST(sign_by AS INTEGER), CAST(nullif(signed_at, '') AS INTEGER),
    CAST(resolve_by AS INTEGER), CAST(nullif(replied_at, '') AS INTEGER), CAST(returned AS INTEGER),
    CAST(called_back AS INTEGER), CAST(resolved AS INTEGER), CAST(satisfaction AS INTEGER),
    CAST(repeat AS INTEGER), CAST(proactive AS INTEGER), CAST(escalated AS INTEGER) FROM bench_a;
DROP TABLE bench_a;
EOF
SQ_ROWS=$(sqlite3 "$SQ/xietong.db" "SELECT count(*) FROM assignments")
SQ_MONTH_ROWS=$(sqlite3 "$SQ/xietong.db" "SELECT count(*) FROM assignments WHERE month = $MONTH")
SQ_TOWNSHIPS=$(sqlite3 "$SQ/xietong.db" "SELECT count(*) FROM units WHERE level = 4")
: >"$TMP/rank-sq.times"
SQ_RUNS=""
r=0
while [ $r -le "$RUNS" ]; do
    t0=$(now)
    "$XT" metrics --unit "$DEMO_PREFIX" --ranking township --period "$PERIOD" --data "$SQ" \
        >"$TMP/rank-sq.out" 2>"$TMP/rank-sq.err" || { error "xietong metrics (SQLite) failed: $(tail -n 1 "$TMP/rank-sq.err")"; break; }
    s=$(elapsed "$t0" "$(now)")
    if [ $r -gt 0 ]; then
        echo "$s" >>"$TMP/rank-sq.times"
        SQ_RUNS="$SQ_RUNS $s"
    fi
    r=$((r + 1))
done
set -- $(best_median <"$TMP/rank-sq.times")
SQ_BEST=${1:-}
SQ_MED=${2:-}
SQ_LINES=$(($(grep -c . "$TMP/rank-sq.out") - 1))
say "SQLite ranking of $SQ_LINES townships of $DEMO_PREFIX ($(fmt "$SQ_MONTH_ROWS") assignments in $PERIOD, $(fmt "$SQ_ROWS") in all): seconds:$SQ_RUNS (best $SQ_BEST, median $SQ_MED)"

# What PostgreSQL did in the background during the measured phases.
AUTOVAC=$(tail -n +"$((LOG_MARK + 1))" "$PGDIR/server.log" | sed -n 's/.*automatic vacuum of table "\([^"]*\)".*/\1/p' | sort | uniq -c | awk '{ printf "%s%s (%s)", (NR > 1 ? ", " : ""), $2, $1 }')
CHECKPOINTS=$(tail -n +"$((LOG_MARK + 1))" "$PGDIR/server.log" | grep -c 'checkpoint complete' || true)
say "during the measured phases: autovacuum ${AUTOVAC:-none}; $CHECKPOINTS checkpoints"
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(($(date +%s) - START))

# ---- the document ----
# The county figures of the last `make bench` (top of the same file).
COUNTY_DATE=$(sed -n 's/^Measured on \(.*\) by `make bench`.*/\1/p' "$OUT" 2>/dev/null | head -n 1)
COUNTY_CREATE=$(grep -m1 '^| durable ticket creation through the API' "$OUT" 2>/dev/null | awk -F'|' '{ gsub(/^ +| +$/, "", $3); print $3 }')
COUNTY_IMPORT=$(grep -m1 '^| import of the 192,211' "$OUT" 2>/dev/null | awk -F'|' '{ gsub(/^ +| +$/, "", $3); print $3 }')
COUNTY_CORE64=$(grep -m1 '^| store: ticket creation, 64 threads' "$OUT" 2>/dev/null | awk -F'|' '{ gsub(/^ +| +$/, "", $3); print $3 }')

P_CREATE=$(pass "$TWO" ">=" 5000)
P_CREATE1=$(pass "$ONE" ">=" 5000)
P_RANK_CLI=$(pass "$RANK_CLI_MED" "<" 2)
P_RANK_API=$(pass "$(awk -v a="${RANK_API_EARLY:-}" -v b="${RANK_API_LATE:-}" 'BEGIN { if (a == "" || b == "") exit; print (a > b) ? a : b }')" "<" 2)
P_SQ=$(pass "$SQ_MED" "<" 2)
if [ "$RES_TARGET" -gt 0 ]; then
    P_RES=$(pass "$RES_NEW" ">=" 25019831)
    [ "$P_RES" = FAIL ] && [ "$RES_TARGET" -lt 25019831 ] && P_RES="smaller scale (RESIDENTS=$RESIDENTS)"
    RES_MEASURED="$(fmt "$RES_NEW") residents in $RES_COUNTIES counties, $(fmt "$RES_HH") households, in $RES_ALL_S s, **$(fmt "$RES_RATE") residents/s** (generation and import $RES_LOAD_S s, blind index $RES_INDEX_S s); \`residents\` $RES_SIZE, the four people tables $RES_SIZE_ALL"
    if [ "$RESIDENTS" = census ]; then RES_WHAT="every county's 2020 census population"; else RES_WHAT="RESIDENTS=$(fmt "$RESIDENTS") shared out by the census"; fi
    RES_DETAIL="$(fmt "$RES_NEW") ($RES_WHAT), generated by \`xietong people generate --unit COUNTY --count N --seed COUNTY --no-lists --register-tags\` ($RES_WHERE: a county without grids has its villages and communities instead) and imported by \`xietong people import register.csv --source hukou --unit COUNTY\` (COPY on PostgreSQL), the next county generated while one is imported: the imports took $RES_IMPORT_S s of the $RES_LOAD_S s; $(fmt "$RES_REJECTED") rows rejected. Households $(fmt "$RES_HH"); tags $RES_TAGS. Sealed ($RES_SAMPLED): $RES_SEALED. \`residents_id_index\` (the blind index of the ID number, random keys) dropped for the load and made once after it ($RES_INDEX_S s), as an import into an empty registry makes it; \`VACUUM (ANALYZE)\` of the four people tables $RES_VACUUM_S s (not counted in the rate)"
else
    P_RES="not measured"
    RES_MEASURED="not generated (RESIDENTS=0)"
    RES_DETAIL="not generated (RESIDENTS=0)"
fi
P_TICKETS=$(pass "$N_TICKETS" ">=" 10000000)
[ "$P_TICKETS" = FAIL ] && P_TICKETS="smaller scale"
GEN_FULL=$(awk -v r="$GEN_RATE" 'BEGIN { printf "%.0f", 10000000 / r }')
STATE_LIST=$(echo "$STATES" | awk '{ split("received dispatched signed replied closed returned merged", n, " ");
    for (i = 1; i <= NF; i++) { split($i, p, ":"); v = p[2]; r = "";
        while (length(v) > 3) { r = "," substr(v, length(v) - 2) r; v = substr(v, 1, length(v) - 3) }
        printf "%s%s %s", (i > 1 ? ", " : ""), n[p[1] + 1], v r } }')
fmtlist() { for v in $1; do printf ' %s' "$v"; done; }

SECTION=$TMP/section.md
{
    cat <<EOF
<!-- province:begin -->
## Province scale: Gansu on PostgreSQL (\`make bench-province\`)

Measured on $DATE by \`sh bench/province.sh $BUILD_ARG $TICKETS $RESIDENTS\`, commit
\`$COMMIT\`$([ "$DIRTY" != 0 ] && echo " with $DIRTY uncommitted changed files"), in $ELAPSED s (generation $GEN_S s). \`bench/province.sh\`
rewrites this section only. Load average (1, 5, 15 min) at the start: $LOAD_START;
at the end: $LOAD_END. Same machine as above: $CPU, $NPROC cores, $RAM; PostgreSQL $PGVER
on $PGFS; wrk, both servers and PostgreSQL share the $NPROC cores.

### Results against the targets (issue 9)

| figure | measured | target | result |
|---|---|---|---|
| residents generated in PostgreSQL through the product (\`xietong people generate\` + \`xietong people import\` county after county: each county's 2020 census population in households, with tags, protected fields sealed) | $RES_MEASURED | 25,019,831 (Gansu, 2020 census) | $P_RES |
| tickets generated in PostgreSQL (one assignment each), last 12 months, every township of Gansu | $(fmt "$N_TICKETS") tickets, $(fmt "$N_ASSIGN") assignments, $(fmt "$TOWNSHIPS") townships | 10,000,000 | $P_TICKETS |
| durable ticket creation across two app servers on one database (\`POST /api/v1/tickets\`, 201s per second, two \`wrk -t1 -c64\` at once) | $(fmt "${TWO_A:-0}") + $(fmt "${TWO_B:-0}") = $(fmt "${TWO:-0}")/s | ≥ 5,000/s | $P_CREATE |
| the same through one server alone (\`wrk -t2 -c64\`, for comparison) | $(fmt "${ONE:-0}")/s | ≥ 5,000/s | $P_CREATE1 |
| monthly ranking of all $(fmt "$TOWNSHIPS") townships of the province, \`xietong metrics --ranking township\` (whole command; median of $RUNS, warm) | ${RANK_CLI_MED:-?} s (best ${RANK_CLI_BEST:-?} s) | < 2 s | $P_RANK_CLI |
| the same through \`GET /api/v1/metrics/ranking?level=township&unit=62\` on one server, $API_RUNS requests in a row after a warm-up (medians; the worse counts) | requests 2-5: ${RANK_API_EARLY:-?} s; requests 6-$((API_RUNS + 1)): ${RANK_API_LATE:-?} s (best of all ${RANK_API_BEST:-?} s) | < 2 s | $P_RANK_API |

Durable: the creation phases run with \`fsync=on\`, \`synchronous_commit=on\`,
\`full_page_writes=on\` (a 201 means the commit is on disk).

### What a created ticket costs

CPU time per ticket created in the two-server phase ($(fmt "${N_TWO:-0}") tickets; user + system from
\`/proc\`): the two app servers **$MS_SERVERS ms**, PostgreSQL (every backend, the WAL
writer, the checkpointer) **$MS_PG ms**, the whole machine $MS_ALL ms (wrk and
anything else running included). These are costs, not rates, so a busy machine
moves them little. On these $NPROC shared cores they bound creation at about
$(fmt "$CAP_ALL")/s; one core given to PostgreSQL alone would take about
$(fmt "$CAP_PG") tickets/s, one core of an app server about
$(fmt "$CAP_SRV") tickets/s (a projection from the measured costs, not a measurement: the
target's two app servers and database are separate machines in a province's
deployment, docs/DEPLOY.md).

### County on SQLite beside province on PostgreSQL

| figure | county scale, SQLite | province scale, PostgreSQL |
|---|---|---|
| durable ticket creation, one server | ${COUNTY_CREATE:-not in this file} (\`make bench\`${COUNTY_DATE:+ of $COUNTY_DATE}, demo region 6229, ~3,000 tickets) | $(fmt "${ONE:-0}")/s ($(fmt "$N_TICKETS") tickets already stored) |
| durable ticket creation, two servers on one database | - (SQLite: one writer at a time, one machine) | $(fmt "${TWO:-0}")/s |
| store alone, 64 writer threads (\`bench_core\`) | ${COUNTY_CORE64:-not in this file} (\`make bench\`) | not measured |
| monthly ranking of the townships (whole CLI command, median) | ${SQ_MED:-?} s for the $SQ_LINES townships of prefecture $DEMO_PREFIX, $(fmt "$SQ_MONTH_ROWS") assignments in the month (this script: the generated assignments of $DEMO_PREFIX copied into SQLite; \`make bench\` does not time a ranking) | ${RANK_CLI_MED:-?} s for $(fmt "$TOWNSHIPS") townships, $(fmt "$MONTH_ROWS") assignments in the month |
| import of divisions | ${COUNTY_IMPORT:-not in this file} (\`make bench\`: all 12 western provinces into SQLite) | $IMPORT_DIV (Gansu only) |

### What was generated

The province is real: \`xietong import\` loaded Gansu (62) from the national
division codes: $(fmt "$COUNTIES") counties, $(fmt "$TOWNSHIPS") townships, $(fmt "$VILLAGES") villages and
communities, $(fmt "$DEPTS_N") county departments (13 per county), the 2020 census
(population $(fmt "${POP:-0}")), and $(fmt "$GRIDS_N") demo grids of prefecture $DEMO_PREFIX
(\`xietong grids\` needs county seats, which only the demo prefecture has;
$GRIDS_S s). Loading took $LOAD_S s:

| step | result |
|---|---|$IMPORTS

The tickets are generated (\`bench/province_gen.sql\`, set-based
\`INSERT ... SELECT\` over \`generate_series\`, $(fmt "$CHUNK") tickets per transaction,
$JOBS sessions at once):

| | |
|---|---|
| tickets | $(fmt "$N_TICKETS"), created $RANGE (UTC+8), 07:00-22:00, fewer on weekends and holidays; numbers \`YYYYMMDD-NNNNN\` in time order, \`ticket_counters\` at each day's last number |
| states | $STATE_LIST |
| where | a village drawn uniformly among the $(fmt "$VILLAGES") (grid = the village); 45 % of the categories route to the village's township, 55 % to a department of its county, as the routing table resolves them |
| assignments | $(fmt "$N_ASSIGN"), one per ticket (dispatched 5-60 min after creation), with signing, reply and callback outcomes drawn per handling unit's own propensities; late or overdue ones escalated as the sweep would have |
| in the ranked month $PERIOD | $(fmt "$MONTH_ROWS") assignments, $(fmt "$MONTH_TOWN_ROWS") of them to townships |
| residents | $RES_DETAIL |
| not generated | timeline events and audit rows of the generated tickets, sealed contacts (the masked name and phone are filled) |
| generation time | $GEN_S s in all ($(fmt "$GEN_RATE") tickets/s): rows $ROWS_S s, secondary indexes (dropped for the load, rebuilt from their saved definitions) $IDX_S s, foreign key $FK_S s, \`VACUUM (ANALYZE)\` of both tables $ANALYZE_S s$([ "$N_TICKETS" -lt 10000000 ] && echo "; 10,000,000 tickets would take about $GEN_FULL s at this rate") |
| size | tickets $SIZE_T, assignments $SIZE_A, database $SIZE_DB |

### Diagnostics

- The ranking query alone (\`SQL_UNIT_COUNTS\` of \`src/store/metrics.c\`,
  \`EXPLAIN ANALYZE\`): ${RANK_SQL_MS:-?} ms; plan: $RANK_PLAN$([ -n "$RANK_JIT" ] && echo "; JIT ($JIT): $RANK_JIT").
  CLI seconds:$(fmtlist "$RANK_CLI_RUNS"); API seconds:$(fmtlist "$RANK_API_RUNS") ($(fmt "${RANK_API_BYTES:-0}") bytes of JSON);
  SQLite ($DEMO_PREFIX) seconds:$(fmtlist "$SQ_RUNS").
  First three and last of the ranking: $RANK_TOP... $RANK_BOTTOM.
- The same statement prepared, as a server's read connection keeps it, at
  its 6th execution (from then on PostgreSQL may use a generic plan, with
  row estimates that do not depend on the month asked): ${RANK_GEN_MS:-?} ms; plan:
  $RANK_GEN_PLAN.
- The escalation sweep each server runs every minute (\`sweep_job\` in
  \`src/store/tickets.c\`, inside a write batch, so under the advisory lock):
  ${SWEEP_MS:-?} ms; plan: $SWEEP_PLAN.
- What PostgreSQL itself does with the writes of ticket creation (pgbench
  on empty scratch copies of tickets, events, audit and ticket_counters,
  64 tickets per durable transaction, $PGB_SECS s each): one statement per
  round trip as the store's writer sent them before it pipelined (per
  ticket: SAVEPOINT, counter upsert, INSERT ticket, INSERT event, INSERT
  audit, RELEASE) $(fmt "${PGB_EACH1:-0}")/s from one session, $(fmt "${PGB_EACH2:-0}")/s from two;
  pipelined as it sends them now (per ticket the ticket, event and audit
  row, the day's counter once, the answers read once per batch;
  \`src/store/db_pg.c\`)
  $(fmt "${PGB_PIPE1:-0}")/s from one session, $(fmt "${PGB_PIPE2:-0}")/s from two; the same rows batched
  (one counter update and one multi-row INSERT per table for the 64)
  $(fmt "${PGB_BATCH1:-0}")/s from one session, $(fmt "${PGB_BATCH2:-0}")/s from two.
- In the background during the measured phases (server log): autovacuum
  ${AUTOVAC:-none}; $CHECKPOINTS checkpoints completed.
- Creation latency (p50, p99): one server $ONE_LAT; two servers $TWO_LAT_A and $TWO_LAT_B.
  $(fmt "$CREATED") tickets created in the database for $(fmt "$ACKED") 201s, no duplicate
  number, one audit chain. A server started and logged in after $SERVE1_S s.

### Settings and commands

PostgreSQL (throw-away, \`scripts/pg-test.sh start $PGDIR $PGPORT\`, then
restarted with \`pg_ctl restart -o ...\`):

- both phases: \`$PG_MEM\`
- generation only: \`$PG_LOAD\`
- measured phases (after \`sync\` and a restart): \`$PG_DURABLE\`; \`jit\` left at $JIT

\`\`\`
xietong init --data D --database $URL
xietong import divisions $DIV_SHOWN --prefix 62 --data D --database URL
xietong import census data/census/census2020_county_west_key.csv --prefix 62 ...
xietong import calendar data/calendar/cn_holidays.csv ...
xietong import categories data/reference/categories.csv ...
xietong import departments data/reference/departments.csv --prefix 62 ...
xietong grids --seats data/demo/county_seats.csv --prefix 6229 ...
psql URL -c 'DROP INDEX residents_id_index'                                 # made again after the residents
xietong people generate --unit COUNTY --count N --seed COUNTY --no-lists --register-tags --out DIR ...   # per county, the next
xietong people import DIR/register.csv --mapping DIR/register.map.csv --source hukou --unit COUNTY ...    # one generated meanwhile
psql URL -c 'CREATE UNIQUE INDEX residents_id_index ...'; psql URL -c 'VACUUM (ANALYZE) residents' # and households, resident_tags, resident_sources
psql URL -v tickets=$TICKETS -v t_now=T -v prefix=62 -v msgs=data/demo/messages.csv -f bench/province_gen.sql
psql URL -c 'SELECT xt_bench.drop_indexes()'
psql URL -c 'SELECT xt_bench.gen(LO, HI)'        # per chunk, $JOBS sessions at once
psql URL -c "SELECT xt_bench.restore_index('NAME')"; ... restore_fks(); finish()
psql URL -c 'VACUUM (ANALYZE) tickets' & psql URL -c 'VACUUM (ANALYZE) assignments'
xietong account add --username bench --role command --scope 62 ...
xietong account add --username operator --role operator --scope 62 ...
xietong metrics --unit 62 --ranking township --period $PERIOD --data D --database URL    # 1 + $RUNS times
xietong serve --data D --database URL --port 0 &                                     # twice
curl -H 'Authorization: Bearer TOKEN' 'http://127.0.0.1:PORT1/api/v1/metrics/ranking?level=township&unit=62&period=$PERIOD'   # 1 + $API_RUNS times
XT_TOKEN=TOKEN1 XT_GRIDS_FILE=<the villages of 62> wrk -t2 -c64 -d${SECS}s -s bench/create.lua http://127.0.0.1:PORT1
XT_TOKEN=TOKEN1 ... wrk -t1 -c64 -d${SECS}s ... PORT1 &  XT_TOKEN=TOKEN2 ... wrk -t1 -c64 -d${SECS}s ... PORT2
pgbench -n -M prepared -c 1 -T $PGB_SECS -f PER-STATEMENT-OR-BATCHED.sql URL     # and -c 2, on scratch tables
xietong init --data SQ; xietong import divisions|calendar|categories|departments ... --prefix $DEMO_PREFIX --data SQ
psql URL -c "\\copy (SELECT ... FROM assignments WHERE unit LIKE '$DEMO_PREFIX%') TO 'county.csv' CSV"   # then sqlite3 .import
xietong metrics --unit $DEMO_PREFIX --ranking township --period $PERIOD --data SQ       # 1 + $RUNS times
\`\`\`
EOF
    if [ "$ERRORS" != 0 ]; then
        echo
        echo "### Errors in this run"
        echo "$ERRLIST"
    fi
    echo "<!-- province:end -->"
} >"$SECTION"

# Replace the section between the markers, or append it.
mkdir -p "$(dirname "$OUT")"
[ -f "$OUT" ] || : >"$OUT"
if grep -q '^<!-- province:begin -->$' "$OUT" && grep -q '^<!-- province:end -->$' "$OUT"; then
    awk -v sec="$SECTION" '
        /^<!-- province:begin -->$/ { while ((getline l < sec) > 0) print l; skip = 1; next }
        /^<!-- province:end -->$/ { skip = 0; next }
        !skip { print }' "$OUT" >"$TMP/out.md" && cat "$TMP/out.md" >"$OUT"
else
    { [ -s "$OUT" ] && echo; cat "$SECTION"; } >>"$OUT"
fi

say "wrote its section of $OUT (${ELAPSED} s)"
say "residents $(fmt "$RES_NEW") in ${RES_ALL_S:-0} s ($P_RES); create/s two servers $TWO ($P_CREATE), one server $ONE; ranking CLI median $RANK_CLI_MED s ($P_RANK_CLI), API medians $RANK_API_EARLY / $RANK_API_LATE s ($P_RANK_API); SQLite $DEMO_PREFIX $SQ_MED s"
if [ "$ERRORS" != 0 ]; then
    echo "province: $ERRORS error(s):$ERRLIST" >&2
    exit 1
fi
exit 0
