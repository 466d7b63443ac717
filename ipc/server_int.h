/* server_int.h - what the files of the server share, and nothing else
 * includes: struct server, the frames the front end and the workers
 * exchange, and the functions one file calls in another.
 *
 * ipc/server.c starts and stops the server; ipc/server_front.c is the
 * front end (the thread that calls ipc_server_run); ipc/server_workers.c
 * the workers and the writer; ipc/server_loader.c the loader thread and
 * the audit queue.
 *
 * Request path: client -> ROUTER (the front end checks the frames and reads
 * the User-Id) -> inproc DEALER -> a worker DEALER (decodes, answers from
 * the served snapshot, queues an audit entry) -> back the same way. The
 * front end never blocks: replies are sent with ROUTER_MANDATORY and
 * DONTWAIT, and a reply to a gone or stalled client is counted and dropped.
 */
#ifndef AMB_IPC_SERVER_INT_H
#define AMB_IPC_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <zmq.h>

#include "core/store.h"
#include "core/store_service.h"
#include "ipc/auth.h"
#include "ipc/endpoint.h"
#include "ipc/invite_book.h"
#include "ipc/reply_cache.h"
#include "ipc/served.h"
#include "ipc/server.h"

#define WORKERS_ENDPOINT "inproc://amb-workers"
#define NOTIFY_ENDPOINT  "inproc://amb-notify"
#define WRITES_ENDPOINT  "inproc://amb-writes"
#define MONITOR_ENDPOINT "inproc://amb-monitor"
#define MAX_FRAMES       8
#define MAX_WORKERS      16
#define FRONT_BATCH      64 /* audit entries the front end batches */
#define REFUSAL_KEYS     32 /* refused keys remembered for a minute */
/* Bounds on what clients can make the server hold (README's fault table,
 * case H4). Replies queued to one client: at most FRONT_SNDHWM messages
 * (then they are dropped and counted: a client that does not read loses
 * its replies, not the server its memory); requests at the workers: at
 * most MAX_INFLIGHT_CLIENT per client and MAX_INFLIGHT in all (more are
 * answered `unavailable` at once). */
#define FRONT_SNDHWM        32
#define FRONT_RCVHWM        256
#define MAX_INFLIGHT        256
#define MAX_INFLIGHT_CLIENT 16
#define ROUTING_ID_MAX      255
/* Per-client rate limits (token buckets keyed by the client's name; every
 * client without CURVE is "local"): the buckets of the RATE_CLIENTS
 * clients seen last. Refusals are counted in the audit log, and logged at
 * most once a minute per client. */
#define RATE_CLIENTS 64
/* Writes (invitation_status) go to one writer thread, so a reader never
 * waits behind a writer: at most WRITE_QUEUE_MAX wait for it (more are
 * answered `unavailable` at once), and it waits at most WRITE_BUSY_MS for
 * the database's write lock (an import or `score` holding it) before
 * answering `unavailable` with a hint to retry. */
#define WRITE_QUEUE_MAX 64
#define WRITE_BUSY_MS   250

/* A request waiting for the writer: its frames as a worker received them. */
struct queued_write {
	zmq_msg_t parts[MAX_FRAMES];
	int n;
};

struct rate_bucket {
	char client[64];
	double tokens;
	int64_t at_us;     /* last refill */
	int64_t logged_at; /* minute of the last log line */
	uint64_t refused;  /* since that line */
};

struct refusal_seen {
	char fp[IPC_FINGERPRINT_LEN + 1];
	time_t at;
};

/* Requests one client has at the workers, by its routing id. */
struct client_load {
	unsigned char id[ROUTING_ID_MAX];
	size_t len;
	int n;
};

struct server {
	const struct ipc_server_opts *opts;
	void *ctx;
	void *front, *back, *pub, *notify, *monitor;
	ipc_auth *auth;
	ipc_endpoint *front_ep, *pub_ep; /* ipc:// locks and socket files */
	reply_cache *cache;              /* the front end's own */
	uint64_t cache_hits, cache_misses;
	struct served_slot slot;
	invite_book *invites;
	store *loader_store; /* owned by the loader thread once it runs */
	struct store_versions seen;

