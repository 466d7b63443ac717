/* zmq_echo.c - the raw libzmq REQ/REP baseline for the serving benchmarks.
 *
 *   bench_zmq_echo server ENDPOINT [--reply FILE]
 *       REP socket bound to ENDPOINT; answers every request with the request
 *       itself, or with the bytes of FILE (so the reply is as large as a real
 *       `rank` reply). Runs until SIGINT or SIGTERM.
 *   bench_zmq_echo client --connect ENDPOINT [--threads N] [--requests N] ...
 *       the same load client as bench_zmq_load (zmq_client.h); prints
 *       req/s, p50, p99 and the lost count.
 *
 * No JSON, no allocation per request beyond libzmq's own: the floor our
 * server is compared against on the same transport.
 */
#include "zmq_client.h"

#include <signal.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Reads FILE whole into *out (caller frees). Returns 0 or -1. */
static int read_file(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	if (!f) {
		fprintf(stderr, "zmq_echo: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--; /* the file comes from a shell: drop the trailing newline */
	*out = buf;
	*len = n;
	return 0;
}

static int serve(const char *endpoint, const char *reply_file)
{
	char *reply = NULL;
	size_t reply_len = 0;
	if (reply_file && read_file(reply_file, &reply, &reply_len))
		return 1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	void *ctx = zmq_ctx_new();
	void *s = zmq_socket(ctx, ZMQ_REP);
	int zero = 0;
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
	if (zmq_bind(s, endpoint) != 0) {
		fprintf(stderr, "zmq_echo: bind %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
		zmq_close(s);
		zmq_ctx_term(ctx);
		free(reply);
		return 1;
	}
	long served = 0;
	while (!stop) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s, 0) < 0) {
			zmq_msg_close(&m);
			if (zmq_errno() == EINTR)
				continue;
			break;
		}
		int rc;
		if (reply) {
			zmq_msg_close(&m);
			rc = zmq_send(s, reply, reply_len, 0);
		} else {
			rc = zmq_msg_send(&m, s, 0);
			if (rc < 0)
				zmq_msg_close(&m);
		}
		if (rc < 0 && zmq_errno() != EINTR)
			break;
		served++;
	}
	fprintf(stderr, "zmq_echo: served %ld requests\n", served);
	zmq_close(s);
	zmq_ctx_term(ctx);
	free(reply);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_zmq_echo server ENDPOINT [--reply FILE]\n"
	           "       bench_zmq_echo client --connect ENDPOINT [--threads N] [--requests N]\n"
	           "                             [--request TEXT] [--expect TEXT] [--dealer]\n");
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "server") == 0) {
		const char *reply_file = NULL;
		if (argc == 5 && strcmp(argv[3], "--reply") == 0)
			reply_file = argv[4];
		else if (argc != 3) {
			usage(stderr);
			return 2;
		}
		return serve(argv[2], reply_file);
	}
	if (argc >= 2 && strcmp(argv[1], "client") == 0)
		return load_main(argc - 1, argv + 1);
	usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
	return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
}
