/* server_front.c - the front end: the loop of the thread that called
 * ipc_server_run. It reads requests from the ROUTER, checks their frames,
 * the client's role, its rate limit and its requests in flight, answers
 * from the reply cache or hands the request to a worker, and sends the
 * workers' replies back; it counts client connections against the cap from
 * the ROUTER's monitor, logs refused CURVE handshakes, announces new
 * snapshots on the PUB socket and handles signals.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "ipc/auth.h"
#include "ipc/protocol.h"
#include "ipc/reply_cache.h"
#include "ipc/served.h"
#include "ipc/server_int.h"

#define DRAIN_MS        3000
#define REFUSAL_LOG_MAX 10 /* refusal lines a minute */

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

void free_cached_msg(void *p)
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
void serve_loop(struct server *sv)
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