	pthread_mutex_t qmu;
	pthread_cond_t qcv;
	struct audit_entry *queue;
	size_t qn, qcap;
	bool loader_stop; /* under qmu */
	atomic_uint_least64_t audit_dropped;
	/* The loader's last write of the audit log failed: nothing but ping is
	 * answered (docs/operations.md, "When the audit log cannot be
	 * written") until a write succeeds. */
	atomic_bool audit_failing;
	bool audit_to_log; /* a read-only database: audit rows go to the log */
	/* The front end's clients_stale, for the loader: it records the state
	 * in meta 'serve_clients_file' so that `ambassador status` shows it. */
	atomic_bool clients_stale_shared;
	int clients_stale_written; /* loader: -1 unknown, 0 ok, 1 stale */

	atomic_bool workers_stop;
	pthread_t workers[MAX_WORKERS];
	int nworkers;

	/* The writer thread and its queue (a ring under wmu). */
	void *writes; /* front end: replies of the writer */
	pthread_mutex_t wmu;
	pthread_cond_t wcv;
	struct queued_write wqueue[WRITE_QUEUE_MAX];
	size_t whead, wn;
	bool writer_stop; /* under wmu */
	pthread_t writer;
	bool writer_running;
	uint64_t write_refusals; /* queue full; under wmu */
	pthread_t loader;
	bool loader_running;

	int64_t inflight;
	struct client_load loads[MAX_INFLIGHT]; /* the clients with requests in flight */
	size_t nloads;
	uint64_t reply_drops, busy_refusals;
	bool clients_stale;  /* front end: the last SIGHUP reload failed */
	unsigned back_sends; /* sends on `back` in this pass of the loop */

	/* front end only */
	struct audit_entry fbatch[FRONT_BATCH];
	size_t fbatch_n;
	int64_t fbatch_at;
	struct refusal_seen refusal_keys[REFUSAL_KEYS];
	time_t refusal_window;
	/* Client connections (front end): accepted, not yet disconnected, by
	 * file descriptor (from the ROUTER's monitor). */
	int max_conns;
	size_t nconns;
	unsigned char *conn_open; /* one byte a descriptor below conn_fds */
	size_t conn_fds;
	uint64_t conns_refused, conns_refused_quiet;
	time_t conns_logged_at;
	unsigned refusals_logged;
	uint64_t refusals_quiet, auth_refusals;
	struct rate_bucket rates[RATE_CLIENTS];
	size_t nrates;
	uint64_t rate_refusals;
};

/* What the front end tells a worker about a request (first frame). */
struct fwd_head {
	enum ipc_role role;
	bool clients_stale; /* the last SIGHUP reload of the clients file failed */
	char client[64];
};

/* What a worker tells the front end about its reply (first frame); the
 * request bytes follow as the second frame when the reply may be cached. */
struct back_head {
	uint64_t gen; /* snapshot generation the reply was computed from */
	int64_t people;
	enum ipc_role role;
	int cacheable;
	char op[24];
};

struct worker {
	struct server *sv;
	store *st;   /* opened on first write (the writer thread only) */
	bool writer; /* the writer thread: it may write */
};

/* --- server.c ----------------------------------------------------------- */

/* The self-pipe the signal handler writes to: [0] is polled by the front
 * end (-1 when not open). */
extern int sig_pipe[2];

/* CLOCK_MONOTONIC in microseconds. */
int64_t mono_us(void);
/* err_set ERR_INTERNAL with `what` and libzmq's last error. */
int zerr(const char *what);

/* --- server_front.c ----------------------------------------------------- */

/* The front end's loop, run by the thread that called ipc_server_run:
 * returns after SIGINT or SIGTERM, once the requests in flight are
 * answered or DRAIN_MS passed. */
void serve_loop(struct server *sv);
/* Releases a cached reply (a zmq_msg_t the reply cache owns). */
void free_cached_msg(void *p);

/* --- server_workers.c --------------------------------------------------- */

/* The thread bodies of a worker and of the writer (arg: its struct worker). */
void *worker_main(void *arg);
void *writer_main(void *arg);

/* --- server_loader.c ---------------------------------------------------- */

/* The loader thread's body (arg: the struct server). */
void *loader_main(void *arg);
/* Copy src into dst of `size` bytes, cut and always terminated. */
void copy_field(char *dst, size_t size, const char *src);
/* A worker's audit entry: straight to the shared queue. */
void audit_push(struct server *sv, const char *client, enum ipc_role role, const char *op,
                int64_t people, const char *status);
/* The front end's audit entry: into its own batch, handed to the shared
 * queue by front_audit_flush (once a pass of the loop, or when full). */
void front_audit(struct server *sv, const char *client, enum ipc_role role, const char *op,
                 int64_t people, const char *status);
void front_audit_flush(struct server *sv);

#endif
