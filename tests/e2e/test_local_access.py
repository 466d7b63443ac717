#!/usr/bin/python3
"""Who on this machine reaches which role without CURVE (test plan G7-G11).

    G7 loopback tcp:// without --role serves the intranet role (rank is
       forbidden); `--role hr` serves hr and logs a warning that every local
       user can read HR data. --role with CURVE is refused, and so is a
       secret key file that others may read.
    G8 an ipc:// socket made under umask 000 is 0600 (0660 and the group with
       --socket-group), in a directory that must be ours and not writable by
       others; abstract ipc://@name is refused. When run as root, user nobody
       cannot connect to it at all.
    G9 a second serve on the same ipc path is refused (the first keeps
       answering on the same socket file); SIGTERM removes the socket file
       and its lock; after kill -9 the next serve starts on the path.
    G10 tcp://[::1]:P and tcp://localhost:P bind and answer.
    G11 a clients file broken at SIGHUP: every ping says the list is stale
       (the old one stays in force) until a reload succeeds.
"""
import grp
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import (Results, Server, dealer, dealer_request, free_port, keygen,  # noqa: E402
                         make_db, request, run)

import zmq  # noqa: E402

NOBODY = 65534


def ask(ep, req, timeout=3000, ipv6=False):
    s = dealer(ep) if not ipv6 else None
    if ipv6:
        s = zmq.Context.instance().socket(zmq.DEALER)
        s.linger = 0
        s.ipv6 = True
        s.connect(ep)
    try:
        return dealer_request(s, req, timeout)
    finally:
        s.close(0)


def code(reply):
    if not reply:
        return None
    return "ok" if reply.get("ok") else reply.get("error", {}).get("code")


class _Umask0(Server):
    """A server started under umask 000, left to its own default role."""

    def __init__(self, db, ep, extra):
        old = os.umask(0)
        try:
            Server.__init__(self, db, ep, extra=list(extra), role=None)
        finally:
            os.umask(old)


def test_tcp_default_role(r, tmp):
    db = os.path.join(tmp, "g6.db")
    make_db(db)
    ep = "tcp://127.0.0.1:%d" % free_port()
    srv = Server(db, ep, role=None)
    try:
        r.check(code(ask(ep, {"op": "rank", "limit": 3})) == "forbidden",
                "G7 tcp:// without --role: rank is forbidden")
        r.check(code(ask(ep, {"op": "invitations", "limit": 3})) == "ok",
                "G7 tcp:// without --role: invitations answered (intranet)")
    finally:
        srv.stop()
    r.check("every local user" not in srv.log(), "G7 no warning without --role hr")
    ep = "tcp://127.0.0.1:%d" % free_port()
    srv = Server(db, ep, role="hr")
    try:
        r.check(code(ask(ep, {"op": "rank", "limit": 3})) == "ok",
                "G7 tcp:// with --role hr: rank answered")
    finally:
        srv.stop()
    r.check("every local user can connect and read HR data" in srv.log(),
            "G7 --role hr on tcp:// logs the warning: %s" % srv.log()[-500:])
    k = os.path.join(tmp, "srv")
    keygen(tmp, "srv")
    _, cpub, _ = keygen(tmp, "cli")
    with open(os.path.join(tmp, "clients.csv"), "w") as f:
        f.write("public_key,role,name\n%s,hr,hr\n" % cpub)
    p = run("serve", "--bind", "tcp://127.0.0.1:%d" % free_port(), "--role", "intranet",
            "--curve-secret", k + ".key", "--clients", os.path.join(tmp, "clients.csv"),
            db=db, timeout=10)
    r.check(p.returncode != 0 and "--role does not apply with CURVE" in p.stderr,
            "G7 --role with CURVE is refused: rc %d %s" % (p.returncode, p.stderr.strip()))
    os.chmod(k + ".key", 0o644)
    p = run("serve", "--bind", "tcp://127.0.0.1:%d" % free_port(), "--curve-secret",
            k + ".key", "--clients", os.path.join(tmp, "clients.csv"), db=db, timeout=10)
    r.check(p.returncode != 0 and "chmod 600 " + k + ".key" in p.stderr,
            "G7 a secret key others may read is refused: rc %d %s" %
            (p.returncode, p.stderr.strip()))
    ck = os.path.join(tmp, "cli.key")
    os.chmod(ck, 0o640)
    p = run("query", '{"op":"ping"}', "--connect", "tcp://127.0.0.1:%d" % free_port(),
            "--curve-server-key", k + ".pub", "--curve-secret", ck, timeout=10)
    r.check(p.returncode != 0 and "chmod 600 " + ck in p.stderr,
            "G7 query refuses a client secret key others may read: rc %d %s" %
            (p.returncode, p.stderr.strip()))


