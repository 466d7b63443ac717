#!/usr/bin/python3
"""End-to-end tests of `ambassador serve` / `query` / `keygen` /
`invitations` / `erase` / `audit` (test plan E1-E8, F1-F4, F7, F8, G1-G6,
J1, J2): the real binary on a real database, driven by pyzmq and by
`ambassador query`. Prints 'N passed, N failed'; exits non-zero on failure.
"""
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmq  # noqa: E402

from svc_helpers import (BINARY, Results, Server, add_snapshot, approve_pilot,  # noqa: E402
                         db_count, dealer,
                         dealer_ask, dealer_request, free_port, intranet_violation, keygen,
                         make_db, person_id, request, run)

N = 60


def plain_server(r, tmp, role="hr", extra=()):
    db = os.path.join(tmp, "plain.db")
    if not os.path.exists(db):
        make_db(db, N)
    ep = "ipc://%s/plain-%s.sock" % (tmp, role)
    return db, Server(db, ep, extra=["--role", role] + list(extra))


def test_every_op_as_hr(r, tmp):
    db, srv = plain_server(r, tmp)
    ep = srv.bind
    try:
        rep = request(ep, {"op": "ping", "id": "p1"})
        r.check(rep and rep["ok"] and rep["snapshot"]["id"] == 1 and rep["id"] == "p1",
                "ping: %r" % rep)
        rep = request(ep, {"op": "rank", "limit": 5})
        r.check(rep and rep["ok"] and [i["rank"] for i in rep["items"]] == [1, 2, 3, 4, 5],
                "rank: %r" % rep)
        item = rep["items"][0]
        r.check(set(item) == {"employee_id", "name", "department", "level", "rank",
                              "rank_interval", "score", "components"},
                "rank item fields %r" % item)
        r.check(item["rank_interval"] is None, "a snapshot without intervals: %r" % item)
        rep = request(ep, {"op": "rank", "limit": 5000})
        r.check(rep and len(rep["items"]) == N - 2, "rank capped/complete: %d" %
                len(rep["items"]) if rep else -1)
        rep = request(ep, {"op": "rank", "department": "IT", "level": "manager"})
        r.check(rep and rep["ok"] and all(i["department"] == "IT" and i["level"] == "manager"
                                          for i in rep["items"]), "rank filter")
        rep = request(ep, {"op": "explain", "employee_id": person_id(3)})
        r.check(rep and rep["ok"] and rep["rank"] == 3 and "percentiles" in rep and
                rep["decision_support"] is True and isinstance(rep["weights"], dict),
                "explain: %r" % rep)
        rep = request(ep, {"op": "candidates", "size": 5, "max_share": 0.4})
        r.check(rep and rep["ok"] and all("reason" in i for i in rep["items"]),
                "candidates: %r" % rep)
        rep = request(ep, {"op": "invitations", "limit": 3})
        r.check(rep and rep["ok"] and len(rep["items"]) == 3 and
                intranet_violation(rep) is None, "invitations as hr: %r" % rep)
        rep = request(ep, {"op": "invitation_status", "employee_id": person_id(1),
                           "status": "invited"})
        r.check(rep and rep["ok"], "invitation_status as hr: %r" % rep)
    finally:
        r.check(srv.stop() == 0, "server exits 0 on SIGTERM")


