#!/usr/bin/python3
"""Test plan E1-E5, the memory part: after each kind of malformed request
repeated 1 000 times, the server still answers a probe within 1 s and its
RSS has not grown by more than 2 MiB (measured after a warm-up of the same
requests, so one-time allocations do not count).
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import os
import shutil
import signal
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmq  # noqa: E402
from svc_helpers import BINARY, Results, Server, dealer, make_db, request, rss_kib  # noqa: E402

CASES = {
    "not JSON": [b"", b"{not json"],
    "truncated JSON": [b"", b'{"op":"rank","limit":'],
    "invalid UTF-8": [b"", b'{"op":"\xff\xfe"}'],
    "NUL in a string": [b"", b'{"op":"ra\\u0000nk"}'],
    "duplicate keys": [b"", b'{"op":"rank","op":"ping"}'],
    "deep nesting": [b"", b"[" * 10000],
    "wrong types": [b"", b'{"op":"rank","limit":"20"}'],
    "unknown op": [b"", b'{"op":"launch"}'],
    "extra field": [b"", b'{"op":"ping","colour":"red"}'],
    "huge limit": [b"", b'{"op":"rank","limit":1000000000000}'],
    "10 KiB department": [b"", b'{"op":"rank","department":"' + b"d" * 10240 + b'"}'],
    "no delimiter": [b'{"op":"ping"}'],
    "empty frame": [b"", b""],
    "many frames": [b""] + [b"x"] * 100,
}
REPEAT = 1000
MAX_GROWTH_KIB = 2048


def sanitized(binary):
    """AddressSanitizer keeps freed memory in quarantine and grows shadow
    memory: RSS says nothing there (the leak check at exit does)."""
    try:
        with open(binary, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


def run_case(ep, frames, n):
    sock = dealer(ep)
    answered = 0
    try:
        for _ in range(n):
            sock.send_multipart(frames)
            if sock.poll(2000) & zmq.POLLIN:
                sock.recv_multipart()
                answered += 1
    finally:
        sock.close(0)
    return answered


def test_rss(r, tmp):
    db = os.path.join(tmp, "m.db")
    make_db(db, 40)
    ep = "ipc://%s/m.sock" % tmp
    srv = Server(db, ep)
    asan = sanitized(BINARY)
    if asan:
        print("    AddressSanitizer build: RSS is printed, not checked", flush=True)
    try:
        for name, frames in CASES.items():
            run_case(ep, frames, 200)  # warm-up
            before = rss_kib(srv.proc.pid)
            answered = run_case(ep, frames, REPEAT)
            after = rss_kib(srv.proc.pid)
            probe = request(ep, {"op": "ping"}, timeout=1000)
            r.check(probe is not None and probe.get("ok"),
                    "%s: the server answers a probe within 1 s" % name)
            r.check(asan or after - before <= MAX_GROWTH_KIB,
                    "%s x %d: RSS grew %d KiB (%d -> %d)" % (name, REPEAT, after - before,
                                                           before, after))
            print("    %-20s %4d of %d answered, RSS %d -> %d KiB" % (
                name, answered, REPEAT, before, after), flush=True)
    finally:
        rc = srv.stop(signal.SIGTERM)
    r.check(rc == 0, "serve exits 0 (rc %r)" % rc)


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-e-rss-")
    try:
        r.run(test_rss, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
