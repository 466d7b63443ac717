/* server_workers.c - the worker threads and the writer thread. A worker
 * takes a request from the front end on its own DEALER, answers it from
 * the served snapshot (ipc/protocol.c) and sends the reply back with what
 * the front end needs to cache it. A write (invitation_status) goes to the
 * one writer thread instead, the only one with a store handle to write.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/store.h"
#include "core/store_service.h"
#include "core/testhook.h"
#include "ipc/protocol.h"
#include "ipc/reply_cache.h"
#include "ipc/served.h"
#include "ipc/server_int.h"

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
void *writer_main(void *arg)
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

/* Test hook (core/testhook.h; tests/e2e/test_slow_clients.py): with
 * $AMB_TEST_WORKER_DELAY_MS set, a worker waits that long before each
 * answer, so a test can hold requests at the workers on any machine. */
static long worker_delay_ms(void)
{
	const char *v = testhook_env("AMB_TEST_WORKER_DELAY_MS");
	long ms = v ? strtol(v, NULL, 10) : 0;

	return ms > 0 && ms <= 10000 ? ms : 0;
}

void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct server *sv = w->sv;
	void *sock = zmq_socket(sv->ctx, ZMQ_DEALER);
	int linger = 0;
	long delay_ms = worker_delay_ms();

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
		if (delay_ms)
			nanosleep(&(struct timespec){delay_ms / 1000, delay_ms % 1000 * 1000000},
			          NULL);
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
