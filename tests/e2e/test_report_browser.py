#!/usr/bin/python3
"""HR's report in a real browser (docs/hr.md, 'The report and Excel files').

`ambassador report` on the samples (report_setup.py) writes one HTML file,
mode 0600, that names no outside resource (no script, link, image, font or
URL but the SVG namespace), sets lang, escapes names, gives every chart a
caption and a table, and never breaks out a group under min_group. Then
Debian's chromium renders it headless through chromium-driver (selenium):
every listed name is in the DOM after load, every chart (SVG) has a
non-zero size, the console has no error, no network request is made, and
the screenshot PNG is not blank. `chromium --print-to-pdf` gives a PDF
whose text (pdftotext) holds every listed name. `weights preview
--report` is rendered and checked the same way.

Without chromium, chromium-driver, python3-selenium or pdftotext the
browser part is skipped with a SKIP line and exit status 77 (ctest shows
it as skipped), except under CI=true, where a missing tool fails the test.
AMB_REPORT_PNG=FILE keeps the screenshot (docs/report.png is made so).
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import html
import json
import os
import re
import shutil
import sqlite3
import stat
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import Results  # noqa: E402
from report_setup import add_pilot, amb, build  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SIZE = 12


def missing_tools():
    missing = [t for t in (CHROMIUM, DRIVER) if not os.access(t, os.X_OK)]
    if not shutil.which("pdftotext"):
        missing.append("pdftotext (poppler-utils)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("python3-selenium")
    return missing


def png_distinct_bytes(data):
    """Distinct byte values in the decompressed image data of a PNG: a blank
    (one-colour) page gives a handful, a page with text and charts many."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    return len(set(zlib.decompress(idat)))


def static_checks(r, path, names, what):
    r.check(stat.S_IMODE(os.stat(path).st_mode) == 0o600, "%s: mode 0600" % what)
    doc = open(path, encoding="utf-8").read()
    r.check('<html lang="en">' in doc, "%s: lang set" % what)
    r.check(not re.search(r"<script|<link|<img|<iframe|<object|@import|url\(", doc, re.I),
            "%s: no script, link, image or url()" % what)
    urls = set(re.findall(r"(?:https?|ftp|wss?)://[^\s\"'<>)]+", doc))
    r.check(urls <= {"http://www.w3.org/2000/svg"}, "%s: no URL but the SVG namespace: %r" %
            (what, urls))
    for n in names:
        r.check(html.escape(n, quote=True).replace("&#x27;", "&#39;") in doc,
                "%s: %r is in the file, escaped" % (what, n))
    figures = re.findall(r"<figure.*?</figure>", doc, re.S)
    r.check(figures and all("<figcaption" in f and "<table" in f for f in figures),
            "%s: every figure has a caption and a table (%d figures)" % (what, len(figures)))
    return doc


def group_rows(doc, fig_id):
    fig = re.search(r'<figure id="%s">.*?</figure>' % fig_id, doc, re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", fig, re.S).group(1)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>",
                                                                           body, re.S)]


def test_report_file(r, tmp, db, names):
    out = os.path.join(tmp, "report.html")
    p = amb(db, "report", "--size", str(SIZE), "--out", out)
    r.check(p.returncode == 0 and "written to" in p.stdout, "report exits 0: %r" % p.stderr)
    doc = static_checks(r, out, names, "report")
    r.check(len(re.findall(r"<figure", doc)) == 5, "report: five charts")
    for fig in ("seats-department", "seats-level"):
        rows = group_rows(doc, fig)
        small = [x for x in rows if int(x[1]) < 5 and not x[0].startswith("Smaller groups")]
        r.check(rows and not small, "%s: no group under min_group broken out: %r" % (fig, small))
    rows = group_rows(doc, "seats-level")
    r.check(sum(int(x[2]) for x in rows) == SIZE, "seats per level add up to the list")
    # No survey answer text (the codebook's question wording) is in the report.
    r.check("I am proud" not in doc and "Strongly" not in doc, "no survey wording or answers")
    funnel = group_rows(doc, "funnel")
    r.check(sum(int(x[1]) for x in funnel) == 4 and sum(int(x[2]) for x in funnel) == 1 and
            sum(int(x[4]) for x in funnel) == 1, "funnel counts the four statuses: %r" % funnel)
    q = amb(db, "report", "--snapshot", "1", "--out", os.path.join(tmp, "first.html"))
    r.check(q.returncode == 0 and "snapshot #1 " in q.stdout, "--snapshot 1: %r" % q.stderr)
    for bad, msg in ((["report"], "--out FILE.html is required"),
                     (["report", "--out", out, "--pilot", "x"], "no pilot 'x'"),
                     (["report", "--out", out, "--snapshot", "9"], "no snapshot #9")):
        q = amb(db, *bad)
        r.check(q.returncode != 0 and msg in q.stderr and len(q.stderr.splitlines()) == 1,
                "%s: one line with %r: %r" % (" ".join(bad), msg, q.stderr))
    return out


