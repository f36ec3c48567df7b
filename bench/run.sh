#!/bin/sh
# bench/run.sh - run every benchmark and write docs/BENCHMARKS.md.
#
#   sh bench/run.sh BUILD_DIR        (from the repo root; `make bench` does this)
#
# Builds nothing: `make bench` has built BUILD_DIR already. Runs, in order:
#   1. machine facts (CPU, cores, RAM, kernel, filesystem, library versions)
#   2. import of the western-province divisions (192,211 rows) into a fresh
#      data directory, timed by `xietong import` itself
#   3. bench_sqlite   bare SQLite inserts, WAL + synchronous=FULL, 1 and 256 rows/commit
#   4. bench_core     durable ticket creation and reads through the store, no HTTP
#   5. bench_spatial  location -> grid lookups on one core
#   6. bench_hello    bare libmicrohttpd, measured with wrk
#   7. xietong serve  on a demo data directory: GET one ticket, POST create ticket
# then writes docs/BENCHMARKS.md with each figure, its target and PASS/FAIL.
#
# wrk runs on the same machine (and cores) as the server it measures.
# Data directories go under BUILD_DIR (a real disk, not tmpfs: fsync must
# cost what it costs) and are removed at the end.
#
# Exit status: 0 when every benchmark ran cleanly (a missed target is
# reported as FAIL in the document, not as an error); 1 when something
# could not run or answered wrongly (e.g. a ticket POST that was not 201).
#
# Environment (all optional):
#   XT_DIVISIONS   the divisions CSV (default: ../shared/data/divisions/
#                  west_divisions_all.csv)
#   XT_BENCH_SECS  seconds of each wrk run (default 10)
#   XT_CORE_SECS   seconds of each bench_core run (default 4)
#   XT_BENCH_ROUNDS  alternating hello/GET rounds, best of each counts (default 2)
#   XT_BENCH_OUT   the document to write (default docs/BENCHMARKS.md)
set -u

BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
case $BUILD in
/*) ;;
*) BUILD=$ROOT/$BUILD ;;
esac
OUT=${XT_BENCH_OUT:-$ROOT/docs/BENCHMARKS.md}
SECS=${XT_BENCH_SECS:-10}
CORE_SECS=${XT_CORE_SECS:-4}
ROUNDS=${XT_BENCH_ROUNDS:-2}
NPROC=$(nproc 2>/dev/null || echo 2)

die() {
    echo "bench: $*" >&2
    exit 1
}

for b in xietong bench_hello bench_sqlite bench_core bench_spatial; do
    [ -x "$BUILD/$b" ] || die "$BUILD/$b is missing: run 'make build' (or 'make bench') first"
done
for t in wrk curl sqlite3 awk sed; do
    command -v "$t" >/dev/null 2>&1 || die "'$t' is not installed (see deps/debian-packages.txt)"
done

TMP="$BUILD/bench-data.$$"
rm -rf "$TMP"
mkdir -p "$TMP" || die "cannot create $TMP"
PIDS=""
cleanup() {
    for p in $PIDS; do
        kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ERRORS=0
ERRLIST=""
error() {
    echo "bench: ERROR: $*" >&2
    ERRORS=$((ERRORS + 1))
    ERRLIST="$ERRLIST
- $*"
}
say() {
    echo "bench: $*"
}
# value KEY FILE: the first number after "KEY " in FILE
value() {
    awk -v k="$1" '$1 == k { print $2; exit }' "$2"
}
# Start "$@" in the background, logging to $LOGF; sets SPID.
start_bg() {
    "$@" >"$LOGF" 2>&1 &
    SPID=$!
    PIDS="$PIDS $SPID"
}
stop_bg() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    np=""
    for p in $PIDS; do
        [ "$p" = "$1" ] || np="$np $p"
    done
    PIDS=$np
}
# wait_port LOGFILE PID: the port printed as http://127.0.0.1:PORT/ in the log
wait_port() {
    i=0
    while [ $i -lt 100 ]; do
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
# wrk_check NAME FILE: errors for non-2xx answers and socket errors
wrk_check() {
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' "$2")
    [ -z "$non2xx" ] || error "$1: $non2xx responses were not 2xx (see wrk output above)"
    sockerr=$(grep 'Socket errors:' "$2" || true)
    [ -z "$sockerr" ] || say "$1: wrk reports $sockerr"
}
fmt() { # thousands separators for integers
    printf '%s' "$1" | awk '{ s = sprintf("%.0f", $1); r = "";
        while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
        print s r }'
}
pass() { # pass VALUE OP LIMIT -> PASS/FAIL/n/a
    if [ -z "$1" ]; then
        echo "not measured"
    elif awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { exit !((op == ">=" && v >= l) || (op == "<" && v < l)) }'; then
        echo "PASS"
    else
        echo "FAIL"
    fi
}

START=$(date +%s)
DATE=$(date '+%Y-%m-%d %H:%M %Z')
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 1. the machine ----
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
RAM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
KERNEL=$(uname -sr)
VIRT=$( (systemd-detect-virt 2>/dev/null || true) | head -n 1)
[ -n "$VIRT" ] || VIRT=$(grep -q '^flags.* hypervisor' /proc/cpuinfo && echo "a hypervisor" || echo "none detected")
FS=$(df -PT "$TMP" | awk 'NR == 2 { print $2 " on " $1 }')
pkgver() {
    dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo "?"
}
V_SQLITE=$(pkgver libsqlite3-0)
V_MHD=$(pkgver libmicrohttpd12)
V_JSONC=$(pkgver libjson-c5)
V_WRK=$(pkgver wrk)
V_CC=$(cc --version 2>/dev/null | head -n 1)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
DIRTY=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -c . || true)
say "machine: $CPU, $NPROC cores, $RAM, $KERNEL, data on $FS"
case $FS in
tmpfs*) say "WARNING: $TMP is on tmpfs: fsync is free there, durable figures mean nothing" ;;
esac

# ---- 2. import of the western divisions ----
DIV=${XT_DIVISIONS:-}
if [ -z "$DIV" ]; then
    for f in "$ROOT/../shared/data/divisions/west_divisions_all.csv"; do
        if [ -f "$f" ]; then
            DIV=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
            break
        fi
    done
fi
IMPORT_S=""
IMPORT_NOTE=""
IMPORT_ROWS=""
if [ -n "$DIV" ] && [ -f "$DIV" ]; then
    say "import of $DIV"
    "$BUILD/xietong" init --data "$TMP/import" >"$TMP/init.out" 2>&1 || error "xietong init failed: $(tail -n 1 "$TMP/init.out")"
    if "$BUILD/xietong" import divisions "$DIV" --data "$TMP/import" >"$TMP/import.out" 2>&1; then
        IMPORT_S=$(sed -n 's/.*(\([0-9.]*\) s)$/\1/p' "$TMP/import.out" | head -n 1)
        IMPORT_ROWS=$(sed -n 's/.*: \([0-9]*\) rows read, \([0-9]*\) written.*/\2/p' "$TMP/import.out" | head -n 1)
        cat "$TMP/import.out"
        [ -n "$IMPORT_S" ] || error "import: no time in the output of xietong import"
    else
        cat "$TMP/import.out" >&2
        IMPORT_NOTE="import failed: $(grep -v ' info ' "$TMP/import.out" | tail -n 1)"
        error "$IMPORT_NOTE"
    fi
else
    IMPORT_NOTE="divisions file not found (set XT_DIVISIONS)"
    error "$IMPORT_NOTE"
fi
rm -rf "$TMP/import"

# ---- 3. bare SQLite ----
say "bench_sqlite"
"$BUILD/bench_sqlite" --dir "$TMP/sqlite" --seconds 3 >"$TMP/sqlite.out" 2>&1 || error "bench_sqlite failed: $(tail -n 1 "$TMP/sqlite.out")"
cat "$TMP/sqlite.out"
SQ1=$(value sqlite_rows_per_sec_txn1 "$TMP/sqlite.out")
SQ256=$(value sqlite_rows_per_sec_txn256 "$TMP/sqlite.out")
SQ256C=$(value sqlite_commits_per_sec_txn256 "$TMP/sqlite.out")

