/* server.c - the ROUTER front end, the workers and the loader thread.
 *
 * Request path: client -> ROUTER (this thread checks the frames and reads
 * the User-Id) -> inproc DEALER -> a worker DEALER (decodes, answers from
 * the served snapshot, queues an audit entry) -> back the same way. The
 * front end never blocks: replies are sent with ROUTER_MANDATORY and
 * DONTWAIT, and a reply to a gone or stalled client is counted and dropped.
 *
 * Signals only write a byte to a self-pipe (the one piece of process-wide
 * state here, as a signal handler needs it); the front end polls the pipe
 * with its sockets and stops taking requests on SIGINT/SIGTERM, answers
 * those in flight, and returns.
 */
#include "ipc/server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/store_service.h"
#include "core/testhook.h"
#include "core/timefmt.h"
#include "ipc/endpoint.h"
#include "ipc/invite_book.h"
#include "ipc/protocol.h"
#include "ipc/reply_cache.h"
#include "ipc/served.h"

/* A draft option in libzmq 4.3's header, but honoured by the library
 * Debian ships (the setsockopt succeeds; start-up fails if it does not). */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

#define WORKERS_ENDPOINT "inproc://amb-workers"
#define NOTIFY_ENDPOINT  "inproc://amb-notify"
#define WRITES_ENDPOINT  "inproc://amb-writes"
#define MONITOR_ENDPOINT "inproc://amb-monitor"
#define MAX_FRAMES       8
#define AUDIT_QUEUE_MAX  65536
#define MAX_WORKERS      16
#define DRAIN_MS         3000
#define FRONT_BATCH      64                  /* audit entries the front end batches */
#define CACHE_ENTRIES    4096                /* replies kept per snapshot */
#define CACHE_BYTES      (64u * 1024 * 1024) /* and their bytes */
#define REFUSAL_KEYS     32                  /* refused keys remembered for a minute */
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
#define REFUSAL_LOG_MAX     10 /* refusal lines a minute */
/* Per-client rate limits (token buckets keyed by the client's name; every
 * client without CURVE is "local"): the buckets of the RATE_CLIENTS
 * clients seen last. Refusals are counted in the audit log, and logged at
 * most once a minute per client. */
#define RATE_CLIENTS 64
/* Merged audit rows kept for a retry while the audit log cannot be
 * written; past that they are dropped and counted. */
#define AUDIT_PENDING_MAX 4096
/* Writes (invitation_status) go to one writer thread, so a reader never
 * waits behind a writer: at most WRITE_QUEUE_MAX wait for it (more are
 * answered `unavailable` at once), and it waits at most WRITE_BUSY_MS for
 * the database's write lock (an import or `score` holding it) before
 * answering `unavailable` with a hint to retry. */
#define WRITE_QUEUE_MAX 64
#define WRITE_BUSY_MS   250
#define LOADER_BUSY_MS  250

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

static int sig_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	if (sig_pipe[1] >= 0 && write(sig_pipe[1], &b, 1) < 0) {
		/* the pipe is full: a signal is already pending */
	}
	errno = saved;
}

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int zerr(const char *what)
{
	return err_set(ERR_INTERNAL, "%s: %s", what, zmq_strerror(zmq_errno()));
}

/* --- endpoints ---------------------------------------------------------- */

int ipc_endpoint_local(const char *ep)
{
	const char *host, *colon;
	size_t hlen;

	if (strncmp(ep, "ipc://", 6) == 0 && ep[6])
		return 0;
	if (strncmp(ep, "tcp://", 6) != 0)
		return err_set(
		    ERR_USAGE,
		    "without CURVE only tcp:// on loopback or ipc:// may be bound, not %s", ep);
	host = ep + 6;
	if (host[0] == '[') {
		colon = strstr(host, "]:");
		if (colon && colon - host == 4 && strncmp(host, "[::1]", 5) == 0)
			return 0;
		return err_set(ERR_USAGE, "without CURVE only loopback may be bound, not %s", ep);
	}
	colon = strrchr(host, ':');
	hlen = colon ? (size_t)(colon - host) : strlen(host);
	if (colon && !colon[1])
		colon = NULL;
	if (colon && hlen == 9 && strncasecmp(host, "localhost", 9) == 0)
		return 0;
	if (colon && hlen >= 9 && strncmp(host, "127.", 4) == 0 &&
	    strspn(host, "0123456789.") == hlen) {
		int dots = 0;
		for (size_t i = 0; i < hlen; i++)
			dots += host[i] == '.';
		if (dots == 3)
			return 0;
	}
	return err_set(ERR_USAGE,
	               "without CURVE only loopback (127.0.0.0/8, [::1], localhost) or ipc:// "
	               "may be bound, not %s; use --curve-secret and --clients",
	               ep);
}

/* --- audit queue ------------------------------------------------------------ */

