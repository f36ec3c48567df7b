#!/bin/sh
# bench/access.sh - access to public services (服务半径) against pgRouting.
#
#   sh bench/access.sh BUILD_DIR        (from the repo root; `make bench` calls it)
#
# Starts its own PostgreSQL server with pgRouting on 127.0.0.1 (its own
# directory and port, stopped at the end), then bench_access:
#   - import of real OpenStreetMap extracts (with the SRTM tile for Andorra),
#   - the same graph in pgRouting and in xietong: village x facility cost
#     matrix and nearest facility, costs asserted identical, both timed in
#     the same run (Andorra 2020 and Yuba County 2024),
#   - nearest facility for every node of a 1,000,000-edge network (10 tiled
#     copies of the Andorra extract),
#   - siting 20,000 demand points x 2,000 candidates, k = 20,
# and writes its section of docs/BENCHMARKS.md between <!-- access:begin -->
# and <!-- access:end --> (appended when absent, replaced otherwise).
#
# Reads the extracts from ../shared/data/osm (beside the repository); set
# XT_OSM_DIR to use another directory. XT_ACCESS_PG_PORT (default 25470)
# moves the server. Exit status 1 when a cost differs or something fails.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
case $BUILD in
/*) ;;
*) BUILD=$ROOT/$BUILD ;;
esac
OSM_DIR=${XT_OSM_DIR:-../shared/data/osm}
PORT=${XT_ACCESS_PG_PORT:-25470}
OUT=${XT_BENCH_OUT:-docs/BENCHMARKS.md}
PGDIR=/tmp/xietong-bench-access-$PORT
BIN=$BUILD/bench_access
[ -x "$BIN" ] || { echo "access: $BIN not built" >&2; exit 1; }
for f in valhalla-bench-andorra.osm.pbf osm2gmns-yuba-map.osm.pbf elevation/N42E001.hgt; do
    [ -f "$OSM_DIR/$f" ] || { echo "access: $OSM_DIR/$f not found" >&2; exit 1; }
done
URL=$(sh scripts/pg-test.sh start "$PGDIR" "$PORT") || exit 1
trap 'sh scripts/pg-test.sh stop "$PGDIR"' EXIT INT TERM
TMP=$(mktemp -d)
status=0
"$BIN" "$OSM_DIR/valhalla-bench-andorra.osm.pbf" "$OSM_DIR/elevation/N42E001.hgt" "$URL" 10 \
    >"$TMP/andorra.md" || status=1
"$BIN" "$OSM_DIR/osm2gmns-yuba-map.osm.pbf" - "$URL" 0 >"$TMP/yuba.md" || status=1

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
RAM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
SECTION=$TMP/section.md
{
    echo "<!-- access:begin -->"
    echo "## Access to public services (服务半径)"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $CPU, $(nproc) cores (shared with other work), $RAM, $(uname -sr);"
    echo "readosm $(dpkg-query -W -f='${Version}' libreadosm-dev 2>/dev/null), GLPK $(dpkg-query -W -f='${Version}' libglpk-dev 2>/dev/null),"
    echo "pgRouting $(dpkg-query -W -f='${Version}' postgresql-15-pgrouting 2>/dev/null) on PostgreSQL started by the script on 127.0.0.1."
    echo "Command: \`sh bench/access.sh build\` (extracts read from \`../shared/data/osm\`)."
    echo "Times are wall-clock on one core; our searches are timed best of 5, pgRouting's best of 3."
    echo
    cat "$TMP/andorra.md"
    sed -n '/^### Against pgRouting/,$p' "$TMP/yuba.md"
    echo "<!-- access:end -->"
} >"$SECTION"
mkdir -p "$(dirname "$OUT")"
[ -f "$OUT" ] || : >"$OUT"
if grep -q '^<!-- access:begin -->$' "$OUT" && grep -q '^<!-- access:end -->$' "$OUT"; then
    awk -v sec="$SECTION" '
        /^<!-- access:begin -->$/ { while ((getline l < sec) > 0) print l; skip = 1; next }
        /^<!-- access:end -->$/ { skip = 0; next }
        !skip { print }' "$OUT" >"$TMP/out.md" && cat "$TMP/out.md" >"$OUT"
else
    { [ -s "$OUT" ] && echo; cat "$SECTION"; } >>"$OUT"
fi
grep -E 'FAIL|MISMATCH' "$SECTION" >&2 && echo "access: a target was missed (see $OUT)" >&2
rm -rf "$TMP"
echo "access: wrote its section of $OUT"
exit $status