def drop_prefix():
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return None
    return [shutil.which("setpriv"), "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY,
            "--clear-groups"]


def test_ipc_permissions(r, tmp):
    db = os.path.join(tmp, "g7.db")
    make_db(db)
    d = os.path.join(tmp, "sock")
    os.mkdir(d, 0o700)
    os.chmod(tmp, 0o755)  # nobody may traverse to the socket: only its mode stops them
    os.chmod(d, 0o755)
    path = os.path.join(d, "a.sock")
    ep = "ipc://" + path
    srv = _Umask0(db, ep, [])
    try:
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        r.check(mode == 0o600, "G8 socket made under umask 000 is 0600, not %o" % mode)
        r.check(code(ask(ep, {"op": "rank", "limit": 3})) == "ok",
                "G8 ipc:// without --role serves hr to this user")
        prefix = drop_prefix()
        if prefix is None:
            print("    (not root: the check as user nobody is skipped)")
        else:
            client = ("import zmq,sys\n"
                      "s=zmq.Context().socket(zmq.REQ); s.linger=0\n"
                      "s.connect(sys.argv[1]); s.send(b'{\"op\":\"rank\",\"limit\":3}')\n"
                      "print('REPLY' if s.poll(2000) else 'NONE')\n")
            p = subprocess.run(prefix + ["/usr/bin/python3", "-c", client, ep],
                               capture_output=True, text=True, timeout=20)
            r.check(p.stdout.strip() == "NONE",
                    "G8 user nobody gets no reply on the 0600 socket: %r %r" %
                    (p.stdout, p.stderr[-300:]))
            # the control: the same client gets an answer on a 0666 socket
            os.chmod(path, 0o666)
            p = subprocess.run(prefix + ["/usr/bin/python3", "-c", client, ep],
                               capture_output=True, text=True, timeout=20)
            r.check(p.stdout.strip() == "REPLY",
                    "G8 control: nobody does reach a 0666 socket: %r" % (p.stdout,))
            os.chmod(path, 0o600)
    finally:
        srv.stop()

    gname = grp.getgrgid(os.getegid()).gr_name
    ep2 = "ipc://" + os.path.join(d, "g.sock")
    srv = _Umask0(db, ep2, ["--socket-group", gname])
    try:
        st = os.lstat(os.path.join(d, "g.sock"))
        r.check(stat.S_IMODE(st.st_mode) == 0o660 and st.st_gid == os.getegid(),
                "G8 --socket-group: 0660 and the group (%o, gid %d)" %
                (stat.S_IMODE(st.st_mode), st.st_gid))
    finally:
        srv.stop()

    p = run("serve", "--bind", "ipc://@amb-test-abstract", db=db, timeout=10)
    r.check(p.returncode != 0 and "abstract" in p.stderr,
            "G8 abstract ipc:// refused: rc %d %s" % (p.returncode, p.stderr.strip()))
    wide = os.path.join(tmp, "wide")
    os.mkdir(wide)
    os.chmod(wide, 0o777)
    p = run("serve", "--bind", "ipc://%s/w.sock" % wide, db=db, timeout=10)
    r.check(p.returncode != 0 and "chmod go-w" in p.stderr and
            not os.path.exists(os.path.join(wide, "w.sock")),
            "G8 a world-writable directory is refused: rc %d %s" %
            (p.returncode, p.stderr.strip()))


def test_ipc_lock(r, tmp):
    db = os.path.join(tmp, "g8.db")
    make_db(db)
    d = os.path.join(tmp, "lock")
    os.mkdir(d, 0o700)
    path = os.path.join(d, "s.sock")
    ep = "ipc://" + path
    srv = Server(db, ep, role=None)
    try:
        ino = os.lstat(path).st_ino
        p = run("serve", "--bind", ep, db=db, timeout=10)
        r.check(p.returncode != 0 and "another server" in p.stderr,
                "G9 a second serve on the path is refused: rc %d %s" %
                (p.returncode, p.stderr.strip()))
        r.check(os.path.exists(path) and os.lstat(path).st_ino == ino,
                "G9 the first server's socket file is untouched")
        r.check(code(ask(ep, {"op": "ping"})) == "ok", "G9 the first server still answers")
    finally:
        rc = srv.stop()
    r.check(rc == 0, "G9 serve exits 0 on SIGTERM (rc %r)" % rc)
    r.check(not os.path.exists(path) and not os.path.exists(path + ".lock"),
            "G9 socket file and lock removed on exit: %s" % os.listdir(d))
    srv = Server(db, ep, role=None)
    srv.stop(sig=signal.SIGKILL)
    r.check(os.path.exists(path), "G9 kill -9 leaves the socket file")
    srv = Server(db, ep, role=None)
    try:
        r.check(code(ask(ep, {"op": "ping"})) == "ok", "G9 serve starts after a kill -9")
    finally:
        srv.stop()