def test_every_op_as_intranet_and_the_response_schema(r, tmp):
    db, srv = plain_server(r, tmp, role="intranet")
    ep = srv.bind
    try:
        for req, code in [({"op": "rank"}, "forbidden"),
                          ({"op": "candidates", "size": 3}, "forbidden"),
                          ({"op": "explain", "employee_id": person_id(2)}, "forbidden"),
                          ({"op": "invitations", "role": "hr"}, "bad_request"),
                          ({"op": "invitations", "fields": ["email", "score"]}, "bad_request")]:
            rep = request(ep, req)
            r.check(rep and not rep["ok"] and rep["error"]["code"] == code and
                    intranet_violation(rep) is None, "%r -> %r" % (req, rep))
        rep = request(ep, {"op": "invitations", "limit": 1000})
        r.check(rep and rep["ok"] and intranet_violation(rep) is None, "intranet schema %r" %
                (rep and intranet_violation(rep)))
        ids = [i["employee_id"] for i in rep["items"]]
        r.check(person_id(N) not in ids and person_id(N - 1) not in ids,
                "opted-out and ineligible people are never invited")
        first = ids[0]
        rep = request(ep, {"op": "invitation_status", "employee_id": first,
                           "status": "accepted", "id": 5})
        r.check(rep and rep["ok"] and rep["id"] == 5, "status recorded %r" % rep)
        rep = request(ep, {"op": "invitations", "limit": 1000})
        r.check(first not in [i["employee_id"] for i in rep["items"]],
                "an ambassador leaves the invitation list")
        rep = request(ep, {"op": "invitation_status", "employee_id": "NOBODY",
                           "status": "invited"})
        r.check(rep and rep["error"]["code"] == "not_found", "unknown person %r" % rep)
        hist = db_count(db, "SELECT count(*) FROM invitation_history h JOIN people p"
                        " USING(pid) WHERE p.employee_id = ?", (first,))
        r.check(hist == 1, "history kept (%d)" % hist)
    finally:
        srv.stop()


def test_malformed_requests_E1_E3(r, tmp):
    db, srv = plain_server(r, tmp)
    ep = srv.bind
    cases = [
        (b"not json", "bad_request"), (b'{"op":"ping"', "bad_request"),
        (b'{"op":"p\xc3\x28"}', "bad_request"), (b'{"op":"p\\u0000"}', "bad_request"),
        (b'{"op":"ping","op":"rank"}', "bad_request"), (b"[" * 10000, "bad_request"),
        (b'{"limit":5}', "bad_request"), (b'{"op":"drop_tables"}', "unknown_op"),
        (b'{"op":"rank","limit":"5"}', "bad_request"), (b'{"op":"rank","extra":1}',
                                                          "bad_request"),
        (b'{"op":"rank","limit":-1}', "bad_request"), (b'{"op":"rank","limit":0}',
                                                         "bad_request"),
        (b'{"op":"rank","limit":1e12}', "bad_request"),
        (b'{"op":"rank","offset":1000000000000}', "bad_request"),
        (('{"op":"rank","department":"%s"}' % ("x" * 10240)).encode(), "bad_request"),
        (b'{"op":"explain","employee_id":"NOBODY"}', "not_found"),
    ]
    try:
        d = dealer(ep)
        for i, (raw, code) in enumerate(cases):
            rep = dealer_ask(d, raw)
            r.check(rep is not None and rep.get("ok") is False and
                    rep["error"]["code"] == code, "E1-E3 case %d: %r" % (i, rep))
            probe = dealer_request(d, {"op": "ping"}, 3000)
            r.check(probe and probe["ok"], "probe after case %d" % i)
        rep = request(ep, {"op": "rank", "offset": 10000000})
        r.check(rep and rep["ok"] and rep["items"] == [], "huge offset gives nothing")
        d.close(0)
    finally:
        srv.stop()


