#!/usr/bin/env python3
"""check_dom.py: what headless Chromium saw of the noa report.

  check_dom.py --height DOM        the page height in pixels (0 if unknown)
  check_dom.py [--expect IDS] DOM LOG PNG
                                   every check, then 'browser: N passed, M failed'
                                   (PNG - : no screenshot to check)

IDS (comma-separated) names the parts of the page that must be there and
hold at least one drawn chart or table row (e.g. the KPI model's parts when
the report was made with a business table).

DOM is the output of chromium --dump-dom on the report, LOG its stderr with
--enable-logging=stderr, PNG a full-page screenshot 1280 pixels wide.  The
checks: each one report/selfcheck.js ran in the page, the browser console
(the report writes nothing to it, so any message fails), and the screenshot
(a PNG of the page's size with something drawn on it).  Exits 1 on any failure.
"""
import html
import json
import re
import struct
import sys

WIDTH = 1280
# A blank page compresses to about 0.005 PNG bytes per pixel, the report to about 0.14.
MIN_BYTES_PER_PIXEL = 0.03


def selfcheck(dom_path):
    """The JSON the page's self-check wrote into <pre id="noa-selfcheck">, or None."""
    dom = open(dom_path, encoding="utf-8", errors="replace").read()
    found = re.search(r'<pre id="noa-selfcheck"[^>]*>(.*?)</pre>', dom, re.S)
    if not found or not found.group(1).strip():
        return None
    return json.loads(html.unescape(found.group(1)))


def png_checks(path, height):
    """The screenshot: a PNG of the page's size, not blank."""
    try:
        data = open(path, "rb").read()
    except OSError as err:
        return [("screenshot taken", False, str(err))]
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return [("screenshot taken", False, "not a PNG file")]
    width, tall = struct.unpack(">II", data[16:24])
    per_pixel = len(data) / max(width * tall, 1)
    return [("screenshot taken", True, ""),
            ("screenshot is the whole page", (width, tall) == (WIDTH, height),
             f"{width}x{tall} pixels, page {WIDTH}x{height}"),
            ("screenshot has content", per_pixel >= MIN_BYTES_PER_PIXEL,
             f"{per_pixel:.3f} PNG bytes per pixel, a blank page has about 0.005")]


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--height":
        report = selfcheck(sys.argv[2])
        print(report["height"] if report else 0)
        return
    args = sys.argv[1:]
    expected = []
    if len(args) == 5 and args[0] == "--expect":
        expected, args = [x for x in args[1].split(",") if x], args[2:]
    if len(args) != 3:
        sys.exit(__doc__)
    dom_path, log_path, png_path = args
    report = selfcheck(dom_path)
    results = []
    if report:
        results += [(c["name"], c["ok"], c["detail"]) for c in report["checks"]]
        results.append(("the page has charts", any(c["name"].startswith("chart ") for c in report["checks"]), ""))
        content = report.get("content", {})
        for part in expected:
            held = content.get(part)
            results.append((f"part #{part} is there and not empty", bool(held) and held["charts"] + held["rows"] > 0,
                            "missing" if held is None else f"{held['charts']} charts, {held['rows']} table rows"))
    else:
        results.append(("the self-check ran and wrote its results", False, "nothing in the dumped DOM"))
    log = open(log_path, encoding="utf-8", errors="replace").read()
    console = [line for line in log.splitlines() if ":CONSOLE" in line]
    results.append(("no browser console messages", not console, "; ".join(console)[:2000]))
    if png_path != "-":
        results += png_checks(png_path, report["height"] if report else 0)
    failed = 0
    for name, ok, detail in results:
        print(f"{'ok' if ok else 'not ok'} - {name}" + ("" if ok else f": {detail}"))
        failed += not ok
    print(f"browser: {len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
