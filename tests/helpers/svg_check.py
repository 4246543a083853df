#!/usr/bin/env python3
"""svg_check.py: checks a --svg drawing, and the PNG it renders to.

usage: svg_check.py svg FILE [TEXT...]
         FILE parses as XML (xml.dom.minidom and xml.etree), is an <svg>
         with a <title> and a <desc>, holds nothing that runs or fetches
         (no script, foreignObject, href, url(, @import, entity), and the
         regular expressions given match its <text> elements in that order
         (each found in one text, the next in a later one: "^ACK$" is a
         bare ACK, "SYN" also SYN,ACK).
       svg_check.py png FILE
         FILE is a PNG (decoded here with zlib: no PIL) that is not blank:
         mostly white, with dark pixels, and at least three colours.
Prints each problem and exits 1 if there is any.
"""
import re
import struct
import sys
import xml.dom.minidom
import xml.etree.ElementTree as ET
import zlib

SVG = "{http://www.w3.org/2000/svg}"


def texts(root):
    """The content of every <text>, in document order (its <title> left out)."""
    out = []
    for t in root.iter(SVG + "text"):
        s = (t.text or "") + "".join(c.tail or "" for c in t)
        out.append(s)
    return out


def check_svg(path, want):
    bad = []
    raw = open(path, "rb").read()
    xml.dom.minidom.parseString(raw)  # raises on anything ill-formed
    root = ET.fromstring(raw)
    if root.tag != SVG + "svg":
        bad.append("root is %s, not svg" % root.tag)
    for tag in ("title", "desc"):
        if root.find(SVG + tag) is None:
            bad.append("no <%s> under the root" % tag)
    for el in root.iter():
        name = el.tag.split("}")[-1]
        if name in ("script", "foreignObject", "a", "image", "use", "style"):
            bad.append("element <%s>" % name)
        for k in el.attrib:
            if "href" in k or k.startswith("on"):
                bad.append("attribute %s on <%s>" % (k, name))
    text = raw.decode("utf-8")
    for pat in (r"url\(", r"@import", r"<!ENTITY", r"<!DOCTYPE", r"javascript:"):
        if re.search(pat, text, re.I):
            bad.append("found " + pat)
    seen = texts(root)
    i = 0
    for w in want:
        while i < len(seen) and not re.search(w, seen[i]):
            i += 1
        if i == len(seen):
            bad.append("no text matches /%s/ after the one before (texts: %r)" % (w, seen))
            break
        i += 1
    return bad


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def png_rows(path):
    """The PNG's rows of bytes, unfiltered (8-bit, not interlaced)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, inter = hdr
    if depth != 8 or inter or ctype not in (2, 6):
        raise ValueError("PNG of a kind this check does not decode: %r" % (hdr,))
    bpp = 3 if ctype == 2 else 4
    raw, stride, prev, rows = zlib.decompress(idat), w * bpp, None, []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        prev = prev or bytearray(stride)
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            c = prev[x - bpp] if x >= bpp else 0
            pred = (0, a, prev[x], (a + prev[x]) // 2, paeth(a, prev[x], c))[f]
            line[x] = (line[x] + pred) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def check_png(path):
    w, h, bpp, rows = png_rows(path)
    colours, white, dark = set(), 0, 0
    for line in rows:
        for x in range(0, w * bpp, bpp):
            px = tuple(line[x:x + 3])
            alpha = line[x + 3] if bpp == 4 else 255
            colours.add(px + (alpha,))
            if alpha > 200 and min(px) > 240:
                white += 1
            elif alpha > 200 and max(px) < 100:
                dark += 1
    total = w * h
    bad = []
    if white < total * 0.5:
        bad.append("only %d of %d pixels are white (not black on white)" % (white, total))
    if dark < total * 0.002:
        bad.append("only %d of %d pixels are dark (blank?)" % (dark, total))
    if len(colours) < 3:
        bad.append("%d colours" % len(colours))
    return bad


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("svg", "png"):
        print(__doc__)
        return 2
    bad = check_svg(sys.argv[2], sys.argv[3:]) if sys.argv[1] == "svg" else check_png(sys.argv[2])
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
