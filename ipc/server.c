/* server.c - start and stop of `ambassador serve`: the options checked,
 * the sockets set up and bound, the first snapshot loaded, the threads
 * started, the front end run (ipc/server_front.c), and everything closed
 * again; also the check of an endpoint that may be bound without CURVE.
 *
 * Signals only write a byte to a self-pipe (the one piece of process-wide
 * state here, as a signal handler needs it); the front end polls the pipe
 * with its sockets and stops taking requests on SIGINT/SIGTERM, answers
 * those in flight, and returns.
 */
#include "ipc/server.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/store.h"
#include "core/store_service.h"
#include "core/timefmt.h"
#include "ipc/endpoint.h"
#include "ipc/invite_book.h"
#include "ipc/protocol.h"
#include "ipc/reply_cache.h"
#include "ipc/served.h"
#include "ipc/server_int.h"

/* A draft option in libzmq 4.3's header, but honoured by the library
 * Debian ships (the setsockopt succeeds; start-up fails if it does not). */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

#define CACHE_ENTRIES  4096                /* replies kept per snapshot */
#define CACHE_BYTES    (64u * 1024 * 1024) /* and their bytes */
#define LOADER_BUSY_MS 250

int sig_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	if (sig_pipe[1] >= 0 && write(sig_pipe[1], &b, 1) < 0) {
		/* the pipe is full: a signal is already pending */
	}
	errno = saved;
}

int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int zerr(const char *what)
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
