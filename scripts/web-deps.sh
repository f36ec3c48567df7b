#!/bin/sh
# web-deps.sh - what the browser console needs, installed from package
# registries and never fetched by the browser at run time:
#   - the npm packages pinned in package-lock.json (npm ci), when
#     node_modules is missing or older than the lock;
#   - their browser files copied into web/vendor/, which xietong serves
#     (Leaflet for maps, ECharts for charts): no CDN, nothing leaves the
#     machine;
#   - with --browser, also Debian's chromium and chromium-driver for the
#     browser tests (tests/browser/), and fonts for Chinese text and the
#     pictures beside the residents' choices, so screenshots are legible.
# As root it installs missing Debian packages itself; otherwise it prints
# the apt-get command to run and stops.
set -eu
cd "$(dirname "$0")/.."

browser=0
for a in "$@"; do
    case "$a" in
    --browser) browser=1 ;;
    *) echo "usage: sh scripts/web-deps.sh [--browser]" >&2; exit 2 ;;
    esac
done

missing=""
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ "$browser" = 1 ]; then
    [ -x /usr/bin/chromium ] || missing="$missing chromium"
    for p in chromium-driver fonts-wqy-microhei fonts-noto-color-emoji; do
        dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
    done
fi
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "web-deps: installing Debian packages:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null || true
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
        echo "web-deps: missing Debian packages; run: sudo apt-get install -y$missing" >&2
        exit 1
    fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "web-deps: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    touch node_modules/.package-lock.json
fi

# copy SRC DST: only when different, so the server's files keep their
# times and a second run prints nothing.
copy() {
    mkdir -p "$(dirname "$2")"
    if ! cmp -s "$1" "$2" 2>/dev/null; then
        cp "$1" "$2"
        echo "web-deps: $2"
    fi
}
L=node_modules/leaflet/dist
copy $L/leaflet.js web/vendor/leaflet/leaflet.js
copy $L/leaflet.css web/vendor/leaflet/leaflet.css
for f in $L/images/*.png; do
    copy "$f" "web/vendor/leaflet/images/$(basename "$f")"
done
copy node_modules/leaflet/LICENSE web/vendor/leaflet/LICENSE
# The "common" build has the line and bar charts and their components at
# about half the size of the full one.
copy node_modules/echarts/dist/echarts.common.min.js web/vendor/echarts/echarts.min.js
copy node_modules/echarts/LICENSE web/vendor/echarts/LICENSE
