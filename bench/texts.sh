#!/bin/sh
# bench/texts.sh - request texts for bench/create.lua (XT_TEXTS): the text
# column of data/demo/messages.csv (real citizen messages, see
# data/README.md), one a line, at most 300 characters each.
#
#   sh bench/texts.sh OUT_FILE
set -eu
cd "$(dirname "$0")/.."
python3 - data/demo/messages.csv "$1" <<'PY'
import csv, sys
with open(sys.argv[1], newline='', encoding='utf-8') as f, open(sys.argv[2], 'w', encoding='utf-8') as out:
    for row in csv.DictReader(f):
        t = ' '.join((row.get('text') or '').split())[:300]
        if t:
            out.write(t + '\n')
PY