def test_report_pilot(r, tmp, db):
    """A stored pilot is the report's list: its members in order with the
    reasons recorded; someone who opted out since is not shown."""
    members = [("E0109", "Finance's best; asked in person"), ("E0001", "added by HR"),
               ("E0002", "opts out below"), ("E0108", "declined (report_setup)")]
    add_pilot(db, "Spring pilot", members)
    con_db = os.path.join(tmp, "pilot.db")
    shutil.copy(db, con_db)
    con = sqlite3.connect(con_db)
    with con:
        con.execute("UPDATE people SET consent = 'no' WHERE employee_id = 'E0002'")
    con.close()
    out = os.path.join(tmp, "pilot.html")
    p = amb(con_db, "report", "--out", out)
    r.check(p.returncode == 0, "report of the newest pilot exits 0: %r" % p.stderr)
    doc = open(out, encoding="utf-8").read()
    r.check("<h2>The pilot</h2>" in doc and "Spring pilot" in doc, "the pilot is the list")
    listed = re.findall(r'<td class="who"><b>(.*?)</b><small>(E\d+)</small>', doc)
    r.check([x[1] for x in listed] == ["E0109", "E0001", "E0108"],
            "members in order, the opted-out one left out: %r" % listed)
    declined = re.search(r"<small>E0108</small>.*?</tr>", doc, re.S).group(0)
    r.check(re.search(r'<td class="n">\d+\.\d</td>', declined) and "b-declined" in declined,
            "a member who declined keeps the scores of the snapshot: %r" % declined[:300])
    r.check("Finance&#39;s best; asked in person" in doc, "the stored reason is shown")
    r.check("1 member who opted out or left since is not shown" in doc, "the note counts them")
    q = amb(con_db, "report", "--out", out, "--pilot", "Spring pilot")
    r.check(q.returncode == 0, "--pilot NAME: %r" % q.stderr)
    q = amb(con_db, "report", "--out", out, "--size", "5")
    r.check(q.returncode == 0 and "<h2>Pilot candidates</h2>" in open(out).read(),
            "--size shows the candidates even when a pilot exists")
    for bad, msg in ((["--pilot", "nope"], "no pilot 'nope'"),
                     (["--pilot", "Spring pilot", "--size", "3"], "leave out --size")):
        q = amb(con_db, "report", "--out", out, *bad)
        r.check(q.returncode != 0 and msg in q.stderr, "%r: %r" % (bad, q.stderr))


def test_preview_file(r, tmp, db):
    out = os.path.join(tmp, "preview.html")
    p = amb(db, "weights", "preview", "w_activity=0.6", "w_attitude=0.2", "--top", "10",
            "--report", out)
    r.check(p.returncode == 0, "weights preview --report exits 0: %r" % p.stderr)
    if p.returncode:
        return None
    doc = static_checks(r, out, [], "preview")
    r.check("Kendall" in doc and "enter the top 10" in doc, "preview: tau and entrants")
    return out


