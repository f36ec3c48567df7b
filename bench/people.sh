#!/bin/sh
# People registry benchmark: generate N residents of 临夏县 (622921) with
# their departmental lists, import and link them, and measure the linkage
# precision and recall against the known true matches. Writes its section
# of docs/BENCHMARKS.md.  usage: sh bench/people.sh BUILD_DIR [N]
set -eu
BUILD=${1:-build}
N=${2:-1000000}
cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/xt-bench-people-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
X=$BUILD/xietong
D=$WORK/data
$X import divisions data/divisions/linxia_6229.csv --prefix 6229 --data "$D" >/dev/null 2>&1
$X import census data/census/census2020_county_west_key.csv --prefix 62 --data "$D" >/dev/null 2>&1
$X grids --seats data/demo/county_seats.csv --prefix 6229 --data "$D" >/dev/null 2>&1
$X people generate --unit 622921 --count "$N" --out "$WORK/gen" --data "$D" 2>/dev/null
t0=$(date +%s.%N)
IMPORT=$($X people import "$WORK/gen/register.csv" --mapping "$WORK/gen/register.map.csv" \
    --source hukou --unit 622921 --data "$D" --quiet 2>/dev/null)
t1=$(date +%s.%N)
SECS=$(echo "$t1 - $t0" | bc)
EVAL=$($BUILD/bench_people "$WORK/gen")
echo "$IMPORT"
echo "$EVAL"
SECTION=$(cat <<EOT
<!-- people:begin -->
## People registry (一网整合)

Machine: $(nproc) cores, $(uname -sm). Command: \`sh bench/people.sh $BUILD $N\`.

- Import and link $N generated person rows (register of 临夏县, SQLite, one atomic import): **${SECS} s** (target < 30 s).
  $IMPORT
- Linkage on the generated departmental lists (civil, disability, health, education) against the known true matches: $EVAL (target ≥ 0.99 each).
<!-- people:end -->
EOT
)
F=docs/BENCHMARKS.md
if grep -q '<!-- people:begin -->' "$F" 2>/dev/null; then
    awk -v s="$SECTION" '/<!-- people:begin -->/{print s; skip=1} /<!-- people:end -->/{skip=0; next} !skip' "$F" > "$F.tmp" && mv "$F.tmp" "$F"
else
    printf '\n%s\n' "$SECTION" >> "$F"
fi
