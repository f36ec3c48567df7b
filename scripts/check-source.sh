#!/bin/sh
# Source gates run by `make test`: banned C calls, and the layer rules of
# STYLE.md (lib -> core -> store -> http/cli; cli never uses http; only
# store knows SQL).
set -u
cd "$(dirname "$0")/.."
fail=0

banned=$(grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|atof|strtok|strncpy)\s*\(' src |
    grep -vE '^\S+:\s*(/\*|\*)' | grep -v 'snprintf\|vsnprintf' || true)
if [ -n "$banned" ]; then
    echo "check-source: banned calls (use snprintf, strtol, bounded copies):"
    echo "$banned"
    fail=1
fi

# allowed include prefixes for each layer
check_layer() {
    layer=$1
    allowed=$2
    bad=$(grep -rnE '#include "(lib|core|store|http|cli)/' "src/$layer" |
        grep -vE "#include \"($allowed)/" || true)
    if [ -n "$bad" ]; then
        echo "check-source: src/$layer may include only $allowed:"
        echo "$bad"
        fail=1
    fi
}
check_layer lib 'lib'
check_layer core 'lib|core'
check_layer store 'lib|core|store'
check_layer http 'lib|core|store|http'
check_layer cli 'lib|core|store|cli'

sql=$(grep -rlE 'sqlite3|#include <libpq' src --include='*.c' --include='*.h' | grep -v '^src/store/' || true)
if [ -n "$sql" ]; then
    echo "check-source: only src/store may use the database API:"
    echo "$sql"
    fail=1
fi
io=$(grep -rnE '\b(socket|accept|printf|fprintf|exit|sqlite3_[a-z_]+)\s*\(' src/core |
    grep -vE 'snprintf' || true)
if [ -n "$io" ]; then
    echo "check-source: src/core must not print, exit or do I/O:"
    echo "$io"
    fail=1
fi
[ "$fail" = 0 ] && echo "check-source: ok"
exit $fail
