#!/usr/bin/env python3
"""Prints the cells of one sheet of an xlsx workbook, one a line:
REF<TAB>KIND<TAB>VALUE, KIND n (a number), s (a string) or f (a formula).
Standard library only (an xlsx file is a zip of XML), so the test suite
needs no spreadsheet package. Usage: xlsx_cells.py FILE.xlsx SHEET"""
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}


def main(path, sheet):
    z = zipfile.ZipFile(path)
    book = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    rid = None
    for s in book.find("m:sheets", NS):
        if s.get("name") == sheet:
            rid = s.get("{%s}id" % NS["r"])
    if rid is None:
        sys.exit("no sheet %s" % sheet)
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
    ws = ET.fromstring(z.read("xl/" + target[rid]))
    for c in ws.iter("{%s}c" % NS["m"]):
        v = c.find("m:v", NS)
        if v is None:
            continue
        if c.get("t") == "s":
            print("%s\ts\t%s" % (c.get("r"), shared[int(v.text)]))
        elif c.find("m:f", NS) is not None:
            print("%s\tf\t%s" % (c.get("r"), v.text))
        elif c.get("t") in (None, "n"):
            print("%s\tn\t%s" % (c.get("r"), v.text))
        else:
            print("%s\ts\t%s" % (c.get("r"), v.text))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
