#!/usr/bin/env python3
"""browser_check.py: did headless Chromium load a page of sockx's without
errors? Reads what tests/helpers/browse.sh left in DIR.

usage: browser_check.py svg DIR FILE.svg
         the document Chromium built is FILE's <svg> (no <parsererror>:
         Chromium's page for XML that did not parse) with as many <text>
         elements as FILE has
       browser_check.py html DIR FILE.html
         the document has every <section id> of FILE, each with as many
         <svg> as in FILE, and no <parsererror>
Both also check: Chromium logged no console message (the pages run no
script: a message is Chromium's complaint, a blocked load or an
exception); the page started no request through the network stack (a
request whose network isolation key is the page's own site, file://; the
browser's own background requests are keyed otherwise); the screenshot
is a PNG that is not blank (svg_check.py's png check).
Prints each problem and exits 1 if there is any.
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svg_check  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


class Sections(HTMLParser):
    """Per <section id>, the number of <svg> inside; and every tag seen."""

    def __init__(self):
        super().__init__()
        self.section, self.svgs, self.tags = None, {}, set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "section":
            self.section = dict(attrs).get("id")
            self.svgs.setdefault(self.section, 0)
        elif tag == "svg" and self.section is not None:
            self.svgs[self.section] += 1

    def handle_endtag(self, tag):
        if tag == "section":
            self.section = None


def sections(text):
    p = Sections()
    p.feed(text)
    p.close()
    return p


def check_svg(dom, path):
    bad = []
    if "parsererror" in dom or "This page contains the following errors" in dom:
        m = re.search(r"error on line [^<]*", dom)
        bad.append("Chromium could not parse the SVG: %s" % (m.group(0) if m else "parsererror"))
    try:
        root = ET.fromstring(dom)
    except ET.ParseError as e:
        return bad + ["the dumped document is not XML: %s" % e]
    if root.tag != SVG + "svg":
        bad.append("the document's root is %s, not svg" % root.tag)
    want = len(list(ET.parse(path).getroot().iter(SVG + "text")))
    got = len(list(root.iter(SVG + "text")))
    if got != want:
        bad.append("the document has %d <text>, the file %d" % (got, want))
    return bad


def check_html(dom, path):
    bad = []
    got = sections(dom)
    want = sections(open(path, encoding="utf-8").read())
    if "parsererror" in got.tags:
        bad.append("a <parsererror> in the document")
    if not want.svgs:
        bad.append("%s has no <section id>" % path)
    if sum(want.svgs.values()) == 0:
        bad.append("%s has no <svg> in a section" % path)
    for sid, n in want.svgs.items():
        if sid not in got.svgs:
            bad.append("section %s is not in the document" % sid)
        elif got.svgs[sid] != n:
            bad.append("section %s holds %d <svg> in the document, %d in the file" % (sid, got.svgs[sid], n))
    return bad


def check_console(log):
    """Chromium's CONSOLE lines (and an uncaught exception, however logged)."""
    return ["console: " + line.strip() for line in log.splitlines()
            if ":CONSOLE" in line or "Uncaught" in line]


def check_net(path):
    """The requests the page started: keyed by the page's site, file://."""
    try:
        d = json.load(open(path))
    except (OSError, ValueError) as e:
        return ["no net log (%s)" % e]
    types = {v: k for k, v in d["constants"]["logEventTypes"].items()}
    bad = []
    for e in d.get("events", []):
        p = e.get("params") or {}
        if types.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in p \
                and "file://" in p.get("network_isolation_key", ""):
            bad.append("the page requested %s" % p["url"])
    return bad


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("svg", "html"):
        print(__doc__)
        return 2
    kind, d, path = sys.argv[1:]
    dom = open(os.path.join(d, "dom.html"), encoding="utf-8", errors="replace").read()
    log = open(os.path.join(d, "log"), encoding="utf-8", errors="replace").read()
    bad = [] if dom.strip() else ["Chromium dumped no document"]
    if dom.strip():
        bad += check_svg(dom, path) if kind == "svg" else check_html(dom, path)
    bad += check_console(log)
    bad += check_net(os.path.join(d, "net.json"))
    shot = os.path.join(d, "shot.png")
    if not os.path.exists(shot):
        bad.append("no screenshot")
    else:
        try:
            bad += ["screenshot: " + b for b in svg_check.check_png(shot)]
        except ValueError as e:
            bad.append("screenshot: %s" % e)
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