# ---- 4. the store without HTTP ----
say "bench_core (demo region, no tickets)"
"$BUILD/xietong" demo --data "$TMP/core" --no-serve --tickets 0 >"$TMP/core-demo.out" 2>&1 || error "xietong demo --tickets 0 failed: $(tail -n 1 "$TMP/core-demo.out")"
"$BUILD/bench_core" --data "$TMP/core" --seconds "$CORE_SECS" --threads 1,8,64 \
    --read-threads "1,$NPROC" >"$TMP/core.out" 2>&1 || error "bench_core failed: $(grep 'bench_core:' "$TMP/core.out" | tail -n 1)"
grep -v ' info ' "$TMP/core.out"
core_rate() { # core_rate KIND THREADS
    awk -v k="core_$1_per_sec" -v t="threads=$2" '$1 == k && $2 == t { print $3; exit }' "$TMP/core.out"
}
core_field() { # core_field THREADS FIELD
    awk -v t="threads=$1" -v f="$2=" '$1 == "core_create_per_sec" && $2 == t {
        for (i = 4; i <= NF; i++) if (index($i, f) == 1) { print substr($i, length(f) + 1); exit } }' "$TMP/core.out"
}
C1=$(core_rate create 1)
C8=$(core_rate create 8)
C64=$(core_rate create 64)
G1=$(core_rate get 1)
GN=$(core_rate get "$NPROC")
# core_part NAME: microseconds of one part of a GET without HTTP
core_part() {
    awk -v f="$1=" '$1 == "core_get_parts_us" {
        for (i = 2; i <= NF; i++) if (index($i, f) == 1) { v = substr($i, length(f) + 1); sub(/\(.*/, "", v); print v; exit } }' "$TMP/core.out"
}
rm -rf "$TMP/core"

# ---- 5. spatial ----
say "bench_spatial"
"$BUILD/bench_spatial" >"$TMP/spatial.out" 2>&1 || error "bench_spatial failed: $(tail -n 1 "$TMP/spatial.out")"
cat "$TMP/spatial.out"
SPATIAL=$(value spatial_lookups_per_sec "$TMP/spatial.out")
SPATIAL_ALL=$(value spatial_lookups_per_sec_all_levels "$TMP/spatial.out")

# ---- 6 and 7: bare libmicrohttpd and the API ----
say "xietong demo (3,000 replayed tickets)"
"$BUILD/xietong" demo --data "$TMP/api" --no-serve >"$TMP/api-demo.out" 2>&1 || error "xietong demo failed: $(tail -n 1 "$TMP/api-demo.out")"
# Every grid of the demo prefecture, in a scrambled order (one a line, for
# XT_GRIDS_FILE): requests spread over the county's villages as in life, so
# that each village's open tickets (what the duplicate check reads) are a
# village's, not those of a few villages taking every request.
sqlite3 -readonly "$TMP/api/xietong.db" "SELECT code FROM units WHERE level = 6 AND code LIKE '6229%' ORDER BY substr(code, 13) || substr(code, 10, 3) || code" >"$TMP/grids.txt" 2>/dev/null
GRIDS=$(head -n 1 "$TMP/grids.txt")
GRID1=${GRIDS%%,*}
PW=$(awk '$1 == "operator" { print $2 }' "$TMP/api/demo-logins.txt" 2>/dev/null)
[ -n "$GRIDS" ] || error "no grids of 6229 in the demo database"
[ -n "$PW" ] || error "no operator password in $TMP/api/demo-logins.txt"

