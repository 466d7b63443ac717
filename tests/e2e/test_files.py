#!/usr/bin/python3
"""Files that hold personal data or keys (test plan J10-J12).

    J10 the rejects CSV of `import --skip-invalid` is 0600 under umask 022
        and a symlink planted at its name is replaced, its target untouched.
    J11 keygen writes no key through a symlink: without --force it refuses
        an existing name (symlink or not), with --force it replaces the link;
        the secret key is 0600.
    J12 the database and its -wal/-shm are 0600: `init` on an existing empty
        0644 file or through a symlink, and any command on an existing 0644
        database with 0644 companions, leave them 0600. When run as root,
        user nobody on a root-owned 0666 database (writable, not theirs to
        chmod) is refused with the chmod command that fixes it.
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import BINARY, Results, make_db  # noqa: E402

NOBODY = 65534
VICTIM = "do not overwrite\n"


def amb(*args, cwd=None, prefix=()):
    old = os.umask(0o022)
    try:
        return subprocess.run(list(prefix) + [BINARY] + list(args), capture_output=True,
                              text=True, timeout=60, cwd=cwd)
    finally:
        os.umask(old)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def victim(tmp, name="victim.txt"):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(VICTIM)
    os.chmod(path, 0o644)
    return path


def untouched(path):
    with open(path) as f:
        return f.read() == VICTIM and mode(path) == 0o644


def test_rejects(r, tmp):
    db = os.path.join(tmp, "j10.db")
    r.check(amb("--db", db, "init").returncode == 0, "init")
    roster = os.path.join(tmp, "r.csv")
    with open(roster, "w") as f:
        f.write("employee_id,name,email,department\nE1,Ada,ada@x.dk,Sales\nE2,Bo,bo@x.dk,\n")
    v = victim(tmp)
    os.symlink(v, roster + ".rejects.csv")
    p = amb("--db", db, "import", "roster", roster, "--skip-invalid")
    rej = roster + ".rejects.csv"
    r.check(p.returncode == 0, "J10 import --skip-invalid: %s" % p.stderr)
    r.check(untouched(v), "J10 the symlink's target is untouched")
    r.check(not os.path.islink(rej) and mode(rej) == 0o600,
            "J10 the rejects file replaced the link and is 0600 (%o)" % mode(rej))
    with open(rej) as f:
        text = f.read()
    r.check("department is empty" in text and "E2" in text, "J10 rejects hold the bad row")
    r.check([n for n in os.listdir(tmp) if ".rejects.csv." in n] == [],
            "J10 no temporary file left: %s" % os.listdir(tmp))


def test_keygen(r, tmp):
    d = os.path.join(tmp, "keys")
    os.mkdir(d)
    v = victim(d)
    os.symlink(v, os.path.join(d, "s.key"))
    p = amb("keygen", os.path.join(d, "s"))
    r.check(p.returncode != 0 and "--force" in p.stderr and untouched(v),
            "J11 keygen refuses a name that exists as a symlink: %s" % p.stderr)
    p = amb("keygen", "--force", os.path.join(d, "s"))
    key = os.path.join(d, "s.key")
    r.check(p.returncode == 0 and untouched(v), "J11 keygen --force leaves the target alone")
    r.check(not os.path.islink(key) and mode(key) == 0o600 and
            mode(os.path.join(d, "s.pub")) == 0o644,
            "J11 secret key replaced the link, 0600 (%o)" % mode(key))
    r.check(sorted(os.listdir(d)) == ["s.key", "s.pub", "victim.txt"],
            "J11 no temporary file left: %s" % os.listdir(d))


def test_database(r, tmp):
    d = os.path.join(tmp, "db")
    os.mkdir(d)
    empty = os.path.join(d, "empty.db")
    open(empty, "w").close()
    os.chmod(empty, 0o644)
    p = amb("--db", empty, "init")
    r.check(p.returncode == 0 and mode(empty) == 0o600,
            "J12 init on an empty 0644 file leaves it 0600 (%o): %s" % (mode(empty), p.stderr))
    target = os.path.join(d, "target.db")
    open(target, "w").close()
    os.chmod(target, 0o644)
    link = os.path.join(d, "link.db")
    os.symlink(target, link)
    p = amb("--db", link, "init")
    r.check(p.returncode == 0 and mode(target) == 0o600,
            "J12 init through a symlink leaves the target 0600 (%o)" % mode(target))
    db = os.path.join(d, "old.db")
    make_db(db, 12)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.chmod(db + suffix, 0o644)
    p = amb("--db", db, "status")
    modes = {s: mode(db + s) for s in ("", "-wal", "-shm") if os.path.exists(db + s)}
    r.check(p.returncode == 0 and set(modes.values()) == {0o600},
            "J12 an existing 0644 database and its companions become 0600: %s" % modes)
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        print("    (not root: the refusal as user nobody is skipped)")
        return
    os.chmod(tmp, 0o755)
    os.chmod(d, 0o777)
    shared = os.path.join(d, "shared.db")
    make_db(shared, 12)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(shared + suffix):
            os.remove(shared + suffix)
    os.chmod(shared, 0o666)
    prefix = [shutil.which("setpriv"), "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY,
              "--clear-groups"]
    p = amb("--db", shared, "status", prefix=prefix)
    r.check(p.returncode != 0 and "chmod 600 " + shared in p.stderr and
            len(p.stderr.strip().splitlines()) == 1,
            "J12 nobody on root's 0666 database: refused with the command (rc %d): %s" %
            (p.returncode, p.stderr))


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-files-")
    try:
        r.run(test_rejects, tmp)
        r.run(test_keygen, tmp)
        r.run(test_database, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
