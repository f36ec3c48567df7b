#!/bin/sh
# load.sh BUILD_DIR [SECS] [CONNECTIONS] - the bounded load run of `make load`.
#
# Prepares a data directory (the Linxia demo region from data/, an operator
# and a township account), starts `xietong serve` on loopback and drives it
# with wrk and bench/load.lua (reads and writes mixed, see that file) for
# SECS seconds (default 300, env LOAD_SECS) over CONNECTIONS connections
# (default 200). Measures the server's resident memory (VmRSS of
# /proc/PID/status) before, every 10 s during, and after the run, and its
# peak (VmHWM). Writes the figures, the machine and the command into the
# section <!-- load:begin --> ... <!-- load:end --> of docs/RELIABILITY.md
# (XT_LOAD_OUT names another file) and fails when any answer was not 2xx or
# wrk saw a socket error.
set -u
BUILD=${1:-build}
SECS=${2:-${LOAD_SECS:-300}}
CONN=${3:-200}
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
case $BUILD in
/*) ;;
*) BUILD=$ROOT/$BUILD ;;
esac
OUT=${XT_LOAD_OUT:-$ROOT/docs/RELIABILITY.md}
XT=$BUILD/xietong
die() {
    echo "load: $*" >&2
    exit 1
}
[ -x "$XT" ] || die "$XT is missing: run 'make build' first"
for t in wrk curl sqlite3 awk sed; do
    command -v "$t" >/dev/null 2>&1 || die "'$t' is not installed (see deps/debian-packages.txt)"
done

TMP=$(mktemp -d "$BUILD/load-data.XXXXXX") || die "cannot create a data directory"
SPID=""
cleanup() {
    [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TOWN=622921100
D=$TMP/data
echo "load: preparing $D"
"$XT" import divisions data/divisions/linxia_6229.csv --prefix 6229 --data "$D" >/dev/null &&
    "$XT" import census data/census/census2020_county_west_key.csv --prefix 62 --data "$D" >/dev/null &&
    "$XT" import calendar data/calendar/cn_holidays.csv --data "$D" >/dev/null &&
    "$XT" import categories data/reference/categories.csv --data "$D" >/dev/null &&
    "$XT" import departments data/reference/departments.csv --prefix 6229 --data "$D" >/dev/null &&
    "$XT" grids --seats data/demo/county_seats.csv --prefix 6229 --data "$D" >/dev/null &&
    "$XT" account add --username load-op --password pw-load-op-2026 --role operator \
        --scope 6229 --data "$D" >/dev/null &&
    "$XT" account add --username load-town --password pw-load-town-2026 --role township \
        --scope $TOWN --data "$D" >/dev/null || die "cannot prepare the data directory"
GRIDS=$(sqlite3 -readonly "$D/xietong.db" \
    "SELECT group_concat(code) FROM (SELECT code FROM units WHERE level = 6 AND code LIKE '$TOWN%' ORDER BY code)")
[ -n "$GRIDS" ] || die "no grids under $TOWN"

"$XT" serve --data "$D" --port 0 >"$TMP/serve.log" 2>&1 &
SPID=$!
PORT=""
i=0
while [ $i -lt 100 ] && [ -z "$PORT" ]; do
    PORT=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$TMP/serve.log" | head -n 1)
    [ -n "$PORT" ] || sleep 0.1
    i=$((i + 1))
done
[ -n "$PORT" ] || die "the server did not start: $(tail -n 2 "$TMP/serve.log")"
URL=http://127.0.0.1:$PORT
login() {
    curl -s -X POST "$URL/api/v1/sessions" -d "{\"username\":\"$1\",\"password\":\"$2\"}" |
        sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
TOK_OP=$(login load-op pw-load-op-2026)
TOK_TOWN=$(login load-town pw-load-town-2026)
[ -n "$TOK_OP" ] && [ -n "$TOK_TOWN" ] || die "login failed"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$SPID/status"; }
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$SPID/status"; }
RSS0=$(rss)
PERIOD=$(TZ=Asia/Shanghai date +%Y-%m)
echo "load: $CONN connections for ${SECS}s against $URL (server pid $SPID, VmRSS ${RSS0} kB)"
CMD="wrk -t2 -c$CONN -d${SECS}s --timeout 10s -s bench/load.lua $URL"
XT_TOKEN_OP=$TOK_OP XT_TOKEN_TOWN=$TOK_TOWN XT_TOWN=$TOWN XT_GRIDS=$GRIDS XT_PERIOD=$PERIOD \
    wrk -t2 -c"$CONN" -d"${SECS}s" --timeout 10s -s "$ROOT/bench/load.lua" "$URL" >"$TMP/wrk.out" 2>&1 &
WPID=$!
SAMPLES=""
while kill -0 "$WPID" 2>/dev/null; do
    sleep 10
    kill -0 "$SPID" 2>/dev/null || break
    SAMPLES="$SAMPLES $(rss)"
done
wait "$WPID"
kill -0 "$SPID" 2>/dev/null || die "the server died during the run: $(tail -n 3 "$TMP/serve.log")"
RSS1=$(rss)
HWM=$(hwm)
cat "$TMP/wrk.out"
value() { awk -v k="$1" '$1 == k { print $2; exit }' "$TMP/wrk.out"; }
REQ=$(value load_requests)
RATE=$(value load_per_sec)
CREATED=$(value load_created)
NON2XX=$(value load_non2xx)
SOCK=$(sed -n 's/^load_socket_errors //p' "$TMP/wrk.out")
LAT=$(sed -n 's/^load_latency_ms //p' "$TMP/wrk.out")
RESULT=$(value load_result)
TICKETS=$(sqlite3 -readonly "$D/xietong.db" "SELECT count(*) FROM tickets")
EVENTS=$(sqlite3 -readonly "$D/xietong.db" "SELECT count(*) FROM events" 2>/dev/null || echo "?")
[ -n "$RESULT" ] || die "wrk printed no summary"

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
NPROC=$(nproc 2>/dev/null || echo "?")
RAM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
DATE=$(date '+%Y-%m-%d %H:%M %Z')
GROWTH=$((RSS1 - RSS0))
# Warm-up (thread stacks, SQLite page caches, the session cache) against
# steady state: the growth from the sample at 60 s to the end.
RSS60=$(echo "$SAMPLES" | awk '{ print ($6 != "" ? $6 : $NF) }')
STEADY=$((RSS1 - ${RSS60:-$RSS1}))
SECTION=$TMP/section.md
{
    echo "<!-- load:begin -->"
    echo "### Load run ($DATE, commit $COMMIT)"
    echo
    echo "Machine: $CPU, $NPROC cores, $RAM; server and wrk share it; database on $(df -PT "$D" | awk 'NR == 2 { print $2 }')."
    echo "Command: \`make load LOAD_SECS=$SECS\` (bench/load.sh: \`$CMD\`)."
    echo
    echo "| figure | value |"
    echo "|---|---|"
    echo "| result | **$RESULT** |"
    echo "| duration, connections | ${SECS} s, $CONN |"
    echo "| requests (per second) | $REQ ($RATE/s) |"
    echo "| tickets filed (201 counted by wrk) / in the database after | $CREATED / $TICKETS (the difference: answers in flight when wrk stopped counting) |"
    echo "| timeline events in the database | $EVENTS |"
    echo "| answers not 2xx | $NON2XX |"
    echo "| socket errors | $SOCK |"
    echo "| latency (ms) | $LAT |"
    echo "| server VmRSS before / after (kB) | $RSS0 / $RSS1 (growth $GROWTH kB) |"
    echo "| growth from the 60 s sample to the end (kB) | $STEADY |"
    echo "| server VmRSS every 10 s (kB) | $SAMPLES |"
    echo "| server peak VmHWM (kB) | $HWM |"
    echo "<!-- load:end -->"
} >"$SECTION"
if [ -f "$OUT" ] && grep -q '<!-- load:begin -->' "$OUT"; then
    awk -v f="$SECTION" '
        /<!-- load:begin -->/ { while ((getline l < f) > 0) print l; skip = 1; next }
        /<!-- load:end -->/ { skip = 0; next }
        !skip { print }' "$OUT" >"$TMP/out.md" && cp "$TMP/out.md" "$OUT"
else
    { echo; cat "$SECTION"; } >>"$OUT"
fi
echo "load: figures written to $OUT"
[ "$RESULT" = OK ] || die "errors during the load run (see above)"