static void copy_field(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void audit_fill(struct audit_entry *e, int64_t at, const char *client, enum ipc_role role,
                       const char *op, int64_t people, const char *status)
{
	e->at = at;
	e->people = people;
	e->requests = 1;
	copy_field(e->client, sizeof(e->client), client);
	copy_field(e->role, sizeof(e->role), ipc_role_name(role));
	copy_field(e->op, sizeof(e->op), op);
	copy_field(e->status, sizeof(e->status), status);
}

/* Append n entries to the shared queue under one lock. */
static void audit_append(struct server *sv, const struct audit_entry *e, size_t n)
{
	pthread_mutex_lock(&sv->qmu);
	for (size_t i = 0; i < n; i++) {
		if (sv->qn >= AUDIT_QUEUE_MAX) {
			atomic_fetch_add(&sv->audit_dropped, n - i);
			break;
		}
		if (sv->qn == sv->qcap) {
			sv->qcap = sv->qcap ? sv->qcap * 2 : 256;
			sv->queue = xreallocarray(sv->queue, sv->qcap, sizeof(*sv->queue));
		}
		sv->queue[sv->qn++] = e[i];
	}
	pthread_mutex_unlock(&sv->qmu);
}

/* A worker's entry: straight to the shared queue. */
static void audit_push(struct server *sv, const char *client, enum ipc_role role, const char *op,
                       int64_t people, const char *status)
{
	struct audit_entry e;

	audit_fill(&e, clock_now(), client, role, op, people, status);
	audit_append(sv, &e, 1);
}

/* The front end's entries go to a batch of its own, handed over under one
 * lock per pass of the serve loop (or when the batch is full). */
static void front_audit_flush(struct server *sv)
{
	if (sv->fbatch_n) {
		audit_append(sv, sv->fbatch, sv->fbatch_n);
		sv->fbatch_n = 0;
	}
}

static void front_audit(struct server *sv, const char *client, enum ipc_role role, const char *op,
                        int64_t people, const char *status)
{
	if (sv->fbatch_n == FRONT_BATCH)
		front_audit_flush(sv);
	if (!sv->fbatch_n)
		sv->fbatch_at = clock_now(); /* one clock read per batch: same second */
	audit_fill(&sv->fbatch[sv->fbatch_n++], sv->fbatch_at, client, role, op, people, status);
}

/* What the loader keeps between flushes: merged rows a failed write left
 * for the next try. */
struct audit_pending {
	struct audit_entry *rows;
	size_t n, cap;
	bool busy_logged; /* said once that the rows wait for a busy database */
};

/* Write the pending rows. Test hook (core/testhook.h):
 * $AMB_TEST_AUDIT_FAIL=FILE makes every write fail as a full disk would
 * while FILE exists, so that the failure policy can be tested end to end. */
static int audit_write(struct server *sv, struct audit_pending *pend)
{
	const char *fail = testhook_env("AMB_TEST_AUDIT_FAIL");

	if (fail && *fail && access(fail, F_OK) == 0)
		return err_set(ERR_FULL, "test hook AMB_TEST_AUDIT_FAIL: %s exists", fail);
	return store_audit_append(sv->loader_store, pend->rows, pend->n);
}

/* Write what is queued, merged per minute with any rows a failed write
 * left (called by the loader thread only). The queue and a spare array
 * swap places, so workers never wait on SQLite. */
static void audit_flush(struct server *sv, struct audit_entry **spare, size_t *spare_cap,
                        struct audit_pending *pend)
{
	struct audit_entry *batch;
	size_t n, cap;
	int rc;

	pthread_mutex_lock(&sv->qmu);
	batch = sv->queue;
	n = sv->qn;
	cap = sv->qcap;
	sv->queue = *spare;
	sv->qcap = *spare_cap;
	sv->qn = 0;
	pthread_mutex_unlock(&sv->qmu);
	if (n && batch && (n = store_audit_merge(batch, n)) > 0) {
		if (!pend->rows || pend->n + n > pend->cap) {
			pend->cap = pend->n + n;
			pend->rows = xreallocarray(pend->rows, pend->cap, sizeof(*pend->rows));
		}
		memcpy(pend->rows + pend->n, batch, n * sizeof(*batch));
		pend->n = store_audit_merge(pend->rows, pend->n + n);
	}
	*spare = batch;
	*spare_cap = cap;
	if (!pend->n)
		return;
	if (sv->audit_to_log) {
		/* Nowhere to store them: the same fields, one log line a row. */
		for (size_t i = 0; i < pend->n; i++) {
			const struct audit_entry *e = &pend->rows[i];
			log_info("audit: minute=%lld client=%s role=%s op=%s requests=%lld "
			         "people=%lld status=%s",
			         (long long)e->at, e->client, e->role, e->op,
			         (long long)e->requests, (long long)e->people, e->status);
		}
	} else if ((rc = audit_write(sv, pend)) != 0) {
		/* Busy (an import or `score` holds the write lock): the rows
		 * wait here, merged per minute, and requests are served, as
		 * long as they fit. Anything else (full, read-only, I/O), or
		 * more rows than fit: nothing but ping is answered. */
		bool held = rc == ERR_BUSY && pend->n <= AUDIT_PENDING_MAX;
		if (held && !pend->busy_logged) {
			log_notice("audit: the database is busy; %zu rows held until it is free",
			           pend->n);
			pend->busy_logged = true;
		}
		if (!held && !atomic_exchange(&sv->audit_failing, true))
			log_error(
			    "audit: the audit log cannot be written (%s); answering only ping "
			    "until it can",
			    err_msg());
		if (pend->n > AUDIT_PENDING_MAX) {
			atomic_fetch_add(&sv->audit_dropped, pend->n - AUDIT_PENDING_MAX);
			pend->n = AUDIT_PENDING_MAX;
		}
		return;
	}
	if (atomic_exchange(&sv->audit_failing, false))
		log_warn("audit: the audit log is written again; serving every op");
	pend->n = 0;
	pend->busy_logged = false;
}

/* --- workers ------------------------------------------------------------------ */

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

/* The writer's connection, opened once (at start, so that a busy
 * database costs no request the opening's wait). */
static int writer_store(struct worker *w)
{
	int rc;

	if (w->st)
		return 0;
	if ((rc = store_open(&w->st, w->sv->opts->db_path,
	                     STORE_MUST_EXIST | (w->sv->opts->read_only ? STORE_READONLY : 0))))
		return rc;
	store_set_busy_ms(w->st, WRITE_BUSY_MS);
	return 0;
}

static int worker_set_status(void *ctx, const char *employee_id, const char *status,
                             const char *reason, const char *by, int64_t at, int64_t *out_pid)
{
	struct worker *w = ctx;
	int rc;

	if (!w->writer) /* cannot happen: workers hand writes to the writer */
		return err_set(ERR_INTERNAL, "a write reached a reader");
	if ((rc = writer_store(w)))
		return rc;
	if (strcmp(status, "none") == 0)
		return store_invitation_reset(w->st, employee_id, reason, by, at, out_pid);
	return store_invitation_set(w->st, employee_id, status, by, at, out_pid);
}

/* Receive one message from the front end: [head, envelope..., body]. */
static int recv_parts(void *sock, zmq_msg_t parts[MAX_FRAMES], int *count)
{
	int n = 0, more = 1;

	while (more) {
		if (n == MAX_FRAMES) { /* cannot happen: the front end checked */
			for (int i = 0; i < n; i++)
				zmq_msg_close(&parts[i]);
			return -1;
		}
		zmq_msg_init(&parts[n]);
		if (zmq_msg_recv(&parts[n], sock, 0) < 0) {
			zmq_msg_close(&parts[n]);
			for (int i = 0; i < n; i++)
				zmq_msg_close(&parts[i]);
			return -1;
		}
		more = zmq_msg_more(&parts[n]);
		n++;
	}
	*count = n;
	return 0;
}

static void answer(struct worker *w, void *sock, zmq_msg_t parts[], int n, bool writes_full)
{
	struct server *sv = w->sv;
	struct fwd_head head;
	struct back_head back;
	struct proto_result res;
	int64_t t0 = mono_us();
	uint64_t gen = 0;
	zmq_msg_t *body = &parts[n - 1];

	if (zmq_msg_size(&parts[0]) != sizeof(head))
		return; /* cannot happen: the front end wrote it */
	memcpy(&head, zmq_msg_data(&parts[0]), sizeof(head));
	head.client[sizeof(head.client) - 1] = '\0';
	served *snap = served_slot_get_gen(&sv->slot, &gen);
	struct proto_env env = {
	    .snap = snap,
	    .invites = sv->invites,
	    .role = head.role,
	    .client = head.client,
	    .now = clock_now(),
	    .set_status = worker_set_status,
	    .set_ctx = w,
	    .clients_stale = head.clients_stale,
	    .audit_failing = atomic_load(&sv->audit_failing),
	    .writes_full = writes_full,
	};
	proto_handle(&env, zmq_msg_data(body), zmq_msg_size(body), &res);
	served_unref(&snap);

	memset(&back, 0, sizeof(back));
	back.gen = gen;
	back.people = res.people;
	back.role = head.role;
	back.cacheable = !head.clients_stale && !env.audit_failing &&
	                 strcmp(res.status, "ok") == 0 && proto_op_cacheable(res.op) &&
	                 zmq_msg_size(body) <= REPLY_CACHE_MAX_KEY;
	copy_field(back.op, sizeof(back.op), res.op);
	zmq_send(sock, &back, sizeof(back), ZMQ_SNDMORE);
	if (back.cacheable)
		zmq_send(sock, zmq_msg_data(body), zmq_msg_size(body), ZMQ_SNDMORE);
	else
		zmq_send(sock, "", 0, ZMQ_SNDMORE);
	for (int i = 1; i < n - 1; i++)
		zmq_send(sock, zmq_msg_data(&parts[i]), zmq_msg_size(&parts[i]), ZMQ_SNDMORE);
	zmq_send(sock, res.reply, res.len, 0);
	audit_push(sv, head.client, head.role, res.op, res.people, res.status);
	log_info("request op=%s role=%s status=%s people=%lld us=%lld", res.op,
	         ipc_role_name(head.role), res.status, (long long)res.people,
	         (long long)(mono_us() - t0));
	proto_result_free(&res);
}

/* Hand a write request to the writer thread: its frames move into the
 * queue. False when the queue is full (the caller answers `unavailable`). */
static bool queue_write(struct server *sv, zmq_msg_t parts[], int n)
{
	bool ok = false;

	pthread_mutex_lock(&sv->wmu);
	if (sv->wn < WRITE_QUEUE_MAX) {
		struct queued_write *q = &sv->wqueue[(sv->whead + sv->wn) % WRITE_QUEUE_MAX];
		for (int i = 0; i < n; i++) {
			zmq_msg_init(&q->parts[i]);
			zmq_msg_move(&q->parts[i], &parts[i]);
		}
		q->n = n;
		sv->wn++;
		ok = true;
		pthread_cond_signal(&sv->wcv);
	} else {
		sv->write_refusals++;
	}
	pthread_mutex_unlock(&sv->wmu);
	return ok;
}

/* The writer: answers the queued writes one at a time, on its own socket
 * to the front end; drains the queue before it stops. */
static void *writer_main(void *arg)
{
	struct worker *w = arg;
	struct server *sv = w->sv;
	void *sock = zmq_socket(sv->ctx, ZMQ_PUSH);
	int linger = 0;

	if (!sock || zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
	    zmq_connect(sock, WRITES_ENDPOINT) != 0) {
		log_error("writer: %s", zmq_strerror(zmq_errno()));
		if (sock)
			zmq_close(sock);
		return NULL;
	}
	if (writer_store(w) != 0)
		log_warn("writer: %s (tried again at the next write)", err_msg());
	for (;;) {
		struct queued_write q;
		pthread_mutex_lock(&sv->wmu);
		while (sv->wn == 0 && !sv->writer_stop)
			pthread_cond_wait(&sv->wcv, &sv->wmu);
		if (sv->wn == 0) {
			pthread_mutex_unlock(&sv->wmu);
			break;
		}
		q = sv->wqueue[sv->whead];
		sv->whead = (sv->whead + 1) % WRITE_QUEUE_MAX;
		sv->wn--;
		pthread_mutex_unlock(&sv->wmu);
		answer(w, sock, q.parts, q.n, false);
		for (int i = 0; i < q.n; i++)
			zmq_msg_close(&q.parts[i]);
	}
	zmq_close(sock);
	store_close(&w->st);
	return NULL;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct server *sv = w->sv;
	void *sock = zmq_socket(sv->ctx, ZMQ_DEALER);
	int linger = 0;

	if (!sock || zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
	    zmq_connect(sock, WORKERS_ENDPOINT) != 0) {
		log_error("worker: %s", zmq_strerror(zmq_errno()));
		if (sock)
			zmq_close(sock);
		return NULL;
	}
	while (!atomic_load(&sv->workers_stop)) {
		zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
		zmq_msg_t parts[MAX_FRAMES];
		int n;

		if (zmq_poll(&item, 1, 100) <= 0 || !(item.revents & ZMQ_POLLIN))
			continue;
		if (recv_parts(sock, parts, &n) != 0)
			continue;
		/* A write goes to the writer thread (its frames move there); a
		 * full queue is answered here, at once. */
		if (n >= 3 &&
		    proto_is_write(zmq_msg_data(&parts[n - 1]), zmq_msg_size(&parts[n - 1]))) {
			if (!queue_write(sv, parts, n))
				answer(w, sock, parts, n, true);
		} else if (n >= 3) {
			answer(w, sock, parts, n, false);
		}
		for (int i = 0; i < n; i++)
			zmq_msg_close(&parts[i]);
	}
	zmq_close(sock);
	store_close(&w->st);
	return NULL;
}

/* --- loader -------------------------------------------------------------------- */

static void notify_main(void *sock, int64_t snapshot)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%lld", (long long)snapshot);

	zmq_send(sock, buf, (size_t)len, ZMQ_DONTWAIT);
}

