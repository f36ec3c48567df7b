#!/usr/bin/env python3
"""Derive the project's data/ files from the shared public data sets.

Run from the repository root with the shared data folder as argument:
    python3 scripts/derive_data.py ../shared/data
It rewrites data/divisions/linxia_6229.csv, data/census/census2020_county_west_key.csv,
data/demo/messages.csv. The outputs are committed; this script records how.
"""
import csv
import os
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
out = "data"

# Divisions: the demo prefecture 6229 (临夏回族自治州) and its province row.
with open(os.path.join(src, "divisions/west_divisions_all.csv"), encoding="utf-8") as f, \
        open(os.path.join(out, "divisions/linxia_6229.csv"), "w", encoding="utf-8", newline="") as g:
    r = csv.reader(f)
    w = csv.writer(g, lineterminator="\n")
    w.writerow(next(r))
    for row in r:
        if row[0] == "62" or row[0].startswith("6229"):
            w.writerow(row)

# Census: copied whole (1,247 rows, small).
with open(os.path.join(src, "census/census2020_county_west_key.csv"), encoding="utf-8") as f, \
        open(os.path.join(out, "census/census2020_county_west_key.csv"), "w", encoding="utf-8") as g:
    g.write(f.read())

# Demo messages: every second labelled message of the Teddy Cup set (3,236,
# all 7 categories), and every Fuzhou 12345 appeal (897, labelled by request
# type). Texts are cut to 600 characters; the organisers already masked
# places and phone numbers.
TYPES = {"咨询": "consult", "求助": "help", "投诉": "complaint", "举报": "report", "建议": "suggestion"}
with open(os.path.join(out, "demo/messages.csv"), "w", encoding="utf-8", newline="") as g:
    w = csv.writer(g, lineterminator="\n")
    w.writerow(["source", "id", "title", "text", "category", "type"])
    with open(os.path.join(src, "messages/teddy2020c_category_train.csv"), encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if i % 2 == 0:
                text = " ".join(row["text"].split())[:600]
                w.writerow(["teddy2020c", row["id"], row["title"].strip(), text, row["label"], ""])
    with open(os.path.join(src, "messages/fuzhou12345_rivers_type_train.csv"), encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            text = " ".join(row["content"].split())[:600]
            w.writerow(["fuzhou12345", str(i + 1), row["title"].strip(), text, "环境保护",
                        TYPES.get(row["nature"], "")])
