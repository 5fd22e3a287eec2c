#!/usr/bin/env python3
"""Checks an HTML report of mkba: well-formed as XML, nothing fetched from
outside (no URLs, scripts, links, frames; images only as data URIs of SVG),
every chart an <img> with alt text whose SVG parses, has a <text> and holds
no script or outside reference. Prints, for the C tests, tab-separated:
  charts  -  -  N                    the number of charts
  chart   ID  TEXTS  ALT             per chart: its id, how many texts it has
  text    ID  -  TEXT                (with --texts) every text of each chart
  series  ID  GID  N                 markers in each group with a gid
                                     starting "data-" (one per data point)
  TABLE   ROW COLUMN VALUE           every data-value of a table with an id
Standard library only. Usage: check_html.py [--texts] REPORT.html"""
import base64
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
DATA_URI = re.compile(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]*)"')


def check_svg(cid, raw):
    """The texts and data series of one chart's SVG; exits when it is not
    a self-contained SVG."""
    text = raw.decode("utf-8")
    for bad in ("<script", "http://www.w3.org/1999/xhtml", "<foreignObject", "url(http",
                'href="http', "@import"):
        if bad in text:
            sys.exit("chart %s: %s" % (cid, bad))
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", text))
    if root.tag != SVG + "svg":
        sys.exit("chart %s is not an SVG" % cid)
    for el in root.iter():
        ref = el.get(XLINK) or el.get("href")
        if ref is not None and not ref.startswith(("#", "data:image/png;base64,")):
            sys.exit("chart %s refers to %s" % (cid, ref[:60]))
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    series = {}
    for g in root.iter(SVG + "g"):
        gid = g.get("id") or ""
        if gid.startswith("data-"):
            series[gid] = sum(1 for _ in g.iter(SVG + "use"))
    if not texts:
        sys.exit("chart %s has no text (labels, ticks)" % cid)
    return texts, series


def main(argv):
    texts_too = "--texts" in argv
    path = [a for a in argv if a != "--texts"][0]
    text = open(path, encoding="utf-8").read()
    images = DATA_URI.findall(text)
    outside = DATA_URI.sub('src=""', text)
    for bad in ("http:", "https:", "<script", "<link", "<iframe", "<object", "<embed",
                "url(", "@import", "file:"):
        if bad in outside:
            sys.exit("external reference: %s" % bad)
    if outside.count("src=") != len(images):
        sys.exit("a source that is not an embedded SVG image")
    if not text.startswith("<!DOCTYPE html>\n"):
        sys.exit("no doctype")
    root = ET.fromstring(text[len("<!DOCTYPE html>\n"):])
    if root.findall(".//svg"):
        sys.exit("inline SVG: the charts are images")
    figures = root.findall(".//figure")
    print("charts\t-\t-\t%d" % len(figures))
    for fig in figures:
        img = fig.find("img")
        cid = fig.get("data-chart")
        if img is None or not cid:
            sys.exit("a figure without an image or a chart id")
        alt = img.get("alt") or ""
        if not alt.strip():
            sys.exit("chart %s has no alt text" % cid)
        m = re.fullmatch(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]*)", img.get("src") or "")
        if m is None:
            sys.exit("chart %s is not an embedded SVG" % cid)
        texts, series = check_svg(cid, base64.b64decode(m.group(1), validate=True))
        print("chart\t%s\t%d\t%s" % (cid, len(texts), alt))
        if texts_too:
            for t in texts:
                print("text\t%s\t-\t%s" % (cid, t))
        for gid, n in series.items():
            print("series\t%s\t%s\t%d" % (cid, gid, n))
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
    main(sys.argv[1:])
