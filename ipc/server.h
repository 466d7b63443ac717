/* server.h - `ambassador serve`: the ZeroMQ service of docs/design.md, Contract 5.2.
 *
 * Threads and who owns what:
 *  - the calling thread (the front end) owns the client-facing ROUTER, its
 *    monitor socket (with CURVE), the inproc DEALER to the workers, the PUB
 *    socket and the loader's notice socket; it checks frames, looks the
 *    role up per message, answers a request whose reply is in its cache
 *    for the current snapshot (ping, rank, candidates, explain: see
 *    proto_op_cacheable), forwards any other to a worker and the reply
 *    back (caching it when allowed), logs refused CURVE handshakes, and
 *    handles signals;
 *  - N workers, each with its own DEALER (and its own store handle, opened
 *    on the first invitation_status), answer the other requests from memory;
 *  - the loader owns a store handle: it polls for a new snapshot (and for
 *    imports, erasures and invitation changes by other processes), swaps
 *    the served snapshot, and writes the audit log in batches;
 *  - with CURVE, the ZAP handler thread (ipc/auth.c) owns its REP socket.
 * No socket and no store handle is used by two threads.
 */
#ifndef AMB_IPC_SERVER_H
#define AMB_IPC_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc/auth.h"

#define IPC_DEFAULT_ENDPOINT "tcp://127.0.0.1:5555"

struct ipc_server_opts {
	const char *db_path;
	const char *bind;         /* client endpoint */
	const char *pub;          /* NULL: no scores.updated publisher */
	enum ipc_role role;       /* without CURVE: the role every client gets;
	                           * ROLE_NONE: hr on ipc://, intranet on tcp:// */
	const char *socket_group; /* NULL, or the group an ipc socket is shared with */
	const char *curve_secret; /* key file; with clients: CURVE on */
	const char *clients;      /* CLIENTS.csv */
	int workers;              /* 1..16 */
	int poll_ms;              /* how often the loader looks for a new snapshot */
	bool no_zap;              /* tests only: do not start the ZAP handler (fail-closed check) */
	/* --read-only: the database is opened read-only; invitation_status
	 * answers `unavailable` and audit lines go to the log instead. */
	bool read_only;
	/* Requests a second each client may send (0: no limit), and how many
	 * at once (0: as many as a second's worth); past it `rate_limited`. */
	double rate_limit;
	double rate_burst;
	/* Client connections open at once (0: the default, IPC_MAX_CONNECTIONS
	 * or fewer when the file-descriptor limit is lower); one more is
	 * closed as soon as it is accepted. */
	int max_connections;
};

/* The default cap on client connections. */
#define IPC_MAX_CONNECTIONS 1000
/* File descriptors kept for the database, libzmq and the log. */
#define IPC_FD_RESERVE 64

/* 0 when `endpoint` may be bound without CURVE: ipc://, or tcp:// on
 * 127.0.0.0/8, [::1] or localhost; ERR_USAGE (with the reason) otherwise. */
int ipc_endpoint_local(const char *endpoint);

/* Run until SIGINT or SIGTERM. Returns 0 after a clean shutdown, or an
 * err_code when start-up failed (nothing is left running). */
int ipc_server_run(const struct ipc_server_opts *opts);

#endif
