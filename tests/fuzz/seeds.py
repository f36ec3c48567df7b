#!/usr/bin/env python3
"""seeds.py - writes the binary seeds of fuzz_xlsx, fuzz_people and fuzz_osm
(small workbooks and an .osm.pbf made from scratch, standard library only)
into tests/fuzz/corpus/. The text seeds are committed as they are; rerun
this only to change the binary ones: python3 tests/fuzz/seeds.py"""
import io
import os
import struct
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def out(target, name, data):
    path = os.path.join(HERE, "corpus", target, name)
    with open(path, "wb") as f:
        f.write(data)


# ---- workbooks ----

def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def workbook(rows, shared=True, deflate=True, inline=False, extra_sheet_xml=None):
    strings = []
    cells_xml = []
    for r, row in enumerate(rows):
        cs = []
        for c, v in enumerate(row):
            if v is None:
                continue
            ref = "%s%d" % (col(c), r + 1)
            if isinstance(v, (int, float)):
                cs.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            elif inline:
                cs.append('<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, esc(v)))
            else:
                strings.append(v)
                cs.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, len(strings) - 1))
        cells_xml.append('<row r="%d">%s</row>' % (r + 1, "".join(cs)))
    sheet = extra_sheet_xml or (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>%s</sheetData></worksheet>" % "".join(cells_xml))
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'count="%d" uniqueCount="%d">%s</sst>' % (
               len(strings), len(strings),
               "".join("<si><t>%s</t></si>" % esc(s) for s in strings)))
    buf = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", method) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        if strings and shared:
            z.writestr("xl/sharedStrings.xml", sst)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


PEOPLE = [["姓名", "身份证号", "电话", "网格", "民族", "标签", "出生日期"],
          ["马福海", "622921195003140115", 13912345678, "622921100001001", "回族",
           "elderly_alone", "1950-03-14"],
          ["尕藏卓玛", "622921198807020227", "13887654321", "622921100001001", "藏族",
           "disabled:2", 32326],
          ["马小军", "62292120160909033x", None, "622921100001001", "03",
           "left_behind_child", "2016/9/9"]]


def xlsx_seeds():
    out("fuzz_xlsx", "people-shared-deflate.xlsx", workbook(PEOPLE))
    out("fuzz_xlsx", "people-inline-stored.xlsx", workbook(PEOPLE, deflate=False, inline=True))
    out("fuzz_xlsx", "numbers-only.xlsx", workbook([[1, 2.5, -3], [1e10, 0, 7]]))
    formula = ('<?xml version="1.0"?><worksheet><sheetData><row r="2">'
               '<c r="B2"><f>1+1</f><v>2</v></c><c r="AA2" t="str"><v>a,"b"</v></c>'
               '<c r="C2" t="b"><v>1</v></c></row></sheetData></worksheet>')
    out("fuzz_xlsx", "formula-and-far-column.xlsx", workbook([], extra_sheet_xml=formula))
    no_sheet = io.BytesIO()
    with zipfile.ZipFile(no_sheet, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    out("fuzz_xlsx", "no-sheet1.xlsx", no_sheet.getvalue())
    whole = workbook(PEOPLE)
    out("fuzz_xlsx", "truncated.xlsx", whole[: len(whole) // 2])
    mapping = ("disability\nname=姓名\nid_number=身份证号\nphone=电话\nunit=网格\n"
               "ethnicity=民族\ntags=标签\nbirth_date=出生日期\n\n").encode()
    out("fuzz_people", "xlsx-list", mapping + whole)


# ---- .osm.pbf ----

def varint(n):
    b = b""
    while True:
        x = n & 0x7F
        n >>= 7
        if n:
            b += bytes([x | 0x80])
        else:
            return b + bytes([x])


def zz(n):
    return (n << 1) ^ (n >> 63)


def key(field, wt):
    return varint(field << 3 | wt)


def ld(field, data):
    return key(field, 2) + varint(len(data)) + data


def vi(field, n):
    return key(field, 0) + varint(n)


def packed(field, nums):
    return ld(field, b"".join(varint(n) for n in nums))


def fileblock(kind, payload, compress):
    if compress:
        blob = vi(2, len(payload)) + ld(3, zlib.compress(payload))
    else:
        blob = ld(1, payload)
    header = ld(1, kind.encode()) + vi(3, len(blob))
    return struct.pack(">I", len(header)) + header + blob


def pbf(compress=True, dense=True):
    hb = ld(4, b"OsmSchema-V0.6") + ld(4, b"DenseNodes")
    strings = [b"", b"highway", b"residential", b"name", "临夏路".encode(), b"amenity", b"school",
               b"place", b"village", b"primary"]
    st = ld(1, b"".join(ld(1, s) for s in strings))
    # Nodes near Linxia (lat 35.6, lon 103.2), in units of 100 nanodegrees.
    nodes = [(1, 356000000, 1032000000, []), (2, 356010000, 1032010000, []),
             (3, 356020000, 1032030000, [(5, 6)]), (4, 356030000, 1032000000, [(7, 8)])]
    if dense:
        ids, lats, lons, kv = [], [], [], []
        pid = plat = plon = 0
        for i, la, lo, tags in nodes:
            ids.append(zz(i - pid)); lats.append(zz(la // 100 - plat)); lons.append(zz(lo // 100 - plon))
            pid, plat, plon = i, la // 100, lo // 100
            for k, v in tags:
                kv += [k, v]
            kv.append(0)
        group_nodes = ld(2, packed(1, ids) + packed(8, lats) + packed(9, lons) + packed(10, kv))
    else:
        group_nodes = b"".join(
            ld(1, key(1, 0) + varint(zz(i)) + packed(2, [k for k, _ in t]) +
               packed(3, [v for _, v in t]) + key(8, 0) + varint(zz(la // 100)) +
               key(9, 0) + varint(zz(lo // 100)))
            for i, la, lo, t in nodes)
    refs = [1, 2, 3, 4]
    deltas = [zz(refs[0])] + [zz(refs[k] - refs[k - 1]) for k in range(1, len(refs))]
    way = vi(1, 10) + packed(2, [1, 3]) + packed(3, [2, 4]) + packed(8, deltas)
    way2 = vi(1, 11) + packed(2, [1]) + packed(3, [9]) + packed(8, [zz(4), zz(99 - 4)])
    group_ways = ld(3, way) + ld(3, way2)
    pb = st + ld(2, group_nodes) + ld(2, group_ways)
    return fileblock("OSMHeader", hb, compress) + fileblock("OSMData", pb, compress)


def osm_seeds():
    out("fuzz_osm", "pbf-dense-zlib", b"p" + pbf())
    out("fuzz_osm", "pbf-plain-raw", b"p" + pbf(compress=False, dense=False))
    whole = pbf()
    out("fuzz_osm", "pbf-truncated", b"p" + whole[: len(whole) - 9])


if __name__ == "__main__":
    xlsx_seeds()
    osm_seeds()