# serve_and_login [serve options...]: sets SPORT, SPID_API, TOKEN
serve_and_login() {
    LOGF=$TMP/serve.log
    start_bg "$BUILD/xietong" serve --data "$TMP/api" --port 0 "$@"
    SPID_API=$SPID
    TOKEN=""
    if ! SPORT=$(wait_port "$LOGF" "$SPID_API"); then
        error "xietong serve did not start: $(tail -n 1 "$LOGF")"
        return 1
    fi
    TOKEN=$(curl -s -X POST "http://127.0.0.1:$SPORT/api/v1/sessions" \
        -d "{\"username\":\"operator\",\"password\":\"$PW\"}" |
        sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
    if [ -z "$TOKEN" ]; then
        error "login as operator failed"
        return 1
    fi
    return 0
}

# Real request texts for create.lua (bench/texts.sh), so that the duplicate
# check at intake meets what a county sees, not one text repeated.
sh "$ROOT/bench/texts.sh" "$TMP/texts.txt" || die "bench/texts.sh failed"
# post_create CONNECTIONS TAG: runs create.lua, sets CREATE_RATE
post_create() {
    XT_TEXTS=$TMP/texts.txt XT_TOKEN=$TOKEN XT_GRIDS_FILE=$TMP/grids.txt wrk -t2 -c"$1" -d"${SECS}s" -s "$ROOT/bench/create.lua" \
        "http://127.0.0.1:$SPORT" >"$TMP/wrk-create-$2.out" 2>&1 || error "wrk POST ($2) failed"
    grep -E '^create_|Requests/sec|Socket errors' "$TMP/wrk-create-$2.out"
    CREATE_RATE=$(value create_per_sec "$TMP/wrk-create-$2.out")
    n=$(value create_non201 "$TMP/wrk-create-$2.out")
    if [ -z "$n" ]; then
        error "POST ($2): create.lua printed no summary: $(tail -n 3 "$TMP/wrk-create-$2.out" | tr '\n' ' ')"
        CREATE_RATE=""
    elif [ "$n" != 0 ]; then
        error "POST ($2): $n responses were not 201: $(grep create_status "$TMP/wrk-create-$2.out" | tr '\n' ' ')"
    fi
}
# max A B: the larger of two numbers (either may be empty)
max() {
    if [ -z "$1" ]; then
        echo "$2"
    elif [ -z "$2" ]; then
        echo "$1"
    else
        awk -v a="$1" -v b="$2" 'BEGIN { print (a > b) ? a : b }'
    fi
}

LOGF=$TMP/hello.log
start_bg "$BUILD/bench_hello" --port 0
HPID=$SPID
HPORT=""
HPORT=$(wait_port "$LOGF" "$HPID") || error "bench_hello did not start: $(tail -n 1 "$LOGF")"

HELLO=""
HELLO_1PC=""
GET=""
ME=""
HELLO_RUNS=""
GET_RUNS=""
NUMBER=""
CREATE_BEST=""
CREATE_BEST_C=""
CREATE_ROWS=""
if serve_and_login; then
    # One ticket with a contact, as an operator files it: the one to GET.
    NUMBER=$(curl -s -o "$TMP/one.json" -w '%{http_code}' -X POST \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        "http://127.0.0.1:$SPORT/api/v1/tickets" \
        -d "{\"text\":\"路灯坏了两个多星期，请尽快维修。\",\"type\":\"help\",\"category\":\"C01\",\"location\":{\"unit\":\"$GRID1\"},\"contact\":{\"name\":\"演示居民\",\"phone\":\"19900001234\"}}")
    if [ "$NUMBER" = 201 ]; then
        NUMBER=$(sed -n 's/^{"number":"\([^"]*\)".*/\1/p' "$TMP/one.json")
    else
        error "POST /api/v1/tickets answered $NUMBER: $(head -c 300 "$TMP/one.json")"
        NUMBER=""
    fi
    # hello and GET alternate, ROUNDS times each; the best of each counts
    # (other load on a shared machine only ever lowers a figure).
    r=1
    while [ -n "$NUMBER" ] && [ -n "$HPORT" ] && [ $r -le "$ROUNDS" ]; do
        say "round $r: bench_hello: wrk -t2 -c64 -d${SECS}s"
        wrk -t2 -c64 -d"${SECS}s" "http://127.0.0.1:$HPORT/" >"$TMP/wrk-hello-$r.out" 2>&1 || error "wrk on bench_hello failed"
        cat "$TMP/wrk-hello-$r.out"
        wrk_check "hello" "$TMP/wrk-hello-$r.out"
        h=$(awk '/^Requests\/sec:/ { print $2 }' "$TMP/wrk-hello-$r.out")
        HELLO=$(max "$HELLO" "$h")
        HELLO_RUNS="$HELLO_RUNS $(fmt "${h:-0}")"
        say "round $r: GET /api/v1/tickets/$NUMBER: wrk -t2 -c64 -d${SECS}s"
        wrk -t2 -c64 -d"${SECS}s" -H "Authorization: Bearer $TOKEN" \
            "http://127.0.0.1:$SPORT/api/v1/tickets/$NUMBER" >"$TMP/wrk-get-$r.out" 2>&1 || error "wrk GET failed"
        cat "$TMP/wrk-get-$r.out"
        wrk_check "GET ticket" "$TMP/wrk-get-$r.out"
        g=$(awk '/^Requests\/sec:/ { print $2 }' "$TMP/wrk-get-$r.out")
        GET=$(max "$GET" "$g")
        GET_RUNS="$GET_RUNS $(fmt "${g:-0}")"
        r=$((r + 1))
    done
    # Diagnostic: hello with one thread per core (the pool size the API
    # had before it was made 16 per core).
    HELLO_1PC=""
    if [ -n "$NUMBER" ]; then
        LOGF=$TMP/hello1.log
        start_bg "$BUILD/bench_hello" --port 0 --threads "$NPROC"
        H1PID=$SPID
        if H1PORT=$(wait_port "$LOGF" "$H1PID"); then
            say "bench_hello --threads $NPROC: wrk -t2 -c64 -d${SECS}s"
            wrk -t2 -c64 -d"${SECS}s" "http://127.0.0.1:$H1PORT/" >"$TMP/wrk-hello1.out" 2>&1 || error "wrk on bench_hello --threads $NPROC failed"
            wrk_check "hello --threads $NPROC" "$TMP/wrk-hello1.out"
            HELLO_1PC=$(awk '/^Requests\/sec:/ { print $2 }' "$TMP/wrk-hello1.out")
            say "hello with $NPROC threads: $HELLO_1PC req/s"
        else
            error "bench_hello --threads $NPROC did not start"
        fi
        stop_bg "$H1PID"
    fi
    # The same server on a route with authentication but no ticket: what
    # routing, the session check and a small JSON answer cost.
    if [ -n "$NUMBER" ]; then
        say "GET /api/v1/me: wrk -t2 -c64 -d${SECS}s"
        wrk -t2 -c64 -d"${SECS}s" -H "Authorization: Bearer $TOKEN" \
            "http://127.0.0.1:$SPORT/api/v1/me" >"$TMP/wrk-me.out" 2>&1 || error "wrk GET /me failed"
        wrk_check "GET /me" "$TMP/wrk-me.out"
        ME=$(awk '/^Requests\/sec:/ { print $2 }' "$TMP/wrk-me.out")
        say "GET /api/v1/me: $ME req/s"
    fi
    stop_bg "$HPID"
    for c in 16 64 256; do
        say "POST /api/v1/tickets: wrk -t2 -c$c -d${SECS}s -s bench/create.lua"
        post_create "$c" "c$c"
        CREATE_ROWS="$CREATE_ROWS
| \`wrk -t2 -c$c\` | $(fmt "${CREATE_RATE:-0}") |"
        if [ -n "$CREATE_RATE" ] && { [ -z "$CREATE_BEST" ] ||
            awk -v a="$CREATE_RATE" -v b="$CREATE_BEST" 'BEGIN { exit !(a > b) }'; }; then
            CREATE_BEST=$CREATE_RATE
            CREATE_BEST_C=$c
        fi
    done
    stop_bg "$SPID_API"
else
    stop_bg "$HPID"
fi

# Diagnostic: the same POST with one MHD thread per core (the default
# before the pool was made 16 per core). Each POST handler blocks its MHD
# thread until the group commit, so the pool bounds the group size.
POOL=$NPROC
CREATE_POOL=""
CREATE_POOL_C=""
if [ -n "$CREATE_BEST_C" ] && serve_and_login --threads "$POOL"; then
    for c in 64 256; do
        say "POST with serve --threads $POOL: wrk -t2 -c$c -d${SECS}s -s bench/create.lua"
        post_create "$c" "pool$c"
        CREATE_ROWS="$CREATE_ROWS
| \`wrk -t2 -c$c\` against \`xietong serve --threads $POOL\` (diagnostic) | $(fmt "${CREATE_RATE:-0}") |"
        if [ -n "$CREATE_RATE" ] && [ "$(max "$CREATE_POOL" "$CREATE_RATE")" = "$CREATE_RATE" ]; then
            CREATE_POOL=$CREATE_RATE
            CREATE_POOL_C=$c
        fi
    done
    stop_bg "$SPID_API"
fi
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

RATIO=""
if [ -n "$GET" ] && [ -n "$HELLO" ]; then
    RATIO=$(awk -v g="$GET" -v h="$HELLO" 'BEGIN { printf "%.3f", g / h }')
fi
PCT() { awk -v r="$1" 'BEGIN { printf "%.1f %%", r * 100 }'; }
ELAPSED=$(($(date +%s) - START))

# The paragraph under the creation table: only when the larger pool
# clearly helps, i.e. while POST handlers still block their MHD thread.
pool_note() {
    if [ -n "$CREATE_POOL" ] && [ -n "$CREATE_BEST" ] &&
        awk -v p="$CREATE_POOL" -v d="$CREATE_BEST" 'BEGIN { exit !(d > 1.3 * p) }'; then
        cat <<EON
The diagnostic rows run the same server with one libmicrohttpd thread per
core (\`xietong serve --threads $POOL\`): $(fmt "$CREATE_POOL")/s instead of $(fmt "$CREATE_BEST")/s. A POST
handler blocks its thread until the store's writer has committed the group
holding its ticket, so the pool size bounds the group size however many
clients wait; \`bench_core\` above shows what the store does with more
concurrent writers. Suspending the connection while its write waits
(MHD_suspend_connection / MHD_resume_connection) would remove that bound
with one thread per core.
EON
    fi
}

# ---- the document ----
P_CREATE=$(pass "$CREATE_BEST" ">=" 5000)
P_RATIO=$(pass "$RATIO" ">=" 0.40)
P_SPATIAL=$(pass "$SPATIAL" ">=" 1000000)
P_IMPORT=$(pass "$IMPORT_S" "<" 5)
P_POOL=$(pass "$CREATE_POOL" ">=" 5000)
# Other benchmarks (bench/province.sh, bench/<area>.sh) keep their sections
# of this file between <!-- NAME:begin --> and <!-- NAME:end --> lines;
# carry every such section over when the file is rewritten.
PROVINCE_SECTION=""
if [ -f "$OUT" ]; then
    PROVINCE_SECTION=$(awk '/^<!-- [a-z0-9_-]+:begin -->$/ { keep = 1 }
        keep { print }
        /^<!-- [a-z0-9_-]+:end -->$/ { keep = 0; print "" }' "$OUT")
fi
mkdir -p "$(dirname "$OUT")"
{
    cat <<EOF
# Benchmarks

Measured on $DATE by \`make bench\` (\`sh bench/run.sh build\`), commit
\`$COMMIT\`$([ "$DIRTY" != 0 ] && echo " with $DIRTY uncommitted changed files"), in ${ELAPSED} s. Every figure below comes
from that one run; \`bench/run.sh\` regenerates this file. Load average
(1, 5, 15 min) at the start: $LOAD_START; at the end: $LOAD_END (anything
else running on the $NPROC cores lowers the figures).

## Results against the targets

| figure | measured | target | result |
|---|---|---|---|
| durable ticket creation through the API (\`POST /api/v1/tickets\`, 201s per second, best of -c16/64/256, default \`xietong serve\`) | $(fmt "${CREATE_BEST:-0}")/s (-c${CREATE_BEST_C:-?}) | ≥ 5,000/s | $P_CREATE |
| the same with one thread per core, \`xietong serve --threads $POOL\` (diagnostic, not the target) | $(fmt "${CREATE_POOL:-0}")/s (-c${CREATE_POOL_C:-?}) | ≥ 5,000/s | $P_POOL |
| GET of one ticket as a share of bare libmicrohttpd (same run) | $(fmt "${GET:-0}") / $(fmt "${HELLO:-0}") req/s = $([ -n "$RATIO" ] && PCT "$RATIO" || echo "n/a") | ≥ 40 % | $P_RATIO |
| location → grid on one core (\`bench_spatial\`, grid index) | $(fmt "${SPATIAL:-0}") points/s | ≥ 1,000,000/s | $P_SPATIAL |
| import of the 192,211 western-province division rows | $([ -n "$IMPORT_S" ] && echo "$IMPORT_S s ($(fmt "${IMPORT_ROWS:-0}") rows written)" || echo "$IMPORT_NOTE") | < 5 s | $P_IMPORT |

Durable means acknowledged only after the SQLite WAL is fsynced
(\`journal_mode=WAL\`, \`synchronous=FULL\`); the store commits queued writes
in groups from one writer thread.

## All figures

| benchmark | figure |
|---|---|
| bare SQLite, 1 row per transaction (\`bench_sqlite\`) | $(fmt "${SQ1:-0}") rows/s (= commits/s, each an fsync) |
| bare SQLite, 256 rows per transaction | $(fmt "${SQ256:-0}") rows/s ($(fmt "${SQ256C:-0}") commits/s) |
| store: ticket creation, 1 thread (\`bench_core\`) | $(fmt "${C1:-0}")/s (group $(core_field 1 avg_group)) |
| store: ticket creation, 8 threads | $(fmt "${C8:-0}")/s (group $(core_field 8 avg_group)) |
| store: ticket creation, 64 threads | $(fmt "${C64:-0}")/s (group $(core_field 64 avg_group), $(fmt "$(core_field 64 write_bytes_per_ticket)") bytes written per ticket) |
| store: ticket read (\`xt_store_ticket_get\`), 1 thread | $(fmt "${G1:-0}")/s |
| store: ticket read, $NPROC threads | $(fmt "${GN:-0}")/s |
| spatial lookups, grid index, 1 core | $(fmt "${SPATIAL:-0}")/s |
| spatial lookups, every level's polygon in the index | $(fmt "${SPATIAL_ALL:-0}")/s |
| bare libmicrohttpd hello-world (\`bench_hello\`, wrk -c64) | $(fmt "${HELLO:-0}") req/s |
| API: \`GET /api/v1/tickets/{number}\` (wrk -c64) | $(fmt "${GET:-0}") req/s |
| API: GET / hello | $([ -n "$RATIO" ] && PCT "$RATIO" || echo "n/a") |
| bare libmicrohttpd with one thread per core (\`bench_hello --threads $NPROC\`, diagnostic) | $(fmt "${HELLO_1PC:-0}") req/s (GET above is $([ -n "$HELLO_1PC" ] && [ -n "$GET" ] && PCT "$(awk -v g="$GET" -v h="$HELLO_1PC" 'BEGIN { printf "%.3f", g / h }')" || echo "n/a") of it) |
| API: \`GET /api/v1/me\` (routing, session check, small JSON; wrk -c64) | $(fmt "${ME:-0}") req/s |
| one ticket GET without HTTP, 1 thread (\`bench_core\`): session check + read (contact masked) + JSON render | $(core_part session) + $(core_part get) + $(core_part render) = $(core_part total) µs ($(core_part json_bytes) bytes) |

Ticket creation through the API by client concurrency (default \`xietong serve\`:
a pool of $((16 * NPROC)) libmicrohttpd threads, 16 per core):

| wrk | created/s |
|---|---|$CREATE_ROWS

$(pool_note)

GET and hello alternated $ROUNDS times (${SECS} s each); the best of each
counts. hello:$HELLO_RUNS req/s; GET:$GET_RUNS req/s.

## The machine

| | |
|---|---|
| CPU | $CPU |
| cores | $NPROC (wrk runs on the same cores as the server it measures) |
| RAM | $RAM |
| kernel | $KERNEL |
| virtualisation | $VIRT |
| data directories | $FS |
| SQLite (libsqlite3-0) | $V_SQLITE |
| libmicrohttpd (libmicrohttpd12) | $V_MHD |
| json-c (libjson-c5) | $V_JSONC |
| wrk | $V_WRK |
| compiler | $V_CC (CMake RelWithDebInfo: -O2 -g) |

## How it was measured

From the repo root, after \`make build\`:

    sh bench/run.sh build

which runs (DATA is a fresh directory under build/, removed afterwards):

    build/xietong init --data DATA/import
    build/xietong import divisions $(printf '%s' "$DIV" | sed "s|^$(cd "$ROOT/.." && pwd)/|../|") --data DATA/import
    build/bench_sqlite --dir DATA/sqlite --seconds 3
    build/xietong demo --data DATA/core --no-serve --tickets 0
    build/bench_core --data DATA/core --seconds $CORE_SECS --threads 1,8,64 --read-threads 1,$NPROC
    build/bench_spatial
    build/xietong demo --data DATA/api --no-serve          # demo region + ~3,000 tickets
    build/bench_hello --port 0 &
    build/xietong serve --data DATA/api --port 0 &
    curl -X POST .../api/v1/sessions -d '{"username":"operator","password":"<from DATA/api/demo-logins.txt>"}'
    curl -X POST .../api/v1/tickets ...                    # the ticket to GET (201)
    # $ROUNDS times, alternating:
    wrk -t2 -c64 -d${SECS}s http://127.0.0.1:HELLO_PORT/
    wrk -t2 -c64 -d${SECS}s -H 'Authorization: Bearer TOKEN' http://127.0.0.1:PORT/api/v1/tickets/NUMBER
    # then once each:
    build/bench_hello --port 0 --threads $NPROC &                 # diagnostic
    wrk -t2 -c64 -d${SECS}s http://127.0.0.1:HELLO1_PORT/
    wrk -t2 -c64 -d${SECS}s -H 'Authorization: Bearer TOKEN' http://127.0.0.1:PORT/api/v1/me
    # for C in 16 64 256:
    XT_TOKEN=TOKEN XT_GRIDS_FILE=<the grids of 6229> wrk -t2 -cC -d${SECS}s -s bench/create.lua http://127.0.0.1:PORT
    # diagnostic (one thread per core), C in 64 256:
    build/xietong serve --data DATA/api --port 0 --threads $POOL &

- \`bench_hello\` uses the daemon options of \`src/http/server.c\`
  (\`MHD_USE_EPOLL_INTERNAL_THREAD\`, the same pool size - 16 threads per
  core - timeout, connection limit and backlog) and queues its response
  from the second callback, so keep-alive works as in the API.
- \`bench/create.lua\` posts a hotline request of category C01 on one of 256
  grids of 6229 with a contact and a real message text (\`bench/texts.sh\`:
  the texts of \`data/demo/messages.csv\`), as the demo operator, and counts
  only 201 answers; any other status is printed and makes the run fail.
  Each answer carries the request's possible duplicates (the village's 100
  most recent open tickets compared by text), as the console shows them.
- \`bench_core\` calls \`xt_store_ticket_create\` (operator of 6229, a random
  grid, category C01, a contact) from N threads for ${CORE_SECS} s, then
  \`xt_store_ticket_get\` with the contact masked, as the GET handler does.
- wrk and the server share the machine's $NPROC cores, so every HTTP figure
  is lower than on a machine with a separate load generator; the GET/hello
  ratio is fair because both sides pay the same. The tickets created by
  earlier runs stay in DATA/api, so the later POST runs write into a
  larger database.
EOF
    if [ "$ERRORS" != 0 ]; then
        echo
        echo "## Errors in this run"
        echo "$ERRLIST"
    fi
    if [ -n "$PROVINCE_SECTION" ]; then
        echo
        printf '%s\n' "$PROVINCE_SECTION"
    fi
} >"$OUT"

say "wrote $OUT (${ELAPSED} s)"
say "create/s $CREATE_BEST ($P_CREATE)  GET/hello $RATIO ($P_RATIO)  spatial/s $SPATIAL ($P_SPATIAL)  import s $IMPORT_S ($P_IMPORT)"
if [ "$ERRORS" != 0 ]; then
    echo "bench: $ERRORS error(s):$ERRLIST" >&2
    exit 1
fi
exit 0