def test_ipv6_and_localhost(r, tmp):
    db = os.path.join(tmp, "g9.db")
    make_db(db)
    has6 = True
    try:
        s = socket.socket(socket.AF_INET6)
        s.bind(("::1", 0))
        s.close()
    except OSError:
        has6 = False
    if has6:
        ep = "tcp://[::1]:%d" % free_port()
        srv = Server(db, ep, wait=False)
        rep = None
        deadline = time.monotonic() + 15
        while rep is None and time.monotonic() < deadline and srv.proc.poll() is None:
            rep = ask(ep, {"op": "ping"}, timeout=300, ipv6=True)
        srv.stop()
        r.check(code(rep) == "ok", "G10 tcp://[::1] binds and answers: %s" % srv.log()[-300:])
    else:
        print("    (no IPv6 loopback here: [::1] skipped)")
    port = free_port()
    srv = Server(db, "tcp://localhost:%d" % port)
    try:
        r.check(code(ask("tcp://127.0.0.1:%d" % port, {"op": "rank", "limit": 2})) == "ok",
                "G10 tcp://localhost answers on 127.0.0.1")
    finally:
        srv.stop()


def test_broken_clients_file(r, tmp):
    db = os.path.join(tmp, "g10.db")
    make_db(db)
    d = os.path.join(tmp, "g10")
    os.mkdir(d)
    keygen(d, "srv")
    spub = open(os.path.join(d, "srv.pub")).read().strip()
    _, cpub, csec = keygen(d, "cli")
    clients = os.path.join(d, "clients.csv")
    good = "public_key,role,name\n%s,hr,hr\n" % cpub
    with open(clients, "w") as f:
        f.write(good)
    curve = (spub, cpub, csec)
    ep = "tcp://127.0.0.1:%d" % free_port()
    srv = Server(db, ep, extra=["--curve-secret", os.path.join(d, "srv.key"),
                                "--clients", clients], curve=curve)
    try:
        rep = request(ep, {"op": "ping"}, curve=curve)
        r.check(rep and rep.get("ok") and "clients_file" not in rep, "G11 ping before: %r" % rep)
        with open(clients, "w") as f:
            f.write("public_key,role,name\nnot-a-key,hr,hr\n")
        srv.proc.send_signal(signal.SIGHUP)
        stale = None
        for _ in range(50):
            rep = request(ep, {"op": "ping"}, curve=curve)
            if rep and "clients_file" in rep:
                stale = rep
                break
            time.sleep(0.1)
        r.check(stale and stale["clients_file"].startswith("stale"),
                "G11 ping reports the stale clients file: %r" % (rep,))
        rep = request(ep, {"op": "rank", "limit": 1}, curve=curve)
        r.check(rep and rep.get("ok"), "G11 the old list stays in force")

        def status_json():
            p = run("status", "--format", "json", db=db)
            return json.loads(p.stdout) if p.returncode == 0 else {}
        st = {}
        for _ in range(50):  # the loader records it within a poll interval
            st = status_json()
            if "clients_file" in st:
                break
            time.sleep(0.1)
        r.check(st.get("clients_file", "").startswith("stale since"),
                "G11 `ambassador status` reports the stale clients file: %r" % (st,))
        p = run("status", db=db)
        r.check("serve: the clients file is stale since" in p.stdout,
                "G11 status (text) says so: %s" % p.stdout[:400])
        with open(clients, "w") as f:
            f.write(good)
        srv.proc.send_signal(signal.SIGHUP)
        fresh = None
        for _ in range(50):
            rep = request(ep, {"op": "ping"}, curve=curve)
            if rep and rep.get("ok") and "clients_file" not in rep:
                fresh = rep
                break
            time.sleep(0.1)
        r.check(fresh is not None, "G11 a good reload clears it: %r" % (rep,))
        for _ in range(50):
            st = status_json()
            if "clients_file" not in st:
                break
            time.sleep(0.1)
        r.check(st and "clients_file" not in st, "G11 and status no longer reports it: %r" %
                (st,))
    finally:
        srv.stop()
    r.check("clients file not reloaded" in srv.log(), "G11 the failure is logged")


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-local-")
    try:
        r.run(test_tcp_default_role, tmp)
        r.run(test_ipc_permissions, tmp)
        r.run(test_ipc_lock, tmp)
        r.run(test_ipv6_and_localhost, tmp)
        r.run(test_broken_clients_file, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
