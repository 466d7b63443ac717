#!/usr/bin/python3
"""Every command of the README's first session runs, as written, in a fresh
directory holding the bundled samples: a documented command cannot rot.

The block under '## A first session' is read from README.md; each line is
run with `ambassador` replaced by the binary under test. `serve` runs in
the background and `query` talks to it; both get an ipc:// endpoint in the
test's directory instead of the default TCP port, so parallel test runs do
not collide. Every command must exit 0; the query must list the approved
pilot.
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import BINARY, SOURCE, Results, Server  # noqa: E402


def first_session_commands():
    text = open(os.path.join(SOURCE, "README.md"), encoding="utf-8").read()
    block = text.split("## A first session", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    cmds = []
    for line in block.splitlines():
        line = line.split(" #", 1)[0].strip()
        if line:
            cmds.append(shlex.split(line))
    return cmds


def test_first_session(r, tmp):
    cmds = first_session_commands()
    r.check(len(cmds) >= 8 and all(c[0] == "ambassador" for c in cmds),
            "the first session is a list of ambassador commands: %r" % cmds)
    shutil.copytree(os.path.join(SOURCE, "samples"), os.path.join(tmp, "samples"))
    env = dict(os.environ)
    for k in ("AMBASSADOR_DB", "AMB_FAULT"):
        env.pop(k, None)
    ep = "ipc://%s/first.sock" % tmp
    srv = None
    try:
        for c in cmds:
            args = c[1:]
            if args[0] == "serve":
                srv = Server(os.path.join(tmp, "ambassador.db"), ep, extra=args[1:])
                r.check(srv.proc.poll() is None, "serve runs")
                continue
            if args[0] == "query":
                args = args + ["--connect", ep]
            p = subprocess.run([BINARY] + args, cwd=tmp, env=env, capture_output=True,
                               text=True, timeout=120)
            r.check(p.returncode == 0, "`%s` exits 0: %s" % (" ".join(c), p.stderr))
            if args[0] == "query" and p.returncode == 0:
                rep = json.loads(p.stdout)
                r.check(rep["ok"] and rep["pilot"] and len(rep["items"]) == 5,
                        "the intranet gets the approved pilot: %s" % p.stdout)
    finally:
        if srv:
            srv.stop()


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-first-")
    try:
        r.run(test_first_session, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