/* Record a change of the clients file's state in the database (meta
 * 'serve_clients_file': empty when in force, else since when it is stale),
 * so that `ambassador status` says it as loudly as ping does. */
static void note_clients_file(struct server *sv, bool stopping)
{
	bool stale = atomic_load(&sv->clients_stale_shared) && !stopping;
	char value[160], when[32];

	if (sv->audit_to_log || sv->clients_stale_written == (int)stale)
		return;
	if (stale) {
		timefmt_iso(when, sizeof(when), clock_now());
		snprintf(value, sizeof(value),
		         "stale since %s: the last reload (SIGHUP) failed and the previous list is "
		         "in force; see the server log",
		         when);
	} else {
		value[0] = '\0';
	}
	if (sv->clients_stale_written < 0 && !stale) {
		/* at start: clear what a server that died left */
		char *old = NULL;
		if (store_meta_get(sv->loader_store, "serve_clients_file", &old) != 1 || !*old) {
			free(old);
			sv->clients_stale_written = 0;
			return;
		}
		free(old);
	}
	if (store_meta_set(sv->loader_store, "serve_clients_file", value) == 0)
		sv->clients_stale_written = stale;
	else
		log_warn("loader: the clients file's state not recorded: %s", err_msg());
}

static void check_versions(struct server *sv, void *notify)
{
	struct store_versions v;
	served *next = NULL;
	int rc;

	if (store_service_versions(sv->loader_store, &v) != 0) {
		log_warn("loader: %s", err_msg());
		return;
	}
	if (v.invites != sv->seen.invites) {
		if (invite_book_load(sv->invites, sv->loader_store) == 0)
			sv->seen.invites = v.invites;
		else
			log_warn("loader: invitations not reloaded: %s", err_msg());
	}
	if (v.snapshot == sv->seen.snapshot && v.imports == sv->seen.imports &&
	    v.erasures == sv->seen.erasures && v.pilots == sv->seen.pilots)
		return;
	/* A new publication, a pilot decision, or a roster change (opt-outs,
	 * departures) or an erasure that the served copy must reflect at once. */
	rc = served_load(&next, sv->loader_store);
	if (rc != 0 && rc != ERR_NOT_FOUND) {
		log_warn("loader: scores not reloaded: %s", err_msg());
		return;
	}
	int64_t id = next ? served_info(next)->id : 0;
	served_slot_swap(&sv->slot, &next);
	if (id != sv->seen.snapshot) {
		log_info("serving snapshot %lld", (long long)id);
		notify_main(notify, id);
	}
	sv->seen = v;
}

static void *loader_main(void *arg)
{
	struct server *sv = arg;
	void *notify = zmq_socket(sv->ctx, ZMQ_PAIR);
	struct audit_entry *spare = NULL;
	size_t spare_cap = 0;
	struct audit_pending pend = {0};
	int64_t next_poll = mono_us() + (int64_t)sv->opts->poll_ms * 1000;
	int linger = 0;

	zmq_setsockopt(notify, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_connect(notify, NOTIFY_ENDPOINT);
	for (;;) {
		struct timespec deadline;
		bool stop;

		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_nsec += 100 * 1000000L; /* audit batches every 100 ms */
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&sv->qmu);
		if (!sv->loader_stop)
			pthread_cond_timedwait(&sv->qcv, &sv->qmu, &deadline);
		stop = sv->loader_stop;
		pthread_mutex_unlock(&sv->qmu);
		audit_flush(sv, &spare, &spare_cap, &pend);
		if (stop)
			break;
		if (mono_us() >= next_poll) {
			note_clients_file(sv, false);
			check_versions(sv, notify);
			next_poll = mono_us() + (int64_t)sv->opts->poll_ms * 1000;
		}
	}
	note_clients_file(sv, true);
	if (pend.n)
		log_error("audit: %zu rows could not be written before the server stopped", pend.n);
	free(pend.rows);
	free(spare);
	zmq_close(notify);
	return NULL;
}

/* --- front end ------------------------------------------------------------------- */

/* The load entry of routing id `id`, or NULL. At most MAX_INFLIGHT
 * entries: a scan is as quick as a hash for so few. */
static struct client_load *load_find(struct server *sv, const zmq_msg_t *id)
{
	size_t len = zmq_msg_size((zmq_msg_t *)id);
	const void *data = zmq_msg_data((zmq_msg_t *)id);

	for (size_t i = 0; i < sv->nloads; i++)
		if (sv->loads[i].len == len && memcmp(sv->loads[i].id, data, len) == 0)
			return &sv->loads[i];
	return NULL;
}

/* True when one more request of this client may go to a worker. */
static bool load_room(struct server *sv, const zmq_msg_t *id)
{
	const struct client_load *l = load_find(sv, id);

	return sv->inflight < MAX_INFLIGHT && sv->nloads < MAX_INFLIGHT &&
	       zmq_msg_size((zmq_msg_t *)id) <= ROUTING_ID_MAX &&
	       (!l || l->n < MAX_INFLIGHT_CLIENT);
}

static void load_add(struct server *sv, const zmq_msg_t *id, int delta)
{
	struct client_load *l = load_find(sv, id);
	size_t len = zmq_msg_size((zmq_msg_t *)id);

	if (!l && delta > 0 && len <= ROUTING_ID_MAX && sv->nloads < MAX_INFLIGHT) {
		l = &sv->loads[sv->nloads++];
		memcpy(l->id, zmq_msg_data((zmq_msg_t *)id), len);
		l->len = len;
		l->n = 0;
	}
	if (!l)
		return;
	l->n += delta;
	if (l->n <= 0)
		*l = sv->loads[--sv->nloads]; /* swap-remove */
}

