/* client.h - a request/reply client for the service with a timeout and
 * retries (the "Lazy Pirate" pattern): a REQ socket that gets no reply in
 * time is closed and a fresh one sends the request again, so the client
 * never sees EFSM and never waits without a bound.
 */
#ifndef AMB_IPC_CLIENT_H
#define AMB_IPC_CLIENT_H

#include <stddef.h>

struct ipc_client_opts {
	const char *endpoint;
	const char *server_key; /* Z85 public key of the server, or NULL (no CURVE) */
	const char *secret_key; /* Z85 secret key of this client (with server_key) */
	int timeout_ms;         /* per attempt; > 0 */
	int retries;            /* attempts after the first; >= 0 */
};

/* Send `req` (len bytes) and wait for one reply frame: 0 with a malloc'ed,
 * NUL-terminated copy in *out (length in *out_len; the caller frees), or
 * ERR_IO when no reply came after every attempt, ERR_INVALID for a bad
 * key or endpoint, ERR_FORBIDDEN when the server refused the CURVE
 * handshake (this client's key is not allowed; seen on the socket
 * monitor, so it is said at once instead of after every retry). */
int ipc_client_request(const struct ipc_client_opts *opts, const char *req, size_t len, char **out,
                       size_t *out_len);

#endif