def browse(r, tmp, path, names, what, n_svg):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for f in FLAGS + ["--user-data-dir=" + tempfile.mkdtemp(dir=tmp), "--window-size=1280,900"]:
        opts.add_argument(f)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    drv = webdriver.Chrome(service=Service(DRIVER), options=opts)
    try:
        # The browser's own start page makes chrome:// requests: load a
        # blank page first and drop the log, so only the report's are seen.
        drv.get("about:blank")
        drv.get_log("performance")
        drv.get_log("browser")
        drv.get("file://" + path)
        body = drv.find_element(By.TAG_NAME, "body").text
        for n in names:
            r.check(n in body, "%s: %r in the DOM after load" % (what, n))
        svgs = drv.find_elements(By.TAG_NAME, "svg")
        r.check(len(svgs) == n_svg, "%s: %d charts, want %d" % (what, len(svgs), n_svg))
        sizes = [(s.size["width"], s.size["height"]) for s in svgs]
        r.check(all(w > 50 and h > 50 for w, h in sizes), "%s: charts sized %r" % (what, sizes))
        errors = [e for e in drv.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
        r.check(not errors, "%s: no console error: %r" % (what, errors))
        reqs = []
        for e in drv.get_log("performance"):
            m = json.loads(e["message"])["message"]
            if m["method"] == "Network.requestWillBeSent":
                reqs.append(m["params"]["request"]["url"])
        r.check(reqs and all(u == "file://" + path for u in reqs),
                "%s: no request but the file itself: %r" % (what, reqs))
        full = drv.execute_script("return document.body.scrollHeight")
        drv.set_window_size(1280, min(full + 40, 16000))
        png = drv.get_screenshot_as_png()
    finally:
        drv.quit()
    distinct = png_distinct_bytes(png)
    r.check(distinct > 40, "%s: screenshot not blank (%d distinct bytes)" % (what, distinct))
    return png


def test_browser(r, tmp, report, preview, names):
    png = browse(r, tmp, report, names, "report", 5)
    keep = os.environ.get("AMB_REPORT_PNG")
    if keep:
        with open(keep, "wb") as f:
            f.write(png)
    if preview:
        browse(r, tmp, preview, [], "preview", 4)
    pdf = os.path.join(tmp, "report.pdf")
    p = subprocess.run([CHROMIUM] + FLAGS + ["--user-data-dir=" + tempfile.mkdtemp(dir=tmp),
                                             "--no-pdf-header-footer", "--print-to-pdf=" + pdf,
                                             "file://" + report],
                       capture_output=True, text=True, timeout=180)
    r.check(p.returncode == 0 and os.path.getsize(pdf) > 1000, "print to PDF: %r" % p.stderr[-300:])
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True,
                          timeout=60).stdout
    flat = " ".join(text.split())
    for n in names:
        r.check(" ".join(n.split()) in flat, "PDF text holds %r" % n)
    pages = text.count("\f")
    r.check(1 < pages < 20, "PDF has a few A4 pages (%d)" % pages)


def main():
    r = Results()
    with tempfile.TemporaryDirectory(prefix="amb-report-") as tmp:
        db = build(tmp)
        p = amb(db, "candidates", "--size", str(SIZE), "--format", "json")
        names = [x["name"] for x in json.loads(p.stdout)["items"]]
        r.check(len(names) == SIZE, "the samples fill %d seats" % SIZE)
        report = preview = None

        def files(r):
            nonlocal report, preview
            report = test_report_file(r, tmp, db, names)
            preview = test_preview_file(r, tmp, db)
        r.run(files)
        r.run(test_report_pilot, tmp, db)
        missing = missing_tools()
        if missing and os.environ.get("CI") != "true":
            print("SKIP: the browser checks need %s (scripts/deps.sh installs them)" %
                  ", ".join(missing), flush=True)
            print("%d passed, %d failed" % (r.passed, r.failed), flush=True)
            sys.exit(1 if r.failed else 77)
        r.check(not missing, "CI has the browser tools: missing %r" % missing)
        if not missing and report:
            r.run(test_browser, tmp, report, preview, names)
    r.finish()


if __name__ == "__main__":
    main()