def test_frames_E4_E5_E6(r, tmp):
    db, srv = plain_server(r, tmp)
    ep = srv.bind
    try:
        big = dealer(ep)
        big.send(b"x" * (100 * 1024))  # over ZMQ_MAXMSGSIZE: libzmq drops the connection
        r.check(not (big.poll(500) & zmq.POLLIN), "E4: no reply to an oversize frame")
        big.close(0)
        rep = request(ep, {"op": "ping"}, 1000)
        r.check(rep and rep["ok"], "E4: others served after an oversize frame")
        d = dealer(ep)
        rep = dealer_ask(d, [b"{}"] * 1000)
        r.check(rep and rep["error"]["code"] == "bad_request", "E5: 1000 frames: %r" % rep)
        rep = dealer_ask(d, b"")
        r.check(rep and rep["error"]["code"] == "bad_request", "E5: empty frame: %r" % rep)
        rep = dealer_ask(d, [b"", b'{"op":"ping"}'])
        r.check(rep and rep["ok"], "E5: REQ-style envelope from a DEALER: %r" % rep)
        rep = dealer_ask(d, [b"x", b'{"op":"ping"}'])
        r.check(rep and rep["error"]["code"] == "bad_request", "E5: two frames: %r" % rep)
        # E6: send and vanish; and a client that never reads
        for _ in range(20):
            g = dealer(ep)
            g.send(b'{"op":"rank","limit":1000}')
            g.close(0)
        deaf = dealer(ep)
        deaf.sndhwm = 100000
        for _ in range(3000):
            deaf.send(b'{"op":"rank","limit":1000}', zmq.NOBLOCK)
        t0 = time.monotonic()
        rep = dealer_request(d, {"op": "ping"}, 3000)
        r.check(rep and rep["ok"], "E6: served while a client does not read")
        print("    probe latency with a deaf client: %.0f ms" %
              ((time.monotonic() - t0) * 1000))
        deaf.close(0)
        d.close(0)
        time.sleep(0.3)
        rep = request(ep, {"op": "ping"}, 3000)
        r.check(rep and rep["ok"], "E6: still serving")
    finally:
        r.check(srv.stop() == 0, "E6: clean exit after drops")