/* Send [identity, (""), reply] to a client, never blocking; the frames
 * are consumed. Returns false (and counts a drop) when the client is gone
 * (EHOSTUNREACH) or stopped reading (EAGAIN). */
/* Send the first frame of a reply (the client's routing id) without
 * blocking. A full pipe (EAGAIN) may only look full: libzmq learns that
 * the client read its replies from commands it processes at most once a
 * millisecond on a send, so under load the count it checks the high-water
 * mark against can be stale by a batch. Reading ZMQ_EVENTS processes those
 * commands; then one retry tells a stalled client from a stale count.
 * (Seen: 1 reply in 3,020 dropped for a client with 12 requests in flight
 * and a high-water mark of 32, on a loaded machine.) */
static int send_first(struct server *sv, zmq_msg_t *id)
{
	int events;
	size_t len = sizeof(events);

	if (zmq_msg_send(id, sv->front, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
		return 0;
	if (zmq_errno() != EAGAIN || zmq_getsockopt(sv->front, ZMQ_EVENTS, &events, &len) != 0)
		return -1;
	return zmq_msg_send(id, sv->front, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 ? 0 : -1;
}

static bool to_client(struct server *sv, zmq_msg_t *id, zmq_msg_t *delim, zmq_msg_t *reply)
{
	if (send_first(sv, id) < 0 ||
	    (delim && zmq_msg_send(delim, sv->front, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) ||
	    zmq_msg_send(reply, sv->front, ZMQ_DONTWAIT) < 0) {
		sv->reply_drops++;
		log_debug("reply dropped: %s", zmq_strerror(zmq_errno()));
		return false;
	}
	return true;
}

static void free_cached_msg(void *p)
{
	zmq_msg_t *m = p;

	zmq_msg_close(m);
	free(m);
}

/* zmq_msg_init_data's release of malloc'ed reply bytes. */
static void free_bytes(void *data, void *hint)
{
	(void)hint;
	free(data);
}

/* The reply-cache key of a request: its bytes, or for a request with an
 * `id` its canonical form without the id (*canon, *id_text set; see
 * proto_cache_key). False when it must not be looked up or stored. */
static bool cache_key(const zmq_msg_t *req, const void **key, size_t *klen, char **canon,
                      char **id_text)
{
	*key = zmq_msg_data((zmq_msg_t *)req);
	*klen = zmq_msg_size((zmq_msg_t *)req);
	*canon = *id_text = NULL;
	if (!memmem(*key, *klen, "\"id\"", 4))
		return true;
	switch (proto_cache_key(*key, *klen, canon, id_text)) {
	case 0: return true;
	case 1:
		*key = *canon;
		*klen = strlen(*canon);
		return true;
	default: return false;
	}
}

/* An error reply sent from the front end. When the request `body` (may be
 * NULL) carries an "id", the reply carries it too, so a client matching
 * replies to requests by id sees this one. retry_ms > 0 adds the error's
 * retry_after_ms. */
static void reply_error_retry(struct server *sv, zmq_msg_t *id, bool delimiter,
                              const zmq_msg_t *body, const char *code, const char *msg,
                              int64_t retry_ms, const char *client, enum ipc_role role)
{
	size_t len, rl;
	char *text = proto_error_reply_retry(code, msg, retry_ms, &len);
	char *canon = NULL, *id_text = NULL, *with_id;
	const void *key;
	size_t klen;

	if (body && cache_key(body, &key, &klen, &canon, &id_text) && id_text &&
	    (with_id = proto_reply_with_id(text, len, id_text, &rl))) {
		free(text);
		text = with_id;
		len = rl;
	}
	free(canon);
	free(id_text);

	zmq_msg_t first;

	zmq_msg_init(&first);
	zmq_msg_copy(&first, id);
	if (send_first(sv, &first) == 0) {
		if (delimiter)
			zmq_send(sv->front, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
		zmq_send(sv->front, text, len, ZMQ_DONTWAIT);
	} else {
		sv->reply_drops++;
	}
	zmq_msg_close(&first);
	free(text);
	front_audit(sv, client, role, "-", 0, code);
}

static void reply_error(struct server *sv, zmq_msg_t *id, bool delimiter, const zmq_msg_t *body,
                        const char *code, const char *msg, const char *client, enum ipc_role role)
{
	reply_error_retry(sv, id, delimiter, body, code, msg, 0, client, role);
}

/* Take one request from `client`'s bucket: true when it may be served.
 * The bucket holds up to rate_burst requests and refills at rate_limit a
 * second; 0 turns limits off. A refusal sets *retry_ms to when the next
 * request would be served. */
static bool rate_take(struct server *sv, const char *client, int64_t *retry_ms)
{
	double rate = sv->opts->rate_limit, burst = sv->opts->rate_burst;
	int64_t now = mono_us();
	struct rate_bucket *b = NULL, *oldest = NULL;

	if (rate <= 0)
		return true;
	if (burst < 1)
		burst = rate < 1 ? 1 : rate;
	for (size_t i = 0; i < sv->nrates; i++) {
		if (strcmp(sv->rates[i].client, client) == 0) {
			b = &sv->rates[i];
			break;
		}
		if (!oldest || sv->rates[i].at_us < oldest->at_us)
			oldest = &sv->rates[i];
	}
	if (!b) {
		b = sv->nrates < RATE_CLIENTS ? &sv->rates[sv->nrates++] : oldest;
		*b = (struct rate_bucket){.tokens = burst, .at_us = now, .logged_at = -1};
		copy_field(b->client, sizeof(b->client), client);
	}
	b->tokens += (double)(now - b->at_us) * rate / 1e6;
	if (b->tokens > burst)
		b->tokens = burst;
	b->at_us = now;
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return true;
	}
	*retry_ms = (int64_t)((1 - b->tokens) * 1000 / rate) + 1;
	sv->rate_refusals++;
	b->refused++;
	if (b->logged_at != now / 60000000) {
		/* One line a minute per client; the audit log counts each. */
		log_warn("client %s is over its rate limit (%g a second, bursts of %g); %llu "
		         "requests refused since the last line",
		         b->client, rate, burst, (unsigned long long)b->refused);
		b->logged_at = now / 60000000;
		b->refused = 0;
	}
	return false;
}

/* One client message: [identity, body] (DEALER) or [identity, "", body]
 * (REQ). Anything else is refused; frames past MAX_FRAMES are drained.
 * The role comes from the live allowlist entry of the message's User-Id,
 * looked up for every message. A request whose reply is in the cache for
 * the current snapshot is answered here; any other goes to a worker.
 * Returns false when there was no message to read. */
static bool from_client(struct server *sv)
{
	zmq_msg_t f[MAX_FRAMES];
	int n = 0, more = 1, total = 0;
	char client[64] = "local";
	enum ipc_role role = sv->opts->role;
	char *canon = NULL, *id_text = NULL;

	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sv->front, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			break;
		}
		more = zmq_msg_more(&m);
		total++;
		if (n < MAX_FRAMES)
			f[n++] = m;
		else
			zmq_msg_close(&m);
	}
	if (total == 0)
		return false;
	if (n < 2)
		goto done;
	bool delim = zmq_msg_size(&f[1]) == 0;
	if (total > 3 || (total == 3 && !delim)) {
		reply_error(sv, &f[0], delim, NULL, "bad_request", "a request is one frame of JSON",
		            "-", ROLE_NONE);
		goto done;
	}
	if (sv->auth) {
		const char *uid = zmq_msg_gets(&f[n - 1], "User-Id");
		if (!uid) {
			reply_error(sv, &f[0], delim, &f[n - 1], "forbidden", "no client identity",
			            "-", ROLE_NONE);
			goto done;
		}
		if (!ipc_auth_lookup(sv->auth, uid, &role, client, sizeof(client))) {
			/* Revoked since the handshake: refused per message. */
			snprintf(client, sizeof(client), "revoked:%.8s", uid);
			reply_error(sv, &f[0], delim, &f[n - 1], "forbidden",
			            "this client key is not allowed", client, ROLE_NONE);
			goto done;
		}
	}

	zmq_msg_t *body = &f[n - 1];
	const struct reply_cache_meta *meta = NULL;
	zmq_msg_t *cached = NULL;
	const void *key;
	size_t klen;
	int64_t retry_ms = 0;

	if (!rate_take(sv, client, &retry_ms)) {
		char msg[160];
		snprintf(msg, sizeof(msg),
		         "client %.64s is over its rate limit; retry in %lld ms (retry_after_ms)",
		         client, (long long)retry_ms);
		reply_error_retry(sv, &f[0], delim, body, "rate_limited", msg, retry_ms, client,
		                  role);
		goto done;
	}
	reply_cache_sync(sv->cache, served_slot_generation(&sv->slot));
	/* While the clients file is stale every ping must say so, and while
	 * the audit log cannot be written only ping is answered: no cache. */
	if (!sv->clients_stale && !atomic_load(&sv->audit_failing) &&
	    cache_key(body, &key, &klen, &canon, &id_text))
		cached = reply_cache_get(sv->cache, (unsigned)role, key, klen, &meta);
	if (cached) {
		zmq_msg_t out;
		size_t rl;
		char *r;
		if (!id_text) {
			zmq_msg_init(&out);
			zmq_msg_copy(&out, cached); /* shares the bytes: no copy, no encoding */
		} else if ((r = proto_reply_with_id(zmq_msg_data(cached), zmq_msg_size(cached),
		                                    id_text, &rl))) {
			zmq_msg_init_data(&out, r, rl, free_bytes, NULL); /* this caller's id */
		} else {
			goto forward; /* cannot happen: cached replies are JSON objects */
		}
		to_client(sv, &f[0], delim ? &f[1] : NULL, &out);
		zmq_msg_close(&out);
		front_audit(sv, client, role, meta->op, meta->people, "ok");
		sv->cache_hits++;
		log_info("request op=%s role=%s status=ok people=%lld cached", meta->op,
		         ipc_role_name(role), (long long)meta->people);
		goto done;
	}

forward:
	if (!load_room(sv, &f[0])) {
		sv->busy_refusals++;
		reply_error(sv, &f[0], delim, &f[n - 1], "unavailable",
		            "too many requests in flight; retry after a reply", client, role);
		goto done;
	}
	struct fwd_head head = {.role = role, .clients_stale = sv->clients_stale};
	copy_field(head.client, sizeof(head.client), client);
	sv->back_sends++;
	if (zmq_send(sv->back, &head, sizeof(head), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
		reply_error(sv, &f[0], delim, &f[n - 1], "unavailable", "the server is busy; retry",
		            client, role);
		goto done;
	}
	load_add(sv, &f[0], 1);
	for (int i = 0; i < n; i++)
		zmq_msg_send(&f[i], sv->back, i < n - 1 ? ZMQ_SNDMORE : 0);
	n = 0; /* sent messages are emptied by zmq_msg_send */
	sv->inflight++;
	sv->cache_misses++;
done:
	for (int i = 0; i < n; i++)
		zmq_msg_close(&f[i]);
	free(canon);
	free(id_text);
	return true;
}

/* A worker's reply: [head, request, identity, (""), body]. The body goes
 * to the client, never blocking, and into the cache when the worker says
 * it may and the snapshot it used is still the one served. Returns false
 * when there was no message to read. */
static bool from_worker(struct server *sv, void *sock)
{
	zmq_msg_t f[MAX_FRAMES];
	int n = 0, more = 1;
	struct back_head head;

	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			break;
		}
		more = zmq_msg_more(&m);
		if (n < MAX_FRAMES)
			f[n++] = m;
		else
			zmq_msg_close(&m);
	}
	if (n == 0)
		return false;
	sv->inflight--;
	if (n < 4 || n > 5 || zmq_msg_size(&f[0]) != sizeof(head))
		goto done; /* cannot happen: a worker wrote it */
	load_add(sv, &f[2], -1);
	memcpy(&head, zmq_msg_data(&f[0]), sizeof(head));
	head.op[sizeof(head.op) - 1] = '\0';
	zmq_msg_t *reply = &f[n - 1];
	if (head.cacheable) {
		const void *key;
		size_t klen;
		char *canon = NULL, *id_text = NULL;
		reply_cache_sync(sv->cache, served_slot_generation(&sv->slot));
		if (head.gen == reply_cache_gen(sv->cache) &&
		    cache_key(&f[1], &key, &klen, &canon, &id_text)) {
			struct reply_cache_meta meta = {.people = head.people};
			zmq_msg_t *keep = xmalloc(sizeof(*keep));
			char *bare = NULL;
			size_t blen = 0;
			/* With an id the reply is kept without it (each hit gets
			 * its own); a reply not ending in that id is not kept. */
			if (id_text &&
			    !(bare = proto_reply_without_id(zmq_msg_data(reply),
			                                    zmq_msg_size(reply), id_text, &blen))) {
				free(keep);
				keep = NULL;
			} else if (bare) {
				zmq_msg_init_data(keep, bare, blen, free_bytes, NULL);
			} else {
				zmq_msg_init(keep);
				zmq_msg_copy(keep, reply);
			}
			copy_field(meta.op, sizeof(meta.op), head.op);
			if (keep)
				reply_cache_put(sv->cache, head.gen, (unsigned)head.role, key, klen,
				                keep, zmq_msg_size(keep), &meta);
		}
		free(canon);
		free(id_text);
	}
	to_client(sv, &f[2], n == 5 ? &f[3] : NULL, reply);
done:
	for (int i = 0; i < n; i++)
		zmq_msg_close(&f[i]);
	return true;
}

/* --- refused clients (test plan F1) -------------------------------------------- */

/* Log a refused handshake: the key fingerprint the ZAP handler recorded
 * for it, never a name. Each key at most once a minute, and at most
 * REFUSAL_LOG_MAX lines a minute in all, so a flood cannot fill the log. */
static void log_auth_refusal(struct server *sv, unsigned status)
{
	char fp[IPC_FINGERPRINT_LEN + 1] = "";
	time_t now = time(NULL);
	struct refusal_seen *slot = NULL;

	sv->auth_refusals++;
	if (!sv->auth || !ipc_auth_take_refusal(sv->auth, fp))
		snprintf(fp, sizeof(fp), "unknown");
	if (now / 60 != sv->refusal_window) {
		sv->refusal_window = now / 60;
		sv->refusals_logged = 0;
	}
	for (size_t i = 0; i < REFUSAL_KEYS; i++) {
		struct refusal_seen *r = &sv->refusal_keys[i];
		if (strcmp(r->fp, fp) == 0 && now - r->at < 60) {
			sv->refusals_quiet++;
			return;
		}
		if (!slot || r->at < slot->at)
			slot = r;
	}
	if (sv->refusals_logged >= REFUSAL_LOG_MAX) {
		sv->refusals_quiet++;
		return;
	}
	sv->refusals_logged++;
	snprintf(slot->fp, sizeof(slot->fp), "%s", fp);
	slot->at = now;
	if (sv->refusals_quiet)
		log_warn("auth: refused a CURVE client (key %s..., status %u); %llu more refusals "
		         "not logged",
		         fp, status, (unsigned long long)sv->refusals_quiet);
	else
		log_warn("auth: refused a CURVE client (key %s..., status %u)", fp, status);
	sv->refusals_quiet = 0;
}

/* A client connection accepted (its descriptor from the monitor): over
 * the cap, it is shut down at once (libzmq then closes it and the client
 * retries later); a refusal is logged at most once a minute. The
 * descriptor is still libzmq's here: the event comes before its
 * DISCONNECTED, which is read in order, so it is not yet reused by
 * another connection of this socket. */
static void conn_accepted(struct server *sv, uint32_t fd)
{
	time_t now = time(NULL);

	if (sv->nconns < (size_t)sv->max_conns) {
		if (fd < sv->conn_fds && !sv->conn_open[fd]) {
			sv->conn_open[fd] = 1;
			sv->nconns++;
		}
		return;
	}
	shutdown((int)fd, SHUT_RDWR);
	sv->conns_refused++;
	if (now - sv->conns_logged_at < 60) {
		sv->conns_refused_quiet++;
		return;
	}
	sv->conns_logged_at = now;
	log_warn("connections: %zu open, the most allowed (--max-connections %d): a new one "
	         "was closed%s",
	         sv->nconns, sv->max_conns,
	         sv->conns_refused_quiet ? "; more were in the last minute" : "");
	sv->conns_refused_quiet = 0;
}

static void conn_closed(struct server *sv, uint32_t fd)
{
	if (fd < sv->conn_fds && sv->conn_open[fd]) {
		sv->conn_open[fd] = 0;
		sv->nconns--;
	}
}

/* One event of the ROUTER's monitor: [uint16 event, uint32 value][address].
 * Returns false when there was none to read. */
static bool from_monitor(struct server *sv)
{
	zmq_msg_t m;
	int more = 1, part = 0;
	uint16_t event = 0;
	uint32_t value = 0;

	while (more) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sv->monitor, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			return part > 0;
		}
		more = zmq_msg_more(&m);
		if (part++ == 0 && zmq_msg_size(&m) == 6) {
			memcpy(&event, zmq_msg_data(&m), 2);
			memcpy(&value, (const char *)zmq_msg_data(&m) + 2, 4);
		}
		zmq_msg_close(&m);
	}
	if (event == ZMQ_EVENT_ACCEPTED)
		conn_accepted(sv, value);
	else if (event == ZMQ_EVENT_DISCONNECTED)
		conn_closed(sv, value);
	else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
		log_auth_refusal(sv, value);
	else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
	         event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
		log_debug("handshake failed (event %u, detail %#x)", (unsigned)event,
		          (unsigned)value);
	return true;
}

