/* client.c - Lazy Pirate request/reply over a REQ socket. Each attempt
 * owns a fresh socket (LINGER 0, so an unanswered request is dropped when
 * it closes); the context lives for the call.
 */
#include "ipc/client.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"

static void *open_socket(void *ctx, const struct ipc_client_opts *o)
{
	void *sock = zmq_socket(ctx, ZMQ_REQ);
	int linger = 0;

	if (!sock)
		return NULL;
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	if (o->server_key) {
		char pub[41];
		if (!o->secret_key || zmq_curve_public(pub, o->secret_key) != 0 ||
		    zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, o->server_key, 40) ||
		    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, pub, 40) ||
		    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, o->secret_key, 40)) {
			zmq_close(sock);
			return NULL;
		}
	}
	if (zmq_connect(sock, o->endpoint) != 0) {
		zmq_close(sock);
		return NULL;
	}
	return sock;
}

#define HANDSHAKE_FAILED                                                                           \
	(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |                   \
	 ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)

/* A PAIR socket receiving sock's handshake failures (NULL when the monitor
 * cannot be set up: then a refusal shows only as a timeout). */
static void *open_monitor(void *ctx, void *sock, int n)
{
	char ep[64];
	void *mon;

	snprintf(ep, sizeof(ep), "inproc://client-monitor-%d", n);
	if (zmq_socket_monitor(sock, ep, HANDSHAKE_FAILED) != 0 ||
	    !(mon = zmq_socket(ctx, ZMQ_PAIR)))
		return NULL;
	if (zmq_connect(mon, ep) != 0) {
		zmq_close(mon);
		return NULL;
	}
	return mon;
}

/* The server refused the handshake: say why (ERR_FORBIDDEN), from the
 * monitor's event. */
static int handshake_failed(void *mon, const struct ipc_client_opts *o)
{
	uint8_t ev[6] = {0};
	uint16_t event;
	uint32_t value;

	if (zmq_recv(mon, ev, sizeof(ev), ZMQ_DONTWAIT) < 2)
		return 0;
	memcpy(&event, ev, 2);
	memcpy(&value, ev + 2, 4);
	if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
		return err_set(
		    ERR_FORBIDDEN,
		    "the server at %s refused this client's key (CURVE handshake failed: "
		    "auth, status %u): is its public key in the server's clients file?",
		    o->endpoint, (unsigned)value);
	return err_set(ERR_FORBIDDEN,
	               "the handshake with %s failed (%s): check --curve-server-key, the client's "
	               "secret key, and that the server uses CURVE",
	               o->endpoint,
	               event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ? "protocol" : "no detail");
}

/* One attempt: 1 with the reply, 0 on timeout, negative on error. */
static int attempt(void *sock, void *mon, const struct ipc_client_opts *o, const char *req,
                   size_t len, char **out, size_t *out_len)
{
	zmq_pollitem_t items[2] = {{sock, 0, ZMQ_POLLIN, 0}, {mon, 0, ZMQ_POLLIN, 0}};
	zmq_msg_t m;
	int rc;

	if (zmq_send(sock, req, len, 0) < 0)
		return err_set(ERR_IO, "send: %s", zmq_strerror(zmq_errno()));
	if (zmq_poll(items, mon ? 2 : 1, o->timeout_ms) <= 0)
		return 0;
	if (mon && (items[1].revents & ZMQ_POLLIN) && (rc = handshake_failed(mon, o)))
		return rc;
	if (!(items[0].revents & ZMQ_POLLIN))
		return 0;
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, sock, 0) < 0) {
		zmq_msg_close(&m);
		return err_set(ERR_IO, "receive: %s", zmq_strerror(zmq_errno()));
	}
	*out = xmalloc(zmq_msg_size(&m) + 1);
	memcpy(*out, zmq_msg_data(&m), zmq_msg_size(&m));
	(*out)[zmq_msg_size(&m)] = '\0';
	*out_len = zmq_msg_size(&m);
	zmq_msg_close(&m);
	return 1;
}

int ipc_client_request(const struct ipc_client_opts *o, const char *req, size_t len, char **out,
                       size_t *out_len)
{
	void *ctx = zmq_ctx_new();
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	if (!ctx)
		return err_set(ERR_INTERNAL, "zmq context: %s", zmq_strerror(zmq_errno()));
	for (int i = 0; i <= o->retries && rc == 0; i++) {
		void *sock = open_socket(ctx, o);
		if (!sock) {
			rc = err_set(ERR_INVALID, "cannot connect to %s: %s", o->endpoint,
			             zmq_errno() ? zmq_strerror(zmq_errno()) : "bad key");
			break;
		}
		void *mon = o->server_key ? open_monitor(ctx, sock, i) : NULL;
		rc = attempt(sock, mon, o, req, len, out, out_len);
		zmq_close(sock);
		if (mon)
			zmq_close(mon);
		if (rc == 0 && i < o->retries)
			log_warn("no reply from %s in %d ms; retrying (%d of %d)", o->endpoint,
			         o->timeout_ms, i + 1, o->retries);
	}
	zmq_ctx_term(ctx);
	if (rc == 0)
		return err_set(ERR_IO, "no reply from %s after %d attempts of %d ms", o->endpoint,
		               o->retries + 1, o->timeout_ms);
	return rc < 0 ? rc : 0;
}
