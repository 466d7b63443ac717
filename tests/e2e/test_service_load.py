#!/usr/bin/python3
"""Load tests of `ambassador serve` (test plan H1 with G3, D1, C9-style
SIGTERM under load). H1: 50 CURVE DEALER clients x 400 requests on
loopback TCP, each with a unique id; every reply must match its request,
none lost, none duplicated; every intranet reply is checked against the
intranet schema. Prints req/s and p50/p99, then 'N passed, N failed'.
"""
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmq  # noqa: E402

import re  # noqa: E402
import subprocess  # noqa: E402

from svc_helpers import (BINARY, SOURCE, Results, Server, add_snapshot, curve_opts,  # noqa: E402
                         fd_count, free_port, intranet_violation, keygen, make_db,
                         open_junk, percentile, person_id, request, wait_junk_closed)

N_PEOPLE = 500
CLIENTS = 50
PER_CLIENT = 400
WINDOW = 1          # requests in flight per client (closed loop)
H1_BUDGET_S = 120


def hr_request(i):
    kind = i % 4
    if kind == 0:
        return {"op": "rank", "limit": 20}
    if kind == 1:
        return {"op": "explain", "employee_id": person_id(1 + i % (N_PEOPLE - 2))}
    if kind == 2:
        return {"op": "rank", "limit": 5, "department": "IT"}
    return {"op": "ping"}


def intranet_request(i):
    return {"op": "invitations", "limit": 20} if i % 2 else {"op": "ping"}


def drive(endpoints, clients, per_client, budget_s, curve_for=None, make_req=None,
          on_reply=None, envelope=False):
    """Closed-loop load from one thread over many DEALER sockets (envelope:
    prefix the empty delimiter frame a REP peer such as bench_zmq_echo needs).
    Returns (sent, replies dict id->(reply, latency), duplicates, elapsed)."""
    ctx = zmq.Context.instance()
    socks, poller = [], zmq.Poller()
    for c in range(clients):
        s = ctx.socket(zmq.DEALER)
        s.linger = 0
        s.rcvhwm = s.sndhwm = 0
        if curve_for:
            curve_opts(s, curve_for(c))
        s.connect(endpoints if isinstance(endpoints, str) else endpoints[c % len(endpoints)])
        socks.append(s)
        poller.register(s, zmq.POLLIN)
    sent_at, replies, dup, wrong = {}, {}, 0, 0
    next_n = [0] * clients
    t0 = time.monotonic()

    def send(c):
        n = next_n[c]
        next_n[c] += 1
        rid = "c%d-%d" % (c, n)
        req = make_req(c, n)
        req["id"] = rid
        sent_at[rid] = time.monotonic()
        if envelope:
            socks[c].send_multipart([b"", json.dumps(req).encode()])
        else:
            socks[c].send(json.dumps(req).encode())

    for c in range(clients):
        for _ in range(min(WINDOW, per_client)):
            send(c)
    index = {s: c for c, s in enumerate(socks)}
    total = clients * per_client
    while len(replies) < total and time.monotonic() - t0 < budget_s:
        for s, _ in poller.poll(1000):
            c = index[s]
            while True:
                try:
                    frames = s.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                rep = json.loads(frames[-1])
                rid = rep.get("id")
                if rid in replies:
                    dup += 1
                    continue
                if rid not in sent_at or not rid.startswith("c%d-" % c):
                    wrong += 1
                    continue
                replies[rid] = (rep, time.monotonic() - sent_at[rid])
                if on_reply:
                    on_reply(c, rep)
                if next_n[c] < per_client:
                    send(c)
    elapsed = time.monotonic() - t0
    for s in socks:
        s.close(0)
    return sum(next_n), replies, dup + wrong, elapsed