/* Announce a snapshot the loader swapped in. Returns false when there was
 * no notice to read. */
static bool publish(struct server *sv)
{
	char buf[64], msg[128];
	int len = zmq_recv(sv->notify, buf, sizeof(buf) - 1, ZMQ_DONTWAIT);

	if (len < 0)
		return false;
	if (!sv->pub)
		return true;
	buf[len] = '\0';
	len = snprintf(msg, sizeof(msg), "{\"snapshot\":{\"id\":%s}}", buf);
	zmq_send(sv->pub, "scores.updated", 14, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sv->pub, msg, (size_t)len, ZMQ_DONTWAIT);
	return true;
}

/* Returns true when the server should stop. */
static bool on_signals(struct server *sv)
{
	unsigned char sigs[16];
	ssize_t n = read(sig_pipe[0], sigs, sizeof(sigs));
	bool stop = false;

	for (ssize_t i = 0; i < n; i++) {
		if (sigs[i] == SIGHUP) {
			if (!sv->auth)
				log_warn("SIGHUP: no clients file to reload");
			else if (ipc_auth_reload(sv->auth) != 0) {
				/* Loud: a revocation in the broken file does not
				 * apply, so every ping says so until a reload works. */
				sv->clients_stale = true;
				atomic_store(&sv->clients_stale_shared, true);
				log_error(
				    "SIGHUP: clients file not reloaded, the old list stays: %s",
				    err_msg());
			} else {
				sv->clients_stale = false;
				atomic_store(&sv->clients_stale_shared, false);
				log_warn("SIGHUP: clients file reloaded");
			}
		} else {
			stop = true;
		}
	}
	return stop;
}

