#!/usr/bin/python3
"""The man pages (docs/man/*.scd): they build with scdoc without a message,
render with `man --warnings` without a warning, lexgrog finds their NAME
line, and ambassador(1) and the bash completion name every command that `ambassador --help` lists
and every option, subcommand and command word that `--help` of the program
and of each command prints.
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import BINARY, SOURCE, Results  # noqa: E402

PAGES = ("ambassador.1", "ambassador-protocol.7")


def build(r, out):
    """scdoc each page into out/; the rendered text of each, or None."""
    texts = {}
    for page in PAGES:
        src = os.path.join(SOURCE, "docs", "man", page + ".scd")
        dst = os.path.join(out, page)
        with open(src, "rb") as fin, open(dst, "wb") as fout:
            p = subprocess.run(["scdoc"], stdin=fin, stdout=fout, stderr=subprocess.PIPE)
        r.check(p.returncode == 0 and not p.stderr, "scdoc %s: %r" % (page, p.stderr))
        env = dict(os.environ, MANWIDTH="1000", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
        p = subprocess.run(["man", "--warnings=all", "-E", "UTF-8", "-l", dst],
                           capture_output=True, text=True, env=env)
        r.check(p.returncode == 0 and not p.stderr.strip(),
                "man --warnings %s: %s" % (page, p.stderr[:2000]))
        p = subprocess.run(["lexgrog", dst], capture_output=True, text=True)
        r.check(p.returncode == 0 and page.split(".")[0] + " - " in p.stdout,
                "lexgrog finds NAME in %s: %r" % (page, p.stdout + p.stderr))
        p = subprocess.run(["man", "-l", dst], capture_output=True, text=True, env=env)
        texts[page] = p.stdout
    return texts


def help_text(*args):
    p = subprocess.run([BINARY] + list(args) + ["--help"], capture_output=True, text=True)
    return p.stdout


def commands():
    text = help_text()
    block = text.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines() if line.strip()]


def words_of(cmd, text):
    """Options (--x, -x) and the words after `ambassador CMD` in usage lines."""
    opts = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])\b", text))
    subs = set()
    for line in text.splitlines():
        m = re.search(r"ambassador(?: \[[^]]*\])* %s ([a-z_]+)\b" % re.escape(cmd), line)
        if m:
            subs.add(m.group(1))
    return opts, subs


def coverage(r, man1):
    cmds = commands()
    r.check(len(cmds) >= 17, "--help lists the commands: %s" % cmds)
    for c in cmds:
        r.check(re.search(r"^ {7}%s\b" % re.escape(c), man1, re.M) is not None,
                "ambassador(1) has an entry for command %s" % c)
    opts, _ = words_of("", help_text())
    for c in cmds:
        o, subs = words_of(c, help_text(c))
        opts |= o
        for s in subs:
            r.check(re.search(r"\b%s %s\b|\b%s\b[^\n]*\b%s\b" % (c, s, c, s), man1) is not None,
                    "ambassador(1) names `%s %s`" % (c, s))
    r.check(len(opts) > 30, "options found in --help: %d" % len(opts))
    for o in sorted(opts):
        r.check(re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(o), man1) is not None,
                "ambassador(1) names option %s" % o)


def completion(r):
    """dist/bash-completion/ambassador offers every command, every option
    and every subcommand word that --help prints."""
    path = os.path.join(SOURCE, "dist", "bash-completion", "ambassador")
    text = open(path).read()
    p = subprocess.run(["bash", "-n", path], capture_output=True, text=True)
    r.check(p.returncode == 0, "bash -n on the completion: %s" % p.stderr)
    cmds = commands()
    words = set(re.findall(r"[\w-]+", text))
    for c in cmds:
        r.check(c in words, "completion offers command %s" % c)
    opts, _ = words_of("", help_text())
    subs = set()
    for c in cmds:
        o, s = words_of(c, help_text(c))
        opts |= o
        subs |= s
    for w in sorted(opts | subs):
        r.check(w in words, "completion offers %s" % w)


def main():
    r = Results()
    for tool in ("scdoc", "man", "lexgrog"):
        r.check(shutil.which(tool) is not None, "%s is installed (scripts/deps.sh)" % tool)
    tmp = tempfile.mkdtemp(prefix="amb-man-")
    try:
        texts = build(r, tmp)
        r.run(coverage, texts["ambassador.1"])
        r.run(completion)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


main()
