#!/bin/sh
# cppcheck over src/ (run by `make test`): warnings, performance and
# portability findings fail. A finding judged a false positive goes into
# scripts/cppcheck-suppressions.txt with its reason; nothing is suppressed
# inline.
set -u
cd "$(dirname "$0")/.."
if ! command -v cppcheck >/dev/null; then
    echo "cppcheck: not installed (sh scripts/deps.sh)"
    exit 1
fi
out=$(cppcheck -q --std=c11 --enable=warning,performance,portability --error-exitcode=1 \
    --suppressions-list=scripts/cppcheck-suppressions.txt -I src -D_GNU_SOURCE \
    -j 2 src 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
    echo "$out"
    echo "cppcheck: findings in src/ (fix them, or suppress with a reason in scripts/cppcheck-suppressions.txt)"
    exit 1
fi
echo "cppcheck: ok ($(cppcheck --version))"
