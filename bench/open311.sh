#!/bin/sh
# bench/open311.sh - Open311 GeoReport v2 throughput on a demo data
# directory, written into its own section of docs/BENCHMARKS.md.
#
#   sh bench/open311.sh BUILD_DIR        (from the repo root; `make bench` runs it)
#
# Loads the demo region with XT_O311_TICKETS generated requests (default
# 3000, spread over 120 days), makes an API key, serves, and measures with
# wrk (on the same machine and cores as the server):
#   - GET requests.json and requests.xml with page_size=1000 (the largest
#     answer the specification allows), and GET one request;
#   - POST requests.json, form-encoded, each a durable new ticket.
# Environment: XT_BENCH_SECS seconds per wrk run (default 10),
# XT_BENCH_OUT the document (default docs/BENCHMARKS.md).
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=${XT_BENCH_OUT:-$ROOT/docs/BENCHMARKS.md}
SECS=${XT_BENCH_SECS:-10}
TICKETS=${XT_O311_TICKETS:-3000}
TMP=$BUILD/bench-open311
PID=
die() { echo "bench/open311: $*" >&2; [ -n "$PID" ] && kill "$PID" 2>/dev/null; exit 1; }
for t in wrk curl awk sed; do command -v $t >/dev/null || die "needs $t"; done

rm -rf "$TMP" && mkdir -p "$TMP" || die "cannot make $TMP"
"$BUILD/xietong" demo --data "$TMP/data" --no-serve --tickets "$TICKETS" >"$TMP/demo.out" 2>&1 ||
    die "demo failed: $(tail -n 1 "$TMP/demo.out")"
KEY=$("$BUILD/xietong" apikey add --name bench --scope 622921 --data "$TMP/data" 2>/dev/null) ||
    die "apikey add failed"
"$BUILD/xietong" serve --data "$TMP/data" --port 0 >"$TMP/serve.log" 2>&1 &
PID=$!
i=0
PORT=
while [ $i -lt 100 ] && [ -z "$PORT" ]; do
    PORT=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$TMP/serve.log" | head -n 1)
    [ -n "$PORT" ] || sleep 0.1
    i=$((i + 1))
done
[ -n "$PORT" ] || die "server did not start"
B=http://127.0.0.1:$PORT/open311/v2

ROWS=$(curl -s "$B/requests.json?page_size=1000" | awk -F'"service_request_id"' '{ print NF - 1 }')
[ "${ROWS:-0}" -gt 0 ] || die "GET requests.json listed nothing"
ONE=$(curl -s "$B/requests.json?page_size=1" | sed -n 's/.*"service_request_id":"\([^"]*\)".*/\1/p')
[ -n "$ONE" ] || die "no request to read"

# run NAME URL [wrk args]: requests/s and p50 latency
run() {
    name=$1 url=$2
    shift 2
    wrk -t2 -c8 -d"${SECS}s" --latency "$@" "$url" >"$TMP/$name.out" 2>&1 || die "wrk $name failed"
    if grep -q 'Non-2xx' "$TMP/$name.out"; then
        grep -q 'post_result OK' "$TMP/$name.out" || die "$name: non-2xx answers"
    fi
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$TMP/$name.out")
    p50=$(awk '$1 == "50%" { print $2 }' "$TMP/$name.out")
    echo "$rps $p50"
}
set -- $(run list_json "$B/requests.json?page_size=1000"); LJ_RPS=$1 LJ_P50=$2
set -- $(run list_xml "$B/requests.xml?page_size=1000"); LX_RPS=$1 LX_P50=$2
set -- $(run one_json "$B/requests/$ONE.json"); ONE_RPS=$1 ONE_P50=$2
# Server CPU per list answer (user + system, from /proc): unlike wrk's
# rates, this hardly moves when other work shares the cores.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
cpu_per() { # URL N: CPU milliseconds per request over N sequential requests
    c0=$(cpu_ticks)
    k=0
    while [ $k -lt "$2" ]; do curl -s -o /dev/null "$1" || die "curl $1"; k=$((k + 1)); done
    c1=$(cpu_ticks)
    awk -v d=$((c1 - c0)) -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", d * 1000 / hz / n }'
}
LJ_CPU=$(cpu_per "$B/requests.json?page_size=1000" 40)
LX_CPU=$(cpu_per "$B/requests.xml?page_size=1000" 40)
XT_KEY=$KEY XT_GRID=622921100001001 wrk -t2 -c16 -d"${SECS}s" -s bench/open311_post.lua \
    "http://127.0.0.1:$PORT" >"$TMP/post.out" 2>&1 || die "wrk post failed"
grep -q 'post_result OK' "$TMP/post.out" || die "POST answers were not all 201: $(cat "$TMP/post.out")"
POST_RPS=$(awk '$1 == "post_per_sec" { print $2 }' "$TMP/post.out")
POST_LAT=$(sed -n 's/^post_latency_ms //p' "$TMP/post.out")
kill "$PID" && wait "$PID" 2>/dev/null
PID=

CPU=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
LOAD=$(cut -d' ' -f1 /proc/loadavg)
SECTION=$(cat <<DOC
<!-- open311:begin -->
## Open311 GeoReport v2

\`sh bench/open311.sh $(basename "$BUILD")\` on $(date -u +%Y-%m-%d), $CPU, $(nproc) cores;
demo region with $TICKETS generated requests over 120 days (a search of the
last 90 days answers $ROWS rows at page_size=1000), SQLite, wrk -t2 on the same cores
(-c8 for reads, -c16 for POST), ${SECS} s per run.

| request | requests/s | p50 latency | server CPU per answer |
|---|---|---|---|
| GET requests.json?page_size=1000 ($ROWS rows) | $LJ_RPS | $LJ_P50 | $LJ_CPU ms |
| GET requests.xml?page_size=1000 ($ROWS rows) | $LX_RPS | $LX_P50 | $LX_CPU ms |
| GET requests/{id}.json | $ONE_RPS | $ONE_P50 | |
| POST requests.json (form-encoded, durable ticket) | $POST_RPS | p50/p99 ms: $POST_LAT | |

A search is one query that reads only the columns the public view shows;
the CPU column (40 sequential requests, from /proc) is the steadier figure
on a shared machine (load average when measured: $LOAD).
<!-- open311:end -->
DOC
)
if [ -f "$OUT" ] && grep -q '^<!-- open311:begin -->$' "$OUT"; then
    awk -v sec="$SECTION" '
        /^<!-- open311:begin -->$/ { print sec; skip = 1; next }
        /^<!-- open311:end -->$/ { skip = 0; next }
        !skip { print }' "$OUT" >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
else
    printf '\n%s\n' "$SECTION" >>"$OUT"
fi
rm -rf "$TMP"
echo "bench/open311: GET list json $LJ_RPS/s, xml $LX_RPS/s, one $ONE_RPS/s, POST $POST_RPS/s"
