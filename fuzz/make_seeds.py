#!/usr/bin/env python3
"""fuzz/make_seeds.py: writes the seed inputs of fuzz_request, fuzz_zap and
fuzz_scoring into fuzz/seeds/<target>/, and the handmade-* inputs of
tests/regress/<target>/. The input layouts are described at the top of each
target's source. Run from anywhere; the output is deterministic, so running
it again changes nothing."""
import math
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write(rel, data):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


# --- fuzz_request: header byte (bit 0 intranet, bit 1 no snapshot,
# bit 2 no status store), then the JSON body --------------------------------
HR, INTRANET, NOSNAP, NOSTORE = 0, 1, 2, 4
REQUESTS = {
    "ping": '{"op":"ping"}',
    "ping-id": '{"op":"ping","id":"req-1"}',
    "rank": '{"op":"rank"}',
    "rank-filters": '{"op":"rank","limit":3,"offset":1,"department":"sales",'
                    '"level":"employee","id":7}',
    "candidates": '{"op":"candidates","size":4}',
    "candidates-share": '{"op":"candidates","size":5,"department":"IT","max_share":0.5}',
    "explain": '{"op":"explain","employee_id":"E1"}',
    "explain-not-eligible": '{"op":"explain","employee_id":"E8"}',
    "explain-bad-detail": '{"op":"explain","employee_id":"E5"}',
    "invitations": '{"op":"invitations","limit":10}',
    "invitations-dept": '{"op":"invitations","department":"Sales"}',
    "status-invited": '{"op":"invitation_status","employee_id":"E1","status":"invited"}',
    "status-declined": '{"op":"invitation_status","employee_id":"E6","status":"declined"}',
    "status-unknown": '{"op":"invitation_status","employee_id":"X9","status":"accepted"}',
    "status-busy": '{"op":"invitation_status","employee_id":"busy","status":"withdrawn"}',
    "unknown-op": '{"op":"drop_tables"}',
    "extra-field": '{"op":"rank","limit":1,"score":true}',
    "duplicate-key": '{"op":"ping","op":"rank"}',
    "deep": '{"op":"ping","x":' + "[" * 40 + "]" * 40 + "}",
    "not-object": '["op","ping"]',
    "bad-utf8": '{"op":"ping","id":"\xff"}',
    "nul-escape": '{"op":"explain","employee_id":"E1\\u0000"}',
    "big-limit": '{"op":"rank","limit":99999999999999999999}',
}
for name, body in REQUESTS.items():
    raw = body.encode("latin-1")
    write(f"fuzz/seeds/fuzz_request/hr-{name}", bytes([HR]) + raw)
    write(f"fuzz/seeds/fuzz_request/intranet-{name}", bytes([INTRANET]) + raw)
write("fuzz/seeds/fuzz_request/nosnap-invitations",
      bytes([INTRANET | NOSNAP]) + REQUESTS["invitations"].encode())
write("fuzz/seeds/fuzz_request/nostore-status",
      bytes([HR | NOSTORE]) + REQUESTS["status-invited"].encode())
write("tests/regress/fuzz_request/handmade-intranet-explain",
      bytes([INTRANET]) + REQUESTS["explain"].encode())
write("tests/regress/fuzz_request/handmade-intranet-invitations",
      bytes([INTRANET]) + b'{"op":"invitations","limit":1000,"id":-1}')
write("tests/regress/fuzz_request/handmade-hr-candidates-all",
      bytes([HR]) + b'{"op":"candidates","size":1000,"max_share":1e-300}')

# --- fuzz_zap: header (bits 0-3 frames mod 9, bit 4 listed key in frame 6,
# bit 5 the second listed key, bit 6 cut frames at NUL), then length-prefixed
# frames -------------------------------------------------------------------
KEYS = [b"ambassador-fuzz-zap-hr-key-0001!", b"ambassador-fuzz-zap-intranet-02!",
        b"ambassador-fuzz-zap-second-hr-3!", b"ambassador-fuzz-zap-not-listed-4"]
assert all(len(k) == 32 for k in KEYS)


def zap(frames, header=None):
    out = bytes([len(frames) if header is None else header])
    for f in frames:
        out += bytes([len(f)]) + f
    return out


def request(key, version=b"1.0", domain=b"ambassador", mech=b"CURVE"):
    return [version, b"\x00\x00\x00\x01", domain, b"127.0.0.1", b"", mech, key]


write("fuzz/seeds/fuzz_zap/listed-hr", zap(request(KEYS[0])))
write("fuzz/seeds/fuzz_zap/listed-intranet", zap(request(KEYS[1])))
write("fuzz/seeds/fuzz_zap/not-listed", zap(request(KEYS[3])))
write("fuzz/seeds/fuzz_zap/plain", zap(request(b"", mech=b"PLAIN")[:6] + [b"user", b"pass"]))
write("fuzz/seeds/fuzz_zap/null", zap(request(b"", mech=b"NULL")[:6]))
write("fuzz/seeds/fuzz_zap/wrong-domain", zap(request(KEYS[0], domain=b"other")))
write("fuzz/seeds/fuzz_zap/wrong-version", zap(request(KEYS[0], version=b"2.0")))
write("fuzz/seeds/fuzz_zap/short-key", zap(request(KEYS[0][:31])))
write("fuzz/seeds/fuzz_zap/no-frames", zap([]))
write("fuzz/seeds/fuzz_zap/eight-frames", zap(request(KEYS[2]) + [b"extra"]))
write("fuzz/seeds/fuzz_zap/substituted-key",
      zap(request(b"x" * 32), header=0x10 | 0x20 | 7))
