#!/bin/sh
# bench/export.sh - how long the exports take: a demo data directory with
# XT_EXPORT_TICKETS generated tickets (default 20,000), then each export
# through the CLI (the same code the /api/v1/export/ routes run), best of
# three, written into its own section of docs/BENCHMARKS.md.
#
#   sh bench/export.sh BUILD_DIR        (from the repo root; `make bench` runs it)
set -u

BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
case $BUILD in
/*) ;;
*) BUILD=$ROOT/$BUILD ;;
esac
BIN=$BUILD/xietong
N=${XT_EXPORT_TICKETS:-20000}
OUT=${XT_BENCH_OUT:-docs/BENCHMARKS.md}
DIR=$BUILD/bench-export
rm -rf "$DIR"
mkdir -p "$DIR"
trap 'rm -rf "$DIR"' EXIT

echo "export bench: demo region with $N tickets" >&2
"$BIN" demo --data "$DIR/data" --no-serve --tickets "$N" >/dev/null || exit 1

# best-of-three wall time of one export, in seconds; prints "secs bytes rows"
run() {
    best=""
    for i in 1 2 3; do
        t0=$(date +%s.%N)
        line=$("$BIN" export "$@" --data "$DIR/data" --out "$DIR/out") || exit 1
        t1=$(date +%s.%N)
        s=$(echo "$t1 - $t0" | bc)
        if [ -z "$best" ] || [ "$(echo "$s < $best" | bc)" = 1 ]; then best=$s; fi
    done
    rows=$(echo "$line" | sed -n 's/^exported \([0-9]*\) .*/\1/p')
    bytes=$(stat -c %s "$DIR/out")
    printf '%.3f %s %s\n' "$best" "$bytes" "$rows"
}

row() {
    label=$1
    shift
    set -- $(run "$@")
    rate=$(echo "$3 / $1" | bc)
    printf '| %s | %s | %s | %s | %s |\n' "$label" "$3" "$(echo "$2 / 1024" | bc) KiB" "$1" "$rate"
}

TABLE=$(
    echo "| export | rows | size | seconds (best of 3) | rows/s |"
    echo "|---|---:|---:|---:|---:|"
    row "tickets.csv (all)" tickets --format csv
    row "tickets.xlsx (all)" tickets --format xlsx
    row "tickets.geojson (all)" tickets --format geojson
    row "units.geojson (prefecture 6229, grids)" units --format geojson --root 6229 --level grid
    row "ranking.xlsx (county 622921, townships)" ranking --format xlsx --unit 622921
)
CPU=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
SECTION=$(cat <<EOF
<!-- export:begin -->
## Exports (GeoJSON, CSV, XLSX)

Machine: $CPU, $(nproc) cores. Command: \`sh bench/export.sh $1\` (demo
region, $N generated tickets, SQLite; each export through
\`xietong export ... --out FILE\`, which runs the code of the
\`/api/v1/export/\` routes; the time includes opening the store).

$TABLE
<!-- export:end -->
EOF
)
printf '%s\n' "$SECTION" >"$DIR/section.md"
if grep -q '<!-- export:begin -->' "$OUT" 2>/dev/null; then
    awk -v file="$DIR/section.md" '
        /<!-- export:begin -->/ { while ((getline l < file) > 0) print l; skip = 1; next }
        /<!-- export:end -->/ { skip = 0; next }
        !skip { print }' "$OUT" >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
else
    printf '\n%s\n' "$SECTION" >>"$OUT"
fi
echo "$TABLE"