/* Messages read from one socket per pass of the loop before the others get
 * their turn (and before the front end's audit batch is handed over). */
#define DRAIN_BATCH 64

/* A socket the loop reads, and whether it is known to be drained. */
struct watched {
	void *sock;
	int fd; /* its ZMQ_FD */
	/* Its last operation was a read that found nothing: until its
	 * ZMQ_FD turns readable there is nothing to read. Any send on the
	 * socket may process its pending commands (which does not make the
	 * ZMQ_FD readable again), so a send makes it unclean. */
	bool clean;
};

static int watch(struct watched *w, void *sock)
{
	size_t len = sizeof(w->fd);

	w->sock = sock;
	w->clean = false;
	w->fd = -1;
	if (sock && zmq_getsockopt(sock, ZMQ_FD, &w->fd, &len) != 0)
		return zerr("ZMQ_FD");
	return 0;
}

/* The front end's loop. zmq_poll would ask every socket for ZMQ_EVENTS
 * twice per call (a system call each); instead this thread blocks in one
 * poll() on the sockets' ZMQ_FDs only when every socket is drained, and
 * otherwise reads the sockets that may have something. */
static void serve_loop(struct server *sv)
{
	enum { W_BACK, W_WRITES, W_NOTIFY, W_MONITOR, W_FRONT, W_COUNT };
	struct watched w[W_COUNT];
	bool stopping = false;
	int64_t deadline = 0;

	if (watch(&w[W_BACK], sv->back) || watch(&w[W_WRITES], sv->writes) ||
	    watch(&w[W_NOTIFY], sv->notify) || watch(&w[W_MONITOR], sv->monitor) ||
	    watch(&w[W_FRONT], sv->front)) {
		log_error("serve: %s", err_msg());
		return;
	}
	for (;;) {
		struct pollfd fds[W_COUNT + 1];
		int map[W_COUNT + 1], nfds = 0;
		bool idle = true;

		for (int i = 0; i < W_COUNT; i++) {
			if (!w[i].sock || (i == W_FRONT && stopping))
				continue;
			idle = idle && w[i].clean;
			map[nfds] = i;
			fds[nfds++] = (struct pollfd){.fd = w[i].fd, .events = POLLIN};
		}
		map[nfds] = -1;
		fds[nfds++] = (struct pollfd){.fd = sig_pipe[0], .events = POLLIN};
		int rc = poll(fds, (nfds_t)nfds, idle ? 100 : 0);
		if (rc < 0 && errno != EINTR)
			break;
		for (int k = 0; rc > 0 && k < nfds; k++) {
			if (!fds[k].revents)
				continue;
			if (map[k] >= 0)
				w[map[k]].clean = false;
			else if (on_signals(sv) && !stopping) {
				stopping = true;
				deadline = mono_us() + DRAIN_MS * 1000;
				log_info("stopping: answering %lld requests in flight",
				         (long long)sv->inflight);
			}
		}
		if (rc == 0 && idle) /* a quiet 100 ms: look anyway, cheaply */
			for (int i = 0; i < W_COUNT; i++)
				w[i].clean = !w[i].sock;

		int got = 0;
		for (int b = W_BACK; b <= W_WRITES; b++) {
			if (w[b].clean)
				continue;
			for (got = 0; got < DRAIN_BATCH && from_worker(sv, w[b].sock); got++)
				;
			w[b].clean = got < DRAIN_BATCH;
			if (got)
				w[W_FRONT].clean = false; /* replies were sent on it */
		}
		if (!w[W_NOTIFY].clean)
			w[W_NOTIFY].clean = !publish(sv);
		if (!w[W_MONITOR].clean) {
			for (got = 0; got < DRAIN_BATCH && from_monitor(sv); got++)
				;
			w[W_MONITOR].clean = got < DRAIN_BATCH;
		}
		if (!stopping && !w[W_FRONT].clean) {
			for (got = 0; got < DRAIN_BATCH && from_client(sv); got++)
				;
			/* Its last read found nothing, after every reply sent. */
			w[W_FRONT].clean = got < DRAIN_BATCH;
			if (sv->back_sends)
				w[W_BACK].clean = false; /* requests were sent on it */
			sv->back_sends = 0;
		}
		front_audit_flush(sv);
		if (stopping && (sv->inflight <= 0 || mono_us() > deadline))
			break;
	}
	front_audit_flush(sv);
}

/* --- start and stop -------------------------------------------------------- */

static int set_int(void *sock, int opt, int value)
{
	return zmq_setsockopt(sock, opt, &value, sizeof(value));
}

