#!/usr/bin/python3
"""How an intranet asks ambassador whom to invite, and reports back.

Copy this: it lists the next people to invite and records a status, with
a timeout and a retry on every request (a REQ socket that got no reply is
closed and a fresh one sends again), so it never hangs.

    # without CURVE (loopback only; the server decides the role with --role)
    ./intranet_client.py --connect tcp://127.0.0.1:5555
    # with CURVE: the server's public key and this client's key pair
    ./intranet_client.py --connect tcp://hr-box:5555 \\
        --server-key server.pub --secret intranet.key
    # record that someone accepted
    ./intranet_client.py --set EMP00042 accepted

Keys come from `ambassador keygen NAME` (NAME.key is secret, NAME.pub
public); the server's clients file lists this client's public key with the
role `intranet`. Needs pyzmq (Debian: python3-zmq).
"""
import argparse
import json
import sys

import zmq


def read_key(path):
    """The first non-comment line of a key file: 40 characters of Z85."""
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                return line.encode()
    raise SystemExit("%s: no key" % path)


def ask(args, request, timeout_ms=2000, retries=2):
    """Send one request and return the decoded reply (Lazy Pirate)."""
    ctx = zmq.Context.instance()
    for attempt in range(retries + 1):
        sock = ctx.socket(zmq.REQ)
        sock.linger = 0
        if args.server_key:
            public, secret = zmq.curve_public(read_key(args.secret)), read_key(args.secret)
            sock.curve_serverkey = read_key(args.server_key)
            sock.curve_publickey = public
            sock.curve_secretkey = secret
        sock.connect(args.connect)
        sock.send_json(request)
        if sock.poll(timeout_ms) & zmq.POLLIN:
            reply = sock.recv_json()
            sock.close()
            return reply
        sock.close()  # no reply: drop this socket, try again with a new one
    raise SystemExit("no reply from %s" % args.connect)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--connect", default="tcp://127.0.0.1:5555")
    p.add_argument("--server-key", help="the server's public key file (.pub)")
    p.add_argument("--secret", help="this client's secret key file (.key)")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--set", nargs=2, metavar=("EMPLOYEE_ID", "STATUS"),
                   help="record invited, accepted, declined or withdrawn")
    args = p.parse_args()
    if bool(args.server_key) != bool(args.secret):
        p.error("--server-key and --secret go together")

    if args.set:
        employee_id, status = args.set
        reply = ask(args, {"op": "invitation_status", "employee_id": employee_id,
                           "status": status})
    else:
        reply = ask(args, {"op": "invitations", "limit": args.limit})
    if not reply.get("ok"):
        err = reply.get("error", {})
        sys.exit("error %s: %s" % (err.get("code"), err.get("message")))
    if args.set:
        print("%s: %s" % tuple(args.set))
        return
    # Each item holds exactly employee_id, name, email and department.
    for person in reply["items"]:
        print("%-12s %-30s %-35s %s" % (person["employee_id"], person["name"],
                                        person["email"], person["department"]))


if __name__ == "__main__":
    main()
