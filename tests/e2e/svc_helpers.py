"""Helpers for the service end-to-end tests (tests/e2e/test_service*.py).

Builds a small database with the real `ambassador init` and synthetic rows
written with sqlite3 (so the tests do not depend on the importers or the
scorer), starts the real `ambassador serve`, and talks to it with pyzmq.
Every wait is bounded in time.
"""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

import zmq

BINARY = os.environ.get("AMB_BINARY") or os.path.join(
    os.environ.get("AMB_SOURCE_DIR", "."), "build", "dev", "ambassador")
SOURCE = os.environ.get("AMB_SOURCE_DIR", ".")

DEPARTMENTS = ["Sales", "IT", "Legal", "Support", "Finance"]
LEVELS = ["employee", "manager", "intern", "partner"]
HR_ONLY = ("score", "rank", "components", "reason", "reasons", "answers", "activity",
           "attitude", "motivation", "detail", "percentiles", "weights", "level")


# Server stderr that held a sanitizer report (ASan/UBSan builds), checked by
# Results.finish so no test can miss one.
SANITIZER_REPORTS = []


class Results:
    """Counts checks; prints 'N passed, N failed' at the end."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: " + what, flush=True)
        return cond

    def run(self, fn, *args):
        name = fn.__name__
        t0 = time.monotonic()
        try:
            fn(self, *args)
        except Exception as e:  # a crash in a test is a failure, not an abort
            import traceback
            traceback.print_exc()
            self.check(False, "%s raised %r" % (name, e))
        print("  %-55s %.1f s" % (name, time.monotonic() - t0), flush=True)

    def finish(self):
        self.check(not SANITIZER_REPORTS, "sanitizer reports from the server:\n" +
                   "\n".join(SANITIZER_REPORTS)[:4000])
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        sys.exit(1 if self.failed else 0)


def run(*args, env=None, db=None, timeout=60, check=False):
    cmd = [BINARY] + (["--db", db] if db else []) + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), p.stderr))
    return p


def person_id(i):
    return "EMP%05d" % i


def make_db(path, n=60, snapshot_id=1, reverse=False, pilot=True):
    """A database with n people and one published snapshot: person i is
    ranked i (or n+1-i when reverse), the last two are not eligible, the
    very last has opted out. With `pilot`, an approved pilot holds every
    ranked person in rank order (what the intranet invites)."""
    run("init", db=path, check=True)
    db = sqlite3.connect(path)
    with db:
        for i in range(1, n + 1):
            db.execute(
                "INSERT INTO people(pid, employee_id, name, email, department, level, consent,"
                " updated_at) VALUES(?,?,?,?,?,?,?,0)",
                (i, person_id(i), "Synthetic Person %d" % i, "person%d@example.test" % i,
                 DEPARTMENTS[i % len(DEPARTMENTS)], LEVELS[i % len(LEVELS)],
                 "no" if i == n else "yes"))
    add_snapshot(path, snapshot_id, n, reverse)
    db.close()
    if pilot:
        ranked = list(range(1, n - 1))
        if reverse:
            ranked.reverse()
        approve_pilot(path, "pilot-%d" % snapshot_id, snapshot_id, ranked)


def approve_pilot(path, name, snapshot_id, pids):
    """An approved pilot `name` of `pids` in that order, as `pilot propose`
    and `pilot approve` leave it."""
    db = sqlite3.connect(path, timeout=10)
    with db:
        cur = db.execute("INSERT INTO pilots(name, snapshot_id, size, created_at, created_by,"
                         " approved_at, approved_by) VALUES(?,?,?,?,?,?,?)",
                         (name, snapshot_id, len(pids), 1700000000, "test", 1700000100, "test"))
        pilot_id = cur.lastrowid
        db.executemany("INSERT INTO pilot_members(pilot_id, pid, position, reason)"
                       " VALUES(?,?,?,'')", [(pilot_id, pid, k) for k, pid in enumerate(pids, 1)])
        db.execute("INSERT INTO pilot_log(pilot_id, at, author, action) VALUES(?,?,?,?)",
                   (pilot_id, 1700000100, "test", "approve"))
    db.close()


def add_snapshot(path, snapshot_id, n, reverse=False):
    """Write and publish snapshot `snapshot_id` in one transaction, as
    `score` does."""
    db = sqlite3.connect(path, timeout=10)
    with db:
        db.execute(
            "INSERT INTO snapshots(id, computed_at, as_of, profile, profile_version, params,"
            " people, eligible) VALUES(?,?,?,?,?,?,?,?)",
            (snapshot_id, 1700000000 + snapshot_id, 1700000000, "default", 1, "{}", n, n - 2))
        ranked = list(range(1, n - 1))
        if reverse:
            ranked.reverse()
        for r, pid in enumerate(ranked, 1):
            db.execute("INSERT INTO snapshot_scores(snapshot_id, pid, eligible, rank, score,"
                       " activity, attitude, motivation, detail) VALUES(?,?,?,?,?,?,?,?,?)",
                       (snapshot_id, pid, 1, r, 100.0 - r, 0.9 - r / 1000, 0.8, 0.7,
                        json.dumps({"eligible": True})))
        for pid in (n - 1,):
            db.execute("INSERT INTO snapshot_scores(snapshot_id, pid, eligible, rank, score,"
                       " activity, attitude, motivation, detail) VALUES(?,?,?,?,?,?,?,?,?)",
                       (snapshot_id, pid, 0, None, 0.0, 0.1, None, None, "{}"))
        db.execute("INSERT INTO publications(snapshot_id, at, by) VALUES(?,?,?)",
                   (snapshot_id, 1700000000 + snapshot_id, "test"))
    db.close()


def top_of_snapshot(snapshot_id_reverse, n):
    return person_id(n - 2 if snapshot_id_reverse else 1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def keygen(dirname, name):
    prefix = os.path.join(dirname, name)
    run("keygen", prefix, check=True)
    pub = open(prefix + ".pub").read().strip()
    sec = open(prefix + ".key").read().strip()
    return prefix, pub, sec


class Server:
    """A running `ambassador serve`."""

    def __init__(self, db, bind, extra=(), env=None, curve=None, wait=True, global_opts=(),
                 prefix=(), role="hr"):
        """global_opts go before `serve` (e.g. "-v"); prefix before the
        binary (e.g. a setpriv command line). Without CURVE the server is
        started with `--role ROLE` (hr unless the test says otherwise; None
        leaves the server's own default: intranet on tcp://, hr on ipc://)."""
        self.bind = bind
        self.curve = curve  # (server_pub, client_pub, client_sec) for the readiness probe
        self.stderr = tempfile.TemporaryFile(mode="w+")
        extra = list(extra)
        if role and "--curve-secret" not in extra and "--role" not in extra:
            extra += ["--role", role]
        cmd = (list(prefix) + [BINARY, "--db", db] + list(global_opts) +
               ["serve", "--bind", bind, "--poll-ms", "100"] + extra)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.stderr,
                                     env=env)
        if wait and not self.wait_ready():
            raise RuntimeError("server did not start: " + self.log())

    def log(self):
        self.stderr.seek(0)
        return self.stderr.read()

    def wait_ready(self, seconds=15):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            r = request(self.bind, {"op": "ping"}, timeout=300, curve=self.curve)
            if r is not None:
                return True
        return False

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            rc = None
        text = self.log()
        if "Sanitizer" in text or "runtime error:" in text:
            SANITIZER_REPORTS.append(text)
        return rc