def server_cpu(pid):
    """User + system CPU seconds of a process so far."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def test_h1_20000_curve_requests_none_lost(r, tmp):
    db = os.path.join(tmp, "h1.db")
    make_db(db, N_PEOPLE)
    _, spub, _ = keygen(tmp, "server")
    _, hpub, hsec = keygen(tmp, "hr")
    _, ipub, isec = keygen(tmp, "intranet")
    clients = os.path.join(tmp, "clients.csv")
    with open(clients, "w") as f:
        f.write("public_key,role,name\n%s,hr,hr\n%s,intranet,intranet\n" % (hpub, ipub))
    ep = "tcp://127.0.0.1:%d" % free_port()
    hr = (spub, hpub, hsec)
    intra = (spub, ipub, isec)
    srv = Server(db, ep, extra=["--curve-secret", os.path.join(tmp, "server.key"),
                                "--clients", clients], curve=hr)
    violations = []

    def check(c, rep):
        if c % 2 == 1:
            v = intranet_violation(rep)
            if v:
                violations.append(v)

    try:
        sent, replies, bad, elapsed = drive(
            ep, CLIENTS, PER_CLIENT, H1_BUDGET_S,
            curve_for=lambda c: intra if c % 2 else hr,
            make_req=lambda c, n: intranet_request(n) if c % 2 else hr_request(n),
            on_reply=check)
        cpu = server_cpu(srv.proc.pid)
    finally:
        rc = srv.stop()
    total = CLIENTS * PER_CLIENT
    print("    H1: server CPU %.1f s (user+sys) during %.1f s" % (cpu, elapsed))
    lat = [v[1] * 1e6 for v in replies.values()]
    failed = sum(1 for v in replies.values() if not v[0].get("ok"))
    print("    H1: %d/%d replies in %.1f s: %.0f req/s, p50 %.0f us, p99 %.0f us" %
          (len(replies), total, elapsed, len(replies) / elapsed, percentile(lat, 50),
           percentile(lat, 99)), flush=True)
    r.check(sent == total and len(replies) == total, "H1: %d of %d replies" %
            (len(replies), total))
    r.check(bad == 0, "H1: %d duplicate or mismatched replies" % bad)
    r.check(failed == 0, "H1: %d error replies" % failed)
    r.check(not violations, "G3: intranet schema violations: %r" % violations[:3])
    r.check(rc == 0, "H1: server exits 0")
    r.check("replies dropped" not in srv.log() or "0 replies dropped" in srv.log(),
            "H1: no dropped replies")


def handshake_ivl_ms():
    """The ZMQ_HANDSHAKE_IVL ipc/server.c sets on the ROUTER (ms), or None."""
    try:
        with open(os.path.join(SOURCE, "ipc", "server.c")) as f:
            m = re.search(r"ZMQ_HANDSHAKE_IVL\s*,\s*(\d+)", f.read())
        return int(m.group(1)) if m else None
    except OSError:
        return None


def legit_p99(sock, n):
    """n sequential requests on a CURVE DEALER: (p99 in us, lost)."""
    lat, lost = [], 0
    for i in range(n):
        req = hr_request(i)
        req["id"] = "legit-%d" % i
        t = time.monotonic()
        sock.send(json.dumps(req).encode())
        got = False
        while sock.poll(2000) & zmq.POLLIN:
            rep = json.loads(sock.recv_multipart()[-1])
            if rep.get("id") == req["id"]:
                got = True
                break
        if got:
            lat.append((time.monotonic() - t) * 1e6)
        else:
            lost += 1
    return percentile(lat, 99), lost


def test_f5_junk_connections_do_not_hurt_curve_clients(r, tmp):
    """test plan F5 (CVE-2020-15166 style): 50 raw TCP connections that send
    junk or a partial greeting or nothing must not slow a CURVE client much,
    must be closed by the server within the handshake interval + 1 s, and
    must not leak descriptors."""
    n_junk, n_req = 50, 500
    db = os.path.join(tmp, "f5.db")
    make_db(db, N_PEOPLE)
    _, spub, _ = keygen(tmp, "server")
    _, hpub, hsec = keygen(tmp, "hr")
    clients = os.path.join(tmp, "clients.csv")
    with open(clients, "w") as f:
        f.write("public_key,role,name\n%s,hr,hr\n" % hpub)
    port = free_port()
    ep = "tcp://127.0.0.1:%d" % port
    hr = (spub, hpub, hsec)
    ivl = handshake_ivl_ms()
    if ivl is None:
        print("    F5: ipc/server.c sets no ZMQ_HANDSHAKE_IVL (libzmq default 30 s);"
              " checking closes with a 35 s bound")
        bound = 35.0
    else:
        bound = ivl / 1000.0 + 1.0
    srv = Server(db, ep, extra=["--curve-secret", os.path.join(tmp, "server.key"),
                                "--clients", clients], curve=hr)
    junk = []
    try:
        ctx = zmq.Context.instance()
        s = ctx.socket(zmq.DEALER)
        s.linger = 0
        curve_opts(s, hr)
        s.connect(ep)
        legit_p99(s, 50)  # warm up: handshake, caches
        p99_before, lost_before = legit_p99(s, n_req)
        fd_base = fd_count(srv.proc.pid)
        junk = open_junk("127.0.0.1", port, n_junk)
        p99_during, lost_during = legit_p99(s, n_req)
        fd_junk = fd_count(srv.proc.pid)  # random-byte ones may already be gone
        closed = wait_junk_closed(junk, bound)
        for j, _, _ in junk:
            j.close()
        deadline = time.monotonic() + 5
        fd_after = fd_count(srv.proc.pid)
        while time.monotonic() < deadline and fd_after > fd_base + 5:
            time.sleep(0.1)
            fd_after = fd_count(srv.proc.pid)
        # The server still serves after all that.
        p99_after, lost_after = legit_p99(s, 20)
        s.close(0)
    finally:
        for j, _, _ in junk:
            j.close()
        rc = srv.stop()
    # 5 ms of slack: on a shared 2-core machine a p99 of 500 requests moves
    # by a few ms with the load beside it (4.0 ms against a 3.6 ms limit
    # once, with the CI build running); the stall this guards against
    # (CVE-2020-15166) holds clients for seconds
    limit = 3 * p99_before + 5000
    print("    F5: CURVE client p99 %.0f us without junk, %.0f us with %d junk connections"
          " (limit %.0f us)" % (p99_before, p99_during, n_junk, limit))
    by_kind = {}
    for i, (_, kind, _) in enumerate(junk):
        if i in closed:
            by_kind.setdefault(kind, []).append(closed[i])
    print("    F5: %d/%d junk connections closed by the server within %.1f s"
          " (handshake interval %s ms): %s" %
          (len(closed), n_junk, bound, ivl,
           ", ".join("%s max %.2f s" % (k, max(v)) for k, v in sorted(by_kind.items()))))
    print("    F5: server fds: baseline %d, with junk open %d, after close %d" %
          (fd_base, fd_junk, fd_after))
    r.check(lost_before == 0 and lost_during == 0 and lost_after == 0,
            "F5: legit replies lost: %d before, %d during, %d after" %
            (lost_before, lost_during, lost_after))
    r.check(p99_during <= limit, "F5: p99 with junk %.0f us > 3x %.0f us + 5 ms" %
            (p99_during, p99_before))
    r.check(len(closed) == n_junk, "F5: %d of %d junk connections not closed within %.1f s" %
            (n_junk - len(closed), n_junk, bound))
    r.check(fd_base > 0 and fd_after <= fd_base + 5,
            "F5: server fds %d after junk, baseline %d" % (fd_after, fd_base))
    r.check(rc == 0, "F5: server exits 0")


def echo_binary():
    return os.path.join(os.path.dirname(os.path.abspath(BINARY)), "bench", "bench_zmq_echo")


def h1_figures(replies, elapsed):
    lat = [v[1] * 1e6 for v in replies.values()]
    return (len(replies) / elapsed if elapsed > 0 else 0.0, percentile(lat, 50),
            percentile(lat, 99))


def test_h1_ratio_plain_vs_raw_zmq_echo(r, tmp):
    """H1 load without CURVE on loopback TCP against our server and against
    the raw libzmq REQ/REP echo (bench_zmq_echo): prints the ratio; fails
    only on lost or mismatched replies."""
    total = CLIENTS * PER_CLIENT
    db = os.path.join(tmp, "ratio.db")
    make_db(db, N_PEOPLE)
    ep = "tcp://127.0.0.1:%d" % free_port()
    srv = Server(db, ep)
    try:
        sent, replies, bad, elapsed = drive(ep, CLIENTS, PER_CLIENT, H1_BUDGET_S,
                                            make_req=lambda c, n: hr_request(n))
    finally:
        rc = srv.stop()
    ours = h1_figures(replies, elapsed)
    failed = sum(1 for v in replies.values() if not v[0].get("ok"))
    print("    H1 plain: %d/%d replies in %.1f s" % (len(replies), total, elapsed))
    r.check(len(replies) == total and bad == 0 and failed == 0,
            "H1 plain: %d of %d replies, %d bad, %d errors" % (len(replies), total, bad, failed))
    r.check(rc == 0, "H1 plain: server exits 0")
    echo = echo_binary()
    if not os.access(echo, os.X_OK):
        print("    H1 ratio: skipped: bench_zmq_echo not built (%s); ours %.0f req/s"
              " p50 %.0f us p99 %.0f us" % ((echo,) + ours), flush=True)
        return
    ep = "tcp://127.0.0.1:%d" % free_port()
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen([echo, "server", ep], stdout=subprocess.DEVNULL, stderr=log)
    try:
        up = False
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            ctx = zmq.Context.instance()
            s = ctx.socket(zmq.REQ)
            s.linger = 0
            s.connect(ep)
            s.send(b"probe")
            up = bool(s.poll(300) & zmq.POLLIN)
            s.close(0)
            if up:
                break
        r.check(up, "H1 echo: bench_zmq_echo did not start")
        if not up:
            return
        sent, replies, bad, elapsed = drive(ep, CLIENTS, PER_CLIENT, H1_BUDGET_S,
                                            make_req=lambda c, n: hr_request(n),
                                            envelope=True)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    theirs = h1_figures(replies, elapsed)
    r.check(len(replies) == total and bad == 0,
            "H1 echo: %d of %d replies, %d bad" % (len(replies), total, bad))

    def ratio(a, b):
        return a / b if b else float("nan")

    print("    H1 ratio: ours %.0f req/s p50 %.0f us p99 %.0f us | echo %.0f req/s p50 %.0f us"
          " p99 %.0f us | ratio req/s %.2f, p50 %.2f, p99 %.2f" %
          (ours + theirs + (ratio(ours[0], theirs[0]), ratio(ours[1], theirs[1]),
                            ratio(ours[2], theirs[2]))), flush=True)


def test_d1_new_snapshot_while_querying(r, tmp):
    db = os.path.join(tmp, "d1.db")
    make_db(db, N_PEOPLE)
    ep = "ipc://%s/d1.sock" % tmp
    srv = Server(db, ep)
    top = {1: person_id(1), 2: person_id(N_PEOPLE - 2)}
    seen = {}
    wrong = []

    def check(c, rep):
        if not rep.get("ok"):
            wrong.append(rep)
            return
        sid = rep["snapshot"]["id"]
        seen[sid] = seen.get(sid, 0) + 1
        if rep["items"][0]["employee_id"] != top[sid]:
            wrong.append("snapshot %d served top %s" % (sid, rep["items"][0]["employee_id"]))

    def writer():
        time.sleep(0.4)
        add_snapshot(db, 2, N_PEOPLE, reverse=True)

    try:
        t = threading.Thread(target=writer)
        t.start()
        sent, replies, bad, elapsed = drive(ep, 20, 600, 60,
                                            make_req=lambda c, n: {"op": "rank", "limit": 3},
                                            on_reply=check)
        t.join()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and 2 not in seen:
            rep = request(ep, {"op": "rank", "limit": 3})
            check(0, rep)
    finally:
        srv.stop()
    print("    D1: replies per snapshot %r in %.1f s" % (seen, elapsed))
    r.check(len(replies) == 12000 and bad == 0, "D1: %d/12000 replies, %d bad" %
            (len(replies), bad))
    r.check(not wrong, "D1: inconsistent or failed replies: %r" % wrong[:3])
    r.check(2 in seen, "D1: the new snapshot was served without a restart")


def test_sigterm_under_load_exits_quickly(r, tmp):
    db = os.path.join(tmp, "term.db")
    make_db(db, N_PEOPLE)
    ep = "ipc://%s/term.sock" % tmp
    srv = Server(db, ep)
    stop = threading.Event()

    def load():
        ctx = zmq.Context.instance()
        s = ctx.socket(zmq.DEALER)
        s.linger = 0
        s.connect(ep)
        n = 0
        while not stop.is_set() and n < 200000:
            s.send(b'{"op":"rank","limit":100}')
            n += 1
            if s.poll(100) & zmq.POLLIN:
                s.recv_multipart()
        s.close(0)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    t0 = time.monotonic()
    rc = srv.stop(signal.SIGTERM, timeout=15)
    took = time.monotonic() - t0
    stop.set()
    for t in threads:
        t.join(10)
    print("    SIGTERM under load: exit %r in %.2f s" % (rc, took))
    r.check(rc == 0 and took < 5, "SIGTERM under load: exit %r in %.1f s" % (rc, took))


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-load-")
    try:
        for t in (test_h1_20000_curve_requests_none_lost, test_h1_ratio_plain_vs_raw_zmq_echo,
                  test_f5_junk_connections_do_not_hurt_curve_clients,
                  test_d1_new_snapshot_while_querying, test_sigterm_under_load_exits_quickly):
            sub = os.path.join(tmp, t.__name__)
            os.mkdir(sub)
            r.run(t, sub)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
