/* zmq_client.h - the request/reply load client shared by bench_zmq_load and
 * `bench_zmq_echo client`, so our server and the raw echo baseline are
 * measured by the very same code.
 *
 * T threads, each with its own REQ (or DEALER) socket in one context, send
 * one request frame and wait for the reply, one at a time. Each round trip
 * is timed with CLOCK_MONOTONIC; a reply that does not come within the
 * timeout counts as lost (the socket is then replaced, since a REQ socket
 * cannot send again before it receives). A reply that lacks --expect counts
 * as an error. Prints one line of key=value pairs:
 *   threads= requests= ok= lost= errors= seconds= rps= p50_us= p99_us= max_us= reply_bytes=
 * Exit status 0 when every request got a good reply, 1 otherwise, 2 on bad use.
 *
 * Static functions in a header because each bench .c file is its own program;
 * include it from exactly one .c per program.
 */
#ifndef AMB_BENCH_ZMQ_CLIENT_H
#define AMB_BENCH_ZMQ_CLIENT_H

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

struct load_opts {
	const char *endpoint;
	const char *request;
	const char *expect;
	long threads;
	long requests; /* total, split over the threads */
	long warmup;   /* per thread, not timed */
	long timeout_ms;
	int dealer;
};

struct load_thread {
	const struct load_opts *o;
	void *ctx;
	pthread_barrier_t *start;
	long n;
	double *lat_us;
	long ok, lost, errors;
	uint64_t reply_bytes;
	int failed; /* could not even create or connect a socket */
};

static double load_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *load_socket(struct load_thread *t)
{
	void *s = zmq_socket(t->ctx, t->o->dealer ? ZMQ_DEALER : ZMQ_REQ);
	int zero = 0;
	if (!s)
		return NULL;
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
	if (zmq_connect(s, t->o->endpoint) != 0) {
		fprintf(stderr, "zmq_load: connect %s: %s\n", t->o->endpoint,
		        zmq_strerror(zmq_errno()));
		zmq_close(s);
		return NULL;
	}
	return s;
}

/* One round trip. Returns 0 ok, 1 lost (timeout), 2 bad reply, -1 failure. */
static int load_round_trip(struct load_thread *t, void *s, size_t *reply_len)
{
	const struct load_opts *o = t->o;
	size_t len = strlen(o->request);
	zmq_msg_t m;
	/* DEALER talks to a ROUTER or REP peer: add the empty delimiter REQ adds. */
	if (o->dealer && zmq_send(s, "", 0, ZMQ_SNDMORE) < 0)
		return -1;
	if (zmq_send(s, o->request, len, 0) < 0)
		return -1;
	zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
	int rc = zmq_poll(&it, 1, o->timeout_ms);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return 1;
	int bad = 0;
	*reply_len = 0;
	for (int part = 0;; part++) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s, 0) < 0) {
			zmq_msg_close(&m);
			return -1;
		}
		size_t n = zmq_msg_size(&m);
		int more = zmq_msg_more(&m);
		if (!more) {
			*reply_len = n;
			if (o->expect && !memmem(zmq_msg_data(&m), n, o->expect, strlen(o->expect)))
				bad = 1;
		}
		zmq_msg_close(&m);
		if (!more)
			break;
	}
	return bad ? 2 : 0;
}

static void *load_thread_main(void *arg)
{
	struct load_thread *t = arg;
	void *s = load_socket(t);
	size_t rlen;
	if (!s)
		t->failed = 1;
	for (long i = 0; s && i < t->o->warmup; i++) {
		int rc = load_round_trip(t, s, &rlen);
		if (rc == 1 || rc < 0) { /* not up or broken: count it, then stop */
			t->failed = 1;
			break;
		}
	}
	pthread_barrier_wait(t->start);
	for (long i = 0; s && !t->failed && i < t->n; i++) {
		double t0 = load_now();
		int rc = load_round_trip(t, s, &rlen);
		double us = (load_now() - t0) * 1e6;
		if (rc < 0) {
			t->failed = 1;
			t->lost += t->n - i;
			break;
		}
		if (rc == 1) {
			t->lost++;
			zmq_close(s);
			s = load_socket(t);
			continue;
		}
		t->lat_us[t->ok + t->errors] = us;
		t->reply_bytes += rlen;
		if (rc == 2)
			t->errors++;
		else
			t->ok++;
	}
	if (t->failed && t->ok + t->errors + t->lost < t->n)
		t->lost = t->n - t->ok - t->errors;
	if (s)
		zmq_close(s);
	return NULL;
}