def test_query_client_E7(r, tmp):
    db, srv = plain_server(r, tmp)
    try:
        p = run("query", '{"op":"rank","limit":2}', "--connect", srv.bind)
        rep = json.loads(p.stdout)
        r.check(p.returncode == 0 and len(rep["items"]) == 2, "query rank: %r" % p.stdout)
        p = run("query", '{"op":"rank","limit":0}', "--connect", srv.bind)
        r.check(p.returncode != 0 and '"bad_request"' in p.stdout, "query exits 1 on ok:false")
    finally:
        srv.stop()
    # nobody answers: bounded, non-zero, no EFSM
    ctx = zmq.Context.instance()
    mute = ctx.socket(zmq.ROUTER)
    mute.linger = 0
    ep = "ipc://%s/mute.sock" % tmp
    mute.bind(ep)
    t0 = time.monotonic()
    p = run("query", '{"op":"ping"}', "--connect", ep, "--timeout", "300", "--retries", "2",
            timeout=20)
    took = time.monotonic() - t0
    r.check(p.returncode != 0 and took < 5 and "EFSM" not in p.stderr and
            "after 3 attempts" in p.stderr, "E7: gives up (%.1f s): %s" % (took, p.stderr))
    mute.close(0)
    # a server that comes up late is reached by a retry (Lazy Pirate)
    late_ep = "ipc://%s/late.sock" % tmp
    q = subprocess.Popen([BINARY, "query", '{"op":"ping"}', "--connect", late_ep, "--timeout",
                          "500", "--retries", "10"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(1.2)
    srv = Server(db, late_ep)
    try:
        out, err = q.communicate(timeout=20)
        r.check(q.returncode == 0 and '"ok":true' in out, "E7: retry reaches a late server: "
                + err)
    finally:
        srv.stop()


def test_pub_E8(r, tmp):
    db = os.path.join(tmp, "pub.db")
    make_db(db, 20)
    ep = "ipc://%s/pub-req.sock" % tmp
    pub = "ipc://%s/pub.sock" % tmp
    srv = Server(db, ep, extra=["--pub", pub])
    ctx = zmq.Context.instance()
    try:
        early = ctx.socket(zmq.SUB)
        early.linger = 0
        early.setsockopt(zmq.SUBSCRIBE, b"scores.updated")
        early.connect(pub)
        time.sleep(0.3)  # the slow-joiner rule: let the subscription arrive
        add_snapshot(db, 2, 20, reverse=True)
        got = early.poll(5000) & zmq.POLLIN
        msg = early.recv_multipart() if got else None
        r.check(msg is not None and msg[0] == b"scores.updated" and
                json.loads(msg[1])["snapshot"]["id"] == 2, "E8: early subscriber: %r" % msg)
        late = ctx.socket(zmq.SUB)
        late.linger = 0
        late.setsockopt(zmq.SUBSCRIBE, b"")
        late.connect(pub)
        r.check(not (late.poll(500) & zmq.POLLIN), "E8: a late subscriber missed it")
        rep = request(ep, {"op": "ping"})
        r.check(rep and rep["snapshot"]["id"] == 2, "E8: ping shows the new snapshot")
        rep = request(ep, {"op": "rank", "limit": 1})
        r.check(rep["items"][0]["employee_id"] == person_id(18), "new ranking served")
        early.close(0)
        late.close(0)
    finally:
        srv.stop()


def curve_setup(tmp):
    _, spub, ssec = keygen(tmp, "server")
    _, hpub, hsec = keygen(tmp, "hr")
    _, ipub, isec = keygen(tmp, "intranet")
    _, xpub, xsec = keygen(tmp, "stranger")
    clients = os.path.join(tmp, "clients.csv")
    with open(clients, "w") as f:
        f.write("public_key,role,name\n%s,hr,hr-portal\n%s,intranet,intranet-web\n" %
                (hpub, ipub))
    return dict(server=(spub, ssec), hr=(hpub, hsec), intranet=(ipub, isec),
                stranger=(xpub, xsec), clients=clients,
                server_key=os.path.join(tmp, "server.key"))


def test_keygen_writes_a_private_secret_key(r, tmp):
    prefix, pub, sec = keygen(tmp, "k1")
    mode = stat.S_IMODE(os.stat(prefix + ".key").st_mode)
    r.check(mode == 0o600, "secret key mode %o" % mode)
    r.check(len(pub) == 40 and len(sec) == 40, "Z85 keys")
    p = run("keygen", prefix)
    r.check(p.returncode != 0 and "--force" in p.stderr, "keygen refuses to overwrite")


def test_curve_auth_F1_F4_G1_G6(r, tmp):
    db = os.path.join(tmp, "curve.db")
    make_db(db, N)
    k = curve_setup(tmp)
    port = free_port()
    ep = "tcp://127.0.0.1:%d" % port
    spub = k["server"][0]
    hr = (spub,) + k["hr"]
    intra = (spub,) + k["intranet"]
    srv = Server(db, ep, extra=["--curve-secret", k["server_key"], "--clients", k["clients"]],
                 curve=hr)
    ctx = zmq.Context.instance()
    try:
        rep = request(ep, {"op": "rank", "limit": 2}, curve=hr)
        r.check(rep and rep["ok"], "hr key ranks: %r" % rep)
        rep = request(ep, {"op": "ping"}, curve=intra)
        r.check(rep and rep["ok"] and rep["role"] == "intranet", "role from the key: %r" % rep)
        before = (db_count(db, "SELECT coalesce(sum(requests), 0) FROM audit_log")
                  if wait_audit(db) else 0)
        # F1: a valid CURVE key that is not listed
        rep = request(ep, {"op": "ping"}, timeout=1000, curve=(spub,) + k["stranger"])
        r.check(rep is None, "F1: unlisted key gets nothing")
        # F2: NULL mechanism, PLAIN, wrong server key
        r.check(request(ep, {"op": "ping"}, timeout=700) is None, "F2: NULL client refused")
        s = ctx.socket(zmq.REQ)
        s.linger = 0
        s.plain_username = b"hr"
        s.plain_password = b"x"
        s.connect(ep)
        s.send(b'{"op":"ping"}')
        r.check(not (s.poll(700) & zmq.POLLIN), "F2: PLAIN client refused")
        s.close(0)
        wrong = (k["stranger"][0],) + k["hr"]
        r.check(request(ep, {"op": "ping"}, timeout=700, curve=wrong) is None,
                "F2: wrong server key refused")
        time.sleep(0.4)
        after = db_count(db, "SELECT coalesce(sum(requests), 0) FROM audit_log")
        r.check(after == before, "F1/F2: no message reached the app (%d -> %d)" %
                (before, after))
        # G1: intranet asks for HR ops
        for op in ({"op": "rank"}, {"op": "explain", "employee_id": person_id(1)},
                   {"op": "candidates"}):
            rep = request(ep, op, curve=intra)
            r.check(rep and rep["error"]["code"] == "forbidden" and "items" not in rep,
                    "G1 %r" % rep)
        # G2: role field in the request is refused, the key decides
        rep = request(ep, {"op": "rank", "role": "hr"}, curve=intra)
        r.check(rep and rep["error"]["code"] in ("forbidden", "bad_request"), "G2 %r" % rep)
        # query CLI with CURVE
        p = run("query", '{"op":"invitations","limit":2}', "--connect", ep,
                "--curve-server-key", os.path.join(tmp, "server.pub"), "--curve-secret",
                os.path.join(tmp, "intranet.key"))
        r.check(p.returncode == 0 and intranet_violation(json.loads(p.stdout)) is None,
                "query with CURVE: %s %s" % (p.stdout, p.stderr))
        # F4: revoke the intranet key, SIGHUP: refused per message on the open connection
        d = dealer(ep, curve=intra)
        rep = dealer_request(d, {"op": "ping"})
        r.check(rep and rep["ok"], "F4: open connection works")
        with open(k["clients"], "w") as f:
            f.write("public_key,role,name\n%s,hr,hr-portal\n" % k["hr"][0])
        srv.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        rep = dealer_request(d, {"op": "invitations"})
        r.check(rep and rep["error"]["code"] == "forbidden", "F4: revoked per message: %r" %
                rep)
        d.close(0)
        r.check(request(ep, {"op": "ping"}, timeout=700, curve=intra) is None,
                "F4: new connections with a revoked key are refused")
        rep = request(ep, {"op": "ping"}, curve=hr)
        r.check(rep and rep["ok"], "F4: others unaffected")
    finally:
        r.check(srv.stop() == 0, "CURVE server exits 0")
    r.check("refused a CURVE client" in srv.log(), "F1: refusal logged")
    r.check(k["stranger"][0] not in srv.log(), "F1: only a fingerprint is logged")
    # G6: the audit log
    p = run("audit", "--limit", "1000", "--format", "json", db=db)
    rows = json.loads(p.stdout)["items"]
    r.check(any(x["role"] == "intranet" and x["op"] == "rank" and x["status"] == "forbidden"
                for x in rows), "G6: forbidden request audited")
    r.check(any(x["client"] == "hr-portal" and x["op"] == "rank" and x["people"] == 2
                for x in rows), "G6: client name and people count")
    blob = p.stdout
    r.check(person_id(1) not in blob and "Synthetic" not in blob and "example.test" not in blob,
            "G6: no personal data in the audit log")


def wait_audit(db, seconds=4.0):
    """True once the audit log has rows and their count held for 0.5 s (the
    loader writes in batches: the first rows may land before the rest)."""
    deadline = time.monotonic() + seconds
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        n = db_count(db, "SELECT coalesce(sum(requests), 0) FROM audit_log")
        if n != last:
            last, since = n, time.monotonic()
        elif n > 0 and time.monotonic() - since >= 0.5:
            return True
        time.sleep(0.1)
    return last > 0


def test_fail_closed_without_zap_F3(r, tmp):
    db = os.path.join(tmp, "f3.db")
    make_db(db, 10)
    k = curve_setup(os.path.join(tmp))
    ep = "tcp://127.0.0.1:%d" % free_port()
    env = dict(os.environ, AMB_TEST_NO_ZAP="1")
    srv = Server(db, ep, extra=["--curve-secret", k["server_key"], "--clients", k["clients"]],
                 env=env, wait=False)
    try:
        time.sleep(0.5)
        r.check(srv.proc.poll() is None, "F3: server runs")
        rep = request(ep, {"op": "ping"}, timeout=1500, curve=(k["server"][0],) + k["hr"])
        r.check(rep is None, "F3: without a ZAP handler even a listed key is refused")
    finally:
        srv.stop()


def test_refuses_to_start_F7_F8(r, tmp):
    db = os.path.join(tmp, "f7.db")
    make_db(db, 5)
    for bind in ("tcp://0.0.0.0:%d" % free_port(), "tcp://*:%d" % free_port(),
                 "tcp://10.1.2.3:5555"):
        p = run("serve", "--bind", bind, db=db, timeout=10)
        r.check(p.returncode != 0 and len(p.stderr.strip().splitlines()) == 1,
                "F7: %s refused with one line: %r" % (bind, p.stderr))
    k = curve_setup(tmp)
    bad = {
        "badkey.csv": "public_key,role,name\n%s,hr,a\nnot-a-key,hr,b\n" % k["hr"][0],
        "badrole.csv": "public_key,role,name\n%s,admin,a\n" % k["hr"][0],
        "dup.csv": "public_key,role,name\n%s,hr,a\n%s,intranet,b\n" % (k["hr"][0],
                                                                      k["hr"][0]),
        "cols.csv": "public_key,role\n%s,hr\n" % k["hr"][0],
    }
    for name, text in bad.items():
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(text)
        p = run("serve", "--bind", "tcp://127.0.0.1:%d" % free_port(), "--curve-secret",
                k["server_key"], "--clients", path, db=db, timeout=10)
        r.check(p.returncode != 0 and (name + ":") in p.stderr,
                "F8: %s refused with file:line: %r" % (name, p.stderr))


def test_erasure_J1_J2_and_cli(r, tmp):
    db = os.path.join(tmp, "erase.db")
    roster = os.path.join(tmp, "roster.csv")
    rows = ["employee_id,name,email,department,level,consent"]
    for i in range(1, 21):
        rows.append("%s,Zelda Quixote%04d,zq%04d@erasure.test,%s,employee,yes" %
                    (person_id(i), i, i, ["Sales", "IT"][i % 2]))
    with open(roster, "w") as f:
        f.write("\n".join(rows) + "\n")
    run("init", db=db, check=True)
    p = run("import", "roster", roster, db=db)
    r.check(p.returncode == 0, "roster import: " + p.stderr)
    con = sqlite3.connect(db)
    with con:
        con.execute("INSERT INTO snapshots(id, computed_at, as_of, profile, profile_version,"
                    " params, people, eligible) VALUES(1,1700000000,1700000000,'default',1,"
                    "'{}',20,20)")
        con.execute("INSERT INTO publications(snapshot_id, at, by) VALUES(1,1700000000,'t')")
        people = con.execute("SELECT pid, employee_id FROM people ORDER BY 2").fetchall()
        for pid, eid in people:
            con.execute("INSERT INTO snapshot_scores(snapshot_id, pid, eligible, rank, score,"
                        " activity, attitude, motivation, detail) VALUES(1,?,1,?,?,0.5,0.5,0.5,?)",
                        (pid, int(eid[3:]), 100 - int(eid[3:]), json.dumps({"id": eid})))
    con.close()
    approve_pilot(db, "erasure pilot", 1, [pid for pid, _ in people])
    victim = person_id(7)
    ep = "ipc://%s/erase.sock" % tmp
    srv = Server(db, ep)
    try:
        p = run("invitations", "set", victim, "declined", db=db)
        r.check(p.returncode == 0, "invitations set: " + p.stderr)
        p = run("invitations", "list", "--limit", "100", "--format", "csv", db=db)
        r.check(p.returncode == 0 and victim not in p.stdout and person_id(8) in p.stdout,
                "declined person not listed by the CLI")
        rep = request(ep, {"op": "explain", "employee_id": victim})
        r.check(rep and rep["ok"], "victim served before erasure")
        p = run("erase", victim, db=db)
        r.check(p.returncode == 0, "erase: " + p.stderr)
        deadline = time.monotonic() + 3
        rep = None
        while time.monotonic() < deadline:
            rep = request(ep, {"op": "explain", "employee_id": victim})
            if rep and not rep["ok"]:
                break
            time.sleep(0.1)
        r.check(rep and rep["error"]["code"] == "not_found", "D3: server forgets at once")
        rep = request(ep, {"op": "rank", "limit": 100})
        r.check(victim not in json.dumps(rep), "erased person absent from rank")
    finally:
        srv.stop()
    p = run("erase", victim, db=db)
    r.check(p.returncode != 0, "erasing twice says not found")
    for suffix in ("", "-wal"):
        path = db + suffix
        data = open(path, "rb").read() if os.path.exists(path) else b""
        for needle in (victim, "Quixote0007", "zq0007@erasure.test"):
            r.check(needle.encode() not in data, "J1: %s found in %s" % (needle, path))
    r.check(db_count(db, "SELECT count(*) FROM erasures") == 1, "J1: erasure recorded")
    r.check(db_count(db, "SELECT count(*) FROM suppressed") == 1, "J2: key suppressed")
    # J2: an old roster (plus a newcomer, so it is not a duplicate) does not bring them back
    with open(roster, "a") as f:
        f.write("%s,New Person,new@erasure.test,IT,employee,yes\n" % person_id(99))
    p = run("import", "roster", roster, db=db)
    r.check(p.returncode == 0, "re-import: " + p.stderr)
    r.check(db_count(db, "SELECT count(*) FROM people WHERE employee_id = ?", (victim,)) == 0,
            "J2: erased person not re-imported")
    p = run("audit", db=db)
    r.check(p.returncode == 0 and victim not in p.stdout, "audit lists without the id")


def test_sigint_stops_cleanly(r, tmp):
    db, srv = plain_server(r, tmp)
    t0 = time.monotonic()
    rc = srv.stop(signal.SIGINT)
    r.check(rc == 0 and time.monotonic() - t0 < 5, "SIGINT: exit 0 in %.1f s" %
            (time.monotonic() - t0))


def test_no_snapshot_is_unavailable(r, tmp):
    db = os.path.join(tmp, "empty.db")
    run("init", db=db, check=True)
    srv = Server(db, "ipc://%s/empty.sock" % tmp)
    try:
        rep = request(srv.bind, {"op": "rank"})
        r.check(rep and rep["error"]["code"] == "unavailable", "no scores: %r" % rep)
        rep = request(srv.bind, {"op": "ping"})
        r.check(rep and rep["ok"] and rep["snapshot"] is None, "ping without scores")
        add_snapshot_people(db)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            rep = request(srv.bind, {"op": "rank"})
            if rep and rep["ok"]:
                break
            time.sleep(0.1)
        r.check(rep and rep["ok"], "first snapshot picked up without a restart")
    finally:
        srv.stop()


def add_snapshot_people(db):
    con = sqlite3.connect(db)
    with con:
        for i in range(1, 6):
            con.execute("INSERT INTO people(pid, employee_id, name, email, department, level,"
                        " consent, updated_at) VALUES(?,?,?,?,?,?,?,0)",
                        (i, person_id(i), "P", "e", "IT", "employee", "yes"))
    con.close()
    add_snapshot(db, 1, 5)


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-svc-")
    try:
        for t in (test_every_op_as_hr, test_every_op_as_intranet_and_the_response_schema,
                  test_malformed_requests_E1_E3, test_frames_E4_E5_E6, test_query_client_E7,
                  test_pub_E8, test_keygen_writes_a_private_secret_key,
                  test_curve_auth_F1_F4_G1_G6, test_fail_closed_without_zap_F3,
                  test_refuses_to_start_F7_F8, test_erasure_J1_J2_and_cli,
                  test_sigint_stops_cleanly, test_no_snapshot_is_unavailable):
            sub = os.path.join(tmp, t.__name__)
            os.mkdir(sub)
            r.run(t, sub)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
