#!/usr/bin/python3
"""The documentation resolves: README.md and docs/*.md.

 1. README.md is under 250 lines and starts with the two set-up commands
    (scripts/demo.sh, scripts/test.sh).
 2. Every relative link [text](path#anchor) in README.md and docs/*.md names
    a file that exists, and its #anchor a heading of that file (GitHub's
    slugs).
 3. Every section reference resolves to a heading: "FILE, section 'X'" in
    the docs, the code, the scripts and the tests (X is a heading of FILE,
    or the start of one followed by ':' or ' ('); "section 'X'" alone in a
    doc names a heading of that doc or another doc; "docs/design.md,
    Contract N[, M...]" (and "Contract N" in a doc) names a "Contract N"
    heading of docs/design.md.
    No reference to README.md sections or to SPEC is left in the code.
 4. Every shell command of README.md's first session is covered by
    tests/e2e/test_first_session.py (which runs them); this test checks the
    block is still where that test reads it.
Environment: AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import SOURCE, Results  # noqa: E402

DOCS = ["README.md"] + sorted(
    os.path.join("docs", f) for f in os.listdir(os.path.join(SOURCE, "docs")) if f.endswith(".md"))


def read(rel):
    with open(os.path.join(SOURCE, rel), encoding="utf-8") as f:
        return f.read()


def strip_code(text):
    """Markdown without fenced code blocks (links inside them are text)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def headings(rel):
    return [m.group(2).strip() for m in
            re.finditer(r"^(#{1,6}) (.*)$", strip_code(read(rel)), re.M)]


def slug(title):
    s = title.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def has_section(heads, title):
    return any(h == title or h.startswith(title + ":") or h.startswith(title + " (")
               for h in heads)


def readme_shape(r):
    text = read("README.md")
    lines = text.splitlines()
    r.check(len(lines) < 250, "README.md has %d lines (under 250)" % len(lines))
    top = "\n".join(lines[:12])
    r.check("bash scripts/demo.sh" in top and "bash scripts/test.sh" in top,
            "README.md starts with the two set-up commands")
    block = text.split("## A first session", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    cmds = [x for x in block.splitlines() if x.strip()]
    r.check(len(cmds) >= 8 and all(c.startswith("ambassador ") for c in cmds),
            "the first-session block is the first sh block under its heading: %r" % cmds[:3])


def links(r):
    n = 0
    for doc in DOCS:
        text = strip_code(read(doc))
        for m in re.finditer(r"\]\(([^)\s]+)\)", text):
            target = m.group(1)
            if re.match(r"[a-z]+:", target):  # http:, mailto:
                continue
            n += 1
            path, _, anchor = target.partition("#")
            rel = os.path.normpath(os.path.join(os.path.dirname(doc), path)) if path else doc
            ok = os.path.exists(os.path.join(SOURCE, rel))
            r.check(ok, "%s: link %s: no file %s" % (doc, target, rel))
            if ok and anchor:
                r.check(anchor in [slug(h) for h in headings(rel)],
                        "%s: link %s: no heading #%s in %s" % (doc, target, anchor, rel))
    r.check(n >= 10, "links checked: %d" % n)


REF = re.compile(r"((?:docs/)?[\w.-]+\.md),?\s+section\s+'([^']*)'", re.S)
BARE = re.compile(r"(?<![\w.]\s)(?<!,\s)section\s+'([^']*)'", re.S)
CONTRACT = re.compile(r"docs/design\.md,\s+Contract\s+(\d+(?:\.\d+)?(?:(?:,\s*|-)\d+(?:\.\d+)?)*)")


def norm(t):
    return re.sub(r"\s*\n\s*(?:\*|#|//)?\s*", " ", t).strip()


def sections(r):
    all_heads = {d: headings(d) for d in DOCS}
    design = all_heads["docs/design.md"]
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                           cwd=SOURCE, capture_output=True,
                           text=True).stdout.split()
    if not files:  # not a git checkout: walk the tree
        for base, dirs, names in os.walk(SOURCE):
            dirs[:] = [d for d in dirs if d not in ("build", ".git", "node_modules")]
            files += [os.path.relpath(os.path.join(base, x), SOURCE) for x in names]
    n = 0
    for f in files:
        if not re.search(r"\.(c|h|py|sh|md|txt|cmake|scd)$|^bench/(run|generate)$", f):
            continue
        if not os.path.isfile(os.path.join(SOURCE, f)) or f == "tests/e2e/test_docs.py":
            continue
        text = read(f)
        for m in REF.finditer(text):
            target, title = m.group(1), norm(m.group(2))
            if target in ("README.md",) and f.endswith((".c", ".h")):
                r.check(False, "%s: a reference to README.md, section '%s'" % (f, title))
                continue
            cands = [target, os.path.join("docs", target),
                     os.path.normpath(os.path.join(os.path.dirname(f), target))]
            rel = next((c for c in cands if c in all_heads), None)
            if rel is None:
                continue  # samples/README.md and the like: not a doc page
            n += 1
            r.check(has_section(all_heads[rel], title),
                    "%s: %s, section '%s' does not exist" % (f, rel, title))
        for m in CONTRACT.finditer(text):
            for num in re.split(r",\s*|-", m.group(1)):
                n += 1
                r.check(any(h.startswith("Contract %s:" % num) for h in design),
                        "%s: docs/design.md, Contract %s does not exist" % (f, num))
        if f.endswith(".md") and f in all_heads:
            body = re.sub(r"^#.*$", "", strip_code(text), flags=re.M)
            for m in re.finditer(r"\bContract (\d+(?:\.\d+)?)", body):
                n += 1
                r.check(any(h.startswith("Contract %s:" % m.group(1)) for h in design),
                        "%s: Contract %s is no heading of docs/design.md" % (f, m.group(1)))
            for m in BARE.finditer(strip_code(text)):
                title = norm(m.group(1))
                n += 1
                r.check(any(has_section(h, title) for h in all_heads.values()),
                        "%s: section '%s' is no heading of any doc" % (f, title))
        if f.endswith((".c", ".h")):
            r.check(not re.search(r"\bSPEC\b", text), "%s still refers to SPEC" % f)
    r.check(n >= 40, "section references checked: %d" % n)


def main():
    r = Results()
    r.run(readme_shape)
    r.run(links)
    r.run(sections)
    r.finish()


main()
