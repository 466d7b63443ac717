#!/usr/bin/python3
"""The reply cache of `serve` (docs/intranet.md, section 'The service'): a request
asked again is answered from the cache, also when it carries another `id`
(each caller gets its own id back), in another key order or spacing; a
different request is not; a new snapshot empties the cache.
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import json
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import Results, Server, add_snapshot, make_db, request  # noqa: E402

N = 30


def cached_lines(srv):
    return sum(1 for x in srv.log().splitlines() if "op=rank" in x and x.rstrip().endswith("cached"))


def wait_lines(srv, want, seconds=5):
    end = time.time() + seconds
    while time.time() < end:
        if cached_lines(srv) >= want:
            return True
        time.sleep(0.05)
    return cached_lines(srv) >= want


def test_ids(r, tmp):
    db = os.path.join(tmp, "c.db")
    make_db(db, N)
    ep = "ipc://%s/c.sock" % tmp
    srv = Server(db, ep, global_opts=["-v"])
    try:
        first = request(ep, {"op": "rank", "limit": 5, "id": 1})
        r.check(first is not None and first.get("ok") and first.get("id") == 1,
                "first rank answered with its id: %r" % (first,))
        base = cached_lines(srv)
        asks = [
            ({"op": "rank", "limit": 5, "id": "second"}, "second"),
            ({"id": 99, "limit": 5, "op": "rank"}, 99),
            (None, "spaced"),
        ]
        for req, want_id in asks:
            if req is None:
                raw = '{ "op" : "rank" , "limit" : 5 , "id" : "spaced" }'
                rep = request(ep, None, raw=raw.encode())
            else:
                rep = request(ep, req)
            r.check(rep is not None and rep.get("id") == want_id,
                    "reply carries this caller's id %r: %r" % (want_id, rep))
            same = dict(rep or {})
            same.pop("id", None)
            ref = dict(first or {})
            ref.pop("id", None)
            r.check(same == ref, "same answer as the first request apart from the id")
        r.check(wait_lines(srv, base + 3),
                "the three repeats were answered from the cache (%d cached lines)" %
                (cached_lines(srv) - base))
        other = request(ep, {"op": "rank", "limit": 6, "id": 5})
        r.check(other is not None and len(other.get("items", [])) == 6,
                "a different request is not a cached one: %r" % (other,))
        time.sleep(0.3)
        r.check(cached_lines(srv) == base + 3, "limit 6 was not answered from the cache")
        # A new snapshot: the same request is computed again, on the new data.
        add_snapshot(db, 2, N, reverse=True)
        end = time.time() + 10
        fresh = None
        while time.time() < end:
            fresh = request(ep, {"op": "rank", "limit": 5, "id": 7})
            if fresh and fresh.get("snapshot", {}).get("id") == 2:
                break
            time.sleep(0.2)
        r.check(fresh is not None and fresh.get("snapshot", {}).get("id") == 2 and
                fresh["items"][0]["employee_id"] != first["items"][0]["employee_id"],
                "after a new snapshot the reply is the new ranking: %r" %
                (json.dumps(fresh)[:300],))
    finally:
        rc = srv.stop(signal.SIGTERM)
    r.check(rc == 0, "serve exits 0 (rc %r)" % (rc,))


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-cache-")
    try:
        r.run(test_ids, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
