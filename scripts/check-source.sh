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
# STYLE.md: every file opens with a comment saying what it is for.
for f in src/*.c src/*/*.c src/*/*.h; do
    if [ "$(head -c 2 "$f")" != "/*" ]; then
        echo "check-source: $f does not open with a comment saying what it is for"
        fail=1
    fi
done
# STYLE.md: no struct typedefs; comments are /* */ sentences.
bad=$(grep -rnE 'typedef\s+struct' src || true)
if [ -n "$bad" ]; then
    echo "check-source: no struct typedefs (write struct name):"
    echo "$bad"
    fail=1
fi
bad=$(grep -rnE '(^|[;{}),]\s*)//' src --include='*.c' --include='*.h' | grep -vE '"[^"]*//[^"]*"' || true)
if [ -n "$bad" ]; then
    echo "check-source: comments are /* */ (no // comments):"
    echo "$bad"
    fail=1
fi
# Only the entry points end the process: a library layer returns an error.
bad=$(grep -rnE '\b(exit|_exit|abort)\s*\(' src/lib src/core src/store src/http || true)
if [ -n "$bad" ]; then
    echo "check-source: src/lib, core, store and http return errors, never exit or abort:"
    echo "$bad"
    fail=1
fi
[ "$fail" = 0 ] && echo "check-source: ok"
exit $fail