write("tests/regress/fuzz_zap/handmade-listed-key", zap(request(KEYS[0])))
write("tests/regress/fuzz_zap/handmade-nul-in-mechanism",
      zap(request(KEYS[1], mech=b"CURVE\x00junk"), header=0x40 | 7))
write("tests/regress/fuzz_zap/handmade-truncated", zap(request(KEYS[0]))[:50])

# --- fuzz_scoring: header (bits 0-2 overrides, bits 3-7 list size - 1),
# overrides (index byte + double), then people (flag byte + 9 doubles) ------
PARAMS = ["window_weeks", "half_life_weeks", "volume_conversation", "volume_amplification",
          "engagement_reactions", "engagement_comments", "engagement_shares", "prior_posts",
          "ref_quantile", "authenticity_full", "w_steadiness", "w_volume", "w_response",
          "w_conversation", "extrinsic_penalty", "w_activity", "w_attitude", "w_motivation",
          "component_floor", "require_consent", "cooldown_days", "min_score", "max_share",
          "level_tie", "min_group"]
ANSWERED, CARELESS, CONSENT, PLATFORM = 1, 2, 4, 0x20
INF, NAN = math.inf, math.nan
DENORM = 5e-324


def person(flags, dept, weeks, *v):
    assert len(v) == 9
    return bytes([flags | (dept << 3) | (weeks << 6)]) + struct.pack("<9d", *v)


def scoring(people, size=10, overrides=()):
    out = bytes([len(overrides) | ((size - 1) << 3)])
    for key, val in overrides:
        out += bytes([PARAMS.index(key)]) + struct.pack("<d", val)
    return out + b"".join(people)


def normal(i):
    return person(ANSWERED | CONSENT | PLATFORM, i % 3, i % 4, 0.5 + 0.04 * (i % 10),
                  0.6, 0.3, 10.0 + i, 4.0, 1.0, 10.0 + i, 60.0 + 5 * i, 3.0 + i % 5)


write("fuzz/seeds/fuzz_scoring/empty", scoring([]))
write("fuzz/seeds/fuzz_scoring/one", scoring([normal(1)]))
write("fuzz/seeds/fuzz_scoring/crowd", scoring([normal(i) for i in range(12)], size=5))
write("fuzz/seeds/fuzz_scoring/hostile", scoring([
    normal(0),
    person(ANSWERED | CONSENT, 1, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN),
    person(ANSWERED | CONSENT, 2, 3, INF, INF, -INF, INF, INF, INF, INF, INF, INF),
    person(ANSWERED | CONSENT, 0, 3, -INF, 1.0, INF, -INF, -INF, -INF, -INF, -INF, -INF),
    person(ANSWERED | CONSENT, 3, 1, DENORM, DENORM, DENORM, DENORM, DENORM, DENORM,
           DENORM, DENORM, DENORM),
    person(ANSWERED | CONSENT | PLATFORM, 1, 2, 1e308, 1e308, -1e308, 1e308, 1e308,
           1e308, 1e308, 1e308, 1e308),
    person(ANSWERED | CONSENT, 2, 0, -0.0, -0.0, -0.0, 5.0, -3.0, 2.0, 0.0, 1e300, -1.0),
    normal(7),
]))
write("fuzz/seeds/fuzz_scoring/weights", scoring(
    [normal(i) for i in range(6)], size=3,
    overrides=[("component_floor", 0.5), ("ref_quantile", 1.0), ("w_motivation", 0.0),
               ("prior_posts", 0.0), ("require_consent", 1.0)]))
write("fuzz/seeds/fuzz_scoring/careless-and-unanswered", scoring([
    person(CARELESS | ANSWERED, 0, 3, 0.9, 0.9, 0.1, 20, 2, 0, 20, 100, 5),
    person(CONSENT, 1, 3, 0.9, 0.9, 0.1, 20, 2, 0, 20, 100, 5),
    normal(2),
]))
write("tests/regress/fuzz_scoring/handmade-hostile-ties", scoring([
    person(ANSWERED | CONSENT, 0, 3, 1.0, 1.0, 0.0, INF, 0.0, 0.0, INF, INF, INF),
    person(ANSWERED | CONSENT, 0, 3, 1.0, 1.0, 0.0, INF, 0.0, 0.0, INF, INF, INF),
    person(ANSWERED | CONSENT, 1, 3, 1.0, 1.0, 0.0, 1.0, NAN, -INF, 1.0, NAN, 1e-310),
], size=32))
write("tests/regress/fuzz_scoring/handmade-one-person", scoring([normal(3)], size=1))