static int load_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double load_pct(const double *v, size_t n, double p)
{
	if (n == 0)
		return 0;
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static int load_long(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void load_usage(FILE *f)
{
	fprintf(
	    f, "usage: zmq_load --connect ENDPOINT [--threads T] [--requests N] [--warmup W]\n"
	       "                [--request JSON] [--expect TEXT] [--timeout-ms MS] [--dealer]\n"
	       "Defaults: 1 thread, 10000 requests in all, 200 warm-up round trips per\n"
	       "thread, request '{\"op\":\"rank\",\"limit\":20}', timeout 5000 ms, REQ sockets.\n");
}

static int load_parse(struct load_opts *o, int argc, char **argv)
{
	*o = (struct load_opts){NULL, "{\"op\":\"rank\",\"limit\":20}", NULL, 1, 10000, 200, 5000,
	                        0};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;
		if (strcmp(a, "--dealer") == 0) {
			o->dealer = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			load_usage(stdout);
			exit(0);
		}
		if (!v) {
			fprintf(stderr, "zmq_load: %s needs a value\n", a);
			return -1;
		}
		if (strcmp(a, "--connect") == 0)
			o->endpoint = v;
		else if (strcmp(a, "--request") == 0)
			o->request = v;
		else if (strcmp(a, "--expect") == 0)
			o->expect = v;
		else if (strcmp(a, "--threads") == 0)
			bad = load_long(v, 1, 1024, &o->threads);
		else if (strcmp(a, "--requests") == 0)
			bad = load_long(v, 1, 1000000000L, &o->requests);
		else if (strcmp(a, "--warmup") == 0)
			bad = load_long(v, 0, 1000000000L, &o->warmup);
		else if (strcmp(a, "--timeout-ms") == 0)
			bad = load_long(v, 1, 3600000L, &o->timeout_ms);
		else
			bad = 1;
		if (bad) {
			fprintf(stderr, "zmq_load: bad option %s %s\n", a, v);
			return -1;
		}
		i++;
	}
	if (!o->endpoint) {
		load_usage(stderr);
		return -1;
	}
	return 0;
}

static int load_main(int argc, char **argv)
{
	struct load_opts o;
	if (load_parse(&o, argc, argv))
		return 2;
	void *ctx = zmq_ctx_new();
	long T = o.threads;
	struct load_thread *th = calloc((size_t)T, sizeof *th);
	pthread_t *tid = calloc((size_t)T, sizeof *tid);
	double *all = malloc((size_t)o.requests * sizeof *all);
	pthread_barrier_t start;
	if (!ctx || !th || !tid || !all) {
		fprintf(stderr, "zmq_load: out of memory\n");
		return 1;
	}
	pthread_barrier_init(&start, NULL, (unsigned)T + 1);
	long given = 0;
	for (long i = 0; i < T; i++) {
		th[i].o = &o;
		th[i].ctx = ctx;
		th[i].start = &start;
		th[i].n = o.requests / T + (i < o.requests % T);
		th[i].lat_us = all + given;
		given += th[i].n;
		pthread_create(&tid[i], NULL, load_thread_main, &th[i]);
	}
	pthread_barrier_wait(&start);
	double t0 = load_now();
	for (long i = 0; i < T; i++)
		pthread_join(tid[i], NULL);
	double secs = load_now() - t0;
	long ok = 0, lost = 0, errors = 0, done = 0;
	uint64_t bytes = 0;
	for (long i = 0; i < T; i++) {
		/* compact each thread's latencies to the front of `all` */
		long k = th[i].ok + th[i].errors;
		memmove(all + done, th[i].lat_us, (size_t)k * sizeof *all);
		done += k;
		ok += th[i].ok;
		lost += th[i].lost;
		errors += th[i].errors;
		bytes += th[i].reply_bytes;
	}
	qsort(all, (size_t)done, sizeof *all, load_cmp);
	printf("threads=%ld requests=%ld ok=%ld lost=%ld errors=%ld seconds=%.4f rps=%.1f "
	       "p50_us=%.1f p99_us=%.1f max_us=%.1f reply_bytes=%.0f\n",
	       T, o.requests, ok, lost, errors, secs, secs > 0 ? (double)done / secs : 0,
	       load_pct(all, (size_t)done, 0.50), load_pct(all, (size_t)done, 0.99),
	       done ? all[done - 1] : 0, done ? (double)bytes / (double)done : 0);
	pthread_barrier_destroy(&start);
	free(all);
	free(tid);
	free(th);
	zmq_ctx_term(ctx);
	return ok == o.requests ? 0 : 1;
}

#endif