static int setup_front(struct server *sv, const char *secret)
{
	const struct ipc_server_opts *o = sv->opts;
	int64_t maxmsg = PROTO_MAX_REQUEST;

	sv->front = zmq_socket(sv->ctx, ZMQ_ROUTER);
	if (!sv->front)
		return zerr("ROUTER socket");
	if (set_int(sv->front, ZMQ_ROUTER_MANDATORY, 1) || set_int(sv->front, ZMQ_LINGER, 500) ||
	    set_int(sv->front, ZMQ_SNDHWM, FRONT_SNDHWM) ||
	    set_int(sv->front, ZMQ_RCVHWM, FRONT_RCVHWM) ||
	    set_int(sv->front, ZMQ_HANDSHAKE_IVL, 5000) ||
	    zmq_setsockopt(sv->front, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)))
		return zerr("ROUTER options");
	if (secret) {
		if (set_int(sv->front, ZMQ_CURVE_SERVER, 1) ||
		    zmq_setsockopt(sv->front, ZMQ_CURVE_SECRETKEY, secret, 40) ||
		    zmq_setsockopt(sv->front, ZMQ_ZAP_DOMAIN, IPC_ZAP_DOMAIN,
		                   strlen(IPC_ZAP_DOMAIN)) ||
		    /* Without this, libzmq 4.3 lets any CURVE client in when no
		     * ZAP handler answers; with it, no handler means no entry. */
		    set_int(sv->front, ZMQ_ZAP_ENFORCE_DOMAIN, 1))
			return zerr("CURVE options");
	}
	/* Watch the connections (the cap: conn_accepted) and, with CURVE, the
	 * handshakes: a refused key is logged from its HANDSHAKE_FAILED_AUTH
	 * event (test plan F1). Set up before the bind so no event is missed. */
	if (zmq_socket_monitor(sv->front, MONITOR_ENDPOINT,
	                       ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED |
	                           (secret ? ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	                                         ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	                                         ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
	                                   : 0)) != 0 ||
	    !(sv->monitor = zmq_socket(sv->ctx, ZMQ_PAIR)) || set_int(sv->monitor, ZMQ_LINGER, 0) ||
	    zmq_connect(sv->monitor, MONITOR_ENDPOINT) != 0)
		return zerr("ROUTER monitor");
	return ipc_endpoint_bind(&sv->front_ep, sv->front, o->bind, o->socket_group);
}

static int setup_pub(struct server *sv, const char *secret)
{
	sv->pub = zmq_socket(sv->ctx, ZMQ_PUB);
	if (!sv->pub || set_int(sv->pub, ZMQ_LINGER, 0))
		return zerr("PUB socket");
	if (secret &&
	    (set_int(sv->pub, ZMQ_CURVE_SERVER, 1) ||
	     zmq_setsockopt(sv->pub, ZMQ_CURVE_SECRETKEY, secret, 40) ||
	     zmq_setsockopt(sv->pub, ZMQ_ZAP_DOMAIN, IPC_ZAP_DOMAIN, strlen(IPC_ZAP_DOMAIN)) ||
	     set_int(sv->pub, ZMQ_ZAP_ENFORCE_DOMAIN, 1)))
		return zerr("PUB CURVE options");
	return ipc_endpoint_bind(&sv->pub_ep, sv->pub, sv->opts->pub, sv->opts->socket_group);
}

static int setup_sockets(struct server *sv, const char *secret)
{
	int rc;

	if ((rc = setup_front(sv, secret)))
		return rc;
	if (sv->opts->pub && (rc = setup_pub(sv, secret)))
		return rc;
	sv->back = zmq_socket(sv->ctx, ZMQ_DEALER);
	sv->writes = zmq_socket(sv->ctx, ZMQ_PULL);
	sv->notify = zmq_socket(sv->ctx, ZMQ_PAIR);
	if (!sv->back || !sv->writes || !sv->notify || set_int(sv->back, ZMQ_LINGER, 0) ||
	    set_int(sv->writes, ZMQ_LINGER, 0) || set_int(sv->notify, ZMQ_LINGER, 0) ||
	    zmq_bind(sv->back, WORKERS_ENDPOINT) || zmq_bind(sv->writes, WRITES_ENDPOINT) ||
	    zmq_bind(sv->notify, NOTIFY_ENDPOINT))
		return zerr("inproc sockets");
	return 0;
}

static int load_initial(struct server *sv)
{
	served *first = NULL;
	int rc;

	/* quick_check at start-up: never serve from a damaged file. */
	if ((rc = store_open(&sv->loader_store, sv->opts->db_path,
	                     STORE_MUST_EXIST | STORE_CHECK |
	                         (sv->opts->read_only ? STORE_READONLY : 0))))
		return rc;
	/* The loader appends audit rows and reads each new snapshot once, from
	 * start to end: a large page cache would only fill with audit pages
	 * and grow the server's memory with the log. */
	if ((rc = store_set_cache_mib(sv->loader_store, 8)))
		return rc;
	/* Its audit writes wait at most LOADER_BUSY_MS for an import's write
	 * lock (the rows are kept for the next try), so that it goes on
	 * looking for new publications meanwhile. */
	store_set_busy_ms(sv->loader_store, LOADER_BUSY_MS);
	sv->audit_to_log = sv->opts->read_only || store_is_readonly(sv->loader_store);
	if (!sv->opts->read_only && sv->audit_to_log)
		log_warn("the database is read-only for this user: audit rows go to the log, as "
		         "with --read-only, and invitation_status cannot be recorded");
	if ((rc = store_service_versions(sv->loader_store, &sv->seen)))
		return rc;
	rc = served_load(&first, sv->loader_store);
	if (rc == ERR_NOT_FOUND)
		log_warn("no scores yet: data requests get `unavailable` until `ambassador score` "
		         "runs");
	else if (rc)
		return rc;
	served_slot_swap(&sv->slot, &first);
	return invite_book_load(sv->invites, sv->loader_store);
}

static int start_threads(struct server *sv, struct worker *workers)
{
	sigset_t all, old;
	int rc = 0;

	/* Threads inherit the mask: only the front end takes signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < sv->opts->workers && !rc; i++) {
		workers[i].sv = sv;
		if (pthread_create(&sv->workers[i], NULL, worker_main, &workers[i]) != 0)
			rc = err_set(ERR_INTERNAL, "cannot start a worker thread");
		else
			sv->nworkers++;
	}
	if (!rc) {
		struct worker *wr = &workers[MAX_WORKERS];
		wr->sv = sv;
		wr->writer = true;
		if (pthread_create(&sv->writer, NULL, writer_main, wr) != 0)
			rc = err_set(ERR_INTERNAL, "cannot start the writer thread");
		else
			sv->writer_running = true;
	}
	if (!rc && pthread_create(&sv->loader, NULL, loader_main, sv) != 0)
		rc = err_set(ERR_INTERNAL, "cannot start the loader thread");
	else if (!rc)
		sv->loader_running = true;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static void stop_threads(struct server *sv)
{
	atomic_store(&sv->workers_stop, true);
	for (int i = 0; i < sv->nworkers; i++)
		pthread_join(sv->workers[i], NULL);
	sv->nworkers = 0;
	if (sv->writer_running) { /* after the workers: none can queue a write now */
		pthread_mutex_lock(&sv->wmu);
		sv->writer_stop = true;
		pthread_cond_signal(&sv->wcv);
		pthread_mutex_unlock(&sv->wmu);
		pthread_join(sv->writer, NULL);
		sv->writer_running = false;
	}
	if (sv->loader_running) {
		pthread_mutex_lock(&sv->qmu);
		sv->loader_stop = true;
		pthread_cond_signal(&sv->qcv);
		pthread_mutex_unlock(&sv->qmu);
		pthread_join(sv->loader, NULL);
		sv->loader_running = false;
	}
}

static int install_signals(void)
{
	struct sigaction sa;

	if (pipe(sig_pipe) != 0)
		return err_set(ERR_IO, "pipe: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void restore_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	for (int i = 0; i < 2; i++) {
		if (sig_pipe[i] >= 0)
			close(sig_pipe[i]);
		sig_pipe[i] = -1;
	}
}

static void close_sockets(struct server *sv)
{
	void **socks[] = {&sv->monitor, &sv->front, &sv->back, &sv->writes, &sv->pub, &sv->notify};

	for (size_t i = 0; i < sizeof(socks) / sizeof(socks[0]); i++) {
		if (*socks[i])
			zmq_close(*socks[i]);
		*socks[i] = NULL;
	}
}

static int check_opts(const struct ipc_server_opts *o, char secret[41])
{
	int rc;

	secret[0] = '\0';
	if (!o->curve_secret != !o->clients)
		return err_set(ERR_USAGE, "--curve-secret and --clients go together");
	if (o->workers < 1 || o->workers > MAX_WORKERS)
		return err_set(ERR_USAGE, "--workers must be 1 to %d", MAX_WORKERS);
	if (o->curve_secret && o->role != ROLE_NONE)
		return err_set(ERR_USAGE, "--role does not apply with CURVE: each client's role is "
		                          "the one its key has in --clients");
	if (o->curve_secret && (rc = ipc_key_check_private(o->curve_secret)))
		return rc;
	if (o->curve_secret)
		return ipc_key_read(o->curve_secret, secret);
	if ((rc = ipc_endpoint_local(o->bind)))
		return rc;
	if (o->pub && (rc = ipc_endpoint_local(o->pub)))
		return rc;
	return 0;
}

