/* server_loader.c - the audit queue and the loader thread. Workers and
 * the front end queue audit entries in memory; the loader writes them to
 * the audit log in batches, looks for a new publication, pilot decision,
 * roster or invitation change, swaps the served snapshot and tells the
 * front end.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/store.h"
#include "core/store_service.h"
#include "core/testhook.h"
#include "core/timefmt.h"
#include "ipc/invite_book.h"
#include "ipc/served.h"
#include "ipc/server_int.h"

#define AUDIT_QUEUE_MAX 65536
/* Merged audit rows kept for a retry while the audit log cannot be
 * written; past that they are dropped and counted. */
#define AUDIT_PENDING_MAX 4096

/* --- audit queue ------------------------------------------------------------ */

void copy_field(char *dst, size_t size, const char *src)
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
void audit_push(struct server *sv, const char *client, enum ipc_role role, const char *op,
                int64_t people, const char *status)
{
	struct audit_entry e;

	audit_fill(&e, clock_now(), client, role, op, people, status);
	audit_append(sv, &e, 1);
}

/* The front end's entries go to a batch of its own, handed over under one
 * lock per pass of the serve loop (or when the batch is full). */
void front_audit_flush(struct server *sv)
{
	if (sv->fbatch_n) {
		audit_append(sv, sv->fbatch, sv->fbatch_n);
		sv->fbatch_n = 0;
	}
}

void front_audit(struct server *sv, const char *client, enum ipc_role role, const char *op,
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

void *loader_main(void *arg)
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