def curve_opts(sock, curve):
    if curve:
        server_pub, pub, sec = curve
        sock.curve_serverkey = server_pub.encode()
        sock.curve_publickey = pub.encode()
        sock.curve_secretkey = sec.encode()


def request(endpoint, req, timeout=2000, curve=None, ctx=None, raw=None):
    """One REQ round trip; the decoded reply, or None on timeout."""
    ctx = ctx or zmq.Context.instance()
    s = ctx.socket(zmq.REQ)
    s.linger = 0
    curve_opts(s, curve)
    s.connect(endpoint)
    try:
        s.send(raw if raw is not None else json.dumps(req).encode())
        if s.poll(timeout) & zmq.POLLIN:
            return json.loads(s.recv())
        return None
    finally:
        s.close(0)


def dealer(endpoint, curve=None, ctx=None):
    ctx = ctx or zmq.Context.instance()
    s = ctx.socket(zmq.DEALER)
    s.linger = 0
    curve_opts(s, curve)
    s.connect(endpoint)
    return s


def _request_id(frames):
    """The "id" of a JSON request among the frames, or None."""
    try:
        req = json.loads(frames[-1])
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return req.get("id") if isinstance(req, dict) else None


def matched_reply(sock, want_id, timeout):
    """Read replies on a DEALER until the one for `want_id` (None: a reply
    carrying no "id") arrives; replies to earlier requests that came late
    are dropped. The decoded reply, or None after `timeout` ms."""
    deadline = time.monotonic() + timeout / 1000.0
    while True:
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0 or not (sock.poll(left) & zmq.POLLIN):
            return None
        try:
            rep = json.loads(sock.recv_multipart()[-1])
        except (ValueError, RecursionError):
            continue
        if isinstance(rep, dict) and rep.get("id") == want_id:
            return rep


def dealer_ask(sock, payload, timeout=5000):
    """Send raw frames (bytes or list) on a DEALER; the decoded reply to
    this request or None. Replies are matched by the request's "id" (a
    request without one takes the next reply without one): a late reply to
    an earlier request is never taken for this one's."""
    frames = payload if isinstance(payload, list) else [payload]
    while sock.poll(0) & zmq.POLLIN:  # late replies to earlier requests
        sock.recv_multipart()
    sock.send_multipart(frames)
    return matched_reply(sock, _request_id(frames), timeout)


_next_id = [0]


def dealer_request(sock, req, timeout=5000):
    """Send a request (a dict) on a DEALER with a fresh "id"; its reply or None."""
    _next_id[0] += 1
    req = dict(req, id="t%d" % _next_id[0])
    return dealer_ask(sock, json.dumps(req).encode(), timeout)


