#!/usr/bin/env python3
"""Checks an HTML report of mkba: well-formed as XML (so every SVG chart
parses), nothing fetched from outside (no URLs, scripts, links, external
images), and prints every element's data-value with its id path as
ID<TAB>ROW<TAB>COLUMN<TAB>VALUE for the C test. Standard library only.
Usage: check_html.py REPORT.html"""
import re
import sys
import xml.etree.ElementTree as ET


def main(path):
    text = open(path, encoding="utf-8").read()
    for bad in ("http:", "https:", "<script", "<link", "<img", "<iframe", "url(", "@import",
                "src="):
        if bad in text:
            sys.exit("external reference: %s" % bad)
    if not text.startswith("<!DOCTYPE html>\n"):
        sys.exit("no doctype")
    root = ET.fromstring(text[len("<!DOCTYPE html>\n"):])
    svgs = root.findall(".//svg")
    for s in svgs:
        if s.find("title") is None:
            sys.exit("a chart without a title")
    print("charts\t-\t-\t%d" % len(svgs))
    for table in root.iter("table"):
        tid = table.get("id")
        if tid is None:
            continue
        for r, tr in enumerate(table.findall("tr")):
            for c, td in enumerate(tr):
                v = td.get("data-value")
                if v is not None:
                    print("%s\t%d\t%d\t%s" % (tid, r, c, v))


if __name__ == "__main__":
    main(sys.argv[1])
