/* version.h - the ZeroMQ library in use and what it offers for CURVE. */
#ifndef AMB_IPC_VERSION_H
#define AMB_IPC_VERSION_H

#include <stdbool.h>
#include <stddef.h>

struct ipc_versions {
	char zmq[32];    /* libzmq's run-time version, "4.3.4" */
	bool curve;      /* zmq_has("curve"): CURVE security is built in */
	char sodium[32]; /* libsodium's version as loaded with libzmq, or "" */
};

/* Fills *out. libsodium's version comes from sodium_version_string() when
 * libzmq brought libsodium into the process (Debian's libzmq5 links it
 * dynamically); it stays empty when CURVE uses libzmq's bundled TweetNaCl or
 * the symbol cannot be found. */
void ipc_versions_get(struct ipc_versions *out);

#endif