def intranet_violation(reply):
    """None when an intranet reply is clean (test plan G3), else why not."""
    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if k in HR_ONLY:
                    return "key %s" % k
                w = walk(x)
                if w:
                    return w
        elif isinstance(v, list):
            for x in v:
                w = walk(x)
                if w:
                    return w
        return None

    bad = walk(reply)
    if bad:
        return bad
    for item in reply.get("items", []) or []:
        if set(item.keys()) != {"employee_id", "name", "email", "department"}:
            return "item keys %s" % sorted(item.keys())
    return None


def percentile(values, p):
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def db_count(path, sql, args=()):
    db = sqlite3.connect(path, timeout=10)
    try:
        return db.execute(sql, args).fetchone()[0]
    finally:
        db.close()


def fd_count(pid):
    """Open file descriptors of a process (-1 when /proc cannot tell)."""
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return -1


# The first 10 bytes of a ZMTP 3 greeting (signature), with no version after.
ZMTP_PARTIAL_GREETING = b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f"


def open_junk(host, port, n):
    """n raw TCP connections that never complete a ZMTP handshake: one in
    three sends 64 random bytes, one in three a partial greeting then
    stalls, one in three sends nothing. Returns [(sock, kind, t_connect)]."""
    out = []
    for i in range(n):
        s = socket.create_connection((host, port), timeout=5)
        t = time.monotonic()
        kind = ("random", "partial", "silent")[i % 3]
        if kind == "random":
            s.sendall(os.urandom(64))
        elif kind == "partial":
            s.sendall(ZMTP_PARTIAL_GREETING)
        s.setblocking(False)
        out.append((s, kind, t))
    return out


def wait_junk_closed(junk, deadline_s):
    """Reads each junk socket until the peer closes it (EOF or reset), up to
    deadline_s seconds after its connect. Returns {index: seconds from
    connect to close}; sockets still open at their deadline are absent."""
    import select
    closed = {}
    open_ = {s.fileno(): (i, s, t) for i, (s, _, t) in enumerate(junk)}
    while open_:
        now = time.monotonic()
        for fd, (i, s, t) in list(open_.items()):
            if now - t > deadline_s:
                del open_[fd]
        if not open_:
            break
        ready, _, _ = select.select([s for _, s, _ in open_.values()], [], [], 0.05)
        now = time.monotonic()
        for s in ready:
            i, _, t = open_[s.fileno()]
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:  # reset by the server: closed
                data = b""
            if not data:
                closed[i] = now - t
                del open_[s.fileno()]
    return closed


# --- additions for the fault tests (C2, C5, C9, F6) -------------------------

def dump_digest(path):
    """(integrity_check result, SHA-256 over an ordered dump of every
    table): equal digests mean "DB unchanged". Opened with mode=ro."""
    import hashlib
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        h = hashlib.sha256()
        tables = con.execute("SELECT name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'"
                             " ORDER BY name").fetchall()
        for name, sql in tables:
            h.update(name.encode())
            h.update((sql or "").encode())
            if not sql or not sql.startswith("CREATE TABLE"):
                continue
            ncol = len(con.execute('SELECT * FROM "%s" LIMIT 0' % name).description)
            order = ",".join(str(c) for c in range(1, ncol + 1))
            for row in con.execute('SELECT * FROM "%s" ORDER BY %s' % (name, order)):
                h.update(repr(row).encode())
        return integrity, h.hexdigest()
    finally:
        con.close()


def sanitized(binary):
    """Whether the binary was built with AddressSanitizer (its memory
    figures then include ASan's quarantine)."""
    try:
        with open(binary, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


def rss_kib(pid):
    """VmRSS of a process in KiB (0 when /proc cannot tell)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class LazyPirate:
    """A REQ client with the Lazy Pirate retry (docs/intranet.md, section 'The
    service'): on no reply within `timeout` ms the socket is closed and
    reopened and the same request (same "id") is sent again, until
    `deadline` (time.monotonic()). ask() returns (reply or None, attempts)."""

    def __init__(self, endpoint, timeout=1500, curve=None, ctx=None):
        self.endpoint = endpoint
        self.timeout = timeout
        self.curve = curve
        self.ctx = ctx or zmq.Context.instance()
        self.sock = None

    def _open(self):
        self.sock = self.ctx.socket(zmq.REQ)
        self.sock.linger = 0
        curve_opts(self.sock, self.curve)
        self.sock.connect(self.endpoint)

    def close(self):
        if self.sock is not None:
            self.sock.close(0)
            self.sock = None

    def ask(self, req, deadline):
        body = json.dumps(req).encode()
        attempts = 0
        while time.monotonic() < deadline:
            if self.sock is None:
                self._open()
            attempts += 1
            self.sock.send(body)
            wait_ms = max(1, min(self.timeout, int((deadline - time.monotonic()) * 1000)))
            if self.sock.poll(wait_ms) & zmq.POLLIN:
                frames = self.sock.recv_multipart()
                if len(frames) != 1:
                    return {"_bad_frames": len(frames)}, attempts
                return json.loads(frames[0]), attempts
            self.close()  # a REQ socket that sent and got nothing is stuck: reopen
        return None, attempts