/* The cap on client connections: --max-connections or the default, never
 * more than the file-descriptor limit leaves after IPC_FD_RESERVE (past
 * it libzmq could not accept, and SQLite could not open its files). */
static int conn_limit(struct server *sv)
{
	const int asked = sv->opts->max_connections;
	struct rlimit rl;
	long room = 1L << 20;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)room + IPC_FD_RESERVE)
		room = (long)rl.rlim_cur - IPC_FD_RESERVE;
	if (room < 1)
		return err_set(ERR_USAGE,
		               "the open-files limit (%ld) leaves no room for clients after the %d "
		               "the server keeps; raise it (ulimit -n, LimitNOFILE= in the unit)",
		               room + IPC_FD_RESERVE, IPC_FD_RESERVE);
	if (asked > room)
		return err_set(
		    ERR_USAGE,
		    "--max-connections %d is more than the open-files limit allows (%ld, "
		    "%d kept for the database and libzmq): ask for at most %ld or raise "
		    "the limit (ulimit -n, LimitNOFILE= in the unit)",
		    asked, room + IPC_FD_RESERVE, IPC_FD_RESERVE, room);
	sv->max_conns =
	    asked > 0 ? asked : (int)(room < IPC_MAX_CONNECTIONS ? room : IPC_MAX_CONNECTIONS);
	sv->conn_fds = (size_t)room + IPC_FD_RESERVE;
	sv->conn_open = xcalloc(sv->conn_fds, 1);
	return 0;
}

/* Without CURVE: the role --role names; when it names none, hr on an ipc
 * socket (created 0600 or 0660: this user and the named group only) and
 * intranet on loopback tcp, which every local user can reach. */
static enum ipc_role plain_role(const struct ipc_server_opts *o)
{
	if (o->role != ROLE_NONE)
		return o->role;
	return ipc_endpoint_is_ipc(o->bind) ? ROLE_HR : ROLE_INTRANET;
}

/* One line on start, shown without -v: where, who gets in, what is served. */
static void announce(struct server *sv)
{
	const struct ipc_server_opts *o = sv->opts;
	served *cur = served_slot_get(&sv->slot);
	char access[64], what[160], when[32];

	if (o->curve_secret)
		snprintf(access, sizeof(access), "CURVE, roles from %s", o->clients);
	else
		snprintf(access, sizeof(access), "no CURVE, every client gets role %s",
		         ipc_role_name(o->role));
	if (cur) {
		const struct service_snapshot *i = served_info(cur);
		const struct served_pilot *p = served_pilot_of(cur);
		timefmt_date(when, sizeof(when), i->as_of);
		snprintf(what, sizeof(what), "published snapshot #%lld as of %s%s%s%s",
		         (long long)i->id, when,
		         p ? ", invitations from pilot '" : ", no approved pilot", p ? p->name : "",
		         p ? "'" : "");
	} else {
		snprintf(what, sizeof(what), "no published snapshot yet");
	}
	log_notice("serving on %s (%.*s), %s; %d workers", o->bind, (int)sizeof(access), access,
	           what, o->workers);
	served_unref(&cur);
}

int ipc_server_run(const struct ipc_server_opts *opts)
{
	struct ipc_server_opts eff = *opts;
	struct server sv = {.opts = &eff};
	struct worker workers[MAX_WORKERS + 1] = {{0}}; /* the last: the writer */
	char secret[41];
	int rc;

	if ((rc = check_opts(opts, secret)) || (rc = conn_limit(&sv)))
		return rc;
	if (!opts->curve_secret)
		eff.role = plain_role(opts);
	if (!opts->curve_secret && eff.role == ROLE_HR && !ipc_endpoint_is_ipc(opts->bind))
		log_warn("--role hr on %s without CURVE: every local user can connect and read HR "
		         "data; use an ipc:// socket or CURVE to keep it to the service's users",
		         opts->bind);
#ifdef __GLIBC__
	/* A fixed threshold: glibc raises it to the size of each large block
	 * freed (up to 32 MiB), after which a snapshot's arrays come from the
	 * heap, and a heap freed in the middle is not given back. From 1 MiB
	 * up, blocks are mapped and unmapped (bench/serve_swaps.py). */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
	served_slot_init(&sv.slot);
	sv.cache = reply_cache_new(CACHE_ENTRIES, CACHE_BYTES, free_cached_msg);
	pthread_mutex_init(&sv.qmu, NULL);
	pthread_cond_init(&sv.qcv, NULL);
	pthread_mutex_init(&sv.wmu, NULL);
	pthread_cond_init(&sv.wcv, NULL);
	atomic_init(&sv.workers_stop, false);
	atomic_init(&sv.audit_dropped, 0);
	atomic_init(&sv.audit_failing, false);
	atomic_init(&sv.clients_stale_shared, false);
	sv.clients_stale_written = -1;
	sv.invites = invite_book_new();
	if ((rc = load_initial(&sv)))
		goto out;
	sv.ctx = zmq_ctx_new();
	if (!sv.ctx) {
		rc = zerr("zmq context");
		goto out;
	}
	if (opts->curve_secret &&
	    (rc = ipc_auth_new(&sv.auth, sv.ctx, opts->clients, !opts->no_zap)))
		goto out;
	if ((rc = setup_sockets(&sv, secret[0] ? secret : NULL)) || (rc = install_signals()) ||
	    (rc = start_threads(&sv, workers)))
		goto out;
	announce(&sv);
	serve_loop(&sv);
	log_info("stopped; %llu replies dropped (client gone or not reading); %llu requests "
	         "refused as too many in flight; %llu answered from the cache, %llu by workers "
	         "(cache emptied %llu times when full)",
	         (unsigned long long)sv.reply_drops, (unsigned long long)sv.busy_refusals,
	         (unsigned long long)sv.cache_hits, (unsigned long long)sv.cache_misses,
	         (unsigned long long)reply_cache_resets(sv.cache));
	if (sv.auth_refusals)
		log_info("%llu CURVE handshakes refused", (unsigned long long)sv.auth_refusals);
	if (sv.conns_refused)
		log_info("%llu connections closed over the cap of %d",
		         (unsigned long long)sv.conns_refused, sv.max_conns);
	if (sv.write_refusals || sv.rate_refusals)
		log_info("%llu writes refused (writer queue full); %llu requests over a rate limit",
		         (unsigned long long)sv.write_refusals,
		         (unsigned long long)sv.rate_refusals);
out:
	stop_threads(&sv);
	/* Cached replies are zmq messages: release them before the context. */
	reply_cache_destroy(&sv.cache);
	if (atomic_load(&sv.audit_dropped))
		log_warn("audit: %llu entries dropped (queue full)",
		         (unsigned long long)atomic_load(&sv.audit_dropped));
	close_sockets(&sv);
	ipc_auth_destroy(&sv.auth);
	if (sv.ctx)
		zmq_ctx_term(sv.ctx);
	ipc_endpoint_close(&sv.front_ep);
	ipc_endpoint_close(&sv.pub_ep);
	restore_signals();
	memset(secret, 0, sizeof(secret));
	store_close(&sv.loader_store);
	served_slot_destroy(&sv.slot);
	free(sv.conn_open);
	invite_book_destroy(&sv.invites);
	free(sv.queue);
	for (size_t i = 0; i < sv.wn; i++) { /* left only when the writer never ran */
		struct queued_write *q = &sv.wqueue[(sv.whead + i) % WRITE_QUEUE_MAX];
		for (int k = 0; k < q->n; k++)
			zmq_msg_close(&q->parts[k]);
	}
	pthread_cond_destroy(&sv.qcv);
	pthread_mutex_destroy(&sv.qmu);
	pthread_cond_destroy(&sv.wcv);
	pthread_mutex_destroy(&sv.wmu);
	return rc;
}
