#!/usr/bin/python3
"""Spreadsheet output (docs/hr.md, 'The report and Excel files'):
`--format xlsx --out FILE` of rank, candidates, invitations list and pilot
show, read back with openpyxl, and `--format csv --excel [--delimiter ';']`.

On the samples (report_setup.py): every row of the JSON output is in the
workbook in the same order, number columns as numbers and text as text (a
name starting with '=' stays text, never a formula), the header row frozen
and filtered, column widths set; the "About" sheet holds the snapshot and
profile, its dates as dates and every parameter as a number; files are mode
0600. The CSV for Excel starts with a UTF-8 byte-order mark, reads back to
the JSON rows (with ',' or ';'), and bad option combinations fail with one
line and exit status 2.
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import csv
import datetime
import io
import json
import os
import stat
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import Results  # noqa: E402
from report_setup import NAMES, amb, build  # noqa: E402

import openpyxl  # noqa: E402  (Debian: python3-openpyxl)

NUMBER_COLUMNS = {"rank", "score", "activity", "attitude", "motivation", "position"}
LISTS = {"rank": ["rank", "--limit", "0"], "candidates": ["candidates", "--size", "12"],
         "invitations": ["invitations", "list", "--limit", "50"]}


def json_items(db, args):
    p = amb(db, *args, "--format", "json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["items"]


def check_workbook(r, name, path, items):
    r.check(stat.S_IMODE(os.stat(path).st_mode) == 0o600, "%s: xlsx is mode 0600" % name)
    wb = openpyxl.load_workbook(path)
    r.check(wb.sheetnames == ["List", "About"], "%s: sheets %r" % (name, wb.sheetnames))
    ws = wb["List"]
    header = [c.value for c in ws[1]]
    r.check(header == list(items[0].keys()), "%s: header %r" % (name, header))
    r.check(ws.freeze_panes == "A2", "%s: header row frozen (%r)" % (name, ws.freeze_panes))
    last = "%s%d" % (openpyxl.utils.get_column_letter(len(header)), len(items) + 1)
    r.check(ws.auto_filter.ref == "A1:" + last,
            "%s: autofilter over every row (%r)" % (name, ws.auto_filter.ref))
    widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
              for i in range(len(header))]
    r.check(all(w and w >= 6 for w in widths), "%s: column widths set %r" % (name, widths))
    rows = list(ws.iter_rows(min_row=2))
    r.check(len(rows) == len(items), "%s: %d rows, JSON has %d" % (name, len(rows), len(items)))
    bad = []
    for cells, item in zip(rows, items):
        for c, (key, want) in zip(cells, item.items()):
            if key == "invited_at" and want:
                ok = c.is_date and c.value.date().isoformat() == want
            elif isinstance(want, bool):
                ok = c.data_type == "b" and c.value is want
            elif isinstance(want, list):  # a rank interval: "lo-hi" as text
                ok = c.data_type == "s" and c.value == "%d-%d" % tuple(want)
            elif key in NUMBER_COLUMNS and want is not None and want != "":
                ok = c.data_type == "n" and abs(float(c.value) - float(want)) < 1e-9
            elif want in (None, ""):
                ok = c.value is None
            else:
                ok = c.data_type == "s" and c.value == want
            if not ok:
                bad.append((key, want, c.value, c.data_type))
    r.check(not bad, "%s: every cell as in the JSON, typed: %r" % (name, bad[:5]))
    about = {row[0].value: row[1] for row in wb["About"].iter_rows(min_row=2) if row[0].value}
    return about


def test_xlsx(r, tmp, db):
    for name, args in LISTS.items():
        items = json_items(db, args)
        r.check(len(items) > 3, "%s: the samples give rows" % name)
        path = os.path.join(tmp, name + ".xlsx")
        p = amb(db, *args, "--format", "xlsx", "--out", path)
        r.check(p.returncode == 0 and p.stdout == "", "%s xlsx exits 0 quietly: %r" %
                (name, p.stdout + p.stderr))
        about = check_workbook(r, name, path, items)
        if name == "invitations":
            r.check(about["listed at (UTC)"].data_type == "d", "invitations: date as a date")
            continue
        r.check(about["snapshot"].value == 1 and about["snapshot"].data_type == "n",
                "%s: snapshot number in About" % name)
        r.check(about["as_of (UTC)"].is_date and
                about["as_of (UTC)"].value == datetime.datetime(2026, 11, 30),
                "%s: as_of is a date: %r" % (name, about["as_of (UTC)"].value))
        r.check(about["profile"].value == "default", "%s: profile in About" % name)
        r.check(about["min_group"].data_type == "n" and about["min_group"].value == 5,
                "%s: parameters in About" % name)
    # pilot show: the members, dates as dates, the pilot in About.
    members = json.loads(amb(db, "pilot", "show", "First pilot", "--format", "json").stdout)
    items = members["members"]["items"]
    path = os.path.join(tmp, "pilot.xlsx")
    p = amb(db, "pilot", "show", "First pilot", "--format", "xlsx", "--out", path)
    r.check(p.returncode == 0, "pilot show xlsx: %r" % p.stderr)
    about = check_workbook(r, "pilot show", path, items)
    r.check(about["pilot"].value == "First pilot" and about["approved at (UTC)"].is_date,
            "pilot show: the pilot and its approval date in About")
    dates = [x for x in items if x["invited_at"]]
    r.check(len(dates) >= 3, "pilot show: invitation dates to check (%d)" % len(dates))
    # The formula-looking name is text, and it is in the candidates.
    wb = openpyxl.load_workbook(os.path.join(tmp, "candidates.xlsx"))
    names = {c.value: c.data_type for c in wb["List"]["C"][1:]}
    r.check(names.get(NAMES["E0148"]) == "s", "'=1+2 ...' is a text cell: %r" % names)


def test_csv_excel(r, tmp, db):
    items = json_items(db, LISTS["candidates"])
    for sep in (",", ";"):
        path = os.path.join(tmp, "c%s.csv" % ("semi" if sep == ";" else "comma"))
        args = LISTS["candidates"] + ["--format", "csv", "--excel", "--out", path]
        if sep == ";":
            args += ["--delimiter", ";"]
        p = amb(db, "-q", *args)
        r.check(p.returncode == 0, "csv --excel %r: %s" % (sep, p.stderr))
        raw = open(path, "rb").read()
        r.check(raw.startswith(b"\xef\xbb\xbf"), "csv --excel starts with a UTF-8 BOM")
        r.check(stat.S_IMODE(os.stat(path).st_mode) == 0o600, "csv --out is mode 0600")
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=sep))
        r.check(len(rows) == len(items), "csv %r: every row" % sep)
        got = [(x["employee_id"], x["name"]) for x in rows]
        want = [(x["employee_id"], x["name"].replace("=", "'=", 1) if x["name"].startswith("=")
                 else x["name"]) for x in items]
        r.check(got == want, "csv %r: ids and names as in JSON: %r" % (sep, got[:3]))
        r.check(any("Sørensen" in n for _, n in got), "csv %r: UTF-8 name intact" % sep)
    p = amb(db, *LISTS["candidates"], "--format", "csv")
    r.check(not p.stdout.startswith("\ufeff"), "csv without --excel has no BOM")


def test_bad_options(r, tmp, db):
    cases = [(["rank", "--format", "xlsx"], "needs --out"),
             (["rank", "--excel"], "go with --format csv"),
             (["candidates", "--size", "3", "--format", "csv", "--delimiter", "|"],
              "is not ',' or ';'"),
             (["invitations", "list", "--format", "xls"], "is not table, csv, json or xlsx"),
             (["rank", "--format", "xlsx", "--out", os.path.join(tmp, "no", "such", "x.xlsx")],
              "cannot write")]
    for args, msg in cases:
        p = amb(db, *args)
        lines = p.stderr.strip().splitlines()
        r.check(p.returncode != 0 and len(lines) == 1 and msg in lines[0],
                "%s: one line with %r, got %d %r" % (" ".join(args), msg, p.returncode,
                                                    p.stderr))


def main():
    r = Results()
    with tempfile.TemporaryDirectory(prefix="amb-xlsx-") as tmp:
        db = build(tmp)
        r.run(test_xlsx, tmp, db)
        r.run(test_csv_excel, tmp, db)
        r.run(test_bad_options, tmp, db)
    r.finish()


if __name__ == "__main__":
    main()
