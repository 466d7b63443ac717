/* endpoint.h - binding the server's sockets so that only the intended
 * local users can reach them.
 *
 * ipc://PATH: abstract names (ipc://@name) and a wildcard path are refused; the
 * directory holding PATH must belong to this user and be writable by no one
 * else, so nobody can replace the socket; a lock file PATH.lock (flock,
 * holding the owner's pid) keeps a second server from taking the path over
 * (libzmq removes an existing socket file when it binds); the socket file is
 * created 0600 whatever the umask, or 0660 with the group the admin names.
 * The handle owns the lock; closing it removes the socket file and the lock.
 *
 * tcp://localhost:P is bound on every loopback address the name resolves to
 * (libzmq does not resolve names when binding); tcp://[::1]:P works because
 * ZMQ_IPV6 is set on the socket.
 */
#ifndef AMB_IPC_ENDPOINT_H
#define AMB_IPC_ENDPOINT_H

#include <stdbool.h>

typedef struct ipc_endpoint ipc_endpoint;

/* True when `ep` is an ipc:// endpoint. */
bool ipc_endpoint_is_ipc(const char *ep);

/* Bind libzmq socket `sock` to `ep` as described above; `group` (NULL: none)
 * names the group given access to an ipc socket. Returns 0 and a handle in
 * *out (owned by the caller; NULL for tcp://), ERR_USAGE for an endpoint
 * or directory we refuse (the message says how to fix it), ERR_BUSY when
 * another server holds the ipc path, ERR_NOT_FOUND for an unknown group,
 * ERR_IO when the bind fails. On failure nothing is left bound or locked. */
int ipc_endpoint_bind(ipc_endpoint **out, void *sock, const char *ep, const char *group);

/* Remove the socket file (when it is still the one we bound) and the lock
 * file, release the lock and free the handle. Call after the socket is
 * closed. NULL is fine; *e becomes NULL. */
void ipc_endpoint_close(ipc_endpoint **e);

#endif
