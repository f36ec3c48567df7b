#!/bin/sh
# Install the Debian packages listed in deps/debian-packages.txt that are not
# installed yet. As root it runs apt-get; otherwise it prints the command and
# stops, so that nothing is half set up.
set -eu
list="$(dirname "$0")/../deps/debian-packages.txt"
missing=""
for p in $(grep -v '^#' "$list" | grep -v '^$'); do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
else
    echo "deps: missing Debian packages:$missing" >&2
    echo "deps: run this, then try again:" >&2
    echo "  sudo apt-get install -y$missing" >&2
    exit 1
fi
