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
LOAD=$(cut -d' ' -f1 /proc/loadavg)
IMPORT=$(/usr/bin/time -f "%e %U %S" -o "$WORK/time" $X people import "$WORK/gen/register.csv" \
    --mapping "$WORK/gen/register.map.csv" --source hukou --unit 622921 --data "$D" --quiet \
    2>/dev/null)
read SECS USER SYS < "$WORK/time"
CPU=$(awk -v u="$USER" -v s="$SYS" 'BEGIN { printf "%.1f", u + s }')
# The same register into PostgreSQL (new residents by COPY): a throw-away
# server, durable (fsync on), with room for the load's WAL.
PGLINE="- The same register into PostgreSQL: not measured (no PostgreSQL server binaries)."
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -x "${PGBIN:-/nonexistent}/pg_ctl" ]; then
    PGDIR=/tmp/xt-bench-people-pg-$$
    PGPORT=${XT_PG_PORT:-55460}
    if [ "$(id -u)" = 0 ]; then RUNAS="runuser -u postgres --"; else RUNAS=""; fi
    sh scripts/pg-test.sh start "$PGDIR" "$PGPORT" >/dev/null
    trap 'sh scripts/pg-test.sh stop "$PGDIR"; rm -rf "$WORK"' EXIT
    PGOPTS="-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min -c fsync=on -c synchronous_commit=on"
    $RUNAS "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -m fast \
        -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c max_connections=200 $PGOPTS" restart >/dev/null
    URL=postgresql://postgres@127.0.0.1:$PGPORT/postgres
    P=$WORK/pgdata
    $X init --data "$P" --database "$URL" >/dev/null 2>&1
    $X import divisions data/divisions/linxia_6229.csv --prefix 6229 --data "$P" --database "$URL" >/dev/null 2>&1
    $X import census data/census/census2020_county_west_key.csv --prefix 62 --data "$P" --database "$URL" >/dev/null 2>&1
    $X grids --seats data/demo/county_seats.csv --prefix 6229 --data "$P" --database "$URL" >/dev/null 2>&1
    # CPU of the server: the postmaster with its reaped children and the live ones.
    pgcpu() {
        pm=$(head -n 1 "$PGDIR/data/postmaster.pid")
        { awk '{ print $14 + $15 + $16 + $17 }' /proc/$pm/stat
          for c in $(pgrep -P "$pm"); do awk '{ print $14 + $15 }' /proc/$c/stat 2>/dev/null; done
        } | awk -v t="$(getconf CLK_TCK)" '{ s += $1 } END { printf "%.1f", s / t }'
    }
    PGLOAD=$(cut -d' ' -f1 /proc/loadavg)
    C0=$(pgcpu)
    PGIMPORT=$(/usr/bin/time -f "%e %U %S" -o "$WORK/pgtime" $X people import "$WORK/gen/register.csv" \
        --mapping "$WORK/gen/register.map.csv" --source hukou --unit 622921 --data "$P" \
        --database "$URL" --quiet 2>/dev/null)
    C1=$(pgcpu)
    read PSECS PUSER PSYS < "$WORK/pgtime"
    PCPU=$(awk -v u="$PUSER" -v s="$PSYS" 'BEGIN { printf "%.1f", u + s }')
    PSERVER=$(awk -v a="$C0" -v b="$C1" 'BEGIN { printf "%.1f", b - a }')
    PGVER=$(psql "$URL" -X -A -t -c "SHOW server_version" | awk '{ print $1 }')
    PGIMPORT=$(printf '%s' "$PGIMPORT" | sed "s|$WORK/gen/||g")
    echo "$PGIMPORT"
    PGLINE="- The same register into PostgreSQL $PGVER (\`--database postgresql://...\`; a throw-away
  server on this machine, durable: \`$PGOPTS\`): **${PSECS} s** wall; CPU ${PCPU} s
  in xietong, ${PSERVER} s in the server; load average ${PGLOAD} at the start. New residents go
  by COPY there (ids drawn ahead from the sequence, each batch's households by one statement;
  \`src/store/people.c\`, bulk_flush), and the residents' indexes are made after the rows as on
  SQLite. Row by row, as SQLite takes them, PostgreSQL took some 5,000 rows/s (200,000 rows in
  38.0 s, load 2.9).
  $PGIMPORT"
fi
# The lists on top of the register: linkage against a million residents.
LISTS=""
for l in civil disability health education; do
    LISTS="$LISTS
  $($X people import "$WORK/gen/$l.csv" --mapping "$WORK/gen/$l.map.csv" --source $l \
        --unit 622921 --data "$D" --quiet 2>/dev/null)"
done
EVAL=$($BUILD/bench_people "$WORK/gen" | tr '\n' ' ')
# Name the files, not the temporary directory they were in.
IMPORT=$(printf '%s' "$IMPORT" | sed "s|$WORK/gen/||g")
LISTS=$(printf '%s' "$LISTS" | sed "s|$WORK/gen/||g")
echo "$IMPORT"
echo "$EVAL"
SECTION=$(cat <<EOT
<!-- people:begin -->
## People registry (一网整合)

Machine: $(nproc) cores, $(uname -sm). Command: \`sh bench/people.sh $BUILD $N\`.

- Import and link $N generated person rows (register of 临夏县, SQLite, one atomic import):
  **${SECS} s** wall, ${CPU} s CPU (user + system; reader, helper and writer threads), with the
  machine's load average at ${LOAD} when it started (target < 30 s wall).
  $IMPORT
$PGLINE
- The four departmental lists imported on top of it (linked against the million):$LISTS
- Where the time of the register's import goes (perf record of \`xietong people import\` on a
  generated register, 200,000 and 1,000,000 rows): the writer thread, inserting with the
  blind index of the ID number (random keys) maintained row by row, was about two thirds
  of the CPU; the reader (sealing six values a row with one getrandom call each, CSV,
  lineage JSON) the rest, and the writer waited for it on 1,801 of 1,955 batches. Now
  (issue 6): into a registry smaller than the list the residents' indexes are dropped and
  made again after the rows inside the import's savepoint (SQLite; all or nothing still),
  seal nonces come from a per-thread random pool, new residents take SQLite's last rowid
  instead of RETURNING, linkage skips the fuzzy blocks while every record has an ID
  number, and a helper thread seals half of every batch. Before: 62.94 s wall, 38.5 s CPU
  (load 5.45). The rest is SQLite writing some 940 bytes a person (sealed fields and the
  sealed lineage row) through the WAL and its checkpoint.
- Linkage on the generated departmental lists (civil, disability, health, education) against the known true matches: $EVAL (target ≥ 0.99 each).
<!-- people:end -->
EOT
)
F=docs/BENCHMARKS.md
printf '%s\n' "$SECTION" > "$WORK/section"
if grep -q '<!-- people:begin -->' "$F" 2>/dev/null; then
    awk 'FNR == NR { sec = sec $0 "\n"; next }
         /<!-- people:begin -->/ { printf "%s", sec; skip = 1 }
         /<!-- people:end -->/ { skip = 0; next }
         !skip' "$WORK/section" "$F" > "$F.tmp" && mv "$F.tmp" "$F"
else
    printf '\n%s\n' "$SECTION" >> "$F"
fi
